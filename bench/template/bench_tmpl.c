/* bench_tmpl.c -- renders per second of the engine on bench/template/appendix-a.mustache.
 * Modes: "text" (raw tags, as every engine renders it), "js" (code-aware escaping), "floor" (memcpy). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "tmpl.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the floor: template pre-split into literal and slot pieces, slots pre-resolved ---- */

typedef struct piece { const char *p; size_t n; } piece;
typedef struct floor_tpl { piece *v; size_t n, cap; } floor_tpl;

static void fpush(floor_tpl *f, const char *p, size_t n)
{
    if (f->n == f->cap) { f->cap = f->cap ? f->cap * 2 : 64; f->v = realloc(f->v, f->cap * sizeof *f->v); }
    f->v[f->n++] = (piece){ p, n };
}

static const char *field(const cJSON *obj, const char *name, size_t n)
{
    char key[64];
    snprintf(key, sizeof key, "%.*s", (int)n, name);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (cJSON_IsString(v)) return v->valuestring;
    static char num[8][32];
    static int k;
    snprintf(num[k & 7], sizeof num[0], "%.0f", v ? v->valuedouble : 0);
    return num[k++ & 7];
}

/* Splits src at {{{name}}} tags, expanding the one {{#routes}} loop over the data. */
static void floor_build(floor_tpl *f, const char *src, const cJSON *data)
{
    const char *p = src, *sec = NULL;
    while (*p) {
        const char *o = strstr(p, "{{");
        if (!o) { fpush(f, p, strlen(p)); break; }
        fpush(f, p, (size_t)(o - p));
        if (o[2] == '#') {                               /* {{#routes}}\n ... {{/routes}}\n */
            const char *e = strstr(o, "}}") + 3;
            const char *close = strstr(e, "{{/routes}}");
            const cJSON *item;
            cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(data, "routes")) {
                const char *q = e;
                while (q < close) {
                    const char *t = strstr(q, "{{{");
                    if (!t || t >= close) { fpush(f, q, (size_t)(close - q)); break; }
                    fpush(f, q, (size_t)(t - q));
                    const char *te = strstr(t, "}}}");
                    const char *s = field(item, t + 3, (size_t)(te - t - 3));
                    fpush(f, s, strlen(s));
                    q = te + 3;
                }
            }
            sec = close + strlen("{{/routes}}") + 1;
            p = sec;
            continue;
        }
        const char *te = strstr(o, "}}}");
        const char *s = field(data, o + 3, (size_t)(te - o - 3));
        fpush(f, s, strlen(s));
        p = te + 3;
    }
}

static void floor_render(const floor_tpl *f, buf *out)
{
    for (size_t i = 0; i < f->n; i++) buf_add(out, f->v[i].p, f->v[i].n);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: bench_tmpl text|js|floor TEMPLATE DATA.json [--print] [--seconds S] [--renders N]\n");
        return 2;
    }
    const char *mode = argv[1];
    int print = 0;
    long renders = 0;
    double seconds = 0.4;
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--print") == 0) print = 1;
        else if (strcmp(argv[i], "--renders") == 0 && i + 1 < argc) renders = atol(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
    }
    buf srcb = BUF_INIT, djb = BUF_INIT;
    if (buf_read_file(&srcb, argv[2]) < 0 || buf_read_file(&djb, argv[3]) < 0) { perror("bench_tmpl"); return 2; }
    const char *src = srcb.data;
    size_t tlen = srcb.len;
    cJSON *data = cJSON_Parse(djb.data);
    tmpl_set *s = tmpl_set_new();
    tmpl_error err;
    floor_tpl fl = {0};
    int is_floor = strcmp(mode, "floor") == 0;
    if (is_floor) {
        floor_build(&fl, src, data);
    } else {
        tmpl_lang lang = strcmp(mode, "js") == 0 ? LANG_JS : LANG_TEXT;
        if (tmpl_set_add(s, "bench", src, tlen, lang, &err) < 0 || tmpl_set_link(s, &err) < 0) {
            fprintf(stderr, "bench_tmpl: %s\n", err.message);
            return 1;
        }
    }
    buf out = BUF_INIT;
    if (print) {
        if (is_floor) floor_render(&fl, &out);
        else if (tmpl_render(s, "bench", data, NULL, &out, &err) < 0) { fprintf(stderr, "bench_tmpl: %s\n", err.message); return 1; }
        fwrite(out.data, 1, out.len, stdout);
        return 0;
    }
    if (renders > 0) {                                  /* a fixed count, for instruction counting */
        for (long k = 0; k < renders; k++) {
            buf_reset(&out);
            if (is_floor) floor_render(&fl, &out);
            else tmpl_render(s, "bench", data, NULL, &out, &err);
        }
        return 0;
    }
    /* 5 timed runs of `seconds` each after a warm-up; print the median renders per second */
    double rates[5];
    for (int run = -1; run < 5; run++) {
        long n = 0;
        double t0 = now(), t;
        do {
            for (int k = 0; k < 200; k++) {
                buf_reset(&out);
                if (is_floor) floor_render(&fl, &out);
                else tmpl_render(s, "bench", data, NULL, &out, &err);
            }
            n += 200;
        } while ((t = now() - t0) < seconds);
        if (run >= 0) rates[run] = (double)n / t;
    }
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            if (rates[j] < rates[i]) { double x = rates[i]; rates[i] = rates[j]; rates[j] = x; }
    printf("%.0f\n", rates[2]);
    buf_free(&out);
    free(fl.v);
    tmpl_set_free(s);
    cJSON_Delete(data);
    buf_free(&srcb);
    buf_free(&djb);
    return 0;
}
