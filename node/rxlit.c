/* rxlit.c -- the literal sets of rxlit.h: a recursive reading of PCRE2 syntax that keeps, per
 * sub-pattern, the strings it can match (when few) and the strings its matches need. */
#define _GNU_SOURCE   /* memmem */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>
#include "rxlit.h"

#define SMAX  96                  /* strings per set while reading */
#define LMAX  24                  /* bytes per string, as rxlit.lit */
#define DEPTH 24                  /* group nesting read; deeper gives up */
#define CMAX  4                   /* a class of at most this many bytes is read as alternatives */

typedef struct sset {
    int n;                        /* -1: unknown (any string) */
    uint8_t len[SMAX];
    char s[SMAX][LMAX];
} sset;

/* What a sub-pattern is known to do: exact, every string it can match (n = -1 when too many or
 * unknown); need, a set one of which the subject holds whenever it matches (n = -1: none known). */
typedef struct info { sset exact, need; } info;

typedef struct reader {
    const char *p;
    size_t i, n;
    int bad;                      /* met something it does not read: the whole pattern has no set */
    int depth;
} reader;

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }
static unsigned pair(unsigned char a, unsigned char b) { return ((unsigned)a << 3 ^ b) & 1023; }

/* How common a byte is in request values (rough English and URL text): the key bytes are the
 * least common of each literal. */
static int common(unsigned char c)
{
    static const char order[] = " etaoinsrhldcu/.-mfpgwyb_0123456789=&vk:,;xjqz";
    const char *p = c ? strchr(order, (char)c) : NULL;
    return p ? (int)(sizeof order - (size_t)(p - order)) : 0;
}

static void set_any(sset *s) { s->n = -1; }
static void set_empty(sset *s) { s->n = 1; s->len[0] = 0; }
static void set_byte(sset *s, unsigned char c) { s->n = 1; s->len[0] = 1; s->s[0][0] = (char)lower(c); }

static int set_has_empty(const sset *s)
{
    for (int k = 0; k < s->n; k++)
        if (!s->len[k]) return 1;
    return 0;
}

static int set_has(const sset *s, const char *str, uint8_t len)
{
    for (int k = 0; k < s->n; k++)
        if (s->len[k] == len && memcmp(s->s[k], str, len) == 0) return 1;
    return 0;
}

/* a := a | b; unknown when either is, or when too many */
static void set_union(sset *a, const sset *b)
{
    if (a->n < 0 || b->n < 0) { a->n = -1; return; }
    for (int k = 0; k < b->n; k++) {
        if (set_has(a, b->s[k], b->len[k])) continue;
        if (a->n == SMAX) { a->n = -1; return; }
        memcpy(a->s[a->n], b->s[k], b->len[k]);
        a->len[a->n++] = b->len[k];
    }
}

/* a := a b (every string of a followed by every string of b); returns 0 when it does not fit,
 * leaving a as it was */
static int set_concat(sset *a, const sset *b)
{
    if (a->n < 0 || b->n < 0 || a->n * b->n > SMAX) return 0;
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (a->len[i] + b->len[j] >= LMAX) return 0;
    sset r;
    r.n = 0;
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++) {
            char buf[LMAX];
            uint8_t len = (uint8_t)(a->len[i] + b->len[j]);
            memcpy(buf, a->s[i], a->len[i]);
            memcpy(buf + a->len[i], b->s[j], b->len[j]);
            if (set_has(&r, buf, len)) continue;
            memcpy(r.s[r.n], buf, len);
            r.len[r.n++] = len;
        }
    *a = r;
    return 1;
}

/* How sharp a needed set is: its shortest string counts up to 4 bytes, then fewer strings. Zero
 * for no set or one holding the empty string. */
static int score(const sset *s)
{
    if (s->n <= 0 || s->n > RXLIT_MAX || set_has_empty(s)) return 0;
    int shortest = LMAX;
    for (int k = 0; k < s->n; k++)
        if (s->len[k] < shortest) shortest = s->len[k];
    return (shortest < 4 ? shortest : 4) * 128 + (128 - s->n);
}

static void consider(sset *best, const sset *cand)
{
    if (score(cand) > score(best)) *best = *cand;
}

