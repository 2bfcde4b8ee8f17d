/* htmltok.c -- an HTML tokenizer in the manner of a browser's (data, tag, attribute and comment
 * states) that reports the elements, handlers, URLs and styles that would run script. */
#include <string.h>
#include "htmltok.h"

#define VAL_MAX  2048   /* bytes of an attribute value decoded to read its scheme or style */

typedef struct reader {
    const char *s;
    size_t n;
    int reading;
    htmltok_info *info;
    char tag[16];       /* the current start tag's name, lower case; "" unknown */
    const char *src;    /* the current start tag's src value, NULL when it has none */
    size_t srclen;
} reader;

static int is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
static int is_alpha(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_alnum(unsigned char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }
static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

/* Copies a name in lower case; a NUL (U+FFFD in browsers) or a name too long for out becomes a
 * name that matches nothing. */
static void copy_name(char *out, size_t cap, const char *p, size_t len)
{
    if (len >= cap) { out[0] = '\x7f'; out[1] = '\0'; return; }
    for (size_t i = 0; i < len; i++) out[i] = p[i] ? (char)lower((unsigned char)p[i]) : '\x7f';
    out[len] = '\0';
}

/* Character references an attribute value may use to hide a scheme or a style keyword. */
static const struct { const char *name; char c; } named_refs[] = {
    {"Tab", '\t'}, {"NewLine", '\n'}, {"colon", ':'}, {"lpar", '('}, {"rpar", ')'}, {"sol", '/'},
    {"bsol", '\\'}, {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
    {"nbsp", ' '}, {"period", '.'}, {"excl", '!'}, {"grave", '`'}, {"semi", ';'}, {"comma", ','},
    {"equals", '='}, {"plus", '+'}, {"ast", '*'}, {"num", '#'}, {"percnt", '%'}, {"dollar", '$'},
};

/* Decodes one character reference at p[0] == '&'; sets *used and returns the character (0x80 for
 * any non-ASCII one), or -1 when p starts none. */
static int char_ref(const char *p, size_t len, size_t *used)
{
    size_t i = 1;
    if (i < len && p[i] == '#') {
        int hex = 0;
        i++;
        if (i < len && (p[i] | 0x20) == 'x') { hex = 1; i++; }
        unsigned long v = 0;
        size_t d0 = i;
        for (; i < len; i++) {
            unsigned char c = (unsigned char)p[i];
            int dv = c >= '0' && c <= '9' ? c - '0' : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
            if (dv < 0) break;
            if (v < 0x110000) v = v * (hex ? 16 : 10) + (unsigned long)dv;
        }
        if (i == d0) return -1;
        if (i < len && p[i] == ';') i++;
        *used = i;
        return v == 0 ? 0x80 : v < 0x80 ? (int)v : 0x80;
    }
    size_t e = i;
    while (e < len && e - i < 16 && is_alnum((unsigned char)p[e])) e++;
    if (e == i || e >= len || p[e] != ';') return -1;
    for (size_t k = 0; k < sizeof named_refs / sizeof named_refs[0]; k++)
        if (strlen(named_refs[k].name) == e - i && memcmp(named_refs[k].name, p + i, e - i) == 0) {
            *used = e + 1;
            return (unsigned char)named_refs[k].c;
        }
    return -1;
}

/* Decodes a value's character references into out (at most VAL_MAX bytes, non-ASCII as 0x80). */
static size_t decode_value(const char *v, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o < VAL_MAX; ) {
        size_t used;
        int c = v[i] == '&' ? char_ref(v + i, len - i, &used) : -1;
        if (c >= 0) { out[o++] = (char)c; i += used; }
        else out[o++] = v[i++];
    }
    return o;
}

static int starts_with(const char *p, size_t len, const char *lit)
{
    size_t k = strlen(lit);
    return len >= k && memcmp(p, lit, k) == 0;
}

/* Whether a URL attribute's value has a scheme that runs script: the URL parser drops leading and
 * trailing spaces and controls and every tab and newline before it reads the scheme. */
static int script_url(const char *tag, const char *v, size_t len)
{
    char dec[VAL_MAX], u[64];
    size_t m = decode_value(v, len, dec), k = 0, i = 0;
    while (i < m && (unsigned char)dec[i] <= 0x20) i++;
    for (; i < m && k < sizeof u; i++) {
        if (dec[i] == '\t' || dec[i] == '\n' || dec[i] == '\r') continue;
        u[k++] = (char)lower((unsigned char)dec[i]);
    }
    if (starts_with(u, k, "javascript:") || starts_with(u, k, "vbscript:") || starts_with(u, k, "livescript:"))
        return 1;
    if (!starts_with(u, k, "data:")) return 0;
    size_t j = 5;
    while (j < k && u[j] == ' ') j++;
    const char *t = u + j;
    k -= j;
    if (starts_with(t, k, "text/html") || starts_with(t, k, "application/xhtml") ||
        starts_with(t, k, "text/javascript") || starts_with(t, k, "application/javascript") ||
        starts_with(t, k, "application/x-shockwave"))
        return 1;
    /* an SVG image runs no script inside <img>, but does as a document (iframe, object, a link) */
    return starts_with(t, k, "image/svg") && strcmp(tag, "img") != 0 && strcmp(tag, "source") != 0;
}

/* Whether a style attribute's value runs script (old IE and Firefox bindings): read without
 * spaces, CSS comments, escapes' backslashes and quotes. */
static int script_style(const char *v, size_t len)
{
    char dec[VAL_MAX], css[VAL_MAX];
    size_t m = decode_value(v, len, dec), k = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = (unsigned char)dec[i];
        if (c == '/' && i + 1 < m && dec[i + 1] == '*') {
            const char *e = NULL;
            for (size_t j = i + 2; j + 1 < m; j++)
                if (dec[j] == '*' && dec[j + 1] == '/') { e = dec + j; break; }
            if (!e) break;
            i = (size_t)(e - dec) + 1;
            continue;
        }
        if (is_space(c) || c == '\\' || c == '"' || c == '\'' || c < 0x20) continue;
        css[k++] = (char)lower(c);
    }
    static const char *const bad[] = {"expression(", "url(javascript:", "url(vbscript:", "-moz-binding:", "behavior:url("};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        size_t bl = strlen(bad[b]);
        for (size_t i = 0; i + bl <= k; i++)
            if (css[i] == bad[b][0] && memcmp(css + i, bad[b], bl) == 0) return 1;
    }
    return 0;
}

