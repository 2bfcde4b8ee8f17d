/* config.c -- load and validate edgenode's YAML config (see config.h).
 * libyaml builds the node tree; every key is checked and every error kept with its position. */
#include "config.h"
#include "detect.h"
#include "glob.h"
#include "store.h"
#include "units.h"
#include "oversize.h"
#include "yamldoc.h"
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

typedef struct loader {
    yamldoc y;                  /* the document, and the file name errors give */
    const char *base;           /* directory for relative paths, or NULL */
    config_errors *errs;
    config *c;
    int failed;
} loader;

typedef yaml_node_t ynode;

/* ---- errors ---------------------------------------------------------------------------- */

void config_errors_add(config_errors *e, const char *msg)
{
    char *s = strdup(msg);
    char **v = s ? realloc(e->v, (e->n + 1) * sizeof *v) : NULL;
    if (!v) { free(s); return; }
    v[e->n++] = s;
    e->v = v;
}

static void err_at(loader *L, const ynode *n, const char *key, const char *fmt, ...)
{
    char reason[400], line[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    int k = yamldoc_where(&L->y, n, line, sizeof line);
    if (k < 0 || (size_t)k >= sizeof line) k = 0;
    snprintf(line + k, sizeof line - (size_t)k, "%s: %s", key, reason);
    config_errors_add(L->errs, line);
    L->failed = 1;
}

void config_errors_free(config_errors *e)
{
    for (size_t i = 0; i < e->n; i++) free(e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = 0;
}

/* ---- scalar helpers ---------------------------------------------------------------------- */

static ynode *node_at(loader *L, yaml_node_item_t i) { return yamldoc_node(&L->y, i); }

static const char *scalar(loader *L, ynode *n, const char *key)
{
    if (!n || n->type != YAML_SCALAR_NODE) { err_at(L, n, key, "expected a single value"); return NULL; }
    return (const char *)n->data.scalar.value;
}

static int get_str(loader *L, ynode *n, const char *key, char **out)
{
    const char *s = scalar(L, n, key);
    if (!s) return -1;
    if (!*s) { err_at(L, n, key, "must not be empty"); return -1; }
    free(*out);
    *out = strdup(s);
    return *out ? 0 : -1;
}

static int get_long(loader *L, ynode *n, const char *key, long min, long max, long *out)
{
    const char *s = scalar(L, n, key);
    if (!s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno) { err_at(L, n, key, "expected an integer, got \"%s\"", s); return -1; }
    if (v < min || v > max) { err_at(L, n, key, "%ld is outside %ld..%ld", v, min, max); return -1; }
    *out = v;
    return 0;
}

/* A size in the syntax of units.h ("16384", "16k", "1m", "1g"), from min to max bytes. */
static int get_size(loader *L, ynode *n, const char *key, size_t min, size_t max, size_t *out)
{
    const char *s = scalar(L, n, key);
    long long v;
    if (!s) return -1;
    int rc = units_size(s, LLONG_MAX, &v);
    if (rc) { err_at(L, n, key, "%s, got \"%s\"", units_why(rc, 0), s); return -1; }
    if ((unsigned long long)v < min || (unsigned long long)v > max) {
        err_at(L, n, key, "%lld bytes is outside %zu..%zu", v, min, max);
        return -1;
    }
    *out = (size_t)v;
    return 0;
}

/* A duration in the syntax of units.h ("250ms", "30s", "2m", "1h"; a bare number is refused). */
static int get_ms(loader *L, ynode *n, const char *key, unsigned long max, unsigned long *out)
{
    const char *s = scalar(L, n, key);
    long long v;
    if (!s) return -1;
    int rc = units_duration(s, LLONG_MAX, &v);
    if (rc) { err_at(L, n, key, "%s, got \"%s\"", units_why(rc, 1), s); return -1; }
    if ((unsigned long long)v > max) { err_at(L, n, key, "longer than %lu ms", max); return -1; }
    *out = (unsigned long)v;
    return 0;
}

/* A sequence of scalars (a single scalar counts as a list of one). */
static int get_strs(loader *L, ynode *n, const char *key, char ***v, size_t *count)
{
    if (n && n->type == YAML_SCALAR_NODE) {
        char *s = NULL;
        if (get_str(L, n, key, &s) < 0) return -1;
        char **a = realloc(*v, (*count + 1) * sizeof *a);
        if (!a) { free(s); return -1; }
        a[(*count)++] = s;
        *v = a;
        return 0;
    }
    if (!n || n->type != YAML_SEQUENCE_NODE) { err_at(L, n, key, "expected a list"); return -1; }
    int rc = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
        if (get_strs(L, node_at(L, *it), key, v, count) < 0) rc = -1;
    return rc;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static int get_cidrs(loader *L, ynode *n, const char *key, cidr_list *out)
{
    if (n && n->type == YAML_SEQUENCE_NODE) {
        int rc = 0;
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
            if (get_cidrs(L, node_at(L, *it), key, out) < 0) rc = -1;
        return rc;
    }
    const char *s = scalar(L, n, key);
    if (!s) return -1;
    cidr c;
    const char *why = cidr_parse(s, &c);
    if (why) { err_at(L, n, key, "bad CIDR \"%s\": %s", s, why); return -1; }
    return cidr_list_add(out, &c);
}

static int get_mode(loader *L, ynode *n, const char *key, int *out)
{
    const char *s = scalar(L, n, key);
    if (!s) return -1;
    int m = config_mode_parse(s);
    if (m < 0) {
        err_at(L, n, key, "unknown mode \"%s\" (off, monitoring, safe_blocking, block)", s);
        return -1;
    }
    *out = m;
    return 0;
}

static int get_oversize(loader *L, ynode *n, const char *key, int *out)
{
    const char *s = scalar(L, n, key);
    if (!s) return -1;
    int p = oversize_policy_parse(s);
    if (p < 0) {
        err_at(L, n, key, "unknown policy \"%s\" (analyse_partial, block)", s);
        return -1;
    }
    *out = p;
    return 0;
}

static char *resolve(loader *L, const char *p)
{
    if (p[0] == '/' || !L->base) return strdup(p);
    size_t n = strlen(L->base) + strlen(p) + 2;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s/%s", L->base, p);
    return s;
}

static int get_path(loader *L, ynode *n, const char *key, char **out)
{
    char *raw = NULL;
    if (get_str(L, n, key, &raw) < 0) return -1;
    free(*out);
    *out = resolve(L, raw);
    free(raw);
    return *out ? 0 : -1;
}

/* "host:port", "[v6]:port", ":port" (every interface), "localhost:port". */
static int get_listen(loader *L, ynode *n, const char *key, char **text, char *ip, int *port)
{
    if (get_str(L, n, key, text) < 0) return -1;
    const char *s = *text, *colon = strrchr(s, ':');
    if (!colon) { err_at(L, n, key, "expected HOST:PORT, got \"%s\"", s); return -1; }
    char host[64];
    size_t hl = (size_t)(colon - s);
    if (hl >= sizeof host) { err_at(L, n, key, "host part too long"); return -1; }
    memcpy(host, s, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    if (!*host) strcpy(host, "0.0.0.0");
    if (strcmp(host, "localhost") == 0) strcpy(host, "127.0.0.1");
    unsigned char a[16];
    if (cidr_addr_parse(host, a) < 0) {
        err_at(L, n, key, "\"%s\" is not an IP address (or localhost)", host);
        return -1;
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 1 || p > 65535) {
        err_at(L, n, key, "port must be 1..65535, got \"%s\"", colon + 1);
        return -1;
    }
    strcpy(ip, host);
    *port = (int)p;
    return 0;
}

/* ---- mappings ---------------------------------------------------------------------------- */

typedef int (*key_fn)(loader *L, ynode *v, const char *key, void *target);
typedef struct key_def { const char *name; key_fn fn; } key_def;

/* Calls the handler of every key in map n; unknown and duplicate keys are errors. */
static void each_key(loader *L, ynode *n, const char *ctx, const key_def *defs, void *target)
{
    if (!n || n->type != YAML_MAPPING_NODE) { err_at(L, n, ctx, "expected a mapping"); return; }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        ynode *k = node_at(L, p->key), *v = node_at(L, p->value);
        if (!k || k->type != YAML_SCALAR_NODE) { err_at(L, k, ctx, "keys must be plain names"); continue; }
        const char *name = (const char *)k->data.scalar.value;
        char full[160];
        snprintf(full, sizeof full, "%s%s%s", ctx && *ctx ? ctx : "", ctx && *ctx ? "." : "", name);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            ynode *k2 = node_at(L, q->key);
            if (k2 && k2->type == YAML_SCALAR_NODE && strcmp((char *)k2->data.scalar.value, name) == 0)
                err_at(L, k, full, "duplicate key");
        }
        const key_def *d = defs;
        while (d->name && strcmp(d->name, name) != 0) d++;
        if (!d->name) { err_at(L, k, full, "unknown key"); continue; }
        d->fn(L, v, full, target);
    }
}

/* Appends one zeroed element of size bytes to the array *arr of *n; NULL when out of memory. */
static void *grow(void *arr, size_t *n, size_t size)
{
    void **p = arr;
    char *a = realloc(*p, (*n + 1) * size);
    if (!a) return NULL;
    *p = a;
    memset(a + *n * size, 0, size);
    return a + (*n)++ * size;
}

/* Each mapping of the sequence v becomes one element of *arr (size bytes each), filled by defs;
 * check, when given, validates the element as a whole. */
typedef void (*entry_check)(loader *L, ynode *n, const char *key, void *elem, size_t index);
static int each_entry(loader *L, ynode *v, const char *k, const char *what, void *arr, size_t *n,
                      size_t size, const key_def *defs, entry_check check)
{
    if (!v || v->type != YAML_SEQUENCE_NODE) { err_at(L, v, k, "expected a list of %s", what); return -1; }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        void *e = grow(arr, n, size);
        if (!e) return -1;
        ynode *m = node_at(L, *it);
        each_key(L, m, k, defs, e);
        if (check) check(L, m, k, e, *n - 1);
    }
    return 0;
}

/* ---- keys ---------------------------------------------------------------------------------- */

#define CFG(t) config *c = (t)
static int k_listen(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_listen(L, v, k, &c->listen, c->listen_ip, &c->listen_port); }
static int k_admin(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_listen(L, v, k, &c->admin_listen, c->admin_ip, &c->admin_port); }
static int k_tls_cert(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_path(L, v, k, &c->tls_cert); }
static int k_tls_key(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_path(L, v, k, &c->tls_key); }
static const key_def tls_keys[] = {{"cert", k_tls_cert}, {"key", k_tls_key}, {NULL, NULL}};
static int k_tls(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, tls_keys, t); return 0; }
static int k_threads(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); long x; if (get_long(L, v, k, 1, 256, &x) < 0) return -1; c->threads = (unsigned)x; return 0; }
static int k_mode(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_mode(L, v, k, &c->mode); }
static int k_oversize(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_oversize(L, v, k, &c->oversize); }
/* detection: {threshold: N} -- top level and per route; see detect.h for what scores what. */
static int k_d_threshold(loader *L, ynode *v, const char *k, void *t)
{
    long x;
    if (get_long(L, v, k, 1, DETECT_SCORE_MAX * DETECT_MAX_HITS, &x) < 0) return -1;
    *(int *)t = (int)x;
    return 0;
}
static const key_def detection_keys[] = {{"threshold", k_d_threshold}, {NULL, NULL}};
static int k_detection(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); each_key(L, v, k, detection_keys, &c->threshold); return 0; }
static int k_app(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_long(L, v, k, -1, INT_MAX, &c->application); }
static int k_hosts(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    size_t first = c->nallowed_hosts;
    int rc = get_strs(L, v, k, &c->allowed_hosts, &c->nallowed_hosts);
    for (size_t i = first; i < c->nallowed_hosts; i++) {
        const char *why = glob_check(c->allowed_hosts[i]);
        if (why) { err_at(L, v, k, "bad glob \"%s\": %s", c->allowed_hosts[i], why); rc = -1; }
    }
    return rc;
}
static int k_networks(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_cidrs(L, v, k, &c->allowed_networks); }
static int k_tokens(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    size_t first = c->ntokens;
    int rc = get_strs(L, v, k, &c->tokens, &c->ntokens);
    for (size_t i = first; i < c->ntokens; i++)
        if (strlen(c->tokens[i]) < 16) { err_at(L, v, k, "a token needs at least 16 characters"); rc = -1; }
    return rc;
}
static int k_deny(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_cidrs(L, v, k, &c->denylist); }
static int k_allow(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_cidrs(L, v, k, &c->allowlist); }
static int k_gray(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_cidrs(L, v, k, &c->graylist); }
static int k_rules(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_path(L, v, k, &c->rules_path); }
/* vulnerability_rules: a path, or "off" (no passive vulnerability detection) */
static int k_vulns(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    if (v && v->type == YAML_SCALAR_NODE && strcmp((const char *)v->data.scalar.value, "off") == 0) {
        c->vulns_off = 1;
        return 0;
    }
    return get_path(L, v, k, &c->vulns_path);
}
static int k_events(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_path(L, v, k, &c->events_path); }
static int k_drain(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_ms(L, v, k, 3600000, &c->drain_timeout_ms); }

