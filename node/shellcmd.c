/* shellcmd.c -- a small lexer of sh / cmd / PowerShell command lines that finds command words in
 * command position and scores them with their separator and first argument. */
#define _GNU_SOURCE   /* memmem */
#include <fnmatch.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shellcmd.h"

enum { T_END, T_WORD, T_SEP, T_OPEN, T_CLOSE, T_REDIR };
enum { K_WEAK = 1, K_STRONG = 2 };                  /* points of a command word */
enum { F_ECHO = 1, F_NUM = 2, F_PREFIX = 4, F_PS = 8, F_NET = 16, F_CODE = 32, F_SUB = 64,
       F_ARITH = 128, F_BSD = 256 };  /* how its arguments are read */

typedef struct cmdword { const char *name; unsigned char kind; unsigned short flags; } cmdword;

/* Sorted by name, for bsearch. Strong: rarely a word of prose or of ordinary data. Weak: also an
 * English or programming word, so it needs the shape of shell around it. */
static const cmdword commands[] = {
    {"arp", K_STRONG, 0}, {"attrib", K_STRONG, 0}, {"awk", K_WEAK, 0}, {"base64", K_STRONG, 0}, {"bash", K_STRONG, 0},
    {"bitsadmin", K_STRONG, 0}, {"busybox", K_STRONG, F_PREFIX}, {"calc", K_WEAK, 0},
    {"cat", K_WEAK, 0}, {"certutil", K_STRONG, 0}, {"chmod", K_STRONG, 0}, {"chown", K_STRONG, 0},
    {"cmd", K_STRONG, 0}, {"copy", K_WEAK, 0}, {"cp", K_WEAK, 0}, {"crontab", K_STRONG, 0},
    {"cscript", K_STRONG, 0}, {"csh", K_STRONG, 0}, {"curl", K_WEAK, F_NET}, {"dash", K_WEAK, 0},
    {"dd", K_WEAK, 0}, {"del", K_WEAK, 0}, {"dig", K_WEAK, F_NET}, {"dir", K_WEAK, 0},
    {"echo", K_WEAK, F_ECHO}, {"env", K_WEAK, F_PREFIX}, {"eval", K_WEAK, F_PREFIX},
    {"exec", K_WEAK, F_PREFIX}, {"export", K_WEAK, 0}, {"expr", K_WEAK, F_NUM | F_ARITH}, {"find", K_WEAK, 0},
    {"findstr", K_STRONG, 0}, {"forfiles", K_STRONG, 0}, {"ftp", K_WEAK, 0}, {"getent", K_STRONG, 0}, {"grep", K_WEAK, 0},
    {"head", K_WEAK, 0}, {"hexdump", K_STRONG, 0}, {"host", K_WEAK, 0}, {"hostname", K_WEAK, 0},
    {"icacls", K_STRONG, 0}, {"id", K_WEAK, 0}, {"iex", K_STRONG, F_PS}, {"ifconfig", K_STRONG, 0},
    {"invoke-expression", K_STRONG, F_PS}, {"invoke-webrequest", K_STRONG, F_PS},
    {"ipconfig", K_STRONG, 0}, {"iptables", K_STRONG, 0}, {"iwr", K_STRONG, F_PS}, {"java", K_WEAK, 0},
    {"kill", K_WEAK, 0}, {"killall", K_STRONG, 0}, {"ksh", K_STRONG, 0}, {"less", K_WEAK, 0},
    {"ls", K_WEAK, 0}, {"lsof", K_STRONG, 0}, {"lua", K_WEAK, F_CODE}, {"mkfifo", K_STRONG, 0},
    {"more", K_WEAK, 0}, {"mshta", K_STRONG, 0}, {"msiexec", K_STRONG, 0}, {"mv", K_WEAK, 0}, {"nc", K_STRONG, F_NET},
    {"ncat", K_STRONG, F_NET}, {"net", K_WEAK, F_SUB}, {"netcat", K_STRONG, F_NET},
    {"netsh", K_STRONG, 0}, {"netstat", K_STRONG, 0}, {"nltest", K_STRONG, 0}, {"nmap", K_STRONG, 0}, {"node", K_WEAK, F_CODE},
    {"nohup", K_STRONG, F_PREFIX}, {"notepad", K_WEAK, 0}, {"nslookup", K_STRONG, F_NET},
    {"od", K_WEAK, 0}, {"openssl", K_STRONG, 0}, {"passwd", K_WEAK, 0}, {"perl", K_WEAK, F_CODE},
    {"php", K_WEAK, F_CODE}, {"ping", K_WEAK, F_NUM | F_NET}, {"pkill", K_STRONG, 0},
    {"powershell", K_STRONG, 0}, {"print", K_WEAK, F_ECHO}, {"printenv", K_STRONG, 0},
    {"printf", K_WEAK, F_ECHO}, {"ps", K_WEAK, F_BSD}, {"pwd", K_WEAK, 0}, {"pwsh", K_STRONG, 0},
    {"python", K_WEAK, F_CODE}, {"python2", K_WEAK, F_CODE}, {"python3", K_WEAK, F_CODE},
    {"read", K_WEAK, 0}, {"reg", K_WEAK, F_SUB}, {"regsvr32", K_STRONG, 0}, {"rev", K_WEAK, 0},
    {"rm", K_WEAK, 0}, {"route", K_WEAK, F_SUB}, {"ruby", K_WEAK, F_CODE}, {"rundll32", K_STRONG, 0}, {"schtasks", K_STRONG, 0},
    {"scp", K_WEAK, 0}, {"sed", K_WEAK, 0}, {"set", K_WEAK, 0}, {"sh", K_STRONG, 0},
    {"sleep", K_WEAK, F_NUM}, {"socat", K_STRONG, 0}, {"ssh", K_WEAK, 0},
    {"start-process", K_STRONG, F_PS}, {"sudo", K_STRONG, F_PREFIX}, {"systemctl", K_STRONG, 0},
    {"systeminfo", K_STRONG, 0}, {"tac", K_WEAK, 0}, {"tail", K_WEAK, 0}, {"tar", K_WEAK, 0},
    {"taskkill", K_STRONG, 0}, {"tasklist", K_STRONG, 0}, {"tcsh", K_STRONG, 0}, {"tee", K_WEAK, 0},
    {"telnet", K_STRONG, F_NET}, {"tftp", K_STRONG, F_NET}, {"timeout", K_WEAK, F_NUM},
    {"touch", K_WEAK, 0}, {"traceroute", K_STRONG, F_NET}, {"tracert", K_STRONG, F_NET},
    {"type", K_WEAK, 0}, {"uname", K_STRONG, 0}, {"uptime", K_WEAK, 0}, {"useradd", K_STRONG, 0},
    {"usermod", K_STRONG, 0}, {"ver", K_WEAK, 0}, {"wget", K_STRONG, F_NET}, {"whoami", K_STRONG, 0},
    {"whois", K_STRONG, 0}, {"wmic", K_STRONG, 0}, {"wscript", K_STRONG, 0},
    {"xargs", K_WEAK, F_PREFIX}, {"xterm", K_STRONG, 0}, {"xxd", K_STRONG, 0}, {"zsh", K_STRONG, 0},
};

typedef struct lexer {
    const char *s;
    size_t n, i;
    int quote;          /* 0, '\'' or '"' */
    int in_bt;          /* inside backticks */
    int strong;         /* a construct prose never has was seen */
    char *buf;          /* the current word, quotes and expansions removed */
    size_t blen;
    struct shvar *vars; /* variables the value assigned before (a=who;b=ami;$a$b), or NULL */
    int nvars;
} lexer;

/* A variable assigned in the value itself, so that a later expansion reads as its value. */
#define SHVARS 8
#define SHVAR_LEN 32
typedef struct shvar { char name[16]; char val[SHVAR_LEN]; size_t len; } shvar;

/* Appends the value of the variable named s[0..n) when the value assigned it; returns whether
 * it did. raw_end: the index past the expansion. The word buffer has room for the value's length,
 * and every other step writes at most one byte per byte it reads, so a value is appended only
 * while the word stays no longer than the bytes read so far (a=long;$a$a$a... stops expanding). */
static int var_value(lexer *L, const char *s, size_t n, size_t raw_end)
{
    for (int k = 0; L->vars && k < L->nvars; k++) {
        shvar *v = &L->vars[k];
        if (strlen(v->name) == n && memcmp(v->name, s, n) == 0) {
            if (L->blen + v->len > raw_end) return 0;
            memcpy(L->buf + L->blen, v->val, v->len);
            L->blen += v->len;
            return 1;
        }
    }
    return 0;
}

typedef struct tok {
    int type, pts;      /* pts: of a separator or an opening, what command position it gives */
    int loose;          /* the separator was a line break, && or ||, which join ordinary
                         * script lines too (package.json scripts, READMEs) */
    size_t raw_start, raw_end;  /* the word as written, for Windows paths (C:\x\cmd.exe) */
    int obf;            /* the word had something removed between kept characters */
    int glued;          /* the word follows an operator with no blank between (;echo) */
    int subst;          /* the opening was a substitution, $( or a backtick, not a subshell */
    int pipe;           /* the separator was a single | */
    int expanded;       /* the word held an expansion */
    int capital;        /* the word starts with a capital followed by a small letter */
    int nul;            /* the separator was a NUL byte: a C string ends there, so the value was
                         * cut to drop what the application appends */
} tok;

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_name(int c) { return is_alpha(c) || is_digit(c) || c == '_'; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }
static int eq_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}
static int is_oper(int c) { return c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '(' || c == ')' || c == '`'; }

