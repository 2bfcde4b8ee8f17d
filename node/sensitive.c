/* sensitive.c -- sensitive-data recognisers (see sensitive.h).
 * Hand-written scanners, tried only where one can start (found 16 bytes at a time); nothing copied out. */
#include "sensitive.h"
#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include "vec16.h"

static const char *const names[] = {"email", "card_number", "bearer_token", "api_key", "phone_number"};

const char *sensitive_name(unsigned bit)
{
    for (unsigned i = 0; i < 5; i++)
        if (bit == 1u << i) return names[i];
    return "unknown";
}

int sensitive_luhn(const char *s, size_t n)
{
    int sum = 0, dbl = 0, digits = 0;
    for (size_t i = n; i-- > 0;) {
        if (!isdigit((unsigned char)s[i])) continue;
        int d = s[i] - '0';
        if (dbl) { d *= 2; if (d > 9) d -= 9; }
        sum += d;
        dbl = !dbl;
        digits++;
    }
    return digits > 0 && sum % 10 == 0;
}

static int local_char(unsigned char c) { return isalnum(c) || (c && strchr("._%+-", c)); }
static int domain_char(unsigned char c) { return isalnum(c) || c == '-' || c == '.'; }

/* name@domain.tld around an '@' at s[at] (also "%40"-encoded, at pointing at '%'). */
static int email_at(const char *s, size_t n, size_t at, size_t atlen)
{
    size_t l = at;
    while (l > 0 && local_char((unsigned char)s[l - 1])) l--;
    if (l == at) return 0;
    size_t d = at + atlen, e = d, dot = 0;
    while (e < n && domain_char((unsigned char)s[e])) { if (s[e] == '.') dot = e; e++; }
    if (!dot || dot == d || e - dot < 3) return 0;                 /* a dot, then a TLD of 2+ */
    for (size_t i = dot + 1; i < e; i++) if (!isalpha((unsigned char)s[i])) return 0;
    return 1;
}

/* A run of 13..19 digits, single spaces or dashes between groups, passing Luhn; *end past it. */
static int card_at(const char *s, size_t n, size_t i, size_t *end)
{
    size_t j = i, digits = 0;
    while (j < n && digits < 20) {
        if (isdigit((unsigned char)s[j])) { digits++; j++; continue; }
        if ((s[j] == ' ' || s[j] == '-') && j + 1 < n && isdigit((unsigned char)s[j + 1]) && j > i) { j++; continue; }
        break;
    }
    *end = j;
    if (digits < 13 || digits > 19) return 0;
    if (i > 0 && (isalnum((unsigned char)s[i - 1]))) return 0;     /* part of a longer token */
    if (j < n && isalnum((unsigned char)s[j])) return 0;
    return sensitive_luhn(s + i, j - i);
}

/* "+" then 10..15 digits with spaces, dashes, dots or parentheses between. */
static int phone_at(const char *s, size_t n, size_t i)
{
    if (i > 0 && isalnum((unsigned char)s[i - 1])) return 0;
    size_t j = i + 1, digits = 0, end = j;
    if (j >= n || !isdigit((unsigned char)s[j])) return 0;
    while (j < n && digits <= 15) {
        if (isdigit((unsigned char)s[j])) { digits++; end = j + 1; }
        else if (!s[j] || !strchr(" -.()", s[j])) break;
        j++;
    }
    return digits >= 10 && digits <= 15 && !(end < n && isalnum((unsigned char)s[end]));   /* separators after the last digit are not part of it */
}

static size_t token_len(const char *s, size_t n, const char *extra)
{
    size_t k = 0;
    while (k < n && (isalnum((unsigned char)s[k]) || (s[k] && strchr(extra, s[k])))) k++;
    return k;
}

/* Well-known key prefixes and the least length of what follows, sorted by first byte (key_index
 * finds each first byte's entries as one run). */
static const struct { const char *prefix; size_t len, min; } key_prefixes[] = {
    {"AIza", 4, 30}, {"AKIA", 4, 16}, {"ASIA", 4, 16}, {"ghp_", 4, 30}, {"gho_", 4, 30},
    {"github_pat_", 11, 30}, {"glpat-", 6, 20}, {"rk_live_", 8, 16}, {"sk_live_", 8, 16},
    {"sk_test_", 8, 16}, {"xoxb-", 5, 20}, {"xoxp-", 5, 20},
};
#define NKEYS (sizeof key_prefixes / sizeof key_prefixes[0])
_Static_assert(NKEYS <= 255, "key_from holds entry numbers in bytes");

/* key_from[c], key_count[c]: the run of key_prefixes that begins with byte c; letter_pair[c]: bit
 * b of [b / 64] when a recogniser that starts at the letter c may see b next (the first two bytes
 * of a key prefix, of a JWT's "eyJ" and of "bearer " in any case). Derived once. */
static unsigned char key_from[256], key_count[256];
static uint64_t letter_pair[256][4];
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void pair_add(unsigned char a, unsigned char b) { letter_pair[a][b >> 6] |= 1ull << (b & 63); }

static void key_index(void)
{
    for (size_t k = NKEYS; k-- > 0;) {
        unsigned char c = (unsigned char)key_prefixes[k].prefix[0];
        key_from[c] = (unsigned char)k;
        key_count[c]++;
        pair_add(c, (unsigned char)key_prefixes[k].prefix[1]);
    }
    pair_add('e', 'y');
    pair_add('b', 'e'), pair_add('b', 'E'), pair_add('B', 'e'), pair_add('B', 'E');
}

