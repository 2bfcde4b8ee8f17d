/* gen_lexer.c -- unit tests of the lexical contexts: every language's strings, comments and forbidden places.
 * Each case is the template text before a tag, the context expected there, and for refusals a reason word. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "lexer.h"

typedef struct lx_case { const char *before; esc_ctx want; const char *why; } lx_case;

static void check_cases(tmpl_lang lang, const lx_case *cs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        lexer whole, bytes;
        const char *why = NULL;
        lexer_init(&whole, lang);
        lexer_feed(&whole, cs[i].before, strlen(cs[i].before));
        lexer_init(&bytes, lang);                                  /* byte by byte must agree */
        for (const char *p = cs[i].before; *p; p++) lexer_feed(&bytes, p, 1);
        esc_ctx got = lexer_context(&whole, &why);
        if (got != cs[i].want || !lexer_same(&whole, &bytes)
            || (cs[i].why && (!why || !strstr(why, cs[i].why))))
            fail_msg("%s: before tag \"%s\": got %s (%s), want %s (%s)", lang_name(lang), cs[i].before,
                     esc_ctx_name(got), why ? why : "", esc_ctx_name(cs[i].want), cs[i].why ? cs[i].why : "");
        if (got == CTX_FORBIDDEN) assert_non_null(why);
    }
}

#define CHECK(lang, table) check_cases(lang, table, sizeof table / sizeof table[0])
#define F CTX_FORBIDDEN

static void test_js(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "", CTX_JS_VALUE, NULL }, { "const u = ", CTX_JS_VALUE, NULL }, { "f(", CTX_JS_VALUE, NULL },
        { "x = \"", CTX_JS_STR_DQ, NULL }, { "x = '", CTX_JS_STR_SQ, NULL }, { "x = \"a'b", CTX_JS_STR_DQ, NULL },
        { "x = \"a\\\"b", CTX_JS_STR_DQ, NULL }, { "x = 'a\\\\' + \"", CTX_JS_STR_DQ, NULL },
        { "x = \"\\", F, "backslash" }, { "// c\n", CTX_JS_VALUE, NULL }, { "// c", F, "comment" },
        { "// c \xE2\x80\xA8 x = ", CTX_JS_VALUE, NULL }, { "// c \xE2\x80\xA9", CTX_JS_VALUE, NULL },
        { "/* c ", F, "comment" }, { "/* c */ ", CTX_JS_VALUE, NULL }, { "/* * / */ '", CTX_JS_STR_SQ, NULL },
        { "`", F, "template literal" }, { "`a ${b} ", F, "template literal" }, { "`${", F, "template literal" },
        { "`${ {a: 1} } ` + ", CTX_JS_VALUE, NULL }, { "`${ `${ 1 }` }` + '", CTX_JS_STR_SQ, NULL },
        { "`a\\` ", F, "template literal" }, { "x = /", F, "regex" }, { "x = /a", F, "regex" },
        { "x = /[/]", F, "regex" }, { "x = /\\/", F, "regex" }, { "x = /a/g; y = ", CTX_JS_VALUE, NULL },
        { "x = /[\"]/; y = '", CTX_JS_STR_SQ, NULL }, { "x = a / ", CTX_JS_VALUE, NULL }, { "x = a /", CTX_JS_VALUE, NULL },
        { "x = (a) /", CTX_JS_VALUE, NULL }, { "x = a[0] / ", CTX_JS_VALUE, NULL }, { "x = 4 / 2 / ", CTX_JS_VALUE, NULL },
        { "return /", F, "regex" }, { "typeof /", F, "regex" }, { "x = y; /", F, "regex" },
        { "x = a / b; c = \"/\"; d = \"", CTX_JS_STR_DQ, NULL }, { "if (a) {} /", F, "regex" },
        { "if (a) /", F, "regex" }, { "while (f(x)) /re/.test(s); y = \"", CTX_JS_STR_DQ, NULL },
        { "for (;;) /", F, "regex" }, { "f(a) / ", CTX_JS_VALUE, NULL }, { "if (f(a) / ", CTX_JS_VALUE, NULL },
        { "x = a", F, "identifier" }, { "x = 10", F, "identifier" }, { "x = $", F, "identifier" },
        { "x = a ", CTX_JS_VALUE, NULL }, { "f(a, ", CTX_JS_VALUE, NULL }, { "o = {k: ", CTX_JS_VALUE, NULL },
    };
    CHECK(LANG_JS, cs);
}

