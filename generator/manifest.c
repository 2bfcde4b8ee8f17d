/* manifest.c -- strict loading of platform manifests and the shared parameter file with libyaml.
 * Walks the YAML document against the schema; the first problem stops the load with file:line:col. */
#include "manifest.h"
#include "units.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>
#include "yamldoc.h"

#define MAX_FILE (1024 * 1024)

typedef yamldoc ctx;

static const char *const param_keys[] = {
    "name", "type", "items", "required", "secret", "default", "values", "min", "max",
    "min_items", "max_items", "pattern", "description", NULL
};
enum { K_NAME, K_TYPE, K_ITEMS, K_REQUIRED, K_SECRET, K_DEFAULT, K_VALUES, K_MIN, K_MAX,
       K_MIN_ITEMS, K_MAX_ITEMS, K_PATTERN, K_DESCRIPTION, K_PARAM_COUNT };

static const char *const top_keys[] = {
    "id", "name", "runtime", "version", "archive", "archive_name", "files", "common", "parameters",
    "checks", "archives", "limits", NULL
};
enum { T_ID, T_NAME, T_RUNTIME, T_VERSION, T_ARCHIVE, T_ARCHIVE_NAME, T_FILES, T_COMMON, T_PARAMETERS,
       T_CHECKS, T_ARCHIVES, T_LIMITS, T_COUNT };

static const char *const reserved[] = {"platform", "version", "generator_version", "protocol_version", "time",
                                       "content_digest", "node_backends", "node_urls", NULL};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static const char *kind_of(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? "a scalar" : n->type == YAML_SEQUENCE_NODE ? "a sequence" : "a mapping";
}

/* The text of a scalar node, or NULL after an error naming what. */
static const char *scalar(ctx *c, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE) {
        yamldoc_fail(c, n, "%s: expected a scalar, found %s", what, kind_of(n));
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length) {
        yamldoc_fail(c, n, "%s: holds a NUL character", what);
        return NULL;
    }
    return s;
}

static int expect(ctx *c, const yaml_node_t *n, yaml_node_type_t t, const char *what)
{
    if (n->type == t) return 0;
    return yamldoc_fail(c, n, "%s: expected %s, found %s", what,
                   t == YAML_SEQUENCE_NODE ? "a sequence" : t == YAML_MAPPING_NODE ? "a mapping" : "a scalar",
                   kind_of(n));
}

/* Splits a mapping into the values of the allowed keys (NULL when absent); unknown or repeated
 * keys are errors. */
static int fields(ctx *c, const yaml_node_t *n, const char *what, const char *const *keys, yaml_node_t **out)
{
    size_t nk = 0;
    while (keys[nk]) out[nk++] = NULL;
    if (expect(c, n, YAML_MAPPING_NODE, what) < 0) return -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yamldoc_node(c, p->key), *v = yamldoc_node(c, p->value);
        const char *name = scalar(c, k, what);
        if (!name) return -1;
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], name)) i++;
        if (!keys[i]) {
            char allowed[512] = "";
            for (size_t j = 0; keys[j]; j++) {
                size_t l = strlen(allowed);
                snprintf(allowed + l, sizeof allowed - l, "%s%s", j ? ", " : "", keys[j]);
            }
            return yamldoc_fail(c, k, "%s: unknown key \"%s\" (allowed: %s)", what, name, allowed);
        }
        if (out[i]) return yamldoc_fail(c, k, "%s: key \"%s\" given twice", what, name);
        out[i] = v;
    }
    return 0;
}

static int need(ctx *c, const yaml_node_t *map, yaml_node_t *v, const char *what, const char *key)
{
    return v ? 0 : yamldoc_fail(c, map, "%s: missing required key \"%s\"", what, key);
}

/* Copies a scalar field into *dst (left NULL when the node is NULL). */
static int str_field(ctx *c, const yaml_node_t *n, const char *what, char **dst)
{
    if (!n) return 0;
    const char *s = scalar(c, n, what);
    if (!s) return -1;
    if (!(*dst = dupstr(s))) return yamldoc_fail(c, n, "%s: out of memory", what);
    return 0;
}

static int bool_field(ctx *c, const yaml_node_t *n, const char *what, const char *key, int *dst)
{
    if (!n) return 0;
    const char *s = scalar(c, n, what);
    if (!s) return -1;
    if (params_parse_bool(s, dst) < 0) return yamldoc_fail(c, n, "%s: %s: \"%s\" is not true or false", what, key, s);
    return 0;
}

static int int_text(const char *s, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (!*s || *end || errno || s[0] == '+' || s[0] == ' ' || s[0] == '\t' || x > 9007199254740991LL ||
        x < -9007199254740991LL)
        return -1;
    *v = x;
    return 0;
}

/* A bound in the unit of type t: integers as such, durations and sizes in their own syntax,
 * lengths as non-negative integers. */
static int bound_field(ctx *c, const yaml_node_t *n, const char *what, const char *key, param_type t, int count,
                       param_bound *b)
{
    if (!n) return 0;
    const char *s = scalar(c, n, what);
    if (!s) return -1;
    int bare = t == PT_DURATION && !count && params_parse_duration(s, &b->v) == UNITS_BARE;
    int ok = count || t == PT_STRING || t == PT_IDENTIFIER ? int_text(s, &b->v) == 0 && b->v >= 0
           : t == PT_DURATION ? params_parse_duration(s, &b->v) == 0
           : t == PT_SIZE ? params_parse_size(s, &b->v) == 0
           : int_text(s, &b->v) == 0;
    if (bare) return yamldoc_fail(c, n, "%s: %s: \"%s\": %s", what, key, s, UNITS_BARE_WHY);
    if (!ok)
        return yamldoc_fail(c, n, "%s: %s: \"%s\" is not %s", what, key, s,
                       count ? "a count" : t == PT_DURATION ? "a duration" : t == PT_SIZE ? "a size"
                       : t == PT_STRING || t == PT_IDENTIFIER ? "a length" : "an integer");
    b->set = 1;
    return 0;
}

