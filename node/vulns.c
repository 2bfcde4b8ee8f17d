/* vulns.c -- passive vulnerability rules (see vulns.h): loaded from YAML with libyaml, patterns
 * JIT-compiled by PCRE2, matched over the reported body with a backtracking limit. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "vulns.h"
#include "detect.h"
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "yamldoc.h"

#define MATCH_LIMIT 200000u      /* backtracking steps per match: a bad pattern cannot stall a thread */

static const char *const class_names[VULNS_NCLASSES] = {VULNS_CLASSES};

typedef struct vrule {
    char id[48], evidence[48];
    int cls;
    uint32_t after;              /* attack bits; 0 = any response */
    pcre2_code *re;
} vrule;

struct vulns_rules {
    vrule *v;
    size_t n;
    int need_attacks;
    pcre2_match_context *mctx;
};

const char *vulns_class_name(int i) { return i >= 0 && i < VULNS_NCLASSES ? class_names[i] : "unknown"; }

uint32_t vulns_attack_bit(const char *attack_class)
{
    size_t n;
    const char *const *names = detect_classes(&n);
    for (size_t i = 0; i < n && i < 32; i++)
        if (strcmp(names[i], attack_class) == 0) return 1u << i;
    return 0;
}

size_t vulns_count(const vulns_rules *r) { return r ? r->n : 0; }
int vulns_need_attacks(const vulns_rules *r) { return r && r->need_attacks; }

void vulns_free(vulns_rules *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) pcre2_code_free(r->v[i].re);
    pcre2_match_context_free(r->mctx);
    free(r->v);
    free(r);
}

/* Loading stops at the first error, written by yamldoc_fail; every step returns 0 or -1. */

/* Copies a short name (letters, digits, '-', '_') into out. */
static int name_field(yamldoc *y, yaml_node_t *v, size_t i, const char *key, char *out, size_t outlen)
{
    const char *s = yamldoc_scalar(v);
    size_t n = s ? strlen(s) : 0;
    if (!n || n >= outlen || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
        return yamldoc_fail(y, v, "rules[%zu].%s: expected a name of lower-case letters, digits, '-' and '_' (%zu at most)",
                            i, key, outlen - 1);
    memcpy(out, s, n + 1);
    return 0;
}

static int class_field(yamldoc *y, yaml_node_t *v, size_t i, vrule *r)
{
    const char *s = yamldoc_scalar(v);
    for (int c = 0; s && c < VULNS_NCLASSES; c++)
        if (strcmp(s, class_names[c]) == 0) { r->cls = c; return 0; }
    return yamldoc_fail(y, v, "rules[%zu].class: unknown class (sql_error, stack_trace, debug_page, directory_listing, "
                              "version_banner, secret_leak, file_disclosure)", i);
}

static int after_field(yamldoc *y, yaml_node_t *v, size_t i, vrule *r)
{
    if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top)
        return yamldoc_fail(y, v, "rules[%zu].after: expected a list of attack classes", i);
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *e = yamldoc_node(y, *it);
        uint32_t bit = yamldoc_scalar(e) ? vulns_attack_bit(yamldoc_scalar(e)) : 0;
        if (!bit) return yamldoc_fail(y, e, "rules[%zu].after: '%s' is not an attack class of the rule set", i,
                                      yamldoc_scalar(e) ? yamldoc_scalar(e) : "");
        r->after |= bit;
    }
    return 0;
}

static int compile(yamldoc *y, yaml_node_t *v, size_t i, vrule *r)
{
    const char *pattern = yamldoc_scalar(v);
    if (!pattern || !*pattern) return yamldoc_fail(y, v, "rules[%zu].pattern: expected a non-empty string", i);
    int ec;
    PCRE2_SIZE off;
    r->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &off, NULL);
    if (!r->re) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ec, msg, sizeof msg);
        return yamldoc_fail(y, v, "rules[%zu].pattern: %s at offset %zu", i, (const char *)msg, (size_t)off);
    }
    pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE);      /* the interpreter is the fallback */
    return 0;
}

