/* escape.c -- a JSON value rendered safely into one lexical context of generated code.
 * Strings are decoded as strict UTF-8 and written one code point at a time by the context's writer;
 * runs of ASCII that a context writes unchanged are copied whole, other ASCII comes from a table. */
#include "escape.h"
#include "value.h"
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#define ESC_MAX_DEPTH 32

static const char E_MEM[] = "output too large or out of memory";

typedef int (*cp_writer)(buf *out, uint32_t cp, const char **why);

static int put(buf *out, const char *s, const char **why)
{
    if (buf_puts(out, s) == 0) return 0;
    *why = E_MEM;
    return -1;
}

static int putf(buf *out, const char **why, const char *fmt, uint32_t a)
{
    if (buf_printf(out, fmt, (unsigned)a) >= 0) return 0;
    *why = E_MEM;
    return -1;
}

static int put_utf8(buf *out, uint32_t cp, const char **why)
{
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) { b[0] = (unsigned char)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (unsigned char)(0xC0 | cp >> 6); b[1] = (unsigned char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | cp >> 12); b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | cp >> 18); b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (unsigned char)(0x80 | (cp & 0x3F)); n = 4;
    }
    if (buf_append(out, b, n) == 0) return 0;
    *why = E_MEM;
    return -1;
}

/* Strict UTF-8: no overlongs, no encoded surrogates, nothing past U+10FFFF, no truncated sequences. */
static int utf8_next(const unsigned char *s, size_t n, size_t *i, uint32_t *cp, const char **why)
{
    unsigned c = s[*i];
    size_t len;
    uint32_t min;
    if (c < 0x80) { *cp = c; (*i)++; return 0; }
    if (c >= 0xC2 && c <= 0xDF) { len = 2; *cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; *cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; *cp = c & 0x07; min = 0x10000; }
    else { *why = c == 0xC0 || c == 0xC1 ? "invalid UTF-8 (overlong encoding)" : "invalid UTF-8"; return -1; }
    if (n - *i < len) { *why = "invalid UTF-8 (truncated sequence)"; return -1; }
    for (size_t k = 1; k < len; k++) {
        unsigned t = s[*i + k];
        if ((t & 0xC0) != 0x80) { *why = "invalid UTF-8"; return -1; }
        *cp = (*cp << 6) | (t & 0x3F);
    }
    if (*cp < min) { *why = "invalid UTF-8 (overlong encoding)"; return -1; }
    if (*cp >= 0xD800 && *cp <= 0xDFFF) { *why = "lone surrogate (a UTF-16 surrogate encoded in UTF-8)"; return -1; }
    if (*cp > 0x10FFFF) { *why = "invalid UTF-8 (beyond U+10FFFF)"; return -1; }
    *i += len;
    return 0;
}

/* ---------------------------------------------------------------- one writer per string syntax */

/* The backslash escapes that most string syntaxes share; NULL when cp is not one of them. */
static const char *c_escape(uint32_t cp, int with_bf)
{
    switch (cp) {
    case '\\': return "\\\\";
    case '"': return "\\\"";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\b': return with_bf ? "\\b" : NULL;
    case '\f': return with_bf ? "\\f" : NULL;
    default: return NULL;
    }
}

static int js_cp(buf *out, uint32_t cp, const char **why)
{
    if (cp == '\\') return put(out, "\\\\", why);
    if (cp == '"') return put(out, "\\\"", why);
    if (cp == '\'') return put(out, "\\'", why);
    if (cp < 0x20 || cp == 0x7F || cp == '`' || cp == '$' || cp == '<' || cp == '>' || cp == '&')
        return putf(out, why, "\\x%02X", cp);                    /* never \0: "\0" "1" reads as octal */
    if (cp < 0x80) return put_utf8(out, cp, why);
    if (cp < 0x10000) return putf(out, why, "\\u%04X", cp);     /* includes U+2028, U+2029 */
    cp -= 0x10000;
    if (putf(out, why, "\\u%04X", 0xD800 + (cp >> 10)) < 0) return -1;
    return putf(out, why, "\\u%04X", 0xDC00 + (cp & 0x3FF));
}

static int py_cp(buf *out, uint32_t cp, const char **why)
{
    const char *e = cp == '\'' ? "\\'" : c_escape(cp, 0);
    if (e) return put(out, e, why);
    if (cp < 0x20 || cp == 0x7F) return putf(out, why, "\\x%02x", cp);
    if (cp < 0x80) return put_utf8(out, cp, why);
    return putf(out, why, cp < 0x10000 ? "\\u%04x" : "\\U%08x", cp);
}

