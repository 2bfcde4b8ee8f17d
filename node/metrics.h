/* metrics.h -- process-wide counters and histograms, rendered as Prometheus text.
 * Every update is a relaxed atomic add; only attacks by class and application take a lock. */
#ifndef METRICS_H
#define METRICS_H
#include <stddef.h>
#include "decide.h"

#ifndef PROJECT_VERSION
#error "PROJECT_VERSION is set from the VERSION file by the Makefile"
#endif
#define METRICS_VERSION PROJECT_VERSION    /* edgenode's version: the project's one VERSION */

void metrics_record(const decide_result *r);      /* one decided message */
void metrics_reject_network(void);                /* connection refused by allowed_networks */
void metrics_reload(int ok);
void metrics_reply_timeout(void);
void metrics_http_error(int status);              /* 400/500 answered by the node itself */
void metrics_set_rules(size_t n);
void metrics_inflight(int delta);
/* A client address crossed a brute_force (kind 0) or forced_browsing (1) limit; blocked or only recorded. */
void metrics_client_blocked(int kind, int blocked);
/* A passive vulnerability finding of class cls (index in VULNS_CLASSES). */
void metrics_vulnerability(int cls);
long metrics_inflight_now(void);

/* Prometheus text exposition; malloc'd, NUL-terminated; NULL when out of memory. */
char *metrics_render(size_t *len);
/* Frees the attack table (at exit, for leak checks). */
void metrics_reset(void);

#endif
