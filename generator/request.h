/* request.h -- bundlegen serve's request parsing: query strings, POST bodies and the headers it reads.
 * Pure functions of the client's bytes (no server state), driven by tests/fuzz/gen_serve_request.c. */
#ifndef REQUEST_H
#define REQUEST_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"

/* Parses a raw query string (no '?'): '&'-separated NAME=VALUE, percent-decoded, '+' as a space.
 * Each name becomes a member of params, a string, or an array of strings when repeated; "version"
 * goes to *version (caller frees). Every problem is appended to errors as {"parameter","message"}.
 * At most 256 items. Returns 0, or -1 on memory failure. */
int request_parse_query(const char *q, size_t len, cJSON *params, char **version, cJSON *errors);

/* Parses a POST /v1/bundles body: {"platform": ID, "version": V or "latest", "parameters": {...}}.
 * *platform and *version are new strings (version may stay NULL), *params a new object. Every
 * problem is appended to errors. Returns 0, or -1 on memory failure. */
int request_parse_body(const char *body, size_t len, char **platform, char **version, cJSON **params,
                       cJSON *errors);

/* 1 when an If-None-Match header value matches the entity tag "<hex>" (weak comparison, "*"). */
int request_etag_match(const char *if_none_match, const char *hex);

/* 1 when an Accept header value prefers text/markdown over application/json. */
int request_wants_markdown(const char *accept);

/* 1 when a Content-Type header value (may be NULL) is application/json, parameters allowed. */
int request_is_json_type(const char *content_type);

/* The token of an "Authorization: Bearer TOKEN" header value: its start and length, or -1. */
int request_bearer(const char *authorization, const char **token, size_t *len);

/* Appends q for the access log: secret parameters' values (token, and the names in secrets,
 * matched after percent-decoding) become REDACTED, control and non-ASCII bytes %XX. */
int request_redact_query(const char *q, size_t len, const char *const *secrets, size_t nsecrets, buf *out);

/* GET /download?platform=ID&...: the console's plain form. id gets the raw value of platform
 * ("" when absent or not 1 to 64 of [A-Za-z0-9._-]); every other item goes to rest as it came,
 * '&'-separated (empty items dropped), ready to follow "/v1/bundles/ID?". Returns 0, or -1 on memory. */
int request_download(const char *q, size_t len, char id[65], buf *rest);

/* For messages that quote the client: a printable ASCII copy of s[0..n) (other bytes become '?',
 * cut at 64 with "..."), and an in-place repair of invalid UTF-8 (each bad sequence becomes '?'),
 * so any message makes valid JSON. */
void request_printable(const char *s, size_t n, char out[72]);
void request_utf8_clean(char *s);

#endif