static int apikey_at(const char *s, size_t n, size_t i)
{
    if (i > 0 && isalnum((unsigned char)s[i - 1])) return 0;
    unsigned char c = (unsigned char)s[i];
    for (size_t k = key_from[c], end = k + key_count[c]; k < end; k++) {
        size_t pl = key_prefixes[k].len;
        if (n - i > pl && s[i + 1] == key_prefixes[k].prefix[1] && memcmp(s + i, key_prefixes[k].prefix, pl) == 0 &&
            token_len(s + i + pl, n - i - pl, "_-") >= key_prefixes[k].min) return 1;
    }
    /* a JWT: three base64url parts, the first a JSON header ("eyJ") */
    if (s[i] == 'e' && n - i > 20 && memcmp(s + i, "eyJ", 3) == 0) {
        size_t a = token_len(s + i, n - i, "_-");
        if (i + a < n && s[i + a] == '.') {
            size_t b = token_len(s + i + a + 1, n - i - a - 1, "_-");
            if (b >= 4 && i + a + 1 + b < n && s[i + a + 1 + b] == '.') return 1;
        }
    }
    return 0;
}

/* The recognisers that start at s[i], added to found; *skip is raised past a digit run that is not a
 * card, whose inner digits are not tried. */
static unsigned scan_at(const char *s, size_t n, size_t i, unsigned found, size_t *skip)
{
    unsigned char c = (unsigned char)s[i];
    if (c == '@' && !(found & SENSITIVE_EMAIL) && email_at(s, n, i, 1)) found |= SENSITIVE_EMAIL;
    else if (c == '%' && i + 2 < n && s[i + 1] == '4' && s[i + 2] == '0' && email_at(s, n, i, 3))
        found |= SENSITIVE_EMAIL;
    else if (isdigit(c) && !(found & SENSITIVE_CARD)) {
        size_t end;
        if (card_at(s, n, i, &end)) found |= SENSITIVE_CARD;
        else *skip = end;
    } else if (c == '+' && !(found & SENSITIVE_PHONE) && phone_at(s, n, i)) found |= SENSITIVE_PHONE;
    else if ((c == 'b' || c == 'B') && n - i > 7 && strncasecmp(s + i, "bearer ", 7) == 0 &&
             token_len(s + i + 7, n - i - 7, "-._~+/=") >= 16)
        found |= SENSITIVE_BEARER;
    else if (!(found & SENSITIVE_APIKEY) && isalpha(c) && apikey_at(s, n, i)) found |= SENSITIVE_APIKEY;
    return found;
}

static vec16 alnum16(vec16 x)
{
    vec16 low = x | VEC16(0x20);
    return ((x >= VEC16('0')) & (x <= VEC16('9'))) | ((low >= VEC16('a')) & (low <= VEC16('z')));
}

unsigned sensitive_scan(const char *s, size_t n)
{
    /* The bytes a recogniser can start at: '@' and "%40" (e-mail) and '+' (phones) anywhere;
     * digits (cards), 'b'/'B' (bearer) and the first letters of key_prefixes and of a JWT's "eyJ"
     * only where a word (letters and digits) begins, since each of those recognisers refuses a letter
     * or digit before it. Sixteen bytes at a time, each compared with the byte before it, give the
     * exact set of those places; scan_at tries them in order. */
    pthread_once(&key_once, key_index);
    unsigned found = 0;
    size_t skip = 0;                                     /* places below it were passed over */
    for (size_t base = 0; base < n && found != SENSITIVE_ALL; base += 16) {
        vec16 x, prev;
        if (base > 0 && n - base >= 16) {
            x = vec16_load(s + base);
            prev = vec16_load(s + base - 1);
        } else {                                          /* first or last bytes: NUL padded, never a place */
            signed char t[17] = {0};
            t[0] = base ? (signed char)s[base - 1] : 0;
            memcpy(t + 1, s + base, n - base < 16 ? n - base : 16);
            prev = vec16_load(t);
            x = vec16_load(t + 1);
        }
        vec16 any = (x == VEC16('@')) | (x == VEC16('%')) | (x == VEC16('+'));
        vec16 first = (x >= VEC16('0')) & (x <= VEC16('9'));
        first |= (x == VEC16('b')) | (x == VEC16('B')) | (x == VEC16('A')) | (x == VEC16('s')) | (x == VEC16('r')) |
                 (x == VEC16('g')) | (x == VEC16('x')) | (x == VEC16('e'));
        unsigned at = vec16_bits(any | (first & ~alnum16(prev)));
        while (at) {
            size_t i = base + (size_t)__builtin_ctz(at);
            at &= at - 1;
            /* a letter starts a recogniser only before one of its second bytes (scan_at would
             * refuse it otherwise, the last byte included) */
            unsigned char c = (unsigned char)s[i], b = i + 1 < n ? (unsigned char)s[i + 1] : 0;
            int letter = (unsigned char)((c | 0x20) - 'a') < 26;
            if (i >= skip && (!letter || (letter_pair[c][b >> 6] >> (b & 63) & 1)))
                found = scan_at(s, n, i, found, &skip);
        }
    }
    return found;
}

unsigned sensitive_by_name(const char *name)
{
    static const char *const keys[] = {"apikey", "api_key", "api-key", "x-api-key", "access_token",
                                       "access-token", "client_secret", "secret_key", "private_key"};
    int first = tolower((unsigned char)name[0]);         /* the keys are lower case */
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (first == keys[i][0] && strcasecmp(name, keys[i]) == 0) return SENSITIVE_APIKEY;
    return 0;
}
