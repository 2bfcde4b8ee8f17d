/* tmpl.c -- Mustache compiler and renderer (see tmpl.h).
 * Source -> tokens (delimiters applied) -> standalone lines removed -> node tree -> context check. */
#include "tmpl.h"
#include "escape.h"
#include "lexer.h"
#include "value.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_TEMPLATE  (16u << 20)        /* bytes of one template source */
#define MAX_NEST      256                /* sections nested in one template */
#define MAX_DELIM     15
#define DEFAULT_OUTPUT ((size_t)64 << 20)
#define DEFAULT_DEPTH 64

typedef enum {
    T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_PARTIAL, T_DYNPARTIAL,
    T_PARENT, T_BLOCK, T_COMMENT, T_DELIM
} ttype;

typedef struct tok {
    ttype  type;
    size_t start, end;          /* span in the source (whole tag, or text) */
    size_t name, name_len;      /* trimmed tag content */
    int    line, col;
    int    removed;             /* text removed as part of a standalone line */
    int    standalone;          /* tag stood alone on its line */
    int    bol;                 /* starts a line of output */
    size_t ws, ws_len;          /* leading whitespace of a standalone line */
    int    match;               /* T_CLOSE: index of its opener; openers: index of their close */
    char   otag[MAX_DELIM + 1], ctag[MAX_DELIM + 1];  /* delimiters in force at this tag */
} tok;

typedef struct name {           /* a dotted name split once at compile time */
    int    nparts;              /* 0 for "." */
    char **parts;
    int    dyn;                 /* {{>*name}}: the name is looked up, then used as partial name */
    int    id;                  /* 1 + the set's key number of parts[0] (see keys below); 0: none */
} dname;

enum { HOW_VERBATIM, HOW_HTML, HOW_CODE };

typedef struct node node;
typedef struct tmpl tmpl;

struct node {
    ttype  type;                /* T_TEXT, T_VAR, T_RAW, T_SECTION, T_INVERTED, T_PARTIAL, ... */
    int    bol;
    int    line, col;
    const char *tag; size_t tag_len;   /* the tag as written, for messages */
    const char *text; size_t len;      /* T_TEXT */
    dname  nm;
    char  *pname;               /* partial / parent name */
    esc_ctx ctx;                /* T_VAR in code languages */
    int    how;                 /* T_VAR/T_RAW: HOW_VERBATIM, HOW_HTML or HOW_CODE */
    node  *kids; size_t nkids;
    size_t raw, raw_len;        /* section body in the source, for lambdas */
    char   otag[MAX_DELIM + 1], ctag[MAX_DELIM + 1];
    char  *indent; size_t indent_len;  /* partial/parent: standalone indentation; block: reindent (relative) */
    char  *own; size_t own_len;        /* block: indentation of its content, stripped when it overrides */
    int    blk_standalone;
    const tmpl *ref;            /* resolved partial or parent */
    char   quote;               /* OP_CODE1: esc_plain_bytes' quote of ctx */
    const unsigned char *plain; /* OP_CODE1: esc_plain_bytes of ctx, or NULL */
    struct step *prog; size_t nprog;   /* kids as steps, for frames without indentation or lambdas */
};

/* The kids of a node as a short program for the common frame (no indentation to weave in, no
 * lambdas): each step writes a piece of text, then takes one node. The nodes most templates are
 * made of are told apart once here: a one-part {{name}} written verbatim or escaped for a code
 * context. Text between tags rides on the step of the tag after it, which halves the steps; a
 * step's text is at most BUF_SHORT bytes, so that it is always copied as one block, and longer
 * text takes a step of its own (OP_LONGTEXT). The last step, OP_END, writes the text after the last
 * tag. */
enum { OP_VERBATIM1, OP_CODE1, OP_TEXT, OP_LONGTEXT, OP_SECTION, OP_OTHER, OP_END,
       OP_VERBATIM1_AGAIN, OP_CODE1_AGAIN };     /* _AGAIN: an earlier step looks up the same key */
typedef struct step {
    int op;                     /* OP_TEXT: text only; OP_LONGTEXT: n's text only; OP_END: h's steps are
                                   done; else the node n after it */
    int id;                     /* n's nm.id, and key its name when that has one part, else NULL */
    const char *text; size_t len;
    const node *n;              /* the node taken (for OP_TEXT the text's own node, for messages) */
    const char *key;
} step;

/* Bytes of zeros after a template's source, so that a step's text (which lies in the source) can
 * be copied as a whole block of 16, 32 or 64 bytes whatever its length. */
#define SRC_PAD 64

struct tmpl {
    char     *name;
    tmpl_lang lang;
    char     *src; size_t len;  /* followed by SRC_PAD zero bytes */
    node      root;             /* T_SECTION-like holder of the top-level nodes */
};

/* The first parts of the names the set's templates look up, numbered once at link time, so that
 * a render can index the data's root object by them (see root_member). */
#define MAX_KEYS 256
typedef struct keys {
    const char *name[MAX_KEYS]; /* key number -> name (owned by the nodes) */
    short  next[MAX_KEYS];      /* next key number with the same key_hash, or -1 */
    short  head[256];           /* key_hash(name) -> first key number, or -1 */
    int    n;
} keys;

struct tmpl_set {
    tmpl  **items; size_t n, cap;
    int     linked;
    keys    keys;
};

/* ---------- errors ---------- */

static void line_col(const char *src, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n') { l++; c = 1; } else c++;
    }
    *line = l; *col = c;
}

static void set_err(tmpl_error *err, const char *name, int line, int col,
                    const char *tag, size_t tag_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void set_err(tmpl_error *err, const char *name, int line, int col,
                    const char *tag, size_t tag_len, const char *fmt, ...)
{
    if (!err) return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err->name, sizeof err->name, "%s", name ? name : "");
    err->line = line; err->column = col;
    int tl = tag_len > 80 ? 80 : (int)tag_len;
    if (line > 0 && tag)
        snprintf(err->message, sizeof err->message, "%s:%d:%d: %.*s%s: %s",
                 err->name, line, col, tl, tag, tag_len > 80 ? "..." : "", msg);
    else if (line > 0)
        snprintf(err->message, sizeof err->message, "%s:%d:%d: %s", err->name, line, col, msg);
    else if (name && *name)
        snprintf(err->message, sizeof err->message, "%s: %s", err->name, msg);
    else
        snprintf(err->message, sizeof err->message, "%s", msg);
}

/* ---------- small helpers ---------- */

static int is_ws(char c) { return c == ' ' || c == '\t'; }

static char *dup_n(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (!p) return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void name_free(dname *nm)
{
    for (int i = 0; i < nm->nparts; i++) free(nm->parts[i]);
    free(nm->parts);
    nm->parts = NULL; nm->nparts = 0;
}

static int name_parse(dname *nm, const char *s, size_t n)
{
    memset(nm, 0, sizeof *nm);
    if (n == 1 && s[0] == '.') return 0;
    int parts = 1;
    for (size_t i = 0; i < n; i++) if (s[i] == '.') parts++;
    nm->parts = calloc((size_t)parts, sizeof *nm->parts);
    if (!nm->parts) return -1;
    size_t b = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') continue;
        if (i == b) { name_free(nm); return -2; }      /* empty part: "a..b", ".a", "a." */
        nm->parts[nm->nparts] = dup_n(s + b, i - b);
        if (!nm->parts[nm->nparts]) { name_free(nm); return -1; }
        nm->nparts++;
        b = i + 1;
    }
    return 0;
}

static void node_free(node *n)
{
    for (size_t i = 0; i < n->nkids; i++) node_free(&n->kids[i]);
    free(n->kids);
    name_free(&n->nm);
    free(n->pname);
    free(n->indent);
    free(n->own);
    free(n->prog);
}

static void tmpl_free(tmpl *t)
{
    if (!t) return;
    node_free(&t->root);
    free(t->name);
    free(t->src);
    free(t);
}

/* Makes room for one more element in a growable array; -1 when out of memory. */
static int grow(void **v, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : first;
    void *nv = realloc(*v, ncap * elem);
    if (!nv) return -1;
    *v = nv;
    *cap = ncap;
    return 0;
}

/* ---------- tokenizer ---------- */

typedef struct toks { tok *v; size_t n, cap; } toks;

static tok *toks_push(toks *ts)
{
    if (grow((void **)&ts->v, &ts->cap, ts->n, sizeof *ts->v, 64) < 0) return NULL;
    tok *t = &ts->v[ts->n++];
    memset(t, 0, sizeof *t);
    t->match = -1;
    return t;
}

typedef struct parser {
    const tmpl *t;
    tmpl_error *err;
    toks ts;
} parser;

static int perr(parser *p, size_t off, size_t tag_end, const char *fmt, const char *arg)
{
    int l, c;
    line_col(p->t->src, off, &l, &c);
    set_err(p->err, p->t->name, l, c, p->t->src + off, tag_end > off ? tag_end - off : 0, fmt, arg);
    return -1;
}

