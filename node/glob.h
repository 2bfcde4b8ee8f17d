/* glob.h -- host name globs: '*', '?', '[...]' and '\' escapes, matching the whole name.
 * Host names compare case-insensitively; a pattern is checked once with glob_check. */
#ifndef GLOB_H
#define GLOB_H
#include <stddef.h>

/* Returns NULL when pattern is a valid glob, else a static reason. */
const char *glob_check(const char *pattern);
/* 1 when name matches the whole pattern, else 0. */
int glob_match(const char *pattern, const char *name);
/* 1 when the pattern holds no wildcard at all (a literal name). */
int glob_is_literal(const char *pattern);

#endif