static void test_python(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "x = ", CTX_PY_VALUE, NULL }, { "x = \"", CTX_PY_STR_DQ, NULL }, { "x = '", CTX_PY_STR_SQ, NULL },
        { "x = \"\"\"", CTX_PY_STR_DQ, NULL }, { "x = '''", CTX_PY_STR_SQ, NULL }, { "x = \"\"\"a\"", CTX_PY_STR_DQ, NULL },
        { "x = \"\"\"a\"\"", CTX_PY_STR_DQ, NULL }, { "x = \"\"\"a\"\"\" + ", CTX_PY_VALUE, NULL },
        { "x = '''it's''' + \"", CTX_PY_STR_DQ, NULL }, { "x = \"\"", F, "empty string" },
        { "x = \"\" + '", CTX_PY_STR_SQ, NULL }, { "x = u\"", CTX_PY_STR_DQ, NULL }, { "x = U'", CTX_PY_STR_SQ, NULL },
        { "x = f\"", F, "f-string" }, { "x = F'''", F, "f-string" }, { "x = rf\"", F, "f-string" },
        { "x = r\"", F, "raw" }, { "x = R'", F, "raw" }, { "x = br\"", F, "raw" }, { "x = b\"", F, "bytes" },
        { "x = r'\\\\' + \"", CTX_PY_STR_DQ, NULL }, { "x = '\\", F, "backslash" }, { "# c", F, "comment" },
        { "# it's\nx = ", CTX_PY_VALUE, NULL }, { "x = 1 # \"", F, "comment" }, { "x = a", F, "identifier" },
        { "x = '#' + ", CTX_PY_VALUE, NULL }, { "f(a, ", CTX_PY_VALUE, NULL },
    };
    CHECK(LANG_PYTHON, cs);
}

static void test_lua(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "local x = ", CTX_LUA_VALUE, NULL }, { "x = \"", CTX_LUA_STR_DQ, NULL }, { "x = '", CTX_LUA_STR_SQ, NULL },
        { "x = \"a\\\"", CTX_LUA_STR_DQ, NULL }, { "x = \"\\", F, "backslash" }, { "-- c", F, "comment" },
        { "-- c\nx = ", CTX_LUA_VALUE, NULL }, { "--[[ c", F, "long comment" }, { "--[[ c\n]] x = ", CTX_LUA_VALUE, NULL },
        { "--[==[ ]] ]=] ", F, "long comment" }, { "--[==[ ]] ]==] x = '", CTX_LUA_STR_SQ, NULL },
        { "--[ c", F, "comment" }, { "--[ c\nx = ", CTX_LUA_VALUE, NULL }, { "x = [[", F, "long string" },
        { "x = [[ ]", F, "long string" }, { "x = [=[ ]] ", F, "long string" }, { "x = [=[ ]=] .. ", CTX_LUA_VALUE, NULL },
        { "x = [==", F, "long bracket" }, { "t[", CTX_LUA_VALUE, NULL }, { "t[1] = ", CTX_LUA_VALUE, NULL },
        { "x = -", F, "negative" }, { "x = 4 - ", CTX_LUA_VALUE, NULL }, { "x = a", F, "identifier" },
        { "x = { k = ", CTX_LUA_VALUE, NULL }, { "x = \"--\" .. '", CTX_LUA_STR_SQ, NULL },
    };
    CHECK(LANG_LUA, cs);
}

