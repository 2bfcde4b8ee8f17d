/* catalog.h -- bundlegen serve's catalog: every platform's versions (current tree and packs), the
 * documents served as they are (platform list, descriptions, changelogs, openapi.json) and the
 * accepted bearer tokens, loaded once into an immutable snapshot that reload swaps whole.
 *
 * Lifetime: catalog_load returns a snapshot holding one reference. Whoever keeps a pointer beyond
 * the holder's own reference takes one with catalog_retain and gives it back with catalog_release;
 * the last release frees everything (documents included), so a response may keep a document alive
 * by holding a reference until it is sent. */
#ifndef CATALOG_H
#define CATALOG_H
#include <stdatomic.h>
#include <stddef.h>
#include <sodium.h>
#include "bundle.h"
#include "changelog.h"

#define CATALOG_MAX_TOKENS 64

/* The web console, console/ in the data folder (optional): index.html is rendered once per load from
 * console/index.html.mustache (plain Mustache, HTML escaping) with {platforms: [the platform list],
 * version}, so that its plain form lists the platforms without JavaScript; the others are served as
 * they are. catalog_console_names[i] names console[i]; catalog_console_types[i] is its media type. */
#define CATALOG_CONSOLE_FILES 3
extern const char *const catalog_console_names[CATALOG_CONSOLE_FILES];
extern const char *const catalog_console_types[CATALOG_CONSOLE_FILES];

/* A document ready to send: its bytes (NUL-terminated) and their SHA-256 (the ETag). */
typedef struct catalog_doc { char *data; size_t len; char sha256[65]; } catalog_doc;

typedef struct catalog_platform {
    bundle_source *v;               /* every version, newest (the current one) first */
    size_t         nv;
    changelog     *log;             /* NULL when the platform has no changelog yet */
    catalog_doc    json;            /* GET /v1/platforms/{id} */
    catalog_doc    log_json, log_md;   /* GET /v1/platforms/{id}/changelog */
} catalog_platform;

typedef struct catalog {
    atomic_int        refs;
    unsigned long     gen;             /* the load's generation (part of render cache keys) */
    catalog_platform *p;
    size_t            n;
    catalog_doc       list;            /* GET /v1/platforms */
    catalog_doc       openapi;         /* GET /openapi.json; data NULL when the root has none */
    catalog_doc       console[CATALOG_CONSOLE_FILES];   /* the web console; data NULL when absent */
    unsigned char     tokens[CATALOG_MAX_TOKENS][crypto_hash_sha256_BYTES];   /* SHA-256 of each */
    size_t            ntokens;         /* 0: no token is required */
    const char      **secrets;         /* parameter names redacted in the access log */
    size_t            nsecrets;
} catalog;

/* Where a catalog comes from. */
typedef struct catalog_source {
    const char *root;                  /* platforms/, templates/, changelog/, openapi.json */
    const char *packs;                 /* template packs of older versions, or NULL */
    const char *token_file;            /* accepted tokens, one a line (# comments), or NULL */
    const char *token_env;             /* one more accepted token, or NULL */
} catalog_source;

/* Loads every platform (each version of its changelog, older ones from packs), the tokens,
 * openapi.json (optional; it must parse when present) and the console (optional; it must render). NULL with err filled when anything fails. */
catalog *catalog_load(const catalog_source *src, unsigned long gen, char *err, size_t errsz);

/* Reference counting; both accept NULL. */
void catalog_retain(catalog *c);
void catalog_release(catalog *c);

/* The platform of id, or NULL. */
const catalog_platform *catalog_find(const catalog *c, const char *id);

/* The version want of p: NULL, "" or "latest" is the current one; NULL when p has no such version. */
const bundle_source *catalog_version(const catalog_platform *p, const char *want);

/* 1 when token is one of the accepted ones (constant time over all of them). */
int catalog_token_accepted(const catalog *c, const char *token, size_t len);

#endif
