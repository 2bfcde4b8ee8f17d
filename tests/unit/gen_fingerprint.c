/* gen_fingerprint.c -- unit tests of fingerprint.c: which files make a platform's sources and
 * what changes the fingerprint (content, used partials, manifests) and what does not (order, CRLF). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "buf.h"
#include "fingerprint.h"

static char root[64];

static void write_at(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gen_fingerprint.XXXXXX");
    if (!mkdtemp(root)) return -1;
    buf common = BUF_INIT;
    if (buf_read_file(&common, "platforms/_common.yaml") < 0) return -1;
    write_at("platforms/_common.yaml", common.data);
    buf_free(&common);
    write_at("platforms/demo.yaml", "id: demo\nname: Demo\nruntime: test\nversion: 1.0.0\narchive: zip\n"
                                    "files:\n  - template: demo/index.js\ncommon:\n  include: all\n");
    write_at("templates/demo/index.js", "{{> _shared/used.js}}\n{{> demo/_part.js}}\nconst E = {{endpoint}};\n");
    write_at("templates/demo/_part.js", "const P = 1;\n");
    write_at("templates/_shared/used.js", "{{<_shared/deep.js}}{{/_shared/deep.js}}\nconst U = 1;\n");   /* a parent counts too */
    write_at("templates/_shared/deep.js", "const D = 1;\n");
    write_at("templates/_shared/unused.js", "const X = 2;\n");
    write_at("templates/other/index.js", "const O = 1;\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd);
}

static void fp(char hex[65])
{
    char err[1024];
    if (fingerprint_platform(root, "demo", hex, err, sizeof err) < 0) fail_msg("%s", err);
}

static void test_collect(void **state)
{
    (void)state;
    char err[1024];
    manifest *m = manifest_load(root, "demo", err, sizeof err);
    if (!m) fail_msg("%s", err);
    fingerprint_set s;
    assert_int_equal(fingerprint_collect(root, m, &s, err, sizeof err), 0);
    const char *want[] = {"platforms/_common.yaml", "platforms/demo.yaml", "templates/_shared/deep.js",
                          "templates/_shared/used.js", "templates/demo/_part.js", "templates/demo/index.js"};
    assert_int_equal(s.n, 6);
    for (size_t i = 0; i < s.n; i++) assert_string_equal(s.files[i].path, want[i]);   /* sorted, only what is used */
    /* the documented algorithm: SHA-256 of the sha256sum listing */
    buf list = BUF_INIT;
    for (size_t i = 0; i < s.n; i++) {
        char one[65];
        pack_sha256(s.files[i].data, s.files[i].len, one);
        buf_printf(&list, "%s  %s\n", one, s.files[i].path);
    }
    char a[65], b[65];
    pack_sha256(list.data, list.len, a);
    assert_int_equal(fingerprint_of(&s, b), 0);
    assert_string_equal(a, b);
    buf_free(&list);
    fingerprint_set_free(&s);
    manifest_free(m);
}

static void test_what_counts(void **state)
{
    (void)state;
    char base[65], now[65];
    fp(base);
    fp(now);
    assert_string_equal(base, now);                        /* stable */

    write_at("templates/demo/index.js", "{{> _shared/used.js}}\r\n{{> demo/_part.js}}\r\nconst E = {{endpoint}};\r\n");
    fp(now);
    assert_string_equal(base, now);                        /* CRLF checkout: same */
    write_at("templates/_shared/unused.js", "const X = 3;\n");
    write_at("templates/other/index.js", "const O = 2;\n");
    fp(now);
    assert_string_equal(base, now);                        /* partials it does not use, other platforms */

    write_at("templates/_shared/deep.js", "const D = 2;\n");
    fp(now);
    assert_string_not_equal(base, now);                    /* a partial used through another */
    write_at("templates/_shared/deep.js", "const D = 1;\n");
    fp(now);
    assert_string_equal(base, now);

    write_at("templates/demo/_part.js", "const P = 2;\n");
    fp(now);
    assert_string_not_equal(base, now);                    /* its own folder */
    write_at("templates/demo/_part.js", "const P = 1;\n");

    buf common = BUF_INIT;
    char path[512];
    snprintf(path, sizeof path, "%s/platforms/_common.yaml", root);
    assert_int_equal(buf_read_file(&common, path), 0);
    buf_puts(&common, "# a comment\n");
    write_at("platforms/_common.yaml", common.data);
    fp(now);
    assert_string_not_equal(base, now);                    /* the shared parameters */
    common.len -= strlen("# a comment\n");
    common.data[common.len] = '\0';
    write_at("platforms/_common.yaml", common.data);
    buf_free(&common);
    fp(now);
    assert_string_equal(base, now);
}

static void test_errors(void **state)
{
    (void)state;
    char hex[65], err[1024];
    assert_int_equal(fingerprint_platform(root, "nope", hex, err, sizeof err), -1);
    assert_non_null(strstr(err, "nope"));
    char link[512];
    snprintf(link, sizeof link, "%s/templates/demo/link.js", root);
    assert_int_equal(symlink("/etc/passwd", link), 0);
    assert_int_equal(fingerprint_platform(root, "demo", hex, err, sizeof err), -1);
    assert_non_null(strstr(err, "templates/demo/link.js: symbolic links are refused"));
    unlink(link);
    fingerprint_set s = {0};
    assert_int_equal(fingerprint_add(&s, "a", "x\r\ny\r", 5), 0);
    assert_int_equal(s.files[0].len, 4);                   /* CRLF -> LF; a lone CR stays */
    assert_memory_equal(s.files[0].data, "x\ny\r", 4);
    assert_non_null(fingerprint_get(&s, "a"));
    assert_null(fingerprint_get(&s, "b"));
    fingerprint_set_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_what_counts),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
