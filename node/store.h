/* store.h -- counters and blocks shared by the node's replicas: Redis when shared_store names one,
 * an in-process table otherwise. The in-process table always runs and is the verdict when Redis is down.
 *
 * One process-wide store. Every call costs at most one round trip to Redis (commands are pipelined,
 * counts run as one script; store_each takes one per SCAN page; store_send none); when Redis does
 * not answer the call falls back to the in-process table, the failure is counted, and Redis is
 * tried again at most once a second. Thread-safe. */
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

/* One command of a batch (store_run): STORE_COUNT counts one event for key in a fixed window of
 * window_ms; when the count passes limit, block_key is set to block_value for block_ms (block_ms 0:
 * never) and the counter restarts; count gets the count (limit + 1 exactly once per block), or -1
 * when even the in-process table failed. STORE_GET reads key: when it holds a live block (or a
 * value store_send put) value gets it and ttl_ms its remaining milliseconds (>= 1),
 * else ttl_ms is 0. tag is the caller's, untouched. */
enum { STORE_COUNT, STORE_GET };
#define STORE_KEY 512
#define STORE_VALUE 48
#define STORE_BATCH 8                                   /* ops per round trip in store_run */
typedef struct store_op {
    int kind, tag;
    char key[STORE_KEY];
    unsigned long window_ms, block_ms;                  /* STORE_COUNT */
    long limit;
    char block_key[STORE_KEY], block_value[STORE_VALUE];
    long count;                                         /* result of STORE_COUNT */
    char value[STORE_VALUE];                            /* results of STORE_GET */
    long long ttl_ms;
} store_op;
/* Runs ops on the in-process table and in Redis, one round trip per STORE_BATCH ops (pipelined);
 * the table's answers stand when Redis is down. */
void store_run(store_op *ops, size_t n);
/* store_run of one STORE_COUNT: the count. */
long store_count(const char *key, unsigned long window_ms, long limit,
                 const char *block_key, const char *block_value, unsigned long block_ms);
/* store_run of one STORE_GET: copies the value into value (at most len-1 bytes) and returns its
 * remaining milliseconds, 0 when not there. */
long long store_blocked(const char *key, char *value, size_t len);

/* Raw key-value access for what only replicas need from each other (the API inventory, the attack
 * classes of requests for passive detection), in Redis only.
 * store_send puts value under key for ttl_ms without waiting for Redis's answer (SET under CLIENT REPLY
 * SKIP): costs no round trip, so a request that already looked a block up stays at one. Errors
 * writing count as store errors; errors Redis would answer are not seen. A Redis user not allowed
 * CLIENT REPLY gets a SET waited for (one round trip). */
void  store_send(const char *key, const char *value, size_t len, unsigned long ttl_ms);
/* Calls fn for every value under prefix (in Redis: SCAN, at most max_keys keys); returns the
 * number of values seen, -1 when the shared backend failed (fn is then called for none). With
 * the in-process backend only: 0 (the process's own data is not kept here). */
int   store_each(const char *prefix, size_t max_keys,
                 void (*fn)(void *ctx, const char *value, size_t len), void *ctx);

typedef struct store_stats {
    int shared;                     /* 1 when a Redis URL is configured */
    int up;                         /* 1 when the last Redis call worked */
    unsigned long long calls, errors, outages, reconnects;
    unsigned long long round_trips; /* waits for Redis's answers (connecting not counted) */
    size_t local_keys;              /* entries in the in-process table */
} store_stats;
void store_get_stats(store_stats *s);

#endif
