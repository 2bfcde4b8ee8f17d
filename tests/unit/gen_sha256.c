/* gen_sha256.c -- pack_sha256 (the ETag and every recorded bundle digest) against known answers
 * (tests/sha256/vectors.txt) and against libsodium's SHA-256 on pseudo-random data of many lengths.
 * The program runs itself once more with OpenSSL's SHA extensions masked, so both of OpenSSL's code
 * paths (SHA-NI where the CPU has it, and the one without) give the same digests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "pack.h"
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#define VECTORS "tests/sha256/vectors.txt"
/* OPENSSL_ia32cap's second word is CPUID leaf 7's EBX (low half); bit 29 is the SHA extensions */
#define NO_SHA_EXT ":~0x20000000"

static void expect_sodium(const unsigned char *data, size_t len)
{
    unsigned char md[crypto_hash_sha256_BYTES];
    char want[65], got[65];
    crypto_hash_sha256(md, data, len);
    sodium_bin2hex(want, sizeof want, md, sizeof md);
    assert_int_equal(pack_sha256(data, len, got), 0);
    if (strcmp(got, want)) fail_msg("%zu bytes: pack_sha256 %s, libsodium %s", len, got, want);
}

static void test_vectors(void **state)
{
    (void)state;
    FILE *f = fopen(VECTORS, "r");
    assert_non_null(f);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n') continue;
        unsigned char *data = NULL;
        size_t len = 0;
        char digest[65] = "", *q;
        unsigned byte;
        if (!strncmp(line, "text \"", 6) && (q = strchr(line + 6, '"')) != NULL) {
            len = (size_t)(q - (line + 6));
            data = malloc(len + 1);
            memcpy(data, line + 6, len);
            assert_int_equal(sscanf(q + 1, " %64s", digest), 1);
        } else if (sscanf(line, "repeat %2x %zu %64s", &byte, &len, digest) == 3) {
            data = malloc(len + 1);
            memset(data, (int)byte, len);
        } else {
            fail_msg("%s: cannot read: %s", VECTORS, line);
        }
        char hex[65];
        assert_int_equal(pack_sha256(data, len, hex), 0);
        if (strcmp(hex, digest)) fail_msg("%s: %s gives %s", VECTORS, strtok(line, "\n"), hex);
        expect_sodium(data, len);
        free(data);
        n++;
    }
    fclose(f);
    assert_true(n >= 10);
}

/* Every length up to 300 (all padding cases, one to five blocks), then lengths up to 70 KB (bundle
 * sizes), each over bytes from a fixed xorshift generator. */
static void test_random(void **state)
{
    (void)state;
    size_t cap = 70000;
    unsigned char *data = malloc(cap);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < cap; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        data[i] = (unsigned char)x;
    }
    for (size_t len = 0; len <= 300; len++) expect_sodium(data + (len % 7), len);
    for (int i = 0; i < 200; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        size_t len = (size_t)(x % (cap - 8));
        expect_sodium(data + (x >> 60) % 8, len);
    }
    free(data);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (sodium_init() < 0) return 1;
    int masked = getenv("OPENSSL_ia32cap") != NULL;
    unsigned a = 0, b = 0, c = 0, d = 0;
#if defined(__x86_64__) || defined(__i386__)
    __get_cpuid_count(7, 0, &a, &b, &c, &d);
#endif
    printf("CPU SHA extensions: %s; OpenSSL %s\n", (b >> 29) & 1 ? "yes" : "no",
           masked ? "told not to use them" : "free to use them");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_random),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc || masked) return rc;
    fflush(stdout);
    setenv("OPENSSL_ia32cap", NO_SHA_EXT, 1);          /* OpenSSL reads it when it loads */
    execv("/proc/self/exe", argv);
    perror("gen_sha256: exec");
    return 1;
}
