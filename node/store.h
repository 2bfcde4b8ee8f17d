/* store.h -- counters and blocks shared by the node's replicas: Redis when shared_store names one,
 * an in-process table otherwise. The in-process table always runs and is the verdict when Redis is down.
 *
 * One process-wide store. Every call costs at most one round trip to Redis (commands are pipelined
 * or run as one script); when Redis does not answer the call falls back to the in-process table,
 * the failure is counted, and Redis is tried again at most once a second. Thread-safe. */
#ifndef STORE_H
#define STORE_H
#include <stddef.h>

/* Switches the shared backend: url "redis://[:password@]host[:port][/db]", or NULL for in-process
 * only. The in-process table survives the switch. 0, or -1 with err naming the bad part. */
int  store_configure(const char *url, char *err, size_t errlen);
/* Checks a Redis URL without connecting; NULL or the reason it is wrong. */
const char *store_url_check(const char *url);
/* Drops the Redis connections and the in-process table (at exit, for leak checks). */
void store_shutdown(void);

/* Counts one event for counter key in a fixed window of window_ms. When the count passes limit,
 * block_key is set to block_value for block_ms (block_ms 0: never) and the counter restarts.
 * Returns the count (limit + 1 exactly once per block), or -1 when even the in-process table failed. */
long store_count(const char *key, unsigned long window_ms, long limit,
                 const char *block_key, const char *block_value, unsigned long block_ms);
/* When key holds a live block (or a value store_put gave a time to live), copies its value into
 * value (at most len-1 bytes) and returns its remaining milliseconds (>= 1); 0 when not there. */
long long store_blocked(const char *key, char *value, size_t len);

/* Raw key-value access for what only replicas need from each other (the API inventory, the attack
 * classes of requests for passive detection): a value with a time to live, in Redis only. */
int   store_put(const char *key, const char *value, size_t len, unsigned long ttl_ms);
/* Calls fn for every value under prefix (in Redis: SCAN, at most max_keys keys); returns the
 * number of values seen, -1 when the shared backend failed (fn is then called for none). With
 * the in-process backend only: 0 (the process's own data is not kept here). */
int   store_each(const char *prefix, size_t max_keys,
                 void (*fn)(void *ctx, const char *value, size_t len), void *ctx);

typedef struct store_stats {
    int shared;                     /* 1 when a Redis URL is configured */
    int up;                         /* 1 when the last Redis call worked */
    unsigned long long calls, errors, outages, reconnects;
    size_t local_keys;              /* entries in the in-process table */
} store_stats;
void store_get_stats(store_stats *s);

#endif
