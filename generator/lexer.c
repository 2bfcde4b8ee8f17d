/* lexer.c -- lexical context of template text in JS, Python, Lua, XML, YAML, JSON, TOML and Rust.
 * One byte-at-a-time state machine per language over a fixed-size state, so text may arrive in pieces. */
#include "lexer.h"
#include <string.h>

/* lx->prev: what came last in code (JS regex vs division, adjacency to identifiers). */
enum { P_OP = 0, P_VAL, P_WORD, P_WORD_DONE, P_BANG };

static const char R_COMMENT[] = "inside a comment";
static const char R_ESCAPE[]  = "right after a backslash in a string literal";
static const char R_WORD[]    = "adjacent to an identifier or number";

static int is_space(unsigned c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_nl(unsigned c) { return c == '\n' || c == '\r'; }
static int is_ident(unsigned c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

static void word_take(lexer *lx, unsigned c)
{
    if (lx->prev != P_WORD) memset(lx->word, 0, sizeof lx->word);
    size_t n = strlen(lx->word);
    if (n < sizeof lx->word - 1) lx->word[n] = (char)c;
    lx->prev = P_WORD;
}

static int word_in(const lexer *lx, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(lx->word, *list) == 0) return 1;
    return 0;
}

static int push(lexer *lx, unsigned char what)
{
    if (lx->depth >= (int)sizeof lx->stack) return -1;
    lx->stack[lx->depth++] = what;
    return 0;
}

static unsigned char top(const lexer *lx) { return lx->depth > 0 ? lx->stack[lx->depth - 1] : 0; }
static void pop(lexer *lx) { if (lx->depth > 0) lx->stack[--lx->depth] = 0; }

/* ---------------------------------------------------------------- JavaScript */

/* stack: '{' braces, '(' parentheses, 'K' parentheses after if/while/for/with, 'T' a template
 * literal's ${ } */
enum { JS_CODE, JS_SLASH, JS_DQ, JS_DQ_ESC, JS_SQ, JS_SQ_ESC, JS_TPL, JS_TPL_ESC, JS_TPL_DOLLAR,
       JS_RE, JS_RE_ESC, JS_RE_CLASS, JS_RE_CLASS_ESC, JS_LCOM, JS_BCOM, JS_BCOM_STAR, JS_ERR };

static int js_regex_ok(const lexer *lx)
{
    static const char *const kw[] = { "return", "typeof", "instanceof", "in", "of", "new", "delete",
        "void", "throw", "case", "do", "else", "yield", "await", NULL };
    if (lx->prev == P_OP) return 1;
    if (lx->prev == P_WORD || lx->prev == P_WORD_DONE) return word_in(lx, kw);
    return 0;
}

static void js_code(lexer *lx, unsigned c)
{
    if (is_ident(c) || c == '$') { word_take(lx, c); return; }
    if (lx->prev == P_WORD) lx->prev = P_WORD_DONE;
    if (is_space(c)) return;
    switch (c) {
    case '"':  lx->state = JS_DQ; return;
    case '\'': lx->state = JS_SQ; return;
    case '`':  lx->state = JS_TPL; return;
    case '/':  lx->aux = js_regex_ok(lx); lx->state = JS_SLASH; return;
    case '{':  if (push(lx, '{') < 0) lx->state = JS_ERR; lx->prev = P_OP; return;
    case '}':
        if (top(lx) == 'T') { pop(lx); lx->state = JS_TPL; return; }
        if (top(lx) == '{') pop(lx);
        lx->prev = P_OP; return;
    case '(': {                                 /* after if/while/for/with (...) a regex may follow */
        static const char *const kw[] = { "if", "while", "for", "with", NULL };
        int k = (lx->prev == P_WORD || lx->prev == P_WORD_DONE) && word_in(lx, kw);
        if (push(lx, k ? 'K' : '(') < 0) lx->state = JS_ERR;
        lx->prev = P_OP; return;
    }
    case ')':
        lx->prev = top(lx) == 'K' ? P_OP : P_VAL;
        if (top(lx) == 'K' || top(lx) == '(') pop(lx);
        return;
    case ']': lx->prev = P_VAL; return;
    default: lx->prev = P_OP; return;
    }
}

static void js_regex(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case JS_RE:
        if (c == '\\') lx->state = JS_RE_ESC;
        else if (c == '[') lx->state = JS_RE_CLASS;
        else if (c == '/' || is_nl(c)) { lx->state = JS_CODE; lx->prev = P_VAL; }
        return;
    case JS_RE_ESC: lx->state = JS_RE; return;
    case JS_RE_CLASS:
        if (c == '\\') lx->state = JS_RE_CLASS_ESC;
        else if (c == ']') lx->state = JS_RE;
        return;
    default: lx->state = JS_RE_CLASS; return;
    }
}

static void js_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case JS_CODE: js_code(lx, c); return;
    case JS_SLASH:
        if (c == '/') { lx->state = JS_LCOM; lx->aux = 0; }
        else if (c == '*') { lx->state = JS_BCOM; lx->aux = 0; }
        else if (lx->aux) { lx->aux = 0; lx->state = JS_RE; js_regex(lx, c); }
        else { lx->state = JS_CODE; lx->prev = P_OP; js_code(lx, c); }
        return;
    case JS_DQ: case JS_SQ:
        if (c == '\\') lx->state++;                               /* JS_DQ_ESC / JS_SQ_ESC */
        else if (c == (lx->state == JS_DQ ? '"' : '\'')) { lx->state = JS_CODE; lx->prev = P_VAL; }
        return;
    case JS_DQ_ESC: case JS_SQ_ESC: case JS_TPL_ESC: lx->state--; return;
    case JS_TPL: case JS_TPL_DOLLAR:
        if (c == '{' && lx->state == JS_TPL_DOLLAR) {
            lx->state = push(lx, 'T') < 0 ? JS_ERR : JS_CODE;
            lx->prev = P_OP;
        } else if (c == '`') { lx->state = JS_CODE; lx->prev = P_VAL; }
        else if (c == '\\') lx->state = JS_TPL_ESC;
        else lx->state = c == '$' ? JS_TPL_DOLLAR : JS_TPL;
        return;
    case JS_RE: case JS_RE_ESC: case JS_RE_CLASS: case JS_RE_CLASS_ESC: js_regex(lx, c); return;
    case JS_LCOM:                       /* ends at LF, CR, U+2028, U+2029 (E2 80 A8/A9) */
        if (is_nl(c) || (lx->aux == 2 && (c == 0xA8 || c == 0xA9))) { lx->state = JS_CODE; lx->aux = 0; }
        else lx->aux = c == 0xE2 ? 1 : (lx->aux == 1 && c == 0x80) ? 2 : 0;
        return;
    case JS_BCOM: if (c == '*') lx->state = JS_BCOM_STAR; return;
    case JS_BCOM_STAR: lx->state = c == '/' ? JS_CODE : c == '*' ? JS_BCOM_STAR : JS_BCOM; return;
    default: return;
    }
}

