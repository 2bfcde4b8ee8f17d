/* exprlang.c -- resolves Log4j lookups the way Log4j does and reads OGNL, SpEL and EL expressions
 * for the constructs that reach the Java runtime (type references, static calls, reflection). */
#define _GNU_SOURCE   /* memmem */
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include "exprlang.h"

#define DEPTH_MAX 64    /* nested lookups or expressions tracked; deeper ones are read as text */

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_ident(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'; }
static int is_ident_start(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$'; }
static int is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Whether s[0..n) starts with the lower-case word w, case-insensitively. */
static int starts_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++)
        if (lower((unsigned char)s[i]) != w[i]) return 0;
    return 1;
}

static void found(exprlang_info *info, const char *kind)
{
    if (info && !info->kind[0]) {
        strncpy(info->kind, kind, sizeof info->kind - 1);
        info->kind[sizeof info->kind - 1] = '\0';
    }
}

/* ---- Log4j lookups ---- */

/* The value of one lookup whose body b[0..n) has its inner lookups already replaced, written over
 * b itself (a value is never longer than its body); returns its length. */
static size_t lookup_value(char *b, size_t n)
{
    if (starts_ci(b, n, "lower:") || starts_ci(b, n, "upper:")) {
        size_t o = 0;
        for (size_t i = 6; i < n; i++) {
            unsigned char c = (unsigned char)b[i];
            /* U+0131 (dotless i) and U+017F (long s) upper-case to I and S in Java. */
            if (i + 1 < n && c == 0xC4 && (unsigned char)b[i + 1] == 0xB1) { b[o++] = 'i'; i++; }
            else if (i + 1 < n && c == 0xC5 && (unsigned char)b[i + 1] == 0xBF) { b[o++] = 's'; i++; }
            else b[o++] = (char)c;
        }
        return o;
    }
    if (starts_ci(b, n, "date:")) {     /* a date pattern: its quoted literals are printed as is */
        size_t o = 0;
        int quoted = 0;
        for (size_t i = 5; i < n; i++) {
            if (b[i] == '\'') quoted = !quoted;
            else if (quoted) b[o++] = b[i];
        }
        return o;
    }
    if (starts_ci(b, n, "jndi:")) return n;     /* kept whole: the caller has seen it already */
    for (size_t i = 0; i + 1 < n; i++)
        if (b[i] == ':' && b[i + 1] == '-') {   /* ${key:-default}: the key is not known here */
            memmove(b, b + i + 2, n - i - 2);
            return n - i - 2;
        }
    return 0;
}

/* A JNDI name with a scheme in s[0..n) (jndi:ldap:, jndi: rmi:). */
static int jndi_name(const char *s, size_t n)
{
    static const char *const schemes[] = {"ldaps", "ldap", "rmi", "dns", "iiopname", "iiop", "corbaname",
                                          "corba", "nds", "nis", "http", "https"};
    for (size_t i = 0; i + 5 < n; i++) {
        if (lower((unsigned char)s[i]) != 'j' || !starts_ci(s + i, n - i, "jndi")) continue;
        size_t k = i + 4;
        while (k < n && is_space((unsigned char)s[k])) k++;
        if (k >= n || s[k] != ':') continue;
        k++;
        while (k < n && is_space((unsigned char)s[k])) k++;
        for (size_t j = 0; j < sizeof schemes / sizeof schemes[0]; j++) {
            size_t m = strlen(schemes[j]);
            if (starts_ci(s + k, n - k, schemes[j]) && k + m < n && s[k + m] == ':') return 1;
        }
    }
    return 0;
}

/* Copies in to out resolving every closed ${...}, innermost first; returns 1 when a lookup's body
 * is a jndi: lookup or the result holds a JNDI name. */
static int resolve_lookups(const char *in, size_t n, char *out, exprlang_info *info)
{
    size_t start[DEPTH_MAX], o = 0;
    int depth = 0, hit = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i] == '$' && i + 2 < n && in[i + 1] == '$' && in[i + 2] == '{') {   /* $${ is an escaped ${ */
            out[o++] = '$';
            i++;
            continue;
        }
        if (in[i] == '$' && i + 1 < n && in[i + 1] == '{' && depth < DEPTH_MAX) {
            start[depth++] = o;
            i++;
            continue;
        }
        if (in[i] == '}' && depth > 0) {
            size_t s = start[--depth], len = o - s;
            if (info) info->lookups++;
            if (starts_ci(out + s, len, "jndi:") && len > 5) hit = 1;
            o = s + lookup_value(out + s, len);
            continue;
        }
        out[o++] = in[i];
    }
    out[o] = '\0';
    return hit || jndi_name(out, o);
}

