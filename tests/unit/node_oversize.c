/* node_oversize.c -- unit tests for fitting a request head into the limits (node/oversize.c):
 * each limit at its edge and one byte past it, and what the analysed view then holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "oversize.h"

static const oversize_limits lim = {32, 24, 64, 3};

/* A target making a request line of exactly n bytes with "GET " and " HTTP/1.1" (13 bytes). */
static char *target_of(size_t n)
{
    char *t = malloc(n);
    memset(t, 'a', n - 13);
    t[0] = '/';
    t[n - 13] = '\0';
    return t;
}

static void request_line(void **st)
{
    (void)st;
    oversize_view v;
    char *t = target_of(32);
    assert_int_equal(oversize_fit_head(&lim, "GET", t, "HTTP/1.1", NULL, 0, &v), 0);
    assert_int_equal(v.over, 0);
    assert_string_equal(v.path, t);
    assert_null(v.query);
    oversize_view_free(&v);
    free(t);
    t = target_of(33);
    assert_int_equal(oversize_fit_head(&lim, "GET", t, "HTTP/1.1", NULL, 0, &v), 0);
    assert_int_equal(v.over, OVER_REQUEST_LINE);
    assert_int_equal(strlen(v.path), 19);                   /* 32 - 13: cut to the line limit */
    oversize_view_free(&v);
    free(t);
}

static void params(void **st)
{
    (void)st;
    oversize_view v;
    assert_int_equal(oversize_fit_head(&lim, "GET", "/s?a=1&b=2&c=3", "HTTP/1.1", NULL, 0, &v), 0);
    assert_int_equal(v.over, 0);
    assert_string_equal(v.path, "/s");
    assert_string_equal(v.query, "a=1&b=2&c=3");
    oversize_view_free(&v);
    assert_int_equal(oversize_fit_head(&lim, "GET", "/s?a=1&b=2&c=3&d=4", "HTTP/1.1", NULL, 0, &v), 0);
    assert_int_equal(v.over, OVER_PARAMS);
    assert_string_equal(v.query, "a=1&b=2&c=3");
    oversize_view_free(&v);
    oversize_limits any = lim;                              /* 0: no count limit */
    any.max_params = 0;
    assert_int_equal(oversize_fit_head(&any, "GET", "/s?a&b&c&d&e", "HTTP/1.1", NULL, 0, &v), 0);
    assert_int_equal(v.over, 0);
    oversize_view_free(&v);
}

static void headers(void **st)
{
    (void)st;
    oversize_view v;
    /* "Name: value" lines: 24 bytes is the line limit; 64 in all, each counted with its CRLF */
    httpreq_header h[] = {{"X-A", "0123456789abcdefghi"},     /* 3 + 2 + 19 = 24: at the limit */
                         {"X-B", "0123456789abcdefghij"},    /* 25: cut to 24 */
                         {"X-C", "0123456789"},              /* 15 + 2: 26 + 26 + 17 = 69 > 64 */
                         {"Host", "h"}};
    assert_int_equal(oversize_fit_head(&lim, "GET", "/", "HTTP/1.1", h, 1, &v), 0);
    assert_int_equal(v.over, 0);
    assert_int_equal(v.nheaders, 1);
    assert_ptr_equal(v.headers[0].value, h[0].value);       /* nothing cut: no copy */
    oversize_view_free(&v);
    assert_int_equal(oversize_fit_head(&lim, "GET", "/", "HTTP/1.1", h, 4, &v), 0);
    assert_int_equal(v.over, OVER_HEADER_LINE | OVER_HEADERS);
    assert_int_equal(v.nheaders, 2);                        /* the rest is left out whole */
    assert_string_equal(v.headers[1].value, "0123456789abcdefghi");
    oversize_view_free(&v);
    httpreq_header exact[] = {{"X-A", "0123456789abcdefghi"}, {"X-B", "0123456789abcdefghi"},
                             {"X-C", "01234"}};               /* 26 + 26 + 12 = 64: at the limit */
    assert_int_equal(oversize_fit_head(&lim, "GET", "/", "HTTP/1.1", exact, 3, &v), 0);
    assert_int_equal(v.over, 0);
    assert_int_equal(v.nheaders, 3);
    oversize_view_free(&v);
    exact[2].value = "012345";                                /* 65 */
    assert_int_equal(oversize_fit_head(&lim, "GET", "/", "HTTP/1.1", exact, 3, &v), 0);
    assert_int_equal(v.over, OVER_HEADERS);
    assert_int_equal(v.nheaders, 2);
    oversize_view_free(&v);
    httpreq_header late[] = {{"X-A", "0123456789abcdefghi"}, {"X-B", "0123456789abcdefghi"},
                            {"X-C", "0123456789"}, {"X-D", "0123456789abcdefghijklmn"}};
    assert_int_equal(oversize_fit_head(&lim, "GET", "/", "HTTP/1.1", late, 4, &v), 0);
    assert_int_equal(v.over, OVER_HEADERS | OVER_HEADER_LINE);     /* a long line past the total counts too */
    assert_int_equal(v.nheaders, 2);
    assert_int_equal(v.ncut, 0);
    oversize_view_free(&v);
}

static void names(void **st)
{
    (void)st;
    assert_string_equal(oversize_reason_name(0), "request_line");
    assert_string_equal(oversize_reason_name(5), "reply_time");
    assert_string_equal(oversize_reason_name(OVER_NREASONS - 1), "decode_budget");
    assert_int_equal(oversize_policy_parse("block"), OVERSIZE_BLOCK);
    assert_int_equal(oversize_policy_parse("analyse_partial"), OVERSIZE_ANALYSE_PARTIAL);
    assert_int_equal(oversize_policy_parse("drop"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(request_line), cmocka_unit_test(params), cmocka_unit_test(headers),
        cmocka_unit_test(names)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
