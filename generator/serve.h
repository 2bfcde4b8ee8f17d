/* serve.h -- "bundlegen serve": the HTTP download backend of the web console, on httpd.h.
 * Platforms, changelogs and bundles as JSON and archives, with a render cache, metrics and reload.
 * Request parsing is request.h; the loaded data (platforms, documents, tokens) catalog.h. */
#ifndef SERVE_H
#define SERVE_H
#include <stddef.h>
#include <stdio.h>

typedef struct serve_config {
    const char *listen;            /* "IPv4:PORT", "[IPv6]:PORT" or ":PORT" (every IPv4 address); port 0 picks one */
    const char *root;              /* the data folder (platforms/, templates/, changelog/, openapi.json) */
    const char *packs;             /* template packs of older versions, or NULL */
    const char *token_file;        /* accepted bearer tokens, one a line, or NULL */
    const char *token_env;         /* one more accepted token (from the environment), or NULL */
    size_t      cache_bytes;       /* render cache bound */
    size_t      max_body;          /* largest POST body */
    unsigned    threads;           /* worker threads */
    unsigned    max_connections;   /* open connections; more wait in the listen queue */
    unsigned    max_inflight;      /* requests being received or answered; more get 503 */
    unsigned    timeout_s;         /* an idle or stalled connection is closed after this */
    FILE       *access_log;        /* one line per request, or NULL */
} serve_config;

typedef struct serve serve;

/* Loads every platform's manifest and templates (and the token file), then listens. NULL with err
 * filled when anything fails; nothing is left running. cfg's strings must outlive the server. */
serve   *serve_start(const serve_config *cfg, char *err, size_t errsz);
unsigned serve_port(const serve *s);
size_t   serve_platform_count(serve *s);

/* Loads everything again; on success the new set replaces the old one and the cache is emptied,
 * on failure the old set stays and err says why. Returns 0 or -1. */
int  serve_reload(serve *s, char *err, size_t errsz);

/* Stops accepting, answers what is in flight (with Connection: close) for up to timeout_ms, then
 * stops and frees everything. */
void serve_stop(serve *s, unsigned timeout_ms);

#endif
