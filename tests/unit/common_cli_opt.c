/* common_cli_opt.c -- unit tests of the one option parser (common/cli_opt.c): "--name VALUE" and
 * "--name=VALUE" alike, flags, shared lists in order, positionals, required options, the messages
 * of a command (bundlegen's) and of a program without commands (edgenode's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli_opt.h"

typedef struct toy {
    const char *out, *name, *first, *second;
    int json;
    cli_list items;
} toy;

static const cli_option toy_options[] = {
    {"--out", "FILE", CLI_STR | CLI_REQUIRED, offsetof(toy, out), "where to write\nsecond line"},
    {"--outer", "X", CLI_STR, offsetof(toy, name), "a name that starts like another"},
    {"--json", NULL, CLI_FLAG, offsetof(toy, json), "print JSON"},
    {"--set", "K=V", CLI_LIST, offsetof(toy, items), "an item"},
    {"--endpoint", "URL", CLI_LIST, offsetof(toy, items), "an item too, same list"},
    {NULL, NULL, 0, 0, NULL},
};

static const cli_command toy_cmd = {
    "toy", "usage: bundlegen toy FIRST [SECOND] --out FILE\n\n", toy_options, "the end\n",
    2, {offsetof(toy, first), offsetof(toy, second)}, 1, "which first?", "bundlegen",
};

/* Runs the parser on a NULL-terminated argument list; stderr goes to err (cut at errsz). */
static int run(const cli_command *cmd, toy *t, char *err, size_t errsz, ...)
{
    char *argv[32] = {"toy"};
    int argc = 1;
    va_list ap;
    va_start(ap, errsz);
    for (char *a; argc < 31 && (a = va_arg(ap, char *)); ) argv[argc++] = a;
    va_end(ap);
    memset(t, 0, sizeof *t);
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    int rc = cli_parse(cmd, argc, argv, t);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(err, 1, errsz - 1, tmp);
    err[n] = '\0';
    fclose(tmp);
    return rc;
}

static void test_both_forms_mean_the_same(void **state)
{
    (void)state;
    toy a, b;
    char e[4096];
    assert_int_equal(run(&toy_cmd, &a, e, sizeof e, "p", "--out", "x.zip", "--outer=n", NULL), 0);
    assert_int_equal(run(&toy_cmd, &b, e, sizeof e, "p", "--out=x.zip", "--outer", "n", NULL), 0);
    assert_string_equal(a.out, "x.zip");
    assert_string_equal(b.out, "x.zip");
    assert_string_equal(a.name, "n");
    assert_string_equal(b.name, "n");
    assert_string_equal(a.first, "p");
    assert_null(a.second);
    assert_int_equal(run(&toy_cmd, &a, e, sizeof e, "p", "--out=", NULL), 0);   /* an empty value is a value */
    assert_string_equal(a.out, "");
    assert_int_equal(run(&toy_cmd, &a, e, sizeof e, "p", "--out", "-", NULL), 0); /* "-" is a value too */
    assert_string_equal(a.out, "-");
}

static void test_lists_keep_order_across_options(void **state)
{
    (void)state;
    toy t;
    char e[4096];
    assert_int_equal(run(&toy_cmd, &t, e, sizeof e, "--set", "a=1", "p", "--endpoint=http://x", "--set=b=2", "--out", "o", "q",
                         "--json", NULL), 0);
    assert_int_equal(t.items.n, 3);
    assert_string_equal(t.items.v[0].opt, "--set");
    assert_string_equal(t.items.v[0].value, "a=1");
    assert_string_equal(t.items.v[1].opt, "--endpoint");
    assert_string_equal(t.items.v[1].value, "http://x");
    assert_string_equal(t.items.v[2].value, "b=2");
    assert_string_equal(t.first, "p");
    assert_string_equal(t.second, "q");
    assert_int_equal(t.json, 1);
    cli_done(&toy_cmd, &t);
    assert_null(t.items.v);
}