/* ---- OGNL, SpEL, EL ---- */

/* Reads a dotted Java name at s[i] (spaces allowed around the dots); returns its end, or i when
 * none. *dots: the dots read; *upper: whether the last part starts with a capital. */
static size_t java_name(const char *s, size_t n, size_t i, int *dots, int *upper, size_t *last)
{
    size_t k = i;
    *dots = 0;
    *upper = 0;
    for (;;) {
        if (k >= n || !is_ident_start((unsigned char)s[k])) return i;   /* only on the first part */
        *last = k;
        *upper = s[k] >= 'A' && s[k] <= 'Z';
        while (k < n && is_ident((unsigned char)s[k])) k++;
        size_t j = k;
        while (j < n && is_space((unsigned char)s[j])) j++;
        if (j < n && s[j] == '.' && j + 1 < n) {
            size_t m = j + 1;
            while (m < n && is_space((unsigned char)s[m])) m++;
            if (m < n && is_ident_start((unsigned char)s[m])) { (*dots)++; k = m; continue; }
        }
        return k;
    }
}

/* Whether the identifier s[a..b) is one of words (a NULL-ended list). */
static int word_in(const char *s, size_t a, size_t b, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == b - a && memcmp(s + a, *words, b - a) == 0) return 1;
    return 0;
}

/* java.lang classes that run code or load classes; a SpEL T() may name them without a package. */
static const char *const runners[] = {"Runtime", "ProcessBuilder", "System", "Class", "Thread",
                                      "ClassLoader", "Character", "ScriptEngineManager", "ProcessImpl",
                                      "UNIXProcess", "InitialContext", NULL};
/* Methods of the reflection, class-loading, scripting, JNDI and process API. */
static const char *const reflect[] = {"forName", "getMethod", "getMethods", "getDeclaredMethod",
                                      "getDeclaredMethods", "getDeclaredField", "getDeclaredFields",
                                      "getDeclaredConstructor", "getDeclaredConstructors", "getConstructor",
                                      "getConstructors", "newInstance", "getClassLoader", "loadClass",
                                      "defineClass", "invoke", "getRuntime", "getEngineByName",
                                      "getEngineByExtension", "setAccessible", "currentThread",
                                      "getContextClassLoader", NULL};
static const char *const ognl_ctx[] = {"_memberAccess", "context", "request", "session", "application",
                                       "parameters", "attr", NULL};

/* The gadgets that are attacks wherever they stand; i is at s[i] of the value. */
static const char *gadget_anywhere(const char *s, size_t n, size_t i)
{
    int dots, upper;
    size_t last = 0, e;
    char c = s[i];
    if (c == 'T' && (i == 0 || !is_ident((unsigned char)s[i - 1]))) {      /* T(java.lang.Runtime) */
        size_t k = i + 1;
        while (k < n && is_space((unsigned char)s[k])) k++;
        if (k < n && s[k] == '(') {
            k++;
            while (k < n && is_space((unsigned char)s[k])) k++;
            e = java_name(s, n, k, &dots, &upper, &last);
            size_t j = e;
            while (j < n && is_space((unsigned char)s[j])) j++;
            if (e > k && upper && j < n && s[j] == ')' && (dots || word_in(s, last, e, runners))) return "spel-type";
        }
    }
    if (c == '@' && i + 1 < n) {                                            /* @java.lang.Runtime@getRuntime */
        e = java_name(s, n, i + 1, &dots, &upper, &last);
        if (e > i + 1 && dots && upper && e + 1 < n && s[e] == '@' && is_ident_start((unsigned char)s[e + 1])) {
            /* the member is called, or is a constant (DEFAULT_MEMBER_ACCESS): not a mail address */
            size_t m = e + 1, caps = 1;
            for (; m < n && is_ident((unsigned char)s[m]); m++)
                caps &= (s[m] >= 'A' && s[m] <= 'Z') || s[m] == '_' || (s[m] >= '0' && s[m] <= '9');
            while (m < n && is_space((unsigned char)s[m])) m++;
            if ((m < n && s[m] == '(') || (caps && m - e > 2)) return "ognl-static";
        }
    }
    if (c == '#' && i + 1 < n && is_ident_start((unsigned char)s[i + 1])) {  /* #context['...'] */
        e = i + 1;
        while (e < n && is_ident((unsigned char)s[e])) e++;
        if (word_in(s, i + 1, e, ognl_ctx)) {
            if (e - i - 1 == 13) return "ognl-context";                     /* _memberAccess */
            size_t k = e;
            while (k < n && is_space((unsigned char)s[k])) k++;
            if (k + 1 < n && s[k] == '[' && (s[k + 1] == '\'' || s[k + 1] == '"')) return "ognl-context";
            if (k < n && s[k] == '.' && (starts_ci(s + k, n - k, ".get(") || starts_ci(s + k, n - k, ".put(") ||
                                        starts_ci(s + k, n - k, ".setmemberaccess(")))
                return "ognl-context";
        }
    }
    return NULL;
}

