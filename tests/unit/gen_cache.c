/* gen_cache.c -- unit tests of the bundle cache: hits and misses, LRU order, the byte bound,
 * oversized and duplicate entries, references that outlive eviction, the per-thread memo, and threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cache.h"

static const char zeros[65] = "0000000000000000000000000000000000000000000000000000000000000000";

/* A malloc'ed buffer of n bytes filled with c. */
static void *blob(size_t n, char c)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memset(p, c, n);
    return p;
}

static const cache_entry *put(cache *c, const char *key, size_t n, char fill)
{
    const cache_entry *e = cache_put(c, key, strlen(key), blob(n, fill), n, "b.zip", "application/zip", zeros, NULL);
    assert_non_null(e);
    return e;
}

static int present(cache *c, const char *key)
{
    const cache_entry *e = cache_get(c, key, strlen(key));
    cache_release(e);
    return e != NULL;
}

static void test_miss_then_hit(void **state)
{
    (void)state;
    cache *c = cache_new(1 << 20);
    assert_null(cache_get(c, "a", 1));
    cache_release(put(c, "a", 100, 'x'));
    const cache_entry *e = cache_get(c, "a", 1);
    assert_non_null(e);
    assert_int_equal(e->len, 100);
    assert_memory_equal(e->data, "xxxx", 4);
    assert_string_equal(e->name, "b.zip");
    assert_string_equal(e->type, "application/zip");
    assert_string_equal(e->sha256, zeros);
    cache_release(e);
    cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.entries, 1);
    assert_true(st.bytes >= 100 + 1 + 5);
    cache_free(c);
}

static void test_keys_with_nul_bytes_differ(void **state)
{
    (void)state;
    cache *c = cache_new(1 << 20);
    cache_release(cache_put(c, "p\0a", 3, blob(1, 'a'), 1, "n", "t", zeros, NULL));
    cache_release(cache_put(c, "p\0b", 3, blob(1, 'b'), 1, "n", "t", zeros, NULL));
    const cache_entry *a = cache_get(c, "p\0a", 3), *b = cache_get(c, "p\0b", 3);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(((const char *)a->data)[0], 'a');
    assert_int_equal(((const char *)b->data)[0], 'b');
    assert_null(cache_get(c, "p", 1));
    cache_release(a);
    cache_release(b);
    cache_free(c);
}

/* Four 1000-byte entries fit in 4 * (1000 + overhead); touching "a" makes "b" the oldest. */
static void test_lru_eviction_order(void **state)
{
    (void)state;
    cache *c = cache_new(4 * 1200);
    const char *keys[] = {"a", "b", "c", "d"};
    for (int i = 0; i < 4; i++) cache_release(put(c, keys[i], 1000, 'k'));
    for (int i = 0; i < 4; i++) assert_true(present(c, keys[i]));
    assert_true(present(c, "a"));                 /* a is now the most recent */
    cache_release(put(c, "e", 1000, 'e'));
    assert_false(present(c, "b"));
    assert_true(present(c, "a"));
    assert_true(present(c, "e"));
    cache_release(put(c, "f", 1000, 'f'));
    assert_false(present(c, "c"));
    cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.evictions, 2);
    assert_int_equal(st.entries, 4);
    assert_true(st.bytes <= st.max_bytes);
    cache_free(c);
}

static void test_byte_bound_holds(void **state)
{
    (void)state;
    cache *c = cache_new(10000);
    char key[32];
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        cache_release(put(c, key, (size_t)(i * 37 % 3000), 'z'));
        cache_stats st;
        cache_get_stats(c, &st);
        assert_true(st.bytes <= 10000);
    }
    cache_free(c);
}

static void test_oversized_entry_served_not_stored(void **state)
{
    (void)state;
    cache *c = cache_new(1000);
    cache_release(put(c, "small", 10, 's'));
    const cache_entry *big = put(c, "big", 5000, 'B');
    assert_int_equal(big->len, 5000);
    assert_int_equal(((const char *)big->data)[4999], 'B');
    cache_release(big);
    assert_false(present(c, "big"));
    assert_true(present(c, "small"));            /* nothing was evicted for it */
    cache_free(c);
}

static void test_zero_size_keeps_nothing(void **state)
{
    (void)state;
    cache *c = cache_new(0);
    cache_release(put(c, "a", 1, 'a'));
    assert_false(present(c, "a"));
    cache_free(c);
}

static void test_duplicate_put_returns_first(void **state)
{
    (void)state;
    cache *c = cache_new(1 << 20);
    const cache_entry *first = put(c, "k", 10, '1');
    const cache_entry *second = put(c, "k", 10, '2');
    assert_ptr_equal(first, second);
    assert_int_equal(((const char *)second->data)[0], '1');
    cache_release(first);
    cache_release(second);
    cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.entries, 1);
    assert_int_equal(st.insertions, 1);
    cache_free(c);
}

/* An entry evicted or cleared while referenced stays readable (ASan would see a use after free). */
static void test_reference_outlives_eviction_and_free(void **state)
{
    (void)state;
    cache *c = cache_new(1200);
    const cache_entry *held = put(c, "held", 1000, 'h');
    cache_release(put(c, "other", 1000, 'o'));    /* evicts "held" */
    assert_false(present(c, "held"));
    assert_int_equal(((const char *)held->data)[999], 'h');
    const cache_entry *kept = cache_get(c, "other", 5);
    cache_clear(c);
    assert_false(present(c, "other"));
    assert_int_equal(((const char *)kept->data)[0], 'o');
    cache_free(c);
    assert_int_equal(((const char *)kept->data)[999], 'o');
    cache_release(kept);
    cache_release(held);
}

