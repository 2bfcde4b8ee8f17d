/* serve.c -- bundlegen serve's HTTP glue on httpd.h (see serve.h): the route table, answers,
 * rendering through the cache, Prometheus metrics and the lifecycle. Parsing is in request.c, the
 * loaded data in catalog.c. The head is judged when it is whole (limits), the request answered once whole. */
#include "serve.h"
#include "bundle.h"
#include "cache.h"
#include "dcache.h"
#include "catalog.h"
#include "params.h"
#include "request.h"
#include "httpd.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SERVE_HEAD_LIMIT      (32u * 1024)   /* request line and header lines; more gets a JSON 431 */
/* http1's cap on the raw head: twice the limit, so that a head past the limit as counted above (with
 * blanks around values or empty lines) still gets the same JSON 431; past the cap it does as well */
#define SERVE_HEAD_CAP        (2u * SERVE_HEAD_LIMIT)

/* ---- routes and metrics --------------------------------------------------------------------- */

/* Indexes into the route table below (also the metrics' route label). */
enum route_id { R_PLATFORMS, R_PLATFORM, R_CHANGELOG, R_BUNDLES, R_BUNDLE, R_OPENAPI, R_CONSOLE, R_ASSET,
             R_DOWNLOAD, R_LIVE, R_READY, R_METRICS, R_NONE, R_COUNT };
static const unsigned statuses[] = {200, 303, 304, 400, 401, 404, 405, 413, 415, 431, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double render_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKET (sizeof render_le / sizeof render_le[0])

typedef struct metrics {
    atomic_ullong requests[R_COUNT][NSTATUS + 1];   /* the last column: any other status */
    atomic_ullong render[NBUCKET + 1], render_count, render_ns;
    atomic_ullong reload_ok, reload_failed;
    atomic_long   inflight;
} metrics;

struct serve {
    serve_config        cfg;
    httpd              *d;
    cache              *cache;
    cache              *urls;       /* GET URL (with the generation) -> its bundle's cache key */
    pthread_mutex_t     lock;       /* guards cat */
    catalog            *cat;
    unsigned long       gen;
    atomic_int          draining;
    unsigned            port;
    metrics             m;
};

/* Per connection, reset for each request (httpd.h calls back with the connection). */
typedef struct req {
    const http1_request *rq;        /* the request being answered (NULL after refuse) */
    const char *uri;                /* raw, query included */
    size_t   path_len;
    int      route, answered, counted, close;
    int      queued;                /* counted requests answered and not yet sent */
    char     id[65];                /* the {id} of the path */
    char     method[16];
    unsigned status;
    size_t   bytes;
    const char *cache_result;       /* "hit", "miss" or NULL */
    struct timespec started;
} req;

/* A route's answer. cat is the request's catalog reference (NULL only before the first load):
 * dispatch() takes it before and releases it after; a handler never releases it, and a response
 * that must outlive the handler takes a reference of its own. */
typedef int (*handler)(serve *s, httpd_conn *c, req *r, catalog *cat);

enum { M_GET = 1, M_POST = 2 };                     /* M_GET also allows HEAD */
enum { F_CATALOG = 1,                               /* 503 while no catalog is loaded */
       F_AUTH = 2,                                  /* needs a bearer token when tokens are set */
       F_HEALTH = 4,                                /* never counted in flight, never refused */
       F_BODY = 8 };                                /* takes a request body (up to max_body) */

static int get_platforms(serve *, httpd_conn *, req *, catalog *);
static int get_platform(serve *, httpd_conn *, req *, catalog *);
static int get_changelog(serve *, httpd_conn *, req *, catalog *);
static int post_bundle(serve *, httpd_conn *, req *, catalog *);
static int get_bundle(serve *, httpd_conn *, req *, catalog *);
static int get_openapi(serve *, httpd_conn *, req *, catalog *);
static int get_console(serve *, httpd_conn *, req *, catalog *);
static int get_download(serve *, httpd_conn *, req *, catalog *);
static int get_live(serve *, httpd_conn *, req *, catalog *);
static int get_ready(serve *, httpd_conn *, req *, catalog *);
static int get_metrics(serve *, httpd_conn *, req *, catalog *);
static int no_route(serve *, httpd_conn *, req *, catalog *);

/* The route table: path pattern ({id} is one segment of [A-Za-z0-9._-], 1 to 64 bytes), methods,
 * flags, handler. The first pattern that matches the whole path wins; R_NONE matches nothing. */
static const struct route {
    const char *pattern;
    unsigned    methods, flags;
    handler     answer;
} routes[R_COUNT] = {
    [R_PLATFORMS] = {"/v1/platforms",                M_GET,  F_CATALOG | F_AUTH, get_platforms},
    [R_PLATFORM]  = {"/v1/platforms/{id}",           M_GET,  F_CATALOG | F_AUTH, get_platform},
    [R_CHANGELOG] = {"/v1/platforms/{id}/changelog", M_GET,  F_CATALOG | F_AUTH, get_changelog},
    [R_BUNDLES]   = {"/v1/bundles",                  M_POST, F_CATALOG | F_AUTH | F_BODY, post_bundle},
    [R_BUNDLE]    = {"/v1/bundles/{id}",             M_GET,  F_CATALOG | F_AUTH, get_bundle},
    [R_OPENAPI]   = {"/openapi.json",                M_GET,  F_CATALOG, get_openapi},
    [R_CONSOLE]   = {"/",                            M_GET,  F_CATALOG, get_console},
    [R_ASSET]     = {"/console/{id}",                M_GET,  F_CATALOG, get_console},
    [R_DOWNLOAD]  = {"/download",                    M_GET,  F_CATALOG, get_download},
    [R_LIVE]      = {"/live",                        M_GET,  F_HEALTH, get_live},
    [R_READY]     = {"/ready",                       M_GET,  F_HEALTH, get_ready},
    [R_METRICS]   = {"/metrics",                     M_GET,  F_HEALTH, get_metrics},
    [R_NONE]      = {"unmatched",                    M_GET | M_POST, 0, no_route},
};

static const char *allowed_methods(unsigned methods)
{
    return methods == M_POST ? "POST" : methods == M_GET ? "GET, HEAD" : "GET, HEAD, POST";
}

static int method_bit(const char *method)
{
    return !strcmp(method, "GET") || !strcmp(method, "HEAD") ? M_GET : !strcmp(method, "POST") ? M_POST : 0;
}

static int id_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
           ch == '_' || ch == '.';
}

