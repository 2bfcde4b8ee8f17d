/* server.h -- the connector listener: HTTP/1.1 (httpd.h, http1.h) around decide_message.
 * One epoll per thread on a shared listening socket, bounded connections, per-connection limits, optional TLS (OpenSSL). */
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
/* The head cap (limits.connection_memory, by default 1 MiB + max_request_line + max_header_size,
 * 1064k): the most bytes of one request's head (request line, header lines, blank line) read; past
 * it the node answers a JSON 431 and closes. Nothing is reserved: a connection holds what arrived. */
size_t  server_pool_bytes(const config *c);
/* 1 when c needs a new listener: address, TLS, threads, connection limit, head limits, idle timeout. */
int     server_options_changed(const config *old, const config *c);

/* Fills a socket address for ip:port; returns its length, 0 when ip is not numeric. */
socklen_t server_sockaddr(const char *ip, int port, struct sockaddr_storage *ss);

#endif
