/* node_detect.c -- unit tests of the rule loader (every error with file:line:col) and of
 * detect_analyze (hits, where-paths, rule selection, counting, threads). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "detect.h"

static char tmp_path[64];

/* Writes text to a fresh temporary rule file and loads it; err receives the loader's message. */
static detect_rules *load_text(const char *text, char *err, size_t errlen)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/detect-rules-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    detect_rules *r = detect_rules_load(tmp_path, err, errlen);
    unlink(tmp_path);
    return r;
}

static void expect_error(const char *text, const char *line_col, const char *what)
{
    char err[1024], want[128];
    detect_rules *r = load_text(text, err, sizeof err);
    if (r) { detect_rules_free(r); fail_msg("loaded, expected an error with '%s'", what); }
    snprintf(want, sizeof want, "%s:%s: ", tmp_path, line_col);
    if (!strstr(err, want) || !strstr(err, what)) fail_msg("error '%s' lacks '%s' or '%s'", err, want, what);
}

static void test_load_errors(void **state)
{
    (void)state;
    expect_error("rules: [\n", "2:1", "YAML");
    expect_error("- a\n", "1:1", "expected a mapping with a 'rules' list");
    expect_error("rules: []\n", "1:8", "'rules' is empty");
    expect_error("rules: 3\n", "1:8", "'rules' must be a list");
    expect_error("ruls: []\n", "1:1", "unknown key 'ruls'");
    expect_error("version: 1\n", "1:1", "missing 'rules' list");
    expect_error("rules:\n  - {id: a, class: sqli, pattern: '(x'}\n", "2:35", "rules[0].pattern: missing closing parenthesis at offset 2");
    expect_error("rules:\n  - {id: a, class: nope, pattern: x}\n", "2:20", "rules[0].class: unknown class 'nope'");
    expect_error("rules:\n  - {id: a, class: xss}\n", "2:5", "rules[0] (a): missing 'pattern'");
    expect_error("rules:\n  - {class: xss, pattern: x}\n", "2:5", "rules[0]: missing 'id'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, colour: red}\n", "2:37", "unknown key 'colour'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, where: [query, brain]}\n", "2:52", "unknown place 'brain'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, flags: [loud]}\n", "2:45", "unknown flag 'loud'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, transform: rot13}\n", "2:48", "transform: expected none, sql or shell");
    expect_error("rules:\n  - {id: a, class: xss, detector: psychic}\n", "2:35", "rules[0].detector: unknown detector 'psychic' (path, shell, php, jndi, exprlang, sql, html, js-string, java-base64, offsite-referer, java-type-key, java-code, missing-referer, script)");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, detector: path}\n", "2:47", "'pattern' and 'detector' exclude each other");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x}\n  - {id: a, class: xss, pattern: y}\n", "3:5", "rules[1]: duplicate id 'a'");
    expect_error("rules:\n  - {id: 0123456789012345678901234567890123, class: xss, pattern: x}\n", "2:10", "rules[0].id: expected a name of 1 to 31 characters");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, max_score: -1}\n", "2:48", "rules[0].max_score: expected a whole number from 0 to 100");
    expect_error("rules:\n  - {id: a, class: xss, detector: missing-referer}\n", "2:5", "rules[0] (a): a missing-referer rule needs 'needs'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x}\n  - {id: b, class: xss, pattern: y, needs: [a]}\n", "3:44",
                 "rules[1] (b).needs: only a missing-referer rule reads it");
    expect_error("rules:\n  - {id: b, class: xss, detector: missing-referer, needs: [a]}\n  - {id: a, class: xss, pattern: x}\n",
                 "2:60", "rules[0].needs: no earlier rule 'a'");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x, where: [headers]}\n  - {id: b, class: xss, detector: missing-referer, needs: [a]}\n",
                 "3:60", "rules[1].needs: rule 'a' never hits a parameter's name (it reads no query or body value)");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x}\n  - {id: c, class: xss, detector: offsite-referer}\n"
                 "  - {id: b, class: xss, detector: missing-referer, needs: [a, c]}\n",
                 "4:63", "rules[2].needs: rule 'c' never hits a parameter's name (it reads no query or body value)");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x}\n  - {id: b, class: xss, detector: missing-referer, needs: a}\n",
                 "3:59", "rules[1].needs: expected a list of 1 to 4 rule ids");
    expect_error("rules:\n  - {id: a, class: xss, pattern: x}\n  - {id: b, class: xss, detector: missing-referer, needs: [a, a, a, a, a]}\n",
                 "3:72", "rules[1].needs: more than 4 rule ids");
}