/* proxy_headers: [{trusted_networks: [...], original_host: [...], real_ip: [...]}] */
static int k_px_nets(loader *L, ynode *v, const char *k, void *t)
{ config_proxy_rule *r = t; return get_cidrs(L, v, k, &r->trusted); }
static int k_px_host(loader *L, ynode *v, const char *k, void *t)
{ config_proxy_rule *r = t; return get_strs(L, v, k, &r->host_headers, &r->nhost_headers); }
static int k_px_ip(loader *L, ynode *v, const char *k, void *t)
{ config_proxy_rule *r = t; return get_strs(L, v, k, &r->ip_headers, &r->nip_headers); }
static const key_def proxy_keys[] = {
    {"trusted_networks", k_px_nets}, {"original_host", k_px_host}, {"real_ip", k_px_ip}, {NULL, NULL}};
static int k_proxy(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    c->proxy_default = 0;
    return each_entry(L, v, k, "rules", &c->proxy, &c->nproxy, sizeof *c->proxy, proxy_keys, NULL);
}

/* limits: {...} and limits.per_connection: {...} */
static int k_max_conn(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); long x; if (get_long(L, v, k, 1, 1000000, &x) < 0) return -1; c->max_connections = (unsigned)x; return 0; }
static int k_max_hdr(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 2048, 1 << 20, &c->max_header_bytes); }
static int k_max_line(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 256, 1 << 20, &c->max_request_line); }
static int k_max_hline(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 256, 1 << 20, &c->max_header_line); }
static int k_conn_mem(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 8192, (size_t)1 << 30, &c->connection_memory); }
static int k_max_params(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); long x; if (get_long(L, v, k, 0, 1000000, &x) < 0) return -1; c->max_params = (size_t)x; return 0; }
static int k_max_body(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 0, (size_t)1 << 30, &c->max_body_bytes); }
static int k_idle(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); unsigned long ms; if (get_ms(L, v, k, 86400000, &ms) < 0) return -1;
  c->idle_timeout_s = (unsigned)((ms + 999) / 1000); return 0; }