/* 1 when the raw path[0..n) is the whole of pattern; its {id} goes to id. */
static int route_match(const char *pat, const char *path, size_t n, char id[65])
{
    const char *p = path, *end = path + n;
    while (*pat) {
        if (!strncmp(pat, "{id}", 4)) {
            size_t sl = 0;
            while (p + sl < end && id_char(p[sl])) sl++;
            if (!sl || sl > 64) return 0;
            memcpy(id, p, sl);
            id[sl] = '\0';
            p += sl;
            pat += 4;
        } else if (p < end && *p == *pat) {
            p++;
            pat++;
        } else {
            return 0;
        }
    }
    return p == end;
}

/* The route of a raw path; {id} goes to id. */
static int classify(const char *path, size_t n, char id[65])
{
    for (int i = 0; i < R_NONE; i++)
        if (route_match(routes[i].pattern, path, n, id)) return i;
    return R_NONE;
}

/* ---- small helpers -------------------------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The current catalog, referenced (NULL before the first load). */
static catalog *current_catalog(serve *s)
{
    pthread_mutex_lock(&s->lock);
    catalog *c = s->cat;
    catalog_retain(c);
    pthread_mutex_unlock(&s->lock);
    return c;
}

/* ---- answering ------------------------------------------------------------------------------ */

static void count(serve *s, int route, unsigned status)
{
    size_t k = 0;
    while (k < NSTATUS && statuses[k] != status) k++;
    atomic_fetch_add(&s->m.requests[route][k], 1);
}

/* Queues the answer (head: header lines, each ending CRLF); the single exit of every answer. With
 * release, body is sent from where it is and release(arg) called once it is no longer needed
 * (httpd_respond_ref); without, it is copied. */
static int send_resp_ref(serve *s, httpd_conn *c, req *r, unsigned status, const char *head, size_t head_len,
                         const void *body, size_t len, void (*release)(void *), void *arg)
{
    r->answered = 1;
    r->status = status;
    r->bytes = len;
    count(s, r->route, status);
    unsigned flags = atomic_load(&s->draining) || r->close ? HTTPD_CLOSE : 0;
    if (release) httpd_respond_ref(c, (int)status, head, head_len, body, len, release, arg, flags);
    else httpd_respond(c, (int)status, head, head_len, body, len, flags);
    return 0;
}

static int send_resp(serve *s, httpd_conn *c, req *r, unsigned status, const char *head, size_t head_len,
                     const void *body, size_t len)
{
    return send_resp_ref(s, c, r, status, head, head_len, body, len, NULL, NULL);
}

static int send_json(serve *s, httpd_conn *c, req *r, unsigned status, cJSON *v)
{
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    if (!text) return -1;
    char head[256];
    int n = snprintf(head, sizeof head, "Content-Type: application/json\r\nCache-Control: no-store\r\n%s%s%s%s",
                     status == 401 ? "WWW-Authenticate: Bearer realm=\"bundlegen\"\r\n" : "",
                     status == 405 ? "Allow: " : "", status == 405 ? allowed_methods(routes[r->route].methods) : "",
                     status == 405 ? "\r\n" : status == 503 ? "Retry-After: 1\r\n" : "");
    int rc = send_resp(s, c, r, status, head, (size_t)n, text, strlen(text));
    free(text);
    return rc;
}

/* {"error": message, "status": status[, "errors": [...]]}; errors is consumed. */
static int send_error(serve *s, httpd_conn *c, req *r, unsigned status,
                                  cJSON *errors, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int send_error(serve *s, httpd_conn *c, req *r, unsigned status,
                                  cJSON *errors, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    request_utf8_clean(msg);
    cJSON *o = cJSON_CreateObject();
    if (!o) { cJSON_Delete(errors); return -1; }
    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddNumberToObject(o, "status", status);
    if (errors) {
        cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message"), *p = cJSON_GetObjectItemCaseSensitive(e, "parameter");
            if (cJSON_IsString(m)) request_utf8_clean(m->valuestring);
            if (cJSON_IsString(p)) request_utf8_clean(p->valuestring);
        }
        cJSON_AddItemToObject(o, "errors", errors);
    }
    return send_json(s, c, r, status, o);
}

static int send_not_modified(serve *s, httpd_conn *c, req *r, const char *etag)
{
    char head[96];
    int n = snprintf(head, sizeof head, "ETag: %s\r\n", etag);
    return send_resp(s, c, r, 304, head, (size_t)n, NULL, 0);
}

/* A document of the catalog, with its ETag (the bytes are copied before the catalog is released). */
static int send_doc(serve *s, httpd_conn *c, req *r, catalog *cat, const catalog_doc *d, const char *type)
{
    (void)cat;
    char etag[70], head[256];
    snprintf(etag, sizeof etag, "\"%s\"", d->sha256);
    const char *inm = http1_header(r->rq, "If-None-Match");
    if (inm && request_etag_match(inm, d->sha256)) return send_not_modified(s, c, r, etag);
    int n = snprintf(head, sizeof head, "Content-Type: %s\r\nETag: %s\r\nCache-Control: no-cache\r\n%s", type, etag,
                     r->route == R_CHANGELOG ? "Vary: Accept\r\n" : "");
    return send_resp(s, c, r, 200, head, (size_t)n, d->data, d->len);
}

