/* store_redis.c -- the Redis backend of the store (see store_backend.h), over hiredis.
 * Blocking calls with short timeouts on a small pool; a failure drops the pool and waits a second. */
#include "store_backend.h"
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL 16
#define TIMEOUT_MS 250
#define RETRY_MS 1000

struct store_redis {
    char host[256];
    int port, db;
    char *user, *password;
    pthread_mutex_t lock;
    redisContext *idle[POOL];
    int nidle;
    unsigned long long retry_at;     /* monotonic ms before which no connection is tried */
    int down;
    atomic_int no_skip;              /* CLIENT REPLY refused (ACL, renamed): store_redis_send waits */
};

static atomic_int up_now;
static atomic_ullong n_calls, n_errors, n_outages, n_reconnects, n_round_trips;

/* Counts against the window; past the limit sets the block and restarts the count. */
static const char count_script[] =
    "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end "
    "if n > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then "
    "  redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[3]) redis.call('DEL', KEYS[1]) end "
    "return n";

static unsigned long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000ull + (unsigned long long)ts.tv_nsec / 1000000ull;
}

/* Parses the URL into r (when r is given); NULL or the reason. */
static const char *parse_url(const char *url, store_redis *r)
{
    static const char scheme[] = "redis://";
    if (!url || strncmp(url, scheme, sizeof scheme - 1) != 0) return "must start with redis://";
    const char *p = url + sizeof scheme - 1, *at = strchr(p, '@');
    if (at) {                                           /* [user]:password@ */
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (!colon) return "credentials must be [user]:password@";
        if (r) {
            if (colon > p) r->user = strndup(p, (size_t)(colon - p));
            r->password = strndup(colon + 1, (size_t)(at - colon - 1));
        }
        p = at + 1;
    }
    const char *hend;
    if (*p == '[') {
        hend = strchr(p, ']');
        if (!hend) return "unclosed [ in the host";
        if (r) snprintf(r->host, sizeof r->host, "%.*s", (int)(hend - p - 1), p + 1);
        hend++;
    } else {
        hend = p + strcspn(p, ":/");
        if (r) snprintf(r->host, sizeof r->host, "%.*s", (int)(hend - p), p);
    }
    if (hend == p || (size_t)(hend - p) >= 256) return "needs a host";
    long port = 6379, db = 0;
    char *end;
    if (*hend == ':') {
        port = strtol(hend + 1, &end, 10);
        if (end == hend + 1 || port < 1 || port > 65535) return "port must be 1..65535";
        hend = end;
    }
    if (*hend == '/' && hend[1]) {
        db = strtol(hend + 1, &end, 10);
        if (end == hend + 1 || *end || db < 0 || db > 1000000) return "database must be a number";
    } else if (*hend && strcmp(hend, "/") != 0) return "unexpected text after the host";
    if (r) { r->port = (int)port; r->db = (int)db; }
    return NULL;
}

const char *store_redis_url_check(const char *url) { return parse_url(url, NULL); }

