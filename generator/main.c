/* main.c -- bundlegen's command line: dispatches to the subcommands in cli_*.c.
 * Every subcommand prints one clear message on error and returns a non-zero status. */
#include <stdio.h>
#include <string.h>
#include "bundle.h"
#include "cli.h"

static const struct { const char *name; int (*run)(int, char **); const char *help; } commands[] = {
    {"render",    cli_render,    "render one template to stdout"},
    {"platforms", cli_platforms, "list the platforms with their versions"},
    {"describe",  cli_describe,  "show a platform's files and parameters"},
    {"generate",  cli_generate,  "render and pack a platform's connector bundle"},
    {"serve",     cli_serve,     "serve platforms and bundles over HTTP for the web console"},
    {"changelog", cli_changelog, "check, render or query the platforms' version histories"},
    {"release",   cli_release,   "render, check, sign and write every platform's current bundle"},
    {"keygen",    cli_keygen,    "make an Ed25519 key pair for signing releases (minisign format)"},
    {"verify",    cli_verify,    "check a bundle against a release and its signatures"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: bundlegen COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'bundlegen COMMAND --help' explains a command. 'bundlegen --version' prints the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) { usage(stderr); return 2; }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) { printf("bundlegen %s\n", BUNDLEGEN_VERSION); return 0; }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "bundlegen: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
