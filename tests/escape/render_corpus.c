/* render_corpus.c -- renders every corpus value into every case's context, one source file per case.
 * Uses the template engine when built with HAVE_TMPL, else drives the lexer and escaper as the engine does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "escape.h"
#include "lexer.h"
#include "lang.h"
#include "value.h"
#ifdef HAVE_TMPL
#include "tmpl.h"
#endif

static const char *const ctx_ids[CTX_COUNT] = {
    "FORBIDDEN", "JS_VALUE", "JS_STR_DQ", "JS_STR_SQ", "PY_VALUE", "PY_STR_DQ", "PY_STR_SQ",
    "LUA_VALUE", "LUA_STR_DQ", "LUA_STR_SQ", "XML_TEXT", "XML_ATTR_DQ", "XML_ATTR_SQ", "XML_CDATA",
    "YAML_VALUE", "YAML_STR_DQ", "YAML_STR_SQ", "JSON_VALUE", "JSON_STR", "TOML_VALUE", "TOML_STR",
    "RUST_VALUE", "RUST_STR",
};

typedef struct entry {
    const cJSON *json;     /* the corpus item */
    const cJSON *value;    /* "s" or "v", or NULL for "hex" */
    buf bytes;             /* the string's bytes ("s" or "hex") */
    int is_string;
} entry;

static char *slurp(const char *path)
{
    buf b = BUF_INIT;
    if (buf_read_file(&b, path) < 0) { fprintf(stderr, "render_corpus: cannot read %s\n", path); exit(2); }
    return buf_detach(&b);
}

static void put_hex(buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) buf_printf(out, "%02x", (unsigned char)s[i]);
}

/* The form every checker prints: s<hex> n<number> t f z [a,b] {k:v} */
static void canon(const cJSON *v, buf *out)
{
    if (cJSON_IsString(v)) { buf_putc(out, 's'); put_hex(out, v->valuestring, strlen(v->valuestring)); }
    else if (cJSON_IsNumber(v)) buf_printf(out, "n%.17g", v->valuedouble);
    else if (cJSON_IsTrue(v)) buf_putc(out, 't');
    else if (cJSON_IsFalse(v)) buf_putc(out, 'f');
    else if (cJSON_IsNull(v)) buf_putc(out, 'z');
    else {
        int obj = cJSON_IsObject(v);
        buf_putc(out, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (obj) { buf_putc(out, 's'); put_hex(out, c->string, strlen(c->string)); buf_putc(out, ':'); }
            canon(c, out);
            if (c->next) buf_putc(out, ',');
        }
        buf_putc(out, obj ? '}' : ']');
    }
}

static int hex_decode(const char *hex, buf *out)
{
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        if (sscanf(hex, "%2x", &v) != 1) return -1;
        buf_putc(out, (char)v);
    }
    return 0;
}

/* What the checker must read back for entry e in a context of this kind ("value" or "str"). */
static void expected(const entry *e, int value_ctx, buf *out)
{
    if (e->is_string) { buf_putc(out, 's'); put_hex(out, e->bytes.data ? e->bytes.data : "", e->bytes.len); return; }
    if (value_ctx) { canon(e->value, out); return; }
    buf t = BUF_INIT;
    value_text(e->value, &t);
    buf_putc(out, 's');
    put_hex(out, t.data ? t.data : "", t.len);
    buf_free(&t);
}

static int escape_entry(esc_ctx ctx, const entry *e, buf *out, const char **why)
{
    if (e->is_string) return esc_string(ctx, e->bytes.data ? e->bytes.data : "", e->bytes.len, out, why);
    return esc_value(ctx, e->value, out, why);
}

/* Entries may name cases they cannot take part in at all ("skip"), e.g. over-long YAML keys. */
static int skipped(const entry *e, const cJSON *c)
{
    const cJSON *s;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "id"));
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "typed")) && !e->is_string) return 1;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(e->json, "skip"))
        if (cJSON_IsString(s) && id && strcmp(s->valuestring, id) == 0) return 1;
    return 0;
}

static esc_ctx ctx_by_id(const char *id)
{
    for (int i = 0; i < CTX_COUNT; i++)
        if (strcmp(ctx_ids[i], id) == 0) return (esc_ctx)i;
    fprintf(stderr, "render_corpus: unknown context %s\n", id);
    exit(2);
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(s) ? s->valuestring : "";
}

static void write_file(const char *dir, const char *name, const char *ext, const buf *b)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    FILE *f = fopen(path, "wb");
    if (!f) { fprintf(stderr, "render_corpus: cannot write %s\n", path); exit(2); }
    fwrite(b->data ? b->data : "", 1, b->len, f);
    fclose(f);
}

