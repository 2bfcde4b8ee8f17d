/* state.c -- reference-counted serving state (see state.h).
 * A single mutex guards the pointer and the counts; it is held only for an increment. */
#include "state.h"
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static node_state *current;
static atomic_int draining;

node_state *state_from_config(config *cfg, config_errors *errs)
{
    node_state *s = calloc(1, sizeof *s);
    if (!s) { config_free(cfg); return NULL; }
    s->cfg = cfg;
    s->refs = 1;
    char err[512];
    s->rules = detect_rules_load(cfg->rules_path, err, sizeof err);
    if (!s->rules) {
        for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n"))  /* one error a line */
            config_errors_add(errs, line);
        if (!err[0]) config_errors_add(errs, "rules: cannot load the rule set");
        state_free(s);
        return NULL;
    }
    char verr[4096];
    if (cfg->vulns_path && !(s->vulns = vulns_load(cfg->vulns_path, verr, sizeof verr))) {
        for (char *line = strtok(verr, "\n"); line; line = strtok(NULL, "\n"))
            config_errors_add(errs, line);
        state_free(s);
        return NULL;
    }
    if (cfg->ntokens) {
        s->token_hash = calloc(cfg->ntokens, sizeof *s->token_hash);
        if (!s->token_hash) { state_free(s); return NULL; }
        for (size_t i = 0; i < cfg->ntokens; i++)
            crypto_generichash(s->token_hash[i], 32, (const unsigned char *)cfg->tokens[i],
                               strlen(cfg->tokens[i]), NULL, 0);
    }
    return s;
}

node_state *state_load(const char *config_path, config_errors *errs)
{
    config *cfg = config_load(config_path, errs);
    return cfg ? state_from_config(cfg, errs) : NULL;
}

void state_free(node_state *s)
{
    if (!s) return;
    detect_rules_free(s->rules);
    vulns_free(s->vulns);
    config_free(s->cfg);
    free(s->token_hash);
    free(s);
}

void state_install(node_state *s)
{
    pthread_mutex_lock(&lock);
    node_state *old = current;
    current = s;
    pthread_mutex_unlock(&lock);
    if (old) state_release(old);
}

node_state *state_acquire(void)
{
    pthread_mutex_lock(&lock);
    node_state *s = current;
    if (s) s->refs++;
    pthread_mutex_unlock(&lock);
    return s;
}

void state_release(node_state *s)
{
    if (!s) return;
    pthread_mutex_lock(&lock);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&lock);
    if (last) state_free(s);
}

void state_set_draining(void) { atomic_store(&draining, 1); }
int  state_draining(void) { return atomic_load(&draining); }
