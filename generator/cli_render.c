/* cli_render.c -- "bundlegen render": one template, JSON data, optional partials, to stdout.
 * The language comes from --lang, --spec, or the template's file extension. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "tmpl.h"
#include "value.h"

static const char render_help[] =
    "usage: bundlegen render TEMPLATE [--data FILE.json] [--partials DIR] [--lang LANG | --spec]\n"
    "\n"
    "Renders TEMPLATE (a file, or - for stdin) to stdout.\n"
    "  --data FILE      the JSON data (default: an empty object)\n"
    "  --partials DIR   every file below DIR is a partial, named by its path relative to DIR\n"
    "                   ({{> _shared/client.js}}); a .mustache suffix is dropped from names\n"
    "  --lang LANG      the output language: spec, text, js, python, lua, xml, yaml, json, toml, rust;\n"
    "                   default: from TEMPLATE's extension (name.js or name.js.mustache), else text\n"
    "  --spec           plain Mustache as the spec defines it: HTML escaping, lenient missing names\n"
    "\n"
    "In code languages a value is escaped for the lexical context of its tag: a complete literal in\n"
    "code position, escaped contents inside a string literal; tags in comments, template literals,\n"
    "raw or long strings are refused. A missing name is an error except with --spec.\n"
    "Exit status: 0 rendered, 1 a template or data error, 2 a usage error.\n";

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
    const char *tpath = NULL, *data_path = NULL, *pdir = NULL, *lang_arg = NULL;
    int spec = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) { fputs(render_help, stdout); return 0; }
        if ((strcmp(a, "--data") == 0 || strcmp(a, "--partials") == 0 || strcmp(a, "--lang") == 0)) {
            if (i + 1 >= argc) { fprintf(stderr, "bundlegen: render: %s needs a value\n", a); return 2; }
            const char **dst = a[2] == 'd' ? &data_path : a[2] == 'p' ? &pdir : &lang_arg;
            *dst = argv[++i];
        } else if (strcmp(a, "--spec") == 0) {
            spec = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "bundlegen: render: unknown option '%s' (see bundlegen render --help)\n", a);
            return 2;
        } else if (!tpath) {
            tpath = a;
        } else {
            fprintf(stderr, "bundlegen: render: only one TEMPLATE may be given ('%s')\n", a);
            return 2;
        }
    }
    if (!tpath) { fprintf(stderr, "bundlegen: render: no TEMPLATE given (see bundlegen render --help)\n"); return 2; }
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
