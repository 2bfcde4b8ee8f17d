/* manifest.h -- a platform's manifest (platforms/<id>.yaml) and the shared parameters (_common.yaml).
 * Loaded strictly with libyaml: every error names file:line:column and the field. */
#ifndef MANIFEST_H
#define MANIFEST_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "lang.h"
#include "plimits.h"
#include "pack.h"
#include "params.h"

typedef struct manifest_file {
    char     *tmpl;        /* template path under templates/ */
    char     *path;        /* path in the bundle */
    int       has_lang;    /* language given in the manifest (else: from the extension) */
    tmpl_lang lang;
    unsigned  mode;        /* 0644 or 0755 */
    int       digest;      /* rendered after the others, with {{content_digest}} naming their content */
} manifest_file;

typedef struct manifest_check {
    char *file;            /* a path in the bundle */
    char *run;             /* the check's name, e.g. "node-check" */
} manifest_check;

typedef struct manifest_archive {
    char     *path;        /* the inner archive's path in the bundle, ending .zip or .tar.gz */
    char     *from;        /* the folder of bundle files it holds, at their paths below it */
    pack_kind kind;
} manifest_archive;

typedef struct manifest {
    char          *id, *name, *runtime, *version, *archive_name;
    pack_kind      archive;
    manifest_file *files;
    size_t         nfiles;
    param_def     *params;   /* the common ones it uses (in _common.yaml's order), then its own */
    size_t         nparams;
    manifest_check *checks;
    size_t         nchecks;
    manifest_archive *archives;   /* archives inside the bundle, built by the pack step */
    size_t         narchives;
    plimits        limits;   /* the platform's own limits (limits.h); all unset without a limits: key */
} manifest;

typedef struct manifest_common {
    param_def *params;
    size_t     nparams;
} manifest_common;

/* Parses _common.yaml's text (name is used in messages). NULL with err filled on error. */
manifest_common *manifest_common_parse(const char *name, const char *src, size_t len,
                                       char *err, size_t errsz);
void manifest_common_free(manifest_common *c);

/* Parses a manifest's text against the common parameters. When templates is not NULL, every
 * file's template must exist below that folder. NULL with err filled on error. */
manifest *manifest_parse(const char *name, const char *src, size_t len, const manifest_common *common,
                         const char *templates, char *err, size_t errsz);

/* Loads ROOT/platforms/_common.yaml and ROOT/platforms/ID.yaml, checking files under
 * ROOT/templates. An unknown id gets an error listing the known ones. */
manifest *manifest_load(const char *root, const char *id, char *err, size_t errsz);
void      manifest_free(manifest *m);

/* The platform ids of ROOT/platforms (every *.yaml not starting with '_'), sorted. */
int  manifest_list(const char *root, char ***ids, size_t *n, char *err, size_t errsz);
void manifest_list_free(char **ids, size_t n);

/* The archive's file name for version: {id} and {version} replaced. Caller frees. */
char *manifest_archive_file(const manifest *m, const char *version);

const param_def *manifest_param(const manifest *m, const char *name);

/* describe: id, name, runtime, version, archive, archive_name, files, parameters, checks, archives,
 * limits. */
cJSON *manifest_json(const manifest *m);

/* Whether p is a relative path below a folder: no leading '/', no empty, "." or ".." segment,
 * no backslash or control character, at most 1024 bytes. Manifests and packs name files so. */
int manifest_safe_path(const char *p);

#endif