static int lua_cp(buf *out, uint32_t cp, const char **why)
{
    const char *e = cp == '\'' ? "\\'" : c_escape(cp, 0);
    if (e) return put(out, e, why);
    if (cp >= 0x20 && cp < 0x7F) return put_utf8(out, cp, why);
    buf tmp = BUF_INIT;                                        /* bytes of the UTF-8 form, each as \ddd */
    int rc = put_utf8(&tmp, cp, why);
    for (size_t i = 0; rc == 0 && i < tmp.len; i++)
        rc = putf(out, why, "\\%03u", (unsigned char)tmp.data[i]);   /* always 3 digits: Lua 5.1 has no \x */
    buf_free(&tmp);
    return rc;
}

static int xml_char_ok(uint32_t cp, const char **why)
{
    if (cp == 0) { *why = "NUL byte in XML"; return 0; }
    if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') { *why = "control character that XML 1.0 cannot hold"; return 0; }
    if (cp == 0xFFFE || cp == 0xFFFF) { *why = "noncharacter U+FFFE/U+FFFF that XML cannot hold"; return 0; }
    return 1;
}

static int xml_text_cp(buf *out, uint32_t cp, const char **why)
{
    if (!xml_char_ok(cp, why)) return -1;
    switch (cp) {
    case '&': return put(out, "&amp;", why);
    case '<': return put(out, "&lt;", why);
    case '>': return put(out, "&gt;", why);
    case '\r': return put(out, "&#13;", why);                  /* a raw CR is normalised to LF */
    default: return put_utf8(out, cp, why);
    }
}

static int xml_attr_cp(buf *out, uint32_t cp, const char **why)
{
    switch (cp) {
    case '"': return put(out, "&quot;", why);
    case '\'': return put(out, "&apos;", why);
    case '\t': return put(out, "&#9;", why);                    /* raw ones are normalised to spaces */
    case '\n': return put(out, "&#10;", why);
    default: return xml_text_cp(out, cp, why);
    }
}

static int xml_cdata_cp(buf *out, uint32_t cp, const char **why)
{
    if (!xml_char_ok(cp, why)) return -1;
    /* ']' and '>' leave the section, so no "]]>" can form with the template's text around the value */
    if (cp == ']') return put(out, "]]>]<![CDATA[", why);
    if (cp == '>') return put(out, "]]>&gt;<![CDATA[", why);
    if (cp == '\r') return put(out, "]]>&#13;<![CDATA[", why);
    return put_utf8(out, cp, why);
}

static int yaml_dq_cp(buf *out, uint32_t cp, const char **why)
{
    static const char *const c0[0x20] = { "\\0", 0, 0, 0, 0, 0, 0, "\\a", "\\b", "\\t", "\\n", "\\v", "\\f",
        "\\r", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "\\e", 0, 0, 0, 0 };
    if (cp == '\\') return put(out, "\\\\", why);
    if (cp == '"') return put(out, "\\\"", why);
    if (cp < 0x20 && c0[cp]) return put(out, c0[cp], why);
    if (cp == 0x85) return put(out, "\\N", why);
    if (cp == 0x2028) return put(out, "\\L", why);
    if (cp == 0x2029) return put(out, "\\P", why);
    if (cp >= 0x20 && cp < 0x7F) return put_utf8(out, cp, why);
    if (cp < 0x100) return putf(out, why, "\\x%02X", cp);
    return putf(out, why, cp < 0x10000 ? "\\u%04X" : "\\U%08X", cp);   /* never surrogate pairs */
}

static int yaml_sq_cp(buf *out, uint32_t cp, const char **why)
{
    if (cp == '\'') return put(out, "''", why);
    if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF
        || cp == 0xFFFE || cp == 0xFFFF) {
        *why = "line break or control character in a YAML single-quoted scalar (use a double-quoted one)";
        return -1;
    }
    return put_utf8(out, cp, why);
}

static int json_cp(buf *out, uint32_t cp, const char **why)
{
    const char *e = c_escape(cp, 1);
    if (e) return put(out, e, why);
    if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029)
        return putf(out, why, "\\u%04x", cp);
    return put_utf8(out, cp, why);
}

