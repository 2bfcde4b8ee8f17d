/* gen_bundle.c -- unit tests of bundle assembly: the render context, rendering with language
 * overrides and partials, error propagation, determinism, folder bundles and finding the data root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bundle.h"
#include "root.h"

static char root[64];

static void put(const char *rel, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/gen_bundle.XXXXXX");
    if (!mkdtemp(root)) return -1;
    put("platforms/_common.yaml",
        "parameters:\n"
        "  - {name: endpoint, type: list, items: url, required: true}\n"
        "  - {name: mode, type: enum, values: [inline, async], default: inline}\n"
        "  - {name: block_page, type: string, default: blocked}\n");
    put("platforms/demo.yaml",
        "id: demo\nname: Demo\nruntime: node\nversion: 1.2.3\narchive: zip\n"
        "files:\n"
        "  - template: demo/index.js\n"
        "  - template: demo/settings.conf\n"
        "    language: toml\n"
        "  - template: demo/run.sh.mustache\n"
        "    mode: '0755'\n"
        "common: {include: all}\n");
    put("platforms/folder.yaml",
        "id: folder\nname: Folder\nruntime: node\nversion: 0.1.0\narchive: files\n"
        "files: [{template: demo/index.js, path: lib/index.js}]\ncommon: {include: all}\n");
    put("platforms/broken.yaml",
        "id: broken\nname: Broken\nruntime: node\nversion: 0.1.0\narchive: zip\n"
        "files: [{template: demo/missing-var.js}]\ncommon: {include: [endpoint]}\n");
    put("templates/_shared/head.js", "const PLATFORM = {{platform.id}};\n");
    put("templates/demo/index.js",
        "{{> _shared/head.js}}const ENDPOINTS = {{endpoint}};\nconst PAGE = \"{{block_page}}\";\n"
        "{{#mode_is.async}}const ASYNC = true;{{/mode_is.async}}\nconst V = {{version}}; // v\n");
    put("templates/demo/settings.conf", "version = {{version}}\nprotocol = {{protocol_version}}\n");
    put("templates/demo/run.sh.mustache", "#!/bin/sh\necho {{platform.name}} {{generator_version}}\n");
    put("templates/demo/missing-var.js", "const X = {{nothing_here}};\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Generates platform id with sets into b; returns 0 or -1 with err. */
static int make(const char *id, const char **sets, size_t n, bundle *b, char *err, size_t errsz)
{
    manifest *m = manifest_load(root, id, err, errsz);
    if (!m) return -1;
    cJSON *errors = NULL;
    cJSON *params = params_from_cli(m->params, m->nparams, sets, n, &errors);
    if (!params) {
        snprintf(err, errsz, "params: %s", cJSON_GetObjectItem(cJSON_GetArrayItem(errors, 0), "message")->valuestring);
        cJSON_Delete(errors);
        manifest_free(m);
        return -1;
    }
    cJSON *ctx = bundle_context(m, m->version, params);
    tmpl_set *set = bundle_templates(root, m, err, errsz);
    int rc = set ? bundle_make(m, set, ctx, m->version, BUNDLE_DEFAULT_EPOCH, b, err, errsz) : -1;
    tmpl_set_free(set);
    cJSON_Delete(ctx);
    manifest_free(m);
    return rc;
}

static const pack_file *file_of(const bundle *b, const char *path)
{
    for (size_t i = 0; i < b->nfiles; i++)
        if (!strcmp(b->files[i].path, path)) return &b->files[i];
    fail_msg("no file %s", path);
    return NULL;
}

