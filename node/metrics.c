/* metrics.c -- counters and histograms (see metrics.h).
 * Names are prefixed edgenode_; process_* follow the Prometheus client conventions. */
#include "metrics.h"
#include "config.h"
#include "store.h"
#include "oversize.h"
#include "vulns.h"
#include "inventory.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>

typedef atomic_ullong counter;

static const char *const type_names[] = {"request", "response", "async"};
static const char *const mode_labels[] = {"off", "monitoring", "safe_blocking", "block", "none"};
static const char *const verdict_names[] = {"pass", "block", "bypass", "reject", "recorded"};
static const char *const bypass_names[] = {"mode_off", "input_filters"};
static const char *const reject_names[] = {"host", "network", "token"};
static const char *const block_names[] = {"attack", "denylist", "brute_force", "forced_browsing", "oversize"};
static const char *const status_classes[] = {"1xx", "2xx", "3xx", "4xx", "5xx", "unknown"};
static const int error_codes[] = {400, 431, 500};
static const double buckets[] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1};
#define NB (sizeof buckets / sizeof buckets[0])
#define N(a) (sizeof (a) / sizeof (a)[0])

static counter requests[3][5], verdicts[5], bypassed[2], rejected[3], blocked[5], resp_status[6];
static counter clients_limited[2][2];     /* [kind][blocked] */
static counter limits_hit[OVER_NREASONS];
static counter http_errors[3], reloads_ok, reloads_err, reply_timeouts, hist[NB + 1], hist_sum_ns, hist_count;
static counter vulnerabilities[VULNS_NCLASSES];
static atomic_llong inflight;
static atomic_ullong rules_loaded;
static time_t start_time;

typedef struct attack_cell { char cls[24]; long app; unsigned long long n; } attack_cell;
static pthread_mutex_t attack_lock = PTHREAD_MUTEX_INITIALIZER;
static attack_cell *attacks;
static size_t nattacks;

static void add(counter *c) { atomic_fetch_add_explicit(c, 1, memory_order_relaxed); }
static unsigned long long get(counter *c) { return atomic_load_explicit(c, memory_order_relaxed); }

static int index_of(const char *const *names, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0) return (int)i;
    return -1;
}

static void count_attack(const char *cls, long app)
{
    pthread_mutex_lock(&attack_lock);
    size_t i = 0;
    while (i < nattacks && !(attacks[i].app == app && strcmp(attacks[i].cls, cls) == 0)) i++;
    if (i == nattacks && nattacks < 4096) {        /* bounded: classes x applications */
        attack_cell *a = realloc(attacks, (nattacks + 1) * sizeof *a);
        if (a) {
            attacks = a;
            memset(&a[i], 0, sizeof a[i]);
            snprintf(a[i].cls, sizeof a[i].cls, "%s", cls);
            a[i].app = app;
            nattacks++;
        }
    }
    if (i < nattacks) attacks[i].n++;
    pthread_mutex_unlock(&attack_lock);
}

static void observe(double secs)
{
    size_t b = 0;
    while (b < NB && secs > buckets[b]) b++;
    add(&hist[b]);
    atomic_fetch_add_explicit(&hist_sum_ns, (unsigned long long)(secs * 1e9), memory_order_relaxed);
    add(&hist_count);
}

void metrics_record(const decide_result *r)
{
    int m = r->mode >= 0 && r->mode < 4 ? r->mode : 4;
    add(&requests[r->type][m]);
    int v = index_of(verdict_names, N(verdict_names), r->verdict);
    if (v >= 0) add(&verdicts[v]);
    if (strcmp(r->verdict, "bypass") == 0 && (v = index_of(bypass_names, 2, r->reason)) >= 0) add(&bypassed[v]);
    if (strcmp(r->verdict, "reject") == 0 && (v = index_of(reject_names, 3, r->reason)) >= 0) add(&rejected[v]);
    if (strcmp(r->verdict, "block") == 0 && (v = index_of(block_names, N(block_names), r->reason)) >= 0) add(&blocked[v]);
    for (int i = 0; i < OVER_NREASONS; i++)
        if (r->over & (1u << i)) add(&limits_hit[i]);
    if (r->type == DECIDE_RESPONSE)
        add(&resp_status[r->response_status ? r->response_status / 100 - 1 : 5]);
    if (r->analysed) observe(r->analysis_seconds);
    for (int i = 0; i < r->det.nhits; i++) {
        int seen = 0;                               /* count each class once per request */
        for (int j = 0; j < i; j++) seen |= strcmp(r->det.hits[j].attack_class, r->det.hits[i].attack_class) == 0;
        if (!seen) count_attack(r->det.hits[i].attack_class, r->application);
    }
}

void metrics_reject_network(void) { add(&rejected[1]); }
void metrics_client_blocked(int kind, int did_block) { add(&clients_limited[kind != 0][did_block != 0]); }
void metrics_vulnerability(int cls) { if (cls >= 0 && cls < VULNS_NCLASSES) add(&vulnerabilities[cls]); }
void metrics_reload(int ok) { add(ok ? &reloads_ok : &reloads_err); }
void metrics_reply_timeout(void) { add(&reply_timeouts); }
void metrics_set_rules(size_t n) { atomic_store(&rules_loaded, n); if (!start_time) start_time = time(NULL); }
void metrics_inflight(int delta) { atomic_fetch_add(&inflight, delta); }
long metrics_inflight_now(void) { return (long)atomic_load(&inflight); }

