/* node_sensitive.c -- libFuzzer target for the sensitive-data recognisers (node/sensitive.c).
 * Input: any bytes, scanned as a request or response value (NULs included). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "sensitive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned k = sensitive_scan((const char *)data, size);
    if (k & ~(unsigned)SENSITIVE_ALL) abort();
    (void)sensitive_luhn((const char *)data, size);
    return 0;
}