static int k_req_timeout(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_ms(L, v, k, 86400000, &c->request_timeout_ms); }
static int k_pc_req(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); long x; if (get_long(L, v, k, 0, LONG_MAX, &x) < 0) return -1; c->conn_max_requests = (unsigned long)x; return 0; }
static int k_pc_bytes(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_size(L, v, k, 0, (size_t)1 << 40, &c->conn_max_bytes); }
static int k_pc_dur(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_ms(L, v, k, 86400000, &c->conn_max_duration_ms); }
static const key_def per_conn_keys[] = {
    {"max_requests", k_pc_req}, {"max_received_bytes", k_pc_bytes}, {"max_duration", k_pc_dur}, {NULL, NULL}};
static int k_per_conn(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, per_conn_keys, t); return 0; }
static const key_def limit_keys[] = {
    {"max_connections", k_max_conn}, {"max_request_line", k_max_line}, {"max_header_line", k_max_hline},
    {"max_header_size", k_max_hdr}, {"max_params", k_max_params}, {"max_body_size", k_max_body},
    {"connection_memory", k_conn_mem},
    {"idle_timeout", k_idle}, {"request_timeout", k_req_timeout}, {"per_connection", k_per_conn},
    {NULL, NULL}};
static int k_limits(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, limit_keys, t); return 0; }

