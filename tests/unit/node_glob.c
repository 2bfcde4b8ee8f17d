/* node_glob.c -- unit tests for host globs (node/glob.c).
 * Whole-name matching, case folding, classes, escapes and syntax errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "glob.h"

static void whole_name(void **st)
{
    (void)st;
    assert_true(glob_match("*.example.com", "api.example.com"));
    assert_true(glob_match("*.example.com", "a.b.example.com"));
    assert_false(glob_match("*.example.com", "example.com"));
    assert_false(glob_match("example.com", "example.com.evil.net"));
    assert_false(glob_match("api.example.com", "xapi.example.com"));
    assert_true(glob_match("*", "anything.at.all"));
}

static void case_and_classes(void **st)
{
    (void)st;
    assert_true(glob_match("API.Example.com", "api.example.COM"));
    assert_true(glob_match("api-?.example.com", "api-7.example.com"));
    assert_false(glob_match("api-?.example.com", "api-77.example.com"));
    assert_true(glob_match("api-[0-9].example.com", "api-3.example.com"));
    assert_false(glob_match("api-[!0-9].example.com", "api-3.example.com"));
    assert_true(glob_match("a\\*b", "a*b"));
    assert_false(glob_match("a\\*b", "axxb"));
}

static void syntax(void **st)
{
    (void)st;
    assert_null(glob_check("*.example.com"));
    assert_null(glob_check("host[]]x"));           /* a leading ']' is a literal in the class */
    assert_non_null(glob_check(""));
    assert_non_null(glob_check("api[0-9.example.com"));
    assert_non_null(glob_check("trailing\\"));
    assert_true(glob_is_literal("api.example.com"));
    assert_false(glob_is_literal("*.example.com"));
    assert_false(glob_is_literal("a?b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_name), cmocka_unit_test(case_and_classes), cmocka_unit_test(syntax),
    };
    return cmocka_run_group_tests_name("node_glob", tests, NULL, NULL);
}