static void test_xml(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "", CTX_XML_TEXT, NULL }, { "<a>", CTX_XML_TEXT, NULL }, { "<a b=\"", CTX_XML_ATTR_DQ, NULL },
        { "<a b='", CTX_XML_ATTR_SQ, NULL }, { "<a b='\"", CTX_XML_ATTR_SQ, NULL }, { "<a b=\"'\" c='", CTX_XML_ATTR_SQ, NULL },
        { "<a b=\"1\">", CTX_XML_TEXT, NULL }, { "<a/>", CTX_XML_TEXT, NULL }, { "<a><![CDATA[", CTX_XML_CDATA, NULL },
        { "<![CDATA[ ]] ]", CTX_XML_CDATA, NULL }, { "<![CDATA[ ]]>", CTX_XML_TEXT, NULL }, { "<!-- ", F, "comment" },
        { "<!-- a -- b", F, "comment" }, { "<!-- a -->", CTX_XML_TEXT, NULL }, { "<?xml version=\"1.0\"?>", CTX_XML_TEXT, NULL },
        { "<?pi ", F, "processing instruction" }, { "<!DOCTYPE ", F, "DOCTYPE" }, { "<!DOCTYPE r [ <!ENTITY e \">\"> ", F, "DOCTYPE" },
        { "<!DOCTYPE r [ <!ENTITY e \"x\"> ]>", CTX_XML_TEXT, NULL }, { "<a ", F, "start tag" }, { "<a b=\"1\" ", F, "start tag" },
        { "<", F, "tag name" }, { "<a></a", F, "end tag" }, { "<a>&", F, "entity" }, { "<a>&amp;", CTX_XML_TEXT, NULL },
        { "<!", F, "DOCTYPE" }, { "<![CDA", F, "DOCTYPE" },
    };
    CHECK(LANG_XML, cs);
}

static void test_yaml(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "", CTX_YAML_VALUE, NULL }, { "key: ", CTX_YAML_VALUE, NULL }, { "- ", CTX_YAML_VALUE, NULL },
        { "a:\n  - ", CTX_YAML_VALUE, NULL }, { "? ", CTX_YAML_VALUE, NULL }, { "a: [", CTX_YAML_VALUE, NULL },
        { "a: [1, ", CTX_YAML_VALUE, NULL }, { "a: {k: ", CTX_YAML_VALUE, NULL }, { "a: &x ", CTX_YAML_VALUE, NULL },
        { "a: !!str ", CTX_YAML_VALUE, NULL }, { "a: \"", CTX_YAML_STR_DQ, NULL }, { "a: '", CTX_YAML_STR_SQ, NULL },
        { "a: 'it''s ", CTX_YAML_STR_SQ, NULL }, { "a: 'x'", F, "after a quote" }, { "a: \"x\"", F, "after a YAML scalar" },
        { "a: \"\\", F, "backslash" }, { "a: abc", F, "plain scalar" }, { "a: a b ", F, "plain scalar" },
        { "a: http://x", F, "plain scalar" }, { "a:", F, "plain scalar" }, { "-", F, "indicator" }, { "a: x\n- ", CTX_YAML_VALUE, NULL },
        { "# c", F, "comment" }, { "a: 1 # c", F, "comment" }, { "a: b#c", F, "plain scalar" }, { "a: |\n  ", F, "block scalar" },
        { "a: |\n  t", F, "block scalar" }, { "a: >-\n  t\n\n  ", F, "block scalar" }, { "a: |", F, "block scalar" },
        { "a: |\n  t\nb: ", CTX_YAML_VALUE, NULL }, { "a: |\n  t\n", CTX_YAML_VALUE, NULL }, { "- a: |\n    t\n- ", CTX_YAML_VALUE, NULL },
        { "a: &", F, "anchor" }, { "a: *", F, "anchor" }, { "a: *x ", F, "after a YAML scalar" }, { "%YAML ", F, "directive" },
        { "k: abc\n  ", F, "continue" }, { "- abc\n  ", F, "continue" }, { "k: abc\n  def\n\n ", F, "continue" },
        { "k: a b \n  ", F, "continue" }, { "a:\n  b: plain\n  ", CTX_YAML_VALUE, NULL }, { "k: abc\n", CTX_YAML_VALUE, NULL },
        { "k:\n  ", CTX_YAML_VALUE, NULL }, { "k: abc\nj: x\n  ", F, "continue" }, { "k: abc\nj: \"x\"\n  ", CTX_YAML_VALUE, NULL },
        { "a: [x, \"", CTX_YAML_STR_DQ, NULL }, { "a: [x]\nb: ", CTX_YAML_VALUE, NULL }, { "\"k\": ", CTX_YAML_VALUE, NULL },
    };
    CHECK(LANG_YAML, cs);
}

