/* changelog.c -- loads changelog/<id>.yaml strictly with libyaml, applies the version policy and
 * renders the changelog as Markdown, a JSON feed and an Atom feed. */
#include "changelog.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <yaml.h>
#include "yamldoc.h"

#define MAX_FILE (1024 * 1024)
#define MAX_ENTRIES 4096
#define MAX_TEXT 4096

typedef yamldoc ctx;

static const char *const kinds[] = {"added", "changed", "fixed", "security"};

/* The scalar text of n, or NULL after an error naming what. */
static const char *text_of(ctx *c, const yaml_node_t *n, const char *what)
{
    if (n->type != YAML_SCALAR_NODE) {
        yamldoc_fail(c, n, "%s: expected a scalar, found a %s", what, n->type == YAML_SEQUENCE_NODE ? "sequence" : "mapping");
        return NULL;
    }
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length) { yamldoc_fail(c, n, "%s: holds a NUL character", what); return NULL; }
    return s;
}

/* Fills out[i] with the value of keys[i] in mapping n; unknown and repeated keys are errors. */
static int fields(ctx *c, const yaml_node_t *n, const char *what, const char *const *keys, yaml_node_t **out)
{
    size_t nk = 0;
    while (keys[nk]) out[nk++] = NULL;
    if (n->type != YAML_MAPPING_NODE) return yamldoc_fail(c, n, "%s: expected a mapping", what);
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yamldoc_node(c, p->key);
        const char *name = text_of(c, k, what);
        if (!name) return -1;
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], name)) i++;
        if (!keys[i]) {
            buf known = BUF_INIT;
            for (size_t j = 0; j < nk; j++) buf_printf(&known, "%s%s", j ? ", " : "", keys[j]);
            yamldoc_fail(c, k, "%s: unknown key \"%s\" (known: %s)", what, name, known.data ? known.data : "");
            buf_free(&known);
            return -1;
        }
        if (out[i]) return yamldoc_fail(c, k, "%s: \"%s\" given twice", what, name);
        out[i] = yamldoc_node(c, p->value);
    }
    for (size_t i = 0; i < nk; i++)
        if (!out[i]) return yamldoc_fail(c, n, "%s: \"%s\" is missing", what, keys[i]);
    return 0;
}

static int valid_date(const char *s)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return y >= 1970 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] + (m == 2 && leap);
}

