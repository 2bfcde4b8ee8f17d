/* pack.c -- deterministic zip (libzip) and tar.gz (libarchive) in memory, folders, safe writes.
 * Entries are sorted, times fixed, owners zero; files appear only under their final name. */
#define _XOPEN_SOURCE 700   /* nftw */
#include "pack.h"
#include "dcache.h"
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

static int fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const pack_file *)a)->path, ((const pack_file *)b)->path);
}

static int safe_path(const char *p)
{
    if (!*p || p[0] == '/' || strlen(p) > 1024) return 0;
    for (const char *s = p;;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) return 0;
        if (!s[n]) return 1;
        s += n + 1;
    }
}

/* A sorted copy of files, after checking paths and modes; NULL with err filled. */
static pack_file *sorted_files(const pack_file *files, size_t n, char *err, size_t errsz)
{
    if (n == 0) { fail(err, errsz, "a bundle needs at least one file"); return NULL; }
    pack_file *s = malloc(n * sizeof *s);
    if (!s) { fail(err, errsz, "out of memory"); return NULL; }
    memcpy(s, files, n * sizeof *s);
    qsort(s, n, sizeof *s, by_path);
    for (size_t i = 0; i < n; i++) {
        const char *why = !safe_path(s[i].path) ? "is not a safe relative path"
                        : (s[i].mode != 0644 && s[i].mode != 0755) ? "has a mode other than 0644 or 0755"
                        : (i && !strcmp(s[i].path, s[i - 1].path)) ? "appears twice"
                        : (i && !strncmp(s[i].path, s[i - 1].path, strlen(s[i - 1].path)) &&
                           s[i].path[strlen(s[i - 1].path)] == '/') ? "is below another file" : NULL;
        if (why) {
            fail(err, errsz, "bundle file \"%s\" %s", s[i].path, why);
            free(s);
            return NULL;
        }
    }
    return s;
}

int pack_kind_parse(const char *name, pack_kind *out)
{
    if (!strcmp(name, "zip")) *out = PACK_ZIP;
    else if (!strcmp(name, "tar.gz")) *out = PACK_TGZ;
    else if (!strcmp(name, "files")) *out = PACK_DIR;
    else return -1;
    return 0;
}

const char *pack_kind_label(pack_kind k)
{
    return k == PACK_ZIP ? "zip" : k == PACK_TGZ ? "tar.gz" : "files";
}

time_t pack_epoch(time_t fallback)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s)) return fallback;
    return (time_t)strtoll(s, NULL, 10);
}

/* ---- zip ---- */

static int zip_reference;           /* pack_zip_reference: libzip compresses each entry itself */

void pack_zip_reference(int on)
{
    zip_reference = on;
}

/* A zip source handing libzip an entry already deflated (dcache.h): its stat gives the method,
 * CRC and sizes, so libzip writes the bytes as they are instead of compressing (zip_close.c,
 * add_data: no recompression when the source's method is the entry's). Its attributes are the ones
 * libzip's deflate source gives at level 9, so the entry's header is the same too. */
typedef struct deflated {
    dcache_form form;
    size_t      pos;
    zip_error_t error;
} deflated;

#define DEFLATE_VERSION_NEEDED 20       /* libzip's deflate algorithm */
#define DEFLATE_FLAGS_LEVEL_9  (1 << 1) /* general purpose bits 1-2 for levels 8 and 9 */
#define LIBZIP_FLAGS_MASK      0x0836   /* the bits libzip 1.7's sources may set */