/* The gadgets that are attacks inside an expression; i is at an identifier's start. */
static const char *gadget_inside(const char *s, size_t n, size_t i)
{
    size_t e = i;
    while (e < n && is_ident((unsigned char)s[e])) e++;
    size_t k = e;
    while (k < n && is_space((unsigned char)s[k])) k++;
    if (e - i == 3 && memcmp(s + i, "new", 3) == 0) {                       /* new java.lang.ProcessBuilder( */
        int dots, upper;
        size_t last = 0, f = java_name(s, n, k, &dots, &upper, &last), j = f;
        while (j < n && is_space((unsigned char)s[j])) j++;
        if (f > k && upper && (dots >= 2 || word_in(s, last, f, runners)) && j < n && (s[j] == '(' || s[j] == '['))
            return "el-new";
        return NULL;
    }
    if (word_in(s, i, e, runners) && (k >= n || s[k] == '.' || s[k] == '(' || s[k] == ')' || s[k] == '@'))
        return "el-reflect";
    if (k < n && s[k] == '(' && word_in(s, i, e, reflect)) return "el-reflect";
    if (k < n && s[k] == '(' && e - i == 4 && memcmp(s + i, "exec", 4) == 0 && i > 0 && s[i - 1] == '.')
        return "el-reflect";
    return NULL;
}

/* Expression openers: ${ #{ %{ *{ @{ ~{ {{ <% and OGNL's (#. Returns the opener's length. */
static size_t opener(const char *s, size_t n, size_t i)
{
    if (i + 1 >= n) return 0;
    char a = s[i], b = s[i + 1];
    if (b == '{' && (a == '$' || a == '#' || a == '%' || a == '*' || a == '@' || a == '~' || a == '{')) return 2;
    if ((a == '<' && b == '%') || (a == '(' && b == '#')) return 2;
    return 0;
}

/* Whether s[i..n) opens the name of a JSP element that holds Java code: scriptlet, expression or
 * declaration (the XML syntax of <% %>, <%= %> and <%! %>) under the jsp prefix, or under any
 * prefix in a value that names the JSP namespace: a JSP document may bind it to any prefix
 * (xmlns:x="http://java.sun.com/JSP/Page" ... <x:scriptlet>). */
static int jsp_element(const char *s, size_t n, size_t i)
{
    static const char *const names[] = {"scriptlet", "expression", "declaration", NULL};
    size_t j = i;
    while (j < n && j - i < 64 && (is_ident((unsigned char)s[j]) || s[j] == '-' || s[j] == '.')) j++;
    if (j == i || j >= n || s[j] != ':') return 0;
    j++;
    for (const char *const *w = names; *w; w++) {
        size_t k = strlen(*w);
        if (starts_ci(s + j, n - j, *w) && (j + k >= n || !is_ident((unsigned char)s[j + k])))
            return (j - i == 4 && starts_ci(s + i, 4, "jsp:")) || memmem(s, n, "java.sun.com/JSP/Page", 21) != NULL;
    }
    return 0;
}

