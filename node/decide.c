/* decide.c -- protocol v1 decisions (see decide.h).
 * The order of checks is the documented one; nothing here does I/O. */
#include "decide.h"
#include "decode.h"
#include "glob.h"
#include <cjson/cJSON.h>
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

const char *decide_header(const decide_input *in, const char *name)
{
    /* first letters compared before strcasecmp (the node runs in the C locale: ASCII case only) */
    int first = name[0] >= 'A' && name[0] <= 'Z' ? name[0] + 32 : name[0];
    for (size_t i = 0; i < in->nheaders; i++) {
        int h = in->headers[i].name[0];
        if ((h >= 'A' && h <= 'Z' ? h + 32 : h) == first && strcasecmp(in->headers[i].name, name) == 0)
            return in->headers[i].value;
    }
    return NULL;
}

/* Copies the printable part of s (stopping at bad bytes), at most outlen-1 bytes. */
static void copy_token(char *out, size_t outlen, const char *s, const char *allowed)
{
    size_t n = 0;
    for (; s && *s && n + 1 < outlen; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!(isalnum(ch) || strchr(allowed, ch))) break;
        out[n++] = *s;
    }
    out[n] = '\0';
}

static int token_ok(const node_state *s, const char *tok)
{
    if (!tok) return 0;
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)tok, strlen(tok), NULL, 0);
    int ok = 0;
    for (size_t i = 0; i < s->cfg->ntokens; i++)        /* no early exit: same work for every token */
        ok |= sodium_memcmp(h, s->token_hash[i], sizeof h) == 0;
    return ok;
}

/* Host for routing: lower case, without a port. */
static void set_host(decide_result *out, const char *h)
{
    copy_token(out->host, sizeof out->host, h ? h : "", "-._:[]*");
    char *colon = strrchr(out->host, ':');
    if (colon && !strchr(out->host, ']') && colon == strchr(out->host, ':')) *colon = '\0';
    else if (out->host[0] == '[' && (colon = strstr(out->host, "]:"))) colon[1] = '\0';
    for (char *p = out->host; *p; p++) *p = (char)tolower((unsigned char)*p);
}

/* First comma-separated value of a header as an address; 0 on success. */
static int header_addr(const char *v, unsigned char a[16])
{
    char tmp[64];
    size_t n = 0;
    while (v && (*v == ' ' || *v == '\t')) v++;
    for (; v && *v && *v != ',' && *v != ' ' && n + 1 < sizeof tmp; v++) tmp[n++] = *v;
    tmp[n] = '\0';
    return n ? cidr_addr_parse(tmp, a) : -1;
}

static const char *first_header(const decide_input *in, char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = decide_header(in, names[i]);
        if (v) return v;
    }
    return NULL;
}

/* Original host and client address, by the proxy-header trust rules. */
static void identify(const config *c, const decide_input *in, decide_result *out, unsigned char client[16])
{
    const char *host = NULL, *ip = NULL;
    static char *def_host[] = {"X-Forwarded-Host"}, *def_ip[] = {"X-Real-IP"};
    if (c->proxy_default) {
        host = first_header(in, def_host, 1);
        ip = first_header(in, def_ip, 1);
    } else {
        for (size_t i = 0; i < c->nproxy; i++) {
            const config_proxy_rule *r = &c->proxy[i];
            if (r->trusted.n && !cidr_list_contains(&r->trusted, in->peer)) continue;
            host = first_header(in, r->host_headers, r->nhost_headers);
            ip = first_header(in, r->ip_headers, r->nip_headers);
            break;
        }
    }
    if (!host) host = decide_header(in, "Host");
    set_host(out, host);
    if (!ip || header_addr(ip, client) < 0) memcpy(client, in->peer, 16);
    cidr_addr_format(client, out->client, sizeof out->client);
}

void decide_client(const config *c, const decide_input *in, char *out, size_t outlen)
{
    decide_result r;
    unsigned char client[16];
    identify(c, in, &r, client);
    snprintf(out, outlen, "%s", r.client);
}

static int host_allowed(const config *c, const char *host)
{
    if (!c->nallowed_hosts) return 1;
    for (size_t i = 0; i < c->nallowed_hosts; i++)
        if (glob_match(c->allowed_hosts[i], host)) return 1;
    return 0;
}

