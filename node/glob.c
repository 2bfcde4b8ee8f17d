/* glob.c -- host name globs (see glob.h).
 * Matching is fnmatch(3) with case folding; only the syntax check is ours. */
#define _GNU_SOURCE 1               /* FNM_CASEFOLD */
#include "glob.h"
#include <fnmatch.h>
#include <string.h>

const char *glob_check(const char *p)
{
    if (!p || !*p) return "empty glob";
    for (; *p; p++) {
        if (*p == '\\') {
            if (!p[1]) return "trailing '\\' escapes nothing";
            p++;
        } else if (*p == '[') {
            const char *q = p + 1;
            if (*q == '!' || *q == '^') q++;
            if (*q == ']') q++;                 /* a leading ']' is literal */
            while (*q && *q != ']') q++;
            if (!*q) return "unclosed '[' in glob";
            if (q == p + 1) return "empty '[]' in glob";
            p = q;
        }
    }
    return NULL;
}

int glob_match(const char *pattern, const char *name)
{
    return fnmatch(pattern, name, FNM_CASEFOLD) == 0;
}

int glob_is_literal(const char *p)
{
    return strpbrk(p, "*?[\\") == NULL;
}