static int add_text(parser *p, size_t a, size_t b)
{
    const char *s = p->t->src;
    while (a < b) {                                   /* split after each newline */
        const char *nl = memchr(s + a, '\n', b - a);
        size_t e = nl ? (size_t)(nl - s) + 1 : b;
        tok *t = toks_push(&p->ts);
        if (!t) return -1;
        t->type = T_TEXT; t->start = a; t->end = e;
        a = e;
    }
    return 0;
}

/* Parses "{{=<% %>=}}"'s content into new delimiters. */
static int parse_delims(const char *s, size_t n, char *otag, char *ctag)
{
    size_t i = 0;
    while (i < n && is_ws(s[i])) i++;
    size_t a = i;
    while (i < n && !is_ws(s[i])) i++;
    size_t al = i - a;
    while (i < n && is_ws(s[i])) i++;
    size_t b = i;
    while (i < n && !is_ws(s[i])) i++;
    size_t bl = i - b;
    while (i < n && is_ws(s[i])) i++;
    if (i != n || al == 0 || bl == 0 || al > MAX_DELIM || bl > MAX_DELIM) return -1;
    for (size_t k = 0; k < al; k++) if (s[a + k] == '=') return -1;
    for (size_t k = 0; k < bl; k++) if (s[b + k] == '=') return -1;
    memcpy(otag, s + a, al); otag[al] = '\0';
    memcpy(ctag, s + b, bl); ctag[bl] = '\0';
    return 0;
}

static const char *find_str(const char *s, size_t from, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    if (nl == 0 || len < nl) return NULL;
    for (size_t i = from; i + nl <= len; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0) return s + i;
    return NULL;
}

static int tokenize(parser *p, const char *otag0, const char *ctag0)
{
    const char *s = p->t->src;
    size_t len = p->t->len, pos = 0;
    char otag[MAX_DELIM + 1], ctag[MAX_DELIM + 1];
    snprintf(otag, sizeof otag, "%s", otag0);
    snprintf(ctag, sizeof ctag, "%s", ctag0);
    for (;;) {
        const char *o = find_str(s, pos, len, otag);
        if (!o) return add_text(p, pos, len);
        size_t ts = (size_t)(o - s);
        if (add_text(p, pos, ts) < 0) return -1;
        size_t c0 = ts + strlen(otag), c1, te;
        ttype type = T_VAR;
        char sig = c0 < len ? s[c0] : '\0';
        if (sig == '{') {                                   /* {{{name}}} */
            char close[MAX_DELIM + 2];
            snprintf(close, sizeof close, "}%s", ctag);
            const char *e = find_str(s, c0 + 1, len, close);
            if (!e) return perr(p, ts, len, "unclosed tag: no '%s' after it", close);
            type = T_RAW; c0++; c1 = (size_t)(e - s); te = c1 + strlen(close);
        } else if (sig == '=') {                            /* {{=<% %>=}} */
            char close[MAX_DELIM + 2];
            snprintf(close, sizeof close, "=%s", ctag);
            const char *e = find_str(s, c0 + 1, len, close);
            if (!e) return perr(p, ts, len, "unclosed set-delimiter tag: no '%s' after it", close);
            type = T_DELIM; c0++; c1 = (size_t)(e - s); te = c1 + strlen(close);
        } else {
            const char *e = find_str(s, c0, len, ctag);
            if (!e) return perr(p, ts, len, "unclosed tag: no '%s' after it", ctag);
            c1 = (size_t)(e - s); te = c1 + strlen(ctag);
            switch (sig) {
            case '&': type = T_RAW; c0++; break;
            case '#': type = T_SECTION; c0++; break;
            case '^': type = T_INVERTED; c0++; break;
            case '/': type = T_CLOSE; c0++; break;
            case '>': type = T_PARTIAL; c0++; break;
            case '<': type = T_PARENT; c0++; break;
            case '$': type = T_BLOCK; c0++; break;
            case '!': type = T_COMMENT; c0++; break;
            default: break;
            }
        }
        tok *t = toks_push(&p->ts);
        if (!t) return -1;
        t->type = type; t->start = ts; t->end = te;
        memcpy(t->otag, otag, sizeof otag);
        memcpy(t->ctag, ctag, sizeof ctag);
        if (type == T_DELIM) {
            if (parse_delims(s + c0, c1 - c0, otag, ctag) < 0)
                return perr(p, ts, te, "%s", "bad set-delimiter tag: expected two delimiters without '=' or spaces");
        } else if (type != T_COMMENT) {
            while (c0 < c1 && is_ws(s[c0])) c0++;
            while (c1 > c0 && is_ws(s[c1 - 1])) c1--;
            if (type == T_PARTIAL && c0 < c1 && s[c0] == '*') {   /* dynamic name: {{>*name}} */
                t->type = T_DYNPARTIAL; c0++;
                while (c0 < c1 && is_ws(s[c0])) c0++;
            }
            if (c0 == c1) return perr(p, ts, te, "%s", "empty tag: a name is required");
            for (size_t i = c0; i < c1; i++)
                if ((unsigned char)s[i] < 0x20 || s[i] == ' ')
                    return perr(p, ts, te, "%s", "tag name contains white space or control characters");
        }
        t->name = c0; t->name_len = c1 - c0;
        pos = te;
    }
}

/* Pairs section/block/parent openers with their closers. */
static int match_tags(parser *p)
{
    int stack[MAX_NEST], depth = 0;
    const char *s = p->t->src;
    for (size_t i = 0; i < p->ts.n; i++) {
        tok *t = &p->ts.v[i];
        if (t->type == T_SECTION || t->type == T_INVERTED || t->type == T_BLOCK || t->type == T_PARENT) {
            if (depth == MAX_NEST) return perr(p, t->start, t->end, "%s", "sections nested too deeply");
            stack[depth++] = (int)i;
        } else if (t->type == T_CLOSE) {
            if (depth == 0) return perr(p, t->start, t->end, "%s", "closing tag without an opening tag");
            tok *o = &p->ts.v[stack[depth - 1]];
            if (o->name_len != t->name_len || memcmp(s + o->name, s + t->name, t->name_len) != 0) {
                char want[128];
                snprintf(want, sizeof want, "closes '%.*s', but the open section is '%.*s'",
                         (int)(t->name_len > 50 ? 50 : t->name_len), s + t->name,
                         (int)(o->name_len > 50 ? 50 : o->name_len), s + o->name);
                return perr(p, t->start, t->end, "%s", want);
            }
            t->match = stack[depth - 1];
            o->match = (int)i;
            depth--;
        }
    }
    if (depth > 0) {
        tok *o = &p->ts.v[stack[depth - 1]];
        return perr(p, o->start, o->end, "%s", "section is never closed");
    }
    return 0;
}

static int ws_only(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (!is_ws(s[i]) && !(s[i] == '\n') && !(s[i] == '\r' && i + 1 < b && s[i + 1] == '\n')) return 0;
    return 1;
}

static int standalone_kind(const toks *ts, const tok *t)
{
    switch (t->type) {
    case T_SECTION: case T_INVERTED: case T_PARTIAL: case T_DYNPARTIAL:
    case T_COMMENT: case T_DELIM: return 1;
    case T_PARENT: case T_BLOCK: return 2;               /* may share a line with each other */
    case T_CLOSE: {
        ttype o = ts->v[t->match].type;
        return (o == T_PARENT || o == T_BLOCK) ? 2 : 1;
    }
    default: return 0;
    }
}

/* Marks standalone lines: a line of white space and tags that produce no output loses its
 * white space and newline. Parent and block tags may share such a line; an empty block
 * "{{$b}}{{/b}}" on a line keeps the newline and takes the leading space as indentation. */
static void mark_standalone(parser *p)
{
    const char *s = p->t->src;
    toks *ts = &p->ts;
    size_t i = 0;
    while (i < ts->n) {
        size_t j = i, ntags = 0, kind2 = 0, bad = 0;
        for (; j < ts->n; j++) {
            tok *t = &ts->v[j];
            if (t->type == T_TEXT) {
                if (!ws_only(s, t->start, t->end)) bad = 1;
                if (s[t->end - 1] == '\n') { j++; break; }
            } else {
                int k = standalone_kind(ts, t);
                if (!k) bad = 1;
                if (k == 2) kind2++;
                ntags++;
            }
        }
        /* line is tokens [i, j) */
        if (!bad && ntags > 0 && (ntags == 1 || kind2 == ntags)) {
            size_t first = i;
            while (ts->v[first].type == T_TEXT) first++;
            int pair = 0;
            for (size_t k = i; k + 1 < j; k++)
                if (ts->v[k].type == T_BLOCK && ts->v[k].match == (int)k + 1) pair = 1;
            size_t ws = ts->v[i].start, ws_len = ts->v[first].start - ts->v[i].start;
            for (size_t k = i; k < j; k++) {
                tok *t = &ts->v[k];
                if (t->type == T_TEXT) {
                    if (!pair || k < first) t->removed = 1;
                } else {
                    t->standalone = 1;
                    t->ws = ws; t->ws_len = ws_len;
                }
            }
        }
        i = j;
    }
    /* which output starts a line */
    int at_bol = 1;
    for (i = 0; i < ts->n; i++) {
        tok *t = &ts->v[i];
        if (t->type == T_TEXT && t->removed) continue;
        t->bol = at_bol;
        switch (t->type) {
        case T_TEXT: at_bol = s[t->end - 1] == '\n'; break;
        case T_VAR: case T_RAW: at_bol = 0; break;
        case T_PARTIAL: case T_DYNPARTIAL: if (!t->standalone) at_bol = 0; break;
        default: break;
        }
    }
}

