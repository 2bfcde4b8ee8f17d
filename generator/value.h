/* value.h -- plain-text form of a JSON value, as Mustache interpolates it.
 * Numbers take their shortest round-trip form, null is empty, true/false are words. */
#ifndef VALUE_H
#define VALUE_H
#include <cjson/cJSON.h>
#include "buf.h"

int  value_text(const cJSON *v, buf *out);          /* -1 for arrays and objects, or on memory */
int  value_number(double d, buf *out);              /* shortest form that reads back as d; -1 if not finite */
int  value_number_str(double d, char tmp[40]);      /* the same into tmp; its length, or -1 if not finite */
int  value_truthy(const cJSON *v);                  /* Mustache truthiness of a section value */

/* Offset of the first "\u0000" escape inside a JSON string in text, or -1. cJSON keeps strings
 * NUL-terminated and would silently cut such a string short, so callers refuse it instead. */
long value_json_nul_escape(const char *text, size_t len);

#endif
