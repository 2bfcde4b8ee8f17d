/* decode.c -- request decoders: percent, entities, JS escapes, base64, Unicode folding, JSON,
 * form, multipart and XML, walked recursively under a depth and an output-size bound. */
#define _GNU_SOURCE   /* memmem, strcasestr */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include <sodium.h>
#include "decode.h"
#include "jarena.h"
#include "vec16.h"

#define SEEN_MAX   64   /* distinct decodings remembered per root value */
#define JSON_DEPTH 64   /* JSON nesting walked; deeper members are not inspected */
#define XML_DEPTH  32   /* XML element nesting kept in where-paths */

typedef struct walk {
    const decode_limits *lim;
    decode_fn fn;
    void *ctx;
    size_t used;                  /* bytes produced by decoders so far */
    uint64_t seen[SEEN_MAX];      /* hashes of values already emitted for this root value */
    int nseen;
    unsigned cut;                 /* DECODE_CUT_* */
    cJSON **body_json;            /* where the body's JSON document goes, or NULL: deleted */
} walk;

static int walk_value(walk *w, int src, const char *where, const char *s, size_t n, int depth);

/* ---- small helpers ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static size_t put_utf8(char *out, unsigned long cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | (cp >> 6)); o[1] = (unsigned char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12)); o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F)); return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18)); o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F)); o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Reads exactly k hex digits at s (k <= 8); -1 when one is missing. */
static long hexn(const char *s, size_t avail, size_t k)
{
    long v = 0;
    if (avail < k) return -1;
    for (size_t i = 0; i < k; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

int decode_type_key(const char *name, size_t n)
{
#define K_(s) {s, sizeof s - 1}
    static const struct { const char *k; size_t n; } keys[] = {
        K_("@type"), K_("@class"), K_("@c"), K_("$type"), K_("javaclass"), K_("classname"), K_("class"), K_("resolves-to")};
#undef K_
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].n == n && strncasecmp(name, keys[i].k, n) == 0) return 1;
    return 0;
}

static void where_join(char *dst, const char *base, const char *key, size_t klen)
{
    size_t b = strlen(base);
    if (b >= DECODE_WHERE_MAX) b = DECODE_WHERE_MAX - 1;
    memmove(dst, base, b);
    if (b + 1 < DECODE_WHERE_MAX && klen) {
        dst[b++] = '.';
        size_t k = klen < DECODE_WHERE_MAX - 1 - b ? klen : DECODE_WHERE_MAX - 1 - b;
        for (size_t i = 0; i < k; i++) {
            unsigned char c = (unsigned char)key[i];
            dst[b++] = (char)(c < 0x20 || c == 0x7F ? '_' : c);
        }
    }
    dst[b] = '\0';
}

/* where_join(dst, "header", name, strlen(name)) with the name in lower case (C locale), in one pass. */
static void where_header(char *dst, const char *name)
{
    memcpy(dst, "header", 7);
    if (!*name) return;
    size_t b = 6;
    dst[b++] = '.';
    for (; *name && b < DECODE_WHERE_MAX - 1; name++) {
        unsigned char c = (unsigned char)*name;
        dst[b++] = (char)(c < 0x20 || c == 0x7F ? '_' : c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    dst[b] = '\0';
}

/* Room for n + 1 bytes: small, the caller's own buffer of cap bytes, when it is given and they fit,
 * else the heap; released with drop(). A value is handed to the callback and dropped before its
 * caller returns, so the caller's frame always outlives it. */
#define SMALL 256   /* the buffer take() and slice_buf() callers give */
static char *room(size_t n, char *small, size_t cap, int *oom)
{
    *oom = 0;
    if (small && n < cap) return small;
    char *p = malloc(n + 1);
    *oom = p == NULL;
    return p;
}

static void drop(char *p, const char *small)
{
    if (p != small) free(p);
}

/* Room for a decoding of n bytes (see room()); NULL with *oom = 0 when over the output budget. */
static char *take(walk *w, size_t n, char *small, int *oom)
{
    *oom = 0;
    if (w->used + n + 1 > w->lim->max_output) { w->cut |= DECODE_CUT_BUDGET; return NULL; }
    w->used += n + 1;
    return room(n, small, SMALL, oom);
}

/* Counts a decoding of n bytes against the budget as take() does, without allocating: for a
 * decoder that is skipped because it cannot apply. */
static void charge(walk *w, size_t n)
{
    if (w->used + n + 1 > w->lim->max_output) w->cut |= DECODE_CUT_BUDGET;
    else w->used += n + 1;
}

/* Room for a copy of n input bytes (see room()): copies of the request's own slices are bounded by
 * its size and do not count against the decoders' budget, so a large body is still inspected. */
static char *slice_buf(size_t n, char *small, int *oom)
{
    return room(n, small, SMALL, oom);
}

static const char *skip_ws(const char *s, const char *e)
{
    while (s < e && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) s++;
    return s;
}

/* Byte classes walk_value gates its decoders on. */
enum {
    C_PCT = 1, C_AMP = 2, C_BSL = 4, C_LT = 8,
    C_UTF8  = 16,    /* a lead byte of multi-byte UTF-8 */
    C_NOT64 = 32,    /* never in base64 text (alphabet, '=', '-', '_', and ' ' for a form-decoded '+') */
    C_LOWER = 64, C_UPPER = 128,
    C_SQLKEEP = 256, /* left as it is by decode_sql_normalize (a ' ' only when single); not '/' */
    C_SQLWORD = 512  /* C_SQLKEEP but ' ' */
};
#define ALNUM_(c) (((c) >= '0' && (c) <= '9') || ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define CLASS_(c) (((c) == '%' ? C_PCT : 0) | ((c) == '&' ? C_AMP : 0) | ((c) == '\\' ? C_BSL : 0) |         \
                   ((c) == '<' ? C_LT : 0) | ((c) >= 0xC0 ? C_UTF8 : 0) |                                  \
                   (ALNUM_(c) || (c) == '+' || (c) == '/' || (c) == '=' || (c) == '-' || (c) == '_' ||   \
                    (c) == ' ' ? 0 : C_NOT64) |                                                          \
                   ((c) >= 'a' && (c) <= 'z' ? C_LOWER : 0) | ((c) >= 'A' && (c) <= 'Z' ? C_UPPER : 0) |      \
                   (((c) >= 'A' && (c) <= 'Z') || (c) == '/' || (c) == '\t' || (c) == '\n' || (c) == '\r' ||  \
                    (c) == '\v' || (c) == '\f' ? 0 : (c) == ' ' ? C_SQLKEEP : C_SQLKEEP | C_SQLWORD))
#define CLASS4_(c) CLASS_(c), CLASS_((c) + 1), CLASS_((c) + 2), CLASS_((c) + 3)
#define CLASS16_(c) CLASS4_(c), CLASS4_((c) + 4), CLASS4_((c) + 8), CLASS4_((c) + 12)
#define CLASS64_(c) CLASS16_(c), CLASS16_((c) + 16), CLASS16_((c) + 32), CLASS16_((c) + 48)
static const unsigned short byte_class[256] = {CLASS64_(0), CLASS64_(64), CLASS64_(128), CLASS64_(192)};

/* ---- single-step decoders ---- */

size_t decode_percent(const char *in, size_t n, char *out, int plus)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            long v = hexn(in + i + 1, n - i - 1, 2);
            if (v >= 0) { out[o++] = (char)v; i += 2; continue; }
            if (i + 1 < n && (in[i + 1] == 'u' || in[i + 1] == 'U')) {
                v = hexn(in + i + 2, n - i - 2, 4);
                if (v >= 0) { o += put_utf8(out + o, (unsigned long)v); i += 5; continue; }
            }
        } else if (plus && c == '+') {
            c = ' ';
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return o;
}