static int valid_hex64(const char *s)
{
    return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int parse_change(ctx *c, const yaml_node_t *n, const char *what, changelog_change *ch)
{
    static const char *const keys[] = {"kind", "text", NULL};
    yaml_node_t *f[2];
    if (fields(c, n, what, keys, f) < 0) return -1;
    const char *kind = text_of(c, f[0], what), *text = kind ? text_of(c, f[1], what) : NULL;
    if (!text) return -1;
    size_t k = 0;
    while (k < 4 && strcmp(kinds[k], kind)) k++;
    if (k == 4) return yamldoc_fail(c, f[0], "%s: kind: \"%s\" is not one of added, changed, fixed, security", what, kind);
    size_t len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\n')) len--;
    if (len == 0) return yamldoc_fail(c, f[1], "%s: text: empty (say what changed)", what);
    if (len > MAX_TEXT) return yamldoc_fail(c, f[1], "%s: text: longer than %d bytes", what, MAX_TEXT);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\n')
            return yamldoc_fail(c, f[1], "%s: text: control character 0x%02x", what, (unsigned char)text[i]);
    ch->kind = (change_kind)k;
    if (!(ch->text = strndup(text, len))) return yamldoc_fail(c, n, "out of memory");
    return 0;
}

static int copy_field(ctx *c, const yaml_node_t *n, const char *what, const char *key, char *dst, size_t dstsz)
{
    char w[128];
    snprintf(w, sizeof w, "%s: %s", what, key);
    const char *s = text_of(c, n, w);
    if (!s) return -1;
    if (strlen(s) >= dstsz) return yamldoc_fail(c, n, "%s: \"%.40s\" is too long", w, s);
    memcpy(dst, s, strlen(s) + 1);
    return 0;
}

static int parse_changes(ctx *c, const yaml_node_t *ch, const char *what, changelog_entry *e);

/* An entry of a platform's changelog, or of the node's (node_log: no node minimum, no fingerprint). */
static int parse_entry(ctx *c, const yaml_node_t *n, size_t index, int node_log, changelog_entry *e)
{
    static const char *const keys[] = {"version", "date", "node", "fingerprint", "changes", NULL};
    static const char *const node_keys[] = {"version", "date", "changes", NULL};
    enum { K_VERSION, K_DATE, K_NODE, K_FP, K_CHANGES };
    yaml_node_t *f[5], *g[3];
    char what[64];
    snprintf(what, sizeof what, "versions[%zu]", index);
    e->line = (int)n->start_mark.line + 1;
    if (node_log) {
        if (fields(c, n, what, node_keys, g) < 0) return -1;
        f[K_VERSION] = g[0], f[K_DATE] = g[1], f[K_NODE] = f[K_FP] = NULL, f[K_CHANGES] = g[2];
    } else if (fields(c, n, what, keys, f) < 0) {
        return -1;
    }
    if (copy_field(c, f[K_VERSION], what, "version", e->version, sizeof e->version) < 0) return -1;
    snprintf(what, sizeof what, "version %s", e->version);
    if (changelog_semver_parse(e->version, &e->v) < 0)
        return yamldoc_fail(c, f[K_VERSION], "version: \"%s\" is not MAJOR.MINOR.PATCH (e.g. 1.2.3)", e->version);
    if (copy_field(c, f[K_DATE], what, "date", e->date, sizeof e->date) < 0) return -1;
    if (!valid_date(e->date))
        return yamldoc_fail(c, f[K_DATE], "%s: date: \"%s\" is not a real date YYYY-MM-DD", what, e->date);
    if (node_log) return parse_changes(c, f[K_CHANGES], what, e);
    if (copy_field(c, f[K_NODE], what, "node", e->node, sizeof e->node) < 0) return -1;
    if (changelog_semver_parse(e->node, &e->node_v) < 0)
        return yamldoc_fail(c, f[K_NODE], "%s: node: \"%s\" is not a node version MAJOR.MINOR.PATCH", what, e->node);
    if (copy_field(c, f[K_FP], what, "fingerprint", e->fingerprint, sizeof e->fingerprint) < 0) return -1;
    if (!valid_hex64(e->fingerprint))
        return yamldoc_fail(c, f[K_FP], "%s: fingerprint: expected 64 lowercase hex digits (SHA-256), found \"%.70s\"",
                       what, e->fingerprint);
    return parse_changes(c, f[K_CHANGES], what, e);
}

static int parse_changes(ctx *c, const yaml_node_t *ch, const char *what, changelog_entry *e)
{
    if (ch->type != YAML_SEQUENCE_NODE) return yamldoc_fail(c, ch, "%s: changes: expected a list of {kind, text}", what);
    size_t cnt = (size_t)(ch->data.sequence.items.top - ch->data.sequence.items.start);
    if (cnt == 0) return yamldoc_fail(c, ch, "%s: changes: a version needs at least one change", what);
    if (cnt > 256) return yamldoc_fail(c, ch, "%s: changes: more than 256", what);
    if (!(e->changes = calloc(cnt, sizeof *e->changes))) return yamldoc_fail(c, ch, "out of memory");
    for (size_t i = 0; i < cnt; i++) {
        char w[96];
        snprintf(w, sizeof w, "%s: changes[%zu]", what, i);
        if (parse_change(c, yamldoc_node(c, ch->data.sequence.items.start[i]), w, &e->changes[i]) < 0) return -1;
        e->nchanges++;
    }
    return 0;
}

/* Newest first: each version strictly below the one above it, each date not after it. */
static int check_order(ctx *c, const changelog *cl, const yaml_node_t *seq)
{
    for (size_t i = 1; i < cl->n; i++) {
        const changelog_entry *a = &cl->entries[i - 1], *b = &cl->entries[i];
        const yaml_node_t *n = yamldoc_node(c, seq->data.sequence.items.start[i]);
        int cmp = changelog_semver_cmp(&a->v, &b->v);
        if (cmp == 0) return yamldoc_fail(c, n, "version %s: listed twice (also at line %d)", b->version, a->line);
        if (cmp < 0)
            return yamldoc_fail(c, n, "version %s: listed below %s but newer: the newest version comes first",
                           b->version, a->version);
        if (strcmp(b->date, a->date) > 0)
            return yamldoc_fail(c, n, "version %s: date %s is after the date of the newer %s (%s)", b->version, b->date,
                           a->version, a->date);
    }
    return 0;
}

/* A platform's changelog (top-level key platform), or the node's (program: edgenode). */
static changelog *parse_log(const char *name, const char *src, size_t len, int node_log, char *err, size_t errsz)
{
    ctx c = {.file = name, .err = err, .errsz = errsz};
    if (yamldoc_load(&c, src, len) < 0) return NULL;
    changelog *cl = calloc(1, sizeof *cl);
    static const char *const keys[] = {"platform", "versions", NULL}, *const node_keys[] = {"program", "versions", NULL};
    yaml_node_t *f[2];
    yaml_node_t *root = yaml_document_get_root_node(&c.doc);
    int rc = -1;
    if (!cl || !(cl->file = strdup(name))) { yamldoc_fail(&c, root, "out of memory"); goto done; }
    if (fields(&c, root, "top level", node_log ? node_keys : keys, f) < 0) goto done;
    const char *id = text_of(&c, f[0], node_log ? "program" : "platform");
    if (id && node_log && strcmp(id, "edgenode")) { yamldoc_fail(&c, f[0], "program: \"%s\" (expected edgenode)", id); goto done; }
    if (!id || !(cl->platform = strdup(id))) goto done;
    const yaml_node_t *seq = f[1];
    if (seq->type != YAML_SEQUENCE_NODE) { yamldoc_fail(&c, seq, "versions: expected a list, newest first"); goto done; }
    size_t cnt = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
    if (cnt == 0) { yamldoc_fail(&c, seq, "versions: empty (a platform has at least its first release)"); goto done; }
    if (cnt > MAX_ENTRIES) { yamldoc_fail(&c, seq, "versions: more than %d", MAX_ENTRIES); goto done; }
    if (!(cl->entries = calloc(cnt, sizeof *cl->entries))) { yamldoc_fail(&c, seq, "out of memory"); goto done; }
    for (size_t i = 0; i < cnt; i++) {
        cl->n++;
        if (parse_entry(&c, yamldoc_node(&c, seq->data.sequence.items.start[i]), i, node_log, &cl->entries[i]) < 0)
            goto done;
    }
    rc = check_order(&c, cl, seq);
done:
    yaml_document_delete(&c.doc);
    if (rc < 0) { changelog_free(cl); return NULL; }
    return cl;
}

changelog *changelog_parse(const char *name, const char *src, size_t len, char *err, size_t errsz)
{
    return parse_log(name, src, len, 0, err, errsz);
}

changelog *changelog_node_parse(const char *name, const char *src, size_t len, char *err, size_t errsz)
{
    return parse_log(name, src, len, 1, err, errsz);
}

/* ROOT/changelog/ID.yaml, parsed as a platform's changelog or as the node's. */
static changelog *load_log(const char *root, const char *id, int node_log, char *err, size_t errsz)
{
    char path[4096], name[512];
    snprintf(path, sizeof path, "%s/changelog/%s.yaml", root, id);
    snprintf(name, sizeof name, "changelog/%s.yaml", id);
    buf src = BUF_INIT;
    src.limit = MAX_FILE;
    if (buf_read_file(&src, path) < 0) {
        snprintf(err, errsz, "%s: cannot read: %s", name, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        buf_free(&src);
        return NULL;
    }
    changelog *cl = parse_log(name, src.data ? src.data : "", src.len, node_log, err, errsz);
    buf_free(&src);
    return cl;
}

changelog *changelog_node_load(const char *root, char *err, size_t errsz)
{
    return load_log(root, CHANGELOG_NODE, 1, err, errsz);
}

changelog *changelog_load(const char *root, const char *id, char *err, size_t errsz)
{
    char name[512];
    snprintf(name, sizeof name, "changelog/%s.yaml", id);
    changelog *cl = load_log(root, id, 0, err, errsz);
    if (cl && strcmp(cl->platform, id)) {
        snprintf(err, errsz, "%s:1:1: platform: \"%s\" but the file is for \"%s\"", name, cl->platform, id);
        changelog_free(cl);
        return NULL;
    }
    return cl;
}

void changelog_free(changelog *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        for (size_t j = 0; j < c->entries[i].nchanges; j++) free(c->entries[i].changes[j].text);
        free(c->entries[i].changes);
    }
    free(c->entries);
    free(c->platform);
    free(c->file);
    free(c);
}

/* ---- versions and policy ---- */

int changelog_semver_parse(const char *s, semver *out)
{
    unsigned long part[3];
    for (int i = 0; i < 3; i++) {
        size_t n = strspn(s, "0123456789");
        if (n == 0 || n > 9 || (n > 1 && s[0] == '0')) return -1;
        part[i] = strtoul(s, NULL, 10);
        s += n;
        if (i < 2 && *s++ != '.') return -1;
    }
    if (*s) return -1;
    out->major = part[0];
    out->minor = part[1];
    out->patch = part[2];
    return 0;
}

int changelog_semver_cmp(const semver *a, const semver *b)
{
    if (a->major != b->major) return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor) return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch) return a->patch < b->patch ? -1 : 1;
    return 0;
}

