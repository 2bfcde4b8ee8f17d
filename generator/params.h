/* params.h -- typed bundle parameters: their definitions, value parsing and the render context.
 * Values from the command line or a JSON body become one validated cJSON object, or a list of errors. */
#ifndef PARAMS_H
#define PARAMS_H
#include <stddef.h>
#include <cjson/cJSON.h>
#include "buf.h"

typedef enum param_type {
    PT_URL, PT_LIST, PT_ENUM, PT_INTEGER, PT_BOOLEAN, PT_DURATION, PT_SIZE, PT_IDENTIFIER, PT_STRING,
    PT_COUNT
} param_type;

/* A limit that may be absent: integers, durations (ms), sizes (bytes), string lengths, list lengths. */
typedef struct param_bound { int set; long long v; } param_bound;

typedef struct param_def {
    char       *name;          /* an identifier: [a-z][a-z0-9_]* */
    param_type  type;
    param_type  item;          /* element type of a list (never PT_LIST) */
    int         required;      /* a list: at least one element */
    int         secret;        /* shown as such by describe; never echoed in errors */
    char       *description;
    char      **values;        /* enum values (of the parameter or of the list's elements) */
    size_t      nvalues;
    param_bound min, max;      /* integer, duration, size: the value; string, identifier: its length */
    param_bound min_items, max_items;   /* lists */
    char       *pattern;       /* PCRE2, strings and identifiers (list elements too) */
    void       *re;            /* compiled pattern (pcre2_code *) */
    cJSON      *def;           /* typed default, or NULL when there is none */
} param_def;

const char *params_type_name(param_type t);
int         params_type_from_name(const char *name, param_type *out);   /* 0, or -1 */
const char *params_type_names(void);                                    /* "url, list, ..." */

/* A parameter's duration (up to 2^31-1 ms, what a JavaScript timer takes) or size (up to 2^53-1
 * bytes) in the syntax of units.h: 0, UNITS_BAD, or UNITS_BARE for a duration without its unit. */
int params_parse_duration(const char *text, long long *ms);
int params_parse_size(const char *text, long long *bytes);
int params_parse_bool(const char *text, int *out);
/* Writes a duration (ms) or a size (bytes) as a user writes it: "1s", "500ms", "64k"; other types
 * and values with no whole unit as the plain number ("1500ms", "1000"). */
void params_format_unit(char *out, size_t n, param_type t, long long v);

/* Finishes a definition after its fields are set: compiles the pattern and checks the bounds and
 * enum values; raw_default (a string, an array of strings, or NULL) becomes def->def once valid.
 * On error fills err ("default: ..." / "pattern: ...") and returns -1. */
int  params_def_finish(param_def *d, const cJSON *raw_default, char *err, size_t errsz);
void params_def_clear(param_def *d);
int  params_def_copy(param_def *dst, const param_def *src);   /* deep copy; 0 or -1 on memory */

/* Checks one value given as text (a list: one element, or several separated by commas) for d.
 * Returns a new typed cJSON, or NULL with the reason in why ("expected ..."). */
cJSON *params_parse_value(const param_def *d, const char *text, buf *why);

/* Builds the render context's parameter part: every parameter under its name, typed, defaults
 * filled in, and for every enum NAME_is: {VALUE: true} for its value, false for the others.
 * sets are "NAME=VALUE" words (a list's words accumulate; commas separate elements). On failure
 * returns NULL and *errors holds every problem as an array of {"parameter": name, "message": text};
 * the caller frees it. */
cJSON *params_from_cli(const param_def *defs, size_t n, const char *const *sets, size_t nsets,
                       cJSON **errors);
/* The same from a JSON object: each value typed (number, boolean, array) or a string read as on
 * the command line. */
cJSON *params_from_json(const param_def *defs, size_t n, const cJSON *body, cJSON **errors);

/* Appends every error message of an errors array, one per line. */
int params_errors_text(const cJSON *errors, buf *out);

/* The definition as JSON for describe and the HTTP API: name, type, required, default, ... */
cJSON *params_def_json(const param_def *d);

#endif