store_redis *store_redis_open(const char *url, char *err, size_t errlen)
{
    store_redis *r = calloc(1, sizeof *r);
    if (!r) { snprintf(err, errlen, "out of memory"); return NULL; }
    const char *why = parse_url(url, r);
    if (why) {
        snprintf(err, errlen, "shared_store.redis: %s", why);
        free(r->user); free(r->password); free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

static void drop_idle(store_redis *r)
{
    for (int i = 0; i < r->nidle; i++) redisFree(r->idle[i]);
    r->nidle = 0;
}

void store_redis_close(store_redis *r)
{
    if (!r) return;
    drop_idle(r);
    pthread_mutex_destroy(&r->lock);
    free(r->user);
    free(r->password);
    free(r);
}

static int reply_ok(redisReply *rep) { return rep && rep->type != REDIS_REPLY_ERROR; }

static redisContext *connect_one(store_redis *r)
{
    struct timeval tv = {0, TIMEOUT_MS * 1000};
    redisContext *c = redisConnectWithTimeout(r->host, r->port, tv);
    if (!c || c->err || redisSetTimeout(c, tv) != REDIS_OK) { if (c) redisFree(c); return NULL; }
    redisReply *rep = NULL;
    if (r->password) {
        rep = r->user ? redisCommand(c, "AUTH %s %s", r->user, r->password) : redisCommand(c, "AUTH %s", r->password);
        int ok = reply_ok(rep);
        if (rep) freeReplyObject(rep);
        if (!ok) { redisFree(c); return NULL; }
    }
    if (r->db) {
        rep = redisCommand(c, "SELECT %d", r->db);
        int ok = reply_ok(rep);
        if (rep) freeReplyObject(rep);
        if (!ok) { redisFree(c); return NULL; }
    }
    rep = redisCommand(c, "CLIENT REPLY ON");          /* may this user skip replies? else a skipped */
    if (!rep) { redisFree(c); return NULL; }           /* command's error would answer the next call */
    atomic_store(&r->no_skip, rep->type == REDIS_REPLY_ERROR);
    freeReplyObject(rep);
    return c;
}

/* A connection, or NULL while Redis is known to be down (at most one try a second). */
static redisContext *acquire(store_redis *r)
{
    atomic_fetch_add(&n_calls, 1);
    pthread_mutex_lock(&r->lock);
    if (r->nidle) {
        redisContext *c = r->idle[--r->nidle];
        pthread_mutex_unlock(&r->lock);
        return c;
    }
    unsigned long long now = now_ms();
    if (r->down && now < r->retry_at) {
        pthread_mutex_unlock(&r->lock);
        atomic_fetch_add(&n_errors, 1);
        return NULL;
    }
    if (r->down) r->retry_at = now + RETRY_MS;         /* this caller probes; others fall back */
    pthread_mutex_unlock(&r->lock);
    redisContext *c = connect_one(r);
    pthread_mutex_lock(&r->lock);
    if (!c) {
        if (!r->down) atomic_fetch_add(&n_outages, 1);
        r->down = 1;
        r->retry_at = now_ms() + RETRY_MS;
        atomic_store(&up_now, 0);
        atomic_fetch_add(&n_errors, 1);
    } else if (r->down) {
        r->down = 0;
        atomic_fetch_add(&n_reconnects, 1);
    }
    if (c) atomic_store(&up_now, 1);
    pthread_mutex_unlock(&r->lock);
    return c;
}

/* Gives c back after a call; a failed call marks Redis down and drops every pooled connection. */
static void release(store_redis *r, redisContext *c, int ok)
{
    pthread_mutex_lock(&r->lock);
    if (ok && !c->err && r->nidle < POOL) { r->idle[r->nidle++] = c; c = NULL; }
    if (!ok) {
        if (!r->down) atomic_fetch_add(&n_outages, 1);
        r->down = 1;
        r->retry_at = now_ms() + RETRY_MS;
        atomic_store(&up_now, 0);
        atomic_fetch_add(&n_errors, 1);
        drop_idle(r);
    }
    pthread_mutex_unlock(&r->lock);
    if (c) redisFree(c);
}

/* Appends the commands of one op: EVAL of the count script, or GET and PTTL; the replies owed, -1. */
static int append_op(redisContext *c, const store_op *o)
{
    if (o->kind == STORE_COUNT)
        return redisAppendCommand(c, "EVAL %s 2 %s %s %lu %ld %lu %s", count_script, o->key,
                                  o->block_key[0] ? o->block_key : "-", o->window_ms ? o->window_ms : 1,
                                  o->limit, o->block_key[0] ? o->block_ms : 0ul,
                                  o->block_value[0] ? o->block_value : "1") == REDIS_OK ? 1 : -1;
    return redisAppendCommand(c, "GET %s", o->key) == REDIS_OK &&
           redisAppendCommand(c, "PTTL %s", o->key) == REDIS_OK ? 2 : -1;
}

int store_redis_run(store_redis *r, store_op *ops, size_t n)
{
    if (!n) return 0;
    redisContext *c = acquire(r);
    if (!c) return -1;
    int ok = 1;
    for (size_t i = 0; ok && i < n; i++) ok = append_op(c, &ops[i]) > 0;
    if (ok) atomic_fetch_add(&n_round_trips, 1);        /* every reply below comes back together */
    for (size_t i = 0; ok && i < n; i++) {
        store_op *o = &ops[i];
        redisReply *a = NULL, *b = NULL;
        ok = redisGetReply(c, (void **)&a) == REDIS_OK && a;
        if (ok && o->kind == STORE_COUNT) {
            ok = a->type == REDIS_REPLY_INTEGER;
            if (ok) o->count = (long)a->integer;
        } else if (ok) {
            ok = redisGetReply(c, (void **)&b) == REDIS_OK && b && b->type == REDIS_REPLY_INTEGER &&
                 (a->type == REDIS_REPLY_STRING || a->type == REDIS_REPLY_NIL);
            if (ok) {
                o->ttl_ms = a->type == REDIS_REPLY_STRING && b->integer > 0 ? b->integer : 0;
                o->value[0] = 0;
                if (o->ttl_ms) snprintf(o->value, sizeof o->value, "%.*s", (int)a->len, a->str);
            }
        }
        if (a) freeReplyObject(a);
        if (b) freeReplyObject(b);
    }
    release(r, c, ok);
    return ok ? 0 : -1;
}

int store_redis_send(store_redis *r, const char *key, const char *value, size_t len, unsigned long ttl_ms)
{
    redisContext *c = acquire(r);
    if (!c) return -1;
    if (atomic_load(&r->no_skip)) {                     /* waited for, as without the skip */
        redisReply *rep = redisCommand(c, "SET %s %b PX %lu", key, value, len, ttl_ms ? ttl_ms : 1);
        int ok = reply_ok(rep);
        if (rep) freeReplyObject(rep);
        atomic_fetch_add(&n_round_trips, 1);
        release(r, c, ok);
        return ok ? 0 : -1;
    }
    int ok = redisAppendCommand(c, "CLIENT REPLY SKIP") == REDIS_OK &&
             redisAppendCommand(c, "SET %s %b PX %lu", key, value, len, ttl_ms ? ttl_ms : 1) == REDIS_OK;
    int done = 0;                                       /* a blocking socket: each write takes what it can */
    for (int rounds = 0; ok && !done && rounds < 64; rounds++) ok = redisBufferWrite(c, &done) == REDIS_OK;
    release(r, c, ok && done);
    return ok && done ? 0 : -1;
}

int store_redis_each(store_redis *r, const char *prefix, size_t max_keys,
                     void (*fn)(void *ctx, const char *value, size_t len), void *ctx)
{
    redisContext *c = acquire(r);
    if (!c) return -1;
    char cursor[32] = "0";
    int ok = 1, seen = 0;
    size_t keys = 0;
    for (int rounds = 0; ok && rounds < 1000 && keys < max_keys; rounds++) {
        redisReply *rep = redisCommand(c, "SCAN %s MATCH %s* COUNT 100", cursor, prefix);
        atomic_fetch_add(&n_round_trips, 1);
        ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
             rep->element[0]->type == REDIS_REPLY_STRING && rep->element[1]->type == REDIS_REPLY_ARRAY;
        if (ok) {
            snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
            redisReply *ks = rep->element[1];
            size_t n = 0;
            for (size_t i = 0; i < ks->elements && keys + n < max_keys; i++)
                if (ks->element[i]->type == REDIS_REPLY_STRING &&
                    redisAppendCommand(c, "GET %b", ks->element[i]->str, (size_t)ks->element[i]->len) == REDIS_OK) n++;
            if (n) atomic_fetch_add(&n_round_trips, 1);
            for (size_t i = 0; i < n; i++) {
                redisReply *v = NULL;
                if (redisGetReply(c, (void **)&v) != REDIS_OK || !v) { ok = 0; break; }
                if (v->type == REDIS_REPLY_STRING) { fn(ctx, v->str, v->len); seen++; }
                freeReplyObject(v);
            }
            keys += n;
        }
        if (rep) freeReplyObject(rep);
        if (ok && strcmp(cursor, "0") == 0) break;
    }
    release(r, c, ok);
    return ok ? seen : -1;
}

void store_redis_stats(int *up, unsigned long long *calls, unsigned long long *errors,
                       unsigned long long *outages, unsigned long long *reconnects,
                       unsigned long long *round_trips)
{
    *round_trips = atomic_load(&n_round_trips);
    *up = atomic_load(&up_now);
    *calls = atomic_load(&n_calls);
    *errors = atomic_load(&n_errors);
    *outages = atomic_load(&n_outages);
    *reconnects = atomic_load(&n_reconnects);
}