static int js_in_template(const lexer *lx)
{
    for (int i = 0; i < lx->depth; i++)
        if (lx->stack[i] == 'T') return 1;
    return 0;
}

static esc_ctx js_context(const lexer *lx, const char **why)
{
    if (js_in_template(lx)) { *why = "inside a JS template literal substitution"; return CTX_FORBIDDEN; }
    switch (lx->state) {
    case JS_CODE:
        if (lx->prev == P_WORD) { *why = R_WORD; return CTX_FORBIDDEN; }
        return CTX_JS_VALUE;
    case JS_SLASH:
        if (lx->aux) { *why = "inside a JS regex literal"; return CTX_FORBIDDEN; }
        return CTX_JS_VALUE;
    case JS_DQ: return CTX_JS_STR_DQ;
    case JS_SQ: return CTX_JS_STR_SQ;
    case JS_DQ_ESC: case JS_SQ_ESC: *why = R_ESCAPE; return CTX_FORBIDDEN;
    case JS_TPL: case JS_TPL_ESC: case JS_TPL_DOLLAR: *why = "inside a JS template literal"; return CTX_FORBIDDEN;
    case JS_RE: case JS_RE_ESC: case JS_RE_CLASS: case JS_RE_CLASS_ESC:
        *why = "inside a JS regex literal"; return CTX_FORBIDDEN;
    case JS_LCOM: case JS_BCOM: case JS_BCOM_STAR: *why = R_COMMENT; return CTX_FORBIDDEN;
    default: *why = "JS nesting too deep for the lexer"; return CTX_FORBIDDEN;
    }
}

static const char *js_finish(const lexer *lx)
{
    switch (lx->state) {
    case JS_CODE: case JS_SLASH: case JS_LCOM: return js_in_template(lx) ? "unterminated JS template literal" : NULL;
    case JS_DQ: case JS_DQ_ESC: case JS_SQ: case JS_SQ_ESC: return "unterminated JS string literal";
    case JS_BCOM: case JS_BCOM_STAR: return "unterminated JS block comment";
    case JS_RE: case JS_RE_ESC: case JS_RE_CLASS: case JS_RE_CLASS_ESC: return "unterminated JS regex literal";
    case JS_ERR: return "JS nesting too deep for the lexer";
    default: return "unterminated JS template literal";
    }
}

/* ---------------------------------------------------------------- Python */

enum { PY_CODE, PY_Q1, PY_Q2, PY_STR, PY_STR_ESC, PY_COM };
/* aux while in a string: quote char | KIND_TRIPLE | prefix kind bits; depth: run of closing quotes */
enum { K_TRIPLE = 0x100, K_RAW = 0x200, K_BYTES = 0x400, K_FMT = 0x800 };

static int py_prefix(const lexer *lx)
{
    if (lx->prev != P_WORD) return 0;
    int k = 0;
    size_t n = strlen(lx->word);
    if (n > 2) return 0;
    for (size_t i = 0; i < n; i++)
        switch (lx->word[i] | 0x20) {
        case 'r': k |= K_RAW; break;
        case 'b': k |= K_BYTES; break;
        case 'f': k |= K_FMT; break;
        case 'u': break;
        default: return 0;
        }
    return k;
}

static void py_step(lexer *lx, unsigned c)
{
    unsigned q = (unsigned)lx->aux & 0xFF;
    switch (lx->state) {
    case PY_CODE:
        if (c == '"' || c == '\'') { lx->aux = (int)c | py_prefix(lx); lx->state = PY_Q1; lx->prev = P_OP; return; }
        if (is_ident(c)) { word_take(lx, c); return; }
        if (lx->prev == P_WORD) lx->prev = P_WORD_DONE;
        if (c == '#') lx->state = PY_COM;
        else if (!is_space(c)) lx->prev = (c == ')' || c == ']' || c == '}') ? P_VAL : P_OP;
        return;
    case PY_Q1:
        if (c == q) { lx->state = PY_Q2; return; }
        lx->state = PY_STR; lx->depth = 0;
        py_step(lx, c);
        return;
    case PY_Q2:
        if (c == q) { lx->state = PY_STR; lx->aux |= K_TRIPLE; lx->depth = 0; return; }
        lx->state = PY_CODE; lx->aux = 0; lx->prev = P_VAL;
        py_step(lx, c);
        return;
    case PY_STR:
        if (c == '\\') { lx->state = PY_STR_ESC; lx->depth = 0; return; }
        if (c != q) { lx->depth = 0; return; }
        if ((lx->aux & K_TRIPLE) && ++lx->depth < 3) return;
        lx->state = PY_CODE; lx->aux = 0; lx->depth = 0; lx->prev = P_VAL;
        return;
    case PY_STR_ESC: lx->state = PY_STR; return;
    default: if (is_nl(c)) lx->state = PY_CODE; return;
    }
}

static esc_ctx py_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case PY_CODE:
        if (lx->prev == P_WORD) { *why = R_WORD; return CTX_FORBIDDEN; }
        return CTX_PY_VALUE;
    case PY_Q1: case PY_STR:
        if (lx->aux & K_FMT) { *why = "inside a Python f-string"; return CTX_FORBIDDEN; }
        if (lx->aux & K_RAW) { *why = "inside a Python raw string"; return CTX_FORBIDDEN; }
        if (lx->aux & K_BYTES) { *why = "inside a Python bytes literal"; return CTX_FORBIDDEN; }
        return (lx->aux & 0xFF) == '"' ? CTX_PY_STR_DQ : CTX_PY_STR_SQ;
    case PY_Q2: *why = "right after an empty string literal"; return CTX_FORBIDDEN;
    case PY_STR_ESC: *why = R_ESCAPE; return CTX_FORBIDDEN;
    default: *why = R_COMMENT; return CTX_FORBIDDEN;
    }
}

/* ---------------------------------------------------------------- Lua */

