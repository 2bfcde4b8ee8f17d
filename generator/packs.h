/* packs.h -- immutable, content-addressed template packs: the sources of one platform version
 * (see fingerprint.h) stored as DIR/<fingerprint>.tar.gz so that old versions still render. */
#ifndef PACKS_H
#define PACKS_H
#include <stddef.h>
#include "fingerprint.h"

/* The packs folder: option when given, else ROOT/packs. Caller frees; NULL on memory failure. */
char *packs_dir(const char *root, const char *option);

/* Stores s as DIR/HEX.tar.gz (HEX = its fingerprint, written to hex). An existing pack of that
 * name is verified, never rewritten. *created tells whether a file was written. 0, or -1. */
int packs_store(const char *dir, const fingerprint_set *s, char hex[65], int *created, char *err, size_t errsz);

/* Loads DIR/HEX.tar.gz into out and checks that its content still has fingerprint hex; a pack that
 * is missing, malformed or altered is refused with a message saying which. 0, or -1. */
int packs_load(const char *dir, const char *hex, fingerprint_set *out, char *err, size_t errsz);

/* The same from the pack's bytes (name is used in messages). */
int packs_parse(const char *name, const void *data, size_t len, const char *hex, fingerprint_set *out,
                char *err, size_t errsz);

#endif
