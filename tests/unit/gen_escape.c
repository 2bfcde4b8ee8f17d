/* gen_escape.c -- unit tests of the escapers: exact output per context, literals per type, and refusals.
 * The round-trip suite proves the outputs parse back; these pin down the chosen encodings. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>
#include "escape.h"

typedef struct str_case { esc_ctx ctx; const char *in; size_t n; const char *out; const char *why; } str_case;
#define S(ctx, lit, out) { ctx, lit, sizeof lit - 1, out, NULL }
#define X(ctx, lit, why) { ctx, lit, sizeof lit - 1, NULL, why }

static void check_strings(const str_case *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf out = BUF_INIT;
        const char *why = NULL;
        int rc = esc_string(cs[i].ctx, cs[i].in, cs[i].n, &out, &why);
        const char *got = out.data ? out.data : "";
        if (cs[i].out && (rc != 0 || strcmp(got, cs[i].out) != 0))
            fail_msg("%s case %zu: got \"%s\" (%s), want \"%s\"", esc_ctx_name(cs[i].ctx), i, got, why ? why : "ok", cs[i].out);
        if (!cs[i].out && (rc == 0 || !why || !strstr(why, cs[i].why)))
            fail_msg("%s case %zu: want refusal \"%s\", got rc %d \"%s\" (%s)", esc_ctx_name(cs[i].ctx), i, cs[i].why, rc, got, why ? why : "");
        buf_free(&out);
    }
}
#define CHECK(table) check_strings(table, sizeof table / sizeof table[0])

static void test_js(void **state)
{
    (void)state;
    static const str_case cs[] = {
        S(CTX_JS_STR_DQ, "abc", "abc"), S(CTX_JS_STR_DQ, "\"'\\", "\\\"\\'\\\\"), S(CTX_JS_VALUE, "a\"b", "\"a\\\"b\""),
        S(CTX_JS_STR_SQ, "</script><!--", "\\x3C/script\\x3E\\x3C!--"), S(CTX_JS_STR_DQ, "`${x}`", "\\x60\\x24{x}\\x60"),
        S(CTX_JS_STR_DQ, "a&b", "a\\x26b"), S(CTX_JS_STR_DQ, "\n\r\t\x01\x7f", "\\x0A\\x0D\\x09\\x01\\x7F"),
        S(CTX_JS_STR_DQ, "\0" "1", "\\x001"), S(CTX_JS_STR_DQ, "\xE2\x80\xA8\xE2\x80\xA9", "\\u2028\\u2029"),
        S(CTX_JS_STR_DQ, "\xC3\xA9", "\\u00E9"), S(CTX_JS_STR_DQ, "\xF0\x9F\x98\x80", "\\uD83D\\uDE00"),
        S(CTX_JS_STR_DQ, "\xE2\x80\xAE", "\\u202E"), S(CTX_JS_VALUE, "", "\"\""),
        X(CTX_JS_STR_DQ, "\xED\xA0\x80", "surrogate"), X(CTX_JS_STR_DQ, "\xC0\xAF", "overlong"), X(CTX_JS_STR_DQ, "a\xFF", "invalid UTF-8"),
    };
    CHECK(cs);
}

static void test_python_lua(void **state)
{
    (void)state;
    static const str_case cs[] = {
        S(CTX_PY_STR_DQ, "\"'\\{x}", "\\\"\\'\\\\{x}"), S(CTX_PY_VALUE, "a", "\"a\""), S(CTX_PY_STR_SQ, "\n\r\t\x1b\x7f", "\\n\\r\\t\\x1b\\x7f"),
        S(CTX_PY_STR_DQ, "\0", "\\x00"), S(CTX_PY_STR_DQ, "\xC3\xA9\xF0\x9F\x98\x80", "\\u00e9\\U0001f600"),
        S(CTX_PY_STR_DQ, "\xC2\x85\xE2\x80\xA8", "\\u0085\\u2028"),
        S(CTX_LUA_STR_DQ, "\"'\\", "\\\"\\'\\\\"), S(CTX_LUA_VALUE, "]]", "\"]]\""), S(CTX_LUA_STR_DQ, "\n\r", "\\n\\r"),
        S(CTX_LUA_STR_DQ, "\0" "12", "\\00012"), S(CTX_LUA_STR_DQ, "\x01\t\x7f", "\\001\\t\\127"),
        S(CTX_LUA_STR_SQ, "\xC3\xA9", "\\195\\169"), S(CTX_LUA_STR_DQ, "\\x41", "\\\\x41"),
        X(CTX_PY_STR_DQ, "\xF4\x90\x80\x80", "beyond U+10FFFF"), X(CTX_LUA_STR_DQ, "\xE2\x82", "truncated"),
    };
    CHECK(cs);
}

static void test_xml(void **state)
{
    (void)state;
    static const str_case cs[] = {
        S(CTX_XML_TEXT, "a<b>&c", "a&lt;b&gt;&amp;c"), S(CTX_XML_TEXT, "\"'", "\"'"), S(CTX_XML_TEXT, "]]>", "]]&gt;"),
        S(CTX_XML_TEXT, "a\tb\nc\rd", "a\tb\nc&#13;d"), S(CTX_XML_TEXT, "&amp;", "&amp;amp;"),
        S(CTX_XML_ATTR_DQ, "\"'<&", "&quot;&apos;&lt;&amp;"), S(CTX_XML_ATTR_SQ, "\t\n\r", "&#9;&#10;&#13;"),
        S(CTX_XML_TEXT, "\xC3\xA9\xE2\x80\xA8", "\xC3\xA9\xE2\x80\xA8"),
        S(CTX_XML_CDATA, "a]]>b", "a]]>]<![CDATA[]]>]<![CDATA[]]>&gt;<![CDATA[b"), S(CTX_XML_CDATA, "<&", "<&"),
        S(CTX_XML_CDATA, "\r", "]]>&#13;<![CDATA["),
        X(CTX_XML_TEXT, "a\0b", "NUL"), X(CTX_XML_ATTR_DQ, "\x01", "control"), X(CTX_XML_CDATA, "\x1b", "control"),
        X(CTX_XML_TEXT, "\xEF\xBF\xBE", "U+FFFE"), X(CTX_XML_TEXT, "\xED\xBF\xBF", "surrogate"),
    };
    CHECK(cs);
}

static void test_yaml(void **state)
{
    (void)state;
    static const str_case cs[] = {
        S(CTX_YAML_VALUE, "NO", "\"NO\""), S(CTX_YAML_VALUE, "a: b\n- c", "\"a: b\\n- c\""), S(CTX_YAML_STR_DQ, "\"\\", "\\\"\\\\"),
        S(CTX_YAML_STR_DQ, "\0\a\b\t\n\v\f\r\x1b\x01", "\\0\\a\\b\\t\\n\\v\\f\\r\\e\\x01"), S(CTX_YAML_STR_DQ, "\x7f", "\\x7F"),
        S(CTX_YAML_STR_DQ, "\xC2\x85\xE2\x80\xA8\xE2\x80\xA9", "\\N\\L\\P"), S(CTX_YAML_STR_DQ, "\xEF\xBB\xBF", "\\uFEFF"),
        S(CTX_YAML_STR_DQ, "\xC3\xA9", "\\xE9"), S(CTX_YAML_STR_DQ, "\xF0\x9F\x98\x80", "\\U0001F600"),
        S(CTX_YAML_STR_SQ, "it's", "it''s"), S(CTX_YAML_STR_SQ, "\xC3\xA9\t#", "\xC3\xA9\t#"),
        X(CTX_YAML_STR_SQ, "a\nb", "single-quoted"), X(CTX_YAML_STR_SQ, "\xC2\x85", "single-quoted"),
        X(CTX_YAML_STR_SQ, "\xE2\x80\xA8", "single-quoted"), X(CTX_YAML_STR_SQ, "\x7f", "single-quoted"),
        X(CTX_YAML_STR_DQ, "\xED\xA0\x80", "surrogate"),
    };
    CHECK(cs);
}

static void test_json_toml_rust(void **state)
{
    (void)state;
    static const str_case cs[] = {
        S(CTX_JSON_STR, "\"\\/", "\\\"\\\\/"), S(CTX_JSON_STR, "<>&", "\\u003c\\u003e\\u0026"), S(CTX_JSON_VALUE, "a", "\"a\""),
        S(CTX_JSON_STR, "\n\x01\x7f", "\\n\\u0001\x7f"), S(CTX_JSON_STR, "\xE2\x80\xA8\xC3\xA9", "\\u2028\xC3\xA9"),
        S(CTX_TOML_STR, "\"\\/", "\\\"\\\\/"), S(CTX_TOML_STR, "\x1b\x7f\b\f", "\\u001B\\u007F\\b\\f"),
        S(CTX_TOML_VALUE, "x\"\n[evil]", "\"x\\\"\\n[evil]\""), S(CTX_TOML_STR, "\xF0\x9F\x98\x80\xC3\xA9", "\\U0001F600\\u00E9"),
        S(CTX_RUST_STR, "\"\\\n\r\t\0", "\\\"\\\\\\n\\r\\t\\0"), S(CTX_RUST_STR, "{}'#", "{}'#"),
        S(CTX_RUST_STR, "\x01\x7f\xE2\x80\xAE\xC3\xA9", "\\u{1}\\u{7F}\\u{202E}\\u{E9}"), S(CTX_RUST_VALUE, "\"#", "\"\\\"#\""),
        X(CTX_JSON_STR, "\xC0\x80", "overlong"), X(CTX_TOML_STR, "\xED\xB0\x80", "surrogate"), X(CTX_RUST_STR, "\xF8\x88\x80\x80\x80", "invalid"),
        X(CTX_FORBIDDEN, "a", "no escaper"), X(CTX_COUNT, "a", "no escaper"),
    };
    CHECK(cs);
}

/* esc_value: the JSON text of a value and what each context makes of it (NULL out: refusal with why). */
typedef struct val_case { esc_ctx ctx; const char *json; const char *out; const char *why; } val_case;

