/* lexer.h -- lexical context of template text in a code language.
 * The compiler feeds a template's literal text through a lexer and asks, at each tag, where it is. */
#ifndef LEXER_H
#define LEXER_H
#include <stddef.h>
#include "lang.h"

/* Where a value lands. CTX_FORBIDDEN means no escaper can make a value safe there. */
typedef enum esc_ctx {
    CTX_FORBIDDEN = 0,
    CTX_JS_VALUE,     /* JS code where an expression goes: a complete literal is emitted */
    CTX_JS_STR_DQ,    /* inside "..." */
    CTX_JS_STR_SQ,    /* inside '...' */
    CTX_PY_VALUE,
    CTX_PY_STR_DQ,    /* inside "..." or """...""" (not r/f/b prefixed) */
    CTX_PY_STR_SQ,    /* inside '...' or '''...''' */
    CTX_LUA_VALUE,
    CTX_LUA_STR_DQ,
    CTX_LUA_STR_SQ,
    CTX_XML_TEXT,     /* element content */
    CTX_XML_ATTR_DQ,  /* attribute value in "..." */
    CTX_XML_ATTR_SQ,  /* attribute value in '...' */
    CTX_XML_CDATA,    /* inside <![CDATA[ ... ]]> */
    CTX_YAML_VALUE,   /* where a scalar (value or key) goes: a double-quoted scalar is emitted */
    CTX_YAML_STR_DQ,  /* inside "..." */
    CTX_YAML_STR_SQ,  /* inside '...' */
    CTX_JSON_VALUE,
    CTX_JSON_STR,
    CTX_TOML_VALUE,   /* right of '=' or in an array: a complete literal is emitted */
    CTX_TOML_STR,     /* inside "..." or """...""" */
    CTX_RUST_VALUE,
    CTX_RUST_STR,     /* inside a normal "..." literal that is not a format string */
    CTX_COUNT
} esc_ctx;

/* Fixed-size, pointer-free state: copy it with '=', compare it with lexer_same. */
typedef struct lexer {
    tmpl_lang lang;
    int  state;           /* language-specific state */
    int  aux;             /* e.g. long-bracket level, raw-string hashes, quote count */
    int  prev;            /* last significant token class (JS regex vs division, Rust lifetimes) */
    int  depth;           /* nesting depth of the stack below */
    unsigned char stack[32];  /* e.g. JS template literal / brace nesting */
    char word[16];        /* last identifier, for format!, f-strings, CDATA, ... */
} lexer;

void        lexer_init(lexer *lx, tmpl_lang lang);
void        lexer_feed(lexer *lx, const char *text, size_t len);   /* advance over literal text */
/* The context of a tag at this point; CTX_FORBIDDEN with *why set to a short reason
 * ("inside a JS template literal", "inside a Lua long string", ...). */
esc_ctx     lexer_context(const lexer *lx, const char **why);
void        lexer_after_value(lexer *lx);                          /* a value was emitted here */
int         lexer_same(const lexer *a, const lexer *b);            /* same context for sections */
const char *lexer_finish(const lexer *lx);   /* NULL if the text may end here, else why not */
const char *esc_ctx_name(esc_ctx ctx);       /* "JS string \"...\"" etc. */

#endif