/* Event names (after "on") and prefixes of families (mouse*, key*, drag*...) browsers fire. */
static const char *const events[] = {
    "abort", "activate", "afterprint", "afterscriptexecute", "animation", "auxclick", "before",
    "begin", "blur", "bounce", "cancel", "canplay", "change", "click", "close", "contextmenu",
    "copy", "cuechange", "cut", "dblclick", "drag", "drop", "durationchange", "emptied", "end",
    "error", "finish", "focus", "formdata", "fullscreen", "hashchange", "input", "invalid", "key",
    "load", "message", "mouse", "offline", "online", "page", "paste", "pause", "play", "pointer",
    "popstate", "progress", "ratechange", "readystatechange", "repeat", "reset", "resize",
    "scroll", "search", "seek", "select", "show", "start", "stalled", "storage", "submit",
    "suspend", "timeupdate", "toggle", "touch", "transition", "unhandledrejection", "unload",
    "volumechange", "waiting", "webkit", "wheel",
};

static int known_event(const char *name)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (strncmp(name, events[i], strlen(events[i])) == 0) return 1;
    return 0;
}

/* A light reading of script: a call (name or ')' before '('), a template literal or an assignment. */
static int script_like(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '`' || c == '=') return 1;
        if (c == '(' && i > 0) {
            size_t j = i;
            while (j > 0 && is_space((unsigned char)v[j - 1])) j--;
            if (j > 0 && (is_alnum((unsigned char)v[j - 1]) || v[j - 1] == ')' || v[j - 1] == '_' || v[j - 1] == '$' || v[j - 1] == ']'))
                return 1;
        }
    }
    return 0;
}

static int nonblank(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_space((unsigned char)v[i])) return 1;
    return 0;
}

static int found(reader *R, const char *reason, const char *attr)
{
    if (R->info) {
        R->info->reading = R->reading;
        R->info->reason = reason;
        strcpy(R->info->tag, R->tag);
        copy_name(R->info->attr, sizeof R->info->attr, attr, strlen(attr));
    }
    return 1;
}

static const char *const url_attrs[] = {
    "href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "lowsrc",
    "dynsrc", "code", "codebase", "to", "from", "values", "by", "srcset", "ping", "cite", "longdesc",
    "profile", "usemap", "manifest", "icon", "archive", "classid",
};

static int in_list(const char *name, const char *const *list, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (strcmp(name, list[i]) == 0) return 1;
    return 0;
}

