/* phpcode.h -- reads a value as PHP and says whether it injects code: a call of a function that
 * runs commands, evaluates code or reveals the interpreter, in a statement of its own. */
#ifndef PHPCODE_H
#define PHPCODE_H
#include <stddef.h>

/* What the reading found. */
typedef struct phpcode_info {
    int calls;          /* calls of known functions seen, in any context */
    char function[24];  /* the function of the finding, lower case, or "" */
} phpcode_info;

/* Scans in[0..n) for NAME(...) with balanced parentheses (quotes respected, blanks and comments
 * allowed before the parenthesis), NAME one of the functions an injection calls. A call of a
 * function that has no use in ordinary text (phpinfo, system, shell_exec, base64_decode,
 * get_defined_vars, file_get_contents...) is a hit when it opens a statement or ends one; a call
 * of one that is also a word (print, die, exit, md5, sleep) only when it does both. A statement
 * opens at the start, after ; { } ( , . = @ ${ or a quote that closes the string the value was put
 * into, and after <?php, <?= or ?>; it ends at the end, at ; . ) , ?> or a comment. A superglobal
 * called or indexed as code ($_GET[0]($_POST[1])) is a hit too. Returns 1 on a hit. Thread-safe;
 * no allocation. info may be NULL. */
int phpcode_detect(const char *in, size_t n, phpcode_info *info);

#endif
