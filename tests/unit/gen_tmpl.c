/* gen_tmpl.c -- the template engine's API: errors and their positions, strict mode, limits,
 * partial loading, thread safety, and the code-language checks made at compile time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "escape.h"
#include "tmpl.h"

/* Compiles one template named name; returns the set (linked) or NULL with err filled. */
static tmpl_set *one(const char *name, const char *src, tmpl_lang lang, tmpl_error *err)
{
    tmpl_set *s = tmpl_set_new();
    if (tmpl_set_add(s, name, src, strlen(src), lang, err) < 0 || tmpl_set_link(s, err) < 0) {
        tmpl_set_free(s);
        return NULL;
    }
    return s;
}

/* A linked set of two LANG_SPEC templates. */
static tmpl_set *two(const char *name1, const char *src1, const char *name2, const char *src2)
{
    tmpl_error err;
    tmpl_set *s = tmpl_set_new();
    assert_int_equal(tmpl_set_add(s, name1, src1, strlen(src1), LANG_SPEC, &err), 0);
    assert_int_equal(tmpl_set_add(s, name2, src2, strlen(src2), LANG_SPEC, &err), 0);
    assert_int_equal(tmpl_set_link(s, &err), 0);
    return s;
}

/* Renders name of s with data (then freed) and checks the output. */
static void expect_render(const tmpl_set *s, const char *name, cJSON *data, const char *want)
{
    tmpl_error err;
    buf out = BUF_INIT;
    assert_non_null(data);
    if (tmpl_render(s, name, data, NULL, &out, &err) < 0) fail_msg("%s: %s", name, err.message);
    assert_string_equal(out.data ? out.data : "", want);
    buf_free(&out);
    cJSON_Delete(data);
}

static void expect_compile_error(const char *src, tmpl_lang lang, const char *message_part)
{
    tmpl_error err;
    tmpl_set *s = one("t.tpl", src, lang, &err);
    if (s) { tmpl_set_free(s); fail_msg("compiled, but expected an error containing '%s': %s", message_part, src); }
    if (!strstr(err.message, message_part))
        fail_msg("error '%s' does not contain '%s'", err.message, message_part);
}

/* Renders src with JSON data; returns the output (caller frees) or NULL with err filled. */
static char *render_str(const char *src, tmpl_lang lang, const char *json, tmpl_error *err)
{
    tmpl_set *s = one("t.tpl", src, lang, err);
    if (!s) return NULL;
    cJSON *data = cJSON_Parse(json);
    assert_non_null(data);
    buf out = BUF_INIT;
    int rc = tmpl_render(s, "t.tpl", data, NULL, &out, err);
    cJSON_Delete(data);
    tmpl_set_free(s);
    if (rc < 0) { buf_free(&out); return NULL; }
    return buf_detach(&out);
}

static void test_syntax_errors_name_position_and_tag(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = one("page.txt", "line one\n  {{#items}}x\n", LANG_TEXT, &err);
    assert_null(s);
    assert_string_equal(err.name, "page.txt");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 3);
    assert_non_null(strstr(err.message, "page.txt:2:3: {{#items}}: section is never closed"));

    expect_compile_error("a {{name", LANG_TEXT, "t.tpl:1:3: {{name: unclosed tag");
    expect_compile_error("{{#a}}{{/b}}", LANG_TEXT, "t.tpl:1:7: {{/b}}: closes 'b', but the open section is 'a'");
    expect_compile_error("x {{/a}}", LANG_TEXT, "closing tag without an opening tag");
    expect_compile_error("{{ }}", LANG_TEXT, "empty tag");
    expect_compile_error("{{=<% =}}", LANG_TEXT, "bad set-delimiter tag");
    expect_compile_error("{{a b}}", LANG_TEXT, "white space");
    expect_compile_error("{{a..b}}", LANG_TEXT, "empty part");
    expect_compile_error("{{{a}}", LANG_TEXT, "unclosed tag");

    char nul[] = "ab\0cd";
    tmpl_set *s2 = tmpl_set_new();
    assert_int_equal(tmpl_set_add(s2, "nul.txt", nul, 5, LANG_TEXT, &err), -1);
    assert_non_null(strstr(err.message, "NUL"));
    assert_int_equal(tmpl_set_add(s2, "ok.txt", "a", 1, LANG_TEXT, &err), 0);
    assert_int_equal(tmpl_set_add(s2, "ok.txt", "b", 1, LANG_TEXT, &err), -1);
    assert_non_null(strstr(err.message, "exists already"));
    tmpl_set_free(s2);
}

