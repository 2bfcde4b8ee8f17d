/* lang.h -- the output languages a template can be written in.
 * A template's language picks its lexer and escapers; SPEC is plain Mustache. */
#ifndef LANG_H
#define LANG_H

typedef enum tmpl_lang {
    LANG_SPEC = 0,  /* plain Mustache as the spec defines it: HTML escaping, raw tags, lenient */
    LANG_TEXT,      /* plain text: values verbatim, strict */
    LANG_JS,        /* JavaScript (also .mjs, .cjs, .ts) */
    LANG_PYTHON,
    LANG_LUA,
    LANG_XML,
    LANG_YAML,
    LANG_JSON,
    LANG_TOML,
    LANG_RUST,
    LANG_COUNT
} tmpl_lang;

const char *lang_name(tmpl_lang lang);                    /* "js", "python", ... */
int  lang_from_name(const char *name, tmpl_lang *out);    /* 0, or -1 for an unknown name */
int  lang_from_path(const char *path, tmpl_lang *out);    /* by extension, a trailing .mustache ignored; -1 if unknown */
int  lang_is_code(tmpl_lang lang);                        /* 1 for the code-aware languages (JS..RUST) */
const char *lang_names(void);                             /* "spec, text, js, ..." for error messages */

#endif
