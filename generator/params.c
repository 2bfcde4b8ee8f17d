/* params.c -- typed bundle parameters: parsing each type, defaults, and the render context.
 * Every problem of a parameter set is collected, so callers can report them all at once. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "params.h"
#include "units.h"
#include <stdarg.h>
#include <stdio.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_EXACT      9007199254740991LL   /* 2^53 - 1: every integer a JSON number holds exactly */
#define MAX_DURATION   2147483647LL         /* ms: what a JavaScript timer accepts */
#define MAX_URL        2048
#define MAX_IDENT      64
#define MAX_STRING     65536
#define MATCH_LIMIT    100000

static const char *const type_names[PT_COUNT] = {
    "url", "list", "enum", "integer", "boolean", "duration", "size", "identifier", "string"
};

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* Unsigned decimal digits at s into *v (at most 2^53 - 1); returns the count used, 0 if none or too big. */
static size_t read_digits(const char *s, long long *v)
{
    size_t i = 0;
    long long x = 0;
    while (is_digit((unsigned char)s[i])) {
        if (x > (MAX_EXACT - (s[i] - '0')) / 10) return 0;
        x = x * 10 + (s[i] - '0');
        i++;
    }
    *v = x;
    return i;
}

/* The value as it may appear in a message: quoted, control bytes escaped, cut at 80 bytes. */
static void quote_value(const param_def *d, const char *text, buf *out)
{
    if (d->secret) { buf_puts(out, "(secret value)"); return; }
    buf_putc(out, '"');
    size_t i;
    for (i = 0; text[i] && i < 80; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x20 || c == 0x7f) buf_printf(out, "\\x%02x", c);
        else if (c == '"' || c == '\\') buf_printf(out, "\\%c", c);
        else buf_putc(out, (char)c);
    }
    if (text[i]) buf_puts(out, "...");
    buf_putc(out, '"');
}

static void expected_text(const param_def *d, param_type t, buf *out)
{
    switch (t) {
    case PT_URL: buf_puts(out, "an http or https URL: http[s]://host[:port][/path], "
                               "without user info, query or fragment"); break;
    case PT_ENUM:
        buf_puts(out, "one of ");
        for (size_t i = 0; i < d->nvalues; i++) buf_printf(out, "%s%s", i ? ", " : "", d->values[i]);
        break;
    case PT_INTEGER: buf_puts(out, "an integer"); break;
    case PT_BOOLEAN: buf_puts(out, "true, false, yes, no, 1 or 0"); break;
    case PT_DURATION: buf_puts(out, UNITS_DURATION_FORM); break;
    case PT_SIZE: buf_puts(out, UNITS_SIZE_FORM); break;
    case PT_IDENTIFIER: buf_puts(out, "an identifier of letters, digits, '_' and '-'"); break;
    case PT_STRING: buf_puts(out, "text"); break;
    default: buf_puts(out, "a value"); break;
    }
    int sized = (t == PT_STRING || t == PT_IDENTIFIER);
    const char *unit = t == PT_DURATION ? " ms" : t == PT_SIZE || sized ? " bytes" : "";
    const char *of = sized ? " of length" : "";
    if (d->min.set && d->max.set)
        buf_printf(out, "%s from %lld to %lld%s", of, d->min.v, d->max.v, unit);
    else if (d->min.set)
        buf_printf(out, "%s at least %lld%s", of, d->min.v, unit);
    else if (d->max.set)
        buf_printf(out, "%s at most %lld%s", of, d->max.v, unit);
    if (d->pattern && sized) buf_printf(out, " matching %s", d->pattern);
}

/* ---- the types, each from text ---- */

