/* http1.c -- HTTP/1.1 request reader over llhttp (see http1.h).
 * llhttp reports spans; the head's strings are copied to one growing buffer, pointers made once the head is whole. */
#include "http1.h"
#include "decimal.h"
#include <llhttp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ST_IDLE, ST_HEAD, ST_BODY, ST_DONE, ST_BAD, ST_LARGE };
#define KEEP_CAP 65536          /* buffers larger than this are freed between requests */

typedef struct hdr_off { size_t name, value; } hdr_off;

struct http1 {
    llhttp_t ll;
    size_t max_head, max_body, next_max_body;
    int st, event, in_field, expect, oom;
    char *buf;                  /* target NUL, then name NUL value NUL per header */
    size_t len, cap;
    hdr_off *off;
    http1_field *hv;
    size_t nhdr, hcap;
    char *body;
    size_t blen, bcap, dropped;
    size_t head_used, received;
    char version[16];
    char err[96];
    http1_request req;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 256;
    while (c < need) c *= 2;
    void *n = realloc(*p, c * elem);
    if (!n) return -1;
    *p = n;
    *cap = c;
    return 0;
}

static int append(http1 *p, const char *at, size_t n)
{
    if (grow((void **)&p->buf, &p->cap, p->len + n + 1, 1) < 0) { p->oom = 1; return -1; }
    memcpy(p->buf + p->len, at, n);
    p->len += n;
    return 0;
}

static http1 *of(llhttp_t *ll) { return ll->data; }

static int on_url(llhttp_t *ll, const char *at, size_t n) { return append(of(ll), at, n); }
static int on_url_complete(llhttp_t *ll) { return append(of(ll), "", 1); }

static int on_message_begin(llhttp_t *ll)
{
    of(ll)->st = ST_HEAD;
    return 0;
}

static int on_header_field(llhttp_t *ll, const char *at, size_t n)
{
    http1 *p = of(ll);
    if (p->st != ST_HEAD) return 0;               /* trailers after a chunked body are not kept */
    if (!p->in_field) {
        if (grow((void **)&p->off, &p->hcap, p->nhdr + 1, sizeof *p->off) < 0) { p->oom = 1; return -1; }
        p->off[p->nhdr++] = (hdr_off){p->len, 0};
        p->in_field = 1;
    }
    return append(p, at, n);
}

static int on_header_field_complete(llhttp_t *ll)
{
    http1 *p = of(ll);
    if (!p->in_field || p->st != ST_HEAD) return 0;
    p->in_field = 0;
    if (append(p, "", 1) < 0) return -1;
    p->off[p->nhdr - 1].value = p->len;
    return 0;
}

static int on_header_value(llhttp_t *ll, const char *at, size_t n)
{
    return of(ll)->st == ST_HEAD ? append(of(ll), at, n) : 0;
}

static int on_header_value_complete(llhttp_t *ll)
{
    http1 *p = of(ll);
    if (p->st != ST_HEAD) return 0;
    size_t start = p->off[p->nhdr - 1].value;     /* llhttp skips the blanks before a value, not after */
    while (p->len > start && (p->buf[p->len - 1] == ' ' || p->buf[p->len - 1] == '\t')) p->len--;
    return append(p, "", 1);
}

const char *http1_header(const http1_request *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0) return r->headers[i].value;
    return NULL;
}

/* 0 when every coding the Transfer-Encoding headers of r name is chunked: a body in another coding
 * (gzip, chunked) would be read as plain bytes, which it is not (RFC 9112 6.1: refuse it). */
static int codings_ok(const http1_request *r, char *err, size_t errlen)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        if (strcasecmp(r->headers[i].name, "Transfer-Encoding") != 0) continue;
        for (const char *v = r->headers[i].value; *v;) {
            v += strspn(v, " \t,");
            size_t n = strcspn(v, " \t,");
            if (n && !(n == 7 && strncasecmp(v, "chunked", 7) == 0)) {
                snprintf(err, errlen, "Transfer-Encoding: %.*s is not read (only chunked)", n > 32 ? 32 : (int)n, v);
                return -1;
            }
            v += n;
        }
    }
    return 0;
}

/* "HTTP/major.minor" into out[16] (room for any two bytes), as snprintf would write it, which cost
 * a thousand instructions on every request. */
static void version_text(char out[16], unsigned char major, unsigned char minor)
{
    memcpy(out, "HTTP/", 5);
    char *p = decimal_put(out + 5, major);
    *p++ = '.';
    *decimal_put(p, minor) = '\0';
}

static int on_headers_complete(llhttp_t *ll)
{
    http1 *p = of(ll);
    if (p->nhdr && !(p->hv = realloc(p->hv, p->nhdr * sizeof *p->hv))) { p->oom = 1; return -1; }
    for (size_t i = 0; i < p->nhdr; i++)
        p->hv[i] = (http1_field){p->buf + p->off[i].name, p->buf + p->off[i].value};
    version_text(p->version, ll->http_major, ll->http_minor);
    p->req = (http1_request){.method = llhttp_method_name((llhttp_method_t)ll->method),
                             .target = p->len ? p->buf : "", .version = p->version,
                             .headers = p->hv, .nheaders = p->nhdr};
    int v11 = ll->http_major == 1 && ll->http_minor == 1;
    if (v11 && !http1_header(&p->req, "Host")) {   /* RFC 9112 3.2: Host is mandatory in 1.1 */
        snprintf(p->err, sizeof p->err, "HTTP/1.1 request without Host");
        return -1;
    }
    if ((ll->flags & F_TRANSFER_ENCODING) && codings_ok(&p->req, p->err, sizeof p->err) < 0) return -1;
    const char *e = http1_header(&p->req, "Expect");
    p->expect = v11 && e && strcasecmp(e, "100-continue") == 0 &&
                ((ll->flags & F_CHUNKED) || ll->content_length > 0);
    p->st = ST_BODY;
    p->event = HTTP1_HEAD;
    return p->expect ? HPE_PAUSED : 0;            /* the listener answers "100 Continue" now */
}

