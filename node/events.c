/* events.c -- attack log (see events.h).
 * Lines are built with cJSON and written with one write(2) on an O_APPEND descriptor. */
#include "events.h"
#include "config.h"
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int fd = -1;

int events_open(const char *path, char *err, size_t errlen)
{
    int nfd = -1;
    if (path) {
        nfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (nfd < 0) { snprintf(err, errlen, "events: cannot open %s: %s", path, strerror(errno)); return -1; }
    }
    pthread_mutex_lock(&lock);
    int old = fd;
    fd = nfd;
    pthread_mutex_unlock(&lock);
    if (old >= 0) close(old);
    return 0;
}

void events_close(void)
{
    char err[8];
    events_open(NULL, err, sizeof err);
}

void events_add_message(cJSON *o, const decide_result *r)
{
    cJSON_AddStringToObject(o, "request_id", r->request_id);
    cJSON_AddStringToObject(o, "connector", r->connector);
    cJSON_AddNumberToObject(o, "application", (double)r->application);
    cJSON_AddStringToObject(o, "host", r->host);
    cJSON_AddStringToObject(o, "client", r->client);
}

char *events_format(const decide_result *r, int i, const char *when)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    const detect_hit *h = &r->det.hits[i];
    cJSON_AddStringToObject(o, "time", when);
    events_add_message(o, r);
    cJSON_AddStringToObject(o, "class", h->attack_class);
    cJSON_AddStringToObject(o, "rule", h->rule_id);
    cJSON_AddStringToObject(o, "where", h->where);
    cJSON_AddNumberToObject(o, "score", h->score);
    /* The request's total and every signal that made it, on each line of the request. */
    cJSON_AddNumberToObject(o, "request_score", r->det.score);
    cJSON_AddNumberToObject(o, "threshold", r->threshold);
    cJSON *sig = cJSON_AddArrayToObject(o, "signals");
    for (int j = 0; sig && j < r->det.nhits; j++) {
        cJSON *e = cJSON_CreateObject();
        if (!e) break;
        cJSON_AddStringToObject(e, "rule", r->det.hits[j].rule_id);
        cJSON_AddNumberToObject(e, "score", r->det.hits[j].score);
        cJSON_AddStringToObject(e, "where", r->det.hits[j].where);
        cJSON_AddItemToArray(sig, e);
    }
    cJSON_AddStringToObject(o, "verdict", strcmp(r->verdict, "block") == 0 ? "blocked" : "passed");
    cJSON_AddStringToObject(o, "mode", config_mode_name(r->mode));
    cJSON_AddStringToObject(o, "type", r->type == DECIDE_ASYNC ? "async" : "inline");
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return NULL;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) { free(s); return NULL; }
    line[n] = '\n';
    line[n + 1] = '\0';
    return line;
}

static void now_iso(char *out, size_t len)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, len - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* 1 when an earlier hit of r has the same class at the same place: one attack, one line. */
static int events_same_attack(const decide_result *r, int i)
{
    for (int j = 0; j < i; j++)
        if (strcmp(r->det.hits[j].attack_class, r->det.hits[i].attack_class) == 0 &&
            strcmp(r->det.hits[j].where, r->det.hits[i].where) == 0)
            return 1;
    return 0;
}

int events_write(const decide_result *r)
{
    if (!r->analysed || r->det.nhits == 0) return 0;
    char when[40];
    now_iso(when, sizeof when);
    int written = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; fd >= 0 && i < r->det.nhits; i++) {
        if (events_same_attack(r, i)) continue;
        char *line = events_format(r, i, when);
        if (!line) { written = -1; break; }
        size_t n = strlen(line);
        ssize_t w = write(fd, line, n);
        free(line);
        if (w != (ssize_t)n) { written = -1; break; }
        written++;
    }
    pthread_mutex_unlock(&lock);
    return written;
}

int events_enabled(void)
{
    pthread_mutex_lock(&lock);
    int on = fd >= 0;
    pthread_mutex_unlock(&lock);
    return on;
}

cJSON *events_new(const char *type)
{
    cJSON *o = cJSON_CreateObject();
    char when[40];
    now_iso(when, sizeof when);
    if (o) { cJSON_AddStringToObject(o, "time", when); cJSON_AddStringToObject(o, "type", type); }
    return o;
}

int events_emit(cJSON *o)
{
    if (!o) return -1;
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return -1;
    size_t n = strlen(s);
    char *line = realloc(s, n + 2);
    if (!line) { free(s); return -1; }
    line[n] = '\n';
    int rc = 0;
    pthread_mutex_lock(&lock);
    if (fd >= 0) rc = write(fd, line, n + 1) == (ssize_t)(n + 1) ? 1 : -1;
    pthread_mutex_unlock(&lock);
    free(line);
    return rc;
}
