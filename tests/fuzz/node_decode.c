/* node_decode.c -- libFuzzer target for the decoders: each single step, then a request walk
 * whose path, query, headers and body are cut from the input at NUL bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "jarena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The walk's JSON documents come from the arena, as in edgenode (main.c installs it too). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc; (void)argv;
    jarena_install();
    return 0;
}

static int count(void *ctx, int src, const char *where, const char *val, size_t len, const uint64_t bytes[4])
{
    (void)src;
    if (val[len] != '\0' || strlen(where) >= DECODE_WHERE_MAX) abort();
    uint64_t set[4] = {0, 0, 0, 0};     /* bytes is exactly the set of val's bytes */
    for (size_t i = 0; i < len; i++) set[(unsigned char)val[i] >> 6] |= 1ull << ((unsigned char)val[i] & 63);
    if (memcmp(set, bytes, sizeof set) != 0) abort();
    ++*(size_t *)ctx;
    return 0;
}

/* Next NUL-separated field of the input, copied NUL-terminated; "" once the input is used up. */
static char *field(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *z = memchr(*p, 0, (size_t)(end - *p));
    size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
    char *s = malloc(n + 1);
    if (!s) abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = z ? z + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *out = malloc(size + 1);
    if (!out) return 0;
    const char *in = (const char *)data;
    if (decode_percent(in, size, out, 1) > size || decode_entities(in, size, out) > size ||
        decode_js_escapes(in, size, out) > size || decode_strip_tags(in, size, out) > size ||
        decode_sql_normalize(in, size, out) > size || decode_shell_normalize(in, size, out) > size ||
        decode_base64(in, size, out) > size) abort();
    free(out);

    static const char *const types[] = {"application/json", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b", "text/xml", "text/plain"};
    const uint8_t *p = data, *end = data + size;
    char *path = field(&p, end), *query = field(&p, end), *cookie = field(&p, end);
    httpreq_header h[] = {{"Content-Type", types[size % 5]}, {"Cookie", cookie}, {"User-Agent", query}};
    httpreq r = {"POST", path, query, h, 3, (const char *)p, (size_t)(end - p)};
    decode_limits lim = {4, 1u << 20};
    size_t n = 0;
    if (decode_request(&r, &lim, count, &n, NULL) < 0) abort();
    if (jarena_live()) abort();   /* every document the walk parsed was deleted */
    free(path);
    free(query);
    free(cookie);
    return 0;
}