static const char *read_expressions(const char *s, size_t n)
{
    char stack[DEPTH_MAX];     /* per open bracket: 'e' an expression's, 'p' a plain one */
    int depth = 0, inside = 0, over = 0, jsp = 0;
    for (size_t i = 0; i < n; i++) {
        const char *g = gadget_anywhere(s, n, i);
        if (g) return g;
        size_t k = opener(s, n, i);
        if (k) {
            if (s[i] == '{' && depth < DEPTH_MAX) stack[depth++] = 'p';   /* {{ closes with two */
            else if (s[i] == '{') over++;
            if (depth < DEPTH_MAX) { stack[depth++] = 'e'; inside++; }
            else over++;
            if (s[i] != '(') i += k - 1;      /* the # of (# may start a context object */
            continue;
        }
        if (s[i] == '<' && i + 5 < n && s[i + 1] != '/' && jsp_element(s, n, i + 1)) {   /* <jsp:scriptlet> */
            jsp++;
            inside++;
            continue;
        }
        if (s[i] == '<' && jsp && i + 6 < n && s[i + 1] == '/' && jsp_element(s, n, i + 2)) {
            jsp--;
            inside--;
            continue;
        }
        char c = s[i];
        if (c == '{' || c == '(') {
            if (depth < DEPTH_MAX) stack[depth++] = 'p';
            else over++;
        } else if ((c == '}' || c == ')' || (c == '%' && i + 1 < n && s[i + 1] == '>')) && (over || depth)) {
            if (over) over--;
            else if (stack[--depth] == 'e') inside--;
        } else if (inside && is_ident_start((unsigned char)c) && (i == 0 || !is_ident((unsigned char)s[i - 1]))) {
            if ((g = gadget_inside(s, n, i))) return g;
        }
    }
    return NULL;
}

/* Whether a value can hold a lookup or a JNDI name at all: "${" or "jndi" somewhere. Most values
 * have neither, and then the copy is not made. */
static int may_hold_jndi(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '$' && s[i + 1] == '{') return 1;
        if ((s[i] | 0x20) == 'j' && i + 3 < n && starts_ci(s + i, n - i, "jndi")) return 1;
    }
    return 0;
}

int exprlang_jndi(const char *in, size_t n, char *scratch, exprlang_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    if (!may_hold_jndi(in, n)) { scratch[0] = '\0'; return 0; }
    if (!resolve_lookups(in, n, scratch, info)) return 0;
    found(info, "jndi");
    return 1;
}

/* Whether a value has a byte a finding starts with: an opener, T( , @ or #. Most values have none. */
static int may_hold_expression(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '@' || c == '#' || opener(s, n, i) || (c == '<' && jsp_element(s, n, i + 1))) return 1;
        if (c == 'T') {
            size_t k = i + 1;
            while (k < n && is_space((unsigned char)s[k])) k++;
            if (k < n && s[k] == '(') return 1;
        }
    }
    return 0;
}

int exprlang_detect(const char *in, size_t n, exprlang_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    if (!may_hold_expression(in, n)) return 0;
    const char *g = read_expressions(in, n);
    if (g) { found(info, g); return 1; }
    return 0;
}

/* ---- Java class names carried in base64 ---- */

/* The names as they survive decoding from any byte offset: realigning on a 4-character group
 * loses at most the name's first two bytes, so each is its tail without them. Gadget-chain
 * classes (commons-collections functors and factories, xalan's TemplatesImpl, JdbcRowSetImpl, the
 * invocation handlers of dynamic proxies), ProcessBuilder and java.lang.Runtime qualified. */
static const char *const b64_names[] = {
    "ocessbuilder", "okertransformer", "tiatetransformer", "onetransformer", "inedtransformer",
    "tanttransformer", "rclosure", "ileclosure", "otypeclonefactory", "otypeserializationfactory",
    "tiatefactory", "mplatesimpl", "bcrowsetimpl", "invocationhandler", "lang.runtime",
    "lang/runtime", NULL};

/* A base64 character's value plus one (standard and URL-safe alphabets), or 0. */
static const unsigned char b64_val1[256] = {
    ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7, ['H'] = 8, ['I'] = 9,
    ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
    ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25,
    ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33,
    ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
    ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
    ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
    ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['-'] = 63, ['/'] = 64,
    ['_'] = 64,
};

/* Decodes s[0..n) (base64 characters only) in groups of four, a partial last group giving its
 * whole bytes, into out, lower-cased when fold; returns the length. */
static size_t b64_decode(const char *s, size_t n, unsigned char *out, int fold)
{
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 6) | (unsigned)(b64_val1[(unsigned char)s[i]] - 1);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char c = (unsigned char)(acc >> bits);
            out[o++] = fold ? (unsigned char)lower(c) : c;
        }
    }
    return o;
}

