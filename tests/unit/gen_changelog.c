/* gen_changelog.c -- unit tests of changelog.c: semantic versions, the update and rollback policy,
 * strict loading (one bad file per rule in tests/changelog/), the feeds, and a changelog per platform. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include "changelog.h"
#include "manifest.h"

#define FP "bf710173b0b7aa35597e3be399ad95bbf834f8a4892d577316c28c31d4757d80"

/* A history across two majors, newest first. */
static const char history[] =
    "platform: demo\n"
    "versions:\n"
    "  - {version: 2.0.0, date: 2026-06-01, node: 2.0.0, fingerprint: " FP ",\n"
    "     changes: [{kind: changed, text: \"Protocol v2 <b>&</b> \\\"quotes\\\".\"}]}\n"
    "  - {version: 1.2.1, date: 2026-05-01, node: 1.1.0, fingerprint: " FP ", changes: [{kind: fixed, text: a}]}\n"
    "  - {version: 1.2.0, date: 2026-04-01, node: 1.1.0, fingerprint: " FP ", changes: [{kind: added, text: b}]}\n"
    "  - {version: 1.1.3, date: 2026-03-01, node: 1.0.0, fingerprint: " FP ", changes: [{kind: security, text: c}]}\n"
    "  - {version: 1.1.2, date: 2026-03-01, node: 1.0.0, fingerprint: " FP ", changes: [{kind: fixed, text: d}]}\n"
    "  - {version: 1.0.0, date: 2026-01-01, node: 1.0.0, fingerprint: " FP ", changes: [{kind: added, text: e}]}\n";

static changelog *load_history(void)
{
    char err[1024];
    changelog *c = changelog_parse("demo.yaml", history, sizeof history - 1, err, sizeof err);
    if (!c) fail_msg("%s", err);
    return c;
}

static void test_semver(void **state)
{
    (void)state;
    semver a, b;
    assert_int_equal(changelog_semver_parse("1.10.0", &a), 0);
    assert_int_equal(changelog_semver_parse("1.9.12", &b), 0);
    assert_true(changelog_semver_cmp(&a, &b) > 0);            /* numeric, not text order */
    assert_true(changelog_semver_cmp(&b, &a) < 0);
    assert_int_equal(changelog_semver_cmp(&a, &a), 0);
    assert_int_equal(a.major, 1);
    assert_int_equal(a.minor, 10);
    assert_int_equal(b.patch, 12);
    assert_int_equal(changelog_semver_parse("0.0.0", &a), 0);
    const char *bad[] = {"", "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "1.2.03", "v1.2.3", "1.2.3-rc1",
                         "1..3", "1.2.", "-1.2.3", "1234567890.0.0", "1.2.3 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (changelog_semver_parse(bad[i], &a) == 0) fail_msg("accepted \"%s\"", bad[i]);
}

static void test_parse(void **state)
{
    (void)state;
    changelog *c = load_history();
    assert_string_equal(c->platform, "demo");
    assert_int_equal(c->n, 6);
    assert_string_equal(c->entries[0].version, "2.0.0");
    assert_string_equal(c->entries[0].node, "2.0.0");
    assert_string_equal(c->entries[0].date, "2026-06-01");
    assert_int_equal(c->entries[0].changes[0].kind, CHANGE_CHANGED);
    assert_string_equal(c->entries[3].fingerprint, FP);
    assert_int_equal(c->entries[3].changes[0].kind, CHANGE_SECURITY);
    assert_int_equal(changelog_entry_time(&c->entries[0]), 1780272000);   /* 2026-06-01T00:00:00Z */
    assert_ptr_equal(changelog_find(c, "1.2.0"), &c->entries[2]);
    assert_null(changelog_find(c, "1.3.0"));
    char list[256];
    changelog_versions_text(c, list, sizeof list);
    assert_string_equal(list, "2.0.0, 1.2.1, 1.2.0, 1.1.3, 1.1.2, 1.0.0");
    changelog_free(c);
}