static int check_host(const char *h, size_t n, buf *why)
{
    if (n == 0) { buf_puts(why, "the host is empty"); return -1; }
    if (h[0] == '[') {
        if (n < 4 || h[n - 1] != ']') { buf_puts(why, "an IPv6 address must be in brackets"); return -1; }
        int colons = 0;
        for (size_t i = 1; i + 1 < n; i++) {
            if (h[i] == ':') colons++;
            else if (!is_hex((unsigned char)h[i]) && h[i] != '.') {
                buf_puts(why, "the IPv6 address holds a character other than hex digits, ':' and '.'");
                return -1;
            }
        }
        if (colons < 2 || n > 47) { buf_puts(why, "the bracketed host is not an IPv6 address"); return -1; }
        return 0;
    }
    if (n > 253) { buf_puts(why, "the host is longer than 253 characters"); return -1; }
    size_t label = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? h[i] : '.';
        if (c == '.') {
            if (label == 0 || label > 63) { buf_puts(why, "the host has an empty or over-long label"); return -1; }
            if (h[i - 1] == '-' || h[i - label] == '-') {
                buf_puts(why, "a host label starts or ends with '-'");
                return -1;
            }
            label = 0;
        } else if (is_alpha((unsigned char)c) || is_digit((unsigned char)c) || c == '-') {
            label++;
        } else {
            buf_printf(why, "the host holds '%c'", c);
            return -1;
        }
    }
    return 0;
}

static int check_url(const char *s, buf *why)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            buf_printf(why, "whitespace, a control character or a non-ASCII byte at offset %zu", i);
            return -1;
        }
    }
    if (len > MAX_URL) { buf_printf(why, "longer than %d bytes", MAX_URL); return -1; }
    const char *p;
    if (!strncmp(s, "http://", 7)) p = s + 7;
    else if (!strncmp(s, "https://", 8)) p = s + 8;
    else { buf_puts(why, "the scheme must be http:// or https://"); return -1; }
    size_t alen = strcspn(p, "/?#");
    if (memchr(p, '@', alen)) { buf_puts(why, "user info (user@host) is not allowed"); return -1; }
    size_t hlen = alen;
    const char *close = p[0] == '[' ? memchr(p, ']', alen) : NULL;
    const char *colon = close ? (close + 1 < p + alen ? close + 1 : NULL) : memchr(p, ':', alen);
    if (p[0] == '[' && !close) { buf_puts(why, "an IPv6 address must be in brackets"); return -1; }
    if (colon) {
        if (*colon != ':') { buf_puts(why, "unexpected text after the IPv6 address"); return -1; }
        hlen = (size_t)(colon - p);
        long long port;
        size_t nd = read_digits(colon + 1, &port);
        if (nd == 0 || nd != (size_t)(p + alen - colon - 1) || port < 1 || port > 65535) {
            buf_puts(why, "the port must be a number from 1 to 65535");
            return -1;
        }
    }
    if (check_host(p, hlen, why) < 0) return -1;
    const char *path = p + alen;
    for (size_t i = 0; path[i]; i++) {
        char c = path[i];
        if (c == '?') { buf_puts(why, "a query (?...) is not allowed"); return -1; }
        if (c == '#') { buf_puts(why, "a fragment (#...) is not allowed"); return -1; }
        if (c == '%') {
            if (!is_hex((unsigned char)path[i + 1]) || !is_hex((unsigned char)path[i + 2])) {
                buf_puts(why, "a '%' in the path is not followed by two hex digits");
                return -1;
            }
            i += 2;
            continue;
        }
        if (!is_alpha((unsigned char)c) && !is_digit((unsigned char)c) && !strchr("-._~!$&'()*+,;=:@/", c)) {
            buf_printf(why, "the path holds '%c', which must be percent-encoded", c);
            return -1;
        }
    }
    return 0;
}

int params_parse_duration(const char *text, long long *ms)
{
    return units_duration(text, MAX_DURATION, ms);
}

int params_parse_size(const char *text, long long *bytes)
{
    return units_size(text, MAX_EXACT, bytes);
}

int params_parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"true", "yes", "1"}, *const no[] = {"false", "no", "0"};
    for (int i = 0; i < 3; i++) {
        if (!strcasecmp(text, yes[i])) { *out = 1; return 0; }
        if (!strcasecmp(text, no[i])) { *out = 0; return 0; }
    }
    return -1;
}

static int parse_integer(const char *text, long long *v)
{
    int neg = text[0] == '-';
    size_t n = read_digits(text + neg, v);
    if (n == 0 || text[neg + n]) return -1;
    if (neg) *v = -*v;
    return 0;
}

/* Checks for valid UTF-8 without control characters other than tab and newlines: its length in
 * characters, or -1. */
