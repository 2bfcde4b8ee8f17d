/* node_decode.c -- unit tests of the decoders: each single step, then the request walk
 * (where-paths, nested decodings, body formats, depth and output bounds). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"

typedef size_t (*step)(const char *, size_t, char *);

static void check_step(step f, const char *in, const char *want)
{
    size_t n = strlen(in);
    char *out = malloc(n + 1);
    assert_non_null(out);
    size_t m = f(in, n, out);
    assert_int_equal(m, strlen(want));
    assert_memory_equal(out, want, m);
    assert_int_equal(out[m], '\0');
    free(out);
}

static size_t percent_form(const char *in, size_t n, char *out) { return decode_percent(in, n, out, 1); }
static size_t percent_path(const char *in, size_t n, char *out) { return decode_percent(in, n, out, 0); }

static void test_percent(void **state)
{
    (void)state;
    check_step(percent_path, "%3Cscript%3e", "<script>");
    check_step(percent_path, "a+b", "a+b");
    check_step(percent_form, "a+b%2B", "a b+");
    check_step(percent_path, "%u003cx%U003E", "<x>");
    check_step(percent_path, "%u4e0a", "\xe4\xb8\x8a");
    check_step(percent_path, "100%", "100%");
    check_step(percent_path, "%zz%4", "%zz%4");
    check_step(percent_path, "%u12", "%u12");
    check_step(percent_path, "%2525", "%25");   /* one level per step */
}

static void test_percent_nul(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(decode_percent("a%00b", 5, out, 0), 3);
    assert_memory_equal(out, "a\0b", 3);
}

static void test_entities(void **state)
{
    (void)state;
    check_step(decode_entities, "&lt;a&gt; &amp; &quot;&apos;", "<a> & \"'");
    check_step(decode_entities, "&#60;&#x3C;&#X3c;&#0000040;", "<<<(");
    check_step(decode_entities, "&#60x &lt", "<x <");
    check_step(decode_entities, "java&Tab;script&colon;alert&lpar;1&rpar;", "java\tscript:alert(1)");
    check_step(decode_entities, "&#x10437;", "\xf0\x90\x90\xb7");
    check_step(decode_entities, "&unknown; &#; &#x; &#99999999; &", "&unknown; &#; &#x; &#99999999; &");
    /* legacy names (lt gt amp quot nbsp copy reg, the Latin-1 ones) need no ';', also before a letter */
    check_step(decode_entities, "&ltscript&gtalert(1)", "<script>alert(1)");
    check_step(decode_entities, "&LT&GT&AMP&QUOT&COPY&REG", "<>&\"\xc2\xa9\xc2\xae");
    check_step(decode_entities, "&copy 2026 &reg&nbsp;x", "\xc2\xa9 2026 \xc2\xae x");
    check_step(decode_entities, "caf&eacute cr&egrave;me &yuml", "caf\xc3\xa9 cr\xc3\xa8me \xc3\xbf");
    /* longest match: plusmn over plus; frac12 with its digits; "not" inside "notit;" */
    check_step(decode_entities, "&plusmn1 &frac12 &notit;", "\xc2\xb1" "1 \xc2\xbd \xc2\xacit;");
    /* non-legacy names need ';' (browsers leave "&colon" as text) */
    check_step(decode_entities, "&colon &lpar1 &apos &colon;", "&colon &lpar1 &apos :");
    /* a legacy name before '=' is a query parameter, not a reference (the attribute exception) */
    check_step(decode_entities, "a=1&copy=2&lt=3&not;", "a=1&copy=2&lt=3\xc2\xac");
    check_step(decode_entities, "AT&T &amp &Lt &lT", "AT&T & &Lt &lT");
}

static void test_js_escapes(void **state)
{
    (void)state;
    check_step(decode_js_escapes, "\\u003cimg\\u003e", "<img>");
    check_step(decode_js_escapes, "\\x41\\'\\\"\\\\\\/", "A'\"\\/");
    check_step(decode_js_escapes, "\\n\\t\\r", "\n\t\r");
    check_step(decode_js_escapes, "\\u12 \\xz \\q \\", "\\u12 \\xz \\q \\");
}

