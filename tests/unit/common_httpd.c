/* common_httpd.c -- unit tests of httpd: answers by reference (httpd_respond_ref) arrive whole and in order
 * among copied answers, each body released once, only after it was sent or dropped; and a connection
 * pipelining many requests takes turns with the others. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include "httpd.h"

#define MID (8u << 10)      /* 33 of them pass the 256 KiB backlog past which a connection waits */
#define BIG (16u << 20)     /* past what loopback's socket buffers take (tcp_wmem max: 4 MiB), so it stays queued */

/* A reference-counted body, like a cache entry: the test holds one reference, each answer another. */
typedef struct body {
    atomic_int refs;
    size_t len;
    unsigned char *bytes;
} body;

static atomic_int released, answered;
static atomic_int a_started, b_sent, a_answered, a_before_b;

static body *body_new(size_t len, unsigned seed)
{
    body *b = calloc(1, sizeof *b);
    assert_non_null(b);
    b->bytes = malloc(len);
    assert_non_null(b->bytes);
    for (size_t i = 0; i < len; i++) b->bytes[i] = (unsigned char)(i * 7 + seed);
    b->len = len;
    atomic_init(&b->refs, 1);
    return b;
}

static void body_unref(void *arg)
{
    body *b = arg;
    if (atomic_fetch_sub(&b->refs, 1) == 1) {
        memset(b->bytes, 0xEE, b->len);   /* a send after release would show (and ASan sees the free) */
        free(b->bytes);
        free(b);
    }
}

static void on_release(void *arg)
{
    atomic_fetch_add(&released, 1);
    body_unref(arg);
}

static body *big, *small, *mid;

/* GET /big and /small answer by reference, GET /copy answers the small body copied. */
static void on_request(void *ctx, httpd_conn *c, const http1_request *rq)
{
    (void)ctx;
    if (strcmp(rq->target, "/a") == 0) {           /* the pipelining client of test_turns */
        if (atomic_fetch_add(&a_started, 1) == 0)   /* hold its first one until the other has sent */
            for (int i = 0; i < 400 && !atomic_load(&b_sent); i++) {
                struct timespec ts = {0, 5 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
        atomic_fetch_add(&a_answered, 1);
    } else if (strcmp(rq->target, "/b") == 0) {
        atomic_store(&a_before_b, atomic_load(&a_answered));
    }
    body *b = strcmp(rq->target, "/big") == 0 ? big : strcmp(rq->target, "/mid") == 0 ? mid : small;
    if (strcmp(rq->target, "/copy") == 0) {
        httpd_respond(c, 200, "X-Kind: copy\r\n", 14, b->bytes, b->len, 0);
    } else {
        atomic_fetch_add(&b->refs, 1);
        httpd_respond_ref(c, 200, "X-Kind: ref\r\n", 13, b->bytes, b->len, on_release, b, 0);
    }
    atomic_fetch_add(&answered, 1);
}

static void on_refuse(void *ctx, httpd_conn *c, int status, const char *why)
{
    (void)ctx;
    httpd_respond(c, status, NULL, 0, why, strlen(why), HTTPD_CLOSE);
}

static int server_sndbuf;      /* SO_SNDBUF of the server's connections when set (they take the listener's) */

static httpd *start_tls(int *port, SSL_CTX *tls)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int lfd = httpd_listen((struct sockaddr *)&sa, sizeof sa);
    assert_true(lfd >= 0);
    if (server_sndbuf) setsockopt(lfd, SOL_SOCKET, SO_SNDBUF, &server_sndbuf, sizeof server_sndbuf);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&sa, &sl), 0);
    *port = ntohs(sa.sin_port);
    httpd_options o = {.threads = 1, .idle_s = 30, .max_head = 8192, .max_body = 1024, .tls = tls};
    httpd_handler h = {.request = on_request, .refuse = on_refuse};
    httpd *d = httpd_start(lfd, &o, &h);
    assert_non_null(d);
    atomic_store(&released, 0);
    atomic_store(&answered, 0);
    big = body_new(BIG, 3);
    small = body_new(1000, 5);
    mid = body_new(MID, 9);
    return d;
}

