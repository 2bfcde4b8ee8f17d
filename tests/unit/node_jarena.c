/* node_jarena.c -- unit tests for the per-thread cJSON arena (node/jarena.c): documents parsed
 * through it, deleted in any order and on any thread, larger than a slot, and by more threads
 * than there are slots; cJSON's other users (building, printing) under the same hooks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <cJSON.h>
#include "jarena.h"

static const char doc1[] = "{\"user\":{\"id\":4711,\"name\":\"Alice Example\"},\"items\":[\"a\",\"b\"],\"note\":\"lorem\"}";
static const char doc2[] = "[{\"sku\":\"B-100\",\"qty\":2},{\"sku\":\"C-220\",\"qty\":1}]";

static cJSON *parse(const char *s)
{
    const char *end = NULL;
    cJSON *j = jarena_parse(s, strlen(s), &end);
    assert_non_null(j);
    assert_ptr_equal(end, s + strlen(s));
    return j;
}

/* The document prints back as the text it was parsed from (the texts are in cJSON's own form). */
static void same(const cJSON *j, const char *s)
{
    char *p = cJSON_PrintUnformatted(j);
    assert_non_null(p);
    assert_string_equal(p, s);
    free(p);   /* printed text comes from malloc even under the arena's hooks */
}

static void reuse_after_delete(void **st)
{
    (void)st;
    cJSON *a = parse(doc1);
    assert_true(jarena_live() > 0);
    same(a, doc1);
    cJSON_Delete(a);
    assert_int_equal(jarena_live(), 0);
    cJSON *b = parse(doc1);
    assert_ptr_equal(b, a);   /* nothing alive: the slot started over */
    cJSON_Delete(b);
    assert_int_equal(jarena_live(), 0);
    cJSON *c = parse("[1,2]");   /* three nodes and no string: every size a multiple of the alignment */
    assert_int_equal(jarena_live(), 3);
    cJSON_Delete(c);
    assert_int_equal(jarena_live(), 0);
}

static void alive_documents_kept(void **st)
{
    (void)st;
    cJSON *a = parse(doc1), *b = parse(doc2);
    cJSON_Delete(b);
    cJSON *c = parse(doc2);   /* a is alive: the slot goes on after it, a stays intact */
    same(a, doc1);
    same(c, doc2);
    cJSON_Delete(a);
    same(c, doc2);
    cJSON_Delete(c);
    assert_int_equal(jarena_live(), 0);
    assert_null(jarena_parse("{\"a\":", 5, NULL));   /* a failed parse frees what it took */
    assert_int_equal(jarena_live(), 0);
}

static void larger_than_a_slot(void **st)
{
    (void)st;
    size_t n = 20000, len = 0;
    char *s = malloc(n * 12 + 8);
    s[len++] = '[';
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(s + len, "%s\"v%zu\"", i ? "," : "", i % 1000);
    s[len++] = ']';
    s[len] = '\0';
    cJSON *j = parse(s);
    assert_int_equal(cJSON_GetArraySize(j), (int)n);
    assert_string_equal(cJSON_GetArrayItem(j, 19999)->valuestring, "v999");
    same(j, s);
    cJSON_Delete(j);
    assert_int_equal(jarena_live(), 0);
    free(s);
}

static void *parse_one(void *out)
{
    *(cJSON **)out = parse(doc2);
    return NULL;
}

static void deleted_on_another_thread(void **st)
{
    (void)st;
    cJSON *j[100];
    pthread_t t[100];
    for (int i = 0; i < 100; i++)   /* more threads than slots, each parsing once and ending */
        assert_int_equal(pthread_create(&t[i], NULL, parse_one, &j[i]), 0);
    for (int i = 0; i < 100; i++) assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < 100; i++) same(j[i], doc2);
    for (int i = 0; i < 100; i++) cJSON_Delete(j[i]);
    assert_int_equal(jarena_live(), 0);
}

static void other_users(void **st)
{
    (void)st;
    cJSON *o = cJSON_CreateObject();   /* built outside jarena_parse: the heap's */
    for (int i = 0; i < 200; i++) cJSON_AddStringToObject(o, "k", "a value long enough to grow the print buffer");
    char *p = cJSON_Print(o);
    assert_non_null(p);
    assert_true(strlen(p) > 10000);
    cJSON_free(p);
    cJSON *a = parse(doc1);
    cJSON_AddItemToObject(a, "added", cJSON_CreateString("x"));   /* a heap node inside an arena document */
    cJSON_Delete(a);
    cJSON_Delete(o);
    assert_int_equal(jarena_live(), 0);
}

int main(void)
{
    /* before the hooks: cJSON's own allocation, no slot counts */
    cJSON *j = parse(doc1);
    same(j, doc1);
    assert_int_equal(jarena_live(), 0);
    cJSON_Delete(j);
    jarena_install();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reuse_after_delete), cmocka_unit_test(alive_documents_kept),
        cmocka_unit_test(larger_than_a_slot), cmocka_unit_test(deleted_on_another_thread),
        cmocka_unit_test(other_users)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
