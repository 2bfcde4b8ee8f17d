/* catalog.c -- bundlegen serve's catalog (see catalog.h): every platform's versions, documents and
 * the accepted tokens, loaded into one immutable snapshot shared by reference counting. */
#include "catalog.h"
#include "manifest.h"
#include "pack.h"
#include "tmpl.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int doc_text(catalog_doc *d, char *text)
{
    d->data = text;
    if (!d->data) return -1;
    d->len = strlen(d->data);
    return pack_sha256(d->data, d->len, d->sha256);
}

static int doc_set(catalog_doc *d, cJSON *v)
{
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    cJSON_Delete(v);
    return doc_text(d, text);
}

/* A platform's public description: the current manifest's, plus every downloadable version
 * (newest first, with its date and minimum node version when the changelog gives them). */
static cJSON *platform_json(const catalog_platform *p)
{
    cJSON *o = manifest_json(p->v[0].m);
    cJSON *versions = o ? cJSON_AddArrayToObject(o, "versions") : NULL;
    if (!versions) { cJSON_Delete(o); return NULL; }
    for (size_t i = 0; i < p->nv; i++) {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "version", p->v[i].version);
        if (p->v[i].date[0]) cJSON_AddStringToObject(v, "date", p->v[i].date);
        if (p->v[i].node[0]) cJSON_AddStringToObject(v, "min_node_version", p->v[i].node);
        cJSON_AddItemToArray(versions, v);
    }
    cJSON_AddStringToObject(o, "latest", p->v[0].version);
    return o;
}

static void catalog_free(catalog *c)
{
    for (size_t i = 0; c->p && i < c->n; i++) {
        for (size_t k = 0; k < c->p[i].nv; k++) bundle_source_free(&c->p[i].v[k]);
        free(c->p[i].v);
        changelog_free(c->p[i].log);
        free(c->p[i].json.data);
        free(c->p[i].log_json.data);
        free(c->p[i].log_md.data);
    }
    free(c->p);
    free(c->list.data);
    free(c->openapi.data);
    for (size_t i = 0; i < CATALOG_CONSOLE_FILES; i++) free(c->console[i].data);
    free(c->secrets);
    free(c);
}

void catalog_retain(catalog *c)
{
    if (c) atomic_fetch_add(&c->refs, 1);
}

void catalog_release(catalog *c)
{
    if (c && atomic_fetch_sub(&c->refs, 1) == 1) catalog_free(c);
}

static int add_token(catalog *c, const char *t, size_t n, const char *where, char *err, size_t errsz)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f) {
            snprintf(err, errsz, "%s: a token is printable ASCII without spaces", where);
            return -1;
        }
    }
    if (n < 16) { snprintf(err, errsz, "%s: a token has at least 16 characters", where); return -1; }
    if (c->ntokens == CATALOG_MAX_TOKENS) { snprintf(err, errsz, "%s: more than %d tokens", where, CATALOG_MAX_TOKENS); return -1; }
    crypto_hash_sha256(c->tokens[c->ntokens++], (const unsigned char *)t, n);
    return 0;
}