static void test_update_policy(void **state)
{
    (void)state;
    changelog *c = load_history();
    char err[512];
    struct { const char *from; update_strategy s; const char *to; } cases[] = {
        {"1.1.2", UPDATE_NONE, "1.1.2"},  {"1.1.2", UPDATE_PATCH, "1.1.3"}, {"1.1.2", UPDATE_MINOR, "1.2.1"},
        {"1.0.0", UPDATE_PATCH, "1.0.0"}, {"1.0.0", UPDATE_MINOR, "1.2.1"}, {"1.2.1", UPDATE_MINOR, "1.2.1"},
        {"2.0.0", UPDATE_MINOR, "2.0.0"}, {"1.2.0", UPDATE_PATCH, "1.2.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const changelog_entry *e = changelog_update_target(c, cases[i].from, cases[i].s, err, sizeof err);
        if (!e) fail_msg("%s: %s", cases[i].from, err);
        if (strcmp(e->version, cases[i].to)) fail_msg("%s strategy %d: %s, expected %s", cases[i].from, cases[i].s, e->version, cases[i].to);
    }
    assert_null(changelog_update_target(c, "1.3.0", UPDATE_MINOR, err, sizeof err));
    assert_string_equal(err, "current version \"1.3.0\" is not a version of demo (known: 2.0.0, 1.2.1, 1.2.0, 1.1.3, 1.1.2, 1.0.0)");
    update_strategy s;
    assert_int_equal(changelog_strategy_parse("minor", &s), 0);
    assert_int_equal(s, UPDATE_MINOR);
    assert_int_equal(changelog_strategy_parse("major", &s), -1);
    changelog_free(c);
}

static void test_rollback_policy(void **state)
{
    (void)state;
    changelog *c = load_history();
    char why[512];
    assert_int_equal(changelog_rollback_allowed(c, "1.2.1", "1.0.0", why, sizeof why), 1);
    assert_string_equal(why, "1.2.1 -> 1.0.0 stays within major 1 (needs node >= 1.0.0)");
    assert_int_equal(changelog_rollback_allowed(c, "2.0.0", "1.2.1", why, sizeof why), 0);
    assert_non_null(strstr(why, "crosses a major version (2 -> 1)"));
    assert_int_equal(changelog_rollback_allowed(c, "1.0.0", "1.2.0", why, sizeof why), 0);
    assert_string_equal(why, "1.2.0 is newer than 1.0.0: that is an upgrade, not a rollback");
    assert_int_equal(changelog_rollback_allowed(c, "1.2.0", "1.2.0", why, sizeof why), 0);
    assert_int_equal(changelog_rollback_allowed(c, "1.2.0", "0.9.0", why, sizeof why), -1);
    assert_non_null(strstr(why, "rollback version \"0.9.0\" is not a version of demo"));
    changelog_free(c);
}

/* Every tests/changelog/NAME.yaml starts with "# expect: MESSAGE" (the keyword of every case folder): parsing it must fail with exactly that.
 * Files named edgenode-*.yaml are parsed as the node's changelog. */
static void test_bad_files(void **state)
{
    (void)state;
    DIR *d = opendir("tests/changelog");
    assert_non_null(d);
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml")) continue;
        char path[512], err[1024];
        snprintf(path, sizeof path, "tests/changelog/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char src[65536];
        size_t n = fread(src, 1, sizeof src - 1, f);
        fclose(f);
        src[n] = '\0';
        assert_true(!strncmp(src, "# expect: ", 10));
        char want[1024];
        size_t wl = strcspn(src + 10, "\n");
        snprintf(want, sizeof want, "%.*s", (int)wl, src + 10);
        int node_log = !strncmp(e->d_name, "edgenode-", 9);   /* the node's changelog, not a platform's */
        changelog *c = (node_log ? changelog_node_parse : changelog_parse)(e->d_name, src, n, err, sizeof err);
        if (c) { changelog_free(c); fail_msg("%s: accepted", e->d_name); }
        if (strcmp(err, want)) fail_msg("%s:\n  got  %s\n  want %s", e->d_name, err, want);
        count++;
    }
    closedir(d);
    assert_true(count >= 15);
}

static void test_render(void **state)
{
    (void)state;
    changelog *c = load_history();
    changelog_platform p = {"demo", "Demo & Co", c};
    buf md = BUF_INIT, js = BUF_INIT, atom = BUF_INIT;
    assert_int_equal(changelog_render(&p, 1, FORMAT_MD, &md), 0);
    assert_non_null(strstr(md.data, "## Demo & Co\n\n| bundle | date | node needed |\n|---|---|---|\n| 2.0.0 | 2026-06-01 | >= 2.0.0 |\n"));
    assert_non_null(strstr(md.data, "### 1.1.3 (2026-03-01)\n\nNode 1.0.0 or newer.\n\n- **security**: c\n"));
    assert_true(strstr(md.data, "### 2.0.0") < strstr(md.data, "### 1.0.0"));

    assert_int_equal(changelog_render(&p, 1, FORMAT_JSON, &js), 0);
    cJSON *arr = cJSON_Parse(js.data);
    assert_non_null(arr);
    assert_int_equal(cJSON_GetArraySize(arr), 6);
    cJSON *first = cJSON_GetArrayItem(arr, 0), *last = cJSON_GetArrayItem(arr, 5);
    assert_string_equal(cJSON_GetObjectItem(first, "id")->valuestring, "tag:bundlegen,2026:connectors/demo/2.0.0");
    assert_string_equal(cJSON_GetObjectItem(first, "version")->valuestring, "2.0.0");
    assert_string_equal(cJSON_GetObjectItem(first, "platform")->valuestring, "demo");
    assert_string_equal(cJSON_GetObjectItem(first, "title")->valuestring, "Connector code bundle \xe2\x80\x94 Demo & Co 2.0.0");
    assert_string_equal(cJSON_GetObjectItem(first, "body_markdown")->valuestring,
                        "- **changed**: Protocol v2 <b>&</b> \"quotes\".\n");
    assert_string_equal(cJSON_GetObjectItem(last, "version")->valuestring, "1.0.0");
    cJSON_Delete(arr);

    assert_int_equal(changelog_render(&p, 1, FORMAT_ATOM, &atom), 0);
    assert_non_null(strstr(atom.data, "<updated>2026-06-01T00:00:00Z</updated>"));
    assert_non_null(strstr(atom.data, "<title>Connector code bundle \xe2\x80\x94 Demo &amp; Co 2.0.0</title>"));
    /* the HTML body is escaped once more inside the feed: no raw markup from a change text */
    assert_non_null(strstr(atom.data, "&lt;li&gt;&lt;strong&gt;changed&lt;/strong&gt;: Protocol v2 &amp;lt;b&amp;gt;"));
    assert_null(strstr(atom.data, "<b>"));
    changelog_format f;
    assert_int_equal(changelog_format_parse("atom", &f), 0);
    assert_int_equal(f, FORMAT_ATOM);
    assert_int_equal(changelog_format_parse("rss", &f), -1);
    buf_free(&md);
    buf_free(&js);
    buf_free(&atom);
    changelog_free(c);
}

/* Every platform of the tree has a valid changelog whose newest version is the manifest's. */
static void test_every_platform_has_one(void **state)
{
    (void)state;
    char **ids = NULL, err[2048];
    size_t n = 0;
    assert_int_equal(manifest_list(".", &ids, &n, err, sizeof err), 0);
    assert_true(n >= 6);
    for (size_t i = 0; i < n; i++) {
        changelog *c = changelog_load(".", ids[i], err, sizeof err);
        if (!c) fail_msg("platform %s: %s", ids[i], err);
        manifest *m = manifest_load(".", ids[i], err, sizeof err);
        if (!m) fail_msg("%s", err);
        if (strcmp(m->version, c->entries[0].version))
            fail_msg("%s: manifest %s, changelog %s", ids[i], m->version, c->entries[0].version);
        manifest_free(m);
        changelog_free(c);
    }
    manifest_list_free(ids, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semver),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_update_policy),
        cmocka_unit_test(test_rollback_policy),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_every_platform_has_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