/* ---------- tree ---------- */

typedef struct nodes { node *v; size_t n, cap; } nodes;

static node *nodes_push(nodes *ns)
{
    if (grow((void **)&ns->v, &ns->cap, ns->n, sizeof *ns->v, 8) < 0) return NULL;
    node *n = &ns->v[ns->n++];
    memset(n, 0, sizeof *n);
    return n;
}

static void nodes_free(nodes *ns)
{
    for (size_t i = 0; i < ns->n; i++) node_free(&ns->v[i]);
    free(ns->v);
}

/* Builds nodes from tokens [i, end) into out; returns 0 or -1. */
static int build(parser *p, size_t i, size_t end, nodes *out)
{
    const char *s = p->t->src;
    while (i < end) {
        tok *t = &p->ts.v[i];
        if (t->type == T_COMMENT || t->type == T_DELIM || (t->type == T_TEXT && t->removed)) { i++; continue; }
        if (t->type == T_CLOSE) { i++; continue; }
        if (t->type == T_TEXT && out->n > 0) {          /* extend the previous text when contiguous */
            node *prev = &out->v[out->n - 1];
            if (prev->type == T_TEXT && prev->text + prev->len == s + t->start) {
                prev->len += t->end - t->start;
                i++;
                continue;
            }
        }
        node *n = nodes_push(out);
        if (!n) return -1;
        n->type = t->type;
        n->bol = t->bol;
        line_col(s, t->start, &n->line, &n->col);
        n->tag = s + t->start; n->tag_len = t->end - t->start;
        if (t->type == T_TEXT) {
            n->text = s + t->start; n->len = t->end - t->start;
            i++;
            continue;
        }
        const char *nm = s + t->name;
        n->how = lang_is_code(p->t->lang) ? HOW_CODE
               : (t->type == T_RAW || p->t->lang == LANG_TEXT) ? HOW_VERBATIM : HOW_HTML;
        if (t->type == T_PARTIAL || t->type == T_PARENT) {
            if (!(n->pname = dup_n(nm, t->name_len))) return -1;
        } else {
            int r = name_parse(&n->nm, nm, t->name_len);
            if (r == -1) return -1;
            if (r == -2) return perr(p, t->start, t->end, "%s", "bad dotted name: empty part");
            n->nm.dyn = t->type == T_DYNPARTIAL;
        }
        if (t->standalone && (t->type == T_PARTIAL || t->type == T_DYNPARTIAL || t->type == T_PARENT) && t->ws_len) {
            if (!(n->indent = dup_n(s + t->ws, t->ws_len))) return -1;
            n->indent_len = t->ws_len;
        }
        memcpy(n->otag, t->otag, sizeof n->otag);
        memcpy(n->ctag, t->ctag, sizeof n->ctag);
        if (t->type == T_SECTION || t->type == T_INVERTED || t->type == T_BLOCK || t->type == T_PARENT) {
            size_t close = (size_t)t->match;
            n->raw = t->end;
            n->raw_len = p->ts.v[close].start - t->end;
            nodes kids = {0};
            if (build(p, i + 1, close, &kids) < 0) { nodes_free(&kids); return -1; }
            n = &out->v[out->n - 1];                  /* out->v is unchanged, but be explicit */
            n->kids = kids.v; n->nkids = kids.n;
            if (t->type == T_BLOCK && t->standalone) {
                n->blk_standalone = 1;
                const char *ind = s + t->ws; size_t ind_len = t->ws_len;   /* the tag's own */
                if (n->nkids > 0 && n->kids[0].type == T_TEXT && n->kids[0].bol) {
                    const char *x = n->kids[0].text;
                    size_t k = 0;
                    while (k < n->kids[0].len && is_ws(x[k])) k++;
                    ind = x; ind_len = k;
                } else if (n->nkids > 0) {
                    ind_len = 0;
                }
                if (!(n->own = dup_n(ind, ind_len))) return -1;
                n->own_len = ind_len;
            }
            i = close + 1;
            continue;
        }
        i++;
    }
    return 0;
}

/* Block reindentation is relative to the enclosing block's own indentation. */
static int block_relative(node *kids, size_t n, const char *outer, size_t outer_len)
{
    for (size_t i = 0; i < n; i++) {
        node *k = &kids[i];
        const char *o = outer; size_t ol = outer_len;
        if (k->type == T_BLOCK) {
            size_t skip = 0;
            if (k->blk_standalone && k->own_len >= outer_len && memcmp(k->own, outer, outer_len) == 0) skip = outer_len;
            if (k->blk_standalone) {
                if (!(k->indent = dup_n(k->own + skip, k->own_len - skip))) return -1;
                k->indent_len = k->own_len - skip;
            }
            if (k->blk_standalone) { o = k->own; ol = k->own_len; }
        }
        if (block_relative(k->kids, k->nkids, o, ol) < 0) return -1;
    }
    return 0;
}

/* ---------- lexical context check (code languages) ---------- */

typedef struct checker {
    const tmpl *t;
    tmpl_error *err;
} checker;

static int cerr(checker *c, const node *n, const char *fmt, const char *a, const char *b)
{
    set_err(c->err, c->t->name, n->line, n->col, n->tag, n->tag_len, fmt, a, b);
    return -1;
}

static esc_ctx initial_context(tmpl_lang lang)
{
    lexer lx;
    const char *why;
    lexer_init(&lx, lang);
    return lexer_context(&lx, &why);
}

/* Whether lx stands where a file of its language begins: the same context, and where that is a
 * forbidden one (a TOML key position), for the same reason, so a comment does not pass for it. */
static int at_initial_context(const lexer *lx, esc_ctx *here, const char **why)
{
    lexer fresh;
    const char *why0 = NULL;
    lexer_init(&fresh, lx->lang);
    esc_ctx init = lexer_context(&fresh, &why0);
    *here = lexer_context(lx, why);
    if (*here != init) return 0;
    if (init != CTX_FORBIDDEN) return 1;
    return why0 && *why && strcmp(why0, *why) == 0;
}

static int check_nodes(checker *c, lexer *lx, node *kids, size_t n);

/* A block body (default or override) is lexed on its own, from the language's initial state. */
static int check_body(checker *c, node *n, const char *what)
{
    lexer lx;
    lexer_init(&lx, c->t->lang);
    if (check_nodes(c, &lx, n->kids, n->nkids) < 0) return -1;
    const char *why = lexer_finish(&lx);
    const char *w2;
    if (why) return cerr(c, n, "%s body ends %s", what, why);
    if (lexer_context(&lx, &w2) != initial_context(c->t->lang))
        return cerr(c, n, "%s body must end where it began (%s)", what, esc_ctx_name(initial_context(c->t->lang)));
    return 0;
}

static int check_nodes(checker *c, lexer *lx, node *kids, size_t n)
{
    const char *why = NULL;
    for (size_t i = 0; i < n; i++) {
        node *k = &kids[i];
        switch (k->type) {
        case T_TEXT:
            lexer_feed(lx, k->text, k->len);
            break;
        case T_VAR:
            k->ctx = lexer_context(lx, &why);
            if (k->ctx == CTX_FORBIDDEN)
                return cerr(c, k, "%s: no escaper can make a value safe here%s",
                            why ? why : "forbidden context", "");
            lexer_after_value(lx);
            break;
        case T_RAW:
            return cerr(c, k, "raw tags are refused in %s templates: use {{name}}, which escapes for the context%s",
                        lang_name(c->t->lang), "");
        case T_DYNPARTIAL:
            return cerr(c, k, "dynamic partial names are refused in %s templates: name the partial%s",
                        lang_name(c->t->lang), "");
        case T_SECTION: case T_INVERTED: {
            lexer start = *lx;
            if (check_nodes(c, lx, k->kids, k->nkids) < 0) return -1;
            if (!lexer_same(&start, lx)) {
                const char *w1, *w2;
                esc_ctx a = lexer_context(&start, &w1), b = lexer_context(lx, &w2);
                return cerr(c, k, "section must end in the lexical context it began in (began in %s, ends in %s)",
                            esc_ctx_name(a), esc_ctx_name(b));
            }
            break;
        }
        case T_PARTIAL: case T_PARENT: case T_BLOCK: {
            esc_ctx here;
            if (!at_initial_context(lx, &here, &why)) {
                esc_ctx init = initial_context(c->t->lang);
                return cerr(c, k, "partials, parents and blocks may only stand where the file's top level is (%s), not %s",
                            esc_ctx_name(init), here == CTX_FORBIDDEN ? (why ? why : "in a forbidden context") : esc_ctx_name(here));
            }
            if (k->type == T_BLOCK && check_body(c, k, "block") < 0) return -1;
            if (k->type == T_PARENT)
                for (size_t b = 0; b < k->nkids; b++)
                    if (k->kids[b].type == T_BLOCK && check_body(c, &k->kids[b], "block") < 0) return -1;
            break;
        }
        default:
            break;
        }
    }
    return 0;
}

