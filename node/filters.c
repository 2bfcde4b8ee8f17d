/* filters.c -- input filters (see filters.h).
 * Patterns are PCRE2, JIT-compiled when the JIT is available; header names compare caselessly. */
#include "filters.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

pcre2_code *filters_compile(const char *pattern, int caseless, char *err, size_t errlen)
{
    int code; PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   caseless ? PCRE2_CASELESS : 0, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(code, msg, sizeof msg);
        snprintf(err, errlen, "bad regex at offset %zu: %s", (size_t)off, (char *)msg);
        return NULL;
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);     /* optional: falls back to the interpreter */
    return re;
}

int filters_re_match(const pcre2_code *re, const char *subject, size_t len)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) return 0;
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    return rc >= 0;
}

static int header_matches(const filter_header *fh, const httpreq_header *h, size_t nh)
{
    for (size_t i = 0; i < nh; i++)
        if (strcasecmp(fh->name, h[i].name) == 0 &&
            filters_re_match(fh->re, h[i].value, strlen(h[i].value)))
            return 1;
    return 0;
}

static int entry_matches(const filter *f, const char *path, const httpreq_header *h, size_t nh,
                         const unsigned char addr[16])
{
    if (f->path && !filters_re_match(f->path, path, strlen(path))) return 0;
    for (size_t i = 0; i < f->nheaders; i++)
        if (!header_matches(&f->headers[i], h, nh)) return 0;
    if (f->addrs.n && !cidr_list_contains(&f->addrs, addr)) return 0;
    return 1;
}

int filters_match(const filter_list *l, const char *path, const httpreq_header *h, size_t nh,
                  const unsigned char addr[16])
{
    for (size_t i = 0; i < l->n; i++)
        if (entry_matches(&l->v[i], path, h, nh, addr)) return 1;
    return 0;
}

void filters_free(filter_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        filter *f = &l->v[i];
        pcre2_code_free(f->path);
        for (size_t j = 0; j < f->nheaders; j++) {
            free(f->headers[j].name);
            pcre2_code_free(f->headers[j].re);
        }
        free(f->headers);
        cidr_list_free(&f->addrs);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}