/* The Java serialization stream header AC ED 00 05 as base64 at each of the three byte offsets:
 * rO0AB, then [Kaq6]ztAA[UVWX] and s7QAF (the characters around depend on the bytes around). */
static int b64_stream_header(const char *s, size_t n)
{
    for (size_t i = 0; i + 5 <= n; i++) {
        if (s[i] == 'r' && memcmp(s + i, "rO0AB", 5) == 0) return 1;
        if (s[i] == 's' && memcmp(s + i, "s7QAF", 5) == 0) return 1;
        if (s[i] == 'z' && i > 0 && i + 5 <= n && memcmp(s + i, "ztAA", 4) == 0 && strchr("Kaq6", s[i - 1]) &&
            s[i + 4] >= 'U' && s[i + 4] <= 'X') return 1;
    }
    return 0;
}

/* What the three bytes at b open: 1 a gzip stream (1F 8B, deflate), 2 a zlib stream (78 xx with the
 * header's check bits right), 0 neither. */
static int compressed_kind(const unsigned char *b)
{
    if (b[0] == 0x1f && b[1] == 0x8b && b[2] == 8) return 1;
    return b[0] == 0x78 && ((b[0] << 8) | b[1]) % 31 == 0 ? 2 : 0;
}

#define INFLATE_MAX 8192    /* bytes of a compressed stream read: the stream header and the first
                             * class descriptors, where a gadget chain names its classes */

/* A gzip (1F 8B 08) or zlib (78 xx, the header's check bits right) stream in b[0..n) whose first
 * INFLATE_MAX inflated bytes open with the serialization header or name a gadget class: what
 * GZIPOutputStream around ObjectOutputStream writes (JSF's view state, payloads sent compressed).
 * Returns the finding or NULL. */
static const char *inflated_java(const unsigned char *b, size_t n)
{
    int kind = n >= 3 ? compressed_kind(b) : 0;
    int gzip = kind == 1 && n >= 10, zlib = kind == 2 && n >= 6;
    if (!gzip && !zlib) return NULL;
    unsigned char out[INFLATE_MAX];
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, gzip ? 16 + MAX_WBITS : MAX_WBITS) != Z_OK) return NULL;
    z.next_in = (unsigned char *)b;
    z.avail_in = n > UINT_MAX ? UINT_MAX : (unsigned)n;
    z.next_out = out;
    z.avail_out = sizeof out;
    int rc = inflate(&z, Z_SYNC_FLUSH);     /* one call: output is bounded by the buffer */
    /* GZIPInputStream reads a stream's members one after another, so an object may follow an
     * empty first member: so does this, while there is room (a member that fails ends it) */
    for (int m = 1; gzip && rc == Z_STREAM_END && m < 16 && z.avail_out && z.avail_in >= 10 &&
                    z.next_in[0] == 0x1f && z.next_in[1] == 0x8b && inflateReset(&z) == Z_OK; m++) {
        rc = inflate(&z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) rc = Z_OK;
    }
    size_t len = sizeof out - z.avail_out;
    inflateEnd(&z);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) return NULL;
    if (len >= 4 && out[0] == 0xAC && out[1] == 0xED && out[2] == 0x00 && out[3] == 0x05) return "base64-gzip-obj";
    for (size_t i = 0; i < len; i++) out[i] = (unsigned char)lower(out[i]);
    for (const char *const *w = b64_names; *w; w++) {
        size_t wl = strlen(*w);
        for (size_t p = 0; p + wl <= len; p++)
            if (out[p] == (unsigned char)(*w)[0] && memcmp(out + p, *w, wl) == 0) return "base64-gzip-cls";
    }
    return NULL;
}

/* The bytes a value for exprlang_base64_java may hold (bit c % 64 of word c / 64): the alphabet,
 * and the blanks and '=' it trims; read off b64_val1 and is_space once. */
static uint64_t b64_token_w[4];
static pthread_once_t b64_token_once = PTHREAD_ONCE_INIT;
static void b64_token_build(void)
{
    for (unsigned c = 0; c < 256; c++)
        if (b64_val1[c] || is_space((int)c) || c == '=') b64_token_w[c >> 6] |= 1ull << (c & 63);
}

