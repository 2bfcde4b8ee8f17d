/* gen_deflate.c -- zip entries deflated by dcache.h against libzip compressing them itself: the same
 * bytes for every case of tests/deflate/cases.txt (every platform's bundle), and kept forms reused
 * exactly for the files a changed parameter leaves alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bundle.h"
#include "dcache.h"
#include "params.h"

#define CASES "tests/deflate/cases.txt"
#define MAX_WORDS 32

/* Every input handed to the deflate cache so far, to know which ones it must find kept. */
static pack_file *seen;
static size_t nseen, capseen;

/* 1 when data was handed over before, else 0 (and remembers it). */
static int seen_before(const pack_file *f)
{
    for (size_t i = 0; i < nseen; i++)
        if (seen[i].len == f->len && !memcmp(seen[i].data, f->data, f->len)) return 1;
    if (nseen == capseen) {
        capseen = capseen ? capseen * 2 : 64;
        seen = realloc(seen, capseen * sizeof *seen);
        assert_non_null(seen);
    }
    void *copy = malloc(f->len + 1);
    assert_non_null(copy);
    memcpy(copy, f->data, f->len);
    seen[nseen++] = (pack_file){NULL, copy, f->len, 0};
    return 0;
}

/* How many of the zip inputs of b the cache should find kept: the entries of a zip bundle and the
 * files inside each nested zip. */
static unsigned long long expected_hits(const manifest *m, const bundle *b)
{
    unsigned long long hits = 0;
    for (size_t j = 0; j < m->narchives; j++) {
        if (m->archives[j].kind != PACK_ZIP) continue;
        size_t fl = strlen(m->archives[j].from);
        for (size_t i = 0; i < b->nfiles; i++)
            if (!strncmp(b->files[i].path, m->archives[j].from, fl) && b->files[i].path[fl] == '/')
                hits += (unsigned long long)seen_before(&b->files[i]);
    }
    if (b->kind == PACK_ZIP || b->kind == PACK_DIR) {
        size_t n;
        const pack_file *e = bundle_entries(b, &n);
        for (size_t i = 0; i < n; i++) hits += (unsigned long long)seen_before(&e[i]);
    }
    return hits;
}

/* Renders src with the sets; a folder bundle is packed as a zip, as serve does. */
static void make(const bundle_source *src, const char **sets, size_t nsets, bundle *b, const char *where)
{
    cJSON *errors = NULL;
    cJSON *params = params_from_cli(src->m->params, src->m->nparams, sets, nsets, &errors);
    if (!params) {
        char *e = cJSON_PrintUnformatted(errors);
        fail_msg("%s: parameters: %s", where, e);
    }
    cJSON *ctx = bundle_context(src->m, src->version, params);
    char err[1024];
    if (bundle_make(src->m, src->set, ctx, src->version, src->mtime, b, err, sizeof err) != 0)
        fail_msg("%s: %s", where, err);
    cJSON_Delete(ctx);
    if (b->kind == PACK_DIR) {
        size_t n;
        const pack_file *e = bundle_entries(b, &n);
        if (pack_build(PACK_ZIP, e, n, src->mtime, &b->packed, err, sizeof err) < 0) fail_msg("%s: %s", where, err);
    }
}

/* The paths of b's entries whose bytes differ from prev's, space-separated, in b's order. */
static void changed_entries(const bundle *prev, const bundle *b, buf *out)
{
    size_t n, pn;
    const pack_file *e = bundle_entries(b, &n), *pe = bundle_entries(prev, &pn);
    for (size_t i = 0; i < n; i++) {
        const pack_file *was = NULL;
        for (size_t j = 0; j < pn && !was; j++)
            if (!strcmp(pe[j].path, e[i].path)) was = &pe[j];
        if (!was || was->len != e[i].len || memcmp(was->data, e[i].data, e[i].len))
            buf_printf(out, "%s%s", out->len ? " " : "", e[i].path);
    }
}

