/* detect.c -- the rule set (YAML, PCRE2 JIT-compiled at load) and request analysis over the
 * values decode.c produces. Rules are read-only after load; analysis is thread-safe. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <strings.h>
#include <pcre2.h>
#include <pthread.h>
#include <sodium.h>
#include <yaml.h>
#include "decode.h"
#include "detect.h"
#include "exprlang.h"
#include "pathnorm.h"
#include "phpcode.h"
#include "rxlit.h"
#include "shellcmd.h"
#include "htmltok.h"
#include "sqltok.h"
#include "yamldoc.h"

#define MATCH_LIMIT   200000u   /* backtracking steps per match: a bad pattern cannot stall a thread */
#define MAX_HEADERS   8         /* named headers one rule may list */
#define MAX_NEEDS     4         /* rules one missing-referer rule may need */

enum { XF_NONE, XF_SQL, XF_SHELL, XF_COUNT };

/* Grammar-aware detectors a rule may name instead of a pattern (detector: NAME). */
enum { DET_NONE, DET_PATH, DET_SHELL, DET_PHP, DET_JNDI, DET_EXPR, DET_SQL, DET_HTML, DET_JSSTR, DET_JB64, DET_REFERER, DET_TYPEKEY, DET_JCODE,
       DET_NOREFERER, DET_SCRIPT, DET_COUNT };
static const char *const detector_names[DET_COUNT] = {"", "path", "shell", "php", "jndi", "exprlang", "sql", "html", "js-string", "java-base64",
                                                             "offsite-referer", "java-type-key", "java-code", "missing-referer",
                                                             "script"};
/* The two detectors that read the request's Referer once, after its values (detect_analyze). */
#define READS_REFERER(det) ((det) == DET_REFERER || (det) == DET_NOREFERER)

static const char *const class_names[] = {
    "sqli", "xss", "rce", "path_traversal", "ssti", "xxe", "ldapi", "nosqli", "ssrf", "crlf",
    "log4shell", "scanner", "ssi", "mail", "proto_pollution", "graphql", "java_el", "xpathi",
    "session_fixation",
};
#define NCLASSES (sizeof class_names / sizeof class_names[0])

typedef struct rule {
    char id[32];
    int cls;
    unsigned where;                        /* DECODE_* bits */
    char *hdrs[MAX_HEADERS];               /* named headers as where-paths: "header.user-agent" */
    int nhdrs;
    int transform;
    int plain;                             /* also runs on values without metacharacters */
    int jit;                               /* JIT-compiled: matched with pcre2_jit_match */
    uint32_t minlen;                       /* shortest subject that can match */
    uint8_t first[32];                     /* bytes (lower-cased) a match can start with; all set = any */
    int last;                              /* a byte (lower-cased) every match contains, or -1 */
    int det;                               /* DET_*: a detector runs instead of a pattern */
    int score;                             /* added to the request's score per hit (detect.h) */
    int max_score;                         /* the most its hits add to one request, or -1 */
    char value_group[32];                  /* rules reading one thing: on one value, together */
                                           /* they add no more than the largest one's hit; "" none */
    size_t needs[MAX_NEEDS];               /* missing-referer: the earlier rules whose hit on a */
    int nneeds;                            /* parameter's name it joins (needs:) */
    pcre2_code *re;
    rxlit *lit;                            /* literals one of which a matching subject holds, or NULL */
} rule;

#define NSRC 5   /* DECODE_PATH .. DECODE_BODY */
#define SHORT 64 /* value lengths the candidate bitmaps know minlen for */

struct detect_rules {
    rule *v;
    size_t n;
    pcre2_match_context *mctx;
    /* Rule bitmaps of nw 64-bit words (bit i % 64 of word i / 64: rule i), so that analysis only
     * visits the rules that can apply to a value, in their order: */
    size_t nw;
    uint64_t *cand[NSRC][2];   /* per source and plain-ness: the rules that may apply there */
    uint64_t *by_first;        /* word k of byte b's bitmap at [k * 256 + b]: the rules whose
                                * first-byte set holds b (may_match's last test, inverted) */
    uint64_t *by_last;         /* the same for the byte every match contains (rule.last); */
    uint64_t *no_last;         /* and the rules without one */
    uint64_t *by_key;          /* the same for the key bytes of a rule's literal set (rxlit.h), */
    uint64_t *no_lit;          /* and the rules without a set: a value holding none of a rule's
                                * key bytes holds none of its literals */
    uint64_t *short_ok;        /* word k for length L < SHORT at [k * SHORT + L]: the rules with
                                * minlen <= L; at L >= SHORT, all */
    uint64_t *shell;           /* the shell reader's rules: it also reads what its gate refuses */
    size_t nreferer;           /* offsite-referer and missing-referer rules */
    size_t npf, nrefused;      /* patterns with a literal set (rule.lit), and without */
    int pf_mode;               /* DETECT_PREFILTER_* */
    atomic_ulong pf_misses;    /* DETECT_PREFILTER_VERIFY: matches the literal test had ruled out */
};

/* Plain bytes: letters, digits, space and . , _ - @ : -- most rules need some other byte. */
static int plain_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == ' ' || c == '.' || c == ',' || c == '_' || c == '-' || c == '@' || c == ':';
}

static uint8_t lower_tab[256];
static uint64_t plain_w[4], upper_w[4];   /* as byte sets (bit c of word c / 64): plain bytes, bytes tolower changes */

static int ascii_case;   /* tolower is ASCII's (the C locale): upper_w is A-Z, lowered by a shift */

static void fill_tables(void)
{
    for (unsigned c = 0; c < 256; c++) {
        lower_tab[c] = (uint8_t)tolower((int)c);
        if (plain_byte((unsigned char)c)) plain_w[c >> 6] |= 1ull << (c & 63);
        if (lower_tab[c] != c) upper_w[c >> 6] |= 1ull << (c & 63);
    }
    ascii_case = !upper_w[0] && upper_w[1] == 0x7FFFFFEull && !upper_w[2] && !upper_w[3];   /* bits 'A'-'Z' */
    for (unsigned c = 'A'; ascii_case && c <= 'Z'; c++) ascii_case = lower_tab[c] == c + 32;   /* to bits 'a'-'z' */
}

