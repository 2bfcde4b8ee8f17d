/* gen_params.c -- libFuzzer target for parameter parsing (generator/params.c): the input is read as
 * NAME=VALUE lines (the command line) and as a JSON body; both give a context or a list of errors. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "manifest.h"
#include "params.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char common_src[] =
    "parameters:\n"
    "  - {name: endpoint, type: list, items: url, required: true, max_items: 8}\n"
    "  - {name: mode, type: enum, values: [inline, async], default: inline}\n"
    "  - {name: modes, type: list, items: enum, values: [a, b, c], default: [a]}\n"
    "  - {name: retries, type: integer, min: 0, max: 5, default: 0}\n"
    "  - {name: flag, type: boolean, default: true}\n"
    "  - {name: timeout, type: duration, min: 1ms, max: 300s, default: 1s}\n"
    "  - {name: limit, type: size, max: 100m, default: 64k}\n"
    "  - {name: ident, type: identifier, default: abc}\n"
    "  - {name: header, type: string, pattern: '^$|^[A-Za-z0-9-]{1,64}$', default: ''}\n"
    "  - {name: page, type: string, max: 16384, default: blocked}\n"
    "  - {name: token, type: string, secret: true, pattern: '^$|^[A-Za-z0-9._~+/=-]{16,256}$', default: ''}\n";

static void check(cJSON *ctx, cJSON *errors, size_t n)
{
    if (!ctx == !errors) abort();                        /* exactly one of them */
    if (ctx && cJSON_GetArraySize(ctx) < (int)n) abort();  /* every parameter present */
    if (errors && cJSON_GetArraySize(errors) == 0) abort();
    cJSON_Delete(ctx);
    cJSON_Delete(errors);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static manifest_common *c;
    char err[1024];
    if (!c && !(c = manifest_common_parse("common.yaml", common_src, sizeof common_src - 1, err, sizeof err)))
        abort();
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    const char *sets[64];
    size_t n = 0;
    for (char *line = text, *next; line && n < 64; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        sets[n++] = line;
    }
    cJSON *errors = NULL;
    cJSON *ctx = params_from_cli(c->params, c->nparams, sets, n, &errors);
    check(ctx, errors, c->nparams);
    cJSON *body = cJSON_ParseWithLength((const char *)data, size);
    if (body) {
        errors = NULL;
        ctx = params_from_json(c->params, c->nparams, body, &errors);
        check(ctx, errors, c->nparams);
        cJSON_Delete(body);
    }
    free(text);
    return 0;
}
