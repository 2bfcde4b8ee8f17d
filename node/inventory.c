/* inventory.c -- API discovery (see inventory.h).
 * Learning: a per-host trie of path segments gives the template; endpoints are a per-host hash by
 * method and template. Everything a message brings is worked out before the one lock is taken.
 * Exports go through the summary JSON, the form replicas exchange, so local and shared look alike. */
#include "inventory.h"
#include "jarena.h"
#include "events.h"
#include "recent.h"
#include "sensitive.h"
#include "store.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define KEY_PREFIX   "edgenode:inventory:"
#define METHOD_TTL   120000ul           /* a request's method, for a report reaching another replica */
#define PUBLISH_TTL  600000ul           /* a replica that stops publishing leaves after 10 minutes */
#define MAX_REMOTE   64                 /* replicas merged into an export */
#define BODY_SCAN    65536              /* body bytes parsed for parameters and scanned */
#define MAX_SEEN     96                 /* parameters one message may bring */
#define NBUCKETS     256
#define MAX_STATUSES 16

/* Inferred types and formats of a value, as bits; merged by OR over observations. */
enum { T_INT = 1, T_NUM = 2, T_BOOL = 4, T_STR = 8, T_OBJ = 16, T_ARR = 32,
       F_UUID = 64, F_EMAIL = 128, F_DATETIME = 256, F_DATE = 512, F_IPV4 = 1024, T_NULL = 2048 };
enum { IN_PATH, IN_QUERY, IN_HEADER, IN_BODY, IN_COUNT };
static const char *const in_names[IN_COUNT] = {"path", "query", "header", "body"};

typedef struct param { char name[64]; unsigned char in; unsigned types; unsigned long long seen; } param;

typedef struct endpoint {
    struct endpoint *next;              /* hash chain */
    char method[12];
    char *tmpl;
    unsigned long long count;
    time_t first, last;
    int status[MAX_STATUSES]; unsigned long long status_n[MAX_STATUSES]; int nstatus;
    unsigned sensitive;
    param *params; size_t nparams;
} endpoint;

typedef struct seg {                    /* one path level: literal children and one parameter slot */
    char *lit;                          /* NULL for the parameter slot */
    char pname[8];                      /* the slot's parameter name: id, uuid, hex, date, email, name */
    struct seg *kids, *next, *slot;
    size_t nlit;
} seg;

typedef struct host {
    long app;
    char name[256];
    seg root;
    size_t nsegs;
    endpoint *bucket[NBUCKETS];
    size_t neps;
} host;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static host **hosts;
static size_t nhosts;
static unsigned long long dropped_hosts, dropped_eps, dropped_params, unmatched;
static time_t new_eps[1024];            /* when recent endpoints were first seen (ring), for the last hour */
static size_t new_eps_n;
static recent *by_request;              /* request id -> {host index, endpoint} for reports */
static unsigned generation = 1;         /* bumped by reset, so older recent entries are ignored */
static char replica[17];
static atomic_ullong last_publish_ms;

typedef struct link { unsigned gen; size_t host; endpoint *ep; } link;
_Static_assert(sizeof(link) <= RECENT_PAYLOAD, "a link fits a recent entry");

/* ---- values and names ---- */

static int all_of(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++) if (!strchr(set, s[i]) || !s[i]) return 0;
    return n > 0;
}
static int digits(const char *s, size_t n) { return all_of(s, n, "0123456789"); }

static int is_uuid(const char *s, size_t n)
{
    if (n != 36) return 0;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) { if (s[i] != '-') return 0; }
        else if (!isxdigit((unsigned char)s[i])) return 0;
    }
    return 1;
}

static int is_date(const char *s, size_t n)
{
    return n == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2);
}

static int is_datetime(const char *s, size_t n)
{
    return n >= 19 && is_date(s, 10) && (s[10] == 'T' || s[10] == 't' || s[10] == ' ') &&
           digits(s + 11, 2) && s[13] == ':' && digits(s + 14, 2) && s[16] == ':' && digits(s + 17, 2);
}

static int is_ipv4(const char *s, size_t n)
{
    int parts = 0, len = 0, val = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!len || val > 255) return 0;
            parts++; len = 0; val = 0;
        } else if (isdigit((unsigned char)s[i]) && len < 3) { val = val * 10 + (s[i] - '0'); len++; }
        else return 0;
    }
    return parts == 4;
}

static int is_email(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    return at && at > s && n < 255 && (sensitive_scan(s, n) & SENSITIVE_EMAIL);
}

/* Type bits of a textual value (query, header, form, path). */
static unsigned text_type(const char *s, size_t n)
{
    size_t k = n && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (n > k && n - k <= 18 && digits(s + k, n - k)) return T_INT;
    if (n == 4 && strncasecmp(s, "true", 4) == 0) return T_BOOL;
    if (n == 5 && strncasecmp(s, "false", 5) == 0) return T_BOOL;
    const char *dot = memchr(s, '.', n);
    if (dot && n > k + 2 && n < 32 && digits(s + k, (size_t)(dot - s) - k) && digits(dot + 1, n - (size_t)(dot - s) - 1))
        return T_NUM;
    if (is_uuid(s, n)) return T_STR | F_UUID;
    if (is_datetime(s, n)) return T_STR | F_DATETIME;
    if (is_date(s, n)) return T_STR | F_DATE;
    if (is_ipv4(s, n)) return T_STR | F_IPV4;
    if (is_email(s, n)) return T_STR | F_EMAIL;
    return T_STR;
}

