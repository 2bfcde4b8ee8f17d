/* observe.h -- what the node learns from traffic beyond the verdict: the hooks the connector
 * listener calls around decide_message (brute-force counters, API discovery, vulnerability signs). */
#ifndef OBSERVE_H
#define OBSERVE_H
#include "decide.h"

/* Before decide_message: the lookups its verdict needs (a blocked client address). */
void observe_before(const node_state *s, decide_input *in);
/* After the verdict: counts, learns and records from the message and its verdict. */
void observe_after(const node_state *s, const decide_input *in, const decide_result *res);

#endif