static void test_render(void **state)
{
    (void)state;
    const char *sets[] = {"endpoint=http://a.example:1,http://b.example", "mode=async", "block_page=say \"no\"\n"};
    bundle b;
    char err[2048];
    if (make("demo", sets, 3, &b, err, sizeof err) < 0) fail_msg("%s", err);
    assert_int_equal(b.nfiles, 3);
    assert_string_equal(b.file_name, "demo-1.2.3.zip");
    assert_string_equal((const char *)file_of(&b, "index.js")->data,
                        "const PLATFORM = \"demo\";\nconst ENDPOINTS = [\"http://a.example:1\", \"http://b.example\"];\n"
                        "const PAGE = \"say \\\"no\\\"\\x0A\";\nconst ASYNC = true;\nconst V = \"1.2.3\"; // v\n");
    assert_string_equal((const char *)file_of(&b, "settings.conf")->data, "version = \"1.2.3\"\nprotocol = 1\n");
    const pack_file *sh = file_of(&b, "run.sh");   /* .mustache dropped, plain text */
    assert_string_equal((const char *)sh->data, "#!/bin/sh\necho Demo " BUNDLEGEN_VERSION "\n");
    assert_int_equal(sh->mode, 0755);
    assert_memory_equal(b.packed.data, "PK", 2);
    char hex[65];
    pack_sha256(b.packed.data, b.packed.len, hex);
    assert_string_equal(b.sha256, hex);

    bundle again, other;
    assert_int_equal(make("demo", sets, 3, &again, err, sizeof err), 0);
    assert_string_equal(b.sha256, again.sha256);
    assert_int_equal(b.packed.len, again.packed.len);
    assert_memory_equal(b.packed.data, again.packed.data, b.packed.len);
    sets[1] = "mode=inline";
    assert_int_equal(make("demo", sets, 3, &other, err, sizeof err), 0);
    assert_string_not_equal(b.sha256, other.sha256);
    assert_null(strstr((const char *)file_of(&other, "index.js")->data, "ASYNC"));
    bundle_free(&b);
    bundle_free(&again);
    bundle_free(&other);
}

static void test_context(void **state)
{
    (void)state;
    char err[1024];
    manifest *m = manifest_load(root, "demo", err, sizeof err);
    assert_non_null(m);
    cJSON *ctx = bundle_context(m, "9.9.9", cJSON_CreateObject());
    cJSON *p = cJSON_GetObjectItem(ctx, "platform");
    assert_string_equal(cJSON_GetObjectItem(p, "id")->valuestring, "demo");
    assert_string_equal(cJSON_GetObjectItem(p, "name")->valuestring, "Demo");
    assert_string_equal(cJSON_GetObjectItem(p, "runtime")->valuestring, "node");
    assert_string_equal(cJSON_GetObjectItem(ctx, "version")->valuestring, "9.9.9");
    assert_string_equal(cJSON_GetObjectItem(ctx, "generator_version")->valuestring, BUNDLEGEN_VERSION);
    assert_true(cJSON_GetObjectItem(ctx, "protocol_version")->valuedouble == 1);
    cJSON_Delete(ctx);
    manifest_free(m);
}

static void test_errors(void **state)
{
    (void)state;
    const char *sets[] = {"endpoint=http://a.example"};
    bundle b;
    char err[2048];
    assert_int_equal(make("broken", sets, 1, &b, err, sizeof err), -1);
    if (!strstr(err, "broken: demo/missing-var.js: demo/missing-var.js:1:11: {{nothing_here}}")) fail_msg("%s", err);
    assert_non_null(strstr(err, "nothing_here"));
    assert_null(b.files);    /* nothing kept from a failed bundle */

    /* a broken template of another platform does not matter; a broken shared partial does */
    put("templates/other/bad.js", "// {{endpoint}} in a comment\n");
    manifest *m = manifest_load(root, "folder", err, sizeof err);
    assert_non_null(m);
    tmpl_set *set = bundle_templates(root, m, err, sizeof err);
    if (!set) fail_msg("%s", err);
    assert_true(tmpl_set_has(set, "demo/index.js"));
    assert_true(tmpl_set_has(set, "demo/run.sh"));       /* the platform's folder, .mustache dropped */
    assert_true(tmpl_set_has(set, "_shared/head.js"));
    assert_false(tmpl_set_has(set, "other/bad.js"));
    tmpl_set_free(set);
    put("templates/_shared/bad.js", "// {{endpoint}} in a comment\n");
    assert_null(bundle_templates(root, m, err, sizeof err));
    assert_non_null(strstr(err, "templates: _shared/bad.js:1:"));
    manifest_free(m);
    char path[128];
    snprintf(path, sizeof path, "%s/templates/_shared/bad.js", root);
    unlink(path);
}

