/* gen_packs.c -- unit tests of packs.c and bundle_resolve: store, load and refuse altered packs,
 * render an old version from its pack, and every shipped version's pack still renders. */
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
#include "bundle.h"
#include "changelog.h"
#include "packs.h"

static char root[64], packs[96];

static void put(const char *rel, const char *text)
{
    char path[512], cmd[600];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", path);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void demo_tree(const char *version, const char *text)
{
    char m[512], t[256];
    snprintf(m, sizeof m, "id: demo\nname: Demo\nruntime: test\nversion: %s\narchive: zip\n"
                          "files:\n  - template: demo/index.js\ncommon:\n  include: all\n", version);
    snprintf(t, sizeof t, "const TEXT = \"%s {{version}}\";\nconst E = {{endpoint}};\n", text);
    put("platforms/demo.yaml", m);
    put("templates/demo/index.js", t);
}

/* Stores the tree's demo sources as a pack; hex gets the fingerprint. */
static void store(char hex[65])
{
    char err[1024];
    manifest *m = manifest_load(root, "demo", err, sizeof err);
    if (!m) fail_msg("%s", err);
    fingerprint_set s;
    int created;
    assert_int_equal(fingerprint_collect(root, m, &s, err, sizeof err), 0);
    if (packs_store(packs, &s, hex, &created, err, sizeof err) < 0) fail_msg("%s", err);
    fingerprint_set_free(&s);
    manifest_free(m);
}

static char old_fp[65], new_fp[65];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gen_packs.XXXXXX");
    if (!mkdtemp(root)) return -1;
    snprintf(packs, sizeof packs, "%s/packs", root);
    FILE *in = fopen("platforms/_common.yaml", "rb");
    if (!in) return -1;
    static char common[65536];
    common[fread(common, 1, sizeof common - 1, in)] = '\0';
    fclose(in);
    put("platforms/_common.yaml", common);
    demo_tree("1.0.0", "old");
    store(old_fp);
    demo_tree("1.1.0", "new");
    store(new_fp);
    char cl[1024];
    snprintf(cl, sizeof cl, "platform: demo\nversions:\n"
             "  - {version: 1.1.0, date: 2026-03-01, node: 1.2.0, fingerprint: %s, changes: [{kind: added, text: n}]}\n"
             "  - {version: 1.0.0, date: 2026-01-01, node: 1.0.0, fingerprint: %s, changes: [{kind: added, text: o}]}\n",
             new_fp, old_fp);
    put("changelog/demo.yaml", cl);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd);
}

/* Renders the resolved source with one endpoint; returns the bundle's index.js text (caller frees). */
static char *render(const bundle_source *src)
{
    const char *sets[] = {"endpoint=https://node.example.com"};
    cJSON *errors = NULL, *params = params_from_cli(src->m->params, src->m->nparams, sets, 1, &errors);
    assert_non_null(params);
    cJSON *ctx = bundle_context(src->m, src->version, params);
    bundle b;
    char err[2048];
    if (bundle_make(src->m, src->set, ctx, src->version, src->mtime, &b, err, sizeof err) < 0) fail_msg("%s", err);
    char *text = strndup(b.files[0].data, b.files[0].len);
    bundle_free(&b);
    cJSON_Delete(ctx);
    return text;
}

static void test_store_load(void **state)
{
    (void)state;
    assert_string_not_equal(old_fp, new_fp);
    char path[256], err[1024], again[65];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.tar.gz", packs, old_fp);
    assert_int_equal(stat(path, &st), 0);
    fingerprint_set s;
    assert_int_equal(packs_load(packs, old_fp, &s, err, sizeof err), 0);
    assert_non_null(fingerprint_get(&s, "platforms/demo.yaml"));
    assert_non_null(strstr(fingerprint_get(&s, "templates/demo/index.js")->data, "\"old {{version}}\""));
    int created = 1;
    assert_int_equal(packs_store(packs, &s, again, &created, err, sizeof err), 0);
    assert_int_equal(created, 0);                          /* immutable: never rewritten */
    assert_string_equal(again, old_fp);
    fingerprint_set_free(&s);
    assert_int_equal(packs_load(packs, "0000000000000000000000000000000000000000000000000000000000000000", &s, err,
                                sizeof err), -1);
    assert_non_null(strstr(err, "cannot read the template pack"));
}

static void test_refused(void **state)
{
    (void)state;
    char err[1024];
    fingerprint_set s;
    /* a valid pack under another pack's name: its content does not have that fingerprint */
    static const char fake[] = "1111111111111111111111111111111111111111111111111111111111111111";
    char from[256], to[256], cmd[600];
    snprintf(from, sizeof from, "%s/%s.tar.gz", packs, old_fp);
    snprintf(to, sizeof to, "%s/%s.tar.gz", packs, fake);
    snprintf(cmd, sizeof cmd, "cp %s %s", from, to);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(packs_load(packs, fake, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "content has fingerprint"));
    assert_non_null(strstr(err, "not the recorded 1111"));
    unlink(to);
    /* bytes damaged */
    assert_int_equal(packs_parse("x.tar.gz", "\x1f\x8b\x08\x00garbage", 11, old_fp, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "x.tar.gz"));
    /* an entry outside platforms/ and templates/ */
    pack_file bad[] = {{"etc/passwd", "root", 4, 0644}};
    buf tgz = BUF_INIT;
    assert_int_equal(pack_build(PACK_TGZ, bad, 1, 0, &tgz, err, sizeof err), 0);
    assert_int_equal(packs_parse("bad.tar.gz", tgz.data, tgz.len, old_fp, &s, err, sizeof err), -1);
    assert_string_equal(err, "bad.tar.gz: entry \"etc/passwd\" is not a platforms/ or templates/ path");
    buf_free(&tgz);
}