static int load_rule(yamldoc *y, yaml_node_t *m, size_t i, vrule *r)
{
    if (m->type != YAML_MAPPING_NODE) return yamldoc_fail(y, m, "rules[%zu]: expected a mapping", i);
    yaml_node_t *id = NULL, *cls = NULL, *ev = NULL, *pat = NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yamldoc_node(y, p->key), *v = yamldoc_node(y, p->value);
        const char *key = yamldoc_scalar(k) ? yamldoc_scalar(k) : "";
        if (strcmp(key, "id") == 0) id = v;
        else if (strcmp(key, "class") == 0) cls = v;
        else if (strcmp(key, "evidence") == 0) ev = v;
        else if (strcmp(key, "pattern") == 0) pat = v;
        else if (strcmp(key, "after") == 0) { if (after_field(y, v, i, r) < 0) return -1; }
        else if (strcmp(key, "description") != 0)
            return yamldoc_fail(y, k, "rules[%zu]: unknown key '%s' (id, class, evidence, pattern, after, description)", i, key);
    }
    const char *missing = !id ? "id" : !cls ? "class" : !ev ? "evidence" : !pat ? "pattern" : NULL;
    if (missing) return yamldoc_fail(y, m, "rules[%zu].%s: required", i, missing);
    if (name_field(y, id, i, "id", r->id, sizeof r->id) < 0 || class_field(y, cls, i, r) < 0 ||
        name_field(y, ev, i, "evidence", r->evidence, sizeof r->evidence) < 0)
        return -1;
    return compile(y, pat, i, r);
}

static int load_doc(yamldoc *y, vulns_rules *R)
{
    yaml_node_t *root = yaml_document_get_root_node(&y->doc), *rules = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) return yamldoc_fail(y, root, "expected a mapping with version and rules");
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yamldoc_node(y, p->key), *v = yamldoc_node(y, p->value);
        const char *key = yamldoc_scalar(k) ? yamldoc_scalar(k) : "";
        if (strcmp(key, "rules") == 0) rules = v;
        else if (strcmp(key, "version") == 0) {
            if (!yamldoc_scalar(v) || strcmp(yamldoc_scalar(v), "1") != 0) return yamldoc_fail(y, v, "version: only 1 is known");
        } else return yamldoc_fail(y, k, "unknown key '%s' (version, rules)", key);
    }
    if (!rules || rules->type != YAML_SEQUENCE_NODE) return yamldoc_fail(y, rules ? rules : root, "rules: expected a list");
    size_t n = (size_t)(rules->data.sequence.items.top - rules->data.sequence.items.start);
    R->v = calloc(n ? n : 1, sizeof *R->v);
    if (!R->v) return yamldoc_fail(y, rules, "out of memory");
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *m = yamldoc_node(y, rules->data.sequence.items.start[i]);
        R->n = i + 1;
        if (load_rule(y, m, i, &R->v[i]) < 0) return -1;
        R->need_attacks |= R->v[i].after != 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(R->v[j].id, R->v[i].id) == 0)
                return yamldoc_fail(y, m, "rules[%zu].id: '%s' is already rules[%zu]", i, R->v[i].id, j);
    }
    return 0;
}

vulns_rules *vulns_load(const char *path, char *err, size_t errlen)
{
    yamldoc y = {.file = path, .err = err, .errsz = errlen};
    if (errlen) err[0] = '\0';
    if (yamldoc_load_file(&y) < 0) return NULL;
    vulns_rules *R = calloc(1, sizeof *R);
    int rc = R ? load_doc(&y, R) : yamldoc_fail(&y, NULL, "out of memory");
    yaml_document_delete(&y.doc);
    if (rc == 0 && !(R->mctx = pcre2_match_context_create(NULL))) rc = yamldoc_fail(&y, NULL, "out of memory");
    if (rc < 0) { vulns_free(R); return NULL; }
    pcre2_set_match_limit(R->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(R->mctx, MATCH_LIMIT / 10);
    return R;
}

int vulns_scan(const vulns_rules *R, uint32_t attacks, const char *body, size_t len, vulns_finding *out)
{
    if (!R || !body || !len) return 0;
    int n = 0;
    pcre2_match_data *md = NULL;
    for (size_t i = 0; i < R->n && n < VULNS_MAX_FINDINGS; i++) {
        const vrule *r = &R->v[i];
        if (r->after && !(r->after & attacks)) continue;
        int dup = 0;
        for (int k = 0; k < n; k++) dup |= out[k].class_index == r->cls && strcmp(out[k].evidence, r->evidence) == 0;
        if (dup) continue;
        if (!md && !(md = pcre2_match_data_create(1, NULL))) break;
        if (pcre2_match(r->re, (PCRE2_SPTR)body, len, 0, 0, md, R->mctx) < 0) continue;
        const char *after = NULL;
        size_t nc;
        const char *const *names = detect_classes(&nc);
        for (size_t b = 0; r->after && b < nc && b < 32; b++)
            if (r->after & attacks & (1u << b)) { after = names[b]; break; }
        out[n++] = (vulns_finding){r->id, class_names[r->cls], r->evidence, r->cls, after};
    }
    pcre2_match_data_free(md);
    return n;
}
