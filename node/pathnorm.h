/* pathnorm.h -- path normalisation before the traversal check: every percent, %u and overlong
 * UTF-8 layer undone, separators unified, and parent-directory steps counted in all their forms. */
#ifndef PATHNORM_H
#define PATHNORM_H
#include <stddef.h>

/* Writes the normalised form of in[0..n) to out (room for n + 1 bytes; the result is never longer
 * than the input) and returns its length. It repeats, up to 8 rounds, until nothing changes:
 *   - %XX, and %uXXXX / %UXXXX (IIS), any number of times nested (%252e, %25%32%65);
 *   - overlong and lossy UTF-8 of ASCII (C0 AE, C1 9C, E0 80 AE, F0 80 81 9C ...), the full-width
 *     forms of ASCII (U+FF01..U+FF5E), U+2024, U+FE52, U+2215, U+2044, U+2216 and U+FE68 to their
 *     ASCII look-alikes, and the two-dot leaders U+2025 and U+FE30 to "..", as NFKC reads them;
 * then '\' becomes '/', and runs of '/' fold to one. NUL bytes are kept. */
size_t pathnorm_normalize(const char *in, size_t n, char *out);

/* What the traversal check found in a normalised value. */
typedef struct pathnorm_info {
    int parents;    /* parent-directory steps: "..", "...", "..;", ".. " as whole segments */
    int target;     /* 1 when the path names a file or directory an attacker is after */
    int absolute;   /* 1 when the path is absolute: "/", "c:/", "file:" */
} pathnorm_info;

/* Normalises in (scratch: room for n + 1 bytes) and fills info. Returns 1 when the value reads as
 * path traversal: two or more parent steps followed by a name (three when nothing follows them),
 * or one with a sensitive target, or one of two dots that only decoding shows, or an absolute path
 * or file: URL to a secret file, or into /etc, /proc or /var/log when decoding changed the value.
 * Thread-safe; no allocation. */
int pathnorm_traversal(const char *in, size_t n, char *scratch, pathnorm_info *info);

#endif
