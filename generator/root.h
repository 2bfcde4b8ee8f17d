/* root.h -- where bundlegen's data (platforms/, templates/, changelog/) lives.
 * --root DIR, else $BUNDLEGEN_ROOT, else the current folder when it holds platforms/, else the installed copy. */
#ifndef ROOT_H
#define ROOT_H
#include <stddef.h>

/* The installed data folder, $(PREFIX)/share/bundlegen, fixed at build time. */
const char *root_installed(void);

/* The data folder to use; option is --root's value or NULL. Returns a new string, or NULL with
 * err naming what was tried. */
char *root_find(const char *option, char *err, size_t errsz);

#endif
