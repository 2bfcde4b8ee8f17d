/* node_phpcode.c -- libFuzzer target for the PHP call reader and the script reader beside it: any
 * bytes, a verdict of 0 or 1, a NUL-terminated function name, and no read outside the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "phpcode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);     /* exact size: ASan sees a read past the value */
    if (!in) abort();
    memcpy(in, data, size);
    phpcode_info info;
    int v = phpcode_detect(in, size, &info);
    if ((v != 0 && v != 1) || memchr(info.function, '\0', sizeof info.function) == NULL) abort();
    if (v && !info.function[0]) abort();
    /* the Perl, Python, Ruby and JavaScript reading of the same bytes */
    v = phpcode_script(in, size, &info);
    if ((v != 0 && v != 1) || memchr(info.function, '\0', sizeof info.function) == NULL) abort();
    if (v && !info.function[0]) abort();
    free(in);
    return 0;
}
