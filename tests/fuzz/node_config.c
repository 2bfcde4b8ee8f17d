/* node_config.c -- libFuzzer target for edgenode's config loader (node/config.c).
 * Any bytes: either a config or a list of positioned errors, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    config_errors e = {0};
    config *c = config_load_buffer((const char *)data, size, "fuzz.yaml", "/nonexistent", &e);
    if (c) {
        long app = c->application;
        int mode = c->mode;
        routes_match(&c->routes, "api.example.com", "/api/v1/users", &app, &mode, NULL, NULL);
        if (e.n) abort();                       /* a config with errors must not load */
    } else if (e.n == 0) {
        abort();                                /* a refusal must say why */
    }
    config_free(c);
    config_errors_free(&e);
    return 0;
}
