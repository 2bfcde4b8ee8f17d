/* gen_manifest.c -- unit tests of manifest loading, plus the runner of the bad-manifest cases:
 * every case file in tests/manifests must fail with exactly the "# expect: LINE:COL: ..." of its first line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "buf.h"
#include "manifest.h"

#define CASES "tests/manifests"

static manifest_common *common;

/* The file's bytes, NUL-terminated (buf_read_file), or NULL. */
static char *slurp(const char *path, size_t *len)
{
    buf b = BUF_INIT;
    if (buf_read_file(&b, path) < 0) { buf_free(&b); return NULL; }
    *len = b.len;
    return buf_detach(&b);
}

static int setup(void **state)
{
    (void)state;
    size_t n;
    char *src = slurp("platforms/_common.yaml", &n), err[1024];
    if (!src) return -1;
    common = manifest_common_parse("platforms/_common.yaml", src, n, err, sizeof err);
    if (!common) fprintf(stderr, "%s\n", err);
    free(src);
    return common ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    manifest_common_free(common);
    return 0;
}

static void bad_case(void **state)
{
    const char *path = *state;
    size_t n;
    char *src = slurp(path, &n);
    assert_non_null(src);
    assert_true(!strncmp(src, "# expect: ", 10));
    char expect[1024];
    size_t el = strcspn(src + 10, "\n");
    snprintf(expect, sizeof expect, "%s:%.*s", path, (int)el, src + 10);
    char err[1024] = "";
    manifest *m = manifest_parse(path, src, n, common, CASES "/templates", err, sizeof err);
    free(src);
    if (m) {
        manifest_free(m);
        fail_msg("%s: loaded, expected: %s", path, expect);
    }
    if (strcmp(err, expect)) fail_msg("%s:\n  got:      %s\n  expected: %s", path, err, expect);
}

static const char good[] =
    "id: demo\n"
    "name: Demo Edge\n"
    "runtime: node 20\n"
    "version: 2.10.3\n"
    "archive: tar.gz\n"
    "files:\n"
    "  - template: demo/index.js\n"
    "  - template: demo/index.js\n"
    "    path: bin/run\n"
    "    language: text\n"
    "    mode: '0755'\n"
    "common:\n"
    "  include: all\n"
    "  exclude: [report_response, token]\n"
    "  defaults:\n"
    "    request_timeout: 2s\n"
    "    skip_extensions: [css, js]\n"
    "parameters:\n"
    "  - name: region\n"
    "    type: enum\n"
    "    values: [eu, us]\n"
    "    default: eu\n"
    "    description: Where it runs.\n"
    "checks:\n"
    "  - {file: index.js, run: node-check}\n";

static void test_good(void **state)
{
    (void)state;
    char err[1024] = "";
    manifest *m = manifest_parse("demo.yaml", good, sizeof good - 1, common, CASES "/templates", err, sizeof err);
    if (!m) fail_msg("%s", err);
    assert_string_equal(m->id, "demo");
    assert_string_equal(m->runtime, "node 20");
    assert_string_equal(m->version, "2.10.3");
    assert_int_equal(m->archive, PACK_TGZ);
    assert_string_equal(m->archive_name, "{id}-{version}.tar.gz");
    char *file = manifest_archive_file(m, "1.2.3");
    assert_string_equal(file, "demo-1.2.3.tar.gz");
    free(file);
    assert_int_equal(m->nfiles, 2);
    assert_string_equal(m->files[0].path, "index.js");          /* "demo/" stripped */
    assert_int_equal(m->files[0].lang, LANG_JS);
    assert_int_equal(m->files[0].has_lang, 0);
    assert_int_equal(m->files[0].mode, 0644);
    assert_string_equal(m->files[1].path, "bin/run");
    assert_int_equal(m->files[1].lang, LANG_TEXT);
    assert_int_equal(m->files[1].has_lang, 1);
    assert_int_equal(m->files[1].mode, 0755);
    assert_null(manifest_param(m, "report_response"));
    assert_null(manifest_param(m, "token"));
    assert_string_equal(m->params[0].name, "endpoint");        /* common first, in their order */
    assert_string_equal(m->params[m->nparams - 1].name, "region");
    assert_int_equal(m->nparams, common->nparams - 2 + 1);
    assert_true(manifest_param(m, "request_timeout")->def->valuedouble == 2000);
    assert_int_equal(cJSON_GetArraySize(manifest_param(m, "skip_extensions")->def), 2);
    /* the shared definition itself is untouched */
    for (size_t i = 0; i < common->nparams; i++)
        if (!strcmp(common->params[i].name, "request_timeout")) assert_true(common->params[i].def->valuedouble == 1000);
    assert_int_equal(m->nchecks, 1);
    assert_string_equal(m->checks[0].run, "node-check");
    cJSON *j = manifest_json(m);
    assert_string_equal(cJSON_GetObjectItem(j, "archive")->valuestring, "tar.gz");
    assert_string_equal(cJSON_GetObjectItem(j, "file_name")->valuestring, "demo-2.10.3.tar.gz");
    cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "parameters"), (int)m->nparams - 1);
    assert_string_equal(cJSON_GetObjectItem(p, "description")->valuestring, "Where it runs.");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(p, "values"), 1)->valuestring, "us");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "files"), 1), "mode")->valuestring, "0755");
    cJSON_Delete(j);
    manifest_free(m);

    /* without a templates folder, files are not looked up */
    const char *other = "id: x\nname: X\nruntime: r\nversion: 0.0.1\narchive: files\nfiles: [{template: none/a.txt}]\n"
                        "common: {include: [endpoint]}\n";
    m = manifest_parse("x.yaml", other, strlen(other), common, NULL, err, sizeof err);
    if (!m) fail_msg("%s", err);
    assert_string_equal(m->archive_name, "{id}-{version}");
    assert_string_equal(m->files[0].path, "none/a.txt");
    assert_int_equal(m->nparams, 1);
    manifest_free(m);
}