/* ---- loading ---- */

typedef struct loader {
    yamldoc y;                  /* the rule file, and where its errors point */
    char *err;
    size_t errlen, used;
    int nerr;
} loader;

/* Appends one whole error line to the caller's buffer (cut to fit), counting it. */
static void add_error(loader *L, const char *line)
{
    L->nerr++;
    if (!L->err || L->used + 1 >= L->errlen) return;
    int k = snprintf(L->err + L->used, L->errlen - L->used, "%s%s", L->used ? "\n" : "", line);
    if (k > 0) L->used = L->used + (size_t)k < L->errlen ? L->used + (size_t)k : L->errlen - 1;
}

static void lerr(loader *L, const yaml_node_t *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void lerr(loader *L, const yaml_node_t *at, const char *fmt, ...)
{
    char line[1024];
    int k = yamldoc_where(&L->y, at, line, sizeof line);
    if (k < 0 || (size_t)k >= sizeof line) k = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + k, sizeof line - (size_t)k, fmt, ap);
    va_end(ap);
    add_error(L, line);
}

static void rule_clear(rule *r)
{
    for (int i = 0; i < r->nhdrs; i++) free(r->hdrs[i]);
    pcre2_code_free(r->re);
    free(r->lit);
    memset(r, 0, sizeof *r);
}

int detect_severity_score(const char *s)
{
    static const struct { const char *name; int score; } sev[] = {
        {"critical", 5}, {"high", 4}, {"medium", 3}, {"low", 2}};
    for (size_t i = 0; s && i < sizeof sev / sizeof sev[0]; i++)
        if (strcmp(s, sev[i].name) == 0) return sev[i].score;
    return -1;
}

static int find_class(const char *s)
{
    for (size_t i = 0; i < NCLASSES; i++)
        if (strcmp(s, class_names[i]) == 0) return (int)i;
    return -1;
}

static void load_where_item(loader *L, rule *r, int idx, yaml_node_t *it)
{
    static const struct { const char *name; unsigned bits; } places[] = {
        {"path", DECODE_PATH}, {"query", DECODE_QUERY}, {"headers", DECODE_HEADER},
        {"cookies", DECODE_COOKIE}, {"body", DECODE_BODY},
        {"all", DECODE_PATH | DECODE_QUERY | DECODE_HEADER | DECODE_COOKIE | DECODE_BODY},
    };
    const char *s = yamldoc_scalar(it);
    if (!s) { lerr(L, it, "rules[%d].where: expected a name", idx); return; }
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (strcmp(s, places[i].name) == 0) { r->where |= places[i].bits; return; }
    if (strncmp(s, "header:", 7) == 0 && s[7] && strlen(s) < 64 && r->nhdrs < MAX_HEADERS) {
        char *h = malloc(strlen(s) + 1);
        if (!h) { lerr(L, it, "out of memory"); return; }
        strcpy(h, "header.");
        for (size_t i = 7; s[i]; i++) h[i] = (char)tolower((unsigned char)s[i]);
        h[strlen(s)] = '\0';
        r->hdrs[r->nhdrs++] = h;
        return;
    }
    lerr(L, it, "rules[%d].where: unknown place '%s' (path, query, headers, header:NAME, cookies, body, all)", idx, s);
}

static void load_where(loader *L, yaml_document_t *doc, rule *r, int idx, yaml_node_t *v)
{
    if (v->type == YAML_SCALAR_NODE) { load_where_item(L, r, idx, v); return; }
    if (v->type != YAML_SEQUENCE_NODE) { lerr(L, v, "rules[%d].where: expected a name or a list", idx); return; }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        load_where_item(L, r, idx, yaml_document_get_node(doc, *it));
}

static uint32_t load_flags(loader *L, yaml_document_t *doc, rule *r, int idx, yaml_node_t *v)
{
    uint32_t opts = PCRE2_CASELESS;
    if (v->type != YAML_SEQUENCE_NODE) { lerr(L, v, "rules[%d].flags: expected a list", idx); return opts; }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *f = yaml_document_get_node(doc, *it);
        const char *s = yamldoc_scalar(f);
        if (s && strcmp(s, "case") == 0) opts &= ~(uint32_t)PCRE2_CASELESS;
        else if (s && strcmp(s, "dotall") == 0) opts |= PCRE2_DOTALL;
        else if (s && strcmp(s, "multiline") == 0) opts |= PCRE2_MULTILINE;
        else if (s && strcmp(s, "extended") == 0) opts |= PCRE2_EXTENDED;
        else if (s && strcmp(s, "plain") == 0) r->plain = 1;
        else lerr(L, f, "rules[%d].flags: unknown flag '%s' (case, dotall, multiline, extended, plain)", idx, s ? s : "?");
    }
    return opts;
}

