/* phpcode.h -- reads a value as server-side script code (PHP, and the break-outs Perl, Python, Ruby
 * and JavaScript share) and says whether it injects code: a call that runs commands or code. */
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

/* Reads in[0..n) as code in Perl, Python, Ruby or JavaScript that the value opens in the server's
 * own language: after the value's first quote (the end of the string it was put into; not an
 * apostrophe inside a word), the brackets it closes and a join or end of statement (. + - || ;
 * or a line break); after one token of data and the value's first ;; after a number and a join
 * (1 . system('id')); inside an
 * interpolation (#{ } @{[ ]} ${\ }, and ${ } for strong names); or as the whole value, one call
 * of a strong name. There it reads an
 * expression: a command quoted as code (`id`, qx(id), %x(id)), or a chain of names, members, calls
 * and indexes ending in a call or in a name called without parentheses with a literal or a module
 * (system "id", puts 1, use Socket). A hit is such an expression that names a function of the
 * table, whose calls have code for arguments (none, a string, a variable, a number, a call), and
 * that ends the statement or joins the re-opened string (the end, ; ) } ] # // a line break, or
 * . + - || before a quote or $); a function that runs commands or code (system, exec, popen,
 * spawn, __import__, execSync, eval, Function('...')(), qx...) anywhere of these, a weak one
 * (print, puts, sleep, die, require, use, import, open, str...) not as the whole value.
 * Thread-safe; no allocation. info may be NULL (info->function: the expression's start). */
int phpcode_script(const char *in, size_t n, phpcode_info *info);

#endif
