/* decimal.h -- an unsigned integer written as decimal digits, for the hot paths (a response's
 * status line, the request's HTTP version, a client's IPv4 address) where snprintf costs most. */
#ifndef DECIMAL_H
#define DECIMAL_H
#include <string.h>

/* Writes the decimal digits of v at p (at most 20 bytes, no NUL) and returns the end. */
static inline char *decimal_put(char *p, unsigned long long v)
{
    char d[20], *q = d + sizeof d;
    do *--q = (char)('0' + v % 10); while (v /= 10);
    size_t n = (size_t)(d + sizeof d - q);
    memcpy(p, q, n);
    return p + n;
}

#endif
