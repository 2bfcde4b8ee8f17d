/* store_backend.h -- the two backends behind store.h: the in-process table and Redis.
 * Only store.c calls these; the rest of the node uses store.h. */
#ifndef STORE_BACKEND_H
#define STORE_BACKEND_H
#include "store.h"
#include <stddef.h>

/* In-process table (store_mem.c): bounded, expiring entries, one lock. */
long      store_mem_count(const char *key, unsigned long window_ms, long limit,
                          const char *block_key, const char *block_value, unsigned long block_ms);
long long store_mem_blocked(const char *key, char *value, size_t len);
void      store_mem_block(const char *key, const char *value, unsigned long long ttl_ms);
size_t    store_mem_keys(void);
void      store_mem_clear(void);

/* Redis (store_redis.c): a small pool of hiredis connections with short timeouts. Each call
 * returns 0, or -1 when Redis did not answer (the caller falls back to the table). */
typedef struct store_redis store_redis;
store_redis *store_redis_open(const char *url, char *err, size_t errlen);   /* parses; connects lazily */
void         store_redis_close(store_redis *r);
/* Runs ops (at most STORE_BATCH) pipelined: one round trip; fills count, value and ttl_ms. */
int          store_redis_run(store_redis *r, store_op *ops, size_t n);
/* Writes SET under CLIENT REPLY SKIP and reads nothing back; where the server refused CLIENT
 * REPLY at connect (an ACL without it), a SET waited for. */
int          store_redis_send(store_redis *r, const char *key, const char *value, size_t len, unsigned long ttl_ms);
int          store_redis_each(store_redis *r, const char *prefix, size_t max_keys,
                              void (*fn)(void *ctx, const char *value, size_t len), void *ctx);
const char  *store_redis_url_check(const char *url);
/* Counters of the process's Redis use: 1 when the last call worked, and totals. */
void         store_redis_stats(int *up, unsigned long long *calls, unsigned long long *errors,
                               unsigned long long *outages, unsigned long long *reconnects,
                               unsigned long long *round_trips);

#endif
