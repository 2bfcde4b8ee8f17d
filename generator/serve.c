/* serve.c -- bundlegen serve: the download backend's HTTP API on libmicrohttpd (see serve.h).
 * Handler pattern of research/http.md section 6: headers on the first call, body after, answer last. */
#include "serve.h"
#include "bundle.h"
#include "cache.h"
#include "changelog.h"
#include "manifest.h"
#include "params.h"
#include "value.h"
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define SERVE_MAX_QUERY_ITEMS 256
#define SERVE_HEADER_POOL     (32u * 1024)   /* request line and headers must fit (else 431) */
#define SERVE_MAX_TOKENS      64

/* ---- routes and metrics --------------------------------------------------------------------- */

enum route { R_PLATFORMS, R_PLATFORM, R_CHANGELOG, R_BUNDLES, R_BUNDLE, R_OPENAPI, R_LIVE, R_READY,
             R_METRICS, R_NONE, R_COUNT };
static const char *const route_names[R_COUNT] = {
    "/v1/platforms", "/v1/platforms/{id}", "/v1/platforms/{id}/changelog", "/v1/bundles",
    "/v1/bundles/{id}", "/openapi.json", "/live", "/ready", "/metrics", "unmatched"};
static const unsigned statuses[] = {200, 304, 400, 401, 404, 405, 413, 415, 500, 503};
#define NSTATUS (sizeof statuses / sizeof statuses[0])
static const double render_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
#define NBUCKET (sizeof render_le / sizeof render_le[0])

typedef struct metrics {
    atomic_ullong requests[R_COUNT][NSTATUS + 1];   /* the last column: any other status */
    atomic_ullong render[NBUCKET + 1], render_count, render_ns;
    atomic_ullong reload_ok, reload_failed;
    atomic_long   inflight;
} metrics;

/* ---- the loaded data: one immutable snapshot, swapped whole on reload ----------------------- */

typedef struct doc { char *data; size_t len; char sha256[65]; } doc;

typedef struct plat {
    bundle_source *v;               /* every version, newest (the current one) first */
    size_t         nv;
    changelog     *log;             /* NULL when the platform has no changelog yet */
    doc            json;            /* GET /v1/platforms/{id} */
    doc            log_json, log_md;   /* GET /v1/platforms/{id}/changelog */
} plat;

typedef struct catalog {
    atomic_int     refs;
    unsigned long  gen;
    plat          *p;
    size_t         n;
    doc            list;            /* GET /v1/platforms */
    doc            openapi;         /* GET /openapi.json; data NULL when the root has none */
    unsigned char  tokens[SERVE_MAX_TOKENS][crypto_hash_sha256_BYTES];
    size_t         ntokens;
    const char   **secrets;         /* parameter names redacted in the access log */
    size_t         nsecrets;
} catalog;

struct serve {
    serve_config        cfg;
    struct MHD_Daemon  *d;
    cache              *cache;
    pthread_mutex_t     lock;       /* guards cat */
    catalog            *cat;
    unsigned long       gen;
    atomic_int          draining;
    unsigned            port;
    metrics             m;
};

/* Per request: allocated by the URI callback, freed when MHD reports it complete. */
typedef struct req {
    char    *uri;                   /* raw, query included */
    size_t   path_len;
    int      route, headers_done, answered, counted;
    size_t   seen;                   /* body bytes received */
    char     id[65];                /* the {id} of the path */
    char     method[16];
    unsigned status;
    size_t   bytes;
    const char *cache_result;       /* "hit", "miss" or NULL */
    struct timespec started;
    buf      body;
} req;

/* ---- small helpers -------------------------------------------------------------------------- */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int add_error(cJSON *errors, const char *param, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_error(cJSON *errors, const char *param, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddStringToObject(e, "parameter", param) || !cJSON_AddStringToObject(e, "message", msg)) {
        cJSON_Delete(e);
        return -1;
    }
    cJSON_AddItemToArray(errors, e);
    return 0;
}

/* Printable ASCII copy of s for messages: other bytes become '?', cut at 64. */
static void printable(const char *s, size_t n, char out[72])
{
    size_t i;
    for (i = 0; i < n && i < 64; i++) out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (i < n) { memcpy(out + i, "...", 3); i += 3; }
    out[i] = '\0';
}

/* Replaces every invalid UTF-8 sequence of s in place by '?', so any message makes valid JSON. */
static void utf8_clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        int ok = n > 0 && !(n == 2 && *p < 0xc2) && !(n == 4 && *p > 0xf4);
        for (int i = 1; ok && i < n; i++) ok = (p[i] & 0xc0) == 0x80;
        if (ok && n == 3) ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] >= 0xa0);
        if (ok && n == 4) ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] >= 0x90);
        if (!ok) { *p++ = '?'; continue; }
        p += n;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) ('+' is a space) into out. 0; 1 with *why set on bad input; -1 on memory. */
static int pct_decode(const char *s, size_t n, buf *out, const char **why)
{
    buf_reset(out);
    if (buf_reserve(out, n + 1) < 0) return -1;
    out->data[0] = '\0';                      /* reserve leaves fresh memory unterminated */
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) { *why = "bad percent-encoding (expected % and two hex digits)"; return 1; }
            c = hi * 16 + lo;
            if (c == 0) { *why = "a NUL byte (%00) is not allowed"; return 1; }
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (buf_putc(out, (char)c) < 0) return -1;
    }
    return 0;
}

/* ---- request parsing (exported for the fuzzer) --------------------------------------------- */

/* Adds NAME=VALUE to params: a string, or an array of strings once the name repeats. */
static int query_add(cJSON *params, const char *name, const char *value)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(params, name);
    cJSON *v = cJSON_CreateString(value);
    if (!v) return -1;
    if (!old) { cJSON_AddItemToObject(params, name, v); return 0; }
    if (cJSON_IsString(old)) {
        cJSON *a = cJSON_CreateArray(), *first = cJSON_CreateString(old->valuestring);
        if (!a || !first) { cJSON_Delete(a); cJSON_Delete(first); cJSON_Delete(v); return -1; }
        cJSON_AddItemToArray(a, first);
        cJSON_ReplaceItemInObjectCaseSensitive(params, name, a);
        old = a;
    }
    cJSON_AddItemToArray(old, v);
    return 0;
}