int exprlang_base64_java_bytes(const uint64_t bytes[4])
{
    pthread_once(&b64_token_once, b64_token_build);
    if ((bytes[0] & ~b64_token_w[0]) | (bytes[1] & ~b64_token_w[1]) | (bytes[2] & ~b64_token_w[2]) |
        (bytes[3] & ~b64_token_w[3]))
        return 0;
    /* A..Z are bits 1..26 of word 1, a..z bits 33..58 */
    return (bytes[1] & 0x7fffffeull) && (bytes[1] & (0x7fffffeull << 32));
}

int exprlang_base64_java(const char *in, size_t n, char *scratch, exprlang_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    /* the value is one base64 token: blanks around it and '=' padding after it at most (the
     * decoder has cut parameters, JSON members, cookies and XML text into values) */
    while (n > 0 && is_space((unsigned char)in[0])) { in++; n--; }
    while (n > 0 && (is_space((unsigned char)in[n - 1]) || in[n - 1] == '=')) n--;
    if (n < 5) return 0;
    int up = 0, lo = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (!b64_val1[c]) return 0;
        up |= c >= 'A' && c <= 'Z';
        lo |= c >= 'a' && c <= 'z';
    }
    if (!up || !lo) return 0;                       /* base64 of anything has both cases */
    if (b64_stream_header(in, n)) { found(info, "base64-object"); return 1; }
    /* a compressed stream: gzip's header is H4sI, zlib's starts with e (0x78); read from the start
     * only, since a compressed stream cannot be entered anywhere else */
    unsigned char head[3];
    if ((in[0] == 'H' || in[0] == 'e') && n >= 8 && b64_decode(in, 4, head, 0) == 3 && compressed_kind(head)) {
        const char *g = inflated_java((unsigned char *)scratch, b64_decode(in, n, (unsigned char *)scratch, 0));
        if (g) { found(info, g); return 1; }
    }
    if (n < 11) return 0;                           /* shorter than the shortest name */
    for (size_t k = 0; k < 4; k++) {
        size_t len = b64_decode(in + k, n - k, (unsigned char *)scratch, 1);
        for (const char *const *w = b64_names; *w; w++) {
            size_t wl = strlen(*w);
            for (size_t p = 0; p + wl <= len; p++)
                if (scratch[p] == (*w)[0] && memcmp(scratch + p, *w, wl) == 0) {
                    found(info, "base64-class");
                    return 1;
                }
        }
    }
    return 0;
}

/* Whether s[0..n), from a '<' to the value's end, is the type parameters of a canonical type
 * name: names, ',', blanks, '?', '[]' and nested '<...>', the last '>' closing the first '<'. */
static int type_parameters(const char *s, size_t n)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<') {
            if (++depth > 32) return 0;
        } else if (c == '>') {
            if (--depth == 0) return i + 1 == n;
        } else if (!(is_ident(c) || c == '.' || c == ',' || c == '?' || c == '[' || c == ']' || is_space(c))) {
            return 0;
        }
    }
    return 0;
}

int exprlang_java_type_name(const char *in, size_t n, exprlang_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    while (n > 0 && is_space((unsigned char)in[0])) { in++; n--; }
    while (n > 0 && is_space((unsigned char)in[n - 1])) n--;
    while (n > 0 && in[0] == '[') { in++; n--; }     /* fastjson's array and descriptor forms */
    while (n > 0 && in[n - 1] == ';') n--;           /* it strips L...; again and again: LLa.B;; */
    /* Jackson's canonical id with type parameters (java.util.ArrayList<pkg.Class>): its
     * ClassNameIdResolver builds the type and then each parameter's class, so the name before
     * the '<' is read as a type name and what follows must be parameters */
    const char *lt = memchr(in, '<', n);
    if (lt) {
        if (!type_parameters(lt, n - (size_t)(lt - in))) return 0;
        n = (size_t)(lt - in);
        while (n > 0 && is_space((unsigned char)in[n - 1])) n--;
    }
    /* identifiers of [A-Za-z0-9_$] joined by dots, at least two */
    size_t dots = 0, seg = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (seg == 0) return 0;                          /* an empty segment: a..b, .a */
            dots++;
            seg = 0;
        } else if (c == '_' || c == '$' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
            if (seg == 0 && c >= '0' && c <= '9') return 0;  /* an identifier starts with no digit */
            seg++;
        } else {
            return 0;
        }
    }
    if (!dots || !seg) return 0;
    static const char *const tlds[] = {"com", "org", "net", "html", "htm", NULL};
    for (const char *const *t = tlds; *t; t++)
        if (seg == strlen(*t) && strncasecmp(in + n - seg, *t, seg) == 0) return 0;
    found(info, "type-name");
    return 1;
}

