/* bruteforce.c -- counting response reports per client address (see bruteforce.h).
 * Keys: edgenode:count:KIND:PATH:CLIENT (fixed window) and edgenode:block:CLIENT (value = kind). */
#include "bruteforce.h"
#include "events.h"
#include "metrics.h"
#include "store.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const kind_names[] = {"brute_force", "forced_browsing"};

const char *bruteforce_kind_name(int kind) { return kind_names[kind == CONFIG_COUNT_FORCED_BROWSING]; }

static void block_key(char *out, size_t len, const char *client)
{
    snprintf(out, len, "edgenode:block:%s", client);
}

void bruteforce_check(const node_state *s, decide_input *in)
{
    const config *c = s->cfg;
    if (!c->ncounts || decide_header(in, "X-Connector-Message")) return;
    const char *mode = decide_header(in, "X-Connector-Mode");
    if (mode && strcasecmp(mode, "async") == 0) return;            /* async copies are never blocked */
    char client[64], key[96], value[32] = "";
    decide_client(c, in, client, sizeof client);
    block_key(key, sizeof key, client);
    if (store_blocked(key, value, sizeof value) > 0)               /* the store's text, mapped to ours */
        in->blocked = kind_names[strcmp(value, kind_names[1]) == 0];
}

static int status_listed(const config_count_rule *r, int status)
{
    for (size_t i = 0; i < r->nstatuses; i++)
        if (r->statuses[i] == status) return 1;
    return 0;
}

static void write_event(const config_count_rule *r, const decide_result *res, long count, int blocking)
{
    if (!events_enabled()) return;
    cJSON *o = events_new(bruteforce_kind_name(r->kind));
    if (!o) return;
    events_add_message(o, res);
    cJSON_AddStringToObject(o, "path", r->path);
    cJSON_AddNumberToObject(o, "count", (double)count);
    cJSON_AddNumberToObject(o, "limit", (double)r->limit);
    cJSON_AddNumberToObject(o, "window_ms", (double)r->window_ms);
    cJSON_AddStringToObject(o, "verdict", blocking ? "blocked" : "recorded");
    if (blocking) cJSON_AddNumberToObject(o, "block_for_ms", (double)r->block_ms);
    cJSON_AddStringToObject(o, "mode", config_mode_name(res->mode));
    events_emit(o);
}

/* Whether crossing a limit blocks this report's client: not allowlisted, block or safe_blocking. */
static int blocking(const config *c, const decide_result *res)
{
    unsigned char addr[16];
    int allowed = cidr_addr_parse(res->client, addr) == 0 && cidr_list_contains(&c->allowlist, addr);
    return !allowed && (res->mode == CONFIG_MODE_BLOCK || res->mode == CONFIG_MODE_SAFE_BLOCKING);
}

size_t bruteforce_report_ops(const node_state *s, const decide_input *in, const decide_result *res,
                             size_t *next, store_op *ops, size_t cap)
{
    const config *c = s->cfg;
    if (res->type != DECIDE_RESPONSE || !res->response_status || !c->ncounts) return 0;
    int blocks = blocking(c, res);
    size_t n = 0;
    for (; *next < c->ncounts && n < cap; ++*next) {
        const config_count_rule *r = &c->counts[*next];
        if (strncmp(in->path, r->path, strlen(r->path)) != 0 || !status_listed(r, res->response_status))
            continue;
        store_op *o = &ops[n++];
        memset(o, 0, sizeof *o);
        o->kind = STORE_COUNT;
        o->tag = (int)*next;
        snprintf(o->key, sizeof o->key, "edgenode:count:%s:%s:%s", kind_names[r->kind], r->path, res->client);
        block_key(o->block_key, sizeof o->block_key, res->client);
        snprintf(o->block_value, sizeof o->block_value, "%s", kind_names[r->kind]);
        o->window_ms = r->window_ms;
        o->limit = r->limit;
        o->block_ms = blocks ? r->block_ms : 0;
    }
    return n;
}

int bruteforce_report_done(const node_state *s, const decide_result *res, const store_op *ops, size_t n)
{
    int blocks = blocking(s->cfg, res), crossed = 0;
    for (size_t i = 0; i < n; i++) {
        const config_count_rule *r = &s->cfg->counts[ops[i].tag];
        if (ops[i].count != r->limit + 1) continue;               /* once per crossing */
        crossed++;
        metrics_client_blocked(r->kind, blocks);
        write_event(r, res, ops[i].count, blocks);
    }
    return crossed;
}