/* A default as the parameter module takes it: a string, or an array of strings. */
static cJSON *raw_value(ctx *c, const yaml_node_t *n, const char *what)
{
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = scalar(c, n, what);
        return s ? cJSON_CreateString(s) : NULL;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        yamldoc_fail(c, n, "%s: expected a scalar or a sequence, found a mapping", what);
        return NULL;
    }
    cJSON *arr = cJSON_CreateArray();
    for (yaml_node_item_t *it = n->data.sequence.items.start; arr && it < n->data.sequence.items.top; it++) {
        const char *s = scalar(c, yamldoc_node(c, *it), what);
        if (!s) { cJSON_Delete(arr); return NULL; }
        cJSON_AddItemToArray(arr, cJSON_CreateString(s));
    }
    return arr;
}

/* Runs params_def_finish and places its error on the node the message is about. */
static int finish_def(ctx *c, param_def *d, const cJSON *raw, const char *what, yaml_node_t *const *f,
                      const yaml_node_t *map)
{
    char msg[768];
    if (params_def_finish(d, raw, msg, sizeof msg) == 0) return 0;
    static const struct { const char *prefix; int key; } at[] = {
        {"default", K_DEFAULT}, {"pattern", K_PATTERN}, {"values", K_VALUES}, {"min_items", K_MIN_ITEMS},
        {"min", K_MIN}, {"min/max", K_MAX}, {"items", K_ITEMS}, {"name", K_NAME},
    };
    const yaml_node_t *where = map;
    for (size_t i = 0; f && i < sizeof at / sizeof at[0]; i++)
        if (!strncmp(msg, at[i].prefix, strlen(at[i].prefix)) && f[at[i].key]) { where = f[at[i].key]; break; }
    return yamldoc_fail(c, where, "%s: %s", what, msg);
}

static int parse_param(ctx *c, const yaml_node_t *n, size_t index, param_def *d)
{
    yaml_node_t *f[K_PARAM_COUNT + 1];
    char what[128];
    snprintf(what, sizeof what, "parameters[%zu]", index);
    if (fields(c, n, what, param_keys, f) < 0 || need(c, n, f[K_NAME], what, "name") < 0 ||
        str_field(c, f[K_NAME], "name", &d->name) < 0)
        return -1;
    snprintf(what, sizeof what, "parameter \"%.64s\"", d->name);
    if (need(c, n, f[K_TYPE], what, "type") < 0) return -1;
    const char *t = scalar(c, f[K_TYPE], what);
    if (!t) return -1;
    if (params_type_from_name(t, &d->type) < 0)
        return yamldoc_fail(c, f[K_TYPE], "%s: type: unknown type \"%s\" (expected one of %s)", what, t, params_type_names());
    if (d->type == PT_LIST) {
        if (need(c, n, f[K_ITEMS], what, "items") < 0) return -1;
        const char *it = scalar(c, f[K_ITEMS], what);
        if (!it) return -1;
        if (params_type_from_name(it, &d->item) < 0 || d->item == PT_LIST)
            return yamldoc_fail(c, f[K_ITEMS], "%s: items: \"%s\" is not a scalar type (expected one of %s but list)",
                           what, it, params_type_names());
    } else if (f[K_ITEMS]) {
        return yamldoc_fail(c, f[K_ITEMS], "%s: items: only a list takes an element type", what);
    }
    param_type et = d->type == PT_LIST ? d->item : d->type;
    if (bool_field(c, f[K_REQUIRED], what, "required", &d->required) < 0 ||
        bool_field(c, f[K_SECRET], what, "secret", &d->secret) < 0 ||
        str_field(c, f[K_DESCRIPTION], what, &d->description) < 0 ||
        str_field(c, f[K_PATTERN], what, &d->pattern) < 0 ||
        bound_field(c, f[K_MIN], what, "min", et, 0, &d->min) < 0 ||
        bound_field(c, f[K_MAX], what, "max", et, 0, &d->max) < 0 ||
        bound_field(c, f[K_MIN_ITEMS], what, "min_items", et, 1, &d->min_items) < 0 ||
        bound_field(c, f[K_MAX_ITEMS], what, "max_items", et, 1, &d->max_items) < 0)
        return -1;
    if (f[K_VALUES]) {
        const yaml_node_t *v = f[K_VALUES];
        if (expect(c, v, YAML_SEQUENCE_NODE, what) < 0) return -1;
        size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (cnt > 256) return yamldoc_fail(c, v, "%s: values: more than 256 values", what);
        if (!(d->values = calloc(cnt + 1, sizeof *d->values))) return yamldoc_fail(c, v, "out of memory");
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
            const char *s = scalar(c, yamldoc_node(c, *it), what);
            if (!s) return -1;
            if (!(d->values[d->nvalues] = dupstr(s))) return yamldoc_fail(c, v, "out of memory");
            d->nvalues++;
        }
    }
    cJSON *raw = f[K_DEFAULT] ? raw_value(c, f[K_DEFAULT], what) : NULL;
    if (f[K_DEFAULT] && !raw) return -1;
    int rc = finish_def(c, d, raw, what, f, n);
    cJSON_Delete(raw);
    if (rc < 0) return -1;
    for (size_t i = 0; reserved[i]; i++)
        if (!strcmp(d->name, reserved[i]))
            return yamldoc_fail(c, f[K_NAME], "%s: the name is reserved for the render context", what);
    size_t l = strlen(d->name);
    if (l >= 3 && !strcmp(d->name + l - 3, "_is"))
        return yamldoc_fail(c, f[K_NAME], "%s: names ending in _is are reserved for enum flags", what);
    return 0;
}