/* $((...)): skips to the closing "))"; arithmetic with a digit and an operator is strong. */
static void arith(lexer *L)
{
    size_t j = L->i + 3;
    int digit = 0, op = 0;
    while (j + 1 < L->n && !(L->s[j] == ')' && L->s[j + 1] == ')')) {
        digit |= is_digit((unsigned char)L->s[j]);
        op |= strchr("+-*/%", L->s[j]) != NULL && L->s[j] != '\0';
        j++;
    }
    if (j + 1 < L->n) {
        if (digit && op) L->strong = 1;
        L->i = j + 2;
    } else {
        L->i = L->n;
    }
}

/* Variables whose value starts with "/" everywhere, so ${PATH:0:1} spells a slash. */
static int slash_var(const char *s, size_t n)
{
    static const char *const v[] = {"PATH", "HOME", "PWD", "SHELL", "OLDPWD"};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++)
        if (strlen(v[k]) == n && memcmp(s, v[k], n) == 0) return 1;
    return 0;
}

/* ${...} at L->i: appends a default value (${x:-cat}) and returns 1, or 2 when it is ${IFS...}
 * (a word break), 3 for a substring ${NAME:N:M} (a slash when it cuts the first character of
 * a variable that starts with one), or 0 for an empty expansion. */
static int brace_expansion(lexer *L)
{
    size_t j = L->i + 2, name = j;
    while (j < L->n && is_name((unsigned char)L->s[j])) j++;
    int ifs = j - name == 3 && memcmp(L->s + name, "IFS", 3) == 0;
    size_t end = j;
    while (end < L->n && L->s[end] != '}') end++;
    if (end >= L->n) { L->i = L->n; return 0; }
    int r = 0;
    if (ifs) r = 2;
    else if (j + 1 < end && L->s[j] == ':' && (is_digit((unsigned char)L->s[j + 1]) || L->s[j + 1] == ' ')) {
        size_t k = j + 1;
        while (k < end && L->s[k] == ' ') k++;
        if (k < end && L->s[k] == '0' && (k + 1 == end || L->s[k + 1] == ':') && slash_var(L->s + name, j - name))
            L->buf[L->blen++] = '/';
        r = 3;
    } else if (j + 1 < end && L->s[j] == ':' && (L->s[j + 1] == '-' || L->s[j + 1] == '=')) {
        for (size_t k = j + 2; k < end; k++) L->buf[L->blen++] = L->s[k];
        r = 1;
    } else if (j == end && var_value(L, L->s + name, j - name, end + 1)) {
        r = 3;      /* ${a}: the value the value assigned, a word put together */
    }
    L->i = end + 1;
    return r;
}

/* $'...' (ANSI-C quoting): \xHH, \NNN and \c escapes decoded into the word. Returns 1 when
 * it decoded an escape. */
static int ansi_quote(lexer *L)
{
    size_t j = L->i + 2;
    int escapes = 0;
    while (j < L->n && L->s[j] != '\'') {
        if (L->s[j] == '\\' && j + 1 < L->n) {
            j++;
            escapes = 1;
            int v = -1;
            if (L->s[j] == 'x') {
                v = 0;
                int k = 0;
                for (; k < 2 && j + 1 < L->n; k++) {
                    int c = lower((unsigned char)L->s[j + 1]);
                    int h = is_digit(c) ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
                    if (h < 0) break;
                    v = v * 16 + h;
                    j++;
                }
                if (k == 0) v = 'x';
            } else if (L->s[j] >= '0' && L->s[j] <= '7') {
                v = 0;
                for (int k = 0; k < 3 && j < L->n && L->s[j] >= '0' && L->s[j] <= '7'; k++, j++) v = v * 8 + (L->s[j] - '0');
                j--;
            } else {
                v = (unsigned char)L->s[j];
            }
            if (v > 0) L->buf[L->blen++] = (char)v;
            j++;
        } else {
            L->buf[L->blen++] = L->s[j++];
        }
    }
    L->i = j < L->n ? j + 1 : L->n;
    return escapes;
}

/* A substitution at s[i] ($(...) or `...`) whose command writes nothing, so that inside a word
 * it adds nothing to it (who$(:)ami, w$( )hoami, who$(true)ami, w`echo -n`hoami run whoami):
 * blank, or : true false with any words, echo -n, printf with nothing or an empty string. Only
 * a short content without operators, expansions or nested substitutions is read. Returns the
 * substitution's length, or 0. */
static size_t silent_subst(const char *s, size_t n, size_t i)
{
    char close = s[i] == '`' ? '`' : ')';
    size_t b = i + (s[i] == '`' ? 1 : 2), e = b;
    while (e < n && e - b <= 40 && s[e] != close) {
        if (strchr(";|&<>()$`\n\r\\", s[e]) || s[e] == '\0') return 0;
        e++;
    }
    if (e >= n || s[e] != close) return 0;
    size_t len = e + 1 - i;
    /* the content's words, blank-separated */
    const char *w[3];
    size_t wl[3], nw = 0;
    for (size_t k = b; k < e;) {
        while (k < e && is_blank((unsigned char)s[k])) k++;
        if (k >= e) break;
        size_t st = k;
        while (k < e && !is_blank((unsigned char)s[k])) k++;
        if (nw < 3) { w[nw] = s + st; wl[nw] = k - st; }
        nw++;
    }
#define IS(x, lit) (wl[x] == sizeof lit - 1 && memcmp(w[x], lit, sizeof lit - 1) == 0)
#define EMPTY_STR(x) (IS(x, "''") || IS(x, "\"\""))
    if (nw == 0) return len;
    if (IS(0, ":") || IS(0, "true") || IS(0, "false")) return len;
    if (IS(0, "echo") && nw >= 2 && IS(1, "-n") && (nw == 2 || (nw == 3 && EMPTY_STR(2)))) return len;
    if (IS(0, "printf") && (nw == 1 || (nw == 2 && EMPTY_STR(1)))) return len;
#undef IS
#undef EMPTY_STR
    return 0;
}

/* Whether a silent substitution at s[i] opens a word: a character of the word follows it
 * ($(:)whoami). Alone it is a command of its own (: or true) and is read as one. */
static int silent_lead(const char *s, size_t n, size_t i)
{
    size_t len = silent_subst(s, n, i), after = i + len;
    return len && after < n && !is_blank((unsigned char)s[after]) && s[after] != '\n' &&
           s[after] != '\r' && !is_oper((unsigned char)s[after]);
}

/* Reads one word into L->buf; it ends at a blank, an operator, $( or a word break made by $IFS. */
static void word(lexer *L, tok *t)
{
    int removed_mid = 0;
    size_t kept_at_removal = 0;
#define REMOVED() do { if (L->blen && !removed_mid) { removed_mid = 1; kept_at_removal = L->blen; } } while (0)
    L->blen = 0;
    while (L->i < L->n) {
        unsigned char c = (unsigned char)L->s[L->i];
        if (c == '\0') break;         /* the end of a C string, in or out of quotes */
        if (L->quote == '\'') {
            if (c == '\'') { L->quote = 0; REMOVED(); }
            else L->buf[L->blen++] = (char)c;
            L->i++;
            continue;
        }
        /* a substitution that writes nothing, inside a word (who$()ami, w``hoami, who$(:)ami)
         * or before its first kept character ($(:)whoami), adds nothing */
        if ((c == '`' || c == '$') && L->quote != '\'' && L->i + 1 < L->n &&
            ((c == '`' && !L->in_bt) || (c == '$' && L->s[L->i + 1] == '(' && !(L->i + 2 < L->n && L->s[L->i + 2] == '(')))) {
            size_t len = L->blen || silent_lead(L->s, L->n, L->i) ? silent_subst(L->s, L->n, L->i) : 0;
            if (len) {
                REMOVED();
                t->expanded = 1;
                L->i += len;
                continue;
            }
        }
        if (L->quote == 0 && (is_blank(c) || c == '\n' || c == '\r' || is_oper(c))) break;
        if (L->quote == '"' && c == '`') break;
        if (c == '"') { L->quote = L->quote ? 0 : '"'; REMOVED(); L->i++; continue; }
        if (c == '\'' && L->quote == 0) { L->quote = '\''; REMOVED(); L->i++; continue; }
        if (c == '\\' && L->i + 1 < L->n) {
            unsigned char d = (unsigned char)L->s[L->i + 1];
            if (L->quote == '"' && !strchr("$`\"\\\n", d)) { L->buf[L->blen++] = (char)c; L->i++; continue; }
            REMOVED();
            if (d != '\n') L->buf[L->blen++] = (char)d;
            L->i += 2;
            continue;
        }
        if (c == '^' && L->quote == 0) { REMOVED(); L->i++; continue; }
        if (c == '$' && L->i + 1 < L->n) {
            unsigned char d = (unsigned char)L->s[L->i + 1];
            if (d == '(' && L->i + 2 < L->n && L->s[L->i + 2] == '(') { REMOVED(); arith(L); t->expanded = 1; continue; }
            if (d == '(') break;
            if (d == '{') {
                REMOVED();
                t->expanded = 1;
                int r = brace_expansion(L);
                if (r == 2) { L->strong = 1; break; }
                if (r == 3) t->obf = 1;
                continue;
            }
            if (d == '\'' && L->quote == 0) { REMOVED(); if (ansi_quote(L)) t->obf = 1; continue; }
            if (is_alpha(d) || d == '_') {
                size_t j = L->i + 1;
                while (j < L->n && is_name((unsigned char)L->s[j])) j++;
                int ifs = j - L->i - 1 == 3 && memcmp(L->s + L->i + 1, "IFS", 3) == 0;
                REMOVED();
                t->expanded = 1;
                if (var_value(L, L->s + L->i + 1, j - L->i - 1, j)) t->obf = 1;
                L->i = j;
                if (ifs) { L->strong = 1; break; }
                continue;
            }
            if (is_digit(d) || strchr("@*#?!-", d)) { REMOVED(); t->expanded = 1; L->i += 2; continue; }
        }
        if (c == '%' && L->quote == 0) {
            /* cmd's %NAME% and %NAME:~a,b%: %COMSPEC% reads as cmd, others expand to nothing */
            size_t j = L->i + 1;
            while (j < L->n && j - L->i < 40 && (is_name((unsigned char)L->s[j]) || strchr(":~,-", L->s[j]))) j++;
            if (j < L->n && L->s[j] == '%' && j > L->i + 1 && is_alpha((unsigned char)L->s[L->i + 1])) {
                if (j - L->i - 1 == 7 && eq_nocase(L->s + L->i + 1, "comspec", 7)) {
                    memcpy(L->buf + L->blen, "cmd", 3);
                    L->blen += 3;
                } else {
                    REMOVED();
                }
                t->expanded = 1;
                L->i = j + 1;
                continue;
            }
        }
        L->buf[L->blen++] = (char)c;
        L->i++;
    }
    if (removed_mid && L->blen > kept_at_removal) t->obf = 1;
    t->raw_end = L->i;
#undef REMOVED
}