/* Named references and their UTF-8 text. legacy: HTML parsers also accept the name without ';' (the
 * WHATWG named character reference table); the others need the ';'. */
static const struct { const char *name; const char *text; int legacy; } entities[] = {
    {"lt", "<", 1}, {"gt", ">", 1}, {"amp", "&", 1}, {"quot", "\"", 1}, {"LT", "<", 1}, {"GT", ">", 1},
    {"AMP", "&", 1}, {"QUOT", "\"", 1}, {"COPY", "\xc2\xa9", 1}, {"REG", "\xc2\xae", 1},
    {"nbsp", " ", 1}, {"apos", "'", 0},
    {"tab", "\t", 0}, {"newline", "\n", 0}, {"colon", ":", 0}, {"semi", ";", 0}, {"lpar", "(", 0},
    {"rpar", ")", 0}, {"sol", "/", 0}, {"bsol", "\\", 0}, {"grave", "`", 0}, {"equals", "=", 0},
    {"comma", ",", 0}, {"period", ".", 0}, {"excl", "!", 0}, {"quest", "?", 0}, {"num", "#", 0},
    {"dollar", "$", 0}, {"percnt", "%", 0}, {"plus", "+", 0}, {"lsqb", "[", 0}, {"rsqb", "]", 0},
    {"lbrack", "[", 0}, {"rbrack", "]", 0}, {"lcub", "{", 0}, {"rcub", "}", 0}, {"lbrace", "{", 0},
    {"rbrace", "}", 0}, {"vert", "|", 0}, {"verbar", "|", 0}, {"ast", "*", 0}, {"lowbar", "_", 0},
    {"hyphen", "-", 0}, {"dash", "-", 0}, {"Tab", "\t", 0}, {"NewLine", "\n", 0},
};

/* The legacy names of U+00A1..U+00FF in code point order (U+00A0 is nbsp above); all legacy. */
static const char *const latin1[] = {
    "iexcl", "cent", "pound", "curren", "yen", "brvbar", "sect", "uml", "copy", "ordf", "laquo",
    "not", "shy", "reg", "macr", "deg", "plusmn", "sup2", "sup3", "acute", "micro", "para", "middot",
    "cedil", "sup1", "ordm", "raquo", "frac14", "frac12", "frac34", "iquest", "Agrave", "Aacute",
    "Acirc", "Atilde", "Auml", "Aring", "AElig", "Ccedil", "Egrave", "Eacute", "Ecirc", "Euml",
    "Igrave", "Iacute", "Icirc", "Iuml", "ETH", "Ntilde", "Ograve", "Oacute", "Ocirc", "Otilde",
    "Ouml", "times", "Oslash", "Ugrave", "Uacute", "Ucirc", "Uuml", "Yacute", "THORN", "szlig",
    "agrave", "aacute", "acirc", "atilde", "auml", "aring", "aelig", "ccedil", "egrave", "eacute",
    "ecirc", "euml", "igrave", "iacute", "icirc", "iuml", "eth", "ntilde", "ograve", "oacute",
    "ocirc", "otilde", "ouml", "divide", "oslash", "ugrave", "uacute", "ucirc", "uuml", "yacute",
    "thorn", "yuml",
};

/* 1 when name (len bytes) is the reference at s[0..avail): with ';', or without it for a legacy
 * name not followed by '='. The text reading (a legacy name decoded before a letter, as in
 * "&ltscript") is taken because values are read out of context; the '=' half of the attribute
 * exception is kept everywhere since "&copy=1" is the shape of every query string. */
static int entity_is(const char *s, size_t avail, const char *name, size_t len, int legacy, int *semi)
{
    if (len > avail || memcmp(s, name, len) != 0) return 0;
    *semi = len < avail && s[len] == ';';
    return *semi || (legacy && !(len < avail && s[len] == '='));
}

/* The names of entities[] then latin1[] (numbered on from NENT), grouped by first byte in that
 * order: those of byte c are by_first[first_at[c] .. first_at[c + 1]). Built once. */
#define NENT (sizeof entities / sizeof entities[0])
#define NNAMES (NENT + sizeof latin1 / sizeof latin1[0])
_Static_assert(NNAMES <= 256, "by_first holds names' numbers in bytes");
static unsigned char by_first[NNAMES];
static unsigned short first_at[257];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static const char *name_of(size_t k) { return k < NENT ? entities[k].name : latin1[k - NENT]; }

static void by_first_build(void)
{
    size_t fill[256] = {0};
    for (size_t k = 0; k < NNAMES; k++) first_at[(unsigned char)name_of(k)[0] + 1]++;
    for (int c = 0; c < 256; c++) first_at[c + 1] += first_at[c];
    for (size_t k = 0; k < NNAMES; k++) {
        unsigned char c = (unsigned char)name_of(k)[0];
        by_first[first_at[c] + fill[c]++] = (unsigned char)k;
    }
}

/* Decodes the longest named reference at s (just after '&') into out; returns the bytes written
 * (0: none) and sets *used to the bytes read after '&'. */
