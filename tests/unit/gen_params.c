/* gen_params.c -- unit tests of the parameter types, defaults, error lists and the render context.
 * Uses the real shared definitions in platforms/_common.yaml. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "params.h"
#include "units.h"

static manifest_common *common;

static int setup(void **state)
{
    (void)state;
    FILE *f = fopen("platforms/_common.yaml", "rb");
    if (!f) return -1;
    static char src[65536];
    size_t n = fread(src, 1, sizeof src - 1, f);
    fclose(f);
    char err[1024];
    common = manifest_common_parse("platforms/_common.yaml", src, n, err, sizeof err);
    if (!common) fprintf(stderr, "%s\n", err);
    return common ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    manifest_common_free(common);
    return 0;
}

static const param_def *def(const char *name)
{
    for (size_t i = 0; i < common->nparams; i++)
        if (!strcmp(common->params[i].name, name)) return &common->params[i];
    fail_msg("no parameter %s", name);
    return NULL;
}

/* Parses text for the named parameter: the typed value, or NULL with the reason in why. */
static cJSON *parse(const char *name, const char *text, buf *why)
{
    buf_reset(why);
    return params_parse_value(def(name), text, why);
}

static void accepts(const char *name, const char *text)
{
    buf why = BUF_INIT;
    cJSON *v = parse(name, text, &why);
    if (!v) fail_msg("%s=%s refused: %s", name, text, why.data);
    cJSON_Delete(v);
    buf_free(&why);
}

static void refuses(const char *name, const char *text, const char *reason)
{
    buf why = BUF_INIT;
    cJSON *v = parse(name, text, &why);
    if (v) fail_msg("%s=%s accepted", name, text);
    if (!why.data || !strstr(why.data, reason)) fail_msg("%s=%s: reason \"%s\" lacks \"%s\"", name, text, why.data, reason);
    buf_free(&why);
}

static double number(const char *name, const char *text)
{
    buf why = BUF_INIT;
    cJSON *v = parse(name, text, &why);
    if (!v || !cJSON_IsNumber(v)) fail_msg("%s=%s: %s", name, text, why.data);
    double d = v->valuedouble;
    cJSON_Delete(v);
    buf_free(&why);
    return d;
}

static cJSON *cli(const char *const *sets, size_t n, cJSON **errors)
{
    return params_from_cli(common->params, common->nparams, sets, n, errors);
}

static void test_url(void **state)
{
    (void)state;
    static const char *const good[] = {
        "http://127.0.0.1:5050", "https://node.example.com", "https://n.example.com:8443/api/v1",
        "http://[::1]:5050/", "http://[2001:db8::1]/x%20y", "https://us-1.connect.example-cloud.com/",
        "http://localhost:65535/a/b;c=d",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) accepts("endpoint", good[i]);
    refuses("endpoint", "ftp://x.com", "scheme");
    refuses("endpoint", "javascript:alert(1)", "scheme");
    refuses("endpoint", "HTTP://X.COM", "scheme");
    refuses("endpoint", "http://user:pw@x.com", "user info");
    refuses("endpoint", "http://x.com/?q=1", "query");
    refuses("endpoint", "http://x.com/a#frag", "fragment");
    refuses("endpoint", "http://x.com/a b", "whitespace");
    refuses("endpoint", "http://x.com/\n", "control");
    refuses("endpoint", "http://x.com/\xc3\xa9", "non-ASCII");
    refuses("endpoint", "http://", "host is empty");
    refuses("endpoint", "http://x.com:0", "port");
    refuses("endpoint", "http://x.com:65536", "port");
    refuses("endpoint", "http://x.com:ab", "port");
    refuses("endpoint", "http://x.com:", "port");
    refuses("endpoint", "http://[::1", "brackets");
    refuses("endpoint", "http://[zz::1]/", "IPv6");
    refuses("endpoint", "http://-x.com", "'-'");
    refuses("endpoint", "http://a..b", "label");
    refuses("endpoint", "http://x_y.com", "host holds");
    refuses("endpoint", "http://x.com/</script>", "percent-encoded");
    refuses("endpoint", "http://x.com/${a}", "percent-encoded");
    refuses("endpoint", "http://x.com/'\"", "percent-encoded");
    refuses("endpoint", "http://x.com/%zz", "two hex digits");
    refuses("endpoint", "http://x.com/\\", "percent-encoded");
    char longurl[2100] = "http://x.com/";
    memset(longurl + 13, 'a', sizeof longurl - 14);
    longurl[sizeof longurl - 1] = '\0';
    refuses("endpoint", longurl, "longer than");
}

