/* oversize.c -- fitting a request head into the node's limits (see oversize.h).
 * Pure: no I/O; the server measures what libmicrohttpd received and analyses the view. */
#include "oversize.h"
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[OVER_NREASONS] = {
    "request_line", "header_line", "headers", "params", "body", "reply_time", "decode_depth", "decode_budget"};
static const char *const policy_names[] = {"analyse_partial", "block"};

const char *oversize_reason_name(int i)
{
    return i >= 0 && i < OVER_NREASONS ? reason_names[i] : "unknown";
}

const char *oversize_policy_name(int policy)
{
    return policy == OVERSIZE_BLOCK ? policy_names[1] : policy_names[0];
}

int oversize_policy_parse(const char *s)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, policy_names[i]) == 0) return i;
    return -1;
}

void oversize_view_free(oversize_view *v)
{
    for (size_t i = 0; i < v->ncut; i++) free(v->cut[i]);
    free(v->cut);
    free(v->headers);
    free(v->target);
    memset(v, 0, sizeof *v);
}

static char *copy_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) { memcpy(p, s, n); p[n] = '\0'; }
    return p;
}

/* Cuts the query after its max-th parameter; 1 when it had more. */
static int cut_params(char *q, size_t max)
{
    if (!q || !max) return 0;
    size_t seen = 1;
    for (char *p = q; *p; p++)
        if (*p == '&' && ++seen > max) { *p = '\0'; return 1; }
    return 0;
}

int oversize_fit_head(const oversize_limits *lim, const char *method, const char *target, const char *version,
                    const httpreq_header *h, size_t n, oversize_view *v)
{
    memset(v, 0, sizeof *v);
    size_t fixed = strlen(method) + strlen(version) + 2, tlen = strlen(target);
    if (fixed + tlen > lim->max_request_line) {
        v->over |= OVER_REQUEST_LINE;
        tlen = lim->max_request_line > fixed ? lim->max_request_line - fixed : 0;
    }
    v->target = copy_n(target, tlen);
    v->headers = malloc((n ? n : 1) * sizeof *v->headers);
    v->cut = malloc((n ? n : 1) * sizeof *v->cut);
    if (!v->target || !v->headers || !v->cut) { oversize_view_free(v); return -1; }
    char *q = strchr(v->target, '?');
    if (q) *q++ = '\0';
    if (cut_params(q, lim->max_params)) v->over |= OVER_PARAMS;
    v->path = v->target;
    v->query = q;

    size_t total = 0;
    int full = 0;                   /* past max_header_bytes: the rest is left out whole, but each
                                     * line is still measured, so every limit passed is reported */
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(h[i].name), vl = strlen(h[i].value), line = nl + 2 + vl;
        const char *val = h[i].value;
        if (line > lim->max_header_line) {
            v->over |= OVER_HEADER_LINE;
            vl = lim->max_header_line > nl + 2 ? lim->max_header_line - nl - 2 : 0;
            line = nl + 2 + vl;
            if (full) continue;
            char *c = copy_n(val, vl);
            if (!c) { oversize_view_free(v); return -1; }
            v->cut[v->ncut++] = c;
            val = c;
        }
        if (full || total + line + 2 > lim->max_header_bytes) {
            v->over |= OVER_HEADERS;
            full = 1;
            continue;
        }
        total += line + 2;
        v->headers[v->nheaders].name = h[i].name;
        v->headers[v->nheaders++].value = val;
    }
    return 0;
}

