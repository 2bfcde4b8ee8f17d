/* escape.h -- render a JSON value safely into one lexical context of generated code.
 * In a *_VALUE context a complete literal is emitted; in a string context only its contents. */
#ifndef ESCAPE_H
#define ESCAPE_H
#include <cjson/cJSON.h>
#include "buf.h"
#include "lexer.h"

/* Appends v rendered for ctx to out. Returns 0, or -1 with *why set to a static reason the
 * target cannot represent the value ("NUL byte in XML", "invalid UTF-8", "lone surrogate",
 * "object in a Rust value", "non-finite number", ...). On -1, out may hold a partial append
 * that the caller discards. */
int esc_value(esc_ctx ctx, const cJSON *v, buf *out, const char **why);

/* Same for a string of n bytes (not NUL-terminated). */
int esc_string(esc_ctx ctx, const char *s, size_t n, buf *out, const char **why);

/* The bytes ctx writes as themselves, for callers that copy such strings whole: plain[c] != 0 when
 * the context writes byte c unchanged (never for NUL nor for bytes >= 0x80, so a scan of a C string
 * stops at its end). A string value made only of such bytes renders as *quote, the bytes, *quote
 * (the quote is 0 in string contexts, where nothing surrounds it); anything else goes through
 * esc_value. NULL for a context that no escaper serves. Thread-safe; the table is never freed. */
const unsigned char *esc_plain_bytes(esc_ctx ctx, char *quote);

#endif