static void test_enum_integer_boolean(void **state)
{
    (void)state;
    accepts("mode", "inline");
    accepts("mode", "async");
    refuses("mode", "sync", "not an allowed value");
    refuses("mode", "Inline", "not an allowed value");
    assert_true(number("retries", "0") == 0);
    assert_true(number("retries", "5") == 5);
    refuses("retries", "6", "above 5");
    refuses("retries", "-1", "below 0");
    refuses("retries", "1.5", "not an integer");
    refuses("retries", " 1", "not an integer");
    refuses("retries", "", "not an integer");
    refuses("retries", "99999999999999999999", "not an integer");
    assert_true(number("fail_status", "599") == 599);
    refuses("fail_status", "600", "above 599");
    static const char *const yes[] = {"true", "yes", "1", "TRUE"}, *const no[] = {"false", "no", "0", "No"};
    buf why = BUF_INIT;
    for (int i = 0; i < 4; i++) {
        cJSON *v = parse("send_request_body", yes[i], &why);
        assert_true(cJSON_IsTrue(v));
        cJSON_Delete(v);
        v = parse("send_request_body", no[i], &why);
        assert_true(cJSON_IsFalse(v));
        cJSON_Delete(v);
    }
    buf_free(&why);
    refuses("send_request_body", "maybe", "not a boolean");
    refuses("send_request_body", "", "not a boolean");
}

static void test_duration_size(void **state)
{
    (void)state;
    assert_true(number("request_timeout", "250ms") == 250);
    assert_true(number("request_timeout", "2s") == 2000);
    assert_true(number("request_timeout", "1m") == 60000);
    refuses("request_timeout", "750", "needs its unit");     /* a bare number is never guessed */
    assert_true(number("retry_interval", "0") == 0);           /* 0 needs none */
    refuses("connect_timeout", "61s", "above 60000");
    refuses("connect_timeout", "0", "below 1");
    refuses("request_timeout", "1.5s", "not a duration");
    refuses("request_timeout", "-1s", "not a duration");
    refuses("request_timeout", "10d", "not a duration");
    refuses("request_timeout", "ms", "not a duration");
    refuses("request_timeout", "99999999999999999999s", "not a duration");
    long long v;
    assert_int_equal(params_parse_duration("1h", &v), 0);
    assert_true(v == 3600000);
    assert_int_equal(params_parse_duration("9999999h", &v), UNITS_BAD);
    assert_int_equal(params_parse_duration("250", &v), UNITS_BARE);
    assert_true(number("request_body_limit", "64k") == 65536);
    assert_true(number("request_body_limit", "1m") == 1048576);
    assert_true(number("request_body_limit", "512") == 512);
    assert_true(number("request_body_limit", "2K") == 2048);
    refuses("request_body_limit", "1g", "above");
    refuses("request_body_limit", "64kb", "not a size");
    refuses("request_body_limit", "-1", "not a size");
    assert_int_equal(params_parse_size("8388607g", &v), 0);
    assert_int_equal(params_parse_size("8388608g", &v), UNITS_BAD);
}

static void test_identifier_list(void **state)
{
    (void)state;
    buf why = BUF_INIT;
    cJSON *v = parse("skip_extensions", "css,js,png", &why);
    assert_non_null(v);
    assert_int_equal(cJSON_GetArraySize(v), 3);
    assert_string_equal(cJSON_GetArrayItem(v, 2)->valuestring, "png");
    cJSON_Delete(v);
    v = parse("skip_extensions", "", &why);
    assert_non_null(v);
    assert_int_equal(cJSON_GetArraySize(v), 0);
    cJSON_Delete(v);
    buf_free(&why);
    refuses("skip_extensions", "css,CSS", "does not match the pattern");
    refuses("skip_extensions", "css,../x", "holds '.'");
    refuses("skip_extensions", "css,,js", "empty");
    refuses("skip_extensions", "abcdefghijk", "pattern");
}