static zip_int64_t deflated_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
    deflated *d = ud;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        d->pos = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        size_t n = d->form.len - d->pos;
        if (n > len) n = (size_t)len;
        memcpy(data, d->form.data + d->pos, n);
        d->pos += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
        return 0;
    case ZIP_SOURCE_STAT: {
        zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &d->error);
        if (!st) return -1;
        zip_stat_init(st);
        st->size = d->form.size;
        st->comp_size = d->form.len;
        st->comp_method = ZIP_CM_DEFLATE;
        st->crc = d->form.crc;
        st->encryption_method = ZIP_EM_NONE;
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC |
                    ZIP_STAT_ENCRYPTION_METHOD;
        return sizeof *st;
    }
    case ZIP_SOURCE_GET_FILE_ATTRIBUTES: {
        zip_file_attributes_t *a = ZIP_SOURCE_GET_ARGS(zip_file_attributes_t, data, len, &d->error);
        if (!a) return -1;
        a->valid |= ZIP_FILE_ATTRIBUTES_VERSION_NEEDED | ZIP_FILE_ATTRIBUTES_GENERAL_PURPOSE_BIT_FLAGS;
        a->version_needed = DEFLATE_VERSION_NEEDED;
        a->general_purpose_bit_mask = LIBZIP_FLAGS_MASK;
        a->general_purpose_bit_flags = DEFLATE_FLAGS_LEVEL_9;
        return sizeof *a;
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&d->error, data, len);
    case ZIP_SOURCE_FREE:
        dcache_release(&d->form);
        zip_error_fini(&d->error);
        free(d);
        return 0;
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              ZIP_SOURCE_GET_FILE_ATTRIBUTES, -1);
    default:
        zip_error_set(&d->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

/* The source of one entry: deflated here (or found deflated), or plain for libzip to compress. */
static zip_source_t *entry_source(zip_t *za, const pack_file *f)
{
    if (zip_reference) return zip_source_buffer(za, f->data, f->len, 0);
    deflated *d = calloc(1, sizeof *d);
    if (!d || dcache_get(f->data, f->len, &d->form) < 0) {
        free(d);
        zip_error_set(zip_get_error(za), ZIP_ER_MEMORY, 0);
        return NULL;
    }
    zip_error_init(&d->error);
    zip_source_t *s = zip_source_function(za, deflated_cb, d);
    if (!s) {
        dcache_release(&d->form);
        free(d);
    }
    return s;
}

/* What zip_file_set_dostime does for each entry (libzip 1.7's _zip_d2u_time): mktime of the DOS time.
 * Kept per thread for the last time and TZ, since mktime stats the time zone file on every call
 * when TZ is unset (a system call per bundle). */
static time_t dos_to_time(zip_uint16_t ddate, zip_uint16_t dtime)
{
    static _Thread_local struct { int set; zip_uint16_t ddate, dtime; time_t t; char tz[64]; } last;
    const char *tz = getenv("TZ");
    size_t tzlen = tz ? strlen(tz) + 1 : 0;
    if (last.set && last.ddate == ddate && last.dtime == dtime && tzlen < sizeof last.tz &&
        (tz ? !strcmp(last.tz, tz) && last.set == 2 : last.set == 1))
        return last.t;
    struct tm dos = {.tm_isdst = -1, .tm_year = ((ddate >> 9) & 127) + 80, .tm_mon = ((ddate >> 5) & 15) - 1,
                     .tm_mday = ddate & 31, .tm_hour = (dtime >> 11) & 31, .tm_min = (dtime >> 5) & 63,
                     .tm_sec = (dtime << 1) & 62};
    time_t t = mktime(&dos);
    last.set = 0;
    if (tzlen < sizeof last.tz) {
        last.ddate = ddate;
        last.dtime = dtime;
        last.t = t;
        if (tz) memcpy(last.tz, tz, tzlen);
        last.set = tz ? 2 : 1;
    }
    return t;
}

static int pack_zip(const pack_file *f, size_t n, time_t mtime, buf *out, char *err, size_t errsz)
{
    struct tm tm;
    gmtime_r(&mtime, &tm);
    if (tm.tm_year < 80) { tm.tm_year = 80; tm.tm_mon = 0; tm.tm_mday = 1; tm.tm_hour = tm.tm_min = tm.tm_sec = 0; }
    if (tm.tm_year > 207) tm.tm_year = 207;
    zip_uint16_t ddate = (zip_uint16_t)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) | tm.tm_mday);
    zip_uint16_t dtime = (zip_uint16_t)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
    time_t entry_time = dos_to_time(ddate, dtime);

    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *za = src ? zip_open_from_source(src, ZIP_TRUNCATE, &ze) : NULL;
    if (!za) {
        fail(err, errsz, "zip: %s", zip_error_strerror(&ze));
        zip_source_free(src);
        zip_error_fini(&ze);
        return -1;
    }
    zip_error_fini(&ze);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *fs = entry_source(za, &f[i]);
        zip_int64_t idx = fs ? zip_file_add(za, f[i].path, fs, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) zip_source_free(fs);
        if (idx < 0 || zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, DCACHE_LEVEL) < 0 ||
            zip_file_set_mtime(za, (zip_uint64_t)idx, entry_time, 0) < 0 ||
            zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX,
                                             (zip_uint32_t)(S_IFREG | f[i].mode) << 16) < 0) {
            fail(err, errsz, "zip: %s: %s", f[i].path, zip_strerror(za));
            zip_discard(za);
            zip_source_free(src);
            return -1;
        }
    }
    if (zip_close(za) < 0) {
        fail(err, errsz, "zip: %s", zip_strerror(za));
        zip_discard(za);
        zip_source_free(src);
        return -1;
    }
    zip_stat_t st;
    int rc = -1;
    if (zip_source_stat(src, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && zip_source_open(src) == 0) {
        if (buf_reserve(out, (size_t)st.size) == 0 &&
            zip_source_read(src, out->data + out->len, st.size) == (zip_int64_t)st.size) {
            out->len += (size_t)st.size;
            out->data[out->len] = '\0';
            rc = 0;
        }
        zip_source_close(src);
    }
    zip_source_free(src);
    if (rc < 0) fail(err, errsz, "zip: could not read the archive back from memory");
    return rc;
}

