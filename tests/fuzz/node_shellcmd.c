/* node_shellcmd.c -- libFuzzer target for the shell command-line reader: any bytes, a verdict of
 * 0 or 1, a NUL-terminated command name, and no read or write outside the value and scratch; the
 * network-command probe on the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "shellcmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size copies, so that ASan sees any byte read past the value or written past scratch */
    char *in = malloc(size ? size : 1), *scratch = malloc(size + 1);
    if (!in || !scratch) abort();
    memcpy(in, data, size);
    shellcmd_info info;
    int v = shellcmd_detect(in, size, scratch, &info);
    if ((v != 0 && v != 1) || memchr(info.command, '\0', sizeof info.command) == NULL) abort();
    if (v != (info.score >= SHELLCMD_THRESHOLD || info.strong)) abort();
    int p = shellcmd_probe_start(in, size);
    if (p != 0 && p != 1) abort();
    free(in);
    free(scratch);
    return 0;
}