/* The next token. Blanks are skipped; an empty word (say, a lone $u) is skipped too. */
static void next_token(lexer *L, tok *t)
{
    for (;;) {
        memset(t, 0, sizeof *t);
        if (L->quote == 0)
            while (L->i < L->n && is_blank((unsigned char)L->s[L->i])) L->i++;
        if (L->i >= L->n) { t->type = T_END; return; }
        const char *s = L->s;
        size_t i = L->i;
        unsigned char c = (unsigned char)s[i], d = i + 1 < L->n ? (unsigned char)s[i + 1] : 0;
        t->raw_start = i;
        if (c == '\0') {
            L->i++;
            t->type = T_SEP;
            t->pts = 1;
            t->loose = 1;
            t->nul = 1;
            return;
        }
        /* $(:)whoami: the word reads past its silent opening */
        int lead = L->quote != '\'' && ((c == '$' && d == '(') || (c == '`' && !L->in_bt)) && silent_lead(s, L->n, i);
        if (!lead && c == '$' && d == '(' && !(i + 2 < L->n && s[i + 2] == '(') && L->quote != '\'') {
            L->i += 2;
            t->type = T_OPEN;
            t->pts = 2;
            t->subst = 1;
            return;
        }
        if (!lead && c == '`' && L->quote != '\'') {
            L->i++;
            t->type = L->in_bt ? T_CLOSE : T_OPEN;
            t->subst = 1;
            /* `ls -la` after a blank is as often a code span in prose or Markdown */
            t->pts = i > 0 && is_blank((unsigned char)s[i - 1]) ? 0 : 1;
            L->in_bt = !L->in_bt;
            return;
        }
        if (L->quote == 0 && c == '\\' && (d == 'n' || d == 'r')) {
            /* a line break written as \n: payloads aimed at code that unescapes it */
            L->i += 2;
            t->type = T_SEP;
            t->pts = 1;
            t->loose = 1;
            return;
        }
        if (L->quote == 0) {
            if (c == '\n' || c == '\r' || c == ';' || c == '|' || (c == '&' && d != '>')) {
                L->i++;
                if (((c == '|' || c == '&') && d == c) || (c == '\r' && d == '\n')) L->i++;   /* CR LF: one line break */
                t->type = T_SEP;
                t->pts = 1;
                t->loose = c == '\n' || c == '\r' || d == c;
                t->pipe = c == '|' && d != '|';
                return;
            }
            if ((c == '<' || c == '>') && d == '(') { L->i += 2; t->type = T_OPEN; t->pts = 2; return; }
            if (c == '<' || c == '>' || (c == '&' && d == '>') || (is_digit(c) && (d == '>' || d == '<'))) {
                L->i++;
                while (L->i < L->n && (s[L->i] == '<' || s[L->i] == '>')) L->i++;
                if (L->i < L->n && s[L->i] == '&') {
                    L->i++;
                    while (L->i < L->n && (is_digit((unsigned char)s[L->i]) || s[L->i] == '-')) L->i++;
                }
                t->type = T_REDIR;
                return;
            }
            if (c == '(') { L->i++; t->type = T_OPEN; t->pts = 0; return; }
            if (c == ')') { L->i++; t->type = T_CLOSE; return; }
        }
        t->raw_start = L->i;
        t->glued = i > 0 && is_oper((unsigned char)s[i - 1]);
        word(L, t);
        if (L->blen == 0 && !t->expanded) {
            if (L->i == i) L->i++;      /* a byte no rule consumed: never loop on it */
            continue;
        }
        L->buf[L->blen] = '\0';        /* an argument that only expands ($dir) reads as empty */
        t->type = T_WORD;
        t->capital = L->buf[0] >= 'A' && L->buf[0] <= 'Z' && L->blen > 1 && L->buf[1] >= 'a' && L->buf[1] <= 'z';
        return;
    }
}

static int cmp_cmd(const void *k, const void *e) { return strcmp(k, ((const cmdword *)e)->name); }

/* The command a word names: its last path segment, lower case, without .exe; brace expansion
 * {cat,/etc/passwd} names its first element. */
static const cmdword *command_of(const char *w, size_t n, char name[24], int *sys_path)
{
    if (n && w[0] == '{') {
        size_t k = 1;
        while (k < n && w[k] != ',' && w[k] != '}') k++;
        if (k < n && w[k] == ',') { w++; n = k - 1; }
    }
    size_t start = 0;
    for (size_t k = 0; k < n; k++)
        if (w[k] == '/' || w[k] == '\\') start = k + 1;
    size_t len = n - start;
    *sys_path = start >= 4 && memcmp(w + start - 4, "bin/", 4) == 0;   /* /bin/ls, /usr/sbin/x */
    if (len >= 4 && eq_nocase(w + n - 4, ".exe", 4)) len -= 4;
    if (len == 0 || len > 23) return NULL;
    for (size_t k = 0; k < len; k++) name[k] = (char)lower((unsigned char)w[start + k]);
    name[len] = '\0';
    return bsearch(name, commands, sizeof commands / sizeof *commands, sizeof *commands, cmp_cmd);
}

/* A command word spelt with wildcards the shell expands: /???/??t, /bin/c?t. Only a word with
 * a directory part, and with a letter in its last segment or a wildcard in its directory, so
 * that a comment opener or a MIME range never reads as one. */
static const cmdword *glob_command(const char *w, size_t n, char name[24])
{
    if (n < 3 || n > 63 || w[0] != '/') return NULL;
    char pat[64];
    size_t start = 0;
    for (size_t k = 0; k < n; k++)
        if (w[k] == '/') start = k + 1;
    if (start < 2 || start == n) return NULL;
    int letter = 0, dir_glob = 0;
    for (size_t k = start; k < n; k++) letter |= is_alpha((unsigned char)w[k]);
    for (size_t k = 0; k < start; k++) dir_glob |= w[k] == '?' || w[k] == '*' || w[k] == '[';
    if (!letter && !dir_glob) return NULL;
    for (size_t k = start; k < n; k++) pat[k - start] = (char)lower((unsigned char)w[k]);
    pat[n - start] = '\0';
    if (!strpbrk(pat, "?*[") && !dir_glob) return NULL;
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (fnmatch(pat, commands[k].name, 0) == 0) {
            memcpy(name, commands[k].name, strlen(commands[k].name) + 1);
            return &commands[k];
        }
    return NULL;
}

/* A PowerShell cmdlet name, Verb-Noun, with one of PowerShell's approved verbs and a noun of
 * letters that is no English particle (Set-up, Read-only, Write-off are words of prose). */