static int finish(decide_result *out, int status, const char *verdict, const char *reason)
{
    if (out->type == DECIDE_ASYNC && (status == 200 || status == 403)) {
        if (status == 403) verdict = "pass";        /* async copies are never blocked */
        status = 204;
    }
    out->status = status;
    out->verdict = verdict;
    out->reason = reason;
    return status;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int analyse(const node_state *s, const decide_input *in, decide_result *out)
{
    httpreq dr = {in->method, in->path, in->query, in->headers, in->nheaders, in->body, in->body_len};
    if (in->scan) {
        dr.path = in->scan->path;
        dr.query = in->scan->query;
        dr.headers = in->scan->headers;
        dr.nheaders = in->scan->nheaders;
    }
    double t0 = now_seconds();
    int rc = detect_analyze_json(s->rules, &dr, &out->det, &out->body_json);
    out->analysis_seconds = now_seconds() - t0;
    if (out->det.cut & DECODE_CUT_DEPTH) out->over |= OVER_DECODE_DEPTH;     /* limits met inside */
    if ((out->det.cut & DECODE_CUT_BUDGET) || out->det.match_limit) out->over |= OVER_DECODE_BUDGET;
    out->analysed = 1;
    return rc;
}

/* "Evasion by size": one hit per limit passed, reported with the attacks (events, metrics, the
 * 403 body). Going past limits is one signal however many were passed: the first evasion hit
 * scores DETECT_SCORE_EVASION, the others 0, so that under analyse_partial it blocks only with
 * another signal in the analysed part. */
static void add_evasion_hits(decide_result *out, unsigned bits)
{
    int scored = 0;
    for (int i = 0; i < out->det.nhits; i++)
        scored |= strcmp(out->det.hits[i].attack_class, "evasion") == 0 && out->det.hits[i].score;
    for (int i = 0; i < OVER_NREASONS && out->det.nhits < DETECT_MAX_HITS; i++) {
        if (!(bits & (1u << i))) continue;
        detect_hit *h = &out->det.hits[out->det.nhits++];
        snprintf(h->rule_id, sizeof h->rule_id, "oversize-%s", oversize_reason_name(i));
        snprintf(h->attack_class, sizeof h->attack_class, "evasion");
        snprintf(h->where, sizeof h->where, "request");
        h->score = scored ? 0 : DETECT_SCORE_EVASION;
        out->det.score += h->score;
        scored = 1;
    }
}

/* The verdict for an analysed request that went past a limit and holds no attack. */
static int decide_oversize(decide_result *out)
{
    if (out->oversize == OVERSIZE_BLOCK && out->may_block) return finish(out, 403, "block", "oversize");
    return finish(out, 200, "pass", "oversize");
}

/* An analysed request: an attack when its score reaches the route's threshold. */
static int decide_analysed(decide_result *out)
{
    if (out->det.score >= out->threshold)
        return finish(out, out->may_block ? 403 : 200, out->may_block ? "block" : "pass", "attack");
    if (out->over) return decide_oversize(out);
    return finish(out, 200, "pass", NULL);
}

int decide_late(decide_result *out)
{
    unsigned added = OVER_REPLY_TIME & ~out->over;
    out->over |= OVER_REPLY_TIME;
    if (!out->analysed || out->type == DECIDE_RESPONSE) return out->status;
    add_evasion_hits(out, added);
    if (out->status == 403) return out->status;
    return decide_analysed(out);
}

void decide_result_free(decide_result *out)
{
    cJSON_Delete(out->body_json);
    out->body_json = NULL;
}

int decide_message(const node_state *s, const decide_input *in, decide_result *out)
{
    const config *c = s->cfg;
    memset(out, 0, sizeof *out);
    out->mode = -1;
    out->application = c->application;
    out->over = in->over;
    out->oversize = c->oversize;
    out->threshold = c->threshold;
    const char *msg = decide_header(in, "X-Connector-Message");
    const char *cmode = decide_header(in, "X-Connector-Mode");
    if (msg && strcasecmp(msg, "response") == 0) out->type = DECIDE_RESPONSE;
    else if (cmode && strcasecmp(cmode, "async") == 0) out->type = DECIDE_ASYNC;
    copy_token(out->request_id, sizeof out->request_id, decide_header(in, "X-Connector-Request-Id"), "-");
    copy_token(out->connector, sizeof out->connector, decide_header(in, "X-Connector"), "-._/+");
    unsigned char client[16];
    identify(c, in, out, client);

    if (c->ntokens && !token_ok(s, decide_header(in, "X-Connector-Token")))
        return finish(out, 401, "reject", "token");
    if (!host_allowed(c, out->host))
        return finish(out, 415, "reject", "host");

    out->mode = c->mode;
    routes_match(&c->routes, out->host, in->path, &out->application, &out->mode, &out->oversize,
                 &out->threshold);
    if (out->type == DECIDE_RESPONSE) {
        const char *st = decide_header(in, "X-Connector-Response-Status");
        char *end = NULL;
        long v = st ? strtol(st, &end, 10) : 0;
        out->response_status = (st && *st && !*end && v >= 100 && v <= 599) ? (int)v : 0;
        return finish(out, 200, "recorded", NULL);
    }
    if (out->mode == CONFIG_MODE_OFF)
        return finish(out, 200, "bypass", "mode_off");
    if (filters_match(&c->bypass, in->path, in->headers, in->nheaders, client) ||
        (c->inspect.n && !filters_match(&c->inspect, in->path, in->headers, in->nheaders, client)))
        return finish(out, 200, "bypass", "input_filters");

    int allowed = cidr_list_contains(&c->allowlist, client);
    if (!allowed && cidr_list_contains(&c->denylist, client))
        return finish(out, 403, "block", "denylist");
    if (!allowed && in->blocked && out->type == DECIDE_REQUEST &&     /* before any rule runs */
        (out->mode == CONFIG_MODE_BLOCK || out->mode == CONFIG_MODE_SAFE_BLOCKING))
        return finish(out, 403, "block", in->blocked);
    if (analyse(s, in, out) < 0) return -1;
    out->may_block = !allowed && out->type != DECIDE_ASYNC &&
                     (out->mode == CONFIG_MODE_BLOCK ||
                      (out->mode == CONFIG_MODE_SAFE_BLOCKING && cidr_list_contains(&c->graylist, client)));
    add_evasion_hits(out, out->over);
    return decide_analysed(out);
}
