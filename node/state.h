/* state.h -- the serving state: one config and its rules, swapped atomically on reload.
 * Requests hold a reference for their whole life, so a reload never pulls state from under them. */
#ifndef STATE_H
#define STATE_H
#include "config.h"
#include "detect.h"
#include "vulns.h"

typedef struct node_state {
    config *cfg;
    detect_rules *rules;
    vulns_rules *vulns;                 /* NULL: no passive vulnerability detection */
    unsigned char (*token_hash)[32];    /* BLAKE2b of each configured token */
    int refs;                           /* guarded by the state lock */
} node_state;

/* Loads the config file and its rules; NULL with every error in errs. */
node_state *state_load(const char *config_path, config_errors *errs);
/* The same from a parsed config (takes ownership of cfg, frees it on failure). */
node_state *state_from_config(config *cfg, config_errors *errs);
void        state_free(node_state *s);

/* Installs s as the current state (taking the caller's reference); the old one is released. */
void        state_install(node_state *s);
/* The current state with one more reference, or NULL before the first install. */
node_state *state_acquire(void);
void        state_release(node_state *s);

/* Draining: set by SIGTERM, read by /ready and by the responders (Connection: close). */
void state_set_draining(void);
int  state_draining(void);

#endif
