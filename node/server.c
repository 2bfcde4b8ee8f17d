/* server.c -- connector listener (see server.h).
 * Each thread runs its own epoll over the connections it accepted from the shared listening socket;
 * http1.c turns their bytes into requests, answered in order, one verdict each. */
#define _GNU_SOURCE            /* accept4 */
#include "server.h"
#include "decide.h"
#include "events.h"
#include "http1.h"
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
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define IN_BUF    16384         /* bytes read at once per connection */
#define OUT_HIGH  (256 * 1024)  /* answers waiting to be sent past which a connection is not read */
#define LINGER_S  2.0           /* after a closing answer: read and drop what the client still sends */

typedef struct conn conn;
typedef struct worker worker;

struct conn {
    int fd;
    SSL *ssl;
    worker *w;
    conn *prev, *next;
    http1 *p;
    unsigned char peer[16];
    double opened, last_io, req_started;
    unsigned long requests;
    unsigned long long bytes;
    int closing, lingering, in_request, unsent_answers, armed;  /* armed: epoll events asked */
    double linger_until;
    char *out;
    size_t out_len, out_off, out_cap;
    size_t in_len;
    char in[IN_BUF];
};

struct worker {
    server *s;
    pthread_t th;
    int ep, wake;
    int paused;                 /* the listening socket is out of this epoll (max_connections) */
    conn *conns;
    char date[40];
    time_t date_at;
};

struct server {
    int lfd;
    atomic_int quiesced, stopping;
    atomic_uint nconns;
    pthread_mutex_t lmu;        /* adding and removing the listening socket */
    SSL_CTX *tls;
    size_t max_head;
    unsigned max_conns, idle_s, nworkers;
    worker *w;
};

static char tag_listen, tag_wake;   /* epoll data of the listening socket and the wake-up eventfd */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- answers ------------------------------------------------------------------------------ */

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

static const char *reason_phrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default:  return "Status";
    }
}

static int out_put(conn *c, const char *b, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 1024;
        while (cap < c->out_len + n) cap *= 2;
        char *o = realloc(c->out, cap);
        if (!o) return -1;
        c->out = o;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, b, n);
    c->out_len += n;
    return 0;
}

