/* node_routes.c -- unit tests for route matching (node/routes.c).
 * Specificity order, path kinds, host globs, nesting and inheritance. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "config.h"

static const char *table =
    "listen: 127.0.0.1:5050\n"
    "rules: r.yaml\n"
    "mode: monitoring\n"
    "application: 1\n"
    "routes:\n"
    "  - host: '*.example.com'\n"            /* host only: least specific */
    "    application: 2\n"
    "  - path: /api\n"
    "    application: 3\n"
    "    mode: safe_blocking\n"
    "  - path: /api/v2\n"                     /* longer prefix wins over /api */
    "    application: 4\n"
    "  - path: '= /api/login'\n"             /* exact wins over every prefix */
    "    application: 5\n"
    "    mode: block\n"
    "  - path: '~* \\.PHP$'\n"               /* regex after prefixes, case-insensitive */
    "    application: 6\n"
    "  - host: shop.example.com\n"
    "    path: /cart\n"
    "    mode: block\n"
    "    routes:\n"
    "      - path: /cart/admin\n"             /* refines the parent, inherits its mode */
    "        application: 8\n"
    "      - path: '~ ^/cart/[0-9]+$'\n"
    "        mode: off\n"
    "  - host: '*.example.com'\n"
    "    path: /cart\n"                       /* same prefix: literal host sorts first */
    "    application: 9\n";

static config *cfg;

static int setup(void **st)
{
    (void)st;
    config_errors e = {0};
    cfg = config_load_buffer(table, strlen(table), "routes.yaml", NULL, &e);
    config_errors_free(&e);
    return cfg ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    config_free(cfg);
    return 0;
}

static void expect(const char *host, const char *path, long app, int mode, int matched)
{
    long a = cfg->application;
    int m = cfg->mode;
    assert_int_equal(routes_match(&cfg->routes, host, path, &a, &m, NULL, NULL), matched);
    assert_int_equal(a, app);
    assert_int_equal(m, mode);
}

static void specificity(void **st)
{
    (void)st;
    expect("other.net", "/api/login", 5, CONFIG_MODE_BLOCK, 1);
    expect("other.net", "/api/login/x", 3, CONFIG_MODE_SAFE_BLOCKING, 1);
    expect("other.net", "/api/v2/users", 4, CONFIG_MODE_MONITORING, 1);
    expect("other.net", "/api", 3, CONFIG_MODE_SAFE_BLOCKING, 1);
    expect("other.net", "/apix", 3, CONFIG_MODE_SAFE_BLOCKING, 1);   /* prefixes are plain string prefixes */
    expect("other.net", "/index.php", 6, CONFIG_MODE_MONITORING, 1);
    expect("other.net", "/index.PhP", 6, CONFIG_MODE_MONITORING, 1);
    expect("www.example.com", "/", 2, CONFIG_MODE_MONITORING, 1);
    expect("other.net", "/", 1, CONFIG_MODE_MONITORING, 0);         /* no match: defaults */
}

static void hosts_and_nesting(void **st)
{
    (void)st;
    expect("shop.example.com", "/cart", 1, CONFIG_MODE_BLOCK, 1);
    expect("shop.example.com", "/cart/admin/users", 8, CONFIG_MODE_BLOCK, 1);
    expect("shop.example.com", "/cart/42", 1, CONFIG_MODE_OFF, 1);
    expect("SHOP.example.com", "/cart/42", 1, CONFIG_MODE_OFF, 1);
    expect("www.example.com", "/cart/admin", 9, CONFIG_MODE_MONITORING, 1);
    expect("example.com", "/cart", 1, CONFIG_MODE_MONITORING, 0);
}

static void path_syntax(void **st)
{
    (void)st;
    route r;
    char err[200];
    memset(&r, 0, sizeof r);
    assert_non_null(routes_parse_path(&r, "api", err, sizeof err));
    assert_non_null(routes_parse_path(&r, "=/x", err, sizeof err));
    assert_non_null(routes_parse_path(&r, "~ (", err, sizeof err));
    assert_non_null(routes_parse_path(&r, "= ", err, sizeof err));
    assert_null(routes_parse_path(&r, "~ ^/a", err, sizeof err));
    assert_int_equal(r.path_kind, ROUTE_PATH_REGEX);
    route_table t = {&r, 1};
    long a = 0;
    int m = 0;
    r.has_application = 1;
    r.application = 77;
    assert_int_equal(routes_match(&t, "h", "/abc", &a, &m, NULL, NULL), 1);
    assert_int_equal(a, 77);
    assert_int_equal(routes_match(&t, "h", "/b/a", &a, &m, NULL, NULL), 0);
    free(r.path);
    pcre2_code_free(r.re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(specificity), cmocka_unit_test(hosts_and_nesting), cmocka_unit_test(path_syntax),
    };
    return cmocka_run_group_tests_name("node_routes", tests, setup, teardown);
}
