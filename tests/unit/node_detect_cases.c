/* node_detect_cases.c -- runs every data-driven case in tests/detect/NAME.json through the shipped
 * rules: attacks must raise the expected classes, benign requests must raise nothing; a case with
 * "verdict" also checks the score against "threshold" (default: the node's), and "score" the total.
 * Every case is also analysed without the literal prefilter and with it verified (detect.h): the
 * results must be identical, and no pattern may match a value its literals ruled out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "detect.h"
#include "slurp.h"

#define CASES_DIR "tests/detect"
#define RULES     "node/rules.yaml"
#define MAXH      32

static detect_rules *rules;

typedef struct tcase { char name[256]; char path[512]; } tcase;

static const char *str_field(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int has_class(const detect_result *res, const char *cls)
{
    for (int i = 0; i < res->nhits; i++)
        if (strcmp(res->hits[i].attack_class, cls) == 0) return 1;
    return 0;
}

static void describe(const char *name, const detect_result *res)
{
    print_message("case %s: %d hit(s), score %d\n", name, res->total, res->score);
    for (int i = 0; i < res->nhits; i++)
        print_message("  %s (%s) at %s, score %d\n", res->hits[i].rule_id, res->hits[i].attack_class,
                      res->hits[i].where, res->hits[i].score);
}

static void run_case(void **state)
{
    const tcase *tc = *state;
    char *text = slurp(tc->path);
    assert_non_null(text);
    cJSON *c = cJSON_Parse(text);
    free(text);
    if (!c) fail_msg("%s: not valid JSON", tc->path);

    httpreq_header h[MAXH];
    size_t nh = 0;
    const cJSON *hs = cJSON_GetObjectItemCaseSensitive(c, "headers"), *it;
    cJSON_ArrayForEach(it, hs) {
        if (nh < MAXH && cJSON_IsString(it)) { h[nh].name = it->string; h[nh].value = it->valuestring; nh++; }
    }
    char *json_body = NULL;
    const char *body = str_field(c, "body");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(c, "json");
    if (jb) {
        json_body = cJSON_PrintUnformatted(jb);
        body = json_body;
        if (nh < MAXH) { h[nh].name = "Content-Type"; h[nh].value = "application/json"; nh++; }
    }
    httpreq rq = {
        str_field(c, "method") ? str_field(c, "method") : (body ? "POST" : "GET"),
        str_field(c, "path") ? str_field(c, "path") : "/",
        str_field(c, "query"), h, nh, body, body ? strlen(body) : 0,
    };
    detect_result res, off, verified;
    int n = detect_analyze(rules, &rq, &res);
    assert_true(n >= 0);
    unsigned long misses = detect_rules_prefilter_misses(rules);
    detect_rules_prefilter_mode(rules, DETECT_PREFILTER_OFF);
    int n_off = detect_analyze(rules, &rq, &off);
    detect_rules_prefilter_mode(rules, DETECT_PREFILTER_VERIFY);
    int n_verified = detect_analyze(rules, &rq, &verified);
    detect_rules_prefilter_mode(rules, DETECT_PREFILTER_ON);

    /* The verdict is worked out first so that the case is freed before a failure jumps out. */
    char why[256] = "";
    if (n_off != n || memcmp(&off, &res, sizeof res) != 0)
        snprintf(why, sizeof why, "the result differs without the literal prefilter (%d hits)", n_off);
    else if (n_verified != n || memcmp(&verified, &res, sizeof res) != 0)
        snprintf(why, sizeof why, "the result differs with the literal prefilter verified (%d hits)", n_verified);
    else if (detect_rules_prefilter_misses(rules) != misses)
        snprintf(why, sizeof why, "a pattern matched a value its literals ruled out");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const char *where = str_field(c, "where");
    if (cJSON_IsString(expect) && strcmp(expect->valuestring, "benign") == 0) {
        if (n != 0) snprintf(why, sizeof why, "benign request flagged");
    } else if (cJSON_IsArray(expect) && cJSON_GetArraySize(expect) > 0) {
        cJSON_ArrayForEach(it, expect) {
            if (!cJSON_IsString(it)) snprintf(why, sizeof why, "'expect' items must be class names");
            else if (!has_class(&res, it->valuestring) && !why[0])
                snprintf(why, sizeof why, "expected class %s", it->valuestring);
        }
        int found = !where;
        for (int i = 0; where && i < res.nhits; i++) found |= strcmp(res.hits[i].where, where) == 0;
        if (!found && !why[0]) snprintf(why, sizeof why, "no hit at %s", where);
    } else {
        snprintf(why, sizeof why, "'expect' must be \"benign\" or a list of classes");
    }
    const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(c, "verdict");
    const cJSON *threshold = cJSON_GetObjectItemCaseSensitive(c, "threshold");
    const cJSON *score = cJSON_GetObjectItemCaseSensitive(c, "score");
    int thr = cJSON_IsNumber(threshold) ? threshold->valueint : DETECT_THRESHOLD_DEFAULT;
    if (verdict && !why[0]) {
        const char *want = cJSON_IsString(verdict) ? verdict->valuestring : "";
        const char *got = res.score >= thr ? "block" : "pass";
        if (strcmp(want, "block") != 0 && strcmp(want, "pass") != 0)
            snprintf(why, sizeof why, "'verdict' must be \"pass\" or \"block\"");
        else if (strcmp(want, got) != 0)
            snprintf(why, sizeof why, "verdict %s at threshold %d, expected %s", got, thr, want);
    }
    if (score && !why[0] && (!cJSON_IsNumber(score) || score->valueint != res.score))
        snprintf(why, sizeof why, "score %d, expected %d", res.score, cJSON_IsNumber(score) ? score->valueint : -1);
    cJSON_free(json_body);
    cJSON_Delete(c);
    if (why[0]) {
        describe(tc->name, &res);
        fail_msg("%s", why);
    }
}