static void test_json(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "", CTX_JSON_VALUE, NULL }, { "{\"a\": ", CTX_JSON_VALUE, NULL }, { "[1, ", CTX_JSON_VALUE, NULL },
        { "{\"", CTX_JSON_STR, NULL }, { "[\"a\\\"", CTX_JSON_STR, NULL }, { "[\"a\\\\\", \"", CTX_JSON_STR, NULL },
        { "[\"\\", F, "backslash" }, { "[1", F, "number" }, { "[tru", F, "literal" }, { "[-", F, "number" },
    };
    CHECK(LANG_JSON, cs);
}

static void test_toml(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "k = ", CTX_TOML_VALUE, NULL }, { "k = \"", CTX_TOML_STR, NULL }, { "k = \"\"\"", CTX_TOML_STR, NULL },
        { "k = \"\"\"a\"\"", CTX_TOML_STR, NULL }, { "k = \"\"\"a\"\"\"", F, "after a TOML string" }, { "k = [", CTX_TOML_VALUE, NULL },
        { "k = [1, ", CTX_TOML_VALUE, NULL }, { "k = [\n  1,\n  ", CTX_TOML_VALUE, NULL }, { "k = [ # c\n ", CTX_TOML_VALUE, NULL },
        { "k = { a = ", CTX_TOML_VALUE, NULL }, { "k = { a = 1, b = ", CTX_TOML_VALUE, NULL }, { "[t]\nk = ", CTX_TOML_VALUE, NULL },
        { "\"a.b\" = ", CTX_TOML_VALUE, NULL }, { "'a' . \"b\" = ", CTX_TOML_VALUE, NULL }, { "", F, "key" }, { "k", F, "key" },
        { "a.", F, "key" }, { "\"", F, "key" }, { "k = { ", F, "key" }, { "k = { a = 1, ", F, "key" }, { "[", F, "table header" },
        { "[a.\"", F, "table header" }, { "[[a", F, "table header" }, { "k = '", F, "literal string" }, { "k = '''\n", F, "literal string" },
        { "# c", F, "comment" }, { "k = 1 # c", F, "comment" }, { "k = 1", F, "bare" }, { "k = true", F, "bare" },
        { "k = \"a\"", F, "after a TOML value" }, { "k = \"\"", F, "after a TOML value" }, { "k = \"\\", F, "backslash" },
        { "k = \"\"\"\\\n  ", F, "line-ending backslash" }, { "k = \"\"\"a\\\n  b", CTX_TOML_STR, NULL },
        { "k = 'x'\nj = \"", CTX_TOML_STR, NULL }, { "k = '''it's'''\nj = ", CTX_TOML_VALUE, NULL },
        { "k = \"\"\"a\"\"\"\"\"\nj = ", CTX_TOML_VALUE, NULL },
    };
    CHECK(LANG_TOML, cs);
}

static void test_rust(void **state)
{
    (void)state;
    static const lx_case cs[] = {
        { "let x = ", CTX_RUST_VALUE, NULL }, { "let s = \"", CTX_RUST_STR, NULL }, { "let s = \"a\\\"", CTX_RUST_STR, NULL },
        { "let s = \"\\", F, "backslash" }, { "// c", F, "comment" }, { "/// doc", F, "comment" }, { "/* c", F, "comment" },
        { "/* /* */ ", F, "comment" }, { "/* /* */ */ let x = ", CTX_RUST_VALUE, NULL }, { "let s = r\"", F, "raw string" },
        { "let s = r#\"", F, "raw string" }, { "let s = r#\"a\"", F, "raw string" }, { "let s = r#\"a\"# + \"", CTX_RUST_STR, NULL },
        { "let s = r##\"a\"#\"", F, "raw string" }, { "let s = br\"", F, "raw string" }, { "let s = b\"", F, "byte string" },
        { "let s = c\"", F, "C string" }, { "let r#type = ", CTX_RUST_VALUE, NULL }, { "let c = '", F, "char literal" },
        { "let c = 'a", F, "char literal" }, { "let c = '\\", F, "char literal" }, { "let c = '\\''; let s = \"", CTX_RUST_STR, NULL },
        { "let c = '\"'; let s = \"", CTX_RUST_STR, NULL }, { "let c = '\xC3\xA9'; let s = \"", CTX_RUST_STR, NULL },
        { "fn f<'a>(x: &'a str) -> &'a str { \"", CTX_RUST_STR, NULL }, { "'outer: loop { let s = \"", CTX_RUST_STR, NULL },
        { "println!(\"", F, "format string" }, { "print!(\"", F, "format string" }, { "eprintln!(\"", F, "format string" },
        { "format!(\"", F, "format string" }, { "panic!(\"", F, "format string" }, { "format_args!(\"", F, "format string" },
        { "write!(f, \"", F, "format string" }, { "writeln!(f, \"", F, "format string" }, { "assert!(x, \"", F, "format string" },
        { "assert_eq!(a, b, \"", F, "format string" }, { "std::println!(\"", F, "format string" }, { "println! (\"", F, "format string" },
        { "println![\"", F, "format string" }, { "println!(", F, "format string goes" }, { "println!", F, "macro name" },
        { "println!(\"{}\", \"", CTX_RUST_STR, NULL }, { "println!(\"{}\", ", CTX_RUST_VALUE, NULL }, { "write!(f, \"{}\", \"", CTX_RUST_STR, NULL },
        { "write!(", CTX_RUST_VALUE, NULL }, { "assert!(", CTX_RUST_VALUE, NULL }, { "assert_eq!(a, ", CTX_RUST_VALUE, NULL },
        { "println!(\"{}\", f(\"a\", \"", CTX_RUST_STR, NULL }, { "println!(\"{}\", 1); let s = \"", CTX_RUST_STR, NULL },
        { "vec!(\"", CTX_RUST_STR, NULL }, { "let a", F, "identifier" }, { "let x = a != ", CTX_RUST_VALUE, NULL },
    };
    CHECK(LANG_RUST, cs);
}