static const cmdword *ps_cmdlet(const char *w, size_t n, char name[24])
{
    static const char *const verbs[] = {
        "add", "clear", "compress", "connect", "convertfrom", "convertto", "copy", "disable", "enable",
        "enter", "expand", "export", "find", "format", "get", "import", "install", "invoke", "measure",
        "move", "new", "out", "read", "receive", "register", "remove", "rename", "resolve", "restart",
        "select", "send", "set", "start", "stop", "test", "wait", "write",
    };
    static const char *const particles[] = {"up", "down", "in", "out", "on", "off", "over", "only", "back", "by", "of", "away"};
    static const cmdword cmdlet = {"cmdlet", K_WEAK, F_PS};
    const char *dash = memchr(w, '-', n);
    if (!dash || n > 23) return NULL;
    size_t vn = (size_t)(dash - w), nn = n - vn - 1;
    if (nn < 2) return NULL;
    for (size_t k = vn + 1; k < n; k++)
        if (!is_alpha((unsigned char)w[k])) return NULL;
    int verb = 0;
    for (size_t k = 0; k < sizeof verbs / sizeof *verbs && !verb; k++)
        verb = strlen(verbs[k]) == vn && eq_nocase(w, verbs[k], vn);
    for (size_t k = 0; k < sizeof particles / sizeof *particles && verb; k++)
        if (strlen(particles[k]) == nn && eq_nocase(dash + 1, particles[k], nn)) verb = 0;
    if (!verb) return NULL;
    for (size_t k = 0; k < n; k++) name[k] = (char)lower((unsigned char)w[k]);
    name[n] = '\0';
    return &cmdlet;
}

/* PowerShell's call of a .NET type's static member in command position, [Name.Space.Type]::Member
 * ([System.Threading.Thread]::Sleep(5000), [IO.File]::ReadAllText(...)): no prose has it. The
 * namespace's dot keeps Rust's [T]::first and [u8]::len, which documentation quotes, apart. */
static const cmdword *ps_static(const char *w, size_t n, char name[24])
{
    static const cmdword member = {"[type]::", K_STRONG, F_PS};
    if (n < 7 || w[0] != '[' || !is_alpha((unsigned char)w[1])) return NULL;
    size_t k = 1, dots = 0;
    for (; k < n && (is_name((unsigned char)w[k]) || w[k] == '.'); k++) dots += w[k] == '.';
    if (!dots || k + 3 >= n || w[k] != ']' || w[k + 1] != ':' || w[k + 2] != ':' || !is_alpha((unsigned char)w[k + 3])) return NULL;
    memcpy(name, member.name, strlen(member.name) + 1);
    return &member;
}

/* System directories and files a command is pointed at only in an attack. */
static const char *const sensitive[] = {
    "/etc", "/bin/", "/sbin/", "/usr/bin/", "/dev/tcp/", "/dev/udp/", "/proc/", "/root", "/tmp/",
    "/var/log", "boot.ini", "win.ini", "system32", "windows\\", "windows/",
};

static int names_sensitive(const char *w, size_t n)
{
    for (size_t k = 0; k < sizeof sensitive / sizeof *sensitive; k++) {
        size_t m = strlen(sensitive[k]);
        for (size_t i = 0; i + m <= n; i++)
            if (eq_nocase(w + i, sensitive[k], m)) return 1;
    }
    return 0;
}

/* A word that names a place outside the current project: an absolute or home path, two steps
 * up, a drive, a UNC path, a URL, or a dotted address. */
static int path_like(const lexer *L, const tok *t)
{
    const char *w = L->buf, *raw = L->s + t->raw_start;
    size_t n = L->blen;
    if (w[0] == '/' || w[0] == '~' || raw[0] == '\\') return 1;
    /* ./x and ../x are a script's own files; two steps up is a climb */
    if (n >= 6 && memcmp(w, "../../", 6) == 0) return 1;
    if (n >= 2 && is_alpha((unsigned char)w[0]) && w[1] == ':' && (n == 2 || !is_alpha((unsigned char)w[2]) || raw[2] == '\\')) return 1;
    for (size_t k = 0; k + 2 < n && k < 8; k++)
        if (w[k] == ':' && w[k + 1] == '/' && w[k + 2] == '/') return 1;
    int dots = 0;
    for (size_t k = 0; k < n; k++) {
        if (w[k] == '.') {
            if (k == 0 || w[k - 1] == '.') return 0;    /* four numbers: 3.5.0. is a version */
            dots++;
        } else if (!is_digit((unsigned char)w[k])) {
            return 0;
        }
    }
    return dots == 3 && w[n - 1] != '.';
}

/* A host a network command is aimed at: a dotted IPv4 address, a URL, or a host name with a dot
 * and a top-level name of letters (google.com, ns1.example.net). */
static int address_like(const lexer *L, const tok *t)
{
    const char *w = L->buf;
    size_t n = L->blen;
    if (path_like(L, t)) return w[0] != '/' && w[0] != '~' && L->s[t->raw_start] != '\\';
    if (n == 9 && eq_nocase(w, "localhost", 9)) return 1;
    size_t dot = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char c = (unsigned char)w[k];
        if (c == '.') dot = k + 1;
        else if (!is_name(c) && c != '-') return 0;
    }
    if (dot < 2 || n - dot < 2) return 0;
    for (size_t k = dot; k < n; k++)
        if (!is_alpha((unsigned char)w[k])) return 0;
    return 1;
}

/* Whether w is one of the subcommands of the command named cmd (cmd's net, reg and route). */
static int subcommand(const char *cmd, const char *w, size_t n)
{
    static const char *const subs[][2] = {
        {"net", "user"}, {"net", "users"}, {"net", "localgroup"}, {"net", "group"}, {"net", "share"},
        {"net", "view"}, {"net", "use"}, {"net", "session"}, {"net", "accounts"}, {"net", "config"},
        {"reg", "query"}, {"reg", "add"}, {"reg", "delete"}, {"reg", "export"}, {"reg", "import"}, {"reg", "save"},
        {"route", "print"}, {"route", "add"}, {"route", "delete"},
    };
    for (size_t k = 0; k < sizeof subs / sizeof *subs; k++)
        if (strcmp(subs[k][0], cmd) == 0 && strlen(subs[k][1]) == n && eq_nocase(w, subs[k][1], n)) return 1;
    return 0;
}

/* The shape of a command's first argument: 1 when it reads as shell, 0 when as prose, -1 when
 * it is decided by the token after it: a number (sleep 5) or an option of a weak command (rm -rf
 * gh-pages in a build script is no attack; rm -rf / is). */
static int arg_shape(const lexer *L, const tok *t, const cmdword *c, int echo_ok, int code_ok)
{
    switch (t->type) {
    case T_END: case T_SEP: case T_CLOSE: case T_REDIR: return 1;
    case T_OPEN: return t->pts > 0 || (c->flags & F_PS) ? 1 : 0;
    default: break;
    }
    const char *w = L->buf;
    size_t n = L->blen;
    if (w[0] == '#') return 1;     /* # starts a comment: the command ends */
    /* a subcommand of the command's own (net user, reg query) is no word of prose after it */
    if ((c->flags & F_SUB) && subcommand(c->name, w, n)) return 1;
    /* an interpreter given its program on the command line: python -c, perl -e, php -r */
    if ((c->flags & F_CODE) && code_ok && n == 2 && w[0] == '-' && strchr("cerE", w[1])) return 1;
    if (n >= 2 && w[0] == '-' && (is_name((unsigned char)w[1]) || w[1] == '-')) return c->kind == K_WEAK ? -1 : 1;
    if (path_like(L, t)) return 1;
    if ((c->flags & F_NET) && address_like(L, t)) return 1;     /* curl example.com */
    if (w[0] == '{' && memchr(w, ',', n)) return 1;
    if ((c->flags & F_ECHO) && echo_ok) return 1;
    /* a cmdlet's one word ending its line where echo's argument counts (;Write-Output x,
     * | Get-Process notepad): a sentence goes on after the word it names (Set-Top box makers)
     * or ends it with its stop (export-ignore attribute.) */
    if ((c->flags & F_PS) && c->kind == K_WEAK && echo_ok && is_alpha((unsigned char)w[0]) && !strchr(".,:;!?", w[n - 1]))
        return -1;
    /* an expansion of cmd's %NAME% (echo %USERNAME%): neither prose nor other languages' code
     * write one (sh's $NAME is Perl's and PHP's variable too) */
    const char *raw = L->s + t->raw_start;
    if (t->expanded && t->raw_end - t->raw_start >= 3 && raw[0] == '%' && is_alpha((unsigned char)raw[1]))
        return 1;
    /* ps's own options, BSD style without a dash (ps aux, ps axjf): decided by what follows, as
     * "ps we love you" is a postscript */
    if ((c->flags & F_BSD) && n >= 1 && n <= 6) {
        size_t k = 0;
        while (k < n && w[k] && strchr("acefhjlmrsuvwxLST", w[k])) k++;
        if (k == n) return -1;
    }
    if (c->flags & F_NUM) {
        size_t k = 0;
        while (k < n && is_digit((unsigned char)w[k])) k++;
        if (k == n && n) return -1;
    }
    return 0;
}

/* One of expr's operators: + - * / % = != < <= > >= (the shell's own operators, | & < >, reach
 * it quoted or escaped only, and then read as words too). */
static int arith_op(const char *w, size_t n)
{
    if (n == 1) return strchr("+-*/%=<>|&:", w[0]) != NULL && w[0] != '\0';
    return n == 2 && w[1] == '=' && strchr("!<>=", w[0]) != NULL;
}

/* The rest of a simple command from s[i] on, up to its separator or the end: *prose counts its
 * words when all are words of prose (letters, with a trailing . , : ! or ?), else it is 0; *eq
 * is 1 when one of them is = alone (an equation: 5 * 3 = 15). Reads at most 256 bytes; a longer
 * rest counts as no prose. */
