/* slurp.h -- for unit tests that read their cases from a data file: the whole file as one
 * NUL-terminated string (malloc'd), or NULL when it cannot be read. */
#ifndef TEST_SLURP_H
#define TEST_SLURP_H
#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) { free(s); s = NULL; }
    if (s) s[n] = '\0';
    fclose(f);
    return s;
}

#endif
