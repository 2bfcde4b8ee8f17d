/* gen_escape.c -- libFuzzer target: random template text through every lexer, random bytes through every escaper.
 * Besides crashes it checks cheap invariants: no raw closing quote, no raw line break, nothing XML would parse. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "escape.h"
#include "lexer.h"

/* A quote byte q in s that is not escaped by an odd run of backslashes ends the literal. */
static int raw_quote(const char *s, size_t n, char q)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != q) continue;
        size_t k = 0;
        while (k < i && s[i - 1 - k] == '\\') k++;
        if (k % 2 == 0) return 1;
    }
    return 0;
}

static int has_any(const char *s, size_t n, const char *set)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(set, s[i]) && s[i]) return 1;
    return 0;
}

static int non_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return 1;
    return 0;
}

/* CDATA output without the section breaks the escaper makes must hold no ']' or '>'. */
static int cdata_bad(const char *s, size_t n)
{
    static const char *const breaks[] = { "]]>]<![CDATA[", "]]>&gt;<![CDATA[", "]]>&#13;<![CDATA[" };
    for (size_t i = 0; i < n;) {
        size_t skip = 0;
        for (int b = 0; b < 3; b++) {
            size_t l = strlen(breaks[b]);
            if (n - i >= l && memcmp(s + i, breaks[b], l) == 0) skip = l;
        }
        if (skip) { i += skip; continue; }
        if (s[i] == ']' || s[i] == '>') return 1;
        i++;
    }
    return 0;
}

static void check_string_ctx(esc_ctx ctx, const char *s, size_t n)
{
    int ascii_only = ctx != CTX_JSON_STR && ctx != CTX_XML_TEXT && ctx != CTX_XML_ATTR_DQ && ctx != CTX_XML_ATTR_SQ
                  && ctx != CTX_XML_CDATA && ctx != CTX_YAML_STR_SQ;
    switch (ctx) {
    case CTX_JS_STR_DQ: case CTX_PY_STR_DQ: case CTX_LUA_STR_DQ: case CTX_YAML_STR_DQ: case CTX_JSON_STR:
    case CTX_TOML_STR: case CTX_RUST_STR:
        if (raw_quote(s, n, '"')) abort();
        break;
    case CTX_JS_STR_SQ: case CTX_PY_STR_SQ: case CTX_LUA_STR_SQ:
        if (raw_quote(s, n, '\'')) abort();
        break;
    case CTX_YAML_STR_SQ:
        for (size_t i = 0; i < n; i++)
            if (s[i] == '\'') { if (i + 1 >= n || s[i + 1] != '\'') abort(); i++; }
        break;
    case CTX_XML_TEXT: if (has_any(s, n, "<\r")) abort(); break;
    case CTX_XML_ATTR_DQ: case CTX_XML_ATTR_SQ: if (has_any(s, n, "<\"'\n\r\t")) abort(); break;
    case CTX_XML_CDATA: if (cdata_bad(s, n)) abort(); break;
    default: break;
    }
    if (ctx != CTX_XML_TEXT && ctx != CTX_XML_CDATA && has_any(s, n, "\n\r")) abort();
    if (ascii_only && non_ascii(s, n)) abort();
    if (ctx == CTX_JS_STR_DQ && has_any(s, n, "<>`$")) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    tmpl_lang lang = (tmpl_lang)(LANG_JS + data[0] % (LANG_RUST - LANG_JS + 1));
    size_t chunk = 1 + data[1] % 16;
    const char *text = (const char *)data + 2;
    size_t n = size - 2;

    lexer lx, start;                                     /* the text in pieces, a tag between each */
    lexer_init(&lx, lang);
    start = lx;
    for (size_t i = 0; i < n; i += chunk) {
        size_t len = n - i < chunk ? n - i : chunk;
        lexer_feed(&lx, text + i, len);
        const char *why = NULL;
        esc_ctx ctx = lexer_context(&lx, &why);
        if (ctx == CTX_FORBIDDEN && !why) abort();
        if ((unsigned)ctx >= CTX_COUNT) abort();
        if (ctx != CTX_FORBIDDEN && (data[1] & 0x80)) lexer_after_value(&lx);
        if (!lexer_same(&lx, &lx)) abort();
    }
    (void)lexer_finish(&lx);
    (void)lexer_same(&lx, &start);

    for (int c = 1; c < CTX_COUNT; c++) {                /* the same bytes through every escaper */
        buf out = BUF_INIT;
        const char *why = NULL;
        if (esc_string((esc_ctx)c, text, n, &out, &why) == 0) {
            const char *name = esc_ctx_name((esc_ctx)c);
            if (strstr(name, "value")) {                 /* a value context: one quoted literal */
                if (out.len < 2 || out.data[0] != '"' || out.data[out.len - 1] != '"') abort();
                check_string_ctx((esc_ctx)(c + 1), out.data + 1, out.len - 2);
            } else check_string_ctx((esc_ctx)c, out.data ? out.data : "", out.len);
        } else if (!why) abort();
        buf_free(&out);
    }

    cJSON *v = cJSON_ParseWithLength(text, n);          /* and as a JSON value into every context */
    if (v) {
        for (int c = 1; c < CTX_COUNT; c++) {
            buf out = BUF_INIT;
            const char *why = NULL;
            if (esc_value((esc_ctx)c, v, &out, &why) < 0 && !why) abort();
            buf_free(&out);
        }
        cJSON_Delete(v);
    }
    return 0;
}
