/* passive.h -- passive vulnerability detection around the verdict: remembers which attack
 * classes a request carried (in the store, so any replica can read it), and runs the
 * vulnerability rules (vulns.h) over the body of the response report with the same request id.
 * Each finding is one "vulnerability" event and one count in edgenode_vulnerabilities_total. */
#ifndef PASSIVE_H
#define PASSIVE_H
#include "decide.h"

/* An analysed request with attacks: keeps its attack classes under its request id for
 * PASSIVE_TTL_MS (one store call; nothing for clean requests or without rules that need it). */
#define PASSIVE_TTL_MS 120000ul
void passive_request(const node_state *s, const decide_result *res);
/* A response report with a body: looks up its request's attacks (one store call, only when some
 * rule needs them), scans, writes events and counts. Returns the number of findings. */
int  passive_report(const node_state *s, const decide_input *in, const decide_result *res);

#endif
