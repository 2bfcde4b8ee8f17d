/* filters.h -- input filters: which requests are bypassed or inspected.
 * An entry matches when all its conditions (path regex, header regexes, addresses) hold. */
#ifndef FILTERS_H
#define FILTERS_H
#include <stddef.h>
#include "cidr.h"
#include "httpreq.h"
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

typedef struct filter_header { char *name; pcre2_code *re; } filter_header;
typedef struct filter {
    pcre2_code *path;           /* NULL = any path */
    filter_header *headers; size_t nheaders;
    cidr_list addrs;            /* empty = any address */
} filter;
typedef struct filter_list { filter *v; size_t n; } filter_list;

/* Compiles a PCRE2 pattern; NULL on error with the reason in err. */
pcre2_code *filters_compile(const char *pattern, int caseless, char *err, size_t errlen);
/* 1 when the subject matches re (never errors: a failed match is no match). */
int  filters_re_match(const pcre2_code *re, const char *subject, size_t len);
int  filters_match(const filter_list *l, const char *path, const httpreq_header *h, size_t nh,
                   const unsigned char addr[16]);
void filters_free(filter_list *l);

#endif