/* The parameter name a path segment stands for, or NULL when it is a literal. */
static const char *segment_param(const char *s, size_t n)
{
    if (digits(s, n) || (n > 1 && s[0] == '-' && digits(s + 1, n - 1))) return "id";
    if (is_uuid(s, n)) return "uuid";
    if (is_date(s, n) || is_datetime(s, n)) return "date";
    if (memchr(s, '@', n) && is_email(s, n)) return "email";
    if (n >= 8 && all_of(s, n, "0123456789abcdefABCDEF")) {       /* hex ids hold a digit and a letter */
        int d = 0, a = 0;
        for (size_t i = 0; i < n; i++) { if (isdigit((unsigned char)s[i])) d = 1; else a = 1; }
        if (d && a) return "hex";
    }
    if (n > 3 && n < 255 && memchr(s, '%', n) && (sensitive_scan(s, n) & SENSITIVE_EMAIL)) return "email";   /* %40 */
    return NULL;
}

/* Parameter names we keep: printable, no quotes or braces, 1..63 bytes. */
static int name_ok(const char *s, size_t n)
{
    if (!n || n > 63) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 32 || c >= 127 || c == '"' || c == '\\' || c == '{' || c == '}') return 0;
    }
    return 1;
}

/* Headers that are the protocol's, the transport's or the browser's, not the API's. */
static int header_skipped(const char *name)
{
    static const char *const skip[] = {
        "host", "content-length", "content-type", "content-encoding", "transfer-encoding", "connection",
        "keep-alive", "accept", "accept-encoding", "accept-language", "accept-charset", "user-agent",
        "cookie", "authorization", "referer", "origin", "via", "te", "upgrade", "cache-control", "pragma",
        "expect", "dnt", "priority", "if-none-match", "if-modified-since", "x-real-ip", "forwarded",
        "upgrade-insecure-requests", "proxy-connection", "true-client-ip", "cf-connecting-ip"};
    int first = tolower((unsigned char)name[0]);         /* the names are lower case */
    if ((first == 'x' && (strncasecmp(name, "x-connector", 11) == 0 || strncasecmp(name, "x-forwarded-", 12) == 0)) ||
        (first == 's' && strncasecmp(name, "sec-", 4) == 0) || (first == 'c' && strncasecmp(name, "cf-", 3) == 0))
        return 1;
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (first == skip[i][0] && strcasecmp(name, skip[i]) == 0) return 1;
    return 0;
}

/* ---- what one message brings, worked out without the lock ---- */

typedef struct seen { param p[MAX_SEEN]; size_t n; unsigned sensitive; } seen;

static void seen_add(seen *w, const char *name, size_t n, int in, unsigned types)
{
    if (!name_ok(name, n)) return;
    for (size_t i = 0; i < w->n; i++)
        if (w->p[i].in == in && strlen(w->p[i].name) == n && memcmp(w->p[i].name, name, n) == 0) {
            w->p[i].types |= types;
            return;
        }
    if (w->n == MAX_SEEN) return;
    param *p = &w->p[w->n++];
    memset(p, 0, sizeof *p);
    memcpy(p->name, name, n);
    p->name[n] = '\0';
    if (in == IN_HEADER) for (size_t i = 0; i < n; i++) p->name[i] = (char)tolower((unsigned char)p->name[i]);
    p->in = (unsigned char)in;
    p->types = types;
    p->seen = 1;
    w->sensitive |= sensitive_by_name(p->name);
}

/* name=value pairs separated by '&' (query strings and form bodies). */
static void pairs(seen *w, const char *s, size_t len, int in)
{
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && s[e] != '&') e++;
        const char *eq = memchr(s + i, '=', e - i);
        size_t nl = eq ? (size_t)(eq - (s + i)) : e - i;
        const char *v = eq ? eq + 1 : s + e;
        size_t vl = eq ? (size_t)(s + e - v) : 0;
        if (nl) seen_add(w, s + i, nl, in, eq ? text_type(v, vl) : T_BOOL);
        i = e + 1;
    }
}

static unsigned json_type(const cJSON *v)
{
    if (cJSON_IsBool(v)) return T_BOOL;
    if (cJSON_IsNumber(v)) return v->valuedouble == (double)(long long)v->valuedouble && v->valuedouble < 9e15 && v->valuedouble > -9e15 ? T_INT : T_NUM;
    if (cJSON_IsString(v)) { unsigned t = text_type(v->valuestring, strlen(v->valuestring)); return t & (T_INT | T_NUM | T_BOOL) ? T_STR : t; }
    if (cJSON_IsArray(v)) return T_ARR;
    if (cJSON_IsObject(v)) return T_OBJ;
    return T_NULL;
}

/* parsed: the body's JSON document as detection parsed it (decide.h), or NULL: parsed here. */
static void body_params(seen *w, const decide_input *in, const cJSON *parsed)
{
    if (!in->body || !in->body_len) return;
    size_t n = in->body_len < BODY_SCAN ? in->body_len : BODY_SCAN;
    const char *ct = decide_header(in, "Content-Type");
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) { pairs(w, in->body, n, IN_BODY); return; }
    if (!ct || !strstr(ct, "json") || n != in->body_len) return;           /* a cut JSON body does not parse */
    cJSON *own = parsed ? NULL : jarena_parse(in->body, n, NULL);
    const cJSON *doc = parsed ? parsed : own, *it;
    if (cJSON_IsObject(doc))
        cJSON_ArrayForEach(it, doc) if (it->string) seen_add(w, it->string, strlen(it->string), IN_BODY, json_type(it));
    cJSON_Delete(own);
}