static int cmp_case(const void *a, const void *b) { return strcmp(((const tcase *)a)->name, ((const tcase *)b)->name); }

int main(void)
{
    char err[2048];
    rules = detect_rules_load(RULES, err, sizeof err);
    if (!rules) { fprintf(stderr, "%s\n", err); return 1; }
    size_t without, with = detect_rules_prefiltered(rules, &without);
    if (with < 40) { fprintf(stderr, "only %zu patterns have a literal set (%zu have none)\n", with, without); detect_rules_free(rules); return 1; }
    DIR *d = opendir(CASES_DIR);
    if (!d) { perror(CASES_DIR); detect_rules_free(rules); return 1; }
    size_t n = 0, cap = 64;
    tcase *cases = malloc(cap * sizeof *cases);
    for (struct dirent *e; cases && (e = readdir(d)); ) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0 || l >= sizeof cases->name) continue;
        if (n == cap) {
            tcase *p = realloc(cases, (cap *= 2) * sizeof *cases);
            if (!p) break;
            cases = p;
        }
        snprintf(cases[n].name, sizeof cases[n].name, "%s", e->d_name);
        snprintf(cases[n].path, sizeof cases[n].path, "%s/%s", CASES_DIR, e->d_name);
        n++;
    }
    closedir(d);
    if (!cases || n == 0) { fprintf(stderr, "no cases in %s\n", CASES_DIR); free(cases); detect_rules_free(rules); return 1; }
    qsort(cases, n, sizeof *cases, cmp_case);
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    for (size_t i = 0; tests && i < n; i++) {
        tests[i].name = cases[i].name;
        tests[i].test_func = run_case;
        tests[i].initial_state = &cases[i];
    }
    int rc = tests ? _cmocka_run_group_tests("detect cases", tests, n, NULL, NULL) : 1;
    free(tests);
    free(cases);
    detect_rules_free(rules);
    return rc;
}
