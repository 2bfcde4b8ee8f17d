/* units.c -- sizes and durations (see units.h): digits and a unit suffix, scaled with an overflow
 * check; one table per kind, so both programs read "64k" and "30s" alike. */
#include "units.h"
#include <string.h>

typedef struct unit { const char *suffix; long long mul; } unit;

/* Digits followed by one of units' suffixes, scaled, at most max. UNITS_BARE when digits stand
 * alone and "" is not among the suffixes. */
static int scaled(const char *text, const unit *units, long long max, long long *out)
{
    long long v = 0;
    size_t n = 0;
    for (; text[n] >= '0' && text[n] <= '9'; n++) {
        if (v > (max - (text[n] - '0')) / 10) return UNITS_BAD;
        v = v * 10 + (text[n] - '0');
    }
    if (n == 0) return UNITS_BAD;
    for (const unit *u = units; u->suffix; u++) {
        if (strcmp(text + n, u->suffix)) continue;
        if (v > max / u->mul) return UNITS_BAD;
        *out = v * u->mul;
        return 0;
    }
    return text[n] ? UNITS_BAD : UNITS_BARE;
}

int units_size(const char *text, long long max, long long *bytes)
{
    static const unit units[] = {{"", 1}, {"k", 1LL << 10}, {"K", 1LL << 10}, {"m", 1LL << 20}, {"M", 1LL << 20},
                                 {"g", 1LL << 30}, {"G", 1LL << 30}, {NULL, 0}};
    return scaled(text, units, max, bytes);
}

int units_duration(const char *text, long long max_ms, long long *ms)
{
    static const unit units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {NULL, 0}};
    int rc = scaled(text, units, max_ms, ms);
    if (rc == UNITS_BARE && !strcmp(text, "0")) { *ms = 0; return 0; }     /* 0 is 0 in any unit */
    return rc;
}

const char *units_why(int rc, int duration)
{
    if (rc == UNITS_BARE) return UNITS_BARE_WHY;
    return duration ? "expected " UNITS_DURATION_FORM : "expected " UNITS_SIZE_FORM;
}
