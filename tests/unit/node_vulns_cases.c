/* node_vulns_cases.c -- runs every (request, response) case in tests/vulns/NAME.json: the request
 * goes through the shipped attack rules, its attack classes and the response body through the
 * shipped vulnerability rules; the findings must be exactly the expected (class, evidence) pairs.
 * Also: rule files with errors are refused with every error named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "detect.h"
#include "vulns.h"

#define CASES_DIR "tests/vulns"
#define MAXH 16

static detect_rules *rules;
static vulns_rules *vrules;

typedef struct tcase { char name[256]; char path[512]; } tcase;

static const char *str_field(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The request's attack bits, from the shipped rules. */
static uint32_t attacks_of(const cJSON *rq)
{
    httpreq_header h[MAXH];
    size_t nh = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(rq, "headers"))
        if (nh < MAXH && cJSON_IsString(it)) { h[nh].name = it->string; h[nh].value = it->valuestring; nh++; }
    char *json_body = NULL;
    const char *body = str_field(rq, "body");
    const cJSON *jb = cJSON_GetObjectItemCaseSensitive(rq, "json");
    if (jb) {
        body = json_body = cJSON_PrintUnformatted(jb);
        if (nh < MAXH) { h[nh].name = "Content-Type"; h[nh].value = "application/json"; nh++; }
    }
    httpreq r = {str_field(rq, "method") ? str_field(rq, "method") : "GET",
                        str_field(rq, "path") ? str_field(rq, "path") : "/", str_field(rq, "query"),
                        h, nh, body, body ? strlen(body) : 0};
    detect_result res;
    int n = detect_analyze(rules, &r, &res);
    uint32_t bits = 0;
    for (int i = 0; n > 0 && i < res.nhits; i++) bits |= vulns_attack_bit(res.hits[i].attack_class);
    cJSON_free(json_body);
    return bits;
}

static void run_case(void **state)
{
    const tcase *tc = *state;
    FILE *fp = fopen(tc->path, "rb");
    assert_non_null(fp);
    char text[16384];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = '\0';
    cJSON *c = cJSON_Parse(text);
    if (!c) fail_msg("%s: not valid JSON", tc->path);
    const cJSON *rq = cJSON_GetObjectItemCaseSensitive(c, "request");
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(c, "response");
    const cJSON *expect = cJSON_GetObjectItemCaseSensitive(c, "expect");
    const char *body = str_field(rs, "body");
    uint32_t bits = attacks_of(rq);
    vulns_finding f[VULNS_MAX_FINDINGS];
    int n = vulns_scan(vrules, bits, body, body ? strlen(body) : 0, f);

    char why[512] = "";
    int want = cJSON_IsArray(expect) ? cJSON_GetArraySize(expect) : 0;
    if (!cJSON_IsArray(expect) && !(cJSON_IsString(expect) && strcmp(expect->valuestring, "none") == 0))
        snprintf(why, sizeof why, "'expect' must be \"none\" or a list of {class, evidence}");
    const cJSON *e, *list = cJSON_IsArray(expect) ? expect : NULL;
    cJSON_ArrayForEach(e, list) {
        int found = 0;
        for (int i = 0; i < n; i++)
            found |= str_field(e, "class") && str_field(e, "evidence") &&
                     strcmp(f[i].vclass, str_field(e, "class")) == 0 && strcmp(f[i].evidence, str_field(e, "evidence")) == 0;
        if (!found && !why[0]) snprintf(why, sizeof why, "expected %s/%s", str_field(e, "class"), str_field(e, "evidence"));
    }
    if (!why[0] && n != want) snprintf(why, sizeof why, "%d finding(s), expected %d", n, want);
    cJSON_Delete(c);
    if (why[0]) {
        print_message("case %s: attack bits %#x\n", tc->name, bits);
        for (int i = 0; i < n; i++) print_message("  %s: %s/%s\n", f[i].rule_id, f[i].vclass, f[i].evidence);
        fail_msg("%s", why);
    }
}

/* A rule file with these contents is refused and the error names the expected text. */
static void refused(const char *yaml, const char *needle)
{
    char path[] = "/tmp/vulns-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    char err[2048];
    vulns_rules *r = vulns_load(path, err, sizeof err);
    unlink(path);
    vulns_free(r);
    assert_null(r);
    if (!strstr(err, needle)) fail_msg("no '%s' in: %s", needle, err);
}

static void bad_files(void **st)
{
    (void)st;
    refused("version: 1\nrules:\n  - {id: a, class: nope, evidence: e, pattern: x}\n", "rules[0].class: unknown class");
    refused("version: 1\nrules:\n  - {id: a, class: sql_error, evidence: e, pattern: '('}\n", "rules[0].pattern: missing closing parenthesis");
    refused("version: 1\nrules:\n  - {id: a, class: sql_error, evidence: e, pattern: x, after: [sqlz]}\n", "'sqlz' is not an attack class");
    refused("version: 1\nrules:\n  - {id: a, class: sql_error, pattern: x}\n", "rules[0].evidence: required");
    refused("version: 1\nrules:\n  - {id: a, class: sql_error, evidence: e, pattern: x}\n  - {id: a, class: sql_error, evidence: e, pattern: y}\n",
            "rules[1].id: 'a' is already rules[0]");
    refused("version: 2\nrules: []\n", "version: only 1 is known");
    refused("rules: [\n", "/tmp/vulns-test-");   /* the file name leads every error */
    assert_int_equal(vulns_attack_bit("nope"), 0);
    assert_true(vulns_need_attacks(vrules));
    assert_true(vulns_count(vrules) >= 20);
}

static int cmp_case(const void *a, const void *b) { return strcmp(((const tcase *)a)->name, ((const tcase *)b)->name); }

int main(void)
{
    char err[4096];
    rules = detect_rules_load("node/rules.yaml", err, sizeof err);
    if (!rules) { fprintf(stderr, "%s\n", err); return 1; }
    vrules = vulns_load("node/vulns.yaml", err, sizeof err);
    if (!vrules) { fprintf(stderr, "%s\n", err); return 1; }
    DIR *d = opendir(CASES_DIR);
    if (!d) { perror(CASES_DIR); return 1; }
    tcase *cases = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 1000) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0) continue;
        tcase *c2 = realloc(cases, (n + 1) * sizeof *cases);
        if (!c2) return 1;
        cases = c2;
        snprintf(cases[n].name, sizeof cases[n].name, "%.*s", (int)(l - 5), de->d_name);
        snprintf(cases[n].path, sizeof cases[n].path, CASES_DIR "/%s", de->d_name);
        n++;
    }
    closedir(d);
    qsort(cases, n, sizeof *cases, cmp_case);
    struct CMUnitTest *t = calloc(n + 1, sizeof *t);
    if (!t) return 1;
    for (size_t i = 0; i < n; i++)
        t[i] = (struct CMUnitTest){cases[i].name, run_case, NULL, NULL, &cases[i]};
    t[n] = (struct CMUnitTest){"bad_files", bad_files, NULL, NULL, NULL};
    int rc = n >= 20 ? _cmocka_run_group_tests("node_vulns_cases", t, n + 1, NULL, NULL) : 1;
    free(t);
    free(cases);
    vulns_free(vrules);
    detect_rules_free(rules);
    return rc;
}
