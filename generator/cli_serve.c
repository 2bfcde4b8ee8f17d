/* cli_serve.c -- "bundlegen serve": runs the download backend until SIGTERM.
 * Parses the options, starts the server, then one sigwait loop: SIGHUP reloads, SIGTERM drains. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "units.h"
#include "root.h"
#include "serve.h"

#define SERVE_TOKEN_ENV "BUNDLEGEN_SERVE_TOKEN"

static int number(const char *name, const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
    char *e;
    errno = 0;
    unsigned long n = strtoul(v, &e, 10);
    if (!*v || *e || errno || v[0] == '-' || n < min || n > max) {
        fprintf(stderr, "bundlegen: serve: %s \"%s\": expected an integer from %lu to %lu\n", name, v, min, max);
        return -1;
    }
    *out = n;
    return 0;
}

static int is_dir(const char *name, const char *path)
{
    struct stat st;
    int rc = stat(path, &st);
    if (rc == 0 && S_ISDIR(st.st_mode)) return 0;
    fprintf(stderr, "bundlegen: serve: %s %s: %s\n", name, path, rc < 0 ? strerror(errno) : "not a folder");
    return -1;
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

typedef struct serve_opts {
    serve_config cfg;
    const char *listen, *root, *packs, *token_file, *log, *cache_mb, *threads, *max_connections,
               *max_inflight, *max_body, *timeout, *drain_timeout;
    unsigned long drain_ms;
} serve_opts;

#define O(f) offsetof(serve_opts, f)
static const cli_option serve_options[] = {
    {"--listen", "ADDR", CLI_STR | CLI_REQUIRED, O(listen),
     "127.0.0.1:8080, [::1]:8080, localhost:8080 or :8080 (every IPv4 address);\n"
     "port 0 picks a free one; the address is printed once listening"},
    {"--root", "DIR", CLI_STR, O(root),
     CLI_ROOT_HELP},
    {"--packs", "DIR", CLI_STR, O(packs), "template packs of older bundle versions (a folder)"},
    {"--cache-mb", "N", CLI_STR, O(cache_mb), "memory for rendered bundles, least recently used out first (default 64)"},
    {"--token-file", "F", CLI_STR, O(token_file),
     "require Authorization: Bearer TOKEN on /v1/ with a token of F (one a line,\n"
     "# comments); $" SERVE_TOKEN_ENV " adds one more"},
    {"--threads", "N", CLI_STR, O(threads), "worker threads (default: the number of processors)"},
    {"--max-connections", "N", CLI_STR, O(max_connections), "open connections; more wait to be accepted (default 1024)"},
    {"--max-inflight", "N", CLI_STR, O(max_inflight),
     "requests being received or answered at once; more get 503 (default 256)"},
    {"--max-body", "SIZE", CLI_STR, O(max_body), "largest POST body, e.g. 256k (default 256k)"},
    {"--timeout", "DURATION", CLI_STR, O(timeout),
     "close connections idle this long, and requests whose body takes longer;\n"
     "1s to 1h, whole seconds (rounded up) (default 30s)"},
    {"--drain-timeout", "DURATION", CLI_STR, O(drain_timeout),
     "on SIGTERM, wait this long for requests in flight, up to 1h (default 10s)"},
    {"--access-log", "F", CLI_STR, O(log), "one line per request to F, - for stderr (default), or off"},
    {NULL, NULL, 0, 0, NULL},
};
#undef O

static const cli_command serve_cmd = {
    "serve",
    "usage: bundlegen serve --listen ADDR [--root DIR] [--packs DIR] [--cache-mb N] [--token-file F]\n"
    "                       [--threads N] [--max-connections N] [--max-inflight N] [--max-body SIZE]\n"
    "                       [--timeout DURATION] [--drain-timeout DURATION] [--access-log FILE|-|off]\n"
    "\n"
    "Serves platforms, changelogs and connector bundles over HTTP (see docs/serve.md).\n",
    serve_options,
    "SIGHUP reloads manifests, templates, packs and tokens; a set that fails to load is refused and\n"
    "the running one kept. SIGTERM or SIGINT stop accepting, finish what is in flight, and exit.\n",
    0, {0}, 0, NULL, "bundlegen",
};

/* An integer option's value, when given, into *out; -1 after a message. */
static int count_opt(const char *name, const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
    return v ? number(name, v, min, max, out) : 0;
}

/* A duration option's value (units.h), when given, into *ms; -1 after a message. */
static int duration_opt(const char *name, const char *v, long long min_ms, long long max_ms, long long *ms)
{
    if (!v) return 0;
    int rc = units_duration(v, max_ms, ms);
    if (rc == 0 && *ms >= min_ms) return 0;
    if (rc == UNITS_BARE)
        fprintf(stderr, "bundlegen: serve: %s \"%s\": %s\n", name, v, UNITS_BARE_WHY);
    else
        fprintf(stderr, "bundlegen: serve: %s \"%s\": expected a duration from %llds to %llds, like 30s or 2m\n",
                name, v, min_ms / 1000, max_ms / 1000);
    return -1;
}

