/* fingerprint.h -- what a platform's bundles are made of (its manifest, the shared parameters, its
 * templates and the shared partials it uses) as a file set, and the set's SHA-256 fingerprint. */
#ifndef FINGERPRINT_H
#define FINGERPRINT_H
#include <stddef.h>
#include "manifest.h"
#include "pack.h"

/* Files named by their path under the data root ("platforms/kong.yaml", "templates/kong/x.lua"),
 * data with CRLF line endings turned into LF; paths and data owned. */
typedef struct fingerprint_set {
    pack_file *files;
    size_t     n, cap;
} fingerprint_set;

/* Adds a copy of data as path, line endings normalised. 0, or -1 on memory failure. */
int  fingerprint_add(fingerprint_set *s, const char *path, const void *data, size_t len);
/* Adds every regular file below ROOT/REL (named REL/...) not in the set yet; symbolic links are refused. */
int  fingerprint_add_dir(fingerprint_set *s, const char *root, const char *rel, char *err, size_t errsz);
const pack_file *fingerprint_get(const fingerprint_set *s, const char *path);
void fingerprint_set_free(fingerprint_set *s);

/* Collects m's sources below root: platforms/_common.yaml, platforms/ID.yaml, every file below
 * the template folders holding m's files, and the shared partials ({{> _NAME/...}}) they use,
 * transitively. Sorted by path. 0, or -1 with err filled. */
int fingerprint_collect(const char *root, const manifest *m, fingerprint_set *out, char *err, size_t errsz);

/* The fingerprint: SHA-256 of the sha256sum listing ("HEX  path\n", sorted by path) of the set,
 * so it does not depend on the order files were found in nor on the checkout's line endings. */
int fingerprint_of(const fingerprint_set *s, char hex[65]);

/* Loads platform id's manifest below root and fingerprints its sources. */
int fingerprint_platform(const char *root, const char *id, char hex[65], char *err, size_t errsz);

#endif
