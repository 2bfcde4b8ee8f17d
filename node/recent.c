/* recent.c -- request-id table (see recent.h): open slots indexed by a hash of the id. */
#include "recent.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot { char id[65]; unsigned char data[RECENT_PAYLOAD]; } slot;

struct recent {
    pthread_mutex_t lock;
    size_t n;
    slot *v;
};

recent *recent_new(size_t slots)
{
    recent *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->v = calloc(slots ? slots : 1, sizeof *r->v);
    if (!r->v) { free(r); return NULL; }
    r->n = slots ? slots : 1;
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

void recent_free(recent *r)
{
    if (!r) return;
    pthread_mutex_destroy(&r->lock);
    free(r->v);
    free(r);
}

static size_t index_of(const recent *r, const char *id)
{
    uint64_t h = 1469598103934665603ull;           /* FNV-1a */
    for (; *id; id++) h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return (size_t)(h % r->n);
}

void recent_put(recent *r, const char *id, const void *data, size_t len)
{
    if (!r || !id || !*id || strlen(id) > 64) return;
    slot *s = &r->v[index_of(r, id)];
    pthread_mutex_lock(&r->lock);
    strcpy(s->id, id);
    memset(s->data, 0, sizeof s->data);
    memcpy(s->data, data, len < RECENT_PAYLOAD ? len : RECENT_PAYLOAD);
    pthread_mutex_unlock(&r->lock);
}

int recent_get(recent *r, const char *id, void *out)
{
    if (!r || !id || !*id || strlen(id) > 64) return 0;
    slot *s = &r->v[index_of(r, id)];
    pthread_mutex_lock(&r->lock);
    int found = strcmp(s->id, id) == 0;
    if (found) memcpy(out, s->data, RECENT_PAYLOAD);
    pthread_mutex_unlock(&r->lock);
    return found;
}
