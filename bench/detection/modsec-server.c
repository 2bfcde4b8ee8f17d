/* modsec-server.c -- the throughput peer: a libmicrohttpd server that answers 200, or 403 when
 * ModSecurity v3 with the OWASP CRS (PL1) intervenes. Usage: modsec-server CONF PORT THREADS. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <microhttpd.h>
#include <modsecurity/modsecurity.h>
#include <modsecurity/rules_set.h>
#include <modsecurity/transaction.h>
#include <modsecurity/intervention.h>

#define BODY_MAX (1u << 20)

static ModSecurity *ms;
static RulesSet *rules;
static volatile sig_atomic_t stop;

typedef struct req {
    char *uri;            /* raw request target, query included */
    char *body;
    size_t len, cap;
    int started;
} req;

static void nolog(void *a, const void *b) { (void)a; (void)b; }
static void on_signal(int sig) { (void)sig; stop = 1; }

static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls; (void)c;
    req *r = calloc(1, sizeof *r);
    if (r) r->uri = strdup(uri);
    return r;
}

static void done(void *cls, struct MHD_Connection *c, void **ctx, enum MHD_RequestTerminationCode code)
{
    (void)cls; (void)c; (void)code;
    req *r = *ctx;
    if (r) { free(r->uri); free(r->body); free(r); }
    *ctx = NULL;
}

static enum MHD_Result add_header(void *t, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    msc_add_request_header(t, (const unsigned char *)k, (const unsigned char *)(v ? v : ""));
    return MHD_YES;
}

/* Runs the request through ModSecurity; returns the status it asks for, or 200. */
static int inspect(struct MHD_Connection *c, const char *method, const req *r)
{
    Transaction *t = msc_new_transaction(ms, rules, NULL);
    ModSecurityIntervention it = {200, 0, NULL, NULL, 0};
    msc_process_connection(t, "127.0.0.1", 40000, "127.0.0.1", 80);
    msc_process_uri(t, r->uri ? r->uri : "/", method, "1.1");
    MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, t);
    msc_process_request_headers(t);
    int hit = msc_intervention(t, &it);
    if (!hit) {
        if (r->len) msc_append_request_body(t, (const unsigned char *)r->body, r->len);
        msc_process_request_body(t);
        hit = msc_intervention(t, &it);
    }
    msc_process_logging(t);
    msc_transaction_cleanup(t);
    free(it.log);
    free(it.url);
    return hit && it.disruptive ? it.status : 200;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **ctx)
{
    (void)cls; (void)url; (void)version;
    req *r = *ctx;
    if (!r) return MHD_NO;
    if (!r->started) { r->started = 1; return MHD_YES; }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (r->len + n > BODY_MAX) return MHD_YES;   /* the rest is dropped, as a body limit would */
        if (r->len + n > r->cap) {
            size_t cap = (r->len + n) * 2;
            char *p = realloc(r->body, cap);
            if (!p) return MHD_NO;
            r->body = p;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload, n);
        r->len += n;
        return MHD_YES;
    }
    int status = inspect(c, method, r);
    static const char ok[] = "{\"verdict\":\"pass\"}", no[] = "{\"verdict\":\"block\"}";
    const char *text = status == 200 ? ok : no;
    struct MHD_Response *res = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, res);
    MHD_destroy_response(res);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: %s CONF PORT THREADS\n", argv[0]); return 2; }
    int port = atoi(argv[2]), threads = atoi(argv[3]);
    if (port <= 0 || port > 65535 || threads <= 0) { fprintf(stderr, "modsec-server: bad PORT or THREADS\n"); return 2; }
    const char *err = NULL;
    ms = msc_init();
    msc_set_connector_info(ms, "edgenode-bench-peer");
    msc_set_log_cb(ms, nolog);
    rules = msc_create_rules_set();
    if (msc_rules_add_file(rules, argv[1], &err) < 0) { fprintf(stderr, "modsec-server: %s\n", err ? err : "cannot load rules"); return 1; }
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TURBO, (uint16_t)port, NULL, NULL, handle, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads, MHD_OPTION_URI_LOG_CALLBACK, uri_seen, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, done, NULL, MHD_OPTION_CONNECTION_LIMIT, 4096u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_END);
    if (!d) { fprintf(stderr, "modsec-server: cannot listen on port %d\n", port); return 1; }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    fprintf(stderr, "modsec-server: listening on 127.0.0.1:%d with %d threads\n", port, threads);
    while (!stop) pause();
    MHD_stop_daemon(d);
    msc_rules_cleanup(rules);
    msc_cleanup(ms);
    return 0;
}
