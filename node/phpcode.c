/* phpcode.c -- finds calls of the PHP functions an injection uses and reads whether each stands
 * as a statement of its own: what opens it, what ends it and whether its arguments are code. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "phpcode.h"

/* Bounds that keep a value's cost linear: how far a call's parentheses, a superglobal's index or
 * a comment may reach, and how many steps the scans of those may take in one value. Steps, not
 * reads: a read of a name that opens no bracket or comment costs a few steps, so 300 names of
 * the table in front of a payload (print print ... ';phpinfo();#) no longer leave it unread. */
#define SPAN_MAX   4096
#define STEPS_MAX  ((size_t)256 * SPAN_MAX)     /* about a million steps a value */

typedef struct function { const char *name; int strong; } function;

/* Sorted by name, for bsearch. Strong (1): no use in ordinary text. Weak (0): also a word of
 * prose. Inclusion (2): include and require, which JavaScript's require('x') shares, count only
 * with what an inclusion attack loads (remote_source). */
static const function functions[] = {
    {"assert", 1}, {"base64_decode", 1}, {"call_user_func", 1}, {"call_user_func_array", 1},
    {"chr", 0}, {"create_function", 1}, {"die", 0}, {"eval", 1}, {"exec", 1}, {"exit", 0},
    {"file_get_contents", 1}, {"file_put_contents", 1}, {"fputs", 1}, {"fwrite", 1},
    {"get_defined_constants", 1}, {"get_defined_vars", 1}, {"getcwd", 1}, {"getenv", 1},
    {"gzinflate", 1}, {"gzuncompress", 1}, {"highlight_file", 1}, {"include", 2}, {"include_once", 2},
    {"ini_set", 1}, {"md5", 0},
    {"passthru", 1}, {"pcntl_exec", 1}, {"php_uname", 1}, {"phpinfo", 1}, {"phpversion", 1},
    {"popen", 1}, {"preg_replace", 1}, {"print", 0}, {"print_r", 1}, {"printf", 0},
    {"proc_open", 1}, {"readfile", 1}, {"require", 2}, {"require_once", 2}, {"scandir", 1}, {"sha1", 0}, {"shell_exec", 1},
    {"show_source", 1}, {"sleep", 0}, {"str_rot13", 1}, {"strrev", 0}, {"system", 1},
    {"usleep", 0}, {"var_dump", 1}, {"var_export", 1},
};

static const char *const superglobals[] = {
    "_GET", "_POST", "_REQUEST", "_COOKIE", "_SERVER", "_FILES", "_ENV", "GLOBALS",
};

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_name(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* strcmp's order; the first bytes decide most probes without a call */
static int cmp_fn(const void *k, const void *e)
{
    const unsigned char *a = k, *b = (const unsigned char *)((const function *)e)->name;
    return a[0] != b[0] ? a[0] - b[0] : strcmp(k, ((const function *)e)->name);
}

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

/* A value's reading budget: the steps its scans took so far, and comment_close's last answer
 * (the first comment close at or after from is at at). */
typedef struct budget { size_t steps, from, at; } budget;

/* The index of the first comment close at or after k, or n. The answer rises with k, so one
 * answer serves every k up to it: print and a comment's opener repeated inside a comment that
 * closes far away search that close once, not once a word. */
static size_t comment_close(const char *s, size_t n, size_t k, budget *b)
{
    if (k >= b->from && k <= b->at) return b->at;
    size_t stop = k < b->from ? b->from : n, q = k;      /* up to from, the rest is known */
    while (q < stop && q + 1 < n && !(s[q] == '*' && s[q + 1] == '/')) q++;
    b->steps += q - k + 1;
    size_t at = q < stop && q + 1 < n ? q : q >= stop && stop < n ? b->at : n;
    b->from = k;
    b->at = at;
    return at;
}

/* skip_fwd for phpcode_detect: the same answer, its steps counted in *b and its comment closes
 * found through comment_close. */
static size_t skip_b(const char *s, size_t n, size_t i, budget *b)
{
    while (i < n) {
        b->steps++;                                      /* a blank, or a comment's opener */
        if (is_blank((unsigned char)s[i])) { i++; continue; }
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            size_t k = comment_close(s, n, i + 2, b);    /* which counts its own steps */
            if (k >= n || k >= i + SPAN_MAX) return n;
            i = k + 2;
            continue;
        }
        break;
    }
    return i;
}