static void release_entry(void *e) { cache_release(e); }

/* A bundle from the cache (the reference e is consumed): its header block was made once, when it was
 * stored, and its bytes go out from the entry, which the reference keeps valid until they are sent. */
static int send_bundle(serve *s, httpd_conn *c, req *r, const cache_entry *e)
{
    const char *inm = http1_header(r->rq, "If-None-Match");
    if (inm && request_etag_match(inm, e->sha256)) {
        char etag[70];
        snprintf(etag, sizeof etag, "\"%s\"", e->sha256);
        cache_release(e);
        return send_not_modified(s, c, r, etag);
    }
    return send_resp_ref(s, c, r, 200, e->head, e->head_len, e->data, e->len, release_entry, (void *)e);
}

/* ---- rendering ------------------------------------------------------------------------------ */

static void observe_render(serve *s, double secs)
{
    size_t k = 0;
    while (k < NBUCKET && secs > render_le[k]) k++;
    atomic_fetch_add(&s->m.render[k], 1);
    atomic_fetch_add(&s->m.render_count, 1);
    atomic_fetch_add(&s->m.render_ns, (unsigned long long)(secs * 1e9));
}

/* Renders and packs p at version with the validated params (consumed), stores the result under
 * key and returns it referenced; NULL with err filled (*refused set when a platform limit refused
 * the bundle). A folder bundle is served as a zip. */
static const cache_entry *render(serve *s, const bundle_source *src, cJSON *params,
                                 const char *key, size_t keylen, int *refused, char *err, size_t errsz)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cJSON *ctx = bundle_context(src->m, src->version, params);
    if (!ctx) { snprintf(err, errsz, "out of memory"); return NULL; }
    bundle b;
    int rc = bundle_make(src->m, src->set, ctx, src->version, src->mtime, &b, err, errsz);
    cJSON_Delete(ctx);
    *refused = rc == BUNDLE_LIMIT;
    if (rc < 0) return NULL;
    char name[600], sha[65];
    const char *type = b.kind == PACK_TGZ ? "application/gzip" : "application/zip";
    buf zip = BUF_INIT;
    if (b.kind == PACK_DIR) {
        snprintf(name, sizeof name, "%s.zip", b.file_name);
        size_t nent;
        const pack_file *ent = bundle_entries(&b, &nent);
        if (pack_build(PACK_ZIP, ent, nent, src->mtime, &zip, err, errsz) < 0 ||
            pack_sha256(zip.data, zip.len, sha) < 0) {
            buf_free(&zip);
            bundle_free(&b);
            return NULL;
        }
    } else {
        snprintf(name, sizeof name, "%s", b.file_name);
        memcpy(sha, b.sha256, sizeof sha);
        zip = b.packed;
        b.packed = (buf)BUF_INIT;
    }
    bundle_free(&b);
    size_t len = zip.len;
    void *data = buf_detach(&zip);
    observe_render(s, seconds_since(&t0));
    char head[1024];                /* every header of its 200 but those httpd adds */
    snprintf(head, sizeof head, "Content-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\n"
             "ETag: \"%s\"\r\nCache-Control: private, no-cache\r\nX-Content-Type-Options: nosniff\r\n", type, name, sha);
    const cache_entry *e = data ? cache_put(s->cache, key, keylen, data, len, name, type, sha, head) : NULL;
    if (!e) snprintf(err, errsz, "out of memory");
    return e;
}

/* The 404 for an unknown platform, listing the known ones. */
static int unknown_platform(serve *s, httpd_conn *c, req *r, const catalog *cat, const char *id)
{
    buf known = BUF_INIT;
    for (size_t i = 0; i < cat->n; i++) buf_printf(&known, "%s%s", i ? ", " : "", cat->p[i].v[0].m->id);
    char shown[72];
    request_printable(id, strlen(id), shown);
    int rc = send_error(s, c, r, 404, NULL, "unknown platform \"%s\" (known: %s)", shown,
                                    known.data ? known.data : "");
    buf_free(&known);
    return rc;
}

/* The cache key: generation, platform, version and the canonical (validated, defaulted) parameters. */
/* Appends an encoding of v that no other value shares: a type byte, then a string's length and
 * bytes, a number's double as it is in memory, a container's items (an object's with their names)
 * and an end byte. Cheaper than printing JSON, whose numbers take a printf each; values that
 * would print alike but differ here (0 and -0) only cost a second render. */
static int key_value(buf *k, const cJSON *v)
{
    char t = '?';
    switch (v->type & 0xFF) {
    case cJSON_String: {
        const char *str = v->valuestring ? v->valuestring : "";
        size_t n = strlen(str);
        return buf_add(k, "s", 1) < 0 || buf_add(k, &n, sizeof n) < 0 || buf_add(k, str, n) < 0 ? -1 : 0;
    }
    case cJSON_Number: {
        double d = v->valuedouble;
        return buf_add(k, "n", 1) < 0 || buf_add(k, &d, sizeof d) < 0 ? -1 : 0;
    }
    case cJSON_Array: case cJSON_Object: {
        int obj = cJSON_IsObject(v);
        if (buf_add(k, obj ? "{" : "[", 1) < 0) return -1;
        for (const cJSON *c = v->child; c; c = c->next) {
            if (obj) {
                const char *name = c->string ? c->string : "";
                size_t n = strlen(name);
                if (buf_add(k, &n, sizeof n) < 0 || buf_add(k, name, n) < 0) return -1;
            }
            if (key_value(k, c) < 0) return -1;
        }
        return buf_add(k, "}", 1);
    }
    case cJSON_True: t = 't'; break;
    case cJSON_False: t = 'f'; break;
    case cJSON_NULL: t = 'z'; break;
    default: break;
    }
    return buf_add(k, &t, 1);
}

