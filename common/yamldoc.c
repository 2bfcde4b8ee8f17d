/* yamldoc.c -- one YAML document and positioned errors (see yamldoc.h).
 * A stream with a second document is refused, so nothing in a file is silently ignored. */
#include "yamldoc.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int yamldoc_where(const yamldoc *d, const yaml_node_t *n, char *out, size_t size)
{
    return snprintf(out, size, "%s:%zu:%zu: ", d->file, n ? n->start_mark.line + 1 : 1,
                    n ? n->start_mark.column + 1 : 1);
}

int yamldoc_fail(yamldoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    int k = yamldoc_where(d, n, d->err, d->errsz);
    if (k < 0 || (size_t)k >= d->errsz) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err + k, d->errsz - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

yaml_node_t *yamldoc_node(yamldoc *d, int id) { return yaml_document_get_node(&d->doc, id); }

const char *yamldoc_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int syntax_error(yamldoc *d, const yaml_parser_t *p)
{
    snprintf(d->err, d->errsz, "%s:%zu:%zu: YAML: %s%s%s", d->file, p->problem_mark.line + 1,
             p->problem_mark.column + 1, p->problem ? p->problem : "syntax error",
             p->context ? " " : "", p->context ? p->context : "");
    return -1;
}

/* Loads the parser's input as exactly one document. */
static int load(yamldoc *d, yaml_parser_t *p)
{
    int rc = 0;
    if (!yaml_parser_load(p, &d->doc)) {
        rc = syntax_error(d, p);
    } else if (!yaml_document_get_root_node(&d->doc)) {
        yaml_document_delete(&d->doc);
        rc = yamldoc_fail(d, NULL, "the file is empty");
    } else {
        yaml_document_t more;
        if (!yaml_parser_load(p, &more)) {
            rc = syntax_error(d, p);
        } else {
            if (yaml_document_get_root_node(&more))
                rc = yamldoc_fail(d, yaml_document_get_root_node(&more), "only one YAML document is allowed");
            yaml_document_delete(&more);
        }
        if (rc < 0) yaml_document_delete(&d->doc);
    }
    yaml_parser_delete(p);
    return rc;
}

int yamldoc_load(yamldoc *d, const char *src, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return yamldoc_fail(d, NULL, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)src, len);
    return load(d, &p);
}

int yamldoc_load_file(yamldoc *d)
{
    FILE *f = fopen(d->file, "rb");
    if (!f) return yamldoc_fail(d, NULL, "cannot open: %s", strerror(errno));
    yaml_parser_t p;
    int rc = -1;
    if (!yaml_parser_initialize(&p)) {
        yamldoc_fail(d, NULL, "out of memory");
    } else {
        yaml_parser_set_input_file(&p, f);
        rc = load(d, &p);
    }
    fclose(f);
    return rc;
}