static void check_values(const val_case *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cJSON *v = cJSON_Parse(cs[i].json);
        assert_non_null(v);
        buf out = BUF_INIT;
        const char *why = NULL;
        int rc = esc_value(cs[i].ctx, v, &out, &why);
        const char *got = out.data ? out.data : "";
        if (cs[i].out && (rc != 0 || strcmp(got, cs[i].out) != 0))
            fail_msg("%s %s: got \"%s\" (%s), want \"%s\"", esc_ctx_name(cs[i].ctx), cs[i].json, got, why ? why : "ok", cs[i].out);
        if (!cs[i].out && (rc == 0 || !why || !strstr(why, cs[i].why)))
            fail_msg("%s %s: want refusal \"%s\", got \"%s\" (%s)", esc_ctx_name(cs[i].ctx), cs[i].json, cs[i].why, got, why ? why : "");
        buf_free(&out);
        cJSON_Delete(v);
    }
}

static void test_values(void **state)
{
    (void)state;
    static const val_case cs[] = {
        { CTX_JS_VALUE, "42", "42", NULL }, { CTX_JS_VALUE, "-0.5", "-0.5", NULL }, { CTX_JS_VALUE, "9007199254740991", "9007199254740991", NULL },
        { CTX_JS_VALUE, "true", "true", NULL }, { CTX_JS_VALUE, "null", "null", NULL }, { CTX_JS_VALUE, "[1, \"a\", [false]]", "[1, \"a\", [false]]", NULL },
        { CTX_JS_VALUE, "{\"a\": 1, \"__proto__\": {}}", "{\"a\": 1, [\"__proto__\"]: {}}", NULL }, { CTX_JS_VALUE, "[]", "[]", NULL },
        { CTX_PY_VALUE, "[true, false, null]", "[True, False, None]", NULL }, { CTX_PY_VALUE, "{\"k\": 1.5}", "{\"k\": 1.5}", NULL },
        { CTX_LUA_VALUE, "null", "nil", NULL }, { CTX_LUA_VALUE, "[1, \"a\"]", "{1, \"a\"}", NULL },
        { CTX_LUA_VALUE, "{\"k\": true, \"]]\": 2}", "{[\"k\"] = true, [\"]]\"] = 2}", NULL },
        { CTX_LUA_VALUE, "[1, null]", NULL, "Lua table" }, { CTX_LUA_VALUE, "{\"k\": null}", NULL, "Lua table" },
        { CTX_YAML_VALUE, "1e21", "1.0e+21", NULL }, { CTX_YAML_VALUE, "1.5e-7", "1.5e-07", NULL }, { CTX_YAML_VALUE, "null", "null", NULL },
        { CTX_YAML_VALUE, "{\"on\": [\"NO\", 1]}", "{\"on\": [\"NO\", 1]}", NULL }, { CTX_JSON_VALUE, "{\"a\": [null]}", "{\"a\": [null]}", NULL },
        { CTX_JSON_VALUE, "\"</script>\"", "\"\\u003c/script\\u003e\"", NULL },
        { CTX_TOML_VALUE, "{\"a.b\": [1, \"x\"]}", "{ \"a.b\" = [1, \"x\"] }", NULL }, { CTX_TOML_VALUE, "{}", "{}", NULL },
        { CTX_TOML_VALUE, "null", NULL, "TOML has no null" }, { CTX_TOML_VALUE, "[null]", NULL, "TOML has no null" },
        { CTX_RUST_VALUE, "[1, 2]", "[1, 2]", NULL }, { CTX_RUST_VALUE, "-3", "-3", NULL }, { CTX_RUST_VALUE, "null", NULL, "null in a Rust" },
        { CTX_RUST_VALUE, "{\"a\": 1}", NULL, "object in a Rust value" },
        { CTX_JS_STR_DQ, "42", "42", NULL }, { CTX_PY_STR_SQ, "0.1", "0.1", NULL }, { CTX_XML_TEXT, "false", "false", NULL },
        { CTX_XML_ATTR_DQ, "null", NULL, "null in a string" }, { CTX_LUA_STR_DQ, "[1]", NULL, "array in a string" },
        { CTX_YAML_STR_DQ, "{}", NULL, "object in a string" }, { CTX_JS_VALUE, "\"\\ud800\"", NULL, "" },
    };
    check_values(cs, sizeof cs / sizeof cs[0] - 1);     /* the last one: cJSON itself refuses lone surrogates */
    assert_null(cJSON_Parse(cs[sizeof cs / sizeof cs[0] - 1].json));
}

