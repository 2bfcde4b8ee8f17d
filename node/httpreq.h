/* httpreq.h -- one HTTP request as the node's decoders, detection, filters and oversize policy
 * read it: borrowed pointers into what the listener received, nothing owned, nothing parsed yet. */
#ifndef HTTPREQ_H
#define HTTPREQ_H
#include <stddef.h>
#include "http1.h"

typedef http1_field httpreq_header;      /* the listener's header lines, as http1.h reads them */

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
