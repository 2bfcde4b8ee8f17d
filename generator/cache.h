/* cache.h -- rendered bundles kept in memory: least recently used out first, bounded in bytes.
 * Thread-safe; entries are reference-counted so one evicted while being sent stays valid. */
#ifndef CACHE_H
#define CACHE_H
#include <stddef.h>
#include <stdint.h>

typedef struct cache cache;

typedef struct cache_entry {      /* read-only for users; valid while they hold a reference */
    const char *key;              /* NUL-terminated; may hold NULs inside (keylen counts them) */
    size_t      keylen;
    const void *data;             /* the bundle's bytes */
    size_t      len;
    const char *name;             /* its file name */
    const char *type;             /* its content type */
    char        sha256[65];       /* of data, lowercase hex */
    const char *head;             /* what its user stored to go with it (serve: its HTTP header block) */
    size_t      head_len;
} cache_entry;

typedef struct cache_stats {
    unsigned long long hits, misses, insertions, evictions;
    size_t entries, bytes, max_bytes;
} cache_stats;

/* A cache holding at most max_bytes (data, key, name and head of every entry, plus a fixed overhead).
 * max_bytes 0 keeps nothing. NULL on memory failure. */
cache *cache_new(size_t max_bytes);
void   cache_free(cache *c);        /* entries still referenced live until released; clears this thread's memo */

/* The entry under key, referenced and moved to the front, or NULL; counts a hit or a miss. */
const cache_entry *cache_get(cache *c, const char *key, size_t keylen);

/* Stores data (malloc'ed; owned by the cache from now on, even on failure) under key, with name and
 * head copied (NULL: empty), and returns
 * it referenced. When key is already present the existing entry is returned and data freed, so
 * every caller sees the same bytes. An entry larger than the whole cache is returned unstored.
 * Evicts least recently used entries to stay within bounds. NULL on memory failure. */
const cache_entry *cache_put(cache *c, const char *key, size_t keylen, void *data, size_t len,
                             const char *name, const char *type, const char sha256[65], const char *head);

/* The hash cache_get and cache_put take of a key. cache_get_hashed and cache_put_hashed take it
 * from a caller that has computed it already (outside a lock of its own, or once for both calls). */
uint64_t cache_hash(const void *key, size_t len);
const cache_entry *cache_get_hashed(cache *c, const char *key, size_t keylen, uint64_t hash);
const cache_entry *cache_put_hashed(cache *c, const char *key, size_t keylen, uint64_t hash, void *data,
                                    size_t len, const char *name, const char *type, const char sha256[65],
                                    const char *head);

void cache_release(const cache_entry *e);

/* A per-thread memo in front of the table, for a caller that looks entries up by another name (serve:
 * the URL that named a bundle). cache_memo_put remembers, for the calling thread, that alias names e
 * (which must be in c; aliases longer than CACHE_MEMO_MAX are not remembered); cache_memo_get returns
 * that entry referenced, and counts a hit, while the alias is the same and no entry has left c since,
 * else NULL. It takes no lock: a thread asking for the same thing again costs a compare and two atomic
 * additions. The memo holds a reference (released when it changes, when its thread exits or on
 * cache_free by that thread); an entry found through it is kept from the next eviction once, as if it
 * had been looked up. */
#define CACHE_MEMO_MAX 2048
const cache_entry *cache_memo_get(cache *c, const char *alias, size_t alias_len);
void cache_memo_put(cache *c, const char *alias, size_t alias_len, const cache_entry *e);
void cache_clear(cache *c);         /* drops every entry (referenced ones live until released) */
void cache_get_stats(cache *c, cache_stats *out);

#endif
