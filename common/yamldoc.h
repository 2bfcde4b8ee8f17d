/* yamldoc.h -- exactly one YAML document loaded with libyaml, and errors that point into it.
 * Shared by bundlegen (manifests, changelogs) and edgenode (config, rules): "FILE:LINE:COL: message". */
#ifndef YAMLDOC_H
#define YAMLDOC_H
#include <stddef.h>
#include <yaml.h>

typedef struct yamldoc {
    yaml_document_t doc;
    const char *file;     /* the name errors give */
    char *err;            /* where errors are written */
    size_t errsz;
} yamldoc;

/* Parses src as one document; 0, or -1 with err "FILE:LINE:COL: YAML: ...", "... the file is
 * empty" or "... only one YAML document is allowed". On 0 the caller deletes d->doc. */
int yamldoc_load(yamldoc *d, const char *src, size_t len);

/* The same for the file named d->file; a file that cannot be read gives "FILE:1:1: cannot open: ...". */
int yamldoc_load_file(yamldoc *d);

/* Writes "FILE:LINE:COL: " (n's position, or 1:1) and the message into d->err; returns -1. */
int yamldoc_fail(yamldoc *d, const yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes "FILE:LINE:COL: " for n (or 1:1) into out, for loaders that collect several errors;
 * returns what snprintf returns. */
int yamldoc_where(const yamldoc *d, const yaml_node_t *n, char *out, size_t size);

yaml_node_t *yamldoc_node(yamldoc *d, int id);

/* The node's scalar text, or NULL when n is absent or not a scalar. */
const char *yamldoc_scalar(const yaml_node_t *n);

#endif