static int toml_cp(buf *out, uint32_t cp, const char **why)
{
    const char *e = c_escape(cp, 1);
    if (e) return put(out, e, why);
    if (cp >= 0x20 && cp < 0x7F) return put_utf8(out, cp, why);
    return putf(out, why, cp < 0x10000 ? "\\u%04X" : "\\U%08X", cp);   /* no \/, \e, \x, surrogates */
}

static int rust_cp(buf *out, uint32_t cp, const char **why)
{
    const char *e = cp == 0 ? "\\0" : c_escape(cp, 0);
    if (e) return put(out, e, why);
    if (cp >= 0x20 && cp < 0x7F) return put_utf8(out, cp, why);
    return putf(out, why, "\\u{%X}", cp);                       /* also bidi controls and BOM */
}

/* ---------------------------------------------------------------- contexts */

enum { L_JS, L_PY, L_LUA, L_XML, L_YAML, L_JSON, L_TOML, L_RUST };

typedef struct ctx_info {
    cp_writer write;
    char quote;       /* emitted around a string in a value context, 0 in string contexts */
    char family;      /* L_* */
} ctx_info;

static const ctx_info infos[CTX_COUNT] = {
    [CTX_JS_VALUE] = { js_cp, '"', L_JS },       [CTX_JS_STR_DQ] = { js_cp, 0, L_JS },
    [CTX_JS_STR_SQ] = { js_cp, 0, L_JS },        [CTX_PY_VALUE] = { py_cp, '"', L_PY },
    [CTX_PY_STR_DQ] = { py_cp, 0, L_PY },        [CTX_PY_STR_SQ] = { py_cp, 0, L_PY },
    [CTX_LUA_VALUE] = { lua_cp, '"', L_LUA },    [CTX_LUA_STR_DQ] = { lua_cp, 0, L_LUA },
    [CTX_LUA_STR_SQ] = { lua_cp, 0, L_LUA },     [CTX_XML_TEXT] = { xml_text_cp, 0, L_XML },
    [CTX_XML_ATTR_DQ] = { xml_attr_cp, 0, L_XML }, [CTX_XML_ATTR_SQ] = { xml_attr_cp, 0, L_XML },
    [CTX_XML_CDATA] = { xml_cdata_cp, 0, L_XML }, [CTX_YAML_VALUE] = { yaml_dq_cp, '"', L_YAML },
    [CTX_YAML_STR_DQ] = { yaml_dq_cp, 0, L_YAML }, [CTX_YAML_STR_SQ] = { yaml_sq_cp, 0, L_YAML },
    [CTX_JSON_VALUE] = { json_cp, '"', L_JSON }, [CTX_JSON_STR] = { json_cp, 0, L_JSON },
    [CTX_TOML_VALUE] = { toml_cp, '"', L_TOML }, [CTX_TOML_STR] = { toml_cp, 0, L_TOML },
    [CTX_RUST_VALUE] = { rust_cp, '"', L_RUST }, [CTX_RUST_STR] = { rust_cp, 0, L_RUST },
};

static const ctx_info *info_of(esc_ctx ctx, const char **why)
{
    if ((unsigned)ctx >= CTX_COUNT || !infos[ctx].write) { *why = "no escaper can make a value safe in this context"; return NULL; }
    return &infos[ctx];
}

/* What each context's writer makes of each ASCII byte, worked out once by running the writer
 * (they keep no state between code points, so a byte's output never depends on its neighbours):
 * same[ctx][c] when it is c itself (with same[ctx][c] = 0 for c >= 0x80, and for NUL, which every
 * context escapes or refuses), else rep[ctx][c] holds the replacement, or why it is refused.
 * A string is then written as runs of bytes copied whole and table look-ups between them. */
typedef struct ascii_rep { unsigned char len; char s[23]; const char *why; } ascii_rep;
static unsigned char same[CTX_COUNT][256];
static ascii_rep rep[CTX_COUNT][128];
static pthread_once_t same_once = PTHREAD_ONCE_INIT;