static void request_seen(seen *w, const decide_input *in, const cJSON *parsed)
{
    w->n = 0;                           /* entries are cleared as seen_add takes them: 8 KB less per message */
    w->sensitive = 0;
    if (in->query) pairs(w, in->query, strlen(in->query), IN_QUERY);
    for (size_t i = 0; i < in->nheaders; i++) {
        const char *name = in->headers[i].name, *v = in->headers[i].value ? in->headers[i].value : "";
        if ((name[0] | 0x20) == 'a' && strcasecmp(name, "Authorization") == 0) {   /* (first letter: C locale) */
            w->sensitive |= strncasecmp(v, "Bearer ", 7) == 0 ? SENSITIVE_BEARER : sensitive_scan(v, strlen(v));
            continue;
        }
        if (header_skipped(name)) continue;
        seen_add(w, name, strlen(name), IN_HEADER, text_type(v, strlen(v)));
        w->sensitive |= sensitive_scan(v, strlen(v));
    }
    body_params(w, in, parsed);
    if (in->query) w->sensitive |= sensitive_scan(in->query, strlen(in->query));
    if (in->body) w->sensitive |= sensitive_scan(in->body, in->body_len < BODY_SCAN ? in->body_len : BODY_SCAN);
}

/* ---- templates (lock held) ---- */

static seg *child(host *h, seg *at, const char *s, size_t n, const char *pname)
{
    if (!pname) {
        for (seg *k = at->kids; k; k = k->next)
            if (strlen(k->lit) == n && memcmp(k->lit, s, n) == 0) return k;
        if (at->nlit >= INVENTORY_FOLD || h->nsegs >= (size_t)INVENTORY_FOLD * 64) pname = "name";   /* fold */
    }
    if (pname) {
        if (!at->slot && (at->slot = calloc(1, sizeof *at->slot))) {
            snprintf(at->slot->pname, sizeof at->slot->pname, "%s", pname);
            h->nsegs++;
        }
        return at->slot;
    }
    seg *k = calloc(1, sizeof *k);
    if (!k || !(k->lit = malloc(n + 1))) { free(k); return NULL; }
    memcpy(k->lit, s, n);
    k->lit[n] = '\0';
    k->next = at->kids;
    at->kids = k;
    at->nlit++;
    h->nsegs++;
    return k;
}

/* Appends "/" and p[0..n) (no NUL in it) to out as snprintf would, without its cost on every
 * request; 0, or -1 when it does not fit (the text cut as snprintf cuts it). */
static int append_seg(char *out, size_t outlen, size_t *used, const char *p, size_t n)
{
    if (n + 1 >= outlen - *used) {
        snprintf(out + *used, outlen - *used, "/%.*s", (int)n, p);
        return -1;
    }
    out[*used] = '/';
    memcpy(out + *used + 1, p, n);
    *used += n + 1;
    out[*used] = '\0';
    return 0;
}

/* Appends "/lit" or "/{name}" (names made unique: id, id2, ...) to out; 0 or -1 when it does not fit. */
static int append(char *out, size_t outlen, size_t *used, const seg *s, seen *w, unsigned ptype)
{
    char name[24];
    if (s->lit) return append_seg(out, outlen, used, s->lit, strlen(s->lit));
    snprintf(name, sizeof name, "%s", s->pname);
    for (int i = 2; i < 20; i++) {
        char pat[32];
        snprintf(pat, sizeof pat, "{%s}", name);
        if (!strstr(out, pat)) break;
        snprintf(name, sizeof name, "%.8s%d", s->pname, i);
    }
    int k = snprintf(out + *used, outlen - *used, "/{%s}", name);
    if (k < 0 || (size_t)k >= outlen - *used) return -1;
    *used += (size_t)k;
    if (w) seen_add(w, name, strlen(name), IN_PATH, ptype);
    return 0;
}

/* Walks path through h's trie (growing it when learn), writing the template; path parameters
 * go into w. 0, or -1 when the template does not fit. */
static int walk(host *h, seg *root, const char *path, char *out, size_t outlen, seen *w, int learn)
{
    size_t used = 0;
    out[0] = '\0';
    seg *at = root;
    int depth = 0;
    const char *p = path;
    while (*p == '/') p++;
    while (*p && at) {
        const char *e = p;
        while (*e && *e != '/') e++;
        size_t n = (size_t)(e - p);
        const char *pname = segment_param(p, n);
        if (!pname && (memchr(p, '{', n) || memchr(p, '}', n))) pname = "name";     /* would break the template */
        unsigned ptype = pname ? text_type(p, n) : 0;
        if (pname && (ptype & (T_INT | T_NUM))) ptype = T_INT;
        else if (pname && !(ptype & (F_UUID | F_DATE | F_DATETIME | F_EMAIL))) ptype = T_STR;
        if (++depth > INVENTORY_DEPTH) { pname = "name"; ptype = T_STR; n = 0; }
        seg *next;
        if (learn) next = child(h, at, p, n, pname);
        else {                                               /* a look-up only: literal, else the slot */
            next = NULL;
            for (seg *k = at->kids; !pname && k; k = k->next)
                if (strlen(k->lit) == n && memcmp(k->lit, p, n) == 0) next = k;
            if (!next) next = at->slot;
        }
        if (!next) {                                          /* unknown here: show it as it is */
            if (append_seg(out, outlen, &used, p, n) < 0) return -1;
        } else if (append(out, outlen, &used, next, w, ptype ? ptype : T_STR) < 0) return -1;
        at = next;
        if (depth > INVENTORY_DEPTH) break;
        p = e;
        while (*p == '/') p++;
    }
    if (!used) snprintf(out, outlen, "/");
    else if (path[strlen(path) - 1] == '/' && used + 1 < outlen) { out[used] = '/'; out[used + 1] = '\0'; }
    return 0;
}

static void free_segs(seg *s);

int inventory_template(const char *path, char *out, size_t outlen)
{
    host *h = calloc(1, sizeof *h);                     /* a scratch host: nothing is learnt */
    if (!h) return -1;
    int rc = walk(h, &h->root, path, out, outlen, NULL, 1);
    free_segs(h->root.kids);
    free_segs(h->root.slot);
    free(h);
    return rc;
}