/* ---------- compile ---------- */

static int node_op(const node *k)
{
    if (k->type == T_SECTION) return OP_SECTION;
    if (k->nm.nparts != 1) return OP_OTHER;
    if ((k->type == T_VAR || k->type == T_RAW) && k->how == HOW_VERBATIM) return OP_VERBATIM1;
    if (k->type == T_VAR && k->how == HOW_CODE) return OP_CODE1;
    return OP_OTHER;
}

/* The text of a step with none before its tag: read as a block like any other (see SRC_PAD). */
static const char no_text[SRC_PAD];

/* The text a step writes before its node: text itself when short, else nothing, after a step
 * OP_LONGTEXT that writes it. */
static const node *text_step(node *h, const node *text)
{
    if (!text || text->len <= BUF_SHORT) return text;
    h->prog[h->nprog++] = (step){ OP_LONGTEXT, 0, no_text, 0, text, NULL };
    return NULL;
}

/* Builds the steps of h's kids and of every node below; -1 when out of memory. */
static int build_steps(node *h)
{
    if (!(h->prog = calloc(h->nkids * 2 + 1, sizeof *h->prog))) return -1;
    const node *text = NULL;
    for (size_t i = 0; i < h->nkids; i++) {
        node *k = &h->kids[i];
        if (build_steps(k) < 0) return -1;
        if (k->type == T_TEXT) {
            if ((text = text_step(h, text))) h->prog[h->nprog++] = (step){ OP_TEXT, 0, text->text, text->len, text, NULL };
            text = k;
            continue;
        }
        int op = node_op(k);
        if (op == OP_CODE1) k->plain = esc_plain_bytes(k->ctx, &k->quote);
        text = text_step(h, text);
        const char *key = k->nm.nparts == 1 ? k->nm.parts[0] : NULL;   /* one-part names only */
        for (size_t j = 0; (op == OP_VERBATIM1 || op == OP_CODE1) && j < h->nprog; j++)
            if (h->prog[j].key && strcmp(h->prog[j].key, key) == 0)
                op = op == OP_VERBATIM1 ? OP_VERBATIM1_AGAIN : OP_CODE1_AGAIN;
        h->prog[h->nprog++] = (step){ op, 0, text ? text->text : no_text, text ? text->len : 0, k, key };
        text = NULL;
    }
    text = text_step(h, text);                              /* the last text rides on OP_END */
    h->prog[h->nprog] = (step){ OP_END, 0, text ? text->text : no_text, text ? text->len : 0,
                                text ? text : h, NULL };                  /* not counted in nprog */
    return 0;
}

static tmpl *compile(const char *name, const char *src, size_t len, tmpl_lang lang,
                     const char *otag, const char *ctag, tmpl_error *err)
{
    tmpl *t = calloc(1, sizeof *t);
    if (!t) goto oom;
    t->name = strdup(name);
    if ((t->src = calloc(1, len + SRC_PAD + 1))) memcpy(t->src, src, len);
    if (!t->name || !t->src) goto oom;
    t->len = len;
    t->lang = lang;
    t->root.type = T_SECTION;
    if (memchr(src, '\0', len)) {
        int l, c;
        line_col(src, (size_t)((const char *)memchr(src, '\0', len) - src), &l, &c);
        set_err(err, name, l, c, NULL, 0, "template contains a NUL byte");
        tmpl_free(t);
        return NULL;
    }
    parser p = { t, err, {0} };
    nodes top = {0};
    int r = tokenize(&p, otag, ctag);
    if (r == 0) r = match_tags(&p);
    if (r == 0) { mark_standalone(&p); r = build(&p, 0, p.ts.n, &top); }
    free(p.ts.v);
    t->root.kids = top.v; t->root.nkids = top.n;
    if (r == 0) r = block_relative(t->root.kids, t->root.nkids, "", 0);
    if (r == 0 && lang_is_code(lang)) {
        checker c = { t, err };
        lexer lx;
        lexer_init(&lx, lang);
        r = check_nodes(&c, &lx, t->root.kids, t->root.nkids);
        const char *why;
        if (r == 0 && (why = lexer_finish(&lx)) != NULL) {
            int l, col;
            line_col(t->src, t->len, &l, &col);
            set_err(err, name, l, col, NULL, 0, "template ends %s", why);
            r = -1;
        }
    }
    if (r == 0 && build_steps(&t->root) < 0) r = -1;
    if (r == 0) return t;
    if (err && !err->message[0]) set_err(err, name, 0, 0, NULL, 0, "out of memory");
    tmpl_free(t);
    return NULL;
oom:
    set_err(err, name, 0, 0, NULL, 0, "out of memory");
    tmpl_free(t);
    return NULL;
}

/* ---------- set ---------- */

tmpl_set *tmpl_set_new(void)
{
    return calloc(1, sizeof(tmpl_set));
}

void tmpl_set_free(tmpl_set *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) tmpl_free(s->items[i]);
    free(s->items);
    free(s);
}

static const tmpl *set_find(const tmpl_set *s, const char *name)
{
    if (s->linked) {
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(s->items[mid]->name, name);
            if (c == 0) return s->items[mid];
            if (c < 0) lo = mid + 1; else hi = mid;
        }
        return NULL;
    }
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i]->name, name) == 0) return s->items[i];
    return NULL;
}

int tmpl_set_add(tmpl_set *s, const char *name, const char *src, size_t len,
                 tmpl_lang lang, tmpl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    if (s->linked) { set_err(err, name, 0, 0, NULL, 0, "the set is linked: no templates can be added"); return -1; }
    if (!name[0] || strlen(name) >= 256) { set_err(err, name, 0, 0, NULL, 0, "template name must be 1 to 255 bytes"); return -1; }
    if (set_find(s, name)) { set_err(err, name, 0, 0, NULL, 0, "a template with this name exists already"); return -1; }
    if (len > MAX_TEMPLATE) { set_err(err, name, 0, 0, NULL, 0, "template is larger than 16 MiB"); return -1; }
    if ((unsigned)lang >= LANG_COUNT) { set_err(err, name, 0, 0, NULL, 0, "unknown language"); return -1; }
    tmpl *t = compile(name, src, len, lang, "{{", "}}", err);
    if (!t) return -1;
    if (grow((void **)&s->items, &s->cap, s->n, sizeof *s->items, 16) < 0) {
        tmpl_free(t);
        set_err(err, name, 0, 0, NULL, 0, "out of memory");
        return -1;
    }
    s->items[s->n++] = t;
    return 0;
}

static int load_dir(tmpl_set *s, const char *root, const char *rel, int depth, int force, tmpl_error *err)
{
    char path[PATH_MAX];
    int pl = snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    if (pl < 0 || (size_t)pl >= sizeof path) { set_err(err, rel, 0, 0, NULL, 0, "path too long"); return -1; }
    if (depth > 32) { set_err(err, rel, 0, 0, NULL, 0, "directories nested too deeply"); return -1; }
    DIR *d = opendir(path);
    if (!d) { set_err(err, path, 0, 0, NULL, 0, "cannot open directory: %s", strerror(errno)); return -1; }
    /* sorted for a deterministic order of errors */
    char **names = NULL; size_t n = 0, cap = 0;
    struct dirent *e;
    int r = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (grow((void **)&names, &cap, n, sizeof *names, 32) < 0) { r = -1; break; }
        if (!(names[n] = strdup(e->d_name))) { r = -1; break; }
        n++;
    }
    closedir(d);
    for (size_t i = 0; i + 1 < n; i++)                     /* insertion sort: directories are small */
        for (size_t j = i + 1; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char *tmp = names[j]; names[j] = names[j - 1]; names[j - 1] = tmp;
        }
    if (r < 0) set_err(err, path, 0, 0, NULL, 0, "out of memory");
    for (size_t i = 0; i < n && r == 0; i++) {
        char sub[PATH_MAX], full[PATH_MAX];
        int l1 = snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        int l2 = l1 < 0 || (size_t)l1 >= sizeof sub ? -1 : snprintf(full, sizeof full, "%s/%s", root, sub);
        if (l2 < 0 || (size_t)l2 >= sizeof full) { set_err(err, names[i], 0, 0, NULL, 0, "path too long"); r = -1; break; }
        struct stat st;
        if (lstat(full, &st) < 0) { set_err(err, full, 0, 0, NULL, 0, "%s", strerror(errno)); r = -1; break; }
        if (S_ISLNK(st.st_mode)) { set_err(err, sub, 0, 0, NULL, 0, "symbolic links are refused in a template directory"); r = -1; break; }
        if (S_ISDIR(st.st_mode)) { r = load_dir(s, root, sub, depth + 1, force, err); continue; }
        if (!S_ISREG(st.st_mode)) continue;
        buf src = BUF_INIT;
        src.limit = MAX_TEMPLATE;
        if (buf_read_file(&src, full) < 0) {
            set_err(err, sub, 0, 0, NULL, 0, "cannot read: %s", errno == EFBIG ? "larger than 16 MiB" : strerror(errno));
            buf_free(&src);
            r = -1; break;
        }
        tmpl_lang lang;
        if (force >= 0) lang = (tmpl_lang)force;
        else if (lang_from_path(sub, &lang) < 0) lang = LANG_TEXT;
        size_t nl = strlen(sub);
        if (nl > 9 && strcmp(sub + nl - 9, ".mustache") == 0) sub[nl - 9] = '\0';
        r = tmpl_set_add(s, sub, src.data, src.len, lang, err);
        buf_free(&src);
    }
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return r;
}