/* Appends the parameters of a sequence node to *defs; names must be new. */
static int parse_params(ctx *c, const yaml_node_t *n, param_def **defs, size_t *count, const char *clash_note)
{
    if (expect(c, n, YAML_SEQUENCE_NODE, "parameters") < 0) return -1;
    size_t add = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (add > 1024) return yamldoc_fail(c, n, "parameters: more than 1024");
    param_def *nd = realloc(*defs, (*count + add + 1) * sizeof *nd);
    if (!nd) return yamldoc_fail(c, n, "out of memory");
    *defs = nd;
    size_t index = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++, index++) {
        param_def *d = &nd[*count];
        memset(d, 0, sizeof *d);
        int rc = parse_param(c, yamldoc_node(c, *it), index, d);
        for (size_t j = 0; rc == 0 && j < *count; j++)
            if (!strcmp(nd[j].name, d->name))
                rc = yamldoc_fail(c, yamldoc_node(c, *it), "parameter \"%s\": defined twice%s", d->name, clash_note);
        if (rc < 0) { params_def_clear(d); return -1; }
        (*count)++;
    }
    return 0;
}

static void free_defs(param_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) params_def_clear(&defs[i]);
    free(defs);
}

manifest_common *manifest_common_parse(const char *name, const char *src, size_t len,
                                       char *err, size_t errsz)
{
    ctx c = {.file = name, .err = err, .errsz = errsz};
    if (yamldoc_load(&c, src, len) < 0) return NULL;
    manifest_common *mc = calloc(1, sizeof *mc);
    static const char *const keys[] = {"parameters", NULL};
    yaml_node_t *f[2];
    yaml_node_t *root = yaml_document_get_root_node(&c.doc);
    int rc = !mc ? yamldoc_fail(&c, root, "out of memory")
           : fields(&c, root, "top level", keys, f) < 0 ? -1
           : need(&c, root, f[0], "top level", "parameters") < 0 ? -1
           : parse_params(&c, f[0], &mc->params, &mc->nparams, "");
    yaml_document_delete(&c.doc);
    if (rc < 0) { manifest_common_free(mc); return NULL; }
    return mc;
}

void manifest_common_free(manifest_common *mc)
{
    if (!mc) return;
    free_defs(mc->params, mc->nparams);
    free(mc);
}

/* ---- the manifest proper ---- */

static int valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z')) return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int valid_version(const char *s)
{
    for (int part = 0; part < 3; part++) {
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 9 || (n > 1 && s[0] == '0')) return 0;
        s += n;
        if (part < 2 && *s++ != '.') return 0;
    }
    return *s == '\0';
}

int manifest_safe_path(const char *p)
{
    if (!*p || p[0] == '/' || strlen(p) > 1024) return 0;
    for (const char *s = p;;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == '\\' || s[i] == 0x7f) return 0;
        if (!s[n]) return 1;
        s += n + 1;
    }
}

static int parse_archive_name(ctx *c, const yaml_node_t *n, manifest *m)
{
    if (!n) {
        const char *ext = m->archive == PACK_ZIP ? ".zip" : m->archive == PACK_TGZ ? ".tar.gz" : "";
        size_t need_len = strlen("{id}-{version}") + strlen(ext) + 1;
        if (!(m->archive_name = malloc(need_len))) return yamldoc_fail(c, n, "out of memory");
        snprintf(m->archive_name, need_len, "{id}-{version}%s", ext);
        return 0;
    }
    if (str_field(c, n, "archive_name", &m->archive_name) < 0) return -1;
    const char *s = m->archive_name;
    if (!*s || *s == '.' || strlen(s) > 200)
        return yamldoc_fail(c, n, "archive_name: \"%s\" must be a file name not starting with '.'", s);
    for (; *s; s++) {
        if (*s == '{') {
            if (!strncmp(s, "{id}", 4)) { s += 3; continue; }
            if (!strncmp(s, "{version}", 9)) { s += 8; continue; }
            return yamldoc_fail(c, n, "archive_name: unknown placeholder at \"%.12s\" (allowed: {id}, {version})", s);
        }
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *s))
            return yamldoc_fail(c, n, "archive_name: '%c' is not allowed (letters, digits, '.', '_', '-' and "
                           "the placeholders {id}, {version})", *s);
    }
    return 0;
}

