/* store.c -- the store front (see store.h): Redis when configured, else and on failure the table.
 * The in-process table is always updated too, so its verdict is warm when Redis goes away. */
#include "store.h"
#include "store_backend.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;   /* guards redis and url */
static store_redis *redis;
static char *url;

const char *store_url_check(const char *u) { return store_redis_url_check(u); }

int store_configure(const char *u, char *err, size_t errlen)
{
    pthread_rwlock_rdlock(&lock);
    int same = (!u && !url) || (u && url && strcmp(u, url) == 0);
    pthread_rwlock_unlock(&lock);
    if (same) return 0;
    store_redis *next = NULL;
    char *next_url = NULL;
    if (u) {
        next = store_redis_open(u, err, errlen);
        next_url = next ? strdup(u) : NULL;
        if (!next_url) { store_redis_close(next); if (next) snprintf(err, errlen, "out of memory"); return -1; }
    }
    pthread_rwlock_wrlock(&lock);
    store_redis *old = redis;
    char *old_url = url;
    redis = next;
    url = next_url;
    pthread_rwlock_unlock(&lock);
    store_redis_close(old);
    free(old_url);
    return 0;
}

void store_shutdown(void)
{
    char err[8];
    store_configure(NULL, err, sizeof err);
    store_mem_clear();
}

void store_run(store_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        store_op *o = &ops[i];
        if (o->kind == STORE_COUNT)
            o->count = store_mem_count(o->key, o->window_ms, o->limit, o->block_key[0] ? o->block_key : NULL,
                                       o->block_value[0] ? o->block_value : NULL, o->block_ms);
        o->ttl_ms = 0;
    }
    store_op shared[STORE_BATCH];
    for (size_t at = 0; at < n; at += STORE_BATCH) {       /* one round trip per STORE_BATCH ops */
        size_t k = n - at < STORE_BATCH ? n - at : STORE_BATCH;
        memcpy(shared, ops + at, k * sizeof *shared);
        pthread_rwlock_rdlock(&lock);
        int ok = redis && store_redis_run(redis, shared, k) == 0;
        pthread_rwlock_unlock(&lock);
        for (size_t i = 0; i < k; i++) {
            store_op *o = &ops[at + i], *r = &shared[i];
            if (o->kind == STORE_COUNT) {
                if (!ok) continue;
                o->count = r->count;
                if (r->count > o->limit && o->block_ms && o->block_key[0])   /* the replicas' verdict, kept here too */
                    store_mem_block(o->block_key, o->block_value[0] ? o->block_value : "1", o->block_ms);
            } else if (ok && r->ttl_ms > 0) {
                memcpy(o->value, r->value, sizeof o->value);
                o->ttl_ms = r->ttl_ms;
                store_mem_block(o->key, o->value[0] ? o->value : "1", (unsigned long long)o->ttl_ms);
            } else {                                     /* down, or a block only this node knows */
                o->ttl_ms = store_mem_blocked(o->key, o->value, sizeof o->value);
            }
        }
    }
}

long store_count(const char *key, unsigned long window_ms, long limit,
                 const char *block_key, const char *block_value, unsigned long block_ms)
{
    store_op o = {.kind = STORE_COUNT, .window_ms = window_ms, .limit = limit, .block_ms = block_ms};
    snprintf(o.key, sizeof o.key, "%s", key);
    snprintf(o.block_key, sizeof o.block_key, "%s", block_key ? block_key : "");
    snprintf(o.block_value, sizeof o.block_value, "%s", block_value ? block_value : "");
    store_run(&o, 1);
    return o.count;
}

long long store_blocked(const char *key, char *value, size_t len)
{
    store_op o = {.kind = STORE_GET};
    snprintf(o.key, sizeof o.key, "%s", key);
    store_run(&o, 1);
    if (o.ttl_ms > 0 && value && len) snprintf(value, len, "%s", o.value);
    return o.ttl_ms;
}

void store_send(const char *key, const char *value, size_t len, unsigned long ttl_ms)
{
    pthread_rwlock_rdlock(&lock);
    if (redis) store_redis_send(redis, key, value, len, ttl_ms);
    pthread_rwlock_unlock(&lock);
}

int store_each(const char *prefix, size_t max_keys, void (*fn)(void *ctx, const char *value, size_t len), void *ctx)
{
    pthread_rwlock_rdlock(&lock);
    int rc = redis ? store_redis_each(redis, prefix, max_keys, fn, ctx) : 0;
    pthread_rwlock_unlock(&lock);
    return rc;
}

void store_get_stats(store_stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_rwlock_rdlock(&lock);
    s->shared = redis != NULL;
    pthread_rwlock_unlock(&lock);
    store_redis_stats(&s->up, &s->calls, &s->errors, &s->outages, &s->reconnects, &s->round_trips);
    if (!s->shared) s->up = 0;
    s->local_keys = store_mem_keys();
}
