/* vec16.h -- sixteen bytes compared at once, for scanners that look for a few kinds of byte in long
 * values: GCC and Clang vector extensions (SSE2 on x86-64, NEON on ARM, plain words elsewhere). */
#ifndef VEC16_H
#define VEC16_H
#include <stdint.h>
#include <string.h>

/* Signed bytes, so that bytes from 0x80 up fall below every ASCII range a scanner tests. A
 * comparison (==, <, >=, ...) gives each byte all ones where it holds, zero elsewhere. */
typedef signed char vec16 __attribute__((vector_size(16)));
#define VEC16(c) ((vec16){c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c})

/* The 16 bytes at s (all readable). */
static inline vec16 vec16_load(const void *s)
{
    vec16 v;
    memcpy(&v, s, 16);
    return v;
}

/* One bit per byte of a comparison result, byte 0 in bit 0: SSE2's movemask where there is one, else
 * bit 7 of each byte gathered by a multiplication. */
#if defined(__SSE2__)
#include <emmintrin.h>
static inline unsigned vec16_bits(vec16 m)
{
    return (unsigned)_mm_movemask_epi8((__m128i)m);
}
#else
static inline unsigned vec16_bits(vec16 m)
{
    uint64_t w[2];
    memcpy(w, &m, 16);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w[0] = __builtin_bswap64(w[0]), w[1] = __builtin_bswap64(w[1]);
#endif
    const uint64_t high = 0x8080808080808080ull, gather = 0x0002040810204081ull;   /* bit 7 of byte k to bit 56 + k */
    return (unsigned)(((w[0] & high) * gather) >> 56) | (unsigned)(((w[1] & high) * gather) >> 56) << 8;
}
#endif

#endif