/* reply_timeout: {limit: 500ms}. A late reply is a limit hit decided by the oversize policy; the
 * status that once replaced the verdict made connectors fail open, so it is refused by name. */
static int k_rt_limit(loader *L, ynode *v, const char *k, void *t)
{ CFG(t); return get_ms(L, v, k, 600000, &c->reply_timeout_ms); }
static int k_rt_status(loader *L, ynode *v, const char *k, void *t)
{ (void)t; err_at(L, v, k, "no longer supported: a late reply gets its verdict (see oversize)"); return -1; }
static const key_def rt_keys[] = {{"limit", k_rt_limit}, {"status", k_rt_status}, {NULL, NULL}};
static int k_reply_timeout(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, rt_keys, t); return 0; }

/* input_filters: {bypass: [entry], inspect: [entry]}; entry {path, headers: {name: re}, addresses} */
static int k_f_path(loader *L, ynode *v, const char *k, void *t)
{
    filter *f = t;
    const char *s = scalar(L, v, k);
    if (!s) return -1;
    char err[200];
    pcre2_code_free(f->path);
    f->path = filters_compile(s, 0, err, sizeof err);
    if (!f->path) { err_at(L, v, k, "%s", err); return -1; }
    return 0;
}
static int k_f_headers(loader *L, ynode *v, const char *k, void *t)
{
    filter *f = t;
    if (!v || v->type != YAML_MAPPING_NODE) { err_at(L, v, k, "expected a mapping of header name to regex"); return -1; }
    for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
        const char *name = scalar(L, node_at(L, p->key), k), *re = scalar(L, node_at(L, p->value), k);
        if (!name || !re) continue;
        char err[200];
        pcre2_code *code = filters_compile(re, 0, err, sizeof err);
        if (!code) { err_at(L, node_at(L, p->value), k, "header %s: %s", name, err); continue; }
        filter_header *h = grow(&f->headers, &f->nheaders, sizeof *h);
        if (!h) { pcre2_code_free(code); return -1; }
        h->name = strdup(name);
        h->re = code;
    }
    return 0;
}
static int k_f_addrs(loader *L, ynode *v, const char *k, void *t) { filter *f = t; return get_cidrs(L, v, k, &f->addrs); }
static const key_def filter_keys[] = {
    {"path", k_f_path}, {"headers", k_f_headers}, {"addresses", k_f_addrs}, {NULL, NULL}};