static void rest_of_line(const char *s, size_t n, size_t i, int *prose, int *eq)
{
    int words = 0, all = 1;
    *eq = 0;
    size_t end = i + 256 < n ? i + 256 : n;
    while (i < end) {
        while (i < end && is_blank((unsigned char)s[i])) i++;
        if (i >= end || strchr(";|&<>()`\n\r", s[i]) || s[i] == '\0') break;
        size_t st = i, letters = 0;
        while (i < end && !is_blank((unsigned char)s[i]) && !strchr(";|&<>()`\n\r", s[i]) && s[i] != '\0') {
            letters += is_alpha((unsigned char)s[i]);
            i++;
        }
        size_t m = i - st;
        if (m == 1 && s[st] == '=') *eq = 1;
        if (!(letters == m || (letters == m - 1 && letters && strchr(".,:!?", s[i - 1])))) all = 0;
        words++;
    }
    if (i >= end && end < n) all = 0;
    *prose = all ? words : 0;
}

/* A command found in command position, waiting for its first argument. */
typedef struct finding {
    const cmdword *c;
    int score;          /* separator and command word, so far */
    int at_start, loose, obf, num, glued, pipe;
    int capital;        /* a weak word with a capital (Ping, Type): a sentence's first word unless
                         * an option, a path or an address follows it */
    int lower_cmdlet;   /* a cmdlet not in PowerShell's capitals (export-ignore, Get-together): a
                         * compound word of prose too */
    int code_ok;        /* an inline program (python -c) counts: no command line came before
                         * the && or line break that put this command in position */
    int evidence;       /* 1 when the value broke out of its quote right before this command's
                         * separator, or ends the command line with a comment */
    int echo_ok;        /* echo's argument reads as shell: its output is run as the command (the
                         * first word of a substitution in command position), or the command
                         * follows the first separator of a value that was data before it */
    char name[24];
} finding;

static void settle(shellcmd_info *I, finding *f, int arg, int bonus)
{
    int score = f->score + arg + bonus + (f->obf ? 2 : 0) + f->evidence;
    if (score > I->score) {
        I->score = score;
        memcpy(I->command, f->name, sizeof I->command);
    }
    if (f->obf) I->obfuscated = 1;
    f->c = NULL;
    f->num = f->capital = 0;
}

/* Substitutions the outside reading found in an argument of a written script line (a command
 * line with options, in a value that chains command lines with && or ||): git tag -f
 * "v$(node -e ...)" in a package.json script. Kept by raw offset, so that the readings from
 * inside a quote, which see other words around the same bytes, judge them the same way. */
#define SCRIPT_SUBS 16
typedef struct script_subs {
    size_t at[SCRIPT_SUBS];
    int n;
    int record;     /* the outside reading of a value with && or || records; the others look up */
} script_subs;

static int script_sub(const script_subs *S, size_t at)
{
    for (int k = 0; k < S->n; k++)
        if (S->at[k] == at) return 1;
    return 0;
}

/* Whether a line's first word is w (a keyword of the shell's grammar). */
static int line_starts(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w), i = 0;
    while (i < n && is_blank((unsigned char)s[i])) i++;
    return n - i >= m && memcmp(s + i, w, m) == 0 && (n - i == m || !is_name((unsigned char)s[i + m]));
}

/* A value that is a shell program, not a payload: five lines or more with a closed control
 * structure (if..fi, do..done, case..esac) or a function definition (name() {), or a batch
 * file (@echo off). */
static int is_program(const char *in, size_t n)
{
    enum { IF = 1, FI = 2, DO = 4, DONE = 8, CASE = 16, ESAC = 32, FUNC = 64, BATCH = 128 };
    int lines = 1, seen = 0;
    for (size_t i = 0; i < n;) {
        const char *e = memchr(in + i, '\n', n - i);
        size_t len = e ? (size_t)(e - (in + i)) : n - i;
        const char *l = in + i;
        if (line_starts(l, len, "if")) seen |= IF;
        if (line_starts(l, len, "fi")) seen |= FI;
        if (line_starts(l, len, "do") || line_starts(l, len, "for") || line_starts(l, len, "while")) seen |= DO;
        if (line_starts(l, len, "done")) seen |= DONE;
        if (line_starts(l, len, "case")) seen |= CASE;
        if (line_starts(l, len, "esac")) seen |= ESAC;
        if (len >= 3 && memmem(l, len, "()", 2) && (l[len - 1] == '{' || l[len - 1] == ')')) seen |= FUNC;
        if (len >= 9 && eq_nocase(l, "@echo off", 9)) seen |= BATCH;     /* a batch file's first line */
        if (!e) break;
        lines++;
        i += len + 1;
    }
    return lines >= 5 && ((seen & (IF | FI)) == (IF | FI) || (seen & (DO | DONE)) == (DO | DONE) ||
                          (seen & (CASE | ESAC)) == (CASE | ESAC) || (seen & (FUNC | BATCH)));
}

/* Whether the bytes before at end in an assignment NAME= that starts a word (export
 * MESSAGE=$(...), version=$(...)): a script keeping a command's output. */
static int assignment_before(const char *in, size_t at)
{
    if (at < 2 || in[at - 1] != '=') return 0;
    size_t k = at - 1;
    while (k > 0 && is_name((unsigned char)in[k - 1])) k--;
    if (k == at - 1 || is_digit((unsigned char)in[k])) return 0;
    return k == 0 || is_blank((unsigned char)in[k - 1]) || in[k - 1] == '\n' || in[k - 1] == '(';
}

/* Where a value read from inside the quote q breaks out of it: the index of the separator or
 * substitution that follows its first closing quote (blanks and closing brackets between), as in
 * x'; id or x") | id, or SIZE_MAX. */
static size_t break_out(const char *in, size_t n, int q)
{
    size_t i = 0;
    while (i < n && in[i] != q) i += q == '"' && in[i] == '\\' ? 2 : 1;
    if (i >= n) return SIZE_MAX;
    for (i++; i < n && (is_blank((unsigned char)in[i]) || in[i] == ')'); i++) {}
    if (i >= n) return SIZE_MAX;
    char c = in[i], d = i + 1 < n ? in[i + 1] : 0;
    if (strchr(";|&\n\r`", c) || (c == '$' && d == '(') || (c == '\\' && (d == 'n' || d == 'r'))) return i;
    return SIZE_MAX;
}

/* Where the last line of a value starts when the value ends in a way that cuts off what an
 * application appends to the command: an empty comment (a # after a blank: x; id #, x'; id #')
 * or a trailing & or | (1 & echo X &, x | id |), which run the rest as a command of its own or
 * feed it the output; a quote and blanks may follow. Else SIZE_MAX. */
static size_t comment_tail(const char *in, size_t n)
{
    size_t e = n;
    while (e > 0 && is_blank((unsigned char)in[e - 1])) e--;
    if (e > 0 && (in[e - 1] == '\'' || in[e - 1] == '"')) e--;
    if (e < 2) return SIZE_MAX;
    int comment = in[e - 1] == '#' && is_blank((unsigned char)in[e - 2]);
    if (!comment && in[e - 1] != '&' && in[e - 1] != '|') return SIZE_MAX;
    size_t start = e;
    while (start > 0 && in[start - 1] != '\n' && in[start - 1] != '\r') start--;
    size_t b = start;
    while (b < e && is_blank((unsigned char)in[b])) b++;
    if (in[e - 1] == '|' && b < e - 1 && in[b] == '|') return SIZE_MAX;  /* | a Markdown table's row | */
    return start;
}

/* Where the value's first separator (a line break, also written \n, ; & && | ||) is, when what
 * comes before it is data, not words: one token of the bytes of numbers, addresses and names
 * with a digit in it or a closing quote or bracket at its end (1, 127.0.0.1, x', 1)), or nothing
 * (but a value that starts with | is a Markdown table's row). A command after it is appended to
 * a field's value (1\necho X, 1 && echo X); "Yes; echo that", "MSVC/Windows; print it",
 * "scale=2\nprint ..." and "Thanks,\necho ..." are not. Else SIZE_MAX. */
#define HEAD_UNREAD (SIZE_MAX - 1)
static size_t data_head(const char *in, size_t n)
{
    size_t i = 0;
    while (i < n && is_blank((unsigned char)in[i])) i++;
    size_t start = i, end = i;
    int digit = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\n' || c == '\r' || c == ';' || c == '&' || c == '|' ||
            (c == '\\' && i + 1 < n && (in[i + 1] == 'n' || in[i + 1] == 'r')))
            break;
        if (is_blank(c)) continue;
        if (end > start && is_blank((unsigned char)in[i - 1])) return SIZE_MAX;    /* a second word */
        if (c == '\0' || (!is_name(c) && !strchr(".@:/+-'\")]}", c))) return SIZE_MAX;
        digit |= is_digit(c);
        end = i + 1;
    }
    if (i >= n) return SIZE_MAX;
    if (end == start) return in[i] == '|' ? SIZE_MAX : i;
    if (strchr(",.:!?", in[end - 1])) return SIZE_MAX;     /* Compare:\n, Thanks,\n */
    /* a line break after a lone word: a field's value, then a line no sentence starts (alex\necho X) */
    int line = in[i] == '\n' || in[i] == '\r' || in[i] == '\\';
    return digit || line || strchr("'\")]}", in[end - 1]) ? i : SIZE_MAX;
}