enum { LUA_CODE, LUA_DASH, LUA_COM_START, LUA_COM_BRACKET, LUA_LCOM, LUA_BRACKET, LUA_LONG, LUA_LONG_CLOSE,
       LUA_DQ, LUA_DQ_ESC, LUA_SQ, LUA_SQ_ESC };
/* aux: long-bracket level; depth: '=' counted so far; stack[0]: 1 when the long bracket is a comment */

static void lua_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case LUA_CODE:
        if (is_ident(c)) { word_take(lx, c); return; }
        if (lx->prev == P_WORD) lx->prev = P_WORD_DONE;
        if (is_space(c)) return;
        lx->prev = (c == ')' || c == ']' || c == '}') ? P_VAL : P_OP;
        if (c == '-') lx->state = LUA_DASH;
        else if (c == '[') { lx->state = LUA_BRACKET; lx->depth = 0; }
        else if (c == '"') lx->state = LUA_DQ;
        else if (c == '\'') lx->state = LUA_SQ;
        return;
    case LUA_DASH:
        if (c == '-') { lx->state = LUA_COM_START; return; }
        lx->state = LUA_CODE; lua_step(lx, c);
        return;
    case LUA_COM_START:
        if (c == '[') { lx->state = LUA_COM_BRACKET; lx->depth = 0; }
        else lx->state = is_nl(c) ? LUA_CODE : LUA_LCOM;
        return;
    case LUA_COM_BRACKET: case LUA_BRACKET:
        if (c == '=') { lx->depth++; return; }
        if (c == '[') { lx->stack[0] = lx->state == LUA_COM_BRACKET; lx->aux = lx->depth; lx->depth = 0; lx->state = LUA_LONG; return; }
        if (lx->state == LUA_COM_BRACKET) { lx->depth = 0; lx->state = is_nl(c) ? LUA_CODE : LUA_LCOM; return; }
        lx->depth = 0; lx->state = LUA_CODE; lua_step(lx, c);
        return;
    case LUA_LCOM: if (is_nl(c)) lx->state = LUA_CODE; return;
    case LUA_LONG: if (c == ']') { lx->state = LUA_LONG_CLOSE; lx->depth = 0; } return;
    case LUA_LONG_CLOSE:
        if (c == '=') { lx->depth++; return; }
        if (c == ']' && lx->depth == lx->aux) {
            if (!lx->stack[0]) lx->prev = P_VAL;
            lx->state = LUA_CODE; lx->aux = 0; lx->depth = 0; lx->stack[0] = 0;
            return;
        }
        lx->depth = 0;
        if (c != ']') lx->state = LUA_LONG;
        return;
    case LUA_DQ: case LUA_SQ:
        if (c == '\\') lx->state++;
        else if (c == (lx->state == LUA_DQ ? '"' : '\'')) { lx->state = LUA_CODE; lx->prev = P_VAL; }
        return;
    default: lx->state--; return;                      /* LUA_DQ_ESC, LUA_SQ_ESC */
    }
}

static esc_ctx lua_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case LUA_CODE:
        if (lx->prev == P_WORD) { *why = R_WORD; return CTX_FORBIDDEN; }
        return CTX_LUA_VALUE;
    case LUA_BRACKET:
        if (lx->depth == 0) return CTX_LUA_VALUE;
        *why = "inside a Lua long bracket"; return CTX_FORBIDDEN;
    case LUA_DASH: *why = "right after '-' (a negative number would start a Lua comment)"; return CTX_FORBIDDEN;
    case LUA_LONG: case LUA_LONG_CLOSE:
        *why = lx->stack[0] ? "inside a Lua long comment" : "inside a Lua long string"; return CTX_FORBIDDEN;
    case LUA_DQ: return CTX_LUA_STR_DQ;
    case LUA_SQ: return CTX_LUA_STR_SQ;
    case LUA_DQ_ESC: case LUA_SQ_ESC: *why = R_ESCAPE; return CTX_FORBIDDEN;
    default: *why = R_COMMENT; return CTX_FORBIDDEN;
    }
}

/* ---------------------------------------------------------------- XML */

enum { X_TEXT, X_ENT, X_LT, X_BANG, X_BANG_DASH, X_CDATA_OPEN, X_COM, X_CDATA, X_PI, X_DECL, X_TAG,
       X_ATTR_DQ, X_ATTR_SQ, X_ENDTAG };
/* aux: run of '-' / ']' / '?' before a possible end, or the matched length of "CDATA["; depth: '[' in DOCTYPE */

static void xml_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case X_TEXT: if (c == '<') lx->state = X_LT; else if (c == '&') lx->state = X_ENT; return;
    case X_ENT:
        if (c == '<') lx->state = X_LT;
        else if (c == ';' || is_space(c)) lx->state = X_TEXT;
        return;
    case X_LT:
        lx->state = c == '!' ? X_BANG : c == '?' ? X_PI : c == '/' ? X_ENDTAG : X_TAG;
        lx->aux = 0;
        if (lx->state == X_TAG) xml_step(lx, c);
        return;
    case X_BANG:
        if (c == '-') { lx->state = X_BANG_DASH; return; }
        if (c == '[') { lx->state = X_CDATA_OPEN; lx->aux = 0; return; }
        lx->state = X_DECL; lx->depth = 0; xml_step(lx, c);
        return;
    case X_BANG_DASH: lx->state = c == '-' ? X_COM : X_DECL; lx->aux = 0; return;
    case X_CDATA_OPEN:
        if (c != (unsigned char)"CDATA["[lx->aux]) { lx->state = X_DECL; lx->aux = 0; return; }
        if (++lx->aux == 6) { lx->state = X_CDATA; lx->aux = 0; }
        return;
    case X_COM: case X_CDATA: case X_PI: {
        unsigned run = lx->state == X_COM ? '-' : lx->state == X_CDATA ? ']' : '?';
        int need = lx->state == X_PI ? 1 : 2;
        if (c == '>' && lx->aux >= need) { lx->state = X_TEXT; lx->aux = 0; }
        else if (c == run) { if (lx->aux < 2) lx->aux++; }
        else lx->aux = 0;
        return;
    }
    case X_DECL:
        if (c == '[') lx->depth++;
        else if (c == ']' && lx->depth > 0) lx->depth--;
        else if (c == '>' && lx->depth == 0) lx->state = X_TEXT;
        return;
    case X_TAG:
        if (c == '"') lx->state = X_ATTR_DQ;
        else if (c == '\'') lx->state = X_ATTR_SQ;
        else if (c == '>') lx->state = X_TEXT;
        return;
    case X_ATTR_DQ: if (c == '"') lx->state = X_TAG; return;
    case X_ATTR_SQ: if (c == '\'') lx->state = X_TAG; return;
    default: if (c == '>') lx->state = X_TEXT; return;
    }
}