static int filter_entries(loader *L, ynode *v, const char *k, filter_list *l)
{
    return each_entry(L, v, k, "filters", &l->v, &l->n, sizeof *l->v, filter_keys, NULL);
}
static int k_bypass(loader *L, ynode *v, const char *k, void *t) { CFG(t); return filter_entries(L, v, k, &c->bypass); }
static int k_inspect(loader *L, ynode *v, const char *k, void *t) { CFG(t); return filter_entries(L, v, k, &c->inspect); }
static const key_def ifilter_keys[] = {{"bypass", k_bypass}, {"inspect", k_inspect}, {NULL, NULL}};
static int k_filters(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, ifilter_keys, t); return 0; }

/* routes: [{host, path, application, mode, routes}] */
static int route_list(loader *L, ynode *v, const char *k, route_table *t);
static int k_r_host(loader *L, ynode *v, const char *k, void *t)
{
    route *r = t;
    if (get_str(L, v, k, &r->host) < 0) return -1;
    const char *why = glob_check(r->host);
    if (why) { err_at(L, v, k, "bad glob \"%s\": %s", r->host, why); return -1; }
    return 0;
}
static int k_r_path(loader *L, ynode *v, const char *k, void *t)
{
    route *r = t;
    const char *s = scalar(L, v, k);
    if (!s) return -1;
    if (r->path) { err_at(L, v, k, "duplicate key"); return -1; }
    char err[200];
    if (routes_parse_path(r, s, err, sizeof err)) { err_at(L, v, k, "%s", err); return -1; }
    return 0;
}
static int k_r_app(loader *L, ynode *v, const char *k, void *t)
{ route *r = t; r->has_application = get_long(L, v, k, -1, INT_MAX, &r->application) == 0; return 0; }
static int k_r_mode(loader *L, ynode *v, const char *k, void *t)
{ route *r = t; r->has_mode = get_mode(L, v, k, &r->mode) == 0; return 0; }
static int k_r_oversize(loader *L, ynode *v, const char *k, void *t)
{ route *r = t; r->has_oversize = get_oversize(L, v, k, &r->oversize) == 0; return 0; }
static int k_r_detection(loader *L, ynode *v, const char *k, void *t)
{
    route *r = t;
    r->threshold = 0;                          /* set only by a valid threshold */
    each_key(L, v, k, detection_keys, &r->threshold);
    r->has_threshold = r->threshold > 0;
    return 0;
}
static int k_r_routes(loader *L, ynode *v, const char *k, void *t) { route *r = t; return route_list(L, v, k, &r->children); }
static const key_def route_keys[] = {
    {"host", k_r_host}, {"path", k_r_path}, {"application", k_r_app}, {"mode", k_r_mode},
    {"oversize", k_r_oversize}, {"detection", k_r_detection}, {"routes", k_r_routes}, {NULL, NULL}};