static const struct { const char *args[6]; const char *says; } errors[] = {
    {{"p", "--out", "o", "--fast", NULL}, "bundlegen: toy: unknown option '--fast' (see bundlegen toy --help)\n"},
    {{"p", "--out", "o", "--fast=1", NULL}, "bundlegen: toy: unknown option '--fast' (see bundlegen toy --help)\n"},
    {{"p", "--out", "o", "--ou", NULL}, "bundlegen: toy: unknown option '--ou' (see bundlegen toy --help)\n"},
    {{"p", "--out", NULL}, "bundlegen: toy: --out needs a value (see bundlegen toy --help)\n"},
    {{"p", "--out", "o", "--json=yes", NULL}, "bundlegen: toy: --json takes no value (see bundlegen toy --help)\n"},
    {{"p", "q", "r", "--out", "o", NULL}, "bundlegen: toy: unexpected argument 'r' (see bundlegen toy --help)\n"},
    {{"p", NULL}, "bundlegen: toy: --out FILE is required\nusage: bundlegen toy"},
    {{"--out", "o", NULL}, "bundlegen: toy: which first?\nusage: bundlegen toy"},
};

static void test_errors_have_one_wording(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        toy t;
        char e[4096];
        const char *const *a = errors[i].args;
        int rc = run(&toy_cmd, &t, e, sizeof e, a[0], a[1], a[2], a[3], a[4], a[5]);
        cli_done(&toy_cmd, &t);
        if (rc != 2 || strncmp(e, errors[i].says, strlen(errors[i].says)))
            fail_msg("case %zu: exit %d, said \"%s\", expected \"%s\"", i, rc, e, errors[i].says);
    }
}

/* edgenode's shape: no command name, the program's own. */
static const cli_command prog_cmd = {
    NULL, "usage: edgenode --out FILE\n\n", toy_options, NULL, 0, {0}, 0, NULL, "edgenode",
};

static void test_program_without_commands(void **state)
{
    (void)state;
    toy t;
    char e[4096];
    assert_int_equal(run(&prog_cmd, &t, e, sizeof e, "--out=o", "--json", NULL), 0);
    assert_string_equal(t.out, "o");
    assert_int_equal(run(&prog_cmd, &t, e, sizeof e, "--out", "o", "--fast", NULL), 2);
    assert_string_equal(e, "edgenode: unknown option '--fast' (see edgenode --help)\n");
    assert_int_equal(run(&prog_cmd, &t, e, sizeof e, "x", NULL), 2);
    assert_string_equal(e, "edgenode: unexpected argument 'x' (see edgenode --help)\n");
    assert_int_equal(run(&prog_cmd, &t, e, sizeof e, "--json", NULL), 2);
    const char *want = "edgenode: --out FILE is required\nusage: edgenode";
    assert_true(!strncmp(e, want, strlen(want)));
    cli_done(&prog_cmd, &t);
}

static void test_help_lists_every_option_beside_its_text(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    cli_help(&toy_cmd, f);
    fclose(f);
    assert_non_null(strstr(text, "usage: bundlegen toy FIRST"));
    assert_non_null(strstr(text, "  --out FILE      where to write\n                  second line\n"));
    assert_non_null(strstr(text, "  --json          print JSON\n"));
    assert_non_null(strstr(text, "  --endpoint URL  an item too, same list\n"));
    assert_non_null(strstr(text, "the end\n"));
    free(text);
    toy t;
    char e[64];
    assert_int_equal(run(&toy_cmd, &t, e, sizeof e, "--help", NULL), 1);     /* help wins over missing ones */
    assert_string_equal(e, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_forms_mean_the_same),
        cmocka_unit_test(test_lists_keep_order_across_options),
        cmocka_unit_test(test_errors_have_one_wording),
        cmocka_unit_test(test_help_lists_every_option_beside_its_text),
        cmocka_unit_test(test_program_without_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
