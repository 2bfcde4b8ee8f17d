/* dcache.h -- zip entries deflated once and reused across bundles: a file's raw deflate stream
 * exactly as libzip 1.7 writes it at level 9, with its CRC-32, found again by the file's bytes.
 *
 * The stream is zlib's deflate at level 9, a 32 KiB window (raw, no header), memLevel 9 and the
 * default strategy: the settings libzip's own deflate source uses (zip_algorithm_deflate.c), so a
 * zip made from these forms is byte for byte the zip libzip makes compressing itself (pack.c and
 * tests/unit/gen_deflate.c compare the two). Kept forms are looked up by a hash of the input (its
 * CRC-32 is computed only for a new form), then compared whole, so a kept form is only ever used
 * for the very same bytes.
 * Thread-safe. Each compression takes a zlib stream from a small pool instead of allocating one. */
#ifndef DCACHE_H
#define DCACHE_H
#include <stddef.h>
#include <stdint.h>

#define DCACHE_LEVEL 9              /* the zip entries' compression level, as pack.c asks libzip */

typedef struct dcache_form {
    const unsigned char *data;      /* the raw deflate stream */
    size_t   len;
    uint32_t crc;                   /* CRC-32 of the input */
    size_t   size;                  /* the input's length */
    const void *ref_;               /* internal: the kept entry, or NULL */
    unsigned char *own_;            /* internal: a form made and not kept */
} dcache_form;

/* How many bytes the kept forms may take (each: the input, its stream and a fixed overhead),
 * least recently used out first. 0 keeps nothing, the default. Call before any thread compresses;
 * changing it drops what was kept. Returns 0, or -1 on memory failure (then nothing is kept). */
int dcache_set_limit(size_t max_bytes);

/* The deflate form of data[0..len): a kept one, or made now (and kept when a limit is set).
 * Release it with dcache_release. Returns 0, or -1 on memory failure or a zlib error. */
int  dcache_get(const void *data, size_t len, dcache_form *out);
void dcache_release(dcache_form *f);

typedef struct dcache_stats {
    unsigned long long hits, misses;
    size_t entries, bytes, max_bytes;
} dcache_stats;
void dcache_get_stats(dcache_stats *out);

/* Frees the kept forms and the pooled zlib streams (at exit; forms still held stay valid). */
void dcache_shutdown(void);

#endif