static void test_load_and_list(void **state)
{
    (void)state;
    char root[] = "/tmp/gen_manifest.XXXXXX", path[256], err[1024];
    assert_non_null(mkdtemp(root));
    snprintf(path, sizeof path, "%s/platforms", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/templates", root);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/templates/demo", root);
    mkdir(path, 0755);
    static const struct { const char *name, *text; } files[] = {
        {"platforms/_common.yaml", "parameters:\n  - {name: endpoint, type: list, items: url, required: true}\n"},
        {"platforms/zeta.yaml", "id: zeta\nname: Z\nruntime: r\nversion: 1.0.0\narchive: zip\n"
                                "files: [{template: demo/index.js}]\ncommon: {include: all}\n"},
        {"platforms/alpha.yaml", "id: alpha\nname: A\nruntime: r\nversion: 1.0.0\narchive: zip\n"
                                 "files: [{template: demo/missing.js}]\ncommon: {include: all}\n"},
        {"platforms/notes.txt", "not a manifest"},
        {"templates/demo/index.js", "x"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", root, files[i].name);
        FILE *f = fopen(path, "w");
        fputs(files[i].text, f);
        fclose(f);
    }
    char **ids;
    size_t n;
    assert_int_equal(manifest_list(root, &ids, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(ids[0], "alpha");
    assert_string_equal(ids[1], "zeta");
    manifest_list_free(ids, n);
    manifest *m = manifest_load(root, "zeta", err, sizeof err);
    if (!m) fail_msg("%s", err);
    assert_string_equal(m->files[0].path, "demo/index.js");   /* not below "zeta/": kept whole */
    manifest_free(m);
    assert_null(manifest_load(root, "nope", err, sizeof err));
    assert_string_equal(err, "unknown platform \"nope\" (known: alpha, zeta)");
    assert_null(manifest_load(root, "../platforms/zeta", err, sizeof err));
    assert_non_null(strstr(err, "unknown platform"));
    assert_null(manifest_load(root, "alpha", err, sizeof err));
    snprintf(path, sizeof path, "%s/platforms/alpha.yaml:6:20: files[0]: template: %s/templates/demo/missing.js: no such file",
             root, root);
    assert_string_equal(err, path);
    snprintf(path, sizeof path, "rm -rf %s", root);
    assert_int_equal(system(path), 0);
    assert_int_equal(manifest_list("/nonexistent", &ids, &n, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/platforms: No such file or directory"));
}

/* Every shipped manifest loads against the shipped templates. */
static void test_shipped(void **state)
{
    (void)state;
    char **ids, err[1024];
    size_t n;
    assert_int_equal(manifest_list(".", &ids, &n, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++) {
        manifest *m = manifest_load(".", ids[i], err, sizeof err);
        if (!m) fail_msg("%s", err);
        assert_string_equal(m->id, ids[i]);
        assert_non_null(manifest_param(m, "endpoint"));
        manifest_free(m);
    }
    manifest_list_free(ids, n);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
    char *paths[512];
    size_t np = 0;
    DIR *d = opendir(CASES);
    struct dirent *e;
    while (d && (e = readdir(d)) && np < 512) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) {
            paths[np] = malloc(l + sizeof CASES + 1);
            sprintf(paths[np++], "%s/%s", CASES, e->d_name);
        }
    }
    if (d) closedir(d);
    qsort(paths, np, sizeof *paths, by_name);
    struct CMUnitTest *tests = calloc(np + 3, sizeof *tests);
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_good);
    tests[1] = (struct CMUnitTest)cmocka_unit_test(test_load_and_list);
    tests[2] = (struct CMUnitTest)cmocka_unit_test(test_shipped);
    for (size_t i = 0; i < np; i++)
        tests[3 + i] = (struct CMUnitTest){paths[i] + sizeof CASES, bad_case, NULL, NULL, paths[i]};
    int rc = _cmocka_run_group_tests("gen_manifest", tests, np + 3, setup, teardown);
    for (size_t i = 0; i < np; i++) free(paths[i]);
    free(tests);
    return rc;
}