static long long text_length(const char *s, buf *why)
{
    const unsigned char *p = (const unsigned char *)s;
    long long chars = 0;
    for (size_t i = 0; p[i]; chars++) {
        unsigned char c = p[i];
        int extra = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
            buf_printf(why, "a control character (0x%02x) at offset %zu", c, i);
            return -1;
        }
        if (extra < 0 || (c == 0xc0 || c == 0xc1) || c > 0xf4) {
            buf_printf(why, "invalid UTF-8 at offset %zu", i);
            return -1;
        }
        for (int k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                buf_printf(why, "invalid UTF-8 at offset %zu", i);
                return -1;
            }
        }
        if ((c == 0xe0 && p[i + 1] < 0xa0) || (c == 0xed && p[i + 1] >= 0xa0) ||
            (c == 0xf0 && p[i + 1] < 0x90) || (c == 0xf4 && p[i + 1] >= 0x90)) {
            buf_printf(why, "invalid UTF-8 at offset %zu", i);
            return -1;
        }
        i += (size_t)extra + 1;
    }
    return chars;
}

static int match_pattern(const param_def *d, const char *s)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (!md || !mc) {
        pcre2_match_data_free(md);
        pcre2_match_context_free(mc);
        return -1;
    }
    pcre2_set_match_limit(mc, MATCH_LIMIT);
    pcre2_set_depth_limit(mc, MATCH_LIMIT);
    int rc = pcre2_match((const pcre2_code *)d->re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, mc);
    pcre2_match_data_free(md);
    pcre2_match_context_free(mc);
    return rc >= 0 ? 1 : rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

static int check_bounds(const param_def *d, long long v, const char *what, buf *why)
{
    if (d->min.set && v < d->min.v) { buf_printf(why, "%s is below %lld", what, d->min.v); return -1; }
    if (d->max.set && v > d->max.v) { buf_printf(why, "%s is above %lld", what, d->max.v); return -1; }
    return 0;
}

/* One scalar of type t (the parameter's or its list's element type) from text. */
static cJSON *scalar_from_text(const param_def *d, param_type t, const char *s, buf *why)
{
    long long v;
    int b;
    switch (t) {
    case PT_URL:
        return check_url(s, why) < 0 ? NULL : cJSON_CreateString(s);
    case PT_ENUM:
        for (size_t i = 0; i < d->nvalues; i++)
            if (!strcmp(s, d->values[i])) return cJSON_CreateString(s);
        buf_puts(why, "not an allowed value");
        return NULL;
    case PT_INTEGER:
        if (parse_integer(s, &v) < 0) { buf_puts(why, "not an integer"); return NULL; }
        return check_bounds(d, v, "the number", why) < 0 ? NULL : cJSON_CreateNumber((double)v);
    case PT_BOOLEAN:
        if (params_parse_bool(s, &b) < 0) { buf_puts(why, "not a boolean"); return NULL; }
        return cJSON_CreateBool(b);
    case PT_DURATION:
        if ((b = params_parse_duration(s, &v)) != 0) {
            buf_puts(why, b == UNITS_BARE ? UNITS_BARE_WHY : "not a duration");
            return NULL;
        }
        return check_bounds(d, v, "the duration in ms", why) < 0 ? NULL : cJSON_CreateNumber((double)v);
    case PT_SIZE:
        if (params_parse_size(s, &v) != 0) { buf_puts(why, "not a size"); return NULL; }
        return check_bounds(d, v, "the size in bytes", why) < 0 ? NULL : cJSON_CreateNumber((double)v);
    case PT_IDENTIFIER:
    case PT_STRING: {
        if (text_length(s, why) < 0) return NULL;
        long long n = (long long)strlen(s);
        if (t == PT_IDENTIFIER) {
            if (!*s) { buf_puts(why, "empty"); return NULL; }
            for (const char *p = s; *p; p++)
                if (!is_alpha((unsigned char)*p) && !is_digit((unsigned char)*p) && *p != '_' && *p != '-') {
                    buf_printf(why, "holds '%c'", *p);
                    return NULL;
                }
        }
        long long cap = d->max.set ? d->max.v : t == PT_IDENTIFIER ? MAX_IDENT : MAX_STRING;
        if (n > cap) { buf_printf(why, "longer than %lld bytes", cap); return NULL; }
        if (d->min.set && n < d->min.v) { buf_printf(why, "shorter than %lld bytes", d->min.v); return NULL; }
        if (d->re) {
            int m = match_pattern(d, s);
            if (m <= 0) {
                buf_puts(why, m < 0 ? "the pattern could not be matched (limit reached)" : "does not match the pattern");
                return NULL;
            }
        }
        return cJSON_CreateString(s);
    }
    default:
        buf_puts(why, "no such type");
        return NULL;
    }
}

