/* node_cidr.c -- unit tests for CIDR parsing and matching (node/cidr.c).
 * IPv4, IPv6, mapped addresses, prefix edges and bad input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "cidr.h"

static int in(const char *net, const char *addr)
{
    cidr c;
    unsigned char a[16];
    assert_null(cidr_parse(net, &c));
    assert_int_equal(cidr_addr_parse(addr, a), 0);
    return cidr_contains(&c, a);
}

static void ipv4(void **st)
{
    (void)st;
    assert_true(in("10.0.0.0/8", "10.255.1.2"));
    assert_false(in("10.0.0.0/8", "11.0.0.1"));
    assert_true(in("192.168.1.0/25", "192.168.1.127"));
    assert_false(in("192.168.1.0/25", "192.168.1.128"));
    assert_true(in("192.0.2.7", "192.0.2.7"));          /* a bare address is a /32 */
    assert_false(in("192.0.2.7", "192.0.2.8"));
    assert_true(in("0.0.0.0/0", "203.0.113.9"));
    assert_true(in("10.1.2.3/8", "10.9.9.9"));           /* host bits are cleared */
}

static void ipv6(void **st)
{
    (void)st;
    assert_true(in("2001:db8::/32", "2001:db8:1::5"));
    assert_false(in("2001:db8::/32", "2001:db9::1"));
    assert_true(in("::1", "::1"));
    assert_true(in("10.0.0.0/8", "::ffff:10.1.1.1"));   /* mapped IPv4 matches IPv4 networks */
    assert_true(in("::/0", "198.51.100.1"));
    assert_true(in("fe80::/10", "febf::1"));
    assert_false(in("fe80::/10", "fec0::1"));
}

static void bad(void **st)
{
    (void)st;
    cidr c;
    assert_non_null(cidr_parse("10.0.0.0/33", &c));
    assert_non_null(cidr_parse("2001:db8::/129", &c));
    assert_non_null(cidr_parse("10.0.0/8", &c));
    assert_non_null(cidr_parse("10.0.0.0/", &c));
    assert_non_null(cidr_parse("10.0.0.0/8x", &c));
    assert_non_null(cidr_parse("example.com", &c));
    assert_non_null(cidr_parse("", &c));
}

static void lists_and_format(void **st)
{
    (void)st;
    cidr_list l = {0};
    cidr c;
    assert_null(cidr_parse("10.0.0.0/8", &c));
    assert_int_equal(cidr_list_add(&l, &c), 0);
    assert_null(cidr_parse("2001:db8::/32", &c));
    assert_int_equal(cidr_list_add(&l, &c), 0);
    unsigned char a[16];
    char text[64];
    cidr_addr_parse("2001:db8::9", a);
    assert_true(cidr_list_contains(&l, a));
    cidr_addr_parse("172.16.0.1", a);
    assert_false(cidr_list_contains(&l, a));
    cidr_addr_format(a, text, sizeof text);
    assert_string_equal(text, "172.16.0.1");
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, "10.2.3.4", &sin.sin_addr);
    assert_int_equal(cidr_addr_from_sockaddr((struct sockaddr *)&sin, a), 0);
    assert_true(cidr_list_contains(&l, a));
    cidr_list_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ipv4), cmocka_unit_test(ipv6), cmocka_unit_test(bad), cmocka_unit_test(lists_and_format),
    };
    return cmocka_run_group_tests_name("node_cidr", tests, NULL, NULL);
}
