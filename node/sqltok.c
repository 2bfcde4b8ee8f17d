/* sqltok.c -- a tokenizer of SQL as it appears injected into a value (MySQL, PostgreSQL, MSSQL,
 * Oracle, SQLite), token folding into a fingerprint, and a grammar of injected SQL over it. */
#include <stdlib.h>
#include <string.h>
#include "sqltok.h"

/* ---- vocabulary (data) ---- */

enum { W_FN = 1, W_POSTFIX = 2, W_ARITH = 4, W_OBJ = 8 };

typedef struct word { const char *w; char type; unsigned char flags; } word;

/* Sorted by word, for bsearch. type: the token type the word reads as ('b' for a name that only
 * carries flags). W_FN: a function injections call (a call of it is strong evidence); W_OBJ: an
 * object a DDL statement names; W_POSTFIX: an operator after its operand; W_ARITH: arithmetic. */
static const word vocab[] = {
    {"all", 'k', 0}, {"alter", 'E', 0}, {"and", '&', 0}, {"as", 'k', 0}, {"ascii", 'b', W_FN},
    {"benchmark", 'b', W_FN}, {"between", 'o', 0}, {"bin", 'b', W_FN}, {"by", 'k', 0},
    {"case", 'k', 0}, {"cast", 'b', W_FN}, {"char", 'b', W_FN}, {"char_length", 'b', W_FN},
    {"chr", 'b', W_FN}, {"coalesce", 'b', W_FN}, {"collate", 'k', 0}, {"column", 'k', W_OBJ},
    {"concat", 'b', W_FN}, {"concat_ws", 'b', W_FN}, {"conv", 'b', W_FN}, {"convert", 'b', W_FN},
    {"count", 'b', W_FN}, {"create", 'E', 0}, {"current_user", 'b', W_FN}, {"database", 'b', W_FN | W_OBJ},
    {"db_name", 'b', W_FN}, {"declare", 'E', 0}, {"delay", 'k', 0}, {"delete", 'E', 0},
    {"distinct", 'k', 0}, {"div", 'o', W_ARITH}, {"drop", 'E', 0}, {"dumpfile", 'k', 0},
    {"else", 'k', 0}, {"elt", 'b', W_FN}, {"end", 'k', 0}, {"exec", 'E', 0}, {"execute", 'E', 0},
    {"exists", 'b', W_FN}, {"extractvalue", 'b', W_FN}, {"false", 'n', 0}, {"floor", 'b', W_FN},
    {"from", 'k', 0}, {"function", 'k', W_OBJ}, {"glob", 'o', 0}, {"grant", 'E', 0},
    {"group", 'k', 0}, {"group_concat", 'b', W_FN}, {"having", 'B', 0}, {"hex", 'b', W_FN},
    {"if", 'b', W_FN}, {"ifnull", 'b', W_FN}, {"iif", 'b', W_FN}, {"ilike", 'o', 0}, {"in", 'o', 0},
    {"index", 'k', W_OBJ}, {"insert", 'E', 0}, {"instr", 'b', W_FN}, {"into", 'k', 0},
    {"is", 'o', 0}, {"isnull", 'o', W_POSTFIX}, {"json_extract", 'b', W_FN}, {"json_keys", 'b', W_FN},
    {"left", 'b', W_FN}, {"len", 'b', W_FN}, {"length", 'b', W_FN}, {"like", 'o', 0},
    {"limit", 'B', 0}, {"load_file", 'b', W_FN}, {"login", 'k', W_OBJ}, {"lower", 'b', W_FN},
    {"make_set", 'b', W_FN}, {"md5", 'b', W_FN}, {"mid", 'b', W_FN}, {"mod", 'o', W_ARITH},
    {"not", 'o', 0}, {"notnull", 'o', W_POSTFIX}, {"null", 'n', 0}, {"nullif", 'b', W_FN},
    {"offset", 'B', 0}, {"on", 'k', 0}, {"or", '&', 0}, {"ord", 'b', W_FN}, {"order", 'k', 0},
    {"outfile", 'k', 0}, {"pg_sleep", 'b', W_FN}, {"position", 'b', W_FN}, {"procedure", 'B', W_OBJ},
    {"rand", 'b', W_FN}, {"randomblob", 'b', W_FN}, {"regexp", 'o', 0}, {"repeat", 'b', W_FN},
    {"replace", 'b', W_FN}, {"reverse", 'b', W_FN}, {"revoke", 'E', 0}, {"right", 'b', W_FN},
    {"rlike", 'o', 0}, {"role", 'k', W_OBJ}, {"schema", 'b', W_FN | W_OBJ}, {"select", 'E', 0},
    {"sequence", 'k', W_OBJ}, {"set", 'k', 0}, {"sha1", 'b', W_FN}, {"shutdown", 'E', 0},
    {"similar", 'o', 0}, {"sleep", 'b', W_FN}, {"sounds", 'b', 0}, {"strcmp", 'b', W_FN},
    {"substr", 'b', W_FN}, {"substring", 'b', W_FN}, {"sys_context", 'b', W_FN},
    {"system_user", 'b', W_FN}, {"table", 'k', W_OBJ}, {"then", 'k', 0}, {"to", 'k', 0}, {"top", 'k', 0},
    {"trigger", 'k', W_OBJ}, {"true", 'n', 0}, {"truncate", 'E', 0}, {"unhex", 'b', W_FN},
    {"union", 'U', 0}, {"update", 'E', 0}, {"updatexml", 'b', W_FN}, {"upper", 'b', W_FN},
    {"user", 'b', W_FN | W_OBJ}, {"values", 'k', 0}, {"version", 'b', W_FN}, {"view", 'k', W_OBJ},
    {"waitfor", 'E', 0}, {"when", 'k', 0}, {"where", 'k', 0}, {"xmltype", 'b', W_FN},
    {"xor", '&', 0},
};

