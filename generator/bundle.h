/* bundle.h -- one connector bundle: manifest + parameters -> rendered files -> packed bytes + SHA-256.
 * The pieces are separate so the CLI, the HTTP server and the release share them. */
#ifndef BUNDLE_H
#define BUNDLE_H
#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "buf.h"
#include "fingerprint.h"
#include "manifest.h"
#include "pack.h"
#include "tmpl.h"

#ifndef PROJECT_VERSION
#error "PROJECT_VERSION is set from the VERSION file by the Makefile"
#endif
#define BUNDLEGEN_VERSION PROJECT_VERSION
#define BUNDLE_PROTOCOL_VERSION 1
#define BUNDLE_DIGEST_LEN 12
#define BUNDLE_DEFAULT_EPOCH ((time_t)1767225600)   /* 2026-01-01T00:00:00Z, until the changelog gives dates */

typedef struct bundle {
    pack_kind  kind;
    char      *file_name;   /* the manifest's archive name for this version */
    pack_file *files;       /* rendered, in the manifest's order; paths and data owned */
    size_t     nfiles;
    pack_file *entries;     /* what is packed, when the manifest has archives inside the bundle (owned); */
    size_t     nentries;    /* else NULL and the files are packed as they are */
    buf        packed;      /* the zip or tar.gz bytes; empty for a folder */
    char       sha256[65];  /* of packed, or of the folder's sha256sum listing */
} bundle;

/* What the bundle packs: its entries when it has archives inside, else its rendered files. */
const pack_file *bundle_entries(const bundle *b, size_t *n);

/* The templates one platform needs, compiled and linked: its sources as fingerprint_collect finds
 * them (every file below the top folders holding m's files) and every file below the shared
 * ROOT/templates/_NAME/ folders, then m's files; a file whose language the manifest overrides is
 * also added as "TEMPLATE@LANG". Other platforms' folders are not read, so a broken one cannot
 * break this platform. NULL with err filled. */
tmpl_set *bundle_templates(const char *root, const manifest *m, char *err, size_t errsz);

/* The same from sources in memory (fingerprint.h): every templates/... file of s, named by its
 * path below templates/ without a trailing .mustache, then m's language overrides. */
tmpl_set *bundle_templates_from(const fingerprint_set *s, const manifest *m, char *err, size_t errsz);

/* One platform version, ready to render: what generate, serve and release all start from. */
typedef struct bundle_source {
    manifest *m;
    tmpl_set *set;
    char      version[32];     /* the bundle version rendered */
    char      date[11];        /* its changelog date, "" without a changelog */
    char      node[32];        /* the minimum node version, "" without a changelog */
    char      fingerprint[65]; /* of the sources rendered */
    time_t    mtime;           /* archive entry time: the date at 00:00 UTC, or SOURCE_DATE_EPOCH */
    int       from_pack;       /* rendered from the version's template pack, not the tree */
    int       has_changelog;   /* 0: no changelog/ID.yaml yet: only the manifest's version renders */
    int       stale;           /* current version whose tree no longer has the recorded fingerprint */
} bundle_source;

/* Resolves platform id at version (NULL: the current one, the changelog's newest entry).
 * The current version renders from the tree below root, after checking that the manifest's
 * version: agrees with the changelog; an older one from its template pack in packs_dir (NULL:
 * ROOT/packs), which must still match the recorded fingerprint. An unknown version gets an error
 * listing the known ones. 0, or -1 with err filled. */
int  bundle_resolve(const char *root, const char *packs_dir, const char *id, const char *version,
                    bundle_source *out, char *err, size_t errsz);
void bundle_source_free(bundle_source *s);

/* The set's name for file i of m. */
void bundle_template_name(const manifest *m, size_t i, char *out, size_t outsz);

/* The render context: platform {id, name, runtime}, version, generator_version, protocol_version,
 * time (plimits_add_time, with a time budget), and the validated parameters (params is consumed). NULL on memory failure. */
cJSON *bundle_context(const manifest *m, const char *version, cJSON *params);

/* Renders every file of m with ctx and packs them with entry time mtime. Files marked digest:
 * are rendered last, with content_digest added to ctx: the first BUNDLE_DIGEST_LEN hex digits of
 * the SHA-256 of the sha256sum listing of the other files (same content, same digest). The
 * files are packed in rendering order. 0; -1 with err filled;
 * BUNDLE_LIMIT when the result is beyond the manifest's limits.bundle or limits.unpacked (a
 * refusal of the parameters, HTTP 400, rather than a failure). */
#define BUNDLE_LIMIT (-2)
int  bundle_make(const manifest *m, const tmpl_set *set, const cJSON *ctx, const char *version,
                 time_t mtime, bundle *out, char *err, size_t errsz);

/* Writes the bundle to path ("-": stdout, archives only) through a temporary name. */
int  bundle_write(const bundle *b, const char *path, char *err, size_t errsz);
void bundle_free(bundle *b);

#endif