static int cache_key(buf *key, unsigned long gen, const bundle_source *src, const cJSON *params)
{
    const char *id = src->m->id;
    return buf_printf(key, "%lu", gen) < 0 || buf_add(key, "", 1) < 0 ||
           buf_add(key, id, strlen(id) + 1) < 0 || buf_add(key, src->version, strlen(src->version) + 1) < 0 ||
           key_value(key, params) < 0 ? -1 : 0;
}

/* Resolves the version, validates raw (consumed) with errors found so far (consumed), then answers
 * the bundle from the cache or renders it. With url (a GET's key in s->urls), a bundle answered
 * is recorded under it, and in this thread's memo. */
static int bundle_answer(serve *s, httpd_conn *c, req *r, const catalog *cat, const char *id,
                         const char *want, cJSON *raw, cJSON *errors, const char *url, size_t url_len)
{
    const catalog_platform *p = catalog_find(cat, id);
    const bundle_source *src = p ? catalog_version(p, want) : NULL;
    int rc;
    if (!src) {
        cJSON_Delete(raw);
        if (p && cJSON_GetArraySize(errors) > 0)            /* the request's own errors first */
            return send_error(s, c, r, 400, errors, "invalid request for %s", id);
        cJSON_Delete(errors);
        if (!p) return unknown_platform(s, c, r, cat, id);
        char shown[72];
        buf known = BUF_INIT;
        request_printable(want, strlen(want), shown);
        for (size_t i = 0; i < p->nv; i++) buf_printf(&known, "%s%s", i ? ", " : "", p->v[i].version);
        rc = send_error(s, c, r, 404, NULL, "unknown version \"%s\" of %s (known: %s)", shown, id,
                        known.data ? known.data : "");
        buf_free(&known);
        return rc;
    }
    cJSON *more = NULL;
    cJSON *params = params_from_json(src->m->params, src->m->nparams, raw, &more);
    cJSON_Delete(raw);
    if (more) {
        cJSON *e;
        while ((e = cJSON_DetachItemFromArray(more, 0))) cJSON_AddItemToArray(errors, e);
        cJSON_Delete(more);
    }
    if (params && cJSON_GetArraySize(errors) == 0 && plimits_check_params(&src->m->limits, src->m->name, params, errors) < 0) {
        cJSON_Delete(params);
        params = NULL;
    }
    if (cJSON_GetArraySize(errors) > 0 || !params) {
        cJSON_Delete(params);
        if (cJSON_GetArraySize(errors) == 0) { cJSON_Delete(errors); return send_error(s, c, r, 500, NULL, "out of memory"); }
        return send_error(s, c, r, 400, errors, "invalid parameters for %s %s", id, src->version);
    }
    cJSON_Delete(errors);
    buf key = BUF_INIT;
    if (cache_key(&key, cat->gen, src, params) < 0) {
        cJSON_Delete(params);
        buf_free(&key);
        return send_error(s, c, r, 500, NULL, "out of memory");
    }
    const cache_entry *e = cache_get(s->cache, key.data, key.len);
    char err[4096];
    int refused = 0;
    err[0] = '\0';
    r->cache_result = e ? "hit" : "miss";
    if (e) cJSON_Delete(params);
    else e = render(s, src, params, key.data, key.len, &refused, err, sizeof err);
    char *copy;
    static const char no_digest[65] = "";
    if (e && url_len && (copy = malloc(key.len))) {
        memcpy(copy, key.data, key.len);
        const cache_entry *u = cache_put(s->urls, url, url_len, copy, key.len, "", "", no_digest, NULL);
        if (u) cache_release(u);
        cache_memo_put(s->cache, url, url_len, e);
    }
    buf_free(&key);
    if (!e && refused) return send_error(s, c, r, 400, NULL, "invalid parameters for %s: %s", id, err);
    if (!e) return send_error(s, c, r, 500, NULL, "rendering %s failed: %s", id, err);
    return send_bundle(s, c, r, e);
}

/* ---- handlers (see the route table) ---------------------------------------------------------- */

/* A GET of a URL answered before, under the same catalog generation, names the same parameters:
 * its bundle's cache key is looked up by the URL, skipping their parsing and validation; this
 * thread's memo answers the URL it answered last without a lookup. */
static int get_bundle(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    char gen[24], *g = gen + sizeof gen;     /* the generation in decimal and a NUL, without a printf per hit */
    *--g = '\0';
    unsigned long v = cat->gen;
    do *--g = (char)('0' + v % 10); while ((v /= 10) && g > gen);
    size_t glen = (size_t)(gen + sizeof gen - g), ulen = strlen(r->uri);
    char stack[CACHE_MEMO_MAX];              /* the key, "generation NUL uri", on the stack when it fits */
    char *url = glen + ulen <= sizeof stack ? stack : malloc(glen + ulen);
    size_t url_len = url ? glen + ulen : 0;
    if (url) {
        memcpy(url, g, glen);
        memcpy(url + glen, r->uri, ulen);
    }
    const cache_entry *e = url ? cache_memo_get(s->cache, url, url_len) : NULL;
    if (!e && url) {
        const cache_entry *k = cache_get(s->urls, url, url_len);
        if (k) {
            e = cache_get(s->cache, k->data, k->len);
            cache_release(k);
            cache_memo_put(s->cache, url, url_len, e);
        }
    }
    int rc;
    if (e) {
        r->cache_result = "hit";
        rc = send_bundle(s, c, r, e);
    } else {
        const char *q = strchr(r->uri, '?');
        cJSON *raw = cJSON_CreateObject(), *errors = cJSON_CreateArray();
        char *version = NULL;
        if (!raw || !errors || (q && request_parse_query(q + 1, strlen(q + 1), raw, &version, errors) < 0)) {
            cJSON_Delete(raw);
            cJSON_Delete(errors);
            rc = send_error(s, c, r, 500, NULL, "out of memory");
        } else {
            rc = bundle_answer(s, c, r, cat, r->id, version, raw, errors, url, url_len);
        }
        free(version);
    }
    if (url != stack) free(url);
    return rc;
}

