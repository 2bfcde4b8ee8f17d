/* node_inventory.c -- unit tests for API discovery (node/inventory.c) and its request-id table
 * (node/recent.c): the path templates of tests/inventory/templates.txt, folding of many literal
 * segments, the caps, and reports tied to their request. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "inventory.h"
#include "recent.h"

#define CASES "tests/inventory/templates.txt"

static config *cfg;

static void templates(void **st)
{
    (void)st;
    FILE *f = fopen(CASES, "r");
    assert_non_null(f);
    char line[1024], out[1024];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f) && n < 1000) {
        line[strcspn(line, "\n")] = '\0';
        char *bar = strstr(line, " | ");
        if (line[0] == '#' || !line[0]) continue;
        if (!bar) { print_error("no ' | ' in: %s\n", line); bad++; continue; }
        *bar = '\0';
        if (inventory_template(line, out, sizeof out) != 0 || strcmp(out, bar + 3) != 0) {
            print_error("%s: expected %s, got %s\n", line, bar + 3, out);
            bad++;
        }
        n++;
    }
    fclose(f);
    assert_true(n >= 15);
    assert_int_equal(bad, 0);
    assert_int_equal(inventory_template("/a/b", out, 4), -1);          /* does not fit */
}

/* One analysed, clean request (or a report) for host h. */
static void observe(const char *method, const char *path, const char *query, const char *id, int report, int status)
{
    httpreq_header hs[] = {{"Content-Type", "application/json"}};
    decide_input in = {.method = method, .path = path, .query = query, .headers = hs, .nheaders = 1};
    decide_result r;
    memset(&r, 0, sizeof r);
    r.type = report ? DECIDE_RESPONSE : DECIDE_REQUEST;
    r.verdict = report ? "recorded" : "pass";
    r.status = 200;
    r.analysed = 1;
    r.response_status = status;
    r.application = 3;
    snprintf(r.host, sizeof r.host, "api.example");
    snprintf(r.request_id, sizeof r.request_id, "%s", id);
    inventory_observe(cfg, &in, &r, NULL);
}

static void folding_and_caps(void **st)
{
    (void)st;
    inventory_reset();
    char p[64];
    for (int i = 0; i < 500; i++) {
        snprintf(p, sizeof p, "/files/f%dx", i);
        observe("GET", p, NULL, "", 0, 0);
    }
    inventory_stats s;
    inventory_get_stats(&s);
    assert_int_equal(s.endpoints, INVENTORY_FOLD + 1);                   /* 32 literals, then one template */
    char *doc = inventory_openapi(1, 3, "api.example");
    assert_non_null(doc);
    assert_non_null(strstr(doc, "\"/files/{name}\""));
    assert_non_null(strstr(doc, "\"x-edgenode-requests\":\t468"));
    free(doc);
    for (int i = 0; i < 50; i++) {                                        /* distinct first levels: capped */
        snprintf(p, sizeof p, "/r%d", i);
        observe("GET", p, "a=1&b=2&c=3&d=4", "", 0, 0);
    }
    inventory_get_stats(&s);
    assert_int_equal(s.endpoints, 40);                                    /* max_endpoints */
    assert_true(s.dropped_endpoints > 0);
    assert_int_equal(s.dropped_parameters, 7 * 2);                        /* 4 params, 2 kept, for 7 endpoints */
    inventory_reset();
}

static void reports(void **st)
{
    (void)st;
    inventory_reset();
    observe("GET", "/users/1", NULL, "r1", 0, 0);
    observe("POST", "/users/1", NULL, "r1", 1, 404);              /* by request id */
    observe("POST", "/users/2", NULL, "other", 1, 500);           /* unseen id: one method known for the path */
    observe("POST", "/users", NULL, "r3", 0, 0);
    observe("PUT", "/users/3", NULL, "r4", 0, 0);
    observe("POST", "/users/4", NULL, "other2", 1, 502);          /* GET and PUT: cannot tell */
    observe("POST", "/orders/1", NULL, "other3", 1, 503);         /* no such template here */
    inventory_stats s;
    inventory_get_stats(&s);
    assert_int_equal(s.unmatched_reports, 2);
    char *doc = inventory_summary(0, 0, NULL);
    assert_non_null(doc);
    assert_non_null(strstr(doc, "\"404\":\t1"));
    assert_non_null(strstr(doc, "\"500\":\t1"));
    assert_null(strstr(doc, "\"502\""));
    assert_null(strstr(doc, "\"503\""));
    free(doc);
    inventory_reset();
}

