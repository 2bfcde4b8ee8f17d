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
    int score;                   /* what this hit adds to the request's score */
} detect_hit;

typedef struct detect_result {
    int nhits;                   /* hits kept, at most DETECT_MAX_HITS */
    int total;                   /* all hits found */
    int score;                   /* sum of every hit's score (kept or not): the verdict compares it
                                  * with the route's detection.threshold */
    unsigned cut;                /* DECODE_CUT_* (decode.h): what the decoders left unwalked */
    int match_limit;             /* 1 when a rule could not finish on some value (match, depth or heap
                                  * limit, the JIT's stack, memory) */
    detect_hit hits[DETECT_MAX_HITS];
} detect_result;

/* Scores. A rule's hit scores its `score:`, or else its `severity:` (critical 5, high 4, medium 3,
 * low 2; default critical), so that every rule written before scoring still blocks alone at the
 * default threshold of 5, and a low or medium signal needs company to block. A rule's
 * `max_score:` caps what all its hits together add to one request (a weak signal that everyday
 * values repeat, such as Java class names in a configuration, then never blocks by repetition).
 * Rules sharing a `value_group:` read the same text two ways: on one value their hits add together
 * no more than the largest one's (java-code-call's hit on a value that is code throughout, not
 * prose, stands outside its group). */
#define DETECT_THRESHOLD_DEFAULT 5
#define DETECT_SCORE_MAX         100
#define DETECT_SCORE_EVASION     3    /* a request past a size limit (decide.c): medium */
/* The score of a severity name, or -1 when unknown. */
int detect_severity_score(const char *severity);

/* Loads a rule file; on failure returns NULL and writes "FILE:LINE:COL: reason" into err. */
detect_rules *detect_rules_load(const char *path, char *err, size_t errlen);
void          detect_rules_free(detect_rules *r);
size_t        detect_rules_count(const detect_rules *r);

/* The literal prefilter (rxlit.h): a pattern whose every match needs one of a few literals does
 * not run on a value (as its transform makes it) holding none of them. Returns how many patterns
 * have such a set, and in *without (may be NULL) how many have none: those run as their gates
 * allow. Verdicts are the same with or without it. */
size_t        detect_rules_prefiltered(const detect_rules *r, size_t *without);
/* For tests: DETECT_PREFILTER_OFF runs every candidate pattern, DETECT_PREFILTER_ON (the default)
 * skips those the literals rule out, DETECT_PREFILTER_VERIFY runs them anyway and counts each
 * that matched (which would be a bug in rxlit) in detect_rules_prefilter_misses. Set it before
 * analysing. */
enum { DETECT_PREFILTER_OFF, DETECT_PREFILTER_ON, DETECT_PREFILTER_VERIFY };
void          detect_rules_prefilter_mode(detect_rules *r, int mode);
unsigned long detect_rules_prefilter_misses(const detect_rules *r);

/* Fills res (zeroed first); returns res->total, or -1 when out of memory. Thread-safe. */
int detect_analyze(const detect_rules *r, const httpreq *req, detect_result *res);
/* detect_analyze that also hands over the body's JSON document as decode_request_json does
 * (decode.h): *body_json is set in every case (NULL when the body was not walked as JSON) and the
 * caller cJSON_Deletes it. */
struct cJSON;
int detect_analyze_json(const detect_rules *r, const httpreq *req, detect_result *res, struct cJSON **body_json);

/* Attack class names, for metrics: "sqli", "xss", "rce", "path_traversal", "ssti", "xxe",
 * "ldapi", "nosqli", "ssrf", "crlf", "log4shell", "scanner", ... */
const char *const *detect_classes(size_t *n);

#endif