int serve_parse_query(const char *q, size_t len, cJSON *params, char **version, cJSON *errors)
{
    buf name = BUF_INIT, val = BUF_INIT;
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; ) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        for (eq = i; eq < j && q[eq] != '='; eq++) {}
        const char *why = NULL;
        char shown[72];
        printable(q + i, eq - i, shown);
        int bad = j == i ? 0 : pct_decode(q + i, eq - i, &name, &why);
        if (j == i) {
            /* an empty item ("a=1&&b=2"): ignored */
        } else if (bad < 0) {
            rc = -1;
        } else if (bad) {
            rc = add_error(errors, shown, "the name: %s", why);
        } else if (name.len == 0) {
            rc = add_error(errors, "", "a query item without a name");
        } else if (++count > SERVE_MAX_QUERY_ITEMS) {
            rc = add_error(errors, "", "more than %d query items", SERVE_MAX_QUERY_ITEMS);
            break;
        } else {
            int nonprint = 0;
            for (size_t k = 0; k < name.len; k++) nonprint |= name.data[k] <= 0x20 || name.data[k] >= 0x7f;
            printable(name.data, name.len, shown);
            bad = eq < j ? pct_decode(q + eq + 1, j - eq - 1, &val, &why) : (buf_reset(&val), buf_puts(&val, ""));
            if (bad < 0) rc = -1;
            else if (nonprint) rc = add_error(errors, shown, "a parameter name is printable ASCII");
            else if (bad) rc = add_error(errors, name.data, "%s", why);
            else if (!strcmp(name.data, "version")) {
                if (*version) rc = add_error(errors, "version", "given more than once");
                else if (!(*version = strdup(val.data ? val.data : ""))) rc = -1;
            } else {
                rc = query_add(params, name.data, val.data ? val.data : "");
            }
        }
        i = j + 1;
    }
    buf_free(&name);
    buf_free(&val);
    return rc;
}

int serve_parse_body(const char *body, size_t len, char **platform, char **version, cJSON **params,
                     cJSON *errors)
{
    *platform = *version = NULL;
    *params = NULL;
    const char *end = NULL;
    long nul = value_json_nul_escape(body, len);
    cJSON *v = nul >= 0 ? NULL : cJSON_ParseWithLengthOpts(body, len, &end, 0);
    while (v && end < body + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
    if (v && end < body + len) {                           /* a value, then something else */
        cJSON_Delete(v);
        v = NULL;
    }
    if (!v) {
        size_t off = nul >= 0 ? (size_t)nul : end ? (size_t)(end - body) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) { if (body[i] == '\n') { line++; col = 1; } else col++; }
        return add_error(errors, "body", "%d:%d: %s", line, col,
                         nul >= 0 ? "\\u0000 in a string: NUL cannot be passed to templates" : "invalid JSON");
    }
    int rc = 0;
    if (!cJSON_IsObject(v)) {
        rc = add_error(errors, "body", "expected a JSON object {\"platform\", \"version\", \"parameters\"}");
        cJSON_Delete(v);
        return rc;
    }
    const cJSON *f;
    int has_platform = 0;
    cJSON_ArrayForEach(f, v) {
        const char *k = f->string ? f->string : "";
        char shown[72];
        if (rc) break;
        if (!strcmp(k, "platform")) {
            has_platform = 1;
            if (!cJSON_IsString(f) || !f->valuestring[0]) rc = add_error(errors, "platform", "expected a platform id (a non-empty string)");
            else if (*platform) rc = add_error(errors, "platform", "given more than once");
            else if (!(*platform = strdup(f->valuestring))) rc = -1;
        } else if (!strcmp(k, "version")) {
            if (!cJSON_IsString(f)) rc = add_error(errors, "version", "expected a version \"MAJOR.MINOR.PATCH\" or \"latest\"");
            else if (*version) rc = add_error(errors, "version", "given more than once");
            else if (!(*version = strdup(f->valuestring))) rc = -1;
        } else if (!strcmp(k, "parameters")) {
            if (!cJSON_IsObject(f)) rc = add_error(errors, "parameters", "expected an object of parameter values");
            else if (*params) rc = add_error(errors, "parameters", "given more than once");
            else if (!(*params = cJSON_Duplicate(f, 1))) rc = -1;
        } else {
            printable(k, strlen(k), shown);
            rc = add_error(errors, shown, "unknown field (expected platform, version, parameters)");
        }
    }
    if (!rc && !has_platform) rc = add_error(errors, "platform", "missing (expected a platform id)");
    if (!rc && !*params && !(*params = cJSON_CreateObject())) rc = -1;
    cJSON_Delete(v);
    return rc;
}

/* Skips optional whitespace. */
static const char *ows(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

int serve_etag_match(const char *inm, const char *hex)
{
    const char *p = ows(inm);
    if (*p == '*') return *ows(p + 1) == '\0';
    size_t hl = strlen(hex);
    while (*p) {
        if (!strncmp(p, "W/", 2)) p += 2;
        if (*p != '"') return 0;
        const char *q = strchr(p + 1, '"');
        if (!q) return 0;
        if ((size_t)(q - p - 1) == hl && !memcmp(p + 1, hex, hl)) return 1;
        p = ows(q + 1);
        if (*p == ',') p = ows(p + 1);
        else if (*p) return 0;
    }
    return 0;
}

/* The q value of one media range's parameters ("; q=0.5"), 1 when absent, -1 when malformed. */
static double media_q(const char *p, const char *end)
{
    double q = 1;
    while (p < end) {
        p = ows(p);
        if (p >= end) break;
        if (*p != ';') return -1;
        p = ows(p + 1);
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char num[16];
            size_t n = 0;
            for (p += 2; p < end && n < sizeof num - 1 && ((*p >= '0' && *p <= '9') || *p == '.'); p++) num[n++] = *p;
            num[n] = '\0';
            char *e;
            q = strtod(num, &e);
            if (!n || *e || q < 0 || q > 1) return -1;
        } else {
            while (p < end && *p != ';') p++;
        }
    }
    return q;
}