static size_t entity_named(const char *s, size_t avail, char *out, size_t *used)
{
    size_t best = 0, len;
    int semi, bsemi = 0;
    const char *text = NULL;
    unsigned long cp = 0;
    if (!avail) return 0;
    /* only the names that begin with s[0], in table order: the first of the longest wins */
    pthread_once(&by_first_once, by_first_build);
    for (size_t f = first_at[(unsigned char)s[0]]; f < first_at[(unsigned char)s[0] + 1]; f++) {
        size_t k = by_first[f];
        if ((len = strlen(name_of(k))) > best &&
            entity_is(s, avail, name_of(k), len, k < NENT ? entities[k].legacy : 1, &semi)) {
            best = len; bsemi = semi;
            if (k < NENT) text = entities[k].text, cp = 0;
            else text = NULL, cp = 0xA1 + (k - NENT);
        }
    }
    if (!best) return 0;
    *used = best + (size_t)bsemi;
    if (!text) return put_utf8(out, cp);   /* 2 bytes, never more than "&" + a name of 2+ */
    memcpy(out, text, strlen(text));
    return strlen(text);
}

size_t decode_entities(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '&' && i + 2 < n) {
            size_t j = i + 1;
            if (in[j] == '#') {
                unsigned long cp = 0;
                int hex = (in[j + 1] == 'x' || in[j + 1] == 'X'), digits = 0;
                j += hex ? 2 : 1;
                for (; j < n; j++, digits++) {
                    int d = hex ? hexval((unsigned char)in[j]) : (isdigit((unsigned char)in[j]) ? in[j] - '0' : -1);
                    if (d < 0) break;
                    cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                    if (cp > 0x10FFFF) break;
                }
                if (digits > 0 && cp > 0 && cp <= 0x10FFFF) {
                    o += put_utf8(out + o, cp);
                    i = (j < n && in[j] == ';') ? j : j - 1;
                    continue;
                }
            } else {
                size_t used, t = entity_named(in + j, n - j, out + o, &used);
                if (t) { o += t; i = j + used - 1; continue; }
            }
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

size_t decode_js_escapes(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '\\' && i + 1 < n) {
            char c = in[i + 1];
            long v;
            if (c == 'u' && (v = hexn(in + i + 2, n - i - 2, 4)) >= 0) {
                o += put_utf8(out + o, (unsigned long)v); i += 5; continue;
            }
            if (c == 'x' && (v = hexn(in + i + 2, n - i - 2, 2)) >= 0) {
                out[o++] = (char)v; i += 3; continue;
            }
            const char *from = "nrt'\"\\/`", *to = "\n\r\t'\"\\/`";
            const char *p = c ? strchr(from, c) : NULL;
            if (p) { out[o++] = to[p - from]; i++; continue; }
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

/* Folds overlong UTF-8 forms of ASCII, fullwidth forms (U+FF01..U+FF5E) and look-alike slashes
 * and dots (U+2215, U+2044, U+29F5, U+FE68, U+2024) to ASCII. */
static size_t decode_unicode_fold(const char *in, size_t n, char *out)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if ((s[i] == 0xC0 || s[i] == 0xC1) && i + 1 < n && (s[i + 1] & 0xC0) == 0x80) {
            out[o++] = (char)(((s[i] & 1) << 6) | (s[i + 1] & 0x3F)); i += 1; continue;
        }
        if (s[i] == 0xE0 && i + 2 < n && (s[i + 1] & 0xE0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            unsigned cp = ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            if (cp < 0x80) { out[o++] = (char)cp; i += 2; continue; }
        }
        if (i + 2 < n && (s[i] == 0xE2 || s[i] == 0xEF)) {   /* look-alike slashes and dots */
            static const struct { unsigned char b[3]; char to; } alike[] = {
                {{0xE2, 0x88, 0x95}, '/'}, {{0xE2, 0x81, 0x84}, '/'}, {{0xE2, 0xA7, 0xB5}, '\\'},
                {{0xEF, 0xB9, 0xA8}, '\\'}, {{0xE2, 0x80, 0xA4}, '.'},
            };
            size_t k = 0;
            while (k < sizeof alike / sizeof alike[0] && memcmp(s + i, alike[k].b, 3) != 0) k++;
            if (k < sizeof alike / sizeof alike[0]) { out[o++] = alike[k].to; i += 2; continue; }
        }
        if (s[i] == 0xEF && i + 2 < n && (s[i + 1] == 0xBC || s[i + 1] == 0xBD) && (s[i + 2] & 0xC0) == 0x80) {
            unsigned cp = 0xF000u | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) { out[o++] = (char)(cp - 0xFF01 + 0x21); i += 2; continue; }
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

size_t decode_strip_tags(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '<') {
            size_t j = i + 1 + (i + 1 < n && in[i + 1] == '/');
            size_t k = j;
            while (k < n && k - j < 16 && isalnum((unsigned char)in[k])) k++;
            if (k > j && k < n && in[k] == '>') { i = k; continue; }
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return o;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Appends c, folding whitespace runs into one space and letters to lower case. */
static void put_folded(char *out, size_t *o, int c)
{
    if (is_space(c)) {
        if (*o > 0 && out[*o - 1] == ' ') return;
        c = ' ';
    } else if (c >= 'A' && c <= 'Z') {
        c += 'a' - 'A';
    }
    out[(*o)++] = (char)c;
}

size_t decode_sql_normalize(const char *in, size_t n, char *out)
{
    /* The leading bytes that come out unchanged (no upper-case letter, no whitespace but single
     * spaces, no '/' that could open a comment) are copied in one go: found 16 at a time, each
     * compared with the byte before it, then byte by byte. */
    size_t i = 0;
    if (n && (byte_class[(unsigned char)in[0]] & C_SQLKEEP)) {
        int stopped = 0;
        for (i = 1; n - i >= 16 && !stopped; ) {
            vec16 x = vec16_load(in + i), prev = vec16_load(in + i - 1);
            unsigned stop = vec16_bits(((x >= VEC16('A')) & (x <= VEC16('Z'))) | (x == VEC16('/')) |
                                       ((x >= VEC16('\t')) & (x <= VEC16('\r'))) | ((x == VEC16(' ')) & (prev == VEC16(' '))));
            if (stop) i += (size_t)__builtin_ctz(stop), stopped = 1;
            else i += 16;
        }
        while (!stopped && i < n && ((byte_class[(unsigned char)in[i]] & C_SQLWORD) || (in[i] == ' ' && in[i - 1] != ' ')))
            i++;
    }
    memcpy(out, in, i);
    size_t o = i;
    int versioned = 0;   /* inside a MySQL executable comment, whose text counts */
    for (; i < n; i++) {
        if (in[i] == '/' && i + 1 < n && in[i + 1] == '*') {
            if (i + 2 < n && in[i + 2] == '!') {
                i += 2;
                while (i + 1 < n && isdigit((unsigned char)in[i + 1])) i++;
                versioned = 1;
                continue;
            }
            const char *end = memmem(in + i + 2, n - i - 2, "*/", 2);
            i = end ? (size_t)(end - in) + 1 : n;
            put_folded(out, &o, ' ');
            continue;
        }
        if (versioned && in[i] == '*' && i + 1 < n && in[i + 1] == '/') {
            versioned = 0; i++;
            put_folded(out, &o, ' ');
            continue;
        }
        put_folded(out, &o, (unsigned char)in[i]);
    }
    out[o] = '\0';
    return o;
}

size_t decode_shell_normalize(const char *in, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '\'' || c == '"' || c == '\\') continue;
        if (c == '$' && i + 1 < n) {
            if (in[i + 1] == '@' || in[i + 1] == '*' || isdigit((unsigned char)in[i + 1])) { i++; continue; }
            if (n - i >= 4 && memcmp(in + i + 1, "IFS", 3) == 0) { i += 3; put_folded(out, &o, ' '); continue; }
            if (n - i >= 6 && memcmp(in + i + 1, "{IFS}", 5) == 0) { i += 5; put_folded(out, &o, ' '); continue; }
        }
        put_folded(out, &o, (unsigned char)c);
    }
    out[o] = '\0';
    return o;
}

size_t decode_base64(const char *in, size_t n, char *out)
{
    /* '/' and '+' as first character would decode to a byte >= 0xF8, never text: they are path
     * separators or form spaces in front of the encoded value. */
    while (n > 0 && (in[0] == '/' || in[0] == '+' || in[0] == ' ')) { in++; n--; }
    while (n > 0 && in[n - 1] == '=') n--;
    if (n < 8 || n % 4 == 1 || n > (1u << 20)) return 0;
    int std = 0, url = 0, lower = 0, upper = 0, spaces = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '+' || c == '/') std = 1;
        else if (c == '-' || c == '_') url = 1;
        else if (c == ' ') spaces = 1;   /* a form decoder turned '+' into ' ' */
        else if (c >= 'a' && c <= 'z') lower = 1;
        else if (c >= 'A' && c <= 'Z') upper = 1;
        else if (c < '0' || c > '9') return 0;
    }
    if ((std && url) || (spaces && url) || !lower || !upper) return 0;
    char small[512], *tmp = (char *)in;
    if (spaces) {
        tmp = n < sizeof small ? small : malloc(n);
        if (!tmp) return 0;
        for (size_t i = 0; i < n; i++) tmp[i] = in[i] == ' ' ? '+' : in[i];
    }
    size_t len = 0;
    int ok = sodium_base642bin((unsigned char *)out, n, tmp, n, NULL, &len, NULL,
                               url ? sodium_base64_VARIANT_URLSAFE_NO_PADDING
                                   : sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0;
    if (tmp != in && tmp != small) free(tmp);
    if (!ok || len == 0) return 0;
    size_t printable = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0) return 0;
        if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r') printable++;
    }
    if (printable * 10 < len * 8) return 0;
    out[len] = '\0';
    return len;
}