static void test_cases(void **state)
{
    (void)state;
    FILE *f = fopen(CASES, "r");
    assert_non_null(f);
    assert_int_equal(dcache_set_limit((size_t)256 << 20), 0);   /* large enough to keep everything */
    char line[4096], platform[64] = "";
    bundle_source src;
    memset(&src, 0, sizeof src);
    bundle prev;
    memset(&prev, 0, sizeof prev);
    int have_prev = 0, lineno = 0, cases = 0;
    char **ids;
    size_t nids;
    char err[512];
    assert_int_equal(manifest_list(".", &ids, &nids, err, sizeof err), 0);
    int *covered = calloc(nids, sizeof *covered);
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#') continue;
        /* PLATFORM [NAME=VALUE ...] [-> PATH ...]: the paths the change from the line above alters */
        char *words[MAX_WORDS];
        size_t nw = 0;
        for (char *w = strtok(line, " "); w && nw < MAX_WORDS; w = strtok(NULL, " ")) words[nw++] = w;
        assert_true(nw >= 1);
        size_t arrow = nw;
        for (size_t i = 1; i < nw; i++) if (!strcmp(words[i], "->")) { arrow = i; break; }
        char where[128];
        snprintf(where, sizeof where, CASES ":%d", lineno);
        if (strcmp(words[0], platform)) {
            if (have_prev) bundle_free(&prev);
            have_prev = 0;
            bundle_source_free(&src);
            if (bundle_resolve(".", NULL, words[0], NULL, &src, err, sizeof err) < 0) fail_msg("%s: %s", where, err);
            snprintf(platform, sizeof platform, "%s", words[0]);
            for (size_t i = 0; i < nids; i++) if (!strcmp(ids[i], platform)) covered[i] = 1;
        }

        bundle ref, b;
        pack_zip_reference(1);
        make(&src, (const char **)words + 1, arrow - 1, &ref, where);
        pack_zip_reference(0);
        dcache_stats before, after;
        dcache_get_stats(&before);
        make(&src, (const char **)words + 1, arrow - 1, &b, where);
        dcache_get_stats(&after);
        if (ref.packed.len != b.packed.len || memcmp(ref.packed.data, b.packed.data, b.packed.len))
            fail_msg("%s: the bundle differs from libzip's own compression (%zu and %zu bytes)", where,
                     b.packed.len, ref.packed.len);
        unsigned long long hits = expected_hits(src.m, &b);
        if (after.hits - before.hits != hits)
            fail_msg("%s: %llu compressed files reused, expected %llu", where, after.hits - before.hits, hits);

        if (have_prev) {
            buf want = BUF_INIT, got = BUF_INIT;
            for (size_t i = arrow + 1; i < nw; i++) buf_printf(&want, "%s%s", want.len ? " " : "", words[i]);
            changed_entries(&prev, &b, &got);
            if (strcmp(want.data ? want.data : "", got.data ? got.data : ""))
                fail_msg("%s: changed \"%s\", expected \"%s\"", where, got.data ? got.data : "",
                         want.data ? want.data : "");
            buf_free(&want);
            buf_free(&got);
            bundle_free(&prev);
        } else {
            assert_true(arrow == nw);      /* the first line of a platform has nothing to compare with */
        }
        prev = b;
        have_prev = 1;
        bundle_free(&ref);
        cases++;
    }
    fclose(f);
    if (have_prev) bundle_free(&prev);
    bundle_source_free(&src);
    for (size_t i = 0; i < nids; i++)
        if (!covered[i]) fail_msg(CASES ": no case for platform %s", ids[i]);
    free(covered);
    manifest_list_free(ids, nids);
    assert_true(cases > 0);
    for (size_t i = 0; i < nseen; i++) free((void *)seen[i].data);
    free(seen);
    dcache_shutdown();
}

/* Inputs no bundle has yet: empty, one byte, long runs, and text past the 32 KiB window. */
static void test_shapes(void **state)
{
    (void)state;
    size_t big = 300000;
    char *text = malloc(big), *runs = malloc(big);
    assert_non_null(text);
    assert_non_null(runs);
    uint32_t x = 12345;
    for (size_t i = 0; i < big; i++) {
        x = x * 1103515245u + 12345u;
        text[i] = (char)("abcdefgh {}();\n"[(x >> 16) % 15]);
        runs[i] = (char)(i / 5000 % 2 ? 'a' : "xyz"[i % 3]);
    }
    const pack_file files[] = {
        {"empty", "", 0, 0644}, {"one", "x", 1, 0644}, {"runs", runs, big, 0644},
        {"text", text, big, 0755}, {"text-again", text, big, 0644}, {"mid/text", text, 40000, 0644},
    };
    size_t n = sizeof files / sizeof *files;
    for (int keep = 0; keep < 2; keep++) {
        assert_int_equal(dcache_set_limit(keep ? (size_t)8 << 20 : 0), 0);
        buf ref = BUF_INIT, own = BUF_INIT, again = BUF_INIT;
        char err[256];
        pack_zip_reference(1);
        assert_int_equal(pack_build(PACK_ZIP, files, n, BUNDLE_DEFAULT_EPOCH, &ref, err, sizeof err), 0);
        pack_zip_reference(0);
        assert_int_equal(pack_build(PACK_ZIP, files, n, BUNDLE_DEFAULT_EPOCH, &own, err, sizeof err), 0);
        assert_int_equal(pack_build(PACK_ZIP, files, n, BUNDLE_DEFAULT_EPOCH, &again, err, sizeof err), 0);
        assert_int_equal(own.len, ref.len);
        assert_memory_equal(own.data, ref.data, ref.len);
        assert_int_equal(again.len, ref.len);
        assert_memory_equal(again.data, ref.data, ref.len);
        dcache_stats st;
        dcache_get_stats(&st);
        /* kept: 5 distinct inputs, the repeated one found from the first pack on; none kept without a limit */
        assert_int_equal(st.hits, keep ? 1 + 6 : 0);
        assert_int_equal(st.entries, keep ? 5 : 0);
        assert_true(st.bytes <= st.max_bytes);
        buf_free(&ref);
        buf_free(&own);
        buf_free(&again);
    }
    /* a limit below one input's size keeps nothing of it and still gives the same bytes */
    assert_int_equal(dcache_set_limit(1000), 0);
    buf a = BUF_INIT, b = BUF_INIT;
    char err[256];
    pack_zip_reference(1);
    assert_int_equal(pack_build(PACK_ZIP, files + 2, 1, BUNDLE_DEFAULT_EPOCH, &a, err, sizeof err), 0);
    pack_zip_reference(0);
    assert_int_equal(pack_build(PACK_ZIP, files + 2, 1, BUNDLE_DEFAULT_EPOCH, &b, err, sizeof err), 0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    dcache_stats st;
    dcache_get_stats(&st);
    assert_int_equal(st.entries, 0);
    buf_free(&a);
    buf_free(&b);
    dcache_shutdown();
    free(text);
    free(runs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