static void route_check(loader *L, ynode *n, const char *k, void *elem, size_t index)
{
    route *r = elem;
    r->order = (int)index;
    if (!n || n->type != YAML_MAPPING_NODE) return;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        ynode *key = node_at(L, p->key);
        const char *name = key && key->type == YAML_SCALAR_NODE ? (const char *)key->data.scalar.value : "";
        if (!strcmp(name, "host") || !strcmp(name, "path") || !strcmp(name, "routes")) return;
    }
    err_at(L, n, k, "a route needs host or path");
}
static int route_list(loader *L, ynode *v, const char *k, route_table *t)
{
    return each_entry(L, v, k, "routes", &t->v, &t->n, sizeof *t->v, route_keys, route_check);
}
static int k_routes(loader *L, ynode *v, const char *k, void *t) { CFG(t); return route_list(L, v, k, &c->routes); }

/* brute_force / forced_browsing: [{path, statuses, limit, window, block_for}]; shared_store: {redis} */
static int k_c_path(loader *L, ynode *v, const char *k, void *t) { config_count_rule *r = t; return get_str(L, v, k, &r->path); }
static int k_c_limit(loader *L, ynode *v, const char *k, void *t) { config_count_rule *r = t; return get_long(L, v, k, 0, 1000000000, &r->limit); }
static int k_c_window(loader *L, ynode *v, const char *k, void *t) { config_count_rule *r = t; return get_ms(L, v, k, 86400000ul * 7, &r->window_ms); }
static int k_c_block(loader *L, ynode *v, const char *k, void *t) { config_count_rule *r = t; return get_ms(L, v, k, 86400000ul * 30, &r->block_ms); }
static int k_c_statuses(loader *L, ynode *v, const char *k, void *t)
{
    config_count_rule *r = t;
    char **s = NULL;
    size_t n = 0;
    int rc = get_strs(L, v, k, &s, &n);
    r->nstatuses = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *end;
        long x = strtol(s[i], &end, 10);
        if (*end || x < 100 || x > 599) { err_at(L, v, k, "\"%s\" is not an HTTP status (100..599)", s[i]); rc = -1; }
        else if (r->nstatuses == CONFIG_MAX_STATUSES) { err_at(L, v, k, "at most %d statuses", CONFIG_MAX_STATUSES); rc = -1; }
        else r->statuses[r->nstatuses++] = (int)x;
    }
    free_strs(s, n);
    return rc;
}
static const key_def count_keys[] = {
    {"path", k_c_path}, {"statuses", k_c_statuses}, {"limit", k_c_limit}, {"window", k_c_window},
    {"block_for", k_c_block}, {NULL, NULL}};
