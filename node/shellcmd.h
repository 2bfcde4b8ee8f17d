/* shellcmd.h -- reads a value as a command line of POSIX sh, Windows cmd or PowerShell and says
 * whether it injects a command: separators, substitutions and known command words in command position. */
#ifndef SHELLCMD_H
#define SHELLCMD_H
#include <stddef.h>

/* What the reading found; score is the strongest single finding. */
typedef struct shellcmd_info {
    int score;      /* 0 when nothing shell-like was found; SHELLCMD_THRESHOLD or more is a verdict */
    int strong;     /* 1 for a construct prose never has: $((...)) arithmetic, $IFS as a space */
    int obfuscated; /* 1 when a command word was put together from quotes, escapes, empty
                     * expansions ($u, ${u}) or carets: w'h'o$@ami, c^m^d */
    char command[24];   /* the command word of the strongest finding, lower case, or "" */
} shellcmd_info;

#define SHELLCMD_THRESHOLD 3

/* Scores one value. A finding is a command word in command position: after a separator
 * (; | || && & newline) it earns 1, at the start of $( ) 2, of backticks 1, at the start of the
 * value 0. A known command word earns 2 when it is rarely anything else (whoami, wget, ipconfig)
 * and 1 when it is also a word of prose (cat, echo, sleep, type); its first argument earns 1 when
 * it has the shape of shell (an option, a path, a URL, a redirection, an expansion, nothing more
 * before the next separator), and an obfuscated command word earns 2 more. A network command at
 * the very start whose words are only options, counts and one address, last (ping -n 5
 * 127.0.0.1), earns 1 for the start and 1 for the address: the whole value is a probe. The value is read
 * three times, starting outside quotes and inside ' and ", since an injection usually first
 * closes the quote it was put into. Quotes, backslashes, carets and unknown variables are
 * removed the way the shell does; ${IFS} and $IFS split words.
 * scratch: room for n + 1 bytes. Returns 1 when info.score >= SHELLCMD_THRESHOLD or a strong
 * construct was seen. Thread-safe; no allocation. info may be NULL. */
int shellcmd_detect(const char *in, size_t n, char *scratch, shellcmd_info *info);

/* 1 when the value starts with a network command word in lower case and a blank (ping, nslookup,
 * curl...): the one reading that needs no shell byte (ping -n 5 127.0.0.1 is plain text), so a
 * caller that gates the reader on shell bytes asks this before skipping a value. */
int shellcmd_probe_start(const char *in, size_t n);

#endif