static int parse_files(ctx *c, const yaml_node_t *n, const char *templates, manifest *m)
{
    static const char *const keys[] = {"template", "path", "language", "mode", "digest", NULL};
    if (expect(c, n, YAML_SEQUENCE_NODE, "files") < 0) return -1;
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt == 0) return yamldoc_fail(c, n, "files: a bundle needs at least one file");
    if (cnt > 1024) return yamldoc_fail(c, n, "files: more than 1024");
    if (!(m->files = calloc(cnt, sizeof *m->files))) return yamldoc_fail(c, n, "out of memory");
    size_t digests = 0;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yamldoc_node(c, *it), *f[6];
        char what[64];
        snprintf(what, sizeof what, "files[%zu]", m->nfiles);
        manifest_file *mf = &m->files[m->nfiles++];
        mf->mode = 0644;
        if (fields(c, item, what, keys, f) < 0 || need(c, item, f[0], what, "template") < 0 ||
            str_field(c, f[0], what, &mf->tmpl) < 0 || str_field(c, f[1], what, &mf->path) < 0)
            return -1;
        if (!manifest_safe_path(mf->tmpl))
            return yamldoc_fail(c, f[0], "%s: template: \"%s\" is not a relative path under templates/", what, mf->tmpl);
        if (templates) {
            char full[4200];
            struct stat st;
            snprintf(full, sizeof full, "%s/%s", templates, mf->tmpl);
            if (stat(full, &st) < 0 || !S_ISREG(st.st_mode))
                return yamldoc_fail(c, f[0], "%s: template: %s: %s", what, full,
                               errno == ENOENT ? "no such file" : "not a regular file");
        }
        if (!mf->path) {
            const char *p = mf->tmpl;
            size_t il = strlen(m->id);
            if (!strncmp(p, m->id, il) && p[il] == '/') p += il + 1;
            if (!(mf->path = dupstr(p))) return yamldoc_fail(c, item, "out of memory");
            size_t pl = strlen(mf->path);
            if (pl > 9 && !strcmp(mf->path + pl - 9, ".mustache")) mf->path[pl - 9] = '\0';
        }
        if (!manifest_safe_path(mf->path))
            return yamldoc_fail(c, f[1] ? f[1] : f[0], "%s: path: \"%s\" is not a safe relative path", what, mf->path);
        for (size_t j = 0; j + 1 < m->nfiles; j++)
            if (!strcmp(m->files[j].path, mf->path))
                return yamldoc_fail(c, item, "%s: path \"%s\" is already used by files[%zu]", what, mf->path, j);
        if (f[2]) {
            const char *l = scalar(c, f[2], what);
            if (!l) return -1;
            if (lang_from_name(l, &mf->lang) < 0)
                return yamldoc_fail(c, f[2], "%s: language: unknown language \"%s\" (expected one of %s)", what, l, lang_names());
            mf->has_lang = 1;
        } else if (lang_from_path(mf->tmpl, &mf->lang) < 0) {
            mf->lang = LANG_TEXT;
        }
        if (f[3]) {
            const char *md = scalar(c, f[3], what);
            if (!md) return -1;
            if (!strcmp(md, "0644") || !strcmp(md, "644")) mf->mode = 0644;
            else if (!strcmp(md, "0755") || !strcmp(md, "755")) mf->mode = 0755;
            else return yamldoc_fail(c, f[3], "%s: mode: \"%s\" is not 0644 or 0755", what, md);
        }
        if (bool_field(c, f[4], what, "digest", &mf->digest) < 0) return -1;
        digests += mf->digest;
    }
    if (digests == m->nfiles)
        return yamldoc_fail(c, n, "files: every file has digest: true, so there is nothing to digest");
    return 0;
}

static int parse_checks(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"file", "run", NULL};
    if (expect(c, n, YAML_SEQUENCE_NODE, "checks") < 0) return -1;
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt > 1024) return yamldoc_fail(c, n, "checks: more than 1024");
    if (cnt && !(m->checks = calloc(cnt, sizeof *m->checks))) return yamldoc_fail(c, n, "out of memory");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yamldoc_node(c, *it), *f[2];
        char what[64];
        snprintf(what, sizeof what, "checks[%zu]", m->nchecks);
        manifest_check *mc = &m->checks[m->nchecks++];
        if (fields(c, item, what, keys, f) < 0 || need(c, item, f[0], what, "file") < 0 ||
            need(c, item, f[1], what, "run") < 0 || str_field(c, f[0], what, &mc->file) < 0 ||
            str_field(c, f[1], what, &mc->run) < 0)
            return -1;
        size_t j = 0;
        while (j < m->nfiles && strcmp(m->files[j].path, mc->file)) j++;
        if (j == m->nfiles) return yamldoc_fail(c, f[0], "%s: file: \"%s\" is not a file of the bundle", what, mc->file);
        if (!*mc->run || strspn(mc->run, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(mc->run))
            return yamldoc_fail(c, f[1], "%s: run: \"%s\" is not a check name ([a-z0-9-]+)", what, mc->run);
    }
    return 0;
}

/* Whether path is folder or below it. */
static int below(const char *path, const char *folder)
{
    size_t l = strlen(folder);
    return !strncmp(path, folder, l) && (path[l] == '/' || !path[l]);
}

/* archives: [{path: X.zip, from: FOLDER}]: the files below FOLDER packed into X.zip (or X.tar.gz) in the
 * bundle, in place of the loose files; folders may not overlap, an inner archive may not hold another. */
static int parse_archives(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"path", "from", NULL};
    if (expect(c, n, YAML_SEQUENCE_NODE, "archives") < 0) return -1;
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (cnt > 256) return yamldoc_fail(c, n, "archives: more than 256");
    if (cnt && !(m->archives = calloc(cnt, sizeof *m->archives))) return yamldoc_fail(c, n, "out of memory");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *item = yamldoc_node(c, *it), *f[2];
        char what[64];
        snprintf(what, sizeof what, "archives[%zu]", m->narchives);
        manifest_archive *a = &m->archives[m->narchives++];
        if (fields(c, item, what, keys, f) < 0 || need(c, item, f[0], what, "path") < 0 ||
            need(c, item, f[1], what, "from") < 0 || str_field(c, f[0], what, &a->path) < 0 ||
            str_field(c, f[1], what, &a->from) < 0)
            return -1;
        size_t pl = strlen(a->path);
        if (!manifest_safe_path(a->path))
            return yamldoc_fail(c, f[0], "%s: path: \"%s\" is not a safe relative path", what, a->path);
        if (pl > 4 && !strcmp(a->path + pl - 4, ".zip")) a->kind = PACK_ZIP;
        else if (pl > 7 && !strcmp(a->path + pl - 7, ".tar.gz")) a->kind = PACK_TGZ;
        else return yamldoc_fail(c, f[0], "%s: path: \"%s\" does not end in .zip or .tar.gz", what, a->path);
        if (!manifest_safe_path(a->from))
            return yamldoc_fail(c, f[1], "%s: from: \"%s\" is not a safe relative path", what, a->from);
        size_t held = 0;
        for (size_t j = 0; j < m->nfiles; j++) {
            if (below(m->files[j].path, a->from)) held++;
            if (!strcmp(m->files[j].path, a->from))
                return yamldoc_fail(c, f[1], "%s: from: \"%s\" is a file, not a folder", what, a->from);
            if (below(m->files[j].path, a->path) || below(a->path, m->files[j].path))
                return yamldoc_fail(c, f[0], "%s: path: \"%s\" clashes with the file %s", what, a->path,
                                    m->files[j].path);
        }
        if (!held) return yamldoc_fail(c, f[1], "%s: from: no file of the bundle is below \"%s\"", what, a->from);
        for (size_t j = 0; j + 1 < m->narchives; j++) {
            const manifest_archive *b = &m->archives[j];
            if (below(a->from, b->from) || below(b->from, a->from))
                return yamldoc_fail(c, f[1], "%s: from: \"%s\" overlaps archives[%zu]", what, a->from, j);
            if (below(a->path, b->path) || below(b->path, a->path) || below(a->path, b->from))
                return yamldoc_fail(c, f[0], "%s: path: \"%s\" clashes with archives[%zu]", what, a->path, j);
        }
        for (size_t j = 0; j + 1 < m->narchives; j++)
            if (below(m->archives[j].path, a->from))
                return yamldoc_fail(c, f[1], "%s: from: \"%s\" would hold archives[%zu]", what, a->from, j);
    }
    return 0;
}