int tmpl_set_load_dir_as(tmpl_set *s, const char *dir, int lang, tmpl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    if (lang >= LANG_COUNT) { set_err(err, dir, 0, 0, NULL, 0, "unknown language"); return -1; }
    return load_dir(s, dir, "", 0, lang, err);
}

int tmpl_set_load_dir(tmpl_set *s, const char *dir, tmpl_error *err)
{
    return tmpl_set_load_dir_as(s, dir, -1, err);
}

static int cmp_tmpl(const void *a, const void *b)
{
    return strcmp((*(tmpl *const *)a)->name, (*(tmpl *const *)b)->name);
}

static int link_nodes(const tmpl_set *s, const tmpl *t, node *kids, size_t n, tmpl_error *err)
{
    for (size_t i = 0; i < n; i++) {
        node *k = &kids[i];
        if (k->type == T_PARTIAL || k->type == T_PARENT) {
            k->ref = set_find(s, k->pname);
            if (!k->ref && t->lang != LANG_SPEC) {
                set_err(err, t->name, k->line, k->col, k->tag, k->tag_len, "no template named '%s'", k->pname);
                return -1;
            }
            if (k->ref && lang_is_code(t->lang) && k->ref->lang != t->lang) {
                set_err(err, t->name, k->line, k->col, k->tag, k->tag_len,
                        "'%s' is %s, but this template is %s: a partial must be in the same language",
                        k->pname, lang_name(k->ref->lang), lang_name(t->lang));
                return -1;
            }
        }
        if (link_nodes(s, t, k->kids, k->nkids, err) < 0) return -1;
    }
    return 0;
}

/* Hash of a key by its first two bytes (the second is NUL for one-byte keys, never past the end). */
static inline unsigned key_hash(const char *a)
{
    return ((unsigned)(unsigned char)a[0] * 31u + (unsigned char)a[1]) & 255u;
}

/* Numbers the first part of every name looked up below kids. Past MAX_KEYS a name keeps id 0,
 * and lookups of it scan the root's members as they do elsewhere. */
static void intern_nodes(keys *ks, node *kids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        node *k = &kids[i];
        intern_nodes(ks, k->kids, k->nkids);
        if (k->nm.nparts < 1 || !(k->type == T_VAR || k->type == T_RAW || k->type == T_SECTION ||
                                  k->type == T_INVERTED || k->type == T_DYNPARTIAL)) continue;
        const char *nm = k->nm.parts[0];
        unsigned h = key_hash(nm);
        int id = ks->head[h];
        while (id >= 0 && strcmp(ks->name[id], nm) != 0) id = ks->next[id];
        if (id < 0) {
            if (ks->n == MAX_KEYS) continue;
            id = ks->n++;
            ks->name[id] = nm;
            ks->next[id] = ks->head[h];
            ks->head[h] = (short)id;
        }
        k->nm.id = id + 1;
    }
}

/* Copies the key numbers into the steps below h, which read them without going through the node. */
static void step_ids(node *h)
{
    for (size_t i = 0; i < h->nprog; i++) h->prog[i].id = h->prog[i].n->nm.id;   /* OP_END keeps 0 */
    for (size_t i = 0; i < h->nkids; i++) step_ids(&h->kids[i]);
}

int tmpl_set_link(tmpl_set *s, tmpl_error *err)
{
    if (err) memset(err, 0, sizeof *err);
    if (s->linked) return 0;
    if (s->n) qsort(s->items, s->n, sizeof *s->items, cmp_tmpl);
    s->linked = 1;
    for (size_t i = 0; i < s->n; i++)
        if (link_nodes(s, s->items[i], s->items[i]->root.kids, s->items[i]->root.nkids, err) < 0) {
            s->linked = 0;
            return -1;
        }
    for (int h = 0; h < 256; h++) s->keys.head[h] = -1;
    for (size_t i = 0; i < s->n; i++) {
        intern_nodes(&s->keys, s->items[i]->root.kids, s->items[i]->root.nkids);
        step_ids(&s->items[i]->root);
    }
    return 0;
}

int tmpl_set_has(const tmpl_set *s, const char *name) { return set_find(s, name) != NULL; }
size_t tmpl_set_count(const tmpl_set *s) { return s->n; }
const char *tmpl_set_name_at(const tmpl_set *s, size_t i) { return i < s->n ? s->items[i]->name : NULL; }
tmpl_lang tmpl_set_lang(const tmpl_set *s, const char *name)
{
    const tmpl *t = set_find(s, name);
    return t ? t->lang : LANG_TEXT;
}

/* ---------- render ---------- */

typedef struct frame {          /* indentation in force while rendering one template's nodes */
    const char *ind; size_t ind_len;      /* written before each line */
    const char *strip; size_t strip_len;  /* removed from the start of each line of template text */
} frame;

typedef struct scope {          /* block overrides of the parents being rendered, innermost first */
    const node *parent;
    const struct scope *outer;
} scope;

/* The root object (stack[0]), which every name not found further in ends at, keeps a slot per key
 * number, bound on the first lookup of that key: templates mostly ask for the root's members in the
 * order the data holds them, so a name is first tried against the member after those already bound
 * (one strcmp). Every member before that one is bound to another key, so a match there is the
 * first member of its name. The first name that does not match indexes the rest in one pass over
 * all members (a strcmp per member); from then on every slot is final and a lookup is one load.
 * Objects pushed by sections come and go with their items and are scanned: a list item looked up
 * three times costs less to scan than to index. */

typedef struct render {
    const tmpl_set *set;
    const tmpl_opts *o;
    tmpl_error *err;
    buf *out;
    int strict;
    int lambdas;                          /* the caller offers lambdas (opts->lambda_of) */
    int depth;
    const cJSON *stack[DEFAULT_DEPTH * 4 + 8];
    int sp;
    int root_done;                        /* every slot is final (indexed, or the root is no object) */
    const cJSON *root_next;               /* the root's first member not bound to a slot in order */
    const cJSON *root_slot[MAX_KEYS + 1]; /* 1 + key number (a name's id) -> the root's first member
                                             of that name, or NULL; [0] unused */
    const char *pend; size_t pend_len;    /* indentation owed before the next output */
    struct loop {                         /* a section whose steps render_nodes runs in its own loop */
        const cJSON *item;                /* the list item being rendered, or NULL for a single value */
        const step *body;                 /* the section's first step */
        const step *p;                    /* the section's step: go on after it */
        const cJSON *next;                /* the item's first member not bound in order (see step_lookup) */
        const cJSON **top;                /* the item's place on the stack */
    } loops[DEFAULT_DEPTH * 4 + 8];
    int nloops;
    size_t room;                          /* buf_short_room(out), refreshed when out grows or changes;
                                             0 while indentation is owed, so emit's fast path pays it */
    buf scratch;
} render;

static int rerr(render *r, const tmpl *t, const node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int rerr(render *r, const tmpl *t, const node *n, const char *fmt, ...)
{
    if (r->err && r->err->message[0]) return -1;          /* keep the innermost error */
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_err(r->err, t->name, n ? n->line : 0, n ? n->col : 0, n ? n->tag : NULL, n ? n->tag_len : 0, "%s", msg);
    return -1;
}

static int out_oom(render *r, const tmpl *t, const node *n)
{
    if (r->out->full)
        return rerr(r, t, n, "output is larger than the limit of %zu bytes", r->out->limit);
    return rerr(r, t, n, "out of memory");
}

static inline void set_room(render *r)
{
    r->room = r->pend_len ? 0 : buf_short_room(r->out);
}

/* Owes the frame's indentation before the next output. */
static inline void owe_indent(render *r, const char *ind, size_t len)
{
    r->pend = ind; r->pend_len = len;
    r->room = 0;
}

/* Writes s, first paying any owed indentation unless s starts with a newline. */
static int emit_pending(render *r, const char *s, size_t n)
{
    if (n == 0) return 0;
    if (r->pend_len) {
        int nl = s[0] == '\n' || (s[0] == '\r' && n > 1 && s[1] == '\n');
        if (!nl && buf_append(r->out, r->pend, r->pend_len) < 0) return -1;
        r->pend_len = 0;
    }
    int rc = buf_add_raw(r->out, s, n);
    set_room(r);
    return rc;
}

/* Writes a long text s: straight into out when no indentation is owed and it fits (the room kept
 * then stays as it was), else as emit_pending. */
static int emit_long(render *r, const char *s, size_t n)
{
    buf *b = r->out;
    if (!r->pend_len && n < b->cap - b->len && (!b->limit || b->len + n <= b->limit)) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        return 0;
    }
    return emit_pending(r, s, n);
}

static inline __attribute__((always_inline)) int emit(render *r, const char *s, size_t n)
{
    buf *b = r->out;
    if (__builtin_expect(n <= BUF_SHORT && b->len < r->room, 1)) {
        buf_copy_short(b->data + b->len, s, n);
        b->len += n;
        return 0;
    }
    return emit_pending(r, s, n);
}