static int post_bundle(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    const char *ct = http1_header(r->rq, "Content-Type");
    if (!request_is_json_type(ct))
        return send_error(s, c, r, 415, NULL, "the body must be JSON (Content-Type: application/json), not %s",
                          ct ? "that" : "untyped");
    cJSON *errors = cJSON_CreateArray(), *raw = NULL;
    char *platform = NULL, *version = NULL;
    int rc = errors ? request_parse_body(r->rq->body ? r->rq->body : "", r->rq->body_len, &platform, &version, &raw, errors) : -1;
    int res;
    if (rc < 0) {
        cJSON_Delete(errors);
        cJSON_Delete(raw);
        res = send_error(s, c, r, 500, NULL, "out of memory");
    } else if (!platform || cJSON_GetArraySize(errors) > 0) {
        cJSON_Delete(raw);
        res = send_error(s, c, r, 400, errors, "invalid request body");
    } else {
        res = bundle_answer(s, c, r, cat, platform, version, raw, errors, NULL, 0);
    }
    free(platform);
    free(version);
    return res;
}

static int get_platforms(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    return send_doc(s, c, r, cat, &cat->list, "application/json");
}

static int get_platform(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    const catalog_platform *p = catalog_find(cat, r->id);
    if (!p) return unknown_platform(s, c, r, cat, r->id);
    return send_doc(s, c, r, cat, &p->json, "application/json");
}

static int get_changelog(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    const catalog_platform *p = catalog_find(cat, r->id);
    if (!p) return unknown_platform(s, c, r, cat, r->id);
    if (!p->log) return send_error(s, c, r, 404, NULL, "%s has no changelog", r->id);
    const char *accept = http1_header(r->rq, "Accept");
    if (accept && request_wants_markdown(accept)) return send_doc(s, c, r, cat, &p->log_md, "text/markdown; charset=utf-8");
    return send_doc(s, c, r, cat, &p->log_json, "application/json");
}

static int get_openapi(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    if (!cat->openapi.data) return send_error(s, c, r, 404, NULL, "no openapi.json in the data folder");
    return send_doc(s, c, r, cat, &cat->openapi, "application/json");
}

/* The web console: / is its page, /console/NAME its assets (catalog.h). */
static int get_console(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    const char *name = r->route == R_CONSOLE ? catalog_console_names[0] : r->id;
    for (size_t i = 0; i < CATALOG_CONSOLE_FILES; i++) {
        if (strcmp(name, catalog_console_names[i]) || !cat->console[i].data) continue;
        return send_doc(s, c, r, cat, &cat->console[i], catalog_console_types[i]);
    }
    return send_error(s, c, r, 404, NULL, "no console file %s in the data folder", name);
}

/* The console's plain form (no JavaScript) sends GET /download?platform=ID&...: 303 to the bundle's
 * own URL, /v1/bundles/ID?... with the other parameters as they came. */
static int get_download(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    const char *q = strchr(r->uri, '?');
    buf rest = BUF_INIT, loc = BUF_INIT;
    char id[65];
    if (request_download(q ? q + 1 : "", q ? strlen(q + 1) : 0, id, &rest) < 0) {
        buf_free(&rest);
        return send_error(s, c, r, 500, NULL, "out of memory");
    }
    if (!id[0] || !catalog_find(cat, id)) {
        buf_free(&rest);
        cJSON *errors = cJSON_CreateArray(), *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "parameter", "platform");
        const char *why = id[0] ? "no such platform" : "required: a platform id";
        cJSON_AddStringToObject(e, "message", why);
        cJSON_AddItemToArray(errors, e);
        return send_error(s, c, r, 400, errors, "platform: %s", why);
    }
    buf_printf(&loc, "/v1/bundles/%s%s%s", id, rest.len ? "?" : "", rest.len ? rest.data : "");
    buf_free(&rest);
    if (!loc.data || loc.full) { buf_free(&loc); return send_error(s, c, r, 500, NULL, "out of memory"); }
    buf head = BUF_INIT;
    buf_printf(&head, "Location: %s\r\n", loc.data);
    buf_free(&loc);
    if (!head.data || head.full) { buf_free(&head); return send_error(s, c, r, 500, NULL, "out of memory"); }
    int rc = send_resp(s, c, r, 303, head.data, head.len, NULL, 0);
    buf_free(&head);
    return rc;
}

static int get_live(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    (void)cat;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "live");
    return send_json(s, c, r, 200, o);
}

static int get_ready(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    int ready = cat && !atomic_load(&s->draining);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", ready ? "ready" : "draining");
    cJSON_AddNumberToObject(o, "platforms", cat ? (double)cat->n : 0);
    return send_json(s, c, r, ready ? 200 : 503, o);
}

static int no_route(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    (void)cat;
    return send_error(s, c, r, 404, NULL, "no such route (see /openapi.json)");
}

/* ---- metrics ------------------------------------------------------------------------------- */