static int peek(const reader *r, size_t k) { return r->i + k < r->n ? (unsigned char)r->p[r->i + k] : -1; }

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* After a backslash: one byte it stands for (returned, 0..255), -2 for a class of many bytes or a
 * zero-width assertion (*zero set), or -1 for something not read. Inside a class, \b is a
 * backspace. */
static int escape(reader *r, int in_class, int *zero)
{
    *zero = 0;
    int c = peek(r, 0);
    if (c < 0) return -1;
    r->i++;
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'f': return '\f';
    case 'e': return 27;
    case 'a': return 7;
    case 'b': if (in_class) return 8; *zero = 1; return -2;
    case 'B': case 'A': case 'z': case 'Z': case 'G': case 'K':
        if (in_class) return -1;
        *zero = 1;
        return -2;
    case 'd': case 'D': case 'w': case 'W': case 's': case 'S': case 'h': case 'H': case 'v': case 'V':
        return -2;
    case 'N': case 'R': case 'X': case 'C':
        return in_class ? -1 : -2;
    case 'x': {
        int v = 0;
        if (peek(r, 0) == '{') {
            r->i++;
            int d = 0;
            for (int h; (h = hexval(peek(r, 0))) >= 0 && d < 3; d++, r->i++) v = v * 16 + h;
            if (peek(r, 0) != '}' || !d || v > 255) return -1;
            r->i++;
            return v;
        }
        for (int d = 0, h; d < 2 && (h = hexval(peek(r, 0))) >= 0; d++, r->i++) v = v * 16 + h;
        return v;
    }
    case '0': {
        int v = 0;
        for (int d = 0, o; d < 2 && (o = peek(r, 0)) >= '0' && o <= '7'; d++, r->i++) v = v * 8 + (o - '0');
        return v;
    }
    default:
        /* other letters and digits: back-references, properties, \Q..\E, \c, \o: not read */
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return -1;
        return c;                 /* an escaped symbol is itself */
    }
}

/* A bracketed class, after its '['; *out gets its bytes as alternatives when few. */
static void read_class(reader *r, sset *out)
{
    uint8_t in[256];
    int many = 0, first = 1, prev = -1;
    memset(in, 0, sizeof in);
    if (peek(r, 0) == '^') { many = 1; r->i++; }     /* a negated class: many bytes */
    for (;;) {
        int c = peek(r, 0);
        if (c < 0) { r->bad = 1; return; }
        if (c == ']' && !first) { r->i++; break; }
        first = 0;
        if (c == '[' && peek(r, 1) == ':') {           /* [:alpha:] */
            const char *end = strstr(r->p + r->i + 2, ":]");
            if (!end) { r->bad = 1; return; }
            r->i = (size_t)(end - r->p) + 2;
            many = 1;
            prev = -1;
            continue;
        }
        if (c == '-' && prev >= 0 && peek(r, 1) >= 0 && peek(r, 1) != ']') {   /* a range */
            r->i++;
            int hi = peek(r, 0), zero;
            r->i++;
            if (hi == '\\') hi = escape(r, 1, &zero);
            if (hi < 0) { r->bad = 1; return; }
            for (int b = prev; b <= hi; b++) in[b] = 1;
            prev = -1;
            continue;
        }
        r->i++;
        if (c == '\\') {
            int zero;
            c = escape(r, 1, &zero);
            if (c == -2) { many = 1; prev = -1; continue; }
            if (c < 0) { r->bad = 1; return; }
        }
        in[c] = 1;
        prev = c;
    }
    out->n = 0;
    if (many) { set_any(out); return; }
    for (int b = 0; b < 256; b++) {
        if (!in[b]) continue;
        char l = (char)lower((unsigned char)b);
        if (set_has(out, &l, 1)) continue;
        if (out->n == CMAX) { set_any(out); return; }
        out->s[out->n][0] = l;
        out->len[out->n++] = 1;
    }
}

static void read_alt(reader *r, info *out);

/* (?flags) and (?flags:...): only i and its negation are read; the rest change how the
 * pattern is read (x) or not a literal (m, s, n, U, J: m and s are fine). Returns the char that
 * ended the flags, or -1. */
static int read_flags(reader *r)
{
    for (;;) {
        int c = peek(r, 0);
        if (c == ':' || c == ')') return c;
        if (c != 'i' && c != 'm' && c != 's' && c != '-') return -1;
        r->i++;
    }
}