/* What a scan from i that stopped at r (n when it found nothing) cost: the bytes it passed, or
 * as far as a bound let it reach (skip_fwd may pass closed comments before an open one). */
static size_t scan_cost(size_t n, size_t i, size_t r)
{
    if (r < n) return r - i + 1;
    return n - i < 2 * SPAN_MAX ? n - i : 2 * SPAN_MAX;
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
    if (b - k >= 5 && strncmp(s + k, "__", 2) == 0) {    /* a magic constant: __FILE__, __DIR__ */
        size_t e = k + 2;
        while (e < b && ((s[e] >= 'A' && s[e] <= 'Z') || s[e] == '_')) e++;
        if (e == b && s[e - 1] == '_' && s[e - 2] == '_') return 1;
    }
    int digits = 1;
    for (size_t i = k; i < b; i++) {
        char c = s[i];
        if (c == '\'' || c == '"' || c == '$' || c == '(') return 1;
        if (!((c >= '0' && c <= '9') || c == ',' || c == '.' || c == '+' || c == '*' || is_blank((unsigned char)c))) digits = 0;
    }
    return digits;
}

/* What the string literal at s[i] names that an inclusion attack loads: 2 for a URL or a stream
 * wrapper (http://, php://filter, data:), 1 for an absolute path or two steps up, which code
 * requires too (require('../../lib/x'), include('/var/www/config.php')) and which therefore
 * counts only after a break-out; 0 for a module of Node's own (node:fs) or of the script's
 * (../common). */
static int remote_source(const char *s, size_t n, size_t i)
{
    if (i + 2 >= n || (s[i] != '\'' && s[i] != '"')) return 0;
    size_t k = i + 1;
    if (s[k] == '/' || s[k] == '\\') return 1;
    if (k + 5 < n && strncmp(s + k, "../..", 5) == 0) return 1;     /* ../common is a module's own */
    while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z'))) k++;
    if (k + 2 < n && k > i + 2 && s[k] == ':' && s[k + 1] == '/' && s[k + 2] == '/') return 2;
    return k == i + 5 && strncmp(s + i + 1, "data:", 5) == 0 ? 2 : 0;   /* node:fs is Node's own */
}

/* Whether the call ending before s[i] ends a statement; counts its scans in *b. */
static int ends_statement(const char *s, size_t n, size_t i, budget *b)
{
    i = skip_b(s, n, i, b);
    if (i >= n) return 1;
    char c = s[i], d = i + 1 < n ? s[i + 1] : 0;
    if (c == ';' || c == ')' || c == '}' || c == '#') return 1;
    if (c == '?' && d == '>') return 1;
    if (c == '/' && d == '/') return 1;
    if (c == '.') {                         /* '.phpinfo().' joins the strings around it */
        size_t j = skip_b(s, n, i + 1, b);
        return j >= n || s[j] == '\'' || s[j] == '"' || s[j] == '$';
    }
    return 0;
}

/* The index just past the value's first ; or line break when what comes before it is data an
 * injection follows (1;system('id'), x')\nputs 1): nothing, or one token with a digit or ending
 * in a closing quote or a bracket it did not open; not a call (hash.update('one');), a Markdown
 * fence (```js) or a comment, whose next line is code shown, a list's number or a sentence's end
 * (1., Compare:), an HTML character reference (&#42; is no token and ;), and not a word
 * (l_tmp; Use 'x').
 * 0 when there is none. */
