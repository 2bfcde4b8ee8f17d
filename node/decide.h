/* decide.h -- one connector message in, one verdict out: protocol v1 without the HTTP plumbing.
 * Token, allowed host, route, mode, input filters, address lists, then detection. */
#ifndef DECIDE_H
#define DECIDE_H
#include "state.h"
#include "oversize.h"

enum { DECIDE_REQUEST, DECIDE_RESPONSE, DECIDE_ASYNC };

typedef struct decide_input {
    const char *method;
    const char *path;               /* raw path, no query */
    const char *query;              /* raw query without '?', or NULL */
    const httpreq_header *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
    unsigned char peer[16];         /* the TCP peer (cidr.h form) */
    const char *blocked;            /* set by bruteforce_check: "brute_force", "forced_browsing", or NULL */
    unsigned over;                  /* OVER_* bits the request went past while received */
    const oversize_view *scan;        /* the head cut to the limits, analysed instead of path, query
                                     * and headers (which still serve host, token and routing); or NULL */
} decide_input;

typedef struct decide_result {
    int type;                       /* DECIDE_* */
    int status;                     /* HTTP status for the connector */
    const char *verdict;            /* "pass", "block", "bypass", "reject", "recorded" */
    const char *reason;             /* "attack", "oversize", "denylist", "brute_force", "forced_browsing", "mode_off", "input_filters", "host", "token", or NULL */
    int mode;                       /* CONFIG_MODE_*, -1 when rejected before routing */
    long application;
    int analysed;
    unsigned over;                  /* OVER_* bits: limits the request went past */
    int oversize;                   /* the route's policy, OVERSIZE_* */
    int threshold;                  /* the route's detection.threshold: det.score at or above it is an attack */
    int may_block;                  /* an attack would be answered 403 (mode, lists, not async) */
    int response_status;            /* origin status from a response report, 0 if none */
    double analysis_seconds;
    char host[256];
    char client[64];
    char request_id[65];
    char connector[96];
    detect_result det;
    struct cJSON *body_json;        /* the body as detection parsed it (cJSON_ParseWithLength of
                                     * in->body, in->body_len), when it did; NULL otherwise. Owned:
                                     * decide_result_free. The inventory reads it instead of parsing
                                     * the body again */
} decide_result;

/* Decides; returns out->status, or -1 when memory ran out. Thread-safe. Whatever it returns, out
 * then holds a body_json (maybe NULL) that decide_result_free releases. */
int decide_message(const node_state *s, const decide_input *in, decide_result *out);
/* Releases what out owns (body_json); out stays readable otherwise. */
void decide_result_free(decide_result *out);
/* The client address of in (by the proxy-header rules, as decide_message finds it), as text. */
void decide_client(const config *c, const decide_input *in, char *out, size_t outlen);
/* The request's reply came later than reply_timeout.limit: adds OVER_REPLY_TIME and decides
 * again by the oversize policy (a block stays a block). Returns out->status. */
int decide_late(decide_result *out);
/* Case-insensitive header lookup; NULL when absent. */
const char *decide_header(const decide_input *in, const char *name);

#endif