/* ---- Java code outside an expression ---- */

/* Whether s[i..n), just after a '(', is what a stack frame puts there: File.java:12, File.kt,
 * Native Method, Unknown Source, Compiled Code, <generated> (optionally :line), then ')'. */
static int frame_location(const char *s, size_t n, size_t i)
{
    static const char *const words[] = {"native method", "unknown source", "compiled code", "<generated>", NULL};
    for (const char *const *w = words; *w; w++)
        if (starts_ci(s + i, n - i, *w)) {
            size_t k = i + strlen(*w);
            if (k < n && s[k] == ':') for (k++; k < n && s[k] >= '0' && s[k] <= '9'; k++) {}
            return k < n && s[k] == ')';
        }
    size_t k = i;
    while (k < n && (is_ident((unsigned char)s[k]) || s[k] == '<' || s[k] == '>' || s[k] == '-')) k++;
    if (k == i || k >= n || s[k] != '.') return 0;
    size_t e = ++k;
    while (k < n && s[k] >= 'a' && s[k] <= 'z') k++;
    if (k == e) return 0;
    if (k < n && s[k] == ':') for (k++; k < n && s[k] >= '0' && s[k] <= '9'; k++) {}
    return k < n && s[k] == ')';
}

/* Whether s[i..n), just after a '(', is an empty argument list that prose puts after a method's
 * name: ')' then neither a member (.name, or . name( with blanks, which Java allows after the
 * dot), an index nor a ';' as code continues. */
static int named_in_prose(const char *s, size_t n, size_t i)
{
    while (i < n && is_space((unsigned char)s[i])) i++;
    if (i >= n || s[i] != ')') return 0;
    for (i++; i < n && is_space((unsigned char)s[i]); i++) {}
    if (i >= n) return 1;
    if (s[i] == ';' || s[i] == '[') return 0;
    if (s[i] != '.') return 1;
    if (i + 1 < n && is_ident_start((unsigned char)s[i + 1])) return 0;
    /* a sentence's end (instantiate(). The ...) or a call after blanks (currentThread(). getX()) */
    for (i++; i < n && is_space((unsigned char)s[i]); i++) {}
    if (i >= n || !is_ident_start((unsigned char)s[i])) return 1;
    while (i < n && is_ident((unsigned char)s[i])) i++;
    while (i < n && is_space((unsigned char)s[i])) i++;
    return !(i < n && s[i] == '(');
}

/* Whether s[i] opens a string literal: a double quote, or an apostrophe that is not inside a word
 * (don't opens none). */
static int opens_literal(const char *s, size_t i)
{
    return s[i] == '"' || (s[i] == '\'' && !(i > 0 && is_ident((unsigned char)s[i - 1])));
}

/* Whether s[0..n) holds three plain words in a row (letters only, blanks between, neither a
 * member nor a call: not after a dot or before one and a name, not before a parenthesis) outside string
 * literals: a sentence, which code seldom has (a declaration's "public static void" aside). */
