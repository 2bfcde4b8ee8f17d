/* bundle.c -- renders a manifest's files with the template engine and packs them.
 * Deterministic: the same manifest, templates, context and time give the same bytes. */
#include "bundle.h"
#include "changelog.h"
#include "packs.h"
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

tmpl_set *bundle_templates(const char *root, const manifest *m, char *err, size_t errsz)
{
    fingerprint_set src;
    char tdir[4096];
    if (fingerprint_collect(root, m, &src, err, errsz) < 0) return NULL;
    snprintf(tdir, sizeof tdir, "%s/templates", root);
    DIR *d = opendir(tdir);
    int rc = d ? 0 : -1;
    if (!d) snprintf(err, errsz, "%s: %s", tdir, strerror(errno));
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {     /* every shared folder, used or not */
        char rel[512];
        snprintf(rel, sizeof rel, "templates/%s", e->d_name);
        if (e->d_name[0] == '_' && e->d_type == DT_DIR) rc = fingerprint_add_dir(&src, root, rel, err, errsz);
    }
    if (d) closedir(d);
    tmpl_set *s = rc == 0 ? bundle_templates_from(&src, m, err, errsz) : NULL;
    fingerprint_set_free(&src);
    return s;
}

tmpl_set *bundle_templates_from(const fingerprint_set *s, const manifest *m, char *err, size_t errsz)
{
    tmpl_set *set = tmpl_set_new();
    tmpl_error te;
    int rc = set ? 0 : -1;
    if (!set) snprintf(err, errsz, "out of memory");
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        const char *p = s->files[i].path;
        if (strncmp(p, "templates/", 10)) continue;
        p += 10;
        size_t l = strlen(p);
        char name[2048];
        tmpl_lang lang;
        if (lang_from_path(p, &lang) < 0) lang = LANG_TEXT;
        snprintf(name, sizeof name, "%.*s", (int)(l > 9 && !strcmp(p + l - 9, ".mustache") ? l - 9 : l), p);
        if ((rc = tmpl_set_add(set, name, s->files[i].data, s->files[i].len, lang, &te)) < 0)
            snprintf(err, errsz, "templates: %s", te.message);
    }
    for (size_t i = 0; rc == 0 && i < m->nfiles; i++) {
        char name[2048], path[2048];
        bundle_template_name(m, i, name, sizeof name);
        if (tmpl_set_has(set, name)) continue;
        snprintf(path, sizeof path, "templates/%s", m->files[i].tmpl);
        const pack_file *f = fingerprint_get(s, path);
        if (!f) {
            snprintf(err, errsz, "%s: file %s: template %s is missing", m->id, m->files[i].path, m->files[i].tmpl);
            rc = -1;
        } else if ((rc = tmpl_set_add(set, name, f->data, f->len, m->files[i].lang, &te)) < 0) {
            snprintf(err, errsz, "templates: %s", te.message);
        }
    }
    if (rc == 0 && tmpl_set_link(set, &te) < 0) {
        snprintf(err, errsz, "templates: %s", te.message);
        rc = -1;
    }
    if (rc < 0) { tmpl_set_free(set); return NULL; }
    return set;
}

/* The manifest stored in a pack, parsed against the pack's shared parameters. */
static manifest *pack_manifest(const fingerprint_set *s, const char *id, char *err, size_t errsz)
{
    char path[512];
    snprintf(path, sizeof path, "platforms/%s.yaml", id);
    const pack_file *cf = fingerprint_get(s, "platforms/_common.yaml"), *mf = fingerprint_get(s, path);
    if (!cf || !mf) {
        snprintf(err, errsz, "the template pack has no %s", cf ? path : "platforms/_common.yaml");
        return NULL;
    }
    manifest_common *c = manifest_common_parse(cf->path, cf->data, cf->len, err, errsz);
    manifest *m = c ? manifest_parse(mf->path, mf->data, mf->len, c, NULL, err, errsz) : NULL;
    manifest_common_free(c);
    return m;
}

/* Fills out for the tree below root (the current version). */
static int resolve_tree(const char *root, const char *id, bundle_source *out, fingerprint_set *src,
                        char *err, size_t errsz)
{
    if (!(out->m = manifest_load(root, id, err, errsz))) return -1;
    if (out->has_changelog && strcmp(out->m->version, out->version)) {
        snprintf(err, errsz, "platforms/%s.yaml: version: %s, but the newest entry of changelog/%s.yaml is %s "
                 "(the changelog decides the current version: make the manifest say %s)", id, out->m->version, id,
                 out->version, out->version);
        return -1;
    }
    if (!out->has_changelog) snprintf(out->version, sizeof out->version, "%s", out->m->version);
    if (fingerprint_collect(root, out->m, src, err, errsz) < 0) return -1;
    char fp[65];
    if (fingerprint_of(src, fp) < 0) { snprintf(err, errsz, "%s: cannot fingerprint its sources", id); return -1; }
    out->stale = out->has_changelog && strcmp(fp, out->fingerprint);
    memcpy(out->fingerprint, fp, sizeof fp);
    return 0;
}