static void test_load_reports_every_error(void **state)
{
    (void)state;
    char err[1024];
    detect_rules *r = load_text("rules:\n  - {id: a, class: nope, pattern: x}\n  - {id: b, class: xss, pattern: '[z'}\n",
                                err, sizeof err);
    assert_null(r);
    assert_non_null(strstr(err, ":2:20: rules[0].class: unknown class 'nope'"));
    assert_non_null(strstr(err, ":3:34: rules[1].pattern: missing terminating ]"));
    assert_non_null(strchr(err, '\n'));
}

static void test_load_missing_file(void **state)
{
    (void)state;
    char err[256];
    assert_null(detect_rules_load("/nonexistent/rules.yaml", err, sizeof err));
    assert_string_equal(err, "/nonexistent/rules.yaml:1:1: cannot open: No such file or directory");
    /* the shared loader (common/yamldoc.c): empty, syntax, one document only */
    assert_null(load_text("", err, sizeof err));
    assert_non_null(strstr(err, ":1:1: the file is empty"));
    assert_null(load_text("rules: [\n", err, sizeof err));
    assert_non_null(strstr(err, ":2:1: YAML: did not find expected node content"));
    assert_null(load_text("rules: []\n--- \nrules: []\n", err, sizeof err));
    assert_non_null(strstr(err, ":3:1: only one YAML document is allowed"));
}

static void test_load_shipped(void **state)
{
    (void)state;
    char err[1024] = "";
    detect_rules *r = detect_rules_load("node/rules.yaml", err, sizeof err);
    if (!r) fail_msg("%s", err);
    assert_true(detect_rules_count(r) >= 40);
    detect_rules_free(r);
}

static void test_classes(void **state)
{
    (void)state;
    size_t n;
    const char *const *c = detect_classes(&n);
    const char *want[] = {"sqli", "xss", "rce", "path_traversal", "ssti", "xxe", "ldapi", "nosqli", "ssrf",
                          "crlf", "log4shell", "scanner"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        int found = 0;
        for (size_t i = 0; i < n; i++) found |= strcmp(c[i], want[w]) == 0;
        if (!found) fail_msg("class %s missing", want[w]);
    }
}

static const char *small_rules =
    "rules:\n"
    "  - {id: q-only, class: sqli, pattern: 'evil', where: query}\n"
    "  - {id: ua-only, class: scanner, pattern: 'evil', where: ['header:User-Agent'], flags: [plain]}\n"
    "  - {id: any-case, class: xss, pattern: '<EVIL>'}\n"
    "  - {id: exact-case, class: xss, pattern: 'CaSe!', flags: [case]}\n"
    "  - {id: sql-xf, class: sqli, pattern: 'union select', transform: sql}\n"
    "  - {id: plain-skip, class: rce, pattern: 'harmless'}\n";

static void test_analyze_where_and_selection(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = load_text(small_rules, err, sizeof err);
    if (!r) fail_msg("%s", err);
    assert_int_equal(detect_rules_count(r), 6);
    httpreq_header h[] = {{"User-Agent", "evil"}, {"X-Other", "evil"}};
    httpreq q = {"GET", "/evil", "a=evil", h, 2, NULL, 0};
    detect_result res;
    /* 'evil' is plain text: only rules flagged plain see it; q-only is not, so no hit in the query */
    assert_int_equal(detect_analyze(r, &q, &res), 1);
    assert_string_equal(res.hits[0].rule_id, "ua-only");
    assert_string_equal(res.hits[0].attack_class, "scanner");
    assert_string_equal(res.hits[0].where, "header.user-agent");

    q.query = "a=evil!";
    assert_int_equal(detect_analyze(r, &q, &res), 2);
    assert_string_equal(res.hits[0].rule_id, "q-only");
    assert_string_equal(res.hits[0].where, "query.a");

    httpreq b = {"POST", "/", NULL, NULL, 0, "{\"x\":\"<evil>\",\"y\":\"CASE!\",\"z\":\"CaSe!\"}", 0};
    b.body_len = strlen(b.body);
    assert_int_equal(detect_analyze(r, &b, &res), 2);
    assert_string_equal(res.hits[0].rule_id, "any-case");
    assert_string_equal(res.hits[0].where, "body.x");
    assert_string_equal(res.hits[1].rule_id, "exact-case");
    assert_string_equal(res.hits[1].where, "body.z");

    /* the sql transform removes comments and folds spaces before matching */
    httpreq s = {"GET", "/", "id=1/**/UNION/*x*/%20%20SELECT", NULL, 0, NULL, 0};
    assert_int_equal(detect_analyze(r, &s, &res), 1);
    assert_string_equal(res.hits[0].rule_id, "sql-xf");
    detect_rules_free(r);
}