const char *changelog_kind_name(change_kind k) { return kinds[k]; }

int changelog_strategy_parse(const char *name, update_strategy *out)
{
    static const char *const names[] = {"none", "patch", "minor"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i])) { *out = (update_strategy)i; return 0; }
    return -1;
}

const changelog_entry *changelog_find(const changelog *c, const char *version)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->entries[i].version, version)) return &c->entries[i];
    return NULL;
}

void changelog_versions_text(const changelog *c, char *out, size_t outsz)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < c->n && k < outsz; i++) {
        int w = snprintf(out + k, outsz - k, "%s%s", i ? ", " : "", c->entries[i].version);
        if (w < 0) break;
        k += (size_t)w;
    }
}

time_t changelog_entry_time(const changelog_entry *e)
{
    struct tm tm = {0};
    tm.tm_year = atoi(e->date) - 1900;
    tm.tm_mon = atoi(e->date + 5) - 1;
    tm.tm_mday = atoi(e->date + 8);
    return timegm(&tm);
}

static const changelog_entry *known(const changelog *c, const char *version, const char *what, char *err, size_t errsz)
{
    const changelog_entry *e = changelog_find(c, version);
    if (!e) {
        char list[1024];
        changelog_versions_text(c, list, sizeof list);
        snprintf(err, errsz, "%s version \"%s\" is not a version of %s (known: %s)", what, version, c->platform, list);
    }
    return e;
}