/* A JSON body's members: the same endpoints whether detection handed its parsed document
 * (decide_result.body_json) or the inventory parsed the body itself. */
static void body_observe(const char *host, const char *path, const char *body, int handed)
{
    httpreq_header hs[] = {{"Content-Type", "application/json"}};
    decide_input in = {.method = "POST", .path = path, .headers = hs, .nheaders = 1, .body = body,
                       .body_len = strlen(body)};
    decide_result r;
    memset(&r, 0, sizeof r);
    r.type = DECIDE_REQUEST;
    r.verdict = "pass";
    r.status = 200;
    r.analysed = 1;
    r.application = 3;
    snprintf(r.host, sizeof r.host, "%s", host);
    if (handed) assert_non_null(r.body_json = cJSON_ParseWithLength(body, strlen(body)));
    inventory_observe(cfg, &in, &r, NULL);
    decide_result_free(&r);
    assert_null(r.body_json);
}

static void json_body(void **st)
{
    (void)st;
    inventory_reset();
    static const char *const bodies[][2] = {   /* two members each: max_parameters */
        {"/o/a", "{\"sku\":\"B-100\",\"qty\":2}"},
        {"/o/b", "{\"price\":1.5,\"gift\":true}"},
        {"/o/c", "{\"tags\":[],\"addr\":{\"zip\":\"12345\"}}"},
        {"/o/d", "{\"at\":\"2026-12-07\",\"none\":null}"},
        {"/o/e", "[{\"inarray\":1}]"},
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        body_observe("a.example", bodies[i][0], bodies[i][1], 0);
        body_observe("b.example", bodies[i][0], bodies[i][1], 1);
    }
    char *parsed = inventory_openapi(1, 3, "a.example"), *handed = inventory_openapi(1, 3, "b.example");
    assert_non_null(parsed);
    assert_non_null(handed);
    for (char *p = parsed; (p = strstr(p, "a.example")); p++) *p = 'b';
    assert_string_equal(parsed, handed);
    for (const char *name = "sku\0qty\0price\0gift\0tags\0addr\0at\0none\0"; *name; name += strlen(name) + 1) {
        char q[32];
        snprintf(q, sizeof q, "\"%s\"", name);
        assert_non_null(strstr(handed, q));
    }
    assert_null(strstr(handed, "inarray"));                               /* top-level members only */
    free(parsed);
    free(handed);
    inventory_reset();
}

static void recent_table(void **st)
{
    (void)st;
    recent *r = recent_new(4);
    assert_non_null(r);
    unsigned char out[RECENT_PAYLOAD];
    recent_put(r, "abc", "hello", 6);
    assert_int_equal(recent_get(r, "abc", out), 1);
    assert_string_equal((char *)out, "hello");
    assert_int_equal(recent_get(r, "abd", out), 0);
    recent_put(r, "", "x", 2);                                             /* empty ids are not kept */
    assert_int_equal(recent_get(r, "", out), 0);
    for (int i = 0; i < 100; i++) { char id[16]; snprintf(id, sizeof id, "i%d", i); recent_put(r, id, "y", 2); }
    int kept = 0;
    for (int i = 0; i < 100; i++) { char id[16]; snprintf(id, sizeof id, "i%d", i); kept += recent_get(r, id, out); }
    assert_true(kept >= 1 && kept <= 4);                                   /* a fixed table: old ids go */
    recent_free(r);
}

int main(void)
{
    static const char text[] = "listen: 127.0.0.1:5050\nrules: node/rules.yaml\n"
                               "discovery: {max_endpoints: 40, max_parameters: 2}\n";
    config_errors e = {0};
    cfg = config_load_buffer(text, sizeof text - 1, "test.yaml", NULL, &e);
    config_errors_free(&e);
    if (!cfg) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(templates), cmocka_unit_test(folding_and_caps), cmocka_unit_test(reports),
        cmocka_unit_test(json_body), cmocka_unit_test(recent_table),
    };
    int rc = cmocka_run_group_tests_name("node_inventory", tests, NULL, NULL);
    inventory_reset();
    config_free(cfg);
    return rc;
}