static void test_strip_tags(void **state)
{
    (void)state;
    check_step(decode_strip_tags, "o<x>nfocus=alert<x>(1)", "onfocus=alert(1)");
    check_step(decode_strip_tags, "<b>bold</b>", "bold");
    check_step(decode_strip_tags, "<img src=x> a < b <>", "<img src=x> a < b <>");
}

static void test_sql_normalize(void **state)
{
    (void)state;
    check_step(decode_sql_normalize, "1/**/UNION/*x*/SeLeCt", "1 union select");
    check_step(decode_sql_normalize, "/*!50000UnIoN*/ /*!SELECT*/", "union select ");
    check_step(decode_sql_normalize, "a \t\r\n  b", "a b");
    check_step(decode_sql_normalize, "x/* never closed", "x ");
}

static void test_shell_normalize(void **state)
{
    (void)state;
    check_step(decode_shell_normalize, "c'a't /et\"c\"/pa\\sswd", "cat /etc/passwd");
    check_step(decode_shell_normalize, "cat$IFS/etc/passwd", "cat /etc/passwd");
    check_step(decode_shell_normalize, "cat${IFS}x$9y$@z", "cat xyz");
    check_step(decode_shell_normalize, "A  B", "a b");
}

static void test_base64(void **state)
{
    (void)state;
    char out[128];
    size_t n = decode_base64("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", 36, out);
    assert_int_equal(n, 25);
    assert_string_equal(out, "<script>alert(1)</script>");
    n = decode_base64("PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg", 34, out);   /* no padding */
    assert_string_equal(out, "<script>alert(1)</script>");
    assert_int_equal(n, 25);
    assert_int_equal(decode_base64("/PHNjcmlwdD4", 12, out), 8);         /* URL path in front */
    assert_string_equal(out, "<script>");
    assert_int_equal(decode_base64("Pz8_Pz8_Pz8-", 12, out), 9);          /* URL-safe alphabet */
    assert_string_equal(out, "\?\?\?\?\?\?\?\?>");
    assert_int_equal(decode_base64("JyBvciAxPTEj", 12, out), 9);
    assert_string_equal(out, "' or 1=1#");
    assert_int_equal(decode_base64("aGVsbG8gd29ybGQ=", 16, out), 11);
    /* not base64, too short, mixed alphabets, binary output, all one case */
    assert_int_equal(decode_base64("hello world", 11, out), 0);
    assert_int_equal(decode_base64("aGk=", 4, out), 0);
    assert_int_equal(decode_base64("ab+c-d/e_fGH", 12, out), 0);
    assert_int_equal(decode_base64("iVBORw0KGgoAAAANSUhEUg", 22, out), 0);
    assert_int_equal(decode_base64("AAAAAAAAAAAA", 12, out), 0);
}

static void test_base64_form_space(void **state)
{
    (void)state;
    char out[64];
    /* "<b>?>" encodes to "PGI+Pz4", whose '+' a form decoder turned into a space */
    assert_int_equal(decode_base64("PGI Pz4gPGI Pz4", 15, out), 11);
    assert_string_equal(out, "<b>?> <b>?>");
}

/* ---- the request walk ---- */

typedef struct seen { int n; int src[256]; char where[256][DECODE_WHERE_MAX]; char *val[256]; } seen;

static int collect(void *ctx, int src, const char *where, const char *val, size_t len, const uint64_t bytes[4])
{
    seen *s = ctx;
    assert_int_equal(val[len], '\0');
    uint64_t set[4] = {0, 0, 0, 0};     /* bytes is exactly the set of val's bytes */
    for (size_t i = 0; i < len; i++) set[(unsigned char)val[i] >> 6] |= 1ull << ((unsigned char)val[i] & 63);
    assert_memory_equal(set, bytes, sizeof set);
    if (s->n < 256) {
        s->src[s->n] = src;
        snprintf(s->where[s->n], DECODE_WHERE_MAX, "%s", where);
        s->val[s->n] = malloc(len + 1);
        memcpy(s->val[s->n], val, len + 1);
        s->n++;
    }
    return 0;
}

static void seen_free(seen *s)
{
    for (int i = 0; i < s->n; i++) free(s->val[i]);
    s->n = 0;
}

