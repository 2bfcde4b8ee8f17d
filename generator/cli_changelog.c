/* cli_changelog.c -- "bundlegen changelog check|render|resolve|pack": the platforms' version histories.
 * Exit status: 0 done, 1 a failed check or bad data (the message says which and what to do), 2 usage. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include "buf.h"
#include "changelog.h"
#include "cli.h"
#include "fingerprint.h"
#include "manifest.h"
#include "packs.h"
#include "root.h"

typedef struct opts {
    const char *action, *platform, *root, *packs, *format, *out, *current, *strategy, *rollback;
} opts;

static const cli_option changelog_options[] = {
    {"--platform", "P", CLI_STR, offsetof(opts, platform), "one platform (default: every platform)"},
    {"--format", "F", CLI_STR, offsetof(opts, format), "render: md, json or atom"},
    {"--out", "FILE", CLI_STR, offsetof(opts, out), "render: write FILE instead of stdout"},
    {"--current", "V", CLI_STR, offsetof(opts, current), "resolve: the version running now"},
    {"--strategy", "S", CLI_STR, offsetof(opts, strategy), "resolve: none, patch or minor"},
    {"--rollback-to", "V", CLI_STR, offsetof(opts, rollback), "resolve: whether a rollback to V is allowed"},
    {"--root", "DIR", CLI_STR, offsetof(opts, root),
     CLI_ROOT_HELP},
    {"--packs", "DIR", CLI_STR, offsetof(opts, packs), CLI_PACKS_HELP},
    {NULL, NULL, 0, 0, NULL},
};

static const cli_command changelog_cmd = {
    "changelog",
    "usage: bundlegen changelog check [--platform P] [--root DIR] [--packs DIR]\n"
    "       bundlegen changelog render --format md|json|atom [--platform P] [--out FILE] [--root DIR]\n"
    "       bundlegen changelog resolve PLATFORM --current V (--strategy none|patch|minor | --rollback-to V)\n"
    "       bundlegen changelog pack PLATFORM [--root DIR] [--packs DIR]\n"
    "\n"
    "check    every platform has a valid changelog/<id>.yaml whose newest fingerprint is the tree's, and\n"
    "         a template pack (default folder ROOT/packs) that still matches every version\n"
    "render   the changelog as a Markdown page, a JSON feed or an Atom feed (to stdout or --out)\n"
    "resolve  the version an automatic update from V moves to (never a new major), or whether a\n"
    "         rollback to V is allowed (same major only)\n"
    "pack     stores the tree's sources of PLATFORM as a template pack and prints its fingerprint\n"
    "\n",
    changelog_options, NULL,
    2, {offsetof(opts, action), offsetof(opts, platform)}, 1, "which action? (check, render, resolve or pack)", "bundlegen",
};

/* The platform ids to work on: o->platform alone, or every platform. */
static int platform_ids(const opts *o, const char *root, char ***ids, size_t *n)
{
    char err[2048];
    if (!o->platform) {
        if (manifest_list(root, ids, n, err, sizeof err) == 0) return 0;
        fprintf(stderr, "bundlegen: changelog: %s\n", err);
        return -1;
    }
    *ids = calloc(1, sizeof **ids);
    if (!*ids || !((*ids)[0] = strdup(o->platform))) { free(*ids); fprintf(stderr, "bundlegen: out of memory\n"); return -1; }
    *n = 1;
    return 0;
}

/* Appends a message for check and returns -1. */
/* Every version's node minimum must be a released node version (listed in the node's changelog). */
static int check_node_minimums(const changelog *cl, const changelog *node, buf *msg)
{
    for (size_t i = 0; i < cl->n; i++) {
        const changelog_entry *e = &cl->entries[i];
        if (changelog_find(node, e->node)) continue;
        char known[1024];
        changelog_versions_text(node, known, sizeof known);
        return buf_fail(msg, "%s %s: %s:%d: node: %s is not an edgenode release (changelog/%s.yaml lists %s): name the "
                         "oldest released node this version works with\n",
                    cl->platform, e->version, cl->file, e->line, e->node, CHANGELOG_NODE, known);
    }
    return 0;
}