static void count_check(loader *L, ynode *n, const char *k, void *elem, size_t index)
{
    (void)index;
    config_count_rule *r = elem;
    if (!r->limit && n && n->type == YAML_MAPPING_NODE) {
        int has = 0;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            ynode *key = node_at(L, p->key);
            has |= key && key->type == YAML_SCALAR_NODE && !strcmp((char *)key->data.scalar.value, "limit");
        }
        if (!has) err_at(L, n, k, "needs limit");
    }
}
static int count_list(loader *L, ynode *v, const char *k, config *c, int kind)
{
    size_t first = c->ncounts;
    int rc = each_entry(L, v, k, "rules", &c->counts, &c->ncounts, sizeof *c->counts, count_keys, count_check);
    for (size_t i = first; i < c->ncounts; i++) {       /* defaults for what an entry leaves out */
        config_count_rule *r = &c->counts[i];
        r->kind = kind;
        if (!r->path) r->path = strdup("/");
        if (!r->nstatuses) {
            if (kind == CONFIG_COUNT_FORCED_BROWSING) r->statuses[r->nstatuses++] = 404;
            else { r->statuses[0] = 401; r->statuses[1] = 403; r->nstatuses = 2; }
        }
        if (!r->window_ms) r->window_ms = 60000;
        if (!r->block_ms) r->block_ms = 600000;
    }
    return rc;
}
static int k_brute(loader *L, ynode *v, const char *k, void *t) { CFG(t); return count_list(L, v, k, c, CONFIG_COUNT_BRUTE_FORCE); }
static int k_forced(loader *L, ynode *v, const char *k, void *t) { CFG(t); return count_list(L, v, k, c, CONFIG_COUNT_FORCED_BROWSING); }
static int k_ss_redis(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    if (get_str(L, v, k, &c->shared_store) < 0) return -1;
    const char *why = store_url_check(c->shared_store);
    if (why) { err_at(L, v, k, "%s", why); return -1; }
    return 0;
}
/* discovery: {enabled, max_hosts, max_endpoints, max_parameters, publish_every} */
static int k_d_enabled(loader *L, ynode *v, const char *k, void *t)
{
    CFG(t);
    const char *s = scalar(L, v, k);
    if (!s) return -1;
    if (strcmp(s, "true") == 0) c->discovery.enabled = 1;
    else if (strcmp(s, "false") == 0) c->discovery.enabled = 0;
    else { err_at(L, v, k, "expected true or false, got \"%s\"", s); return -1; }
    return 0;
}
static int k_d_hosts(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_long(L, v, k, 1, 10000, &c->discovery.max_hosts); }
static int k_d_eps(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_long(L, v, k, 1, 100000, &c->discovery.max_endpoints); }
static int k_d_params(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_long(L, v, k, 1, 1000, &c->discovery.max_parameters); }
static int k_d_publish(loader *L, ynode *v, const char *k, void *t) { CFG(t); return get_ms(L, v, k, 3600000, &c->discovery.publish_ms); }
static const key_def discovery_keys[] = {
    {"enabled", k_d_enabled}, {"max_hosts", k_d_hosts}, {"max_endpoints", k_d_eps},
    {"max_parameters", k_d_params}, {"publish_every", k_d_publish}, {NULL, NULL}};
static int k_discovery(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, discovery_keys, t); return 0; }

static const key_def store_keys[] = {{"redis", k_ss_redis}, {NULL, NULL}};
static int k_store(loader *L, ynode *v, const char *k, void *t) { each_key(L, v, k, store_keys, t); return 0; }

static const key_def top_keys[] = {
    {"listen", k_listen}, {"admin_listen", k_admin}, {"tls", k_tls}, {"threads", k_threads},
    {"mode", k_mode}, {"oversize", k_oversize}, {"detection", k_detection}, {"application", k_app}, {"allowed_hosts", k_hosts},
    {"allowed_networks", k_networks}, {"tokens", k_tokens}, {"proxy_headers", k_proxy},
    {"routes", k_routes}, {"input_filters", k_filters}, {"denylist", k_deny},
    {"allowlist", k_allow}, {"graylist", k_gray}, {"limits", k_limits},
    {"reply_timeout", k_reply_timeout}, {"drain_timeout", k_drain}, {"rules", k_rules},
    {"events", k_events}, {"shared_store", k_store}, {"brute_force", k_brute},
    {"forced_browsing", k_forced}, {"vulnerability_rules", k_vulns}, {"discovery", k_discovery}, {NULL, NULL}};

/* ---- defaults and the shipped rule set ---------------------------------------------------- */

