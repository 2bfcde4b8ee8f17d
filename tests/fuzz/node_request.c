/* node_request.c -- libFuzzer target for request handling (node/decide.c + the engine + events).
 * Input: "METHOD PATH[?QUERY]\n" then "Name: value\n" headers, a blank line, then the body. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decide.h"
#include "events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char cfg_text[] =
    "listen: 127.0.0.1:5050\n"
    "mode: safe_blocking\n"
    "rules: node/rules.yaml\n"
    "allowed_hosts: ['*.example.com', 'localhost']\n"
    "graylist: [10.0.0.0/8]\n"
    "denylist: [192.0.2.0/24]\n"
    "allowlist: [10.9.0.0/16]\n"
    "input_filters: {bypass: [{path: '^/static/', headers: {User-Agent: '^probe'}}]}\n"
    "routes:\n"
    "  - host: '*.example.com'\n"
    "    path: /api\n"
    "    mode: block\n"
    "    routes: [{path: '~* admin', application: 5}]\n";

static node_state *state(void)
{
    static node_state *s;
    if (!s) {
        config_errors e = {0};
        config *c = config_load_buffer(cfg_text, sizeof cfg_text - 1, "fuzz.yaml", NULL, &e);
        s = c ? state_from_config(c, &e) : NULL;
        for (size_t i = 0; i < e.n; i++) fprintf(stderr, "%s\n", e.v[i]);
        if (!s) abort();                        /* run from the repository root */
        config_errors_free(&e);
    }
    return s;
}

/* Splits off one line (up to '\n') as a NUL-terminated copy; advances *p. */
static char *take_line(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n = (size_t)(stop - *p);
    char *s = malloc(n + 1);
    if (!s) abort();
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = nl ? nl + 1 : end;
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    char *first = take_line(&p, end);
    char *lines[32];
    httpreq_header h[32];
    size_t nh = 0;
    while (p < end && nh < 32) {
        char *l = take_line(&p, end);
        if (!*l) { free(l); break; }
        char *colon = strchr(l, ':');
        lines[nh] = l;
        h[nh].name = l;
        h[nh].value = "";
        if (colon) {
            *colon = '\0';
            h[nh].value = colon[1] == ' ' ? colon + 2 : colon + 1;
        }
        nh++;
    }
    char *method = first, *path = strchr(first, ' '), *query = NULL;
    if (path) *path++ = '\0'; else path = "/";
    /* small limits, so that cutting the head to them is exercised as much as deciding */
    static const oversize_limits lim = {64, 48, 256, 4};
    oversize_view view;
    if (oversize_fit_head(&lim, method, path, "HTTP/1.1", h, nh, &view) < 0) abort();
    if ((query = strchr(path, '?'))) *query++ = '\0';
    decide_input in = {method, path, query, h, nh, p, (size_t)(end - p), {0}, NULL, view.over, &view};
    cidr_addr_parse(size && data[0] & 1 ? "10.1.2.3" : "192.0.2.9", in.peer);
    decide_result r;
    int st = decide_message(state(), &in, &r);
    if (st != -1 && st != 200 && st != 204 && st != 403 && st != 401 && st != 415) abort();
    for (int i = 0; i < r.det.nhits && st > 0; i++) free(events_format(&r, i, "2026-01-01T00:00:00.000Z"));
    decide_result_free(&r);
    oversize_view_free(&view);
    for (size_t i = 0; i < nh; i++) free(lines[i]);
    free(first);
    return 0;
}
