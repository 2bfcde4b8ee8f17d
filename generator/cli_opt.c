/* cli_opt.c -- option values shared by bundlegen's subcommands.
 * "--name VALUE" and "--name=VALUE" mean the same everywhere. */
#include <string.h>
#include "cli.h"

const char *cli_opt(int argc, char **argv, int *i, const char *name, int *missing)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n)) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n]) return NULL;
    if (*i + 1 >= argc) { *missing = 1; return NULL; }
    return argv[++*i];
}