static int emit_text(render *r, const frame *f, const node *n)
{
    if (!f->ind_len && !f->strip_len) return emit(r, n->text, n->len);
    const char *p = n->text, *end = n->text + n->len;
    int bol = n->bol;
    while (p < end) {
        if (bol) {
            size_t k = 0;
            while (k < f->strip_len && p + k < end && p[k] == f->strip[k]) k++;
            p += k;
            if (f->ind_len) owe_indent(r, f->ind, f->ind_len);
            if (p == end) break;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl + 1 : end;
        if (emit(r, p, (size_t)(e - p)) < 0) return -1;
        bol = nl != NULL;
        p = e;
    }
    return 0;
}

#define JTYPE(v) ((v)->type & 0xFF)

/* A member of an object by exact key; the first match, as cJSON's own lookup. */
static const cJSON *member(const cJSON *obj, const char *key)
{
    const char k0 = key[0];
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *a = c->string;
        if (a && a[0] == k0 && strcmp(a, key) == 0) return c;
    }
    return NULL;
}

/* Fills the root's empty slots: one pass over its members, each matched against the set's keys; a
 * slot keeps the first member of its name, so the index answers exactly as member() does (slots
 * bound before hold first members already). */
static __attribute__((noinline)) void index_root(render *r)
{
    const keys *ks = &r->set->keys;
    for (const cJSON *c = r->stack[0]->child; c; c = c->next) {
        const char *a = c->string;
        if (!a || !a[0]) continue;                       /* no name is empty; a[1] exists past here */
        for (int id = ks->head[key_hash(a)]; id >= 0; id = ks->next[id]) {
            const char *b = ks->name[id];
            if (b[0] == a[0] && b[1] == a[1] && (!a[1] || strcmp(a + 2, b + 2) == 0)) {
                if (!r->root_slot[id + 1]) r->root_slot[id + 1] = c;
                break;
            }
        }
    }
    r->root_done = 1;
}

/* Binds the empty slot of key (number id) on the root: the member after those bound in order, if
 * that is key's, else (once) the index of every member. */
static inline __attribute__((always_inline)) const cJSON *root_bind(render *r, const char *key, int id)
{
    const cJSON *c = r->root_next;
    if (c && c->string && strcmp(c->string, key) == 0) {
        r->root_next = c->next;
        return r->root_slot[id] = c;
    }
    index_root(r);
    return r->root_slot[id];
}

/* The member key (a name's first part, numbered id or 0) of the root object, or NULL. */
static inline __attribute__((always_inline)) const cJSON *root_member(render *r, const char *key, int id)
{
    if (id) {
        const cJSON *v = r->root_slot[id];
        if (v || r->root_done) return v;
        return root_bind(r, key, id);
    }
    const cJSON *o = r->stack[0];
    return JTYPE(o) == cJSON_Object ? member(o, key) : NULL;
}

/* A one-part name on the context stack, innermost object first; NULL when missing. */
static inline __attribute__((always_inline)) const cJSON *lookup1(render *r, const char *key, int id)
{
    for (int i = r->sp - 1; i > 0; i--) {
        const cJSON *o = r->stack[i];
        if (JTYPE(o) != cJSON_Object) continue;
        const cJSON *v = member(o, key);
        if (v) return v;
    }
    return root_member(r, key, id);
}

/* Looks a name up on the context stack; *found tells a missing name from a null value. */
static const cJSON *lookup(render *r, const dname *nm, int *found)
{
    *found = 1;
    if (nm->nparts == 0) return r->stack[r->sp - 1];
    const cJSON *v = lookup1(r, nm->parts[0], nm->id);
    for (int k = 1; k < nm->nparts && v; k++)
        v = JTYPE(v) == cJSON_Object ? member(v, nm->parts[k]) : NULL;
    if (!v) *found = 0;
    return v;
}

static tmpl_lambda_fn lambda_of(render *r, const cJSON *v)
{
    return r->o->lambda_of && v ? r->o->lambda_of(v, r->o->lambda_ud) : NULL;
}

static int truthy(const cJSON *v)
{
    if (!v) return 0;
    switch (JTYPE(v)) {
    case cJSON_Array: return v->child != NULL;
    case cJSON_Object: case cJSON_True: case cJSON_Raw: return 1;
    default: return value_truthy(v);
    }
}

static int render_nodes(render *r, const tmpl *t, const node *h, const frame *f, const scope *sc);

static int push(render *r, const tmpl *t, const node *n, const cJSON *v)
{
    if (r->sp >= (int)(sizeof r->stack / sizeof r->stack[0]))
        return rerr(r, t, n, "sections nested deeper than %d", r->o->max_depth ? r->o->max_depth : DEFAULT_DEPTH);
    r->stack[r->sp++] = v;
    return 0;
}

static int enter(render *r, const tmpl *t, const node *n)
{
    int max = r->o->max_depth ? r->o->max_depth : DEFAULT_DEPTH;
    if (++r->depth > max) return rerr(r, t, n, "sections and partials nested deeper than %d (recursive partial?)", max);
    return 0;
}

/* Renders text that a lambda returned as a template of its own, with the given delimiters. */
static int render_lambda_text(render *r, const tmpl *t, const node *n, const char *src, size_t len,
                              const char *otag, const char *ctag, const frame *f, const scope *sc, buf *into)
{
    tmpl_error e = {0};
    tmpl *lt = compile(t->name, src, len, t->lang, otag, ctag, &e);
    if (!lt) return rerr(r, t, n, "lambda returned a bad template: %s", e.message);
    buf *saved = r->out;
    size_t limit = saved->limit;
    if (into) { into->limit = limit; r->out = into; set_room(r); }
    int rc = render_nodes(r, lt, &lt->root, f, sc);
    r->out = saved;
    set_room(r);
    tmpl_free(lt);
    return rc;
}

static int html_escape(render *r, const char *s, size_t n)
{
    size_t a = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        default: continue;
        }
        if (emit(r, s + a, i - a) < 0 || emit(r, rep, strlen(rep)) < 0) return -1;
        a = i + 1;
    }
    return emit(r, s + a, n - a);
}

static int render_lambda_var(render *r, const tmpl *t, const node *n, tmpl_lambda_fn fn, const scope *sc)
{
    if (n->how == HOW_CODE) return rerr(r, t, n, "lambdas are refused in %s templates", lang_name(t->lang));
    buf code = BUF_INIT, val = BUF_INIT;
    int rc = fn(NULL, 0, &code, r->o->lambda_ud);
    if (rc == 0) rc = render_lambda_text(r, t, n, code.data ? code.data : "", code.len, "{{", "}}", &(frame){0}, sc, &val);
    else rerr(r, t, n, "lambda failed");
    if (rc == 0) rc = n->how == HOW_VERBATIM ? emit(r, val.data ? val.data : "", val.len)
                                             : html_escape(r, val.data ? val.data : "", val.len);
    buf_free(&code); buf_free(&val);
    return rc;
}

static int code_var_err(render *r, const tmpl *t, const node *n, const buf *dst, const char *why)
{
    if (dst->full) return out_oom(r, t, n);
    return rerr(r, t, n, "value of '%.*s' cannot be written %s: %s", (int)n->tag_len, n->tag,
                esc_ctx_name(n->ctx), why ? why : "refused");
}

static int render_code_var(render *r, const tmpl *t, const node *n, const cJSON *v)
{
    const char *why = NULL;
    buf *dst = r->out;
    if (r->pend_len) { buf_reset(&r->scratch); r->scratch.limit = r->out->limit; dst = &r->scratch; }
    if (esc_value(n->ctx, v, dst, &why) < 0) return code_var_err(r, t, n, dst, why);
    if (dst == &r->scratch && emit(r, r->scratch.data ? r->scratch.data : "", r->scratch.len) < 0) return out_oom(r, t, n);
    return 0;
}

/* Writes the value v of {{n}}, found. */
static int render_value(render *r, const tmpl *t, const node *n, const cJSON *v, const frame *f, const scope *sc)
{
    if (n->bol && f->ind_len) owe_indent(r, f->ind, f->ind_len);
    if (r->lambdas) {
        tmpl_lambda_fn fn = lambda_of(r, v);
        if (fn) return render_lambda_var(r, t, n, fn, sc);
    }
    if (n->how == HOW_CODE) return render_code_var(r, t, n, v);
    const char *s;
    size_t len;
    char num[40];
    switch (JTYPE(v)) {
    case cJSON_String: s = v->valuestring; len = strlen(s); break;
    case cJSON_NULL: return 0;
    case cJSON_True: s = "true"; len = 4; break;
    case cJSON_False: s = "false"; len = 5; break;
    case cJSON_Number: {
        int k = value_number_str(v->valuedouble, num);
        if (k < 0) return rerr(r, t, n, "number cannot be written (not finite)");
        s = num; len = (size_t)k;
        break;
    }
    default:
        if (r->strict) return rerr(r, t, n, "'%.*s' is a %s; only scalars can be interpolated", (int)n->tag_len, n->tag,
                                   cJSON_IsArray(v) ? "list" : "object");
        return 0;
    }
    int rc = n->how == HOW_VERBATIM ? emit(r, s, len) : html_escape(r, s, len);
    return rc < 0 ? out_oom(r, t, n) : 0;
}