static void test_strict_and_lenient_missing_names(void **state)
{
    (void)state;
    tmpl_error err;
    char *out = render_str("a{{missing}}b", LANG_SPEC, "{}", &err);
    assert_string_equal(out, "ab");
    free(out);
    out = render_str("hi {{who}}!\nbye {{missing.part}}", LANG_TEXT, "{\"who\":\"you\"}", &err);
    assert_null(out);
    assert_non_null(strstr(err.message, "t.tpl:2:5: {{missing.part}}: no value of this name (strict mode)"));
    out = render_str("{{#nope}}x{{/nope}}", LANG_TEXT, "{}", &err);
    assert_null(out);
    assert_non_null(strstr(err.message, "{{#nope}}"));
    /* a null value is present: it interpolates as nothing, even in strict mode */
    out = render_str("[{{v}}]", LANG_TEXT, "{\"v\":null}", &err);
    assert_string_equal(out, "[]");
    free(out);
    /* text is verbatim, spec is HTML-escaped */
    out = render_str("{{v}}", LANG_TEXT, "{\"v\":\"<a&b>\"}", &err);
    assert_string_equal(out, "<a&b>");
    free(out);
    out = render_str("{{v}}|{{{v}}}", LANG_SPEC, "{\"v\":\"<a&\\\"b>\"}", &err);
    assert_string_equal(out, "&lt;a&amp;&quot;b&gt;|<a&\"b>");
    free(out);
    out = render_str("{{n}} {{f}} {{t}} {{big}}", LANG_TEXT, "{\"n\":15000,\"f\":1.5,\"t\":true,\"big\":1e300}", &err);
    assert_string_equal(out, "15000 1.5 true 1e+300");
    free(out);
    out = render_str("{{list}}", LANG_TEXT, "{\"list\":[1,2]}", &err);
    assert_null(out);
    assert_non_null(strstr(err.message, "is a list"));
}

static void test_render_failure_leaves_output_untouched(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = one("t.txt", "long text {{a}} then {{b}}", LANG_TEXT, &err);
    assert_non_null(s);
    cJSON *data = cJSON_Parse("{\"a\":\"A\"}");
    buf out = BUF_INIT;
    buf_puts(&out, "kept:");
    assert_int_equal(tmpl_render(s, "t.txt", data, NULL, &out, &err), -1);
    assert_string_equal(out.data, "kept:");
    assert_int_equal(out.len, 5);
    assert_int_equal(tmpl_render(s, "nope", data, NULL, &out, &err), -1);
    assert_non_null(strstr(err.message, "no template"));
    buf_free(&out);
    cJSON_Delete(data);
    tmpl_set_free(s);
}

static void test_output_and_depth_limits(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = two("loop", "{{#items}}0123456789{{/items}}", "rec", "x{{>rec}}");
    cJSON *data = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(data, "items");
    for (int i = 0; i < 1000; i++) cJSON_AddItemToArray(items, cJSON_CreateTrue());
    tmpl_opts o = TMPL_OPTS_INIT;
    o.max_output = 5000;
    buf out = BUF_INIT;
    assert_int_equal(tmpl_render(s, "loop", data, &o, &out, &err), -1);
    assert_non_null(strstr(err.message, "larger than the limit"));
    assert_int_equal(out.len, 0);
    o.max_output = 10000;
    assert_int_equal(tmpl_render(s, "loop", data, &o, &out, &err), 0);
    assert_int_equal(out.len, 10000);
    buf_reset(&out);
    assert_int_equal(tmpl_render(s, "rec", data, NULL, &out, &err), -1);
    assert_non_null(strstr(err.message, "nested deeper than 64"));
    o.max_depth = 10;
    assert_int_equal(tmpl_render(s, "rec", data, &o, &out, &err), -1);
    assert_non_null(strstr(err.message, "nested deeper than 10"));
    buf_free(&out);
    cJSON_Delete(data);
    tmpl_set_free(s);
}

