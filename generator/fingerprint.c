/* fingerprint.c -- collects a platform's sources in a canonical form and hashes them.
 * Shared partials count only when a template of the platform includes them. */
#define _GNU_SOURCE   /* memmem */
#include "fingerprint.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "buf.h"

#define MAX_SOURCE (16u << 20)
#define MAX_FILES 4096

static int path_cmp(const void *a, const void *b)
{
    return strcmp(((const pack_file *)a)->path, ((const pack_file *)b)->path);
}

/* Reads root/rel into the set. */
static int add_path(fingerprint_set *s, const char *root, const char *rel, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    buf src = BUF_INIT;
    src.limit = MAX_SOURCE;
    if (buf_read_file(&src, path) < 0) {
        snprintf(err, errsz, "%s: cannot read: %s", rel, errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
        buf_free(&src);
        return -1;
    }
    int rc = fingerprint_add(s, rel, src.data ? src.data : "", src.len);
    if (rc < 0) snprintf(err, errsz, "out of memory");
    buf_free(&src);
    return rc;
}

/* Adds every regular file below root/rel; symbolic links are refused. */
static int add_tree(fingerprint_set *s, const char *root, const char *rel, int depth, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    DIR *d = depth > 16 ? NULL : opendir(path);
    if (!d) { snprintf(err, errsz, "%s: %s", rel, depth > 16 ? "nested too deep" : strerror(errno)); return -1; }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[2048];
        struct stat st;
        snprintf(sub, sizeof sub, "%s/%s", rel, e->d_name);
        snprintf(path, sizeof path, "%s/%s", root, sub);
        if (lstat(path, &st) < 0 || S_ISLNK(st.st_mode)) {
            snprintf(err, errsz, "%s: %s", sub, S_ISLNK(st.st_mode) ? "symbolic links are refused" : strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = add_tree(s, root, sub, depth + 1, err, errsz);
        } else if (S_ISREG(st.st_mode) && !fingerprint_get(s, sub)) {
            rc = s->n >= MAX_FILES ? (snprintf(err, errsz, "%s: more than %d files", rel, MAX_FILES), -1)
                                   : add_path(s, root, sub, err, errsz);
        }
    }
    closedir(d);
    return rc;
}

/* Adds the shared partial NAME (templates/NAME or templates/NAME.mustache) unless present. */
static int add_partial(fingerprint_set *s, const char *root, const char *name, size_t len, char *err, size_t errsz)
{
    char rel[1024];
    struct stat st;
    snprintf(rel, sizeof rel, "templates/%.*s", (int)len, name);
    if (fingerprint_get(s, rel)) return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    if (stat(path, &st) < 0) {
        snprintf(rel, sizeof rel, "templates/%.*s.mustache", (int)len, name);
        if (fingerprint_get(s, rel)) return 0;
        snprintf(path, sizeof path, "%s/%s", root, rel);
        if (stat(path, &st) < 0) return 0;   /* not a file: the template engine reports it when linking */
    }
    return add_path(s, root, rel, err, errsz);
}

/* Scans file i's text for {{> _NAME/...}} and {{< _NAME/...}} (a partial or a parent) and adds
 * those templates (which are scanned in turn, as they are appended after i). */
static int add_partials_of(fingerprint_set *s, size_t i, const char *root, char *err, size_t errsz)
{
    const char *p = s->files[i].data, *end = p + s->files[i].len;
    while (p < end && (p = memmem(p, (size_t)(end - p), "{{", 2))) {
        p += 2;
        if (p >= end || (*p != '>' && *p != '<')) continue;
        p++;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        const char *name = p;
        while (p < end && *p != '}' && *p != ' ' && *p != '\t' && *p != '\n') p++;
        size_t len = (size_t)(p - name);
        if (len > 1 && len < 512 && name[0] == '_' && memchr(name, '/', len) && !memmem(name, len, "..", 2) &&
            add_partial(s, root, name, len, err, errsz) < 0)
            return -1;
    }
    return 0;
}

int fingerprint_add_dir(fingerprint_set *s, const char *root, const char *rel, char *err, size_t errsz)
{
    return add_tree(s, root, rel, 1, err, errsz);
}

int fingerprint_add(fingerprint_set *s, const char *path, const void *data, size_t len)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        pack_file *f = realloc(s->files, cap * sizeof *f);
        if (!f) return -1;
        s->files = f;
        s->cap = cap;
    }
    char *out = malloc(len + 1), *path_copy = strdup(path);
    if (!out || !path_copy) { free(out); free(path_copy); return -1; }
    const char *in = data;
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!(in[i] == '\r' && i + 1 < len && in[i + 1] == '\n')) out[k++] = in[i];
    out[k] = '\0';
    s->files[s->n++] = (pack_file){path_copy, out, k, 0644};
    return 0;
}

const pack_file *fingerprint_get(const fingerprint_set *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->files[i].path, path)) return &s->files[i];
    return NULL;
}

void fingerprint_set_free(fingerprint_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free((void *)s->files[i].path);
        free((void *)s->files[i].data);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}

int fingerprint_collect(const char *root, const manifest *m, fingerprint_set *out, char *err, size_t errsz)
{
    char rel[1024];
    memset(out, 0, sizeof *out);
    snprintf(rel, sizeof rel, "platforms/%s.yaml", m->id);
    int rc = add_path(out, root, "platforms/_common.yaml", err, errsz);
    if (rc == 0) rc = add_path(out, root, rel, err, errsz);
    for (size_t i = 0; rc == 0 && i < m->nfiles; i++) {   /* the folders of m's files, and files at the top */
        const char *t = m->files[i].tmpl, *slash = strchr(t, '/');
        if (slash) snprintf(rel, sizeof rel, "templates/%.*s", (int)(slash - t), t);
        else snprintf(rel, sizeof rel, "templates/%s", t);
        if (fingerprint_get(out, rel)) continue;
        rc = slash ? add_tree(out, root, rel, 1, err, errsz) : add_path(out, root, rel, err, errsz);
    }
    for (size_t i = 2; rc == 0 && i < out->n; i++) rc = add_partials_of(out, i, root, err, errsz);
    if (rc < 0) { fingerprint_set_free(out); return -1; }
    qsort(out->files, out->n, sizeof *out->files, path_cmp);
    return 0;
}

int fingerprint_of(const fingerprint_set *s, char hex[65])
{
    return pack_sha256_files(s->files, s->n, hex);
}

int fingerprint_platform(const char *root, const char *id, char hex[65], char *err, size_t errsz)
{
    manifest *m = manifest_load(root, id, err, errsz);
    if (!m) return -1;
    fingerprint_set s;
    int rc = fingerprint_collect(root, m, &s, err, errsz);
    if (rc == 0) {
        if ((rc = fingerprint_of(&s, hex)) < 0) snprintf(err, errsz, "%s: cannot hash its sources", id);
        fingerprint_set_free(&s);
    }
    manifest_free(m);
    return rc;
}
