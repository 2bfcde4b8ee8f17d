/* httpd.c -- HTTP/1.1 connection loop (see httpd.h).
 * Each thread runs its own epoll over the connections it accepted from the shared listening socket;
 * http1.c turns their bytes into requests, answered in order through the handler. */
#define _GNU_SOURCE            /* accept4 */
#include "httpd.h"
#include "decimal.h"
#include <openssl/err.h>
#include <openssl/ssl.h>
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define IN_BUF    16384         /* bytes read at once per connection */
#define OUT_HIGH  (256 * 1024)  /* answers waiting to be sent past which a connection is not read */
#define LINGER_S  2.0           /* after a closing answer: read and drop what the client still sends */
#define IOV_N     64            /* segments handed to one sendmsg */
/* Requests one connection may have answered per turn of the loop: past them its remaining input
 * waits for the next turn, after every other ready connection's, so that a client pipelining
 * hundreds of requests cannot hold the thread while the others wait. */
#define TURN_REQUESTS 16

typedef struct worker worker;

/* A piece of the output queue: bytes copied into the connection's out buffer (ext NULL, at out + off),
 * or the caller's bytes at ext, held until release(arg). */
typedef struct seg {
    const char *ext;
    size_t off, len;
    void (*release)(void *arg);
    void *arg;
} seg;

struct httpd_conn {
    int fd;
    SSL *ssl;
    worker *w;
    httpd_conn *prev, *next;
    http1 *p;
    void *user;
    struct sockaddr_storage peer;
    double opened, last_io, req_started;
    unsigned long requests;
    unsigned long long bytes;
    int closing, lingering, in_request, head_seen, unsent_answers, armed;  /* armed: epoll events asked */
    int req_head, req_keep, req_10;   /* the current request: HEAD, may keep the connection, HTTP/1.0 */
    int turn_left;              /* requests it may still answer in this turn */
    int eof;                    /* the client's stream ended while requests waited for a turn: no more
                                 * reading, and the connection closes once they are answered */
    int in_ready;               /* in the worker's ready list: input left over for the next turn */
    httpd_conn *ready_next;
    double linger_until;
    char *out;                  /* copied bytes of the queued answers (segs point into it by offset) */
    size_t out_len, out_cap;
    seg *segs;                  /* the output queue, sent from segs[seg_at] (seg_done bytes of it sent) */
    unsigned nseg, seg_cap, seg_at;
    size_t seg_done;
    size_t pending;             /* bytes queued and not yet sent */
    size_t in_len;
    char in[IN_BUF];
};

struct worker {
    httpd *s;
    pthread_t th;
    int ep, wake;
    int paused;                 /* the listening socket is out of this epoll (max_conns, no fds) */
    double resume_at;           /* out of descriptors: not before this time */
    httpd_conn *conns;
    httpd_conn *ready, *ready_tail;   /* connections with input left over, in turn order */
    char date[40];
    time_t date_at;
};

struct httpd {
    int lfd;
    atomic_int quiesced, stopping;
    atomic_uint nconns;
    pthread_mutex_t lmu;        /* adding and removing the listening socket */
    httpd_options o;
    httpd_handler h;
    worker *w;
};

static char tag_listen, tag_wake;   /* epoll data of the listening socket and the wake-up eventfd */

double httpd_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- answers ------------------------------------------------------------------------------ */

const char *httpd_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
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

static int seg_add(httpd_conn *c, const char *ext, size_t off, size_t len, void (*release)(void *), void *arg)
{
    if (c->nseg == c->seg_cap) {
        unsigned cap = c->seg_cap ? c->seg_cap * 2 : 8;
        seg *g = realloc(c->segs, cap * sizeof *g);
        if (!g) return -1;
        c->segs = g;
        c->seg_cap = cap;
    }
    c->segs[c->nseg++] = (seg){ext, off, len, release, arg};
    c->pending += len;
    return 0;
}

