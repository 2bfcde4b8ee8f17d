/* node_rxlit.c -- libFuzzer target for rxlit: whenever PCRE2 matches a subject, the pattern's
 * literal set (if any) must let it through; reading any pattern must never crash.
 * Input: one flag byte (bit 0: caseless, 1: dotall, 2: multiline), the pattern up to a line
 * break, then the subject. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "rxlit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    const uint8_t *nl = memchr(data + 1, '\n', size - 1);
    if (!nl) return 0;
    size_t plen = (size_t)(nl - data - 1);
    char *pat = malloc(plen + 1);
    if (!pat) abort();
    memcpy(pat, data + 1, plen);
    pat[plen] = '\0';
    const char *subj = (const char *)nl + 1;
    size_t n = size - plen - 2;
    uint32_t opts = (data[0] & 1 ? PCRE2_CASELESS : 0) | (data[0] & 2 ? PCRE2_DOTALL : 0) |
                    (data[0] & 4 ? PCRE2_MULTILINE : 0);
    rxlit lit;
    rxlit_extract(pat, opts, &lit);             /* any text: must not crash */
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    free(pat);
    if (!re) return 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_match_context *mc = pcre2_match_context_create(NULL);
    if (!md || !mc) abort();
    pcre2_set_match_limit(mc, 100000);
    int rc = pcre2_match(re, (PCRE2_SPTR)subj, n, 0, 0, md, mc);
    if (rc >= 0 && lit.n) {
        uint64_t bytes[4] = {0, 0, 0, 0};
        for (size_t i = 0; i < n; i++) {
            unsigned c = (unsigned char)subj[i];
            if (c >= 'A' && c <= 'Z') c += 32;
            bytes[c >> 6] |= 1ull << (c & 63);
        }
        rxlit_subject s;
        rxlit_read(&s, bytes, subj, n);
        if (!rxlit_bytes_ok(&lit, bytes) || !rxlit_found(&lit, &s)) abort();   /* a match ruled out */
    }
    pcre2_match_context_free(mc);
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return 0;
}
