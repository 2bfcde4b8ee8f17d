/* node_vulns.c -- libFuzzer target for passive vulnerability rules (node/vulns.c) over a response body.
 * Input: the first 4 bytes are the request's attack bits, the rest the reported body. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vulns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vulns_rules *r;
    if (!r) {
        char err[2048];
        r = vulns_load("node/vulns.yaml", err, sizeof err);     /* run from the repository root */
        if (!r) { fprintf(stderr, "%s\n", err); abort(); }
    }
    uint32_t bits = 0;
    if (size >= 4) { memcpy(&bits, data, 4); data += 4; size -= 4; }
    vulns_finding f[VULNS_MAX_FINDINGS];
    int n = vulns_scan(r, bits, (const char *)data, size, f);
    if (n < 0 || n > VULNS_MAX_FINDINGS) abort();
    for (int i = 0; i < n; i++)
        if (!f[i].rule_id || !f[i].evidence || f[i].class_index < 0 || f[i].class_index >= VULNS_NCLASSES) abort();
    return 0;
}
