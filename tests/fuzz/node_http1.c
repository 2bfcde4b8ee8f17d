/* node_http1.c -- libFuzzer target for the connector listener's HTTP/1.1 reader (node/http1.c).
 * Any bytes, fed in pieces whose sizes come from the input: events in order, nothing read past
 * what was given, every request's strings readable, a head never past its cap, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "http1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2) return 0;
    size_t step = (size_t)data[0] % 64 + 1, max_head = (size_t)data[1] * 16 + 16;
    data += 2;
    size -= 2;
    http1 *p = http1_new(max_head, 64);
    if (!p) return 0;
    size_t off = 0;
    for (size_t guard = 0; guard < 4 * size + 16; guard++) {
        size_t n = size - off < step ? size - off : step, used;
        http1_event e = http1_feed(p, (const char *)data + off, n, &used);
        if (used > n) abort();
        off += used;
        if (e == HTTP1_REQUEST) {
            const http1_request *r = http1_request_get(p);
            if (!r || !r->method || !r->target || !r->version || r->body_len > 64) abort();
            size_t sum = strlen(r->target);
            for (size_t i = 0; i < r->nheaders; i++)
                sum += strlen(r->headers[i].name) + strlen(r->headers[i].value);
            if (sum > max_head) abort();
            if (!r->keep_alive) break;
            http1_next(p);
        } else if (e == HTTP1_BAD || e == HTTP1_TOO_LARGE) {
            if (!http1_error(p)) abort();
            break;
        } else if (e == HTTP1_MORE && off == size) {
            break;
        }
    }
    http1_free(p);
    return 0;
}