static void test_limits(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    const char *why = NULL;
    cJSON *nan = cJSON_CreateNumber(NAN), *inf = cJSON_CreateNumber(INFINITY);
    assert_int_equal(esc_value(CTX_JSON_VALUE, nan, &out, &why), -1);
    assert_non_null(strstr(why, "non-finite"));
    assert_int_equal(esc_value(CTX_JS_STR_DQ, inf, &out, &why), -1);
    assert_non_null(strstr(why, "non-finite"));
    cJSON_Delete(nan); cJSON_Delete(inf);
    cJSON *deep = cJSON_CreateArray(), *cur = deep;               /* nesting beyond the bound */
    for (int i = 0; i < 40; i++) { cJSON *a = cJSON_CreateArray(); cJSON_AddItemToArray(cur, a); cur = a; }
    assert_int_equal(esc_value(CTX_PY_VALUE, deep, &out, &why), -1);
    assert_non_null(strstr(why, "nested too deeply"));
    cJSON_Delete(deep);
    assert_int_equal(esc_value(CTX_JS_VALUE, NULL, &out, &why), -1);
    buf small = BUF_INIT;                                        /* the buffer's cap is reported, not overrun */
    small.limit = 8;
    assert_int_equal(esc_string(CTX_JS_STR_DQ, "<<<<<<<<", 8, &small, &why), -1);
    assert_true(small.len <= 8);
    assert_non_null(strstr(why, "too large"));
    buf_free(&small);
    assert_int_equal(esc_string(CTX_JS_STR_DQ, "abc", 3, &out, NULL), 0);   /* why may be NULL */
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_js), cmocka_unit_test(test_python_lua), cmocka_unit_test(test_xml),
        cmocka_unit_test(test_yaml), cmocka_unit_test(test_json_toml_rust), cmocka_unit_test(test_values),
        cmocka_unit_test(test_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
