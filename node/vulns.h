/* vulns.h -- passive vulnerability detection: signs in the origin's answer (a response report's
 * body) that an attack reached a vulnerable backend or that the backend leaks.
 *
 * The signs are data (node/vulns.yaml, format in docs/edgenode.md): each rule has an id, a class
 * (VULNS_CLASSES), an evidence name, a PCRE2 pattern and optionally "after", the attack classes
 * the request must have carried (an SQL error counts only after an SQL injection attempt).
 * Findings name the rule and the evidence, never the matched text. Read-only after load. */
#ifndef VULNS_H
#define VULNS_H
#include <stddef.h>
#include <stdint.h>

typedef struct vulns_rules vulns_rules;

/* The finding classes, for metrics and validation, in this order. */
#define VULNS_CLASSES "sql_error", "stack_trace", "debug_page", "directory_listing", \
                      "version_banner", "secret_leak", "file_disclosure"
#define VULNS_NCLASSES 7

/* Loads a rule file; NULL with the first error in err ("FILE:LINE:COL: reason"). */
vulns_rules *vulns_load(const char *path, char *err, size_t errlen);
void         vulns_free(vulns_rules *r);
size_t       vulns_count(const vulns_rules *r);
/* 1 when some rule has "after" (the request's attack classes are worth looking up). */
int          vulns_need_attacks(const vulns_rules *r);

/* The bit of an attack class (its index in detect_classes()), 0 when unknown. */
uint32_t     vulns_attack_bit(const char *attack_class);

#define VULNS_MAX_FINDINGS 8
typedef struct vulns_finding {
    const char *rule_id, *vclass, *evidence;   /* point into the rules; valid while they are */
    int class_index;                           /* index in VULNS_CLASSES */
    const char *after;                         /* the attack class that made the rule apply, or NULL */
} vulns_finding;

/* Runs every rule that applies (attacks = the request's attack bits) over body[0..len); fills at
 * most VULNS_MAX_FINDINGS (one per class and evidence) and returns how many. Thread-safe. */
int vulns_scan(const vulns_rules *r, uint32_t attacks, const char *body, size_t len, vulns_finding *out);

/* Class name by index ("unknown" outside). */
const char *vulns_class_name(int i);

#endif