/* Symbol operators, longest first. "||" and "&&" are logic (MySQL's reading); "::" a cast. */
static const char *const symbols[] = {
    "<=>", "->>", "<=", ">=", "<>", "!=", "==", ":=", "||", "&&", "<<", ">>", "!<", "!>", "->", "::",
    "=", "<", ">", "+", "-", "*", "/", "%", "^", "|", "&", "~", "!",
};

/* ---- tokens ---- */

/* Tokens read per reading at most, folded or not: the work on a padded value stays bounded. */
#define RAW_MAX (8 * SQLTOK_FP_MAX)

enum { T_KNOWN = 1, T_OPEN = 2 };   /* token flags besides the word flags (shifted) */

typedef struct tok {
    char type;
    unsigned char wflags;   /* W_* of a vocabulary word */
    unsigned char flags;    /* T_KNOWN: a vocabulary word; T_OPEN: a string that runs to the end */
    const char *s;          /* the token as written */
    size_t len;
} tok;

typedef struct reader {
    const char *s;
    size_t n, i;
    int versioned;          /* inside MySQL's slash-star-bang comment: its end is a blank */
    int drop_name;          /* after COLLATE or ::, the next name is dropped */
    tok t[SQLTOK_FP_MAX];
    int nt, raw;            /* folded tokens kept, tokens read */
    int done;               /* a comment ended the rest, or the fingerprint is full */
} reader;

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }
static int is_name(int c) { return (lower(c) >= 'a' && lower(c) <= 'z') || is_digit(c) || c == '_' || c == '$' || c >= 0x80; }
static int is_blank(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' || c == 0; }

static int eq_nocase(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

static int cmp_word(const void *k, const void *e) { return strcmp(k, ((const word *)e)->w); }

static const word *lookup(const char *s, size_t len)
{
    char w[24];
    if (len < 2 || len > 16) return NULL;     /* the vocabulary's words are 2 to 16 letters */
    for (size_t i = 0; i < len; i++) w[i] = (char)lower((unsigned char)s[i]);
    w[len] = '\0';
    return bsearch(w, vocab, sizeof vocab / sizeof *vocab, sizeof *vocab, cmp_word);
}

static int tok_is(const tok *t, const char *w)
{
    size_t n = strlen(w);
    if (t->len != n) return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)t->s[i]) != w[i]) return 0;
    return 1;
}

static int is_sym(const tok *t, const char *sym) { return t->type != 's' && t->len == strlen(sym) && memcmp(t->s, sym, t->len) == 0; }

/* Operators of arithmetic, whose NUMBER op NUMBER folds into a number. */
static int arith(const tok *t)
{
    if (t->type != 'o') return 0;
    if (t->wflags & W_ARITH) return 1;
    static const char *const a[] = {"+", "-", "*", "/", "%", "^", "|", "&", "<<", ">>"};
    for (size_t i = 0; i < sizeof a / sizeof *a; i++)
        if (is_sym(t, a[i])) return 1;
    return 0;
}

/* Types after which a sign or NOT is unary. */
static int before_operand(char type) { return strchr("o&(,EkBU;", type) != NULL; }

