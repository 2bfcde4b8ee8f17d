/* sensitive.c -- sensitive-data recognisers (see sensitive.h).
 * Hand-written scanners in one pass over the value, gated per byte; no match is ever copied out. */
#include "sensitive.h"
#include <ctype.h>
#include <string.h>
#include <strings.h>

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

/* Well-known key prefixes and the least length of what follows. */
static const struct { const char *prefix; size_t len, min; } key_prefixes[] = {
    {"AKIA", 4, 16}, {"ASIA", 4, 16}, {"sk_live_", 8, 16}, {"sk_test_", 8, 16}, {"rk_live_", 8, 16},
    {"ghp_", 4, 30}, {"gho_", 4, 30}, {"github_pat_", 11, 30}, {"xoxb-", 5, 20}, {"xoxp-", 5, 20},
    {"AIza", 4, 30}, {"glpat-", 6, 20},
};

static int apikey_at(const char *s, size_t n, size_t i)
{
    if (i > 0 && isalnum((unsigned char)s[i - 1])) return 0;
    for (size_t k = 0; k < sizeof key_prefixes / sizeof key_prefixes[0]; k++) {
        size_t pl = key_prefixes[k].len;
        if (n - i > pl && s[i] == key_prefixes[k].prefix[0] && s[i + 1] == key_prefixes[k].prefix[1] &&
            memcmp(s + i, key_prefixes[k].prefix, pl) == 0 &&
            token_len(s + i + pl, n - i - pl, "_-") >= key_prefixes[k].min) return 1;
    }
    /* a JWT: three base64url parts, the first a JSON header ("eyJ") */
    if (n - i > 20 && memcmp(s + i, "eyJ", 3) == 0) {
        size_t a = token_len(s + i, n - i, "_-");
        if (i + a < n && s[i + a] == '.') {
            size_t b = token_len(s + i + a + 1, n - i - a - 1, "_-");
            if (b >= 4 && i + a + 1 + b < n && s[i + a + 1 + b] == '.') return 1;
        }
    }
    return 0;
}

/* isalnum in the C locale, which the node runs in, as a table (standard C: no range designators). */
#define AN_(c) ((c) >= '0' && (c) <= '9') || ((c) >= 'A' && (c) <= 'Z') || ((c) >= 'a' && (c) <= 'z')
#define AN4_(c) AN_(c), AN_((c) + 1), AN_((c) + 2), AN_((c) + 3)
#define AN16_(c) AN4_(c), AN4_((c) + 4), AN4_((c) + 8), AN4_((c) + 12)
#define AN64_(c) AN16_(c), AN16_((c) + 16), AN16_((c) + 32), AN16_((c) + 48)
static const unsigned char alnum_tab[256] = {AN64_(0), AN64_(64), AN64_(128), AN64_(192)};
#define ascii_alnum(c) alnum_tab[(unsigned char)(c)]

unsigned sensitive_scan(const char *s, size_t n)
{
    /* The bytes a recogniser can start at: '@' and "%40" (e-mail) and '+' (phones) anywhere (1);
     * digits (cards), 'b'/'B' (bearer) and the first letters of key_prefixes and of a JWT's "eyJ"
     * only where a word begins (2), since each of those recognisers refuses a letter or digit
     * before it. Every other byte is passed over with one table look-up. */
    static const unsigned char starts[256] = {
        ['@'] = 1, ['%'] = 1, ['+'] = 1, ['b'] = 2, ['B'] = 2, ['A'] = 2, ['s'] = 2, ['r'] = 2,
        ['g'] = 2, ['x'] = 2, ['e'] = 2, ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
        ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    };
    unsigned found = 0;
    for (size_t i = 0; i < n && found != SENSITIVE_ALL; i++) {
        while (i < n && !starts[(unsigned char)s[i]]) i++;
        if (i == n) break;
        unsigned char c = (unsigned char)s[i];
        if (starts[c] == 2 && i > 0 && ascii_alnum((unsigned char)s[i - 1])) {
            /* inside a word: so is the rest of it, where only non-alnum bytes ('@', '%', '+') could start */
            while (i + 1 < n && ascii_alnum((unsigned char)s[i + 1])) i++;
            continue;
        }
        if (c == '@' && !(found & SENSITIVE_EMAIL) && email_at(s, n, i, 1)) found |= SENSITIVE_EMAIL;
        else if (c == '%' && i + 2 < n && s[i + 1] == '4' && s[i + 2] == '0' && email_at(s, n, i, 3))
            found |= SENSITIVE_EMAIL;
        else if (isdigit(c) && !(found & SENSITIVE_CARD) && (i == 0 || !isalnum((unsigned char)s[i - 1]))) {
            size_t end;
            if (card_at(s, n, i, &end)) found |= SENSITIVE_CARD;
            else if (end > i + 1) i = end - 1;                        /* skip the digit run */
        } else if (c == '+' && !(found & SENSITIVE_PHONE) && phone_at(s, n, i)) found |= SENSITIVE_PHONE;
        else if ((c == 'b' || c == 'B') && n - i > 7 && strncasecmp(s + i, "bearer ", 7) == 0 &&
                 (i == 0 || !isalnum((unsigned char)s[i - 1])) && token_len(s + i + 7, n - i - 7, "-._~+/=") >= 16)
            found |= SENSITIVE_BEARER;
        else if (!(found & SENSITIVE_APIKEY) && isalpha(c) && apikey_at(s, n, i)) found |= SENSITIVE_APIKEY;
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