static void test_after_value(void **state)
{
    (void)state;
    lexer lx;
    const char *why;
    lexer_init(&lx, LANG_JS);                    /* after a value, '/' is division */
    lexer_feed(&lx, "x = ", 4);
    assert_int_equal(lexer_context(&lx, &why), CTX_JS_VALUE);
    lexer_after_value(&lx);
    lexer_feed(&lx, " / ", 3);
    assert_int_equal(lexer_context(&lx, &why), CTX_JS_VALUE);
    lexer_init(&lx, LANG_PYTHON);                /* "{{x}}" + '"': the string is single-quoted, not triple */
    lexer_feed(&lx, "x = \"", 5);
    lexer_after_value(&lx);
    lexer_feed(&lx, "\" + \"", 5);
    assert_int_equal(lexer_context(&lx, &why), CTX_PY_STR_DQ);
    lexer_feed(&lx, "\"", 1);
    assert_null(lexer_finish(&lx));
    lexer_init(&lx, LANG_YAML);                  /* after a value at a key position comes ':' */
    lexer_after_value(&lx);
    lexer_feed(&lx, ": ", 2);
    assert_int_equal(lexer_context(&lx, &why), CTX_YAML_VALUE);
    lexer_init(&lx, LANG_TOML);
    lexer_feed(&lx, "k = [", 5);
    lexer_after_value(&lx);
    lexer_feed(&lx, ", ", 2);
    assert_int_equal(lexer_context(&lx, &why), CTX_TOML_VALUE);
    lexer_after_value(&lx);
    lexer_feed(&lx, "]\n", 2);
    assert_int_equal(lexer_context(&lx, &why), CTX_FORBIDDEN);   /* a key position again */
    assert_null(lexer_finish(&lx));
}

static void test_same(void **state)
{
    (void)state;
    lexer a, b;
    lexer_init(&a, LANG_JS);
    lexer_feed(&a, "var a = [\n", 10);
    b = a;
    lexer_feed(&b, "  1,\n", 5);
    assert_true(lexer_same(&a, &b));            /* a loop body in an array literal */
    lexer_feed(&b, "'", 1);
    assert_false(lexer_same(&a, &b));
    lexer_init(&a, LANG_JS);
    lexer_init(&b, LANG_JS);
    lexer_feed(&a, "x = y", 5);                 /* division may follow */
    lexer_feed(&b, "x = (", 5);                 /* a regex may follow */
    lexer_feed(&a, " ", 1);
    assert_false(lexer_same(&a, &b));
    lexer_init(&a, LANG_YAML);
    lexer_feed(&a, "items:\n", 7);
    b = a;
    lexer_feed(&b, "  - \"x\"\n", 8);
    assert_true(lexer_same(&a, &b));
    lexer_init(&b, LANG_PYTHON);
    assert_false(lexer_same(&a, &b));
    lexer_init(&a, LANG_YAML);                  /* a body ending in a plain scalar is still a loop body */
    lexer_feed(&a, "k:\n", 3);
    b = a;
    lexer_feed(&b, "  x: plain\n", 11);
    assert_true(lexer_same(&a, &b));
    assert_true(lexer_same(&b, &a));
}