/* Adds one token, folding it into what came before. */
static void push(reader *R, tok t)
{
    if (R->done) return;
    if (++R->raw >= RAW_MAX) R->done = 1;   /* folding may drop tokens without end: 1+1+1... */
    tok *p = R->nt ? &R->t[R->nt - 1] : NULL;
    if (R->drop_name && strchr("bkfnsEU", t.type)) { R->drop_name = 0; return; }
    R->drop_name = 0;
    if ((t.type == 'k' && tok_is(&t, "collate")) || is_sym(&t, "::")) { R->drop_name = 1; return; }
    if (p && p->type == 'U' && (tok_is(&t, "all") || tok_is(&t, "distinct"))) return;
    if (p && p->type == 'k' && (tok_is(p, "order") || tok_is(p, "group")) && tok_is(&t, "by")) { p->type = 'B'; return; }
    if (p && p->type == 'k' && tok_is(p, "into") && (tok_is(&t, "outfile") || tok_is(&t, "dumpfile"))) { p->type = 'B'; return; }
    if (p && p->type == 'b' && tok_is(p, "sounds") && tok_is(&t, "like")) { p->type = 'o'; return; }
    /* NOT before an operator word is part of it (NOT LIKE, IS NOT); otherwise it is unary. */
    if (p && p->type == 'o' && tok_is(p, "not")) {
        if (t.type == 'o' && !is_sym(&t, "!") && !is_sym(&t, "-") && !is_sym(&t, "+") && !is_sym(&t, "~")) { *p = t; return; }
        R->nt--;
        p = R->nt ? &R->t[R->nt - 1] : NULL;
    }
    if (t.type == 'o' && tok_is(&t, "not")) {
        if (p && p->type == 'o' && tok_is(p, "is")) return;          /* IS NOT is IS */
        R->t[R->nt++] = t;
        if (R->nt == SQLTOK_FP_MAX) R->done = 1;
        return;
    }
    if (t.type == 'o' && (!p || before_operand(p->type)) &&
        (is_sym(&t, "-") || is_sym(&t, "+") || is_sym(&t, "~") || is_sym(&t, "!")))
        return;                                                       /* a unary sign */
    if (t.type == 'n' && p && arith(p) && R->nt >= 2 && R->t[R->nt - 2].type == 'n') { R->nt--; return; }
    R->t[R->nt++] = t;
    if (R->nt == SQLTOK_FP_MAX || t.type == 'c') R->done = 1;
}

/* Index just past a string opened by quote q at i (q at s[i]), honouring doubled quotes and, with
 * esc, backslash escapes; *open set when it runs to the end. */
static size_t string_end(const char *s, size_t n, size_t i, char q, int esc, int *open)
{
    size_t k = i + 1;
    *open = 0;
    while (k < n) {
        if (esc && s[k] == '\\' && k + 1 < n) { k += 2; continue; }
        if (s[k] == q) {
            if (k + 1 < n && s[k + 1] == q) { k += 2; continue; }
            return k + 1;
        }
        k++;
    }
    *open = 1;
    return n;
}

static void push_string(reader *R, size_t a, size_t b, int open, char type)
{
    tok t = {type, 0, (unsigned char)(open ? T_OPEN : 0), R->s + a, b - a};
    push(R, t);
}

/* Index of the next token's first byte after blanks and closed inline comments. */
static size_t skip_blanks(reader *R, size_t i)
{
    const char *s = R->s;
    size_t n = R->n;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (is_blank(c)) { i++; continue; }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            if (i + 2 < n && s[i + 2] == '!') {             /* versioned: the text is code */
                i += 3;
                while (i < n && is_digit((unsigned char)s[i])) i++;
                R->versioned = 1;
                continue;
            }
            const char *e = NULL;
            for (size_t k = i + 2; k + 1 < n; k++)
                if (s[k] == '*' && s[k + 1] == '/') { e = s + k; break; }
            if (!e) return i;                               /* unclosed: a comment token */
            i = (size_t)(e - s) + 2;
            continue;
        }
        if (R->versioned && c == '*' && i + 1 < n && s[i + 1] == '/') { R->versioned = 0; i += 2; continue; }
        break;
    }
    return i;
}

