/* cidr.h -- IPv4 and IPv6 networks in CIDR notation and address lists.
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 networks. */
#ifndef CIDR_H
#define CIDR_H
#include <stddef.h>
#include <sys/socket.h>

typedef struct cidr {
    unsigned char addr[16];     /* IPv4 kept as IPv4-mapped IPv6 */
    int bits;                   /* prefix length over the 128-bit form */
} cidr;

typedef struct cidr_list { cidr *v; size_t n; } cidr_list;

/* Parses "10.0.0.0/8", "::1", "192.0.2.7" (a host); returns NULL or a static reason. */
const char *cidr_parse(const char *text, cidr *out);
/* Parses a textual address (no prefix) into the 16-byte form; 0 on success, -1 on error. */
int  cidr_addr_parse(const char *text, unsigned char out[16]);
/* Converts a socket address; 0 on success, -1 for other families. */
int  cidr_addr_from_sockaddr(const struct sockaddr *sa, unsigned char out[16]);
/* Writes the usual text form (dotted quad for IPv4). */
void cidr_addr_format(const unsigned char a[16], char *out, size_t outlen);
int  cidr_contains(const cidr *net, const unsigned char a[16]);
int  cidr_list_contains(const cidr_list *l, const unsigned char a[16]);
int  cidr_list_add(cidr_list *l, const cidr *c);
void cidr_list_free(cidr_list *l);

#endif
