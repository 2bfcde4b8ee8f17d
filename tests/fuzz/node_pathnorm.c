/* node_pathnorm.c -- libFuzzer target for the path normaliser and the traversal check: the
 * output must fit the input's length and be NUL-terminated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pathnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size + 1), *out = malloc(size + 1);
    if (!in || !out) abort();
    memcpy(in, data, size);
    in[size] = '\0';
    size_t n = pathnorm_normalize(in, size, out);
    if (n > size || out[n] != '\0') abort();
    pathnorm_info info;
    int v = pathnorm_traversal(in, size, out, &info);
    if (v != 0 && v != 1) abort();
    free(in);
    free(out);
    return 0;
}