/* Queues a copy of b; next to copied bytes already queued it only lengthens their segment. */
static int out_put(httpd_conn *c, const void *b, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 1024;
        while (cap < c->out_len + n) cap *= 2;
        char *o = realloc(c->out, cap);
        if (!o) return -1;
        c->out = o;
        c->out_cap = cap;
    }
    seg *last = c->nseg > c->seg_at ? &c->segs[c->nseg - 1] : NULL;
    if (last && !last->ext && last->off + last->len == c->out_len) {
        last->len += n;
        c->pending += n;
    } else if (seg_add(c, NULL, c->out_len, n, NULL, NULL) < 0) {
        return -1;
    }
    memcpy(c->out + c->out_len, b, n);
    c->out_len += n;
    return 0;
}

/* Drops the first n queued bytes (sent), releasing the caller's segments they finish. */
static void out_consume(httpd_conn *c, size_t n)
{
    c->pending -= n;
    while (n && c->seg_at < c->nseg) {
        seg *g = &c->segs[c->seg_at];
        size_t rest = g->len - c->seg_done;
        if (n < rest) { c->seg_done += n; return; }
        n -= rest;
        if (g->release) g->release(g->arg);
        c->seg_at++;
        c->seg_done = 0;
    }
}

/* Releases what was never sent (the connection closes). */
static void out_drop(httpd_conn *c)
{
    for (unsigned i = c->seg_at; i < c->nseg; i++)
        if (c->segs[i].release) c->segs[i].release(c->segs[i].arg);
    c->seg_at = c->nseg = 0;
    c->seg_done = c->pending = c->out_len = 0;
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

static char *put_str(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define PUT_LIT(p, lit) put_str(p, lit, sizeof lit - 1)

/* by_ref: the body may be queued as the caller's bytes (see httpd_respond_ref). The lines around the
 * caller's head are put together by hand: three snprintf calls were a third of a cached answer. */
static void respond(httpd_conn *c, int status, const char *head, size_t head_len, const void *body, size_t len,
                    int by_ref, void (*release)(void *arg), void *arg, unsigned flags)
{
    int close = (flags & HTTPD_CLOSE) || !c->req_keep;
    char line[160], *p = line;
    const char *reason = httpd_reason(status), *date = http_date(c->w);
    p = PUT_LIT(p, "HTTP/1.1 ");
    p = decimal_put(p, (unsigned)status % 1000);
    *p++ = ' ';
    p = put_str(p, reason, strlen(reason));          /* at most 31 bytes */
    p = PUT_LIT(p, "\r\nDate: ");
    p = put_str(p, date, strlen(date));              /* 29 bytes */
    p = PUT_LIT(p, "\r\n");
    int bad = out_put(c, line, (size_t)(p - line)) < 0 || (head_len && out_put(c, head, head_len) < 0);
    p = line;
    if (status >= 200 && status != 204 && status != 304) {
        p = PUT_LIT(p, "Content-Length: ");
        p = decimal_put(p, len);
        p = PUT_LIT(p, "\r\n");
    }
    if (close) p = PUT_LIT(p, "Connection: close\r\n");
    else if (c->req_10) p = PUT_LIT(p, "Connection: keep-alive\r\n");
    p = PUT_LIT(p, "\r\n");
    bad = bad || out_put(c, line, (size_t)(p - line)) < 0;
    int send_body = len && !c->req_head && !bad;
    if (send_body && by_ref && !c->ssl && len > 256) {  /* sent from the caller's bytes by sendmsg */
        bad = seg_add(c, body, 0, len, release, arg) < 0;
        if (!bad) release = NULL;                        /* now the queue's to call */
    } else if (send_body) {
        bad = out_put(c, body, len) < 0;                 /* small, or TLS (SSL_write takes one buffer) */
    }
    if (release) release(arg);
    c->unsent_answers++;
    if (close || bad) c->closing = 1;
}

void httpd_respond(httpd_conn *c, int status, const char *head, size_t head_len, const void *body,
                   size_t len, unsigned flags)
{
    respond(c, status, head, head_len, body, len, 0, NULL, NULL, flags);
}

void httpd_respond_ref(httpd_conn *c, int status, const char *head, size_t head_len, const void *body,
                       size_t len, void (*release)(void *arg), void *arg, unsigned flags)
{
    respond(c, status, head, head_len, body, len, 1, release, arg, flags);
}

void httpd_set_max_body(httpd_conn *c, size_t max_body) { http1_set_max_body(c->p, max_body); }
const struct sockaddr *httpd_peer(const httpd_conn *c) { return (const struct sockaddr *)&c->peer; }
double httpd_opened(const httpd_conn *c) { return c->opened; }
double httpd_request_started(const httpd_conn *c) { return c->req_started; }
unsigned long httpd_requests(const httpd_conn *c) { return c->requests; }
unsigned long long httpd_bytes(const httpd_conn *c) { return c->bytes; }
void *httpd_user(const httpd_conn *c) { return c->user; }
void httpd_set_user(httpd_conn *c, void *user) { c->user = user; }
size_t httpd_max_head(const httpd_conn *c) { return c->w->s->o.max_head; }

/* ---- connections ---------------------------------------------------------------------------- */

static void ready_add(httpd_conn *c)
{
    worker *w = c->w;
    if (c->in_ready) return;
    c->in_ready = 1;
    c->ready_next = NULL;
    if (w->ready_tail) w->ready_tail->ready_next = c; else w->ready = c;
    w->ready_tail = c;
}

static void ready_remove(httpd_conn *c)
{
    worker *w = c->w;
    httpd_conn *prev = NULL;
    for (httpd_conn *r = w->ready; r; prev = r, r = r->ready_next) {
        if (r != c) continue;
        if (prev) prev->ready_next = c->ready_next; else w->ready = c->ready_next;
        if (w->ready_tail == c) w->ready_tail = prev;
        break;
    }
    c->in_ready = 0;
}

static void conn_close(httpd_conn *c)
{
    worker *w = c->w;
    httpd *s = w->s;
    if (c->in_ready) ready_remove(c);
    if (c->prev) c->prev->next = c->next; else w->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl) SSL_free(c->ssl);
    close(c->fd);
    if (s->h.closed) s->h.closed(s->h.ctx, c, c->in_request + c->unsent_answers);
    http1_free(c->p);
    out_drop(c);
    free(c->out);
    free(c->segs);
    free(c);
    atomic_fetch_sub(&s->nconns, 1);
}

/* >0 bytes read, 0 end of stream, -1 error, -2 nothing now. */
static long conn_recv(httpd_conn *c, char *b, size_t n)
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

/* Sends from the head of the queue: plain sockets take up to IOV_N segments in one sendmsg, TLS one
 * segment per SSL_write. >=0 bytes sent, -1 error, -2 not now. */
static long conn_send(httpd_conn *c)
{
    seg *g = &c->segs[c->seg_at];
    if (!c->ssl) {
        struct iovec iov[IOV_N];
        int k = 0;
        for (unsigned i = c->seg_at; i < c->nseg && k < IOV_N; i++, k++) {
            const char *b = c->segs[i].ext ? c->segs[i].ext : c->out;
            iov[k].iov_base = (void *)(b + c->segs[i].off);
            iov[k].iov_len = c->segs[i].len;
        }
        iov[0].iov_base = (char *)iov[0].iov_base + c->seg_done;
        iov[0].iov_len -= c->seg_done;
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)k};
        ssize_t r = sendmsg(c->fd, &m, MSG_NOSIGNAL);
        if (r >= 0) return (long)r;
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -2 : -1;
    }
    const char *b = (g->ext ? g->ext : c->out) + g->off + c->seg_done;
    size_t n = g->len - c->seg_done;
    int r = SSL_write(c->ssl, b, n > INT32_MAX ? INT32_MAX : (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? -2 : -1;
}

/* Waits for output room while answers are queued, and stops reading while too many are, or while
 * a closing answer is sent (nothing more is read for it; an end of stream would wake us forever). */
static void arm(httpd_conn *c, int want_out)
{
    int hold = want_out && (c->pending > OUT_HIGH || (c->closing && !c->lingering));
    int want = (want_out ? EPOLLOUT : 0) | (hold || (c->eof && !c->lingering) ? 0 : EPOLLIN);
    if (want == c->armed) return;
    struct epoll_event ev = {.events = (uint32_t)want, .data.ptr = c};
    epoll_ctl(c->w->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->armed = want;
}

/* Sends what is queued; a closing connection then lingers (see LINGER_S). -1: closed. */
static int flush(httpd_conn *c)
{
    for (int i = 0; i < 1024 && c->pending; i++) {
        long n = conn_send(c);
        if (n == -2) break;
        if (n < 0) { conn_close(c); return -1; }
        out_consume(c, (size_t)n);
        c->last_io = httpd_now();
    }
    if (c->pending) { arm(c, 1); return 0; }
    out_drop(c);
    httpd *s = c->w->s;
    if (c->unsent_answers && s->h.sent) s->h.sent(s->h.ctx, c, c->unsent_answers);
    c->unsent_answers = 0;
    arm(c, 0);
    if (c->closing && !c->lingering) {
        if (c->ssl) SSL_shutdown(c->ssl);
        shutdown(c->fd, SHUT_WR);
        if (c->eof) { conn_close(c); return -1; }   /* all it sent was read: nothing to drain */
        c->lingering = 1;
        c->linger_until = httpd_now() + LINGER_S;
    }
    return 0;
}

/* The head of the current request is whole: its answer's shape, then the handler's look at it.
 * 1 when the handler answered (the connection then closes). */
static int head_seen(httpd_conn *c, const http1_request *rq)
{
    httpd *s = c->w->s;
    c->head_seen = 1;
    c->req_head = strcmp(rq->method, "HEAD") == 0;
    c->req_keep = 1;                    /* decided when the request is whole */
    c->req_10 = strcmp(rq->version, "HTTP/1.0") == 0;
    if (!s->h.head || !s->h.head(s->h.ctx, c, rq)) return 0;
    c->in_request = 0;                  /* in flight until sent: httpd_respond counted it */
    c->closing = 1;
    return 1;
}

/* Parses what was read and answers the requests it completes, up to the turn's budget (then the
 * connection waits in the ready list with the rest). */
static void process(httpd_conn *c)
{
    httpd *s = c->w->s;
    size_t off = 0;
    for (int guard = 0; guard < 100000 && off < c->in_len && !c->closing; guard++) {
        if (c->turn_left <= 0) { ready_add(c); break; }
        size_t used;
        http1_event e = http1_feed(c->p, c->in + off, c->in_len - off, &used);
        off += used;
        if (!c->in_request && http1_in_request(c->p)) {
            c->in_request = 1;
            c->req_started = httpd_now();
            if (s->h.begin) s->h.begin(s->h.ctx, c);
        }
        if (!c->head_seen && (e == HTTP1_HEAD || e == HTTP1_REQUEST || http1_in_body(c->p))) {
            if (!c->in_request) {       /* a whole request in one feed: it began here */
                c->in_request = 1;
                c->req_started = httpd_now();
                if (s->h.begin) s->h.begin(s->h.ctx, c);
            }
            if (head_seen(c, http1_head(c->p))) break;
        }
        if (e == HTTP1_MORE) break;
        if (e == HTTP1_HEAD) {
            if (http1_expects_continue(c->p)) out_put(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
            continue;
        }
        if (!c->in_request) {           /* refused before a request began */
            c->req_started = httpd_now();
            if (s->h.begin) s->h.begin(s->h.ctx, c);
        }
        c->in_request = 0;              /* in flight until sent: httpd_respond counts it */
        c->turn_left--;
        if (e == HTTP1_REQUEST) {
            const http1_request *rq = http1_request_get(c->p);
            c->requests++;
            c->bytes += rq->received;
            c->req_keep = rq->keep_alive;
            s->h.request(s->h.ctx, c, rq);
            http1_next(c->p);
            c->head_seen = 0;
        } else {
            c->req_keep = 0;
            c->req_head = 0;
            if (e == HTTP1_TOO_LARGE) s->h.refuse(s->h.ctx, c, 431, "request head too large");
            else s->h.refuse(s->h.ctx, c, 400, http1_error(c->p));
        }
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    if (c->eof && !c->in_ready) c->closing = 1;      /* the requests that came before the end are answered */
}

static void on_readable(httpd_conn *c)
{
    for (int i = 0; i < 1024; i++) {
        if (c->lingering) {             /* drop what still comes, until the client closes */
            char sink[4096];
            long n = conn_recv(c, sink, sizeof sink);
            if (n == -2) return;
            if (n <= 0) { conn_close(c); return; }
            continue;
        }
        if (c->eof || c->pending > OUT_HIGH || c->in_len == sizeof c->in) break;
        long n = conn_recv(c, c->in + c->in_len, sizeof c->in - c->in_len);
        if (n == -2) break;
        /* half-closed with requests waiting their turn, in the ready list or (backlog past OUT_HIGH)
         * for the answers to drain: they are answered first, from the ready list */
        if (n == 0 && (c->in_ready || c->in_len)) { c->eof = 1; ready_add(c); break; }
        if (n == 0 && c->pending) { c->closing = 1; break; }  /* half-closed: answer first */
        if (n <= 0) { conn_close(c); return; }
        c->last_io = httpd_now();
        size_t room = sizeof c->in - c->in_len;
        c->in_len += (size_t)n;
        process(c);
        if (c->closing || c->in_ready) break;        /* its turn is used up: the rest waits */
        /* a short read emptied the socket: answer now instead of asking recv again (epoll is level
         * triggered, so what comes later wakes us); TLS may hold decrypted bytes, so it reads on */
        if (!c->ssl && (size_t)n < room) break;
    }
    flush(c);
}

static void on_event(httpd_conn *c, uint32_t ev)
{
    if (ev & (EPOLLERR | EPOLLHUP) && !(ev & EPOLLIN)) { conn_close(c); return; }
    c->turn_left = TURN_REQUESTS;
    if (ev & EPOLLOUT) {
        if (flush(c) < 0) return;
        if (!c->pending && c->in_len && !c->closing) {   /* input held back while answers waited */
            process(c);
            if (flush(c) < 0) return;
        }
    }
    /* decrypted bytes OpenSSL still holds raise no socket event: read them once answers drained */
    if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR) || (c->ssl && SSL_pending(c->ssl) > 0)) on_readable(c);
}

/* One more turn for each connection whose input outlasted its last one (in the order they ran out). */
static void run_ready(worker *w)
{
    httpd_conn *c = w->ready;
    w->ready = w->ready_tail = NULL;
    while (c) {
        httpd_conn *next = c->ready_next;     /* c's turn can close c, never another connection */
        c->in_ready = 0;
        c->turn_left = TURN_REQUESTS;
        if (c->pending <= OUT_HIGH && !c->closing) {   /* else EPOLLOUT brings it back once drained */
            process(c);
            /* TLS may hold decrypted input no epoll event will announce: read on, as an event would */
            if (!c->in_ready && !c->closing && c->ssl && SSL_pending(c->ssl) > 0) on_readable(c);
            else flush(c);
        }
        c = next;
    }
}

static void listen_add(worker *w)
{
    httpd *s = w->s;
    pthread_mutex_lock(&s->lmu);
    if (!atomic_load(&s->quiesced)) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &tag_listen};
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, s->lfd, &ev) == 0) w->paused = 0;
    }
    pthread_mutex_unlock(&s->lmu);
}

