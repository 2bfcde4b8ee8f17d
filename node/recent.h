/* recent.h -- what the node remembers about recent requests, by connector request id, so a later
 * response report (same X-Connector-Request-Id) can be tied to its request.
 * A fixed table: a new id overwrites whatever held its slot, so memory never grows. Thread-safe. */
#ifndef RECENT_H
#define RECENT_H
#include <stddef.h>

#define RECENT_PAYLOAD 64

typedef struct recent recent;

recent *recent_new(size_t slots);
void    recent_free(recent *r);
/* Remembers len (at most RECENT_PAYLOAD) bytes for id; ids that are empty are not kept. */
void    recent_put(recent *r, const char *id, const void *data, size_t len);
/* Copies what was kept for id into out (RECENT_PAYLOAD bytes); 1 when found, else 0. */
int     recent_get(recent *r, const char *id, void *out);

#endif
