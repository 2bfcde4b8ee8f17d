/* server.c -- connector listener (see server.h): the node's policy on httpd.h's connection loop.
 * Who may connect (allowed_networks), per-connection limits, the TLS files, and answer(): one verdict
 * per request. */
#include "server.h"
#include "cidr.h"
#include "decide.h"
#include "events.h"
#include "httpd.h"
#include "oversize.h"
#include "metrics.h"
#include "observe.h"
#include "state.h"
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <cjson/cJSON.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct server {
    httpd *d;
};

/* ---- answers ------------------------------------------------------------------------------ */

static char *error_json(const char *msg)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", msg);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* 1 when cJSON prints s as it is inside its quotes: printable ASCII but '"' and '\\'. */
static int json_plain(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\') return 0;
    return 1;
}

/* The answer to most requests, {"verdict":"pass","request_id":"..."}, written directly: the same
 * bytes cJSON_PrintUnformatted gives, without building and printing a tree. NULL when the answer
 * has more members or a string cJSON would escape. */
static char *verdict_json_short(const decide_result *r)
{
    if (!r->verdict || r->reason || r->status == 415 || r->over || (r->status == 403 && r->det.nhits) ||
        !json_plain(r->verdict) || !json_plain(r->request_id))
        return NULL;
    size_t vl = strlen(r->verdict), il = strlen(r->request_id);
    char *s = malloc(vl + il + 32);
    if (!s) return NULL;
    size_t n = 0;
    memcpy(s + n, "{\"verdict\":\"", 12), n += 12;
    memcpy(s + n, r->verdict, vl), n += vl;
    if (il) {
        memcpy(s + n, "\",\"request_id\":\"", 16), n += 16;
        memcpy(s + n, r->request_id, il), n += il;
    }
    memcpy(s + n, "\"}", 3);
    return s;
}

/* The answer's members. A member added here must also make verdict_json_short refuse the
 * answers that carry it, or those would go out without it. */
