/* bundle.c -- renders a manifest's files with the template engine and packs them.
 * Deterministic: the same manifest, templates, context and time give the same bytes. */
#include "bundle.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void bundle_template_name(const manifest *m, size_t i, char *out, size_t outsz)
{
    const manifest_file *f = &m->files[i];
    size_t l = strlen(f->tmpl);
    if (l > 9 && !strcmp(f->tmpl + l - 9, ".mustache")) l -= 9;
    if (f->has_lang) snprintf(out, outsz, "%.*s@%s", (int)l, f->tmpl, lang_name(f->lang));
    else snprintf(out, outsz, "%.*s", (int)l, f->tmpl);
}

/* Adds templates/REL as template name in language lang. */
static int add_file(tmpl_set *s, const char *tdir, const char *rel, const char *name, tmpl_lang lang,
                    tmpl_error *te, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tdir, rel);
    buf src = BUF_INIT;
    src.limit = 16u << 20;
    if (buf_read_file(&src, path) < 0) {
        snprintf(err, errsz, "%s: cannot read: %s", path, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        buf_free(&src);
        return -1;
    }
    int rc = tmpl_set_add(s, name, src.data ? src.data : "", src.len, lang, te);
    if (rc < 0) snprintf(err, errsz, "templates: %s", te->message);
    buf_free(&src);
    return rc;
}

/* Adds every regular file below templates/REL, named by its path under templates/ with a
 * trailing .mustache dropped; symbolic links are refused. */
static int add_tree(tmpl_set *s, const char *tdir, const char *rel, int depth, tmpl_error *te,
                    char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", tdir, rel);
    DIR *d = depth > 16 ? NULL : opendir(path);
    if (!d) { snprintf(err, errsz, "%s: %s", path, depth > 16 ? "nested too deep" : strerror(errno)); return -1; }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[2048];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(path, sizeof path, "%s/%s", tdir, sub);
        if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode)) {
            snprintf(err, errsz, "%s: %s", path, S_ISLNK(st.st_mode) ? "symbolic links are refused" : strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = add_tree(s, tdir, sub, depth + 1, te, err, errsz);
        } else if (S_ISREG(st.st_mode)) {
            tmpl_lang lang;
            if (lang_from_path(sub, &lang) < 0) lang = LANG_TEXT;
            char name[2048];
            size_t l = strlen(sub);
            snprintf(name, sizeof name, "%.*s", (int)(l > 9 && !strcmp(sub + l - 9, ".mustache") ? l - 9 : l), sub);
            rc = add_file(s, tdir, sub, name, lang, te, err, errsz);
        }
    }
    closedir(d);
    return rc;
}

