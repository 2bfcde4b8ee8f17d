/* node_config.c -- unit tests for the config loader (node/config.c).
 * Defaults, every key kind, and that each error names its key with line and column. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "config.h"
#include "oversize.h"

static char dir[64];

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/node_config_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char p[128];
    snprintf(p, sizeof p, "%s/rules.yaml", dir);
    FILE *f = fopen(p, "w");
    if (!f) return -1;
    fputs("rules: []\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    char p[128];
    snprintf(p, sizeof p, "%s/rules.yaml", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

static config *load(const char *text, config_errors *e)
{
    return config_load_buffer(text, strlen(text), "t.yaml", dir, e);
}

/* 1 when some error contains needle. */
static int has_error(const config_errors *e, const char *needle)
{
    for (size_t i = 0; i < e->n; i++)
        if (strstr(e->v[i], needle)) return 1;
    return 0;
}

static void only_listen(void **st)
{
    (void)st;
    config_errors e = {0};
    config *c = load("listen: 127.0.0.1:5050\n", &e);
    assert_non_null(c);
    assert_int_equal(e.n, 0);
    assert_string_equal(c->listen_ip, "127.0.0.1");
    assert_int_equal(c->listen_port, 5050);
    assert_int_equal(c->mode, CONFIG_MODE_MONITORING);
    assert_int_equal(c->nallowed_hosts, 0);
    assert_int_equal(c->admin_port, 0);
    assert_int_equal(c->proxy_default, 1);
    assert_int_equal(c->request_timeout_ms, 30000);
    assert_int_equal(c->max_body_bytes, 1 << 20);
    assert_int_equal(c->max_request_line, 8192);      /* nginx's defaults: 8k a line, 32k in all */
    assert_int_equal(c->max_header_line, 8192);
    assert_int_equal(c->max_header_bytes, 32768);
    assert_int_equal(c->max_params, 10000);
    assert_int_equal(c->connection_memory, 0);        /* derived by the server */
    assert_int_equal(c->oversize, OVERSIZE_ANALYSE_PARTIAL);
    assert_int_equal(c->threshold, 5);                /* a critical rule blocks alone */
    char want[128];
    snprintf(want, sizeof want, "%s/rules.yaml", dir);
    assert_string_equal(c->rules_path, want);       /* shipped rules found beside the config */
    config_free(c);
}

static void full(void **st)
{
    (void)st;
    config_errors e = {0};
    config *c = load(
        "listen: '[::1]:8443'\n"
        "admin_listen: :9000\n"
        "tls: {cert: certs/node.pem, key: /etc/node.key}\n"
        "threads: 4\n"
        "mode: safe_blocking\n"
        "application: 12\n"
        "allowed_hosts: ['*.example.com', api.test]\n"
        "allowed_networks: [10.0.0.0/8, '2001:db8::/32']\n"
        "tokens: [0123456789abcdef0123, fedcba9876543210fedc]\n"
        "proxy_headers:\n"
        "  - trusted_networks: [10.0.0.0/8]\n"
        "    original_host: [X-Real-Host, X-Forwarded-Host]\n"
        "    real_ip: X-Forwarded-For\n"
        "input_filters:\n"
        "  bypass:\n"
        "    - path: '^/health'\n"
        "      headers: {User-Agent: '^probe/'}\n"
        "      addresses: [192.0.2.0/24]\n"
        "denylist: [198.51.100.0/24]\n"
        "allowlist: 203.0.113.5\n"
        "graylist: [192.0.2.0/24]\n"
        "limits:\n"
        "  max_connections: 500\n"
        "  max_request_line: 4k\n"
        "  max_header_line: 2k\n"
        "  max_header_size: 8k\n"
        "  max_params: 50\n"
        "  connection_memory: 64k\n"
        "  max_body_size: 2m\n"
        "  idle_timeout: 90s\n"
        "  request_timeout: 5s\n"
        "  per_connection: {max_requests: 1000, max_received_bytes: 10m, max_duration: 1m}\n"
        "reply_timeout: {limit: 250ms}\n"
        "oversize: block\n"
        "rules: my-rules.yaml\n"
        "events: /var/log/edgenode/events.jsonl\n", &e);
    for (size_t i = 0; i < e.n; i++) fprintf(stderr, "%s\n", e.v[i]);
    assert_non_null(c);
    assert_string_equal(c->listen_ip, "::1");
    assert_int_equal(c->listen_port, 8443);
    assert_string_equal(c->admin_ip, "0.0.0.0");
    assert_int_equal(c->admin_port, 9000);
    char want[160];
    snprintf(want, sizeof want, "%s/certs/node.pem", dir);
    assert_string_equal(c->tls_cert, want);
    assert_string_equal(c->tls_key, "/etc/node.key");
    assert_int_equal(c->threads, 4);
    assert_int_equal(c->mode, CONFIG_MODE_SAFE_BLOCKING);
    assert_int_equal(c->application, 12);
    assert_int_equal(c->nallowed_hosts, 2);
    assert_int_equal(c->allowed_networks.n, 2);
    assert_int_equal(c->ntokens, 2);
    assert_int_equal(c->nproxy, 1);
    assert_int_equal(c->proxy_default, 0);
    assert_int_equal(c->proxy[0].nhost_headers, 2);
    assert_string_equal(c->proxy[0].ip_headers[0], "X-Forwarded-For");
    assert_int_equal(c->bypass.n, 1);
    assert_int_equal(c->bypass.v[0].nheaders, 1);
    assert_int_equal(c->denylist.n, 1);
    assert_int_equal(c->allowlist.n, 1);
    assert_int_equal(c->max_connections, 500);
    assert_int_equal(c->max_header_bytes, 8192);
    assert_int_equal(c->max_body_bytes, 2 << 20);
    assert_int_equal(c->idle_timeout_s, 90);
    assert_int_equal(c->request_timeout_ms, 5000);
    assert_int_equal(c->conn_max_requests, 1000);
    assert_int_equal(c->conn_max_bytes, 10 << 20);
    assert_int_equal(c->conn_max_duration_ms, 60000);
    assert_int_equal(c->reply_timeout_ms, 250);
    assert_int_equal(c->max_request_line, 4096);
    assert_int_equal(c->max_header_line, 2048);
    assert_int_equal(c->max_params, 50);
    assert_int_equal(c->connection_memory, 64 << 10);
    assert_int_equal(c->oversize, OVERSIZE_BLOCK);
    snprintf(want, sizeof want, "%s/my-rules.yaml", dir);
    assert_string_equal(c->rules_path, want);
    config_free(c);
}