/* Reads the next token at R->i (after blanks); returns 0 at the end. */
static int next_token(reader *R)
{
    const char *s = R->s;
    size_t n = R->n, i = skip_blanks(R, R->i);
    if (i >= n) { R->i = n; return 0; }
    unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
    int open;
    size_t e;
    /* comments that end the rest */
    if (c == '#' || (c == '-' && d == '-' && !(i + 2 < n && is_digit((unsigned char)s[i + 2]))) ||
        (c == '/' && d == '*')) {
        push(R, (tok){'c', 0, 0, s + i, n - i});
        R->i = n;
        return 1;
    }
    if (c == '\'' || c == '"') {
        e = string_end(s, n, i, (char)c, 1, &open);
        push_string(R, i, e, open, 's');
        R->i = e;
        return 1;
    }
    if (c == '`' || c == '[') {                             /* quoted identifiers */
        char q = c == '`' ? '`' : ']';
        e = i + 1;
        while (e < n && s[e] != q) e++;
        push(R, (tok){'b', 0, 0, s + i, (e < n ? e + 1 : n) - i});
        R->i = e < n ? e + 1 : n;
        return 1;
    }
    if (c == '@') {
        e = i + 1;
        if (e < n && s[e] == '@') e++;
        if (e < n && (s[e] == '\'' || s[e] == '"' || s[e] == '`')) e = string_end(s, n, e, s[e], 1, &open);
        else while (e < n && (is_name((unsigned char)s[e]) || s[e] == '.')) e++;
        push(R, (tok){(char)(e > i + 1 && !(e == i + 2 && s[i + 1] == '@') ? 'v' : 'x'), 0, 0, s + i, e - i});
        R->i = e;
        return 1;
    }
    if (c == '$' && (d == '$' || (lower(d) >= 'a' && lower(d) <= 'z'))) { /* PostgreSQL $tag$...$tag$ */
        e = i + 1;
        while (e < n && (is_name((unsigned char)s[e]) && s[e] != '$')) e++;
        if (e < n && s[e] == '$') {
            size_t tl = e + 1 - i, k = e + 1;
            while (k + tl <= n && memcmp(s + k, s + i, tl) != 0) k++;
            size_t end = k + tl <= n ? k + tl : n;
            push_string(R, i, end, k + tl > n, 's');
            R->i = end;
            return 1;
        }
    }
    if (is_digit(c) || (c == '.' && is_digit(d))) {
        e = i;
        if (c == '0' && (lower(d) == 'x' || lower(d) == 'b') && i + 2 < n && is_hex((unsigned char)s[i + 2])) {
            e = i + 2;
            while (e < n && is_hex((unsigned char)s[e])) e++;
        } else {
            while (e < n && is_digit((unsigned char)s[e])) e++;
            if (e < n && s[e] == '.') { e++; while (e < n && is_digit((unsigned char)s[e])) e++; }
            if (e < n && lower(s[e]) == 'e') {
                size_t k = e + 1;
                if (k < n && (s[k] == '+' || s[k] == '-')) k++;
                if (k < n && is_digit((unsigned char)s[k])) { e = k; while (e < n && is_digit((unsigned char)s[e])) e++; }
            }
        }
        /* 1union is a number and a keyword; 2nd or 1abc is a name */
        if (e < n && is_name((unsigned char)s[e])) {
            size_t w = e;
            while (w < n && is_name((unsigned char)s[w])) w++;
            const word *kw = lookup(s + e, w - e);
            if (!kw || kw->type == 'b' || kw->type == 'k' || kw->type == 'n') {
                push(R, (tok){'b', 0, 0, s + i, w - i});
                R->i = w;
                return 1;
            }
        }
        push(R, (tok){'n', 0, 0, s + i, e - i});
        R->i = e;
        return 1;
    }
    if (is_name(c)) {
        /* x'1f' b'01' are numbers, N'..' E'..' strings */
        if (d == '\'' && strchr("xXbBnNeE", c)) {
            e = string_end(s, n, i + 1, '\'', lower(c) == 'e', &open);
            push_string(R, i, e, open, lower(c) == 'x' || lower(c) == 'b' ? 'n' : 's');
            R->i = e;
            return 1;
        }
        e = i;
        while (e < n && (is_name((unsigned char)s[e]) ||
                         (s[e] == '.' && e + 1 < n && (is_name((unsigned char)s[e + 1]) || s[e + 1] == '.'))))
            e++;
        const word *kw = lookup(s + i, e - i);
        tok t = {kw ? kw->type : 'b', kw ? kw->flags : 0, (unsigned char)(kw ? T_KNOWN : 0), s + i, e - i};
        int v = R->versioned;                               /* a look ahead, not a read */
        size_t k = skip_blanks(R, e);
        R->versioned = v;
        if (k < n && s[k] == '(' && t.type == 'b') t.type = 'f';
        push(R, t);
        R->i = e;
        return 1;
    }
    if (c == '(' || c == ')' || c == ',' || c == ';') {
        push(R, (tok){(char)c, 0, 0, s + i, 1});
        R->i = i + 1;
        return 1;
    }
    for (size_t k = 0; strchr("<-=!:|&>+*/%^~", c) && c && k < sizeof symbols / sizeof *symbols; k++) {
        size_t m = symbols[k][1] ? symbols[k][2] ? 3 : 2 : 1;
        if (i + m <= n && memcmp(s + i, symbols[k], m) == 0) {
            char type = (strcmp(symbols[k], "||") == 0 || strcmp(symbols[k], "&&") == 0) ? '&' : 'o';
            push(R, (tok){type, 0, 0, s + i, m});
            R->i = i + m;
            return 1;
        }
    }
    push(R, (tok){'x', 0, 0, s + i, 1});
    R->i = i + 1;
    return 1;
}

