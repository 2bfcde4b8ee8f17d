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

long store_count(const char *key, unsigned long window_ms, long limit,
                 const char *block_key, const char *block_value, unsigned long block_ms)
{
    long local = store_mem_count(key, window_ms, limit, block_key, block_value, block_ms);
    long shared;
    pthread_rwlock_rdlock(&lock);
    int ok = redis && store_redis_count(redis, key, window_ms, limit, block_key, block_value,
                                        block_ms, &shared) == 0;
    pthread_rwlock_unlock(&lock);
    if (!ok) return local;
    if (shared > limit && block_ms && block_key)      /* the replicas' verdict, kept here too */
        store_mem_block(block_key, block_value ? block_value : "1", block_ms);
    return shared;
}

long long store_blocked(const char *key, char *value, size_t len)
{
    long long ttl = 0;
    pthread_rwlock_rdlock(&lock);
    int ok = redis && store_redis_blocked(redis, key, value, len, &ttl) == 0;
    pthread_rwlock_unlock(&lock);
    if (ok && ttl > 0) {
        store_mem_block(key, value && len ? value : "1", (unsigned long long)ttl);
        return ttl;
    }
    return store_mem_blocked(key, value, len);        /* down, or a block only this node knows */
}

int store_put(const char *key, const char *value, size_t len, unsigned long ttl_ms)
{
    pthread_rwlock_rdlock(&lock);
    int rc = redis ? store_redis_put(redis, key, value, len, ttl_ms) : 0;
    pthread_rwlock_unlock(&lock);
    return rc;
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
    store_redis_stats(&s->up, &s->calls, &s->errors, &s->outages, &s->reconnects);
    if (!s->shared) s->up = 0;
    s->local_keys = store_mem_keys();
}