static esc_ctx xml_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case X_TEXT: return CTX_XML_TEXT;
    case X_ATTR_DQ: return CTX_XML_ATTR_DQ;
    case X_ATTR_SQ: return CTX_XML_ATTR_SQ;
    case X_CDATA: return CTX_XML_CDATA;
    case X_ENT: *why = "inside an XML entity reference"; break;
    case X_LT: *why = "inside an XML tag name"; break;
    case X_COM: *why = "inside an XML comment"; break;
    case X_PI: *why = "inside an XML processing instruction"; break;
    case X_TAG: *why = "inside an XML start tag outside an attribute value"; break;
    case X_ENDTAG: *why = "inside an XML end tag"; break;
    default: *why = "inside an XML DOCTYPE or declaration"; break;
    }
    return CTX_FORBIDDEN;
}

static const char *xml_finish(const lexer *lx)
{
    switch (lx->state) {
    case X_TEXT: return NULL;
    case X_ATTR_DQ: case X_ATTR_SQ: return "unterminated XML attribute value";
    case X_COM: return "unterminated XML comment";
    case X_CDATA: return "unterminated XML CDATA section";
    default: return "unterminated XML markup";
    }
}

/* ---------------------------------------------------------------- YAML */

enum { Y_LSTART, Y_NODE, Y_DASH, Y_QMARK, Y_NCOLON, Y_PLAIN, Y_PLAIN_COLON, Y_PLAIN_SP, Y_AFTER, Y_ACOLON,
       Y_DQ, Y_DQ_ESC, Y_SQ, Y_SQ_Q, Y_COM, Y_PROP, Y_BHDR, Y_BLOCK, Y_BLOCK_LINE };
/* prev: indentation of the current line; aux: indentation of the line holding a block scalar header;
 * depth: flow collection nesting; stack[0]: 1 when the property being read is an alias;
 * stack[1]: 1 + indentation of a line whose plain scalar ran to its end (deeper lines continue it) */

static void yaml_step(lexer *lx, unsigned c);

static void yaml_newline(lexer *lx) { lx->state = Y_LSTART; lx->prev = 0; }

static int yaml_flow_end(lexer *lx, unsigned c)
{
    if (lx->depth == 0) return 0;
    if (c == ',') { lx->state = Y_NODE; return 1; }
    if (c == ']' || c == '}') { lx->depth--; lx->state = Y_AFTER; return 1; }
    return 0;
}

static void yaml_node(lexer *lx, unsigned c)
{
    lx->state = Y_NODE;
    switch (c) {
    case ' ': case '\t': return;
    case '\n': case '\r': yaml_newline(lx); return;
    case '#': lx->state = Y_COM; return;
    case '"': lx->state = Y_DQ; return;
    case '\'': lx->state = Y_SQ; return;
    case '-': lx->state = Y_DASH; return;
    case '?': lx->state = Y_QMARK; return;
    case ':': lx->state = Y_NCOLON; return;
    case '|': case '>': lx->state = Y_BHDR; lx->aux = lx->prev; return;
    case '&': case '!': case '*': lx->state = Y_PROP; lx->stack[0] = c == '*'; return;
    case '[': case '{': lx->depth++; return;
    case '%': lx->state = Y_COM; return;
    default:
        if (!yaml_flow_end(lx, c)) lx->state = Y_PLAIN;
        return;
    }
}

static void yaml_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case Y_LSTART:
        if (c == ' ') { if (lx->prev < 10000) lx->prev++; return; }
        if (is_nl(c)) { lx->prev = 0; return; }
        if (lx->prev < lx->stack[1]) lx->stack[1] = 0;          /* not a continuation line */
        yaml_node(lx, c);
        return;
    case Y_NODE: yaml_node(lx, c); return;
    case Y_DASH: case Y_QMARK: case Y_NCOLON:
        if (c == ' ' || c == '\t') lx->state = Y_NODE;
        else if (is_nl(c)) yaml_newline(lx);
        else lx->state = Y_PLAIN;
        return;
    case Y_PLAIN: case Y_PLAIN_COLON: case Y_PLAIN_SP:
        if (is_nl(c)) {
            if (lx->state != Y_PLAIN_COLON && !lx->stack[1]) lx->stack[1] = (unsigned char)(lx->prev < 254 ? lx->prev + 1 : 255);
            yaml_newline(lx);
            return;
        }
        if (yaml_flow_end(lx, c)) return;
        if (c == ' ' || c == '\t') lx->state = lx->state == Y_PLAIN_COLON ? Y_NODE : Y_PLAIN_SP;
        else if (c == '#' && lx->state == Y_PLAIN_SP) lx->state = Y_COM;
        else lx->state = c == ':' ? Y_PLAIN_COLON : Y_PLAIN;
        return;
    case Y_AFTER:
        if (is_nl(c)) yaml_newline(lx);
        else if (c == '#') lx->state = Y_COM;
        else if (c == ':') lx->state = Y_ACOLON;
        else yaml_flow_end(lx, c);
        return;
    case Y_ACOLON:
        if (c == ' ' || c == '\t') lx->state = Y_NODE;
        else if (is_nl(c)) yaml_newline(lx);
        else if (!yaml_flow_end(lx, c)) yaml_node(lx, c);
        return;
    case Y_DQ: if (c == '\\') lx->state = Y_DQ_ESC; else if (c == '"') lx->state = Y_AFTER; return;
    case Y_DQ_ESC: lx->state = Y_DQ; return;
    case Y_SQ: if (c == '\'') lx->state = Y_SQ_Q; return;
    case Y_SQ_Q:
        if (c == '\'') { lx->state = Y_SQ; return; }
        lx->state = Y_AFTER; yaml_step(lx, c);
        return;
    case Y_COM: if (is_nl(c)) yaml_newline(lx); return;
    case Y_PROP:
        if (is_nl(c)) { yaml_newline(lx); lx->stack[0] = 0; }
        else if (c == ' ' || c == '\t') { lx->state = lx->stack[0] ? Y_AFTER : Y_NODE; lx->stack[0] = 0; }
        else if (lx->depth && (c == ',' || c == ']' || c == '}')) { lx->stack[0] = 0; yaml_flow_end(lx, c); }
        return;
    case Y_BHDR: if (is_nl(c)) { lx->state = Y_BLOCK; lx->prev = 0; } return;
    case Y_BLOCK:
        if (c == ' ') { if (lx->prev < 10000) lx->prev++; return; }
        if (is_nl(c)) { lx->prev = 0; return; }
        if (lx->prev > lx->aux) { lx->state = Y_BLOCK_LINE; return; }
        lx->aux = 0;                                   /* the block scalar ended at this line */
        yaml_node(lx, c);
        return;
    default: if (is_nl(c)) { lx->state = Y_BLOCK; lx->prev = 0; } return;   /* Y_BLOCK_LINE */
    }
}