/* Text between tags and values of every length around the engine's short copies (0 to 80
 * bytes), in text and JS, rendered after what the buffer held and against an output limit of
 * exactly their size and one byte less: the bytes must be exact and nothing may pass the limit. */
static void test_every_short_length(void **state)
{
    (void)state;
    static const struct { tmpl_lang lang; const char *open, *close; } kinds[] = {
        { LANG_TEXT, "{{{v}}}", "{{{w}}}" }, { LANG_JS, "\"{{v}}\"", "'{{w}}'" },
    };
    char pad[90], val[90];
    memset(pad, 't', sizeof pad); memset(val, 'v', sizeof val);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (int tl = 0; tl <= 80; tl += 1 + (tl > 34 && tl < 60) * 3) {
            char src[512];
            snprintf(src, sizeof src, "%.*s%s%.*s%s%.*s", tl, pad, kinds[k].open, tl / 2, pad,
                     kinds[k].close, tl, pad);
            tmpl_error err;
            const char *name = kinds[k].lang == LANG_JS ? "t.js" : "t.txt";
            tmpl_set *s = one(name, src, kinds[k].lang, &err);
            assert_non_null(s);
            for (int vl = 0; vl <= 80; vl += 1 + (vl > 34 && vl < 60) * 5) {
                cJSON *data = cJSON_CreateObject();
                char v[90];
                snprintf(v, sizeof v, "%.*s", vl, val);
                cJSON_AddStringToObject(data, "v", v);
                cJSON_AddNumberToObject(data, "w", vl * 1000 + 7);
                char want[512];
                int wl = snprintf(want, sizeof want, "%.*s%s%.*s%s%.*s%s%d%s%.*s", tl, pad,
                                  kinds[k].lang == LANG_JS ? "\"" : "", vl, v, kinds[k].lang == LANG_JS ? "\"" : "",
                                  tl / 2, pad, kinds[k].lang == LANG_JS ? "'" : "", vl * 1000 + 7,
                                  kinds[k].lang == LANG_JS ? "'" : "", tl, pad);
                for (int room = 0; room < 2 && wl - room > 0; room++) {     /* max_output 0: no limit */
                    buf out = BUF_INIT;
                    buf_puts(&out, "kept:");
                    tmpl_opts o = TMPL_OPTS_INIT;
                    o.max_output = (size_t)wl - (size_t)room;
                    int rc = tmpl_render(s, name, data, &o, &out, &err);
                    if (room == 0) {
                        if (rc != 0) fail_msg("%s tl=%d vl=%d: %s", name, tl, vl, err.message);
                        assert_int_equal(out.len, 5 + (size_t)wl);
                        assert_memory_equal(out.data + 5, want, (size_t)wl);
                        assert_int_equal(out.data[out.len], '\0');
                    } else {
                        if (rc != -1) fail_msg("%s tl=%d vl=%d wl=%d len=%zu: passed the limit", name, tl, vl, wl, out.len);
                        assert_string_equal(out.data, "kept:");
                    }
                    buf_free(&out);
                }
                cJSON_Delete(data);
            }
            tmpl_set_free(s);
        }
}

/* Names on the data's root object, which the engine indexes once a render has looked there more
 * than once: the first member of a repeated name wins as in a scan, an empty key is skipped,
 * inner objects are asked first, dotted names go on from the root's member, and a root that is
 * not an object has no names. Partials share the set's numbering of names. */
