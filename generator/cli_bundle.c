/* cli_bundle.c -- "bundlegen platforms", "describe" and "generate": the bundle commands.
 * Exit status: 0 done, 1 bad input or data (the message says which), 2 a usage error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "changelog.h"
#include "cli.h"
#include "manifest.h"
#include "params.h"
#include "root.h"

typedef struct opts {
    const char *platform, *root, *version, *out, *packs, *node_version;
    int json;
    cli_list sets;       /* --set NAME=VALUE and --endpoint URL, in the order given */
} opts;

#define ROOT_OPT {"--root", "DIR", CLI_STR, offsetof(opts, root), \
                  CLI_ROOT_HELP}

static const cli_option listing_opts[] = {
    {"--json", NULL, CLI_FLAG, offsetof(opts, json), "print JSON"},
    ROOT_OPT,
    {NULL, NULL, 0, 0, NULL},
};

static const cli_command platforms_cmd = {
    "platforms",
    "usage: bundlegen platforms [--json] [--root DIR]\n"
    "\n"
    "Lists every platform: id, name, runtime, current bundle version and archive format.\n",
    listing_opts, NULL, 0, {0}, 0, NULL, "bundlegen",
};

static const cli_command describe_cmd = {
    "describe",
    "usage: bundlegen describe PLATFORM [--json] [--root DIR]\n"
    "\n"
    "Shows a platform's bundle: its files and its parameters with types, defaults and descriptions.\n",
    listing_opts, NULL, 1, {offsetof(opts, platform)}, 1, "which platform? (see bundlegen platforms)", "bundlegen",
};

static const cli_option generate_opts[] = {
    {"--endpoint", "URL", CLI_LIST, offsetof(opts, sets),
     "a node endpoint (same as --set endpoint=URL); repeat for failover, in order"},
    {"--set", "NAME=VALUE", CLI_LIST, offsetof(opts, sets),
     "a parameter (see bundlegen describe PLATFORM); repeat a list's name or\n"
     "separate its values with commas"},
    {"--version", "V", CLI_STR, offsetof(opts, version),
     "the bundle version (default: the current one, the changelog's newest);\n"
     "an older version renders from its template pack"},
    {"--node-version", "N", CLI_STR, offsetof(opts, node_version),
     "refuse a bundle whose minimum node version is above N"},
    {"--packs", "DIR", CLI_STR, offsetof(opts, packs), CLI_PACKS_HELP},
    {"--out", "FILE", CLI_STR, offsetof(opts, out),
     "where to write (default: the manifest's file name in the current folder);\n"
     "- writes the archive to stdout and the digest line to stderr"},
    ROOT_OPT,
    {NULL, NULL, 0, 0, NULL},
};

static const cli_command generate_cmd = {
    "generate",
    "usage: bundlegen generate PLATFORM --endpoint URL [--endpoint URL ...] [--set NAME=VALUE ...]\n"
    "                          [--version V] [--node-version N] [--out FILE | --out -] [--root DIR]\n"
    "                          [--packs DIR]\n"
    "\n"
    "Renders and packs PLATFORM's connector bundle, then prints \"SHA256  PATH\".\n",
    generate_opts,
    "Every invalid parameter is reported, one per line. Nothing is written when anything fails.\n",
    1, {offsetof(opts, platform)}, 1, "which platform? (see bundlegen platforms)", "bundlegen",
};

/* Parses argv for cmd; 0 to run, else the exit status (0 after --help, 2 on a usage error). */
static int parse_args(const cli_command *cmd, int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    int rc = cli_parse(cmd, argc, argv, o);
    if (rc) cli_done(cmd, o);
    return rc == 1 ? -1 : rc;
}

static int print_json(cJSON *v)
{
    char *s = v ? cJSON_Print(v) : NULL;
    cJSON_Delete(v);
    if (!s) { fprintf(stderr, "bundlegen: out of memory\n"); return 1; }
    printf("%s\n", s);
    cJSON_free(s);
    return 0;
}

/* Finds the root and loads one platform's manifest, printing why not. */
static manifest *load(const opts *o, char **root)
{
    char err[2048];
    *root = root_find(o->root, err, sizeof err);
    manifest *m = *root ? manifest_load(*root, o->platform, err, sizeof err) : NULL;
    if (!m) fprintf(stderr, "bundlegen: describe: %s\n", err);
    return m;
}