/* A limit's source: the vendor document, as an http(s) URL. */
static int source_field(ctx *c, const yaml_node_t *map, yaml_node_t *n, const char *what, char **dst)
{
    if (need(c, map, n, what, "source") < 0 || str_field(c, n, what, dst) < 0) return -1;
    if (strncmp(*dst, "https://", 8) && strncmp(*dst, "http://", 7))
        return yamldoc_fail(c, n, "%s: source: \"%s\" is not the vendor document's URL", what, *dst);
    return 0;
}

/* {max: SIZE, source: URL}; param, when not NULL, must be a parameter of the platform. */
static int limit_size(ctx *c, const yaml_node_t *n, const char *what, const char *param, const manifest *m,
                      plimits_size *out)
{
    static const char *const keys[] = {"max", "source", NULL};
    yaml_node_t *f[2];
    param_bound b = {0, 0};
    if (!n) return 0;
    if (fields(c, n, what, keys, f) < 0 || need(c, n, f[0], what, "max") < 0 ||
        bound_field(c, f[0], what, "max", PT_SIZE, 0, &b) < 0 || source_field(c, n, f[1], what, &out->source) < 0)
        return -1;
    if (param && !manifest_param(m, param))
        return yamldoc_fail(c, n, "%s: the platform has no %s parameter to bound", what, param);
    out->set = 1;
    out->max = b.v;
    return 0;
}

static int limit_endpoint(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"schemes", "port", "source", NULL};
    yaml_node_t *f[3];
    plimits *l = &m->limits;
    if (fields(c, n, "limits.endpoint", keys, f) < 0 || need(c, n, f[0], "limits.endpoint", "schemes") < 0 ||
        need(c, n, f[1], "limits.endpoint", "port") < 0 ||
        bool_field(c, f[1], "limits.endpoint", "port", &l->port_allowed) < 0 ||
        source_field(c, n, f[2], "limits.endpoint", &l->endpoint_source) < 0 ||
        expect(c, f[0], YAML_SEQUENCE_NODE, "limits.endpoint.schemes") < 0)
        return -1;
    for (yaml_node_item_t *it = f[0]->data.sequence.items.start; it < f[0]->data.sequence.items.top; it++) {
        yaml_node_t *e = yamldoc_node(c, *it);
        const char *s = scalar(c, e, "limits.endpoint.schemes");
        if (!s) return -1;
        if (!strcmp(s, "http")) l->scheme_http = 1;
        else if (!strcmp(s, "https")) l->scheme_https = 1;
        else return yamldoc_fail(c, e, "limits.endpoint.schemes: \"%s\" is not http or https", s);
    }
    if (!l->scheme_http && !l->scheme_https) return yamldoc_fail(c, f[0], "limits.endpoint.schemes: empty");
    l->has_endpoint = 1;
    return 0;
}

static int limit_time(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"budget", "margin", "what", "source", "report_awaited", NULL};
    yaml_node_t *f[5];
    plimits *l = &m->limits;
    param_bound budget = {0, 0}, margin = {0, 0};
    if (fields(c, n, "limits.time", keys, f) < 0 || need(c, n, f[0], "limits.time", "budget") < 0 ||
        need(c, n, f[2], "limits.time", "what") < 0 ||
        bound_field(c, f[0], "limits.time", "budget", PT_DURATION, 0, &budget) < 0 ||
        bound_field(c, f[1], "limits.time", "margin", PT_DURATION, 0, &margin) < 0 ||
        str_field(c, f[2], "limits.time.what", &l->time_what) < 0 ||
        source_field(c, n, f[3], "limits.time", &l->time_source) < 0 ||
        bool_field(c, f[4], "limits.time", "report_awaited", &l->report_awaited) < 0)
        return -1;
    if (!manifest_param(m, "request_timeout"))
        return yamldoc_fail(c, n, "limits.time: the platform has no request_timeout parameter to bound");
    if (l->report_awaited && !manifest_param(m, "report_response"))
        return yamldoc_fail(c, f[4], "limits.time: report_awaited: the platform has no report_response parameter");
    if (margin.v >= budget.v) return yamldoc_fail(c, f[1], "limits.time: margin: not below the budget");
    l->has_time = 1;
    l->budget_ms = budget.v;
    l->margin_ms = margin.v;
    return 0;
}

