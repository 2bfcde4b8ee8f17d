/* buf.h -- a growable byte buffer, always NUL-terminated, with a hard size cap.
 * Every append returns 0 on success and -1 when memory or the cap runs out. */
#ifndef BUF_H
#define BUF_H
#include <stddef.h>
#include <stdarg.h>

typedef struct buf {
    char  *data;    /* NUL-terminated; NULL until the first append */
    size_t len;     /* bytes used, not counting the NUL */
    size_t cap;     /* bytes allocated */
    size_t limit;   /* 0 = no cap; else appends past this many bytes fail */
    int    full;    /* set once an append failed because of limit */
} buf;

#define BUF_INIT {NULL, 0, 0, 0, 0}

int   buf_reserve(buf *b, size_t extra);            /* room for extra more bytes */
int   buf_append(buf *b, const void *p, size_t n);
int   buf_puts(buf *b, const char *s);
int   buf_putc(buf *b, char c);
int   buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int   buf_vprintf(buf *b, const char *fmt, va_list ap);
int   buf_fail(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));  /* buf_printf, then -1 */
void  buf_reset(buf *b);                            /* len = 0, keeps memory */
char *buf_detach(buf *b);                           /* caller owns the string; b is emptied */
void  buf_free(buf *b);
int   buf_read_file(buf *b, const char *path);     /* appends a file ("-": stdin); -1 with errno, EFBIG past limit */

/* Hot-path append: inline when the bytes fit, else the checked buf_append. */
static inline int buf_add(buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && (!b->limit || b->len + n <= b->limit)) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return buf_append(b, p, n);
}

/* The same without writing the NUL: for loops of appends that end with buf_terminate. */
static inline int buf_add_raw(buf *b, const void *p, size_t n)
{
    if (b->cap - b->len > n && (!b->limit || b->len + n <= b->limit)) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        return 0;
    }
    return buf_append(b, p, n);
}

/* Copies n <= BUF_SHORT bytes from s to d as overlapping loads and stores, without a call to
 * memcpy; d must have room for BUF_SHORT bytes. */
#define BUF_SHORT 64
static inline __attribute__((always_inline)) void buf_copy_short(char *d, const void *p, size_t n)
{
    const char *s = (const char *)p;
    if (n >= 8) {                              /* the common lengths first: 8 to 16 */
        if (n <= 16) {
            char x[8], y[8];
            __builtin_memcpy(x, s, 8); __builtin_memcpy(y, s + n - 8, 8);
            __builtin_memcpy(d, x, 8); __builtin_memcpy(d + n - 8, y, 8);
        } else if (n <= 32) {
            char x[16], y[16];
            __builtin_memcpy(x, s, 16); __builtin_memcpy(y, s + n - 16, 16);
            __builtin_memcpy(d, x, 16); __builtin_memcpy(d + n - 16, y, 16);
        } else {
            char x[32], y[32];
            __builtin_memcpy(x, s, 32); __builtin_memcpy(y, s + n - 32, 32);
            __builtin_memcpy(d, x, 32); __builtin_memcpy(d + n - 32, y, 32);
        }
    } else if (n >= 4) {
        char x[4], y[4];
        __builtin_memcpy(x, s, 4); __builtin_memcpy(y, s + n - 4, 4);
        __builtin_memcpy(d, x, 4); __builtin_memcpy(d + n - 4, y, 4);
    } else if (n) {
        d[0] = s[0]; d[n / 2] = s[n / 2]; d[n - 1] = s[n - 1];
    }
}

/* buf_add_raw for pieces that are mostly short (values, bits of template text between tags):
 * up to BUF_SHORT bytes move inline with buf_copy_short. */
static inline __attribute__((always_inline)) int buf_add_short(buf *b, const void *p, size_t n)
{
    if (n > BUF_SHORT || b->cap - b->len <= BUF_SHORT || (b->limit && b->len + n > b->limit)) return buf_add_raw(b, p, n);
    buf_copy_short(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

/* The length below which BUF_SHORT more bytes (and the NUL) fit in b, within its cap and its
 * limit: while b->len < buf_short_room(b), any append of up to BUF_SHORT bytes can use
 * buf_copy_short. The value only grows as b does, so a stale one is merely too cautious. */
static inline size_t buf_short_room(const buf *b)
{
    size_t cap_room = b->cap > BUF_SHORT ? b->cap - BUF_SHORT : 0;
    size_t lim_room = !b->limit ? cap_room : b->limit > BUF_SHORT - 1 ? b->limit - (BUF_SHORT - 1) : 0;
    return cap_room < lim_room ? cap_room : lim_room;
}

static inline void buf_terminate(buf *b)
{
    if (b->data) b->data[b->len] = '\0';
}

#endif