static void test_root_names_first_member_wins(void **state)
{
    (void)state;
    tmpl_set *s = two("main", "{{a}}{{a}}{{>p}}{{x}}{{#items}}[{{a}}{{x}}{{^x}}-{{/x}}]{{/items}}{{a}}{{nope}}|",
                      "p", "{{b.c}}{{b.a}}{{z}}");
    static const struct { const char *json, *want; } cases[] = {
        { "{\"\":\"E\",\"a\":\"1\",\"a\":\"2\",\"b\":{\"c\":\"3\",\"a\":\"4\"},\"x\":\"X\","
          "\"items\":[{\"a\":\"I\"},{\"y\":\"Y\"}],\"z\":\"Z\",\"z\":\"W\"}", "1134ZX[IX][1X]1|" },
        { "{\"items\":[{\"a\":\"I\",\"a\":\"J\"}],\"a\":\"1\"}", "11[I-]1|" },
        { "[1,2]", "|" },
        { "{}", "|" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_render(s, "main", cJSON_Parse(cases[i].json), cases[i].want);
    cJSON *data = cJSON_CreateObject();                 /* keys made by the API are exactly their size */
    cJSON_AddStringToObject(data, "", "E");
    cJSON_AddStringToObject(data, "a", "1");
    cJSON_AddStringToObject(data, "x", "X");
    expect_render(s, "main", data, "11X1|");
    tmpl_set_free(s);
}

/* The first member named nm in frames[n-1], then outwards, as Mustache resolves a one-part name. */
static const cJSON *resolve(const cJSON *const *frames, int n, const char *nm)
{
    for (int i = n - 1; i >= 0; i--) {
        const cJSON *v = cJSON_IsObject(frames[i]) ? cJSON_GetObjectItemCaseSensitive(frames[i], nm) : NULL;
        if (v) return v;
    }
    return NULL;
}

static unsigned lcg(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return *seed >> 16;
}

/* A random object of up to 5 string members named from names (repeats likely), values tag + index. */
static cJSON *random_object(unsigned *seed, const char *const *names, int nn, const char *tag)
{
    cJSON *o = cJSON_CreateObject();
    int members = (int)(lcg(seed) % 6);
    for (int m = 0; m < members; m++) {
        char v[16];
        snprintf(v, sizeof v, "%s%d", tag, m);
        cJSON_AddItemToObject(o, names[lcg(seed) % (unsigned)nn], cJSON_CreateString(v));
    }
    return o;
}

/* Root names are bound in data's order while the template asks for them in that order, and by an
 * index of all members once it does not: either way each name must find the first member of its
 * name, as cJSON's own lookup does ({{{x}}} runs as a step, {{x}} in LANG_SPEC does not). Random
 * objects (repeated keys, keys sharing their first bytes, keys the template never asks for)
 * against random sequences of lookups, compared with cJSON_GetObjectItemCaseSensitive. */
static void test_root_names_bound_in_any_order(void **state)
{
    (void)state;
    static const char *const names[] = { "a", "b", "ab", "ac", "abc", "c" };
    enum { NN = sizeof names / sizeof names[0] };
    unsigned seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char src[256] = "", want[512] = "";
        cJSON *data = cJSON_CreateObject();
        int members = (int)(lcg(&seed) % 7);
        for (int m = 0; m < members; m++) {
            char v[16];
            snprintf(v, sizeof v, "v%d", m);
            cJSON_AddItemToObject(data, names[lcg(&seed) % NN], cJSON_CreateString(v));
        }
        int looks = 1 + (int)(lcg(&seed) % 8);
        for (int k = 0; k < looks; k++) {
            const char *nm = names[lcg(&seed) % NN];
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, nm);
            snprintf(src + strlen(src), sizeof src - strlen(src), k % 2 ? "{{%s}}|" : "{{{%s}}}|", nm);
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s|", v ? v->valuestring : "");
        }
        tmpl_set *s = two("main", src, "other", "{{zz}}{{c}}");
        expect_render(s, "main", data, want);
        tmpl_set_free(s);
    }
}

/* A section's steps bind an item's names in the item's order while they match, and look them up
 * as before when they do not: random items (repeated keys, missing names, items that are no
 * object, a nested object section) against random bodies that ask for a name more than once,
 * compared with a plain walk of the frames using cJSON's lookup. */