static int get_metrics(serve *s, httpd_conn *c, req *r, catalog *cat)
{
    buf b = BUF_INIT;
    metrics *m = &s->m;
    buf_puts(&b, "# HELP bundlegen_serve_requests_total HTTP requests answered, by route and status.\n"
                 "# TYPE bundlegen_serve_requests_total counter\n");
    for (int i = 0; i < R_COUNT; i++) {
        for (size_t k = 0; k <= NSTATUS; k++) {
            unsigned long long v = atomic_load(&m->requests[i][k]);
            if (!v) continue;
            char st[8];
            if (k < NSTATUS) snprintf(st, sizeof st, "%u", statuses[k]); else snprintf(st, sizeof st, "other");
            buf_printf(&b, "bundlegen_serve_requests_total{route=\"%s\",status=\"%s\"} %llu\n", routes[i].pattern, st, v);
        }
    }
    cache_stats cs;
    cache_get_stats(s->cache, &cs);
    buf_printf(&b, "# HELP bundlegen_serve_cache_hits_total Bundle requests answered from the cache.\n"
                   "# TYPE bundlegen_serve_cache_hits_total counter\nbundlegen_serve_cache_hits_total %llu\n"
                   "# HELP bundlegen_serve_cache_misses_total Bundle requests that had to render.\n"
                   "# TYPE bundlegen_serve_cache_misses_total counter\nbundlegen_serve_cache_misses_total %llu\n"
                   "# HELP bundlegen_serve_cache_evictions_total Bundles dropped to stay within the cache size.\n"
                   "# TYPE bundlegen_serve_cache_evictions_total counter\nbundlegen_serve_cache_evictions_total %llu\n"
                   "# HELP bundlegen_serve_cache_entries Bundles in the cache.\n"
                   "# TYPE bundlegen_serve_cache_entries gauge\nbundlegen_serve_cache_entries %zu\n"
                   "# HELP bundlegen_serve_cache_bytes Bytes the cache holds.\n"
                   "# TYPE bundlegen_serve_cache_bytes gauge\nbundlegen_serve_cache_bytes %zu\n"
                   "# HELP bundlegen_serve_cache_max_bytes The cache's bound in bytes (--cache-mb).\n"
                   "# TYPE bundlegen_serve_cache_max_bytes gauge\nbundlegen_serve_cache_max_bytes %zu\n",
               cs.hits, cs.misses, cs.evictions, cs.entries, cs.bytes, cs.max_bytes);
    buf_puts(&b, "# HELP bundlegen_serve_render_seconds Time to render and pack one bundle.\n"
                 "# TYPE bundlegen_serve_render_seconds histogram\n");
    unsigned long long cum = 0;
    for (size_t k = 0; k <= NBUCKET; k++) {
        cum += atomic_load(&m->render[k]);
        if (k < NBUCKET) buf_printf(&b, "bundlegen_serve_render_seconds_bucket{le=\"%g\"} %llu\n", render_le[k], cum);
        else buf_printf(&b, "bundlegen_serve_render_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    }
    buf_printf(&b, "bundlegen_serve_render_seconds_sum %.9f\nbundlegen_serve_render_seconds_count %llu\n",
               (double)atomic_load(&m->render_ns) / 1e9, atomic_load(&m->render_count));
    buf_printf(&b, "# HELP bundlegen_serve_inflight_requests Requests being received or answered (health and metrics not counted).\n"
                   "# TYPE bundlegen_serve_inflight_requests gauge\nbundlegen_serve_inflight_requests %ld\n"
                   "# HELP bundlegen_serve_reloads_total Reloads on SIGHUP, by result.\n"
                   "# TYPE bundlegen_serve_reloads_total counter\n"
                   "bundlegen_serve_reloads_total{result=\"ok\"} %llu\nbundlegen_serve_reloads_total{result=\"failed\"} %llu\n"
                   "# HELP bundlegen_serve_platforms Platforms loaded.\n"
                   "# TYPE bundlegen_serve_platforms gauge\nbundlegen_serve_platforms %zu\n",
               atomic_load(&m->inflight), atomic_load(&m->reload_ok), atomic_load(&m->reload_failed), cat ? cat->n : 0);
    if (!b.data || b.full) { buf_free(&b); return send_error(s, c, r, 500, NULL, "out of memory"); }
    size_t n = b.len;
    static const char head[] = "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\nCache-Control: no-store\r\n";
    int rc = send_resp(s, c, r, 200, head, sizeof head - 1, b.data, n);
    buf_free(&b);
    return rc;
}

/* ---- dispatch ------------------------------------------------------------------------------- */

/* 1 when the request carries one of the accepted bearer tokens, or none is required. */
static int authorized(const catalog *cat, const req *r)
{
    if (!cat->ntokens) return 1;
    const char *h = http1_header(r->rq, "Authorization"), *t;
    size_t n;
    return h && request_bearer(h, &t, &n) == 0 && catalog_token_accepted(cat, t, n);
}

/* The one place a request takes and gives back its catalog reference. */
static int dispatch(serve *s, httpd_conn *c, req *r, const char *method)
{
    const struct route *rt = &routes[r->route];
    if (r->route != R_NONE && !(method_bit(method) & rt->methods))
        return send_error(s, c, r, 405, NULL, "method %s is not allowed here (allowed: %s)",
                          strlen(method) < 16 ? method : "?", allowed_methods(rt->methods));
    catalog *cat = current_catalog(s);
    int rc;
    if ((rt->flags & F_CATALOG) && !cat) rc = send_error(s, c, r, 503, NULL, "not ready");
    else if ((rt->flags & F_AUTH) && !authorized(cat, r))
        rc = send_error(s, c, r, 401, NULL, "a valid Authorization: Bearer token is required");
    else rc = rt->answer(s, c, r, cat);
    catalog_release(cat);
    return rc;
}

/* Bytes of the request line and header lines, each with its CRLF. */
static size_t head_bytes(const http1_request *rq)
{
    size_t n = strlen(rq->method) + 1 + strlen(rq->target) + 1 + strlen(rq->version) + 2;
    for (size_t i = 0; i < rq->nheaders; i++) n += strlen(rq->headers[i].name) + 2 + strlen(rq->headers[i].value) + 2;
    return n;
}

/* One access-log line: time, client, request (secrets redacted), status, bytes, ms, cache. */
static void log_request(serve *s, httpd_conn *c, req *r)
{
    char when[40], client[INET6_ADDRSTRLEN] = "-";
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + w, sizeof when - w, ".%03ldZ", now.tv_nsec / 1000000);
    const struct sockaddr *sa = httpd_peer(c);
    if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, client, sizeof client);
    else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, client, sizeof client);
    buf line = BUF_INIT;
    const char *uri = r->uri ? r->uri : "-";
    buf_printf(&line, "%s %s \"%s ", when, client, r->method[0] ? r->method : "-");
    request_redact_query(uri, r->uri ? r->path_len : 1, NULL, 0, &line);   /* the path: escaped, nothing secret */
    const char *q = strchr(uri, '?');
    if (q) {
        catalog *cat = current_catalog(s);
        buf_putc(&line, '?');
        request_redact_query(q + 1, strlen(q + 1), cat ? cat->secrets : NULL, cat ? cat->nsecrets : 0, &line);
        catalog_release(cat);
    }
    char status[16] = "-";
    if (r->status) snprintf(status, sizeof status, "%u", r->status);
    buf_printf(&line, "\" %s %zu %.3fms %s\n", status, r->bytes, seconds_since(&r->started) * 1e3,
               r->cache_result ? r->cache_result : "-");
    if (line.data && !line.full) fputs(line.data, s->cfg.access_log);
    buf_free(&line);
}

