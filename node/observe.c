/* observe.c -- the hooks around decide_message (see observe.h).
 * Each feature keeps its own module; this file only says which runs when. */
#include "observe.h"
#include "bruteforce.h"
#include "passive.h"
#include "inventory.h"

void observe_before(const node_state *s, decide_input *in)
{
    bruteforce_check(s, in);
}

void observe_after(const node_state *s, const decide_input *in, const decide_result *res)
{
    bruteforce_report(s, in, res);
    passive_request(s, res);
    passive_report(s, in, res);
    inventory_observe(s->cfg, in, res);
}