static void test_item_names_bound_in_any_order(void **state)
{
    (void)state;
    static const char *const names[] = { "a", "b", "ab", "ac", "c" };
    enum { NN = sizeof names / sizeof names[0] };
    unsigned seed = 777;
    for (int round = 0; round < 2000; round++) {
        cJSON *data = random_object(&seed, names, NN, "r");
        cJSON *items = cJSON_AddArrayToObject(data, "items");
        int nitems = 1 + (int)(lcg(&seed) % 3);
        for (int i = 0; i < nitems; i++) {
            cJSON *it = lcg(&seed) % 6 ? random_object(&seed, names, NN, "i") : cJSON_CreateString("s");
            if (cJSON_IsObject(it) && lcg(&seed) % 2) cJSON_AddItemToObject(it, "o", random_object(&seed, names, NN, "o"));
            cJSON_AddItemToArray(items, it);
        }
        char body[512] = "";
        int looks = 1 + (int)(lcg(&seed) % 7), nested = -1;
        const char *look[8];
        for (int k = 0; k < looks; k++) {
            look[k] = names[lcg(&seed) % NN];
            if (nested < 0 && lcg(&seed) % 4 == 0) nested = k;    /* {{#o}}{{a}}{{b}}{{/o}} before look k */
        }
        char src[600];
        for (int k = 0; k < looks; k++) {
            if (k == nested) strcat(body, "{{#o}}{{{a}}}{{b}}{{{a}}}/{{/o}}");
            snprintf(body + strlen(body), sizeof body - strlen(body), k % 3 ? "{{{%s}}}|" : "{{%s}}|", look[k]);
        }
        snprintf(src, sizeof src, "{{#items}}%s;{{/items}}", body);
        char want[2048] = "";
        const cJSON *it;
        cJSON_ArrayForEach(it, items) {
            const cJSON *frames[3] = { data, it, NULL };
            for (int k = 0; k < looks; k++) {
                if (k == nested) {
                    const cJSON *o = resolve(frames, 2, "o");
                    if (o) {
                        frames[2] = o;
                        const char *ab[3] = { "a", "b", "a" };
                        for (int j = 0; j < 3; j++) {
                            const cJSON *v = resolve(frames, 3, ab[j]);
                            strcat(want, v ? v->valuestring : "");
                        }
                        strcat(want, "/");
                    }
                }
                const cJSON *v = resolve(frames, 2, look[k]);
                snprintf(want + strlen(want), sizeof want - strlen(want), "%s|", v ? v->valuestring : "");
            }
            strcat(want, ";");
        }
        tmpl_set *s = two("main", src, "other", "{{zz}}");
        expect_render(s, "main", data, want);
        tmpl_set_free(s);
    }
}

/* Integers are written two digits at a time: every digit count from 1 to 16, both signs, the
 * edges of the fast path (10^15 goes by printf) and random ones, as printf writes them. */
static void test_integers_written_as_printf_does(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = one("n.txt", "{{n}}", LANG_TEXT, &err);
    assert_non_null(s);
    long long vals[200];
    int nv = 0;
    for (long long p = 1; p <= 1000000000000000LL; p *= 10) {
        vals[nv++] = p - 1; vals[nv++] = p; vals[nv++] = p + 1; vals[nv++] = -p; vals[nv++] = 1 - p;
    }
    unsigned seed = 99;
    while (nv < 200) {
        long long x = (long long)(lcg(&seed) * 65536ULL * 65536ULL + lcg(&seed) * 65536ULL + lcg(&seed)) % 1000000000000000LL;
        vals[nv++] = lcg(&seed) % 2 ? -x : x;
    }
    for (int i = 0; i < nv; i++) {
        char want[32];
        snprintf(want, sizeof want, "%lld", vals[i]);
        cJSON *data = cJSON_CreateObject();
        cJSON_AddNumberToObject(data, "n", (double)vals[i]);
        expect_render(s, "n.txt", data, want);
    }
    tmpl_set_free(s);
}

/* A JS string value of every length up to 40 with a byte to escape at each place (or none): the
 * engine's fast copy must give way to the escaper exactly when the value needs it, so the output
 * is always what esc_string writes. */