tmpl_set *bundle_templates(const char *root, const manifest *m, char *err, size_t errsz)
{
    char tdir[4096], name[2048];
    snprintf(tdir, sizeof tdir, "%s/templates", root);
    tmpl_set *s = tmpl_set_new();
    tmpl_error te;
    if (!s) { snprintf(err, errsz, "out of memory"); return NULL; }
    DIR *d = opendir(tdir);
    if (!d) {
        snprintf(err, errsz, "%s: %s", tdir, strerror(errno));
        tmpl_set_free(s);
        return NULL;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {     /* shared partials and the folders of m's files */
        int used = e->d_name[0] == '_';
        size_t l = strlen(e->d_name);
        for (size_t i = 0; !used && i < m->nfiles; i++)
            used = !strncmp(m->files[i].tmpl, e->d_name, l) && m->files[i].tmpl[l] == '/';
        if (used && e->d_name[0] != '.' && e->d_type == DT_DIR) rc = add_tree(s, tdir, e->d_name, 1, &te, err, errsz);
    }
    closedir(d);
    for (size_t i = 0; rc == 0 && i < m->nfiles; i++) {    /* files at the top, and language overrides */
        bundle_template_name(m, i, name, sizeof name);
        if (tmpl_set_has(s, name)) continue;
        tmpl_lang lang = m->files[i].lang;
        if (!m->files[i].has_lang && lang_from_path(m->files[i].tmpl, &lang) < 0) lang = LANG_TEXT;
        rc = add_file(s, tdir, m->files[i].tmpl, name, lang, &te, err, errsz);
    }
    if (rc == 0 && tmpl_set_link(s, &te) < 0) {
        snprintf(err, errsz, "templates: %s", te.message);
        rc = -1;
    }
    if (rc < 0) { tmpl_set_free(s); return NULL; }
    return s;
}

cJSON *bundle_context(const manifest *m, const char *version, cJSON *params)
{
    cJSON *ctx = params ? params : cJSON_CreateObject();
    cJSON *p = cJSON_CreateObject();
    if (!ctx || !p) { cJSON_Delete(ctx); cJSON_Delete(p); return NULL; }
    cJSON_AddStringToObject(p, "id", m->id);
    cJSON_AddStringToObject(p, "name", m->name);
    cJSON_AddStringToObject(p, "runtime", m->runtime);
    cJSON_AddItemToObject(ctx, "platform", p);
    cJSON_AddStringToObject(ctx, "version", version);
    cJSON_AddStringToObject(ctx, "generator_version", BUNDLEGEN_VERSION);
    cJSON_AddNumberToObject(ctx, "protocol_version", BUNDLE_PROTOCOL_VERSION);
    return ctx;
}

int bundle_make(const manifest *m, const tmpl_set *set, const cJSON *ctx, const char *version,
                time_t mtime, bundle *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    out->kind = m->archive;
    out->file_name = manifest_archive_file(m, version);
    out->files = calloc(m->nfiles, sizeof *out->files);
    if (!out->file_name || !out->files) { snprintf(err, errsz, "out of memory"); goto fail; }
    for (size_t i = 0; i < m->nfiles; i++) {
        char name[2048];
        bundle_template_name(m, i, name, sizeof name);
        buf text = BUF_INIT;
        tmpl_error te;
        if (tmpl_render(set, name, ctx, NULL, &text, &te) < 0) {
            snprintf(err, errsz, "%s: %s: %s", m->id, m->files[i].path, te.message);
            buf_free(&text);
            goto fail;
        }
        pack_file *f = &out->files[out->nfiles++];
        f->path = strdup(m->files[i].path);
        f->len = text.len;
        f->data = text.data ? buf_detach(&text) : calloc(1, 1);
        f->mode = m->files[i].mode;
        if (!f->data || !f->path) { snprintf(err, errsz, "out of memory"); goto fail; }
    }
    if (m->archive == PACK_DIR) {
        if (pack_sha256_files(out->files, out->nfiles, out->sha256) < 0) {
            snprintf(err, errsz, "%s: the bundle's files are not a valid folder", m->id);
            goto fail;
        }
    } else if (pack_build(m->archive, out->files, out->nfiles, mtime, &out->packed, err, errsz) < 0 ||
               pack_sha256(out->packed.data, out->packed.len, out->sha256) < 0) {
        goto fail;
    }
    return 0;
fail:
    bundle_free(out);
    return -1;
}

int bundle_write(const bundle *b, const char *path, char *err, size_t errsz)
{
    if (b->kind != PACK_DIR) return pack_save(path, b->packed.data, b->packed.len, err, errsz);
    if (!strcmp(path, "-")) {
        snprintf(err, errsz, "this platform's bundle is a folder of files: --out - needs a zip or tar.gz bundle");
        return -1;
    }
    return pack_save_dir(path, b->files, b->nfiles, err, errsz);
}

void bundle_free(bundle *b)
{
    for (size_t i = 0; b->files && i < b->nfiles; i++) {
        free((void *)b->files[i].data);
        free((void *)b->files[i].path);
    }
    free(b->files);
    free(b->file_name);
    buf_free(&b->packed);
    memset(b, 0, sizeof *b);
}