/* Index of the quote q that closes the string a quoted reading starts in (a doubled one is part
 * of the string), or n. */
static size_t break_at(const char *in, size_t n, char q)
{
    size_t e = 0;
    for (;;) {
        const char *p = e < n ? memchr(in + e, q, n - e) : NULL;
        if (!p) return n;
        e = (size_t)(p - in);
        if (e + 1 < n && in[e + 1] == q) { e += 2; continue; }
        return e;
    }
}

/* Tokenizes one reading into R. A quoted reading starts inside a string that the value's first
 * such quote closes (a doubled one is part of the string); without one there is no reading
 * (returns 0). */
static int read_value(reader *R, const char *in, size_t n, int reading)
{
    memset(R, 0, sizeof *R);
    R->s = in;
    R->n = n;
    if (reading != SQLTOK_ASIS) {
        char q = reading == SQLTOK_SINGLE ? '\'' : '"';
        size_t e = break_at(in, n, q);
        if (e >= n) return 0;
        push_string(R, 0, e + 1, 0, 's');
        R->i = e + 1;
    }
    while (!R->done && next_token(R)) {}
    return 1;
}

/* ---- the grammar of injected SQL ---- */

enum { K_FAIL, K_LIT, K_STR, K_VAR, K_NAME, K_CALL, K_CALLKNOWN, K_SUBQ, K_PAREN, K_LIST };

typedef struct gram { const tok *t; int n, quoted; } gram;

static char type_at(const gram *G, int i) { return i < G->n ? G->t[i].type : '\0'; }

/* Index just past the ')' that closes the '(' at i, or n when it stays open. */
static int close_paren(const gram *G, int i)
{
    int depth = 0;
    for (int k = i; k < G->n; k++) {
        if (G->t[k].type == '(') depth++;
        else if (G->t[k].type == ')' && --depth == 0) return k + 1;
    }
    return G->n;
}

static int cond(const gram *G, int i, int *strength, int depth);
static int stmt_shape(const gram *G, int j);

/* Parses an operand at i; returns the index after it and its kind in *kind (K_FAIL: none). */
static int operand(const gram *G, int i, int *kind, int *pstrength, int depth)
{
    *kind = K_FAIL;
    *pstrength = 0;
    switch (type_at(G, i)) {
    case 'n': *kind = K_LIT; return i + 1;
    case 's': *kind = K_STR; return i + 1;
    case 'v': *kind = K_VAR; return i + 1;
    case 'b': *kind = K_NAME; return i + 1;
    case 'f':
        if (type_at(G, i + 1) != '(') { *kind = K_NAME; return i + 1; }
        *kind = (G->t[i].wflags & W_FN) ? K_CALLKNOWN : K_CALL;
        return close_paren(G, i + 1);
    case 'E':
        if (!tok_is(&G->t[i], "select") || !stmt_shape(G, i)) return -1;
        *kind = K_SUBQ;                         /* ' or select * ... : the rest is the query */
        return G->n;
    case '(': {
        if (type_at(G, i + 1) == 'E' && tok_is(&G->t[i + 1], "select")) { *kind = K_SUBQ; return close_paren(G, i); }
        if (depth < 8) {
            int st, e = cond(G, i + 1, &st, depth + 1);
            if (e >= 0 && (e >= G->n || type_at(G, e) == ')')) {
                *kind = K_PAREN;
                *pstrength = st;
                return e < G->n ? e + 1 : e;
            }
        }
        *kind = K_LIST;
        return close_paren(G, i);
    }
    default: return -1;
    }
}