static void set_folded(uint8_t *set, unsigned c)
{
    c = (unsigned)tolower((int)c);
    set[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* What PCRE2 learnt about the pattern, kept as cheap necessary conditions for a match. */
static void study(rule *r)
{
    uint32_t type = 2, unit;
    const uint8_t *bitmap = NULL;
    pcre2_pattern_info(r->re, PCRE2_INFO_MINLENGTH, &r->minlen);
    memset(r->first, 0xFF, sizeof r->first);
    pcre2_pattern_info(r->re, PCRE2_INFO_FIRSTCODETYPE, &type);
    if (type == 1 && pcre2_pattern_info(r->re, PCRE2_INFO_FIRSTCODEUNIT, &unit) == 0 && unit < 256) {
        memset(r->first, 0, sizeof r->first);
        set_folded(r->first, unit);
    } else if (type == 0 && pcre2_pattern_info(r->re, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
        memset(r->first, 0, sizeof r->first);
        for (unsigned c = 0; c < 256; c++)
            if (bitmap[c >> 3] & (1u << (c & 7))) set_folded(r->first, c);
    }
    r->last = -1;
    if (pcre2_pattern_info(r->re, PCRE2_INFO_LASTCODETYPE, &type) == 0 && type == 1 &&
        pcre2_pattern_info(r->re, PCRE2_INFO_LASTCODEUNIT, &unit) == 0 && unit < 256)
        r->last = tolower((int)unit);
}

static void load_pattern(loader *L, rule *r, int idx, yaml_node_t *v, uint32_t opts)
{
    const char *s = yamldoc_scalar(v);
    if (!s || !*s) { lerr(L, v, "rules[%d].pattern: expected a non-empty string", idx); return; }
    int code;
    PCRE2_SIZE off;
    r->re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!r->re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        lerr(L, v, "rules[%d].pattern: %s at offset %lu", idx, (const char *)msg, (unsigned long)off);
        return;
    }
    r->jit = pcre2_jit_compile(r->re, PCRE2_JIT_COMPLETE) == 0;   /* else pcre2_match, slower */
    rxlit lit;
    if (rxlit_extract(s, opts, &lit) && (r->lit = malloc(sizeof lit))) memcpy(r->lit, &lit, sizeof lit);
    study(r);
}

/* The bytes a value must hold for a detector to find anything, as a first-byte set: the cheap
 * gate may_match applies to patterns. The path reader's 'x' is for hex written out (0x2e0x2e0x2f). */
static void detector_gate(rule *r)
{
    static const char *const need[DET_COUNT] = {"", "./\\%:x", ";|&`$\n\r'\"\\^%{", "(;", ":", "{(@", "'\"`;(=<>|&#/!*+", "<\"'", "\"'",
                                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "", ".", "(", "", "'\"`;\n\r{(+"};
    memset(r->first, 0, sizeof r->first);
    for (const char *c = need[r->det]; *c; c++) set_folded(r->first, (unsigned char)*c);
    if (r->det == DET_PATH)
        for (unsigned c = 0x80; c < 256; c++) r->first[c >> 3] |= (uint8_t)(1u << (c & 7));
    if (r->det == DET_SHELL) {
        r->first[0] |= 1;       /* NUL: a C string cut after a command word (id\0) */
        set_folded(r->first, '?');  /* wildcards spell a command word: /???/??t */
        set_folded(r->first, '*');
    }
    r->last = -1;
    r->minlen = r->det == DET_JB64 ? 5 : r->det == DET_TYPEKEY ? 3 : 2;
}

/* needs: a list of earlier rules' ids, resolved to their places in R. */
static void load_needs(loader *L, yaml_document_t *doc, const detect_rules *R, rule *r, int idx, yaml_node_t *v)
{
    if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.top == v->data.sequence.items.start) {
        lerr(L, v, "rules[%d].needs: expected a list of 1 to %d rule ids", idx, MAX_NEEDS);
        return;
    }
    for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
        yaml_node_t *e = yaml_document_get_node(doc, *it);
        const char *s = yamldoc_scalar(e);
        size_t k = 0;
        while (s && k < R->n && strcmp(R->v[k].id, s) != 0) k++;
        if (r->nneeds == MAX_NEEDS) { lerr(L, e, "rules[%d].needs: more than %d rule ids", idx, MAX_NEEDS); return; }
        if (!s || k == R->n) { lerr(L, e, "rules[%d].needs: no earlier rule '%s'", idx, s ? s : "?"); continue; }
        /* a rule that reads no query or body value, or reads the Referer itself, never hits a
         * parameter's name: the rule needing it would never score */
        if (READS_REFERER(R->v[k].det) || !(R->v[k].where & (DECODE_QUERY | DECODE_BODY))) {
            lerr(L, e, "rules[%d].needs: rule '%s' never hits a parameter's name (it reads no query or body value)", idx, s);
            continue;
        }
        r->needs[r->nneeds++] = k;
    }
}

