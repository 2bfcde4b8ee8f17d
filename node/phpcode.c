/* phpcode.c -- finds calls of the PHP functions an injection uses and reads whether each stands
 * as a statement of its own: what opens it, what ends it and whether its arguments are code. */
#include <stdlib.h>
#include <string.h>
#include "phpcode.h"

/* Bounds that keep a value's cost linear: how far a call's parentheses, a superglobal's index or
 * a comment may reach, and how many of those one value may have read. */
#define SPAN_MAX   4096
#define READS_MAX  256     /* at most about a million steps a value */

typedef struct function { const char *name; int strong; } function;

/* Sorted by name, for bsearch. Strong: no use in ordinary text. Weak: also a word of prose. */
static const function functions[] = {
    {"assert", 1}, {"base64_decode", 1}, {"call_user_func", 1}, {"call_user_func_array", 1},
    {"chr", 0}, {"create_function", 1}, {"die", 0}, {"eval", 1}, {"exec", 1}, {"exit", 0},
    {"file_get_contents", 1}, {"file_put_contents", 1}, {"fputs", 1}, {"fwrite", 1},
    {"get_defined_constants", 1}, {"get_defined_vars", 1}, {"getcwd", 1}, {"getenv", 1},
    {"gzinflate", 1}, {"gzuncompress", 1}, {"highlight_file", 1}, {"ini_set", 1}, {"md5", 0},
    {"passthru", 1}, {"pcntl_exec", 1}, {"php_uname", 1}, {"phpinfo", 1}, {"phpversion", 1},
    {"popen", 1}, {"preg_replace", 1}, {"print", 0}, {"print_r", 1}, {"printf", 0},
    {"proc_open", 1}, {"readfile", 1}, {"scandir", 1}, {"sha1", 0}, {"shell_exec", 1},
    {"show_source", 1}, {"sleep", 0}, {"str_rot13", 1}, {"strrev", 0}, {"system", 1},
    {"usleep", 0}, {"var_dump", 1}, {"var_export", 1},
};

static const char *const superglobals[] = {
    "_GET", "_POST", "_REQUEST", "_COOKIE", "_SERVER", "_FILES", "_ENV", "GLOBALS",
};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_name(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static int cmp_fn(const void *k, const void *e) { return strcmp(k, ((const function *)e)->name); }

/* Skips blanks and comment blocks forward from i; returns the new index. */
static size_t skip_fwd(const char *s, size_t n, size_t i)
{
    while (i < n) {
        if (is_blank((unsigned char)s[i])) { i++; continue; }
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < n && k < i + SPAN_MAX; k++)
                if (s[k] == '*' && s[k + 1] == '/') { e = s + k; break; }
            if (!e) return n;
            i = (size_t)(e - s) + 2;
            continue;
        }
        break;
    }
    return i;
}

/* The index of the ')' that closes the '(' at i, or n when none does within SPAN_MAX. */
static size_t close_paren(const char *s, size_t n, size_t i)
{
    int depth = 0;
    size_t end = n > i + SPAN_MAX ? i + SPAN_MAX : n;
    for (size_t k = i; k < end; k++) {
        char c = s[k];
        if (c == '\'' || c == '"') {
            size_t q = k + 1;
            while (q < end && s[q] != c) q += s[q] == '\\' ? 2 : 1;
            if (q >= end) return n;
            k = q;
        } else if (c == '(') {
            depth++;
        } else if (c == ')' && --depth == 0) {
            return k;
        }
    }
    return n;
}

/* Whether the arguments s[a..b) read as code: none, a string, a variable, a number, a call. */
static int code_args(const char *s, size_t a, size_t b)
{
    size_t k = skip_fwd(s, b, a);
    if (k >= b) return 1;
    int digits = 1;
    for (size_t i = k; i < b; i++) {
        char c = s[i];
        if (c == '\'' || c == '"' || c == '$' || c == '(') return 1;
        if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '+' || c == '*' || is_blank((unsigned char)c))) digits = 0;
    }
    return digits;
}

/* Whether the call ending before s[i] ends a statement. */
static int ends_statement(const char *s, size_t n, size_t i)
{
    i = skip_fwd(s, n, i);
    if (i >= n) return 1;
    char c = s[i], d = i + 1 < n ? s[i + 1] : 0;
    if (c == ';' || c == ')' || c == '}' || c == '#') return 1;
    if (c == '?' && d == '>') return 1;
    if (c == '/' && d == '/') return 1;
    if (c == '.') {                         /* '.phpinfo().' joins the strings around it */
        size_t j = skip_fwd(s, n, i + 1);
        return j >= n || s[j] == '\'' || s[j] == '"' || s[j] == '$';
    }
    return 0;
}

/* Whether the name starting at s[i] opens a statement. */
static int opens_statement(const char *s, size_t i)
{
    while (i > 0 && is_blank((unsigned char)s[i - 1])) i--;
    if (i == 0) return 1;
    char c = s[i - 1];
    if (strchr(";{}(,.=@'\"", c)) return 1;
    if (c == '>' && i >= 2 && s[i - 2] == '?') return 1;                    /* ?> */
    if (i >= 5 && strncmp(s + i - 5, "<?php", 5) == 0) return 1;
    return 0;
}

int phpcode_detect(const char *in, size_t n, phpcode_info *info)
{
    phpcode_info I;
    memset(&I, 0, sizeof I);
    int hit = 0, reads = 0;
    for (size_t i = 0; i < n && !hit && reads < READS_MAX; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '$') {
            /* $_GET[0]($_POST[1]): a request's own value called as a function */
            for (size_t g = 0; g < sizeof superglobals / sizeof *superglobals; g++) {
                size_t m = strlen(superglobals[g]);
                if (i + 1 + m >= n || strncmp(in + i + 1, superglobals[g], m) != 0 || in[i + 1 + m] != '[') continue;
                size_t k = i + 1 + m;
                reads++;
                while (k < n && k < i + SPAN_MAX && in[k] != ']') k++;
                if (k >= n || in[k] != ']') continue;
                k = skip_fwd(in, n, k + 1);
                if (k < n && in[k] == '(') { hit = 1; memcpy(I.function, "$", 2); }
            }
            continue;
        }
        if (!is_name(c) || (c >= '0' && c <= '9') || (i > 0 && (is_name((unsigned char)in[i - 1]) || in[i - 1] == '$')))
            continue;
        size_t e = i;
        while (e < n && is_name((unsigned char)in[e])) e++;
        if (e - i > 23) { i = e; continue; }
        char name[24];
        for (size_t k = i; k < e; k++) name[k - i] = (char)lower((unsigned char)in[k]);
        name[e - i] = '\0';
        const function *f = bsearch(name, functions, sizeof functions / sizeof *functions, sizeof *functions, cmp_fn);
        if (!f) { i = e - 1; continue; }
        reads++;
        size_t p = skip_fwd(in, n, e);
        if (p >= n || in[p] != '(') { i = e - 1; continue; }
        size_t q = close_paren(in, n, p);
        if (q >= n) { i = e - 1; continue; }
        I.calls++;
        int args = code_args(in, p + 1, q), opens = opens_statement(in, i), ends = ends_statement(in, n, q + 1);
        if (args && (f->strong ? (opens || ends) : (opens && ends))) {
            hit = 1;
            memcpy(I.function, name, sizeof I.function);
        }
        i = e - 1;
    }
    if (info) *info = I;
    return hit;
}