static esc_ctx yaml_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case Y_LSTART:
        if (lx->stack[1] && lx->prev >= lx->stack[1]) {
            *why = "on a line that would continue the YAML plain scalar above (quote that scalar)";
            return CTX_FORBIDDEN;
        }
        return CTX_YAML_VALUE;
    case Y_NODE: return CTX_YAML_VALUE;
    case Y_BLOCK:
        if (lx->prev <= lx->aux) return CTX_YAML_VALUE;
        *why = "inside a YAML block scalar"; return CTX_FORBIDDEN;
    case Y_DQ: return CTX_YAML_STR_DQ;
    case Y_SQ: return CTX_YAML_STR_SQ;
    case Y_DASH: case Y_QMARK: case Y_NCOLON: case Y_ACOLON:
        *why = "right after a YAML indicator (put a space before the tag)"; break;
    case Y_PLAIN: case Y_PLAIN_COLON: case Y_PLAIN_SP:
        *why = "inside a YAML plain scalar that already started (quote it, or give the tag the whole scalar)"; break;
    case Y_AFTER: *why = "right after a YAML scalar"; break;
    case Y_DQ_ESC: *why = R_ESCAPE; break;
    case Y_SQ_Q: *why = "right after a quote in a YAML single-quoted scalar"; break;
    case Y_COM: *why = "inside a YAML comment or directive"; break;
    case Y_PROP: *why = "inside a YAML anchor, alias or tag"; break;
    default: *why = "inside a YAML block scalar"; break;
    }
    return CTX_FORBIDDEN;
}

static const char *yaml_finish(const lexer *lx)
{
    if (lx->state == Y_DQ || lx->state == Y_DQ_ESC || lx->state == Y_SQ) return "unterminated YAML quoted scalar";
    if (lx->depth) return "unclosed YAML flow collection";
    return NULL;
}

/* ---------------------------------------------------------------- JSON */

enum { JN_CODE, JN_BARE, JN_STR, JN_STR_ESC };

static void json_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case JN_CODE: case JN_BARE:
        if (c == '"') lx->state = JN_STR;
        else lx->state = (is_ident(c) || c == '-' || c == '+' || c == '.') ? JN_BARE : JN_CODE;
        return;
    case JN_STR: if (c == '\\') lx->state = JN_STR_ESC; else if (c == '"') lx->state = JN_CODE; return;
    default: lx->state = JN_STR; return;
    }
}

static esc_ctx json_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case JN_CODE: return CTX_JSON_VALUE;
    case JN_STR: return CTX_JSON_STR;
    case JN_BARE: *why = "inside a JSON number or literal"; return CTX_FORBIDDEN;
    default: *why = R_ESCAPE; return CTX_FORBIDDEN;
    }
}

/* ---------------------------------------------------------------- TOML */

enum { T_LSTART, T_KEY, T_KEY_DQ, T_KEY_DQ_ESC, T_KEY_SQ, T_HEADER, T_HDR_DQ, T_HDR_DQ_ESC, T_HDR_SQ,
       T_VAL, T_BARE, T_AFTER, T_COM, T_Q1, T_Q2, T_STR, T_STR_ESC, T_STR_TRIM, T_SQ1, T_SQ2, T_LIT };
/* stack: '[' arrays and '{' inline tables; aux: 1 for multi-line strings, or a comment's return state;
 * prev: run of closing quotes in a multi-line string */

static void toml_step(lexer *lx, unsigned c);

static void toml_string_end(lexer *lx) { lx->state = T_AFTER; lx->aux = 0; lx->prev = 0; }

static void toml_quoted(lexer *lx, unsigned c, unsigned q)   /* T_STR or T_LIT body */
{
    if (c == q) {
        if (!lx->aux) { toml_string_end(lx); return; }
        lx->prev++;
        return;
    }
    if (lx->aux && lx->prev >= 3) { toml_string_end(lx); toml_step(lx, c); return; }
    lx->prev = 0;
    if (c == '\\' && q == '"') lx->state = T_STR_ESC;
}