int bundle_resolve(const char *root, const char *packs, const char *id, const char *version,
                   bundle_source *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/changelog/%s.yaml", root, id);
    changelog *cl = NULL;
    const changelog_entry *e = NULL;
    fingerprint_set src = {0};
    int rc = -1;
    out->has_changelog = stat(path, &st) == 0;
    if (out->has_changelog) {
        if (!(cl = changelog_load(root, id, err, errsz))) goto done;
        if (!(e = version ? changelog_find(cl, version) : &cl->entries[0])) {
            char list[1024];
            changelog_versions_text(cl, list, sizeof list);
            snprintf(err, errsz, "unknown version \"%s\" of %s (known: %s)", version, id, list);
            goto done;
        }
        snprintf(out->version, sizeof out->version, "%s", e->version);
        memcpy(out->date, e->date, sizeof out->date);
        memcpy(out->node, e->node, sizeof out->node);
        memcpy(out->fingerprint, e->fingerprint, sizeof out->fingerprint);
        out->mtime = pack_epoch(changelog_entry_time(e));
    } else {
        out->mtime = pack_epoch(BUNDLE_DEFAULT_EPOCH);
    }
    if (!e || e == &cl->entries[0]) {
        if (resolve_tree(root, id, out, &src, err, errsz) < 0) goto done;
        if (version && strcmp(version, out->version)) {
            snprintf(err, errsz, "unknown version \"%s\" of %s (known: %s; it has no changelog yet)", version, id,
                     out->version);
            goto done;
        }
    } else {
        char *dir = packs_dir(root, packs);
        int lrc = dir ? packs_load(dir, e->fingerprint, &src, err, errsz) : (snprintf(err, errsz, "out of memory"), -1);
        free(dir);
        if (lrc < 0 || !(out->m = pack_manifest(&src, id, err, errsz))) goto done;
        out->from_pack = 1;
        if (strcmp(out->m->version, e->version)) {
            snprintf(err, errsz, "the template pack of %s %s holds a manifest of version %s", id, e->version,
                     out->m->version);
            goto done;
        }
    }
    if ((out->set = bundle_templates_from(&src, out->m, err, errsz))) rc = 0;
done:
    fingerprint_set_free(&src);
    changelog_free(cl);
    if (rc < 0) bundle_source_free(out);
    return rc;
}

void bundle_source_free(bundle_source *s)
{
    manifest_free(s->m);
    tmpl_set_free(s->set);
    memset(s, 0, sizeof *s);
}

/* Splits an endpoint URL into its host (brackets of an IPv6 literal removed) and port (the
 * scheme's own when absent); the endpoint was validated as an http(s) URL. 0, or -1 if not. */
static int endpoint_host_port(const char *u, char *host, size_t hostsz, long *port)
{
    int https = !strncmp(u, "https://", 8);
    if (!https && strncmp(u, "http://", 7)) return -1;
    const char *h = u + (https ? 8 : 7), *end = h + strcspn(h, "/?#"), *at = memchr(h, '@', (size_t)(end - h));
    if (at) h = at + 1;
    const char *hend, *colon;
    if (*h == '[') {
        if (!(hend = memchr(h, ']', (size_t)(end - h)))) return -1;
        h++;
        colon = hend[1] == ':' ? hend + 1 : NULL;
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        hend = colon ? colon : end;
    }
    if (hend == h || (size_t)(hend - h) >= hostsz) return -1;
    memcpy(host, h, (size_t)(hend - h));
    host[hend - h] = 0;
    *port = https ? 443 : 80;
    if (colon) {
        char *e;
        long p = strtol(colon + 1, &e, 10);
        if (e != end || p < 1 || p > 65535) return -1;
        *port = p;
    }
    return 0;
}

/* node_backends {"node_1": {"address", "port"}, ...} and node_urls {"node_1": {"url"}, ...}: one
 * named backend per endpoint, in order, as objects, so a TOML template writes them as inline tables
 * (the escaper allows no tag in a key or table header). */
