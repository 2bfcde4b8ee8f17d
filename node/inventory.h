/* inventory.h -- API discovery: the endpoints, parameters, statuses and sensitive-data kinds seen
 * in traffic, per application and host, exported as OpenAPI 3.1 and as a JSON summary.
 *
 * Paths become templates: numbers, UUIDs, hex ids, dates and e-mail addresses are path parameters
 * ("/users/42" -> "/users/{id}"). Each path level has one parameter slot; once a level holds
 * INVENTORY_FOLD distinct literal segments, further new segments there go to that slot, so random
 * paths cannot grow it. Hosts, endpoints per host and parameters per endpoint are capped (config
 * "discovery"); what does not fit is counted as dropped. Values are never kept: only names,
 * inferred types and counts. Process-wide, thread-safe.
 *
 * With a shared store each replica publishes its summary there (under edgenode:inventory:REPLICA,
 * every discovery.publish_every) and the exports merge every replica's summary, so any replica
 * shows the whole API. */
#ifndef INVENTORY_H
#define INVENTORY_H
#include <stddef.h>
#include "decide.h"
#include "store.h"

#define INVENTORY_FOLD  32      /* distinct literal segments kept at one path level */
#define INVENTORY_DEPTH 16      /* path segments looked at; deeper ones fold into the last */

/* Learns from one decided message: an inline or async request that was analysed and carried no
 * attack adds to its endpoint; a response report adds its status and the sensitive kinds of its
 * body to the endpoint of its request (by request id when this process saw the request, else by
 * its path's template under the method in said (the inventory_report_op look-up after
 * store_run, or NULL), else under the one method this process knows it by). With a shared store,
 * a request to a template known under several methods leaves its method there for 2 minutes
 * (store_send: no round trip). New endpoints and parameters are written as discovery events.
 * Publishes when it is time. A JSON body's members come from res->body_json when detection
 * parsed the body (decide.h), else from parsing it here. */
void inventory_observe(const config *c, const decide_input *in, const decide_result *res, const store_op *said);
/* A recorded report whose request another replica saw, to a template known here under several
 * methods, with a shared store: fills op with the STORE_GET of its request's method (for the
 * caller's store_run, with its other look-ups) and returns 1; else 0. */
int  inventory_report_op(const config *c, const decide_input *in, const decide_result *res, store_op *op);

/* Path template of path (no query) as inventory_observe makes it, without learning; for tests. */
int  inventory_template(const char *path, char *out, size_t outlen);

/* Exports, malloc'd JSON text (NULL when out of memory): every replica's part merged. app_set 0
 * and host NULL: everything; else only that application and/or host. */
char *inventory_openapi(int app_set, long app, const char *host);
char *inventory_summary(int app_set, long app, const char *host);

typedef struct inventory_stats {
    size_t hosts, endpoints, new_last_hour;
    unsigned long long dropped_hosts, dropped_endpoints, dropped_parameters, unmatched_reports;
} inventory_stats;
/* This process's own counts. */
void inventory_get_stats(inventory_stats *s);

/* Forgets everything (at exit, for leak checks, and between tests). */
void inventory_reset(void);

#endif