static void test_string(void **state)
{
    (void)state;
    accepts("real_ip_header", "X-Real-IP");
    accepts("real_ip_header", "");
    refuses("real_ip_header", "X Real", "pattern");
    refuses("real_ip_header", "X-Real\n", "pattern");
    refuses("real_ip_header", "X-Real\x1b", "control character");
    refuses("real_ip_header", "X-Real-IP\\n", "pattern");
    accepts("block_page", "<h1>Blocked</h1>\n<p>\xe2\x80\xa8 '\"` ${x} </script></p>\r\n\t");
    refuses("block_page", "a\x01", "control character");
    refuses("block_page", "a\x7f", "control character");
    refuses("block_page", "\xff", "invalid UTF-8");
    refuses("block_page", "\xc0\xaf", "invalid UTF-8");
    refuses("block_page", "\xed\xa0\x80", "invalid UTF-8");
    refuses("block_page", "\xe2\x80", "invalid UTF-8");
    char *big = malloc(16386);
    memset(big, 'a', 16385);
    big[16385] = '\0';
    refuses("block_page", big, "longer than 16384 bytes");
    big[16384] = '\0';
    accepts("block_page", big);
    free(big);
    accepts("token", "abcdefghijklmnop");
    refuses("token", "short", "pattern");
}

static void test_context_defaults(void **state)
{
    (void)state;
    const char *sets[] = {"endpoint=http://127.0.0.1:5050"};
    cJSON *errors = NULL;
    cJSON *ctx = cli(sets, 1, &errors);
    assert_non_null(ctx);
    assert_null(errors);
    for (size_t i = 0; i < common->nparams; i++)
        assert_non_null(cJSON_GetObjectItemCaseSensitive(ctx, common->params[i].name));
    assert_true(cJSON_GetObjectItem(ctx, "request_body_limit")->valuedouble == 65536);
    assert_true(cJSON_GetObjectItem(ctx, "connect_timeout")->valuedouble == 500);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ctx, "send_request_body")));
    assert_string_equal(cJSON_GetObjectItem(ctx, "mode")->valuestring, "inline");
    cJSON *is = cJSON_GetObjectItem(ctx, "mode_is");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(is, "inline")));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(is, "async")));
    assert_int_equal(cJSON_GetArraySize(is), 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(ctx, "fail_mode_is"), "open")));
    cJSON *ep = cJSON_GetObjectItem(ctx, "endpoint");
    assert_true(cJSON_IsArray(ep));
    assert_int_equal(cJSON_GetArraySize(ep), 1);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ctx, "skip_extensions")), 0);
    assert_non_null(strstr(cJSON_GetObjectItem(ctx, "block_page")->valuestring, "Request blocked"));
    cJSON_Delete(ctx);
}

static void test_lists_accumulate(void **state)
{
    (void)state;
    const char *sets[] = {"endpoint=http://a.example:1", "mode=async", "endpoint=http://b.example,http://c.example/x"};
    cJSON *errors = NULL;
    cJSON *ctx = cli(sets, 3, &errors);
    assert_non_null(ctx);
    cJSON *ep = cJSON_GetObjectItem(ctx, "endpoint");
    assert_int_equal(cJSON_GetArraySize(ep), 3);
    assert_string_equal(cJSON_GetArrayItem(ep, 0)->valuestring, "http://a.example:1");
    assert_string_equal(cJSON_GetArrayItem(ep, 2)->valuestring, "http://c.example/x");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(ctx, "mode_is"), "async")));
    cJSON_Delete(ctx);
}

static int has_error(const cJSON *errors, const char *param, const char *text)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        const char *p = cJSON_GetObjectItem(e, "parameter")->valuestring;
        const char *m = cJSON_GetObjectItem(e, "message")->valuestring;
        if (!strcmp(p, param) && strstr(m, text)) return 1;
    }
    return 0;
}

