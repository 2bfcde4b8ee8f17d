/* node_detectors.c -- runs the data-driven cases of the grammar-aware detectors, one file per
 * detector in tests/detectors/NAME.txt (format in each file's header). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "exprlang.h"
#include "htmltok.h"
#include "pathnorm.h"
#include "phpcode.h"
#include "shellcmd.h"
#include "sqltok.h"

#define CASES_DIR "tests/detectors"

/* Undoes the case files' escapes: \xHH, \t, \n, \0, \\. Returns the length. */
static size_t unescape(const char *in, char *out)
{
    size_t o = 0;
    for (size_t i = 0; in[i]; i++) {
        if (in[i] != '\\' || !in[i + 1]) { out[o++] = in[i]; continue; }
        char c = in[++i];
        if (c == 'x' && in[i + 1] && in[i + 2]) {
            char hex[3] = {in[i + 1], in[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else if (c == 't') out[o++] = '\t';
        else if (c == 'n') out[o++] = '\n';
        else if (c == '0') out[o++] = '\0';
        else if (c == '\\') out[o++] = '\\';
        else { out[o++] = '\\'; out[o++] = c; }
    }
    out[o] = '\0';
    return o;
}

typedef int (*verdict_fn)(const char *val, size_t len, char *scratch);
typedef size_t (*norm_fn)(const char *val, size_t len, char *out);

static int path_verdict(const char *v, size_t n, char *scratch) { return pathnorm_traversal(v, n, scratch, NULL); }
static int shell_verdict(const char *v, size_t n, char *scratch) { return shellcmd_detect(v, n, scratch, NULL); }
static int php_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return phpcode_detect(v, n, NULL); }
static int script_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return phpcode_script(v, n, NULL); }
static int jndi_verdict(const char *v, size_t n, char *scratch) { return exprlang_jndi(v, n, scratch, NULL); }
static int expr_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return exprlang_detect(v, n, NULL); }
static int jb64_verdict(const char *v, size_t n, char *scratch) { return exprlang_base64_java(v, n, scratch, NULL); }
static int jtype_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return exprlang_java_type_name(v, n, NULL); }
static int jcode_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return exprlang_java_code(v, n, NULL); }
/* java-code-script.txt: a hit whose value is code throughout, no prose (exprlang_info.prose) */
static int jscript_verdict(const char *v, size_t n, char *scratch)
{
    exprlang_info info;
    (void)scratch;
    return exprlang_java_code(v, n, &info) && !info.prose;
}
static int html_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return htmltok_detect(v, n, NULL); }
static int js_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return htmltok_js_breakout(v, n, NULL); }
static int sql_verdict(const char *v, size_t n, char *scratch) { (void)scratch; return sqltok_detect(v, n, NULL); }

/* The three fingerprints of a value, as-is|single|double. */
static size_t sql_fingerprints(const char *v, size_t n, char *out)
{
    size_t o = 0;
    for (int r = 0; r < SQLTOK_READINGS; r++) {
        if (r) out[o++] = '|';
        o += sqltok_fingerprint(v, n, r, out + o);
    }
    return o;
}

/* Runs one case file; every failing line is printed, and any failure fails the test. */
static void run_file(const char *name, verdict_fn verdict, norm_fn norm)
{
    char path[256], line[4096], val[4096], want[4096], scratch[4096], got[4096];
    snprintf(path, sizeof path, "%s/%s", CASES_DIR, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    int cases = 0, failed = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        char *sp = strchr(line, ' ');
        if (!sp) { fprintf(stderr, "%s:%d: no value\n", path, lineno); failed++; continue; }
        *sp = '\0';
        const char *kind = line, *rest = sp + 1;
        cases++;
        if (strcmp(kind, "norm") == 0 && norm) {
            char *arrow = strstr(rest, " => ");
            if (!arrow) { fprintf(stderr, "%s:%d: norm needs ' => '\n", path, lineno); failed++; continue; }
            *arrow = '\0';
            size_t n = unescape(rest, val), m = unescape(arrow + 4, want);
            size_t k = norm(val, n, got);
            if (k != m || memcmp(got, want, k) != 0) {
                fprintf(stderr, "%s:%d: normalised to '%.*s', want '%s'\n", path, lineno, (int)k, got, want);
                failed++;
            }
        } else if (strcmp(kind, "hit") == 0 || strcmp(kind, "pass") == 0) {
            size_t n = unescape(rest, val);
            int v = verdict(val, n, scratch);
            if (v != (kind[0] == 'h')) {
                fprintf(stderr, "%s:%d: %s expected for '%s'\n", path, lineno, kind, rest);
                failed++;
            }
        } else {
            fprintf(stderr, "%s:%d: unknown kind '%s'\n", path, lineno, kind);
            failed++;
        }
    }
    fclose(f);
    printf("%s: %d cases, %d failed\n", name, cases, failed);
    assert_true(cases > 0);
    assert_int_equal(failed, 0);
}

static void test_path(void **st) { (void)st; run_file("path.txt", path_verdict, pathnorm_normalize); }
static void test_shell(void **st) { (void)st; run_file("shell.txt", shell_verdict, NULL); }
static void test_php(void **st) { (void)st; run_file("php.txt", php_verdict, NULL); }
static void test_script(void **st) { (void)st; run_file("script.txt", script_verdict, NULL); }
static void test_jndi(void **st) { (void)st; run_file("jndi.txt", jndi_verdict, NULL); }
static void test_exprlang(void **st) { (void)st; run_file("exprlang.txt", expr_verdict, NULL); }
static void test_java_base64(void **st) { (void)st; run_file("java-base64.txt", jb64_verdict, NULL); }
static void test_java_type_name(void **st) { (void)st; run_file("java-type-name.txt", jtype_verdict, NULL); }
static void test_java_code(void **st) { (void)st; run_file("java-code.txt", jcode_verdict, NULL); }
static void test_java_code_script(void **st) { (void)st; run_file("java-code-script.txt", jscript_verdict, NULL); }
static void test_sql(void **st) { (void)st; run_file("sql.txt", sql_verdict, sql_fingerprints); }
static void test_html(void **st) { (void)st; run_file("html.txt", html_verdict, NULL); }
static void test_js_string(void **st) { (void)st; run_file("js-string.txt", js_verdict, NULL); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path),
        cmocka_unit_test(test_shell),
        cmocka_unit_test(test_php),
        cmocka_unit_test(test_script),
        cmocka_unit_test(test_jndi),
        cmocka_unit_test(test_exprlang),
        cmocka_unit_test(test_java_base64),
        cmocka_unit_test(test_java_type_name),
        cmocka_unit_test(test_java_code),
        cmocka_unit_test(test_java_code_script),
        cmocka_unit_test(test_sql),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_js_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