static httpd *start(int *port)
{
    return start_tls(port, NULL);
}

static void stop(httpd *d)
{
    httpd_stop(d);
    body_unref(big);
    body_unref(small);
    body_unref(mid);
}

/* A client with a small receive buffer, so that what it does not read stays queued in the server. */
static int dial(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int small_buf = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small_buf, sizeof small_buf);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

static void say(int fd, const char *s)
{
    assert_int_equal(send(fd, s, strlen(s), 0), (ssize_t)strlen(s));
}

/* Waits (at most 5 s) until *v reaches want. */
static int wait_for(atomic_int *v, int want)
{
    for (int i = 0; i < 500 && atomic_load(v) != want; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return atomic_load(v);
}

/* Reads exactly n bytes. */
static void read_n(int fd, unsigned char *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(fd, out + got, n - got, 0);
        assert_true(r > 0);
        got += (size_t)r;
    }
}

/* Reads one answer: its head up to the blank line, then Content-Length bytes of body, which must be
 * b's bytes (none for HEAD); kind is the X-Kind header's value. */
static void expect_answer(int fd, const body *b, const char *kind, int head_only)
{
    char head[1024];
    size_t n = 0;
    while (n < 4 || memcmp(head + n - 4, "\r\n\r\n", 4) != 0) {
        assert_true(n < sizeof head - 1);
        read_n(fd, (unsigned char *)head + n, 1);
        n++;
    }
    head[n] = '\0';
    assert_non_null(strstr(head, "HTTP/1.1 200 OK\r\n"));
    char want[64];
    snprintf(want, sizeof want, "X-Kind: %s\r\n", kind);
    assert_non_null(strstr(head, want));
    snprintf(want, sizeof want, "Content-Length: %zu\r\n", b->len);
    assert_non_null(strstr(head, want));
    if (head_only) return;
    unsigned char *got = malloc(b->len);
    assert_non_null(got);
    read_n(fd, got, b->len);
    assert_memory_equal(got, b->bytes, b->len);
    free(got);
}