/* Returns whether some value at where equals val (with src when src != 0). */
static int has(const seen *s, int src, const char *where, const char *val)
{
    for (int i = 0; i < s->n; i++)
        if ((!src || s->src[i] == src) && strcmp(s->where[i], where) == 0 && strcmp(s->val[i], val) == 0) return 1;
    return 0;
}

static void walk(seen *s, const char *path, const char *query, const httpreq_header *h, size_t nh, const char *body)
{
    httpreq r = {"POST", path, query, h, nh, body, body ? strlen(body) : 0};
    memset(s, 0, sizeof *s);
    assert_int_equal(decode_request(&r, NULL, collect, s, NULL), 0);
}

static void test_walk_path_query(void **state)
{
    (void)state;
    seen s;
    walk(&s, "/a/%2e%2e/b", "id=1+2&q=%253Cx%253E&flag&=v", NULL, 0, NULL);
    assert_true(has(&s, DECODE_PATH, "path", "/a/%2e%2e/b"));
    assert_true(has(&s, DECODE_PATH, "path", "/a/../b"));
    assert_true(has(&s, DECODE_QUERY, "query.id", "1 2"));
    assert_true(has(&s, DECODE_QUERY, "query.q", "%3Cx%3E"));
    assert_true(has(&s, DECODE_QUERY, "query.q", "<x>"));
    assert_true(has(&s, DECODE_QUERY | DECODE_NAME, "query", "id"));      /* names are values too, marked */
    assert_true(has(&s, DECODE_QUERY, "query", "flag"));                   /* ...when a value follows */
    assert_false(has(&s, DECODE_QUERY | DECODE_NAME, "query", "flag"));
    assert_false(has(&s, DECODE_QUERY | DECODE_NAME, "query", "id=1 2&q=%3Cx%3E&flag&=v"));
    assert_true(has(&s, DECODE_QUERY, "query", "id=1 2&q=%3Cx%3E&flag&=v"));   /* the whole query */
    seen_free(&s);
}

static void test_walk_unicode_fold(void **state)
{
    (void)state;
    seen s;
    /* overlong '.', U+2215 DIVISION SLASH, fullwidth '<' */
    walk(&s, "/", "f=%C0%AE%C0%AE%E2%88%95x%EF%BC%9C", NULL, 0, NULL);
    assert_true(has(&s, DECODE_QUERY, "query.f", "../x<"));
    seen_free(&s);
}

static void test_walk_headers_cookies(void **state)
{
    (void)state;
    httpreq_header h[] = {{"User-Agent", "x/1"}, {"Cookie", "a=1; sess=%3Cb%3E;flag"}, {"X-B64", "JyBvciAxPTEj"}};
    seen s;
    walk(&s, "/", NULL, h, 3, NULL);
    assert_true(has(&s, DECODE_HEADER, "header.user-agent", "x/1"));
    assert_true(has(&s, DECODE_COOKIE, "cookie.a", "1"));
    assert_true(has(&s, DECODE_COOKIE, "cookie.sess", "<b>"));
    assert_true(has(&s, DECODE_COOKIE, "cookie", "flag"));
    assert_true(has(&s, DECODE_HEADER, "header.x-b64", "' or 1=1#"));
    seen_free(&s);
}

