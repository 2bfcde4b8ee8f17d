/* cli_serve.c -- "bundlegen serve": runs the download backend until SIGTERM.
 * Parses the options, starts the server, then one sigwait loop: SIGHUP reloads, SIGTERM drains. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"
#include "params.h"
#include "root.h"
#include "serve.h"

#define SERVE_TOKEN_ENV "BUNDLEGEN_SERVE_TOKEN"

static const char serve_help[] =
    "usage: bundlegen serve --listen ADDR [--root DIR] [--packs DIR] [--cache-mb N] [--token-file F]\n"
    "                       [--threads N] [--max-connections N] [--max-inflight N] [--max-body SIZE]\n"
    "                       [--timeout S] [--drain-timeout S] [--access-log FILE|-|off]\n"
    "\n"
    "Serves platforms, changelogs and connector bundles over HTTP (see docs/serve.md).\n"
    "  --listen ADDR        127.0.0.1:8080, [::1]:8080, localhost:8080 or :8080 (every IPv4 address);\n"
    "                       port 0 picks a free one; the address is printed once listening\n"
    "  --root DIR           the data folder (default: $BUNDLEGEN_ROOT, ./ when it holds platforms/,\n"
    "                       else the installed data)\n"
    "  --packs DIR          template packs of older bundle versions (a folder)\n"
    "  --cache-mb N         memory for rendered bundles, least recently used out first (default 64)\n"
    "  --token-file F       require Authorization: Bearer TOKEN on /v1/ with a token of F (one a line,\n"
    "                       # comments); $" SERVE_TOKEN_ENV " adds one more\n"
    "  --threads N          worker threads (default: the number of processors)\n"
    "  --max-connections N  open connections; more wait to be accepted (default 1024)\n"
    "  --max-inflight N     requests being received or answered at once; more get 503 (default 256)\n"
    "  --max-body SIZE      largest POST body, e.g. 256k (default 256k)\n"
    "  --timeout S          close connections idle this long, and requests whose body takes longer\n"
    "                       (default 30)\n"
    "  --drain-timeout S    on SIGTERM, wait this long for requests in flight (default 10)\n"
    "  --access-log F       one line per request to F, - for stderr (default), or off\n"
    "SIGHUP reloads manifests, templates, packs and tokens; a set that fails to load is refused and\n"
    "the running one kept. SIGTERM or SIGINT stop accepting, finish what is in flight, and exit.\n";

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
    const char *root_opt, *log;
    unsigned long drain_s;
} serve_opts;

/* Returns 0 to run, 1 when help was shown, 2 on a usage error. */
static int parse(int argc, char **argv, serve_opts *o)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned long n;
    memset(o, 0, sizeof *o);
    o->cfg.cache_bytes = 64u << 20;
    o->cfg.max_body = 256u << 10;
    o->cfg.threads = cpus > 0 && cpus < 64 ? (unsigned)cpus : 2;
    o->cfg.max_connections = 1024;
    o->cfg.max_inflight = 256;
    o->cfg.timeout_s = 30;
    o->drain_s = 10;
    o->log = "-";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        int missing = 0, bad = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { fputs(serve_help, stdout); return 1; }
        if ((v = cli_opt(argc, argv, &i, "--listen", &missing))) o->cfg.listen = v;
        else if ((v = cli_opt(argc, argv, &i, "--root", &missing))) o->root_opt = v;
        else if ((v = cli_opt(argc, argv, &i, "--packs", &missing))) o->cfg.packs = v;
        else if ((v = cli_opt(argc, argv, &i, "--token-file", &missing))) o->cfg.token_file = v;
        else if ((v = cli_opt(argc, argv, &i, "--access-log", &missing))) o->log = v;
        else if ((v = cli_opt(argc, argv, &i, "--cache-mb", &missing))) {
            bad = number(a, v, 0, 1u << 20, &n);
            o->cfg.cache_bytes = (size_t)n << 20;
        } else if ((v = cli_opt(argc, argv, &i, "--threads", &missing))) {
            bad = number(a, v, 1, 256, &n);
            o->cfg.threads = (unsigned)n;
        } else if ((v = cli_opt(argc, argv, &i, "--max-connections", &missing))) {
            bad = number(a, v, 1, 1000000, &n);
            o->cfg.max_connections = (unsigned)n;
        } else if ((v = cli_opt(argc, argv, &i, "--max-inflight", &missing))) {
            bad = number(a, v, 1, 1000000, &n);
            o->cfg.max_inflight = (unsigned)n;
        } else if ((v = cli_opt(argc, argv, &i, "--timeout", &missing))) {
            bad = number(a, v, 1, 3600, &n);
            o->cfg.timeout_s = (unsigned)n;
        } else if ((v = cli_opt(argc, argv, &i, "--drain-timeout", &missing))) {
            bad = number(a, v, 0, 3600, &o->drain_s);
        } else if ((v = cli_opt(argc, argv, &i, "--max-body", &missing))) {
            long long bytes;
            if (params_parse_size(v, &bytes) < 0 || bytes < 1024 || bytes > (16ll << 20)) {
                fprintf(stderr, "bundlegen: serve: --max-body \"%s\": expected a size from 1k to 16m\n", v);
                bad = 1;
            }
            o->cfg.max_body = (size_t)bytes;
        } else if (missing) {
            fprintf(stderr, "bundlegen: serve: %s needs a value\n", a);
            return 2;
        } else {
            fprintf(stderr, "bundlegen: serve: unknown %s '%s' (see bundlegen serve --help)\n",
                    a[0] == '-' ? "option" : "argument", a);
            return 2;
        }
        if (bad) return 2;
    }
    if (!o->cfg.listen) { fprintf(stderr, "bundlegen: serve: --listen ADDR is required\n%s", serve_help); return 2; }
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
    char *root = root_find(o.root_opt, err, sizeof err);
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
    serve_stop(s, (unsigned)(o.drain_s * 1000));
    fprintf(stderr, "bundlegen: serve: stopped\n");
    if (log) fclose(log);
    free(root);
    return 0;
}
