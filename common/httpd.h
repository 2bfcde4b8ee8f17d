/* httpd.h -- the HTTP/1.1 connection loop shared by edgenode's connector listener and bundlegen serve:
 * threads with one epoll each on a shared listening socket, http1.h for the bytes, answers queued in order.
 *
 * Each thread accepts from the listening socket (EPOLLEXCLUSIVE), asks handler.accept whether to keep
 * the connection (before a byte is read), feeds what arrives to http1 and calls, per request:
 *   begin    at its first byte (it is "in flight" from here until its answer is sent or the connection closes);
 *   head     once its head is whole, before the body is read (an early answer here ends the connection);
 *   request  once it is whole: answer it with httpd_respond() (exactly once);
 *   refuse   instead, when the bytes are not HTTP (400, why) or the head passed max_head (431);
 * then sent/closed say how many in-flight requests left (answers written, or the connection gone).
 * A connection stops being read while more than 256 KiB of answers wait (bodies given by reference count); after a closing answer it
 * shuts its write side and drops what still arrives for up to 2 s (so the answer is not lost to a
 * reset). A connection answers at most 16 requests per turn of its thread's loop; pipelined input
 * past them waits until every other ready connection has had its turn (a client that shuts its
 * sending side still gets the answers to all it sent). Every 0.25 s a thread closes
 * connections silent for idle_s, with a request older than handler.request_timeout_ms(), or
 * lingering too long. Callbacks run on the connection's thread. */
#ifndef HTTPD_H
#define HTTPD_H
#include <stddef.h>
#include <sys/socket.h>
#include "http1.h"

typedef struct httpd httpd;
typedef struct httpd_conn httpd_conn;
struct ssl_ctx_st;

typedef struct httpd_handler {
    void *ctx;                                           /* first argument of every callback */
    /* 0 keeps the connection from peer, -1 closes it unread. May be NULL (keep all). */
    int  (*accept)(void *ctx, httpd_conn *c, const struct sockaddr *peer);
    void (*begin)(void *ctx, httpd_conn *c);                                   /* may be NULL */
    /* 0 reads on; otherwise the callback answered (a closing answer) and the body is not read. May be NULL. */
    int  (*head)(void *ctx, httpd_conn *c, const http1_request *rq);
    void (*request)(void *ctx, httpd_conn *c, const http1_request *rq);
    void (*refuse)(void *ctx, httpd_conn *c, int status, const char *why);
    void (*sent)(void *ctx, httpd_conn *c, int answers);                       /* may be NULL */
    /* the connection closes with n requests begun and not sent; user data is the caller's to free */
    void (*closed)(void *ctx, httpd_conn *c, int n);                           /* may be NULL */
    unsigned long (*request_timeout_ms)(void *ctx);                            /* may be NULL: none */
} httpd_handler;

typedef struct httpd_options {
    unsigned threads;              /* at least 1 */
    unsigned max_conns;            /* open connections, 0 unlimited; more wait in the listen queue */
    unsigned idle_s;               /* silence after which a connection is closed, 0 never */
    size_t   max_head;             /* http1's head cap: past it, refuse(431) */
    size_t   max_body;             /* http1's body limit (httpd_set_max_body changes it per connection) */
    struct ssl_ctx_st *tls;        /* OpenSSL server context (httpd_start takes it and turns on partial
                                    * writes to a moving buffer), or NULL for plain */
} httpd_options;

/* A TCP socket bound to sa and listening (backlog 4096, SO_REUSEADDR, non-blocking), or -1 with errno. */
int      httpd_listen(const struct sockaddr *sa, socklen_t len);
/* Serves lfd (now httpd's until httpd_quiesce). NULL when threads or epolls cannot be made (errno);
 * then lfd and opt->tls are still the caller's. */
httpd   *httpd_start(int lfd, const httpd_options *opt, const httpd_handler *h);
/* Stops accepting; open connections keep being served. Returns the listening socket, now the caller's. */
int      httpd_quiesce(httpd *d);
unsigned httpd_connections(httpd *d);
/* Closes every connection (closed() for each) and joins the threads; closes lfd unless quiesced. */
void     httpd_stop(httpd *d);

/* ---- inside callbacks ---- */

enum { HTTPD_CLOSE = 1 };          /* httpd_respond: the connection ends after this answer */

/* Queues the answer to the current request: status line, Date, head (the caller's header lines, each
 * ending in CRLF; may be empty), Content-Length (not for 1xx, 204, 304), Connection (close when asked,
 * when the request asked or after refuse; keep-alive to a 1.0 client that asked), blank line, body
 * (left out for HEAD, its length still said). The bytes are copied. */
void     httpd_respond(httpd_conn *c, int status, const char *head, size_t head_len, const void *body,
                       size_t len, unsigned flags);
/* The same, but the body is sent from the caller's bytes, not copied: they must stay valid and
 * unchanged until release(arg), which httpd calls exactly once, on the connection's thread, when
 * their last byte is on the socket or the connection closes; or within this call when the body is not
 * kept (HEAD, empty, small, a TLS connection: those bytes are copied). The header lines and the body go
 * out in one sendmsg. release may be NULL (static bytes). A cache entry's reference is the usual arg. */
void     httpd_respond_ref(httpd_conn *c, int status, const char *head, size_t head_len, const void *body,
                           size_t len, void (*release)(void *arg), void *arg, unsigned flags);
/* The reason phrase of status ("Not Found"). */
const char *httpd_reason(int status);
/* The body limit for the requests that begin after this call (see http1_set_max_body). */
void     httpd_set_max_body(httpd_conn *c, size_t max_body);
/* The peer's address, as accepted. */
const struct sockaddr *httpd_peer(const httpd_conn *c);
/* Monotonic seconds when the connection opened and when the current request began. */
double   httpd_opened(const httpd_conn *c);
double   httpd_request_started(const httpd_conn *c);
/* Whole requests read on this connection (the current one included) and their bytes (http1's received). */
unsigned long      httpd_requests(const httpd_conn *c);
unsigned long long httpd_bytes(const httpd_conn *c);
/* A pointer the caller keeps with the connection (NULL at first). */
void    *httpd_user(const httpd_conn *c);
void     httpd_set_user(httpd_conn *c, void *user);
/* The head cap the loop runs with. */
size_t   httpd_max_head(const httpd_conn *c);
/* Monotonic seconds. */
double   httpd_now(void);

#endif