static size_t data_break(const char *in, size_t n, int lines)
{
    size_t k = 0;
    int digit = 0, opens = 0;
    for (; k < n && k < 64 && !is_blank((unsigned char)in[k]) && in[k] != ';'; k++) {
        digit |= in[k] >= '0' && in[k] <= '9';
        opens |= in[k] == '(' || in[k] == '[';
    }
    int data = k == 0 || (in[0] != '`' && in[0] != '#' && in[0] != '&' && !opens && !strchr(",.:!?", in[k - 1]) &&
                          (digit || strchr("'\")]", in[k - 1])));
    return k < n && k < 64 && data && (in[k] == ';' || (lines && (in[k] == '\n' || in[k] == '\r'))) ? k + 1 : 0;
}

/* Whether the name starting at s[i] opens a statement; line is where the first token after
 * data_break's answer starts (a line of data, then a line break: 1\nprint(7)), or n when there
 * is none. Found once a value, since a value may have many names after many blanks. */
static int opens_statement(const char *s, size_t i, size_t line)
{
    if (i == line) return 1;
    while (i > 0 && is_blank((unsigned char)s[i - 1])) i--;
    if (i == 0) return 1;
    char c = s[i - 1];
    if (strchr(";{}(,.=@'\"", c)) return 1;
    if (c == '>' && i >= 2 && s[i - 2] == '?') return 1;                    /* ?> */
    if (i >= 5 && strncmp(s + i - 5, "<?php", 5) == 0) return 1;
    if (i >= 3 && strncmp(s + i - 3, "<?=", 3) == 0) return 1;
    return 0;
}

/* The index of the value's first quote c that is not an apostrophe in a word (don't) nor escaped
 * (x\'y';echo 1; closes the string at its second quote), or n. */
static size_t first_quote(const char *s, size_t n, char c)
{
    for (const char *p = memchr(s, c, n); p; p = memchr(p + 1, c, n - (size_t)(p + 1 - s))) {
        size_t k = (size_t)(p - s), b = k;
        while (b > 0 && s[b - 1] == '\\') b--;
        if ((k - b) % 2) continue;
        if (!(k > 0 && k + 1 < n && is_name((unsigned char)s[k - 1]) && is_name((unsigned char)s[k + 1]))) return k;
    }
    return n;
}

/* Whether a break-out opens the statement at s[i]: a PHP tag (?>, <?php, <?=), or a ; after the
 * quote, the quote and bracket or the number the value closed or ended (';echo 1; ")die; 1;exit;).
 * The quote is the value's first one, the number its first token: a quote the value opened
 * itself (echo "Starting"; echo "Done";) and a number inside a line (result := 1; exit;) are
 * a script's own. first[] holds the indexes of the value's first ' and first ". */
static int opener_before(const char *s, size_t i, const size_t first[2])
{
    while (i > 0 && is_blank((unsigned char)s[i - 1])) i--;     /* ';\necho 1; */
    if ((i >= 2 && s[i - 1] == '>' && s[i - 2] == '?') || (i >= 5 && strncmp(s + i - 5, "<?php", 5) == 0) ||
        (i >= 3 && strncmp(s + i - 3, "<?=", 3) == 0))
        return 1;
    if (i < 2 || s[i - 1] != ';') return 0;
    size_t q = i - 2;
    if (s[q] == ')' && q > 0) q--;
    if (s[q] == '\'' || s[q] == '"') return first[s[q] == '"'] == q;
    if (q != i - 2) return 0;
    while (q > 0 && s[q - 1] >= '0' && s[q - 1] <= '9') q--;
    if (!(s[q] >= '0' && s[q] <= '9')) return 0;
    while (q > 0 && is_blank((unsigned char)s[q - 1])) q--;
    return q == 0;
}

/* PHP's language constructs that take their operand without parentheses: echo 1, print $x,
 * include 'http://...', die. The index past the operand (a literal, a variable or a call), or 0.
 * Counts what its scans cost in *bu: its operand may start with a comment or a string that
 * reaches 4 KB (';echo ' and a comment never closed, repeated). */