static void test_finish(void **state)
{
    (void)state;
    static const struct { tmpl_lang lang; const char *text; int ok; } cs[] = {
        { LANG_JS, "x = 1; // end", 1 }, { LANG_JS, "x = \"a", 0 }, { LANG_JS, "x = `a", 0 }, { LANG_JS, "/* a", 0 },
        { LANG_JS, "x = `${", 0 }, { LANG_JS, "x = /re", 0 }, { LANG_PYTHON, "x = '''a''", 0 }, { LANG_PYTHON, "x = ''", 1 },
        { LANG_LUA, "x = [[a]", 0 }, { LANG_LUA, "--[[ a", 0 }, { LANG_LUA, "x = 'a'", 1 }, { LANG_XML, "<a b=\"", 0 },
        { LANG_XML, "<a>text</a>", 1 }, { LANG_XML, "<!-- a", 0 }, { LANG_XML, "<![CDATA[", 0 }, { LANG_YAML, "a: \"b", 0 },
        { LANG_YAML, "a: 'b'", 1 }, { LANG_YAML, "a: [1", 0 }, { LANG_JSON, "[\"a", 0 }, { LANG_JSON, "[1]", 1 },
        { LANG_TOML, "k = \"\"\"a\"\"\"", 1 }, { LANG_TOML, "k = \"\"\"a\"\"", 0 }, { LANG_TOML, "k = '''a", 0 },
        { LANG_TOML, "k = [1", 0 }, { LANG_RUST, "let s = \"a", 0 }, { LANG_RUST, "let s = r#\"a\"", 0 },
        { LANG_RUST, "/* /* */", 0 }, { LANG_RUST, "let s = r#\"a\"#;", 1 },
    };
    for (size_t i = 0; i < sizeof cs / sizeof cs[0]; i++) {
        lexer lx;
        lexer_init(&lx, cs[i].lang);
        lexer_feed(&lx, cs[i].text, strlen(cs[i].text));
        const char *why = lexer_finish(&lx);
        if ((why == NULL) != cs[i].ok) fail_msg("%s \"%s\": finish gave %s", lang_name(cs[i].lang), cs[i].text, why ? why : "ok");
    }
}

static void test_names_and_limits(void **state)
{
    (void)state;
    for (int c = 0; c < CTX_COUNT; c++) assert_true(strlen(esc_ctx_name((esc_ctx)c)) > 0);
    assert_string_equal(esc_ctx_name(CTX_COUNT), "?");
    lexer lx;
    const char *why;
    lexer_init(&lx, LANG_JS);                    /* template-literal nesting deeper than the stack */
    for (int i = 0; i < 40; i++) lexer_feed(&lx, "`${", 3);
    assert_int_equal(lexer_context(&lx, &why), CTX_FORBIDDEN);
    assert_non_null(lexer_finish(&lx));
    lexer_init(&lx, LANG_JS);                    /* parentheses deeper than the stack */
    for (int i = 0; i < 40; i++) lexer_feed(&lx, "(", 1);
    assert_int_equal(lexer_context(&lx, &why), CTX_FORBIDDEN);
    assert_non_null(strstr(why, "too deep"));
    assert_non_null(lexer_finish(&lx));
    lexer_init(&lx, LANG_TEXT);
    assert_int_equal(lexer_context(&lx, &why), CTX_FORBIDDEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_js), cmocka_unit_test(test_python), cmocka_unit_test(test_lua),
        cmocka_unit_test(test_xml), cmocka_unit_test(test_yaml), cmocka_unit_test(test_json),
        cmocka_unit_test(test_toml), cmocka_unit_test(test_rust), cmocka_unit_test(test_after_value),
        cmocka_unit_test(test_same), cmocka_unit_test(test_finish), cmocka_unit_test(test_names_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
