/* sqltok.h -- reads a value as SQL injected into a query and says whether it is one: tokens,
 * folded into a fingerprint of their types, classified by a small grammar of injected SQL. */
#ifndef SQLTOK_H
#define SQLTOK_H
#include <stddef.h>

/* Token types, one letter each; a fingerprint is the sequence of the first SQLTOK_FP_MAX:
 *   s string        n number or literal (1, 0x1f, 1e5, x'1f', true, null)   v variable (@x, @@version)
 *   b name          f function (a name before '(')                           o operator (= <> like is ...)
 *   & logic (and or xor && ||)   U union (all, distinct)   E statement (select drop grant ...)
 *   B clause (order by, group by, having, limit, procedure, into outfile)    k other keyword
 *   ( ) , ;         c comment that ends the rest (-- # or an unclosed slash-star)
 *   x anything else (prose punctuation)
 * Folding: a unary sign or NOT before an operand, COLLATE NAME and ::TYPE casts are dropped;
 * NUMBER op NUMBER (arithmetic) is one number; UNION ALL, ORDER BY, NOT LIKE, IS NOT, SOUNDS LIKE
 * are one token; inline comments are blanks, and MySQL's versioned comments are read as code. */
#define SQLTOK_FP_MAX 32

/* The three readings: as is, and as if the value sat inside '...' or "..." (an injection first
 * closes the string it was put into). */
enum { SQLTOK_ASIS, SQLTOK_SINGLE, SQLTOK_DOUBLE, SQLTOK_READINGS };

typedef struct sqltok_info {
    int reading;                        /* SQLTOK_* of the finding, or -1 */
    const char *reason;                 /* what made it injected SQL (static text), or "" */
    char fingerprint[SQLTOK_FP_MAX + 1];/* of that reading, or of the as-is reading */
} sqltok_info;

/* Reads in[0..n) three times and classifies each fingerprint. A hit is one of: UNION SELECT; a
 * statement with the shape of SQL after ';' (drop table, grant ... to, insert into, exec xp_...,
 * waitfor delay '...', select * / select x from ...); in a quoted reading, the string broken out of
 * and then a logic operator with a condition (a comparison, a postfix test such as notnull, a
 * number, a variable, a call or a subquery), a statement, a clause with its argument (order by 3),
 * an operator with a call or a subquery, or a comment that ends the rest; in the as-is reading, a
 * number followed the same way, or a value opening with a logic operator and a tautology or a call.
 * The condition must end the value, or be followed by a comment, ';', ')', another logic
 * operator or a clause, so prose ("5 < 6 and 7 > 3", "O'Brien or someone") passes. Only the first
 * SQLTOK_FP_MAX folded tokens of a reading count (an injection starts the value); the work is
 * linear in n. Returns 1 on a hit. Thread-safe; no allocation. info may be NULL. */
int sqltok_detect(const char *in, size_t n, sqltok_info *info);

/* Writes the fingerprint of one reading (SQLTOK_*) to out (room for SQLTOK_FP_MAX + 1 bytes) and
 * returns its length; a quoted reading of a value without that quote is empty. */
size_t sqltok_fingerprint(const char *in, size_t n, int reading, char *out);

#endif
