/* decode.h -- turns a request into the decoded values that detection inspects.
 * Decoders apply recursively (percent, entities, JS escapes, base64, JSON, form, multipart, XML). */
#ifndef DECODE_H
#define DECODE_H
#include <stddef.h>
#include <stdint.h>
#include "httpreq.h"

/* Where a value came from; rules select on these bits. */
enum {
    DECODE_PATH   = 1 << 0,
    DECODE_QUERY  = 1 << 1,
    DECODE_HEADER = 1 << 2,
    DECODE_COOKIE = 1 << 3,
    DECODE_BODY   = 1 << 4,
    /* Not a source: added to one for a value inside a member of a JSON object's "scripts" object
     * (npm's and Composer's command lines; where "body.scripts.test"), at any depth of decoding.
     * A name that only holds ".scripts." (a form field a.scripts.b, a key "a.scripts.b") has not it. */
    DECODE_SCRIPTS = 1 << 8,
    /* Not a source: added for a value whose own name is a key that polymorphic deserialisers
     * read a type from: a JSON member, a form or query parameter or an XML attribute named
     * @type, @class, @c, $type, javaClass, className, class or resolves-to (any case). The
     * whole name must be one of these: a dotted JSON key "connector.class" is not, nor the class
     * of Spring's <bean>. An XML element's dotted name (XStream's class) is walked as a plain
     * value of DECODE_BODY. */
    DECODE_TYPEKEY = 1 << 9,
    /* Not a source: added for a parameter's name as the request gives it (and what is decoded from
     * it) when the parameter has a value: a query parameter's, an urlencoded (or untyped
     * name=value) body's, a multipart part's that is not a file. A name without a value ("flag",
     * "sid="), an empty part, a file's part, a JSON member's name, a cookie's name and a pair
     * decoded inside some value have not it. */
    DECODE_NAME = 1 << 10
};

/* decode_type_key: whether a name (n bytes) is one of DECODE_TYPEKEY's keys. */
int decode_type_key(const char *name, size_t n);

#define DECODE_WHERE_MAX 128  /* where-paths are cut to fit, as detect_hit.where */

typedef struct decode_limits {
    int    max_depth;   /* nested decodings of one value (percent inside base64 inside JSON ...) */
    size_t max_output;  /* bytes all decoders may produce for one request */
} decode_limits;

#define DECODE_LIMITS_DEFAULT {4, 4u << 20}

/* What decode_request left unwalked (decode_request's *cut); the node reports each as a limit. */
enum {
    DECODE_CUT_DEPTH  = 1 << 0,   /* JSON nested deeper than walked, or a value still encoded at max_depth */
    DECODE_CUT_BUDGET = 1 << 1    /* max_output reached: later decodings were skipped */
};

/* Called once per value (the raw value and each distinct decoding of it). Non-zero stops the
 * walk and is returned by decode_request. val is NUL-terminated at val[len]. bytes is the set of
 * byte values val[0..len) holds, bit c % 64 of bytes[c / 64]: the walk reads every byte anyway
 * (to tell which decoders apply), so a reader that needs the set does not read them again. */
typedef int (*decode_fn)(void *ctx, int src, const char *where, const char *val, size_t len,
                         const uint64_t bytes[4]);

/* Walks path, query parameters, headers, cookies and the body (by Content-Type, else sniffed).
 * Returns 0, the callback's non-zero value, or -1 when out of memory; sets *cut (may be NULL) to the
 * DECODE_CUT_* bits of what was left unwalked. */
int decode_request(const httpreq *req, const decode_limits *lim, decode_fn fn, void *ctx, unsigned *cut);
/* decode_request that also hands over the body's JSON document when the body was walked as JSON
 * (cJSON_ParseWithLength of body, body_len): *body_json is set in every case, NULL when it was
 * not, and the caller cJSON_Deletes it. Later readers of the body then need not parse it again. */
struct cJSON;
int decode_request_json(const httpreq *req, const decode_limits *lim, decode_fn fn, void *ctx, unsigned *cut,
                        struct cJSON **body_json);

/* Single-step decoders. Each writes at most n bytes plus a NUL to out and returns the length. */
size_t decode_percent(const char *in, size_t n, char *out, int plus); /* %XX, %uXXXX; plus: '+' is ' ' */
size_t decode_entities(const char *in, size_t n, char *out);         /* &lt; &#60; &#x3c;, longest name */
/* ';' may be left out after a numeric reference and after HTML's legacy names (lt gt amp quot nbsp
 * copy reg, their upper-case forms, the Latin-1 letters and signs), also before a letter
 * ("&ltscript"), but not before '=' ("&copy=1" is a query parameter); other names need it. */
size_t decode_js_escapes(const char *in, size_t n, char *out);       /* \uXXXX \xHH \' \" \\ */
size_t decode_strip_tags(const char *in, size_t n, char *out);       /* <b>, </b> out: sanitizer evasion */
size_t decode_sql_normalize(const char *in, size_t n, char *out);    /* comments out, spaces folded, lower */
size_t decode_shell_normalize(const char *in, size_t n, char *out);  /* quotes, '\', $IFS, $@ out, lower */

/* Decodes base64 (standard or URL-safe, padding optional) when in looks like base64 and decodes
 * to printable text; returns the length written to out (room for n bytes), or 0 when not. */
size_t decode_base64(const char *in, size_t n, char *out);

#endif
