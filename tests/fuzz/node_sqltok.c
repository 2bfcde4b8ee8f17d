/* node_sqltok.c -- libFuzzer target for the SQL tokenizer: any bytes, a verdict of 0 or 1 with a
 * reason and a reading, fingerprints of types only, and no read outside the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "sqltok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);     /* exact size: ASan sees a read past the value */
    if (!in) abort();
    memcpy(in, data, size);
    sqltok_info info;
    int v = sqltok_detect(in, size, &info);
    if (v != 0 && v != 1) abort();
    if (v != (info.reading >= 0) || v != (info.reason[0] != '\0')) abort();
    if (memchr(info.fingerprint, '\0', sizeof info.fingerprint) == NULL) abort();
    for (int r = 0; r < SQLTOK_READINGS; r++) {
        char fp[SQLTOK_FP_MAX + 1];
        size_t k = sqltok_fingerprint(in, size, r, fp);
        if (k > SQLTOK_FP_MAX || fp[k] != '\0' || strspn(fp, "snvbfo&UEBk(),;cx") != k) abort();
        if (r != SQLTOK_ASIS && k && fp[0] != 's') abort();   /* a quoted reading opens with its string */
    }
    free(in);
    return 0;
}
