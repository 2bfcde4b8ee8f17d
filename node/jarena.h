/* jarena.h -- cJSON documents parsed per request take their nodes and strings from a per-thread
 * arena instead of the heap, through cJSON's process-wide allocation hooks. */
#ifndef JARENA_H
#define JARENA_H
#include <stddef.h>

/* jarena_install sets the hooks (once, before any thread starts). From then on, every cJSON
 * allocation is malloc's, except inside jarena_parse: there it is a bump of the calling thread's
 * slot of a fixed pool. Freeing (cJSON_Delete, cJSON_free) tells the pool's pointers by address:
 * it counts a slot's allocations down (from any thread) and hands every other pointer to free().
 * A slot starts over at its first byte only when a parse begins and none of its allocations is
 * alive, so a document that outlives its request, or is freed on another thread, stays valid; a
 * slot that is full (a large body) or a thread without a slot (more threads than slots) just
 * uses malloc.
 *
 * What changes for other cJSON users in the process: with hooks other than malloc/free, cJSON
 * does not realloc while printing (it allocates, copies and frees instead). Printed text still
 * comes from malloc and may be freed with free() or cJSON_free(). Without jarena_install (unit
 * tests, fuzz targets, other programs), jarena_parse is cJSON_ParseWithLengthOpts. */

struct cJSON;

/* Sets cJSON's hooks to the pool's; call once, before other threads use cJSON. */
void jarena_install(void);

/* cJSON_ParseWithLengthOpts(s, n, end, 0), its allocations from the calling thread's slot. */
struct cJSON *jarena_parse(const char *s, size_t n, const char **end);

/* The allocations of slots that are alive (for tests): 0 when every parsed document was deleted. */
size_t jarena_live(void);

#endif
