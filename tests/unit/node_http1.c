/* node_http1.c -- runs the data-driven cases of the HTTP/1.1 request reader (node/http1.c) in
 * tests/http1/cases.txt: every case fed whole, one byte at a time and in 7-byte pieces, same events. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http1.h"

#define CASES "tests/http1/cases.txt"

typedef struct buf { char *p; size_t len, cap; } buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void putf(buf *b, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    put(b, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

/* Undoes the case file's escapes: \r, \n, \t, \xHH, \\. */
static void unescape(const char *in, buf *out)
{
    for (size_t i = 0; in[i]; i++) {
        char c = in[i];
        if (c == '\\' && in[i + 1]) {
            char e = in[++i];
            if (e == 'r') c = '\r';
            else if (e == 'n') c = '\n';
            else if (e == 't') c = '\t';
            else if (e == 'x' && in[i + 1] && in[i + 2]) {
                char hex[3] = {in[i + 1], in[i + 2], 0};
                c = (char)strtol(hex, NULL, 16);
                i += 2;
            } else c = e;
        }
        put(out, &c, 1);
    }
}

/* Printable form of bytes for the transcript: \r \n and bytes outside 0x20..0x7e escaped. */
static void printable(buf *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r') put(t, "\\r", 2);
        else if (c == '\n') put(t, "\\n", 2);
        else if (c == '\\') put(t, "\\\\", 2);
        else if (c < 0x20 || c > 0x7e) putf(t, "\\x%02x", c);
        else put(t, (const char *)&c, 1);
    }
}

/* Feeds in in pieces of step bytes (0: whole) and writes one line per event. */
static void transcript(const buf *in, size_t max_head, size_t max_body, size_t next_body, size_t step, buf *t)
{
    http1 *p = http1_new(max_head, max_body);
    assert_non_null(p);
    size_t off = 0, bound = in->len * 4 + 64;
    while (bound--) {
        size_t n = in->len - off;
        if (step && n > step) n = step;
        size_t used;
        http1_event e = http1_feed(p, in->p + off, n, &used);
        off += used;
        if (e == HTTP1_MORE && used != n) {             /* MORE promises every byte was used */
            putf(t, "more with %zu of %zu bytes used\n", used, n);
            break;
        }
        if (e == HTTP1_HEAD) {
            if (http1_expects_continue(p)) putf(t, "continue\n");
        } else if (e == HTTP1_REQUEST) {
            const http1_request *r = http1_request_get(p);
            putf(t, "req %s ", r->method);
            printable(t, r->target, strlen(r->target));
            putf(t, " %s %s received=%zu\n", r->version, r->keep_alive ? "keep" : "close", r->received);
            if (r->nheaders > 16) putf(t, "headers %zu\n", r->nheaders);
            for (size_t i = 0; i < r->nheaders && r->nheaders <= 16; i++) {
                put(t, "hdr ", 4);
                printable(t, r->headers[i].name, strlen(r->headers[i].name));
                put(t, ": ", 2);
                printable(t, r->headers[i].value, strlen(r->headers[i].value));
                put(t, "\n", 1);
            }
            if (r->body_len) {
                put(t, "body ", 5);
                printable(t, r->body, r->body_len);
                put(t, "\n", 1);
            }
            if (r->body_dropped) putf(t, "dropped %zu\n", r->body_dropped);
            if (!r->keep_alive) break;                  /* the listener closes here */
            if (next_body) http1_set_max_body(p, next_body);
            http1_next(p);
        } else if (e == HTTP1_BAD) {
            putf(t, "bad %s\n", http1_error(p));
            break;
        } else if (e == HTTP1_TOO_LARGE) {
            putf(t, "too-large at %zu\n", off);
            break;
        } else if (off == in->len) {
            if (http1_in_request(p)) putf(t, "incomplete%s\n", http1_in_body(p) ? " body" : "");
            break;
        }
    }
    assert_true(bound != (size_t)-1);
    http1_free(p);
}

static void cases(void **st)
{
    (void)st;
    FILE *f = fopen(CASES, "r");
    assert_non_null(f);
    char line[8192], name[256] = "";
    buf in = {0}, want = {0};
    size_t max_head = 8192, max_body = 1024, next_body = 0, n = 0;
    int failed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        if (strncmp(line, "case ", 5) == 0) {
            snprintf(name, sizeof name, "%.200s", line + 5);
            in.len = want.len = 0;
            max_head = 8192;
            max_body = 1024;
            next_body = 0;
        } else if (sscanf(line, "limits %zu %zu", &max_head, &max_body) == 2) {
        } else if (sscanf(line, "next-body %zu", &next_body) == 1) {
        } else if (strncmp(line, "send ", 5) == 0) {
            unescape(line + 5, &in);
        } else if (strncmp(line, "repeat ", 7) == 0) {
            char *rest;
            unsigned long k = strtoul(line + 7, &rest, 10);
            buf one = {0};
            unescape(rest + 1, &one);
            for (unsigned long i = 0; i < k; i++) put(&in, one.p, one.len);
            free(one.p);
        } else if (strncmp(line, "want ", 5) == 0) {
            put(&want, line + 5, strlen(line + 5));
            put(&want, "\n", 1);
        } else if (strcmp(line, "end") == 0) {
            static const size_t steps[] = {0, 1, 7};
            for (size_t s = 0; s < 3; s++) {
                if (steps[s] == 1 && in.len > 100000) continue;     /* byte by byte: small cases */
                buf t = {0};
                put(&t, "", 0);
                transcript(&in, max_head, max_body, next_body, steps[s], &t);
                if (strcmp(t.p, want.len ? want.p : "") != 0) {
                    fprintf(stderr, "case %s (pieces of %zu):\n--- want\n%s--- got\n%s", name, steps[s],
                            want.len ? want.p : "", t.p);
                    failed++;
                }
                free(t.p);
            }
            n++;
        } else {
            fprintf(stderr, "%s: cannot read line: %s\n", CASES, line);
            failed++;
        }
    }
    fclose(f);
    free(in.p);
    free(want.p);
    fprintf(stderr, "http1: %zu cases\n", n);
    assert_true(n >= 20);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest t[] = {cmocka_unit_test(cases)};
    return cmocka_run_group_tests(t, NULL, NULL);
}