static void toml_step(lexer *lx, unsigned c)
{
    switch (lx->state) {
    case T_LSTART:
        if (is_space(c)) return;
        if (c == '#') { lx->state = T_COM; lx->aux = T_LSTART; }
        else if (c == '[') lx->state = T_HEADER;
        else { lx->state = T_KEY; toml_step(lx, c); }
        return;
    case T_KEY:
        if (c == '=') lx->state = T_VAL;
        else if (c == '"') lx->state = T_KEY_DQ;
        else if (c == '\'') lx->state = T_KEY_SQ;
        else if (c == '}' && top(lx) == '{') { pop(lx); lx->state = T_AFTER; }
        else if (is_nl(c) && lx->depth == 0) lx->state = T_LSTART;
        return;
    case T_KEY_DQ: case T_HDR_DQ:
        if (c == '\\') lx->state++;
        else if (c == '"') lx->state = lx->state == T_KEY_DQ ? T_KEY : T_HEADER;
        return;
    case T_KEY_DQ_ESC: case T_HDR_DQ_ESC: lx->state--; return;
    case T_KEY_SQ: if (c == '\'') lx->state = T_KEY; return;
    case T_HDR_SQ: if (c == '\'') lx->state = T_HEADER; return;
    case T_HEADER:
        if (c == '"') lx->state = T_HDR_DQ;
        else if (c == '\'') lx->state = T_HDR_SQ;
        else if (c == ']') lx->state = T_AFTER;
        else if (is_nl(c)) lx->state = T_LSTART;
        return;
    case T_VAL:
        if (c == ' ' || c == '\t') return;
        if (is_nl(c)) { if (lx->depth == 0) lx->state = T_LSTART; return; }
        if (c == '"') lx->state = T_Q1;
        else if (c == '\'') lx->state = T_SQ1;
        else if (c == '#') { lx->state = T_COM; lx->aux = T_VAL; }
        else if (c == '[') { if (push(lx, '[') == 0) return; lx->state = T_BARE; }
        else if (c == '{') { if (push(lx, '{') == 0) lx->state = T_KEY; else lx->state = T_BARE; }
        else if (c == ']' && top(lx) == '[') { pop(lx); lx->state = T_AFTER; }
        else lx->state = T_BARE;
        return;
    case T_BARE:
        if (is_space(c) || c == ',' || c == ']' || c == '}' || c == '#') { lx->state = T_AFTER; toml_step(lx, c); }
        return;
    case T_AFTER:
        if (c == ',') lx->state = top(lx) == '{' ? T_KEY : T_VAL;
        else if ((c == ']' && top(lx) == '[') || (c == '}' && top(lx) == '{')) pop(lx);
        else if (c == '#') { lx->state = T_COM; lx->aux = T_AFTER; }
        else if (is_nl(c) && lx->depth == 0) lx->state = T_LSTART;
        return;
    case T_COM:
        if (is_nl(c)) { lx->state = lx->depth == 0 ? T_LSTART : lx->aux; lx->aux = 0; }
        return;
    case T_Q1: case T_SQ1: {
        unsigned q = lx->state == T_Q1 ? '"' : '\'';
        if (c == q) { lx->state++; return; }                       /* T_Q2 / T_SQ2 */
        lx->state = q == '"' ? T_STR : T_LIT; lx->aux = 0; lx->prev = 0;
        toml_step(lx, c);
        return;
    }
    case T_Q2: case T_SQ2:
        if (c == (lx->state == T_Q2 ? '"' : '\'')) { lx->state = lx->state == T_Q2 ? T_STR : T_LIT; lx->aux = 1; lx->prev = 0; return; }
        toml_string_end(lx); toml_step(lx, c);
        return;
    case T_STR: toml_quoted(lx, c, '"'); return;
    case T_LIT: toml_quoted(lx, c, '\''); return;
    case T_STR_ESC: lx->state = (lx->aux && is_space(c)) ? T_STR_TRIM : T_STR; return;
    default:                                                        /* T_STR_TRIM */
        if (!is_space(c)) { lx->state = T_STR; toml_step(lx, c); }
        return;
    }
}

static esc_ctx toml_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case T_VAL: return CTX_TOML_VALUE;
    case T_Q1: return CTX_TOML_STR;
    case T_STR:
        if (lx->aux && lx->prev >= 3) { *why = "right after a TOML string"; return CTX_FORBIDDEN; }
        return CTX_TOML_STR;
    case T_LSTART: case T_KEY: case T_KEY_DQ: case T_KEY_DQ_ESC: case T_KEY_SQ:
        *why = "in a TOML key (keys are not interpolated)"; break;
    case T_HEADER: case T_HDR_DQ: case T_HDR_DQ_ESC: case T_HDR_SQ: *why = "in a TOML table header"; break;
    case T_BARE: *why = "inside a bare TOML value"; break;
    case T_AFTER: case T_Q2: case T_SQ2: *why = "right after a TOML value"; break;
    case T_COM: *why = R_COMMENT; break;
    case T_STR_ESC: *why = R_ESCAPE; break;
    case T_STR_TRIM: *why = "after a TOML line-ending backslash"; break;
    default: *why = "inside a TOML literal string"; break;
    }
    return CTX_FORBIDDEN;
}

static const char *toml_finish(const lexer *lx)
{
    switch (lx->state) {
    case T_Q1: case T_SQ1: case T_STR_ESC: case T_STR_TRIM: case T_KEY_DQ: case T_KEY_DQ_ESC: case T_KEY_SQ:
    case T_HDR_DQ: case T_HDR_DQ_ESC: case T_HDR_SQ:
        return "unterminated TOML string";
    case T_STR: case T_LIT: return (lx->aux && lx->prev >= 3) ? NULL : "unterminated TOML string";
    default: return lx->depth ? "unclosed TOML array or inline table" : NULL;
    }
}

/* ---------------------------------------------------------------- Rust */

enum { R_CODE, R_SLASH, R_LCOM, R_BCOM, R_BCOM_STAR, R_BCOM_SLASH, R_STR, R_STR_ESC, R_RAWHASH, R_RAW,
       R_RAW_CLOSE, R_TICK, R_CHAR1, R_CHAR, R_CHAR_ESC };
/* aux: raw-string hashes, block-comment nesting or pending UTF-8 continuation bytes.
 * stack: [0] format macro's format-argument index + 1 (0: none), [1] commas at its top level,
 * [2] bracket depth inside it, [3] pending macro (name and '!' seen), [4] kind of the string being read,
 * [5] '#' counted while closing a raw string. Every string in the format argument counts as the format. */
enum { RK_NORMAL, RK_FORMAT, RK_BYTES, RK_C };
enum { RS_MACRO, RS_COMMAS, RS_NEST, RS_PENDING, RS_KIND, RS_HASH };

static int rust_format_macro(const lexer *lx)
{
    static const char *const at0[] = { "format", "print", "println", "eprint", "eprintln", "format_args",
        "panic", "unreachable", "todo", "unimplemented", NULL };
    static const char *const at1[] = { "write", "writeln", "assert", "debug_assert", NULL };
    static const char *const at2[] = { "assert_eq", "assert_ne", "debug_assert_eq", "debug_assert_ne", NULL };
    if (word_in(lx, at0)) return 1;
    if (word_in(lx, at1)) return 2;
    if (word_in(lx, at2)) return 3;
    return 0;
}

static int rust_at_format_arg(const lexer *lx)
{
    const unsigned char *s = lx->stack;
    return s[RS_MACRO] && s[RS_COMMAS] == s[RS_MACRO] - 1;
}

static void rust_string(lexer *lx, int prefixed)
{
    unsigned char *s = lx->stack;
    if (prefixed && strcmp(lx->word, "b") == 0) s[RS_KIND] = RK_BYTES;
    else if (prefixed && strcmp(lx->word, "c") == 0) s[RS_KIND] = RK_C;
    else s[RS_KIND] = rust_at_format_arg(lx) ? RK_FORMAT : RK_NORMAL;
    lx->state = R_STR;
}

