/* bundle.c -- renders a manifest's files with the template engine and packs them.
 * Deterministic: the same manifest, templates, context and time give the same bytes. */
#include "bundle.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    buf b = BUF_INIT;
    char chunk[16384];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_append(&b, chunk, n) < 0) break;
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) { buf_free(&b); return NULL; }
    *len = b.len;
    if (!b.data) return calloc(1, 1);
    return buf_detach(&b);
}

void bundle_template_name(const manifest *m, size_t i, char *out, size_t outsz)
{
    const manifest_file *f = &m->files[i];
    size_t l = strlen(f->tmpl);
    if (l > 9 && !strcmp(f->tmpl + l - 9, ".mustache")) l -= 9;
    if (f->has_lang) snprintf(out, outsz, "%.*s@%s", (int)l, f->tmpl, lang_name(f->lang));
    else snprintf(out, outsz, "%.*s", (int)l, f->tmpl);
}

tmpl_set *bundle_templates(const char *root, const manifest *m, char *err, size_t errsz)
{
    char dir[4096], path[8192], name[2048];
    snprintf(dir, sizeof dir, "%s/templates", root);
    tmpl_set *s = tmpl_set_new();
    tmpl_error te;
    if (!s) { snprintf(err, errsz, "out of memory"); return NULL; }
    if (tmpl_set_load_dir(s, dir, &te) < 0) goto fail;
    for (size_t i = 0; i < m->nfiles; i++) {
        if (!m->files[i].has_lang) continue;
        bundle_template_name(m, i, name, sizeof name);
        if (tmpl_set_has(s, name)) continue;
        snprintf(path, sizeof path, "%s/%s", dir, m->files[i].tmpl);
        size_t len;
        char *src = read_all(path, &len);
        if (!src) {
            snprintf(err, errsz, "%s: cannot read", path);
            tmpl_set_free(s);
            return NULL;
        }
        int rc = tmpl_set_add(s, name, src, len, m->files[i].lang, &te);
        free(src);
        if (rc < 0) goto fail;
    }
    if (tmpl_set_link(s, &te) < 0) goto fail;
    return s;
fail:
    snprintf(err, errsz, "templates: %s", te.message);
    tmpl_set_free(s);
    return NULL;
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
