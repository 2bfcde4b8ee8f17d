/* cli.h -- bundlegen's subcommands; main.c only dispatches to these.
 * Each takes the arguments after its name and returns the process exit status. */
#ifndef CLI_H
#define CLI_H
#include "cli_opt.h"

int cli_render(int argc, char **argv);      /* cli_render.c */
int cli_platforms(int argc, char **argv);   /* cli_bundle.c */
int cli_describe(int argc, char **argv);    /* cli_bundle.c */
int cli_generate(int argc, char **argv);    /* cli_bundle.c */
int cli_serve(int argc, char **argv);       /* cli_serve.c */
int cli_changelog(int argc, char **argv);   /* cli_changelog.c */
int cli_release(int argc, char **argv);     /* cli_release.c */
int cli_keygen(int argc, char **argv);      /* cli_release.c */
int cli_verify(int argc, char **argv);      /* cli_release.c */

/* The help of options several commands share. */
#define CLI_ROOT_HELP  "the data folder (default: $BUNDLEGEN_ROOT, ./ when it holds platforms/,\nelse the installed data)"
#define CLI_PACKS_HELP "the template packs (default: ROOT/packs)"

#endif
