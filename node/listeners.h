/* listeners.h -- the node's listeners across reloads: the connector server and the admin server.
 * A reload that changes listener options starts a new server and retires the old one gently. */
#ifndef LISTENERS_H
#define LISTENERS_H
#include <stddef.h>
#include "config.h"

/* Starts the connector listener (and the admin one when configured); 0, or -1 with err. */
int  listeners_start(const config *c, char *err, size_t errlen);
/* Before a reload from old to c is installed: starts what c needs and retires what it replaces.
 * Returns 0, or -1 with err when the new listener cannot start (the old ones keep serving). */
int  listeners_apply(const config *old, const config *c, char *err, size_t errlen);
/* Stops retired servers whose last connection has closed. */
void listeners_reap(void);
/* SIGTERM: stops accepting everywhere, waits for in-flight requests (at most timeout_ms), stops all. */
void listeners_shutdown(unsigned long timeout_ms);

#endif