const changelog_entry *changelog_update_target(const changelog *c, const char *current, update_strategy s,
                                               char *err, size_t errsz)
{
    const changelog_entry *cur = known(c, current, "current", err, errsz);
    if (!cur || s == UPDATE_NONE) return cur;
    for (size_t i = 0; i < c->n; i++) {   /* newest first: the first match is the newest */
        const semver *v = &c->entries[i].v;
        if (v->major != cur->v.major || (s == UPDATE_PATCH && v->minor != cur->v.minor)) continue;
        return changelog_semver_cmp(v, &cur->v) > 0 ? &c->entries[i] : cur;
    }
    return cur;
}

int changelog_rollback_allowed(const changelog *c, const char *current, const char *target, char *why, size_t whysz)
{
    const changelog_entry *cur = known(c, current, "current", why, whysz);
    const changelog_entry *to = cur ? known(c, target, "rollback", why, whysz) : NULL;
    if (!to) return -1;
    int cmp = changelog_semver_cmp(&to->v, &cur->v);
    if (cmp == 0) { snprintf(why, whysz, "%s is already the current version", target); return 0; }
    if (cmp > 0) { snprintf(why, whysz, "%s is newer than %s: that is an upgrade, not a rollback", target, current); return 0; }
    if (to->v.major != cur->v.major) {
        snprintf(why, whysz, "%s -> %s crosses a major version (%lu -> %lu): a rollback stays within its major; "
                 "install %s manually with a node it supports (node >= %s)", current, target, cur->v.major,
                 to->v.major, target, to->node);
        return 0;
    }
    snprintf(why, whysz, "%s -> %s stays within major %lu (needs node >= %s)", current, target, to->v.major, to->node);
    return 1;
}