static void conn_free(httpd_conn *c)
{
    if (c->ssl) SSL_free(c->ssl);
    http1_free(c->p);
    free(c);
}

/* Takes the listening socket out of this thread's epoll: the rest wait in the listen queue, and the
 * loop puts it back when there is room (after resume_at). */
static void listen_pause(worker *w)
{
    httpd *s = w->s;
    pthread_mutex_lock(&s->lmu);
    if (!w->paused && !atomic_load(&s->quiesced)) epoll_ctl(w->ep, EPOLL_CTL_DEL, s->lfd, NULL);
    w->paused = 1;
    pthread_mutex_unlock(&s->lmu);
}

/* Connections the handler refuses are closed before a byte is read. */
static void on_accept(worker *w)
{
    httpd *s = w->s;
    for (int i = 0; i < 64; i++) {
        /* the slot is taken before accept, so threads accepting at once cannot pass the limit */
        if (atomic_fetch_add(&s->nconns, 1) >= s->o.max_conns && s->o.max_conns) {
            atomic_fetch_sub(&s->nconns, 1);
            listen_pause(w);
            return;
        }
        httpd_conn *c = calloc(1, sizeof *c);
        socklen_t sl = sizeof c->peer;
        int fd = c ? accept4(s->lfd, (struct sockaddr *)&c->peer, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC) : -1;
        if (fd < 0) {
            /* out of descriptors or memory: the socket stays readable, so waking on it would spin */
            if (!c || errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                listen_pause(w);
                w->resume_at = httpd_now() + 0.05;
            }
            free(c);
            atomic_fetch_sub(&s->nconns, 1);
            return;
        }
        c->fd = fd;
        c->w = w;
        c->opened = c->last_io = httpd_now();
        c->armed = EPOLLIN;
        c->p = http1_new(s->o.max_head, s->o.max_body);
        if (c->p && s->o.tls && (c->ssl = SSL_new(s->o.tls)) != NULL) {
            SSL_set_fd(c->ssl, fd);
            SSL_set_accept_state(c->ssl);
        }
        if (!c->p || (s->o.tls && !c->ssl) || (s->h.accept && s->h.accept(s->h.ctx, c, httpd_peer(c)) < 0)) {
            conn_free(c);
            close(fd);
            atomic_fetch_sub(&s->nconns, 1);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
            if (s->h.closed) s->h.closed(s->h.ctx, c, 0);
            conn_free(c);
            close(fd);
            atomic_fetch_sub(&s->nconns, 1);
            continue;
        }
        c->next = w->conns;
        if (w->conns) w->conns->prev = c;
        w->conns = c;
    }
}