static int holds_prose(const char *s, size_t n)
{
    int run = 0;
    char quote = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (quote) {
            if (c == '\\') i++;
            else if (c == (unsigned char)quote) quote = 0;
            i++;
            continue;
        }
        if (opens_literal(s, i)) {
            quote = (char)c;
            run = 0;
            i++;
            continue;
        }
        if (is_space(c)) { i++; continue; }
        if (!is_ident(c)) { run = 0; i++; continue; }
        size_t b = i, letters = 1;
        for (; i < n && is_ident((unsigned char)s[i]); i++)
            if (!((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z')) letters = 0;
        size_t e = i;
        while (e < n && is_space((unsigned char)s[e])) e++;
        int member = (b > 0 && s[b - 1] == '.') || (i + 1 < n && s[i] == '.' && is_ident_start((unsigned char)s[i + 1]));
        int plain = letters && !member && (e >= n || s[e] != '(');   /* a sentence's full stop is no member */
        if (!plain) { run = 0; continue; }
        /* only blanks between words of a run: a word glued to the previous one's punctuation starts anew */
        if (run && !(b > 0 && is_space((unsigned char)s[b - 1]))) run = 0;
        if (++run >= 3) return 1;
    }
    return 0;
}

/* The statement of s[0..n) that holds position at: the bytes between the separators around it, a
 * semicolon, a newline, a brace or a comment (a line or a block one; not the slashes of a URL)
 * outside string literals. Prose elsewhere is no context of the code: a script console runs
 * the code whatever words a comment, a branch never taken or a statement after it holds. */
static void statement_of(const char *s, size_t n, size_t at, size_t *lo, size_t *hi)
{
    char quote = 0;
    *lo = 0;
    *hi = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (quote) {
            if (c == '\\') i++;
            else if (c == (unsigned char)quote) quote = 0;
            continue;
        }
        if (opens_literal(s, i)) { quote = (char)c; continue; }
        size_t e = i;                       /* the separator is s[i..e] */
        if (c == '/' && i + 1 < n && s[i + 1] == '/' && !(i > 0 && s[i - 1] == ':'))
            while (e + 1 < n && s[e + 1] != '\n') e++;
        else if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            e = i + 2;
            while (e + 1 < n && !(s[e] == '*' && s[e + 1] == '/')) e++;
            e = e + 1 < n ? e + 1 : n - 1;
        } else if (!(c == ';' || c == '\n' || c == '{' || c == '}'))
            continue;
        if (e < at) *lo = e + 1;
        else if (i >= at) { *hi = i; return; }
        i = e;
    }
}

/* Whether the statement holding the code at position at holds prose (holds_prose) */
static int prose_around(const char *in, size_t n, size_t at)
{
    size_t lo, hi;
    statement_of(in, n, at, &lo, &hi);
    return holds_prose(in + lo, hi - lo);
}

int exprlang_java_code(const char *in, size_t n, exprlang_info *info)
{
    if (info) memset(info, 0, sizeof *info);
    if (!memchr(in, '(', n)) return 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_ident_start((unsigned char)in[i]) || (i > 0 && (is_ident((unsigned char)in[i - 1]) || in[i - 1] == '.')))
            continue;
        /* identifiers joined by dots, no blanks: pkg.pkg.Class or pkg.Class.member */
        size_t seg[64], nseg = 0, k = i;
        for (;;) {
            if (nseg < sizeof seg / sizeof seg[0]) seg[nseg] = k;
            nseg++;
            while (k < n && is_ident((unsigned char)in[k])) k++;
            if (k + 1 < n && in[k] == '.' && is_ident_start((unsigned char)in[k + 1])) { k++; continue; }
            break;
        }
        size_t end = k;
        while (k < n && is_space((unsigned char)in[k])) k++;
        if (nseg < 3 || nseg > sizeof seg / sizeof seg[0] || k >= n || in[k] != '(') { i = end; continue; }
        int last_upper = in[seg[nseg - 1]] >= 'A' && in[seg[nseg - 1]] <= 'Z';
        int class_upper = in[seg[nseg - 2]] >= 'A' && in[seg[nseg - 2]] <= 'Z';
        int pkg_lower = in[seg[0]] >= 'a' && in[seg[0]] <= 'z';
        /* new pkg.Class( : the word new before it */
        size_t b = i;
        while (b > 0 && is_space((unsigned char)in[b - 1])) b--;
        int is_new = b < i && b >= 3 && memcmp(in + b - 3, "new", 3) == 0 &&
                     (b == 3 || !is_ident((unsigned char)in[b - 4]));
        if (is_new && pkg_lower && last_upper) {
            found(info, "code-new");
            if (info) info->prose = prose_around(in, n, i);
            return 1;
        }
        /* pkg.Class.member( : a static call, unless what follows is a stack frame's location or
         * it is prose naming a method: empty parentheses not continued as code (see
         * java.beans.Beans.instantiate(). vs java.lang.Runtime.getRuntime().exec) */
        if (!is_new && pkg_lower && class_upper && !last_upper && !frame_location(in, n, k + 1) &&
            !named_in_prose(in, n, k + 1)) {
            found(info, "code-call");
            if (info) info->prose = prose_around(in, n, i);
            return 1;
        }
        i = end;
    }
    return 0;
}
