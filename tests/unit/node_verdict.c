/* node_verdict.c -- unit tests for protocol v1 decisions (node/decide.c) with the real engine.
 * A small rule file of its own keeps the cases about modes, lists, filters, tokens and hosts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "decide.h"

static char dir[64], rules[128];

static int setup(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/node_verdict_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    snprintf(rules, sizeof rules, "%s/rules.yaml", dir);
    FILE *f = fopen(rules, "w");
    if (!f) return -1;
    fputs("rules:\n"
          "  - id: t-sqli-union\n    class: sqli\n    pattern: \"union\\\\s+select\"\n"
          "  - id: t-xss-script\n    class: xss\n    pattern: \"<script\"\n"
          "  - id: t-weak\n    class: xss\n    severity: medium\n    pattern: \"weak!signal\"\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    unlink(rules);
    rmdir(dir);
    return 0;
}

static node_state *state(const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, "listen: 127.0.0.1:5050\n%s", extra);
    config_errors e = {0};
    config *c = config_load_buffer(text, strlen(text), "v.yaml", dir, &e);
    for (size_t i = 0; i < e.n; i++) fprintf(stderr, "%s\n", e.v[i]);
    assert_non_null(c);
    node_state *s = state_from_config(c, &e);
    for (size_t i = 0; i < e.n; i++) fprintf(stderr, "%s\n", e.v[i]);
    config_errors_free(&e);
    assert_non_null(s);
    return s;
}

static unsigned over;           /* OVER_* bits the next run() reports, as the server would */

/* Decides a GET from peer with the given query and extra headers ("Name: value" pairs). */
static int run(node_state *s, const char *peer, const char *query, decide_result *r, ...)
{
    httpreq_header h[16];
    size_t n = 0;
    h[n++] = (httpreq_header){"Host", "node.internal"};
    va_list ap;
    va_start(ap, r);
    for (const char *name; n < 16 && (name = va_arg(ap, const char *));) {
        h[n].name = name;
        h[n++].value = va_arg(ap, const char *);
    }
    va_end(ap);
    decide_input in = {"GET", "/app/item", query, h, n, NULL, 0, {0}, NULL, over, NULL};
    cidr_addr_parse(peer, in.peer);
    return decide_message(s, &in, r);
}

static const char *attack = "id=1'%20union%20select%20password%20from%20users--";

static void modes(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: block\n");
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_string_equal(r.verdict, "pass");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 403);
    assert_string_equal(r.reason, "attack");
    assert_string_equal(r.det.hits[0].attack_class, "sqli");
    assert_string_equal(r.det.hits[0].where, "query.id");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Connector-Mode", "async", NULL), 204);
    assert_string_equal(r.verdict, "pass");
    assert_int_equal(r.det.total > 0, 1);                          /* analysed all the same */
    state_free(s);

    s = state("mode: monitoring\n");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 200);
    assert_int_equal(r.analysed, 1);
    assert_string_equal(r.reason, "attack");
    state_free(s);

    s = state("mode: off\n");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 200);
    assert_string_equal(r.verdict, "bypass");
    assert_string_equal(r.reason, "mode_off");
    assert_int_equal(r.analysed, 0);
    state_free(s);
}

/* Past a limit: analyse_partial blocks only attacks, block blocks the excess too (where the mode
 * blocks attacks); the limits are reported as evasion hits either way. */
