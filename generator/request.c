/* request.c -- bundlegen serve's request parsing (see request.h): pure functions of the bytes a
 * client sent, no server state, so the fuzzer can drive every one of them. */
#include "request.h"
#include "value.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQUEST_MAX_QUERY_ITEMS 256

static int add_error(cJSON *errors, const char *param, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_error(cJSON *errors, const char *param, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddStringToObject(e, "parameter", param) || !cJSON_AddStringToObject(e, "message", msg)) {
        cJSON_Delete(e);
        return -1;
    }
    cJSON_AddItemToArray(errors, e);
    return 0;
}

/* Printable ASCII copy of s for messages: other bytes become '?', cut at 64. */
void request_printable(const char *s, size_t n, char out[72])
{
    size_t i;
    for (i = 0; i < n && i < 64; i++) out[i] = s[i] > 0x20 && s[i] < 0x7f ? s[i] : '?';
    if (i < n) { memcpy(out + i, "...", 3); i += 3; }
    out[i] = '\0';
}

/* Replaces every invalid UTF-8 sequence of s in place by '?', so any message makes valid JSON. */
void request_utf8_clean(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        int n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        int ok = n > 0 && !(n == 2 && *p < 0xc2) && !(n == 4 && *p > 0xf4);
        for (int i = 1; ok && i < n; i++) ok = (p[i] & 0xc0) == 0x80;
        if (ok && n == 3) ok = !(p[0] == 0xe0 && p[1] < 0xa0) && !(p[0] == 0xed && p[1] >= 0xa0);
        if (ok && n == 4) ok = !(p[0] == 0xf0 && p[1] < 0x90) && !(p[0] == 0xf4 && p[1] >= 0x90);
        if (!ok) { *p++ = '?'; continue; }
        p += n;
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..n) ('+' is a space) into out. 0; 1 with *why set on bad input; -1 on memory. */
static int pct_decode(const char *s, size_t n, buf *out, const char **why)
{
    buf_reset(out);
    if (buf_reserve(out, n + 1) < 0) return -1;
    out->data[0] = '\0';                      /* reserve leaves fresh memory unterminated */
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) { *why = "bad percent-encoding (expected % and two hex digits)"; return 1; }
            c = hi * 16 + lo;
            if (c == 0) { *why = "a NUL byte (%00) is not allowed"; return 1; }
            i += 2;
        } else if (c == '+') {
            c = ' ';
        }
        if (buf_putc(out, (char)c) < 0) return -1;
    }
    return 0;
}

/* Adds NAME=VALUE to params: a string, or an array of strings once the name repeats. */
static int query_add(cJSON *params, const char *name, const char *value)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(params, name);
    cJSON *v = cJSON_CreateString(value);
    if (!v) return -1;
    if (!old) { cJSON_AddItemToObject(params, name, v); return 0; }
    if (cJSON_IsString(old)) {
        cJSON *a = cJSON_CreateArray(), *first = cJSON_CreateString(old->valuestring);
        if (!a || !first) { cJSON_Delete(a); cJSON_Delete(first); cJSON_Delete(v); return -1; }
        cJSON_AddItemToArray(a, first);
        cJSON_ReplaceItemInObjectCaseSensitive(params, name, a);
        old = a;
    }
    cJSON_AddItemToArray(old, v);
    return 0;
}

int request_parse_query(const char *q, size_t len, cJSON *params, char **version, cJSON *errors)
{
    buf name = BUF_INIT, val = BUF_INIT;
    size_t count = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; ) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        for (eq = i; eq < j && q[eq] != '='; eq++) {}
        const char *why = NULL;
        char shown[72];
        request_printable(q + i, eq - i, shown);
        int bad = j == i ? 0 : pct_decode(q + i, eq - i, &name, &why);
        if (j == i) {
            /* an empty item ("a=1&&b=2"): ignored */
        } else if (bad < 0) {
            rc = -1;
        } else if (bad) {
            rc = add_error(errors, shown, "the name: %s", why);
        } else if (name.len == 0) {
            rc = add_error(errors, "", "a query item without a name");
        } else if (++count > REQUEST_MAX_QUERY_ITEMS) {
            rc = add_error(errors, "", "more than %d query items", REQUEST_MAX_QUERY_ITEMS);
            break;
        } else {
            int nonprint = 0;
            for (size_t k = 0; k < name.len; k++) nonprint |= name.data[k] <= 0x20 || name.data[k] >= 0x7f;
            request_printable(name.data, name.len, shown);
            bad = eq < j ? pct_decode(q + eq + 1, j - eq - 1, &val, &why) : (buf_reset(&val), buf_puts(&val, ""));
            if (bad < 0) rc = -1;
            else if (nonprint) rc = add_error(errors, shown, "a parameter name is printable ASCII");
            else if (bad) rc = add_error(errors, name.data, "%s", why);
            else if (!strcmp(name.data, "version")) {
                if (*version) rc = add_error(errors, "version", "given more than once");
                else if (!(*version = strdup(val.data ? val.data : ""))) rc = -1;
            } else {
                rc = query_add(params, name.data, val.data ? val.data : "");
            }
        }
        i = j + 1;
    }
    buf_free(&name);
    buf_free(&val);
    return rc;
}

