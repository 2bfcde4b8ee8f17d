/* cli_opt.h -- the one option parser of both programs (bundlegen's commands and edgenode).
 *
 * A command is a table: its usage text, its options and its positional arguments. Every option is
 * "--name VALUE" or "--name=VALUE" (the same everywhere); a flag takes no value. The help that
 * --help prints is built from the table, each option's text beside its definition. Errors have one
 * wording: "PROGRAM: CMD: unknown option '--x'", "--x needs a value", "--x takes no value",
 * "unexpected argument 'x'", "--x ARG is required", each followed by "(see PROGRAM CMD --help)";
 * a program without commands (edgenode) leaves CMD out. */
#ifndef CLI_OPT_H
#define CLI_OPT_H
#include <stddef.h>
#include <stdio.h>

typedef enum cli_kind {
    CLI_STR,        /* const char *: the value; given again, the last one wins */
    CLI_FLAG,       /* int: 1 when given; no value */
    CLI_LIST,       /* cli_list: every (option, value), in the order given; repeatable */
} cli_kind;
#define CLI_REQUIRED 0x100u
#define CLI_KIND(k) ((k) & 0xffu)

/* The values of CLI_LIST options; several options may share one list, which keeps their order. */
typedef struct cli_list {
    struct cli_item { const char *opt, *value; } *v;
    size_t n;
} cli_list;

typedef struct cli_option {
    const char *name;       /* "--out" */
    const char *arg;        /* the value's name in the help ("DIR"); NULL for a flag */
    unsigned    kind;       /* a cli_kind, | CLI_REQUIRED when parsing fails without it */
    size_t      off;        /* offsetof the field in the command's options struct */
    const char *help;       /* one line; '\n' continues it on the next, indented */
} cli_option;

#define CLI_MAX_POS 3

typedef struct cli_command {
    const char       *name;                /* "generate": the command in messages; NULL for a program
                                              without commands */
    const char       *usage;               /* printed first by --help: "usage: ..." and what it does */
    const cli_option *opts;                /* ends with {NULL} */
    const char       *footer;              /* printed after the options, or NULL */
    size_t            npos;                /* positional arguments, in order: const char * fields */
    size_t            pos_off[CLI_MAX_POS];
    size_t            npos_required;       /* how many of them must be given ... */
    const char       *pos_missing;         /* ... else this message, then the help, and exit 2 */
    const char       *program;             /* "bundlegen", "edgenode": the program in messages */
} cli_command;

/* Parses argv[1..argc) (argv[0] is the command) into out, a zeroed options struct. Returns 0 to
 * run, 1 when --help or -h printed the help (exit 0), 2 when a message went to stderr (exit 2).
 * Call cli_done afterwards in every case. */
int  cli_parse(const cli_command *cmd, int argc, char **argv, void *out);
void cli_help(const cli_command *cmd, FILE *f);
void cli_done(const cli_command *cmd, void *out);    /* frees the lists */

#endif