/* What check says about one platform; 0 when all is well. */
static int check_one(const char *root, const char *packs, const char *id, const changelog *node, buf *msg)
{
    char err[4096], fp[65], path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/changelog/%s.yaml", root, id);
    if (fingerprint_platform(root, id, fp, err, sizeof err) < 0) return buf_fail(msg, "%s: %s\n", id, err);
    if (stat(path, &st) < 0)
        return buf_fail(msg, "%s: changelog/%s.yaml is missing: every platform needs one. Start it with\n"
                          "    platform: %s\n    versions:\n      - version: 1.0.0\n        date: YYYY-MM-DD\n"
                          "        node: 1.0.0\n        fingerprint: %s\n        changes:\n"
                          "          - {kind: added, text: \"First release: ...\"}\n"
                          "  then store its template pack: bundlegen changelog pack %s\n", id, id, id, fp, id);
    changelog *cl = changelog_load(root, id, err, sizeof err);
    if (!cl) return buf_fail(msg, "%s: %s\n", id, err);
    const changelog_entry *top = &cl->entries[0];
    manifest *m = manifest_load(root, id, err, sizeof err);
    int rc = 0;
    if (!m) rc = buf_fail(msg, "%s: %s\n", id, err);
    else if (strcmp(m->version, top->version))
        rc = buf_fail(msg, "%s: platforms/%s.yaml says version %s but the newest changelog entry is %s: make the "
                        "manifest say %s\n", id, id, m->version, top->version, top->version);
    manifest_free(m);
    if (rc == 0) rc = check_node_minimums(cl, node, msg);
    if (rc == 0 && strcmp(fp, top->fingerprint))
        rc = buf_fail(msg, "%s: the manifest or templates changed since %s was recorded (%s:%d: fingerprint %s, "
                        "the tree now has %s).\n  Add a new entry on top of changelog/%s.yaml with\n"
                        "        fingerprint: %s\n  (PATCH for a fix, MINOR for a compatible feature, MAJOR when it "
                        "needs a node upgrade),\n  then store its template pack: bundlegen changelog pack %s\n",
                        id, top->version, cl->file, top->line, top->fingerprint, fp, id, fp, id);
    for (size_t i = 0; rc == 0 && i < cl->n; i++) {
        fingerprint_set s;
        if (packs_load(packs, cl->entries[i].fingerprint, &s, err, sizeof err) < 0)
            rc = buf_fail(msg, "%s %s: %s\n%s%s%s", id, cl->entries[i].version, err,
                      i == 0 ? "  store the current version's pack: bundlegen changelog pack " : "", i == 0 ? id : "",
                      i == 0 ? "\n" : "");
        else fingerprint_set_free(&s);
    }
    if (rc == 0) buf_printf(msg, "ok   %-14s %s (%zu version%s)\n", id, top->version, cl->n, cl->n == 1 ? "" : "s");
    changelog_free(cl);
    return rc;
}

/* Changelogs of platforms that do not exist (a renamed or removed manifest); the count. */
static size_t orphans(const char *root, char **ids, size_t n)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/changelog", root);
    DIR *d = opendir(dir);
    size_t bad = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name), i = 0;
        if (l < 6 || strcmp(e->d_name + l - 5, ".yaml") || strcmp(e->d_name, CHANGELOG_NODE ".yaml") == 0) continue;
        while (i < n && (strlen(ids[i]) != l - 5 || strncmp(ids[i], e->d_name, l - 5))) i++;
        if (i == n) {
            fprintf(stderr, "changelog/%s: no platform %.*s (platforms/%.*s.yaml): remove it or restore the manifest\n",
                    e->d_name, (int)(l - 5), e->d_name, (int)(l - 5), e->d_name);
            bad++;
        }
    }
    if (d) closedir(d);
    return bad;
}

static int do_check(const opts *o, const char *root, const char *packs)
{
    char **ids = NULL;
    size_t n = 0, bad = 0;
    char err[4096];
    changelog *node = changelog_node_load(root, err, sizeof err);
    if (!node) {
        fprintf(stderr, "%s\n  the node's versions, newest first, which the platforms' node minimums name\n", err);
        printf("changelog check: the node's changelog is missing or broken\n");
        return 1;
    }
    if (platform_ids(o, root, &ids, &n) < 0) { changelog_free(node); return 1; }
    if (!o->platform) bad += orphans(root, ids, n);
    for (size_t i = 0; i < n; i++) {
        buf msg = BUF_INIT;
        int rc = strcmp(ids[i], CHANGELOG_NODE) ? check_one(root, packs, ids[i], node, &msg)
                 : buf_fail(&msg, "platforms/%s.yaml: the name %s is the node's changelog's: rename the platform\n",
                        ids[i], CHANGELOG_NODE);
        fputs(msg.data ? msg.data : "", rc ? stderr : stdout);
        buf_free(&msg);
        if (rc) bad++;
    }
    manifest_list_free(ids, n);
    printf("changelog check: %zu platform%s, %zu failed; node minimums against edgenode %s\n", n, n == 1 ? "" : "s",
           bad, node->entries[0].version);
    changelog_free(node);
    return bad ? 1 : 0;
}