static size_t construct(const char *s, size_t n, const char *name, size_t e, budget *bu)
{
    static const char *const words[] = {"die", "echo", "exit", "include", "include_once", "print",
                                        "require", "require_once"};
    size_t w = 0;   /* first letters compared before strcmp: every word of a value comes here */
    while (w < sizeof words / sizeof *words && (words[w][0] != name[0] || strcmp(words[w], name) != 0)) w++;
    if (w == sizeof words / sizeof *words) return 0;
    size_t a = skip_b(s, n, e, bu);
    if (a < n && s[a] == '(') return 0;                  /* a call: the function reading's */
    if (name[0] == 'd' || name[1] == 'x')                  /* die; exit; */
        return a < n && s[a] == ';' ? e : 0;
    if (a == e || a >= n) return 0;
    char c = s[a];
    if (name[0] == 'i' || name[0] == 'r')                  /* include 'http://...' */
        if (!remote_source(s, n, a)) return 0;
    if (c == '\'' || c == '"' || c == '`') {
        for (size_t k = a + 1; k < n && k < a + SPAN_MAX; k++) {
            if (s[k] == '\\') { k++; continue; }
            if (s[k] == c) { bu->steps += k - a; return k + 1; }
        }
        bu->steps += scan_cost(n, a, n);
        return 0;
    }
    size_t k = a + (c == '$');
    while (k < n && is_name((unsigned char)s[k])) k++;
    if (k == a + (c == '$')) return 0;
    if (c == '$' || (s[a] >= '0' && s[a] <= '9')) return k;
    size_t b = skip_b(s, n, k, bu);
    if (b < n && s[b] == '(') {
        size_t q = close_paren(s, n, b);
        bu->steps += scan_cost(n, b, q);
        return q < n ? q + 1 : 0;
    }
    return 0;
}

