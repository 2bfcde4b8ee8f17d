/* cli.h -- bundlegen's subcommands; main.c only dispatches to these.
 * Each takes the arguments after its name and returns the process exit status. */
#ifndef CLI_H
#define CLI_H

int cli_render(int argc, char **argv);      /* cli_render.c */
int cli_platforms(int argc, char **argv);   /* cli_bundle.c */
int cli_describe(int argc, char **argv);    /* cli_bundle.c */
int cli_generate(int argc, char **argv);    /* cli_bundle.c */
int cli_serve(int argc, char **argv);       /* cli_serve.c */
int cli_changelog(int argc, char **argv);   /* cli_changelog.c */
int cli_release(int argc, char **argv);     /* cli_release.c */
int cli_keygen(int argc, char **argv);      /* cli_release.c */
int cli_verify(int argc, char **argv);      /* cli_release.c */

/* cli_opt.c: the value of option name at argv[*i], given as "--name VALUE" or "--name=VALUE",
 * moving *i past it; NULL when argv[*i] is another option, or with *missing set when no value
 * follows. */
const char *cli_opt(int argc, char **argv, int *i, const char *name, int *missing);

#endif