/* ---- learning (lock held) ---- */

static uint32_t hash2(const char *a, const char *b)
{
    uint32_t h = 2166136261u;
    for (; *a; a++) h = (h ^ (unsigned char)*a) * 16777619u;
    h = (h ^ ' ') * 16777619u;
    for (; *b; b++) h = (h ^ (unsigned char)*b) * 16777619u;
    return h;
}

static host *find_host(const config *c, long app, const char *name, int create, size_t *index)
{
    for (size_t i = 0; i < nhosts; i++)
        if (hosts[i]->app == app && strcmp(hosts[i]->name, name) == 0) { *index = i; return hosts[i]; }
    if (!create) return NULL;
    if (nhosts >= (size_t)c->discovery.max_hosts) { dropped_hosts++; return NULL; }
    host **v = realloc(hosts, (nhosts + 1) * sizeof *v);
    if (!v) return NULL;
    hosts = v;
    host *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->app = app;
    snprintf(h->name, sizeof h->name, "%s", name);
    *index = nhosts;
    hosts[nhosts++] = h;
    return h;
}

static endpoint *find_endpoint(const config *c, host *h, const char *method, const char *tmpl, int *created)
{
    uint32_t b = hash2(method, tmpl) % NBUCKETS;
    for (endpoint *e = h->bucket[b]; e; e = e->next)
        if (strcmp(e->method, method) == 0 && strcmp(e->tmpl, tmpl) == 0) return e;
    if (h->neps >= (size_t)c->discovery.max_endpoints) { dropped_eps++; return NULL; }
    endpoint *e = calloc(1, sizeof *e);
    if (!e || !(e->tmpl = strdup(tmpl))) { free(e); return NULL; }
    snprintf(e->method, sizeof e->method, "%s", method);
    e->first = time(NULL);
    e->next = h->bucket[b];
    h->bucket[b] = e;
    h->neps++;
    new_eps[new_eps_n++ % (sizeof new_eps / sizeof *new_eps)] = e->first;
    *created = 1;
    return e;
}

/* Adds w's parameters to e; fills added[] with the new ones (for events). */
static size_t learn_params(const config *c, endpoint *e, const seen *w, param *added)
{
    size_t nadded = 0;
    for (size_t i = 0; i < w->n; i++) {
        const param *q = &w->p[i];
        param *p = NULL;
        for (size_t k = 0; k < e->nparams && !p; k++)
            if (e->params[k].in == q->in && strcmp(e->params[k].name, q->name) == 0) p = &e->params[k];
        if (p) { p->types |= q->types; p->seen++; continue; }
        if (e->nparams >= (size_t)c->discovery.max_parameters) { dropped_params++; continue; }
        param *v = realloc(e->params, (e->nparams + 1) * sizeof *v);
        if (!v) continue;
        e->params = v;
        e->params[e->nparams++] = *q;
        if (e->count > 1) added[nadded++] = *q;            /* a parameter of a new endpoint is no news */
    }
    return nadded;
}

static void add_status(endpoint *e, int status)
{
    for (int i = 0; i < e->nstatus; i++)
        if (e->status[i] == status) { e->status_n[i]++; return; }
    if (e->nstatus < MAX_STATUSES) { e->status[e->nstatus] = status; e->status_n[e->nstatus++] = 1; }
}

/* The endpoint of a report whose request this process did not see (another replica did): its
 * path's template, when this process knows that template under one method only. */
/* How many methods h knows tmpl under; *only gets one of them (the one when there is one). */
static int methods_of(host *h, const char *tmpl, const char *method, endpoint **only)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
    int n = 0;
    *only = NULL;
    for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
        for (endpoint *e = h->bucket[hash2(methods[m], tmpl) % NBUCKETS]; e; e = e->next)
            if (strcmp(e->method, methods[m]) == 0 && strcmp(e->tmpl, tmpl) == 0) {
                n++;
                if (!method || strcmp(method, e->method) == 0) *only = e;
            }
    return n;
}

/* The endpoint of a report this process did not see the request of: its path's template under
 * method when given (another replica said which), else under the one method known; NULL when
 * it cannot tell. *methods gets how many methods the template has here. */
static endpoint *by_path(const decide_result *res, const char *path, const char *method, int *methods)
{
    char tmpl[1024];
    host *h = NULL;
    *methods = 0;
    for (size_t i = 0; i < nhosts && !h; i++)
        if (hosts[i]->app == res->application && strcmp(hosts[i]->name, res->host) == 0) h = hosts[i];
    if (!h || !path || walk(h, &h->root, path, tmpl, sizeof tmpl, NULL, 0) < 0) return NULL;
    endpoint *e;
    *methods = methods_of(h, tmpl, method, &e);
    return method || *methods == 1 ? e : NULL;
}

/* ---- events and publishing ---- */

static void discovery_event(const decide_result *res, const char *what, const char *method, const char *tmpl, const param *p)
{
    if (!events_enabled()) return;
    cJSON *o = events_new("discovery");
    if (!o) return;
    events_add_message(o, res);
    cJSON_AddStringToObject(o, "discovered", what);
    cJSON_AddStringToObject(o, "method", method);
    cJSON_AddStringToObject(o, "endpoint", tmpl);
    if (p) {
        cJSON_AddStringToObject(o, "parameter", p->name);
        cJSON_AddStringToObject(o, "in", in_names[p->in]);
    }
    events_emit(o);
}

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

static cJSON *local_summary(int app_set, long app, const char *hostname);