/* {max: INTEGER >= 1, what: TEXT, source: URL}: endpoints x (1 + retries) may not exceed max. */
static int limit_attempts(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"max", "what", "source", NULL};
    yaml_node_t *f[3];
    plimits *l = &m->limits;
    param_bound max = {0, 0};
    if (fields(c, n, "limits.attempts", keys, f) < 0 || need(c, n, f[0], "limits.attempts", "max") < 0 ||
        need(c, n, f[1], "limits.attempts", "what") < 0 ||
        bound_field(c, f[0], "limits.attempts", "max", PT_INTEGER, 0, &max) < 0 ||
        str_field(c, f[1], "limits.attempts.what", &l->attempts_what) < 0 ||
        source_field(c, n, f[2], "limits.attempts", &l->attempts_source) < 0)
        return -1;
    if (max.v < 1) return yamldoc_fail(c, f[0], "limits.attempts: max: below 1");
    l->has_attempts = 1;
    l->attempts_max = max.v;
    return 0;
}

/* limits: {endpoint, time, attempts, request_body, response_body, bundle, unpacked}, every part optional. */
static int parse_limits(ctx *c, const yaml_node_t *n, manifest *m)
{
    static const char *const keys[] = {"endpoint", "time", "request_body", "response_body", "bundle", "unpacked",
                                       "attempts", NULL};
    yaml_node_t *f[7];
    if (fields(c, n, "limits", keys, f) < 0) return -1;
    if (f[0] && limit_endpoint(c, f[0], m) < 0) return -1;
    if (f[1] && limit_time(c, f[1], m) < 0) return -1;
    if (f[6] && limit_attempts(c, f[6], m) < 0) return -1;
    return limit_size(c, f[2], "limits.request_body", "request_body_limit", m, &m->limits.request_body) < 0 ||
           limit_size(c, f[3], "limits.response_body", "response_body_limit", m, &m->limits.response_body) < 0 ||
           limit_size(c, f[4], "limits.bundle", NULL, m, &m->limits.bundle) < 0 ||
           limit_size(c, f[5], "limits.unpacked", NULL, m, &m->limits.unpacked) < 0 ? -1 : 0;
}

static long common_index(const manifest_common *mc, const char *name)
{
    for (size_t i = 0; mc && i < mc->nparams; i++)
        if (!strcmp(mc->params[i].name, name)) return (long)i;
    return -1;
}

static int unknown_common(ctx *c, const yaml_node_t *n, const char *what, const char *name,
                          const manifest_common *mc)
{
    char known[1024] = "";
    for (size_t i = 0; mc && i < mc->nparams; i++) {
        size_t l = strlen(known);
        snprintf(known + l, sizeof known - l, "%s%s", i ? ", " : "", mc->params[i].name);
    }
    return yamldoc_fail(c, n, "%s: \"%s\" is not a common parameter (known: %s)", what, name, known);
}

/* Sets use[i] = on for every common parameter named in the sequence n. */
static int mark_names(ctx *c, const yaml_node_t *n, const char *what, const manifest_common *mc, char *use, int on)
{
    if (expect(c, n, YAML_SEQUENCE_NODE, what) < 0) return -1;
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = yamldoc_node(c, *it);
        const char *s = scalar(c, e, what);
        if (!s) return -1;
        long i = common_index(mc, s);
        if (i < 0) return unknown_common(c, e, what, s, mc);
        if (!on && !strcmp(s, "endpoint")) return yamldoc_fail(c, e, "%s: endpoint cannot be dropped", what);
        use[i] = (char)on;
    }
    return 0;
}

/* common: {include: all | [names], exclude: [names], defaults: {name: value}} */
static int parse_common(ctx *c, const yaml_node_t *n, const manifest_common *mc, manifest *m)
{
    static const char *const keys[] = {"include", "exclude", "defaults", NULL};
    yaml_node_t *f[3];
    size_t nc = mc ? mc->nparams : 0;
    if (fields(c, n, "common", keys, f) < 0 || need(c, n, f[0], "common", "include") < 0) return -1;
    char *use = calloc(nc + 1, 1);
    if (!use) return yamldoc_fail(c, n, "out of memory");
    int rc = 0;
    if (f[0]->type == YAML_SCALAR_NODE) {
        const char *s = scalar(c, f[0], "common.include");
        if (!s) rc = -1;
        else if (strcmp(s, "all")) rc = yamldoc_fail(c, f[0], "common.include: expected \"all\" or a list of names");
        else memset(use, 1, nc);
    } else {
        rc = mark_names(c, f[0], "common.include", mc, use, 1);
    }
    if (rc == 0 && f[1]) rc = mark_names(c, f[1], "common.exclude", mc, use, 0);
    if (rc == 0) {
        size_t k = 0;
        for (size_t i = 0; i < nc; i++) k += use[i] ? 1 : 0;
        if (!(m->params = calloc(k + 1, sizeof *m->params))) rc = yamldoc_fail(c, n, "out of memory");
        for (size_t i = 0; rc == 0 && i < nc; i++) {
            if (!use[i]) continue;
            if (params_def_copy(&m->params[m->nparams], &mc->params[i]) < 0) rc = yamldoc_fail(c, n, "out of memory");
            else m->nparams++;
        }
    }
    if (rc == 0 && f[2]) {
        if (expect(c, f[2], YAML_MAPPING_NODE, "common.defaults") < 0) rc = -1;
        for (yaml_node_pair_t *p = f[2]->data.mapping.pairs.start; rc == 0 && p < f[2]->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yamldoc_node(c, p->key), *v = yamldoc_node(c, p->value);
            const char *s = scalar(c, k, "common.defaults");
            size_t i = 0;
            while (s && i < m->nparams && strcmp(m->params[i].name, s)) i++;
            if (!s) { rc = -1; break; }
            if (i == m->nparams) {
                rc = common_index(mc, s) < 0 ? unknown_common(c, k, "common.defaults", s, mc)
                   : yamldoc_fail(c, k, "common.defaults: \"%s\" is not included", s);
                break;
            }
            char what[128];
            snprintf(what, sizeof what, "common.defaults.%s", s);
            cJSON *raw = raw_value(c, v, what);
            if (!raw) { rc = -1; break; }
            char msg[768];
            if (params_def_finish(&m->params[i], raw, msg, sizeof msg) < 0) rc = yamldoc_fail(c, v, "%s: %s", what, msg);
            cJSON_Delete(raw);
        }
    }
    free(use);
    return rc;
}

