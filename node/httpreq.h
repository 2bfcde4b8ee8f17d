/* httpreq.h -- one HTTP request as the node's decoders, detection, filters and oversize policy
 * read it: borrowed pointers into what the listener received, nothing owned, nothing parsed yet. */
#ifndef HTTPREQ_H
#define HTTPREQ_H
#include <stddef.h>

typedef struct httpreq_header { const char *name, *value; } httpreq_header;

typedef struct httpreq {
    const char *method;
    const char *path;              /* raw request path, without the query */
    const char *query;             /* raw query string without '?', or NULL */
    const httpreq_header *headers; /* as received, including Cookie, Content-Type, User-Agent */
    size_t nheaders;
    const char *body;              /* may hold NUL bytes; NULL when none */
    size_t body_len;
} httpreq;

#endif