static void publish(const config *c)
{
    if (!c->shared_store) return;
    unsigned long long now = now_ms(), last = atomic_load(&last_publish_ms);
    if (last && now - last < c->discovery.publish_ms) return;
    if (!atomic_compare_exchange_strong(&last_publish_ms, &last, now)) return;   /* another thread does it */
    pthread_mutex_lock(&lock);
    cJSON *s = local_summary(0, 0, NULL);
    pthread_mutex_unlock(&lock);
    char *text = s ? cJSON_PrintUnformatted(s) : NULL;
    cJSON_Delete(s);
    if (!text) return;
    char key[64];
    snprintf(key, sizeof key, KEY_PREFIX "%s", replica);
    store_send(key, text, strlen(text), PUBLISH_TTL);        /* the request that publishes waits for nothing */
    free(text);
}

/* ---- observe ---- */

static void method_key(char *out, size_t len, const char *request_id)
{
    snprintf(out, len, "edgenode:method:%s", request_id);
}

/* Whether a recorded report's request was seen by this process (lock held). */
static int seen_here(const decide_result *res, link *l)
{
    unsigned char kept[RECENT_PAYLOAD];
    if (!by_request || !recent_get(by_request, res->request_id, kept)) return 0;
    memcpy(l, kept, sizeof *l);
    return l->gen == generation && l->host < nhosts;
}

int inventory_report_op(const config *c, const decide_input *in, const decide_result *res, store_op *op)
{
    if (!c->discovery.enabled || !c->shared_store || res->type != DECIDE_RESPONSE ||
        strcmp(res->verdict, "recorded") != 0 || !res->request_id[0])
        return 0;
    link l;
    int methods = 0;
    pthread_mutex_lock(&lock);
    if (!seen_here(res, &l)) by_path(res, in->path, NULL, &methods);
    pthread_mutex_unlock(&lock);
    if (methods < 2) return 0;                  /* seen here, unknown here, or one method: no look-up */
    memset(op, 0, sizeof *op);
    op->kind = STORE_GET;
    method_key(op->key, sizeof op->key, res->request_id);
    return 1;
}