/* The token file: one token a line; blank lines and lines starting with # are skipped. */
static int load_tokens(catalog *c, const catalog_source *cfg, char *err, size_t errsz)
{
    if (cfg->token_env && add_token(c, cfg->token_env, strlen(cfg->token_env), "BUNDLEGEN_SERVE_TOKEN", err, errsz) < 0)
        return -1;
    if (!cfg->token_file) return 0;
    buf b = BUF_INIT;
    b.limit = 1u << 20;
    if (buf_read_file(&b, cfg->token_file) < 0) {
        snprintf(err, errsz, "--token-file %s: %s", cfg->token_file, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        buf_free(&b);
        return -1;
    }
    int rc = 0;
    size_t before = c->ntokens, line = 0;
    for (char *p = b.data; p && *p && rc == 0; ) {
        char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        line++;
        while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        while (n && (*p == ' ' || *p == '\t')) { p++; n--; }
        char where[4200];
        snprintf(where, sizeof where, "--token-file %s:%zu", cfg->token_file, line);
        if (n && *p != '#') rc = add_token(c, p, n, where, err, errsz);
        p = e ? e + 1 : p + strlen(p);
    }
    if (rc == 0 && c->ntokens == before) {
        snprintf(err, errsz, "--token-file %s: no token in it", cfg->token_file);
        rc = -1;
    }
    buf_free(&b);
    return rc;
}

/* The platform's changelog as a JSON feed and as Markdown. */
static int changelog_docs(catalog_platform *p)
{
    changelog_platform cp = {p->v[0].m->id, p->v[0].m->name, p->log};
    buf js = BUF_INIT, md = BUF_INIT;
    if (changelog_render(&cp, 1, FORMAT_JSON, &js) < 0 || changelog_render(&cp, 1, FORMAT_MD, &md) < 0 ||
        !js.data || !md.data) {
        buf_free(&js);
        buf_free(&md);
        return -1;
    }
    if (doc_text(&p->log_json, buf_detach(&js)) < 0) { buf_free(&md); return -1; }
    return doc_text(&p->log_md, buf_detach(&md));
}

/* Every version of platform id: the current one from the tree, older ones from their packs. */
static int load_platform(catalog *c, catalog_platform *p, const catalog_source *cfg, const char *id, char *err, size_t errsz)
{
    if (!(p->v = calloc(1, sizeof *p->v))) { snprintf(err, errsz, "out of memory"); return -1; }
    if (bundle_resolve(cfg->root, cfg->packs, id, NULL, &p->v[0], err, errsz) < 0) return -1;
    p->nv = 1;
    if (p->v[0].has_changelog) {
        if (!(p->log = changelog_load(cfg->root, id, err, errsz))) return -1;
        bundle_source *v = realloc(p->v, p->log->n * sizeof *v);
        if (!v) { snprintf(err, errsz, "out of memory"); return -1; }
        p->v = v;
        for (; p->nv < p->log->n; p->nv++) {
            memset(&p->v[p->nv], 0, sizeof *v);
            if (bundle_resolve(cfg->root, cfg->packs, id, p->log->entries[p->nv].version, &p->v[p->nv], err, errsz) < 0)
                return -1;
        }
        if (changelog_docs(p) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    }
    if (doc_set(&p->json, platform_json(p)) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    const manifest *m = p->v[0].m;
    for (size_t i = 0; i < m->nparams; i++) {
        if (!m->params[i].secret) continue;
        const char **s = realloc(c->secrets, (c->nsecrets + 1) * sizeof *s);
        if (!s) { snprintf(err, errsz, "out of memory"); return -1; }
        c->secrets = s;
        c->secrets[c->nsecrets++] = m->params[i].name;
    }
    return 0;
}

/* openapi.json beside the data, when there is one; it must parse. */
static int load_openapi(catalog *c, const char *root, char *err, size_t errsz)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/openapi.json", root);
    buf b = BUF_INIT;
    b.limit = 4u << 20;
    if (buf_read_file(&b, path) < 0) {
        int e = errno;
        buf_free(&b);
        if (e == ENOENT) return 0;
        snprintf(err, errsz, "%s: %s", path, e == EFBIG ? "larger than 4 MiB" : strerror(e));
        return -1;
    }
    cJSON *v = cJSON_ParseWithLength(b.data ? b.data : "", b.len);
    buf_free(&b);
    if (!v) { snprintf(err, errsz, "%s: invalid JSON", path); return -1; }
    if (doc_set(&c->openapi, v) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
    return 0;
}

const char *const catalog_console_names[CATALOG_CONSOLE_FILES] = {"index.html", "console.css", "console.js"};
const char *const catalog_console_types[CATALOG_CONSOLE_FILES] = {
    "text/html; charset=utf-8", "text/css; charset=utf-8", "text/javascript; charset=utf-8"};

/* console/ beside the data, when there is one: index.html rendered from its template with the
 * platform list, the assets read as they are. */
static int load_console(catalog *c, const char *root, char *err, size_t errsz)
{
    char path[4200];
    for (size_t i = 0; i < CATALOG_CONSOLE_FILES; i++) {
        snprintf(path, sizeof path, "%s/console/%s%s", root, catalog_console_names[i], i == 0 ? ".mustache" : "");
        buf b = BUF_INIT;
        b.limit = 1u << 20;
        if (buf_read_file(&b, path) < 0) {
            int e = errno;
            buf_free(&b);
            if (e == ENOENT) continue;
            snprintf(err, errsz, "%s: %s", path, e == EFBIG ? "larger than 1 MiB" : strerror(e));
            return -1;
        }
        if (i > 0) {
            if (doc_text(&c->console[i], b.data ? buf_detach(&b) : strdup("")) < 0) { snprintf(err, errsz, "out of memory"); return -1; }
            continue;
        }
        tmpl_set *set = tmpl_set_new();
        tmpl_error te = {0};
        buf out = BUF_INIT;
        cJSON *data = cJSON_CreateObject();
        cJSON *list = c->list.data ? cJSON_Parse(c->list.data) : NULL;
        int rc = -1;
        if (set && data && list && cJSON_AddItemToObject(data, "platforms", cJSON_DetachItemFromObject(list, "platforms")) &&
            cJSON_AddStringToObject(data, "version", BUNDLEGEN_VERSION) &&
            tmpl_set_add(set, path, b.data ? b.data : "", b.len, LANG_SPEC, &te) == 0 && tmpl_set_link(set, &te) == 0 &&
            tmpl_render(set, path, data, NULL, &out, &te) == 0 && out.data)
            rc = doc_text(&c->console[0], buf_detach(&out));
        if (rc < 0) snprintf(err, errsz, "%s", te.message[0] ? te.message : "out of memory");
        buf_free(&out);
        cJSON_Delete(list);
        cJSON_Delete(data);
        tmpl_set_free(set);
        buf_free(&b);
        if (rc < 0) return -1;
    }
    return 0;
}

catalog *catalog_load(const catalog_source *cfg, unsigned long gen, char *err, size_t errsz)
{
    catalog *c = calloc(1, sizeof *c);
    char **ids = NULL;
    size_t n = 0;
    if (!c) { snprintf(err, errsz, "out of memory"); return NULL; }
    atomic_init(&c->refs, 1);
    c->gen = gen;
    int rc = load_tokens(c, cfg, err, errsz);
    if (rc == 0) rc = manifest_list(cfg->root, &ids, &n, err, errsz);
    if (rc == 0 && n == 0) { snprintf(err, errsz, "%s/platforms: no platform manifests", cfg->root); rc = -1; }
    if (rc == 0 && !(c->p = calloc(n, sizeof *c->p))) { snprintf(err, errsz, "out of memory"); rc = -1; }
    for (size_t i = 0; rc == 0 && i < n; i++, c->n++) rc = load_platform(c, &c->p[i], cfg, ids[i], err, errsz);
    cJSON *list = cJSON_CreateObject(), *arr = list ? cJSON_AddArrayToObject(list, "platforms") : NULL;
    for (size_t i = 0; rc == 0 && arr && i < c->n; i++) cJSON_AddItemToArray(arr, platform_json(&c->p[i]));
    if (rc == 0 && (!arr || doc_set(&c->list, list) < 0)) { snprintf(err, errsz, "out of memory"); rc = -1; list = NULL; }
    if (rc != 0 || !arr) cJSON_Delete(list);
    if (rc == 0) rc = load_openapi(c, cfg->root, err, errsz);
    if (rc == 0) rc = load_console(c, cfg->root, err, errsz);
    manifest_list_free(ids, n);
    if (rc != 0) { catalog_free(c); return NULL; }
    return c;
}

const catalog_platform *catalog_find(const catalog *c, const char *id)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->p[i].v[0].m->id, id)) return &c->p[i];
    return NULL;
}

/* The version to render: absent or "latest" is the current one; NULL when p has no such version. */
const bundle_source *catalog_version(const catalog_platform *p, const char *want)
{
    if (!want || !*want || !strcmp(want, "latest")) return &p->v[0];
    for (size_t i = 0; i < p->nv; i++)
        if (!strcmp(p->v[i].version, want)) return &p->v[i];
    return NULL;
}

int catalog_token_accepted(const catalog *c, const char *token, size_t len)
{
    unsigned char d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(d, (const unsigned char *)token, len);
    int ok = 0;
    for (size_t i = 0; i < c->ntokens; i++) ok |= sodium_memcmp(d, c->tokens[i], sizeof d) == 0;
    return ok;
}