int serve_wants_markdown(const char *accept)
{
    double md = -1, js = -1;
    for (const char *p = accept; *p; ) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *t = ows(p);
        size_t tl = 0;
        while (t + tl < e && t[tl] != ';' && t[tl] != ' ' && t[tl] != '\t') tl++;
        double q = media_q(t + tl, e);
        int is_md = tl == 13 && !strncasecmp(t, "text/markdown", 13);
        int is_js = tl == 16 && !strncasecmp(t, "application/json", 16);
        int any = (tl == 3 && !strncmp(t, "*/*", 3)) || (tl == 13 && !strncasecmp(t, "application/*", 13));
        if (is_md && q > md) md = q;
        if ((is_js || any) && q > js) js = q;
        p = *e ? e + 1 : e;
    }
    return md > 0 && md > js;
}

int serve_bearer(const char *h, const char **token, size_t *len)
{
    const char *p = ows(h);
    if (strncasecmp(p, "Bearer", 6) || (p[6] != ' ' && p[6] != '\t')) return -1;
    p = ows(p + 6);
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != '\t') n++;
    if (!n || *ows(p + n)) return -1;
    *token = p;
    *len = n;
    return 0;
}

int serve_redact_query(const char *q, size_t len, const char *const *secrets, size_t nsecrets, buf *out)
{
    buf name = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; ) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        for (eq = i; eq < j && q[eq] != '='; eq++) {}
        const char *why;
        int secret = 0;
        if (pct_decode(q + i, eq - i, &name, &why) == 0 && name.data) {
            secret = !strcmp(name.data, "token");
            for (size_t k = 0; k < nsecrets && !secret; k++) secret = !strcmp(name.data, secrets[k]);
        }
        size_t stop = secret && eq < j ? eq + 1 : j;
        for (size_t k = i; k < stop && rc == 0; k++) {
            unsigned char c = (unsigned char)q[k];
            rc = c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ? buf_printf(out, "%%%02X", c) : buf_putc(out, (char)c);
        }
        if (rc == 0 && secret && eq < j) rc = buf_puts(out, "REDACTED");
        if (rc == 0 && j < len) rc = buf_putc(out, '&');
        i = j + 1;
    }
    buf_free(&name);
    return rc;
}

/* ---- loading the catalog ------------------------------------------------------------------- */

static int doc_text(doc *d, char *text)
{
    d->data = text;
    if (!d->data) return -1;
    d->len = strlen(d->data);
    return pack_sha256(d->data, d->len, d->sha256);
}

static int doc_set(doc *d, cJSON *v)
{
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    return doc_text(d, text);
}

/* A platform's public description: the current manifest's, plus every downloadable version
 * (newest first, with its date and minimum node version when the changelog gives them). */
static cJSON *platform_json(const plat *p)
{
    cJSON *o = manifest_json(p->v[0].m);
    cJSON *versions = o ? cJSON_AddArrayToObject(o, "versions") : NULL;
    if (!versions) { cJSON_Delete(o); return NULL; }
    for (size_t i = 0; i < p->nv; i++) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "version", p->v[i].version);
        if (p->v[i].date[0]) cJSON_AddStringToObject(v, "date", p->v[i].date);
        if (p->v[i].node[0]) cJSON_AddStringToObject(v, "min_node_version", p->v[i].node);
        cJSON_AddItemToArray(versions, v);
    }
    cJSON_AddStringToObject(o, "latest", p->v[0].version);
    return o;
}

static void catalog_free(catalog *c)
{
    for (size_t i = 0; c->p && i < c->n; i++) {
        for (size_t k = 0; k < c->p[i].nv; k++) bundle_source_free(&c->p[i].v[k]);
        free(c->p[i].v);
        changelog_free(c->p[i].log);
        free(c->p[i].json.data);
        free(c->p[i].log_json.data);
        free(c->p[i].log_md.data);
    }
    free(c->p);
    free(c->list.data);
    free(c->openapi.data);
    free(c->secrets);
    free(c);
}

static void catalog_release(catalog *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) catalog_free(c);
}

static int add_token(catalog *c, const char *t, size_t n, const char *where, char *err, size_t errsz)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f) {
            snprintf(err, errsz, "%s: a token is printable ASCII without spaces", where);
            return -1;
        }
    }
    if (n < 16) { snprintf(err, errsz, "%s: a token has at least 16 characters", where); return -1; }
    if (c->ntokens == SERVE_MAX_TOKENS) { snprintf(err, errsz, "%s: more than %d tokens", where, SERVE_MAX_TOKENS); return -1; }
    crypto_hash_sha256(c->tokens[c->ntokens++], (const unsigned char *)t, n);
    return 0;
}