/* ---- structured walkers ---- */

typedef size_t (*step_fn)(const char *, size_t, char *);

static size_t step_percent(const char *in, size_t n, char *out) { return decode_percent(in, n, out, 0); }

static int walk_step(walk *w, int src, const char *where, const char *s, size_t n, int depth, step_fn f)
{
    int oom;
    char small[SMALL], *d = take(w, n, small, &oom);
    if (!d) return oom ? -1 : 0;
    size_t m = f(s, n, d);
    int rc = 0;
    if (m && (m != n || memcmp(d, s, n) != 0)) rc = walk_value(w, src, where, d, m, depth + 1);
    drop(d, small);
    return rc;
}

/* Whether name is one of names (a NULL-ended list). */
static int name_in(const char *name, const char *const *names)
{
    for (const char *const *k = names; *k; k++)
        if (strcmp(name, *k) == 0) return 1;
    return 0;
}

/* A member of obj named one of names (a NULL-ended list), or NULL. */
static const cJSON *json_member(const cJSON *obj, const char *const *names)
{
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && name_in(c->string, names)) return c;
    return NULL;
}

/* The members that name a stack frame's class: Jackson's className, Gson's declaringClass, an APM
 * agent's classname, Sentry's module, log4j's JSON layout's class. */
static const char *const frame_class_keys[] = {"className", "declaringClass", "classname", "module", "class", NULL};

/* Whether obj is a stack frame as Jackson, Gson, an APM agent, Sentry or log4j writes Java's
 * StackTraceElement (a class member, a method and a line number); then *loc is what a trace
 * prints after the class and method: (Native Method) for line -2, (File.java:12), (File.java)
 * without a line, (Unknown Source) without a file, and *method the method. Crash reports carry
 * these, and a bare java.lang.Thread or java.lang.reflect.Method there is no type to build, so
 * each class member is read in its frame, as every rule reads a frame in text. */
static int json_frame(const cJSON *obj, const char **method, char *loc, size_t cap)
{
    static const char *const method_keys[] = {"methodName", "function", "method", NULL};
    static const char *const line_keys[] = {"lineNumber", "lineno", "line", NULL};
    static const char *const file_keys[] = {"fileName", "filename", "file", NULL};
    /* first the line number, in one cheap pass: most objects have no number named l... */
    const cJSON *ln = NULL;
    for (const cJSON *c = obj->child; c && !ln; c = c->next)
        if (c->string && c->string[0] == 'l' && cJSON_IsNumber(c) && name_in(c->string, line_keys)) ln = c;
    if (!ln) return 0;
    const cJSON *cls = json_member(obj, frame_class_keys), *m = json_member(obj, method_keys);
    const cJSON *f = json_member(obj, file_keys);
    if (!cls || !cJSON_IsString(cls) || !m || !cJSON_IsString(m)) return 0;
    const char *file = f && cJSON_IsString(f) && f->valuestring[0] ? f->valuestring : NULL;
    int line = ln->valueint, k;
    if (line == -2) k = snprintf(loc, cap, "(Native Method)");
    else if (file && line >= 0) k = snprintf(loc, cap, "(%s:%d)", file, line);
    else k = snprintf(loc, cap, "(%s)", file ? file : "Unknown Source");
    *method = m->valuestring;
    return k > 0 && (size_t)k < cap;
}

/* Whether arr is Jackson's default typing in its WRAPPER_ARRAY form, ["pkg.Class", value]: two
 * elements, the first a class name as Java writes one (a lower-case first package, two dots or
 * more, a capitalised last part), the second an object or an array. Its first element names the
 * type to build, like a type key; an i18n pair ["validation.required", {...}] has no class. */