void inventory_observe(const config *c, const decide_input *in, const decide_result *res, const store_op *said)
{
    if (!c->discovery.enabled) return;
    if (res->type == DECIDE_RESPONSE) {
        if (strcmp(res->verdict, "recorded") != 0 || !by_request) return;
        link l;
        int methods;
        unsigned sens = in->body ? sensitive_scan(in->body, in->body_len < BODY_SCAN ? in->body_len : BODY_SCAN) : 0;
        pthread_mutex_lock(&lock);
        endpoint *e = seen_here(res, &l) ? l.ep
                      : by_path(res, in->path, said && said->ttl_ms > 0 ? said->value : NULL, &methods);
        if (e) {
            if (res->response_status) add_status(e, res->response_status);
            e->sensitive |= sens;
        } else unmatched++;
        pthread_mutex_unlock(&lock);
        publish(c);
        return;
    }
    if (!res->analysed || res->det.total || res->status >= 400 || !in->method || !in->path) return;
    char method[12];
    size_t ml = strlen(in->method);
    if (!ml || ml >= sizeof method || !all_of(in->method, ml, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) return;
    memcpy(method, in->method, ml + 1);
    seen sw, *w = &sw;      /* 8 KB on the stack: a heap block that size takes malloc's slow path */
    request_seen(w, in, res->body_json);
    char tmpl[1024];
    param added[MAX_SEEN];
    size_t nadded = 0;
    int created = 0, methods = 0;
    pthread_mutex_lock(&lock);
    if (!by_request) {
        by_request = recent_new(65536);
        if (!replica[0]) {
            unsigned char r[8];
            randombytes_buf(r, sizeof r);
            for (int i = 0; i < 8; i++) snprintf(replica + 2 * i, 3, "%02x", r[i]);
        }
    }
    size_t hi;
    host *h = find_host(c, res->application, res->host, 1, &hi);
    endpoint *e = NULL;
    if (h && walk(h, &h->root, in->path, tmpl, sizeof tmpl, w, 1) == 0 && (e = find_endpoint(c, h, method, tmpl, &created))) {
        time_t now = time(NULL);
        e->count++;
        e->last = now;
        e->sensitive |= w->sensitive;
        nadded = learn_params(c, e, w, added);
        link l = {generation, hi, e};
        recent_put(by_request, res->request_id, &l, sizeof l);
        endpoint *any;
        methods = methods_of(h, tmpl, NULL, &any);
    }
    pthread_mutex_unlock(&lock);
    if (methods > 1 && c->shared_store && res->request_id[0]) {   /* a report elsewhere needs the method */
        char key[96];
        method_key(key, sizeof key, res->request_id);
        store_send(key, method, strlen(method), METHOD_TTL);
    }
    if (created) discovery_event(res, "endpoint", method, tmpl, NULL);
    for (size_t i = 0; e && i < nadded; i++) discovery_event(res, "parameter", method, tmpl, &added[i]);
    publish(c);
}

/* ---- summary: this process's part (lock held) ---- */

static void add_types(cJSON *o, unsigned t)
{
    const char *type = "string", *format = NULL;
    if (t & (T_OBJ)) type = t == T_OBJ ? "object" : "string";
    else if (t & T_ARR) type = t == T_ARR ? "array" : "string";
    else if (!(t & ~T_INT)) type = "integer";
    else if (!(t & ~(T_INT | T_NUM))) type = "number";
    else if (!(t & ~T_BOOL)) type = "boolean";
    else if (!(t & ~(T_STR | F_UUID)) && (t & F_UUID)) format = "uuid";
    else if (!(t & ~(T_STR | F_EMAIL)) && (t & F_EMAIL)) format = "email";
    else if (!(t & ~(T_STR | F_DATETIME)) && (t & F_DATETIME)) format = "date-time";
    else if (!(t & ~(T_STR | F_DATE)) && (t & F_DATE)) format = "date";
    else if (!(t & ~(T_STR | F_IPV4)) && (t & F_IPV4)) format = "ipv4";
    cJSON_AddStringToObject(o, "type", type);
    if (format) cJSON_AddStringToObject(o, "format", format);
}

static cJSON *sensitive_list(unsigned bits)
{
    cJSON *a = cJSON_CreateArray();
    for (unsigned b = 1; a && b < SENSITIVE_ALL; b <<= 1)
        if (bits & b) cJSON_AddItemToArray(a, cJSON_CreateString(sensitive_name(b)));
    return a;
}

static unsigned sensitive_bits(const cJSON *a)
{
    unsigned bits = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
        for (unsigned b = 1; cJSON_IsString(it) && b < SENSITIVE_ALL; b <<= 1)
            if (strcmp(sensitive_name(b), it->valuestring) == 0) bits |= b;
    return bits;
}

static cJSON *endpoint_json(const endpoint *e)
{
    cJSON *o = cJSON_CreateObject(), *st = cJSON_CreateObject(), *ps = cJSON_CreateArray();
    if (!o || !st || !ps) { cJSON_Delete(o); cJSON_Delete(st); cJSON_Delete(ps); return NULL; }
    cJSON_AddStringToObject(o, "method", e->method);
    cJSON_AddStringToObject(o, "path", e->tmpl);
    cJSON_AddNumberToObject(o, "requests", (double)e->count);
    cJSON_AddNumberToObject(o, "first_seen", (double)e->first);
    cJSON_AddNumberToObject(o, "last_seen", (double)e->last);
    for (int i = 0; i < e->nstatus; i++) {
        char k[8];
        snprintf(k, sizeof k, "%d", e->status[i]);
        cJSON_AddNumberToObject(st, k, (double)e->status_n[i]);
    }
    cJSON_AddItemToObject(o, "statuses", st);
    cJSON_AddItemToObject(o, "sensitive", sensitive_list(e->sensitive));
    for (size_t i = 0; i < e->nparams; i++) {
        cJSON *p = cJSON_CreateObject();
        if (!p) continue;
        cJSON_AddStringToObject(p, "name", e->params[i].name);
        cJSON_AddStringToObject(p, "in", in_names[e->params[i].in]);
        add_types(p, e->params[i].types);
        cJSON_AddNumberToObject(p, "types", e->params[i].types);
        cJSON_AddNumberToObject(p, "seen", (double)e->params[i].seen);
        cJSON_AddItemToArray(ps, p);
    }
    cJSON_AddItemToObject(o, "parameters", ps);
    return o;
}

static cJSON *local_summary(int app_set, long app, const char *hostname)
{
    cJSON *root = cJSON_CreateObject(), *hs = cJSON_CreateArray();
    if (!root || !hs) { cJSON_Delete(root); cJSON_Delete(hs); return NULL; }
    cJSON_AddStringToObject(root, "replica", replica);
    cJSON_AddItemToObject(root, "hosts", hs);
    for (size_t i = 0; i < nhosts; i++) {
        const host *h = hosts[i];
        if ((app_set && h->app != app) || (hostname && strcmp(h->name, hostname) != 0)) continue;
        cJSON *ho = cJSON_CreateObject(), *eps = cJSON_CreateArray();
        if (!ho || !eps) { cJSON_Delete(ho); cJSON_Delete(eps); continue; }
        cJSON_AddNumberToObject(ho, "application", (double)h->app);
        cJSON_AddStringToObject(ho, "host", h->name);
        for (size_t b = 0; b < NBUCKETS; b++)
            for (const endpoint *e = h->bucket[b]; e; e = e->next) {
                cJSON *eo = endpoint_json(e);
                if (eo) cJSON_AddItemToArray(eps, eo);
            }
        cJSON_AddItemToObject(ho, "endpoints", eps);
        cJSON_AddItemToArray(hs, ho);
    }
    cJSON *d = cJSON_AddObjectToObject(root, "dropped");
    if (d) {
        cJSON_AddNumberToObject(d, "hosts", (double)dropped_hosts);
        cJSON_AddNumberToObject(d, "endpoints", (double)dropped_eps);
        cJSON_AddNumberToObject(d, "parameters", (double)dropped_params);
    }
    return root;
}

/* ---- merging replicas' summaries ---- */

static cJSON *find_by(cJSON *arr, const char *k1, const cJSON *v1, const char *k2, const cJSON *v2)
{
    cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(it, k1), *b = cJSON_GetObjectItemCaseSensitive(it, k2);
        if (a && b && cJSON_Compare(a, v1, 1) && cJSON_Compare(b, v2, 1)) return it;
    }
    return NULL;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void set_num(cJSON *o, const char *k, double v)
{
    cJSON *n = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsNumber(n)) cJSON_SetNumberValue(n, v);
    else cJSON_AddNumberToObject(o, k, v);
}