/* Strength of a lone operand as a condition: 3 a call of a known function or a subquery, 1 a
 * number, variable or other call, 0 a name or a string (prose has those). */
static int lone_strength(int kind, int pst)
{
    switch (kind) {
    case K_CALLKNOWN: case K_SUBQ: return 3;
    case K_LIT: case K_VAR: case K_CALL: return 1;
    case K_PAREN: return pst;
    default: return 0;
    }
}

/* Parses a condition at i (operand [op operand] [logic condition]...); returns the index after it,
 * or -1. *strength: 3 a tautology (two literals, one name twice) or a known call or subquery,
 * 2 a comparison, 1 a lone number, variable or call, 0 a lone name or string. */
static int cond(const gram *G, int i, int *strength, int depth)
{
    int ka, kb, sa, sb;
    int j = operand(G, i, &ka, &sa, depth);
    if (j < 0) return -1;
    int st;
    if (type_at(G, j) == 'o' && (G->t[j].wflags & W_POSTFIX)) {
        st = 2;
        j++;
    } else if (type_at(G, j) == 'o') {
        int k = operand(G, j + 1, &kb, &sb, depth);
        if (k < 0) return -1;
        const tok *a = &G->t[i], *b = &G->t[j + 1];
        int same = ka == kb && ka == K_NAME && a->len == b->len && eq_nocase(a->s, b->s, a->len);
        int lits = (ka == K_LIT || ka == K_STR) && (kb == K_LIT || kb == K_STR);
        st = same || lits || lone_strength(ka, sa) == 3 || lone_strength(kb, sb) == 3 ? 3 : 2;
        j = k;
    } else {
        st = lone_strength(ka, sa);
    }
    while (type_at(G, j) == '&' && depth < 8) {
        int s2, k = cond(G, j + 1, &s2, depth + 1);
        if (k < 0) break;
        if (s2 > st) st = s2;
        j = k;
    }
    *strength = st;
    return j;
}

/* Whether what follows a condition ends it the way an injection does. */
static int ends_ok(const gram *G, int j)
{
    if (j >= G->n) return 1;
    char c = type_at(G, j);
    return c == 'c' || c == ';' || c == ')' || c == '&' || c == 'B' || c == 'U';
}

/* Whether the statement keyword at j is followed by the shape that makes it SQL. */
static int stmt_shape(const gram *G, int j)
{
    if (type_at(G, j) != 'E') return 0;
    const tok *t = &G->t[j], *a = j + 1 < G->n ? &G->t[j + 1] : NULL;
    char na = type_at(G, j + 1), nb = type_at(G, j + 2);
    if (tok_is(t, "select"))
        return na == 'n' || (na == 'k' && (tok_is(a, "top") || tok_is(a, "distinct") || tok_is(a, "all"))) || na == 's' || na == 'v' || na == 'f' || na == '(' || (a && is_sym(a, "*")) ||
               (na == 'b' && (nb == ',' || (nb == 'k' && tok_is(&G->t[j + 2], "from"))));
    if (tok_is(t, "insert")) return na == 'k' && tok_is(a, "into");
    if (tok_is(t, "delete")) return na == 'k' && tok_is(a, "from");
    if (tok_is(t, "update")) return na == 'b' && nb == 'k' && tok_is(&G->t[j + 2], "set");
    if (tok_is(t, "drop") || tok_is(t, "create") || tok_is(t, "alter") || tok_is(t, "truncate"))
    {
        /* drop table x, then the end of the statement: "see; drop table talk." is prose */
        char nc = type_at(G, j + 3);
        return a && (a->wflags & W_OBJ) && (nb == 'b' || nb == 'f') &&
               (nc == '\0' || nc == ';' || nc == 'c' || nc == ',' || nc == '(' || nc == 'k' || nc == 'E');
    }
    if (tok_is(t, "grant") || tok_is(t, "revoke")) {
        for (int k = j + 1; k < G->n && k <= j + 6; k++)
            if (tok_is(&G->t[k], "to") || tok_is(&G->t[k], "on") || tok_is(&G->t[k], "from"))
                return k > j + 1;
        return 0;
    }
    if (tok_is(t, "exec") || tok_is(t, "execute"))
        return na == 'v' || na == '(' || ((na == 'b' || na == 'f') && (memchr(a->s, '_', a->len) || memchr(a->s, '.', a->len)));
    if (tok_is(t, "declare")) return na == 'v';
    if (tok_is(t, "shutdown")) return na == '\0' || na == ';' || na == 'c' || (a && tok_is(a, "with"));
    if (tok_is(t, "waitfor")) return na == 'k' && tok_is(a, "delay") && nb == 's';
    return 0;
}

