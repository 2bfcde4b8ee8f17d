/* http1.h -- the HTTP/1.1 request reader of edgenode's connector listener and bundlegen serve: bytes
 * of one connection in, whole requests out (llhttp parses; this module keeps what it reports). Pure: no I/O, no clock.
 *
 * Use: feed what the connection received with http1_feed() until it reports an event.
 *   HTTP1_MORE     every byte was used; feed more when it arrives.
 *   HTTP1_HEAD     a request's head is complete (http1_head() reads it; its body follows): the
 *                  moment to start a body timer or to answer "100 Continue" (http1_expects_continue).
 *   HTTP1_REQUEST  a whole request is ready in http1_request(); answer it, then call http1_next()
 *                  before feeding the bytes after *used (pipelined requests are answered in order).
 *   HTTP1_BAD      not HTTP this reader accepts (http1_error() says why): answer 400 and close.
 *   HTTP1_TOO_LARGE the head passed max_head bytes before its end: answer 431 and close.
 * *used tells how many of the bytes given were used; feed the rest again after handling the event.
 * The head is kept on the module's own heap, growing with what arrived (never a preset pool), and at
 * most max_head bytes of it; the body up to max_body bytes (the rest is read, counted, dropped). */
#ifndef HTTP1_H
#define HTTP1_H
#include <stddef.h>

typedef struct http1 http1;

/* One header line as sent: name and value (without the surrounding blanks). */
typedef struct http1_field { const char *name, *value; } http1_field;

typedef enum { HTTP1_MORE, HTTP1_HEAD, HTTP1_REQUEST, HTTP1_BAD, HTTP1_TOO_LARGE } http1_event;

typedef struct http1_request {
    const char *method;                /* "GET", ... */
    const char *target;                /* the request target as sent */
    const char *version;               /* "HTTP/1.1" or "HTTP/1.0" */
    const http1_field *headers;         /* in order, names and values as sent (values without the
                                        * surrounding blanks), duplicates kept */
    size_t nheaders;
    const char *body;                  /* up to max_body bytes, NUL-terminated; NULL when none */
    size_t body_len;
    size_t body_dropped;               /* body bytes past max_body: read and not kept */
    size_t received;                   /* bytes of the connection this request took: head and body
                                        * as sent (chunk framing included) */
    int keep_alive;                    /* 0: close the connection after answering (1.0 without
                                        * keep-alive, "Connection: close", an upgrade) */
} http1_request;

/* A reader for one connection; NULL when out of memory. */
http1       *http1_new(size_t max_head, size_t max_body);
void         http1_free(http1 *p);
/* Parses len bytes; see the top of this file. After HTTP1_BAD or HTTP1_TOO_LARGE every call
 * returns the same event. */
http1_event  http1_feed(http1 *p, const char *data, size_t len, size_t *used);
/* The request of the last HTTP1_HEAD (body still empty) or HTTP1_REQUEST; valid until http1_next. */
const http1_request *http1_head(const http1 *p);
const http1_request *http1_request_get(const http1 *p);
/* 1 when the request of the last HTTP1_HEAD asked for "100 Continue" (HTTP/1.1, a body to come). */
int          http1_expects_continue(const http1 *p);
/* Sets max_body for the requests that begin after this call (a reload's new limit on a kept-alive
 * connection); the request being read keeps the limit it began with. */
void         http1_set_max_body(http1 *p, size_t max_body);
/* Forgets the answered request; the next one starts with the next byte fed. */
void         http1_next(http1 *p);
/* 1 while a request has begun and is not complete (bytes of it were read). */
int          http1_in_request(const http1 *p);
/* 1 while the head of the current request is complete and its body is still arriving. */
int          http1_in_body(const http1 *p);
/* Why the input is not HTTP, after HTTP1_BAD. */
const char  *http1_error(const http1 *p);
/* The first value of header name (case-insensitive) in r, or NULL. */
const char  *http1_header(const http1_request *r, const char *name);

#endif