static void test_walk_json(void **state)
{
    (void)state;
    httpreq_header h[] = {{"Content-Type", "application/json; charset=utf-8"}};
    seen s;
    walk(&s, "/", NULL, h, 1, "{\"user\":{\"name\":\"\\u003cb\\u003e\",\"tags\":[\"x\",{\"k\":\"v\"}]},\"n\":5,\"$ne\":null}");
    assert_true(has(&s, DECODE_BODY, "body.user.name", "<b>"));
    assert_true(has(&s, DECODE_BODY, "body.user.tags.0", "x"));
    assert_true(has(&s, DECODE_BODY, "body.user.tags.1.k", "v"));
    assert_true(has(&s, DECODE_BODY, "body", "user"));     /* a member's name: no DECODE_NAME */
    assert_true(has(&s, DECODE_BODY, "body", "$ne"));
    assert_true(has(&s, DECODE_BODY, "body.user", "tags"));
    seen_free(&s);
    /* JSON inside a query value, found by its shape */
    walk(&s, "/", "f=%7B%22a%22%3A%22b%22%7D", NULL, 0, NULL);
    assert_true(has(&s, DECODE_QUERY, "query.f.a", "b"));
    seen_free(&s);
    /* a stack frame object (Jackson's StackTraceElement; an APM agent's) gives its class as the
     * frame reads, not as a bare name; an object with a type key and no frame keeps it as is */
    walk(&s, "/", NULL, h, 1, "{\"stackTrace\":[{\"methodName\":\"run\",\"fileName\":\"Thread.java\","
                             "\"lineNumber\":833,\"className\":\"java.lang.Thread\"},"
                             "{\"classname\":\"a.B\",\"function\":\"c\",\"lineno\":7}],"
                             "\"x\":{\"className\":\"java.lang.Thread\",\"methodName\":\"run\"}}");
    assert_true(has(&s, DECODE_BODY, "body.stackTrace.0.className", "java.lang.Thread.run(Thread.java:833)"));
    assert_false(has(&s, 0, "body.stackTrace.0.className", "java.lang.Thread"));
    assert_true(has(&s, DECODE_BODY, "body.stackTrace.1.classname", "a.B.c(Unknown Source)"));
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.x.className", "java.lang.Thread"));
    seen_free(&s);
    /* log4j's JSON layout: an exception's extendedStackTrace, class/method/file/line; its class
     * member outside such an array is still a type key */
    walk(&s, "/", NULL, h, 1, "{\"thrown\":{\"extendedStackTrace\":[{\"class\":\"org.example.App\","
                             "\"method\":\"run\",\"file\":\"App.java\",\"line\":42,\"exact\":true}]},"
                             "\"source\":{\"class\":\"a.b.Gadget\",\"method\":\"m\",\"line\":1}}");
    assert_true(has(&s, DECODE_BODY, "body.thrown.extendedStackTrace.0.class", "org.example.App.run(App.java:42)"));
    assert_false(has(&s, 0, "body.thrown.extendedStackTrace.0.class", "org.example.App"));
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.source.class", "a.b.Gadget"));
    seen_free(&s);
    /* only in a trace's array: a frame's shape elsewhere (a line added to a type to build) is no frame */
    walk(&s, "/", NULL, h, 1, "{\"x\":{\"className\":\"a.b.Gadget\",\"methodName\":\"m\",\"lineNumber\":1},"
                             "\"plugins\":[{\"className\":\"a.b.Gadget\",\"methodName\":\"m\",\"lineNumber\":1}]}");
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.x.className", "a.b.Gadget"));
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.plugins.0.className", "a.b.Gadget"));
    seen_free(&s);
    /* Jackson's WRAPPER_ARRAY typing names the type to build in a pair's first element; an i18n
     * pair does not */
    walk(&s, "/", NULL, h, 1, "{\"a\":[\"ch.qos.logback.core.db.DriverManagerConnectionSource\",{\"url\":\"x\"}],"
                             "\"b\":[\"validation.required\",{\"attribute\":\"email\"}],\"c\":[\"java.util.ArrayList\",[1]]}");
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.a.0", "ch.qos.logback.core.db.DriverManagerConnectionSource"));
    assert_true(has(&s, DECODE_BODY, "body.b.0", "validation.required"));
    assert_true(has(&s, DECODE_BODY | DECODE_TYPEKEY, "body.c.0", "java.util.ArrayList"));
    seen_free(&s);
    /* broken JSON with a JSON content type is inspected as text */
    walk(&s, "/", NULL, h, 1, "{\"a\": <script>");
    assert_true(has(&s, DECODE_BODY, "body", "{\"a\": <script>"));
    seen_free(&s);
}