/* Closes connections silent for idle_s, with a request older than request_timeout_ms, or lingering
 * past their time. */
static void sweep(worker *w)
{
    httpd *s = w->s;
    double t = httpd_now();
    unsigned long req_ms = s->h.request_timeout_ms ? s->h.request_timeout_ms(s->h.ctx) : 0;
    for (httpd_conn *c = w->conns, *next; c; c = next) {
        next = c->next;
        if ((c->lingering && t > c->linger_until) ||
            (s->o.idle_s && t - c->last_io > (double)s->o.idle_s) ||
            (req_ms && c->in_request && (t - c->req_started) * 1000 > (double)req_ms))
            conn_close(c);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    httpd *s = w->s;
    struct epoll_event evs[64];
    double last_sweep = httpd_now();
    while (!atomic_load(&s->stopping)) {
        int n = epoll_wait(w->ep, evs, 64, w->ready ? 0 : w->paused ? 50 : 250);
        for (int i = 0; i < n; i++) {
            void *d = evs[i].data.ptr;
            if (d == &tag_listen) on_accept(w);
            else if (d == &tag_wake) { uint64_t v; if (read(w->wake, &v, sizeof v) < 0) {} }
            else on_event(d, evs[i].events);
        }
        run_ready(w);
        if (w->paused && !atomic_load(&s->quiesced) && (!s->o.max_conns || atomic_load(&s->nconns) < s->o.max_conns) &&
            httpd_now() >= w->resume_at)
            listen_add(w);
        if (httpd_now() - last_sweep >= 0.25) {
            sweep(w);
            last_sweep = httpd_now();
        }
    }
    while (w->conns) conn_close(w->conns);
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

int httpd_listen(const struct sockaddr *sa, socklen_t len)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(fd, sa, len) < 0 || listen(fd, 4096) < 0) {
        int e = errno;
        if (fd >= 0) close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

static void httpd_free(httpd *s, int keep_tls)
{
    if (s->w)
        for (unsigned i = 0; i < s->o.threads; i++) {
            if (s->w[i].ep >= 0) close(s->w[i].ep);
            if (s->w[i].wake >= 0) close(s->w[i].wake);
        }
    free(s->w);
    if (s->o.tls && !keep_tls) SSL_CTX_free(s->o.tls);
    pthread_mutex_destroy(&s->lmu);
    free(s);
}

httpd *httpd_start(int lfd, const httpd_options *opt, const httpd_handler *h)
{
    httpd *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    pthread_mutex_init(&s->lmu, NULL);
    s->o = *opt;
    if (!s->o.threads) s->o.threads = 1;
    s->h = *h;
    s->lfd = lfd;
    /* flush retries a write that wanted more room from where the queue stands then: its buffer may
     * have moved (out grew) and a copied segment may have grown */
    if (s->o.tls) SSL_CTX_set_mode(s->o.tls, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK);
    s->w = calloc(s->o.threads, sizeof *s->w);
    if (!s->w) { httpd_free(s, 1); errno = ENOMEM; return NULL; }
    for (unsigned i = 0; i < s->o.threads; i++) s->w[i].ep = s->w[i].wake = -1;
    for (unsigned i = 0; i < s->o.threads; i++) {
        worker *w = &s->w[i];
        w->s = s;
        w->ep = epoll_create1(EPOLL_CLOEXEC);
        w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &tag_wake};
        if (w->ep < 0 || w->wake < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) < 0) {
            int e = errno;
            httpd_free(s, 1);
            errno = e;
            return NULL;
        }
    }
    for (unsigned i = 0; i < s->o.threads; i++) {
        listen_add(&s->w[i]);
        if (pthread_create(&s->w[i].th, NULL, worker_main, &s->w[i]) != 0) {
            atomic_store(&s->stopping, 1);
            for (unsigned j = 0; j < i; j++) {
                uint64_t one = 1;
                if (write(s->w[j].wake, &one, sizeof one) < 0) {}
                pthread_join(s->w[j].th, NULL);
            }
            httpd_free(s, 1);
            errno = EAGAIN;
            return NULL;
        }
    }
    return s;
}

int httpd_quiesce(httpd *s)
{
    if (!s || atomic_load(&s->quiesced)) return -1;
    pthread_mutex_lock(&s->lmu);
    atomic_store(&s->quiesced, 1);
    for (unsigned i = 0; i < s->o.threads; i++)
        if (!s->w[i].paused) epoll_ctl(s->w[i].ep, EPOLL_CTL_DEL, s->lfd, NULL);
    pthread_mutex_unlock(&s->lmu);
    return s->lfd;                                /* now the caller's: stop() no longer closes it */
}

unsigned httpd_connections(httpd *s)
{
    return s ? atomic_load(&s->nconns) : 0;
}

void httpd_stop(httpd *s)
{
    if (!s) return;
    atomic_store(&s->stopping, 1);
    for (unsigned i = 0; i < s->o.threads; i++) {
        uint64_t one = 1;
        if (write(s->w[i].wake, &one, sizeof one) < 0) {}
    }
    for (unsigned i = 0; i < s->o.threads; i++) pthread_join(s->w[i].th, NULL);
    if (!atomic_load(&s->quiesced)) close(s->lfd);
    httpd_free(s, 0);
}