/* The Date header's value, formatted once a second per thread. */
static const char *http_date(worker *w)
{
    time_t t = time(NULL);
    if (t != w->date_at) {
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(w->date, sizeof w->date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        w->date_at = t;
    }
    return w->date;
}

/* Queues one answer: JSON body (owned, may be NULL for an empty one). close: the connection ends
 * after it; keep10: an HTTP/1.0 client that asked to keep the connection; head: the answer to a
 * HEAD request, whose body is left out (its length still said). */
static void respond(conn *c, int status, char *json, int close, int keep10, int head)
{
    char hdr[256];
    size_t blen = json ? strlen(json) : 0;
    int n = snprintf(hdr, sizeof hdr, "HTTP/1.1 %d %s\r\nDate: %s\r\n", status, reason_phrase(status),
                     http_date(c->w));
    if (json) n += snprintf(hdr + n, sizeof hdr - (size_t)n, "Content-Type: application/json\r\n");
    if (status != 204) n += snprintf(hdr + n, sizeof hdr - (size_t)n, "Content-Length: %zu\r\n", blen);
    if (close) n += snprintf(hdr + n, sizeof hdr - (size_t)n, "Connection: close\r\n");
    else if (keep10) n += snprintf(hdr + n, sizeof hdr - (size_t)n, "Connection: keep-alive\r\n");
    n += snprintf(hdr + n, sizeof hdr - (size_t)n, "\r\n");
    if (out_put(c, hdr, (size_t)n) < 0 || (blen && !head && out_put(c, json, blen) < 0)) close = 1;
    free(json);
    c->unsent_answers++;
    if (close) c->closing = 1;
}

/* Counts the request against its connection; 1 when the connection must close after it. */
static int conn_over_limit(conn *c, const config *cfg, size_t bytes)
{
    c->requests++;
    c->bytes += bytes;
    return (cfg->conn_max_requests && c->requests >= cfg->conn_max_requests) ||
           (cfg->conn_max_bytes && c->bytes >= cfg->conn_max_bytes) ||
           (cfg->conn_max_duration_ms && (now_s() - c->opened) * 1000 >= (double)cfg->conn_max_duration_ms);
}

static oversize_limits head_limits(const config *c)
{
    return (oversize_limits){c->max_request_line, c->max_header_line, c->max_header_bytes, c->max_params};
}

/* One whole request: its verdict (decide.c), counted, recorded, queued. */
static void answer(conn *c, const http1_request *rq)
{
    node_state *st = state_acquire();
    if (!st) {
        metrics_http_error(500);
        respond(c, 500, error_json("out of memory"), 1, 0, 0);
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
    memcpy(in.peer, c->peer, sizeof in.peer);
    decide_result res;
    if (status == 0) {
        observe_before(st, &in);
        status = decide_message(st, &in, &res);
    }
    int close = conn_over_limit(c, cfg, rq->received) || state_draining() || !rq->keep_alive;
    char *json;
    if (status < 0) {
        metrics_http_error(500);
        status = 500;
        json = error_json("out of memory");
    } else {
        if (cfg->reply_timeout_ms && res.type != DECIDE_RESPONSE &&
            (now_s() - c->req_started) * 1000 > (double)cfg->reply_timeout_ms) {
            metrics_reply_timeout();
            status = decide_late(&res);
        }
        metrics_record(&res);
        events_write(&res);
        observe_after(st, &in, &res);
        json = status == 204 ? NULL : verdict_json(&res);
    }
    oversize_view_free(&view);
    free(path);
    http1_set_max_body(c->p, cfg->max_body_bytes);   /* a reload's limit, from the next request on */
    state_release(st);
    respond(c, status, json, close, !close && strcmp(rq->version, "HTTP/1.0") == 0, strcmp(rq->method, "HEAD") == 0);
}

/* ---- connections ---------------------------------------------------------------------------- */

static void conn_close(conn *c)
{
    worker *w = c->w;
    if (c->prev) c->prev->next = c->next; else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl) SSL_free(c->ssl);
    close(c->fd);
    if (c->in_request + c->unsent_answers) metrics_inflight(-(c->in_request + c->unsent_answers));
    http1_free(c->p);
    free(c->out);
    free(c);
    atomic_fetch_sub(&w->s->nconns, 1);
}

/* >0 bytes read, 0 end of stream, -1 error, -2 nothing now. */
static long conn_recv(conn *c, char *b, size_t n)
{
    if (!c->ssl) {
        ssize_t r = recv(c->fd, b, n, 0);
        if (r >= 0) return (long)r;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -2 : -1;
    }
    int r = SSL_read(c->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return -2;
    return e == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

/* >=0 bytes sent, -1 error, -2 not now. */
static long conn_send(conn *c, const char *b, size_t n)
{
    if (!c->ssl) {
        ssize_t r = send(c->fd, b, n, MSG_NOSIGNAL);
        if (r >= 0) return (long)r;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -2 : -1;
    }
    int r = SSL_write(c->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? -2 : -1;
}

/* Waits for output room while answers are queued, and stops reading while too many are. */
static void arm(conn *c, int want_out)
{
    int want = (want_out ? EPOLLOUT : 0) | (want_out && c->out_len - c->out_off > OUT_HIGH ? 0 : EPOLLIN);
    if (want == c->armed) return;
    struct epoll_event ev = {.events = (uint32_t)want, .data.ptr = c};
    epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->armed = want;
}

/* Sends what is queued; a closing connection then lingers (see LINGER_S). -1: closed. */
static int flush(conn *c)
{
    for (int i = 0; i < 1024 && c->out_off < c->out_len; i++) {
        long n = conn_send(c, c->out + c->out_off, c->out_len - c->out_off);
        if (n == -2) break;
        if (n < 0) { conn_close(c); return -1; }
        c->out_off += (size_t)n;
        c->last_io = now_s();
    }
    if (c->out_off < c->out_len) { arm(c, 1); return 0; }
    c->out_off = c->out_len = 0;
    if (c->unsent_answers) metrics_inflight(-c->unsent_answers);
    c->unsent_answers = 0;
    arm(c, 0);
    if (c->closing && !c->lingering) {
        if (c->ssl) SSL_shutdown(c->ssl);
        shutdown(c->fd, SHUT_WR);
        c->lingering = 1;
        c->linger_until = now_s() + LINGER_S;
    }
    return 0;
}

/* Parses what was read and answers every request it completes. */
static void process(conn *c)
{
    size_t off = 0;
    for (int guard = 0; guard < 100000 && off < c->in_len && !c->closing; guard++) {
        size_t used;
        http1_event e = http1_feed(c->p, c->in + off, c->in_len - off, &used);
        off += used;
        if (!c->in_request && http1_in_request(c->p)) {
            c->in_request = 1;
            c->req_started = now_s();
            metrics_inflight(1);
        }
        if (e == HTTP1_MORE) break;
        if (e == HTTP1_HEAD) {
            if (http1_expects_continue(c->p)) out_put(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            continue;
        }
        if (!c->in_request) {           /* a whole request in one feed: it began here */
            c->req_started = now_s();
            metrics_inflight(1);
        }
        c->in_request = 0;              /* in flight until sent: respond() counts it */
        if (e == HTTP1_REQUEST) {
            answer(c, http1_request_get(c->p));
            http1_next(c->p);
        } else if (e == HTTP1_TOO_LARGE) {
            metrics_http_error(431);
            char msg[128];
            snprintf(msg, sizeof msg, "request head larger than limits.connection_memory (%zu bytes)",
                     c->w->s->max_head);
            respond(c, 431, error_json(msg), 1, 0, 0);
        } else {
            metrics_http_error(400);
            respond(c, 400, error_json(http1_error(c->p)), 1, 0, 0);
        }
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
}

static void on_readable(conn *c)
{
    for (int i = 0; i < 1024; i++) {
        if (c->lingering) {             /* drop what still comes, until the client closes */
            char sink[4096];
            long n = conn_recv(c, sink, sizeof sink);
            if (n == -2) return;
            if (n <= 0) { conn_close(c); return; }
            continue;
        }
        if (c->out_len - c->out_off > OUT_HIGH || c->in_len == sizeof c->in) break;
        long n = conn_recv(c, c->in + c->in_len, sizeof c->in - c->in_len);
        if (n == -2) break;
        if (n <= 0) { conn_close(c); return; }
        c->last_io = now_s();
        c->in_len += (size_t)n;
        process(c);
        if (c->closing) break;
    }
    flush(c);
}

static void on_event(conn *c, uint32_t ev)
{
    if (ev & (EPOLLERR | EPOLLHUP) && !(ev & EPOLLIN)) { conn_close(c); return; }
    if (ev & EPOLLOUT) {
        if (flush(c) < 0) return;
        if (c->out_len == 0 && c->in_len && !c->closing) {   /* input held back while answers waited */
            process(c);
            if (flush(c) < 0) return;
        }
    }
    /* decrypted bytes OpenSSL still holds raise no socket event: read them once answers drained */
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) || (c->ssl && SSL_pending(c->ssl) > 0)) on_readable(c);
}

static void listen_add(worker *w)
{
    server *s = w->s;
    pthread_mutex_lock(&s->lmu);
    if (!atomic_load(&s->quiesced)) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &tag_listen};
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, s->lfd, &ev) == 0) w->paused = 0;
    }
    pthread_mutex_unlock(&s->lmu);
}