/* Whether the text at the reader is a brace holding only digits, commas and blanks ({,3}, { 2 },
 * {2}): one PCRE2 10.42 reads as a literal where it repeats nothing or is malformed, and later
 * versions may read as a quantifier. Not read, so an upgrade cannot make a literal wrong. */
static int brace_count(const reader *r)
{
    if (peek(r, 0) != '{') return 0;
    size_t k = 1;
    while (k < 32 && (peek(r, k) == ' ' || peek(r, k) == ',' || (peek(r, k) >= '0' && peek(r, k) <= '9'))) k++;
    return k > 1 && peek(r, k) == '}';
}

/* After a comment or an option setting, which match nothing and are no item: a quantifier after
 * one repeats the item before it, which has been read already, so that is not read. */
static void no_item(reader *r, info *out)
{
    set_empty(&out->exact);
    if (peek(r, 0) == '?' || peek(r, 0) == '*' || peek(r, 0) == '+' || brace_count(r)) r->bad = 1;
}

/* One atom and its quantifier. */
static void read_atom(reader *r, info *out)
{
    int c = peek(r, 0);
    set_any(&out->need);
    set_any(&out->exact);
    if (c == '(') {
        r->i++;
        int look = 0;                 /* 1: positive lookaround, 2: negative */
        if (peek(r, 0) == '*') { r->bad = 1; return; }          /* (*VERB) */
        if (peek(r, 0) == '?') {
            r->i++;
            int d = peek(r, 0);
            if (d == ':' || d == '>' || d == '|') r->i++;
            else if (d == '=') { r->i++; look = 1; }
            else if (d == '!') { r->i++; look = 2; }
            else if (d == '<' && peek(r, 1) == '=') { r->i += 2; look = 1; }
            else if (d == '<' && peek(r, 1) == '!') { r->i += 2; look = 2; }
            else if (d == '#') {
                while (peek(r, 0) >= 0 && peek(r, 0) != ')') r->i++;
                if (peek(r, 0) != ')') { r->bad = 1; return; }
                r->i++;
                no_item(r, out);
                return;
            } else if (d == '<' || d == '\'' || (d == 'P' && peek(r, 1) == '<')) {   /* a named group */
                int close = d == '\'' ? '\'' : '>';
                r->i++;       /* past the quote, '<' or 'P' that opened the name */
                while (peek(r, 0) >= 0 && peek(r, 0) != close) r->i++;
                if (peek(r, 0) != close) { r->bad = 1; return; }
                r->i++;
            } else {
                int end = read_flags(r);
                if (end < 0) { r->bad = 1; return; }
                r->i++;
                if (end == ')') { no_item(r, out); return; }   /* (?i) */
            }
        }
        if (++r->depth > DEPTH) { r->bad = 1; return; }
        info in;
        read_alt(r, &in);
        r->depth--;
        if (r->bad || peek(r, 0) != ')') { r->bad = 1; return; }
        r->i++;
        if (look) {
            set_empty(&out->exact);   /* reads no bytes of the match */
            if (look == 1) out->need = in.need;
        } else *out = in;
    } else if (c == '[') {
        r->i++;
        read_class(r, &out->exact);
    } else if (c == '.') {
        r->i++;
    } else if (c == '^' || c == '$') {
        r->i++;
        set_empty(&out->exact);
    } else if (c == '\\') {
        r->i++;
        if (peek(r, 0) == 'Q' || peek(r, 0) == 'E' || peek(r, 0) == 'c' || peek(r, 0) == 'o') { r->bad = 1; return; }
        int zero, b = escape(r, 0, &zero);
        if (b == -1) { r->bad = 1; return; }
        if (zero) set_empty(&out->exact);
        else if (b >= 0) set_byte(&out->exact, (unsigned char)b);
    } else {
        if (brace_count(r)) { r->bad = 1; return; }   /* x{2}{3}, or {2} with nothing before */
        r->i++;
        set_byte(&out->exact, (unsigned char)c);
    }
    if (r->bad) return;
    long min = 1, max = 1;
    int quant = 1;
    c = peek(r, 0);
    if (c == '?') { min = 0; r->i++; }
    else if (c == '*') { min = 0; max = -1; r->i++; }
    else if (c == '+') { max = -1; r->i++; }
    else if (c == '{' && peek(r, 1) >= '0' && peek(r, 1) <= '9') {
        size_t save = r->i++;
        long a = 0, b;
        while (peek(r, 0) >= '0' && peek(r, 0) <= '9' && a < 100000) a = a * 10 + (peek(r, 0) - '0'), r->i++;
        b = a;
        if (peek(r, 0) == ',') {
            r->i++;
            b = -1;
            if (peek(r, 0) >= '0' && peek(r, 0) <= '9')
                for (b = 0; peek(r, 0) >= '0' && peek(r, 0) <= '9' && b < 100000; r->i++) b = b * 10 + (peek(r, 0) - '0');
        }
        if (peek(r, 0) == '}') { r->i++; min = a; max = b; }
        else { r->i = save; quant = 0; }   /* not a quantifier: '{' is a literal, the next atom */
    } else quant = 0;
    if (!quant && brace_count(r)) { r->bad = 1; return; }
    if (quant && (peek(r, 0) == '?' || peek(r, 0) == '+')) r->i++;   /* lazy, possessive: same strings */
    if (min != 1 || max != 1) {
        if (min == 0) {
            set_any(&out->need);
            if (max == 1 && out->exact.n >= 0) {              /* X?: X or nothing */
                sset e;
                set_empty(&e);
                set_union(&out->exact, &e);
            } else set_any(&out->exact);
            return;
        }
        /* at least once: the need stays; min copies in a row are needed too, when they fit */
        sset rep = out->exact, one = out->exact;
        int fits = rep.n >= 0;
        for (long k = 1; fits && k < min; k++) fits = set_concat(&rep, &one);
        if (fits) consider(&out->need, &rep);
        if (!(fits && max == min)) set_any(&out->exact);
        else out->exact = rep;
    }
    consider(&out->need, &out->exact);
}