static void every_error_positioned(void **st)
{
    (void)st;
    config_errors e = {0};
    config *c = load(
        "listen: 127.0.0.1:70000\n"           /* line 1 */
        "mode: blocking\n"                    /* line 2 */
        "allowed_hosts: ['api[.test']\n"      /* line 3 */
        "allowed_networks: [10.0.0.0/40]\n"   /* line 4 */
        "colour: blue\n"                      /* line 5 */
        "threads: many\n"                     /* line 6 */
        "routes:\n"                           /* line 7 */
        "  - path: '~ ([a-z'\n"               /* line 8 */
        "    mode: fast\n"                    /* line 9 */
        "  - application: 3\n"               /* line 10 */
        "limits: {max_body_size: lots}\n"     /* line 11 */
        "input_filters: {bypass: [{path: '(('}]}\n"   /* line 12 */
        "tokens: [short]\n", &e);             /* line 13 */
    assert_null(c);
    assert_true(has_error(&e, "t.yaml:1:9: listen: port must be 1..65535"));
    assert_true(has_error(&e, "t.yaml:2:7: mode: unknown mode \"blocking\""));
    assert_true(has_error(&e, "t.yaml:3:16: allowed_hosts: bad glob"));
    assert_true(has_error(&e, "t.yaml:4:20: allowed_networks: bad CIDR \"10.0.0.0/40\""));
    assert_true(has_error(&e, "t.yaml:5:1: colour: unknown key"));
    assert_true(has_error(&e, "t.yaml:6:10: threads: expected an integer"));
    assert_true(has_error(&e, "t.yaml:8:11: routes.path: bad regex"));
    assert_true(has_error(&e, "t.yaml:9:11: routes.mode: unknown mode"));
    assert_true(has_error(&e, "t.yaml:10:5: routes: a route needs host or path"));
    assert_true(has_error(&e, "t.yaml:11:25: limits.max_body_size: expected a size"));
    assert_true(has_error(&e, "t.yaml:12:33: input_filters.bypass.path: bad regex"));
    assert_true(has_error(&e, "t.yaml:13:9: tokens: a token needs at least 16 characters"));
    assert_int_equal(e.n, 12);
    config_errors_free(&e);
}