static void load_rule(loader *L, yaml_document_t *doc, detect_rules *R, int idx, yaml_node_t *n)
{
    rule *r = &R->v[R->n];
    memset(r, 0, sizeof *r);
    r->cls = -1;
    r->max_score = -1;
    if (n->type != YAML_MAPPING_NODE) { lerr(L, n, "rules[%d]: expected a mapping", idx); return; }
    yaml_node_t *pattern = NULL, *flags = NULL, *detector = NULL, *needs = NULL;
    int errs = L->nerr, sev_score = -1, own_score = -1;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        const char *key = yamldoc_scalar(k), *val = yamldoc_scalar(v);
        if (!key) { lerr(L, k, "rules[%d]: keys must be names", idx); continue; }
        if (strcmp(key, "id") == 0) {
            if (!val || !*val || strlen(val) >= sizeof r->id) lerr(L, v, "rules[%d].id: expected a name of 1 to %zu characters", idx, sizeof r->id - 1);
            else strcpy(r->id, val);
        } else if (strcmp(key, "class") == 0) {
            if (!val || (r->cls = find_class(val)) < 0)
                lerr(L, v, "rules[%d].class: unknown class '%s'", idx, val ? val : "?");
        } else if (strcmp(key, "where") == 0) {
            load_where(L, doc, r, idx, v);
        } else if (strcmp(key, "transform") == 0) {
            if (val && strcmp(val, "none") == 0) r->transform = XF_NONE;
            else if (val && strcmp(val, "sql") == 0) r->transform = XF_SQL;
            else if (val && strcmp(val, "shell") == 0) r->transform = XF_SHELL;
            else lerr(L, v, "rules[%d].transform: expected none, sql or shell", idx);
        } else if (strcmp(key, "pattern") == 0) {
            pattern = v;
        } else if (strcmp(key, "flags") == 0) {
            flags = v;
        } else if (strcmp(key, "detector") == 0) {
            detector = v;
            for (int d = 1; d < DET_COUNT && val; d++)
                if (strcmp(val, detector_names[d]) == 0) r->det = d;
            if (!r->det) {
                char known[256] = "";           /* the names, from the table, so that none is left out */
                for (int d = 1; d < DET_COUNT; d++)
                    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", d > 1 ? ", " : "", detector_names[d]);
                lerr(L, v, "rules[%d].detector: unknown detector '%s' (%s)", idx, val ? val : "?", known);
            }
        } else if (strcmp(key, "needs") == 0) {
            needs = v;
            load_needs(L, doc, R, r, idx, v);
        } else if (strcmp(key, "severity") == 0) {
            if ((sev_score = detect_severity_score(val)) < 0)
                lerr(L, v, "rules[%d].severity: unknown severity '%s' (critical, high, medium, low)", idx, val ? val : "?");
        } else if (strcmp(key, "score") == 0 || strcmp(key, "max_score") == 0) {
            char *end = NULL;
            long x = val ? strtol(val, &end, 10) : -1;
            if (!val || !*val || *end || x < 0 || x > DETECT_SCORE_MAX)
                lerr(L, v, "rules[%d].%s: expected a whole number from 0 to %d", idx, key, DETECT_SCORE_MAX);
            else if (key[0] == 's') own_score = (int)x;
            else r->max_score = (int)x;
        } else if (strcmp(key, "value_group") == 0) {
            if (!val || !*val || strlen(val) >= sizeof r->value_group)
                lerr(L, v, "rules[%d].value_group: expected a name of 1 to %zu characters", idx, sizeof r->value_group - 1);
            else strcpy(r->value_group, val);
        } else if (strcmp(key, "description") != 0) {
            lerr(L, k, "rules[%d]: unknown key '%s' (id, class, where, pattern, detector, needs, transform, flags, severity, score, max_score, value_group, description)", idx, key);
        }
    }
    uint32_t opts = flags ? load_flags(L, doc, r, idx, flags) : PCRE2_CASELESS;
    r->score = own_score >= 0 ? own_score : sev_score >= 0 ? sev_score : detect_severity_score("critical");
    if (!r->id[0] && L->nerr == errs) lerr(L, n, "rules[%d]: missing 'id'", idx);
    if (r->cls < 0 && L->nerr == errs) lerr(L, n, "rules[%d] (%s): missing 'class'", idx, r->id);
    if (pattern && detector) lerr(L, detector, "rules[%d] (%s): 'pattern' and 'detector' exclude each other", idx, r->id);
    else if (detector) detector_gate(r);
    else if (!pattern) lerr(L, n, "rules[%d] (%s): missing 'pattern' (or 'detector')", idx, r->id);
    else load_pattern(L, r, idx, pattern, opts);
    if (needs && r->det != DET_NOREFERER)
        lerr(L, needs, "rules[%d] (%s).needs: only a missing-referer rule reads it", idx, r->id);
    else if (!needs && r->det == DET_NOREFERER)
        lerr(L, n, "rules[%d] (%s): a missing-referer rule needs 'needs' (the rules whose hit on a parameter's name it joins)", idx, r->id);
    if (!r->where && !r->nhdrs) r->where = DECODE_PATH | DECODE_QUERY | DECODE_HEADER | DECODE_COOKIE | DECODE_BODY;
    for (size_t i = 0; i < R->n && r->id[0]; i++)
        if (strcmp(R->v[i].id, r->id) == 0) lerr(L, n, "rules[%d]: duplicate id '%s'", idx, r->id);
    if (L->nerr != errs) rule_clear(r);
    else R->n++;
}

static void load_doc(loader *L, yaml_document_t *doc, detect_rules *R)
{
    yaml_node_t *root = yaml_document_get_root_node(doc), *list = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) { lerr(L, root, "expected a mapping with a 'rules' list"); return; }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        const char *key = yamldoc_scalar(k);
        if (key && strcmp(key, "rules") == 0) list = yaml_document_get_node(doc, p->value);
        else if (!key || strcmp(key, "version") != 0) lerr(L, k, "unknown key '%s' (rules, version)", key ? key : "?");
    }
    if (!list) { lerr(L, root, "missing 'rules' list"); return; }
    if (list->type != YAML_SEQUENCE_NODE) { lerr(L, list, "'rules' must be a list"); return; }
    size_t cnt = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
    if (cnt == 0) { lerr(L, list, "'rules' is empty"); return; }
    R->v = calloc(cnt, sizeof *R->v);
    if (!R->v) { lerr(L, list, "out of memory"); return; }
    int idx = 0;
    for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++, idx++)
        load_rule(L, doc, R, idx, yaml_document_get_node(doc, *it));
}

/* The rule bitmaps of struct detect_rules. */
static int index_rules(detect_rules *R)
{
    size_t nw = R->nw = (R->n + 63) / 64 ? (R->n + 63) / 64 : 1;
    R->by_first = calloc(256 * nw, sizeof *R->by_first);
    R->by_last = calloc(256 * nw, sizeof *R->by_last);
    R->short_ok = calloc(SHORT * nw, sizeof *R->short_ok);
    R->no_last = calloc(nw, sizeof *R->no_last);
    R->by_key = calloc(256 * nw, sizeof *R->by_key);
    R->no_lit = calloc(nw, sizeof *R->no_lit);
    R->shell = calloc(nw, sizeof *R->shell);
    if (!R->by_first || !R->by_last || !R->short_ok || !R->no_last || !R->shell || !R->by_key || !R->no_lit) return -1;
    for (int s = 0; s < NSRC; s++)
        for (int p = 0; p < 2; p++)
            if (!(R->cand[s][p] = calloc(nw, sizeof **R->cand))) return -1;
    for (size_t i = 0; i < R->n; i++) {
        const rule *r = &R->v[i];
        uint64_t bit = 1ull << (i & 63);
        size_t k = i / 64;
        if (READS_REFERER(r->det)) R->nreferer++;
        if (r->det == DET_SHELL) R->shell[k] |= bit;
        for (unsigned b = 0; b < 256; b++)
            if (r->first[b >> 3] & (1u << (b & 7))) R->by_first[k * 256 + b] |= bit;
        if (r->last >= 0) R->by_last[k * 256 + (unsigned)r->last] |= bit;
        else R->no_last[k] |= bit;
        if (!r->lit) R->no_lit[k] |= bit;
        for (unsigned b = 0; r->lit && b < 256; b++)
            if (r->lit->key[b >> 6] & (1ull << (b & 63))) R->by_key[k * 256 + b] |= bit;
        for (unsigned L = r->minlen; L < SHORT; L++) R->short_ok[k * SHORT + L] |= bit;
        for (int s = 0; s < NSRC; s++)
            for (int p = 0; p < 2; p++) {
                int place = (r->where & (1u << s)) || (r->nhdrs && (1u << s) == DECODE_HEADER);
                /* the Referer readers read the request, not a value: detect_analyze runs them once */
                if (place && (!p || r->plain) && !READS_REFERER(r->det)) R->cand[s][p][k] |= bit;
            }
    }
    return 0;
}

