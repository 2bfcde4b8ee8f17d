/* cache.c -- bounded-bytes LRU of rendered bundles (see cache.h).
 * A chained hash table for lookup, a doubly linked list for recency, one mutex around both; a
 * per-thread memo of the last alias in front, checked against an epoch that every removal moves. */
#include "cache.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_ENTRY_OVERHEAD 128    /* bookkeeping charged per entry */

typedef struct node {
    cache_entry pub;                /* first: users get &pub and we cast back */
    atomic_int  refs;               /* the cache's own reference counts as one while linked */
    atomic_int  touched;            /* found through a memo since it was last spared from eviction */
    int         linked;             /* in the table (under the lock) */
    uint64_t    hash;
    size_t      cost;
    struct node *next_hash, *prev_lru, *next_lru;
} node;

struct cache {
    pthread_mutex_t lock;
    node  **slots;
    size_t  nslots, count, bytes, max_bytes;
    node   *head, *tail;            /* head: most recently used */
    unsigned long long hits, misses, insertions, evictions;
    atomic_ullong memo_hits;
    atomic_ullong epoch;            /* moves whenever an entry leaves; unique to this cache (see cache_new) */
};

/* Each cache's epochs start in a range of their own, so a memo made for a freed cache never matches
 * one allocated at the same address. */
static atomic_ullong epoch_base;

typedef struct memo {
    cache *c;
    unsigned long long epoch;
    node  *n;                       /* referenced */
    size_t len;
    char   alias[CACHE_MEMO_MAX];
} memo;

static _Thread_local memo *t_memo;
static pthread_key_t memo_key;      /* only for its destructor at thread exit */
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

/* Four independent multiply lanes over 8-byte words, then a final mix so that the low bits (the
 * slot) depend on every byte: keys run from short URLs to whole files (dcache.c). */
uint64_t cache_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h[4] = {len, len ^ 0x243f6a8885a308d3ull, len ^ 0x13198a2e03707344ull, len ^ 0xa4093822299f31d0ull};
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        for (int j = 0; j < 4; j++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * j, 8);
            h[j] = (h[j] ^ w) * k;
            h[j] ^= h[j] >> 29;
        }
    }
    uint64_t x = h[0] ^ (h[1] * 3) ^ (h[2] * 5) ^ (h[3] * 7);
    for (; i < len; i++) x = (x ^ p[i]) * 0x100000001b3ull;
    x ^= x >> 33;                                   /* murmur3's finaliser */
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    return x ^ x >> 33;
}

static void node_free(node *n)
{
    free((void *)n->pub.key);
    free((void *)n->pub.data);
    free((void *)n->pub.name);
    free((void *)n->pub.head);
    free(n);
}

static void unref(node *n)
{
    if (atomic_fetch_sub(&n->refs, 1) == 1) node_free(n);
}

static void memo_clear(memo *m)
{
    if (m->n) unref(m->n);
    m->n = NULL;
    m->c = NULL;
}

static void memo_free(void *p)
{
    memo_clear(p);
    free(p);
    t_memo = NULL;
}

static void memo_init(void)
{
    pthread_key_create(&memo_key, memo_free);
}

static void lru_unlink(cache *c, node *n)
{
    if (n->prev_lru) n->prev_lru->next_lru = n->next_lru; else c->head = n->next_lru;
    if (n->next_lru) n->next_lru->prev_lru = n->prev_lru; else c->tail = n->prev_lru;
    n->prev_lru = n->next_lru = NULL;
}

static void lru_push_front(cache *c, node *n)
{
    n->prev_lru = NULL;
    n->next_lru = c->head;
    if (c->head) c->head->prev_lru = n; else c->tail = n;
    c->head = n;
}

static node **slot_of(cache *c, uint64_t h)
{
    return &c->slots[h & (c->nslots - 1)];
}

static node *find(cache *c, const char *key, size_t keylen, uint64_t h)
{
    for (node *n = *slot_of(c, h); n; n = n->next_hash)
        if (n->hash == h && n->pub.keylen == keylen && !memcmp(n->pub.key, key, keylen)) return n;
    return NULL;
}

/* Removes n from the table and the list and drops the cache's reference. */
static void remove_node(cache *c, node *n)
{
    node **p = slot_of(c, n->hash);
    while (*p != n) p = &(*p)->next_hash;
    *p = n->next_hash;
    lru_unlink(c, n);
    c->count--;
    c->bytes -= n->cost;
    n->linked = 0;
    atomic_fetch_add(&c->epoch, 1);
    unref(n);
}

/* Doubles the table when it holds more entries than slots; keeps the old one on memory failure. */
static void grow(cache *c)
{
    if (c->count < c->nslots) return;
    size_t ns = c->nslots * 2;
    node **slots = calloc(ns, sizeof *slots);
    if (!slots) return;
    for (size_t i = 0; i < c->nslots; i++) {
        for (node *n = c->slots[i], *next; n; n = next) {
            next = n->next_hash;
            n->next_hash = slots[n->hash & (ns - 1)];
            slots[n->hash & (ns - 1)] = n;
        }
    }
    free(c->slots);
    c->slots = slots;
    c->nslots = ns;
}

cache *cache_new(size_t max_bytes)
{
    cache *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->nslots = 64;
    c->slots = calloc(c->nslots, sizeof *c->slots);
    if (!c->slots || pthread_mutex_init(&c->lock, NULL) != 0) { free(c->slots); free(c); return NULL; }
    c->max_bytes = max_bytes;
    atomic_init(&c->epoch, atomic_fetch_add(&epoch_base, 1ull << 40));
    return c;
}