static void rust_code(lexer *lx, unsigned c)
{
    unsigned char *s = lx->stack;
    int adjacent = lx->prev == P_WORD;
    int raw_prefix = adjacent && (strcmp(lx->word, "r") == 0 || strcmp(lx->word, "br") == 0 || strcmp(lx->word, "cr") == 0);
    if (is_ident(c)) { word_take(lx, c); return; }
    if (adjacent) lx->prev = P_WORD_DONE;
    if (is_space(c)) return;
    if (c == '!' && (adjacent || lx->prev == P_WORD_DONE) && rust_format_macro(lx)) {
        s[RS_PENDING] = (unsigned char)rust_format_macro(lx);
        lx->prev = P_BANG;
        return;
    }
    if (c == '/') { lx->state = R_SLASH; return; }
    if (c == '"') {
        if (raw_prefix) { lx->state = R_RAW; lx->aux = 0; }
        else rust_string(lx, adjacent);
    } else if (c == '#' && raw_prefix) { lx->state = R_RAWHASH; lx->aux = 1; }
    else if (c == '\'') { lx->state = R_TICK; lx->aux = 0; }
    else if (c == '(' || c == '[' || c == '{') {
        if (lx->prev == P_BANG && s[RS_PENDING]) {
            s[RS_MACRO] = s[RS_PENDING]; s[RS_COMMAS] = 0; s[RS_NEST] = 1;
            s[RS_PENDING] = 0; lx->prev = P_OP;
            return;
        }
        if (s[RS_MACRO] && s[RS_NEST] < 255) s[RS_NEST]++;
    } else if (c == ')' || c == ']' || c == '}') {
        if (s[RS_MACRO] && --s[RS_NEST] == 0) { s[RS_MACRO] = 0; s[RS_COMMAS] = 0; }
        lx->prev = P_VAL;
        s[RS_PENDING] = 0;
        return;
    } else if (c == ',' && s[RS_MACRO] && s[RS_NEST] == 1) {
        if (s[RS_COMMAS] < 255) s[RS_COMMAS]++;
        s[RS_PENDING] = 0; lx->prev = P_OP;
        return;
    }
    s[RS_PENDING] = 0;
    lx->prev = P_OP;
}

static int utf8_tail(unsigned c) { return c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0; }

static void rust_step(lexer *lx, unsigned c)
{
    unsigned char *s = lx->stack;
    switch (lx->state) {
    case R_CODE: rust_code(lx, c); return;
    case R_SLASH:
        if (c == '/') lx->state = R_LCOM;
        else if (c == '*') { lx->state = R_BCOM; lx->aux = 1; }
        else { lx->state = R_CODE; lx->prev = P_OP; rust_code(lx, c); }
        return;
    case R_LCOM: if (is_nl(c)) lx->state = R_CODE; return;
    case R_BCOM: lx->state = c == '*' ? R_BCOM_STAR : c == '/' ? R_BCOM_SLASH : R_BCOM; return;
    case R_BCOM_STAR:
        if (c == '/') { if (--lx->aux == 0) lx->state = R_CODE; else lx->state = R_BCOM; }
        else if (c != '*') lx->state = R_BCOM;
        return;
    case R_BCOM_SLASH:
        if (c == '*') { if (lx->aux < 1000) lx->aux++; lx->state = R_BCOM; }
        else if (c != '/') lx->state = R_BCOM;
        return;
    case R_STR:
        if (c == '\\') lx->state = R_STR_ESC;
        else if (c == '"') { lx->state = R_CODE; s[RS_KIND] = 0; lx->prev = P_VAL; }
        return;
    case R_STR_ESC: lx->state = R_STR; return;
    case R_RAWHASH:
        if (c == '#') { if (lx->aux < 255) lx->aux++; return; }
        if (c == '"') { lx->state = R_RAW; return; }
        lx->state = R_CODE; lx->aux = 0; lx->prev = P_OP; rust_code(lx, c);   /* raw identifier r#name */
        return;
    case R_RAW:
        if (c != '"') return;
        if (lx->aux == 0) { lx->state = R_CODE; lx->prev = P_VAL; return; }
        lx->state = R_RAW_CLOSE; s[RS_HASH] = 0;
        return;
    case R_RAW_CLOSE:
        if (c == '#') {
            if (++s[RS_HASH] == lx->aux) { lx->state = R_CODE; lx->aux = 0; s[RS_HASH] = 0; lx->prev = P_VAL; }
        } else if (c == '"') s[RS_HASH] = 0;
        else { lx->state = R_RAW; s[RS_HASH] = 0; }
        return;
    case R_TICK:
        if (c == '\\') { lx->state = R_CHAR_ESC; return; }
        if (c == '\'') { lx->state = R_CODE; lx->prev = P_VAL; return; }
        lx->state = R_CHAR1; lx->aux = utf8_tail(c);
        return;
    case R_CHAR1:
        if (lx->aux > 0 && (c & 0xC0) == 0x80) { lx->aux--; return; }
        lx->aux = 0;
        if (c == '\'') { lx->state = R_CODE; lx->prev = P_VAL; return; }
        lx->state = R_CODE; lx->prev = P_WORD;                      /* a lifetime or label: 'a */
        memset(lx->word, 0, sizeof lx->word);
        rust_code(lx, c);
        return;
    case R_CHAR: if (c == '\\') lx->state = R_CHAR_ESC; else if (c == '\'') { lx->state = R_CODE; lx->prev = P_VAL; } return;
    default: lx->state = R_CHAR; return;                             /* R_CHAR_ESC */
    }
}

static esc_ctx rust_context(const lexer *lx, const char **why)
{
    switch (lx->state) {
    case R_CODE: case R_SLASH:
        if (lx->state == R_CODE && lx->prev == P_WORD) { *why = R_WORD; return CTX_FORBIDDEN; }
        if (lx->prev == P_BANG) { *why = "right after a Rust macro name"; return CTX_FORBIDDEN; }
        if (rust_at_format_arg(lx)) { *why = "where a Rust format string goes"; return CTX_FORBIDDEN; }
        return CTX_RUST_VALUE;
    case R_STR:
        switch (lx->stack[RS_KIND]) {
        case RK_FORMAT: *why = "inside a Rust format string"; return CTX_FORBIDDEN;
        case RK_BYTES: *why = "inside a Rust byte string"; return CTX_FORBIDDEN;
        case RK_C: *why = "inside a Rust C string"; return CTX_FORBIDDEN;
        default: return CTX_RUST_STR;
        }
    case R_STR_ESC: *why = R_ESCAPE; return CTX_FORBIDDEN;
    case R_RAWHASH: case R_RAW: case R_RAW_CLOSE: *why = "inside a Rust raw string"; return CTX_FORBIDDEN;
    case R_TICK: case R_CHAR1: case R_CHAR: case R_CHAR_ESC:
        *why = "inside a Rust char literal or lifetime"; return CTX_FORBIDDEN;
    default: *why = R_COMMENT; return CTX_FORBIDDEN;
    }
}