static int render_var(render *r, const tmpl *t, const node *n, const frame *f, const scope *sc)
{
    int found;
    const cJSON *v = lookup(r, &n->nm, &found);
    if (!found) {
        if (r->strict) return rerr(r, t, n, "no value of this name (strict mode)");
        return 0;
    }
    return render_value(r, t, n, v, f, sc);
}

static const node *find_override(const scope *sc, const char *nm, size_t nl)
{
    const node *best = NULL;
    for (; sc; sc = sc->outer)
        for (size_t i = 0; i < sc->parent->nkids; i++) {
            const node *b = &sc->parent->kids[i];
            if (b->type == T_BLOCK && b->nm.nparts == 1 && strlen(b->nm.parts[0]) == nl &&
                memcmp(b->nm.parts[0], nm, nl) == 0)
                best = b;                                    /* outermost wins */
        }
    return best;
}

static int render_partial(render *r, const tmpl *t, const node *n, const tmpl *pt, const frame *f, const scope *sc,
                          const scope *blocks)
{
    if (!pt) {
        if (r->strict) return rerr(r, t, n, "no template named '%s'", n->pname ? n->pname : "?");
        return 0;
    }
    if (enter(r, t, n) < 0) return -1;
    frame pf = {0};
    char *ind = NULL;
    if (f->ind_len || n->indent_len) {
        if (!(ind = malloc(f->ind_len + n->indent_len + 1))) return out_oom(r, t, n);
        if (f->ind_len) memcpy(ind, f->ind, f->ind_len);
        if (n->indent_len) memcpy(ind + f->ind_len, n->indent, n->indent_len);
        pf.ind = ind; pf.ind_len = f->ind_len + n->indent_len;
    }
    if (n->bol && !n->indent_len && f->ind_len) owe_indent(r, f->ind, f->ind_len);
    int rc = render_nodes(r, pt, &pt->root, &pf, blocks ? blocks : sc);
    free(ind);
    r->depth--;
    return rc;
}

static int render_section(render *r, const tmpl *t, const node *n, const frame *f, const scope *sc)
{
    int found;
    const cJSON *v = lookup(r, &n->nm, &found);
    if (!found && r->strict)
        return rerr(r, t, n, "no value of this name (strict mode)");
    tmpl_lambda_fn fn = lambda_of(r, v);
    if (n->type == T_INVERTED) {
        if (fn || truthy(v)) return 0;
        return render_nodes(r, t, n, f, sc);
    }
    if (fn) {
        if (lang_is_code(t->lang)) return rerr(r, t, n, "lambdas are refused in %s templates", lang_name(t->lang));
        buf code = BUF_INIT;
        int rc = fn(t->src + n->raw, n->raw_len, &code, r->o->lambda_ud);
        if (rc == 0) rc = render_lambda_text(r, t, n, code.data ? code.data : "", code.len, n->otag, n->ctag, f, sc, NULL);
        else rerr(r, t, n, "lambda failed");
        buf_free(&code);
        return rc;
    }
    if (!truthy(v)) return 0;
    if (enter(r, t, n) < 0) return -1;
    int rc = 0;
    if (JTYPE(v) == cJSON_Array) {
        const cJSON *item;
        cJSON_ArrayForEach(item, v) {
            if ((rc = push(r, t, n, item)) < 0) break;
            rc = render_nodes(r, t, n, f, sc);
            r->sp--;
            if (rc < 0) break;
        }
    } else if ((rc = push(r, t, n, v)) == 0) {
        rc = render_nodes(r, t, n, f, sc);
        r->sp--;
    }
    r->depth--;
    return rc;
}

static int render_block(render *r, const tmpl *t, const node *n, const frame *f, const scope *sc)
{
    const node *ov = find_override(sc, n->nm.parts[0], strlen(n->nm.parts[0]));
    if (!ov || ov == n) return render_nodes(r, t, n, f, sc);
    if (enter(r, t, n) < 0) return -1;
    frame of = {0};
    char *ind = NULL;
    size_t add = n->blk_standalone ? n->indent_len : 0;
    if (f->ind_len || add) {
        if (!(ind = malloc(f->ind_len + add + 1))) return out_oom(r, t, n);
        if (f->ind_len) memcpy(ind, f->ind, f->ind_len);
        if (add) memcpy(ind + f->ind_len, n->indent, add);
        of.ind = ind; of.ind_len = f->ind_len + add;
    }
    if (ov->blk_standalone) { of.strip = ov->own; of.strip_len = ov->own_len; }
    /* the override's text belongs to the template that wrote it */
    const tmpl *owner = t;
    for (size_t i = 0; i < r->set->n; i++) {
        const tmpl *c = r->set->items[i];
        if (ov->tag >= c->src && ov->tag < c->src + c->len) { owner = c; break; }
    }
    int rc = render_nodes(r, owner, ov, &of, sc);
    free(ind);
    r->depth--;
    return rc;
}

/* Renders one node of any kind in frame f. */
static int render_one(render *r, const tmpl *t, const node *k, const frame *f, const scope *sc)
{
    switch (k->type) {
    case T_TEXT:
        return emit_text(r, f, k) < 0 ? out_oom(r, t, k) : 0;
    case T_VAR: case T_RAW:
        return render_var(r, t, k, f, sc);
    case T_SECTION: case T_INVERTED:
        if (k->bol && f->ind_len) owe_indent(r, f->ind, f->ind_len);
        return render_section(r, t, k, f, sc);
    case T_PARTIAL:
        return render_partial(r, t, k, k->ref ? k->ref : (r->set->linked ? set_find(r->set, k->pname) : NULL), f, sc, NULL);
    case T_DYNPARTIAL: {
        int found;
        const cJSON *v = lookup(r, &k->nm, &found);
        const tmpl *pt = cJSON_IsString(v) ? set_find(r->set, v->valuestring) : NULL;
        if (!pt && r->strict) return rerr(r, t, k, "dynamic partial name does not name a template");
        return pt ? render_partial(r, t, k, pt, f, sc, NULL) : 0;
    }
    case T_PARENT: {
        const tmpl *pt = k->ref ? k->ref : set_find(r->set, k->pname);
        scope inner = { k, sc };
        return render_partial(r, t, k, pt, f, sc, &inner);
    }
    case T_BLOCK:
        return render_block(r, t, k, f, sc);
    default:
        return 0;
    }
}

/* A string of only the bytes the context writes as themselves: its length, else -1. */
static inline long plain_len(const unsigned char *ok, const char *str)
{
    const unsigned char *u = (const unsigned char *)str, *p = u;
    for (;; p += 8) {                         /* ok[NUL] is 0: stops at the end, on the byte that failed */
        if (!ok[p[0]]) break;
        if (!ok[p[1]]) { p += 1; break; }
        if (!ok[p[2]]) { p += 2; break; }
        if (!ok[p[3]]) { p += 3; break; }
        if (!ok[p[4]]) { p += 4; break; }
        if (!ok[p[5]]) { p += 5; break; }
        if (!ok[p[6]]) { p += 6; break; }
        if (!ok[p[7]]) { p += 7; break; }
    }
    return *p ? -1 : (long)(p - u);
}

/* Writes the value v of the one-part {{k}} escaped for its code context, in a frame without
 * indentation: strings and integers that need no escaping are copied, the rest go to esc_value. */
static int render_code1(render *r, const tmpl *t, const node *k, const cJSON *v)
{
    const char *s = NULL;
    long len = -1;
    char num[40];
    if (k->plain) {
        if (JTYPE(v) == cJSON_String && v->valuestring) {
            s = v->valuestring;
            len = plain_len(k->plain, s);
        } else if (JTYPE(v) == cJSON_Number && (len = value_number_str(v->valuedouble, num)) >= 0) {
            s = num;      /* a number is its own literal, or its text in a string context */
            if ((k->quote && memchr(num, 'e', (size_t)len)) || plain_len(k->plain, num) < 0) len = -1;
        }
    }
    if (len >= 0) {
        const char q = JTYPE(v) == cJSON_String ? k->quote : 0;
        if ((q && emit(r, &q, 1) < 0) || emit(r, s, (size_t)len) < 0 || (q && emit(r, &q, 1) < 0))
            return out_oom(r, t, k);
        return 0;
    }
    const char *why = NULL;
    if (esc_value(k->ctx, v, r->out, &why) < 0) return code_var_err(r, t, k, r->out, why);
    return 0;
}

/* The first member of an object, where a section's steps bind its names in order, else NULL. */
static inline const cJSON *first_member(const cJSON *v)
{
    return JTYPE(v) == cJSON_Object ? v->child : NULL;
}

/* The value of a step's one-part name. In a section's steps run by the loop cur, a name's first
 * step (not _AGAIN) tries the member after those its earlier steps bound in this item: sections mostly ask for
 * an item's members in the order they are in (so no first-byte test before the strcmp). Each
 * member before that one holds another name a step before this asked for, so a match is the first
 * member of this name, as member() finds. */