static void test_folder(void **state)
{
    (void)state;
    const char *sets[] = {"endpoint=http://a.example"};
    bundle b;
    char err[2048], dir[128], path[192];
    if (make("folder", sets, 1, &b, err, sizeof err) < 0) fail_msg("%s", err);
    assert_int_equal(b.kind, PACK_DIR);
    assert_int_equal(b.packed.len, 0);
    assert_string_equal(b.file_name, "folder-0.1.0");
    char hex[65];
    assert_int_equal(pack_sha256_files(b.files, b.nfiles, hex), 0);
    assert_string_equal(b.sha256, hex);
    assert_int_equal(bundle_write(&b, "-", err, sizeof err), -1);
    assert_non_null(strstr(err, "--out - needs a zip or tar.gz bundle"));
    snprintf(dir, sizeof dir, "%s/out", root);
    assert_int_equal(bundle_write(&b, dir, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/lib/index.js", dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((size_t)st.st_size, b.files[0].len);
    bundle_free(&b);
}

static void test_root(void **state)
{
    (void)state;
    char err[512], cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    unsetenv("BUNDLEGEN_ROOT");
    char *r = root_find(root, err, sizeof err);
    assert_string_equal(r, root);
    free(r);
    assert_null(root_find("/nonexistent", err, sizeof err));
    assert_string_equal(err, "--root /nonexistent: no platforms/ folder there");
    setenv("BUNDLEGEN_ROOT", root, 1);
    r = root_find(NULL, err, sizeof err);
    assert_string_equal(r, root);
    free(r);
    setenv("BUNDLEGEN_ROOT", "/nonexistent", 1);
    assert_null(root_find(NULL, err, sizeof err));
    assert_string_equal(err, "BUNDLEGEN_ROOT /nonexistent: no platforms/ folder there");
    r = root_find(root, err, sizeof err);     /* --root wins over the environment */
    assert_string_equal(r, root);
    free(r);
    unsetenv("BUNDLEGEN_ROOT");
    assert_int_equal(chdir(root), 0);
    r = root_find(NULL, err, sizeof err);
    assert_string_equal(r, ".");
    free(r);
    assert_int_equal(chdir("/"), 0);
    r = root_find(NULL, err, sizeof err);
    if (r) assert_string_equal(r, root_installed());
    else assert_non_null(strstr(err, root_installed()));
    free(r);
    assert_int_equal(chdir(cwd), 0);
}

/* The JavaScript-family platforms generate with only an endpoint, deterministically. */
static void test_shipped(void **state)
{
    (void)state;
    static const char *const ids[] = {"akamai", "apigateway", "azion", "cloudflare", "cloudfront", "fastly"};
    char err[2048];
    size_t n = sizeof ids / sizeof *ids;
    for (size_t i = 0; i < n; i++) {
        manifest *m = manifest_load(".", ids[i], err, sizeof err);
        if (!m) fail_msg("%s", err);
        const char *sets[] = {"endpoint=http://127.0.0.1:5050"};
        cJSON *errors = NULL;
        tmpl_set *set = bundle_templates(".", m, err, sizeof err);
        if (!set) fail_msg("%s: %s", ids[i], err);
        bundle b[2];
        for (int k = 0; k < 2; k++) {
            cJSON *ctx = bundle_context(m, m->version, params_from_cli(m->params, m->nparams, sets, 1, &errors));
            if (bundle_make(m, set, ctx, m->version, BUNDLE_DEFAULT_EPOCH, &b[k], err, sizeof err) < 0)
                fail_msg("%s: %s", ids[i], err);
            cJSON_Delete(ctx);
        }
        assert_string_equal(b[0].sha256, b[1].sha256);
        assert_int_equal(b[0].nfiles, m->nfiles);
        /* Every file has content, but for a secret file made without a token: none ships a placeholder. */
        for (size_t f = 0; f < b[0].nfiles; f++)
            if (!strstr(b[0].files[f].path, "secrets/")) assert_true(b[0].files[f].len > 0);
        bundle_free(&b[0]);
        bundle_free(&b[1]);
        tmpl_set_free(set);
        manifest_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_folder),
        cmocka_unit_test(test_root),
        cmocka_unit_test(test_shipped),
    };
    return cmocka_run_group_tests_name("gen_bundle", tests, setup, teardown);
}