static int add_node_backends(cJSON *ctx)
{
    const cJSON *ep = cJSON_GetObjectItemCaseSensitive(ctx, "endpoint"), *e;
    if (!cJSON_IsArray(ep)) return 0;
    cJSON *backends = cJSON_AddObjectToObject(ctx, "node_backends"), *urls = cJSON_AddObjectToObject(ctx, "node_urls");
    if (!backends || !urls) return -1;
    int i = 0;
    cJSON_ArrayForEach(e, ep) {
        char name[32], host[256];
        long port;
        if (!cJSON_IsString(e) || endpoint_host_port(e->valuestring, host, sizeof host, &port) < 0) continue;
        snprintf(name, sizeof name, "node_%d", ++i);
        buf url = BUF_INIT;
        int v6 = strchr(host, ':') != NULL;
        buf_printf(&url, "%s://%s%s%s:%ld", strncmp(e->valuestring, "https://", 8) ? "http" : "https",
                   v6 ? "[" : "", host, v6 ? "]" : "", port);
        cJSON *b = cJSON_AddObjectToObject(backends, name), *u = cJSON_AddObjectToObject(urls, name);
        int ok = b && u && url.data && cJSON_AddStringToObject(b, "address", host) &&
                 cJSON_AddNumberToObject(b, "port", (double)port) && cJSON_AddStringToObject(u, "url", url.data);
        buf_free(&url);
        if (!ok) return -1;
    }
    return 0;
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
    if (plimits_add_time(&m->limits, ctx) < 0 || add_node_backends(ctx) < 0) { cJSON_Delete(ctx); return NULL; }
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
    /* Files with digest: true come second, seeing {{content_digest}} of the first ones. */
    cJSON *dctx = NULL;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && out->nfiles < m->nfiles) {
            char hex[65];
            if (pack_sha256_files(out->files, out->nfiles, hex) < 0) {
                snprintf(err, errsz, "%s: the bundle's files are not a valid folder", m->id);
                goto fail;
            }
            hex[BUNDLE_DIGEST_LEN] = '\0';
            if (!(dctx = cJSON_Duplicate(ctx, 1)) || !cJSON_AddStringToObject(dctx, "content_digest", hex)) {
                cJSON_Delete(dctx);
                snprintf(err, errsz, "out of memory");
                goto fail;
            }
        }
        for (size_t i = 0; i < m->nfiles; i++) {
            if (m->files[i].digest != pass) continue;
            char name[2048];
            bundle_template_name(m, i, name, sizeof name);
            buf text = BUF_INIT;
            tmpl_error te;
            if (tmpl_render(set, name, pass ? dctx : ctx, NULL, &text, &te) < 0) {
                snprintf(err, errsz, "%s: %s: %s", m->id, m->files[i].path, te.message);
                buf_free(&text);
                cJSON_Delete(dctx);
                goto fail;
            }
            pack_file *f = &out->files[out->nfiles++];
            f->path = strdup(m->files[i].path);
            f->len = text.len;
            f->data = text.data ? buf_detach(&text) : calloc(1, 1);
            f->mode = m->files[i].mode;
            if (!f->data || !f->path) { snprintf(err, errsz, "out of memory"); cJSON_Delete(dctx); goto fail; }
        }
    }
    cJSON_Delete(dctx);
    if (m->narchives) {
        pack_nested *nest = calloc(m->narchives, sizeof *nest);
        if (!nest) { snprintf(err, errsz, "out of memory"); goto fail; }
        for (size_t i = 0; i < m->narchives; i++)
            nest[i] = (pack_nested){m->archives[i].path, m->archives[i].from, m->archives[i].kind};
        int nrc = pack_nest(nest, m->narchives, out->files, out->nfiles, mtime, &out->entries, &out->nentries,
                            err, errsz);
        free(nest);
        if (nrc < 0) goto fail;
    }
    size_t nent;
    const pack_file *ent = bundle_entries(out, &nent);
    if (m->archive == PACK_DIR) {
        if (pack_sha256_files(ent, nent, out->sha256) < 0) {
            snprintf(err, errsz, "%s: the bundle's files are not a valid folder", m->id);
            goto fail;
        }
    } else if (pack_build(m->archive, ent, nent, mtime, &out->packed, err, errsz) < 0 ||
               pack_sha256(out->packed.data, out->packed.len, out->sha256) < 0) {
        goto fail;
    }
    size_t unpacked = 0;
    for (size_t i = 0; i < out->nfiles; i++) unpacked += out->files[i].len;
    if (plimits_check_bundle(&m->limits, m->name, out->packed.len, unpacked, err, errsz) < 0) {
        bundle_free(out);
        return BUNDLE_LIMIT;
    }
    return 0;
fail:
    bundle_free(out);
    return -1;
}

const pack_file *bundle_entries(const bundle *b, size_t *n)
{
    *n = b->entries ? b->nentries : b->nfiles;
    return b->entries ? b->entries : b->files;
}

int bundle_write(const bundle *b, const char *path, char *err, size_t errsz)
{
    if (b->kind != PACK_DIR) return pack_save(path, b->packed.data, b->packed.len, err, errsz);
    if (!strcmp(path, "-")) {
        snprintf(err, errsz, "this platform's bundle is a folder of files: --out - needs a zip or tar.gz bundle");
        return -1;
    }
    size_t n;
    const pack_file *f = bundle_entries(b, &n);
    return pack_save_dir(path, f, n, err, errsz);
}

void bundle_free(bundle *b)
{
    for (size_t i = 0; b->files && i < b->nfiles; i++) {
        free((void *)b->files[i].data);
        free((void *)b->files[i].path);
    }
    free(b->files);
    pack_files_free(b->entries, b->nentries);
    free(b->file_name);
    buf_free(&b->packed);
    memset(b, 0, sizeof *b);
}
