/* gen_tmpl.c -- libFuzzer target: compile and render arbitrary templates in every language.
 * Input: byte 0 picks the language, the rest up to the first NUL is the template, then JSON data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    tmpl_lang lang = (tmpl_lang)(data[0] % LANG_COUNT);
    const char *src = (const char *)data + 1;
    size_t rest = size - 1;
    const char *nul = memchr(src, '\0', rest);
    size_t tlen = nul ? (size_t)(nul - src) : rest;
    cJSON *json = nul ? cJSON_ParseWithLength(nul + 1, rest - tlen - 1) : NULL;
    if (!json) json = cJSON_Parse("{\"a\":\"x\\\"'<>&\\u2028\",\"b\":[1,2,{\"c\":true}],\"n\":null,\"p\":\"a\"}");

    tmpl_set *s = tmpl_set_new();
    tmpl_error err;
    /* the input is also its own partial "a", so partial and parent tags resolve */
    if (tmpl_set_add(s, "main", src, tlen, lang, &err) == 0 &&
        tmpl_set_add(s, "a", src, tlen, lang, &err) == 0 &&
        tmpl_set_link(s, &err) == 0) {
        tmpl_opts o = TMPL_OPTS_INIT;
        o.max_output = 1 << 20;
        o.max_depth = 16;
        buf out = BUF_INIT;
        if (tmpl_render(s, "main", json, &o, &out, &err) == 0 && out.len > o.max_output) abort();
        buf_free(&out);
    } else if (err.message[0] == '\0') {
        abort();                                        /* every failure must say why */
    }
    tmpl_set_free(s);
    cJSON_Delete(json);
    return 0;
}