int cli_platforms(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&platforms_cmd, argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    char err[2048], **ids = NULL;
    size_t n = 0;
    char *root = root_find(o.root, err, sizeof err);
    if (!root || manifest_list(root, &ids, &n, err, sizeof err) < 0) {
        fprintf(stderr, "bundlegen: platforms: %s\n", err);
        free(root);
        cli_done(&platforms_cmd, &o);
        return 1;
    }
    manifest **ms = calloc(n + 1, sizeof *ms);
    int wname = 4;
    for (size_t i = 0; ms && i < n; i++) {
        if (!(ms[i] = manifest_load(root, ids[i], err, sizeof err))) {
            fprintf(stderr, "bundlegen: platforms: %s\n", err);
            rc = 1;
        } else if ((int)strlen(ms[i]->name) > wname) {
            wname = (int)strlen(ms[i]->name);
        }
    }
    cJSON *all = cJSON_CreateArray();
    for (size_t i = 0; ms && i < n; i++) {
        const manifest *m = ms[i];
        if (!m) continue;
        if (o.json) {
            cJSON *p = cJSON_CreateObject();
            cJSON_AddStringToObject(p, "id", m->id);
            cJSON_AddStringToObject(p, "name", m->name);
            cJSON_AddStringToObject(p, "runtime", m->runtime);
            cJSON_AddStringToObject(p, "version", m->version);
            cJSON_AddStringToObject(p, "archive", pack_kind_label(m->archive));
            cJSON_AddItemToArray(all, p);
        } else {
            printf("%-12s %-8s %-7s %-*s  %s\n", m->id, m->version, pack_kind_label(m->archive), wname, m->name,
                   m->runtime);
        }
    }
    if (o.json) { if (print_json(all)) rc = 1; }
    else cJSON_Delete(all);
    for (size_t i = 0; ms && i < n; i++) manifest_free(ms[i]);
    free(ms);
    manifest_list_free(ids, n);
    free(root);
    cli_done(&platforms_cmd, &o);
    return rc;
}

static void describe_param(const param_def *d)
{
    char a[32];
    printf("  %s: %s", d->name, d->type == PT_LIST ? "list of " : "");
    printf("%s", params_type_name(d->type == PT_LIST ? d->item : d->type));
    if (d->nvalues) {
        printf(" (");
        for (size_t i = 0; i < d->nvalues; i++) printf("%s%s", i ? " | " : "", d->values[i]);
        printf(")");
    }
    param_type t = d->type == PT_LIST ? d->item : d->type;
    if (d->min.set) { params_format_unit(a, sizeof a, t, d->min.v); printf(", min %s", a); }
    if (d->max.set) { params_format_unit(a, sizeof a, t, d->max.v); printf(", max %s", a); }
    if (d->pattern) printf(", matching %s", d->pattern);
    if (d->required) printf(", required");
    if (d->secret) printf(", secret");
    if (d->def && cJSON_IsNumber(d->def) && (t == PT_DURATION || t == PT_SIZE)) {
        params_format_unit(a, sizeof a, t, (long long)d->def->valuedouble);
        printf(", default %s", a);
    } else if (d->def) {
        char *s = cJSON_PrintUnformatted(d->def);
        if (s && strlen(s) > 60) strcpy(s + 57, "...");
        printf(", default %s", s ? s : "?");
        cJSON_free(s);
    }
    printf("\n      %s\n", d->description ? d->description : "");
}

int cli_describe(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&describe_cmd, argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    char *root = NULL;
    manifest *m = load(&o, &root);
    if (!m) rc = 1;
    else if (o.json) rc = print_json(manifest_json(m));
    else {
        char *file = manifest_archive_file(m, m->version);
        printf("%s: %s\n  runtime %s, version %s, %s bundle %s\n\nfiles:\n", m->id, m->name, m->runtime,
               m->version, pack_kind_label(m->archive), file ? file : "");
        free(file);
        for (size_t i = 0; i < m->nfiles; i++)
            printf("  %-28s %s %s, from templates/%s\n", m->files[i].path, m->files[i].mode == 0755 ? "0755" : "0644",
                   lang_name(m->files[i].lang), m->files[i].tmpl);
        if (m->narchives) printf("\narchives inside the bundle:\n");
        for (size_t i = 0; i < m->narchives; i++)
            printf("  %-28s the files below %s/\n", m->archives[i].path, m->archives[i].from);
        printf("\nparameters (--set NAME=VALUE; durations 250ms/2s/1m, sizes 512/64k/1m):\n");
        for (size_t i = 0; i < m->nparams; i++) describe_param(&m->params[i]);
    }
    manifest_free(m);
    free(root);
    cli_done(&describe_cmd, &o);
    return rc;
}