static int json_type_wrapper(const cJSON *arr)
{
    const cJSON *a = arr->child, *b = a ? a->next : NULL;
    if (!a || !b || b->next || !cJSON_IsString(a) || !(cJSON_IsObject(b) || cJSON_IsArray(b))) return 0;
    const char *s = a->valuestring, *last = s;
    if (!(*s >= 'a' && *s <= 'z')) return 0;
    int dots = 0;
    for (; *s; s++) {
        if (*s == '.') {
            if (s[1] == '\0' || s[1] == '.') return 0;
            dots++;
            last = s + 1;
        } else if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '$')) {
            return 0;
        }
    }
    return dots >= 2 && *last >= 'A' && *last <= 'Z';
}

/* The arrays that hold a trace's frames: Jackson's and Gson's stackTrace, an APM agent's
 * stacktrace, Sentry's frames, the extendedStackTrace of log4j's JSON layout (each exception it
 * logs: class, method, file, line). A frame is read as one only there: elsewhere an object shaped
 * like one may be a type to build under className with a method and a line added to pass as a
 * frame. */
static const char *const trace_keys[] = {"stackTrace", "stacktrace", "frames", "extendedStackTrace", NULL};

/* in_trace: it is an element of a trace's array (trace_keys) */
static int walk_json_item(walk *w, int src, const char *where, const cJSON *it, int depth, int level, int in_trace)
{
    int rc = 0;
    if (cJSON_IsString(it) && it->valuestring) {
        w->nseen = 0;   /* each leaf is a root value of its own */
        return walk_value(w, src, where, it->valuestring, strlen(it->valuestring), depth);
    }
    if (!(cJSON_IsObject(it) || cJSON_IsArray(it))) return 0;
    if (level >= JSON_DEPTH) { if (it->child) w->cut |= DECODE_CUT_DEPTH; return 0; }
    /* the members of an object's "scripts" object, and all under them (its own keys are not); a
     * "scripts" array is a page's list of script files or such, not npm's or Composer's */
    int inner = src | (cJSON_IsObject(it) && it->string && strcmp(it->string, "scripts") == 0 ? DECODE_SCRIPTS : 0);
    int idx = 0;
    char loc[256];
    const char *method = NULL;
    int frame = in_trace && cJSON_IsObject(it) && json_frame(it, &method, loc, sizeof loc);
    int trace = cJSON_IsArray(it) && it->string && name_in(it->string, trace_keys);
    int wrapped = cJSON_IsArray(it) && json_type_wrapper(it);
    for (const cJSON *c = it->child; c && !rc; c = c->next, idx++) {
        char sub[DECODE_WHERE_MAX], num[16];
        if (cJSON_IsObject(it) && c->string) {
            size_t kl = strlen(c->string);
            rc = walk_value(w, src, where, c->string, kl, depth);
            where_join(sub, where, c->string, kl);
        } else {
            size_t k = sizeof num;                 /* idx in decimal, written from the end */
            for (unsigned v = (unsigned)idx; k == sizeof num || v; v /= 10) num[--k] = (char)('0' + v % 10);
            where_join(sub, where, num + k, sizeof num - k);
        }
        if (!rc && frame && cJSON_IsString(c) && c->string &&
            name_in(c->string, frame_class_keys)) {
            char text[512];
            int k = snprintf(text, sizeof text, "%s.%s%s", c->valuestring, method, loc);
            if (k > 0 && (size_t)k < sizeof text) {
                w->nseen = 0;
                rc = walk_value(w, inner, sub, text, (size_t)k, depth);
                continue;
            }
        }
        int typed = cJSON_IsString(c) && ((c->string && decode_type_key(c->string, strlen(c->string))) ||
                                          (c == it->child && wrapped));
        if (!rc) rc = walk_json_item(w, inner | (typed ? DECODE_TYPEKEY : 0), sub, c, depth, level + 1, trace);
    }
    return rc;
}

/* cJSON ends a string at an escaped NUL (\u0000), so what follows it in a key or a value went
 * unseen while the application reads it all: a copy of the text with those escapes read as a
 * space (\u0020), or NULL when it has none (or the budget is spent, *oom = 0). */
static char *json_nul_as_space(walk *w, const char *s, size_t n, int *oom)
{
    *oom = 0;
    /* (memchr over the backslashes: glibc's memmem reads a body without any several times slower) */
    const char *b = s, *e = s + n;
    while ((b = memchr(b, '\\', (size_t)(e - b))) != NULL && !(e - b >= 6 && memcmp(b, "\\u0000", 6) == 0)) b++;
    if (!b) return NULL;
    char *c = take(w, n, NULL, oom);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    for (size_t i = 0; i + 1 < n; i++) {
        if (c[i] != '\\') continue;
        if (i + 6 <= n && memcmp(c + i + 1, "u0000", 5) == 0) c[i + 4] = '2';
        i++;    /* the escaped character: \\u0000 is a backslash and text */
    }
    return c;
}

/* Walks every key and leaf of a JSON text; *parsed = 0 when s is not JSON. keep: where the
 * document goes after the walk, or NULL: deleted. */
static int walk_json(walk *w, int src, const char *where, const char *s, size_t n, int depth, int *parsed,
                     cJSON **keep)
{
    const char *end = NULL;
    int oom;
    char *copy = json_nul_as_space(w, s, n, &oom);
    if (oom) return -1;
    cJSON *j = jarena_parse(copy ? copy : s, n, &end);   /* (nodes from the thread's arena) */
    free(copy);
    *parsed = j != NULL;
    if (!j) return 0;
    int rc = walk_json_item(w, src, where, j, depth, 0, 0);
    if (keep) *keep = j;
    else cJSON_Delete(j);
    return rc;
}

/* 1 when s still holds an encoding a decoder would undo: %XX, &#, \u or \x, or JSON. */
static int still_encoded(const char *s, size_t n)
{
    const char *e = s + n, *f = skip_ws(s, e);
    if (f < e && (*f == '{' || *f == '[')) return 1;
    for (size_t i = 0; i + 2 < n; i++) {
        if (s[i] == '%' && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) return 1;
        if ((s[i] == '&' && s[i + 1] == '#') || (s[i] == '\\' && (s[i + 1] == 'u' || s[i + 1] == 'x'))) return 1;
    }
    return 0;
}

/* One pass over a value for walk_value: returns the classes of its bytes and sets *hash (8 bytes at
 * a time: multiply, xor-shift; the tail bytes FNV-1a's way; the length not yet mixed in) and
 * bytes, the set of its byte values (bit c % 64 of bytes[c / 64]), which the callback gets. A long
 * value marks a flag per byte (one store each) and reads the classes off the set afterwards; a
 * short one sets the bits and the classes byte by byte. */