/* The request is answered: logged, and counted in flight until its answer is sent. */
static void finish(serve *s, httpd_conn *c, req *r)
{
    if (!r->answered) {                     /* a handler out of memory: still one answer */
        r->close = 1;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "error", "out of memory");
        if (send_json(s, c, r, 500, o) < 0) send_resp(s, c, r, 500, NULL, 0, NULL, 0);
    }
    if (s->cfg.access_log) log_request(s, c, r);
    if (r->counted) r->queued++;
    r->counted = 0;
}

static int on_accept(void *ctx, httpd_conn *c, const struct sockaddr *peer)
{
    (void)ctx; (void)peer;
    req *r = calloc(1, sizeof *r);
    if (!r) return -1;
    httpd_set_user(c, r);
    return 0;
}

static void on_begin(void *ctx, httpd_conn *c)
{
    (void)ctx;
    req *r = httpd_user(c);
    int queued = r->queued;
    *r = (req){.queued = queued};
    clock_gettime(CLOCK_MONOTONIC, &r->started);
}

/* The head is whole: route, head limit, in-flight limit and a declared body past --max-body are
 * decided before the body is read. */
static int on_head(void *ctx, httpd_conn *c, const http1_request *rq)
{
    serve *s = ctx;
    req *r = httpd_user(c);
    r->rq = rq;
    r->uri = rq->target;
    snprintf(r->method, sizeof r->method, "%s", rq->method);
    const char *q = strchr(rq->target, '?');
    r->path_len = q ? (size_t)(q - rq->target) : strlen(rq->target);
    r->route = classify(rq->target, r->path_len, r->id);
    int rc = 0;
    r->close = 1;                           /* an answer here ends the connection: the body is not read */
    if (head_bytes(rq) > SERVE_HEAD_LIMIT)
        rc = send_error(s, c, r, 431, NULL, "the request line and headers are larger than %u bytes", SERVE_HEAD_LIMIT) == 0;
    else if (!(routes[r->route].flags & F_HEALTH)) {        /* health: never counted, never refused */
        r->counted = 1;
        long n = atomic_fetch_add(&s->m.inflight, 1) + 1;
        const char *cl = http1_header(rq, "Content-Length");
        if (n > (long)s->cfg.max_inflight)
            rc = send_error(s, c, r, 503, NULL, "overloaded: %u requests in flight, try again", s->cfg.max_inflight) == 0;
        else if ((routes[r->route].flags & F_BODY) && cl && strtoull(cl, NULL, 10) > s->cfg.max_body)
            rc = send_error(s, c, r, 413, NULL, "the body is larger than %zu bytes", s->cfg.max_body) == 0;
    }
    r->close = 0;
    if (rc) finish(s, c, r);
    return rc;
}

static void on_request(void *ctx, httpd_conn *c, const http1_request *rq)
{
    serve *s = ctx;
    req *r = httpd_user(c);
    r->rq = rq;
    if (rq->body_dropped && (routes[r->route].flags & F_BODY))
        send_error(s, c, r, 413, NULL, "the body is larger than %zu bytes", s->cfg.max_body);
    else
        dispatch(s, c, r, rq->method);
    finish(s, c, r);
    r->rq = NULL;
}

/* Not HTTP (400) or a head past the cap (431): a JSON error, then the connection closes. */
static void on_refuse(void *ctx, httpd_conn *c, int status, const char *why)
{
    serve *s = ctx;
    req *r = httpd_user(c);
    if (r->counted) atomic_fetch_sub(&s->m.inflight, 1);
    int queued = r->queued;
    *r = (req){.queued = queued, .route = R_NONE, .close = 1};
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    if (status == 431) send_error(s, c, r, 431, NULL, "the request line and headers are larger than %u bytes", SERVE_HEAD_LIMIT);
    else send_error(s, c, r, 400, NULL, "%s", why);
    finish(s, c, r);
}

static void on_sent(void *ctx, httpd_conn *c, int n)
{
    serve *s = ctx;
    req *r = httpd_user(c);
    (void)n;
    if (r->queued) atomic_fetch_sub(&s->m.inflight, r->queued);
    r->queued = 0;
}

static void on_closed(void *ctx, httpd_conn *c, int n)
{
    serve *s = ctx;
    req *r = httpd_user(c);
    (void)n;
    if (!r) return;
    long gone = r->queued + r->counted;
    if (gone) atomic_fetch_sub(&s->m.inflight, gone);
    free(r);
    httpd_set_user(c, NULL);
}

