/* plimits.c -- checks a bundle's parameters and packed size against the platform's own limits.
 * The manifest loader fills the limits struct; nothing here knows any platform by name. */
#include "plimits.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "buf.h"
#include "params.h"

void plimits_clear(plimits *l)
{
    free(l->endpoint_source);
    free(l->time_what);
    free(l->time_source);
    free(l->attempts_what);
    free(l->attempts_source);
    free(l->request_body.source);
    free(l->response_body.source);
    free(l->bundle.source);
    free(l->unpacked.source);
    memset(l, 0, sizeof *l);
}

static long long num(const cJSON *params, const char *name, long long absent)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(params, name);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : absent;
}

long long plimits_worst_ms(const cJSON *params)
{
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(params, "endpoint");
    long long timeout = num(params, "request_timeout", -1);
    if (!cJSON_IsArray(ep) || timeout < 0) return -1;
    long long n = cJSON_GetArraySize(ep), retries = num(params, "retries", 0);
    return n * (1 + retries) * timeout + retries * num(params, "retry_interval", 0);
}

/* Whether the handler also awaits a response report, which makes the same exchange again. */
static int report_counted(const plimits *l, const cJSON *params)
{
    return l->report_awaited && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(params, "report_response"));
}

int plimits_add_time(const plimits *l, cJSON *ctx)
{
    long long worst = plimits_worst_ms(ctx);
    if (worst > 0 && report_counted(l, ctx)) worst *= 2;
    if (!l->has_time || worst < 0) return 0;
    cJSON *t = cJSON_CreateObject();
    long long need = worst + l->margin_ms;
    if (!t || !cJSON_AddNumberToObject(t, "worst_ms", (double)worst) ||
        !cJSON_AddNumberToObject(t, "budget_ms", (double)l->budget_ms) ||
        !cJSON_AddNumberToObject(t, "margin_ms", (double)l->margin_ms) ||
        !cJSON_AddNumberToObject(t, "handler_ms", (double)need) ||
        !cJSON_AddNumberToObject(t, "timeout_s", (double)((need + 999) / 1000)) ||
        !cJSON_AddItemToObject(ctx, "time", t)) {
        cJSON_Delete(t);
        return -1;
    }
    return 0;
}

static int add(cJSON *errors, const char *param, const char *limit, const buf *msg)
{
    cJSON *e = cJSON_CreateObject();
    if (!e || !msg->data || !cJSON_AddStringToObject(e, "parameter", param) ||
        !cJSON_AddStringToObject(e, "message", msg->data) || !cJSON_AddStringToObject(e, "limit", limit)) {
        cJSON_Delete(e);
        return -1;
    }
    cJSON_AddItemToArray(errors, e);
    return 1;
}

/* Whether the validated URL u (scheme://host[:port][/path]) gives a port. */
static int has_port(const char *u)
{
    const char *h = strstr(u, "://");
    if (!h) return 0;
    h += 3;
    if (*h == '[') {
        h = strchr(h, ']');
        return h && h[1] == ':';
    }
    h += strcspn(h, ":/");
    return *h == ':';
}

static int check_endpoints(const plimits *l, const char *platform, const cJSON *params, cJSON *errors)
{
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(params, "endpoint"), *e;
    int n = 0;
    cJSON_ArrayForEach(e, ep) {
        if (!cJSON_IsString(e)) continue;
        const char *u = e->valuestring;
        int https = !strncmp(u, "https://", 8), http = !https && !strncmp(u, "http://", 7);
        buf msg = BUF_INIT;
        if ((https && !l->scheme_https) || (http && !l->scheme_http))
            buf_printf(&msg, "endpoint: \"%s\": %s accepts only %s endpoints (limits.endpoint.schemes, %s)", u,
                       platform, l->scheme_https ? "https" : "http", l->endpoint_source);
        else if (!l->port_allowed && has_port(u))
            buf_printf(&msg, "endpoint: \"%s\": %s accepts no port in an endpoint: give the host name alone, "
                       "served on the scheme's own port (limits.endpoint.port, %s)", u, platform, l->endpoint_source);
        int rc = msg.len ? add(errors, "endpoint", "endpoint", &msg) : 0;
        buf_free(&msg);
        if (rc < 0) return -1;
        n += rc;
    }
    return n;
}

static int check_time(const plimits *l, const char *platform, const cJSON *params, cJSON *errors)
{
    long long worst = plimits_worst_ms(params);
    int twice = report_counted(l, params);
    if (worst < 0 || (twice ? 2 : 1) * worst + l->margin_ms <= l->budget_ms) return 0;
    if (twice) worst *= 2;
    long long n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(params, "endpoint"));
    long long retries = num(params, "retries", 0), interval = num(params, "retry_interval", 0);
    char t[32], i[32], m[32], w[32], b[32];
    params_format_unit(t, sizeof t, PT_DURATION, num(params, "request_timeout", 0));
    params_format_unit(i, sizeof i, PT_DURATION, interval);
    params_format_unit(m, sizeof m, PT_DURATION, l->margin_ms);
    params_format_unit(w, sizeof w, PT_DURATION, worst + l->margin_ms);
    params_format_unit(b, sizeof b, PT_DURATION, l->budget_ms);
    buf msg = BUF_INIT;
    buf_printf(&msg, "request_timeout: the worst case of %lld endpoint%s x (1 + retries %lld) x request_timeout %s + "
               "retries %lld x retry_interval %s%s + margin %s = %s is above %s's time budget of %s (%s; "
               "limits.time, %s): lower request_timeout or retries, or give fewer endpoints%s",
               n, n == 1 ? "" : "s", retries, t, retries, i,
               twice ? ", twice as the response report is awaited (report_response)" : "", m, w, platform, b,
               l->time_what, l->time_source, twice ? ", or set report_response=false" : "");
    int rc = add(errors, "request_timeout", "time", &msg);
    buf_free(&msg);
    return rc;
}

