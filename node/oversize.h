/* oversize.h -- the node's request limits: how much of a request is analysed, and what was cut.
 * A request past a limit still gets a verdict: it is analysed as far as the limit, and the
 * reasons it went past are reported (OVER_* bits) for the route's oversize policy to decide. */
#ifndef OVERSIZE_H
#define OVERSIZE_H
#include <stddef.h>
#include "httpreq.h"

/* Reasons a request went past a limit; one bit each, named by oversize_reason_name. */
enum {
    OVER_REQUEST_LINE  = 1 << 0,   /* limits.max_request_line: method, target and version */
    OVER_HEADER_LINE   = 1 << 1,   /* limits.max_header_line: one "Name: value" line */
    OVER_HEADERS       = 1 << 2,   /* limits.max_header_size: all header lines together */
    OVER_PARAMS        = 1 << 3,   /* limits.max_params: query parameters */
    OVER_BODY          = 1 << 4,   /* limits.max_body_size */
    OVER_REPLY_TIME    = 1 << 5,   /* reply_timeout.limit */
    OVER_DECODE_DEPTH  = 1 << 6,   /* JSON nested past 64 levels, or a value still encoded after 4 decodings */
    OVER_DECODE_BUDGET = 1 << 7,   /* 4 MiB of decoded output per request, or a rule's match limit */
};
#define OVER_NREASONS 8

/* The route's choice for a request past a limit (config key `oversize`). */
enum { OVERSIZE_ANALYSE_PARTIAL, OVERSIZE_BLOCK };

/* "request_line", "header_line", "headers", "params", "body", "reply_time", "decode_depth",
 * "decode_budget" for bit index i. */
const char *oversize_reason_name(int i);
/* "analyse_partial" or "block"; oversize_policy_parse returns OVERSIZE_* or -1. */
const char *oversize_policy_name(int policy);
int         oversize_policy_parse(const char *s);

typedef struct oversize_limits {
    size_t max_request_line;        /* bytes of "METHOD target VERSION" */
    size_t max_header_line;         /* bytes of one "Name: value" */
    size_t max_header_bytes;        /* bytes of all header lines, each counted with its CRLF */
    size_t max_params;              /* query parameters; 0 = no count limit */
} oversize_limits;

/* What of a request head is analysed. Points into the input where nothing was cut; cut values
 * live in memory owned by the view. */
typedef struct oversize_view {
    const char *path;               /* the target up to '?' */
    const char *query;              /* after '?', or NULL */
    httpreq_header *headers;         /* the headers that fit, values cut to fit a line */
    size_t nheaders;
    unsigned over;                  /* OVER_* bits */
    char *target;                   /* owned copy of the (cut) target */
    char **cut;  size_t ncut;       /* owned cut header values */
} oversize_view;

/* Fits method, raw target ("/path?query") and version with headers h[0..n) into lim.
 * Returns 0, or -1 when out of memory (view freed). Headers past max_header_bytes are left out
 * of the view whole; the caller keeps every header for the protocol (host, token, routing). */
int  oversize_fit_head(const oversize_limits *lim, const char *method, const char *target, const char *version,
                     const httpreq_header *h, size_t n, oversize_view *view);
void oversize_view_free(oversize_view *view);

#endif