static void structural_errors(void **st)
{
    (void)st;
    config_errors e = {0};
    /* the shared loader (common/yamldoc.c): empty, syntax, one document only */
    assert_null(load("", &e));
    assert_true(has_error(&e, "t.yaml:1:1: the file is empty"));
    config_errors_free(&e);
    assert_null(load("listen: [a\n", &e));
    assert_true(has_error(&e, "t.yaml:2:1: YAML: did not find expected ',' or ']'"));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\n---\nmode: block\n", &e));
    assert_true(has_error(&e, "t.yaml:3:1: only one YAML document is allowed"));
    config_errors_free(&e);
    assert_null(load("- listen\n", &e));
    assert_true(has_error(&e, "expected a mapping"));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\nlisten: 127.0.0.1:5051\n", &e));
    assert_true(has_error(&e, "t.yaml:2:1: listen: duplicate key"));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\ntls: {cert: a.pem}\n", &e));
    assert_true(has_error(&e, "tls: needs both cert and key"));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\nadmin_listen: 127.0.0.1:5050\n", &e));
    assert_true(has_error(&e, "admin_listen: must differ from listen"));
    config_errors_free(&e);
    assert_null(load("listen: example.com:80\nreply_timeout: {limit: soon, status: 99}\n", &e));
    assert_true(has_error(&e, "listen: \"example.com\" is not an IP address"));
    assert_true(has_error(&e, "reply_timeout.limit: expected a duration"));
    assert_true(has_error(&e, "reply_timeout.status: no longer supported"));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\noversize: drop\nroutes: [{path: /a, oversize: partial}]\n", &e));
    assert_true(has_error(&e, "t.yaml:2:11: oversize: unknown policy \"drop\""));
    assert_true(has_error(&e, "routes.oversize: unknown policy \"partial\""));
    config_errors_free(&e);
    assert_null(load("listen: 127.0.0.1:5050\ndetection: {threshold: 0}\n"
                     "routes: [{path: /a, detection: {level: 3}}]\n", &e));
    assert_true(has_error(&e, "detection.threshold"));
    assert_true(has_error(&e, "routes.detection.level: unknown key"));
    config_errors_free(&e);
    /* a bare duration, once seconds here (milliseconds in bundlegen), asks for its unit */
    assert_null(load("listen: 127.0.0.1:5050\ndrain_timeout: 30\n", &e));
    assert_true(has_error(&e, "t.yaml:2:16: drain_timeout: a duration needs its unit (ms, s, m or h)"));
    config_errors_free(&e);
    config *c2 = load("listen: 127.0.0.1:5050\ndrain_timeout: 0\nlimits: {max_body_size: 1g}\n", &e);
    assert_non_null(c2);
    assert_int_equal(c2->drain_timeout_ms, 0);
    assert_true(c2->max_body_bytes == (size_t)1 << 30);
    config_free(c2);
    config_errors_free(&e);
    assert_null(config_load("/nonexistent/edgenode.yaml", &e));
    assert_true(has_error(&e, "cannot open"));
    config_errors_free(&e);
}

static void counting_rules(void **st)
{
    (void)st;
    config_errors e = {0};
    config *c = load("listen: 127.0.0.1:5050\n"
                     "shared_store: {redis: 'redis://:pw@127.0.0.1:6380/2'}\n"
                     "brute_force: [{path: /login, statuses: [401], limit: 5, window: 30s, block_for: 5m}]\n"
                     "forced_browsing: [{limit: 20}]\n", &e);
    assert_non_null(c);
    assert_string_equal(c->shared_store, "redis://:pw@127.0.0.1:6380/2");
    assert_int_equal(c->ncounts, 2);
    assert_int_equal(c->counts[0].kind, CONFIG_COUNT_BRUTE_FORCE);
    assert_string_equal(c->counts[0].path, "/login");
    assert_int_equal(c->counts[0].nstatuses, 1);
    assert_int_equal(c->counts[0].statuses[0], 401);
    assert_int_equal(c->counts[0].limit, 5);
    assert_int_equal(c->counts[0].window_ms, 30000);
    assert_int_equal(c->counts[0].block_ms, 300000);
    assert_int_equal(c->counts[1].kind, CONFIG_COUNT_FORCED_BROWSING);   /* defaults */
    assert_string_equal(c->counts[1].path, "/");
    assert_int_equal(c->counts[1].statuses[0], 404);
    assert_int_equal(c->counts[1].window_ms, 60000);
    assert_int_equal(c->counts[1].block_ms, 600000);
    config_free(c);
    assert_null(load("listen: 127.0.0.1:5050\n"
                     "shared_store: {redis: 'http://127.0.0.1:6379'}\n"            /* line 2 */
                     "brute_force: [{path: /login, statuses: [99, x]}]\n"          /* line 3 */
                     "forced_browsing: [{limit: -1, window: soon}]\n"              /* line 4 */
                     "shared_store: {redis: 'redis://h:99999'}\n", &e));           /* line 5 */
    assert_true(has_error(&e, "t.yaml:2:23: shared_store.redis: must start with redis://"));
    assert_true(has_error(&e, "t.yaml:3:40: brute_force.statuses: \"99\" is not an HTTP status"));
    assert_true(has_error(&e, "t.yaml:3:15: brute_force: needs limit"));
    assert_true(has_error(&e, "t.yaml:4:27: forced_browsing.limit: -1 is outside"));
    assert_true(has_error(&e, "forced_browsing.window: expected a duration"));
    assert_true(has_error(&e, "t.yaml:5:23: shared_store.redis: port must be 1..65535"));
    config_errors_free(&e);
}

static void modes(void **st)
{
    (void)st;
    assert_int_equal(config_mode_parse("off"), CONFIG_MODE_OFF);
    assert_int_equal(config_mode_parse("block"), CONFIG_MODE_BLOCK);
    assert_int_equal(config_mode_parse("Block"), -1);
    assert_string_equal(config_mode_name(CONFIG_MODE_SAFE_BLOCKING), "safe_blocking");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_listen), cmocka_unit_test(full), cmocka_unit_test(every_error_positioned),
        cmocka_unit_test(structural_errors), cmocka_unit_test(modes), cmocka_unit_test(counting_rules),
    };
    return cmocka_run_group_tests_name("node_config", tests, setup, teardown);
}
