/* root.c -- finding the data folder: --root, $BUNDLEGEN_ROOT, the current folder, the installed one.
 * A folder qualifies when it holds a platforms/ folder. */
#include "root.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef BUNDLEGEN_DATADIR
#define BUNDLEGEN_DATADIR "/usr/local/share/bundlegen"
#endif

static int has_platforms(const char *dir)
{
    char path[4096];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/platforms", dir) >= (int)sizeof path) return 0;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *checked(const char *dir, const char *source, char *err, size_t errsz)
{
    if (!*dir || !has_platforms(dir)) {
        snprintf(err, errsz, "%s %s: no platforms/ folder there", source, dir);
        return NULL;
    }
    char *s = strdup(dir);
    if (!s) snprintf(err, errsz, "out of memory");
    return s;
}

const char *root_installed(void) { return BUNDLEGEN_DATADIR; }

char *root_find(const char *option, char *err, size_t errsz)
{
    if (option) return checked(option, "--root", err, errsz);
    const char *env = getenv("BUNDLEGEN_ROOT");
    if (env && *env) return checked(env, "BUNDLEGEN_ROOT", err, errsz);
    if (has_platforms(".")) return checked(".", "the current folder", err, errsz);
    if (has_platforms(BUNDLEGEN_DATADIR)) return checked(BUNDLEGEN_DATADIR, "the installed data", err, errsz);
    snprintf(err, errsz, "no data folder: give --root DIR, set BUNDLEGEN_ROOT, run where platforms/ is, "
             "or install to %s", BUNDLEGEN_DATADIR);
    return NULL;
}