/* Connections from outside allowed_networks are closed before a byte is read. */
static void on_accept(worker *w)
{
    server *s = w->s;
    for (int i = 0; i < 64; i++) {
        /* the slot is taken before accept, so threads accepting at once cannot pass the limit */
        if (atomic_fetch_add(&s->nconns, 1) >= s->max_conns && s->max_conns) {
            atomic_fetch_sub(&s->nconns, 1);
            pthread_mutex_lock(&s->lmu);           /* the rest wait in the listen queue */
            if (!w->paused && !atomic_load(&s->quiesced)) epoll_ctl(w->ep, EPOLL_CTL_DEL, s->lfd, NULL);
            w->paused = 1;
            pthread_mutex_unlock(&s->lmu);
            return;
        }
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) { atomic_fetch_sub(&s->nconns, 1); return; }
        unsigned char a[16] = {0};
        int known = cidr_addr_from_sockaddr((struct sockaddr *)&ss, a) == 0;
        node_state *st = state_acquire();
        int ok = !st || !st->cfg->allowed_networks.n || (known && cidr_list_contains(&st->cfg->allowed_networks, a));
        size_t max_body = st ? st->cfg->max_body_bytes : 0;
        state_release(st);
        if (!ok) { metrics_reject_network(); close(fd); atomic_fetch_sub(&s->nconns, 1); continue; }
        conn *c = calloc(1, sizeof *c);
        if (c) c->p = http1_new(s->max_head, max_body);
        if (c && c->p && s->tls && (c->ssl = SSL_new(s->tls)) != NULL) {
            SSL_set_fd(c->ssl, fd);
            SSL_set_accept_state(c->ssl);
        }
        if (!c || !c->p || (s->tls && !c->ssl)) {
            if (c) http1_free(c->p);
            free(c);
            close(fd);
            atomic_fetch_sub(&s->nconns, 1);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
        c->w = w;
        memcpy(c->peer, a, sizeof c->peer);
        c->opened = c->last_io = now_s();
        c->armed = EPOLLIN;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            if (c->ssl) SSL_free(c->ssl);
            http1_free(c->p);
            free(c);
            close(fd);
            atomic_fetch_sub(&s->nconns, 1);
            continue;
        }
        c->next = w->conns;
        if (w->conns) w->conns->prev = c;
        w->conns = c;
    }
}