void cache_free(cache *c)
{
    if (!c) return;
    if (t_memo && t_memo->c == c) memo_clear(t_memo);
    cache_clear(c);
    pthread_mutex_destroy(&c->lock);
    free(c->slots);
    free(c);
}

const cache_entry *cache_get(cache *c, const char *key, size_t keylen)
{
    return cache_get_hashed(c, key, keylen, cache_hash(key, keylen));
}

const cache_entry *cache_get_hashed(cache *c, const char *key, size_t keylen, uint64_t h)
{
    pthread_mutex_lock(&c->lock);
    node *n = find(c, key, keylen, h);
    if (n) {
        c->hits++;
        atomic_fetch_add(&n->refs, 1);
        if (c->head != n) { lru_unlink(c, n); lru_push_front(c, n); }
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return n ? &n->pub : NULL;
}

const cache_entry *cache_put(cache *c, const char *key, size_t keylen, void *data, size_t len,
                             const char *name, const char *type, const char sha256[65], const char *head)
{
    return cache_put_hashed(c, key, keylen, cache_hash(key, keylen), data, len, name, type, sha256, head);
}

const cache_entry *cache_put_hashed(cache *c, const char *key, size_t keylen, uint64_t hash, void *data,
                                    size_t len, const char *name, const char *type, const char sha256[65],
                                    const char *head)
{
    node *n = calloc(1, sizeof *n);
    char *k = malloc(keylen + 1);
    char *nm = strdup(name ? name : "");
    char *hd = strdup(head ? head : "");
    if (!n || !k || !nm || !hd) { free(n); free(k); free(nm); free(hd); free(data); return NULL; }
    memcpy(k, key, keylen);
    k[keylen] = '\0';
    n->pub.key = k;
    n->pub.keylen = keylen;
    n->pub.data = data;
    n->pub.len = len;
    n->pub.name = nm;
    n->pub.type = type;
    n->pub.head = hd;
    n->pub.head_len = strlen(hd);
    memcpy(n->pub.sha256, sha256, 64);
    n->pub.sha256[64] = '\0';
    n->hash = hash;
    n->cost = len + keylen + strlen(nm) + n->pub.head_len + CACHE_ENTRY_OVERHEAD;
    atomic_init(&n->refs, 1);                       /* the caller's */

    pthread_mutex_lock(&c->lock);
    node *old = find(c, key, keylen, n->hash);
    if (old) {                                      /* rendered twice at once: keep the first */
        atomic_fetch_add(&old->refs, 1);
        pthread_mutex_unlock(&c->lock);
        node_free(n);
        return &old->pub;
    }
    if (n->cost <= c->max_bytes) {
        size_t spared = 0;
        while (c->bytes + n->cost > c->max_bytes && c->tail) {
            node *t = c->tail;
            if (spared < c->count && atomic_exchange(&t->touched, 0)) {   /* used through a memo */
                lru_unlink(c, t);
                lru_push_front(c, t);
                spared++;
                continue;
            }
            remove_node(c, t);
            c->evictions++;
        }
        grow(c);
        node **s = slot_of(c, n->hash);
        n->next_hash = *s;
        *s = n;
        lru_push_front(c, n);
        atomic_fetch_add(&n->refs, 1);              /* the cache's */
        n->linked = 1;
        c->count++;
        c->bytes += n->cost;
        c->insertions++;
    }
    pthread_mutex_unlock(&c->lock);
    return &n->pub;
}

void cache_release(const cache_entry *e)
{
    if (e) unref((node *)(void *)e);
}

const cache_entry *cache_memo_get(cache *c, const char *alias, size_t alias_len)
{
    memo *m = t_memo;
    if (!m || m->c != c || m->len != alias_len || m->epoch != atomic_load(&c->epoch) ||
        memcmp(m->alias, alias, alias_len) != 0)
        return NULL;
    /* the memo's reference keeps the node alive even if it leaves the cache right now */
    atomic_fetch_add(&m->n->refs, 1);
    atomic_store_explicit(&m->n->touched, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->memo_hits, 1, memory_order_relaxed);
    return &m->n->pub;
}

void cache_memo_put(cache *c, const char *alias, size_t alias_len, const cache_entry *e)
{
    if (!e || alias_len > CACHE_MEMO_MAX) return;
    memo *m = t_memo;
    if (!m) {
        pthread_once(&memo_once, memo_init);
        if (!(m = calloc(1, sizeof *m)) || pthread_setspecific(memo_key, m) != 0) { free(m); return; }
        t_memo = m;
    }
    memo_clear(m);
    node *n = (node *)(void *)e;
    pthread_mutex_lock(&c->lock);
    int in = n->linked;
    unsigned long long epoch = atomic_load(&c->epoch);
    if (in) atomic_fetch_add(&n->refs, 1);
    pthread_mutex_unlock(&c->lock);
    if (!in) return;                                /* served unstored, or already evicted */
    m->c = c;
    m->epoch = epoch;
    m->n = n;
    m->len = alias_len;
    memcpy(m->alias, alias, alias_len);
}

void cache_clear(cache *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->head) remove_node(c, c->head);
    pthread_mutex_unlock(&c->lock);
}

void cache_get_stats(cache *c, cache_stats *out)
{
    pthread_mutex_lock(&c->lock);
    out->hits = c->hits + atomic_load(&c->memo_hits);
    out->misses = c->misses;
    out->insertions = c->insertions;
    out->evictions = c->evictions;
    out->entries = c->count;
    out->bytes = c->bytes;
    out->max_bytes = c->max_bytes;
    pthread_mutex_unlock(&c->lock);
}