#ifndef HAVE_TMPL
/* Direct mode: the lexer runs over the whole file; each value is escaped where its tag stands. */
static void render_direct(const cJSON *c, entry *es, size_t n, buf *file, buf *res)
{
    tmpl_lang lang;
    lang_from_name(str_of(c, "lang"), &lang);
    esc_ctx want = ctx_by_id(str_of(c, "ctx"));
    const char *item = str_of(c, "item"), *tag = strstr(item, "{{x}}");
    size_t pre = (size_t)(tag - item);
    const char *post = tag + 5;
    lexer lx;
    lexer_init(&lx, lang);
    buf_puts(file, str_of(c, "head"));
    lexer_feed(&lx, str_of(c, "head"), strlen(str_of(c, "head")));
    for (size_t i = 0; i < n; i++) {
        if (skipped(&es[i], c)) { buf_puts(res, "skip\n"); continue; }
        lexer saved = lx;
        const char *why = NULL;
        lexer_feed(&lx, item, pre);
        esc_ctx got = lexer_context(&lx, &why);
        buf v = BUF_INIT;
        if (got != want) buf_printf(res, "fail\twrong context %s (%s)\n", ctx_ids[got], why ? why : "");
        else if (escape_entry(got, &es[i], &v, &why) < 0) buf_printf(res, "fail\t%s\n", why);
        else {
            buf_append(file, item, pre);
            buf_append(file, v.data ? v.data : "", v.len);
            buf_puts(file, post);
            lexer_after_value(&lx);
            lexer_feed(&lx, post, strlen(post));
            buf_puts(res, "ok\t");
            expected(&es[i], strstr(ctx_ids[want], "VALUE") != NULL, res);
            buf_putc(res, '\n');
            buf_free(&v);
            continue;
        }
        buf_free(&v);
        lx = saved;
    }
    buf_puts(file, str_of(c, "tail"));
    lexer_feed(&lx, str_of(c, "tail"), strlen(str_of(c, "tail")));
    const char *end = lexer_finish(&lx);
    if (end) buf_printf(res, "fail\tend of file: %s\n", end);
}

#else
/* Engine mode: head{{#items}}item{{/items}}tail compiled once; each value rendered alone to learn
 * whether it fails, then every value that renders goes into one file. */
static void render_engine(const cJSON *c, entry *es, size_t n, buf *file, buf *res)
{
    tmpl_lang lang;
    lang_from_name(str_of(c, "lang"), &lang);
    esc_ctx want = ctx_by_id(str_of(c, "ctx"));
    buf src = BUF_INIT;
    buf_printf(&src, "%s{{#items}}%s{{/items}}%s", str_of(c, "head"), str_of(c, "item"), str_of(c, "tail"));
    tmpl_set *set = tmpl_set_new();
    tmpl_error err;
    if (tmpl_set_add(set, "case", src.data, src.len, lang, &err) < 0 || tmpl_set_link(set, &err) < 0) {
        buf_printf(res, "fail\tcompile: %s\n", err.message);
        tmpl_set_free(set); buf_free(&src);
        return;
    }
    cJSON *all = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(all, "items");
    for (size_t i = 0; i < n; i++) {
        if (skipped(&es[i], c)) { buf_puts(res, "skip\n"); continue; }
        if (es[i].is_string && memchr(es[i].bytes.data ? es[i].bytes.data : "", 0, es[i].bytes.len)) {
            buf tmp = BUF_INIT;                 /* a NUL cannot reach the engine through cJSON: escaper alone */
            const char *why = NULL;
            if (escape_entry(want, &es[i], &tmp, &why) < 0) buf_printf(res, "fail\tescaper only: %s\n", why);
            else buf_puts(res, "skip\n");
            buf_free(&tmp);
            continue;
        }
        cJSON *one = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(one, "items"), *it = cJSON_CreateObject();
        cJSON *val = es[i].is_string ? cJSON_CreateString(es[i].bytes.data ? es[i].bytes.data : "")
                                     : cJSON_Duplicate(es[i].value, 1);
        cJSON_AddItemToObject(it, "x", val);
        cJSON_AddItemToArray(arr, it);
        buf out = BUF_INIT;
        if (tmpl_render(set, "case", one, NULL, &out, &err) < 0) buf_printf(res, "fail\t%s\n", err.message);
        else {
            cJSON_AddItemToArray(items, cJSON_Duplicate(it, 1));
            buf_puts(res, "ok\t");
            expected(&es[i], strstr(ctx_ids[want], "VALUE") != NULL, res);
            buf_putc(res, '\n');
        }
        buf_free(&out);
        cJSON_Delete(one);
    }
    if (tmpl_render(set, "case", all, NULL, file, &err) < 0) buf_printf(res, "fail\tfull render: %s\n", err.message);
    cJSON_Delete(all);
    tmpl_set_free(set);
    buf_free(&src);
}
#endif