/* One scalar of type t from a typed JSON value; strings go through the text parser. */
static cJSON *scalar_from_json(const param_def *d, param_type t, const cJSON *v, buf *why)
{
    if (cJSON_IsString(v)) return scalar_from_text(d, t, v->valuestring, why);
    if (cJSON_IsBool(v) && t == PT_BOOLEAN) return cJSON_CreateBool(cJSON_IsTrue(v));
    if (cJSON_IsNumber(v) && (t == PT_INTEGER || t == PT_DURATION || t == PT_SIZE)) {
        double x = v->valuedouble;
        if (!(x >= -(double)MAX_EXACT && x <= (double)MAX_EXACT) || x != (double)(long long)x) {
            buf_puts(why, "not a whole number in range");
            return NULL;
        }
        long long n = (long long)x;
        if (t != PT_INTEGER && n < 0) { buf_puts(why, "negative"); return NULL; }
        if (t == PT_DURATION && n > MAX_DURATION) { buf_puts(why, "too long"); return NULL; }
        return check_bounds(d, n, t == PT_INTEGER ? "the number" : t == PT_DURATION ? "the duration in ms"
                                                                  : "the size in bytes", why) < 0
                   ? NULL : cJSON_CreateNumber((double)n);
    }
    buf_printf(why, "a JSON %s where %s is needed",
               cJSON_IsNumber(v) ? "number" : cJSON_IsBool(v) ? "boolean" : cJSON_IsArray(v) ? "array"
               : cJSON_IsObject(v) ? "object" : "null", t == PT_BOOLEAN ? "a boolean" : "a string");
    return NULL;
}

/* Appends the elements of a comma-separated text to arr; fills why and returns -1 at the first bad one. */
static int list_from_text(const param_def *d, const char *text, cJSON *arr, buf *why)
{
    if (!*text) return 0;
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ",");
        char *one = malloc(n + 1);
        if (!one) { buf_puts(why, "out of memory"); return -1; }
        memcpy(one, p, n);
        one[n] = '\0';
        buf sub = BUF_INIT;
        cJSON *v = scalar_from_text(d, d->item, one, &sub);
        if (!v && strchr(text, ',')) {
            buf b = BUF_INIT;
            quote_value(d, one, &b);
            buf_printf(why, "element %s: %s", b.data ? b.data : "", sub.data ? sub.data : "invalid");
            buf_free(&b);
        } else if (!v) {
            buf_puts(why, sub.data ? sub.data : "invalid");
        }
        buf_free(&sub);
        free(one);
        if (!v) return -1;
        cJSON_AddItemToArray(arr, v);
        if (!p[n]) return 0;
        p += n + 1;
    }
}

cJSON *params_parse_value(const param_def *d, const char *text, buf *why)
{
    if (d->type != PT_LIST) return scalar_from_text(d, d->type, text, why);
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return NULL;
    if (list_from_text(d, text, arr, why) < 0) { cJSON_Delete(arr); return NULL; }
    return arr;
}

/* ---- names and definitions ---- */

const char *params_type_name(param_type t) { return t < PT_COUNT ? type_names[t] : "?"; }

int params_type_from_name(const char *name, param_type *out)
{
    for (int i = 0; i < PT_COUNT; i++)
        if (!strcmp(name, type_names[i])) { *out = (param_type)i; return 0; }
    return -1;
}

const char *params_type_names(void)
{
    return "url, list, enum, integer, boolean, duration, size, identifier, string";
}