/* ---- rendering ---- */

int changelog_format_parse(const char *name, changelog_format *out)
{
    if (!strcmp(name, "md") || !strcmp(name, "markdown")) *out = FORMAT_MD;
    else if (!strcmp(name, "json")) *out = FORMAT_JSON;
    else if (!strcmp(name, "atom")) *out = FORMAT_ATOM;
    else return -1;
    return 0;
}

/* An entry's Markdown body: one bullet per change, "**kind**: text". */
static int body_md(const changelog_entry *e, buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < e->nchanges; i++)
        rc |= buf_printf(out, "- **%s**: %s\n", kinds[e->changes[i].kind], e->changes[i].text);
    return rc;
}

static int render_md(const changelog_platform *ps, size_t n, buf *out)
{
    int rc = buf_puts(out, "# Connector code bundle changelog\n\n"
                           "Bundle versions are MAJOR.MINOR.PATCH: a new MAJOR needs a node upgrade, MINOR adds "
                           "compatible features, PATCH fixes.\n");
    for (size_t p = 0; p < n; p++) {
        const changelog *c = ps[p].log;
        rc |= buf_printf(out, "\n## %s\n\n| bundle | date | node needed |\n|---|---|---|\n", ps[p].name);
        for (size_t i = 0; i < c->n; i++)
            rc |= buf_printf(out, "| %s | %s | >= %s |\n", c->entries[i].version, c->entries[i].date, c->entries[i].node);
        for (size_t i = 0; i < c->n; i++) {
            rc |= buf_printf(out, "\n### %s (%s)\n\nNode %s or newer.\n\n", c->entries[i].version, c->entries[i].date,
                             c->entries[i].node);
            rc |= body_md(&c->entries[i], out);
        }
    }
    return rc;
}

typedef struct feed_item { const changelog_platform *p; const changelog_entry *e; } feed_item;

static int item_cmp(const void *a, const void *b)
{
    const feed_item *x = a, *y = b;
    int d = strcmp(y->e->date, x->e->date);
    if (d) return d;
    d = strcmp(x->p->id, y->p->id);
    return d ? d : changelog_semver_cmp(&y->e->v, &x->e->v);
}

/* Every entry of every platform, newest date first, then by platform id and version. */
static feed_item *feed_items(const changelog_platform *ps, size_t n, size_t *count)
{
    size_t total = 0;
    for (size_t p = 0; p < n; p++) total += ps[p].log->n;
    feed_item *it = calloc(total + 1, sizeof *it);
    if (!it) return NULL;
    size_t k = 0;
    for (size_t p = 0; p < n; p++)
        for (size_t i = 0; i < ps[p].log->n; i++) it[k++] = (feed_item){&ps[p], &ps[p].log->entries[i]};
    qsort(it, total, sizeof *it, item_cmp);
    *count = total;
    return it;
}

static void entry_id(const feed_item *it, char *out, size_t outsz)
{
    snprintf(out, outsz, "tag:bundlegen,%.4s:connectors/%s/%s", it->e->date, it->p->id, it->e->version);
}