/* The token file: one token a line; blank lines and lines starting with # are skipped. */
static int load_tokens(catalog *c, const serve_config *cfg, char *err, size_t errsz)
{
    if (cfg->token_env && add_token(c, cfg->token_env, strlen(cfg->token_env), "BUNDLEGEN_SERVE_TOKEN", err, errsz) < 0)
        return -1;
    if (!cfg->token_file) return 0;
    buf b = BUF_INIT;
    b.limit = 1u << 20;
    if (buf_read_file(&b, cfg->token_file) < 0) {
        snprintf(err, errsz, "--token-file %s: %s", cfg->token_file, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        buf_free(&b);
        return -1;
    }
    int rc = 0;
    size_t before = c->ntokens, line = 0;
    for (char *p = b.data; p && *p && rc == 0; ) {
        char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        line++;
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        while (n && (*p == ' ' || *p == '\t')) { p++; n--; }
        char where[4200];
        snprintf(where, sizeof where, "--token-file %s:%zu", cfg->token_file, line);
        if (n && *p != '#') rc = add_token(c, p, n, where, err, errsz);
        p = e ? e + 1 : p + strlen(p);
    }
    if (rc == 0 && c->ntokens == before) {
        snprintf(err, errsz, "--token-file %s: no token in it", cfg->token_file);
        rc = -1;
    }
    buf_free(&b);
    return rc;
}

/* The platform's changelog as a JSON feed and as Markdown. */
static int changelog_docs(plat *p)
{
    changelog_platform cp = {p->v[0].m->id, p->v[0].m->name, p->log};
    buf js = BUF_INIT, md = BUF_INIT;
    if (changelog_render(&cp, 1, FORMAT_JSON, &js) < 0 || changelog_render(&cp, 1, FORMAT_MD, &md) < 0 ||
        !js.data || !md.data) {
        buf_free(&js);
        buf_free(&md);
        return -1;
    }
    if (doc_text(&p->log_json, buf_detach(&js)) < 0) { buf_free(&md); return -1; }
    return doc_text(&p->log_md, buf_detach(&md));
}

/* Every version of platform id: the current one from the tree, older ones from their packs. */
static int load_platform(catalog *c, plat *p, const serve_config *cfg, const char *id, char *err, size_t errsz)
{
    if (!(p->v = calloc(1, sizeof *p->v))) { snprintf(err, errsz, "out of memory"); return -1; }
    if (bundle_resolve(cfg->root, cfg->packs, id, NULL, &p->v[0], err, errsz) < 0) return -1;
    p->nv = 1;
    if (p->v[0].has_changelog) {
        if (!(p->log = changelog_load(cfg->root, id, err, errsz))) return -1;
        bundle_source *v = realloc(p->v, p->log->n * sizeof *v);
        if (!v) { snprintf(err, errsz, "out of memory"); return -1; }
        p->v = v;
        for (; p->nv < p->log->n; p->nv++) {
            memset(&p->v[p->nv], 0, sizeof *v);
            if (bundle_resolve(cfg->root, cfg->packs, id, p->log->entries[p->nv].version, &p->v[p->nv], err, errsz) < 0)
                return -1;
        }
        if (changelog_docs(p) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    }
    if (doc_set(&p->json, platform_json(p)) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    const manifest *m = p->v[0].m;
    for (size_t i = 0; i < m->nparams; i++) {
        if (!m->params[i].secret) continue;
        const char **s = realloc(c->secrets, (c->nsecrets + 1) * sizeof *s);
        if (!s) { snprintf(err, errsz, "out of memory"); return -1; }
        c->secrets = s;
        c->secrets[c->nsecrets++] = m->params[i].name;
    }
    return 0;
}

/* openapi.json beside the data, when there is one; it must parse. */
static int load_openapi(catalog *c, const char *root, char *err, size_t errsz)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/openapi.json", root);
    buf b = BUF_INIT;
    b.limit = 4u << 20;
    if (buf_read_file(&b, path) < 0) {
        int e = errno;
        buf_free(&b);
        if (e == ENOENT) return 0;
        snprintf(err, errsz, "%s: %s", path, e == EFBIG ? "larger than 4 MiB" : strerror(e));
        return -1;
    }
    cJSON *v = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
    buf_free(&b);
    if (!v) { snprintf(err, errsz, "%s: invalid JSON", path); return -1; }
    if (doc_set(&c->openapi, v) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    return 0;
}

static catalog *catalog_load(const serve_config *cfg, unsigned long gen, char *err, size_t errsz)
{
    catalog *c = calloc(1, sizeof *c);
    char **ids = NULL;
    size_t n = 0;
    if (!c) { snprintf(err, errsz, "out of memory"); return NULL; }
    atomic_init(&c->refs, 1);
    c->gen = gen;
    int rc = load_tokens(c, cfg, err, errsz);
    if (rc == 0) rc = manifest_list(cfg->root, &ids, &n, err, errsz);
    if (rc == 0 && n == 0) { snprintf(err, errsz, "%s/platforms: no platform manifests", cfg->root); rc = -1; }
    if (rc == 0 && !(c->p = calloc(n, sizeof *c->p))) { snprintf(err, errsz, "out of memory"); rc = -1; }
    for (size_t i = 0; rc == 0 && i < n; i++, c->n++) rc = load_platform(c, &c->p[i], cfg, ids[i], err, errsz);
    cJSON *list = cJSON_CreateObject(), *arr = list ? cJSON_AddArrayToObject(list, "platforms") : NULL;
    for (size_t i = 0; rc == 0 && arr && i < c->n; i++) cJSON_AddItemToArray(arr, platform_json(&c->p[i]));
    if (rc == 0 && (!arr || doc_set(&c->list, list) < 0)) { snprintf(err, errsz, "out of memory"); rc = -1; list = NULL; }
    if (rc != 0 || !arr) cJSON_Delete(list);
    if (rc == 0) rc = load_openapi(c, cfg->root, err, errsz);
    manifest_list_free(ids, n);
    if (rc != 0) { catalog_free(c); return NULL; }
    return c;
}

static catalog *catalog_acquire(serve *s)
{
    pthread_mutex_lock(&s->lock);
    catalog *c = s->cat;
    if (c) atomic_fetch_add(&c->refs, 1);
    pthread_mutex_unlock(&s->lock);
    return c;
}

static const plat *catalog_find(const catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->p[i].v[0].m->id, id)) return &c->p[i];
    return NULL;
}

/* The version to render: absent or "latest" is the current one; NULL when p has no such version. */
static const bundle_source *find_version(const plat *p, const char *want)
{
    if (!want || !*want || !strcmp(want, "latest")) return &p->v[0];
    for (size_t i = 0; i < p->nv; i++)
        if (!strcmp(p->v[i].version, want)) return &p->v[i];
    return NULL;
}

/* ---- answering ------------------------------------------------------------------------------ */

static void count(serve *s, int route, unsigned status)
{
    size_t k = 0;
    while (k < NSTATUS && statuses[k] != status) k++;
    atomic_fetch_add(&s->m.requests[route][k], 1);
}

/* Queues resp (destroyed here) with status; the single exit of every answer. */
static enum MHD_Result send_resp(serve *s, struct MHD_Connection *c, req *r, unsigned status,
                                 struct MHD_Response *resp, size_t bytes)
{
    if (!resp) return MHD_NO;
    if (atomic_load(&s->draining)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    r->answered = 1;
    r->status = status;
    r->bytes = bytes;
    count(s, r->route, status);
    enum MHD_Result rc = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result send_json(serve *s, struct MHD_Connection *c, req *r, unsigned status, cJSON *v)
{
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    if (!text) return MHD_NO;
    size_t n = strlen(text);
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) { free(text); return MHD_NO; }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (status == 401) MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"bundlegen\"");
    if (status == 405) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->route == R_BUNDLES ? "POST" : "GET, HEAD");
    if (status == 503) MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    return send_resp(s, c, r, status, resp, n);
}

