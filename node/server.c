/* server.c -- connector listener (see server.h).
 * The first handler call sees headers, later calls the body; the verdict is queued on the last
 * call so keep-alive and pipelining stay intact. Every request that is HTTP gets a verdict. */
#include "server.h"
#include "decide.h"
#include "events.h"
#include "oversize.h"
#include "metrics.h"
#include "observe.h"
#include "state.h"
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct server {
    struct MHD_Daemon *d;
    char *cert, *key;           /* PEM text, alive as long as the daemon */
};

typedef struct conn_info {      /* per TCP connection, for per_connection limits */
    unsigned long requests;
    unsigned long long bytes;
    double started;
} conn_info;

typedef struct req {            /* per request, freed on completion */
    node_state *st;
    double started;
    char *target;               /* the raw request target, as sent */
    char *body;                 /* the body up to limits.max_body_size */
    size_t len, cap;
    unsigned over;              /* OVER_* bits met while receiving */
    int headers_seen, answered;
} req;

typedef struct vec { httpreq_header *v; size_t n, cap; size_t bytes; int oom; } vec;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- collecting the request --------------------------------------------------------------- */

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    vec *h = cls;
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 32;
        httpreq_header *nv = realloc(h->v, cap * sizeof *nv);
        if (!nv) { h->oom = 1; return MHD_NO; }
        h->v = nv;
        h->cap = cap;
    }
    h->v[h->n].name = k;
    h->v[h->n++].value = v ? v : "";
    h->bytes += strlen(k) + (v ? strlen(v) : 0) + 4;
    return MHD_YES;
}

static size_t raw_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls; (void)c;
    return strlen(s);           /* detection wants the bytes as sent; its decoders unescape */
}

/* Called by libmicrohttpd with the request target before it splits the query; the returned
 * request context is the handler's *req_cls. The target is kept as sent, and the query is then
 * ended right after '?' so the library records no arguments: libmicrohttpd 0.9 stores one
 * 48-byte record per argument in the connection's memory pool, and a long query of short
 * parameters would exhaust it (the request then went unanswered). Detection splits the query. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls; (void)c;
    req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    metrics_inflight(1);
    r->started = now_s();
    r->target = strdup(uri);
    char *q = strchr(uri, '?');
    if (q && q[1]) q[1] = '\0';  /* the library's own buffer, which it splits in place next */
    return r;
}

/* ---- answering ---------------------------------------------------------------------------- */

