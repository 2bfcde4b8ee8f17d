/* plimits.h -- a platform's own limits (the manifest's `limits:` section) and the checks that keep
 * bundlegen from making a bundle the platform would refuse or kill: endpoint scheme and port, the
 * worst-case time the connector can spend on the node, the number of node calls, body and bundle sizes.
 *
 * The same checks run for generate, serve and release: plimits_check_params right after the
 * parameters are validated, plimits_check_bundle once the bundle is packed (bundle_make calls it).
 * Every refusal names the parameters, the computed figure, the platform's limit and its source. */
#ifndef PLIMITS_H
#define PLIMITS_H
#include <stddef.h>
#include <cjson/cJSON.h>

/* A size bound that may be absent, with the vendor document it comes from. */
typedef struct plimits_size {
    int       set;
    long long max;          /* bytes */
    char     *source;       /* a URL */
} plimits_size;

typedef struct plimits {
    /* limits.endpoint: every endpoint's scheme must be listed; a port only when port_allowed. */
    int   has_endpoint;
    int   scheme_http, scheme_https;
    int   port_allowed;
    char *endpoint_source;
    /* limits.time: endpoints x (1 + retries) x request_timeout + retries x retry_interval + margin
     * must not exceed budget. what names the platform's limit in messages. report_awaited: the
     * handler awaits the response report (the same exchange again) when report_response is on, so
     * the worst case counts twice then. */
    int       has_time, report_awaited;
    long long budget_ms, margin_ms;
    char     *time_what, *time_source;
    /* limits.attempts: endpoints x (1 + retries), the calls one request may make to the node, must not
     * exceed max (a platform's cap on retries, such as a retry policy's count). */
    int       has_attempts;
    long long attempts_max;
    char     *attempts_what, *attempts_source;
    /* limits.request_body / response_body bound request_body_limit / response_body_limit (when the
     * body is sent); limits.bundle bounds the packed archive and unpacked the sum of file sizes. */
    plimits_size request_body, response_body, bundle, unpacked;
} plimits;

void plimits_clear(plimits *l);

/* The worst-case time, in ms, that params (a validated render context's parameters) can spend
 * on the node: endpoints x (1 + retries) x request_timeout + retries x retry_interval (absent
 * retries or retry_interval count as 0). -1 when request_timeout or endpoint is missing. */
long long plimits_worst_ms(const cJSON *params);

/* Adds "time" to a render context (ctx holds the validated parameters) when l has a time budget:
 * {worst_ms, budget_ms, margin_ms, handler_ms, timeout_s}, worst_ms counting an awaited report
 * (report_awaited), handler_ms being worst_ms + margin_ms (the time limit a template gives its handler
 * in ms, such as Apigee's JavaScript timeLimit) and timeout_s the same rounded up to whole seconds: the
 * function timeout a deployment template sets, so that the platform stops the handler no earlier than
 * the connector gives up on the node. 0, or -1 on memory failure. */
int plimits_add_time(const plimits *l, cJSON *ctx);

/* Checks params against l; appends one {"parameter", "message", "limit"} per violation to errors
 * (an array). platform is the manifest's name for messages. Returns the number appended, or -1
 * on memory failure. */
int plimits_check_params(const plimits *l, const char *platform, const cJSON *params, cJSON *errors);

/* Checks the packed size (packed_len; 0 for a folder) and the sum of the files' sizes. 0, or -1
 * with the reason in err. */
int plimits_check_bundle(const plimits *l, const char *platform, size_t packed_len, size_t unpacked_len,
                        char *err, size_t errsz);

/* The limits as JSON for describe and the HTTP API (absent sections left out): durations in ms,
 * sizes in bytes, each section with its source. */
cJSON *plimits_json(const plimits *l);

#endif
