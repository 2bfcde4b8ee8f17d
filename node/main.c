/* main.c -- edgenode: the filtering node that connectors forward requests to.
 * Parses the command line, then one signal loop: SIGHUP reloads, SIGTERM drains and exits. */
#include "cli_opt.h"
#include "events.h"
#include "metrics.h"
#include "inventory.h"
#include "jarena.h"
#include "passive.h"
#include "listeners.h"
#include "server.h"
#include "state.h"
#include "store.h"
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

static void print_errors(const char *prefix, config_errors *e)
{
    for (size_t i = 0; i < e->n; i++) fprintf(stderr, "%s%s\n", prefix, e->v[i]);
    config_errors_free(e);
}

static int check_config(const char *path)
{
    config_errors e = {0};
    node_state *s = state_load(path, &e);
    if (!s) {
        size_t n = e.n;
        print_errors("", &e);
        fprintf(stderr, "%s: %zu error%s\n", path, n, n == 1 ? "" : "s");
        return 1;
    }
    char err[512];
    if (server_check_tls(s->cfg, err, sizeof err) < 0) {
        fprintf(stderr, "%s: %s\n%s: 1 error\n", path, err, path);
        state_free(s);
        return 1;
    }
    printf("%s: ok (%zu rules from %s, %zu routes, mode %s)\n", path, detect_rules_count(s->rules),
           s->cfg->rules_path, s->cfg->routes.n, config_mode_name(s->cfg->mode));
    state_free(s);
    return 0;
}

static void reload(const char *path)
{
    config_errors e = {0};
    node_state *cur = state_acquire();
    node_state *s = state_load(path, &e);
    char err[512];
    if (s && cur && listeners_apply(cur->cfg, s->cfg, err, sizeof err) < 0) {
        config_errors_add(&e, err);
        state_free(s);
        s = NULL;
    }
    if (!s) {
        metrics_reload(0);
        fprintf(stderr, "edgenode: reload refused, the running config stays:\n");
        print_errors("edgenode:   ", &e);
        if (cur && events_open(cur->cfg->events_path, err, sizeof err) < 0)   /* still rotate */
            fprintf(stderr, "edgenode: %s\n", err);
        state_release(cur);
        return;
    }
    if (events_open(s->cfg->events_path, err, sizeof err) < 0) fprintf(stderr, "edgenode: %s\n", err);
    if (store_configure(s->cfg->shared_store, err, sizeof err) < 0) fprintf(stderr, "edgenode: %s\n", err);
    state_release(cur);
    metrics_set_rules(detect_rules_count(s->rules));
    state_install(s);
    metrics_reload(1);
    fprintf(stderr, "edgenode: reloaded %s\n", path);
}

static int run(const char *path)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);          /* before any thread starts */
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    config_errors e = {0};
    node_state *s = state_load(path, &e);
    if (!s) { print_errors("edgenode: ", &e); return 1; }
    char err[512];
    if (events_open(s->cfg->events_path, err, sizeof err) < 0) {
        fprintf(stderr, "edgenode: %s\n", err);
        state_free(s);
        return 1;
    }
    if (store_configure(s->cfg->shared_store, err, sizeof err) < 0) {
        fprintf(stderr, "edgenode: %s\n", err);
        state_free(s);
        events_close();
        return 1;
    }
    metrics_set_rules(detect_rules_count(s->rules));
    state_install(s);
    if (listeners_start(s->cfg, err, sizeof err) < 0) {
        fprintf(stderr, "edgenode: %s\n", err);
        state_install(NULL);
        events_close();
        store_shutdown();
        return 1;
    }
    fprintf(stderr, "edgenode: listening on %s%s, mode %s, %zu rules (%zu patterns with a literal set)\n", s->cfg->listen,
            s->cfg->tls_cert ? " (TLS)" : "", config_mode_name(s->cfg->mode), detect_rules_count(s->rules),
            detect_rules_prefiltered(s->rules, NULL));
    struct timespec tick = {1, 0};
    for (;;) {
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig < 0) { listeners_reap(); continue; }  /* timeout or EINTR */
        if (sig == SIGHUP) { reload(path); continue; }
        break;
    }
    fprintf(stderr, "edgenode: draining\n");
    node_state *last = state_acquire();
    unsigned long drain_ms = last->cfg->drain_timeout_ms;
    state_release(last);
    listeners_shutdown(drain_ms);
    state_install(NULL);
    events_close();
    inventory_reset();
    passive_reset();
    store_shutdown();
    metrics_reset();
    fprintf(stderr, "edgenode: stopped\n");
    return 0;
}

typedef struct node_opts { const char *config, *check; int version; } node_opts;

#define O(f) offsetof(node_opts, f)
static const cli_option node_options[] = {
    {"--config", "FILE", CLI_STR, O(config), "serve with this config (SIGHUP reloads config and rules, SIGTERM drains)"},
    {"--check-config", "FILE", CLI_STR, O(check),
     "load the config, its rules and TLS files, print every error as FILE:LINE:COL;\nexit 1 if any"},
    {"--version", NULL, CLI_FLAG, O(version), "print the version"},
    {NULL, NULL, 0, 0, NULL},
};
#undef O

static const cli_command node_cmd = {
    NULL,
    "usage: edgenode --config FILE | --check-config FILE | --version\n"
    "\n"
    "The filtering node the connectors call (see docs/edgenode.md).\n",
    node_options, NULL, 0, {0}, 0, NULL, "edgenode",
};

int main(int argc, char **argv)
{
    node_opts o = {0};
    int rc = cli_parse(&node_cmd, argc, argv, &o);
    cli_done(&node_cmd, &o);
    if (rc) return rc == 1 ? 0 : rc;
    if (o.version) { printf("edgenode %s\n", METRICS_VERSION); return 0; }
    if (!o.config == !o.check) {
        fprintf(stderr, "edgenode: give one of --config FILE and --check-config FILE (see edgenode --help)\n");
        return 2;
    }
    if (sodium_init() < 0) { fprintf(stderr, "edgenode: libsodium failed to start\n"); return 1; }
    jarena_install();   /* before any thread: documents parsed per request come from per-thread arenas */
    return o.check ? check_config(o.check) : run(o.config);
}