static const char *rust_finish(const lexer *lx)
{
    switch (lx->state) {
    case R_STR: case R_STR_ESC: return "unterminated Rust string literal";
    case R_RAWHASH: case R_RAW: case R_RAW_CLOSE: return "unterminated Rust raw string";
    case R_BCOM: case R_BCOM_STAR: case R_BCOM_SLASH: return "unterminated Rust block comment";
    case R_CHAR: case R_CHAR_ESC: case R_TICK: return "unterminated Rust char literal";
    default: return NULL;
    }
}

/* ---------------------------------------------------------------- dispatch */

void lexer_init(lexer *lx, tmpl_lang lang)
{
    memset(lx, 0, sizeof *lx);
    lx->lang = lang;
}

void lexer_feed(lexer *lx, const char *text, size_t len)
{
    void (*step)(lexer *, unsigned);
    switch (lx->lang) {
    case LANG_JS: step = js_step; break;
    case LANG_PYTHON: step = py_step; break;
    case LANG_LUA: step = lua_step; break;
    case LANG_XML: step = xml_step; break;
    case LANG_YAML: step = yaml_step; break;
    case LANG_JSON: step = json_step; break;
    case LANG_TOML: step = toml_step; break;
    case LANG_RUST: step = rust_step; break;
    default: return;
    }
    for (size_t i = 0; i < len; i++) step(lx, (unsigned char)text[i]);
}

esc_ctx lexer_context(const lexer *lx, const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    switch (lx->lang) {
    case LANG_JS: return js_context(lx, why);
    case LANG_PYTHON: return py_context(lx, why);
    case LANG_LUA: return lua_context(lx, why);
    case LANG_XML: return xml_context(lx, why);
    case LANG_YAML: return yaml_context(lx, why);
    case LANG_JSON: return json_context(lx, why);
    case LANG_TOML: return toml_context(lx, why);
    case LANG_RUST: return rust_context(lx, why);
    default: *why = "not a code language"; return CTX_FORBIDDEN;
    }
}

void lexer_after_value(lexer *lx)
{
    switch (lx->lang) {
    case LANG_JS: if (lx->state == JS_CODE || lx->state == JS_SLASH) { lx->state = JS_CODE; lx->aux = 0; lx->prev = P_VAL; } break;
    case LANG_PYTHON:
        if (lx->state == PY_CODE) lx->prev = P_VAL;
        else if (lx->state == PY_Q1) { lx->state = PY_STR; lx->depth = 0; }
        else if (lx->state == PY_STR) lx->depth = 0;
        break;
    case LANG_LUA: if (lx->state == LUA_CODE || lx->state == LUA_BRACKET) { lx->state = LUA_CODE; lx->depth = 0; lx->prev = P_VAL; } break;
    case LANG_XML: if (lx->state == X_CDATA) lx->aux = 0; break;
    case LANG_YAML:
        if (lx->state == Y_LSTART || lx->state == Y_NODE || lx->state == Y_BLOCK) { lx->state = Y_AFTER; lx->aux = 0; lx->stack[1] = 0; }
        break;
    case LANG_JSON: break;
    case LANG_TOML:
        if (lx->state == T_VAL) lx->state = T_AFTER;
        else if (lx->state == T_Q1) { lx->state = T_STR; lx->aux = 0; lx->prev = 0; }
        else if (lx->state == T_STR) lx->prev = 0;
        break;
    case LANG_RUST:
        if (lx->state == R_CODE || lx->state == R_SLASH) { lx->state = R_CODE; lx->prev = P_VAL; }
        break;
    default: break;
    }
}

/* What of prev matters for the context: regex-or-division in JS, indentation in YAML, adjacency elsewhere. */
static int prev_class(const lexer *lx)
{
    switch (lx->lang) {
    case LANG_JS: return lx->prev == P_WORD ? 2 : js_regex_ok(lx);
    case LANG_YAML: case LANG_TOML: return lx->prev;
    default: return lx->prev == P_WORD || lx->prev == P_BANG ? lx->prev : 0;
    }
}

/* YAML's plain-continuation mark (stack[1]) is left out: a section may follow a plain scalar or end
 * in one. It only matters for a tag on a deeper line right after a section rendered zero times. */
int lexer_same(const lexer *a, const lexer *b)
{
    if (a->lang != b->lang || a->state != b->state || a->aux != b->aux || a->depth != b->depth
        || prev_class(a) != prev_class(b))
        return 0;
    if (a->lang != LANG_YAML) return memcmp(a->stack, b->stack, sizeof a->stack) == 0;
    return a->stack[0] == b->stack[0] && memcmp(a->stack + 2, b->stack + 2, sizeof a->stack - 2) == 0;
}

const char *lexer_finish(const lexer *lx)
{
    switch (lx->lang) {
    case LANG_JS: return js_finish(lx);
    case LANG_PYTHON:
        if (lx->state == PY_Q1 || lx->state == PY_STR || lx->state == PY_STR_ESC) return "unterminated Python string literal";
        return NULL;
    case LANG_LUA:
        if (lx->state == LUA_LONG || lx->state == LUA_LONG_CLOSE)
            return lx->stack[0] ? "unterminated Lua long comment" : "unterminated Lua long string";
        if (lx->state >= LUA_DQ) return "unterminated Lua string literal";
        return NULL;
    case LANG_XML: return xml_finish(lx);
    case LANG_YAML: return yaml_finish(lx);
    case LANG_JSON: return lx->state >= JN_STR ? "unterminated JSON string" : NULL;
    case LANG_TOML: return toml_finish(lx);
    case LANG_RUST: return rust_finish(lx);
    default: return NULL;
    }
}

const char *esc_ctx_name(esc_ctx ctx)
{
    static const char *const names[CTX_COUNT] = {
        "forbidden", "JS value", "JS string \"...\"", "JS string '...'",
        "Python value", "Python string \"...\"", "Python string '...'",
        "Lua value", "Lua string \"...\"", "Lua string '...'",
        "XML text", "XML attribute \"...\"", "XML attribute '...'", "XML CDATA",
        "YAML value", "YAML string \"...\"", "YAML string '...'",
        "JSON value", "JSON string", "TOML value", "TOML string \"...\"", "Rust value", "Rust string \"...\"",
    };
    return (unsigned)ctx < CTX_COUNT ? names[ctx] : "?";
}