int phpcode_detect(const char *in, size_t n, phpcode_info *info)
{
    phpcode_info I;
    memset(&I, 0, sizeof I);
    int hit = 0;
    budget B = {0, SIZE_MAX, 0};
    size_t brk = data_break(in, n, 1), line = n;
    if (brk) for (line = brk; line < n && is_blank((unsigned char)in[line]); line++) {}
    const size_t first[2] = {first_quote(in, n, '\''), first_quote(in, n, '"')};
    for (size_t i = 0; i < n && !hit && B.steps < STEPS_MAX; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '$') {
            /* $_GET[0]($_POST[1]): a request's own value called as a function */
            for (size_t g = 0; g < sizeof superglobals / sizeof *superglobals; g++) {
                size_t m = strlen(superglobals[g]);
                if (i + 1 + m >= n || strncmp(in + i + 1, superglobals[g], m) != 0 || in[i + 1 + m] != '[') continue;
                size_t k = i + 1 + m;
                while (k < n && k < i + SPAN_MAX && in[k] != ']') k++;
                B.steps += k - i;
                if (k >= n || in[k] != ']') continue;
                k = skip_b(in, n, k + 1, &B);
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
        size_t ce = construct(in, n, name, e, &B);
        /* a construct in a statement that the value opens after something it closed or ended
         * (';echo `id`;//, 1;die;, ?><?php include 'x';): not one at the start of the value or
         * of a line (print $_; is a line of Perl shown), ended by itself and not by a bracket
         * (head -11; echo 1) is a shell's sub-shell) */
        size_t cend;
        if (ce && i > 0 && opens_statement(in, i, line) && ends_statement(in, n, ce, &B) && opener_before(in, i, first) &&
            ((cend = skip_b(in, n, ce, &B)) >= n || (in[cend] != ')' && in[cend] != '}'))) {
            hit = 1;                                       /* ';echo `id`;//, <?php include 'x'; */
            memcpy(I.function, name, sizeof I.function);
            break;
        }
        const function *f = bsearch(name, functions, sizeof functions / sizeof *functions, sizeof *functions, cmp_fn);
        if (!f) { i = e - 1; continue; }
        size_t p = skip_b(in, n, e, &B);
        if (p >= n || in[p] != '(') { i = e - 1; continue; }
        size_t q = close_paren(in, n, p);
        B.steps += 2 * scan_cost(n, p, q);       /* and code_args' pass over the arguments */
        if (q >= n) { i = e - 1; continue; }
        I.calls++;
        int args = code_args(in, p + 1, q), opens = opens_statement(in, i, line), ends = ends_statement(in, n, q + 1, &B);
        if (f->strong == 2) {                    /* a path only after a break-out: ';include('/etc/passwd'); */
            size_t a = skip_b(in, n, p + 1, &B);
            int src = remote_source(in, n, a);
            args = src == 2 || (src == 1 && opener_before(in, i, first));
        }
        if (args && (f->strong ? (opens || ends) : (opens && ends))) {
            hit = 1;
            memcpy(I.function, name, sizeof I.function);
        }
        i = e - 1;
    }
    if (info) *info = I;
    return hit;
}

/* ---- Perl, Python, Ruby and JavaScript: code a value opens in the server's own language ---- */

/* Sorted by name, for bsearch; lower case. Strong: runs a command or code, or reaches the module
 * that does. Weak: a time probe, a marker print, a module load, a file read, also a word. */
static const function script_names[] = {
    {"__import__", 1}, {"capture2", 1}, {"capture2e", 1}, {"capture3", 1}, {"check_call", 1},
    {"check_output", 1}, {"class_eval", 1}, {"compile", 0}, {"console", 0},
    {"constructor", 0}, {"die", 0}, {"eval", 1}, {"exec", 1}, {"execfilesync", 1}, {"execsync", 1},
    {"function", 0}, {"getoutput", 1}, {"getstatusoutput", 1}, {"globals", 0}, {"import", 0},
    {"instance_eval", 1}, {"kill", 0}, {"mainmodule", 1}, {"open", 0}, {"popen", 1}, {"popen2", 1},
    {"popen3", 1}, {"print", 0}, {"printf", 0}, {"puts", 0}, {"read", 0}, {"readdirsync", 0},
    {"readfilesync", 0}, {"readpipe", 1}, {"require", 0}, {"say", 0}, {"settimeout", 0},
    {"sleep", 0}, {"spawn", 1}, {"spawnsync", 1}, {"str", 0}, {"syscall", 1},
    {"system", 1}, {"use", 0},
};

/* Whether s[a..b) is one member chain, process.pid: an argument of code, not a word in brackets. */
static int member_chain(const char *s, size_t a, size_t b)
{
    int dots = 0;
    for (size_t k = a; k < b; k++) {
        if (s[k] == '.' && k > a && k + 1 < b && is_name((unsigned char)s[k - 1]) && is_name((unsigned char)s[k + 1])) dots++;
        else if (!is_name((unsigned char)s[k])) return 0;
    }
    return dots > 0;
}

/* Names that take their argument without parentheses (Perl, Ruby, Python's statements). */
static int bare_call(const char *name)
{
    static const char *const bare[] = {"die", "eval", "exec", "import", "print", "printf", "puts", "require",
                                       "say", "sleep", "spawn", "system", "use"};
    for (size_t k = 0; k < sizeof bare / sizeof *bare; k++)
        if (strcmp(name, bare[k]) == 0) return 1;
    return 0;
}

/* The index just past the delimited text opened at s[i] ( ( [ { < or any other byte that closes
 * itself, as Perl's qx and Ruby's %x take ), or 0 when it does not close within SPAN_MAX. */
static size_t close_delim(const char *s, size_t n, size_t i)
{
    char o = s[i], c = o == '(' ? ')' : o == '[' ? ']' : o == '{' ? '}' : o == '<' ? '>' : o;
    int depth = 0;
    for (size_t k = i + 1; k < n && k < i + SPAN_MAX; k++) {
        if (s[k] == '\\') { k++; continue; }
        if (s[k] == c && depth-- == 0) return k + 1;
        if (s[k] == o && o != c) depth++;
    }
    return 0;
}

/* A string literal, a number or a backtick string at s[i]: the index past it, or 0. */
static size_t literal_at(const char *s, size_t n, size_t i)
{
    if (i >= n) return 0;
    if (s[i] == '\'' || s[i] == '"' || s[i] == '`') return close_delim(s, n, i);
    size_t e = i;
    while (e < n && s[e] >= '0' && s[e] <= '9') e++;
    return e > i && (e >= n || !is_name((unsigned char)s[e])) ? e : 0;
}

/* Records in *far how far a scan from i that returned r reached: r, or as far as the bound let
 * it when it found nothing (r is 0 or n). Returns r. */
static size_t seen(size_t *far, size_t n, size_t i, size_t r)
{
    size_t reach = r && r < n ? r : (n - i < 2 * SPAN_MAX ? n : i + 2 * SPAN_MAX);
    if (reach > *far) *far = reach;
    return r;
}

/* The expression of code starting at s[i]: a command quoted as code (`...`, qx(...), %x(...)), or
 * a chain of names, members, calls and indexes (os.popen('id').read(), require('fs').x()), the
 * last one a name of the table called without parentheses (system "id", puts 1, use Socket).
 * Returns the index past it, or 0; *strength is 2 for a command or a strong name, 1 for a weak
 * one (then *args says whether its arguments are code), 0 for none of the table. */
static size_t script_expr(const char *s, size_t n, size_t i, int *strength, int *args, size_t *far)
{
    *strength = 0;
    *args = 1;
    if (i < n && s[i] == '@') i++;                         /* PHP's and Perl's silencers */
    if (i + 5 < n && strncmp(s + i, "new ", 4) == 0) i = seen(far, n, i + 4, skip_fwd(s, n, i + 4));
    if (i >= n) return 0;
    if (s[i] == '`' || ((s[i] == 'q' || s[i] == '%') && i + 2 < n && s[i + 1] == 'x' && strchr("([{</|!", s[i + 2]))) {
        size_t e = seen(far, n, i, close_delim(s, n, s[i] == '`' ? i : i + 2));
        *strength = e ? 2 : 0;
        return e;
    }
    size_t k = i, calls = 0;
    for (int parts = 0; parts < 16 && k < n; parts++) {
        if (!is_name((unsigned char)s[k]) || (s[k] >= '0' && s[k] <= '9')) return 0;
        size_t e = k;
        while (e < n && is_name((unsigned char)s[e])) e++;
        seen(far, n, k, e);
        char name[24] = "";
        if (e - k < sizeof name) {
            for (size_t c = k; c < e; c++) name[c - k] = (char)lower((unsigned char)s[c]);
            name[e - k] = '\0';
        }
        const function *f = name[0] ? bsearch(name, script_names, sizeof script_names / sizeof *script_names,
                                              sizeof *script_names, cmp_fn) : NULL;
        /* a strong name counts where it is called (system.close() is Pascal's unit), except
         * process.mainModule, the way from any Node object to require */
        int strong = f && f->strong && ((e < n && (s[e] == '(' || s[e] == ' ')) || strcmp(name, "mainmodule") == 0);
        /* Function('...')(), x.constructor.constructor('...')(): a function made from a string */
        if (f && (strcmp(name, "function") == 0 || strcmp(name, "constructor") == 0) && e < n && s[e] == '(') {
            size_t q = seen(far, n, e, close_paren(s, n, e));
            strong = q + 1 < n && s[q + 1] == '(' && seen(far, n, e, literal_at(s, n, seen(far, n, e, skip_fwd(s, n, e + 1))));
        }
        if (f) *strength = strong || *strength == 2 ? 2 : f->strong ? *strength : 1;
        k = e;
        int called = 0;
        while (k < n && (s[k] == '(' || s[k] == '[')) {         /* calls and indexes */
            if (s[k] == '(') {
                size_t q = seen(far, n, k, close_paren(s, n, k));
                if (q >= n) return 0;
                called = 1;
                calls++;
                if (f && !code_args(s, k + 1, q) && !member_chain(s, k + 1, q)) *args = 0;
                k = q + 1;
            } else {
                k = seen(far, n, k, close_delim(s, n, k));
                if (!k) return 0;
            }
        }
        if (!called && f && strcmp(name, "eval") == 0 && seen(far, n, k, skip_fwd(s, n, k)) < n && s[skip_fwd(s, n, k)] == '{') {
            size_t b = seen(far, n, k, close_delim(s, n, skip_fwd(s, n, k)));   /* Perl's eval { system 'id' } */
            *strength = b ? 2 : 0;
            return b;
        }
        if (!called && f && bare_call(name) && k < n && s[k] == ' ') {
            size_t a = seen(far, n, k, skip_fwd(s, n, k)), e2 = seen(far, n, a, literal_at(s, n, a));
            if (!e2 && (strcmp(name, "use") == 0 || strcmp(name, "require") == 0 || strcmp(name, "import") == 0)) {
                e2 = a;                                         /* a module: Socket, IO::Socket, os */
                while (e2 < n && (is_name((unsigned char)s[e2]) || s[e2] == ':')) e2++;
                seen(far, n, a, e2);
                if (e2 == a) e2 = 0;
            }
            return e2;
        }
        if (k + 1 < n && s[k] == '.' && is_name((unsigned char)s[k + 1])) { k++; continue; }
        if (k + 2 < n && s[k] == ':' && s[k + 1] == ':' && is_name((unsigned char)s[k + 2])) { k += 2; continue; }
        break;
    }
    return calls ? k : 0;
}

/* Whether the code ending before s[i] ends a statement or joins the string the value re-opens;
 * records in *far how far it read. */
static int script_ends(const char *s, size_t n, size_t i, size_t *far)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i >= n) return 1;
    char c = s[i], d = i + 1 < n ? s[i + 1] : 0;
    if (strchr(";)}]#\n\r", c) || (c == '/' && (d == '/' || d == '*')) || (c == '?' && d == '>')) return 1;
    if (c == '.' || c == '+' || c == '-' || (c == '|' && d == '|')) {   /* not a sentence's period */
        size_t j = seen(far, n, i, skip_fwd(s, n, i + (c == '|' ? 2 : 1)));
        return j < n && (s[j] == '\'' || s[j] == '"' || s[j] == '$');
    }
    return 0;
}