static unsigned value_scan(const char *s, size_t n, uint64_t *hash, uint64_t bytes[4])
{
    const unsigned char *u = (const unsigned char *)s;
    uint64_t h = 1469598103934665603ull, set[4] = {0, 0, 0, 0};
    unsigned has = 0;
    size_t i = 0;
    if (n >= 64) {
        unsigned char flag[256];
        memset(flag, 0, sizeof flag);
        for (; i + 8 <= n; i += 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            h = (h ^ x) * 0x9E3779B97F4A7C15ull;
            h ^= h >> 29;
            flag[u[i]] = 1, flag[u[i + 1]] = 1, flag[u[i + 2]] = 1, flag[u[i + 3]] = 1;
            flag[u[i + 4]] = 1, flag[u[i + 5]] = 1, flag[u[i + 6]] = 1, flag[u[i + 7]] = 1;
        }
        for (; i < n; i++) {
            h ^= u[i]; h *= 1099511628211ull;
            flag[u[i]] = 1;
        }
        for (unsigned c = 0; c < 256; c += 8) {
            uint64_t any;
            memcpy(&any, flag + c, 8);
            for (unsigned j = 0; any && j < 8; j++)
                if (flag[c + j]) set[c >> 6] |= 1ull << ((c + j) & 63), has |= byte_class[c + j];
        }
    } else {
        for (; i + 8 <= n; i += 8) {
            uint64_t x;
            memcpy(&x, s + i, 8);
            h = (h ^ x) * 0x9E3779B97F4A7C15ull;
            h ^= h >> 29;
            for (size_t j = i; j < i + 8; j++) {
                set[u[j] >> 6] |= 1ull << (u[j] & 63);
                has |= byte_class[u[j]];
            }
        }
        for (; i < n; i++) {
            h ^= u[i]; h *= 1099511628211ull;
            set[u[i] >> 6] |= 1ull << (u[i] & 63);
            has |= byte_class[u[i]];
        }
    }
    *hash = h;
    memcpy(bytes, set, sizeof set);
    return has;
}

/* Walks the value itself, then each decoding that changes it. */
static int walk_value(walk *w, int src, const char *where, const char *s, size_t n, int depth)
{
    uint64_t h, bytes[4];
    unsigned has = value_scan(s, n, &h, bytes);
    h ^= n;
    for (int k = 0; k < w->nseen; k++)
        if (w->seen[k] == h) return 0;
    if (w->nseen < SEEN_MAX) w->seen[w->nseen++] = h;
    int rc = w->fn(w->ctx, src, where, s, n, bytes);
    if (rc || n == 0) return rc;
    if (depth >= w->lim->max_depth) {
        if (still_encoded(s, n)) w->cut |= DECODE_CUT_DEPTH;
        return 0;
    }
    const char *e = s + n, *f = skip_ws(s, e);
    if (f < e && (*f == '{' || *f == '[')) {
        int parsed;
        rc = walk_json(w, src, where, s, n, depth + 1, &parsed, NULL);
        if (rc || parsed) return rc;
    }
    /* which decoders can apply: by the classes of the bytes present */
    if ((has & C_PCT) && (rc = walk_step(w, src, where, s, n, depth, step_percent))) return rc;
    if ((has & C_AMP) && (rc = walk_step(w, src, where, s, n, depth, decode_entities))) return rc;
    if ((has & C_BSL) && (rc = walk_step(w, src, where, s, n, depth, decode_js_escapes))) return rc;
    if ((has & C_LT) && (rc = walk_step(w, src, where, s, n, depth, decode_strip_tags))) return rc;
    if (has & C_UTF8) return walk_step(w, src, where, s, n, depth, decode_unicode_fold);
    if (n >= 8 && !(has & C_NOT64)) {
        /* base64 text holds both cases (decode_base64 refuses it otherwise); a value without both
         * is not decoded, but its room is still counted so the budget runs out where it did */
        if ((has & C_LOWER) && (has & C_UPPER)) rc = walk_step(w, src, where, s, n, depth, decode_base64);
        else charge(w, n);
    }
    return rc;
}

/* Starts a new root value: decodings are remembered per root. */
static int walk_root(walk *w, int src, const char *where, const char *s, size_t n)
{
    w->nseen = 0;
    return walk_value(w, src, where, s, n, 0);
}

/* Walks a copy of s[0..n) so that the callback gets a NUL-terminated value. */
static int walk_copy(walk *w, int src, const char *where, const char *s, size_t n)
{
    int oom;
    char small[SMALL], *t = slice_buf(n, small, &oom);
    if (!t) return -1;
    memcpy(t, s, n);
    t[n] = '\0';
    int rc = walk_root(w, src, where, t, n);
    drop(t, small);
    return rc;
}

/* Form-decodes s into a NUL-terminated string in small or on the heap (see room()). */
static char *form_dup(const char *s, size_t n, char *small, size_t *len, int *oom)
{
    char *d = slice_buf(n, small, oom);
    if (d) *len = decode_percent(s, n, d, 1);
    return d;
}

/* name=value pairs split on '&' (query strings and urlencoded bodies). */
static int walk_params(walk *w, int src, const char *base, const char *s, size_t n)
{
    size_t pieces = 0;
    int rc = 0, oom = 0;
    for (size_t i = 0; i <= n && !rc; ) {
        const char *p = s + i, *amp = memchr(p, '&', n - i);
        size_t plen = amp ? (size_t)(amp - p) : n - i;
        i += plen + 1;
        if (plen == 0) continue;
        pieces++;
        const char *eq = memchr(p, '=', plen);
        size_t nl = eq ? (size_t)(eq - p) : plen, klen = 0, vlen = 0;
        char ksmall[SMALL], vsmall[SMALL], *k = form_dup(p, nl, ksmall, &klen, &oom), *v = NULL;
        if (!k) { if (oom) return -1; break; }
        char where[DECODE_WHERE_MAX];
        where_join(where, base, k, klen);
        /* a name without a value ("flag", "sid=") names no identifier: read, but not marked */
        rc = walk_root(w, src | (eq && plen > nl + 1 ? DECODE_NAME : 0), base, k, klen);
        if (!rc && eq) {
            v = form_dup(eq + 1, plen - nl - 1, vsmall, &vlen, &oom);
            if (!v && oom) rc = -1;
            else if (v) rc = walk_root(w, src | (decode_type_key(k, klen) ? DECODE_TYPEKEY : 0), where, v, vlen);
        }
        drop(k, ksmall);
        drop(v, vsmall);
        if (!amp) break;
    }
    if (!rc && pieces > 1) {
        size_t len;
        char small[SMALL], *all = form_dup(s, n, small, &len, &oom);
        if (!all) return oom ? -1 : 0;
        rc = walk_root(w, src, base, all, len);
        drop(all, small);
    }
    return rc;
}

