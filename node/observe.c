/* observe.c -- the hooks around decide_message (see observe.h).
 * Each feature keeps its own module; this file only says which runs when. */
#include "observe.h"
#include "bruteforce.h"
#include "passive.h"
#include "inventory.h"
#include "store.h"

void observe_before(const node_state *s, decide_input *in)
{
    bruteforce_check(s, in);
}

void observe_after(const node_state *s, const decide_input *in, const decide_result *res)
{
    store_op ops[STORE_BATCH];          /* a report's counts and look-ups: one round trip */
    size_t next = 0, n = bruteforce_report_ops(s, in, res, &next, ops, STORE_BATCH - 2);
    size_t get = (size_t)passive_report_op(s, in, res, &ops[n]);
    size_t method = (size_t)inventory_report_op(s->cfg, in, res, &ops[n + get]);
    if (n + get + method) store_run(ops, n + get + method);
    bruteforce_report_done(s, res, ops, n);
    passive_report(s, in, res, get ? &ops[n] : NULL);
    passive_request(s, res);
    inventory_observe(s->cfg, in, res, method ? &ops[n + get] : NULL);
    for (size_t more = 0; more < s->cfg->ncounts &&                /* past STORE_BATCH - 2 matching entries */
         (n = bruteforce_report_ops(s, in, res, &next, ops, STORE_BATCH)) > 0; more++) {
        store_run(ops, n);
        bruteforce_report_done(s, res, ops, n);
    }
}
