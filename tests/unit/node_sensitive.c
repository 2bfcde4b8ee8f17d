/* node_sensitive.c -- unit tests for the sensitive-data recognisers (node/sensitive.c): the cases
 * of tests/node/sensitive-cases.txt, the Luhn check, parameter names and the kind names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "sensitive.h"

#define CASES "tests/node/sensitive-cases.txt"

static unsigned kinds_of(char *list)
{
    unsigned bits = 0;
    if (strcmp(list, "-") == 0) return 0;
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        unsigned b = 0;
        for (unsigned bit = 1; bit < SENSITIVE_ALL; bit <<= 1)
            if (strcmp(sensitive_name(bit), tok) == 0) b = bit;
        if (!b) fail_msg("unknown kind '%s' in " CASES, tok);
        bits |= b;
    }
    return bits;
}

static void cases(void **st)
{
    (void)st;
    FILE *f = fopen(CASES, "r");
    assert_non_null(f);
    char line[1024];
    int n = 0, bad = 0;
    while (fgets(line, sizeof line, f) && n < 10000) {
        line[strcspn(line, "\n")] = '\0';
        char *bar = strstr(line, " | ");
        if (line[0] == '#' || !line[0]) continue;
        if (!bar) { print_error("no ' | ' in: %s\n", line); bad++; continue; }
        *bar = '\0';
        const char *text = bar + 3;
        unsigned want = kinds_of(line), got = sensitive_scan(text, strlen(text));
        if (want != got) { print_error("case '%s': expected %#x, got %#x\n", text, want, got); bad++; }
        n++;
    }
    fclose(f);
    assert_true(n >= 20);
    assert_int_equal(bad, 0);
}

static void luhn_and_names(void **st)
{
    (void)st;
    assert_true(sensitive_luhn("79927398713", 11));
    assert_false(sensitive_luhn("79927398710", 11));
    assert_false(sensitive_luhn("abc", 3));
    assert_int_equal(sensitive_by_name("X-API-Key"), SENSITIVE_APIKEY);
    assert_int_equal(sensitive_by_name("access_token"), SENSITIVE_APIKEY);
    assert_int_equal(sensitive_by_name("username"), 0);
    assert_string_equal(sensitive_name(SENSITIVE_CARD), "card_number");
    assert_string_equal(sensitive_name(3), "unknown");
    /* NUL bytes inside the value do not stop the scan */
    static const char bin[] = "\0\0mail: a@example.com";
    assert_int_equal(sensitive_scan(bin, sizeof bin - 1), SENSITIVE_EMAIL);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(cases), cmocka_unit_test(luhn_and_names) };
    return cmocka_run_group_tests_name("node_sensitive", tests, NULL, NULL);
}