void metrics_http_error(int status)
{
    for (size_t i = 0; i < N(error_codes); i++)
        if (error_codes[i] == status) add(&http_errors[i]);
}

/* ---- rendering ------------------------------------------------------------------------ */

typedef struct out { char *p; size_t len, cap; int oom; } out;

static void emit(out *o, const char *fmt, ...)
{
    va_list ap;
    for (int tries = 0; tries < 2 && !o->oom; tries++) {
        va_start(ap, fmt);
        int n = vsnprintf(o->p ? o->p + o->len : NULL, o->p ? o->cap - o->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0) { o->oom = 1; return; }
        if (o->p && o->len + (size_t)n < o->cap) { o->len += (size_t)n; return; }
        size_t cap = (o->cap + (size_t)n + 1) * 2;
        char *q = realloc(o->p, cap);
        if (!q) { o->oom = 1; return; }
        o->p = q;
        o->cap = cap;
    }
}

static void head(out *o, const char *name, const char *type, const char *help)
{
    emit(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric without labels: its help, type and one value. */
static void one(out *o, const char *name, const char *type, const char *help, unsigned long long v)
{
    head(o, name, type, help);
    emit(o, "%s %llu\n", name, v);
}

static void labelled(out *o, const char *name, const char *label, const char *const *names,
                     counter *c, size_t n)
{
    for (size_t i = 0; i < n; i++) emit(o, "%s{%s=\"%s\"} %llu\n", name, label, names[i], get(&c[i]));
}

static void process_metrics(out *o)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) { if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0; fclose(f); }
    head(o, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
    emit(o, "process_cpu_seconds_total %.3f\n", cpu);
    head(o, "process_resident_memory_bytes", "gauge", "Resident memory size.");
    emit(o, "process_resident_memory_bytes %ld\n", rss * sysconf(_SC_PAGESIZE));
    head(o, "process_start_time_seconds", "gauge", "Start time since the epoch.");
    emit(o, "process_start_time_seconds %lld\n", (long long)start_time);
}

char *metrics_render(size_t *len)
{
    out o = {0};
    head(&o, "edgenode_build_info", "gauge", "Build information; always 1.");
    emit(&o, "edgenode_build_info{version=\"%s\"} 1\n", METRICS_VERSION);
    head(&o, "edgenode_requests_total", "counter", "Connector messages by type and filtration mode.");
    for (int t = 0; t < 3; t++)
        for (int m = 0; m < 5; m++)
            emit(&o, "edgenode_requests_total{type=\"%s\",mode=\"%s\"} %llu\n", type_names[t],
                 mode_labels[m], get(&requests[t][m]));
    head(&o, "edgenode_verdicts_total", "counter", "Verdicts given.");
    labelled(&o, "edgenode_verdicts_total", "verdict", verdict_names, verdicts, N(verdict_names));
    head(&o, "edgenode_blocked_total", "counter", "Requests answered 403, by reason.");
    labelled(&o, "edgenode_blocked_total", "reason", block_names, blocked, N(block_names));
    head(&o, "edgenode_limits_total", "counter", "Requests past a limit, by limit (analysed as far as the limit).");
    for (int i = 0; i < OVER_NREASONS; i++)
        emit(&o, "edgenode_limits_total{reason=\"%s\"} %llu\n", oversize_reason_name(i), get(&limits_hit[i]));
    head(&o, "edgenode_bypassed_total", "counter", "Requests not analysed, by reason.");
    labelled(&o, "edgenode_bypassed_total", "reason", bypass_names, bypassed, N(bypass_names));
    head(&o, "edgenode_rejected_total", "counter", "Messages or connections refused, by reason.");
    labelled(&o, "edgenode_rejected_total", "reason", reject_names, rejected, N(reject_names));
    head(&o, "edgenode_response_status_total", "counter", "Origin statuses from response reports, by class.");
    labelled(&o, "edgenode_response_status_total", "class", status_classes, resp_status, N(status_classes));
    head(&o, "edgenode_attacks_total", "counter", "Requests with an attack, by class and application.");
    pthread_mutex_lock(&attack_lock);
    for (size_t i = 0; i < nattacks; i++)
        emit(&o, "edgenode_attacks_total{class=\"%s\",application=\"%ld\"} %llu\n",
             attacks[i].cls, attacks[i].app, attacks[i].n);
    pthread_mutex_unlock(&attack_lock);
    head(&o, "edgenode_analysis_seconds", "histogram", "Time spent in detection per analysed message.");
    unsigned long long cum = 0;
    for (size_t b = 0; b < NB; b++) {
        cum += get(&hist[b]);
        emit(&o, "edgenode_analysis_seconds_bucket{le=\"%g\"} %llu\n", buckets[b], cum);
    }
    cum += get(&hist[NB]);
    emit(&o, "edgenode_analysis_seconds_bucket{le=\"+Inf\"} %llu\n", cum);
    emit(&o, "edgenode_analysis_seconds_sum %.9f\n", (double)get(&hist_sum_ns) / 1e9);
    emit(&o, "edgenode_analysis_seconds_count %llu\n", get(&hist_count));
    head(&o, "edgenode_config_reloads_total", "counter", "Config reloads by result.");
    emit(&o, "edgenode_config_reloads_total{result=\"ok\"} %llu\n", get(&reloads_ok));
    emit(&o, "edgenode_config_reloads_total{result=\"error\"} %llu\n", get(&reloads_err));
    head(&o, "edgenode_reply_timeouts_total", "counter", "Replies later than reply_timeout.limit (each still a verdict, see edgenode_limits_total).");
    emit(&o, "edgenode_reply_timeouts_total %llu\n", get(&reply_timeouts));
    head(&o, "edgenode_http_errors_total", "counter", "Protocol errors answered by the node, by status.");
    for (size_t i = 0; i < N(error_codes); i++)
        emit(&o, "edgenode_http_errors_total{status=\"%d\"} %llu\n", error_codes[i], get(&http_errors[i]));
    head(&o, "edgenode_clients_limited_total", "counter", "Client addresses that crossed a brute_force or forced_browsing limit.");
    for (int k = 0; k < 2; k++)
        for (int b = 0; b < 2; b++)
            emit(&o, "edgenode_clients_limited_total{kind=\"%s\",action=\"%s\"} %llu\n",
                 k ? "forced_browsing" : "brute_force", b ? "blocked" : "recorded", get(&clients_limited[k][b]));
    head(&o, "edgenode_vulnerabilities_total", "counter", "Signs of a vulnerable or leaking backend found in response reports, by class.");
    for (int i = 0; i < VULNS_NCLASSES; i++)
        emit(&o, "edgenode_vulnerabilities_total{class=\"%s\"} %llu\n", vulns_class_name(i), get(&vulnerabilities[i]));
    inventory_stats is;
    inventory_get_stats(&is);
    one(&o, "edgenode_discovery_hosts", "gauge", "Applications and hosts in this process's API inventory.", (unsigned long long)is.hosts);
    one(&o, "edgenode_discovery_endpoints", "gauge", "Endpoints (method and path template) in this process's API inventory.", (unsigned long long)is.endpoints);
    one(&o, "edgenode_discovery_new_endpoints", "gauge", "Endpoints first seen in the last hour.", (unsigned long long)is.new_last_hour);
    head(&o, "edgenode_discovery_dropped_total", "counter", "What the inventory's caps kept out.");
    emit(&o, "edgenode_discovery_dropped_total{what=\"hosts\"} %llu\n", is.dropped_hosts);
    emit(&o, "edgenode_discovery_dropped_total{what=\"endpoints\"} %llu\n", is.dropped_endpoints);
    emit(&o, "edgenode_discovery_dropped_total{what=\"parameters\"} %llu\n", is.dropped_parameters);
    one(&o, "edgenode_discovery_unmatched_reports_total", "counter", "Response reports whose request this process did not see.", is.unmatched_reports);
    store_stats ss;
    store_get_stats(&ss);
    one(&o, "edgenode_store_shared", "gauge", "1 when a shared store (Redis) is configured.", (unsigned long long)ss.shared);
    one(&o, "edgenode_store_up", "gauge", "1 when the last call to the shared store worked.", (unsigned long long)ss.up);
    one(&o, "edgenode_store_calls_total", "counter", "Calls to the shared store.", ss.calls);
    one(&o, "edgenode_store_round_trips_total", "counter",
        "Waits for the shared store's answers (pipelined commands wait once; connecting not counted).", ss.round_trips);
    one(&o, "edgenode_store_errors_total", "counter",
        "Shared-store calls that failed or were skipped while it was down (the in-process store answered).", ss.errors);
    one(&o, "edgenode_store_outages_total", "counter", "Times the shared store went from up to down.", ss.outages);
    one(&o, "edgenode_store_reconnects_total", "counter", "Times the shared store came back after an outage.", ss.reconnects);
    one(&o, "edgenode_store_local_keys", "gauge", "Entries in the in-process store.", (unsigned long long)ss.local_keys);
    head(&o, "edgenode_inflight_requests", "gauge", "Messages being handled now.");
    emit(&o, "edgenode_inflight_requests %lld\n", (long long)atomic_load(&inflight));
    head(&o, "edgenode_rules_loaded", "gauge", "Rules in the serving rule set.");
    emit(&o, "edgenode_rules_loaded %llu\n", (unsigned long long)atomic_load(&rules_loaded));
    process_metrics(&o);
    if (o.oom) { free(o.p); return NULL; }
    if (len) *len = o.len;
    return o.p;
}

void metrics_reset(void)
{
    pthread_mutex_lock(&attack_lock);
    free(attacks);
    attacks = NULL;
    nattacks = 0;
    pthread_mutex_unlock(&attack_lock);
}
