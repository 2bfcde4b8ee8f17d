/* pack.h -- deterministic bundle packing (zip, tar.gz, or a folder) and safe output.
 * Same files in, same bytes out; output goes to a temporary name that is renamed when complete. */
#ifndef PACK_H
#define PACK_H
#include <stddef.h>
#include <time.h>
#include "buf.h"

typedef enum pack_kind { PACK_ZIP, PACK_TGZ, PACK_DIR } pack_kind;

typedef struct pack_file {
    const char *path;     /* relative, '/'-separated, no ".." */
    const void *data;
    size_t      len;
    unsigned    mode;     /* 0644 or 0755 */
} pack_file;

int         pack_kind_parse(const char *name, pack_kind *out);   /* "zip", "tar.gz", "files" */
const char *pack_kind_label(pack_kind k);

/* The fixed entry time: SOURCE_DATE_EPOCH when it holds a valid non-negative integer, else fallback. */
time_t pack_epoch(time_t fallback);

/* Packs files (in any order: entries are sorted by path) into out as a zip or a tar.gz. Every entry
 * gets mtime, uid/gid 0 and no owner names; the gzip header carries no name and no time.
 * Returns 0, or -1 with err filled. */
int pack_build(pack_kind k, const pack_file *files, size_t n, time_t mtime, buf *out,
                 char *err, size_t errsz);

/* Zip entries are deflated through dcache.h (compressed forms reused across bundles when a limit
 * is set there) and handed to libzip already compressed. pack_zip_reference(1) makes libzip compress
 * each entry itself instead: the same bytes, the reference the tests compare with. Not thread-safe:
 * set it before packing. */
void pack_zip_reference(int on);

/* One archive inside the bundle: the files below folder `from` packed, at their paths below it, into
 * a zip or tar.gz entry at `path` (a platform that imports each part as its own archive). */
typedef struct pack_nested {
    const char *path;
    const char *from;
    pack_kind   kind;     /* PACK_ZIP or PACK_TGZ */
} pack_nested;

/* The bundle's entries with each nested archive built in place of the files it holds: *out (owned:
 * free with pack_files_free) gets the other files copied and one entry per nested archive, packed
 * with pack_build and mtime. A nested archive holding no file is an error. Returns 0, or -1 with err. */
int  pack_nest(const pack_nested *nest, size_t nn, const pack_file *files, size_t n, time_t mtime,
               pack_file **out, size_t *nout, char *err, size_t errsz);
void pack_files_free(pack_file *files, size_t n);

/* Writes data to path through a temporary file in the same directory renamed into place;
 * path "-" writes to stdout. On failure nothing is left behind. */
int pack_save(const char *path, const void *data, size_t len, char *err, size_t errsz);

/* Writes the files as a folder: built under a temporary name beside dir, renamed to dir when
 * complete. dir must not exist yet. */
int pack_save_dir(const char *dir, const pack_file *files, size_t n, char *err, size_t errsz);

/* SHA-256 of data as 64 lowercase hex digits. For a folder, the digest of its listing in the
 * sha256sum format ("HEX  path\n" per file, sorted by path). Computed by OpenSSL's EVP, which uses
 * the CPU's SHA extensions where it has them (about 5 us for a 7.9 KB bundle, against 23 us for
 * libsodium's portable code; valgrind hides the extensions, so callgrind counts the slower path).
 * tests/unit/gen_sha256.c checks both OpenSSL paths against known answers and libsodium. */
int pack_sha256(const void *data, size_t len, char hex[65]);
int pack_sha256_files(const pack_file *files, size_t n, char hex[65]);

#endif