/* {"error": message, "status": status[, "errors": [...]]}; errors is consumed. */
static enum MHD_Result send_error(serve *s, struct MHD_Connection *c, req *r, unsigned status,
                                  cJSON *errors, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static enum MHD_Result send_error(serve *s, struct MHD_Connection *c, req *r, unsigned status,
                                  cJSON *errors, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_clean(msg);
    cJSON *o = cJSON_CreateObject();
    if (!o) { cJSON_Delete(errors); return MHD_NO; }
    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddNumberToObject(o, "status", status);
    if (errors) {
        cJSON *e;
        cJSON_ArrayForEach(e, errors) {
            cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message"), *p = cJSON_GetObjectItemCaseSensitive(e, "parameter");
            if (cJSON_IsString(m)) utf8_clean(m->valuestring);
            if (cJSON_IsString(p)) utf8_clean(p->valuestring);
        }
        cJSON_AddItemToObject(o, "errors", errors);
    }
    return send_json(s, c, r, status, o);
}

static void release_catalog_cb(void *cls) { catalog_release(cls); }
static void release_entry_cb(void *cls) { cache_release(cls); }

static enum MHD_Result send_not_modified(serve *s, struct MHD_Connection *c, req *r, const char *etag)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    return send_resp(s, c, r, MHD_HTTP_NOT_MODIFIED, resp, 0);
}

/* A document of the catalog (kept alive by the response), with its ETag. */
static enum MHD_Result send_doc(serve *s, struct MHD_Connection *c, req *r, catalog *cat, const doc *d,
                                const char *type)
{
    char etag[70];
    snprintf(etag, sizeof etag, "\"%s\"", d->sha256);
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && serve_etag_match(inm, d->sha256)) { catalog_release(cat); return send_not_modified(s, c, r, etag); }
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(d->len, d->data, release_catalog_cb, cat);
    if (!resp) { catalog_release(cat); return MHD_NO; }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    if (r->route == R_CHANGELOG) MHD_add_response_header(resp, "Vary", "Accept");
    return send_resp(s, c, r, MHD_HTTP_OK, resp, d->len);
}

static enum MHD_Result send_bundle(serve *s, struct MHD_Connection *c, req *r, const cache_entry *e)
{
    char etag[70], disp[600];
    snprintf(etag, sizeof etag, "\"%s\"", e->sha256);
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && serve_etag_match(inm, e->sha256)) { cache_release(e); return send_not_modified(s, c, r, etag); }
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(e->len, (void *)e->data,
                                                                                      release_entry_cb, (void *)e);
    if (!resp) { cache_release(e); return MHD_NO; }
    snprintf(disp, sizeof disp, "attachment; filename=\"%s\"", e->name);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, e->type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "private, no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    return send_resp(s, c, r, MHD_HTTP_OK, resp, e->len);
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
 * key and returns it referenced; NULL with err filled. A folder bundle is served as a zip. */