detect_rules *detect_rules_load(const char *path, char *err, size_t errlen)
{
    char yerr[1024];
    loader L = {{.file = path, .err = yerr, .errsz = sizeof yerr}, err, errlen, 0, 0};
    if (err && errlen) err[0] = '\0';
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_tables);
    if (sodium_init() < 0) { lerr(&L, NULL, "libsodium failed to initialise"); return NULL; }
    if (yamldoc_load_file(&L.y) < 0) { add_error(&L, yerr); return NULL; }
    detect_rules *R = calloc(1, sizeof *R);
    if (R) load_doc(&L, &L.y.doc, R);
    else lerr(&L, NULL, "out of memory");
    yaml_document_delete(&L.y.doc);
    if (!R) return NULL;
    if (L.nerr == 0) R->mctx = pcre2_match_context_create(NULL);
    if (L.nerr == 0 && R->n > UINT16_MAX) lerr(&L, NULL, "more than %u rules", (unsigned)UINT16_MAX);
    if (L.nerr == 0 && (!R->mctx || index_rules(R) < 0)) lerr(&L, NULL, "out of memory");
    if (L.nerr) { detect_rules_free(R); return NULL; }
    pcre2_set_match_limit(R->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(R->mctx, MATCH_LIMIT / 10);
    for (size_t i = 0; i < R->n; i++)
        if (R->v[i].re) {
            if (R->v[i].lit) R->npf++;
            else R->nrefused++;
        }
    R->pf_mode = DETECT_PREFILTER_ON;
    return R;
}

void detect_rules_free(detect_rules *R)
{
    if (!R) return;
    for (int s = 0; s < NSRC; s++)
        for (int p = 0; p < 2; p++) free(R->cand[s][p]);
    free(R->by_first);
    free(R->by_last);
    free(R->short_ok);
    free(R->no_last);
    free(R->by_key);
    free(R->no_lit);
    free(R->shell);
    for (size_t i = 0; i < R->n; i++) rule_clear(&R->v[i]);
    free(R->v);
    pcre2_match_context_free(R->mctx);
    free(R);
}

size_t detect_rules_count(const detect_rules *R) { return R ? R->n : 0; }

size_t detect_rules_prefiltered(const detect_rules *R, size_t *without)
{
    if (without) *without = R ? R->nrefused : 0;
    return R ? R->npf : 0;
}

void detect_rules_prefilter_mode(detect_rules *R, int mode)
{
    if (R) R->pf_mode = mode;
}

unsigned long detect_rules_prefilter_misses(const detect_rules *R)
{
    return R ? atomic_load(&R->pf_misses) : 0;
}

const char *const *detect_classes(size_t *n)
{
    if (n) *n = NCLASSES;
    return class_names;
}

/* ---- analysis ---- */

/* name: the hit was on a parameter's name (DECODE_NAME), in one of its readings at least */
typedef struct seen_hit { size_t rule; uint64_t where, top; int nested, score, grouped, name; } seen_hit;

typedef struct actx {
    const detect_rules *R;
    detect_result *res;
    pcre2_match_data *md;
    char *xf[XF_COUNT];                    /* transformed copies of the current value; xf[0]: */
                                           /* a detector's scratch space */
    size_t xfcap;
    seen_hit *seen;                        /* (rule, where) pairs already counted */
    size_t nseen, capseen;
    int cmdfield_scored;                   /* a command field's low signal has been counted */
    int ungrouped;                         /* the hit being added stands outside its value group */
    int on_name;                           /* the value being read is a parameter's name */
} actx;

/* The set of a value's bytes (raw: bit c % 64 of raw[c / 64], as the walk hands it over),
 * lower-cased, plus the space a transform may insert, as bytes (bit c of set[c / 8]) and as words
 * (bit c % 64 of words[c / 64]); returns whether every byte is plain. The tables are filled once,
 * by detect_rules_load. */
static int byte_set(const uint64_t raw[4], uint8_t set[32], uint64_t words[4])
{
    uint64_t w[4], r[4];
    memcpy(w, raw, sizeof w);
    int all_plain = !((w[0] & ~plain_w[0]) | (w[1] & ~plain_w[1]) | (w[2] & ~plain_w[2]) | (w[3] & ~plain_w[3]));
    for (int k = 0; k < 4; k++) r[k] = w[k] & ~upper_w[k];
    if (ascii_case)                      /* then the upper-case bytes present, lowered: 32 bits up */
        r[1] |= (w[1] & upper_w[1]) << 32;
    else
        for (unsigned k = 0; k < 4; k++)
            for (uint64_t u = w[k] & upper_w[k]; u; u &= u - 1) {
                unsigned l = lower_tab[64 * k + (unsigned)__builtin_ctzll(u)];
                r[l >> 6] |= 1ull << (l & 63);
            }
    r[' ' >> 6] |= 1ull << (' ' & 63);
    memcpy(words, r, sizeof r);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    for (int k = 0; k < 4; k++) r[k] = __builtin_bswap64(r[k]);   /* set[] is bytes: bit c of set[c / 8] */
#endif
    memcpy(set, r, 32);
    return all_plain;
}

static int may_match(const rule *r, const uint8_t set[32], size_t len)
{
    if (len < r->minlen) return 0;
    if (r->last >= 0 && !(set[r->last >> 3] & (1u << (r->last & 7)))) return 0;
    uint64_t a[4], b[4];
    memcpy(a, r->first, 32);
    memcpy(b, set, 32);
    return ((a[0] & b[0]) | (a[1] & b[1]) | (a[2] & b[2]) | (a[3] & b[3])) != 0;
}

static uint64_t where_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 1099511628211ull; }
    return h;
}

/* The hash of where's first step ("query" of "query.id"); *nested: whether there are more. */
static uint64_t where_top(const char *where, int *nested)
{
    const char *dot = strchr(where, '.');
    char top[DECODE_WHERE_MAX];
    size_t n = dot ? (size_t)(dot - where) : strlen(where);
    if (n >= sizeof top) n = sizeof top - 1;
    memcpy(top, where, n);
    top[n] = '\0';
    *nested = dot != NULL;
    return where_hash(top);
}

