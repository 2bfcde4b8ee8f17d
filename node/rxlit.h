/* rxlit.h -- the literals a PCRE2 pattern needs: read from the pattern's text at load, a set of
 * strings one of which every subject the pattern matches contains. A cheap test that rules a
 * pattern out before PCRE2 runs it.
 *
 * The reading is conservative: what it does not understand (back-references, verbs such as
 * (*SKIP), the extended flag, recursion, conditionals) leaves the pattern without a set, and a
 * pattern without a set may match anything. Literals are kept and compared in ASCII lower case,
 * whatever the pattern's case flags, so a caseless pattern and a case-sensitive one are both
 * tested on the lower-cased subject (the case-sensitive one a little less sharply). Positive
 * lookarounds count, since what they read is in the subject too: `_schema\b(?<=\binformation_schema)`
 * needs "information_schema". */
#ifndef RXLIT_H
#define RXLIT_H
#include <stddef.h>
#include <stdint.h>

#define RXLIT_MAX 64              /* most literals in a set: most are ruled out by one test of their bytes */

typedef struct rxlit {
    size_t n;                     /* literals, 0 = no set (anything may match) */
    uint8_t len[RXLIT_MAX];       /* each at least 1 byte */
    char lit[RXLIT_MAX][24];      /* ASCII lower case; may hold NUL bytes */
    uint64_t has[RXLIT_MAX][4];   /* each literal's bytes, as a byte set */
    uint16_t kpair[RXLIT_MAX];    /* its least common pair of bytes (hashed as rxlit_subject) */
    /* The literals in groups by key byte, each one's least common byte in text: a subject
     * holding none of the key bytes holds no literal, and one holding some needs only their
     * groups tested. */
    uint64_t key[4];              /* the key bytes */
    uint8_t keyidx[256];          /* a key byte's group */
    uint8_t from[RXLIT_MAX], to[RXLIT_MAX];   /* a group's literals */
    size_t ngroups;
} rxlit;

/* Reads pattern (compiled by PCRE2 with opts: extended is refused) into *out; returns out->n. */
size_t rxlit_extract(const char *pattern, uint32_t opts, rxlit *out);

/* A subject as the test reads it: the bytes it holds, in ASCII lower case, and, for a short one,
 * the pairs of adjacent bytes (hashed to 1024 bits: a collision can only let a pattern run). */
#define RXLIT_PAIRS_MAX 256       /* longest subject whose pairs are read */
typedef struct rxlit_subject {
    uint64_t bytes[4];            /* bit c % 64 of word c / 64 */
    uint64_t pairs[16];
    int has_pairs;
} rxlit_subject;
/* Fills s from the subject's byte set, which may hold more bytes than the subject (a superset
 * only weakens the test), and, when n <= RXLIT_PAIRS_MAX, from the subject v itself. */
void rxlit_read(rxlit_subject *s, const uint64_t bytes[4], const char *v, size_t n);

/* Whether a subject with these bytes (bit c % 64 of word c / 64, lower case) may hold one of the
 * literals: a quick test, before the subject is even made (any transform's bytes are a subset). */
int rxlit_bytes_ok(const rxlit *l, const uint64_t bytes[4]);
/* Whether the subject may hold one of the literals: 0 only when it holds none; always 1 when
 * there is no set. */
int rxlit_found(const rxlit *l, const rxlit_subject *s);

#endif
