/* node_exprlang.c -- libFuzzer target for the Log4j lookup resolver, the expression reader, the
 * base64 class reader (and its byte test), the type-name reader and the Java code reader: any bytes, verdicts of 0 or 1, a NUL-terminated finding, no read outside the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "exprlang.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);     /* exact sizes: ASan sees a read or write past either */
    char *scratch = malloc(size + 1);
    if (!in || !scratch) abort();
    memcpy(in, data, size);
    exprlang_info info;
    int j = exprlang_jndi(in, size, scratch, &info);
    if ((j != 0 && j != 1) || memchr(info.kind, '\0', sizeof info.kind) == NULL) abort();
    if (j != (strcmp(info.kind, "jndi") == 0) || info.lookups < 0) abort();
    if (memchr(scratch, '\0', size + 1) == NULL) abort();
    int e = exprlang_detect(in, size, &info);
    if ((e != 0 && e != 1) || memchr(info.kind, '\0', sizeof info.kind) == NULL) abort();
    if (e != (info.kind[0] != '\0')) abort();
    int b = exprlang_base64_java(in, size, scratch, &info);
    if ((b != 0 && b != 1) || b != (strncmp(info.kind, "base64-", 7) == 0)) abort();
    uint64_t set[4] = {0, 0, 0, 0};           /* a hit's bytes pass the byte test callers skip by */
    for (size_t i = 0; i < size; i++) set[data[i] >> 6] |= 1ull << (data[i] & 63);
    if (b && !exprlang_base64_java_bytes(set)) abort();
    int t = exprlang_java_type_name(in, size, &info);
    if ((t != 0 && t != 1) || t != (strcmp(info.kind, "type-name") == 0)) abort();
    int c = exprlang_java_code(in, size, &info);
    if ((c != 0 && c != 1) || c != (strncmp(info.kind, "code-", 5) == 0)) abort();
    free(scratch);
    free(in);
    return 0;
}