static const cache_entry *render(serve *s, const bundle_source *src, cJSON *params,
                                 const char *key, size_t keylen, char *err, size_t errsz)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    cJSON *ctx = bundle_context(src->m, src->version, params);
    if (!ctx) { snprintf(err, errsz, "out of memory"); return NULL; }
    bundle b;
    int rc = bundle_make(src->m, src->set, ctx, src->version, src->mtime, &b, err, errsz);
    cJSON_Delete(ctx);
    if (rc < 0) return NULL;
    char name[600], sha[65];
    const char *type = b.kind == PACK_TGZ ? "application/gzip" : "application/zip";
    buf zip = BUF_INIT;
    if (b.kind == PACK_DIR) {
        snprintf(name, sizeof name, "%s.zip", b.file_name);
        if (pack_build(PACK_ZIP, b.files, b.nfiles, src->mtime, &zip, err, errsz) < 0 ||
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
    const cache_entry *e = data ? cache_put(s->cache, key, keylen, data, len, name, type, sha) : NULL;
    if (!e) snprintf(err, errsz, "out of memory");
    return e;
}

/* The 404 for an unknown platform, listing the known ones. */
static enum MHD_Result unknown_platform(serve *s, struct MHD_Connection *c, req *r, const catalog *cat, const char *id)
{
    buf known = BUF_INIT;
    for (size_t i = 0; i < cat->n; i++) buf_printf(&known, "%s%s", i ? ", " : "", cat->p[i].v[0].m->id);
    char shown[72];
    printable(id, strlen(id), shown);
    enum MHD_Result rc = send_error(s, c, r, 404, NULL, "unknown platform \"%s\" (known: %s)", shown,
                                    known.data ? known.data : "");
    buf_free(&known);
    return rc;
}

/* The cache key: generation, platform, version and the canonical (validated, defaulted) parameters. */
static int cache_key(buf *key, unsigned long gen, const bundle_source *src, const cJSON *params)
{
    char *canon = cJSON_PrintUnformatted(params);
    const char *id = src->m->id;
    int rc = !canon || buf_printf(key, "%lu", gen) < 0 || buf_add(key, "", 1) < 0 ||
             buf_add(key, id, strlen(id) + 1) < 0 || buf_add(key, src->version, strlen(src->version) + 1) < 0 ||
             buf_puts(key, canon) < 0 ? -1 : 0;
    cJSON_free(canon);
    return rc;
}

/* Resolves the version, validates raw (consumed) with errors found so far (consumed), then answers
 * the bundle from the cache or renders it. Releases cat. */
static enum MHD_Result bundle_answer(serve *s, struct MHD_Connection *c, req *r, catalog *cat, const char *id,
                                     const char *want, cJSON *raw, cJSON *errors)
{
    const plat *p = catalog_find(cat, id);
    const bundle_source *src = p ? find_version(p, want) : NULL;
    enum MHD_Result rc;
    if (!src) {
        cJSON_Delete(raw);
        if (p && cJSON_GetArraySize(errors) > 0) {          /* the request's own errors first */
            catalog_release(cat);
            return send_error(s, c, r, 400, errors, "invalid request for %s", id);
        }
        cJSON_Delete(errors);
        if (!p) rc = unknown_platform(s, c, r, cat, id);
        else {
            char shown[72];
            buf known = BUF_INIT;
            printable(want, strlen(want), shown);
            for (size_t i = 0; i < p->nv; i++) buf_printf(&known, "%s%s", i ? ", " : "", p->v[i].version);
            rc = send_error(s, c, r, 404, NULL, "unknown version \"%s\" of %s (known: %s)", shown, id,
                            known.data ? known.data : "");
            buf_free(&known);
        }
        catalog_release(cat);
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
    if (cJSON_GetArraySize(errors) > 0 || !params) {
        cJSON_Delete(params);
        catalog_release(cat);
        if (cJSON_GetArraySize(errors) == 0) { cJSON_Delete(errors); return send_error(s, c, r, 500, NULL, "out of memory"); }
        return send_error(s, c, r, 400, errors, "invalid parameters for %s %s", id, src->version);
    }
    cJSON_Delete(errors);
    buf key = BUF_INIT;
    if (cache_key(&key, cat->gen, src, params) < 0) {
        cJSON_Delete(params);
        buf_free(&key);
        catalog_release(cat);
        return send_error(s, c, r, 500, NULL, "out of memory");
    }
    const cache_entry *e = cache_get(s->cache, key.data, key.len);
    char err[4096] = "";
    r->cache_result = e ? "hit" : "miss";
    if (e) cJSON_Delete(params);
    else e = render(s, src, params, key.data, key.len, err, sizeof err);
    buf_free(&key);
    catalog_release(cat);
    if (!e) return send_error(s, c, r, 500, NULL, "rendering %s failed: %s", id, err);
    return send_bundle(s, c, r, e);
}

static enum MHD_Result get_bundle(serve *s, struct MHD_Connection *c, req *r, catalog *cat)
{
    const char *q = strchr(r->uri, '?');
    cJSON *raw = cJSON_CreateObject(), *errors = cJSON_CreateArray();
    char *version = NULL;
    if (!raw || !errors || (q && serve_parse_query(q + 1, strlen(q + 1), raw, &version, errors) < 0)) {
        cJSON_Delete(raw);
        cJSON_Delete(errors);
        free(version);
        catalog_release(cat);
        return send_error(s, c, r, 500, NULL, "out of memory");
    }
    enum MHD_Result rc = bundle_answer(s, c, r, cat, r->id, version, raw, errors);
    free(version);
    return rc;
}

static int is_json_type(const char *ct)
{
    if (!ct) return 0;
    ct = ows(ct);
    if (strncasecmp(ct, "application/json", 16)) return 0;
    const char *p = ows(ct + 16);
    return *p == '\0' || *p == ';';
}

static enum MHD_Result post_bundle(serve *s, struct MHD_Connection *c, req *r, catalog *cat)
{
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!is_json_type(ct)) {
        catalog_release(cat);
        return send_error(s, c, r, 415, NULL, "the body must be JSON (Content-Type: application/json), not %s",
                          ct ? "that" : "untyped");
    }
    cJSON *errors = cJSON_CreateArray(), *raw = NULL;
    char *platform = NULL, *version = NULL;
    int rc = errors ? serve_parse_body(r->body.data ? r->body.data : "", r->body.len, &platform, &version, &raw, errors) : -1;
    enum MHD_Result res;
    if (rc < 0) {
        cJSON_Delete(errors);
        cJSON_Delete(raw);
        catalog_release(cat);
        res = send_error(s, c, r, 500, NULL, "out of memory");
    } else if (!platform || cJSON_GetArraySize(errors) > 0) {
        cJSON_Delete(raw);
        catalog_release(cat);
        res = send_error(s, c, r, 400, errors, "invalid request body");
    } else {
        res = bundle_answer(s, c, r, cat, platform, version, raw, errors);
    }
    free(platform);
    free(version);
    return res;
}

/* ---- metrics ------------------------------------------------------------------------------- */

static enum MHD_Result get_metrics(serve *s, struct MHD_Connection *c, req *r)
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
            buf_printf(&b, "bundlegen_serve_requests_total{route=\"%s\",status=\"%s\"} %llu\n", route_names[i], st, v);
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
                   "# HELP bundlegen_serve_cache_bytes Bytes the cache holds, and its bound.\n"
                   "# TYPE bundlegen_serve_cache_bytes gauge\nbundlegen_serve_cache_bytes %zu\n"
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
    catalog *cat = catalog_acquire(s);
    buf_printf(&b, "# HELP bundlegen_serve_inflight_requests Requests being received or answered (health and metrics not counted).\n"
                   "# TYPE bundlegen_serve_inflight_requests gauge\nbundlegen_serve_inflight_requests %ld\n"
                   "# HELP bundlegen_serve_reloads_total Reloads on SIGHUP, by result.\n"
                   "# TYPE bundlegen_serve_reloads_total counter\n"
                   "bundlegen_serve_reloads_total{result=\"ok\"} %llu\nbundlegen_serve_reloads_total{result=\"failed\"} %llu\n"
                   "# HELP bundlegen_serve_platforms Platforms loaded.\n"
                   "# TYPE bundlegen_serve_platforms gauge\nbundlegen_serve_platforms %zu\n",
               atomic_load(&m->inflight), atomic_load(&m->reload_ok), atomic_load(&m->reload_failed), cat ? cat->n : 0);
    catalog_release(cat);
    if (!b.data || b.full) { buf_free(&b); return send_error(s, c, r, 500, NULL, "out of memory"); }
    size_t n = b.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(n, buf_detach(&b), MHD_RESPMEM_MUST_FREE);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return send_resp(s, c, r, 200, resp, n);
}