/* Judges one attribute of the current start tag; returns 1 on a finding. */
static int attribute(reader *R, const char *name, const char *v, size_t vlen, int has_value)
{
    const char *t = R->tag;
    size_t nl = strlen(name);
    if (has_value && nl >= 5 && name[0] == 'o' && name[1] == 'n' && nonblank(v, vlen)) {
        size_t k = 2;
        while (k < nl && is_alpha((unsigned char)name[k])) k++;
        if (k == nl && (R->reading == HTMLTOK_DATA || known_event(name + 2) || script_like(v, vlen)))
            return found(R, "event handler", name);
    }
    if (!has_value || !nonblank(v, vlen)) return 0;
    if (strcmp(name, "style") == 0)
        return script_style(v, vlen) && found(R, "script in a style", name);
    if (strcmp(name, "formaction") == 0) return found(R, "formaction", name);
    if (strcmp(name, "srcdoc") == 0 && (!t[0] || strcmp(t, "iframe") == 0 || strcmp(t, "frame") == 0))
        return found(R, "iframe srcdoc", name);
    if (in_list(name, url_attrs, sizeof url_attrs / sizeof url_attrs[0]) && script_url(t, v, vlen))
        return found(R, "script URL", name);
    if ((strcmp(t, "object") == 0 || strcmp(t, "embed") == 0 || strcmp(t, "applet") == 0) &&
        (strcmp(name, "data") == 0 || strcmp(name, "src") == 0 || strcmp(name, "code") == 0 ||
         strcmp(name, "classid") == 0 || strcmp(name, "archive") == 0 || strcmp(name, "codebase") == 0))
        return found(R, "plugin content", name);
    if (strcmp(t, "base") == 0 && strcmp(name, "href") == 0) return found(R, "base href", name);
    if (strcmp(t, "meta") == 0 && strcmp(name, "http-equiv") == 0) {
        char d[VAL_MAX];
        size_t m = decode_value(v, vlen, d), i = 0;
        while (i < m && is_space((unsigned char)d[i])) i++;
        for (size_t j = i; j < m; j++) d[j] = (char)lower((unsigned char)d[j]);
        if (starts_with(d + i, m - i, "refresh") || starts_with(d + i, m - i, "set-cookie"))
            return found(R, "meta refresh", name);
    }
    if (strcmp(name, "dataformatas") == 0) {   /* old IE data binding renders bound data as markup */
        size_t i = 0;
        while (i < vlen && is_space((unsigned char)v[i])) i++;
        if (vlen - i >= 4 && lower((unsigned char)v[i]) == 'h' && lower((unsigned char)v[i + 1]) == 't' &&
            lower((unsigned char)v[i + 2]) == 'm' && lower((unsigned char)v[i + 3]) == 'l')
            return found(R, "data binding as HTML", name);
    }
    if (strcmp(t, "link") == 0 && strcmp(name, "rel") == 0) {
        for (size_t i = 0; i + 6 <= vlen; i++)
            if (lower((unsigned char)v[i]) == 'i' && lower((unsigned char)v[i + 1]) == 'm' &&
                lower((unsigned char)v[i + 2]) == 'p' && lower((unsigned char)v[i + 3]) == 'o' &&
                lower((unsigned char)v[i + 4]) == 'r' && lower((unsigned char)v[i + 5]) == 't')
                return found(R, "link import", name);
    }
    return 0;
}

/* Reads a tag's attribute list from i to its '>' (or the end of the value); end tags' attributes
 * are read but not judged. Sets *hit; returns the index after the tag. */