/* Records s[at..e), lower case and cut to fit, as the finding's function. */
static void name_finding(phpcode_info *I, const char *s, size_t at, size_t e)
{
    size_t m = e - at < sizeof I->function - 1 ? e - at : sizeof I->function - 1;
    for (size_t k = 0; k < m; k++) I->function[k] = (char)lower((unsigned char)s[at + k]);
    I->function[m] = '\0';
}

/* Judges the code at s[i], which a break-out opened: a strong name, or a weak one (when weak)
 * with code for arguments, that ends the statement, in brackets or not. A command in backticks
 * must touch its opener (.`id`., .(`id`).): after a blank or at the start of a line it is a
 * Markdown code span. Adds what its scans cost to *steps: a few times the bytes they reached,
 * since the arguments of a call are read by more than one of them. */
static int script_at(const char *s, size_t n, size_t i, int weak, phpcode_info *I, size_t *steps)
{
    int strength, args;
    size_t far = i;
    size_t at = seen(&far, n, i, skip_fwd(s, n, i)), open = 0;
    while (at < n && s[at] == '(' && open < 8) at = seen(&far, n, at, skip_fwd(s, n, at + 1)), open++;    /* '.(`id`).' */
    if (at < n && s[at] == '`' && (open ? s[at - 1] != '(' : at > i || (i > 0 && (s[i - 1] == '\n' || s[i - 1] == '\r')))) {
        *steps += far - i + 1;
        return 0;
    }
    size_t e = script_expr(s, n, at, &strength, &args, &far);
    *steps += 4 * (far - i + 1);
    if (!e || !strength) return 0;
    I->calls++;
    size_t tail = e;
    int ends = script_ends(s, n, e, &tail);
    *steps += tail - e + 1;
    if (!args || !ends || (strength < 2 && !weak)) return 0;
    name_finding(I, s, at, e);
    return 1;
}