/* A sequence of atoms up to '|', ')' or the end. */
static void read_seq(reader *r, info *out)
{
    sset run, best;
    int exact = 1;                /* every atom so far was exact and the run never restarted */
    set_empty(&run);
    set_any(&best);
    for (;;) {
        int c = peek(r, 0);
        if (c < 0 || c == '|' || c == ')') break;
        info a;
        read_atom(r, &a);
        if (r->bad) return;
        consider(&best, &a.need);
        if (a.exact.n < 0) {
            consider(&best, &run);
            set_empty(&run);
            exact = 0;
        } else if (!set_concat(&run, &a.exact)) {
            consider(&best, &run);
            run = a.exact;
            exact = 0;
        }
    }
    consider(&best, &run);
    if (exact) out->exact = run;
    else set_any(&out->exact);
    out->need = best;
}

static void read_alt(reader *r, info *out)
{
    read_seq(r, out);
    while (!r->bad && peek(r, 0) == '|') {
        r->i++;
        info b;
        read_seq(r, &b);
        if (r->bad) return;
        set_union(&out->exact, &b.exact);
        /* a branch without a set lets the alternation match without one */
        if (out->need.n < 0 || b.need.n < 0) set_any(&out->need);
        else set_union(&out->need, &b.need);
    }
    consider(&out->need, &out->exact);
}