static size_t attributes(reader *R, size_t i, int judge, int *hit)
{
    const char *s = R->s;
    size_t n = R->n;
    for (;;) {
        while (i < n && (is_space((unsigned char)s[i]) || s[i] == '/')) i++;
        if (i >= n) return n;
        if (s[i] == '>') return i + 1;
        size_t a = i++;     /* a name may start with '=' */
        while (i < n && !is_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>' && s[i] != '=') i++;
        char name[24];
        copy_name(name, sizeof name, s + a, i - a);
        size_t j = i;
        while (j < n && is_space((unsigned char)s[j])) j++;
        const char *v = NULL;
        size_t vlen = 0;
        int has_value = 0;
        if (j < n && s[j] == '=') {
            j++;
            while (j < n && is_space((unsigned char)s[j])) j++;
            has_value = 1;
            if (j < n && (s[j] == '"' || s[j] == '\'')) {
                const char *e = memchr(s + j + 1, s[j], n - j - 1);
                v = s + j + 1;
                vlen = e ? (size_t)(e - v) : n - j - 1;
                i = e ? (size_t)(e - s) + 1 : n;
            } else {
                size_t b = j;
                while (j < n && !is_space((unsigned char)s[j]) && s[j] != '>') j++;
                v = s + b;
                vlen = j - b;
                i = j;
            }
        } else {
            i = j;
        }
        if (strcmp(name, "src") == 0) { R->src = v ? v : ""; R->srclen = vlen; }
        if (judge && attribute(R, name, v ? v : "", vlen, has_value)) { *hit = 1; return i; }
    }
}

/* A src that is one server-side template tag ({{ pathto('x.js') }}, {% static 'x.js' %}): a page
 * template names its own scripts so, and reflected as it is the URL is a relative path. A value
 * with "//" or a backslash could name another host once rendered, so it is not one. */
static int template_src(const char *v, size_t len)
{
    if (!v || len < 4 || v[0] != '{' || (v[1] != '{' && v[1] != '%')) return 0;
    if (v[len - 1] != '}' || (v[len - 2] != '}' && v[len - 2] != '%')) return 0;
    for (size_t k = 0; k < len; k++)
        if (v[k] == '\\' || v[k] == '<' || (v[k] == '/' && k + 1 < len && v[k + 1] == '/')) return 0;
    return 1;
}

/* Skips a comment whose "<!--" ends before i; returns the index after its end. */
static size_t comment(const char *s, size_t n, size_t i)
{
    if (i < n && s[i] == '>') return i + 1;                                 /* <!--> */
    if (i + 1 < n && s[i] == '-' && s[i + 1] == '>') return i + 2;          /* <!---> */
    while (i < n) {
        const char *d = memchr(s + i, '-', n - i);
        if (!d) return n;
        i = (size_t)(d - s);
        if (i + 2 < n && s[i + 1] == '-' && s[i + 2] == '>') return i + 3;
        if (i + 3 < n && s[i + 1] == '-' && s[i + 2] == '!' && s[i + 3] == '>') return i + 4;
        i++;
    }
    return n;
}

static size_t bogus_comment(const char *s, size_t n, size_t i)
{
    const char *g = memchr(s + i, '>', n - i);
    return g ? (size_t)(g - s) + 1 : n;
}

/* Old IE's <?import namespace=.. implementation=URL> loads an HTML component (script); browsers
 * now read it as a bogus comment, but it is still the value's intent. */
static int ie_import(const char *p, size_t len)
{
    static const char kw[] = "implementation";
    if (len < 6) return 0;
    for (size_t i = 0; i < 6; i++)
        if (lower((unsigned char)p[i]) != (unsigned char)"import"[i]) return 0;
    for (size_t i = 6; i + sizeof kw - 1 <= len; i++) {
        size_t k = 0;
        while (k < sizeof kw - 1 && lower((unsigned char)p[i + k]) == (unsigned char)kw[k]) k++;
        if (k == sizeof kw - 1) return 1;
    }
    return 0;
}

/* The data-state reading: text, tags and comments from the start of the value. */
static int read_data(reader *R)
{
    const char *s = R->s;
    size_t n = R->n, i = 0;
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        if (!lt) return 0;
        i = (size_t)(lt - s) + 1;
        if (i >= n) return 0;
        unsigned char c = (unsigned char)s[i];
        if (c == '!') {
            if (i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-') i = comment(s, n, i + 3);
            else i = bogus_comment(s, n, i);
        } else if (c == '?') {
            size_t e = bogus_comment(s, n, i);
            if (ie_import(s + i + 1, e - i - 1)) { copy_name(R->tag, sizeof R->tag, "?import", 7); return found(R, "behaviour import", "implementation"); }
            i = e;
        } else if (c == '/') {
            if (i + 1 < n && is_alpha((unsigned char)s[i + 1])) {
                size_t a = i + 1;
                while (a < n && !is_space((unsigned char)s[a]) && s[a] != '/' && s[a] != '>') a++;
                int hit = 0;
                i = attributes(R, a, 0, &hit);
            } else if (i + 1 < n && s[i + 1] == '>') {
                i += 2;
            } else {
                i = bogus_comment(s, n, i);
            }
        } else if (is_alpha(c)) {
            size_t a = i;
            while (i < n && !is_space((unsigned char)s[i]) && s[i] != '/' && s[i] != '>') i++;
            copy_name(R->tag, sizeof R->tag, s + a, i - a);
            int hit = 0;
            if (strcmp(R->tag, "script") == 0) {
                /* A template's own script, loaded from a src its engine writes; a script with a
                 * src never runs its body, and the body is read on as if it were markup. */
                R->src = NULL;
                size_t e = attributes(R, i, 1, &hit);
                if (hit) return 1;
                if (!template_src(R->src, R->srclen)) return found(R, "script element", "");
                i = e;
                continue;
            }
            i = attributes(R, i, 1, &hit);
            if (hit) return 1;
        }
        /* anything else: the '<' was text */
    }
    return 0;
}

/* An attribute reading: the value sat in a quoted attribute value its first quote q closes. */
static int read_attribute(reader *R, char q)
{
    const char *p = memchr(R->s, q, R->n);
    if (!p) return 0;
    R->tag[0] = '\0';
    int hit = 0;
    attributes(R, (size_t)(p - R->s) + 1, 1, &hit);
    return hit;
}

static int is_ident(unsigned char c) { return is_alnum(c) || c == '_' || c == '$'; }

/* A JS-string reading: the value sat in a script's string that its first quote q closes; a
 * hit is the string closed, an operator or ';' (after any ')' ']' '}'), then an assignment to a
 * name or member chain, or a call of one (a(...), a.b['c'](...), a`...`) followed by the end of
 * the value or what ends or continues an expression (';', '//', '<', ')', ',', '}', an
 * operator, the quote again). */
static int read_js_string(reader *R, char q)
{
    const char *s = R->s;
    size_t n = R->n;
    const char *p = memchr(s, q, n);
    if (!p) return 0;
    size_t i = (size_t)(p - s) + 1;
    while (i < n && (is_space((unsigned char)s[i]) || s[i] == ')' || s[i] == ']' || s[i] == '}')) i++;
    size_t ops = i;
    while (i < n && i - ops < 4 && strchr(";,+-*/%|&^<>=?:!~", s[i]) && s[i]) i++;
    if (i == ops || (i - ops >= 2 && s[ops] == '/' && (s[ops + 1] == '/' || s[ops + 1] == '*'))) return 0;
    while (i < n && is_space((unsigned char)s[i])) i++;
    if (i >= n || !(is_alpha((unsigned char)s[i]) || s[i] == '_' || s[i] == '$')) return 0;
    size_t callee = i;
    while (i < n && i - callee < 128) {
        while (i < n && is_ident((unsigned char)s[i])) i++;
        if (i < n && s[i] == '.' && i + 1 < n && (is_alpha((unsigned char)s[i + 1]) || s[i + 1] == '_' || s[i + 1] == '$')) { i++; continue; }
        if (i < n && s[i] == '[') {
            const char *e = memchr(s + i, ']', n - i < 64 ? n - i : 64);
            if (!e) return 0;
            i = (size_t)(e - s) + 1;
            continue;
        }
        break;
    }
    while (i < n && is_space((unsigned char)s[i])) i++;
    if (i + 1 < n && s[i] == '=' && s[i + 1] != '=' && i > callee) {     /* an assignment */
        R->tag[0] = '\0';
        return found(R, "script assignment after a string break-out", "");
    }
    if (i >= n || (s[i] != '(' && s[i] != '`')) return 0;
    if (s[i] == '`') {
        const char *e = memchr(s + i + 1, '`', n - i - 1);
        if (!e) return 0;
        i = (size_t)(e - s) + 1;
    } else {
        int depth = 0;
        size_t lim = n - i < 512 ? n : i + 512;
        for (; i < lim; i++) {
            if (s[i] == '(') depth++;
            else if (s[i] == ')' && --depth == 0) break;
        }
        if (i >= lim) return 0;
        i++;
    }
    while (i < n && is_space((unsigned char)s[i])) i++;
    if (i < n && !strchr(";/<),}+-*|&", s[i]) && s[i] != q) return 0;
    R->tag[0] = '\0';
    return found(R, "script call after a string break-out", "");
}

int htmltok_detect(const char *in, size_t n, htmltok_info *info)
{
    reader R = {in, n, HTMLTOK_DATA, info, "", NULL, 0};
    if (info) { info->reading = -1; info->reason = ""; info->tag[0] = info->attr[0] = '\0'; }
    if (read_data(&R)) return 1;
    R.reading = HTMLTOK_DQUOTE;
    if (read_attribute(&R, '"')) return 1;
    R.reading = HTMLTOK_SQUOTE;
    return read_attribute(&R, '\'');
}

int htmltok_js_breakout(const char *in, size_t n, htmltok_info *info)
{
    reader R = {in, n, HTMLTOK_JS_DQUOTE, info, "", NULL, 0};
    if (info) { info->reading = -1; info->reason = ""; info->tag[0] = info->attr[0] = '\0'; }
    if (read_js_string(&R, '"')) return 1;
    R.reading = HTMLTOK_JS_SQUOTE;
    return read_js_string(&R, '\'');
}