/* One reading, starting in the quote state quote0. In a program every separator joins lines
 * of the program and every substitution is the program's own: only a rare command word
 * earns, and $((...)) and $IFS, which programs use to count and to split, are not strong. */
static void reading(const char *in, size_t n, int quote0, char *scratch, shellcmd_info *I, script_subs *S,
                    int program, size_t tail, size_t *head)
{
    /* the break-out and the comment tail are evidence of a command appended to data; a program
     * breaks out of nothing */
    size_t brk = quote0 && !program ? break_out(in, n, quote0) : SIZE_MAX;
    int pos_brk = 0;
    int words = 0, after_cmdline = 0;   /* words of the current simple command; whether a loose
                                         * separator followed a command line (a word and more) */
    lexer L = {in, n, 0, quote0, 0, 0, scratch, 0, NULL, 0};
    shvar vars[SHVARS];
    if (!program) L.vars = vars;    /* a program's variables are its own business */
    int cmdpos = 1, pos_pts = 0, pos_start = 1, pos_loose = 0, pos_pipe = 0, skip_word = 0;
    int pos_sep = 0;                /* the command position was given by a separator, no word since */
    int pos_echo = 0;               /* echo's argument counts there (finding.echo_ok) */
    int line_opt = 0;               /* the current simple command has an option after its command word */
    int depth = 0, script_depth = 0;    /* nesting of ( $( `; the depth a script's own substitution opened at */
    /* A network command at the start of the value whose words are only options, numbers and one
     * address, last: the whole value is a probe (ping -n 5 127.0.0.1, nslookup x.example.net) */
    int probe = 0, probe_addr = 0, probe_redir = 0;
    finding pf = {0};
    int seen_cmd = program;         /* a known command word came earlier in this reading */
    finding f = {0};
    char name[24];
    for (size_t guard = 0; guard <= n + 1; guard++) {
        tok t;
        size_t tok_at = L.i;
        next_token(&L, &t);
        if (t.type == T_WORD && !cmdpos && L.blen >= 2 && L.buf[0] == '-' && (is_name((unsigned char)L.buf[1]) || L.buf[1] == '-'))
            line_opt = 1;
        if (probe) {
            if (t.type == T_WORD && probe_redir) {
                probe_redir = 0;    /* >nul, 2>/dev/null: where the output goes */
            } else if (t.type == T_REDIR && probe_addr) {
                probe_redir = 1;
            } else if (t.type == T_WORD && !probe_addr && address_like(&L, &t)) {
                probe_addr = 1;
            } else if (t.type == T_WORD && !probe_addr && L.blen && (L.buf[0] == '-' || L.buf[0] == '+' || is_digit((unsigned char)L.buf[0]))) {
                size_t k = 1;       /* an option or a count: -n, -c, 5, -w 2, +short */
                while (k < L.blen && (is_name((unsigned char)L.buf[k]) || L.buf[k] == '-')) k++;
                if (k < L.blen) probe = 0;
            } else if (t.type == T_END || (t.type == T_SEP && (t.nul || !t.loose))) {
                /* the line ends at the address: the start of the value counts, and the address */
                if (probe_addr) settle(I, &pf, 1, 1);
                probe = 0;
            } else {
                probe = 0;
            }
        }
        if (f.c) {
            int a;
            if (f.num) {
                size_t k = 0;
                while (k < L.blen && is_digit((unsigned char)L.buf[k])) k++;
                /* sleep 5 #: a comment ends the command as a separator does; expr 7 + 6: an
                 * operator of expr's arithmetic */
                a = t.type != T_WORD || path_like(&L, &t) || (L.blen && k == L.blen) || (L.blen == 1 && L.buf[0] == '#') ||
                    ((f.c->flags & F_ARITH) && arith_op(L.buf, L.blen)) ||
                    /* an interpreter's program after one option of its own (perl -MIO -e, python -u -c) */
                    ((f.c->flags & F_CODE) && f.code_ok && L.blen == 2 && L.buf[0] == '-' && strchr("cerE", L.buf[1]));
            } else {
                /* echo X is an attack's probe after | or glued to its separator (;echo X),
                 * and an ordinary line of a script after "; " */
                a = arg_shape(&L, &t, f.c, !f.capital && !f.lower_cmdlet && (f.glued || f.pipe || f.echo_ok), f.code_ok);
            }
            if (a < 0) {
                f.num = 1;          /* decided by the token after this one */
                continue;
            }
            /* a capitalised word counts only with an argument of shell's (Ping -n 5 x, Type C:\x) */
            if (f.capital && (t.type != T_WORD || (L.blen && L.buf[0] == '#'))) a = 0;
            if (f.capital && !a) {
                f.c = NULL;         /* a sentence's first word: no finding */
                f.num = f.capital = 0;
            } else {
                if (f.at_start && !f.num && !t.nul && (t.type == T_END || t.type == T_SEP || t.type == T_CLOSE)) a = 0;
                int bonus = (t.type == T_WORD && names_sensitive(L.buf, L.blen)) || t.nul;
                /* a value that opens with a command line and goes on in words of prose is a
                 * sentence that names a command (nslookup example.com returns the A record), and
                 * expr's arithmetic with = is an equation (Expected result; expr 5 * 3 = 15);
                 * not when spelt in disguise or aimed at a system file. After a separator the
                 * words are what an injection appends, and bash takes them as arguments (good
                 * day; uname -a right now), whatever comes before it */
                if (a > 0 && t.type == T_WORD && !bonus && !f.glued && !f.obf && !f.evidence &&
                    !(f.c->flags & F_ECHO)) {
                    int prose, eq;
                    rest_of_line(in, n, L.i, &prose, &eq);
                    eq |= L.blen == 1 && L.buf[0] == '=';
                    if ((f.at_start && prose >= 2) || (eq && (f.c->flags & F_ARITH))) {
                        f.c = NULL;
                        f.num = f.capital = 0;
                        continue;
                    }
                }
                int prefix = (f.c->flags & F_PREFIX) && t.type == T_WORD;
                settle(I, &f, a, bonus);
                if (prefix) cmdpos = 1;     /* sudo CMD, xargs CMD: the next word is a command too */
            }
        }
        if (t.type == T_END) break;
        switch (t.type) {
        case T_SEP: {
            pos_brk = t.raw_start == brk;
            after_cmdline = t.loose && words >= 2;
            words = 0;
            cmdpos = 1; pos_pts = t.pts; pos_start = 0; pos_loose = t.loose || program || script_depth; pos_pipe = t.pipe; skip_word = 0;
            pos_sep = t.pts > 0;
            /* data_head is read once per value, at the first separator of its first reading */
            if (*head == HEAD_UNREAD) *head = program ? SIZE_MAX : data_head(in, n);
            pos_echo = t.raw_start == *head && !program && !script_depth;
            if (script_depth) seen_cmd = 1;
            line_opt = 0;
            break;
        }
        case T_OPEN: {
            /* blanks before the opening are not part of it */
            size_t at = tok_at;
            while (at < L.i && is_blank((unsigned char)in[at])) at++;
            if (t.pts > 0 && S->record && (line_opt || assignment_before(in, at)) && S->n < SCRIPT_SUBS) S->at[S->n++] = at;
            if (t.raw_start == brk) pos_brk = 1;     /* x'$(id) breaks out by a substitution */
            else if (!cmdpos) pos_brk = 0;  /* x'; $(id): the separator's break-out still holds */
            /* a substitution that stands in command position itself (;`echo id`, | $(echo id)):
             * its output is run as the command, so echo's argument is one; after the first
             * separator of a value that was data (1 ; `echo id`), a backtick after the
             * separator's blank takes the separator's position (elsewhere it may be a code span
             * of Markdown: a table's | `ls` |, a line's `HEAD`) */
            int run_out = cmdpos && pos_sep && t.subst;
            if (!(run_out && pos_echo && t.pts < pos_pts)) { pos_pts = t.pts; pos_loose = 0; }
            cmdpos = 1; pos_start = t.pts == 0 && pos_start; pos_pipe = 0; pos_sep = 0;
            pos_echo = run_out && !program;
            /* in an argument of a written script line the substitution is the script's own:
             * it earns what a line of a script earns (only a rare word counts) */
            depth++;
            if (t.pts > 0 && (program || script_sub(S, at))) {
                pos_pts = 0; pos_loose = 1; pos_echo = 0;
                if (!script_depth) script_depth = depth;   /* what it runs is the script's too */
            }
            line_opt = 0;
            break;
        }
        case T_CLOSE:
            cmdpos = 0;
            if (depth > 0 && depth-- == script_depth) script_depth = 0;
            break;
        case T_REDIR:
            skip_word = 1;          /* the file name after > is no command */
            break;
        case T_WORD: {
            words++;
            pos_sep = 0;
            if (skip_word) { skip_word = 0; break; }
            if (!cmdpos || L.blen == 0) break;     /* $u cat: the command is still to come */
            /* NAME=value before a command keeps the command position */
            if (is_alpha((unsigned char)L.buf[0]) || L.buf[0] == '_') {
                size_t k = 0;
                while (k < L.blen && is_name((unsigned char)L.buf[k])) k++;
                if (k < L.blen && L.buf[k] == '=') {
                    /* a=who;b=ami;$a$b: keep the value for the expansions that follow */
                    size_t vlen = L.blen - k - 1;
                    if (L.vars && k < sizeof vars[0].name && vlen <= SHVAR_LEN) {
                        int v = 0;
                        while (v < L.nvars && !(strlen(vars[v].name) == k && memcmp(vars[v].name, L.buf, k) == 0)) v++;
                        if (v < SHVARS) {
                            memcpy(vars[v].name, L.buf, k);
                            vars[v].name[k] = '\0';
                            memcpy(vars[v].val, L.buf + k + 1, vlen);
                            vars[v].len = vlen;
                            if (v == L.nvars) L.nvars++;
                        }
                    }
                    break;
                }
            }
            cmdpos = 0;
            int sys_path = 0;
            const cmdword *c = command_of(L.buf, L.blen, name, &sys_path);
            if (!c) {
                /* C:\x\cmd.exe: a Windows path, where the backslashes were no escapes */
                c = command_of(in + t.raw_start, t.raw_end - t.raw_start, name, &sys_path);
                t.obf = 0;
            }
            if (!c && (c = glob_command(L.buf, L.blen, name)) != NULL) t.obf = 1;
            int cmdlet = !c && (c = ps_cmdlet(L.buf, L.blen, name)) != NULL;
            /* a static member after a separator: a value that is one such call is a line of
             * PowerShell shown ([System.DateTime]::Now.ToString('yyyy')) */
            if (!c && !pos_start) c = ps_static(in + t.raw_start, t.raw_end - t.raw_start, name);
            if (!c) break;
            /* "Echo the words" opens a sentence; commands are written in lower case, but
             * cmdlets in capitals (Get-ChildItem), and cmd reads any case (; Type C:\x) */
            f.c = c;
            f.capital = t.capital && c->kind == K_WEAK && !t.obf && !sys_path && !cmdlet;
            f.lower_cmdlet = 0;
            /* Verb-Noun as PowerShell writes it (Write-Output, not Get-together), or in any case
             * glued to its separator (;write-output x), where prose puts a blank: PowerShell reads
             * a cmdlet's name without regard to case */
            if (cmdlet && !t.glued) {
                const char *dash = memchr(L.buf, '-', L.blen);
                f.lower_cmdlet = !t.capital || !dash || !(dash[1] >= 'A' && dash[1] <= 'Z');
            }
            /* && and line breaks join the lines of a script: after a first command, only a strong
             * word earns them; before any, they append a command to data (127.0.0.1\nid) */
            int kind = sys_path ? K_STRONG : c->kind;
            f.score = (pos_loose && kind == K_WEAK && seen_cmd ? 0 : pos_pts) + kind;
            if (!f.capital) seen_cmd = 1;
            f.at_start = pos_start;
            if (pos_start && (c->flags & F_NET) && !t.capital) {
                probe = 1;
                probe_addr = probe_redir = 0;
                pf = (finding){.c = c, .score = kind, .at_start = 1, .obf = t.obf};
                memcpy(pf.name, name, sizeof pf.name);
            }
            f.loose = pos_loose;
            /* npm test && node -e "...": a line of a script, not code appended to data */
            f.code_ok = !(pos_loose && after_cmdline);
            f.evidence = pos_brk || (t.raw_start >= tail && !program);
            f.obf = t.obf;
            f.glued = t.glued;
            f.pipe = pos_pipe;
            f.echo_ok = pos_echo;
            memcpy(f.name, name, sizeof f.name);
            /* {cat,/etc/passwd}: the brace holds the command's arguments too, and spares the
             * spaces an injection may not carry */
            const char *arg = L.buf[0] == '{' ? memchr(L.buf, ',', L.blen) : NULL;
            if (arg) {
                f.obf = 1;
                size_t an = L.blen - (size_t)(++arg - L.buf);
                int a = an && (arg[0] == '/' || arg[0] == '-' || arg[0] == '~');
                settle(I, &f, a, a && names_sensitive(arg, an));
            }
            break;
        }
        default:
            break;
        }
    }
    if (L.strong && !program) I->strong = 1;
    S->record = 0;
}