static int check_attempts(const plimits *l, const char *platform, const cJSON *params, cJSON *errors)
{
    long long n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(params, "endpoint"));
    long long retries = num(params, "retries", 0);
    if (n * (1 + retries) <= l->attempts_max) return 0;
    buf msg = BUF_INIT;
    buf_printf(&msg, "retries: %lld endpoint%s x (1 + retries %lld) = %lld node calls for one request, above the %lld "
               "%s allows (%s; limits.attempts, %s): lower retries or give fewer endpoints",
               n, n == 1 ? "" : "s", retries, n * (1 + retries), l->attempts_max, platform, l->attempts_what,
               l->attempts_source);
    int rc = add(errors, "retries", "attempts", &msg);
    buf_free(&msg);
    return rc;
}

static int check_body(const plimits_size *s, const char *platform, const cJSON *params, const char *send,
                      const char *param, const char *limit, cJSON *errors)
{
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(params, send);
    long long v = num(params, param, -1);
    if (!s->set || cJSON_IsFalse(on) || v < 0 || v <= s->max) return 0;
    char a[32], b[32];
    params_format_unit(a, sizeof a, PT_SIZE, v);
    params_format_unit(b, sizeof b, PT_SIZE, s->max);
    buf msg = BUF_INIT;
    buf_printf(&msg, "%s: %s is above the %s of body %s lets a connector read (limits.%s.max, %s)", param, a, b,
               platform, limit, s->source);
    int rc = add(errors, param, limit, &msg);
    buf_free(&msg);
    return rc;
}

int plimits_check_params(const plimits *l, const char *platform, const cJSON *params, cJSON *errors)
{
    int total = 0, rc;
    if (l->has_endpoint) {
        if ((rc = check_endpoints(l, platform, params, errors)) < 0) return -1;
        total += rc;
    }
    if (l->has_time) {
        if ((rc = check_time(l, platform, params, errors)) < 0) return -1;
        total += rc;
    }
    if (l->has_attempts) {
        if ((rc = check_attempts(l, platform, params, errors)) < 0) return -1;
        total += rc;
    }
    if ((rc = check_body(&l->request_body, platform, params, "send_request_body", "request_body_limit",
                         "request_body", errors)) < 0)
        return -1;
    total += rc;
    if ((rc = check_body(&l->response_body, platform, params, "send_response_body", "response_body_limit",
                         "response_body", errors)) < 0)
        return -1;
    return total + rc;
}

int plimits_check_bundle(const plimits *l, const char *platform, size_t packed_len, size_t unpacked_len,
                        char *err, size_t errsz)
{
    const struct { const plimits_size *s; size_t len; const char *what, *key; } c[] = {
        {&l->bundle, packed_len, "the packed bundle takes", "bundle"},
        {&l->unpacked, unpacked_len, "the bundle's files take", "unpacked"}};
    for (size_t i = 0; i < 2; i++) {
        if (!c[i].s->set || (long long)c[i].len <= c[i].s->max || (i == 0 && packed_len == 0)) continue;
        char b[32];
        params_format_unit(b, sizeof b, PT_SIZE, c[i].s->max);
        snprintf(err, errsz, "%s %zu bytes, above %s's limit of %s (limits.%s.max, %s): shorten block_page or "
                 "other long parameters", c[i].what, c[i].len, platform, b, c[i].key, c[i].s->source);
        return -1;
    }
    return 0;
}

static void size_json(cJSON *o, const char *key, const plimits_size *s)
{
    if (!s->set) return;
    cJSON *x = cJSON_AddObjectToObject(o, key);
    if (!x) return;
    cJSON_AddNumberToObject(x, "max", (double)s->max);
    cJSON_AddStringToObject(x, "source", s->source);
}

cJSON *plimits_json(const plimits *l)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (l->has_endpoint) {
        cJSON *e = cJSON_AddObjectToObject(o, "endpoint");
        cJSON *s = e ? cJSON_AddArrayToObject(e, "schemes") : NULL;
        if (s && l->scheme_http) cJSON_AddItemToArray(s, cJSON_CreateString("http"));
        if (s && l->scheme_https) cJSON_AddItemToArray(s, cJSON_CreateString("https"));
        if (e) cJSON_AddBoolToObject(e, "port", l->port_allowed);
        if (e) cJSON_AddStringToObject(e, "source", l->endpoint_source);
    }
    if (l->has_time) {
        cJSON *t = cJSON_AddObjectToObject(o, "time");
        if (t) {
            cJSON_AddNumberToObject(t, "budget", (double)l->budget_ms);
            cJSON_AddNumberToObject(t, "margin", (double)l->margin_ms);
            cJSON_AddStringToObject(t, "what", l->time_what);
            cJSON_AddStringToObject(t, "source", l->time_source);
            cJSON_AddBoolToObject(t, "report_awaited", l->report_awaited);
        }
    }
    if (l->has_attempts) {
        cJSON *a = cJSON_AddObjectToObject(o, "attempts");
        if (a) {
            cJSON_AddNumberToObject(a, "max", (double)l->attempts_max);
            cJSON_AddStringToObject(a, "what", l->attempts_what);
            cJSON_AddStringToObject(a, "source", l->attempts_source);
        }
    }
    size_json(o, "request_body", &l->request_body);
    size_json(o, "response_body", &l->response_body);
    size_json(o, "bundle", &l->bundle);
    size_json(o, "unpacked", &l->unpacked);
    return o;
}
