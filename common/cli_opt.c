/* cli_opt.c -- the one option parser of bundlegen's commands and edgenode (see cli_opt.h): a table
 * per command, "--name VALUE" and "--name=VALUE" alike, one error wording, --help built from the table. */
#include <stdlib.h>
#include <string.h>
#include "cli_opt.h"

static void *field(void *out, size_t off) { return (char *)out + off; }

/* Starts a message with "PROGRAM: CMD: " (or "PROGRAM: " for a program without commands). */
static void who(const cli_command *cmd)
{
    fprintf(stderr, "%s: ", cmd->program);
    if (cmd->name) fprintf(stderr, "%s: ", cmd->name);
}

static int usage_error(const cli_command *cmd, const char *fmt, const char *what)
{
    who(cmd);
    fprintf(stderr, fmt, what);
    fprintf(stderr, " (see %s%s%s --help)\n", cmd->program, cmd->name ? " " : "", cmd->name ? cmd->name : "");
    return 2;
}

static int list_add(cli_list *l, const char *opt, const char *value)
{
    struct cli_item *v = realloc(l->v, (l->n + 1) * sizeof *v);
    if (!v) return -1;
    l->v = v;
    l->v[l->n].opt = opt;
    l->v[l->n++].value = value;
    return 0;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, void *out)
{
    size_t npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) { cli_help(cmd, stdout); return 1; }
        if (a[0] != '-' || !a[1]) {                          /* a positional argument; "-" is one */
            if (npos == cmd->npos) return usage_error(cmd, "unexpected argument '%s'", a);
            *(const char **)field(out, cmd->pos_off[npos++]) = a;
            continue;
        }
        const cli_option *o = cmd->opts;
        size_t n = 0;
        for (; o->name; o++) {
            n = strlen(o->name);
            if (!strncmp(a, o->name, n) && (a[n] == '=' || !a[n])) break;
        }
        if (!o->name) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(a, "="), a);
            return usage_error(cmd, "unknown option '%s'", name);
        }
        if (CLI_KIND(o->kind) == CLI_FLAG) {
            if (a[n] == '=') return usage_error(cmd, "%s takes no value", o->name);
            *(int *)field(out, o->off) = 1;
            continue;
        }
        const char *v = a[n] == '=' ? a + n + 1 : i + 1 < argc ? argv[++i] : NULL;
        if (!v) return usage_error(cmd, "%s needs a value", o->name);
        if (CLI_KIND(o->kind) == CLI_STR) *(const char **)field(out, o->off) = v;
        else if (list_add(field(out, o->off), o->name, v) < 0) {
            who(cmd);
            fputs("out of memory\n", stderr);
            return 2;
        }
    }
    for (const cli_option *o = cmd->opts; o->name; o++) {
        if (!(o->kind & CLI_REQUIRED)) continue;
        const void *f = field(out, o->off);
        int given = CLI_KIND(o->kind) == CLI_STR ? *(const char *const *)f != NULL :
                    CLI_KIND(o->kind) == CLI_FLAG ? *(const int *)f : ((const cli_list *)f)->n > 0;
        if (given) continue;
        who(cmd);
        fprintf(stderr, "%s %s is required\n", o->name, o->arg ? o->arg : "");
        cli_help(cmd, stderr);
        return 2;
    }
    if (npos < cmd->npos_required) {
        who(cmd);
        fprintf(stderr, "%s\n", cmd->pos_missing);
        cli_help(cmd, stderr);
        return 2;
    }
    return 0;
}

void cli_help(const cli_command *cmd, FILE *f)
{
    int w = 0;
    for (const cli_option *o = cmd->opts; o->name; o++) {
        int l = (int)strlen(o->name) + (o->arg ? 1 + (int)strlen(o->arg) : 0);
        if (l > w) w = l;
    }
    fputs(cmd->usage, f);
    for (const cli_option *o = cmd->opts; o->name; o++) {
        char left[96];
        snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(f, "  %-*s  ", w, left);
        for (const char *h = o->help; *h; h++) {
            fputc(*h, f);
            if (*h == '\n') fprintf(f, "  %-*s  ", w, "");
        }
        fputc('\n', f);
    }
    if (cmd->footer) fputs(cmd->footer, f);
}

void cli_done(const cli_command *cmd, void *out)
{
    for (const cli_option *o = cmd->opts; o->name; o++) {
        if (CLI_KIND(o->kind) != CLI_LIST) continue;
        cli_list *l = field(out, o->off);
        free(l->v);                                         /* options sharing a list free it once */
        l->v = NULL;
        l->n = 0;
    }
}