/* ---- Windows cmd control statements: FOR ... IN (...) DO and IF conditions ---- */

static size_t skip_blanks(const char *s, size_t n, size_t i)
{
    while (i < n && is_blank((unsigned char)s[i])) i++;
    return i;
}

/* The keyword w (lower case) at i, case-insensitive, not followed by a name character. */
static int kw_at(const char *s, size_t n, size_t i, const char *w)
{
    size_t m = strlen(w);
    return n - i >= m && eq_nocase(s + i, w, m) && (i + m == n || !is_name((unsigned char)s[i + m]));
}

/* An operand of IF: a quoted string, a bracketed word ((x) [x] {x}) or a run of non-blank bytes
 * that stops before "==". Returns the index past it, or i when there is none. *var is set when
 * it holds a %variable% or !variable!. */
static size_t if_operand(const char *s, size_t n, size_t i, int *var)
{
    if (i >= n) return i;
    size_t j = i;
    char close = s[i] == '"' ? '"' : s[i] == '(' ? ')' : s[i] == '[' ? ']' : s[i] == '{' ? '}' : 0;
    if (close) {
        for (j = i + 1; j < n && s[j] != close; j++) {}
        if (j >= n) return i;
        j++;
    } else {
        while (j < n && !is_blank((unsigned char)s[j]) && s[j] != '\n' && !(s[j] == '=' && j + 1 < n && s[j + 1] == '=')) j++;
    }
    for (size_t k = i; k < j; k++)
        if (s[k] == '%' || s[k] == '!') *var = 1;
    return j;
}

/* FOR [/D /R path /L /F "options"] %x IN (set) DO command: 1 when it is one. */
static int cmd_for(const char *s, size_t n, size_t i)
{
    i = skip_blanks(s, n, i + 3);
    for (int k = 0; k < 8 && i + 1 < n && s[i] == '/'; k++) {
        int opt = lower((unsigned char)s[i + 1]);
        i = skip_blanks(s, n, i + 2);
        if (opt == 'f' && i < n && s[i] == '"') {
            const char *q = memchr(s + i + 1, '"', n - i - 1);
            if (!q) return 0;
            i = skip_blanks(s, n, (size_t)(q - s) + 1);
        } else if (opt == 'r' && i < n && s[i] != '%') {
            while (i < n && !is_blank((unsigned char)s[i])) i++;
            i = skip_blanks(s, n, i);
        }
    }
    if (i >= n || s[i] != '%') return 0;
    i += i + 1 < n && s[i + 1] == '%' ? 2 : 1;
    if (i >= n || is_blank((unsigned char)s[i])) return 0;     /* the loop variable: %a, %%G, %variable */
    while (i < n && !is_blank((unsigned char)s[i])) i++;
    i = skip_blanks(s, n, i);
    if (!kw_at(s, n, i, "in")) return 0;
    i = skip_blanks(s, n, i + 2);
    if (i >= n || s[i] != '(') return 0;
    const char *c = memchr(s + i, ')', n - i);
    if (!c) return 0;
    i = skip_blanks(s, n, (size_t)(c - s) + 1);
    return kw_at(s, n, i, "do");
}

/* IF [/I] [NOT] EXIST x | DEFINED x | ERRORLEVEL n | CMDEXTVERSION n | a==b | a EQU b ... then a
 * command: 1 when it has a mark of cmd (/I, EXIST, DEFINED, ERRORLEVEL, a comparison word, a
 * %variable%) or a == comparison followed by a command. */
static int cmd_if(const char *s, size_t n, size_t i)
{
    int mark = 0, var = 0;
    i += 2;
    if (i < n && s[i] == '/') {
        if (i + 1 < n && lower((unsigned char)s[i + 1]) == 'i' && (i + 2 == n || !is_name((unsigned char)s[i + 2]))) { mark = 1; i += 2; }
        else return 0;
    } else if (i >= n || !is_blank((unsigned char)s[i])) {
        return 0;
    }
    i = skip_blanks(s, n, i);
    if (i + 1 < n && s[i] == '/' && lower((unsigned char)s[i + 1]) == 'i') { mark = 1; i = skip_blanks(s, n, i + 2); }
    if (kw_at(s, n, i, "not")) i = skip_blanks(s, n, i + 3);
    static const char *const tests[] = {"exist", "defined", "errorlevel", "cmdextversion"};
    for (size_t k = 0; k < sizeof tests / sizeof *tests; k++)
        if (kw_at(s, n, i, tests[k])) {
            size_t j = skip_blanks(s, n, i + strlen(tests[k]));
            if (j >= n || strchr(",.;:", s[j])) return 0;      /* "if not defined, ..." is prose */
            size_t e = if_operand(s, n, j, &var);
            return e > j;
        }
    size_t e = if_operand(s, n, i, &var);
    if (e == i) return 0;
    i = skip_blanks(s, n, e);
    int eq = i + 1 < n && s[i] == '=' && s[i + 1] == '=';
    static const char *const cmp[] = {"equ", "neq", "lss", "leq", "gtr", "geq"};
    int word = 0;
    for (size_t k = 0; k < sizeof cmp / sizeof *cmp && !eq; k++)
        if (kw_at(s, n, i, cmp[k])) word = 1;
    if (!eq && !word) return 0;
    i = skip_blanks(s, n, i + (eq ? 2 : 3));
    size_t e2 = if_operand(s, n, i, &var);
    if (e2 == i || s[e2 - 1] == ':') return 0;      /* Python's if a == b: is no batch line */
    size_t rest = skip_blanks(s, n, e2);
    return mark || word || var || (rest < n && s[rest] != '\n');
}