static int parse_manifest(ctx *c, const manifest_common *mc, const char *templates, manifest *m)
{
    yaml_node_t *root = yaml_document_get_root_node(&c->doc), *f[T_COUNT + 1];
    if (fields(c, root, "top level", top_keys, f) < 0) return -1;
    static const int required[] = {T_ID, T_NAME, T_RUNTIME, T_VERSION, T_ARCHIVE, T_FILES, T_COMMON};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (need(c, root, f[required[i]], "top level", top_keys[required[i]]) < 0) return -1;
    if (str_field(c, f[T_ID], "id", &m->id) < 0 || str_field(c, f[T_NAME], "name", &m->name) < 0 ||
        str_field(c, f[T_RUNTIME], "runtime", &m->runtime) < 0 ||
        str_field(c, f[T_VERSION], "version", &m->version) < 0)
        return -1;
    if (!valid_id(m->id))
        return yamldoc_fail(c, f[T_ID], "id: \"%s\" is not a platform id ([a-z][a-z0-9_-]*, up to 64)", m->id);
    const char *base = strrchr(c->file, '/');
    base = base ? base + 1 : c->file;
    size_t bl = strlen(base);
    if (bl > 5 && !strcmp(base + bl - 5, ".yaml") && (bl - 5 != strlen(m->id) || strncmp(base, m->id, bl - 5)))
        return yamldoc_fail(c, f[T_ID], "id: \"%s\" does not match the file name %s", m->id, base);
    if (!*m->name) return yamldoc_fail(c, f[T_NAME], "name: empty");
    if (!*m->runtime) return yamldoc_fail(c, f[T_RUNTIME], "runtime: empty");
    if (!valid_version(m->version))
        return yamldoc_fail(c, f[T_VERSION], "version: \"%s\" is not MAJOR.MINOR.PATCH", m->version);
    const char *ar = scalar(c, f[T_ARCHIVE], "archive");
    if (!ar) return -1;
    if (pack_kind_parse(ar, &m->archive) < 0)
        return yamldoc_fail(c, f[T_ARCHIVE], "archive: \"%s\" is not one of zip, tar.gz, files", ar);
    if (parse_archive_name(c, f[T_ARCHIVE_NAME], m) < 0 || parse_files(c, f[T_FILES], templates, m) < 0 ||
        parse_common(c, f[T_COMMON], mc, m) < 0)
        return -1;
    if (f[T_PARAMETERS] &&
        parse_params(c, f[T_PARAMETERS], &m->params, &m->nparams,
                     " (a common parameter's default is changed under common.defaults)") < 0)
        return -1;
    if (f[T_CHECKS] && parse_checks(c, f[T_CHECKS], m) < 0) return -1;
    if (f[T_ARCHIVES] && parse_archives(c, f[T_ARCHIVES], m) < 0) return -1;
    if (f[T_LIMITS] && parse_limits(c, f[T_LIMITS], m) < 0) return -1;
    return 0;
}

manifest *manifest_parse(const char *name, const char *src, size_t len, const manifest_common *common,
                         const char *templates, char *err, size_t errsz)
{
    ctx c = {.file = name, .err = err, .errsz = errsz};
    if (yamldoc_load(&c, src, len) < 0) return NULL;
    manifest *m = calloc(1, sizeof *m);
    int rc = m ? parse_manifest(&c, common, templates, m) : yamldoc_fail(&c, NULL, "out of memory");
    yaml_document_delete(&c.doc);
    if (rc < 0) { manifest_free(m); return NULL; }
    return m;
}

void manifest_free(manifest *m)
{
    if (!m) return;
    free(m->id); free(m->name); free(m->runtime); free(m->version); free(m->archive_name);
    for (size_t i = 0; m->files && i < m->nfiles; i++) { free(m->files[i].tmpl); free(m->files[i].path); }
    free(m->files);
    free_defs(m->params, m->nparams);
    for (size_t i = 0; m->checks && i < m->nchecks; i++) { free(m->checks[i].file); free(m->checks[i].run); }
    free(m->checks);
    for (size_t i = 0; m->archives && i < m->narchives; i++) { free(m->archives[i].path); free(m->archives[i].from); }
    free(m->archives);
    plimits_clear(&m->limits);
    free(m);
}

/* ---- files on disk ---- */

static char *read_text(const char *path, size_t *len, char *err, size_t errsz)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) { snprintf(err, errsz, "%s: %s", path, strerror(errno)); return NULL; }
    char *data = malloc(MAX_FILE + 1);
    size_t n = data ? fread(data, 1, MAX_FILE + 1, fp) : 0;
    int bad = !data || ferror(fp) || n > MAX_FILE;
    fclose(fp);
    if (bad) {
        snprintf(err, errsz, "%s: %s", path, !data ? "out of memory" : n > MAX_FILE ? "larger than 1 MiB" : "read error");
        free(data);
        return NULL;
    }
    data[n] = '\0';
    *len = n;
    return data;
}