/* Closes connections silent for idle_timeout, with a request older than request_timeout, or
 * lingering past their time. */
static void sweep(worker *w)
{
    double t = now_s();
    node_state *st = state_acquire();
    unsigned long req_ms = st ? st->cfg->request_timeout_ms : 0;
    state_release(st);
    for (conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        if ((c->lingering && t > c->linger_until) ||
            (w->s->idle_s && t - c->last_io > (double)w->s->idle_s) ||
            (req_ms && c->in_request && (t - c->req_started) * 1000 > (double)req_ms))
            conn_close(c);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    server *s = w->s;
    struct epoll_event evs[64];
    double last_sweep = now_s();
    while (!atomic_load(&s->stopping)) {
        int n = epoll_wait(w->ep, evs, 64, w->paused ? 50 : 250);
        for (int i = 0; i < n; i++) {
            void *d = evs[i].data.ptr;
            if (d == &tag_listen) on_accept(w);
            else if (d == &tag_wake) { uint64_t v; if (read(w->wake, &v, sizeof v) < 0) {} }
            else on_event(d, evs[i].events);
        }
        if (w->paused && !atomic_load(&s->quiesced) && atomic_load(&s->nconns) < s->max_conns) listen_add(w);
        if (now_s() - last_sweep >= 0.25) {
            sweep(w);
            last_sweep = now_s();
        }
    }
    while (w->conns) conn_close(w->conns);
    return NULL;
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

static void server_free(server *s)
{
    if (s->w)
        for (unsigned i = 0; i < s->nworkers; i++) {
            if (s->w[i].ep >= 0) close(s->w[i].ep);
            if (s->w[i].wake >= 0) close(s->w[i].wake);
        }
    free(s->w);
    if (s->tls) SSL_CTX_free(s->tls);
    pthread_mutex_destroy(&s->lmu);
    free(s);
}

static int open_listener(const config *c, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl = server_sockaddr(c->listen_ip, c->listen_port, &ss);
    int fd = sl ? socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) : -1;
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4096) < 0) {
        snprintf(err, errlen, "listen %s: cannot start the listener (%s)", c->listen,
                 sl ? strerror(errno) : "not a numeric address");
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

server *server_start(const config *c, int listen_fd, char *err, size_t errlen)
{
    server *s = calloc(1, sizeof *s);
    if (!s) { snprintf(err, errlen, "out of memory"); return NULL; }
    pthread_mutex_init(&s->lmu, NULL);
    s->max_head = server_pool_bytes(c);
    s->max_conns = c->max_connections;
    s->idle_s = c->idle_timeout_s;
    s->nworkers = c->threads ? c->threads : 1;
    if (c->tls_cert && (server_check_tls(c, err, errlen) < 0 || !(s->tls = tls_context(c, err, errlen)))) {
        server_free(s);
        return NULL;
    }
    s->w = calloc(s->nworkers, sizeof *s->w);
    if (!s->w) { snprintf(err, errlen, "out of memory"); server_free(s); return NULL; }
    for (unsigned i = 0; i < s->nworkers; i++) s->w[i].ep = s->w[i].wake = -1;
    for (unsigned i = 0; i < s->nworkers; i++) {
        worker *w = &s->w[i];
        w->s = s;
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &tag_wake};
        if (w->ep < 0 || w->wake < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) < 0) {
            snprintf(err, errlen, "listen %s: cannot start the listener (%s)", c->listen, strerror(errno));
            server_free(s);
            return NULL;
        }
    }
    if (listen_fd >= 0) {
        s->lfd = listen_fd;
        fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    } else if ((s->lfd = open_listener(c, err, errlen)) < 0) {
        server_free(s);
        return NULL;
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        listen_add(&s->w[i]);
        if (pthread_create(&s->w[i].th, NULL, worker_main, &s->w[i]) != 0) {
            snprintf(err, errlen, "listen %s: cannot start a listener thread", c->listen);
            atomic_store(&s->stopping, 1);
            for (unsigned j = 0; j < i; j++) {
                uint64_t one = 1;
                if (write(s->w[j].wake, &one, sizeof one) < 0) {}
                pthread_join(s->w[j].th, NULL);
            }
            if (listen_fd < 0) close(s->lfd);
            server_free(s);
            return NULL;
        }
    }
    return s;
}

int server_quiesce(server *s)
{
    if (!s || atomic_load(&s->quiesced)) return -1;
    pthread_mutex_lock(&s->lmu);
    atomic_store(&s->quiesced, 1);
    for (unsigned i = 0; i < s->nworkers; i++)
        if (!s->w[i].paused) epoll_ctl(s->w[i].ep, EPOLL_CTL_DEL, s->lfd, NULL);
    pthread_mutex_unlock(&s->lmu);
    return s->lfd;                                /* now the caller's: stop() no longer closes it */
}

unsigned server_connections(server *s)
{
    return s ? atomic_load(&s->nconns) : 0;
}

void server_stop(server *s)
{
    if (!s) return;
    atomic_store(&s->stopping, 1);
    for (unsigned i = 0; i < s->nworkers; i++) {
        uint64_t one = 1;
        if (write(s->w[i].wake, &one, sizeof one) < 0) {}
    }
    for (unsigned i = 0; i < s->nworkers; i++) pthread_join(s->w[i].th, NULL);
    if (!atomic_load(&s->quiesced)) close(s->lfd);
    server_free(s);
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