/* score: what the hit adds, or -1 for the rule's own score. */
static int add_hit(actx *A, size_t ri, const char *where, int score)
{
    uint64_t wh = where_hash(where);
    int nested;
    uint64_t top = where_top(where, &nested);
    const rule *r = &A->R->v[ri];
    if (score < 0) score = r->score;
    int added = 0;                          /* what this rule's earlier hits added */
    int grouped = 0;                        /* what its value group's hits added on this value */
    int grouping = r->value_group[0] && !A->ungrouped;
    for (size_t i = 0; i < A->nseen; i++) {
        if (grouping && A->seen[i].grouped && A->seen[i].rule != ri && A->seen[i].where == wh &&
            strcmp(A->R->v[A->seen[i].rule].value_group, r->value_group) == 0)
            grouped += A->seen[i].score;
        if (A->seen[i].rule != ri) continue;
        if (A->seen[i].where == wh) {
            A->seen[i].name |= A->on_name;
            return 0;
        }
        /* A whole source read at once ("query": all parameters joined, after each one) repeats
         * what its parts showed: the same rule there adds nothing to the score. */
        if (!nested && A->seen[i].nested && A->seen[i].top == top) score = 0;
        added += A->seen[i].score;
    }
    if (r->max_score >= 0 && score > r->max_score - added) score = added < r->max_score ? r->max_score - added : 0;
    score = score > grouped ? score - grouped : 0;
    if (A->nseen == A->capseen) {
        size_t cap = A->capseen ? A->capseen * 2 : 16;
        seen_hit *p = realloc(A->seen, cap * sizeof *p);
        if (!p) return -1;
        A->seen = p;
        A->capseen = cap;
    }
    A->seen[A->nseen++] = (seen_hit){ri, wh, top, nested, score, grouping, A->on_name};
    detect_result *res = A->res;
    if (res->nhits < DETECT_MAX_HITS) {
        detect_hit *h = &res->hits[res->nhits++];
        snprintf(h->rule_id, sizeof h->rule_id, "%s", r->id);
        snprintf(h->attack_class, sizeof h->attack_class, "%s", class_names[r->cls]);
        snprintf(h->where, sizeof h->where, "%s", where);
        h->score = score;
    }
    res->total++;
    if (res->score < INT32_MAX - DETECT_SCORE_MAX) res->score += score;
    return 0;
}

static int applies(const rule *r, int src, const char *where)
{
    if (r->where & (unsigned)src) return 1;
    for (int i = 0; i < r->nhdrs; i++)
        if (src == DECODE_HEADER && strcmp(r->hdrs[i], where) == 0) return 1;
    return 0;
}

/* Runs a grammar-aware detector on one value; scratch has room for len + 1 bytes. */
static int run_detector(int det, int src, const char *val, size_t len, const uint64_t bytes[4], char *scratch)
{
    switch (det) {
    case DET_PATH: return pathnorm_traversal(val, len, scratch, NULL);
    case DET_SHELL: return shellcmd_detect(val, len, scratch, NULL);
    case DET_PHP: return phpcode_detect(val, len, NULL);
    case DET_SCRIPT: return phpcode_script(val, len, NULL);
    case DET_JNDI: return exprlang_jndi(val, len, scratch, NULL);
    case DET_EXPR: return exprlang_detect(val, len, NULL);
    case DET_SQL: return sqltok_detect(val, len, NULL);
    case DET_HTML: return htmltok_detect(val, len, NULL);
    case DET_JSSTR: return htmltok_js_breakout(val, len, NULL);
    case DET_JB64: return exprlang_base64_java_bytes(bytes) && exprlang_base64_java(val, len, scratch, NULL);
    case DET_TYPEKEY: return (src & DECODE_TYPEKEY) && exprlang_java_type_name(val, len, NULL);
    default: return 0;
    }
}

/* Whether a body field is a command line by its name: a member of a "scripts" object
 * (body.scripts.test), as npm's package.json and Composer's composer.json keep them; the decoder
 * marks those (DECODE_SCRIPTS), as a where-path cannot tell them from a name holding dots. */
static int cmd_field(int src)
{
    return (src & DECODE_SCRIPTS) && (src & DECODE_BODY);
}

/* A value's candidate rules: those of its source that may_match's tests (length, the byte every
 * match contains, first bytes) do not refuse, and the shell reader's; with the literal prefilter
 * on, only those whose literal set (if any) has a key byte in the value, which rxlit_bytes_ok
 * would refuse otherwise. Every candidate but the shell reader's passes may_match's byte tests,
 * so on_value only tests its length; the shell reader's are tested in full. */
typedef struct cands {
    const detect_rules *R;
    const uint64_t *cand;                  /* the source's bitmap */
    const unsigned char *present;          /* the value's bytes (byte_set), to look up */
    size_t np, len;
    int lits;                              /* skip the rules whose key bytes it lacks (rxlit.h) */
    size_t k;                              /* the bitmap word go came from */
    uint64_t go;                           /* its candidates not yet returned */
} cands;

/* The next candidate in rule order, or SIZE_MAX when none is left. */
static size_t next_cand(cands *c)
{
    while (!c->go) {
        if (++c->k >= c->R->nw) return SIZE_MAX;
        const detect_rules *R = c->R;
        const uint64_t *first = R->by_first + c->k * 256, *last = R->by_last + c->k * 256;
        const uint64_t *key = R->by_key + c->k * 256;
        uint64_t f = 0, l = R->no_last[c->k], q = R->no_lit[c->k];
        for (size_t j = 0; j < c->np; j++) {
            f |= first[c->present[j]];
            l |= last[c->present[j]];
            q |= key[c->present[j]];
        }
        if (c->len < SHORT) f &= R->short_ok[c->k * SHORT + c->len];
        if (!c->lits) q = ~0ull;
        c->go = ((f & l & q) | R->shell[c->k]) & c->cand[c->k];
    }
    size_t i = 64 * c->k + (size_t)__builtin_ctzll(c->go);
    c->go &= c->go - 1;
    return i;
}