static int walk_cookies(walk *w, const char *s)
{
    int rc = 0;
    while (*s && !rc) {
        while (*s == ' ' || *s == ';') s++;
        size_t len = strcspn(s, ";");
        if (!len) break;
        const char *eq = memchr(s, '=', len);
        size_t nl = eq ? (size_t)(eq - s) : len;
        while (nl && s[nl - 1] == ' ') nl--;
        char where[DECODE_WHERE_MAX];
        where_join(where, "cookie", s, nl);
        rc = walk_copy(w, DECODE_COOKIE, "cookie", s, nl);
        if (!rc && eq) rc = walk_copy(w, DECODE_COOKIE, where, eq + 1, len - (size_t)(eq + 1 - s));
        s += len;
    }
    return rc;
}

/* Finds a parameter (name=value or name="value") in a header value; returns its length. */
static size_t header_param(const char *h, size_t hn, const char *name, const char **val)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl < hn; i++) {
        if ((i == 0 || h[i - 1] == ';' || h[i - 1] == ' ' || h[i - 1] == '\t') &&
            strncasecmp(h + i, name, nl) == 0 && h[i + nl] == '=') {
            const char *v = h + i + nl + 1, *e = h + hn;
            if (v < e && *v == '"') {
                const char *q = memchr(v + 1, '"', (size_t)(e - v - 1));
                *val = v + 1;
                return q ? (size_t)(q - v - 1) : (size_t)(e - v - 1);
            }
            size_t k = 0;
            while (v + k < e && v[k] != ';' && v[k] != ' ' && v[k] != '\r' && v[k] != '\n') k++;
            *val = v;
            return k;
        }
    }
    return 0;
}

static int walk_xml(walk *w, const char *s, size_t n);

static int walk_multipart(walk *w, const char *ct, const char *s, size_t n, int *parsed)
{
    *parsed = 0;
    const char *b;
    size_t bl = header_param(ct, strlen(ct), "boundary", &b);
    if (bl == 0 || bl > 200) return 0;
    char delim[204] = "--";
    memcpy(delim + 2, b, bl);
    size_t dl = bl + 2;
    const char *e = s + n, *p = memmem(s, n, delim, dl);
    if (!p) return 0;
    *parsed = 1;
    int rc = 0;
    while (p && !rc) {
        p += dl;
        if (e - p >= 2 && p[0] == '-' && p[1] == '-') break;
        const char *eol = memchr(p, '\n', (size_t)(e - p));
        if (!eol) break;
        p = eol + 1;
        const char *name = NULL, *fname = NULL;
        size_t namel = 0, fnamel = 0;
        int xml = 0;
        for (;;) {   /* part headers up to the empty line */
            eol = memchr(p, '\n', (size_t)(e - p));
            if (!eol) return rc;
            size_t ll = (size_t)(eol - p);
            if (ll && p[ll - 1] == '\r') ll--;
            if (ll == 0) { p = eol + 1; break; }
            if (ll > 20 && strncasecmp(p, "content-disposition:", 20) == 0) {
                namel = header_param(p, ll, "name", &name);
                fnamel = header_param(p, ll, "filename", &fname);
            }
            if (ll > 13 && strncasecmp(p, "content-type:", 13) == 0 && memmem(p, ll, "xml", 3)) xml = 1;
            p = eol + 1;
        }
        const char *next = memmem(p, (size_t)(e - p), delim, dl);
        const char *ce = next ? next : e;
        if (ce > p && ce[-1] == '\n') ce--;
        if (ce > p && ce[-1] == '\r') ce--;
        char where[DECODE_WHERE_MAX], fwhere[DECODE_WHERE_MAX];
        where_join(where, "body", name ? name : "", namel);
        /* an empty part or a file's part (PHP puts it in $_FILES, not $_POST) is not a parameter */
        if (name) rc = walk_copy(w, DECODE_BODY | (!fname && ce > p ? DECODE_NAME : 0), "body", name, namel);
        if (!rc && fname) {
            where_join(fwhere, where, "filename", 8);
            rc = walk_copy(w, DECODE_BODY, fwhere, fname, fnamel);
        }
        if (!rc) rc = walk_copy(w, DECODE_BODY, where, p, (size_t)(ce - p));
        if (!rc && xml) rc = walk_xml(w, p, (size_t)(ce - p));   /* an XML part: its text and attributes too */
        p = next;
    }
    return rc;
}

/* Walks a text run of an XML document, trimmed. */
static int walk_xml_text(walk *w, int src, const char *where, const char *s, size_t n)
{
    const char *e = s + n;
    s = skip_ws(s, e);
    while (e > s && is_space((unsigned char)e[-1])) e--;
    return e == s ? 0 : walk_copy(w, src, where, s, (size_t)(e - s));
}

/* An element's name as XStream reads it: the class to build. XStream writes a class's '$' as
 * "_-" and its '_' as "__"; other mappers take the name as it is. Only a dotted name of Java
 * name bytes is a class (a plain element, <order> or <ns:item>, is no name to read), and it is
 * walked as a value, so the rules that read a value that is nothing but a class name read it
 * (a family class blocks, another name of the platform is weak, <com.example.Order> is nothing). */
static int walk_xml_name(walk *w, const char *where, const char *s, size_t n)
{
    char t[256];
    size_t k = 0;
    int dot = 0;
    if (n == 0 || n >= sizeof t || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '$')) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '_' && i + 1 < n && (s[i + 1] == '-' || s[i + 1] == '_')) { t[k++] = s[i + 1] == '-' ? '$' : '_'; i++; continue; }
        if (!(isalnum(c) || c == '_' || c == '$' || c == '.')) return 0;
        dot |= c == '.';
        t[k++] = (char)c;
    }
    return dot ? walk_copy(w, DECODE_BODY, where, t, k) : 0;
}

/* Spring's bean definitions name a class in <bean class="...">: the application's own
 * configuration, not a type a deserialiser takes from the request, so that attribute is no
 * type key (a family class in it is still java-type-name-value's, as in any value). */
static int xml_spring_bean(const char *name, size_t n)
{
    const char *c = memchr(name, ':', n);
    if (c) { n -= (size_t)(c + 1 - name); name = c + 1; }
    return n == 4 && memcmp(name, "bean", 4) == 0;
}