static void same_init(void)
{
    buf tmp = BUF_INIT;
    for (int ctx = 0; ctx < CTX_COUNT; ctx++) {
        if (!infos[ctx].write) continue;
        for (unsigned c = 0; c < 128; c++) {
            const char *why = NULL;
            buf_reset(&tmp);
            ascii_rep *r = &rep[ctx][c];
            if (infos[ctx].write(&tmp, c, &why) < 0) { r->why = why ? why : "refused"; continue; }
            if (tmp.len >= sizeof r->s) abort();                  /* no writer makes more of one byte */
            memcpy(r->s, tmp.data, tmp.len);
            r->len = (unsigned char)tmp.len;
            same[ctx][c] = c != 0 && tmp.len == 1 && (unsigned char)tmp.data[0] == c;
        }
    }
    buf_free(&tmp);
}

const unsigned char *esc_plain_bytes(esc_ctx ctx, char *quote)
{
    const char *why;
    const ctx_info *in = info_of(ctx, &why);
    if (!in) return NULL;
    pthread_once(&same_once, same_init);
    *quote = in->quote;
    return same[ctx];
}

/* Writes the n bytes at s for ctx (no quotes); with cstr, s is NUL-terminated and n is ignored. */
static int esc_body(esc_ctx ctx, const ctx_info *in, const char *s, size_t n, int cstr, buf *out, const char **why)
{
    const unsigned char *ok = same[ctx], *u = (const unsigned char *)s;
    const ascii_rep *rp = rep[ctx];
    size_t i = 0;
    for (;;) {
        size_t run = i;
        if (cstr) {                                               /* ok[NUL] is 0: the NUL stops it */
            while (ok[u[run]] && ok[u[run + 1]] && ok[u[run + 2]] && ok[u[run + 3]]) run += 4;
            while (ok[u[run]]) run++;
        } else {
            while (run < n && ok[u[run]]) run++;
        }
        if (run > i && buf_add_short(out, s + i, run - i) < 0) { *why = E_MEM; return -1; }
        i = run;
        if (cstr ? u[i] == 0 : i >= n) return 0;
        if (u[i] < 0x80) {
            const ascii_rep *r = &rp[u[i]];
            if (r->why) { *why = r->why; return -1; }
            if (buf_add_short(out, r->s, r->len) < 0) { *why = E_MEM; return -1; }
            i++;
            continue;
        }
        if (cstr) { n = i + strlen(s + i); cstr = 0; }            /* utf8_next needs the length */
        uint32_t cp;
        if (utf8_next(u, n, &i, &cp, why) < 0) return -1;
        if (in->write(out, cp, why) < 0) return -1;
    }
}

static inline int esc_quote(const ctx_info *in, buf *out, const char **why)
{
    if (!in->quote || buf_add_short(out, &in->quote, 1) == 0) return 0;
    *why = E_MEM;
    return -1;
}

int esc_string(esc_ctx ctx, const char *s, size_t n, buf *out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    const ctx_info *in = info_of(ctx, why);
    if (!in) return -1;
    pthread_once(&same_once, same_init);
    int rc = esc_quote(in, out, why) < 0 || esc_body(ctx, in, s, n, 0, out, why) < 0 ? -1 : esc_quote(in, out, why);
    buf_terminate(out);                                          /* the appends above leave it out */
    return rc;
}

static inline int esc_cstring(esc_ctx ctx, const ctx_info *in, const char *s, buf *out, const char **why)
{
    pthread_once(&same_once, same_init);
    if (esc_quote(in, out, why) < 0 || esc_body(ctx, in, s, 0, 1, out, why) < 0) return -1;
    return esc_quote(in, out, why);
}

/* The words for true, false and null, or NULL where the language has none. */
static const char *word_of(int family, int kind)
{
    static const char *const words[][3] = {
        [L_JS] = { "true", "false", "null" },   [L_PY] = { "True", "False", "None" },
        [L_LUA] = { "true", "false", "nil" },   [L_YAML] = { "true", "false", "null" },
        [L_JSON] = { "true", "false", "null" }, [L_TOML] = { "true", "false", NULL },
        [L_RUST] = { "true", "false", NULL },
    };
    return words[family][kind];
}

static int number_literal(int family, double d, buf *out, const char **why)
{
    char tmp[40];
    int n = value_number_str(d, tmp);
    if (n < 0) { *why = "non-finite number"; return -1; }
    int rc;
    char *e = strchr(tmp, 'e');
    if (family == L_YAML && e && !strchr(tmp, '.')) {          /* YAML 1.1 floats need a '.' */
        rc = buf_append(out, tmp, (size_t)(e - tmp)) || buf_puts(out, ".0") || buf_puts(out, e);
        if (rc) *why = E_MEM;
    } else if ((rc = buf_add_short(out, tmp, (size_t)n)) != 0) *why = E_MEM;
    return rc ? -1 : 0;
}