/* FOR and IF statements of cmd in command position: at the start of the value (after an @) or
 * after & | ( or a line break. Returns 3 (a verdict) for one, else 0. "If" with a capital and
 * small letters opens a sentence and is skipped; "For" is not, its grammar is no prose. */
static int cmd_control(const char *s, size_t n)
{
    int pos = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&' || c == '|' || c == '(' || c == '\n' || c == '\r') { pos = 1; continue; }
        if (is_blank(c) || (c == '@' && pos)) continue;
        /* For with a capital too: the %x IN (set) DO that must follow is no sentence */
        if (pos && (c == 'f' || c == 'F') && kw_at(s, n, i, "for") && cmd_for(s, n, i)) return 3;
        if (pos && (c == 'i' || c == 'I') && !(c == 'I' && i + 1 < n && s[i + 1] == 'f') && n - i >= 2 && lower((unsigned char)s[i + 1]) == 'f' && cmd_if(s, n, i)) return 3;
        pos = 0;
    }
    return 0;
}

/* A value that is, as a whole, one short command line: a known command word in small letters
 * (or a path to one), then one to five arguments that are all shell's, none a word of prose:
 * options (-la, --all, /all), absolute paths and addresses, %VARIABLES%, a number where the
 * command takes one (sleep 5, timeout /t 5, kill -9 42, expr 7 + 6), ps's own option letters
 * (ps aux), net's and reg's subcommands. Such a value is a command, not data (sleep 5, ls -la,
 * whoami /all); "sleep 8 hours", "cat food", "more 10" and a lone "whoami" are not. Returns
 * the points it earns (the word's, 1 for its arguments, 1 for the whole value), else 0. */
#define WHOLE_MAX 128
static int whole_line(const char *in, size_t n, char name[24])
{
    while (n && is_blank((unsigned char)in[n - 1])) n--;
    size_t i = 0;
    while (i < n && is_blank((unsigned char)in[i])) i++;
    if (n - i > WHOLE_MAX || i >= n || !((in[i] >= 'a' && in[i] <= 'z') || in[i] == '/')) return 0;
    size_t k = i;
    while (k < n && !is_blank((unsigned char)in[k])) k++;
    if (k >= n) return 0;
    /* before the look-up, what a cheap scan refuses: a byte of quotes or operators, more than five
     * arguments, or only words of letters after a command word longer than ps's, net's and reg's */
    int nargs = 0, mark = 0;
    for (size_t j = k; j < n; j++) {
        unsigned char b = (unsigned char)in[j];
        if (is_blank(b)) continue;
        if (b == '\0' || (!is_name(b) && !strchr("-./\\:%~+*=,", b))) return 0;
        if (is_blank((unsigned char)in[j - 1])) {
            if (++nargs > 5) return 0;
            mark |= !is_alpha(b) || (j + 2 < n && in[j + 1] == ':' && in[j + 2] == '\\');
        }
    }
    if (!mark && k - i > 3) return 0;
    int sys_path = 0;
    const cmdword *c = command_of(in + i, k - i, name, &sys_path);
    if (!c) return 0;
    /* the scan above has refused quotes and operators (the reader's) and a sixth argument */
    int shaped = 0, opt = 0;
    while (k < n) {
        while (k < n && is_blank((unsigned char)in[k])) k++;
        size_t w = k;
        while (k < n && !is_blank((unsigned char)in[k])) k++;
        const char *a = in + w;
        size_t m = k - w, d = 0;
        for (size_t j = 0; j < m; j++) d += is_digit((unsigned char)a[j]);
        if (d == m) {                       /* a number: a count, a time, a process */
            if (!(c->flags & (F_NUM | F_ARITH)) && !opt) return 0;
            continue;
        }
        if (m >= 2 && a[0] == '-' && (is_name((unsigned char)a[1]) || a[1] == '-')) { opt = shaped = 1; continue; }
        if (a[0] == '/' || a[0] == '~' || (a[0] == '\\' && m >= 3 && a[1] == '\\') || (m >= 3 && is_alpha((unsigned char)a[0]) && a[1] == ':' && a[2] == '\\')) {
            opt = shaped = 1;               /* an absolute path, a switch of cmd (/all, /t) */
            continue;
        }
        if (m >= 3 && a[0] == '%' && a[m - 1] == '%' && is_alpha((unsigned char)a[1])) { shaped = 1; continue; }
        if ((c->flags & F_ARITH) && arith_op(a, m)) {
            if (m == 1 && a[0] == '=') return 0;    /* an equation: expr 5 * 3 = 15 */
            continue;
        }
        if ((c->flags & F_SUB) && subcommand(c->name, a, m)) { shaped = 1; continue; }
        if (c->flags & F_BSD) {
            size_t j = 0;
            while (j < m && j < 6 && strchr("acefhjlmrsuvwxLST", a[j])) j++;    /* no NUL: refused above */
            if (j == m) { shaped = 1; continue; }
        }
        int dots = 0, ok = 1;           /* a dotted address: 127.0.0.1 */
        for (size_t j = 0; j < m && ok; j++) {
            if (a[j] == '.') dots++;
            else ok = is_digit((unsigned char)a[j]);
        }
        if (ok && dots == 3 && d >= 4) { shaped = 1; continue; }
        return 0;                       /* a word: prose or a script's own name */
    }
    /* a number alone: the time of sleep and timeout, expr's arithmetic; ping 5 has no address */
    if (!shaped && (!(c->flags & (F_NUM | F_ARITH)) || (c->flags & F_NET))) return 0;
    return (sys_path ? K_STRONG : c->kind) + 2;
}

/* net_first[c]: 1 when a network command's name begins with byte c; built once from commands[]. */
static unsigned char net_first[256];
static pthread_once_t net_first_once = PTHREAD_ONCE_INIT;
static void net_first_build(void)
{
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (commands[k].flags & F_NET) net_first[(unsigned char)commands[k].name[0]] = 1;
}

int shellcmd_probe_start(const char *in, size_t n)
{
    size_t i = 0, k, last;
    char name[24];
    int sys_path;
    while (i < n && is_blank((unsigned char)in[i])) i++;
    if (i == n) return 0;
    int first = lower((unsigned char)in[i]);
    /* FOR and IF of cmd at the start need no shell byte either (if exist x.port echo yay) */
    if ((first == 'f' || first == 'i') && n - i >= 3 &&
        (kw_at(in, n, i, "for") || kw_at(in, n, i, "if") || (eq_nocase(in + i, "if/", 3)))) return 1;
    if (in[i] < 'a' || in[i] > 'z') return 0;
    for (k = i, last = i; k < n && k - i < 24 && !is_blank((unsigned char)in[k]); k++)
        if (in[k] == '/' || in[k] == '\\') last = k + 1;
    if (k >= n || !is_blank((unsigned char)in[k]) || last == k) return 0;
    /* command_of names the word after its last slash, in lower case, and only a network command
     * answers yes here: most words skip the look-up. Other commands answer through the
     * whole-value reading below, which refuses most values with a scan before its own look-up. */
    pthread_once(&net_first_once, net_first_build);
    if (net_first[lower((unsigned char)in[last])]) {
        const cmdword *c = command_of(in + i, k - i, name, &sys_path);
        if (c && (c->flags & F_NET)) return 1;
    }
    /* a whole value that is one short command line (sleep 5, ls -la); most values are refused
     * before its command look-up */
    return whole_line(in, n, name) > 0;
}

int shellcmd_detect(const char *in, size_t n, char *scratch, shellcmd_info *info)
{
    shellcmd_info I;
    memset(&I, 0, sizeof I);
    /* only a value that chains command lines with && or || is read as a script */
    script_subs S = {{0}, 0, memmem(in, n, "&&", 2) != NULL || memmem(in, n, "||", 2) != NULL};
    int program = is_program(in, n);
    size_t tail = comment_tail(in, n);
    size_t head = HEAD_UNREAD;
    reading(in, n, 0, scratch, &I, &S, program, tail, &head);
    if (memchr(in, '\'', n)) reading(in, n, '\'', scratch, &I, &S, program, tail, &head);
    if (memchr(in, '"', n)) reading(in, n, '"', scratch, &I, &S, program, tail, &head);
    char name[24];
    int whole = I.score < SHELLCMD_THRESHOLD ? whole_line(in, n, name) : 0;
    if (whole > I.score) {
        I.score = whole;
        memcpy(I.command, name, sizeof name);
    }
    if (I.score < SHELLCMD_THRESHOLD && !program && cmd_control(in, n)) {
        I.score = SHELLCMD_THRESHOLD;
        memcpy(I.command, "cmd", 4);
    }
    if (info) *info = I;
    return I.score >= SHELLCMD_THRESHOLD || I.strong;
}
