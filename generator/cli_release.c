/* cli_release.c -- "bundlegen release", "keygen" and "verify".
 * Exit status: 0 done, 1 a failure (the message names platform, check or file), 2 usage. */
#include <stdio.h>
#include "cli.h"

int cli_release(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "bundlegen: release: not built yet\n"); return 1; }
int cli_keygen(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int cli_verify(int argc, char **argv) { (void)argc; (void)argv; return 1; }
