/* node_rxlit.c -- runs the cases of tests/rxlit/cases.json: the literal set rxlit reads from each
 * pattern, subjects PCRE2 matches that the set must let through, and subjects it must rule out. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include "rxlit.h"
#include "slurp.h"

#define CASES "tests/rxlit/cases.json"

static cJSON *cases;

/* Lower-case bytes of s, as detect's byte set holds them. */
static void byte_set(const char *s, size_t n, uint64_t bytes[4])
{
    memset(bytes, 0, 4 * sizeof *bytes);
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        bytes[c >> 6] |= 1ull << (c & 63);
    }
}

static int passes(const rxlit *l, const char *s)
{
    uint64_t bytes[4];
    rxlit_subject sub;
    byte_set(s, strlen(s), bytes);
    rxlit_read(&sub, bytes, s, strlen(s));
    return rxlit_bytes_ok(l, bytes) && rxlit_found(l, &sub);
}

static void run_case(void **state)
{
    const cJSON *c = *state, *it;
    const char *name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
    const char *pat = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "pattern"));
    const char *flags = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "flags"));
    assert_non_null(pat);
    uint32_t opts = flags && strcmp(flags, "case") == 0 ? 0 : PCRE2_CASELESS;
    rxlit l;
    size_t n = rxlit_extract(pat, opts, &l);
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, "literals");
    if ((size_t)cJSON_GetArraySize(want) != n) {
        for (size_t k = 0; k < n; k++) print_message("  got \"%.*s\"\n", l.len[k], l.lit[k]);
        fail_msg("%s: %zu literals, expected %d", name, n, cJSON_GetArraySize(want));
    }
    cJSON_ArrayForEach(it, want) {
        int found = 0;
        for (size_t k = 0; k < n && !found; k++)
            found = strlen(it->valuestring) == l.len[k] && memcmp(it->valuestring, l.lit[k], l.len[k]) == 0;
        if (!found) fail_msg("%s: no literal \"%s\"", name, it->valuestring);
    }
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    assert_non_null(re);
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    char why[256] = "";
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "match")) {
        const char *s = it->valuestring;
        if (pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) < 0) snprintf(why, sizeof why, "%s: the pattern does not match \"%s\"", name, s);
        else if (!passes(&l, s)) snprintf(why, sizeof why, "%s: \"%s\" matches but its literals rule it out", name, s);
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(c, "ruled_out")) {
        const char *s = it->valuestring;
        if (pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) >= 0) snprintf(why, sizeof why, "%s: the pattern matches \"%s\"", name, s);
        else if (passes(&l, s)) snprintf(why, sizeof why, "%s: \"%s\" is not ruled out", name, s);
    }
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    if (why[0]) fail_msg("%s", why);
}

int main(void)
{
    char *text = slurp(CASES);
    cases = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!cJSON_IsArray(cases) || cJSON_GetArraySize(cases) == 0) { fprintf(stderr, "%s: expected a list of cases\n", CASES); cJSON_Delete(cases); return 1; }
    size_t n = (size_t)cJSON_GetArraySize(cases), i = 0;
    struct CMUnitTest *tests = calloc(n, sizeof *tests);
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) {
        if (!tests || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(c, "name"))) { fprintf(stderr, "%s: a case without a name\n", CASES); free(tests); cJSON_Delete(cases); return 1; }
        tests[i].name = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        tests[i].test_func = run_case;
        tests[i].initial_state = (void *)c;
        i++;
    }
    int rc = _cmocka_run_group_tests("rxlit cases", tests, n, NULL, NULL);
    free(tests);
    cJSON_Delete(cases);
    return rc;
}
