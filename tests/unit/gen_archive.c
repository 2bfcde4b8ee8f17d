/* gen_archive.c -- unit tests of deterministic packing: archives read back with libzip and
 * libarchive, gzip header bytes, identical bytes for identical input, and the safe writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include "pack.h"

#define MTIME ((time_t)1767225600)   /* 2026-01-01T00:00:00Z */

static const pack_file files[] = {
    {"src/index.js", "export default {};\n", 19, 0644},
    {"bin/run.sh", "#!/bin/sh\necho hi\n", 18, 0755},
    {"README.md", "# readme\n", 9, 0644},
    {"empty.txt", "", 0, 0644},
};
static const char *const sorted[] = {"README.md", "bin/run.sh", "empty.txt", "src/index.js"};
#define NFILES (sizeof files / sizeof files[0])

static const pack_file *find(const char *path)
{
    for (size_t i = 0; i < NFILES; i++)
        if (!strcmp(files[i].path, path)) return &files[i];
    return NULL;
}

static void test_zip_layout(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    char err[256];
    assert_int_equal(pack_build(PACK_ZIP, files, NFILES, MTIME, &out, err, sizeof err), 0);
    assert_memory_equal(out.data, "PK\x03\x04", 4);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(out.data, out.len, 0, &ze);
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    assert_non_null(za);
    assert_int_equal(zip_get_num_entries(za, 0), (zip_int64_t)NFILES);
    for (zip_uint64_t i = 0; i < NFILES; i++) {
        zip_stat_t st;
        assert_int_equal(zip_stat_index(za, i, 0, &st), 0);
        assert_string_equal(st.name, sorted[i]);
        const pack_file *f = find(st.name);
        assert_int_equal(st.size, f->len);
        assert_int_equal(st.comp_method, ZIP_CM_DEFLATE);
        char data[64] = "";
        zip_file_t *zf = zip_fopen_index(za, i, 0);
        assert_int_equal(zip_fread(zf, data, sizeof data), (zip_int64_t)f->len);
        zip_fclose(zf);
        assert_memory_equal(data, f->data, f->len);
        zip_uint8_t os;
        zip_uint32_t attr;
        assert_int_equal(zip_file_get_external_attributes(za, i, 0, &os, &attr), 0);
        assert_int_equal(os, ZIP_OPSYS_UNIX);
        assert_int_equal(attr >> 16, S_IFREG | f->mode);
        struct tm tm;
        localtime_r(&st.mtime, &tm);
        assert_int_equal(tm.tm_year, 126);
        assert_int_equal(tm.tm_mon, 0);
        assert_int_equal(tm.tm_mday, 1);
        assert_int_equal(tm.tm_hour, 0);
        assert_int_equal(zip_file_extra_fields_count(za, i, ZIP_FL_CENTRAL), 0);
        assert_int_equal(zip_file_extra_fields_count(za, i, ZIP_FL_LOCAL), 0);
    }
    zip_close(za);
    zip_error_fini(&ze);
    buf_free(&out);
}

static void test_tgz_layout(void **state)
{
    (void)state;
    buf out = BUF_INIT;
    char err[256];
    assert_int_equal(pack_build(PACK_TGZ, files, NFILES, MTIME, &out, err, sizeof err), 0);
    const unsigned char *h = (const unsigned char *)out.data;
    assert_int_equal(h[0], 0x1f);
    assert_int_equal(h[1], 0x8b);
    assert_int_equal(h[2], 8);                     /* deflate */
    assert_int_equal(h[3] & 0x08, 0);              /* FNAME: no file name */
    assert_int_equal(h[3] & 0x10, 0);              /* FCOMMENT */
    assert_int_equal(h[4] | h[5] | h[6] | h[7], 0); /* MTIME zero */
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    assert_int_equal(archive_read_open_memory(a, out.data, out.len), ARCHIVE_OK);
    struct archive_entry *e;
    size_t i = 0;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        assert_true(i < NFILES);
        assert_string_equal(archive_entry_pathname(e), sorted[i]);
        const pack_file *f = find(sorted[i]);
        assert_int_equal(archive_entry_size(e), f->len);
        assert_int_equal(archive_entry_filetype(e), AE_IFREG);
        assert_int_equal(archive_entry_perm(e), f->mode);
        assert_int_equal(archive_entry_mtime(e), MTIME);
        assert_int_equal(archive_entry_uid(e), 0);
        assert_int_equal(archive_entry_gid(e), 0);
        const char *un = archive_entry_uname(e), *gn = archive_entry_gname(e);
        assert_true(!un || !*un);                   /* no owner names */
        assert_true(!gn || !*gn);
        char data[64] = "";
        assert_int_equal(archive_read_data(a, data, sizeof data), (la_ssize_t)f->len);
        assert_memory_equal(data, f->data, f->len);
        i++;
    }
    assert_int_equal(i, NFILES);
    archive_read_free(a);
    buf_free(&out);
}

