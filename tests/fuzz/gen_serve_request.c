/* gen_serve_request.c -- libFuzzer target for bundlegen serve's request parsing (generator/request.c):
 * query strings, the plain form's query, POST bodies and the If-None-Match, Accept and Authorization headers, with invariants. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every value of "token" in a parsed query is REDACTED or empty. */
static void check_redacted(const cJSON *params)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(params, "token"), *v;
    if (!t) return;
    if (cJSON_IsString(t)) {
        if (strcmp(t->valuestring, "REDACTED") && t->valuestring[0]) abort();
        return;
    }
    cJSON_ArrayForEach(v, t)
        if (!cJSON_IsString(v) || (strcmp(v->valuestring, "REDACTED") && v->valuestring[0])) abort();
}

static void errors_valid(const cJSON *errors)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, errors) {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "parameter"))) abort();
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (!cJSON_IsString(m) || !m->valuestring[0]) abort();
    }
}

static void fuzz_query(const char *q, size_t n)
{
    cJSON *params = cJSON_CreateObject(), *errors = cJSON_CreateArray();
    char *version = NULL;
    if (params && errors && request_parse_query(q, n, params, &version, errors) == 0) {
        errors_valid(errors);
        const cJSON *v;
        cJSON_ArrayForEach(v, params) {                   /* strings, or arrays of two or more */
            if (!cJSON_IsString(v) && !(cJSON_IsArray(v) && cJSON_GetArraySize(v) >= 2)) abort();
            if (!strcmp(v->string, "version")) abort();
        }
        buf red = BUF_INIT;
        const char *secrets[] = {"token", "secret"};
        if (request_redact_query(q, n, secrets, 2, &red) == 0) {
            for (size_t i = 0; i < red.len; i++)
                if ((unsigned char)red.data[i] <= 0x20 || (unsigned char)red.data[i] >= 0x7f || red.data[i] == '"') abort();
            cJSON *p2 = cJSON_CreateObject(), *e2 = cJSON_CreateArray();
            char *v2 = NULL;
            if (p2 && e2 && request_parse_query(red.data ? red.data : "", red.len, p2, &v2, e2) == 0) check_redacted(p2);
            free(v2);
            cJSON_Delete(p2);
            cJSON_Delete(e2);
        }
        buf_free(&red);
    }
    free(version);
    cJSON_Delete(params);
    cJSON_Delete(errors);
}

static void fuzz_body(const char *b, size_t n)
{
    cJSON *errors = cJSON_CreateArray(), *params = NULL;
    char *platform = NULL, *version = NULL;
    if (errors && request_parse_body(b, n, &platform, &version, &params, errors) == 0) {
        errors_valid(errors);
        if (cJSON_GetArraySize(errors) == 0 && (!platform || !platform[0] || !cJSON_IsObject(params))) abort();
    }
    free(platform);
    free(version);
    cJSON_Delete(params);
    cJSON_Delete(errors);
}

/* The plain form's query: an id of id characters only; the rest never carries platform= and is no
 * longer than the query. */
static void fuzz_download(const char *q, size_t n)
{
    char id[65];
    buf rest = BUF_INIT;
    if (request_download(q, n, id, &rest) == 0) {
        if (strlen(id) > 64 || strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(id)) abort();
        if (rest.len > n || (rest.data && (!strncmp(rest.data, "platform=", 9) || strstr(rest.data, "&platform=")))) abort();
    }
    buf_free(&rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *s = malloc(size);                 /* the rest, NUL-terminated for the header parsers */
    if (!s) return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    size_t n = size - 1;
    const char *tok;
    size_t tl;
    switch (data[0] % 6) {
    case 0: fuzz_query(s, n); break;
    case 1: fuzz_body(s, n); break;
    case 2:
        if (request_etag_match(s, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") && !strchr(s, '*') &&
            !strstr(s, "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"")) abort();
        break;
    case 3: (void)request_wants_markdown(s); break;
    case 4:
        if (request_bearer(s, &tok, &tl) == 0 && (tok < s || tok + tl > s + strlen(s) || !tl)) abort();
        break;
    case 5: fuzz_download(s, n); break;
    }
    free(s);
    return 0;
}
