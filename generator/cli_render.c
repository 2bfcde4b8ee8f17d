/* cli_render.c -- "bundlegen render": one template, JSON data, optional partials, to stdout.
 * The language comes from --lang, --spec, or the template's file extension. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "tmpl.h"
#include "value.h"

typedef struct render_opts {
    const char *tpath, *data, *partials, *lang;
    int spec;
} render_opts;

static const cli_option render_options[] = {
    {"--data", "FILE", CLI_STR, offsetof(render_opts, data), "the JSON data (default: an empty object)"},
    {"--partials", "DIR", CLI_STR, offsetof(render_opts, partials),
     "every file below DIR is a partial, named by its path relative to DIR\n"
     "({{> _shared/client.js}}); a .mustache suffix is dropped from names"},
    {"--lang", "LANG", CLI_STR, offsetof(render_opts, lang),
     "the output language: spec, text, js, python, lua, xml, yaml, json, toml, rust;\n"
     "default: from TEMPLATE's extension (name.js or name.js.mustache), else text"},
    {"--spec", NULL, CLI_FLAG, offsetof(render_opts, spec),
     "plain Mustache as the spec defines it: HTML escaping, lenient missing names"},
    {NULL, NULL, 0, 0, NULL},
};

static const cli_command render_cmd = {
    "render",
    "usage: bundlegen render TEMPLATE [--data FILE.json] [--partials DIR] [--lang LANG | --spec]\n"
    "\n"
    "Renders TEMPLATE (a file, or - for stdin) to stdout.\n",
    render_options,
    "\n"
    "In code languages a value is escaped for the lexical context of its tag: a complete literal in\n"
    "code position, escaped contents inside a string literal; tags in comments, template literals,\n"
    "raw or long strings are refused. A missing name is an error except with --spec.\n"
    "Exit status: 0 rendered, 1 a template or data error, 2 a usage error.\n",
    1, {offsetof(render_opts, tpath)}, 1, "no TEMPLATE given (see bundlegen render --help)", "bundlegen",
};

static cJSON *load_json(const char *path)
{
    buf b = BUF_INIT;
    b.limit = 64u << 20;
    if (buf_read_file(&b, path) < 0) {
        fprintf(stderr, "bundlegen: render: --data %s: %s\n", path, strerror(errno));
        buf_free(&b);
        return NULL;
    }
    const char *end = NULL;
    long nul = value_json_nul_escape(b.data ? b.data : "", b.len);
    cJSON *v = nul >= 0 ? NULL : cJSON_ParseWithLengthOpts(b.data ? b.data : "", b.len, &end, 0);
    if (!v) {
        size_t off = nul >= 0 ? (size_t)nul : end && b.data ? (size_t)(end - b.data) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < off && i < b.len; i++) { if (b.data[i] == '\n') { line++; col = 1; } else col++; }
        fprintf(stderr, "bundlegen: render: --data %s:%d:%d: %s\n", path, line, col,
                nul >= 0 ? "\\u0000 in a string: NUL cannot be passed to templates" : "invalid JSON");
    }
    buf_free(&b);
    return v;
}

int cli_render(int argc, char **argv)
{
    render_opts o = {0};
    int prc = cli_parse(&render_cmd, argc, argv, &o);
    cli_done(&render_cmd, &o);
    if (prc) return prc == 1 ? 0 : 2;
    const char *tpath = o.tpath, *data_path = o.data, *pdir = o.partials, *lang_arg = o.lang;
    int spec = o.spec;
    if (spec && lang_arg) { fprintf(stderr, "bundlegen: render: --spec and --lang exclude each other\n"); return 2; }
    tmpl_lang lang = LANG_TEXT;
    if (spec) lang = LANG_SPEC;
    else if (lang_arg && lang_from_name(lang_arg, &lang) < 0) {
        fprintf(stderr, "bundlegen: render: --lang %s: unknown language; known: %s\n", lang_arg, lang_names());
        return 2;
    } else if (!lang_arg && strcmp(tpath, "-") != 0 && lang_from_path(tpath, &lang) < 0) {
        lang = LANG_TEXT;
    }

    int rc = 1;
    buf src = BUF_INIT;
    src.limit = 16u << 20;
    cJSON *data = NULL;
    tmpl_set *set = tmpl_set_new();
    tmpl_error err;
    buf out = BUF_INIT;
    if (!set) { fprintf(stderr, "bundlegen: render: out of memory\n"); goto done; }
    if (buf_read_file(&src, tpath) < 0) {
        fprintf(stderr, "bundlegen: render: %s: %s\n", tpath, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        goto done;
    }
    data = data_path ? load_json(data_path) : cJSON_CreateObject();
    if (!data) goto done;
    if (pdir && tmpl_set_load_dir_as(set, pdir, spec ? (int)LANG_SPEC : -1, &err) < 0) {
        fprintf(stderr, "bundlegen: render: --partials %s: %s\n", pdir, err.message);
        goto done;
    }
    const char *name = strcmp(tpath, "-") == 0 ? "(stdin)" : tpath;
    if (tmpl_set_add(set, name, src.data ? src.data : "", src.len, lang, &err) < 0 || tmpl_set_link(set, &err) < 0 ||
        tmpl_render(set, name, data, NULL, &out, &err) < 0) {
        fprintf(stderr, "bundlegen: render: %s\n", err.message);
        goto done;
    }
    if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
        fprintf(stderr, "bundlegen: render: writing stdout: %s\n", strerror(errno));
        goto done;
    }
    if (fflush(stdout) != 0) { fprintf(stderr, "bundlegen: render: writing stdout: %s\n", strerror(errno)); goto done; }
    rc = 0;
done:
    buf_free(&out);
    buf_free(&src);
    cJSON_Delete(data);
    tmpl_set_free(set);
    return rc;
}