static void oversize(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: block\nroutes:\n  - path: /app/\n    oversize: block\n"
                          "  - path: /other\n    application: 3\n");
    over = OVER_BODY | OVER_PARAMS;
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 403);       /* route /app/: block */
    assert_string_equal(r.reason, "oversize");
    assert_int_equal(r.oversize, OVERSIZE_BLOCK);
    assert_int_equal(r.det.nhits, 2);
    assert_string_equal(r.det.hits[0].attack_class, "evasion");
    assert_string_equal(r.det.hits[0].rule_id, "oversize-params");
    assert_string_equal(r.det.hits[1].rule_id, "oversize-body");
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, "X-Connector-Mode", "async", NULL), 204);
    state_free(s);

    s = state("mode: block\n");                                       /* default: analyse_partial */
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_string_equal(r.verdict, "pass");
    assert_string_equal(r.reason, "oversize");
    assert_int_equal(r.over, OVER_BODY | OVER_PARAMS);
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 403);       /* the analysed part's attack */
    assert_string_equal(r.reason, "attack");
    assert_string_equal(r.det.hits[r.det.nhits - 1].attack_class, "evasion");
    over = 0;                                                          /* a late reply: decided again */
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_int_equal(decide_late(&r), 200);
    assert_int_equal(r.over, OVER_REPLY_TIME);
    assert_string_equal(r.reason, "oversize");
    state_free(s);

    s = state("mode: monitoring\noversize: block\n");                /* monitoring never blocks */
    over = OVER_HEADERS;
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_string_equal(r.reason, "oversize");
    state_free(s);
    s = state("mode: block\noversize: block\n");
    over = 0;
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_int_equal(decide_late(&r), 403);
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 403);
    assert_int_equal(decide_late(&r), 403);
    assert_string_equal(r.reason, "attack");
    state_free(s);
}

/* Scoring: the request's total against the route's detection.threshold. */
static void scoring(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: block\nroutes:\n  - path: /app/\n    detection: {threshold: 10}\n"
                          "  - path: /other\n    detection: {threshold: 3}\n");
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal", &r, NULL), 200);       /* route /app/: 3 < 10 */
    assert_int_equal(r.threshold, 10);
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 200);                /* 5 < 10 */
    assert_int_equal(r.det.score, 5);
    assert_null(r.reason);
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal&b=weak!signal&c=%3Cscript%3E", &r, NULL), 403);
    assert_int_equal(r.det.score, 11);
    state_free(s);

    s = state("mode: block\n");                                                 /* default threshold 5 */
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal", &r, NULL), 200);       /* one weak: passes */
    assert_int_equal(r.det.total, 1);                                            /* but is recorded */
    assert_int_equal(r.det.hits[0].score, 3);
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal&b=weak!signal", &r, NULL), 403);   /* two block */
    assert_string_equal(r.reason, "attack");
    assert_int_equal(r.det.score, 6);
    over = OVER_BODY | OVER_PARAMS;                        /* past limits: one evasion signal, 3 */
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_string_equal(r.reason, "oversize");
    assert_int_equal(r.det.score, DETECT_SCORE_EVASION);
    assert_int_equal(r.det.hits[1].score, 0);
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal", &r, NULL), 403);       /* weak + evasion */
    assert_string_equal(r.reason, "attack");
    over = 0;
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal", &r, NULL), 200);
    assert_int_equal(decide_late(&r), 403);                                      /* a late reply adds 3 */
    state_free(s);

    s = state("mode: block\ndetection: {threshold: 3}\n");                    /* top level */
    assert_int_equal(run(s, "10.0.0.1", "id=7", &r, NULL), 200);
    assert_int_equal(run(s, "10.0.0.1", "a=weak!signal", &r, NULL), 403);
    state_free(s);
}