static int on_body(llhttp_t *ll, const char *at, size_t n)
{
    http1 *p = of(ll);
    size_t keep = p->blen + n > p->max_body ? p->max_body - p->blen : n;
    p->dropped += n - keep;
    if (!keep) return 0;
    if (grow((void **)&p->body, &p->bcap, p->blen + keep + 1, 1) < 0) { p->oom = 1; return -1; }
    memcpy(p->body + p->blen, at, keep);
    p->blen += keep;
    return 0;
}

static int on_message_complete(llhttp_t *ll)
{
    http1 *p = of(ll);
    if (p->body) p->body[p->blen] = '\0';
    p->req.body = p->blen ? p->body : NULL;
    p->req.body_len = p->blen;
    p->req.body_dropped = p->dropped;
    p->req.keep_alive = llhttp_should_keep_alive(ll) && !ll->upgrade;
    p->st = ST_DONE;
    p->event = HTTP1_REQUEST;
    return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_url_complete = on_url_complete,
    .on_header_field = on_header_field,
    .on_header_field_complete = on_header_field_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

http1 *http1_new(size_t max_head, size_t max_body)
{
    http1 *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    llhttp_init(&p->ll, HTTP_REQUEST, &settings);
    p->ll.data = p;
    p->max_head = max_head;
    p->max_body = p->next_max_body = max_body;
    return p;
}

void http1_free(http1 *p)
{
    if (!p) return;
    free(p->buf);
    free(p->off);
    free(p->hv);
    free(p->body);
    free(p);
}

static http1_event fail(http1 *p, int st, const char *why)
{
    p->st = st;
    if (why) snprintf(p->err, sizeof p->err, "%s", why);
    return st == ST_LARGE ? HTTP1_TOO_LARGE : HTTP1_BAD;
}

http1_event http1_feed(http1 *p, const char *data, size_t len, size_t *used)
{
    *used = 0;
    if (p->st == ST_BAD) return HTTP1_BAD;
    if (p->st == ST_LARGE) return HTTP1_TOO_LARGE;
    if (p->st == ST_DONE) return HTTP1_REQUEST;
    int in_head = p->st == ST_IDLE || p->st == ST_HEAD;
    size_t n = len;
    if (in_head) {                      /* never read more of a head than max_head */
        if (p->head_used >= p->max_head) return fail(p, ST_LARGE, NULL);
        if (n > p->max_head - p->head_used) n = p->max_head - p->head_used;
    }
    if (!n) return HTTP1_MORE;
    llhttp_errno_t e = llhttp_execute(&p->ll, data, n);
    size_t took = e == HPE_OK ? n : (size_t)(llhttp_get_error_pos(&p->ll) - data);
    if (e == HPE_PAUSED_UPGRADE && p->st == ST_DONE) {
        took = (size_t)(llhttp_get_error_pos(&p->ll) - data);
        e = HPE_PAUSED;                 /* Upgrade is not offered: answered, then closed */
    }
    *used = took;
    p->received += took;
    if (in_head) p->head_used += took;
    if (e == HPE_OK) {
        if ((p->st == ST_IDLE || p->st == ST_HEAD) && p->head_used >= p->max_head)
            return fail(p, ST_LARGE, NULL);
        if (n < len) {                  /* the head ended within the cap: the bytes past it are body */
            size_t more;
            http1_event ev = http1_feed(p, data + n, len - n, &more);
            *used += more;
            return ev;
        }
        return HTTP1_MORE;
    }
    if (e == HPE_PAUSED) {
        llhttp_resume(&p->ll);
        if (p->event == HTTP1_REQUEST) p->req.received = p->received;
        return (http1_event)p->event;
    }
    if (p->oom) return fail(p, ST_BAD, "out of memory");
    if (p->err[0]) return fail(p, ST_BAD, NULL);
    char why[96];
    snprintf(why, sizeof why, "malformed request (%s)", llhttp_get_error_reason(&p->ll));
    return fail(p, ST_BAD, why);
}

const http1_request *http1_head(const http1 *p) { return p->st == ST_BODY || p->st == ST_DONE ? &p->req : NULL; }
const http1_request *http1_request_get(const http1 *p) { return p->st == ST_DONE ? &p->req : NULL; }
int http1_expects_continue(const http1 *p) { return p->st == ST_BODY && p->expect; }
int http1_in_request(const http1 *p) { return p->st == ST_HEAD || p->st == ST_BODY || (p->st == ST_IDLE && p->head_used); }
int http1_in_body(const http1 *p) { return p->st == ST_BODY; }
const char *http1_error(const http1 *p) { return p->err[0] ? p->err : "malformed request"; }

void http1_set_max_body(http1 *p, size_t max_body)
{
    p->next_max_body = max_body;
    if (p->st == ST_IDLE && !p->head_used) p->max_body = max_body;
}

void http1_next(http1 *p)
{
    if (p->st != ST_DONE) return;
    if (p->cap > KEEP_CAP) { free(p->buf); p->buf = NULL; p->cap = 0; }
    if (p->bcap > KEEP_CAP) { free(p->body); p->body = NULL; p->bcap = 0; }
    p->len = p->nhdr = p->blen = p->dropped = p->head_used = p->received = 0;
    p->expect = p->in_field = 0;
    p->req = (http1_request){0};
    p->max_body = p->next_max_body;
    p->st = ST_IDLE;
}
