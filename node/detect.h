/* detect.h -- attack detection: a PCRE2 rule set applied to decoded request data.
 * Load once (patterns JIT-compiled), analyse from any number of threads at once. */
#ifndef DETECT_H
#define DETECT_H
#include <stddef.h>
#include "httpreq.h"

typedef struct detect_rules detect_rules;

#define DETECT_MAX_HITS 8
typedef struct detect_hit {
    char rule_id[32];            /* e.g. "sqli-union-select" */
    char attack_class[24];       /* one of detect_classes() */
    char where[128];             /* e.g. "query.id", "body.user.name", "header.user-agent", "path" */
} detect_hit;

typedef struct detect_result {
    int nhits;                   /* hits kept, at most DETECT_MAX_HITS */
    int total;                   /* all hits found */
    unsigned cut;                /* DECODE_CUT_* (decode.h): what the decoders left unwalked */
    int match_limit;             /* 1 when a rule gave up at its match limit on some value */
    detect_hit hits[DETECT_MAX_HITS];
} detect_result;

/* Loads a rule file; on failure returns NULL and writes "FILE:LINE:COL: reason" into err. */
detect_rules *detect_rules_load(const char *path, char *err, size_t errlen);
void          detect_rules_free(detect_rules *r);
size_t        detect_rules_count(const detect_rules *r);

/* Fills res (zeroed first); returns res->total, or -1 when out of memory. Thread-safe. */
int detect_analyze(const detect_rules *r, const httpreq *req, detect_result *res);

/* Attack class names, for metrics: "sqli", "xss", "rce", "path_traversal", "ssti", "xxe",
 * "ldapi", "nosqli", "ssrf", "crlf", "log4shell", "scanner", ... */
const char *const *detect_classes(size_t *n);

#endif