static unsigned long request_timeout_ms(void *ctx)
{
    return (unsigned long)((serve *)ctx)->cfg.timeout_s * 1000;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static int parse_listen(const char *a, struct sockaddr_storage *ss, char *err, size_t errsz)
{
    memset(ss, 0, sizeof *ss);
    char host[128];
    const char *port;
    if (a[0] == '[') {
        const char *e = strchr(a, ']');
        if (!e || e[1] != ':' || (size_t)(e - a - 1) >= sizeof host) goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(e - a - 1), a + 1);
        port = e + 2;
    } else {
        const char *e = strrchr(a, ':');
        if (!e || (size_t)(e - a) >= sizeof host) goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(e - a), a);
        port = e + 1;
    }
    char *pe;
    errno = 0;
    unsigned long p = strtoul(port, &pe, 10);
    if (!*port || *pe || errno || p > 65535 || port[0] == '-' || port[0] == '+') goto bad;
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
    if (a[0] == '[' && inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)p);
        return 0;
    }
    if (a[0] != '[' && (!host[0] || !strcmp(host, "localhost") ||
                        inet_pton(AF_INET, host, &s4->sin_addr) == 1)) {
        if (!host[0]) s4->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (!strcmp(host, "localhost")) s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)p);
        return 0;
    }
bad:
    snprintf(err, errsz, "--listen \"%s\": expected IPv4:PORT, [IPv6]:PORT, localhost:PORT or :PORT (port 0-65535)", a);
    return -1;
}

serve *serve_start(const serve_config *cfg, char *err, size_t errsz)
{
    struct sockaddr_storage ss;
    if (parse_listen(cfg->listen, &ss, err, errsz) < 0) return NULL;
    catalog_source src = {cfg->root, cfg->packs, cfg->token_file, cfg->token_env};
    if (sodium_init() < 0) { snprintf(err, errsz, "libsodium failed to start"); return NULL; }
    serve *s = calloc(1, sizeof *s);
    if (!s || pthread_mutex_init(&s->lock, NULL) != 0) { free(s); snprintf(err, errsz, "out of memory"); return NULL; }
    s->cfg = *cfg;
    if (!s->cfg.threads) s->cfg.threads = 1;
    /* URL keys are small: an eighth of the bundle cache's size holds many times its bundles' URLs */
    if (!(s->cache = cache_new(cfg->cache_bytes)) || !(s->urls = cache_new(cfg->cache_bytes / 8)) ||
        !(s->cat = catalog_load(&src, ++s->gen, err, errsz))) {
        if (!s->cache || !s->urls) snprintf(err, errsz, "out of memory");
        cache_free(s->cache);
        cache_free(s->urls);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    /* deflated files reused across bundles (dcache.h): the parts no parameter changes are
     * compressed once; a quarter of the bundle cache's size, on top of it. Should that memory be
     * missing, nothing is kept: slower, the same bytes. */
    (void)dcache_set_limit(cfg->cache_bytes / 4);
    errno = 0;
    int fd = httpd_listen((struct sockaddr *)&ss, ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
    httpd_options o = {s->cfg.threads, cfg->max_connections ? cfg->max_connections : 1u, cfg->timeout_s,
                       SERVE_HEAD_CAP, cfg->max_body, NULL};
    httpd_handler h = {s, on_accept, on_begin, on_head, on_request, on_refuse, on_sent, on_closed, request_timeout_ms};
    if (fd < 0 || !(s->d = httpd_start(fd, &o, &h))) {
        snprintf(err, errsz, "--listen %s: cannot listen (%s)", cfg->listen, errno ? strerror(errno) : "the address is taken or invalid");
        if (fd >= 0) close(fd);
        catalog_release(s->cat);
        cache_free(s->cache);
        cache_free(s->urls);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bl) == 0)
        s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&bound)->sin6_port
                                                    : ((struct sockaddr_in *)(void *)&bound)->sin_port);
    return s;
}

unsigned serve_port(const serve *s)
{
    return s->port;
}

size_t serve_platform_count(serve *s)
{
    catalog *c = current_catalog(s);
    size_t n = c ? c->n : 0;
    catalog_release(c);
    return n;
}

int serve_reload(serve *s, char *err, size_t errsz)
{
    pthread_mutex_lock(&s->lock);
    unsigned long gen = ++s->gen;
    pthread_mutex_unlock(&s->lock);
    catalog_source src = {s->cfg.root, s->cfg.packs, s->cfg.token_file, s->cfg.token_env};
    catalog *c = catalog_load(&src, gen, err, errsz);
    if (!c) { atomic_fetch_add(&s->m.reload_failed, 1); return -1; }
    pthread_mutex_lock(&s->lock);
    catalog *old = s->cat;
    s->cat = c;
    pthread_mutex_unlock(&s->lock);
    catalog_release(old);
    cache_clear(s->cache);                 /* keys carry the generation, so nothing stale is hit anyway */
    cache_clear(s->urls);
    atomic_fetch_add(&s->m.reload_ok, 1);
    return 0;
}

void serve_stop(serve *s, unsigned timeout_ms)
{
    if (!s) return;
    atomic_store(&s->draining, 1);
    int fd = httpd_quiesce(s->d);
    if (fd >= 0) close(fd);                /* new connections are refused from now on */
    struct timespec step = {0, 10 * 1000 * 1000};
    for (unsigned waited = 0; atomic_load(&s->m.inflight) > 0 && waited < timeout_ms; waited += 10)
        nanosleep(&step, NULL);
    httpd_stop(s->d);
    catalog_release(s->cat);
    cache_free(s->cache);
    cache_free(s->urls);
    dcache_shutdown();
    pthread_mutex_destroy(&s->lock);
    free(s);
}