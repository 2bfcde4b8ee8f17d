/* server.h -- the connector listener: libmicrohttpd glue around decide_message.
 * Thread pool with internal epoll, bounded connections, per-connection limits, optional TLS. */
#ifndef SERVER_H
#define SERVER_H
#include <stddef.h>
#include <sys/socket.h>
#include "config.h"

typedef struct server server;

/* Starts listening with the daemon options of c (fixed until restart); NULL with err. */
server *server_start(const config *c, char *err, size_t errlen);
/* Reads and parses the TLS certificate and key of c, if any; 0, or -1 with err. */
int     server_check_tls(const config *c, char *err, size_t errlen);
/* Stops accepting new connections; open ones keep being served. */
void    server_quiesce(server *s);
/* Closes every connection and joins the threads. */
void    server_stop(server *s);
/* 1 when a reload to c needs a restart to take full effect (listener options changed). */
int     server_needs_restart(const config *old, const config *c);

/* Fills a socket address for ip:port; returns its length, 0 when ip is not numeric. */
socklen_t server_sockaddr(const char *ip, int port, struct sockaddr_storage *ss);

#endif