static int do_render(const opts *o, const char *root)
{
    changelog_format f;
    if (!o->format || changelog_format_parse(o->format, &f) < 0) {
        fprintf(stderr, "bundlegen: changelog render: --format: %s%s%s (expected md, json or atom)\n",
                o->format ? "\"" : "missing", o->format ? o->format : "", o->format ? "\"" : "");
        return 2;
    }
    char **ids = NULL, err[4096];
    size_t n = 0;
    if (platform_ids(o, root, &ids, &n) < 0) return 1;
    changelog_platform *ps = calloc(n + 1, sizeof *ps);
    manifest **ms = calloc(n + 1, sizeof *ms);
    int rc = ps && ms ? 0 : 1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!(ms[i] = manifest_load(root, ids[i], err, sizeof err)) ||
            !(ps[i].log = changelog_load(root, ids[i], err, sizeof err))) {
            fprintf(stderr, "bundlegen: changelog render: %s\n", err);
            rc = 1;
        } else {
            ps[i].id = ms[i]->id;
            ps[i].name = ms[i]->name;
        }
    }
    buf out = BUF_INIT;
    if (rc == 0 && changelog_render(ps, n, f, &out) < 0) { fprintf(stderr, "bundlegen: out of memory\n"); rc = 1; }
    if (rc == 0 && pack_save(o->out ? o->out : "-", out.data ? out.data : "", out.len, err, sizeof err) < 0) {
        fprintf(stderr, "bundlegen: changelog render: %s\n", err);
        rc = 1;
    }
    buf_free(&out);
    for (size_t i = 0; ps && ms && i < n; i++) {
        changelog_free((changelog *)ps[i].log);
        manifest_free(ms[i]);
    }
    free(ps);
    free(ms);
    manifest_list_free(ids, n);
    return rc;
}

static int do_resolve(const opts *o, const char *root)
{
    update_strategy s = UPDATE_NONE;
    if (!o->platform || !o->current || !!o->strategy == !!o->rollback) {
        fprintf(stderr, "bundlegen: changelog resolve: needs PLATFORM, --current V and one of --strategy or "
                "--rollback-to\n");
        return 2;
    }
    if (o->strategy && changelog_strategy_parse(o->strategy, &s) < 0) {
        fprintf(stderr, "bundlegen: changelog resolve: --strategy: \"%s\" (expected none, patch or minor)\n", o->strategy);
        return 2;
    }
    char err[2048];
    changelog *cl = changelog_load(root, o->platform, err, sizeof err);
    if (!cl) { fprintf(stderr, "bundlegen: changelog resolve: %s\n", err); return 1; }
    int rc = 1;
    if (o->strategy) {
        const changelog_entry *e = changelog_update_target(cl, o->current, s, err, sizeof err);
        if (e) {
            printf("%s\n", e->version);
            if (e->v.major != cl->entries[0].v.major)
                fprintf(stderr, "note: %s %s is a new major: automatic updates never take it; upgrade by hand, "
                        "with node >= %s\n", o->platform, cl->entries[0].version, cl->entries[0].node);
            rc = 0;
        } else {
            fprintf(stderr, "bundlegen: changelog resolve: %s\n", err);
        }
    } else {
        int ok = changelog_rollback_allowed(cl, o->current, o->rollback, err, sizeof err);
        if (ok == 1) { printf("allowed: %s\n", err); rc = 0; }
        else fprintf(stderr, "bundlegen: changelog resolve: %s%s\n", ok == 0 ? "rollback refused: " : "", err);
    }
    changelog_free(cl);
    return rc;
}

static int do_pack(const opts *o, const char *root, const char *packs)
{
    if (!o->platform) { fprintf(stderr, "bundlegen: changelog pack: which platform?\n"); return 2; }
    char err[4096], hex[65];
    manifest *m = manifest_load(root, o->platform, err, sizeof err);
    fingerprint_set s;
    int created = 0, rc = 1;
    if (m && fingerprint_collect(root, m, &s, err, sizeof err) == 0) {
        if (packs_store(packs, &s, hex, &created, err, sizeof err) == 0) {
            printf("%s  %s/%s.tar.gz (%s)\n", hex, packs, hex, created ? "stored" : "already stored");
            rc = 0;
        }
        fingerprint_set_free(&s);
    }
    if (rc) fprintf(stderr, "bundlegen: changelog pack: %s\n", err);
    manifest_free(m);
    return rc;
}

int cli_changelog(int argc, char **argv)
{
    opts o;
    memset(&o, 0, sizeof o);
    int rc = cli_parse(&changelog_cmd, argc, argv, &o);
    cli_done(&changelog_cmd, &o);
    if (rc) return rc == 1 ? 0 : 2;
    char err[2048];
    char *root = root_find(o.root, err, sizeof err);
    char *packs = root ? packs_dir(root, o.packs) : NULL;
    if (!root || !packs) {
        fprintf(stderr, "bundlegen: changelog: %s\n", root ? "out of memory" : err);
        rc = 1;
    } else if (!strcmp(o.action, "check")) rc = do_check(&o, root, packs);
    else if (!strcmp(o.action, "render")) rc = do_render(&o, root);
    else if (!strcmp(o.action, "resolve")) rc = do_resolve(&o, root);
    else if (!strcmp(o.action, "pack")) rc = do_pack(&o, root, packs);
    else {
        fprintf(stderr, "bundlegen: changelog: unknown action '%s' (check, render, resolve or pack)\n", o.action);
        rc = 2;
    }
    free(packs);
    free(root);
    return rc;
}