static int valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || !(s[0] >= 'a' && s[0] <= 'z')) return 0;
    for (size_t i = 0; i < n; i++)
        if (!(s[i] >= 'a' && s[i] <= 'z') && !is_digit((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

void params_def_clear(param_def *d)
{
    free(d->name);
    free(d->description);
    for (size_t i = 0; i < d->nvalues; i++) free(d->values[i]);
    free(d->values);
    free(d->pattern);
    pcre2_code_free((pcre2_code *)d->re);
    cJSON_Delete(d->def);
    memset(d, 0, sizeof *d);
}

int params_def_copy(param_def *dst, const param_def *src)
{
    *dst = *src;
    dst->name = dst->description = dst->pattern = NULL;
    dst->values = NULL;
    dst->nvalues = 0;
    dst->re = NULL;
    dst->def = NULL;
    if (!(dst->name = dupstr(src->name))) goto fail;
    if (src->description && !(dst->description = dupstr(src->description))) goto fail;
    if (src->pattern && !(dst->pattern = dupstr(src->pattern))) goto fail;
    if (src->nvalues) {
        if (!(dst->values = calloc(src->nvalues, sizeof *dst->values))) goto fail;
        for (; dst->nvalues < src->nvalues; dst->nvalues++)
            if (!(dst->values[dst->nvalues] = dupstr(src->values[dst->nvalues]))) goto fail;
    }
    if (src->re && !(dst->re = pcre2_code_copy((const pcre2_code *)src->re))) goto fail;
    if (src->def && !(dst->def = cJSON_Duplicate(src->def, 1))) goto fail;
    return 0;
fail:
    params_def_clear(dst);
    return -1;
}

static int def_error(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int def_error(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
    return -1;
}

static int valid_enum_value(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_alpha((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-') return 0;
    return 1;
}

int params_def_finish(param_def *d, const cJSON *raw_default, char *err, size_t errsz)
{
    param_type t = d->type == PT_LIST ? d->item : d->type;
    if (!d->name || !valid_name(d->name, 64))
        return def_error(err, errsz, "name: \"%s\" is not a parameter name (expected [a-z][a-z0-9_]*, "
                         "up to 64 characters)", d->name ? d->name : "");
    if (d->type == PT_LIST && (d->item == PT_LIST || d->item >= PT_COUNT))
        return def_error(err, errsz, "items: a list's elements must be one of the scalar types");
    if ((t == PT_ENUM) != (d->nvalues > 0))
        return def_error(err, errsz, "values: %s", t == PT_ENUM ? "an enum needs at least one value"
                         : "only an enum (or a list of enum) takes values");
    for (size_t i = 0; i < d->nvalues; i++) {
        if (!valid_enum_value(d->values[i]))
            return def_error(err, errsz, "values: \"%s\" is not a valid enum value (expected 1 to 64 "
                             "letters, digits, '_' or '-')", d->values[i]);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(d->values[i], d->values[j]))
                return def_error(err, errsz, "values: \"%s\" is listed twice", d->values[i]);
    }
    int ranged = t == PT_INTEGER || t == PT_DURATION || t == PT_SIZE || t == PT_STRING || t == PT_IDENTIFIER;
    if ((d->min.set || d->max.set) && !ranged)
        return def_error(err, errsz, "min/max: a %s parameter takes no bounds", params_type_name(t));
    if (d->min.set && d->max.set && d->min.v > d->max.v)
        return def_error(err, errsz, "min/max: min is above max");
    if ((d->min_items.set || d->max_items.set) && d->type != PT_LIST)
        return def_error(err, errsz, "min_items/max_items: only a list takes them");
    if (d->min_items.set && d->max_items.set && d->min_items.v > d->max_items.v)
        return def_error(err, errsz, "min_items/max_items: min_items is above max_items");
    if (d->pattern) {
        if (t != PT_STRING && t != PT_IDENTIFIER)
            return def_error(err, errsz, "pattern: only string and identifier parameters take one");
        int code;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)d->pattern, PCRE2_ZERO_TERMINATED,
                                       PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off, NULL);
        if (!re) {
            char msg[256];
            pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
            snprintf(err, errsz, "pattern: \"%s\" does not compile at offset %zu: %s", d->pattern, (size_t)off, msg);
            return -1;
        }
        pcre2_code_free((pcre2_code *)d->re);
        d->re = re;
    }
    cJSON_Delete(d->def);
    d->def = NULL;
    if (raw_default) {
        buf why = BUF_INIT;
        cJSON *v = NULL;
        if (d->type == PT_LIST) {
            if (!cJSON_IsArray(raw_default)) {
                buf_puts(&why, "a list's default must be a sequence");
            } else if ((v = cJSON_CreateArray())) {
                const cJSON *e;
                cJSON_ArrayForEach(e, raw_default) {
                    cJSON *x = cJSON_IsString(e) ? scalar_from_text(d, d->item, e->valuestring, &why) : NULL;
                    if (!x) {
                        if (!why.len) buf_puts(&why, "an element is not a scalar");
                        cJSON_Delete(v);
                        v = NULL;
                        break;
                    }
                    cJSON_AddItemToArray(v, x);
                }
            }
        } else if (cJSON_IsString(raw_default)) {
            v = scalar_from_text(d, t, raw_default->valuestring, &why);
        } else {
            buf_puts(&why, "a scalar is needed");
        }
        if (!v) {
            buf exp = BUF_INIT;
            expected_text(d, t, &exp);
            snprintf(err, errsz, "default: %s (expected %s%s)", why.data ? why.data : "out of memory",
                     d->type == PT_LIST ? "a list; each element " : "", exp.data ? exp.data : "");
            buf_free(&exp);
            buf_free(&why);
            return -1;
        }
        buf_free(&why);
        d->def = v;
    } else if (d->type == PT_LIST && !d->required) {
        d->def = cJSON_CreateArray();
    } else if (!d->required) {
        return def_error(err, errsz, "default: a parameter that is not required needs a default");
    }
    return 0;
}

/* ---- a whole parameter set ---- */

typedef struct collect {
    const param_def *defs;
    size_t n;
    cJSON **got;        /* per definition: what was given, typed; NULL when nothing */
    int *bad;           /* per definition: already reported */
    cJSON *errors;
} collect;

static void add_error(collect *c, const char *param, const char *msg)
{
    cJSON *e = cJSON_CreateObject();
    if (!e) return;
    cJSON_AddStringToObject(e, "parameter", param);
    cJSON_AddStringToObject(e, "message", msg);
    cJSON_AddItemToArray(c->errors, e);
}

static void value_error(collect *c, size_t i, const char *text, const buf *why)
{
    const param_def *d = &c->defs[i];
    buf m = BUF_INIT, exp = BUF_INIT;
    expected_text(d, d->type == PT_LIST ? d->item : d->type, &exp);
    buf_printf(&m, "%s: ", d->name);
    if (text) quote_value(d, text, &m);
    else buf_puts(&m, "the value");
    buf_printf(&m, ": %s (expected %s%s)", why->data ? why->data : "invalid",
               d->type == PT_LIST ? "a list; each element " : "", exp.data ? exp.data : "");
    add_error(c, d->name, m.data ? m.data : d->name);
    buf_free(&m);
    buf_free(&exp);
    c->bad[i] = 1;
}

static long find_def(const collect *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->defs[i].name, name)) return (long)i;
    return -1;
}

static void unknown_param(collect *c, const char *name)
{
    buf m = BUF_INIT;
    buf_printf(&m, "unknown parameter \"%s\" (known: ", name);
    for (size_t i = 0; i < c->n; i++) buf_printf(&m, "%s%s", i ? ", " : "", c->defs[i].name);
    buf_puts(&m, ")");
    add_error(c, name, m.data ? m.data : name);
    buf_free(&m);
}

static int collect_init(collect *c, const param_def *defs, size_t n)
{
    c->defs = defs;
    c->n = n;
    c->got = calloc(n + 1, sizeof *c->got);
    c->bad = calloc(n + 1, sizeof *c->bad);
    c->errors = cJSON_CreateArray();
    return c->got && c->bad && c->errors ? 0 : -1;
}

static void collect_free(collect *c)
{
    for (size_t i = 0; c->got && i < c->n; i++) cJSON_Delete(c->got[i]);
    free(c->got);
    free(c->bad);
    cJSON_Delete(c->errors);
}

/* Records a scalar (or appends list elements); v is consumed. */
static void give(collect *c, size_t i, cJSON *v)
{
    const param_def *d = &c->defs[i];
    if (d->type == PT_LIST) {
        if (!c->got[i]) { c->got[i] = v; return; }
        cJSON *e;
        while ((e = cJSON_DetachItemFromArray(v, 0))) cJSON_AddItemToArray(c->got[i], e);
        cJSON_Delete(v);
        return;
    }
    if (c->got[i]) {
        buf m = BUF_INIT;
        buf_printf(&m, "%s: given more than once (it is not a list)", d->name);
        add_error(c, d->name, m.data ? m.data : d->name);
        buf_free(&m);
        c->bad[i] = 1;
        cJSON_Delete(v);
        return;
    }
    c->got[i] = v;
}

/* Fills defaults, checks required parameters and list lengths, and builds the context. */
static cJSON *collect_finish(collect *c, cJSON **errors)
{
    cJSON *ctx = cJSON_CreateObject();
    for (size_t i = 0; ctx && i < c->n; i++) {
        const param_def *d = &c->defs[i];
        if (c->bad[i]) continue;
        cJSON *v = c->got[i];
        c->got[i] = NULL;
        if (!v && d->def) v = cJSON_Duplicate(d->def, 1);
        buf why = BUF_INIT;
        int count = v && cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
        if (!v && d->required) buf_puts(&why, "required but not given");
        else if (d->type == PT_LIST && d->required && count == 0) buf_puts(&why, "required: give at least one");
        else if (d->type == PT_LIST && d->min_items.set && count < d->min_items.v)
            buf_printf(&why, "needs at least %lld elements, %d given", d->min_items.v, count);
        else if (d->type == PT_LIST && d->max_items.set && count > d->max_items.v)
            buf_printf(&why, "takes at most %lld elements, %d given", d->max_items.v, count);
        if (why.len) {
            value_error(c, i, NULL, &why);
            buf_free(&why);
            cJSON_Delete(v);
            continue;
        }
        buf_free(&why);
        if (!v) continue;
        if (d->nvalues) {
            /* every value is present, so a strict template may test any of them */
            cJSON *is = cJSON_CreateObject();
            for (size_t k = 0; is && k < d->nvalues; k++) {
                int on = 0;
                const cJSON *e;
                if (cJSON_IsArray(v)) {
                    cJSON_ArrayForEach(e, v) on |= !strcmp(e->valuestring, d->values[k]);
                } else {
                    on = !strcmp(v->valuestring, d->values[k]);
                }
                cJSON_AddBoolToObject(is, d->values[k], on);
            }
            char key[80];
            snprintf(key, sizeof key, "%s_is", d->name);
            cJSON_AddItemToObject(ctx, key, is);
        }
        cJSON_AddItemToObject(ctx, d->name, v);
    }
    if (!ctx) add_error(c, "", "out of memory");
    if (cJSON_GetArraySize(c->errors) > 0) {
        cJSON_Delete(ctx);
        *errors = c->errors;
        c->errors = NULL;
        collect_free(c);
        return NULL;
    }
    collect_free(c);
    *errors = NULL;
    return ctx;
}

cJSON *params_from_cli(const param_def *defs, size_t n, const char *const *sets, size_t nsets,
                       cJSON **errors)
{
    collect c;
    if (collect_init(&c, defs, n) < 0) { collect_free(&c); *errors = NULL; return NULL; }
    for (size_t k = 0; k < nsets; k++) {
        const char *eq = strchr(sets[k], '=');
        if (!eq) {
            buf m = BUF_INIT;
            buf_printf(&m, "--set \"%s\": expected NAME=VALUE", sets[k]);
            add_error(&c, sets[k], m.data ? m.data : sets[k]);
            buf_free(&m);
            continue;
        }
        char name[128];
        size_t nl = (size_t)(eq - sets[k]);
        if (nl >= sizeof name) nl = sizeof name - 1;
        memcpy(name, sets[k], nl);
        name[nl] = '\0';
        long i = find_def(&c, name);
        if (i < 0) { unknown_param(&c, name); continue; }
        if (c.bad[i]) continue;
        buf why = BUF_INIT;
        cJSON *v = params_parse_value(&defs[i], eq + 1, &why);
        if (!v) value_error(&c, (size_t)i, eq + 1, &why);
        else give(&c, (size_t)i, v);
        buf_free(&why);
    }
    return collect_finish(&c, errors);
}

cJSON *params_from_json(const param_def *defs, size_t n, const cJSON *body, cJSON **errors)
{
    collect c;
    if (collect_init(&c, defs, n) < 0) { collect_free(&c); *errors = NULL; return NULL; }
    if (!cJSON_IsObject(body)) {
        add_error(&c, "", "the parameters must be a JSON object");
        return collect_finish(&c, errors);
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, body) {
        const char *name = item->string ? item->string : "";
        long i = find_def(&c, name);
        if (i < 0) { unknown_param(&c, name); continue; }
        if (c.bad[i]) continue;
        const param_def *d = &defs[i];
        buf why = BUF_INIT;
        cJSON *v = NULL;
        if (d->type != PT_LIST) {
            v = scalar_from_json(d, d->type, item, &why);
        } else if (cJSON_IsString(item)) {
            v = params_parse_value(d, item->valuestring, &why);
        } else if (!cJSON_IsArray(item)) {
            buf_puts(&why, "a list must be a JSON array or a comma-separated string");
        } else if ((v = cJSON_CreateArray())) {
            const cJSON *e;
            int k = 0;
            cJSON_ArrayForEach(e, item) {
                buf sub = BUF_INIT;
                cJSON *x = scalar_from_json(d, d->item, e, &sub);
                if (!x) {
                    buf_printf(&why, "element %d: %s", k, sub.data ? sub.data : "invalid");
                    buf_free(&sub);
                    cJSON_Delete(v);
                    v = NULL;
                    break;
                }
                buf_free(&sub);
                cJSON_AddItemToArray(v, x);
                k++;
            }
        }
        if (!v) {
            char *shown = cJSON_IsString(item) ? NULL : cJSON_PrintUnformatted(item);
            value_error(&c, (size_t)i, cJSON_IsString(item) ? item->valuestring : shown, &why);
            cJSON_free(shown);
        } else {
            give(&c, (size_t)i, v);
        }
        buf_free(&why);
    }
    return collect_finish(&c, errors);
}

int params_errors_text(const cJSON *errors, buf *out)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (cJSON_IsString(m) && buf_printf(out, "%s\n", m->valuestring) < 0) return -1;
    }
    return 0;
}