/* A comment after a broken-out string ends the rest when it holds at most one word (admin'--,
 * '#mysql, '-- -); "students' -- all of them" is prose with a dash. */
static int short_comment(const tok *c)
{
    size_t i = 0, words = 0;
    const char *s = c->s;
    if (s[0] == '/') return 1;
    i = s[0] == '#' ? 1 : 2;
    while (i < c->len) {
        while (i < c->len && is_blank((unsigned char)s[i])) i++;
        if (i >= c->len) break;
        words++;
        while (i < c->len && !is_blank((unsigned char)s[i])) i++;
    }
    return words <= 1 && c->len <= 40;
}

static const char *classify(const gram *G)
{
    if (G->n == 0) return NULL;
    for (int i = 0; i < G->n; i++) {
        if (G->t[i].type == 'U') {
            int k = i + 1;
            while (type_at(G, k) == '(') k++;
            if (type_at(G, k) == 'E' && tok_is(&G->t[k], "select")) return "union select";
        }
        if (G->t[i].type == ';' && stmt_shape(G, i + 1)) return "stacked statement";
    }
    int st, e, kind, pst;
    if (G->quoted) {
        int j = 1;
        while (type_at(G, j) == ')') j++;
        switch (type_at(G, j)) {
        case '&':
            e = cond(G, j + 1, &st, 0);
            if (e >= 0 && st >= 1 && ends_ok(G, e)) return "string broken out, logic operator, condition";
            break;
        case 'E':
            if (stmt_shape(G, j)) return "string broken out, statement";
            break;
        case 'c':
            if (short_comment(&G->t[j])) return "string broken out, comment ends the rest";
            break;
        case 'o':
            if (G->t[j].wflags & W_POSTFIX) break;
            e = operand(G, j + 1, &kind, &pst, 0);
            if (e >= 0 && (kind == K_CALL || kind == K_CALLKNOWN || kind == K_SUBQ) &&
                (ends_ok(G, e) || type_at(G, e) == 'o' || type_at(G, e) == 's'))
                return "string broken out, operator, call";
            break;
        case '(':
            e = operand(G, j, &kind, &pst, 0);
            if (e >= 0 && kind == K_SUBQ) return "string broken out, subquery";
            break;
        case 'B':
            if (strchr("nbf", type_at(G, j + 1)) && type_at(G, j + 1) && (ends_ok(G, j + 2) || type_at(G, j + 2) == ','))
                return "string broken out, clause";
            break;
        default: break;
        }
        return NULL;
    }
    if (type_at(G, 0) == 'n' || (type_at(G, 0) == 's' && !(G->t[0].flags & T_OPEN))) {
        int j = 1;
        while (type_at(G, j) == ')') j++;
        switch (type_at(G, j)) {
        case '&':
            e = cond(G, j + 1, &st, 0);
            /* after a string, only a tautology: 'a' or 'b' = c is also prose */
            if (e >= 0 && st >= (type_at(G, 0) == 'n' ? 2 : 3) && ends_ok(G, e)) return "literal, logic operator, condition";
            break;
        case 'o':
            if (G->t[j].wflags & W_POSTFIX) break;
            e = operand(G, j + 1, &kind, &pst, 0);
            if (e >= 0 && (kind == K_CALLKNOWN || kind == K_SUBQ) && (ends_ok(G, e) || type_at(G, e) == 'o'))
                return "literal, operator, call";
            break;
        case 'B':
            /* after a ')' the value did not open, a column number needs no comment: 1)) order by 3
             * ("1) Order by Friday" is a list item) */
            if (strchr("nb", type_at(G, j + 1)) && type_at(G, j + 1) &&
                (type_at(G, j + 2) == 'c' || (j > 1 && type_at(G, j + 1) == 'n' && ends_ok(G, j + 2))))
                return "literal, clause";
            break;
        case 'E':
            if (!tok_is(&G->t[j], "select") && stmt_shape(G, j)) return "literal, statement";
            break;
        default: break;
        }
        return NULL;
    }
    if (type_at(G, 0) == '&') {
        e = cond(G, 1, &st, 0);
        if (e >= 0 && st >= 3 && ends_ok(G, e)) return "logic operator, tautology or call";
    }
    return NULL;
}