static void join(char *out, size_t sz, const char *root, const char *rest)
{
    if (!strcmp(root, ".")) snprintf(out, sz, "%s", rest);
    else snprintf(out, sz, "%s/%s", root, rest);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int manifest_list(const char *root, char ***ids, size_t *n, char *err, size_t errsz)
{
    char dir[4096];
    join(dir, sizeof dir, root, "platforms");
    *ids = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) { snprintf(err, errsz, "%s: %s", dir, strerror(errno)); return -1; }
    struct dirent *e;
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 5 || e->d_name[0] == '_' || e->d_name[0] == '.' || strcmp(e->d_name + l - 5, ".yaml")) continue;
        if (*n == cap) {
            char **g = realloc(*ids, (cap = cap ? cap * 2 : 16) * sizeof *g);
            if (!g) { rc = -1; break; }
            *ids = g;
        }
        if (!((*ids)[*n] = malloc(l - 4))) { rc = -1; break; }
        memcpy((*ids)[*n], e->d_name, l - 5);
        (*ids)[(*n)++][l - 5] = '\0';
    }
    closedir(d);
    if (rc < 0) {
        snprintf(err, errsz, "out of memory");
        manifest_list_free(*ids, *n);
        *ids = NULL;
        *n = 0;
        return -1;
    }
    if (*n) qsort(*ids, *n, sizeof **ids, by_name);
    return 0;
}

void manifest_list_free(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

manifest *manifest_load(const char *root, const char *id, char *err, size_t errsz)
{
    char **ids;
    size_t n;
    if (manifest_list(root, &ids, &n, err, errsz) < 0) return NULL;
    size_t i = 0;
    while (i < n && strcmp(ids[i], id)) i++;
    if (i == n) {
        int k = snprintf(err, errsz, "unknown platform \"%s\" (known: ", id);
        for (size_t j = 0; j < n && k >= 0 && (size_t)k < errsz; j++)
            k += snprintf(err + k, errsz - (size_t)k, "%s%s", j ? ", " : "", ids[j]);
        if (k >= 0 && (size_t)k < errsz) snprintf(err + k, errsz - (size_t)k, "%s)", n ? "" : "none");
        manifest_list_free(ids, n);
        return NULL;
    }
    manifest_list_free(ids, n);
    char cpath[4096], mpath[4096], tdir[4096], rel[128];
    join(cpath, sizeof cpath, root, "platforms/_common.yaml");
    snprintf(rel, sizeof rel, "platforms/%s.yaml", id);
    join(mpath, sizeof mpath, root, rel);
    join(tdir, sizeof tdir, root, "templates");
    size_t len;
    char *src = read_text(cpath, &len, err, errsz);
    if (!src) return NULL;
    manifest_common *mc = manifest_common_parse(cpath, src, len, err, errsz);
    free(src);
    if (!mc) return NULL;
    manifest *m = NULL;
    if ((src = read_text(mpath, &len, err, errsz))) m = manifest_parse(mpath, src, len, mc, tdir, err, errsz);
    free(src);
    manifest_common_free(mc);
    return m;
}

char *manifest_archive_file(const manifest *m, const char *version)
{
    buf b = BUF_INIT;
    for (const char *s = m->archive_name; *s; s++) {
        if (!strncmp(s, "{id}", 4)) { buf_puts(&b, m->id); s += 3; }
        else if (!strncmp(s, "{version}", 9)) { buf_puts(&b, version); s += 8; }
        else buf_putc(&b, *s);
    }
    return buf_detach(&b);
}

const param_def *manifest_param(const manifest *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (!strcmp(m->params[i].name, name)) return &m->params[i];
    return NULL;
}

cJSON *manifest_json(const manifest *m)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "id", m->id);
    cJSON_AddStringToObject(o, "name", m->name);
    cJSON_AddStringToObject(o, "runtime", m->runtime);
    cJSON_AddStringToObject(o, "version", m->version);
    cJSON_AddStringToObject(o, "archive", pack_kind_label(m->archive));
    cJSON_AddStringToObject(o, "archive_name", m->archive_name);
    char *file = manifest_archive_file(m, m->version);
    if (file) cJSON_AddStringToObject(o, "file_name", file);
    free(file);
    cJSON *files = cJSON_AddArrayToObject(o, "files");
    for (size_t i = 0; files && i < m->nfiles; i++) {
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "template", m->files[i].tmpl);
        cJSON_AddStringToObject(f, "path", m->files[i].path);
        cJSON_AddStringToObject(f, "language", lang_name(m->files[i].lang));
        cJSON_AddStringToObject(f, "mode", m->files[i].mode == 0755 ? "0755" : "0644");
        cJSON_AddBoolToObject(f, "digest", m->files[i].digest);
        cJSON_AddItemToArray(files, f);
    }
    cJSON *params = cJSON_AddArrayToObject(o, "parameters");
    for (size_t i = 0; params && i < m->nparams; i++) cJSON_AddItemToArray(params, params_def_json(&m->params[i]));
    cJSON *checks = cJSON_AddArrayToObject(o, "checks");
    for (size_t i = 0; checks && i < m->nchecks; i++) {
        cJSON *ck = cJSON_CreateObject();
        cJSON_AddStringToObject(ck, "file", m->checks[i].file);
        cJSON_AddStringToObject(ck, "run", m->checks[i].run);
        cJSON_AddItemToArray(checks, ck);
    }
    cJSON *archives = cJSON_AddArrayToObject(o, "archives");
    for (size_t i = 0; archives && i < m->narchives; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "path", m->archives[i].path);
        cJSON_AddStringToObject(a, "from", m->archives[i].from);
        cJSON_AddItemToArray(archives, a);
    }
    cJSON_AddItemToObject(o, "limits", plimits_json(&m->limits));
    return o;
}
