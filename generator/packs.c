/* packs.c -- template packs: deterministic tar.gz files named by the fingerprint of what they hold.
 * Reading checks every entry's path and recomputes the fingerprint before anything is used. */
#include "packs.h"
#include "manifest.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <archive.h>
#include <archive_entry.h>
#include "buf.h"

#define MAX_PACK (64u << 20)
#define MAX_ENTRY (16u << 20)
#define MAX_ENTRIES 4096

/* platforms/NAME.yaml or templates/..., relative, no "." or ".." segments, printable. */
static int valid_entry(const char *p)
{
    return (!strncmp(p, "platforms/", 10) || !strncmp(p, "templates/", 10)) && manifest_safe_path(p);
}

char *packs_dir(const char *root, const char *option)
{
    if (option) return strdup(option);
    size_t n = strlen(root) + sizeof "/packs";
    char *d = malloc(n);
    if (d) snprintf(d, n, "%s/packs", root);
    return d;
}

int packs_parse(const char *name, const void *data, size_t len, const char *hex, fingerprint_set *out,
                char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    struct archive *a = archive_read_new();
    if (!a) { snprintf(err, errsz, "out of memory"); return -1; }
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    int rc = 0;
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        snprintf(err, errsz, "%s: not a template pack (tar.gz): %s", name, archive_error_string(a));
        rc = -1;
    }
    struct archive_entry *e;
    int r;
    while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *path = archive_entry_pathname(e);
        la_int64_t size = archive_entry_size(e);
        if (!path || !valid_entry(path)) {
            snprintf(err, errsz, "%s: entry \"%.80s\" is not a platforms/ or templates/ path", name, path ? path : "");
            rc = -1;
        } else if (archive_entry_filetype(e) != AE_IFREG) {
            snprintf(err, errsz, "%s: entry \"%s\" is not a regular file", name, path);
            rc = -1;
        } else if (size < 0 || size > (la_int64_t)MAX_ENTRY || out->n >= MAX_ENTRIES || fingerprint_get(out, path)) {
            snprintf(err, errsz, "%s: entry \"%s\" is too large, repeated or one too many", name, path);
            rc = -1;
        } else {
            char *body = malloc((size_t)size + 1);
            la_ssize_t got = body ? archive_read_data(a, body, (size_t)size) : -1;
            if (got != (la_ssize_t)size) snprintf(err, errsz, "%s: entry \"%s\" is truncated or corrupt", name, path);
            else if (fingerprint_add(out, path, body, (size_t)size) < 0) snprintf(err, errsz, "out of memory");
            else got = -2;
            if (got != -2) rc = -1;
            free(body);
        }
    }
    if (rc == 0 && r != ARCHIVE_EOF) {
        snprintf(err, errsz, "%s: corrupt template pack: %s", name, archive_error_string(a));
        rc = -1;
    }
    archive_read_free(a);
    char got[65];
    if (rc == 0 && (out->n == 0 || fingerprint_of(out, got) < 0)) {
        snprintf(err, errsz, "%s: the template pack is empty or malformed", name);
        rc = -1;
    } else if (rc == 0 && strcmp(got, hex)) {
        snprintf(err, errsz, "%s: the template pack's content has fingerprint %s, not the recorded %s: it was altered "
                 "or corrupted; restore it from version control (packs are never edited)", name, got, hex);
        rc = -1;
    }
    if (rc < 0) fingerprint_set_free(out);
    return rc;
}

int packs_load(const char *dir, const char *hex, fingerprint_set *out, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tar.gz", dir, hex);
    buf b = BUF_INIT;
    b.limit = MAX_PACK;
    if (buf_read_file(&b, path) < 0) {
        snprintf(err, errsz, "%s: cannot read the template pack: %s", path,
                 errno == EFBIG ? "larger than 64 MiB" : strerror(errno));
        buf_free(&b);
        memset(out, 0, sizeof *out);
        return -1;
    }
    int rc = packs_parse(path, b.data ? b.data : "", b.len, hex, out, err, errsz);
    buf_free(&b);
    return rc;
}

int packs_store(const char *dir, const fingerprint_set *s, char hex[65], int *created, char *err, size_t errsz)
{
    *created = 0;
    if (fingerprint_of(s, hex) < 0) { snprintf(err, errsz, "cannot fingerprint the sources"); return -1; }
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.tar.gz", dir, hex);
    struct stat st;
    if (stat(path, &st) == 0) {
        fingerprint_set old;
        if (packs_load(dir, hex, &old, err, errsz) < 0) return -1;
        fingerprint_set_free(&old);
        return 0;
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        snprintf(err, errsz, "%s: cannot create: %s", dir, strerror(errno));
        return -1;
    }
    buf out = BUF_INIT;
    int rc = pack_build(PACK_TGZ, s->files, s->n, 0, &out, err, errsz);
    if (rc == 0) rc = pack_save(path, out.data, out.len, err, errsz);
    if (rc == 0) *created = 1;
    buf_free(&out);
    return rc;
}