static void test_analyze_counts_once_and_caps(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = load_text("rules:\n  - {id: lt, class: xss, pattern: '<x>'}\n", err, sizeof err);
    if (!r) fail_msg("%s", err);
    /* the same value decoded several ways (raw, percent) hits once; ten parameters hit ten times */
    httpreq q = {"GET", "/", "a=<x>&b=%3Cx%3E&c=%253Cx%253E&d=<x>&e=<x>&f=<x>&g=<x>&h=<x>&i=<x>&j=<x>", NULL, 0, NULL, 0};
    detect_result res;
    int n = detect_analyze(r, &q, &res);
    assert_int_equal(n, 11);            /* ten parameters and the whole query string */
    assert_int_equal(res.total, 11);
    assert_int_equal(res.nhits, DETECT_MAX_HITS);
    assert_string_equal(res.hits[0].where, "query.a");
    assert_string_equal(res.hits[2].where, "query.c");
    detect_rules_free(r);
}

/* max_score: a rule's hits together add at most that much to a request's score. */
static void test_analyze_max_score(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = load_text("rules:\n  - {id: weak, class: java_el, severity: low, max_score: 3, flags: [plain], pattern: '^x$'}\n"
                                "  - {id: other, class: xss, severity: low, flags: [plain], pattern: '^y$'}\n", err, sizeof err);
    if (!r) fail_msg("%s", err);
    httpreq q = {"GET", "/", "a=x&b=x&c=x", NULL, 0, NULL, 0};
    detect_result res;
    assert_int_equal(detect_analyze(r, &q, &res), 3);
    assert_int_equal(res.score, 3);     /* 2, then 1 up to the cap, then 0 */
    assert_int_equal(res.hits[0].score, 2);
    assert_int_equal(res.hits[1].score, 1);
    assert_int_equal(res.hits[2].score, 0);
    httpreq q2 = {"GET", "/", "a=x&b=x&c=x&d=y", NULL, 0, NULL, 0};
    assert_int_equal(detect_analyze(r, &q2, &res), 4);
    assert_int_equal(res.score, 5);     /* another rule's signal is not capped with it */
    detect_rules_free(r);
}

/* A rule that cannot finish on a value (backtracking past the match limit, or recursion past the
 * JIT's stack) marks the result, so that the request is over its budget rather than clean. The
 * rules are [plain] because the values are letters and digits only. */
static void test_analyze_undecided_rule(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = load_text("rules:\n  - {id: nested, class: xss, flags: [plain], pattern: '^(?:a|aa)+cb\\d'}\n"
                                "  - {id: deep, class: xss, flags: [plain], pattern: '^(?:(a)|b)*$'}\n", err, sizeof err);
    if (!r) fail_msg("%s", err);
    detect_result res;
    httpreq ok = {"GET", "/", "q=hello", NULL, 0, NULL, 0};
    assert_int_equal(detect_analyze(r, &ok, &res), 0);
    assert_int_equal(res.match_limit, 0);
    char q[64] = "q=";                    /* a run of a, then what ends a match but cannot follow the run */
    memset(q + 2, 'a', 40);
    memcpy(q + 42, "cbx1", 5);
    httpreq bt = {"GET", "/", q, NULL, 0, NULL, 0};
    assert_int_equal(detect_analyze(r, &bt, &res), 0);
    assert_int_equal(res.match_limit, 1);
    size_t n = 60000;                                    /* one group per byte: deeper than any stack */
    char *body = malloc(n + 3);
    assert_non_null(body);
    memcpy(body, "q=", 2);
    for (size_t i = 0; i < n; i++) body[2 + i] = i % 2 ? 'b' : 'a';
    body[n + 2] = 0;
    httpreq_header h = {"Content-Type", "application/x-www-form-urlencoded"};
    httpreq deep = {"POST", "/", NULL, &h, 1, body, n + 2};
    detect_analyze(r, &deep, &res);
    assert_int_equal(res.match_limit, 1);
    free(body);
    detect_rules_free(r);
}

/* missing-referer: a needed rule's hit on a query or form parameter's own name, and no Referer
 * (none, or an empty one); each signal is its own hit. */
