/* admin.h -- the admin listener: /metrics (Prometheus text), /live and /ready.
 * Kept apart from the connector port so it can be firewalled differently. */
#ifndef ADMIN_H
#define ADMIN_H
#include <stddef.h>
#include "config.h"

typedef struct admin admin;

/* Starts on c->admin_ip:admin_port; NULL with err (also when no admin_listen is set). */
admin *admin_start(const config *c, char *err, size_t errlen);
void   admin_stop(admin *a);

#endif