/* The memo answers its alias without a lookup, counts hits, and forgets when anything leaves the cache. */
static void test_memo(void **state)
{
    (void)state;
    cache *c = cache_new(1 << 20);
    const cache_entry *a = put(c, "a", 100, 'a');
    assert_null(cache_memo_get(c, "/a", 2));
    cache_memo_put(c, "/a", 2, a);
    cache_release(a);
    const cache_entry *e = cache_memo_get(c, "/a", 2);
    assert_ptr_equal(e, a);
    assert_int_equal(((const char *)e->data)[99], 'a');
    cache_release(e);
    assert_null(cache_memo_get(c, "/b", 2));           /* another alias */
    assert_null(cache_memo_get(c, "/a?", 3));
    cache *other = cache_new(1 << 20);
    assert_null(cache_memo_get(other, "/a", 2));       /* another cache */
    cache_free(other);
    cache_stats st;
    cache_get_stats(c, &st);
    assert_int_equal(st.hits, 1);
    cache_release(put(c, "b", 100, 'b'));              /* an insertion keeps it */
    e = cache_memo_get(c, "/a", 2);
    assert_non_null(e);
    cache_release(e);
    cache_clear(c);                                    /* a removal does not */
    assert_null(cache_memo_get(c, "/a", 2));
    const cache_entry *gone = put(c, "gone", 10, 'g');
    cache_clear(c);
    cache_memo_put(c, "/g", 2, gone);                  /* not in the cache: not remembered */
    assert_null(cache_memo_get(c, "/g", 2));
    cache_release(gone);
    char longer[CACHE_MEMO_MAX + 1];
    memset(longer, 'x', sizeof longer);
    const cache_entry *l = put(c, "l", 10, 'l');
    cache_memo_put(c, longer, sizeof longer, l);       /* too long to remember */
    assert_null(cache_memo_get(c, longer, sizeof longer));
    cache_release(l);
    cache_free(c);
}

/* An entry used through the memo is spared by the next eviction, as a looked-up one would be; and it
 * stays readable through the memo's reference after the cache drops it. */
static void test_memo_recency_and_reference(void **state)
{
    (void)state;
    cache *c = cache_new(2 * (1000 + 128 + 10));
    const cache_entry *a = put(c, "a", 1000, 'a');
    cache_release(put(c, "b", 1000, 'b'));             /* LRU order: b, a */
    cache_memo_put(c, "/a", 2, a);
    cache_release(a);
    cache_release(cache_memo_get(c, "/a", 2));         /* used without moving it in the list */
    cache_release(put(c, "c", 1000, 'c'));             /* evicts b, not a */
    assert_true(present(c, "a"));
    assert_false(present(c, "b"));
    const cache_entry *m = cache_get(c, "a", 1);
    cache_memo_put(c, "/a", 2, m);
    cache_release(m);
    m = cache_memo_get(c, "/a", 2);
    cache_clear(c);
    assert_int_equal(((const char *)m->data)[999], 'a');
    cache_release(m);
    cache_free(c);                                      /* also drops this thread's memo reference */
}

static void test_growth_keeps_every_entry(void **state)
{
    (void)state;
    cache *c = cache_new(1 << 24);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        cache_release(put(c, key, 8, (char)('a' + i % 26)));
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        const cache_entry *e = cache_get(c, key, strlen(key));
        assert_non_null(e);
        assert_int_equal(((const char *)e->data)[0], 'a' + i % 26);
        cache_release(e);
    }
    cache_free(c);
}

typedef struct worker { cache *c; int id; int bad; } worker;

/* Each thread puts and gets keys shared with the others; every entry's bytes must match its key. */
static void *hammer(void *arg)
{
    worker *w = arg;
    char key[32];
    unsigned seed = (unsigned)w->id * 2654435761u;
    for (int i = 0; i < 4000; i++) {
        seed = seed * 1103515245u + 12345u;
        int k = (int)(seed >> 16) % 300;
        snprintf(key, sizeof key, "key-%d", k);
        char alias[32];
        int na = snprintf(alias, sizeof alias, "url-%d", k);
        const cache_entry *e = cache_memo_get(w->c, alias, (size_t)na);
        if (!e) e = cache_get(w->c, key, strlen(key));
        if (!e) {
            size_t n = (size_t)(k * 13 % 900) + 1;
            char *d = malloc(n);
            if (!d) { w->bad++; continue; }
            memset(d, 'a' + k % 26, n);
            e = cache_put(w->c, key, strlen(key), d, n, key, "t", zeros, NULL);
        }
        if (!e || ((const char *)e->data)[e->len - 1] != 'a' + k % 26 || strcmp(e->name, key)) w->bad++;
        if (i % 3) cache_memo_put(w->c, alias, (size_t)na, e);   /* and sometimes the memo stays as it was */
        cache_release(e);
    }
    return NULL;                        /* the memo's reference goes with the thread */
}

static void test_threads(void **state)
{
    (void)state;
    cache *c = cache_new(50000);
    pthread_t t[8];
    worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){c, i + 1, 0};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].bad, 0);
    }
    cache_stats st;
    cache_get_stats(c, &st);
    assert_true(st.bytes <= 50000);
    assert_int_equal(st.hits + st.misses, 8 * 4000);
    assert_true(st.evictions > 0);
    cache_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miss_then_hit),
        cmocka_unit_test(test_keys_with_nul_bytes_differ),
        cmocka_unit_test(test_lru_eviction_order),
        cmocka_unit_test(test_byte_bound_holds),
        cmocka_unit_test(test_oversized_entry_served_not_stored),
        cmocka_unit_test(test_zero_size_keeps_nothing),
        cmocka_unit_test(test_duplicate_put_returns_first),
        cmocka_unit_test(test_reference_outlives_eviction_and_free),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_memo_recency_and_reference),
        cmocka_unit_test(test_growth_keeps_every_entry),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