/* What a hit in a command field adds, or -1 (not one: the rule's own score). Its shell grammar
 * and its commands' arguments, paths and hosts (cd ../../x, php -S localhost:4445), are the
 * field's own: together one low signal per request. */
static int cmdfield_score(actx *A, int src)
{
    if (!cmd_field(src)) return -1;
    int score = A->cmdfield_scored ? 0 : detect_severity_score("low");
    A->cmdfield_scored = 1;
    return score;
}

/* Whether a rule reads what a command's argument is (a path, a host), not a language of its own. */
static int reads_argument(const rule *r)
{
    return strcmp(class_names[r->cls], "path_traversal") == 0 || strcmp(class_names[r->cls], "ssrf") == 0;
}

static int on_value(void *ctx, int src, const char *where, const char *val, size_t len, const uint64_t bytes[4])
{
    actx *A = ctx;
    const detect_rules *R = A->R;
    uint8_t set[32];
    uint64_t words[4];
    int plain = byte_set(bytes, set, words);
    size_t xflen[XF_COUNT] = {len, 0, 0};
    int have[XF_COUNT] = {1, 0, 0};
    int s = __builtin_ctz((unsigned)src);
    if (s >= NSRC) return 0;
    A->on_name = (src & DECODE_NAME) != 0;
    unsigned char present[256];
    size_t np = 0;
    for (unsigned k = 0; k < 4; k++)
        for (uint64_t u = words[k]; u; u &= u - 1) present[np++] = (unsigned char)(64 * k + (unsigned)__builtin_ctzll(u));
    cands cs = {R, R->cand[s][plain], present, np, len, R->pf_mode == DETECT_PREFILTER_ON, (size_t)-1, 0};
    rxlit_subject lits[XF_COUNT];          /* the value's transforms as rxlit reads them, */
    int read[XF_COUNT] = {0, 0, 0};        /* once one of its patterns has a literal set */
    for (size_t i; (i = next_cand(&cs)) != SIZE_MAX;) {
        const rule *r = &R->v[i];
        /* the shell reader also reads a value that starts with a network command (plain text); any
         * other candidate already passed may_match's byte tests, and its length test below SHORT */
        if (!(r->det == DET_SHELL ? may_match(r, set, len) || shellcmd_probe_start(val, len) : len >= r->minlen) ||
            !applies(r, src, where))
            continue;
        if (A->xfcap < len + 1) {
            size_t cap = len + 1 < 256 ? 256 : len + 1;
            for (int k = 0; k < XF_COUNT; k++) {
                char *p = realloc(A->xf[k], cap);
                if (!p) return -1;
                A->xf[k] = p;
            }
            A->xfcap = cap;
        }
        if (r->det == DET_SHELL) {
            shellcmd_info info;
            if (!shellcmd_detect(val, len, A->xf[0], &info)) continue;
            /* in a command field, unless it shows what no script of its author needs
             * (obfuscation, $((...)), $IFS) */
            int score = !info.strong && !info.obfuscated ? cmdfield_score(A, src) : -1;
            if (add_hit(A, i, where, score) < 0) return -1;
            continue;
        }
        if (r->det == DET_JCODE) {
            /* Java code in prose (a bug report) is one reading with the class it names; a value
             * that is code throughout, as a script console takes it, is a signal of its own */
            exprlang_info info;
            if (!exprlang_java_code(val, len, &info)) continue;
            A->ungrouped = !info.prose;
            int rc = add_hit(A, i, where, -1);
            A->ungrouped = 0;
            if (rc < 0) return -1;
            continue;
        }
        if (r->det) {
            if (run_detector(r->det, src, val, len, bytes, A->xf[0]) &&
                add_hit(A, i, where, reads_argument(r) ? cmdfield_score(A, src) : -1) < 0)
                return -1;
            continue;
        }
        int t = r->transform;
        /* a value lacking the bytes of every literal the pattern needs: no transform, no match. Once
         * the subject is read, rxlit_found makes the same byte test before its pairs: it alone decides */
        int ruled_out = r->lit && R->pf_mode != DETECT_PREFILTER_OFF &&
                        !(read[t] && R->pf_mode == DETECT_PREFILTER_ON) && !rxlit_bytes_ok(r->lit, words);
        if (ruled_out && R->pf_mode == DETECT_PREFILTER_ON) continue;
        if (!have[t]) {
            xflen[t] = t == XF_SQL ? decode_sql_normalize(val, len, A->xf[t])
                                   : decode_shell_normalize(val, len, A->xf[t]);
            have[t] = 1;
        }
        const char *subj = t == XF_NONE ? val : A->xf[t];
        if (!ruled_out && r->lit && R->pf_mode != DETECT_PREFILTER_OFF) {   /* then by its literals */
            if (!read[t]) {
                /* byte_set's words hold every transform's bytes, lowered as rxlit lowers (the C locale) */
                rxlit_read(&lits[t], words, subj, xflen[t]);
                read[t] = 1;
            }
            ruled_out = !rxlit_found(r->lit, &lits[t]);
            if (ruled_out && R->pf_mode == DETECT_PREFILTER_ON) continue;
        }
        int rc = r->jit ? pcre2_jit_match(r->re, (PCRE2_SPTR)subj, xflen[t], 0, 0, A->md, R->mctx)
                        : pcre2_match(r->re, (PCRE2_SPTR)subj, xflen[t], 0, 0, A->md, R->mctx);
        if (rc >= 0 && ruled_out) atomic_fetch_add(&((detect_rules *)R)->pf_misses, 1);   /* VERIFY: a prefilter bug */
        if (rc >= 0 && add_hit(A, i, where, reads_argument(r) ? cmdfield_score(A, src) : -1) < 0) return -1;
        /* any error but "no match" (a match, depth or heap limit, the JIT's stack, memory) left the rule
         * undecided on this value: the request is then over its budget, never silently clean */
        if (rc < PCRE2_ERROR_NOMATCH) A->res->match_limit = 1;
    }
    return 0;
}

/* The value of a request header (its last one), or NULL. */
static const char *header_value(const httpreq *req, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && req->headers[i].value && strcasecmp(req->headers[i].name, name) == 0)
            v = req->headers[i].value;
    return v;
}