/* ---- tar.gz ---- */

static la_ssize_t tar_write(struct archive *a, void *ud, const void *p, size_t n)
{
    (void)a;
    return buf_append(ud, p, n) < 0 ? -1 : (la_ssize_t)n;
}

static int pack_tgz(const pack_file *f, size_t n, time_t mtime, buf *out, char *err, size_t errsz)
{
    struct archive *a = archive_write_new();
    if (!a) return fail(err, errsz, "tar.gz: out of memory");
    int rc = -1;
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
        archive_write_set_filter_option(a, "gzip", "timestamp", NULL) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open(a, out, NULL, tar_write, NULL) != ARCHIVE_OK) {
        fail(err, errsz, "tar.gz: %s", archive_error_string(a));
        archive_write_free(a);
        return -1;
    }
    size_t i;
    for (i = 0; i < n; i++) {
        struct archive_entry *e = archive_entry_new();
        if (!e) { fail(err, errsz, "tar.gz: out of memory"); break; }
        archive_entry_set_pathname(e, f[i].path);
        archive_entry_set_size(e, (la_int64_t)f[i].len);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, f[i].mode);
        archive_entry_set_mtime(e, mtime, 0);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        int bad = archive_write_header(a, e) != ARCHIVE_OK ||
                  (f[i].len && archive_write_data(a, f[i].data, f[i].len) != (la_ssize_t)f[i].len);
        archive_entry_free(e);
        if (bad) { fail(err, errsz, "tar.gz: %s: %s", f[i].path, archive_error_string(a)); break; }
    }
    if (i == n) {
        if (archive_write_close(a) != ARCHIVE_OK) fail(err, errsz, "tar.gz: %s", archive_error_string(a));
        else rc = 0;
    }
    archive_write_free(a);
    return rc;
}

int pack_build(pack_kind k, const pack_file *files, size_t n, time_t mtime, buf *out,
              char *err, size_t errsz)
{
    if (k == PACK_DIR) return fail(err, errsz, "a folder bundle is written with pack_save_dir");
    pack_file *s = sorted_files(files, n, err, errsz);
    if (!s) return -1;
    size_t start = out->len;
    int rc = k == PACK_ZIP ? pack_zip(s, n, mtime, out, err, errsz) : pack_tgz(s, n, mtime, out, err, errsz);
    if (rc < 0) out->len = start;
    free(s);
    return rc;
}

/* ---- archives inside the bundle ---- */

static int nested_in(const char *path, const char *from)
{
    size_t l = strlen(from);
    return !strncmp(path, from, l) && path[l] == '/';
}

void pack_files_free(pack_file *files, size_t n)
{
    for (size_t i = 0; files && i < n; i++) {
        free((void *)files[i].path);
        free((void *)files[i].data);
    }
    free(files);
}

/* Appends a copy of path and data (data adopted when own) to out. */
static int add_entry(pack_file *out, size_t *k, const char *path, const void *data, size_t len, unsigned mode, int own)
{
    char *p = strdup(path);
    void *d = own ? (void *)data : malloc(len + 1);
    if (!p || !d) { free(p); free(d); return -1; }
    if (!own) memcpy(d, data, len);
    out[(*k)++] = (pack_file){p, d, len, mode};
    return 0;
}

int pack_nest(const pack_nested *nest, size_t nn, const pack_file *files, size_t n, time_t mtime,
              pack_file **out, size_t *nout, char *err, size_t errsz)
{
    pack_file *o = calloc(n + nn + 1, sizeof *o), *inner = calloc(n + 1, sizeof *inner);
    size_t k = 0;
    int rc = o && inner ? 0 : fail(err, errsz, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t j = 0;
        while (j < nn && !nested_in(files[i].path, nest[j].from)) j++;
        if (j == nn && add_entry(o, &k, files[i].path, files[i].data, files[i].len, files[i].mode, 0) < 0)
            rc = fail(err, errsz, "out of memory");
    }
    for (size_t j = 0; rc == 0 && j < nn; j++) {
        size_t m = 0, fl = strlen(nest[j].from) + 1;
        for (size_t i = 0; i < n; i++)
            if (nested_in(files[i].path, nest[j].from))
                inner[m++] = (pack_file){files[i].path + fl, files[i].data, files[i].len, files[i].mode};
        if (m == 0) { rc = fail(err, errsz, "archive %s: no file below %s", nest[j].path, nest[j].from); break; }
        buf packed = BUF_INIT;
        char why[512];
        if (pack_build(nest[j].kind, inner, m, mtime, &packed, why, sizeof why) < 0) {
            rc = fail(err, errsz, "archive %s: %s", nest[j].path, why);
        } else {
            size_t len = packed.len;
            if (add_entry(o, &k, nest[j].path, buf_detach(&packed), len, 0644, 1) < 0) rc = fail(err, errsz, "out of memory");
        }
    }
    free(inner);
    if (rc < 0) { pack_files_free(o, k); return -1; }
    *out = o;
    *nout = k;
    return 0;
}