int phpcode_script(const char *in, size_t n, phpcode_info *info)
{
    phpcode_info I;
    memset(&I, 0, sizeof I);
    int hit = 0;
    size_t steps = 0;
    /* The value's first quote closes the string it was put into (not an apostrophe in a word);
     * then brackets it also closes, and an operator that joins strings or ends the statement. */
    size_t lim = n < SPAN_MAX ? n : SPAN_MAX;
    const char *sq = lim ? memchr(in, '\'', lim) : NULL, *dq = lim ? memchr(in, '"', lim) : NULL;   /* the next of each */
    while (sq || dq) {
        const char *q = !dq || (sq && sq < dq) ? sq : dq;
        size_t i = (size_t)(q - in);
        if (i > 0 && i + 1 < n && is_name((unsigned char)in[i - 1]) && is_name((unsigned char)in[i + 1])) {
            if (q == sq) sq = memchr(q + 1, '\'', lim - i - 1);
            else dq = memchr(q + 1, '"', lim - i - 1);
            continue;
        }
        size_t k = i + 1;
        while (k < n && (in[k] == ')' || in[k] == ']' || in[k] == ' ')) k++;
        if (k < n && (in[k] == '.' || in[k] == '+' || in[k] == '-' || in[k] == ';' || in[k] == '\n' || in[k] == '\r'))
            hit = script_at(in, n, k + 1, 1, &I, &steps);
        else if (k + 1 < n && in[k] == '|' && in[k + 1] == '|')
            hit = script_at(in, n, k + 2, 1, &I, &steps);
        break;
    }
    /* Data, then the value's first ; (data_break; not a line break, since the first line of code
     * shown in documentation is often one token: a list's number, a closing bracket). */
    size_t brk = hit ? 0 : data_break(in, n, 0);
    if (brk) hit = script_at(in, n, brk, 1, &I, &steps);
    /* Interpolation in a string the server evaluates: Ruby's #{}, Perl's @{[ ]} and ${\ }, and,
     * for strong names only, JavaScript's and PHP's ${}, which documentation of Node shows
     * (`readable: ${rr.read()}`). */
    for (size_t p = 1; !hit && p + 1 < n && steps < STEPS_MAX; p++) {   /* each '{' at 1..n-2 */
        const char *b = memchr(in + p, '{', n - 1 - p);
        if (!b) break;
        p = (size_t)(b - in);
        size_t i = p - 1, at = 0;
        int weak = 1;
        if ((in[i] == '#' || in[i] == '$') && in[i + 1] == '{') at = in[i + 2] == '\\' ? i + 3 : i + 2, weak = in[i] == '#' || in[i + 2] == '\\';
        else if (in[i] == '@' && in[i + 1] == '{' && in[i + 2] == '[') at = i + 3;
        if (!at) continue;
        size_t a = skip_fwd(in, n, at);
        steps += scan_cost(n, at, a);
        hit = script_at(in, n, a, weak, &I, &steps);     /* ${\ `id`}: a blank is its own */
    }
    /* A number the value put into an expression, then a join: 1 . system('id'), 1 + sleep 5. */
    if (!hit) {
        size_t k = in[0] == '-' ? 1 : 0, d = k;
        while (k < n && in[k] >= '0' && in[k] <= '9') k++;
        if (k > d) {
            k = skip_fwd(in, n, k);
            if (k < n && (in[k] == '.' || in[k] == '+') && k + 1 < n && is_blank((unsigned char)in[k + 1]))
                hit = script_at(in, n, k + 1, 1, &I, &steps);
        }
    }
    /* The whole value is one call of a strong name, as eval() would run it: spawn('id'),
     * readpipe('id');, qx{uname -a}; not a bare call (eval "$args" is a shell line) nor backticks. */
    if (!hit) {
        int strength, args;
        size_t far = 0;                                  /* once a value: its cost is not counted */
        size_t at = skip_fwd(in, n, 0), e = script_expr(in, n, at, &strength, &args, &far);
        if (e && strength == 2 && args && (in[e - 1] == ')' || in[at] == 'q' || in[at] == '%')) {
            size_t k = e;
            while (k < n && (is_blank((unsigned char)in[k]) || in[k] == ';')) k++;
            hit = k >= n;
            if (hit) name_finding(&I, in, at, e);
        }
    }
    if (info) *info = I;
    return hit;
}