/* Refuses a bundle that needs a newer node than --node-version; 0 when it fits. */
static int node_fits(const opts *o, const bundle_source *src)
{
    semver have, need;
    if (!o->node_version) return 0;
    if (changelog_semver_parse(o->node_version, &have) < 0) {
        fprintf(stderr, "bundlegen: generate: --node-version: \"%s\" is not MAJOR.MINOR.PATCH\n", o->node_version);
        return -1;
    }
    if (!src->has_changelog) {
        fprintf(stderr, "bundlegen: generate: %s has no changelog yet, so its minimum node version is unknown\n",
                src->m->id);
        return -1;
    }
    if (changelog_semver_parse(src->node, &need) == 0 && changelog_semver_cmp(&need, &have) > 0) {
        fprintf(stderr, "bundlegen: generate: %s %s needs node %s or newer, and --node-version is %s: upgrade the "
                "node, or pick an older bundle version (bundlegen changelog render --format md --platform %s)\n",
                src->m->id, src->version, src->node, o->node_version, src->m->id);
        return -1;
    }
    return 0;
}

/* Resolves the version, validates, renders, packs and writes; returns the exit status. */
static int generate(const opts *o, const char *root)
{
    char err[4096];
    bundle_source src;
    if (bundle_resolve(root, o->packs, o->platform, o->version, &src, err, sizeof err) < 0) {
        fprintf(stderr, "bundlegen: generate: %s\n", err);
        return 1;
    }
    if (node_fits(o, &src) < 0) { bundle_source_free(&src); return 1; }
    const manifest *m = src.m;
    cJSON *errors = NULL;
    const char **sets = calloc(o->sets.n + 1, sizeof *sets);
    char **owned = calloc(o->sets.n + 1, sizeof *owned);
    int oom = !sets || !owned;
    for (size_t i = 0; !oom && i < o->sets.n; i++) {
        const struct cli_item *it = &o->sets.v[i];
        if (strcmp(it->opt, "--endpoint")) { sets[i] = it->value; continue; }
        size_t n = strlen(it->value) + sizeof "endpoint=";
        if (!(owned[i] = malloc(n))) { oom = 1; break; }
        snprintf(owned[i], n, "endpoint=%s", it->value);
        sets[i] = owned[i];
    }
    cJSON *params = oom ? NULL : params_from_cli(m->params, m->nparams, sets, o->sets.n, &errors);
    for (size_t i = 0; owned && i < o->sets.n; i++) free(owned[i]);
    free(owned);
    free(sets);
    if (params && ((errors = cJSON_CreateArray()) == NULL || plimits_check_params(&m->limits, m->name, params, errors) != 0)) {
        cJSON_Delete(params);
        params = NULL;
    }
    if (!params) {
        const cJSON *e;
        cJSON_ArrayForEach(e, errors)
            fprintf(stderr, "bundlegen: generate: %s\n", cJSON_GetObjectItem(e, "message")->valuestring);
        if (cJSON_GetArraySize(errors) == 0) fprintf(stderr, "bundlegen: generate: out of memory\n");
        cJSON_Delete(errors);
        bundle_source_free(&src);
        return 1;
    }
    cJSON_Delete(errors);
    cJSON *ctx = bundle_context(m, src.version, params);
    bundle b;
    int rc = 1;
    if (!ctx) snprintf(err, sizeof err, "out of memory");
    if (ctx && bundle_make(m, src.set, ctx, src.version, src.mtime, &b, err, sizeof err) == 0) {
        const char *out = o->out ? o->out : b.file_name;
        if (bundle_write(&b, out, err, sizeof err) == 0) {
            fprintf(strcmp(out, "-") ? stdout : stderr, "%s  %s\n", b.sha256, out);
            rc = 0;
        }
        bundle_free(&b);
    }
    if (rc) fprintf(stderr, "bundlegen: generate: %s\n", err);
    bundle_source_free(&src);
    cJSON_Delete(ctx);
    return rc;
}

int cli_generate(int argc, char **argv)
{
    opts o;
    int rc = parse_args(&generate_cmd, argc, argv, &o);
    if (rc) return rc < 0 ? 0 : rc;
    char err[2048];
    char *root = root_find(o.root, err, sizeof err);
    if (!root) fprintf(stderr, "bundlegen: generate: %s\n", err);
    rc = root ? generate(&o, root) : 1;
    free(root);
    cli_done(&generate_cmd, &o);
    return rc;
}
