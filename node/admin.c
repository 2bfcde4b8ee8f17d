/* admin.c -- admin listener (see admin.h).
 * One internal thread is plenty for scrapes and probes; GET and HEAD only. */
#include "admin.h"
#include "metrics.h"
#include "inventory.h"
#include "server.h"
#include "state.h"
#include <microhttpd.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct admin { struct MHD_Daemon *d; };

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, char *text, int owned)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text,
                                 owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) { if (owned) free(text); return MHD_NO; }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **req_cls)
{
    (void)cls; (void)version; (void)data;
    static int first;
    if (*req_cls == NULL) { *req_cls = &first; return MHD_YES; }   /* answer on the next call */
    if (*size) { *size = 0; return MHD_YES; }
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n", 0);
    if (strcmp(url, "/metrics") == 0) {
        char *text = metrics_render(NULL);
        if (!text) return reply(c, 500, "text/plain", "out of memory\n", 0);
        return reply(c, 200, "text/plain; version=0.0.4", text, 1);
    }
    if (strcmp(url, "/live") == 0) return reply(c, 200, "text/plain", "live\n", 0);
    if (strcmp(url, "/ready") == 0) {
        node_state *s = state_acquire();
        int ready = s && !state_draining();
        state_release(s);
        return ready ? reply(c, 200, "text/plain", "ready\n", 0)
                     : reply(c, 503, "text/plain", "not ready\n", 0);
    }
    if (strcmp(url, "/api-inventory") == 0 || strcmp(url, "/api-inventory/summary") == 0) {
        const char *app = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "application");
        const char *host = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "host");
        char *end = NULL;
        long a = app ? strtol(app, &end, 10) : 0;
        if (app && (!*app || *end))
            return reply(c, 400, "application/json", "{\"error\":\"application: expected an integer\"}\n", 0);
        if (host && !*host) host = NULL;
        char *text = url[14] ? inventory_summary(app != NULL, a, host) : inventory_openapi(app != NULL, a, host);
        if (!text) return reply(c, 500, "text/plain", "out of memory\n", 0);
        return reply(c, 200, "application/json", text, 1);
    }
    return reply(c, 404, "text/plain", "not found: /metrics, /live, /ready, /api-inventory, /api-inventory/summary\n", 0);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)c; (void)toe;
    *req_cls = NULL;
}

admin *admin_start(const config *c, char *err, size_t errlen)
{
    if (!c->admin_port) { snprintf(err, errlen, "admin_listen is not set"); return NULL; }
    admin *a = calloc(1, sizeof *a);
    if (!a) { snprintf(err, errlen, "out of memory"); return NULL; }
    struct sockaddr_storage ss;
    server_sockaddr(c->admin_ip, c->admin_port, &ss);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    a->d = MHD_start_daemon(flags, (uint16_t)c->admin_port, NULL, NULL, on_request, NULL,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                            MHD_OPTION_CONNECTION_LIMIT, 64u,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_END);
    if (!a->d) {
        snprintf(err, errlen, "admin_listen %s: cannot start the listener (%s)", c->admin_listen,
                 errno ? strerror(errno) : "address in use");
        free(a);
        return NULL;
    }
    return a;
}

void admin_stop(admin *a)
{
    if (!a) return;
    MHD_stop_daemon(a->d);
    free(a);
}
