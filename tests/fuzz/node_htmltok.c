/* node_htmltok.c -- libFuzzer target for the HTML tokenizer and the JS-string reading: any bytes, a
 * verdict of 0 or 1 with a reason and a reading, NUL-terminated names, no read outside the value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "htmltok.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = malloc(size ? size : 1);     /* exact size: ASan sees a read past the value */
    if (!in) abort();
    memcpy(in, data, size);
    htmltok_info info;
    int v = htmltok_detect(in, size, &info);
    if (v != 0 && v != 1) abort();
    if (v != (info.reading >= 0) || v != (info.reason[0] != '\0')) abort();
    if (info.reading >= HTMLTOK_READINGS) abort();
    if (!memchr(info.tag, '\0', sizeof info.tag) || !memchr(info.attr, '\0', sizeof info.attr)) abort();
    if (v != htmltok_detect(in, size, NULL)) abort();
    int j = htmltok_js_breakout(in, size, &info);
    if (j != 0 && j != 1) abort();
    if (j != (info.reading >= 0) || j != (info.reason[0] != '\0')) abort();
    if (j && info.reading != HTMLTOK_JS_DQUOTE && info.reading != HTMLTOK_JS_SQUOTE) abort();
    free(in);
    return 0;
}