static int is_file(const char *p)
{
    struct stat st;
    return p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A shipped rule file (rules.yaml, vulns.yaml): beside the config, then
 * BINDIR/../share/bundlegen/node, then the source tree seen from build/ or build/san/, then ./node. */
static char *find_shipped(const char *base, const char *name)
{
    char exe[PATH_MAX], cand[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = NULL;
    if (n > 0) { exe[n] = '\0'; slash = strrchr(exe, '/'); }
    if (slash) *slash = '\0';
    const char *rel[] = {"/../share/bundlegen/node/", "/../node/", "/../../node/"};
    if (base) {
        snprintf(cand, sizeof cand, "%s/%s", base, name);
        if (is_file(cand)) return strdup(cand);
    }
    for (size_t i = 0; slash && i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(cand, sizeof cand, "%s%s%s", exe, rel[i], name);
        if (is_file(cand)) return strdup(cand);
    }
    snprintf(cand, sizeof cand, "node/%s", name);
    return is_file(cand) ? strdup(cand) : NULL;
}

static void defaults(config *c)
{
    c->threads = 2;
    c->mode = CONFIG_MODE_MONITORING;
    c->application = -1;
    c->proxy_default = 1;
    c->max_connections = 10000;
    c->max_request_line = 8192;          /* nginx's large_client_header_buffers: 8k a line, 32k in all */
    c->max_header_line = 8192;
    c->max_header_bytes = 32768;
    c->max_params = 10000;
    c->oversize = OVERSIZE_ANALYSE_PARTIAL;
    c->threshold = DETECT_THRESHOLD_DEFAULT;
    c->max_body_bytes = 1 << 20;
    c->idle_timeout_s = 60;
    c->request_timeout_ms = 30000;
    c->drain_timeout_ms = 10000;
    c->discovery = (config_discovery){1, 100, 1000, 64, 5000};
}

static void finish(loader *L, ynode *root)
{
    config *c = L->c;
    if (!c->listen) err_at(L, root, "listen", "required (e.g. listen: 127.0.0.1:5050)");
    if (!c->tls_cert != !c->tls_key) err_at(L, root, "tls", "needs both cert and key");
    if (c->admin_port && c->listen_port == c->admin_port && strcmp(c->admin_ip, c->listen_ip) == 0)
        err_at(L, root, "admin_listen", "must differ from listen");
    if (!c->rules_path) {
        c->rules_path = find_shipped(L->base, "rules.yaml");
        if (!c->rules_path) err_at(L, root, "rules", "not set and no shipped rules.yaml found");
    }
    if (!c->vulns_path && !c->vulns_off) c->vulns_path = find_shipped(L->base, "vulns.yaml");  /* none: off */
    routes_sort(&c->routes);
}

config *config_load_buffer(const char *text, size_t len, const char *name, const char *base,
                           config_errors *errs)
{
    char yerr[600];
    loader L = {.y = {.file = name ? name : "config", .err = yerr, .errsz = sizeof yerr}, .base = base, .errs = errs};
    L.c = calloc(1, sizeof *L.c);
    if (!L.c) return NULL;
    defaults(L.c);
    L.c->path = strdup(L.y.file);
    if (yamldoc_load(&L.y, text, len) < 0) {
        config_errors_add(errs, yerr);
        config_free(L.c);
        return NULL;
    }
    ynode *root = yaml_document_get_root_node(&L.y.doc);
    each_key(&L, root, "", top_keys, L.c);
    finish(&L, root);
    yaml_document_delete(&L.y.doc);
    if (L.failed) { config_free(L.c); return NULL; }
    return L.c;
}

config *config_load(const char *path, config_errors *errs)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s:1:1: config: cannot open: %s", path, strerror(errno));
        config_errors_add(errs, msg);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n > cap) {
            cap = (len + n) * 2;
            char *t = realloc(text, cap);
            if (!t) { free(text); fclose(f); return NULL; }
            text = t;
        }
        memcpy(text + len, chunk, n);
        len += n;
    }
    fclose(f);
    char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) *slash = '\0';
    config *c = config_load_buffer(text ? text : "", len, path, slash ? dir : ".", errs);
    free(dir);
    free(text);
    return c;
}

void config_free(config *c)
{
    if (!c) return;
    free(c->path); free(c->listen); free(c->admin_listen); free(c->tls_cert); free(c->tls_key);
    free_strs(c->allowed_hosts, c->nallowed_hosts);
    free_strs(c->tokens, c->ntokens);
    cidr_list_free(&c->allowed_networks);
    for (size_t i = 0; i < c->nproxy; i++) {
        cidr_list_free(&c->proxy[i].trusted);
        free_strs(c->proxy[i].host_headers, c->proxy[i].nhost_headers);
        free_strs(c->proxy[i].ip_headers, c->proxy[i].nip_headers);
    }
    free(c->proxy);
    routes_free(&c->routes);
    filters_free(&c->bypass);
    filters_free(&c->inspect);
    cidr_list_free(&c->denylist); cidr_list_free(&c->allowlist); cidr_list_free(&c->graylist);
    free(c->rules_path); free(c->vulns_path); free(c->events_path); free(c->shared_store);
    for (size_t i = 0; i < c->ncounts; i++) free(c->counts[i].path);
    free(c->counts);
    free(c);
}

static const char *const mode_names[] = {"off", "monitoring", "safe_blocking", "block"};

const char *config_mode_name(int mode)
{
    return mode >= 0 && mode < 4 ? mode_names[mode] : "unknown";
}

int config_mode_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, mode_names[i]) == 0) return i;
    return -1;
}
