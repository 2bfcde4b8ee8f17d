/* units.h -- sizes and durations as people write them, read the same way by bundlegen and edgenode
 * (manifests, --set, query strings, the node's config, command-line options).
 *
 * Size:     digits, then nothing (bytes) or k, m, g (KiB, MiB, GiB; either case): 512, 64k, 1m, 2g.
 * Duration: digits, then ms, s, m or h: 250ms, 30s, 2m, 1h. A bare number is refused, except 0:
 *           bundlegen used to read one as milliseconds and edgenode as seconds, so a bare number
 *           now gets an error that asks for the unit instead of being silently reinterpreted.
 *           (A JSON number in the download API's body is milliseconds: JSON has no units.)
 * No sign, no spaces, no fractions. */
#ifndef UNITS_H
#define UNITS_H

/* What the parsers return besides 0. */
#define UNITS_BAD  (-1)   /* not of that form (or above max) */
#define UNITS_BARE (-2)   /* a duration without its unit */

/* How each is written, for messages. */
#define UNITS_SIZE_FORM     "a size like 512, 64k, 1m or 1g (bytes; k, m, g are powers of 1024)"
#define UNITS_DURATION_FORM "a duration like 250ms, 30s, 2m or 1h"
#define UNITS_BARE_WHY      "a duration needs its unit (ms, s, m or h): a bare number is no longer read " \
                            "as milliseconds or seconds"

/* text as bytes, at most max: 0, or UNITS_BAD. */
int units_size(const char *text, long long max, long long *bytes);

/* text as milliseconds, at most max_ms: 0, UNITS_BAD or UNITS_BARE. */
int units_duration(const char *text, long long max_ms, long long *ms);

/* The message for a units_* result other than 0: UNITS_BARE_WHY, or "expected " + the form. */
const char *units_why(int rc, int duration);

#endif
