/* passive.h -- passive vulnerability detection around the verdict: remembers which attack
 * classes a request carried (here, and in the store so any replica can read it), and runs the
 * vulnerability rules (vulns.h) over the body of the response report with the same request id.
 * Each finding is one "vulnerability" event and one count in edgenode_vulnerabilities_total. */
#ifndef PASSIVE_H
#define PASSIVE_H
#include "decide.h"
#include "store.h"

/* An analysed request: remembers its attack classes (none too) in a per-process table of the last
 * PASSIVE_SLOTS request ids; one the node let through with an attack is also put in the shared store
 * for PASSIVE_TTL_MS with store_send (no round trip; nothing for clean or blocked requests or without a
 * shared store). */
#define PASSIVE_TTL_MS 120000ul
#define PASSIVE_SLOTS  65536
void passive_request(const node_state *s, const decide_result *res);
/* A response report with a body whose request this process did not see: fills op with the
 * STORE_GET of its request's attacks (for the caller's store_run, with its other look-ups) and
 * returns 1; else 0. */
int  passive_report_op(const node_state *s, const decide_input *in, const decide_result *res, store_op *op);
/* A response report with a body: its request's attacks from the table, else from got (the
 * passive_report_op look-up after store_run, or NULL); scans, writes events and counts. Returns
 * the number of findings. */
int  passive_report(const node_state *s, const decide_input *in, const decide_result *res, const store_op *got);
/* Frees the table (at exit, for leak checks). */
void passive_reset(void);

#endif