static void test_js_values_with_a_byte_to_escape_anywhere(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = one("t.js", "x = \"{{v}}\";", LANG_JS, &err);
    assert_non_null(s);
    for (int len = 0; len <= 40; len++)
        for (int at = -1; at < len; at++) {
            char v[48];
            for (int i = 0; i < len; i++) v[i] = (char)('a' + i % 26);
            if (at >= 0) v[at] = "\"'<\\`$\n&"[at % 8];
            v[len] = '\0';
            buf want = BUF_INIT;
            const char *why = NULL;
            buf_puts(&want, "x = \"");
            assert_int_equal(esc_string(CTX_JS_STR_DQ, v, (size_t)len, &want, &why), 0);
            buf_puts(&want, "\";");
            cJSON *data = cJSON_CreateObject();
            cJSON_AddStringToObject(data, "v", v);
            expect_render(s, "t.js", data, want.data);
            buf_free(&want);
        }
    tmpl_set_free(s);
}

/* Sections run in the step loop without a call per item: nesting counts against max_depth as
 * before, an item's error stops the render with the section's tag named, lists in lists and
 * empty bodies come back to the right place. */
static void test_sections_nest_and_fail_in_place(void **state)
{
    (void)state;
    char src[1024] = "", *w = src;
    for (int i = 0; i < 11; i++) w += sprintf(w, "{{#a}}");
    w += sprintf(w, "x");
    for (int i = 0; i < 11; i++) w += sprintf(w, "{{/a}}");
    tmpl_error err;
    tmpl_set *s = one("deep.txt", src, LANG_TEXT, &err);
    assert_non_null(s);
    cJSON *data = cJSON_Parse("{\"a\":true}");
    tmpl_opts o = TMPL_OPTS_INIT;
    buf out = BUF_INIT;
    o.max_depth = 11;
    assert_int_equal(tmpl_render(s, "deep.txt", data, &o, &out, &err), 0);
    assert_string_equal(out.data, "x");
    o.max_depth = 10;
    buf_reset(&out);
    assert_int_equal(tmpl_render(s, "deep.txt", data, &o, &out, &err), -1);
    assert_non_null(strstr(err.message, "nested deeper than 10"));
    assert_int_equal(out.len, 0);
    tmpl_set_free(s);
    s = one("seq.txt", "{{#a}}1{{/a}}{{#a}}2{{/a}}{{#a}}3{{/a}}{{#a}}4{{/a}}", LANG_TEXT, &err);
    o.max_depth = 1;                                    /* one after another: never deeper than 1 */
    assert_int_equal(tmpl_render(s, "seq.txt", data, &o, &out, &err), 0);
    assert_string_equal(out.data, "1234");
    buf_reset(&out);
    buf_free(&out);
    cJSON_Delete(data);
    tmpl_set_free(s);

    s = one("l.txt", "<{{#l}}({{#.}}{{.}}{{/.}}{{#e}}{{/e}}{{n}}){{/l}}>{{#o}}{{k}}{{/o}}{{z}}", LANG_TEXT, &err);
    assert_non_null(s);
    expect_render(s, "l.txt", cJSON_Parse("{\"l\":[[1,2],[3]],\"e\":[0],\"n\":\"N\",\"o\":{\"k\":\"K\"},\"z\":\"Z\"}"),
                  "<(12N)(3N)>KZ");
    data = cJSON_Parse("{\"l\":[[1],[2]],\"e\":[],\"n\":\"N\",\"o\":{\"q\":1},\"z\":\"Z\"}");
    buf_puts(&out, "kept:");
    assert_int_equal(tmpl_render(s, "l.txt", data, NULL, &out, &err), -1);
    assert_non_null(strstr(err.message, "l.txt:1:"));
    assert_non_null(strstr(err.message, "{{k}}: no value of this name"));
    assert_string_equal(out.data, "kept:");
    buf_free(&out);
    cJSON_Delete(data);
    tmpl_set_free(s);
}

