/* listeners.c -- listeners across reloads (see listeners.h).
 * Same address: the old server is quiesced and its bound socket handed to the new one, so no
 * connection attempt is refused; the old server keeps its open connections until they close. */
#include "listeners.h"
#include "admin.h"
#include "metrics.h"
#include "server.h"
#include "state.h"
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_RETIRED 16

static server *current;
static server *retired[MAX_RETIRED];
static size_t nretired;
static admin *adm;

int listeners_start(const config *c, char *err, size_t errlen)
{
    current = server_start(c, -1, err, errlen);
    if (!current) return -1;
    if (c->admin_port && !(adm = admin_start(c, err, errlen))) {
        server_stop(current);
        current = NULL;
        return -1;
    }
    return 0;
}

static void retire(server *s)
{
    if (nretired == MAX_RETIRED) {                  /* reload storm: oldest goes now */
        server_stop(retired[0]);
        memmove(retired, retired + 1, (MAX_RETIRED - 1) * sizeof *retired);
        nretired--;
    }
    retired[nretired++] = s;
}

static int apply_server(const config *old, const config *c, char *err, size_t errlen)
{
    if (!server_options_changed(old, c)) return 0;
    if (server_check_tls(c, err, errlen) < 0) return -1;
    server *next;
    if (strcmp(old->listen, c->listen) == 0) {
        int fd = server_quiesce(current);
        next = server_start(c, fd, err, errlen);
        if (!next) {                                /* keep serving on the old settings */
            char again[256];
            next = server_start(old, fd, again, sizeof again);
            if (!next) close(fd);
            retire(current);
            current = next;
            return -1;
        }
    } else {
        next = server_start(c, -1, err, errlen);    /* bind first: failure changes nothing */
        if (!next) return -1;
        int fd = server_quiesce(current);
        if (fd >= 0) close(fd);
    }
    retire(current);
    current = next;
    return 0;
}

/* Starts the admin listener c asks for into *next; 0, or -1 with the old one still serving. */
static int start_admin(const config *old, const config *c, admin **next, char *err, size_t errlen)
{
    *next = NULL;
    if (!c->admin_port) return 0;
    *next = admin_start(c, err, errlen);
    if (*next || !adm) return *next ? 0 : -1;
    admin_stop(adm);                                /* maybe the old one holds the port */
    adm = NULL;
    *next = admin_start(c, err, errlen);
    if (*next) return 0;
    char again[256];
    adm = admin_start(old, again, sizeof again);
    return -1;
}

int listeners_apply(const config *old, const config *c, char *err, size_t errlen)
{
    int moved = old->admin_port != c->admin_port || strcmp(old->admin_ip, c->admin_ip) != 0;
    admin *next = NULL;
    if (moved && start_admin(old, c, &next, err, errlen) < 0) return -1;
    if (apply_server(old, c, err, errlen) < 0) {    /* refused: the admin goes back too */
        if (moved) {
            admin_stop(next);
            char again[256];
            if (!adm && old->admin_port) adm = admin_start(old, again, sizeof again);
        }
        return -1;
    }
    if (moved) {
        admin_stop(adm);                            /* scrapes and probes simply reconnect */
        adm = next;
    }
    return 0;
}

void listeners_reap(void)
{
    size_t kept = 0;
    for (size_t i = 0; i < nretired; i++) {
        if (server_connections(retired[i]) == 0) server_stop(retired[i]);
        else retired[kept++] = retired[i];
    }
    nretired = kept;
}

void listeners_shutdown(unsigned long timeout_ms)
{
    state_set_draining();
    int fd = server_quiesce(current);
    if (fd >= 0) close(fd);
    struct timespec step = {0, 20 * 1000 * 1000};
    for (unsigned long waited = 0; metrics_inflight_now() > 0 && waited < timeout_ms; waited += 20)
        nanosleep(&step, NULL);
    server_stop(current);
    current = NULL;
    for (size_t i = 0; i < nretired; i++) server_stop(retired[i]);
    nretired = 0;
    admin_stop(adm);
    adm = NULL;
}