static void merge_endpoint(cJSON *into, const cJSON *e)
{
    set_num(into, "requests", num(into, "requests") + num(e, "requests"));
    if (num(e, "first_seen") < num(into, "first_seen")) set_num(into, "first_seen", num(e, "first_seen"));
    if (num(e, "last_seen") > num(into, "last_seen")) set_num(into, "last_seen", num(e, "last_seen"));
    cJSON *st = cJSON_GetObjectItemCaseSensitive(into, "statuses");
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(e, "statuses"))
        if (cJSON_IsObject(st) && it->string) set_num(st, it->string, num(st, it->string) + (cJSON_IsNumber(it) ? it->valuedouble : 0));
    unsigned bits = sensitive_bits(cJSON_GetObjectItemCaseSensitive(into, "sensitive")) |
                    sensitive_bits(cJSON_GetObjectItemCaseSensitive(e, "sensitive"));
    cJSON_ReplaceItemInObjectCaseSensitive(into, "sensitive", sensitive_list(bits));
    cJSON *ps = cJSON_GetObjectItemCaseSensitive(into, "parameters");
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(e, "parameters")) {
        cJSON *p = find_by(ps, "name", cJSON_GetObjectItemCaseSensitive(it, "name"), "in", cJSON_GetObjectItemCaseSensitive(it, "in"));
        if (!p) { cJSON_AddItemToArray(ps, cJSON_Duplicate(it, 1)); continue; }
        unsigned t = (unsigned)num(p, "types") | (unsigned)num(it, "types");
        set_num(p, "types", t);
        set_num(p, "seen", num(p, "seen") + num(it, "seen"));
        cJSON_DeleteItemFromObjectCaseSensitive(p, "type");
        cJSON_DeleteItemFromObjectCaseSensitive(p, "format");
        add_types(p, t);
    }
}

/* Merges summary `part` into `all` (hosts by application and host, endpoints by method and path). */
static void merge(cJSON *all, const cJSON *part, int app_set, long app, const char *hostname)
{
    cJSON *hs = cJSON_GetObjectItemCaseSensitive(all, "hosts");
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(part, "hosts")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "application"), *n = cJSON_GetObjectItemCaseSensitive(h, "host");
        if (!cJSON_IsNumber(a) || !cJSON_IsString(n)) continue;
        if ((app_set && (long)a->valuedouble != app) || (hostname && strcmp(n->valuestring, hostname) != 0)) continue;
        cJSON *into = find_by(hs, "application", a, "host", n);
        if (!into) { cJSON_AddItemToArray(hs, cJSON_Duplicate(h, 1)); continue; }
        cJSON *eps = cJSON_GetObjectItemCaseSensitive(into, "endpoints");
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "endpoints")) {
            cJSON *ie = find_by(eps, "method", cJSON_GetObjectItemCaseSensitive(e, "method"), "path", cJSON_GetObjectItemCaseSensitive(e, "path"));
            if (!ie) cJSON_AddItemToArray(eps, cJSON_Duplicate(e, 1));
            else merge_endpoint(ie, e);
        }
    }
}

typedef struct merge_ctx { cJSON *all; int app_set; long app; const char *host; int replicas; } merge_ctx;

static void merge_remote(void *ctx, const char *value, size_t len)
{
    merge_ctx *m = ctx;
    cJSON *part = cJSON_ParseWithLength(value, len);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(part, "replica");
    if (cJSON_IsString(r) && strcmp(r->valuestring, replica) != 0) {   /* our own part is merged live */
        merge(m->all, part, m->app_set, m->app, m->host);
        m->replicas++;
    }
    cJSON_Delete(part);
}

/* Every replica's summary merged: this process's live part, then the shared store's. */
static cJSON *merged(int app_set, long app, const char *hostname)
{
    pthread_mutex_lock(&lock);
    cJSON *all = local_summary(app_set, app, hostname);
    pthread_mutex_unlock(&lock);
    if (!all) return NULL;
    merge_ctx m = {all, app_set, app, hostname, 1};
    store_each(KEY_PREFIX, MAX_REMOTE, merge_remote, &m);
    cJSON_DeleteItemFromObjectCaseSensitive(all, "replica");
    cJSON_AddNumberToObject(all, "replicas", m.replicas);
    return all;
}

char *inventory_summary(int app_set, long app, const char *hostname)
{
    cJSON *all = merged(app_set, app, hostname);
    char *text = all ? cJSON_Print(all) : NULL;
    cJSON_Delete(all);
    return text;
}

/* ---- OpenAPI 3.1 ---- */

static void iso_time(double t, char *out, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *schema_of(const cJSON *p)
{
    cJSON *s = cJSON_CreateObject();
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "type"), *f = cJSON_GetObjectItemCaseSensitive(p, "format");
    if (s && cJSON_IsString(t)) cJSON_AddStringToObject(s, "type", t->valuestring);
    if (s && cJSON_IsString(f)) cJSON_AddStringToObject(s, "format", f->valuestring);
    return s;
}

static const char *lower_method(const char *m)
{
    static const char *const ok[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcasecmp(m, ok[i]) == 0) return ok[i];
    return NULL;
}