/* ---- dispatch ------------------------------------------------------------------------------- */

/* The route of a raw path; {id} goes to id. */
static int classify(const char *path, size_t n, char id[65])
{
    static const struct { const char *p; int r; } fixed[] = {
        {"/v1/platforms", R_PLATFORMS}, {"/v1/bundles", R_BUNDLES}, {"/openapi.json", R_OPENAPI},
        {"/live", R_LIVE}, {"/ready", R_READY}, {"/metrics", R_METRICS}};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strlen(fixed[i].p) == n && !memcmp(path, fixed[i].p, n)) return fixed[i].r;
    const char *pre[] = {"/v1/platforms/", "/v1/bundles/"};
    for (int k = 0; k < 2; k++) {
        size_t l = strlen(pre[k]);
        if (n <= l || memcmp(path, pre[k], l)) continue;
        const char *seg = path + l, *end = path + n;
        const char *slash = memchr(seg, '/', (size_t)(end - seg));
        size_t sl = slash ? (size_t)(slash - seg) : (size_t)(end - seg);
        if (!sl || sl > 64) return R_NONE;
        for (size_t i = 0; i < sl; i++) {
            char ch = seg[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '_' || ch == '.')) return R_NONE;
        }
        memcpy(id, seg, sl);
        id[sl] = '\0';
        if (!slash) return k == 0 ? R_PLATFORM : R_BUNDLE;
        if (k == 0 && (size_t)(end - slash) == 10 && !memcmp(slash, "/changelog", 10)) return R_CHANGELOG;
        return R_NONE;
    }
    return R_NONE;
}

/* 1 when the request carries one of the accepted bearer tokens (constant time over all of them). */
static int authorized(const catalog *cat, struct MHD_Connection *c)
{
    if (!cat->ntokens) return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), *t;
    size_t n;
    if (!h || serve_bearer(h, &t, &n) < 0) return 0;
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)t, n);
    int ok = 0;
    for (size_t i = 0; i < cat->ntokens; i++) ok |= sodium_memcmp(d, cat->tokens[i], sizeof d) == 0;
    return ok;
}

static enum MHD_Result dispatch(serve *s, struct MHD_Connection *c, req *r, const char *method)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
    if (r->route == R_NONE) return send_error(s, c, r, 404, NULL, "no such route (see /openapi.json)");
    if (r->route == R_BUNDLES ? !post : !get)
        return send_error(s, c, r, 405, NULL, "method %s is not allowed here (allowed: %s)",
                          strlen(method) < 16 ? method : "?", r->route == R_BUNDLES ? "POST" : "GET, HEAD");
    if (r->route == R_LIVE) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "status", "live");
        return send_json(s, c, r, 200, o);
    }
    if (r->route == R_METRICS) return get_metrics(s, c, r);
    catalog *cat = catalog_acquire(s);
    if (r->route == R_READY) {
        int ready = cat && !atomic_load(&s->draining);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "status", ready ? "ready" : "draining");
        cJSON_AddNumberToObject(o, "platforms", cat ? (double)cat->n : 0);
        catalog_release(cat);
        return send_json(s, c, r, ready ? 200 : 503, o);
    }
    if (!cat) return send_error(s, c, r, 503, NULL, "not ready");
    if (r->route == R_OPENAPI) {
        if (cat->openapi.data) return send_doc(s, c, r, cat, &cat->openapi, "application/json");
        catalog_release(cat);
        return send_error(s, c, r, 404, NULL, "no openapi.json in the data folder");
    }
    if (!authorized(cat, c)) {
        catalog_release(cat);
        return send_error(s, c, r, 401, NULL, "a valid Authorization: Bearer token is required");
    }
    if (r->route == R_PLATFORMS) return send_doc(s, c, r, cat, &cat->list, "application/json");
    if (r->route == R_BUNDLE) return get_bundle(s, c, r, cat);
    if (r->route == R_BUNDLES) return post_bundle(s, c, r, cat);
    const plat *p = catalog_find(cat, r->id);
    if (!p) {
        enum MHD_Result rc = unknown_platform(s, c, r, cat, r->id);
        catalog_release(cat);
        return rc;
    }
    if (r->route == R_PLATFORM) return send_doc(s, c, r, cat, &p->json, "application/json");
    if (!p->log) {                                          /* R_CHANGELOG */
        catalog_release(cat);
        return send_error(s, c, r, 404, NULL, "%s has no changelog", r->id);
    }
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    if (accept && serve_wants_markdown(accept)) return send_doc(s, c, r, cat, &p->log_md, "text/markdown; charset=utf-8");
    return send_doc(s, c, r, cat, &p->log_json, "application/json");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *data, size_t *size, void **req_cls)
{
    (void)url; (void)version;
    serve *s = cls;
    req *r = *req_cls;
    if (!r) return MHD_NO;                                 /* the URI callback ran out of memory */
    if (!r->headers_done) {                                /* headers only: never answer 200 here */
        r->headers_done = 1;
        snprintf(r->method, sizeof r->method, "%s", method);
        int health = r->route == R_LIVE || r->route == R_READY || r->route == R_METRICS;
        if (health) return MHD_YES;                         /* never counted, never refused */
        r->counted = 1;
        long n = atomic_fetch_add(&s->m.inflight, 1) + 1;
        if (n > (long)s->cfg.max_inflight)
            return send_error(s, c, r, 503, NULL, "overloaded: %u requests in flight, try again", s->cfg.max_inflight);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (r->route == R_BUNDLES && cl && strtoull(cl, NULL, 10) > s->cfg.max_body)
            return send_error(s, c, r, 413, NULL, "the body is larger than %zu bytes", s->cfg.max_body);
        return MHD_YES;
    }
    if (*size) {
        size_t n = *size;
        *size = 0;
        if (r->answered || r->route != R_BUNDLES) return MHD_YES;     /* other routes take no body */
        r->seen += n;
        if (r->seen > s->cfg.max_body * 4 + 65536) return MHD_NO;      /* a stream without end: hang up */
        if (seconds_since(&r->started) > (double)s->cfg.timeout_s) return MHD_NO;   /* a body trickling in */
        if (r->seen > s->cfg.max_body) return MHD_YES;                  /* 413 once it ends */
        return buf_append(&r->body, data, n) < 0 ? MHD_NO : MHD_YES;
    }
    if (r->answered) return MHD_YES;
    if (r->seen > s->cfg.max_body) return send_error(s, c, r, 413, NULL, "the body is larger than %zu bytes", s->cfg.max_body);
    return dispatch(s, c, r, method);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls; (void)c;
    req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    clock_gettime(CLOCK_MONOTONIC, &r->started);
    if (!(r->uri = strdup(uri))) { free(r); return NULL; }
    const char *q = strchr(uri, '?');
    r->path_len = q ? (size_t)(q - uri) : strlen(uri);
    r->route = classify(uri, r->path_len, r->id);
    return r;
}

