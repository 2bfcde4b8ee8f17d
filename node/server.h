/* server.h -- the connector listener: libmicrohttpd glue around decide_message.
 * Thread pool with internal epoll, bounded connections, per-connection limits, optional TLS. */
#ifndef SERVER_H
#define SERVER_H
#include <stddef.h>
#include <sys/socket.h>
#include "config.h"

typedef struct server server;

/* Starts listening with the daemon options of c; listen_fd >= 0 is an already bound socket to
 * take over (from server_quiesce), -1 binds c->listen. NULL with err. */
server *server_start(const config *c, int listen_fd, char *err, size_t errlen);
/* Reads and parses the TLS certificate and key of c, if any; 0, or -1 with err. */
int     server_check_tls(const config *c, char *err, size_t errlen);
/* Stops accepting; open connections keep being served. Returns the listen socket, now the
 * caller's (to hand to a new server or close), or -1. */
int     server_quiesce(server *s);
/* Connections open now. */
unsigned server_connections(server *s);
/* Closes every connection and joins the threads. */
void    server_stop(server *s);
/* The per-connection memory of the HTTP layer (limits.connection_memory, by default
 * 2 x (max_request_line + max_header_size) + 32 x max_header_size, 1104k): libmicrohttpd 0.9 keeps
 * the request line, the header lines and a record of about 50 bytes per header line and per cookie
 * in it, so the worst head within the limits (8000 "a:" lines, or cookies "a;a;a;...") still gets a
 * verdict. It is zeroed for every request. A head that does not fit is answered 431 (or 414) by
 * libmicrohttpd itself. */
size_t  server_pool_bytes(const config *c);
/* 1 when c needs a new listener: address, TLS, threads, connection limit, head limits, idle timeout. */
int     server_options_changed(const config *old, const config *c);

/* Fills a socket address for ip:port; returns its length, 0 when ip is not numeric. */
socklen_t server_sockaddr(const char *ip, int port, struct sockaddr_storage *ss);

#endif