static void test_resolve(void **state)
{
    (void)state;
    char err[2048];
    bundle_source src;
    if (bundle_resolve(root, NULL, "demo", NULL, &src, err, sizeof err) < 0) fail_msg("%s", err);
    assert_string_equal(src.version, "1.1.0");
    assert_string_equal(src.node, "1.2.0");
    assert_string_equal(src.date, "2026-03-01");
    assert_false(src.from_pack);
    assert_false(src.stale);
    char *text = render(&src);
    assert_non_null(strstr(text, "\"new 1.1.0\""));
    free(text);
    bundle_source_free(&src);

    if (bundle_resolve(root, packs, "demo", "1.0.0", &src, err, sizeof err) < 0) fail_msg("%s", err);
    assert_true(src.from_pack);
    assert_string_equal(src.version, "1.0.0");
    assert_string_equal(src.fingerprint, old_fp);
    if (!getenv("SOURCE_DATE_EPOCH")) assert_int_equal(src.mtime, 1767225600);   /* 2026-01-01 */
    text = render(&src);
    assert_non_null(strstr(text, "\"old 1.0.0\""));     /* the old template, though the tree changed */
    free(text);
    bundle_source_free(&src);

    assert_int_equal(bundle_resolve(root, NULL, "demo", "0.9.0", &src, err, sizeof err), -1);
    assert_string_equal(err, "unknown version \"0.9.0\" of demo (known: 1.1.0, 1.0.0)");

    demo_tree("1.1.0", "edited");                          /* changed without a new entry */
    assert_int_equal(bundle_resolve(root, NULL, "demo", NULL, &src, err, sizeof err), 0);
    assert_true(src.stale);
    bundle_source_free(&src);
    demo_tree("1.2.0", "new");                             /* the manifest disagrees with the changelog */
    assert_int_equal(bundle_resolve(root, NULL, "demo", NULL, &src, err, sizeof err), -1);
    assert_non_null(strstr(err, "platforms/demo.yaml: version: 1.2.0, but the newest entry of changelog/demo.yaml is 1.1.0"));
    demo_tree("1.1.0", "new");

    char pack[256];                                        /* a corrupted pack is refused */
    snprintf(pack, sizeof pack, "%s/%s.tar.gz", packs, old_fp);
    FILE *f = fopen(pack, "r+b");
    assert_non_null(f);
    fseek(f, 30, SEEK_SET);
    fputc('Z', f);
    fclose(f);
    assert_int_equal(bundle_resolve(root, NULL, "demo", "1.0.0", &src, err, sizeof err), -1);
    assert_non_null(strstr(err, old_fp));
}

/* Every version in every shipped changelog renders from its pack in packs/. */
static void test_shipped_packs(void **state)
{
    (void)state;
    char **ids = NULL, err[4096], cwd[1024], shipped[1200];
    size_t n = 0;
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(shipped, sizeof shipped, "%s/packs", cwd);
    assert_int_equal(manifest_list(".", &ids, &n, err, sizeof err), 0);
    int rendered = 0;
    for (size_t i = 0; i < n; i++) {
        changelog *c = changelog_load(".", ids[i], err, sizeof err);
        if (!c) continue;                                  /* gen_changelog fails for a missing changelog */
        /* a history with a newer version on top makes every shipped version an old one */
        buf text = BUF_INIT;
        buf_printf(&text, "platform: %s\nversions:\n  - {version: 999.0.0, date: 2099-01-01, node: 1.0.0, "
                   "fingerprint: %064d, changes: [{kind: added, text: x}]}\n", ids[i], 0);
        for (size_t k = 0; k < c->n; k++)
            buf_printf(&text, "  - {version: %s, date: %s, node: %s, fingerprint: %s, changes: [{kind: added, text: x}]}\n",
                       c->entries[k].version, c->entries[k].date, c->entries[k].node, c->entries[k].fingerprint);
        char rel[256];
        snprintf(rel, sizeof rel, "changelog/%s.yaml", ids[i]);
        put(rel, text.data);
        buf_free(&text);
        for (size_t k = 0; k < c->n; k++) {
            bundle_source src;
            if (bundle_resolve(root, shipped, ids[i], c->entries[k].version, &src, err, sizeof err) < 0)
                fail_msg("%s %s: %s", ids[i], c->entries[k].version, err);
            assert_true(src.from_pack);
            free(render(&src));
            bundle_source_free(&src);
            rendered++;
        }
        changelog_free(c);
    }
    assert_true(rendered >= 6);
    manifest_list_free(ids, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_load),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_shipped_packs),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