static enum MHD_Result queue(struct MHD_Connection *c, int status, char *json, int close)
{
    struct MHD_Response *resp = json
        ? MHD_create_response_from_buffer(strlen(json), json, MHD_RESPMEM_MUST_FREE)
        : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!resp) { free(json); return MHD_NO; }
    if (json) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (close) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static char *error_json(const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static char *verdict_json(const decide_result *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "verdict", r->verdict);
    if (r->reason) cJSON_AddStringToObject(o, "reason", r->reason);
    if (r->request_id[0]) cJSON_AddStringToObject(o, "request_id", r->request_id);
    if (r->status == 415) cJSON_AddStringToObject(o, "host", r->host);
    if (r->over) {                                  /* the limits it went past: analysed as far as them */
        cJSON *l = cJSON_AddArrayToObject(o, "limits");
        for (int i = 0; l && i < OVER_NREASONS; i++)
            if (r->over & (1u << i)) cJSON_AddItemToArray(l, cJSON_CreateString(oversize_reason_name(i)));
    }
    if (r->status == 403 && r->det.nhits) {
        cJSON_AddNumberToObject(o, "score", r->det.score);
        cJSON_AddNumberToObject(o, "threshold", r->threshold);
        cJSON *a = cJSON_AddArrayToObject(o, "attacks");
        for (int i = 0; a && i < r->det.nhits; i++) {
            cJSON *h = cJSON_CreateObject();
            cJSON_AddStringToObject(h, "class", r->det.hits[i].attack_class);
            cJSON_AddStringToObject(h, "rule", r->det.hits[i].rule_id);
            cJSON_AddStringToObject(h, "where", r->det.hits[i].where);
            cJSON_AddNumberToObject(h, "score", r->det.hits[i].score);
            cJSON_AddItemToArray(a, h);
        }
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Counts the request against its connection; 1 when the connection must close after it. */
static int conn_over_limit(struct MHD_Connection *c, const config *cfg, size_t bytes)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    conn_info *k = ci ? ci->socket_context : NULL;
    if (!k) return 0;
    k->requests++;
    k->bytes += bytes;
    return (cfg->conn_max_requests && k->requests >= cfg->conn_max_requests) ||
           (cfg->conn_max_bytes && k->bytes >= cfg->conn_max_bytes) ||
           (cfg->conn_max_duration_ms && (now_s() - k->started) * 1000 >= (double)cfg->conn_max_duration_ms);
}

static oversize_limits head_limits(const config *c)
{
    return (oversize_limits){c->max_request_line, c->max_header_line, c->max_header_bytes, c->max_params};
}

static enum MHD_Result answer(struct MHD_Connection *c, req *r, const char *method, const char *version)
{
    const config *cfg = r->st->cfg;
    vec h = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, &h);
    oversize_limits lim = head_limits(cfg);
    oversize_view view = {0};
    const char *q = strchr(r->target, '?');
    char *path = strndup(r->target, q ? (size_t)(q - r->target) : strlen(r->target));
    int status = !path || h.oom || oversize_fit_head(&lim, method, r->target, version, h.v, h.n, &view) < 0 ? -1 : 0;
    decide_input in = {method, path, q ? q + 1 : NULL, h.v, h.n, r->body, r->len, {0}, NULL,
                       r->over | view.over, &view};
    const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ai && ai->client_addr) cidr_addr_from_sockaddr(ai->client_addr, in.peer);
    decide_result res;
    if (status == 0) {
        observe_before(r->st, &in);
        status = decide_message(r->st, &in, &res);
    }
    int close = conn_over_limit(c, cfg, h.bytes + strlen(r->target) + r->len + 16) || state_draining();
    char *json;
    if (status < 0) {
        metrics_http_error(500);
        status = 500;
        json = error_json("out of memory");
    } else {
        if (cfg->reply_timeout_ms && res.type != DECIDE_RESPONSE &&
            (now_s() - r->started) * 1000 > (double)cfg->reply_timeout_ms) {
            metrics_reply_timeout();
            status = decide_late(&res);
        }
        metrics_record(&res);
        events_write(&res);
        observe_after(r->st, &in, &res);
        json = status == 204 ? NULL : verdict_json(&res);
    }
    oversize_view_free(&view);
    free(path);
    free(h.v);
    r->answered = 1;
    return queue(c, status, json, close);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **req_cls)
{
    (void)cls; (void)url;
    req *r = *req_cls;
    if (!r || !r->target) return MHD_NO;            /* out of memory in on_uri */
    if (!r->headers_seen) {                         /* headers only: never answer 200 here */
        r->headers_seen = 1;
        r->st = state_acquire();
        if (!r->st) return MHD_NO;
        if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
            !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
            metrics_http_error(400);                /* RFC 9112 3.2: Host is mandatory in 1.1 */
            r->answered = 1;
            return queue(c, MHD_HTTP_BAD_REQUEST, error_json("HTTP/1.1 request without Host"), 1);
        }
        return MHD_YES;
    }
    if (*size) {
        const config *cfg = r->st->cfg;           /* a body trickling in past the limit: hang up */
        if (cfg->request_timeout_ms && (now_s() - r->started) * 1000 > (double)cfg->request_timeout_ms)
            return MHD_NO;
        size_t keep = *size;                      /* past max_body_size: analysed as far as it */
        if (r->len + keep > cfg->max_body_bytes) {
            keep = cfg->max_body_bytes - r->len;
            r->over |= OVER_BODY;
        }
        if (!r->answered && keep) {
            if (r->len + keep + 1 > r->cap) {
                size_t cap = (r->len + keep + 1) * 2;
                if (cap > cfg->max_body_bytes + 1) cap = cfg->max_body_bytes + 1;
                char *b = realloc(r->body, cap);
                if (!b) return MHD_NO;
                r->body = b;
                r->cap = cap;
            }
            memcpy(r->body + r->len, data, keep);
            r->len += keep;
        }
        *size = 0;
        return MHD_YES;
    }
    if (r->answered) return MHD_YES;
    return answer(c, r, method, version);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    req *r = *req_cls;
    if (!r) return;
    state_release(r->st);
    free(r->target);
    free(r->body);
    free(r);
    *req_cls = NULL;
    metrics_inflight(-1);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode code)
{
    (void)cls; (void)c;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_info *k = calloc(1, sizeof *k);
        if (k) k->started = now_s();
        *socket_ctx = k;
    } else {
        free(*socket_ctx);
        *socket_ctx = NULL;
    }
}