static void test_partials_only_from_the_set(void **state)
{
    (void)state;
    tmpl_error err;
    /* strict languages: a missing partial is found at link time */
    tmpl_set *s = tmpl_set_new();
    assert_int_equal(tmpl_set_add(s, "main.txt", "a{{>missing.txt}}b", 18, LANG_TEXT, &err), 0);
    assert_int_equal(tmpl_set_link(s, &err), -1);
    assert_non_null(strstr(err.message, "main.txt:1:2: {{>missing.txt}}: no template named 'missing.txt'"));
    tmpl_set_free(s);
    /* a data value never becomes template text or a file name */
    char *out = render_str("{{v}}", LANG_SPEC, "{\"v\":\"{{>/etc/passwd}}\"}", &err);
    assert_string_equal(out, "{{&gt;/etc/passwd}}");
    free(out);
    out = render_str("[{{>*name}}]", LANG_SPEC, "{\"name\":\"../../etc/passwd\"}", &err);
    assert_string_equal(out, "[]");
    free(out);
}

static void test_load_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/gen_tmpl_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[512];
    snprintf(path, sizeof path, "%s/_shared", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/_shared/greet.txt.mustache", dir);
    FILE *f = fopen(path, "w");
    fputs("hello {{who}}", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/main.txt", dir);
    f = fopen(path, "w");
    fputs("{{>_shared/greet.txt}}!", f);
    fclose(f);
    tmpl_set *s = tmpl_set_new();
    tmpl_error err;
    assert_int_equal(tmpl_set_load_dir(s, dir, &err), 0);
    assert_int_equal(tmpl_set_link(s, &err), 0);
    assert_int_equal(tmpl_set_count(s), 2);
    assert_string_equal(tmpl_set_name_at(s, 0), "_shared/greet.txt");
    assert_string_equal(tmpl_set_name_at(s, 1), "main.txt");
    assert_int_equal(tmpl_set_lang(s, "main.txt"), LANG_TEXT);
    expect_render(s, "main.txt", cJSON_Parse("{\"who\":\"world\"}"), "hello world!");
    tmpl_set_free(s);

    /* a symbolic link is refused, wherever it points */
    snprintf(path, sizeof path, "%s/link.txt", dir);
    assert_int_equal(symlink("/etc/hostname", path), 0);
    s = tmpl_set_new();
    assert_int_equal(tmpl_set_load_dir(s, dir, &err), -1);
    assert_non_null(strstr(err.message, "link.txt: symbolic links are refused"));
    tmpl_set_free(s);
    unlink(path);
    snprintf(path, sizeof path, "%s/_shared/greet.txt.mustache", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/_shared", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/main.txt", dir);
    unlink(path);
    rmdir(dir);

    s = tmpl_set_new();
    assert_int_equal(tmpl_set_load_dir(s, "/nonexistent/dir", &err), -1);
    assert_non_null(strstr(err.message, "cannot open directory"));
    tmpl_set_free(s);
}

typedef struct job { const tmpl_set *s; const cJSON *data; const char *want; int bad; } job;

static void *render_many(void *arg)
{
    job *j = arg;
    buf out = BUF_INIT;
    tmpl_error err;
    for (int i = 0; i < 2000; i++) {
        buf_reset(&out);
        if (tmpl_render(j->s, "main", j->data, NULL, &out, &err) < 0 || strcmp(out.data, j->want) != 0) j->bad++;
    }
    buf_free(&out);
    return NULL;
}

static void test_renders_from_many_threads(void **state)
{
    (void)state;
    tmpl_error err;
    tmpl_set *s = tmpl_set_new();
    const char *main_src = "{{#routes}}{{name}}={{>row}};{{/routes}}{{^routes}}none{{/routes}}";
    const char *row = "{{method}} {{path}}";
    assert_int_equal(tmpl_set_add(s, "main", main_src, strlen(main_src), LANG_TEXT, &err), 0);
    assert_int_equal(tmpl_set_add(s, "row", row, strlen(row), LANG_TEXT, &err), 0);
    assert_int_equal(tmpl_set_link(s, &err), 0);
    cJSON *data = cJSON_Parse("{\"routes\":[{\"name\":\"a\",\"method\":\"GET\",\"path\":\"/a\"},"
                              "{\"name\":\"b\",\"method\":\"PUT\",\"path\":\"/b\"}]}");
    job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){ s, data, "a=GET /a;b=PUT /b;", 0 };
        assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].bad, 0);
    }
    cJSON_Delete(data);
    tmpl_set_free(s);
}