static void add_bound(cJSON *o, const char *key, param_bound b)
{
    if (b.set) cJSON_AddNumberToObject(o, key, (double)b.v);
}

cJSON *params_def_json(const param_def *d)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "name", d->name);
    cJSON_AddStringToObject(o, "type", params_type_name(d->type));
    if (d->type == PT_LIST) cJSON_AddStringToObject(o, "items", params_type_name(d->item));
    cJSON_AddBoolToObject(o, "required", d->required);
    if (d->secret) cJSON_AddTrueToObject(o, "secret");
    if (d->def) cJSON_AddItemToObject(o, "default", cJSON_Duplicate(d->def, 1));
    if (d->nvalues) {
        cJSON *vals = cJSON_AddArrayToObject(o, "values");
        for (size_t i = 0; vals && i < d->nvalues; i++) cJSON_AddItemToArray(vals, cJSON_CreateString(d->values[i]));
    }
    add_bound(o, "min", d->min);
    add_bound(o, "max", d->max);
    add_bound(o, "min_items", d->min_items);
    add_bound(o, "max_items", d->max_items);
    if (d->pattern) cJSON_AddStringToObject(o, "pattern", d->pattern);
    cJSON_AddStringToObject(o, "description", d->description ? d->description : "");
    return o;
}

/* A duration in ms or a size in bytes as a user writes it: "1s", "500ms", "64k"; else the number. */
void params_format_unit(char *out, size_t n, param_type t, long long v)
{
    static const struct { param_type t; long long per; const char *unit; } units[] = {
        {PT_DURATION, 3600000, "h"}, {PT_DURATION, 60000, "m"}, {PT_DURATION, 1000, "s"}, {PT_DURATION, 1, "ms"},
        {PT_SIZE, 1LL << 30, "g"}, {PT_SIZE, 1 << 20, "m"}, {PT_SIZE, 1 << 10, "k"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].t == t && v != 0 && v % units[i].per == 0) {
            snprintf(out, n, "%lld%s", v / units[i].per, units[i].unit);
            return;
        }
    snprintf(out, n, "%lld%s", v, t == PT_DURATION ? "ms" : "");
}
