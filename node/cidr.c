/* cidr.c -- CIDR networks (see cidr.h).
 * Text is read by inet_pton, written by inet_ntop (IPv4 here); all compared in the 128-bit form. */
#include "cidr.h"
#include "decimal.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char v4mapped[12] = {0,0,0,0,0,0,0,0,0,0,0xff,0xff};

int cidr_addr_parse(const char *text, unsigned char out[16])
{
    struct in_addr a4;
    if (inet_pton(AF_INET, text, &a4) == 1) {
        memcpy(out, v4mapped, 12);
        memcpy(out + 12, &a4, 4);
        return 0;
    }
    return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
}

const char *cidr_parse(const char *text, cidr *out)
{
    char host[64];
    const char *slash = strchr(text, '/');
    size_t hl = slash ? (size_t)(slash - text) : strlen(text);
    if (hl == 0 || hl >= sizeof host) return "not an IP address";
    memcpy(host, text, hl);
    host[hl] = '\0';
    if (cidr_addr_parse(host, out->addr) < 0) return "not an IP address";
    int v4 = strchr(host, ':') == NULL;
    int max = v4 ? 32 : 128;
    int bits = max;
    if (slash) {
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3) return "bad prefix length";
        bits = 0;
        for (; *p; p++) {
            if (*p < '0' || *p > '9') return "bad prefix length";
            bits = bits * 10 + (*p - '0');
        }
        if (bits > max) return v4 ? "prefix length over 32" : "prefix length over 128";
    }
    out->bits = v4 ? bits + 96 : bits;
    for (int i = out->bits; i < 128; i++)              /* clear host bits */
        out->addr[i / 8] &= (unsigned char)~(0x80u >> (i % 8));
    return NULL;
}

int cidr_addr_from_sockaddr(const struct sockaddr *sa, unsigned char out[16])
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)(const void *)sa;
        memcpy(out, v4mapped, 12);
        memcpy(out + 12, &s->sin_addr, 4);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)(const void *)sa;
        memcpy(out, &s->sin6_addr, 16);
        return 0;
    }
    return -1;
}

/* An IPv4 address in dotted decimal, as inet_ntop writes it (which goes through sprintf, once per
 * request here); out is left as it is when it has no room, as inet_ntop leaves it. */
static void v4_format(const unsigned char b[4], char *out, size_t outlen)
{
    char t[16], *p = t;
    for (int k = 0; k < 4; k++) {
        if (k) *p++ = '.';
        p = decimal_put(p, b[k]);
    }
    *p = '\0';
    size_t n = (size_t)(p - t);
    if (n < outlen) memcpy(out, t, n + 1);
}

void cidr_addr_format(const unsigned char a[16], char *out, size_t outlen)
{
    if (memcmp(a, v4mapped, 12) == 0) v4_format(a + 12, out, outlen);
    else inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
}

int cidr_contains(const cidr *net, const unsigned char a[16])
{
    int full = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->addr, a, (size_t)full) != 0) return 0;
    if (rest == 0) return 1;
    unsigned char mask = (unsigned char)(0xffu << (8 - rest));
    return (net->addr[full] & mask) == (a[full] & mask);
}

int cidr_list_contains(const cidr_list *l, const unsigned char a[16])
{
    for (size_t i = 0; i < l->n; i++)
        if (cidr_contains(&l->v[i], a)) return 1;
    return 0;
}

int cidr_list_add(cidr_list *l, const cidr *c)
{
    cidr *v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v) return -1;
    v[l->n++] = *c;
    l->v = v;
    return 0;
}

void cidr_list_free(cidr_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}