static void test_analyze_missing_referer(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = load_text("rules:\n  - {id: name, class: session_fixation, severity: medium, flags: [plain], pattern: '^sid$'}\n"
                                "  - {id: other, class: session_fixation, severity: medium, flags: [plain], pattern: '^tok$'}\n"
                                "  - {id: noref, class: session_fixation, severity: low, detector: missing-referer, needs: [name]}\n",
                                err, sizeof err);
    if (!r) fail_msg("%s", err);
    detect_result res;
    httpreq_header host[] = {{"Host", "a.example"}};
    httpreq q = {"GET", "/", "sid=1", host, 1, NULL, 0};
    assert_int_equal(detect_analyze(r, &q, &res), 2);
    assert_int_equal(res.score, 5);
    assert_string_equal(res.hits[0].rule_id, "name");
    assert_string_equal(res.hits[0].where, "query");
    assert_int_equal(res.hits[0].score, 3);
    assert_string_equal(res.hits[1].rule_id, "noref");
    assert_string_equal(res.hits[1].where, "header.referer");
    assert_int_equal(res.hits[1].score, 2);
    /* an empty Referer is none; any other, even one naming no host, is a Referer */
    httpreq_header empty[] = {{"Host", "a.example"}, {"Referer", " "}};
    httpreq qe = {"GET", "/", "sid=1", empty, 2, NULL, 0};
    assert_int_equal(detect_analyze(r, &qe, &res), 2);
    httpreq_header odd[] = {{"Host", "a.example"}, {"Referer", "about:blank"}};
    httpreq qo = {"GET", "/", "sid=1", odd, 2, NULL, 0};
    assert_int_equal(detect_analyze(r, &qo, &res), 1);
    assert_int_equal(res.score, 3);
    /* a form's field and a multipart part are parameters too */
    httpreq_header form[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    httpreq f = {"POST", "/", NULL, form, 1, "a=1&sid=2", 9};
    assert_int_equal(detect_analyze(r, &f, &res), 2);
    httpreq_header mp[] = {{"Content-Type", "multipart/form-data; boundary=XX"}};
    const char *mpb = "--XX\r\nContent-Disposition: form-data; name=\"sid\"\r\n\r\n2\r\n--XX--\r\n";
    httpreq m = {"POST", "/", NULL, mp, 1, mpb, strlen(mpb)};
    assert_int_equal(detect_analyze(r, &m, &res), 2);
    /* not: the needed rule on a value, on a JSON member's name, on a name inside a value; another
     * rule of the class on a name; a missing Referer alone */
    const char *no[] = {"x=sid", "next=%2F%3Fsid%3D1", "tok=1", "a=1&b=2"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        httpreq n = {"GET", "/", no[i], NULL, 0, NULL, 0};
        assert_true(detect_analyze(r, &n, &res) >= 0);
        for (int k = 0; k < res.nhits; k++) assert_string_not_equal(res.hits[k].rule_id, "noref");
        assert_true(res.score <= 3);
    }
    httpreq_header json[] = {{"Content-Type", "application/json"}};
    httpreq j = {"POST", "/", NULL, json, 1, "{\"sid\":\"1\"}", 11};
    assert_int_equal(detect_analyze(r, &j, &res), 1);
    assert_string_equal(res.hits[0].rule_id, "name");
    detect_rules_free(r);
}

static void test_analyze_benign_empty(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = detect_rules_load("node/rules.yaml", err, sizeof err);
    if (!r) fail_msg("%s", err);
    httpreq q = {"GET", NULL, NULL, NULL, 0, NULL, 0};
    detect_result res;
    assert_int_equal(detect_analyze(r, &q, &res), 0);
    assert_int_equal(res.nhits, 0);
    detect_rules_free(r);
}

typedef struct job { const detect_rules *r; int bad; } job;

static void *worker(void *arg)
{
    job *j = arg;
    httpreq_header h[] = {{"User-Agent", "sqlmap/1.7"}, {"Content-Type", "application/json"}};
    const char *body = "{\"q\":\"1' OR '1'='1\",\"c\":\"<script>alert(1)</script>\"}";
    for (int i = 0; i < 300; i++) {
        httpreq q = {"POST", "/api", i % 2 ? "x=../../etc/passwd" : "x=fine", h, 2, body, strlen(body)};
        detect_result res;
        int want = i % 2 ? 4 : 3;
        if (detect_analyze(j->r, &q, &res) < want) j->bad++;
    }
    return NULL;
}

static void test_analyze_threads(void **state)
{
    (void)state;
    char err[512];
    detect_rules *r = detect_rules_load("node/rules.yaml", err, sizeof err);
    if (!r) fail_msg("%s", err);
    pthread_t t[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){r, 0};
        assert_int_equal(pthread_create(&t[i], NULL, worker, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].bad, 0);
    }
    detect_rules_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_reports_every_error),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_load_shipped),
        cmocka_unit_test(test_classes),
        cmocka_unit_test(test_analyze_where_and_selection),
        cmocka_unit_test(test_analyze_counts_once_and_caps),
        cmocka_unit_test(test_analyze_max_score),
        cmocka_unit_test(test_analyze_undecided_rule),
        cmocka_unit_test(test_analyze_missing_referer),
        cmocka_unit_test(test_analyze_benign_empty),
        cmocka_unit_test(test_analyze_threads),
    };
    return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