/* ---- output ---- */

/* "dir/name" -> "dir/.name.XXXXXX" for mkstemp/mkdtemp. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dl;
    size_t need = dl + 1 + strlen(base) + 8;
    char *t = malloc(need);
    if (t) snprintf(t, need, "%.*s.%s.XXXXXX", (int)dl, path, base);
    return t;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int pack_save(const char *path, const void *data, size_t len, char *err, size_t errsz)
{
    if (!strcmp(path, "-")) {
        if (write_all(STDOUT_FILENO, data, len) < 0) return fail(err, errsz, "stdout: %s", strerror(errno));
        return 0;
    }
    if (!*path || path[strlen(path) - 1] == '/') return fail(err, errsz, "\"%s\" is not a file name", path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return fail(err, errsz, "%s: is a directory", path);
    char *tmp = temp_name(path);
    if (!tmp) return fail(err, errsz, "out of memory");
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fail(err, errsz, "%s: cannot create a file there: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int e = 0;
    if (write_all(fd, data, len) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) e = errno;
    if (close(fd) < 0 && !e) e = errno;
    if (!e && rename(tmp, path) < 0) e = errno;
    if (e) {
        unlink(tmp);
        fail(err, errsz, "%s: %s", path, strerror(e));
    }
    free(tmp);
    return e ? -1 : 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)ftw;
    return flag == FTW_DP ? rmdir(p) : unlink(p);
}

/* Creates the parent folders of rel below root. */
static int make_parents(const char *root, const char *rel)
{
    char path[4200];
    for (const char *s = strchr(rel, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(path, sizeof path, "%s/%.*s", root, (int)(s - rel), rel);
        if (mkdir(path, 0755) < 0 && errno != EEXIST) return -1;
    }
    return 0;
}

int pack_save_dir(const char *dir, const pack_file *files, size_t n, char *err, size_t errsz)
{
    pack_file *s = sorted_files(files, n, err, errsz);
    if (!s) return -1;
    struct stat st;
    if (strlen(dir) > 2048) { free(s); return fail(err, errsz, "%s: path too long", dir); }
    if (lstat(dir, &st) == 0) {
        free(s);
        return fail(err, errsz, "%s: already exists; remove it or choose another --out", dir);
    }
    char *tmp = temp_name(dir);
    if (!tmp || !mkdtemp(tmp)) {
        fail(err, errsz, "%s: cannot create a folder there: %s", dir, strerror(errno));
        free(tmp);
        free(s);
        return -1;
    }
    int e = chmod(tmp, 0755) < 0 ? errno : 0;
    for (size_t i = 0; !e && i < n; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", tmp, s[i].path);
        int fd = make_parents(tmp, s[i].path) < 0 ? -1
               : open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) { e = errno; break; }
        if (write_all(fd, s[i].data, s[i].len) < 0 || fchmod(fd, s[i].mode) < 0) e = errno;
        if (close(fd) < 0 && !e) e = errno;
    }
    if (!e && rename(tmp, dir) < 0) e = errno;
    if (e) {
        nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
        fail(err, errsz, "%s: %s", dir, strerror(e));
    }
    free(tmp);
    free(s);
    return e ? -1 : 0;
}

int pack_sha256(const void *data, size_t len, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) return -1;
    sodium_bin2hex(hex, 65, md, 32);                    /* not 32 snprintf calls: about 20 k instructions */
    return 0;
}

int pack_sha256_files(const pack_file *files, size_t n, char hex[65])
{
    char err[256];
    pack_file *s = sorted_files(files, n, err, sizeof err);
    if (!s) return -1;
    buf list = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char one[65];
        rc = pack_sha256(s[i].data, s[i].len, one);
        if (rc == 0) rc = buf_printf(&list, "%s  %s\n", one, s[i].path);
    }
    if (rc == 0) rc = pack_sha256(list.data, list.len, hex);
    buf_free(&list);
    free(s);
    return rc;
}