static inline __attribute__((always_inline)) const cJSON *step_lookup(render *r, struct loop *cur, const step *q)
{
    if (cur) {
        const cJSON *c = cur->next;
        const char *a;
        if (c && (a = c->string) && strcmp(a, q->key) == 0) {
            cur->next = c->next;
            return c;
        }
    }
    return lookup1(r, q->key, q->id);
}

static int render_nodes(render *r, const tmpl *t, const node *h, const frame *f, const scope *sc)
{
    if (f->ind_len || f->strip_len || r->lambdas) {           /* indentation to weave in, or lambdas */
        for (const node *k = h->kids, *end = h->kids + h->nkids; k < end; k++)
            if (render_one(r, t, k, f, sc) < 0) return -1;
        return 0;
    }
    /* Sections run in this loop rather than a call per item: their steps replace the current ones
     * until the last item is done (loops[] remembers where to go on); in every other respect as
     * render_section, which frames without steps use. */
    const step *p = h->prog;
    const int base = r->nloops;
    struct loop *cur = NULL;                                /* the loop running the steps at p, if any */
    /* The output's write position and the end of its room live in locals while the steps run:
     * every byte stored would otherwise make the compiler load them again. Whatever writes out by
     * a call stores the length first (OUT_SAVE) and takes both again after (OUT_LOAD). out->data
     * is never NULL here (tmpl_render). */
    buf *const b = r->out;
    char *d = b->data + b->len, *lim = b->data + r->room;
#define OUT_SAVE() (b->len = (size_t)(d - b->data))
#define OUT_LOAD() (d = b->data + b->len, lim = b->data + r->room)
    for (;; p++) {
    top:;
        const step *q = p;
        const cJSON *v;
        int rc;
        /* the step's text (at most BUF_SHORT bytes, in a source followed by SRC_PAD zeros) as one
         * block of 16, 32 or 64 bytes whatever its length; room keeps BUF_SHORT bytes free after
         * it */
        if (__builtin_expect(d < lim, 1)) {
            if (q->len <= 16) __builtin_memcpy(d, q->text, 16);
            else if (q->len <= 32) __builtin_memcpy(d, q->text, 32);
            else __builtin_memcpy(d, q->text, 64);
            d += q->len;
        } else {
            OUT_SAVE();
            rc = emit_pending(r, q->text, q->len);
            OUT_LOAD();
            if (rc < 0) return out_oom(r, t, q->n);
        }
        if (__builtin_expect(q->op == OP_VERBATIM1, 1)) {
            if (!(v = step_lookup(r, cur, q))) goto missing;
        verbatim1:;
            const char *str = NULL;
            size_t n = 0;
            char num[40];
            if (JTYPE(v) == cJSON_String && (str = v->valuestring)) {
                n = strlen(str);
            } else if (JTYPE(v) == cJSON_Number && (rc = value_number_str(v->valuedouble, num)) >= 0) {
                str = num; n = (size_t)rc;
            }
            if (__builtin_expect(str && n <= BUF_SHORT && d < lim, 1)) {
                buf_copy_short(d, str, n);
                d += n;
                continue;
            }
            OUT_SAVE();
            rc = str ? emit_pending(r, str, n) : render_value(r, t, q->n, v, f, sc);
            OUT_LOAD();
            if (rc < 0) return str ? out_oom(r, t, q->n) : -1;
            continue;
        }
        switch (q->op) {
        case OP_VERBATIM1_AGAIN:
            if (!(v = lookup1(r, q->key, q->id))) goto missing;
            goto verbatim1;
        case OP_CODE1_AGAIN:
            if (!(v = lookup1(r, q->key, q->id))) goto missing;
            goto code1;
        case OP_CODE1:
            if (!(v = step_lookup(r, cur, q))) goto missing;
        code1:
            if (q->n->plain && JTYPE(v) == cJSON_String && v->valuestring && d < lim) {
                /* a string the context writes as itself, with its quotes: as render_code1 */
                long n = plain_len(q->n->plain, v->valuestring);
                if (n >= 0 && n <= BUF_SHORT - 2) {
                    const char qc = q->n->quote;
                    if (qc) *d++ = qc;
                    buf_copy_short(d, v->valuestring, (size_t)n);
                    d += n;
                    if (qc) *d++ = qc;
                    continue;
                }
            }
            OUT_SAVE();
            rc = r->pend_len ? render_value(r, t, q->n, v, f, sc) : render_code1(r, t, q->n, v);
            OUT_LOAD();
            if (rc < 0) return -1;
            continue;
        case OP_TEXT:
            continue;
        case OP_LONGTEXT:
            OUT_SAVE();
            rc = emit_long(r, q->n->text, q->n->len);
            OUT_LOAD();
            if (rc < 0) return out_oom(r, t, q->n);
            continue;
        case OP_END: {
            struct loop *l = cur;                           /* the loop running these steps */
            if (!l) { OUT_SAVE(); return 0; }
            if (l->item && (l->item = l->item->next)) {   /* the next item: the same steps again */
                *l->top = l->item;
                l->next = first_member(l->item);
                p = l->body;
                goto top;
            }
            r->sp--;
            r->depth--;
            r->nloops--;
            p = l->p;
            cur = r->nloops > base ? &r->loops[r->nloops - 1] : NULL;
            continue;                                       /* l->p is the section's own step */
        }
        case OP_SECTION: {
            int found = 1;
            if (q->key) found = (v = lookup1(r, q->key, q->id)) != NULL;   /* a one-part name */
            else v = lookup(r, &q->n->nm, &found);
            if (!found && r->strict) goto missing;
            if ((v && JTYPE(v) == cJSON_Array) ? !v->child : !truthy(v)) continue;   /* no lambdas here */
            OUT_SAVE();
            if (enter(r, t, q->n) < 0) return -1;
            const cJSON *item = JTYPE(v) == cJSON_Array ? v->child : NULL;
            if (push(r, t, q->n, item ? item : v) < 0) return -1;
            const cJSON *obj = item ? item : v;
            cur = &r->loops[r->nloops++];
            *cur = (struct loop){ item, q->n->prog, p, first_member(obj), &r->stack[r->sp - 1] };
            p = q->n->prog;
            goto top;
        }
        default:
            OUT_SAVE();
            rc = render_one(r, t, q->n, f, sc);
            OUT_LOAD();
            if (rc < 0) return -1;
            continue;
        }
    missing:                                                /* a name not found */
        if (r->strict) { OUT_SAVE(); return rerr(r, t, q->n, "no value of this name (strict mode)"); }
    }
#undef OUT_SAVE
#undef OUT_LOAD
}

int tmpl_render(const tmpl_set *s, const char *name, const cJSON *data,
                const tmpl_opts *opts, buf *out, tmpl_error *err)
{
    static const tmpl_opts defaults = TMPL_OPTS_INIT;
    if (err) { err->message[0] = '\0'; err->name[0] = '\0'; err->line = err->column = 0; }
    const tmpl_opts *o = opts ? opts : &defaults;
    const tmpl *t = s->linked ? set_find(s, name) : NULL;
    if (!s->linked) { set_err(err, name, 0, 0, NULL, 0, "the template set is not linked (call tmpl_set_link)"); return -1; }
    if (!t) { set_err(err, name, 0, 0, NULL, 0, "no template with this name"); return -1; }
    if (o->max_depth < 0 || o->max_depth > DEFAULT_DEPTH * 4) {
        set_err(err, name, 0, 0, NULL, 0, "max_depth must be 0..%d", DEFAULT_DEPTH * 4);
        return -1;
    }
    render r;                                               /* the stack is filled as it grows */
    r.set = s; r.o = o; r.err = err; r.out = out;
    r.depth = 0; r.sp = 0; r.pend = NULL; r.pend_len = 0; r.nloops = 0;
    r.lambdas = o->lambda_of != NULL;
    r.scratch = (buf)BUF_INIT;
    r.strict = o->strict >= 0 ? o->strict : t->lang != LANG_SPEC;
    if (!out->data && buf_reserve(out, 0) < 0) { set_err(err, name, 0, 0, NULL, 0, "out of memory"); return -1; }
    size_t old_limit = out->limit, old_len = out->len;
    out->limit = old_len + (o->max_output ? o->max_output : DEFAULT_OUTPUT);
    r.room = buf_short_room(out);
    static const cJSON empty = {0};
    r.stack[r.sp++] = data ? data : &empty;
    memset(r.root_slot, 0, (size_t)(s->keys.n + 1) * sizeof r.root_slot[0]);
    r.root_done = JTYPE(r.stack[0]) != cJSON_Object;
    r.root_next = r.root_done ? NULL : r.stack[0]->child;
    frame f = {0};
    int rc = render_nodes(&r, t, &t->root, &f, NULL);
    if (r.scratch.data) buf_free(&r.scratch);                /* used only when indentation was owed */
    buf_terminate(out);                                     /* appends above leave out the NUL */
    out->limit = old_limit;
    out->full = 0;
    if (rc < 0) {
        out->len = old_len;                                 /* never leave partial output */
        if (out->data) out->data[old_len] = '\0';
        if (err && !err->message[0]) set_err(err, name, 0, 0, NULL, 0, "render failed");
    }
    return rc;
}