static char *verdict_json(const decide_result *r)
{
    char *short_answer = verdict_json_short(r);
    if (short_answer) return short_answer;
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

/* Queues one answer: JSON body (owned, may be NULL for an empty one); close: the connection ends after it. */
static void respond(httpd_conn *c, int status, char *json, int close)
{
    static const char ct[] = "Content-Type: application/json\r\n";
    httpd_respond(c, status, json ? ct : NULL, json ? sizeof ct - 1 : 0, json, json ? strlen(json) : 0,
                  close ? HTTPD_CLOSE : 0);
    free(json);
}

/* The requests read so far (this one included) against its connection's limits; 1 when the connection must close after it. */
static int conn_over_limit(httpd_conn *c, const config *cfg)
{
    return (cfg->conn_max_requests && httpd_requests(c) >= cfg->conn_max_requests) ||
           (cfg->conn_max_bytes && httpd_bytes(c) >= cfg->conn_max_bytes) ||
           (cfg->conn_max_duration_ms && (httpd_now() - httpd_opened(c)) * 1000 >= (double)cfg->conn_max_duration_ms);
}

static oversize_limits head_limits(const config *c)
{
    return (oversize_limits){c->max_request_line, c->max_header_line, c->max_header_bytes, c->max_params};
}

/* One whole request: its verdict (decide.c), counted, recorded, queued. */
static void on_request(void *ctx, httpd_conn *c, const http1_request *rq)
{
    (void)ctx;
    node_state *st = state_acquire();
    if (!st) {
        metrics_http_error(500);
        respond(c, 500, error_json("out of memory"), 1);
        return;
    }
    const config *cfg = st->cfg;
    oversize_limits lim = head_limits(cfg);
    oversize_view view = {0};
    const char *q = strchr(rq->target, '?');
    char *path = strndup(rq->target, q ? (size_t)(q - rq->target) : strlen(rq->target));
    unsigned over = rq->body_dropped ? OVER_BODY : 0;
    int status = !path || oversize_fit_head(&lim, rq->method, rq->target, rq->version, rq->headers,
                                            rq->nheaders, &view) < 0 ? -1 : 0;
    decide_input in = {rq->method, path, q ? q + 1 : NULL, rq->headers, rq->nheaders, rq->body,
                       rq->body_len, {0}, NULL, over | view.over, &view};
    cidr_addr_from_sockaddr(httpd_peer(c), in.peer);
    decide_result res;
    res.body_json = NULL;
    if (status == 0) {
        observe_before(st, &in);
        status = decide_message(st, &in, &res);
    }
    int close = conn_over_limit(c, cfg) || state_draining();
    char *json;
    if (status < 0) {
        metrics_http_error(500);
        status = 500;
        json = error_json("out of memory");
    } else {
        if (cfg->reply_timeout_ms && res.type != DECIDE_RESPONSE &&
            (httpd_now() - httpd_request_started(c)) * 1000 > (double)cfg->reply_timeout_ms) {
            metrics_reply_timeout();
            status = decide_late(&res);
        }
        metrics_record(&res);
        events_write(&res);
        observe_after(st, &in, &res);
        json = status == 204 ? NULL : verdict_json(&res);
    }
    decide_result_free(&res);
    oversize_view_free(&view);
    free(path);
    httpd_set_max_body(c, cfg->max_body_bytes);   /* a reload's limit, from the next request on */
    state_release(st);
    respond(c, status, json, close);
}

/* A head past the cap (431) or bytes that are not HTTP (400): a JSON error, then the connection closes. */
static void on_refuse(void *ctx, httpd_conn *c, int status, const char *why)
{
    (void)ctx;
    metrics_http_error(status);
    char msg[128];
    if (status == 431)
        snprintf(msg, sizeof msg, "request head larger than limits.connection_memory (%zu bytes)", httpd_max_head(c));
    respond(c, status, error_json(status == 431 ? msg : why), 1);
}

/* Connections from outside allowed_networks are closed before a byte is read. */
static int on_accept(void *ctx, httpd_conn *c, const struct sockaddr *peer)
{
    (void)ctx;
    unsigned char a[16] = {0};
    int known = cidr_addr_from_sockaddr(peer, a) == 0;
    node_state *st = state_acquire();
    int ok = !st || !st->cfg->allowed_networks.n || (known && cidr_list_contains(&st->cfg->allowed_networks, a));
    if (st) httpd_set_max_body(c, st->cfg->max_body_bytes);
    state_release(st);
    if (!ok) { metrics_reject_network(); return -1; }
    return 0;
}

/* In flight from a request's first byte until its answer is sent or its connection closes. */
static void on_begin(void *ctx, httpd_conn *c) { (void)ctx; (void)c; metrics_inflight(1); }
static void on_done(void *ctx, httpd_conn *c, int n) { (void)ctx; (void)c; if (n) metrics_inflight(-n); }

static unsigned long request_timeout_ms(void *ctx)
{
    (void)ctx;
    node_state *st = state_acquire();
    unsigned long ms = st ? st->cfg->request_timeout_ms : 0;
    state_release(st);
    return ms;
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

int server_check_tls(const config *c, char *err, size_t errlen)
{
    if (!c->tls_cert) return 0;
    char *cert = slurp(c->tls_cert, err, errlen);
    char *key = cert ? slurp(c->tls_key, err, errlen) : NULL;
    int rc = key ? 0 : -1;
    if (rc == 0 && pem_ok(cert, 0) < 0) { snprintf(err, errlen, "tls.cert: %s holds no PEM certificate", c->tls_cert); rc = -1; }
    if (rc == 0 && pem_ok(key, 1) < 0) { snprintf(err, errlen, "tls.key: %s holds no PEM private key", c->tls_key); rc = -1; }
    free(cert);
    free(key);
    return rc;
}

/* The TLS context of c (certificate chain and key from their files), or NULL with err. */
static SSL_CTX *tls_context(const config *c, char *err, size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) { snprintf(err, errlen, "tls: out of memory"); return NULL; }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    const char *why = NULL;
    if (SSL_CTX_use_certificate_chain_file(ctx, c->tls_cert) != 1) why = "tls.cert: cannot use the certificate";
    else if (SSL_CTX_use_PrivateKey_file(ctx, c->tls_key, SSL_FILETYPE_PEM) != 1) why = "tls.key: cannot use the private key";
    else if (SSL_CTX_check_private_key(ctx) != 1) why = "tls: the key does not fit the certificate";
    if (why) {
        snprintf(err, errlen, "%s", why);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

size_t server_pool_bytes(const config *c)
{
    if (c->connection_memory) return c->connection_memory;
    return ((size_t)1 << 20) + c->max_request_line + c->max_header_bytes;
}

server *server_start(const config *c, int listen_fd, char *err, size_t errlen)
{
    server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    SSL_CTX *tls = NULL;
    if (c->tls_cert && (server_check_tls(c, err, errlen) < 0 || !(tls = tls_context(c, err, errlen)))) {
        free(s);
        return NULL;
    }
    int fd = listen_fd;
    if (fd < 0) {
        struct sockaddr_storage ss;
        socklen_t sl = server_sockaddr(c->listen_ip, c->listen_port, &ss);
        if ((fd = sl ? httpd_listen((struct sockaddr *)&ss, sl) : -1) < 0) {
            snprintf(err, errlen, "listen %s: cannot start the listener (%s)", c->listen,
                     sl ? strerror(errno) : "not a numeric address");
            if (tls) SSL_CTX_free(tls);
            free(s);
            return NULL;
        }
    }
    httpd_options o = {c->threads ? c->threads : 1, c->max_connections, c->idle_timeout_s, server_pool_bytes(c),
                       c->max_body_bytes, tls};
    httpd_handler h = {NULL, on_accept, on_begin, NULL, on_request, on_refuse, on_done, on_done, request_timeout_ms};
    if (!(s->d = httpd_start(fd, &o, &h))) {
        snprintf(err, errlen, "listen %s: cannot start the listener (%s)", c->listen, strerror(errno));
        if (listen_fd < 0) close(fd);
        if (tls) SSL_CTX_free(tls);
        free(s);
        return NULL;
    }
    return s;
}

int server_quiesce(server *s)
{
    return s ? httpd_quiesce(s->d) : -1;
}

unsigned server_connections(server *s)
{
    return s ? httpd_connections(s->d) : 0;
}

void server_stop(server *s)
{
    if (!s) return;
    httpd_stop(s->d);
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