/* The host of a request header's value (Host: "h[:port]"; Referer: "scheme://[user@]h[:port]/..."),
 * lower-cased into out; returns its length, or 0 when there is none. */
static size_t header_host(const httpreq *req, const char *name, int url, char *out, size_t cap)
{
    const char *v = header_value(req, name);
    if (!v) return 0;
    if (url) {
        const char *sch = strstr(v, "://");
        if (!sch) return 0;
        v = sch + 3;
        size_t auth = strcspn(v, "/?#");
        const char *at = memchr(v, '@', auth);
        if (at) v = at + 1;
    }
    size_t n = 0;
    for (; v[n] && v[n] != ':' && v[n] != '/' && v[n] != '?' && v[n] != '#' && v[n] != ' '; n++)
        if (n + 1 < cap) out[n] = (char)tolower((unsigned char)v[n]);
    if (n + 1 >= cap) return 0;
    out[n] = '\0';
    return n;
}

/* Whether host a is b or a name under it (www.example.com under example.com). */
static int host_under(const char *a, size_t an, const char *b, size_t bn)
{
    return an >= bn && memcmp(a + an - bn, b, bn) == 0 && (an == bn || a[an - bn - 1] == '.');
}

/* Whether rule i of a Referer reader has the company it reads the Referer after. offsite-referer:
 * a hit of its class from some other rule. missing-referer: a hit of one of the rules it needs on
 * a parameter's name itself (query=, a form's field), not on a name inside some value. */
static int referer_company(const actx *A, size_t i)
{
    const rule *r = &A->R->v[i];
    for (size_t k = 0; k < A->nseen; k++) {
        const seen_hit *h = &A->seen[k];
        if (h->rule == i) continue;
        if (r->det == DET_REFERER && A->R->v[h->rule].cls == r->cls) return 1;
        for (int j = 0; r->det == DET_NOREFERER && j < r->nneeds; j++)
            if (h->rule == r->needs[j] && h->name && !h->nested) return 1;
    }
    return 0;
}

/* The Referer readers, once per request after its values. offsite-referer: a Referer naming a
 * host that is neither the request's Host nor a name above or under it is one more signal.
 * missing-referer: no Referer at all (or an empty one) is; any Referer, even one that names no
 * host, is not. */
static int referer_rules(actx *A, const httpreq *req)
{
    const detect_rules *R = A->R;
    char ref[256], host[256];
    size_t rn = 0, hn = 0;
    int read = 0, missing = 0;
    for (size_t i = 0; i < R->n; i++) {
        const rule *r = &R->v[i];
        if (!READS_REFERER(r->det) || !referer_company(A, i)) continue;
        if (!read) {
            read = 1;
            const char *v = header_value(req, "referer");
            missing = !v || !v[strspn(v, " \t")];
            rn = header_host(req, "referer", 1, ref, sizeof ref);
            hn = header_host(req, "host", 0, host, sizeof host);
        }
        int hit = r->det == DET_NOREFERER ? missing
                                          : rn && hn && !host_under(ref, rn, host, hn) && !host_under(host, hn, ref, rn);
        if (hit && add_hit(A, i, "header.referer", -1) < 0) return -1;
    }
    return 0;
}

/* A thread's transform buffers and match data, kept from one analysis to its next (a worker
 * analyses request after request) and freed when the thread ends. Buffers grown past KEEP_MAX
 * for one large value are not kept. */
#define KEEP_MAX 65536
typedef struct kept { char *xf[XF_COUNT]; size_t xfcap; pcre2_match_data *md; } kept;
static pthread_key_t kept_key;
static pthread_once_t kept_once = PTHREAD_ONCE_INIT;
static int kept_ok;

static void kept_free(void *p)
{
    kept *K = p;
    for (int k = 0; k < XF_COUNT; k++) free(K->xf[k]);
    pcre2_match_data_free(K->md);
    free(K);
}

static void kept_init(void) { kept_ok = pthread_key_create(&kept_key, kept_free) == 0; }

/* Moves the thread's kept buffers and match data into A (empty when there are none). */
static void kept_take(actx *A)
{
    pthread_once(&kept_once, kept_init);
    kept *K = kept_ok ? pthread_getspecific(kept_key) : NULL;
    if (!K) return;
    memcpy(A->xf, K->xf, sizeof A->xf);
    A->xfcap = K->xfcap;
    A->md = K->md;
    memset(K, 0, sizeof *K);
}

/* Hands A's buffers and match data back to the thread, or frees them. */
static void kept_give(actx *A)
{
    kept *K = kept_ok ? pthread_getspecific(kept_key) : NULL;
    if (kept_ok && !K && (K = calloc(1, sizeof *K)) != NULL && pthread_setspecific(kept_key, K) != 0) {
        free(K);
        K = NULL;
    }
    if (K && !K->xfcap && A->xfcap <= KEEP_MAX) {     /* (K holds nothing unless an analysis nested) */
        memcpy(K->xf, A->xf, sizeof A->xf);
        K->xfcap = A->xfcap;
    } else
        for (int k = 0; k < XF_COUNT; k++) free(A->xf[k]);
    if (K && !K->md) K->md = A->md;
    else pcre2_match_data_free(A->md);
}

int detect_analyze(const detect_rules *R, const httpreq *req, detect_result *res)
{
    return detect_analyze_json(R, req, res, NULL);
}

int detect_analyze_json(const detect_rules *R, const httpreq *req, detect_result *res, struct cJSON **body_json)
{
    if (body_json) *body_json = NULL;
    if (!res) return -1;
    memset(res, 0, sizeof *res);
    if (!R || !req) return -1;
    actx A = {R, res, NULL, {NULL}, 0, NULL, 0, 0, 0, 0, 0};
    kept_take(&A);
    if (!A.md && !(A.md = pcre2_match_data_create(1, NULL))) {
        kept_give(&A);
        return -1;
    }
    int rc = decode_request_json(req, NULL, on_value, &A, &res->cut, body_json);
    A.on_name = 0;
    /* (the referer rules follow another rule's hit: with none, referer_company refuses them all) */
    if (rc >= 0 && R->nreferer && A.nseen && referer_rules(&A, req) < 0) rc = -1;
    kept_give(&A);
    free(A.seen);
    return rc < 0 ? -1 : res->total;
}
