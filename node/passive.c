/* passive.c -- ties response reports to their requests' attacks and records findings (see passive.h).
 * Key: edgenode:attack:REQUEST_ID, value: the attack class bits in hex; a per-process table of
 * recent request ids answers first, so only reports whose request another replica saw cost a call. */
#include "passive.h"
#include "events.h"
#include "metrics.h"
#include "recent.h"
#include "store.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static recent *here;                /* request id -> attack bits of the requests this process analysed */
static pthread_mutex_t here_lock = PTHREAD_MUTEX_INITIALIZER;

static recent *table(void)
{
    pthread_mutex_lock(&here_lock);
    if (!here) here = recent_new(PASSIVE_SLOTS);
    recent *r = here;
    pthread_mutex_unlock(&here_lock);
    return r;
}

void passive_reset(void)
{
    pthread_mutex_lock(&here_lock);
    recent_free(here);
    here = NULL;
    pthread_mutex_unlock(&here_lock);
}

static void attack_key(char *out, size_t len, const char *request_id)
{
    snprintf(out, len, "edgenode:attack:%s", request_id);
}

void passive_request(const node_state *s, const decide_result *res)
{
    if (!vulns_need_attacks(s->vulns) || res->type == DECIDE_RESPONSE || !res->analysed || !res->request_id[0])
        return;
    uint32_t bits = 0;
    for (int i = 0; i < res->det.nhits; i++) bits |= vulns_attack_bit(res->det.hits[i].attack_class);
    recent_put(table(), res->request_id, &bits, sizeof bits);          /* clean ones too: no look-up later */
    if (!bits || (res->type == DECIDE_REQUEST && res->status == 403)) return;   /* blocked: no answer comes */
    char key[96], value[16];
    attack_key(key, sizeof key, res->request_id);
    snprintf(value, sizeof value, "%x", bits);
    store_send(key, value, strlen(value), PASSIVE_TTL_MS);              /* for the other replicas */
}

static void write_event(const decide_input *in, const decide_result *res, const vulns_finding *f)
{
    if (!events_enabled()) return;
    cJSON *o = events_new("vulnerability");
    if (!o) return;
    events_add_message(o, res);
    cJSON_AddStringToObject(o, "endpoint", in->path);
    cJSON_AddStringToObject(o, "class", f->vclass);
    cJSON_AddStringToObject(o, "evidence", f->evidence);
    cJSON_AddStringToObject(o, "rule", f->rule_id);
    if (f->after) cJSON_AddStringToObject(o, "after_attack", f->after);
    if (res->response_status) cJSON_AddNumberToObject(o, "status", res->response_status);
    events_emit(o);
}

/* Whether this report's request needs a store look-up: a report with a body whose request is
 * not in this process's table. */
static int needs_lookup(const node_state *s, const decide_input *in, const decide_result *res, uint32_t *attacks)
{
    unsigned char kept[RECENT_PAYLOAD];
    *attacks = 0;
    if (!s->vulns || res->type != DECIDE_RESPONSE || !in->body_len || strcmp(res->verdict, "recorded") != 0 ||
        !vulns_need_attacks(s->vulns) || !res->request_id[0])
        return 0;
    if (!recent_get(table(), res->request_id, kept)) return 1;
    memcpy(attacks, kept, sizeof *attacks);
    return 0;
}

int passive_report_op(const node_state *s, const decide_input *in, const decide_result *res, store_op *op)
{
    uint32_t attacks;
    if (!needs_lookup(s, in, res, &attacks)) return 0;
    memset(op, 0, sizeof *op);
    op->kind = STORE_GET;
    attack_key(op->key, sizeof op->key, res->request_id);
    return 1;
}

int passive_report(const node_state *s, const decide_input *in, const decide_result *res, const store_op *got)
{
    if (!s->vulns || res->type != DECIDE_RESPONSE || !in->body_len || strcmp(res->verdict, "recorded") != 0)
        return 0;
    uint32_t attacks = 0;
    if (needs_lookup(s, in, res, &attacks) && got && got->ttl_ms > 0)   /* another replica saw it */
        attacks = (uint32_t)strtoul(got->value, NULL, 16);
    vulns_finding f[VULNS_MAX_FINDINGS];
    int n = vulns_scan(s->vulns, attacks, in->body, in->body_len, f);
    for (int i = 0; i < n; i++) {
        metrics_vulnerability(f[i].class_index);
        write_event(in, res, &f[i]);
    }
    return n;
}
