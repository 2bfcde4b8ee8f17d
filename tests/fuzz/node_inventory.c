/* node_inventory.c -- libFuzzer target for API discovery (node/inventory.c): path templates,
 * query, header and JSON body parameters, and the exports over what was learnt.
 * Input: "PATH[?QUERY]\n" then a JSON or form body; the first byte picks request or report. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inventory.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const config *cfg(void)
{
    static config *c;
    if (!c) {
        static const char text[] = "listen: 127.0.0.1:5050\nrules: node/rules.yaml\n"
                                   "discovery: {max_hosts: 4, max_endpoints: 200, max_parameters: 16}\n";
        config_errors e = {0};
        c = config_load_buffer(text, sizeof text - 1, "fuzz.yaml", NULL, &e);
        config_errors_free(&e);
        if (!c) abort();                        /* run from the repository root */
    }
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned runs;
    const char *nl = memchr(data, '\n', size);
    size_t head = nl ? (size_t)(nl - (const char *)data) : size;
    char *line = malloc(head + 1);
    if (!line) abort();
    memcpy(line, data, head);
    line[head] = '\0';
    char *query = strchr(line, '?');
    if (query) *query++ = '\0';
    const char *body = nl ? nl + 1 : NULL;
    size_t blen = nl ? size - head - 1 : 0;
    httpreq_header h[] = {{"Content-Type", size && data[0] & 2 ? "application/x-www-form-urlencoded" : "application/json"},
                         {"X-Api-Version", "2"}, {"Authorization", "Bearer abcdefghijklmnopqrstuvwxyz"}};
    decide_input in = {.method = size && data[0] & 4 ? "POST" : "GET", .path = line, .query = query, .headers = h,
                       .nheaders = 3, .body = body, .body_len = blen};
    decide_result res;
    memset(&res, 0, sizeof res);
    res.type = size && data[0] & 1 ? DECIDE_RESPONSE : DECIDE_REQUEST;
    res.analysed = 1;
    res.status = 200;
    res.verdict = res.type == DECIDE_RESPONSE ? "recorded" : "pass";
    res.response_status = 200;
    res.application = 1;
    snprintf(res.host, sizeof res.host, "h%u.example", size ? data[size - 1] % 3u : 0u);
    snprintf(res.request_id, sizeof res.request_id, "r%u", runs % 7u);
    inventory_observe(cfg(), &in, &res, NULL);
    char tmpl[512];
    if (inventory_template(line, tmpl, sizeof tmpl) == 0 && tmpl[0] != '/') abort();
    if (++runs % 256 == 0) {
        free(inventory_openapi(0, 0, NULL));
        free(inventory_summary(1, 1, "h1.example"));
    }
    if (runs % 4096 == 0) inventory_reset();
    free(line);
    return 0;
}