static void test_all_errors_at_once(void **state)
{
    (void)state;
    const char *sets[] = {
        "retries=9", "mode=sync", "colour=red", "request_timeout=soon", "mode=async",
        "token=not a token value at all", "noequals", "retries=1",
    };
    cJSON *errors = NULL;
    cJSON *ctx = cli(sets, sizeof sets / sizeof *sets, &errors);
    assert_null(ctx);
    assert_non_null(errors);
    assert_true(has_error(errors, "retries", "retries: \"9\": the number is above 5 (expected an integer from 0 to 5)"));
    assert_true(has_error(errors, "mode", "mode: \"sync\": not an allowed value (expected one of inline, async)"));
    assert_true(has_error(errors, "colour", "unknown parameter \"colour\" (known: endpoint, mode,"));
    assert_true(has_error(errors, "request_timeout", "\"soon\": not a duration"));
    assert_true(has_error(errors, "endpoint", "endpoint: the value: required but not given"));
    assert_true(has_error(errors, "token", "(secret value)"));
    assert_true(has_error(errors, "noequals", "expected NAME=VALUE"));
    char *all = cJSON_PrintUnformatted(errors);
    assert_null(strstr(all, "not a token value"));   /* a secret never comes back */
    cJSON_free(all);
    assert_int_equal(cJSON_GetArraySize(errors), 7);    /* the second mode/retries add nothing new */
    buf text = BUF_INIT;
    assert_int_equal(params_errors_text(errors, &text), 0);
    assert_non_null(strstr(text.data, "\nmode: \"sync\""));
    buf_free(&text);
    cJSON_Delete(errors);

    const char *twice[] = {"endpoint=http://a.b", "retries=1", "retries=2"};
    ctx = cli(twice, 3, &errors);
    assert_null(ctx);
    assert_true(has_error(errors, "retries", "given more than once"));
    cJSON_Delete(errors);

    const char *hostile[] = {"endpoint=http://a.b/\"+alert(1)+\"", "real_ip_header=X\r\nSet-Cookie: a"};
    ctx = cli(hostile, 2, &errors);
    assert_null(ctx);
    assert_true(has_error(errors, "endpoint", "\\\"+alert(1)+\\\""));
    assert_true(has_error(errors, "real_ip_header", "\\x0d\\x0a"));
    cJSON_Delete(errors);
}

/* The errors of a JSON body that must be refused. */
static cJSON *json_errors(const char *text)
{
    cJSON *body = cJSON_Parse(text), *errors = NULL;
    assert_non_null(body);
    cJSON *ctx = params_from_json(common->params, common->nparams, body, &errors);
    cJSON_Delete(body);
    assert_null(ctx);
    assert_non_null(errors);
    return errors;
}

static void test_json_matches_cli(void **state)
{
    (void)state;
    const char *sets[] = {
        "endpoint=http://a.example:5050", "endpoint=https://b.example/n", "mode=async", "retries=2",
        "request_timeout=2s", "request_body_limit=1m", "send_request_body=no", "skip_extensions=css,js",
        "token=abcdefghijklmnopqrstuvwx",
    };
    cJSON *errors = NULL;
    cJSON *a = cli(sets, sizeof sets / sizeof *sets, &errors);
    assert_non_null(a);
    cJSON *body = cJSON_Parse("{\"endpoint\":[\"http://a.example:5050\",\"https://b.example/n\"],\"mode\":\"async\","
                              "\"retries\":2,\"request_timeout\":\"2s\",\"request_body_limit\":1048576,"
                              "\"send_request_body\":false,\"skip_extensions\":\"css,js\","
                              "\"token\":\"abcdefghijklmnopqrstuvwx\"}");
    cJSON *b = params_from_json(common->params, common->nparams, body, &errors);
    assert_non_null(b);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON_Delete(body);

    errors = json_errors("{\"endpoint\":[\"http://a.example\", 5],\"retries\":2.5,\"send_request_body\":\"x\","
                         "\"mode\":true,\"request_timeout\":-5,\"nope\":1}");
    assert_true(has_error(errors, "endpoint", "element 1: a JSON number where a string is needed"));
    assert_true(has_error(errors, "retries", "retries: \"2.5\""));
    assert_true(has_error(errors, "retries", "not a whole number"));
    assert_true(has_error(errors, "send_request_body", "not a boolean"));
    assert_true(has_error(errors, "mode", "a JSON boolean where a string is needed"));
    assert_true(has_error(errors, "request_timeout", "negative"));
    assert_true(has_error(errors, "nope", "unknown parameter"));
    assert_int_equal(cJSON_GetArraySize(errors), 6);
    cJSON_Delete(errors);
    errors = json_errors("[1]");
    assert_true(has_error(errors, "", "must be a JSON object"));
    cJSON_Delete(errors);
    errors = json_errors("{\"endpoint\":[]}");
    assert_true(has_error(errors, "endpoint", "required: give at least one"));
    cJSON_Delete(errors);
}