/* One access-log line: time, client, request (secrets redacted), status, bytes, ms, cache. */
static void log_request(serve *s, struct MHD_Connection *c, req *r, enum MHD_RequestTerminationCode toe)
{
    char when[40], client[INET6_ADDRSTRLEN] = "-";
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t w = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + w, sizeof when - w, ".%03ldZ", now.tv_nsec / 1000000);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, client, sizeof client);
        else if (sa->sa_family == AF_INET6) inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, client, sizeof client);
    }
    buf line = BUF_INIT;
    buf_printf(&line, "%s %s \"%s ", when, client, r->method[0] ? r->method : "-");
    serve_redact_query(r->uri, r->path_len, NULL, 0, &line);       /* the path: escaped, nothing secret */
    const char *q = strchr(r->uri, '?');
    if (q) {
        catalog *cat = catalog_acquire(s);
        buf_putc(&line, '?');
        serve_redact_query(q + 1, strlen(q + 1), cat ? cat->secrets : NULL, cat ? cat->nsecrets : 0, &line);
        catalog_release(cat);
    }
    const char *end = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
                      toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " timeout" :
                      toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ? " client-abort" :
                      toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " shutdown" : " error";
    char status[16] = "-";
    if (r->status) snprintf(status, sizeof status, "%u", r->status);
    buf_printf(&line, "\" %s %zu %.3fms %s%s\n", status, r->bytes, seconds_since(&r->started) * 1e3,
               r->cache_result ? r->cache_result : "-", end);
    if (line.data && !line.full) fputs(line.data, s->cfg.access_log);
    buf_free(&line);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
    serve *s = cls;
    req *r = *req_cls;
    if (!r) return;
    if (s->cfg.access_log) log_request(s, c, r, toe);
    if (r->counted) atomic_fetch_sub(&s->m.inflight, 1);
    buf_free(&r->body);
    free(r->uri);
    free(r);
    *req_cls = NULL;
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
    if (sodium_init() < 0) { snprintf(err, errsz, "libsodium failed to start"); return NULL; }
    serve *s = calloc(1, sizeof *s);
    if (!s || pthread_mutex_init(&s->lock, NULL) != 0) { free(s); snprintf(err, errsz, "out of memory"); return NULL; }
    s->cfg = *cfg;
    if (!s->cfg.threads) s->cfg.threads = 1;
    if (!(s->cache = cache_new(cfg->cache_bytes)) || !(s->cat = catalog_load(cfg, ++s->gen, err, errsz))) {
        if (!s->cache) snprintf(err, errsz, "out of memory");
        cache_free(s->cache);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    errno = 0;
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections ? cfg->max_connections : 1u,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SERVE_HEADER_POOL,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errsz, "--listen %s: cannot listen (%s)", cfg->listen, errno ? strerror(errno) : "the address is taken or invalid");
        catalog_release(s->cat);
        cache_free(s->cache);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    return s;
}

unsigned serve_port(const serve *s)
{
    return s->port;
}

size_t serve_platform_count(serve *s)
{
    catalog *c = catalog_acquire(s);
    size_t n = c ? c->n : 0;
    catalog_release(c);
    return n;
}

int serve_reload(serve *s, char *err, size_t errsz)
{
    pthread_mutex_lock(&s->lock);
    unsigned long gen = ++s->gen;
    pthread_mutex_unlock(&s->lock);
    catalog *c = catalog_load(&s->cfg, gen, err, errsz);
    if (!c) { atomic_fetch_add(&s->m.reload_failed, 1); return -1; }
    pthread_mutex_lock(&s->lock);
    catalog *old = s->cat;
    s->cat = c;
    pthread_mutex_unlock(&s->lock);
    catalog_release(old);
    cache_clear(s->cache);                 /* keys carry the generation, so nothing stale is hit anyway */
    atomic_fetch_add(&s->m.reload_ok, 1);
    return 0;
}

void serve_stop(serve *s, unsigned timeout_ms)
{
    if (!s) return;
    atomic_store(&s->draining, 1);
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    struct timespec step = {0, 10 * 1000 * 1000};
    for (unsigned waited = 0; atomic_load(&s->m.inflight) > 0 && waited < timeout_ms; waited += 10)
        nanosleep(&step, NULL);
    MHD_stop_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    catalog_release(s->cat);
    cache_free(s->cache);
    pthread_mutex_destroy(&s->lock);
    free(s);
}