static void test_deterministic(void **state)
{
    (void)state;
    char err[256];
    pack_kind kinds[] = {PACK_ZIP, PACK_TGZ};
    pack_file reversed[NFILES];
    for (size_t i = 0; i < NFILES; i++) reversed[i] = files[NFILES - 1 - i];
    for (int k = 0; k < 2; k++) {
        buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
        assert_int_equal(pack_build(kinds[k], files, NFILES, MTIME, &a, err, sizeof err), 0);
        assert_int_equal(pack_build(kinds[k], reversed, NFILES, MTIME, &b, err, sizeof err), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        assert_int_equal(pack_build(kinds[k], files, NFILES, MTIME + 86400, &c, err, sizeof err), 0);
        assert_true(a.len != c.len || memcmp(a.data, c.data, a.len) != 0);   /* the time is really in it */
        buf_free(&a);
        buf_free(&b);
        buf_free(&c);
    }
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    assert_int_equal(pack_epoch(5), 1700000000);
    setenv("SOURCE_DATE_EPOCH", "17x", 1);
    assert_int_equal(pack_epoch(5), 5);
    setenv("SOURCE_DATE_EPOCH", "-1", 1);
    assert_int_equal(pack_epoch(5), 5);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(pack_epoch(5), 5);
}

static void refused(const pack_file *f, size_t n, const char *text)
{
    buf out = BUF_INIT;
    char err[256] = "";
    assert_int_equal(pack_build(PACK_ZIP, f, n, MTIME, &out, err, sizeof err), -1);
    if (!strstr(err, text)) fail_msg("\"%s\" lacks \"%s\"", err, text);
    assert_int_equal(out.len, 0);
    buf_free(&out);
}

static void test_bad_entries(void **state)
{
    (void)state;
    pack_file f[2] = {{"a.js", "x", 1, 0644}, {"a.js", "y", 1, 0644}};
    refused(f, 2, "\"a.js\" appears twice");
    f[1].path = "a.js/b";
    refused(f, 2, "is below another file");
    f[1].path = "../x";
    refused(f, 2, "not a safe relative path");
    f[1].path = "/etc/x";
    refused(f, 2, "not a safe relative path");
    f[1].path = "a//b";
    refused(f, 2, "not a safe relative path");
    f[1].path = "b";
    f[1].mode = 0600;
    refused(f, 2, "mode other than 0644 or 0755");
    refused(f, 0, "at least one file");
    pack_kind k;
    assert_int_equal(pack_kind_parse("tar.gz", &k), 0);
    assert_int_equal(k, PACK_TGZ);
    assert_int_equal(pack_kind_parse("rar", &k), -1);
    assert_string_equal(pack_kind_label(PACK_DIR), "files");
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    if (d) closedir(d);
    return n;
}

static char tmpdir[64];

static int make_tmp(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/gen_archive.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The files below a nested folder become one zip entry holding them at their paths below it; the rest
 * are copied; a nested folder holding nothing is refused. */
static void test_nest(void **state)
{
    (void)state;
    static const pack_nested nest[] = {{"bin.zip", "bin", PACK_ZIP}};
    pack_file *out = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(pack_nest(nest, 1, files, NFILES, MTIME, &out, &n, err, sizeof err), 0);
    assert_int_equal(n, NFILES);
    const pack_file *inner = NULL;
    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(out[i].path, "bin/run.sh");
        if (!strcmp(out[i].path, "bin.zip")) inner = &out[i];
    }
    assert_non_null(inner);
    buf expect = BUF_INIT;
    static const pack_file alone[] = {{"run.sh", "#!/bin/sh\necho hi\n", 18, 0755}};
    assert_int_equal(pack_build(PACK_ZIP, alone, 1, MTIME, &expect, err, sizeof err), 0);
    assert_int_equal(inner->len, expect.len);
    assert_memory_equal(inner->data, expect.data, expect.len);
    buf_free(&expect);
    pack_files_free(out, n);
    static const pack_nested none[] = {{"x.tar.gz", "nothing", PACK_TGZ}};
    out = NULL;
    assert_int_equal(pack_nest(none, 1, files, NFILES, MTIME, &out, &n, err, sizeof err), -1);
    assert_string_equal(err, "archive x.tar.gz: no file below nothing");
    assert_null(out);
}

static void test_save(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/out.zip", tmpdir);
    assert_int_equal(pack_save(path, "hello", 5, err, sizeof err), 0);
    assert_int_equal(pack_save(path, "bye", 3, err, sizeof err), 0);   /* replaces in one step */
    FILE *f = fopen(path, "rb");
    char data[16] = "";
    assert_int_equal(fread(data, 1, sizeof data, f), 3);
    fclose(f);
    assert_memory_equal(data, "bye", 3);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_entries(tmpdir), 1);         /* no temporary file left */

    snprintf(path, sizeof path, "%s/missing/out.zip", tmpdir);
    assert_int_equal(pack_save(path, "x", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create a file there"));
    assert_int_equal(pack_save(tmpdir, "x", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "is a directory"));
    assert_int_equal(count_entries(tmpdir), 1);

    char hex[65];
    assert_int_equal(pack_sha256("abc", 3, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_save_dir(void **state)
{
    (void)state;
    char dir[128], path[192], err[256];
    snprintf(dir, sizeof dir, "%s/bundle", tmpdir);
    assert_int_equal(pack_save_dir(dir, files, NFILES, err, sizeof err), 0);
    struct stat st;
    snprintf(path, sizeof path, "%s/bin/run.sh", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    assert_int_equal(st.st_size, 18);
    snprintf(path, sizeof path, "%s/src/index.js", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    int before = count_entries(tmpdir);
    assert_int_equal(pack_save_dir(dir, files, NFILES, err, sizeof err), -1);
    assert_non_null(strstr(err, "already exists"));
    pack_file bad[2] = {{"a", "x", 1, 0644}, {"a/b", "y", 1, 0644}};
    snprintf(dir, sizeof dir, "%s/bad", tmpdir);
    assert_int_equal(pack_save_dir(dir, bad, 2, err, sizeof err), -1);
    assert_int_equal(count_entries(tmpdir), before);    /* nothing half-written */

    char one[65], all[65], list[256];
    assert_int_equal(pack_sha256_files(files, NFILES, all), 0);
    buf b = BUF_INIT;
    for (size_t i = 0; i < NFILES; i++) {
        const pack_file *f = find(sorted[i]);
        pack_sha256(f->data, f->len, one);
        snprintf(list, sizeof list, "%s  %s\n", one, f->path);
        buf_puts(&b, list);
    }
    pack_sha256(b.data, b.len, one);
    assert_string_equal(all, one);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_layout),
        cmocka_unit_test(test_tgz_layout),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_entries),
        cmocka_unit_test(test_nest),
        cmocka_unit_test(test_save),
        cmocka_unit_test(test_save_dir),
    };
    return cmocka_run_group_tests_name("gen_archive", tests, make_tmp, rm_tmp);
}