static int walk_xml(walk *w, const char *s, size_t n)
{
    char path[DECODE_WHERE_MAX] = "body";
    size_t lens[XML_DEPTH];
    int level = 0, rc = 0;
    const char *e = s + n, *p = s;
    while (p < e && !rc) {
        if (*p != '<') {
            const char *lt = memchr(p, '<', (size_t)(e - p));
            const char *te = lt ? lt : e;
            rc = walk_xml_text(w, DECODE_BODY, path, p, (size_t)(te - p));
            p = te;
            continue;
        }
        size_t left = (size_t)(e - p);
        const char *close;
        if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
            close = memmem(p + 4, left - 4, "-->", 3);
            p = close ? close + 3 : e;
        } else if (left >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            close = memmem(p + 9, left - 9, "]]>", 3);
            const char *te = close ? close : e;
            rc = walk_xml_text(w, DECODE_BODY, path, p + 9, (size_t)(te - p - 9));
            p = close ? close + 3 : e;
        } else if (left >= 2 && (p[1] == '!' || p[1] == '?' || p[1] == '/')) {
            if (p[1] == '/' && level > 0) {
                level--;
                if (level < XML_DEPTH) path[lens[level]] = '\0';
            }
            close = memchr(p, '>', left);
            p = close ? close + 1 : e;
        } else {   /* start tag: name, then attributes */
            const char *q = p + 1;
            while (q < e && !is_space((unsigned char)*q) && *q != '>' && *q != '/') q++;
            if (level < XML_DEPTH) {
                lens[level] = strlen(path);
                where_join(path, path, p + 1, (size_t)(q - p - 1));
            }
            level++;
            rc = walk_xml_name(w, path, p + 1, (size_t)(q - p - 1));
            int bean = xml_spring_bean(p + 1, (size_t)(q - p - 1));
            while (q < e && *q != '>' && !rc) {
                q = skip_ws(q, e);
                if (q < e && *q == '/') { q++; continue; }
                const char *an = q;
                while (q < e && !is_space((unsigned char)*q) && *q != '=' && *q != '>' && *q != '/') q++;
                size_t anl = (size_t)(q - an);
                q = skip_ws(q, e);
                if (q < e && *q == '=') {
                    q = skip_ws(q + 1, e);
                    const char *v = q, *ve;
                    if (q < e && (*q == '"' || *q == '\'')) {
                        ve = memchr(q + 1, *q, (size_t)(e - q - 1));
                        v = q + 1;
                        if (!ve) ve = e;
                        q = ve < e ? ve + 1 : e;
                    } else {
                        while (q < e && !is_space((unsigned char)*q) && *q != '>') q++;
                        ve = q;
                    }
                    char aw[DECODE_WHERE_MAX];
                    where_join(aw, path, an, anl);
                    rc = walk_xml_text(w, DECODE_BODY | (decode_type_key(an, anl) && !bean ? DECODE_TYPEKEY : 0), aw, v, (size_t)(ve - v));
                } else if (anl == 0 && q < e && *q != '>') {
                    q++;
                }
            }
            if (q > p + 1 && q < e && q[-1] == '/' && level > 0) {   /* <empty/> */
                level--;
                if (level < XML_DEPTH) path[lens[level]] = '\0';
            }
            p = q < e ? q + 1 : e;
        }
    }
    return rc;
}

static const char *find_header(const httpreq *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

static int walk_body(walk *w, const httpreq *req)
{
    const char *ct = find_header(req, "content-type");
    size_t n = req->body_len;
    int oom = 0, rc = 0, parsed = 1;
    /* the body may lack a NUL; callbacks get NUL-terminated values. Most bodies fit on the stack: a
     * heap block past glibc's per-thread cache (1 KB) costs thousands of instructions. */
    char stack[4096], *s = room(n, stack, sizeof stack, &oom);
    if (!s) return -1;
    memcpy(s, req->body, n);
    s[n] = '\0';
    const char *f = skip_ws(s, s + n);
    if (ct && strcasestr(ct, "multipart/form-data")) {
        rc = walk_multipart(w, ct, s, n, &parsed);
    } else if (ct && strcasestr(ct, "x-www-form-urlencoded")) {
        rc = walk_params(w, DECODE_BODY, "body", s, n);
    } else if ((ct && strcasestr(ct, "json")) || (f < s + n && (*f == '{' || *f == '['))) {
        rc = walk_json(w, DECODE_BODY, "body", s, n, 0, &parsed, w->body_json);
    } else if ((ct && strcasestr(ct, "xml")) || (f < s + n && *f == '<')) {
        rc = walk_root(w, DECODE_BODY, "body", s, n);   /* DTDs are matched in the raw text */
        if (!rc) rc = walk_xml(w, s, n);
    } else {
        rc = walk_root(w, DECODE_BODY, "body", s, n);
        if (!rc && memchr(s, '=', n)) rc = walk_params(w, DECODE_BODY, "body", s, n);
    }
    if (!rc && !parsed) rc = walk_root(w, DECODE_BODY, "body", s, n);   /* unparsed: the text itself */
    drop(s, stack);
    return rc;
}

int decode_request(const httpreq *req, const decode_limits *lim, decode_fn fn, void *ctx, unsigned *cut)
{
    return decode_request_json(req, lim, fn, ctx, cut, NULL);
}

int decode_request_json(const httpreq *req, const decode_limits *lim, decode_fn fn, void *ctx, unsigned *cut,
                        cJSON **body_json)
{
    static const decode_limits deflim = DECODE_LIMITS_DEFAULT;
    walk w = {lim ? lim : &deflim, fn, ctx, 0, {0}, 0, 0, body_json};
    if (body_json) *body_json = NULL;
    int rc = 0;
    if (req->path && *req->path) rc = walk_root(&w, DECODE_PATH, "path", req->path, strlen(req->path));
    if (!rc && req->query && *req->query) rc = walk_params(&w, DECODE_QUERY, "query", req->query, strlen(req->query));
    for (size_t i = 0; i < req->nheaders && !rc; i++) {
        const httpreq_header *h = &req->headers[i];
        if (!h->name || !h->value) continue;
        if ((h->name[0] | 0x20) == 'c' && strcasecmp(h->name, "cookie") == 0) { rc = walk_cookies(&w, h->value); continue; }
        char where[DECODE_WHERE_MAX];
        where_header(where, h->name);
        rc = walk_root(&w, DECODE_HEADER, where, h->value, strlen(h->value));
    }
    if (!rc && req->body && req->body_len) rc = walk_body(&w, req);
    if (cut) *cut = w.cut;
    return rc;
}