/* Connections from outside allowed_networks are closed before a byte is read. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    (void)cls; (void)len;
    node_state *s = state_acquire();
    unsigned char a[16];
    int ok = !s || !s->cfg->allowed_networks.n ||
             (cidr_addr_from_sockaddr(addr, a) == 0 && cidr_list_contains(&s->cfg->allowed_networks, a));
    state_release(s);
    if (!ok) metrics_reject_network();
    return ok ? MHD_YES : MHD_NO;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

socklen_t server_sockaddr(const char *ip, int port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)(void *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)(void *)ss;
    if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((unsigned short)port);
        return sizeof *s4;
    }
    if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((unsigned short)port);
        return sizeof *s6;
    }
    return 0;
}

static char *slurp(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "tls: cannot open %s: %s", path, strerror(errno)); return NULL; }
    char *p = NULL;
    size_t len = 0, n;
    char chunk[4096];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        char *q = realloc(p, len + n + 1);
        if (!q) { free(p); fclose(f); return NULL; }
        p = q;
        memcpy(p + len, chunk, n);
        len += n;
        p[len] = '\0';
    }
    fclose(f);
    if (!p) snprintf(err, errlen, "tls: %s is empty", path);
    return p;
}

/* 0 when text holds a PEM certificate (key = 0) or private key (key = 1) OpenSSL can read. */
static int pem_ok(const char *text, int key)
{
    BIO *b = BIO_new_mem_buf(text, -1);
    if (!b) return -1;
    int ok;
    if (key) {
        EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        ok = k != NULL;
        EVP_PKEY_free(k);
    } else {
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        ok = x != NULL;
        X509_free(x);
    }
    BIO_free(b);
    return ok ? 0 : -1;
}

static int load_tls(server *s, const config *c, char *err, size_t errlen)
{
    s->cert = slurp(c->tls_cert, err, errlen);
    s->key = s->cert ? slurp(c->tls_key, err, errlen) : NULL;
    if (!s->key) return -1;
    if (pem_ok(s->cert, 0) < 0) { snprintf(err, errlen, "tls.cert: %s holds no PEM certificate", c->tls_cert); return -1; }
    if (pem_ok(s->key, 1) < 0) { snprintf(err, errlen, "tls.key: %s holds no PEM private key", c->tls_key); return -1; }
    return 0;
}

int server_check_tls(const config *c, char *err, size_t errlen)
{
    if (!c->tls_cert) return 0;
    server tmp = {0};
    int rc = load_tls(&tmp, c, err, errlen);
    free(tmp.cert);
    free(tmp.key);
    return rc;
}

size_t server_pool_bytes(const config *c)
{
    if (c->connection_memory) return c->connection_memory;
    /* the head twice (read buffer and its growth) and 32 bytes of records per header byte: a
     * record is about 50 bytes, and a cookie as short as "a;" is one (see server.h) */
    return 2 * (c->max_request_line + c->max_header_bytes) + 32 * c->max_header_bytes;
}

server *server_start(const config *c, int listen_fd, char *err, size_t errlen)
{
    server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    struct sockaddr_storage ss;
    socklen_t sl = server_sockaddr(c->listen_ip, c->listen_port, &ss);
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (c->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
            snprintf(err, errlen, "tls: this libmicrohttpd has no TLS support");
            free(s);
            return NULL;
        }
        if (load_tls(s, c, err, errlen) < 0) { free(s->cert); free(s->key); free(s); return NULL; }
        flags |= MHD_USE_TLS;
    }
    (void)sl;
    errno = 0;
    struct MHD_OptionItem where[] = {      /* a socket handed over, or an address to bind */
        listen_fd >= 0 ? (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET, listen_fd, NULL}
                       : (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_END, 0, NULL}};
    s->d = MHD_start_daemon(flags, (uint16_t)c->listen_port, on_accept, NULL, on_request, NULL,
        MHD_OPTION_ARRAY, where,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(c->threads > 1 ? c->threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, c->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, c->idle_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, server_pool_bytes(c),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
        MHD_OPTION_UNESCAPE_CALLBACK, raw_unescape, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
        MHD_OPTION_HTTPS_MEM_CERT, s->cert, MHD_OPTION_HTTPS_MEM_KEY, s->key,
        MHD_OPTION_END);
    if (!s->d) {
        snprintf(err, errlen, "listen %s: cannot start the listener (%s)", c->listen,
                 errno ? strerror(errno) : "the address is taken, or the TLS key does not fit the certificate");
        free(s->cert); free(s->key); free(s);
        return NULL;
    }
    return s;
}

int server_quiesce(server *s)
{
    if (!s || !s->d) return -1;
    MHD_socket fd = MHD_quiesce_daemon(s->d);     /* now ours: stop() no longer closes it */
    return fd == MHD_INVALID_SOCKET ? -1 : (int)fd;
}

unsigned server_connections(server *s)
{
    const union MHD_DaemonInfo *i = s && s->d ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;
    return i ? i->num_connections : 0;
}

void server_stop(server *s)
{
    if (!s) return;
    if (s->d) MHD_stop_daemon(s->d);
    free(s->cert);
    free(s->key);
    free(s);
}

static int str_diff(const char *a, const char *b)
{
    return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

int server_options_changed(const config *o, const config *c)
{
    return str_diff(o->listen, c->listen) || str_diff(o->tls_cert, c->tls_cert) ||
           str_diff(o->tls_key, c->tls_key) || o->threads != c->threads ||
           o->max_connections != c->max_connections || server_pool_bytes(o) != server_pool_bytes(c) ||
           o->idle_timeout_s != c->idle_timeout_s;
}