/* The body stays queued past the owner's own reference (a cache evicting the entry) and arrives whole. */
static void test_ref_outlives_owner(void **state)
{
    (void)state;
    int port;
    httpd *d = start(&port);
    int fd = dial(port);
    say(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(wait_for(&answered, 1), 1);
    body *mine = big;
    big = body_new(16, 1);             /* the owner drops and replaces it, the queue keeps its own */
    body *keep = body_new(BIG, 3);     /* what the answer must still carry */
    body_unref(mine);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
    assert_int_equal(atomic_load(&released), 0);       /* 16 MiB cannot all be on the socket yet */
    expect_answer(fd, keep, "ref", 0);
    assert_int_equal(wait_for(&released, 1), 1);
    body_unref(keep);
    close(fd);
    stop(d);
}

/* Pipelined answers, by reference and copied, come out whole and in order; each reference released once. */
static void test_pipelined_order(void **state)
{
    (void)state;
    int port;
    httpd *d = start(&port);
    int fd = dial(port);
    say(fd, "GET /copy HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /small HTTP/1.1\r\nHost: x\r\n\r\nHEAD /big HTTP/1.1\r\nHost: x\r\n\r\n"
            "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    expect_answer(fd, small, "copy", 0);
    expect_answer(fd, big, "ref", 0);
    expect_answer(fd, small, "ref", 0);
    expect_answer(fd, big, "ref", 1);
    expect_answer(fd, big, "ref", 0);
    assert_int_equal(wait_for(&released, 4), 4);     /* /big twice, /small, and HEAD's at once */
    assert_int_equal(atomic_load(&answered), 5);
    close(fd);
    stop(d);
}

/* A server with one 16 MiB answer queued by reference to a client that does not read; its socket. */
static int queue_big(httpd **d)
{
    int port;
    *d = start(&port);
    int fd = dial(port);
    say(fd, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_int_equal(wait_for(&answered, 1), 1);
    assert_int_equal(atomic_load(&released), 0);
    return fd;
}

/* A client that leaves without reading: what was queued is released when the connection closes. */
static void test_released_on_close(void **state)
{
    (void)state;
    httpd *d;
    int fd = queue_big(&d);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};  /* a reset: the server's next send fails */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(fd);
    assert_int_equal(wait_for(&released, 1), 1);
    stop(d);
}

/* A server stopped with answers queued releases them. */
static void test_released_on_stop(void **state)
{
    (void)state;
    httpd *d;
    int fd = queue_big(&d);
    stop(d);
    assert_int_equal(atomic_load(&released), 1);
    close(fd);
}

/* 200 pipelined requests on one connection do not all go before another connection's one request. */
static void test_turns(void **state)
{
    (void)state;
    int port;
    httpd *d = start(&port);
    atomic_store(&a_started, 0);
    atomic_store(&b_sent, 0);
    atomic_store(&a_answered, 0);
    atomic_store(&a_before_b, -1);
    int a = dial(port), b = dial(port);
    char *many = malloc(200 * 40 + 1);
    assert_non_null(many);
    many[0] = '\0';
    for (int i = 0; i < 200; i++) strcat(many, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
    say(a, many);
    free(many);
    assert_int_equal(wait_for(&a_started, 1), 1);   /* the server is inside a's first request */
    say(b, "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);                             /* b's request is in its socket */
    atomic_store(&b_sent, 1);
    expect_answer(b, small, "ref", 0);
    for (int i = 0; i < 200; i++) expect_answer(a, small, "ref", 0);
    /* a's turn and its next one from the ready list, then b's (a third when a's socket still held part
     * of its requests and its event came first in the batch): a few turns of a at most, not all 200 */
    assert_true(atomic_load(&a_before_b) >= 1);
    assert_true(atomic_load(&a_before_b) <= 64);
    close(a);
    close(b);
    stop(d);
}

/* A client that pipelines more requests than one turn answers and then shuts its sending side (as
 * `nc -N` does) gets every answer before the end of the stream. */
static void test_half_close_after_pipelining(void **state)
{
    (void)state;
    int port;
    httpd *d = start(&port);
    int fd = dial(port);
    enum { N = 40 };
    char many[N * 40 + 1] = "";
    for (int i = 0; i < N; i++) strcat(many, "GET /small HTTP/1.1\r\nHost: x\r\n\r\n");
    say(fd, many);
    assert_int_equal(shutdown(fd, SHUT_WR), 0);
    for (int i = 0; i < N; i++) expect_answer(fd, small, "ref", 0);
    char c;
    assert_int_equal(recv(fd, &c, 1, 0), 0);        /* then the end of the stream */
    close(fd);
    stop(d);
    assert_int_equal(atomic_load(&released), N);
}

/* A server context with a fresh self-signed P-256 certificate. */
static SSL_CTX *tls_server_ctx(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    assert_non_null(k);
    assert_non_null(x);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, k);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(x, X509_get_subject_name(x));
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_use_certificate(ctx, x), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(ctx, k), 1);
    X509_free(x);
    EVP_PKEY_free(k);
    return ctx;
}

/* A TLS client pipelining three full records of requests while the server is held in the first: the
 * records are read into the connection's buffer a turn's worth at a time, the rest of the last one
 * waiting decrypted inside TLS where epoll does not see it; every request is still answered. */
static void test_tls_pipelined_turns(void **state)
{
    (void)state;
    int port;
    httpd *d = start_tls(&port, tls_server_ctx());
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(cctx);
    SSL *ssl = SSL_new(cctx);
    SSL_set_fd(ssl, fd);
    assert_int_equal(SSL_connect(ssl), 1);
    static const char one[] = "GET /a HTTP/1.1\r\nHost: xxxxx\r\n\r\n";    /* 32 bytes */
    atomic_store(&a_started, 0);
    atomic_store(&b_sent, 0);
    enum { N = 3 * 16384 / (sizeof one - 1) };
    char *many = malloc(N * (sizeof one - 1));
    assert_non_null(many);
    for (int i = 0; i < N; i++) memcpy(many + i * (sizeof one - 1), one, sizeof one - 1);
    assert_int_equal(SSL_write(ssl, many, N * (int)(sizeof one - 1)), N * (int)(sizeof one - 1));
    free(many);
    atomic_store(&b_sent, 1);        /* the first request was held until all three records were sent */
    /* each answer: its head and the 1000-byte small body; count heads until N or the read times out */
    size_t cap = (size_t)N * 1400, got = 0;
    char *in = malloc(cap);
    assert_non_null(in);
    int seen = 0;
    size_t scanned = 0;
    while (seen < N) {
        int r = SSL_read(ssl, in + got, (int)(cap - got > 65536 ? 65536 : cap - got));
        if (r <= 0) break;
        got += (size_t)r;
        for (; scanned + 17 <= got; scanned++)
            if (memcmp(in + scanned, "HTTP/1.1 200 OK\r\n", 17) == 0) seen++;
    }
    free(in);
    assert_int_equal(seen, N);
    SSL_free(ssl);
    SSL_CTX_free(cctx);
    close(fd);
    stop(d);
}

/* Non-blocking I/O on the client's socket, plain or TLS: >0 bytes moved, 0 not now, -1 ended or failed. */
static long client_io(int fd, SSL *ssl, int out, void *b, size_t n)
{
    if (!ssl) {
        ssize_t r = out ? send(fd, b, n, MSG_NOSIGNAL) : recv(fd, b, n, 0);
        if (r > 0) return (long)r;
        return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    }
    int r = out ? SSL_write(ssl, b, (int)n) : SSL_read(ssl, b, (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(ssl, r);
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

/* A client pipelining n requests of size bytes each (30 without padding) for 8 KiB answers: a burst,
 * then reading the first half of the answers slowly (4 KiB at a time, with pauses) and the rest as fast
 * as it can, sending the rest while it reads; with shut it shuts its sending side once a quarter of the
 * answers has come. The server's connections have a 64 KiB send buffer, so the backlog passes 256 KiB
 * again and again while requests wait in its buffer for a turn. With n = 400 of 30 bytes all of them fit
 * in that buffer: no more input wakes the connection. Every answer must arrive whole and in order, with
 * no silence of 3 s. */
static void pipeline_slow_reader(int n, size_t size, int tls, int shut)
{
    int port;
    server_sndbuf = 65536;         /* a backlog takes several writes to drain */
    httpd *d = start_tls(&port, tls ? tls_server_ctx() : NULL);
    server_sndbuf = 0;
    int fd = dial(port);
    SSL_CTX *cctx = NULL;
    SSL *ssl = NULL;
    if (tls) {
        cctx = SSL_CTX_new(TLS_client_method());
        assert_non_null(cctx);
        ssl = SSL_new(cctx);
        SSL_set_fd(ssl, fd);
        assert_int_equal(SSL_connect(ssl), 1);
        SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    }
    assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
    static const char line[] = "GET /mid HTTP/1.1\r\nHost: x\r\n";      /* then X-Pad up to size */
    assert_true(size >= sizeof line - 1 + 2 && size <= 2048);
    char one[2048];
    size_t pad = size - (sizeof line - 1) - 2;
    memcpy(one, line, sizeof line - 1);
    if (pad) {
        assert_true(pad >= 10);
        memcpy(one + sizeof line - 1, "X-Pad: ", 7);
        memset(one + sizeof line - 1 + 7, 'a', pad - 9);
        memcpy(one + sizeof line - 1 + pad - 2, "\r\n", 2);
    }
    memcpy(one + size - 2, "\r\n", 2);
    size_t rlen = (size_t)n * size, sent = 0;
    char *req = malloc(rlen);
    assert_non_null(req);
    for (int i = 0; i < n; i++) memcpy(req + (size_t)i * size, one, size);
    /* every answer is this head (the Date's 29 characters aside) and the body */
    char head[160];
    int hlen = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nDate: %29s\r\nX-Kind: ref\r\nContent-Length: %u\r\n\r\n",
                        "", MID);
    size_t alen = (size_t)hlen + MID, total = (size_t)n * alen, pos = 0, bad = 0;
    int ended = 0;
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK);
    assert_non_null(buf);
    /* a burst first, so the server's reads come whole (16 KiB) while the answers pile up */
    for (int i = 0; i < 100 && sent < rlen; i++) {
        long w = client_io(fd, ssl, 1, req + sent, rlen - sent);
        assert_true(w >= 0);
        sent += (size_t)w;
        struct timespec ts = {0, 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    double t0 = httpd_now(), last = t0;
    for (long it = 0; it < 100000000L && pos < total && !bad; it++) {
        double t = httpd_now();
        if (t - last > 3.0 || t - t0 > 60.0) break;
        int moved = 0;
        if (sent < rlen) {
            long w = client_io(fd, ssl, 1, req + sent, rlen - sent);
            assert_true(w >= 0);
            sent += (size_t)w;
            moved = w > 0;
        }
        if (shut && sent == rlen && pos >= total / 4) {     /* the end of the stream, while answers wait */
            shut = 0;
            if (ssl) assert_true(SSL_shutdown(ssl) >= 0);
            else assert_int_equal(shutdown(fd, SHUT_WR), 0);
        }
        int slow = pos < total / 2;
        long r = client_io(fd, ssl, 0, buf, slow ? 4096 : CHUNK);
        if (r < 0) { ended = 1; break; }
        if (r > 0) {
            for (long j = 0; j < r; j++) {
                size_t k = (pos + (size_t)j) % alen;
                unsigned char want = k >= (size_t)hlen ? mid->bytes[k - (size_t)hlen] : (unsigned char)head[k];
                if ((k < 23 || k >= 23 + 29) && buf[j] != want) bad = pos + (size_t)j + 1;
            }
            pos += (size_t)r;
            last = t;
            moved = 1;
            if (slow) {
                struct timespec ts = {0, 200 * 1000};
                nanosleep(&ts, NULL);
            }
        }
        if (!moved) {
            struct pollfd pf = {.fd = fd, .events = (short)(POLLIN | (sent < rlen ? POLLOUT : 0))};
            poll(&pf, 1, 100);
        }
    }
    if (pos != total || bad)
        fprintf(stderr, "%s, %d requests: %zu of them answered (%zu of %zu bytes), %s at %.1f s\n",
                tls ? "TLS" : "plain", n, pos / alen, pos, total, bad ? "wrong byte" : ended ? "then the end of the stream" : "then silence",
                httpd_now() - t0);
    free(buf);
    free(req);
    assert_int_equal(bad, 0);
    assert_int_equal(pos, total);
    if (ssl) SSL_free(ssl);
    if (cctx) SSL_CTX_free(cctx);
    close(fd);
    stop(d);
    assert_int_equal(atomic_load(&released), n);      /* each answer's reference, once */
}

/* Full reads of 1 KiB requests with more waiting in the socket, and requests all in the buffer; each
 * reading on, and each shutting its sending side once a quarter of the answers has come. */
static void slow_reader_cases(int tls)
{
    for (int shut = 0; shut < 2; shut++) {
        pipeline_slow_reader(1200, 1024, tls, shut);
        pipeline_slow_reader(400, 30, tls, shut);
    }
}

static void test_slow_reader_backlog(void **state)
{
    (void)state;
    slow_reader_cases(0);
}

static void test_tls_slow_reader_backlog(void **state)
{
    (void)state;
    slow_reader_cases(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_outlives_owner),
        cmocka_unit_test(test_pipelined_order),
        cmocka_unit_test(test_released_on_close),
        cmocka_unit_test(test_released_on_stop),
        cmocka_unit_test(test_turns),
        cmocka_unit_test(test_tls_pipelined_turns),
        cmocka_unit_test(test_half_close_after_pipelining),
        cmocka_unit_test(test_slow_reader_backlog),
        cmocka_unit_test(test_tls_slow_reader_backlog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