size_t rxlit_extract(const char *pattern, uint32_t opts, rxlit *out)
{
    memset(out, 0, sizeof *out);
    if (!pattern || (opts & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE | PCRE2_LITERAL | PCRE2_UTF))) return 0;
    reader r = {pattern, 0, strlen(pattern), 0, 0};
    info top;
    read_alt(&r, &top);
    if (r.bad || r.i != r.n || !score(&top.need)) return 0;
    for (int k = 0; k < top.need.n; k++) {   /* a literal holding another adds nothing */
        int covered = 0;
        for (int j = 0; j < top.need.n && !covered; j++)
            covered = j != k && top.need.len[j] && top.need.len[j] <= top.need.len[k] &&
                      (top.need.len[j] < top.need.len[k] || j < k) &&
                      memmem(top.need.s[k], top.need.len[k], top.need.s[j], top.need.len[j]) != NULL;
        if (covered) top.need.len[k] = 0;
    }
    /* kept grouped by key byte (each literal's least common), so a test visits only the
     * literals whose key byte the subject holds */
    int kb[SMAX], kp[SMAX];
    for (int k = 0; k < top.need.n; k++) {
        const unsigned char *t = (const unsigned char *)top.need.s[k];
        kb[k] = 0;
        kp[k] = 1;
        for (int j = 1; j < top.need.len[k]; j++) {
            if (common(t[j]) < common(t[kb[k]])) kb[k] = j;
            if (common(t[j - 1]) + common(t[j]) < common(t[kp[k] - 1]) + common(t[kp[k]])) kp[k] = j;
        }
    }
    memset(out->keyidx, 0xFF, sizeof out->keyidx);
    for (unsigned b = 0; b < 256; b++)
        for (int k = 0; k < top.need.n; k++) {
            const unsigned char *t = (const unsigned char *)top.need.s[k];
            if (!top.need.len[k] || t[kb[k]] != b) continue;
            size_t m = out->n++;
            if (out->keyidx[b] == 0xFF) {
                out->keyidx[b] = out->ngroups;
                out->from[out->ngroups++] = (uint8_t)m;
                out->key[b >> 6] |= 1ull << (b & 63);
            }
            out->to[out->keyidx[b]] = (uint8_t)(m + 1);
            memcpy(out->lit[m], t, top.need.len[k]);
            out->len[m] = top.need.len[k];
            for (int j = 0; j < top.need.len[k]; j++) out->has[m][t[j] >> 6] |= 1ull << (t[j] & 63);
            out->kpair[m] = top.need.len[k] > 1 ? (uint16_t)pair(t[kp[k] - 1], t[kp[k]]) : 0;
        }
    return out->n;
}


void rxlit_read(rxlit_subject *s, const uint64_t bytes[4], const char *v, size_t n)
{
    memcpy(s->bytes, bytes, sizeof s->bytes);
    memset(s->pairs, 0, sizeof s->pairs);
    s->has_pairs = n <= RXLIT_PAIRS_MAX;
    if (!s->has_pairs) return;
    unsigned char a = n ? lower((unsigned char)v[0]) : 0;   /* each byte lowered once, kept as the next pair's first */
    for (size_t i = 1; i < n; i++) {
        unsigned char b = lower((unsigned char)v[i]);
        unsigned h = pair(a, b);
        s->pairs[h >> 6] |= 1ull << (h & 63);
        a = b;
    }
}

static int has_bit(const uint64_t *set, unsigned c) { return (set[c >> 6] >> (c & 63)) & 1; }

/* Whether the subject (its bytes, and its pairs unless NULL) may hold literal k. */
static int lit_in(const rxlit *l, size_t k, const uint64_t bytes[4], const uint64_t *pairs)
{
    const uint64_t *h = l->has[k];
    /* letters first: a literal is lower-case text, and most are refused at a letter */
    if ((h[1] & ~bytes[1]) || (h[0] & ~bytes[0]) || ((h[2] & ~bytes[2]) | (h[3] & ~bytes[3]))) return 0;
    if (!pairs || l->len[k] < 2) return 1;
    if (!has_bit(pairs, l->kpair[k])) return 0;
    const unsigned char *t = (const unsigned char *)l->lit[k];
    for (size_t j = 1; j < l->len[k]; j++)
        if (!has_bit(pairs, pair(t[j - 1], t[j]))) return 0;
    return 1;
}

/* The literals whose key byte the subject holds, tested one by one. */
static int scan(const rxlit *l, const uint64_t bytes[4], const uint64_t *pairs)
{
    if (!l->n) return 1;
    for (unsigned w = 0; w < 4; w++)
        for (uint64_t m = l->key[w] & bytes[w]; m; m &= m - 1) {
            unsigned g = l->keyidx[64 * w + (unsigned)__builtin_ctzll(m)];
            for (size_t k = l->from[g]; k < l->to[g]; k++)
                if (lit_in(l, k, bytes, pairs)) return 1;
        }
    return 0;
}

int rxlit_bytes_ok(const rxlit *l, const uint64_t bytes[4]) { return scan(l, bytes, NULL); }

int rxlit_found(const rxlit *l, const rxlit_subject *s) { return scan(l, s->bytes, s->has_pairs ? s->pairs : NULL); }
