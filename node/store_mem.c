/* store_mem.c -- the in-process store (see store_backend.h): a hash table of expiring entries.
 * Bounded: at STORE_MEM_MAX entries, expired ones are swept and, if none, new keys are not kept. */
#include "store_backend.h"
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 4096
#define STORE_MEM_MAX 100000

typedef struct entry {
    struct entry *next;
    unsigned long long expires;     /* monotonic ms; 0 = never */
    long count;
    char value[48];
    char key[];
} entry;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static entry *buckets[NBUCKETS];
static size_t nentries;

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;                      /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
    return h % NBUCKETS;
}

static int expired(const entry *e, unsigned long long now) { return e->expires && e->expires <= now; }

static void sweep(unsigned long long now)
{
    for (size_t b = 0; b < NBUCKETS; b++)
        for (entry **p = &buckets[b]; *p;) {
            if (expired(*p, now)) { entry *e = *p; *p = e->next; free(e); nentries--; }
            else p = &(*p)->next;
        }
}

/* The live entry for key, created (zeroed, expiring at expires) when absent; NULL when full. */
static entry *find(const char *key, int create, unsigned long long now, unsigned long long expires)
{
    entry **p = &buckets[hash(key)];
    while (*p) {
        entry *e = *p;
        if (expired(e, now)) { *p = e->next; free(e); nentries--; continue; }
        if (strcmp(e->key, key) == 0) return e;
        p = &e->next;
    }
    if (!create) return NULL;
    if (nentries >= STORE_MEM_MAX) sweep(now);
    if (nentries >= STORE_MEM_MAX) return NULL;
    size_t n = strlen(key) + 1;
    entry *e = calloc(1, sizeof *e + n);
    if (!e) return NULL;
    memcpy(e->key, key, n);
    e->expires = expires;
    e->next = buckets[hash(key)];
    buckets[hash(key)] = e;
    nentries++;
    return e;
}

static void remove_key(const char *key)
{
    for (entry **p = &buckets[hash(key)]; *p; p = &(*p)->next)
        if (strcmp((*p)->key, key) == 0) { entry *e = *p; *p = e->next; free(e); nentries--; return; }
}

static void set_block(const char *key, const char *value, unsigned long long ttl_ms, unsigned long long now)
{
    entry *b = find(key, 1, now, now + ttl_ms);
    if (!b) return;
    if (now + ttl_ms > b->expires) b->expires = now + ttl_ms;
    snprintf(b->value, sizeof b->value, "%s", value);
}

long store_mem_count(const char *key, unsigned long window_ms, long limit,
                     const char *block_key, const char *block_value, unsigned long block_ms)
{
    unsigned long long now = now_ms();
    pthread_mutex_lock(&lock);
    entry *e = find(key, 1, now, now + (window_ms ? window_ms : 1));
    long n = -1;
    if (e) {
        n = ++e->count;
        if (n > limit && block_ms && block_key) {
            remove_key(key);                        /* after the block, counting starts again */
            set_block(block_key, block_value ? block_value : "1", block_ms, now);
        }
    }
    pthread_mutex_unlock(&lock);
    return n;
}

long long store_mem_blocked(const char *key, char *value, size_t len)
{
    unsigned long long now = now_ms();
    pthread_mutex_lock(&lock);
    entry *e = find(key, 0, now, 0);
    long long left = e && e->value[0] ? (long long)(e->expires - now) : 0;
    if (left > 0 && value && len) snprintf(value, len, "%s", e->value);
    pthread_mutex_unlock(&lock);
    return left > 0 ? left : 0;
}

void store_mem_block(const char *key, const char *value, unsigned long long ttl_ms)
{
    unsigned long long now = now_ms();
    pthread_mutex_lock(&lock);
    set_block(key, value, ttl_ms, now);
    pthread_mutex_unlock(&lock);
}

size_t store_mem_keys(void)
{
    pthread_mutex_lock(&lock);
    size_t n = nentries;
    pthread_mutex_unlock(&lock);
    return n;
}

void store_mem_clear(void)
{
    pthread_mutex_lock(&lock);
    for (size_t b = 0; b < NBUCKETS; b++)
        while (buckets[b]) { entry *e = buckets[b]; buckets[b] = e->next; free(e); }
    nentries = 0;
    pthread_mutex_unlock(&lock);
}