static cJSON *operation(const cJSON *e, const cJSON *h)
{
    cJSON *op = cJSON_CreateObject(), *params = cJSON_CreateArray(), *resp = cJSON_CreateObject();
    cJSON *props = cJSON_CreateObject(), *required = cJSON_CreateArray();
    if (!op || !params || !resp || !props || !required) {
        cJSON_Delete(op); cJSON_Delete(params); cJSON_Delete(resp); cJSON_Delete(props); cJSON_Delete(required);
        return NULL;
    }
    double requests = num(e, "requests");
    const cJSON *p;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(e, "parameters")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name"), *in = cJSON_GetObjectItemCaseSensitive(p, "in");
        if (!cJSON_IsString(name) || !cJSON_IsString(in)) continue;
        int always = num(p, "seen") >= requests;
        if (strcmp(in->valuestring, "body") == 0) {
            cJSON_AddItemToObject(props, name->valuestring, schema_of(p));
            if (always) cJSON_AddItemToArray(required, cJSON_CreateString(name->valuestring));
            continue;
        }
        cJSON *q = cJSON_CreateObject();
        if (!q) continue;
        cJSON_AddStringToObject(q, "name", name->valuestring);
        cJSON_AddStringToObject(q, "in", in->valuestring);
        cJSON_AddBoolToObject(q, "required", strcmp(in->valuestring, "path") == 0 || always);
        cJSON_AddItemToObject(q, "schema", schema_of(p));
        cJSON_AddItemToArray(params, q);
    }
    if (cJSON_GetArraySize(params)) cJSON_AddItemToObject(op, "parameters", params);
    else cJSON_Delete(params);
    if (props->child) {
        cJSON *schema = cJSON_CreateObject();
        cJSON_AddStringToObject(schema, "type", "object");
        cJSON_AddItemToObject(schema, "properties", props);
        if (cJSON_GetArraySize(required)) cJSON_AddItemToObject(schema, "required", required);
        else cJSON_Delete(required);
        cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
        cJSON *content = cJSON_AddObjectToObject(rb, "content");
        cJSON *mt = cJSON_AddObjectToObject(content, "application/json");
        cJSON_AddItemToObject(mt, "schema", schema);
    } else {
        cJSON_Delete(props);
        cJSON_Delete(required);
    }
    const cJSON *st;
    cJSON_ArrayForEach(st, cJSON_GetObjectItemCaseSensitive(e, "statuses")) {
        cJSON *r = cJSON_CreateObject();
        char d[64];
        snprintf(d, sizeof d, "seen %.0f times", cJSON_IsNumber(st) ? st->valuedouble : 0);
        cJSON_AddStringToObject(r, "description", d);
        cJSON_AddItemToObject(resp, st->string, r);
    }
    if (!resp->child) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "description", "no response reported");
        cJSON_AddItemToObject(resp, "default", r);
    }
    cJSON_AddItemToObject(op, "responses", resp);
    char t[32];
    cJSON_AddNumberToObject(op, "x-edgenode-requests", requests);
    iso_time(num(e, "first_seen"), t, sizeof t);
    cJSON_AddStringToObject(op, "x-edgenode-first-seen", t);
    iso_time(num(e, "last_seen"), t, sizeof t);
    cJSON_AddStringToObject(op, "x-edgenode-last-seen", t);
    cJSON_AddItemToObject(op, "x-edgenode-sensitive", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "sensitive"), 1));
    cJSON_AddNumberToObject(op, "x-edgenode-application", num(h, "application"));
    cJSON_AddStringToObject(op, "x-edgenode-host", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "host")));
    return op;
}

char *inventory_openapi(int app_set, long app, const char *hostname)
{
    cJSON *all = merged(app_set, app, hostname);
    cJSON *doc = cJSON_CreateObject();
    if (!all || !doc) { cJSON_Delete(all); cJSON_Delete(doc); return NULL; }
    cJSON_AddStringToObject(doc, "openapi", "3.1.0");
    cJSON *info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", hostname ? hostname : "API discovered by edgenode");
    cJSON_AddStringToObject(info, "version", "discovered");
    cJSON_AddStringToObject(info, "description", "Endpoints, parameters and statuses seen in traffic; x-edgenode-* give counts and hosts.");
    cJSON *servers = cJSON_AddArrayToObject(doc, "servers"), *paths = cJSON_AddObjectToObject(doc, "paths");
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(all, "hosts")) {
        const char *hn = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, "host"));
        char url[300];
        snprintf(url, sizeof url, "https://%s", hn ? hn : "");
        int dup = 0;
        const cJSON *s;
        cJSON_ArrayForEach(s, servers) dup |= strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "url")), url) == 0;
        if (!dup) {
            cJSON *so = cJSON_CreateObject();
            cJSON_AddStringToObject(so, "url", url);
            cJSON_AddItemToArray(servers, so);
        }
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(h, "endpoints")) {
            const char *path = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "path"));
            const char *m = lower_method(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "method")));
            if (!path || !m) continue;
            cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, path);
            if (!item) item = cJSON_AddObjectToObject(paths, path);
            if (!item || cJSON_GetObjectItemCaseSensitive(item, m)) continue;   /* the same on another host: the first */
            cJSON *op = operation(e, h);
            if (op) cJSON_AddItemToObject(item, m, op);
        }
    }
    cJSON_Delete(all);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    return text;
}

/* ---- stats and reset ---- */

void inventory_get_stats(inventory_stats *s)
{
    memset(s, 0, sizeof *s);
    time_t hour_ago = time(NULL) - 3600;
    pthread_mutex_lock(&lock);
    s->hosts = nhosts;
    for (size_t i = 0; i < nhosts; i++) s->endpoints += hosts[i]->neps;
    size_t n = new_eps_n < sizeof new_eps / sizeof *new_eps ? new_eps_n : sizeof new_eps / sizeof *new_eps;
    for (size_t i = 0; i < n; i++) s->new_last_hour += new_eps[i] >= hour_ago;
    s->dropped_hosts = dropped_hosts;
    s->dropped_endpoints = dropped_eps;
    s->dropped_parameters = dropped_params;
    s->unmatched_reports = unmatched;
    pthread_mutex_unlock(&lock);
}

static void free_segs(seg *s)
{
    while (s) {
        seg *next = s->next;
        free_segs(s->kids);
        if (s->slot) free_segs(s->slot);
        free(s->lit);
        free(s);
        s = next;
    }
}

void inventory_reset(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nhosts; i++) {
        host *h = hosts[i];
        free_segs(h->root.kids);
        free_segs(h->root.slot);
        for (size_t b = 0; b < NBUCKETS; b++)
            while (h->bucket[b]) {
                endpoint *e = h->bucket[b];
                h->bucket[b] = e->next;
                free(e->params);
                free(e->tmpl);
                free(e);
            }
        free(h);
    }
    free(hosts);
    hosts = NULL;
    nhosts = 0;
    dropped_hosts = dropped_eps = dropped_params = unmatched = 0;
    new_eps_n = 0;
    generation++;
    recent_free(by_request);
    by_request = NULL;
    pthread_mutex_unlock(&lock);
    atomic_store(&last_publish_ms, 0);
}
