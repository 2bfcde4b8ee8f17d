/* value.c -- plain-text form of JSON values (see value.h).
 * Integers print without a fraction; other numbers in the shortest form that reads back exactly. */
#include "value.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "00" to "99": integers are written two digits at a time. */
static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static int number_str_other(double d, char tmp[40]);

int value_number_str(double d, char tmp[40])
{
    if (d > -1e15 && d < 1e15 && (double)(long long)d == d) {    /* integers: no printf (NaN fails) */
        unsigned long long u = (unsigned long long)(d < 0 ? -d : d);
        char dig[40], *end = dig + 20, *p = end;                  /* at most 16 bytes end at dig + 20 */
        for (; u >= 100; u /= 100) { p -= 2; memcpy(p, digit_pairs + u % 100 * 2, 2); }
        if (u >= 10) { p -= 2; memcpy(p, digit_pairs + u * 2, 2); }
        else *--p = (char)('0' + u);
        if (d < 0) *--p = '-';
        memcpy(tmp, p, 16);                                       /* one block: p + 16 stays inside dig */
        tmp[end - p] = '\0';
        return (int)(end - p);
    }
    return number_str_other(d, tmp);
}

/* Numbers that are not integers below 10^15: apart, so that integers need no stack frame. */
static __attribute__((noinline)) int number_str_other(double d, char tmp[40])
{
    if (!isfinite(d)) return -1;
    int n = 0;
    if (d == floor(d) && fabs(d) < 9007199254740992.0)           /* 2^53: exact integers */
        return snprintf(tmp, 40, "%.0f", d);
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, 40, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d) break;
    }
    return n;
}

int value_number(double d, buf *out)
{
    char tmp[40];
    int n = value_number_str(d, tmp);
    return n < 0 ? -1 : buf_append(out, tmp, (size_t)n);
}

int value_text(const cJSON *v, buf *out)
{
    if (!v || cJSON_IsNull(v)) return 0;
    if (cJSON_IsTrue(v)) return buf_puts(out, "true");
    if (cJSON_IsFalse(v)) return buf_puts(out, "false");
    if (cJSON_IsNumber(v)) return value_number(v->valuedouble, out);
    if (cJSON_IsString(v)) return buf_puts(out, v->valuestring);
    return -1;
}

int value_truthy(const cJSON *v)
{
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return 0;
    if (cJSON_IsArray(v)) return cJSON_GetArraySize(v) > 0;
    if (cJSON_IsString(v)) return v->valuestring && v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v)) return v->valuedouble != 0 && !isnan(v->valuedouble);
    return 1;                                           /* objects and non-empty lists */
}

long value_json_nul_escape(const char *text, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!in_string) { if (c == '"') in_string = 1; continue; }
        if (c == '"') { in_string = 0; continue; }
        if (c != '\\' || i + 1 >= len) continue;
        if (text[i + 1] == 'u' && i + 5 < len && text[i + 2] == '0' && text[i + 3] == '0' &&
            text[i + 4] == '0' && text[i + 5] == '0')
            return (long)i;
        i++;                                            /* skip the escaped character */
    }
    return -1;
}
