/* common_units.c -- unit tests for sizes and durations (common/units.c).
 * Every suffix, the bare-number rule, overflow and the max bound, and the messages. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "units.h"

static long long size_of(const char *s)
{
    long long v = -1;
    assert_int_equal(units_size(s, 1LL << 62, &v), 0);
    return v;
}

static long long ms_of(const char *s)
{
    long long v = -1;
    assert_int_equal(units_duration(s, 1LL << 62, &v), 0);
    return v;
}

static void sizes(void **st)
{
    (void)st;
    assert_true(size_of("0") == 0);
    assert_true(size_of("512") == 512);
    assert_true(size_of("64k") == 65536 && size_of("64K") == 65536);
    assert_true(size_of("1m") == 1048576 && size_of("1M") == 1048576);
    assert_true(size_of("2g") == 2147483648LL && size_of("2G") == 2147483648LL);
    long long v = 7;
    const char *bad[] = {"", "k", "-1", "+1", " 1", "1 ", "1.5k", "64kb", "1t", "1ms", "0x10", "1kk"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_int_equal(units_size(bad[i], 1LL << 62, &v), UNITS_BAD);
    assert_true(v == 7);                                                  /* untouched on error */
    assert_int_equal(units_size("1024", 1024, &v), 0);                    /* max is inclusive */
    assert_int_equal(units_size("1025", 1024, &v), UNITS_BAD);
    assert_int_equal(units_size("2k", 1024, &v), UNITS_BAD);
    assert_int_equal(units_size("99999999999999999999", 1LL << 62, &v), UNITS_BAD);   /* no overflow */
    assert_int_equal(units_size("9223372036854775807g", 1LL << 62, &v), UNITS_BAD);
}

static void durations(void **st)
{
    (void)st;
    assert_true(ms_of("250ms") == 250);
    assert_true(ms_of("30s") == 30000);
    assert_true(ms_of("2m") == 120000);
    assert_true(ms_of("1h") == 3600000);
    assert_true(ms_of("0") == 0 && ms_of("0s") == 0);
    long long v = 7;
    assert_int_equal(units_duration("750", 1LL << 62, &v), UNITS_BARE);   /* ms or s? never guessed */
    assert_int_equal(units_duration("30", 1LL << 62, &v), UNITS_BARE);
    const char *bad[] = {"", "s", "-1s", "1.5s", "1 s", "1S", "1d", "10sec", "1k", "ms1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) assert_int_equal(units_duration(bad[i], 1LL << 62, &v), UNITS_BAD);
    assert_true(v == 7);
    assert_int_equal(units_duration("60s", 60000, &v), 0);
    assert_int_equal(units_duration("60001ms", 60000, &v), UNITS_BAD);
    assert_int_equal(units_duration("2562047788015216h", 1LL << 62, &v), UNITS_BAD);
}

static void messages(void **st)
{
    (void)st;
    assert_non_null(strstr(units_why(UNITS_BARE, 1), "needs its unit"));
    assert_non_null(strstr(units_why(UNITS_BAD, 1), "expected a duration like 250ms"));
    assert_non_null(strstr(units_why(UNITS_BAD, 0), "expected a size like 512, 64k"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sizes), cmocka_unit_test(durations), cmocka_unit_test(messages),
    };
    return cmocka_run_group_tests_name("common_units", tests, NULL, NULL);
}
