/* routes.h -- the route table: host glob and path match giving an application id and a mode.
 * Siblings are tried most specific first; a matching route's nested routes refine it. */
#ifndef ROUTES_H
#define ROUTES_H
#include <stddef.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { ROUTE_PATH_ANY, ROUTE_PATH_EXACT, ROUTE_PATH_PREFIX, ROUTE_PATH_REGEX };

typedef struct route route;
typedef struct route_table { route *v; size_t n; } route_table;

struct route {
    char *host;                 /* glob, or NULL for any host */
    int path_kind;              /* ROUTE_PATH_* */
    char *path;                 /* exact path, prefix, or the regex source */
    pcre2_code *re;             /* for ROUTE_PATH_REGEX */
    long application; int has_application;
    int mode; int has_mode;
    int oversize; int has_oversize;  /* OVERSIZE_* (oversize.h) */
    int threshold; int has_threshold; /* detection.threshold (detect.h) */
    int order;                  /* position in the file, for stable ordering */
    route_table children;
};

/* Parses a path spec: "/p" prefix, "= /p" exact, "~ re", "~* re". NULL or a reason in err. */
const char *routes_parse_path(route *r, const char *spec, char *err, size_t errlen);
/* Sorts every level most specific first (see docs/edgenode.md, "Routes"). */
void routes_sort(route_table *t);
/* Finds the route for host and path; fills app, mode, oversize and threshold (the last two may be
 * NULL) from the deepest
 * matching route, inheriting what it leaves unset. Returns 1 when some route matched, else 0
 * (defaults kept). */
int  routes_match(const route_table *t, const char *host, const char *path, long *app, int *mode,
                  int *oversize, int *threshold);
void routes_free(route_table *t);

#endif