static int emit(esc_ctx ctx, const ctx_info *in, const cJSON *v, buf *out, const char **why, int depth);

static int emit_key(esc_ctx ctx, const ctx_info *in, const char *key, buf *out, const char **why)
{
    switch (in->family) {
    case L_LUA:
        return put(out, "[", why) || esc_string(ctx, key, strlen(key), out, why) || put(out, "] = ", why) ? -1 : 0;
    case L_TOML:
        return esc_string(ctx, key, strlen(key), out, why) || put(out, " = ", why) ? -1 : 0;
    case L_JS:
        if (strcmp(key, "__proto__") == 0)                      /* a computed key defines an own property */
            return put(out, "[\"__proto__\"]: ", why);
        /* fall through */
    default:
        return esc_string(ctx, key, strlen(key), out, why) || put(out, ": ", why) ? -1 : 0;
    }
}

static int emit_container(esc_ctx ctx, const ctx_info *in, const cJSON *v, buf *out, const char **why, int depth)
{
    int obj = cJSON_IsObject(v);
    if (obj && in->family == L_RUST) { *why = "object in a Rust value (Rust has no object literal)"; return -1; }
    if (depth >= ESC_MAX_DEPTH) { *why = "value nested too deeply"; return -1; }
    const char *open = in->family == L_LUA ? "{" : obj ? "{" : "[";
    const char *close = in->family == L_LUA ? "}" : obj ? "}" : "]";
    if (put(out, open, why) < 0) return -1;
    if (obj && in->family == L_TOML && v->child && put(out, " ", why) < 0) return -1;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (in->family == L_LUA && cJSON_IsNull(c)) { *why = "null inside a Lua table (nil cannot be stored)"; return -1; }
        if (obj && emit_key(ctx, in, c->string ? c->string : "", out, why) < 0) return -1;
        if (emit(ctx, in, c, out, why, depth + 1) < 0) return -1;
        if (c->next && put(out, ", ", why) < 0) return -1;
    }
    if (obj && in->family == L_TOML && v->child && put(out, " ", why) < 0) return -1;
    return put(out, close, why);
}

static int emit(esc_ctx ctx, const ctx_info *in, const cJSON *v, buf *out, const char **why, int depth)
{
    if (cJSON_IsString(v)) return esc_cstring(ctx, in, v->valuestring ? v->valuestring : "", out, why);
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble)) { *why = "non-finite number"; return -1; }
    if (!in->quote) {                                           /* a string context: plain text only */
        if (cJSON_IsNull(v)) { *why = "null in a string context"; return -1; }
        if (cJSON_IsArray(v)) { *why = "array in a string context"; return -1; }
        if (!cJSON_IsNumber(v) && !cJSON_IsBool(v)) { *why = "object in a string context"; return -1; }
        char tmp[40];
        if (cJSON_IsBool(v)) return esc_cstring(ctx, in, cJSON_IsTrue(v) ? "true" : "false", out, why);
        if (value_number_str(v->valuedouble, tmp) < 0) { *why = "non-finite number"; return -1; }
        return esc_cstring(ctx, in, tmp, out, why);
    }
    if (cJSON_IsNumber(v)) return number_literal(in->family, v->valuedouble, out, why);
    if (cJSON_IsBool(v)) return put(out, word_of(in->family, cJSON_IsTrue(v) ? 0 : 1), why);
    if (cJSON_IsNull(v)) {
        const char *w = word_of(in->family, 2);
        if (!w) { *why = in->family == L_TOML ? "null in a TOML value (TOML has no null)" : "null in a Rust value"; return -1; }
        return put(out, w, why);
    }
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) return emit_container(ctx, in, v, out, why, depth);
    *why = "unsupported value type";
    return -1;
}

int esc_value(esc_ctx ctx, const cJSON *v, buf *out, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    const ctx_info *in = info_of(ctx, why);
    if (!in) return -1;
    if (!v) { *why = "missing value"; return -1; }
    int rc = (v->type & 0xFF) == cJSON_String && v->valuestring  /* the common case, without detours */
           ? esc_cstring(ctx, in, v->valuestring, out, why) : emit(ctx, in, v, out, why, 0);
    buf_terminate(out);                                          /* the appends above leave it out */
    return rc;
}
