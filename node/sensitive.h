/* sensitive.h -- recognises kinds of sensitive data in a value, by name only, never keeping it:
 * e-mail addresses, card numbers (13 to 19 digits passing the Luhn check), bearer tokens, API
 * keys (well-known prefixes, JWTs) and international phone numbers. Pure functions. */
#ifndef SENSITIVE_H
#define SENSITIVE_H
#include <stddef.h>

enum {
    SENSITIVE_EMAIL  = 1 << 0,
    SENSITIVE_CARD   = 1 << 1,
    SENSITIVE_BEARER = 1 << 2,
    SENSITIVE_APIKEY = 1 << 3,
    SENSITIVE_PHONE  = 1 << 4,
    SENSITIVE_ALL    = (1 << 5) - 1
};

/* The kinds found anywhere in s[0..n) (n bytes, NULs allowed), as SENSITIVE_* bits. */
unsigned sensitive_scan(const char *s, size_t n);
/* The kinds a parameter's name says its value holds ("api_key", "x-api-key", "access_token"). */
unsigned sensitive_by_name(const char *name);
/* The name of one bit: "email", "card_number", "bearer_token", "api_key", "phone_number". */
const char *sensitive_name(unsigned bit);
/* 1 when the digits of s[0..n) (other bytes skipped) pass the Luhn check. */
int sensitive_luhn(const char *s, size_t n);

#endif