int request_parse_body(const char *body, size_t len, char **platform, char **version, cJSON **params,
                     cJSON *errors)
{
    *platform = *version = NULL;
    *params = NULL;
    const char *end = NULL;
    long nul = value_json_nul_escape(body, len);
    cJSON *v = nul >= 0 ? NULL : cJSON_ParseWithLengthOpts(body, len, &end, 0);
    while (v && end < body + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
    if (v && end < body + len) {                           /* a value, then something else */
        cJSON_Delete(v);
        v = NULL;
    }
    if (!v) {
        size_t off = nul >= 0 ? (size_t)nul : end ? (size_t)(end - body) : 0;
        int line = 1, col = 1;
        for (size_t i = 0; i < off && i < len; i++) { if (body[i] == '\n') { line++; col = 1; } else col++; }
        return add_error(errors, "body", "%d:%d: %s", line, col,
                         nul >= 0 ? "\\u0000 in a string: NUL cannot be passed to templates" : "invalid JSON");
    }
    int rc = 0;
    if (!cJSON_IsObject(v)) {
        rc = add_error(errors, "body", "expected a JSON object {\"platform\", \"version\", \"parameters\"}");
        cJSON_Delete(v);
        return rc;
    }
    const cJSON *f;
    int has_platform = 0;
    cJSON_ArrayForEach(f, v) {
        const char *k = f->string ? f->string : "";
        char shown[72];
        if (rc) break;
        if (!strcmp(k, "platform")) {
            has_platform = 1;
            if (!cJSON_IsString(f) || !f->valuestring[0]) rc = add_error(errors, "platform", "expected a platform id (a non-empty string)");
            else if (*platform) rc = add_error(errors, "platform", "given more than once");
            else if (!(*platform = strdup(f->valuestring))) rc = -1;
        } else if (!strcmp(k, "version")) {
            if (!cJSON_IsString(f)) rc = add_error(errors, "version", "expected a version \"MAJOR.MINOR.PATCH\" or \"latest\"");
            else if (*version) rc = add_error(errors, "version", "given more than once");
            else if (!(*version = strdup(f->valuestring))) rc = -1;
        } else if (!strcmp(k, "parameters")) {
            if (!cJSON_IsObject(f)) rc = add_error(errors, "parameters", "expected an object of parameter values");
            else if (*params) rc = add_error(errors, "parameters", "given more than once");
            else if (!(*params = cJSON_Duplicate(f, 1))) rc = -1;
        } else {
            request_printable(k, strlen(k), shown);
            rc = add_error(errors, shown, "unknown field (expected platform, version, parameters)");
        }
    }
    if (!rc && !has_platform) rc = add_error(errors, "platform", "missing (expected a platform id)");
    if (!rc && !*params && !(*params = cJSON_CreateObject())) rc = -1;
    cJSON_Delete(v);
    return rc;
}

/* Skips optional whitespace. */
static const char *ows(const char *p)
{
    while (*p == ' ' || *p == '\t') p++;
    return p;
}

int request_etag_match(const char *inm, const char *hex)
{
    const char *p = ows(inm);
    if (*p == '*') return *ows(p + 1) == '\0';
    size_t hl = strlen(hex);
    while (*p) {
        if (!strncmp(p, "W/", 2)) p += 2;
        if (*p != '"') return 0;
        const char *q = strchr(p + 1, '"');
        if (!q) return 0;
        if ((size_t)(q - p - 1) == hl && !memcmp(p + 1, hex, hl)) return 1;
        p = ows(q + 1);
        if (*p == ',') p = ows(p + 1);
        else if (*p) return 0;
    }
    return 0;
}

/* The q value of one media range's parameters ("; q=0.5"), 1 when absent, -1 when malformed. */
static double media_q(const char *p, const char *end)
{
    double q = 1;
    while (p < end) {
        p = ows(p);
        if (p >= end) break;
        if (*p != ';') return -1;
        p = ows(p + 1);
        if (end - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
            char num[16];
            size_t n = 0;
            for (p += 2; p < end && n < sizeof num - 1 && ((*p >= '0' && *p <= '9') || *p == '.'); p++) num[n++] = *p;
            num[n] = '\0';
            char *e;
            q = strtod(num, &e);
            if (!n || *e || q < 0 || q > 1) return -1;
        } else {
            while (p < end && *p != ';') p++;
        }
    }
    return q;
}

int request_wants_markdown(const char *accept)
{
    double md = -1, js = -1;
    for (const char *p = accept; *p; ) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        const char *t = ows(p);
        size_t tl = 0;
        while (t + tl < e && t[tl] != ';' && t[tl] != ' ' && t[tl] != '\t') tl++;
        double q = media_q(t + tl, e);
        int is_md = tl == 13 && !strncasecmp(t, "text/markdown", 13);
        int is_js = tl == 16 && !strncasecmp(t, "application/json", 16);
        int any = (tl == 3 && !strncmp(t, "*/*", 3)) || (tl == 13 && !strncasecmp(t, "application/*", 13));
        if (is_md && q > md) md = q;
        if ((is_js || any) && q > js) js = q;
        p = *e ? e + 1 : e;
    }
    return md > 0 && md > js;
}