/* Every forbidden template must be refused where its tag stands, for the stated reason;
 * an entry with "ctx" is a look-alike that must be accepted in that context. */
static void check_forbidden(const cJSON *list, buf *res)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, list) {
        tmpl_lang lang;
        lang_from_name(str_of(f, "lang"), &lang);
        const char *t = str_of(f, "t"), *tag = strstr(t, "{{x}}"), *want = str_of(f, "why"), *allowed = str_of(f, "ctx");
        char msg[1200];
#ifdef HAVE_TMPL
        tmpl_set *set = tmpl_set_new();
        tmpl_error err;
        int rc = tmpl_set_add(set, "forbidden", t, strlen(t), lang, &err);
        snprintf(msg, sizeof msg, "%s", rc < 0 ? err.message : "compiled");
        tmpl_set_free(set);
        int ok = *allowed ? rc == 0 : rc < 0 && strstr(msg, want) != NULL;
        (void)tag;
#else
        lexer lx;
        const char *why = NULL;
        lexer_init(&lx, lang);
        lexer_feed(&lx, t, (size_t)(tag - t));
        esc_ctx got = lexer_context(&lx, &why);
        snprintf(msg, sizeof msg, "%s", got == CTX_FORBIDDEN ? why : ctx_ids[got]);
        int ok = *allowed ? got == ctx_by_id(allowed) : got == CTX_FORBIDDEN && strstr(why, want) != NULL;
#endif
        buf_printf(res, "%s\t%s\t", ok ? "ok" : "FAIL", str_of(f, "lang"));
        for (const char *p = t; *p; p++) buf_puts(res, *p == '\n' ? "\\n" : (char[2]){ *p, 0 });
        buf_printf(res, "\t%s\n", msg);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) { fprintf(stderr, "usage: render_corpus CASES.json CORPUS.json OUTDIR\n"); return 2; }
    char *ct = slurp(argv[1]), *vt = slurp(argv[2]);
    cJSON *cases = cJSON_Parse(ct), *corpus = cJSON_Parse(vt);
    if (!cases || !corpus) { fprintf(stderr, "render_corpus: bad JSON in %s\n", cases ? argv[2] : argv[1]); return 2; }
    const cJSON *values = cJSON_GetObjectItemCaseSensitive(corpus, "values");
    size_t n = (size_t)cJSON_GetArraySize(values), i = 0;
    entry *es = calloc(n ? n : 1, sizeof *es);
    const cJSON *v;
    cJSON_ArrayForEach(v, values) {
        entry *e = &es[i++];
        e->json = v;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(v, "s"), *h = cJSON_GetObjectItemCaseSensitive(v, "hex");
        if (cJSON_IsString(s)) { e->is_string = 1; e->value = s; buf_puts(&e->bytes, s->valuestring); }
        else if (cJSON_IsString(h)) { e->is_string = 1; hex_decode(h->valuestring, &e->bytes); }
        else e->value = cJSON_GetObjectItemCaseSensitive(v, "v");
    }
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(cases, "cases")) {
        buf file = BUF_INIT, res = BUF_INIT;
#ifdef HAVE_TMPL
        render_engine(c, es, n, &file, &res);
#else
        render_direct(c, es, n, &file, &res);
#endif
        write_file(argv[3], str_of(c, "id"), str_of(c, "ext"), &file);
        write_file(argv[3], str_of(c, "id"), "res", &res);
        buf_free(&file); buf_free(&res);
    }
    buf res = BUF_INIT;
    check_forbidden(cJSON_GetObjectItemCaseSensitive(cases, "forbidden"), &res);
    write_file(argv[3], "forbidden", "res", &res);
    buf_free(&res);
    for (i = 0; i < n; i++) buf_free(&es[i].bytes);
    free(es);
    cJSON_Delete(cases); cJSON_Delete(corpus);
    free(ct); free(vt);
#ifdef HAVE_TMPL
    const char *mode = "engine";
    puts("render_corpus: engine mode (tmpl_render)");
#else
    const char *mode = "direct";
    puts("render_corpus: direct mode (lexer + esc_value)");
#endif
    buf m = BUF_INIT;
    buf_puts(&m, mode);
    write_file(argv[3], "render", "mode", &m);
    buf_free(&m);
    return 0;
}