/* A definition built in C, finished with a default given as text. */
static int finish(param_def *d, const char *name, param_type t, const char *dflt, char *err)
{
    d->name = strdup(name);
    d->type = t;
    cJSON *raw = dflt ? cJSON_CreateString(dflt) : NULL;
    int rc = params_def_finish(d, raw, err, 512);
    cJSON_Delete(raw);
    return rc;
}

static void test_definitions(void **state)
{
    (void)state;
    char err[512];
    param_def d = {0};
    d.pattern = strdup("^(a");
    assert_int_equal(finish(&d, "p", PT_STRING, "a", err), -1);
    assert_non_null(strstr(err, "pattern: \"^(a\" does not compile at offset"));
    params_def_clear(&d);

    assert_int_equal(finish(&d, "e", PT_ENUM, "x", err), -1);
    assert_non_null(strstr(err, "an enum needs at least one value"));
    params_def_clear(&d);

    d.min = (param_bound){1, 5};
    d.max = (param_bound){1, 2};
    assert_int_equal(finish(&d, "n", PT_INTEGER, "3", err), -1);
    assert_non_null(strstr(err, "min is above max"));
    params_def_clear(&d);

    d.max = (param_bound){1, 10};
    assert_int_equal(finish(&d, "n", PT_INTEGER, "11", err), -1);
    assert_string_equal(err, "default: the number is above 10 (expected an integer at most 10)");
    params_def_clear(&d);

    assert_int_equal(finish(&d, "n", PT_INTEGER, NULL, err), -1);
    assert_non_null(strstr(err, "needs a default"));
    params_def_clear(&d);

    assert_int_equal(finish(&d, "Bad-Name", PT_INTEGER, "1", err), -1);
    assert_non_null(strstr(err, "is not a parameter name"));
    params_def_clear(&d);

    d.min = (param_bound){1, 1};
    assert_int_equal(finish(&d, "u", PT_URL, "http://x", err), -1);
    assert_non_null(strstr(err, "a url parameter takes no bounds"));
    params_def_clear(&d);

    d.pattern = strdup("^[a-z]+$");
    assert_int_equal(finish(&d, "s", PT_STRING, "abc", err), 0);
    buf why = BUF_INIT;
    cJSON *v = params_parse_value(&d, "abc\n", &why);   /* '$' matches only at the very end */
    assert_null(v);
    buf_free(&why);
    param_def copy;
    assert_int_equal(params_def_copy(&copy, &d), 0);
    assert_string_equal(copy.def->valuestring, "abc");
    cJSON *j = params_def_json(&copy);
    assert_string_equal(cJSON_GetObjectItem(j, "pattern")->valuestring, "^[a-z]+$");
    assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, "string");
    cJSON_Delete(j);
    params_def_clear(&copy);
    params_def_clear(&d);

    d.values = calloc(2, sizeof *d.values);
    d.values[0] = strdup("a.b");
    d.nvalues = 1;
    assert_int_equal(finish(&d, "e", PT_ENUM, "a.b", err), -1);
    assert_non_null(strstr(err, "not a valid enum value"));
    params_def_clear(&d);

    param_type t;
    assert_int_equal(params_type_from_name("duration", &t), 0);
    assert_int_equal(t, PT_DURATION);
    assert_int_equal(params_type_from_name("float", &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_enum_integer_boolean),
        cmocka_unit_test(test_duration_size),
        cmocka_unit_test(test_identifier_list),
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_context_defaults),
        cmocka_unit_test(test_lists_accumulate),
        cmocka_unit_test(test_all_errors_at_once),
        cmocka_unit_test(test_json_matches_cli),
        cmocka_unit_test(test_definitions),
    };
    return cmocka_run_group_tests_name("gen_params", tests, setup, teardown);
}