int request_bearer(const char *h, const char **token, size_t *len)
{
    const char *p = ows(h);
    if (strncasecmp(p, "Bearer", 6) || (p[6] != ' ' && p[6] != '\t')) return -1;
    p = ows(p + 6);
    size_t n = 0;
    while (p[n] && p[n] != ' ' && p[n] != '\t') n++;
    if (!n || *ows(p + n)) return -1;
    *token = p;
    *len = n;
    return 0;
}

int request_redact_query(const char *q, size_t len, const char *const *secrets, size_t nsecrets, buf *out)
{
    buf name = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; ) {
        size_t j = i, eq;
        while (j < len && q[j] != '&') j++;
        for (eq = i; eq < j && q[eq] != '='; eq++) {}
        const char *why;
        int secret = 0;
        if (pct_decode(q + i, eq - i, &name, &why) == 0 && name.data) {
            secret = !strcmp(name.data, "token");
            for (size_t k = 0; k < nsecrets && !secret; k++) secret = !strcmp(name.data, secrets[k]);
        }
        size_t stop = secret && eq < j ? eq + 1 : j;
        for (size_t k = i; k < stop && rc == 0; k++) {
            unsigned char c = (unsigned char)q[k];
            rc = c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' ? buf_printf(out, "%%%02X", c) : buf_putc(out, (char)c);
        }
        if (rc == 0 && secret && eq < j) rc = buf_puts(out, "REDACTED");
        if (rc == 0 && j < len) rc = buf_putc(out, '&');
        i = j + 1;
    }
    buf_free(&name);
    return rc;
}


int request_is_json_type(const char *ct)
{
    if (!ct) return 0;
    ct = ows(ct);
    if (strncasecmp(ct, "application/json", 16)) return 0;
    const char *p = ows(ct + 16);
    return *p == '\0' || *p == ';';
}

int request_download(const char *q, size_t len, char id[65], buf *rest)
{
    id[0] = '\0';
    for (size_t i = 0; i < len;) {
        size_t n = 0;
        while (i + n < len && q[i + n] != '&') n++;
        const char *item = q + i;
        if (n >= 9 && !memcmp(item, "platform=", 9)) {
            size_t k = n - 9, ok = k >= 1 && k <= 64;
            for (size_t j = 0; ok && j < k; j++) {
                char ch = item[9 + j];
                ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                     ch == '-' || ch == '_' || ch == '.';
            }
            if (ok) { memcpy(id, item + 9, k); id[k] = '\0'; } else id[0] = '\0';
        } else if (n) {
            if ((rest->len && buf_putc(rest, '&') < 0) || buf_append(rest, item, n) < 0) return -1;
        }
        i += n + 1;
    }
    return 0;
}