static size_t write_fp(const reader *R, char *out)
{
    size_t k = R->nt > 0 ? (size_t)R->nt : 0;
    if (k > SQLTOK_FP_MAX) k = SQLTOK_FP_MAX;
    for (size_t i = 0; i < k; i++) out[i] = R->t[i].type;
    out[k] = '\0';
    return k;
}

size_t sqltok_fingerprint(const char *in, size_t n, int reading, char *out)
{
    reader R;
    out[0] = '\0';
    if (reading < 0 || reading >= SQLTOK_READINGS || !read_value(&R, in, n, reading)) return 0;
    return write_fp(&R, out);
}

/* ---- cheap gates: most values cannot hit, and headers full of ';' '/' '(' are common ---- */

/* Whether the word at s[i] (letters) is a vocabulary word of one of the types in types. */
static int word_of(const char *s, size_t n, size_t i, const char *types)
{
    size_t e = i;
    while (e < n && is_name((unsigned char)s[e])) e++;
    const word *w = lookup(s + i, e - i);
    return w && strchr(types, w->type) != NULL;
}

/* Whether a grammar rule can apply where the reading's first token (as is), or the first token
 * after the broken-out string (quoted), starts at i. */
static int may_start(reader *R, size_t i, int quoted)
{
    const char *s = R->s;
    size_t n = R->n;
    i = skip_blanks(R, i);
    while (quoted && i < n && (s[i] == ')' || is_blank((unsigned char)s[i]))) i = skip_blanks(R, i + 1);
    if (i >= n) return 0;
    unsigned char c = (unsigned char)s[i], d = i + 1 < n ? (unsigned char)s[i + 1] : 0;
    if (strchr(quoted ? "&|;#-/(+*=<>!~^%:" : "&|'\".+-~!", c) && c) return 1;
    if (is_digit(c)) return !quoted;
    if (lower(c) < 'a' || lower(c) > 'z') return 0;
    if (!quoted && d == '\'' && strchr("xXbBnNeE", c)) return 1;
    return word_of(s, n, i, quoted ? "&EBUok" : "&no");
}

/* Whether the value has UNION, or a ';' followed by a statement word, anywhere. */
static int may_anywhere(reader *R)
{
    const char *s = R->s;
    size_t n = R->n;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ';') {
            size_t k = skip_blanks(R, i + 1);
            for (;;) {                                  /* signs and NOT fold away */
                if (k < n && strchr("+-~!", s[k]) && s[k]) k = skip_blanks(R, k + 1);
                else if (k + 3 < n && eq_nocase(s + k, "not", 3) && !is_name((unsigned char)s[k + 3])) k = skip_blanks(R, k + 3);
                else break;
            }
            if (k < n && lower((unsigned char)s[k]) >= 'a' && lower((unsigned char)s[k]) <= 'z' && word_of(s, n, k, "E")) return 1;
        } else if (lower((unsigned char)s[i]) == 'u' && i + 5 <= n && eq_nocase(s + i, "union", 5)) {
            return 1;
        }
    }
    return 0;
}

int sqltok_detect(const char *in, size_t n, sqltok_info *info)
{
    sqltok_info I = {-1, "", ""};
    reader R;
    int hit = 0, anywhere = -1;
    memset(&R, 0, sizeof R);
    R.s = in;
    R.n = n;
    for (int r = 0; r < SQLTOK_READINGS && !hit; r++) {
        size_t start = 0;
        if (r != SQLTOK_ASIS) {
            size_t q = break_at(in, n, r == SQLTOK_SINGLE ? '\'' : '"');
            if (q >= n) continue;
            start = q + 1;
        }
        R.versioned = 0;
        if (!may_start(&R, start, r != SQLTOK_ASIS)) {
            if (anywhere < 0) anywhere = may_anywhere(&R);
            if (!anywhere) {
                if (r == SQLTOK_ASIS && info) sqltok_fingerprint(in, n, r, I.fingerprint);
                continue;
            }
        }
        if (!read_value(&R, in, n, r)) continue;
        gram G = {R.t, R.nt, r != SQLTOK_ASIS};
        const char *why = classify(&G);
        if (r == SQLTOK_ASIS || why) write_fp(&R, I.fingerprint);
        if (why) { hit = 1; I.reading = r; I.reason = why; }
    }
    if (info) *info = I;
    return hit;
}
