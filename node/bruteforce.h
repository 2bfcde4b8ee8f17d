/* bruteforce.h -- brute-force and forced-browsing protection: response reports whose status is in
 * a brute_force / forced_browsing entry count against the client address; past the limit it is blocked.
 *
 * Counters and blocks live in the store (store.h), so every replica sharing it sees the same
 * block. The verdict itself is decide.c's: bruteforce_check only says whether the address is blocked. */
#ifndef BRUTEFORCE_H
#define BRUTEFORCE_H
#include "decide.h"
#include "store.h"

/* Before deciding a request: sets in->blocked when its client address is blocked (one store
 * lookup, only when the config has entries and the message is an inline request). */
void bruteforce_check(const node_state *s, decide_input *in);
/* After a response report was decided: the counts it makes, one STORE_COUNT per matching entry
 * from entry *next on, at most cap (*next moves past the entries looked at), for the caller to run
 * with store_run together with its other look-ups; 0 when nothing (more) counts. */
size_t bruteforce_report_ops(const node_state *s, const decide_input *in, const decide_result *res,
                             size_t *next, store_op *ops, size_t cap);
/* After store_run of those ops: crossing a limit blocks the address (block and safe_blocking
 * modes; the store set the block) and writes a brute_force / forced_browsing event and metric
 * either way. Returns the number of limits crossed. */
int  bruteforce_report_done(const node_state *s, const decide_result *res, const store_op *ops, size_t n);

/* "brute_force" or "forced_browsing". */
const char *bruteforce_kind_name(int kind);

#endif