static void test_walk_form_multipart(void **state)
{
    (void)state;
    httpreq_header form[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    seen s;
    walk(&s, "/", NULL, form, 1, "a=%27x&b=y+z");
    assert_true(has(&s, DECODE_BODY, "body.a", "'x"));
    assert_true(has(&s, DECODE_BODY, "body.b", "y z"));
    assert_true(has(&s, DECODE_BODY | DECODE_NAME, "body", "a"));
    seen_free(&s);
    walk(&s, "/", NULL, form, 1, "e=&v=1");
    assert_true(has(&s, DECODE_BODY, "body", "e"));                        /* an empty value: no mark */
    assert_false(has(&s, DECODE_BODY | DECODE_NAME, "body", "e"));
    assert_true(has(&s, DECODE_BODY | DECODE_NAME, "body", "v"));
    seen_free(&s);
    httpreq_header mp[] = {{"Content-Type", "multipart/form-data; boundary=\"XX\""}};
    walk(&s, "/", NULL, mp, 1,
         "preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
         "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XX\n"
         "content-disposition: form-data; name=q\n\nlf only\n--XX--\r\n");
    assert_true(has(&s, DECODE_BODY, "body.f", "line1\r\nline2"));
    assert_true(has(&s, DECODE_BODY, "body.f.filename", "a.txt"));
    assert_true(has(&s, DECODE_BODY, "body", "f"));                        /* a file's part: no mark */
    assert_false(has(&s, DECODE_BODY | DECODE_NAME, "body", "f"));
    assert_true(has(&s, DECODE_BODY | DECODE_NAME, "body", "q"));
    assert_true(has(&s, DECODE_BODY, "body.q", "lf only"));
    seen_free(&s);
}

static void test_walk_xml(void **state)
{
    (void)state;
    httpreq_header h[] = {{"Content-Type", "text/xml"}};
    seen s;
    const char *doc = "<?xml version=\"1.0\"?><!DOCTYPE r><r a=\"1&amp;2\"><n>&lt;b&gt;</n><e/><c><![CDATA[<x>]]></c>tail</r>";
    walk(&s, "/", NULL, h, 1, doc);
    assert_true(has(&s, DECODE_BODY, "body", doc));   /* the raw text, for DTD rules */
    assert_true(has(&s, DECODE_BODY, "body.r.a", "1&2"));
    assert_true(has(&s, DECODE_BODY, "body.r.n", "<b>"));
    assert_true(has(&s, DECODE_BODY, "body.r.c", "<x>"));
    assert_true(has(&s, DECODE_BODY, "body.r", "tail"));
    seen_free(&s);
}

static void test_walk_body_with_nul(void **state)
{
    (void)state;
    seen s;
    httpreq r = {"POST", "/", NULL, NULL, 0, "a\0<b>", 5};
    memset(&s, 0, sizeof s);
    assert_int_equal(decode_request(&r, NULL, collect, &s, NULL), 0);
    assert_int_equal(s.n, 3);   /* the path, the body as is, and the body without the tag */
    assert_int_equal(s.src[1], DECODE_BODY);
    assert_memory_equal(s.val[1], "a\0<b>", 6);
    assert_memory_equal(s.val[2], "a\0", 3);
    seen_free(&s);
}

static void test_walk_depth_bound(void **state)
{
    (void)state;
    /* "<" percent-encoded seven times over: 4 levels are decoded, not more */
    char q[64] = "x=%3C";
    for (int i = 0; i < 6; i++) {
        char t[64];
        snprintf(t, sizeof t, "%s", q + 2);
        size_t o = 2;
        for (char *c = t; *c; c++) o += (size_t)(*c == '%' ? snprintf(q + o, sizeof q - o, "%%25") : snprintf(q + o, sizeof q - o, "%c", *c));
    }
    seen s;
    walk(&s, "/", q, NULL, 0, NULL);
    int levels = 0;
    for (int i = 0; i < s.n; i++) levels += strcmp(s.where[i], "query.x") == 0;
    assert_int_equal(levels, 5);   /* the form-decoded value and 4 deeper decodings */
    assert_false(has(&s, 0, "query.x", "<"));
    seen_free(&s);
}

static void test_walk_output_bound(void **state)
{
    (void)state;
    decode_limits lim = {4, 64};
    char big[200];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = '%';   /* would be decoded, but the budget forbids the copy */
    httpreq r = {"GET", big, NULL, NULL, 0, NULL, 0};
    seen s;
    memset(&s, 0, sizeof s);
    unsigned cut = 0;
    assert_int_equal(decode_request(&r, &lim, collect, &s, &cut), 0);
    assert_int_equal(s.n, 1);   /* only the raw path */
    assert_int_equal(cut, DECODE_CUT_BUDGET);
    seen_free(&s);
}

/* What is left unwalked is reported: JSON nested past the walked depth, and a value still encoded
 * when the decoding depth runs out; neither for what was walked whole. */
static void test_walk_cut_depth(void **state)
{
    (void)state;
    char json[1200] = "", deep[1200];
    for (int i = 0; i < 70; i++) strcat(json, "{\"a\":");
    strcat(json, "\"x\"");
    for (int i = 0; i < 70; i++) strcat(json, "}");
    httpreq_header h[] = {{"Content-Type", "application/json"}};
    httpreq r = {"POST", "/", NULL, h, 1, json, strlen(json)};
    seen s;
    memset(&s, 0, sizeof s);
    unsigned cut = 0;
    assert_int_equal(decode_request(&r, NULL, collect, &s, &cut), 0);
    assert_int_equal(cut, DECODE_CUT_DEPTH);
    seen_free(&s);
    strcpy(deep, json + 6 * 10);                            /* 60 levels: walked whole */
    deep[strlen(deep) - 10] = '\0';
    r.body = deep;
    r.body_len = strlen(deep);
    memset(&s, 0, sizeof s);
    assert_int_equal(decode_request(&r, NULL, collect, &s, &cut), 0);
    assert_int_equal(cut, 0);
    int found = 0;
    for (int i = 0; i < s.n; i++) found |= strcmp(s.val[i], "x") == 0;
    assert_true(found);
    seen_free(&s);
    decode_limits lim = {2, 4u << 20};                      /* the form decodes once, then two decodings */
    httpreq q = {"GET", "/", "v=%2525253Cb%2525253E", NULL, 0, NULL, 0};
    memset(&s, 0, sizeof s);
    assert_int_equal(decode_request(&q, &lim, collect, &s, &cut), 0);
    assert_int_equal(cut, DECODE_CUT_DEPTH);
    seen_free(&s);
    httpreq plain = {"GET", "/", "v=%25253Cb%25253E", NULL, 0, NULL, 0};
    memset(&s, 0, sizeof s);
    assert_int_equal(decode_request(&plain, &lim, collect, &s, &cut), 0);
    assert_int_equal(cut, 0);
    seen_free(&s);
}

static void test_walk_large_body_inspected(void **state)
{
    (void)state;
    /* copies of the request's own bytes do not count against the budget: a body larger than the
     * budget is still walked, only its decodings are cut */
    decode_limits lim = {4, 64};
    char body[300];
    memset(body, 'a', sizeof body);
    memcpy(body + 280, "&b=%3Cscript%3E", 15);
    body[295] = '\0';
    httpreq_header h[] = {{"Content-Type", "application/x-www-form-urlencoded"}};
    httpreq r = {"POST", "/", NULL, h, 1, body, 295};
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(decode_request(&r, &lim, collect, &s, NULL), 0);
    assert_true(has(&s, DECODE_BODY, "body.b", "<script>"));
    seen_free(&s);
}

static int stop_at_second(void *ctx, int src, const char *where, const char *val, size_t len, const uint64_t bytes[4])
{
    (void)src; (void)where; (void)val; (void)len; (void)bytes;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_walk_stops(void **state)
{
    (void)state;
    int calls = 0;
    httpreq r = {"GET", "/a", "b=1&c=2", NULL, 0, NULL, 0};
    assert_int_equal(decode_request(&r, NULL, stop_at_second, &calls, NULL), 7);
    assert_int_equal(calls, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_percent_nul),
        cmocka_unit_test(test_entities),
        cmocka_unit_test(test_js_escapes),
        cmocka_unit_test(test_strip_tags),
        cmocka_unit_test(test_sql_normalize),
        cmocka_unit_test(test_shell_normalize),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_base64_form_space),
        cmocka_unit_test(test_walk_path_query),
        cmocka_unit_test(test_walk_unicode_fold),
        cmocka_unit_test(test_walk_headers_cookies),
        cmocka_unit_test(test_walk_json),
        cmocka_unit_test(test_walk_form_multipart),
        cmocka_unit_test(test_walk_xml),
        cmocka_unit_test(test_walk_body_with_nul),
        cmocka_unit_test(test_walk_depth_bound),
        cmocka_unit_test(test_walk_output_bound), cmocka_unit_test(test_walk_cut_depth),
        cmocka_unit_test(test_walk_large_body_inspected),
        cmocka_unit_test(test_walk_stops),
    };
    return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