/* Returns 0 to run, 1 when help was shown, 2 on a usage error. */
static int parse(int argc, char **argv, serve_opts *o)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    int rc = cli_parse(&serve_cmd, argc, argv, o);
    cli_done(&serve_cmd, o);
    if (rc) return rc;
    unsigned long cache_mb = 64, threads = cpus > 0 && cpus < 64 ? (unsigned long)cpus : 2, conns = 1024,
                  inflight = 256;
    long long timeout_ms = 30000, drain_ms = 10000;
    if (count_opt("--cache-mb", o->cache_mb, 0, 1u << 20, &cache_mb) < 0 ||
        count_opt("--threads", o->threads, 1, 256, &threads) < 0 ||
        count_opt("--max-connections", o->max_connections, 1, 1000000, &conns) < 0 ||
        count_opt("--max-inflight", o->max_inflight, 1, 1000000, &inflight) < 0 ||
        duration_opt("--timeout", o->timeout, 1000, 3600000, &timeout_ms) < 0 ||
        duration_opt("--drain-timeout", o->drain_timeout, 0, 3600000, &drain_ms) < 0)
        return 2;
    o->drain_ms = (unsigned long)drain_ms;
    long long body = 256 << 10;
    if (o->max_body && (units_size(o->max_body, 16ll << 20, &body) != 0 || body < 1024)) {
        fprintf(stderr, "bundlegen: serve: --max-body \"%s\": expected a size from 1k to 16m\n", o->max_body);
        return 2;
    }
    o->cfg.listen = o->listen;
    o->cfg.packs = o->packs;
    o->cfg.token_file = o->token_file;
    o->cfg.cache_bytes = (size_t)cache_mb << 20;
    o->cfg.threads = (unsigned)threads;
    o->cfg.max_connections = (unsigned)conns;
    o->cfg.max_inflight = (unsigned)inflight;
    o->cfg.timeout_s = (unsigned)((timeout_ms + 999) / 1000);   /* the server counts seconds */
    o->cfg.max_body = (size_t)body;
    if (!o->log) o->log = "-";
    if (o->cfg.packs && is_dir("--packs", o->cfg.packs) < 0) return 2;
    const char *env = getenv(SERVE_TOKEN_ENV);
    o->cfg.token_env = env && *env ? env : NULL;
    return 0;
}

/* Waits for signals: SIGHUP reloads, SIGTERM and SIGINT end the loop. */
static void wait_signals(serve *s, const sigset_t *set)
{
    for (;;) {
        int sig = 0;
        if (sigwait(set, &sig) != 0) continue;          /* EINTR, e.g. when a tracer attaches */
        if (sig != SIGHUP) return;
        char err[4096];
        if (serve_reload(s, err, sizeof err) == 0)
            fprintf(stderr, "bundlegen: serve: reloaded (%zu platforms)\n", serve_platform_count(s));
        else
            fprintf(stderr, "bundlegen: serve: reload refused, the running set stays: %s\n", err);
    }
}

int cli_serve(int argc, char **argv)
{
    serve_opts o;
    int rc = parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : 2;
    char err[4096];
    char *root = root_find(o.root, err, sizeof err);
    if (!root) { fprintf(stderr, "bundlegen: serve: %s\n", err); return 1; }
    o.cfg.root = root;
    FILE *log = NULL;
    if (!strcmp(o.log, "-")) o.cfg.access_log = stderr;
    else if (strcmp(o.log, "off")) {
        if (!(log = fopen(o.log, "a"))) {
            fprintf(stderr, "bundlegen: serve: --access-log %s: %s\n", o.log, strerror(errno));
            free(root);
            return 1;
        }
        setvbuf(log, NULL, _IOLBF, 0);
        o.cfg.access_log = log;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);             /* before the server's threads start */
    signal(SIGPIPE, SIG_IGN);
    raise_nofile();
    serve *s = serve_start(&o.cfg, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bundlegen: serve: %s\n", err);
        if (log) fclose(log);
        free(root);
        return 1;
    }
    fprintf(stderr, "bundlegen: serve: listening on port %u (%zu platforms from %s)\n", serve_port(s),
            serve_platform_count(s), root);
    wait_signals(s, &set);
    fprintf(stderr, "bundlegen: serve: draining\n");
    serve_stop(s, (unsigned)o.drain_ms);
    fprintf(stderr, "bundlegen: serve: stopped\n");
    if (log) fclose(log);
    free(root);
    return 0;
}
