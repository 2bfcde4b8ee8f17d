/* node_analyze.c -- libFuzzer target for detect_analyze with the shipped rules: any request
 * must give a result within bounds, never a crash or a leak, and the same result when the
 * literal prefilter is verified (every pattern it rules out run anyway: none may match). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "detect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static detect_rules *rules;

static void unload(void) { detect_rules_free(rules); }

static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *z = memchr(*p, '\n', (size_t)(end - *p));
    size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    if (!s) abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = z ? z + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!rules) {
        char err[1024];
        rules = detect_rules_load("node/rules.yaml", err, sizeof err);
        if (!rules) { fprintf(stderr, "%s\n", err); abort(); }
        atexit(unload);
    }
    /* lines: path, query, content type, user agent, cookie, host, referer; the rest is the body */
    const uint8_t *p = data, *end = data + size;
    char *path = field(&p, end), *query = field(&p, end), *ct = field(&p, end);
    char *ua = field(&p, end), *cookie = field(&p, end), *host = field(&p, end), *ref = field(&p, end);
    httpreq_header h[] = {{"Content-Type", ct}, {"User-Agent", ua}, {"Cookie", cookie}, {"Host", host},
                          {"Referer", ref}};
    httpreq r = {"POST", path, *query ? query : NULL, h, 5, (const char *)p, (size_t)(end - p)};
    detect_result res;
    int n = detect_analyze(rules, &r, &res);
    if (n >= 0 && (res.nhits > DETECT_MAX_HITS || res.nhits > res.total || res.total != n)) abort();
    detect_result verified;
    detect_rules_prefilter_mode(rules, DETECT_PREFILTER_VERIFY);
    int nv = detect_analyze(rules, &r, &verified);
    detect_rules_prefilter_mode(rules, DETECT_PREFILTER_ON);
    if (detect_rules_prefilter_misses(rules) || (n >= 0 && nv >= 0 && memcmp(&res, &verified, sizeof res) != 0)) abort();
    free(path); free(query); free(ct); free(ua); free(cookie); free(host); free(ref);
    return 0;
}
