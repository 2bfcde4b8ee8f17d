/* dcache.c -- deflated zip entries kept for reuse (see dcache.h).
 * A cache (cache.h) keyed by the input's bytes (cache_hash to find, then compared whole);
 * a pool of zlib streams. */
#include "dcache.h"
#include "cache.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define POOL_MAX 16                 /* idle streams kept (about 400 KiB each at memLevel 9) */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cache   *kept;               /* NULL: keep nothing */
static z_stream *pool[POOL_MAX];
static size_t    npool;
static const char no_digest[65];

int dcache_set_limit(size_t max_bytes)
{
    cache *c = max_bytes ? cache_new(max_bytes) : NULL;
    pthread_mutex_lock(&lock);
    cache *old = kept;
    kept = c;
    pthread_mutex_unlock(&lock);
    cache_free(old);
    return max_bytes && !c ? -1 : 0;
}

/* A stream ready for a new input: an idle one from the pool, or a new one. */
static z_stream *take_stream(void)
{
    pthread_mutex_lock(&lock);
    z_stream *z = npool ? pool[--npool] : NULL;
    pthread_mutex_unlock(&lock);
    if (z) return z;
    if (!(z = calloc(1, sizeof *z))) return NULL;
    /* libzip's settings: a raw stream (negative window bits), memLevel 9, default strategy */
    if (deflateInit2(z, DCACHE_LEVEL, Z_DEFLATED, -MAX_WBITS, MAX_MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return NULL;
    }
    return z;
}

static void give_stream(z_stream *z)
{
    if (deflateReset(z) == Z_OK) {
        pthread_mutex_lock(&lock);
        if (npool < POOL_MAX) { pool[npool++] = z; z = NULL; }
        pthread_mutex_unlock(&lock);
    }
    if (z) { deflateEnd(z); free(z); }
}

/* Deflates data into a new buffer: 4 bytes of CRC-32 (host order), then the stream. */
static unsigned char *deflate_new(const void *data, size_t len, uint32_t crc, size_t *outlen)
{
    z_stream *z = take_stream();
    if (!z) return NULL;
    size_t bound = deflateBound(z, (uLong)len);
    unsigned char *out = malloc(4 + bound);
    int rc = Z_MEM_ERROR;
    if (out) {
        memcpy(out, &crc, 4);
        z->next_in = (Bytef *)(uintptr_t)data;
        z->avail_in = (uInt)len;
        z->next_out = out + 4;
        z->avail_out = (uInt)bound;
        rc = deflate(z, Z_FINISH);
        *outlen = 4 + (bound - z->avail_out);
    }
    give_stream(z);
    if (rc != Z_STREAM_END) { free(out); return NULL; }
    return out;
}

static void fill(dcache_form *f, const unsigned char *buf, size_t buflen, size_t size)
{
    memcpy(&f->crc, buf, 4);
    f->data = buf + 4;
    f->len = buflen - 4;
    f->size = size;
}

int dcache_get(const void *data, size_t len, dcache_form *out)
{
    memset(out, 0, sizeof *out);
    if (len > UINT32_MAX) return -1;            /* zip64 sizes: not for bundles */
    uint64_t hash = cache_hash(data, len);     /* outside the lock */
    pthread_mutex_lock(&lock);
    cache *c = kept;
    const cache_entry *e = c ? cache_get_hashed(c, data, len, hash) : NULL;
    pthread_mutex_unlock(&lock);
    if (e) {
        fill(out, e->data, e->len, len);
        out->ref_ = e;
        return 0;
    }
    size_t n = 0;
    unsigned char *buf = deflate_new(data, len, (uint32_t)crc32_z(0, data, len), &n);
    if (!buf) return -1;
    pthread_mutex_lock(&lock);
    c = kept;
    e = c ? cache_put_hashed(c, data, len, hash, buf, n, NULL, NULL, no_digest, NULL) : NULL;
    pthread_mutex_unlock(&lock);
    if (c && !e) return -1;                     /* buf was freed by cache_put */
    fill(out, e ? e->data : buf, n, len);
    out->ref_ = e;
    out->own_ = e ? NULL : buf;
    return 0;
}

void dcache_release(dcache_form *f)
{
    if (f->ref_) cache_release(f->ref_);
    free(f->own_);
    memset(f, 0, sizeof *f);
}

void dcache_get_stats(dcache_stats *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&lock);
    if (kept) {
        cache_stats s;
        cache_get_stats(kept, &s);
        *out = (dcache_stats){s.hits, s.misses, s.entries, s.bytes, s.max_bytes};
    }
    pthread_mutex_unlock(&lock);
}

void dcache_shutdown(void)
{
    dcache_set_limit(0);
    pthread_mutex_lock(&lock);
    while (npool) {
        z_stream *z = pool[--npool];
        deflateEnd(z);
        free(z);
    }
    pthread_mutex_unlock(&lock);
}