static void address_lists(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: safe_blocking\ngraylist: [192.0.2.0/24]\n"
                          "denylist: [198.51.100.0/24, 203.0.113.9]\nallowlist: [203.0.113.0/24]\n");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, NULL), 200);     /* not graylisted */
    assert_int_equal(run(s, "192.0.2.5", attack, &r, NULL), 403);    /* graylisted */
    assert_int_equal(run(s, "198.51.100.7", "id=7", &r, NULL), 403); /* denylisted, no attack */
    assert_string_equal(r.reason, "denylist");
    assert_int_equal(r.analysed, 0);
    assert_int_equal(run(s, "203.0.113.9", attack, &r, NULL), 200);  /* allowlist beats denylist */
    /* the client address comes from X-Real-IP under the default proxy rule */
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Real-IP", "192.0.2.77", NULL), 403);
    assert_string_equal(r.client, "192.0.2.77");
    state_free(s);

    s = state("mode: monitoring\ndenylist: [198.51.100.0/24]\n");
    assert_int_equal(run(s, "198.51.100.7", "id=7", &r, NULL), 403); /* denylist blocks in monitoring */
    state_free(s);
    s = state("mode: off\ndenylist: [198.51.100.0/24]\n");
    assert_int_equal(run(s, "198.51.100.7", "id=7", &r, NULL), 200); /* but not when off */
    state_free(s);
}

static void hosts_tokens_reports(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: block\nallowed_hosts: ['*.example.com']\n"
                          "tokens: [old-token-0123456789, new-token-0123456789]\n");
    const char *tok = "new-token-0123456789";
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "api.example.com", NULL), 401);
    assert_string_equal(r.reason, "token");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "api.example.com",
                         "X-Connector-Token", "new-token-012345678", NULL), 401);
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "api.example.com",
                         "X-Connector-Token", "old-token-0123456789", NULL), 403);
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "evil.test",
                         "X-Connector-Token", tok, NULL), 415);
    assert_int_equal(r.analysed, 0);
    assert_string_equal(r.host, "evil.test");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "API.Example.com:8443",
                         "X-Connector-Token", tok, "X-Connector-Request-Id", "00ff17",
                         "X-Connector", "cloudflare/1.2.0", NULL), 403);
    assert_string_equal(r.host, "api.example.com");
    assert_string_equal(r.request_id, "00ff17");
    assert_string_equal(r.connector, "cloudflare/1.2.0");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "X-Forwarded-Host", "api.example.com",
                         "X-Connector-Token", tok, "X-Connector-Message", "response",
                         "X-Connector-Response-Status", "503", NULL), 200);
    assert_int_equal(r.type, DECIDE_RESPONSE);
    assert_int_equal(r.response_status, 503);
    assert_int_equal(r.analysed, 0);
    state_free(s);
}

static void filters_and_proxies(void **st)
{
    (void)st;
    decide_result r;
    node_state *s = state("mode: block\n"
                          "input_filters:\n"
                          "  bypass:\n"
                          "    - headers: {User-Agent: '^probe/'}\n"
                          "  inspect:\n"
                          "    - path: '^/app/'\n"
                          "proxy_headers:\n"
                          "  - trusted_networks: [10.0.0.0/8]\n"
                          "    original_host: [X-Real-Host]\n"
                          "    real_ip: [X-Forwarded-For]\n");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "User-Agent", "probe/1.0", NULL), 200);
    assert_string_equal(r.reason, "input_filters");
    assert_int_equal(run(s, "10.0.0.1", attack, &r, "User-Agent", "curl/8", NULL), 403);
    /* trusted peer: headers honoured, first address of the list */
    run(s, "10.0.0.1", "id=1", &r, "X-Real-Host", "shop.test", "X-Forwarded-For", "192.0.2.1, 10.0.0.9", NULL);
    assert_string_equal(r.host, "shop.test");
    assert_string_equal(r.client, "192.0.2.1");
    /* untrusted peer: Host and the TCP peer, whatever the headers say */
    run(s, "172.16.0.1", "id=1", &r, "X-Real-Host", "shop.test", "X-Forwarded-For", "192.0.2.1", NULL);
    assert_string_equal(r.host, "node.internal");
    assert_string_equal(r.client, "172.16.0.1");
    state_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(modes),
        cmocka_unit_test(oversize), cmocka_unit_test(scoring), cmocka_unit_test(address_lists),
        cmocka_unit_test(hosts_tokens_reports), cmocka_unit_test(filters_and_proxies),
    };
    return cmocka_run_group_tests_name("node_verdict", tests, setup, teardown);
}
