/* tmpl.h -- Mustache templates compiled once into an immutable set, rendered many times.
 * Values come from cJSON; each template's output language picks a code-aware escaper.
 *
 *   tmpl_set *s = tmpl_set_new();
 *   tmpl_set_add(s, "worker.js", src, len, LANG_JS, &err);   // or tmpl_set_load_dir(s, dir, &err)
 *   tmpl_set_link(s, &err);                                   // resolves partials; set is now immutable
 *   tmpl_render(s, "worker.js", data, NULL, &out, &err);      // thread-safe, any number of times
 *   tmpl_set_free(s);
 *
 * Every failing call fills a tmpl_error whose message names template, line, column and tag:
 *   "worker.js:12:7: {{endpoint}}: inside a JS template literal: no escaper can make a value safe". */
#ifndef TMPL_H
#define TMPL_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "lang.h"

typedef struct tmpl_set tmpl_set;

typedef struct tmpl_error {
    char message[1024];   /* complete, human-readable; empty when there was no error */
    char name[256];       /* template name, or "" */
    int  line, column;    /* 1-based; 0 when not about a position */
} tmpl_error;

/* Lambdas (spec module "~lambdas") are C callbacks. The renderer asks lambda_of whether a data
 * value is a lambda; only plain-Mustache templates (LANG_SPEC, LANG_TEXT) may call one.
 * For {{x}} text is NULL; for {{#x}}...{{/x}} it is the raw section text. The callback appends the
 * template text to render to out (an inverted section treats any lambda as truthy) and returns 0,
 * or -1 to fail the render. */
typedef int (*tmpl_lambda_fn)(const char *text, size_t len, buf *out, void *ud);
typedef tmpl_lambda_fn (*tmpl_lambda_lookup)(const cJSON *value, void *ud);

typedef struct tmpl_opts {
    size_t max_output;        /* bytes; 0 = 64 MiB */
    int    max_depth;         /* nested sections + partials; 0 = 64 */
    int    strict;            /* -1 or 0/1 as set; TMPL_STRICT_DEFAULT = per language (code and text: strict) */
    tmpl_lambda_lookup lambda_of;
    void  *lambda_ud;
} tmpl_opts;
#define TMPL_STRICT_DEFAULT (-1)
#define TMPL_OPTS_INIT {0, 0, TMPL_STRICT_DEFAULT, NULL, NULL}

tmpl_set *tmpl_set_new(void);
void      tmpl_set_free(tmpl_set *s);

/* Parses and checks one template (copying src). For code languages every tag's lexical context
 * is checked here. Names are unique; a name is how partials refer to the template. */
int tmpl_set_add(tmpl_set *s, const char *name, const char *src, size_t len,
                 tmpl_lang lang, tmpl_error *err);

/* Adds every regular file below dir, named by its path relative to dir ("_shared/client.js"),
 * its language from its extension (files with no known extension: LANG_TEXT). Symlinks that leave
 * dir, and names with "..", are refused. */
int tmpl_set_load_dir(tmpl_set *s, const char *dir, tmpl_error *err);
/* The same with every file in language lang (lang < 0: by extension, as above). */
int tmpl_set_load_dir_as(tmpl_set *s, const char *dir, int lang, tmpl_error *err);

/* Resolves static partial and parent references; a missing one is an error for strict
 * languages and renders empty for LANG_SPEC. After it the set is read-only and thread-safe. */
int tmpl_set_link(tmpl_set *s, tmpl_error *err);

int          tmpl_set_has(const tmpl_set *s, const char *name);
size_t       tmpl_set_count(const tmpl_set *s);
const char  *tmpl_set_name_at(const tmpl_set *s, size_t i);   /* sorted by name */
tmpl_lang    tmpl_set_lang(const tmpl_set *s, const char *name);

/* Renders template name with data (the root context) appended to out. opts may be NULL.
 * Names: a name's first part is looked up in the objects of the sections being rendered, innermost
 * first, then in data; each further part in the member found. Where one object holds a name more
 * than once, the first member of that name wins (as cJSON_GetObjectItemCaseSensitive), and the
 * engine keeps that exactly: a render binds each name the set uses to data's first member of that
 * name once, trying data's members in order first and indexing all of them when that fails.
 * data must not change while a render reads it. */
int tmpl_render(const tmpl_set *s, const char *name, const cJSON *data,
                const tmpl_opts *opts, buf *out, tmpl_error *err);

#endif