static int render_json(const changelog_platform *ps, size_t n, buf *out)
{
    size_t cnt = 0;
    feed_item *it = feed_items(ps, n, &cnt);
    cJSON *arr = cJSON_CreateArray();
    int rc = it && arr ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < cnt; i++) {
        char id[256], title[512];
        buf body = BUF_INIT;
        entry_id(&it[i], id, sizeof id);
        snprintf(title, sizeof title, "Connector code bundle \xe2\x80\x94 %s %s", it[i].p->name, it[i].e->version);
        cJSON *o = cJSON_CreateObject();
        rc = !o || body_md(it[i].e, &body) ? -1 : 0;
        if (o) cJSON_AddItemToArray(arr, o);
        if (rc == 0 && (!cJSON_AddStringToObject(o, "id", id) ||
                        !cJSON_AddStringToObject(o, "artifact_id", "connectors") ||
                        !cJSON_AddStringToObject(o, "platform", it[i].p->id) ||
                        !cJSON_AddStringToObject(o, "line", it[i].p->name) ||
                        !cJSON_AddStringToObject(o, "version", it[i].e->version) ||
                        !cJSON_AddStringToObject(o, "title", title) ||
                        !cJSON_AddStringToObject(o, "date", it[i].e->date) ||
                        !cJSON_AddStringToObject(o, "min_node_version", it[i].e->node) ||
                        !cJSON_AddStringToObject(o, "body_markdown", body.data ? body.data : "")))
            rc = -1;
        buf_free(&body);
    }
    char *s = rc == 0 ? cJSON_Print(arr) : NULL;
    if (s) rc = buf_printf(out, "%s\n", s);
    else rc = -1;
    cJSON_free(s);
    cJSON_Delete(arr);
    free(it);
    return rc;
}

static int xml_text(buf *out, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        if (*s == '&') rc = buf_puts(out, "&amp;");
        else if (*s == '<') rc = buf_puts(out, "&lt;");
        else if (*s == '>') rc = buf_puts(out, "&gt;");
        else if (*s == '"') rc = buf_puts(out, "&quot;");
        else rc = buf_putc(out, *s);
    }
    return rc;
}

/* The entry as HTML (escaped once more by xml_text when placed in the feed). */
static int body_html(const changelog_entry *e, buf *out)
{
    int rc = buf_puts(out, "<ul>");
    for (size_t i = 0; i < e->nchanges; i++) {
        rc |= buf_printf(out, "<li><strong>%s</strong>: ", kinds[e->changes[i].kind]);
        rc |= xml_text(out, e->changes[i].text);
        rc |= buf_puts(out, "</li>");
    }
    return rc | buf_puts(out, "</ul>");
}

static int render_atom(const changelog_platform *ps, size_t n, buf *out)
{
    size_t cnt = 0;
    feed_item *it = feed_items(ps, n, &cnt);
    if (!it) return -1;
    int rc = buf_puts(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
                           "  <id>tag:bundlegen,2026:connectors</id>\n"
                           "  <title>Connector code bundle changelog</title>\n");
    rc |= buf_printf(out, "  <updated>%sT00:00:00Z</updated>\n  <author><name>bundlegen</name></author>\n",
                     cnt ? it[0].e->date : "1970-01-01");
    for (size_t i = 0; i < cnt && i < 30; i++) {   /* the newest 30, as public feeds do */
        char id[256];
        buf html = BUF_INIT;
        entry_id(&it[i], id, sizeof id);
        rc |= buf_printf(out, "  <entry>\n    <id>%s</id>\n    <title>Connector code bundle \xe2\x80\x94 ", id);
        rc |= xml_text(out, it[i].p->name);
        rc |= buf_printf(out, " %s</title>\n    <category term=\"", it[i].e->version);
        rc |= xml_text(out, it[i].p->name);
        rc |= buf_printf(out, "\"/>\n    <published>%sT00:00:00Z</published>\n    <updated>%sT00:00:00Z</updated>\n"
                              "    <summary>", it[i].e->date, it[i].e->date);
        rc |= xml_text(out, it[i].p->name);
        rc |= buf_puts(out, "</summary>\n    <content type=\"html\">");
        rc |= body_html(it[i].e, &html);
        rc |= xml_text(out, html.data ? html.data : "");
        rc |= buf_puts(out, "</content>\n  </entry>\n");
        buf_free(&html);
    }
    rc |= buf_puts(out, "</feed>\n");
    free(it);
    return rc;
}

int changelog_render(const changelog_platform *ps, size_t n, changelog_format f, buf *out)
{
    if (f == FORMAT_MD) return render_md(ps, n, out) ? -1 : 0;
    if (f == FORMAT_JSON) return render_json(ps, n, out);
    return render_atom(ps, n, out) ? -1 : 0;
}
