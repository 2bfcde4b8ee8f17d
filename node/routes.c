/* routes.c -- route table (see routes.h).
 * Order per level: exact paths, then prefixes longest first, then regexes, then host-only
 * routes; literal hosts before host globs; file order breaks ties. */
#include "routes.h"
#include "glob.h"
#include "filters.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int path_rank(const route *r)
{
    switch (r->path_kind) {
    case ROUTE_PATH_EXACT:  return 0;
    case ROUTE_PATH_PREFIX: return 1;
    case ROUTE_PATH_REGEX:  return 2;
    default:                return 3;
    }
}

static int host_rank(const route *r)
{
    if (!r->host) return 2;
    return glob_is_literal(r->host) ? 0 : 1;
}

static int cmp_route(const void *a, const void *b)
{
    const route *x = a, *y = b;
    int d = path_rank(x) - path_rank(y);
    if (d) return d;
    if (x->path_kind == ROUTE_PATH_PREFIX) {
        size_t lx = strlen(x->path), ly = strlen(y->path);
        if (lx != ly) return lx > ly ? -1 : 1;
    }
    d = host_rank(x) - host_rank(y);
    if (d) return d;
    return x->order - y->order;
}

const char *routes_parse_path(route *r, const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    int kind = ROUTE_PATH_PREFIX, caseless = 0;
    if (p[0] == '=' ) { kind = ROUTE_PATH_EXACT; p++; }
    else if (p[0] == '~' && p[1] == '*') { kind = ROUTE_PATH_REGEX; caseless = 1; p += 2; }
    else if (p[0] == '~') { kind = ROUTE_PATH_REGEX; p++; }
    if (kind != ROUTE_PATH_PREFIX) {
        if (*p != ' ') { snprintf(err, errlen, "a space must follow the modifier"); return err; }
        while (*p == ' ') p++;
    }
    if (!*p) { snprintf(err, errlen, "empty path"); return err; }
    if (kind != ROUTE_PATH_REGEX && *p != '/') {
        snprintf(err, errlen, "path must start with '/' (or use '= ', '~ ', '~* ')");
        return err;
    }
    if (kind == ROUTE_PATH_REGEX) {
        r->re = filters_compile(p, caseless, err, errlen);
        if (!r->re) return err;
    }
    r->path_kind = kind;
    r->path = strdup(p);
    if (!r->path) { snprintf(err, errlen, "out of memory"); return err; }
    return NULL;
}

void routes_sort(route_table *t)
{
    if (t->n > 1) qsort(t->v, t->n, sizeof *t->v, cmp_route);
    for (size_t i = 0; i < t->n; i++) routes_sort(&t->v[i].children);
}

static int route_matches(const route *r, const char *host, const char *path)
{
    if (r->host && !glob_match(r->host, host)) return 0;
    switch (r->path_kind) {
    case ROUTE_PATH_EXACT:  return strcmp(r->path, path) == 0;
    case ROUTE_PATH_PREFIX: return strncmp(r->path, path, strlen(r->path)) == 0;
    case ROUTE_PATH_REGEX:  return filters_re_match(r->re, path, strlen(path));
    default:                return 1;
    }
}

int routes_match(const route_table *t, const char *host, const char *path, long *app, int *mode,
                 int *oversize, int *threshold)
{
    for (size_t i = 0; i < t->n; i++) {
        const route *r = &t->v[i];
        if (!route_matches(r, host, path)) continue;
        if (r->has_application) *app = r->application;
        if (r->has_mode) *mode = r->mode;
        if (r->has_oversize && oversize) *oversize = r->oversize;
        if (r->has_threshold && threshold) *threshold = r->threshold;
        routes_match(&r->children, host, path, app, mode, oversize, threshold);
        return 1;
    }
    return 0;
}

void routes_free(route_table *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].host);
        free(t->v[i].path);
        pcre2_code_free(t->v[i].re);
        routes_free(&t->v[i].children);
    }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}