static void test_code_language_checks(void **state)
{
    (void)state;
    tmpl_error err;
    expect_compile_error("const a = {{{x}}};", LANG_JS, "t.tpl:1:11: {{{x}}}: raw tags are refused in js templates");
    expect_compile_error("const a = {{&x}};", LANG_JS, "raw tags are refused");
    expect_compile_error("// {{x}}\n", LANG_JS, "t.tpl:1:4: {{x}}:");
    expect_compile_error("const s = `{{x}}`;", LANG_JS, "no escaper can make a value safe here");
    expect_compile_error("{{>*p}}", LANG_JS, "dynamic partial names are refused");
    expect_compile_error("const a = {{#x}}\"{{/x}}\";", LANG_JS, "section must end in the lexical context it began in");
    expect_compile_error("local s = [[{{x}}]]", LANG_LUA, "no escaper can make a value safe here");
    expect_compile_error("<!-- {{x}} -->", LANG_XML, "no escaper can make a value safe here");
    expect_compile_error("let s = r#\"{{x}}\"#;", LANG_RUST, "no escaper can make a value safe here");
    expect_compile_error("const s = \"abc", LANG_JS, "template ends");
    expect_compile_error("# {{>p.toml}}\n", LANG_TOML, "partials, parents and blocks may only stand where");
    expect_compile_error("const a = \"{{>p.js}}\";", LANG_JS, "partials, parents and blocks may only stand where");
    /* a partial at a TOML file's top level is fine */
    tmpl_set *ts = tmpl_set_new();
    assert_int_equal(tmpl_set_add(ts, "t.toml", "{{>p.toml}}\nk = 1\n", 17, LANG_TOML, &err), 0);
    assert_int_equal(tmpl_set_add(ts, "p.toml", "j = 2\n", 6, LANG_TOML, &err), 0);
    assert_int_equal(tmpl_set_link(ts, &err), 0);
    tmpl_set_free(ts);
    /* partials must be in the same language */
    tmpl_set *s = tmpl_set_new();
    assert_int_equal(tmpl_set_add(s, "a.js", "{{>b.lua}}\n", 11, LANG_JS, &err), 0);
    assert_int_equal(tmpl_set_add(s, "b.lua", "return 1\n", 9, LANG_LUA, &err), 0);
    assert_int_equal(tmpl_set_link(s, &err), -1);
    assert_non_null(strstr(err.message, "same language"));
    tmpl_set_free(s);
    /* values land as complete literals in code and escaped inside strings */
    char *out = render_str("const a = {{x}}; const b = \"{{x}}\";", LANG_JS, "{\"x\":\"q\\\"\"}", &err);
    assert_non_null(out);
    assert_string_equal(out, "const a = \"q\\\"\"; const b = \"q\\\"\";");
    free(out);
    /* lambdas are refused in code languages even when the caller offers them */
    out = render_str("const n = {{n}};", LANG_JS, "{\"n\":15}", &err);
    assert_string_equal(out, "const n = 15;");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors_name_position_and_tag),
        cmocka_unit_test(test_strict_and_lenient_missing_names),
        cmocka_unit_test(test_render_failure_leaves_output_untouched),
        cmocka_unit_test(test_output_and_depth_limits),
        cmocka_unit_test(test_every_short_length),
        cmocka_unit_test(test_js_values_with_a_byte_to_escape_anywhere),
        cmocka_unit_test(test_sections_nest_and_fail_in_place),
        cmocka_unit_test(test_root_names_first_member_wins),
        cmocka_unit_test(test_root_names_bound_in_any_order),
        cmocka_unit_test(test_item_names_bound_in_any_order),
        cmocka_unit_test(test_integers_written_as_printf_does),
        cmocka_unit_test(test_partials_only_from_the_set),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_renders_from_many_threads),
        cmocka_unit_test(test_code_language_checks),
    };
    return cmocka_run_group_tests_name("template engine", tests, NULL, NULL);
}
