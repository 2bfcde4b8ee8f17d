/* jarena.c -- per-thread arena for the cJSON documents parsed per request (the body and JSON found
 * inside values): allocation is a bump, deletion a count, through cJSON's hooks (jarena.h). */
#include "jarena.h"
#include <cJSON.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define JARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JARENA_ASAN 1
#endif
#endif
#ifdef JARENA_ASAN
/* Under ASan, bytes not handed out are poisoned, and each allocation keeps its size in a header
 * so that freeing poisons it: a read of a deleted node is caught as it is on the heap. */
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define HEADER ALIGN
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define HEADER 0
#endif

/* 64 slots of 64 KiB (4 MiB of zero pages until used): a 1 KB body takes about 3 KB. */
#define SLOTS 64
#define SLOT_SIZE (64u * 1024u)
#define ALIGN alignof(max_align_t)

typedef struct slot {
    atomic_size_t live;     /* allocations not yet freed (decremented by any thread) */
    size_t top;             /* next free byte (the owner's only) */
    atomic_int owned;       /* a thread holds the slot */
} slot;

static alignas(ALIGN) unsigned char pool[SLOTS][SLOT_SIZE];
static slot slots[SLOTS];
static _Thread_local int mine = -1;          /* this thread's slot; -1 none yet, -2 none to be had */
static _Thread_local int active;             /* inside jarena_parse */
static pthread_key_t release_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok;

static void *ja_malloc(size_t n)
{
    if (active) {
        slot *s = &slots[mine];
        size_t need = (n + ALIGN - 1) / ALIGN * ALIGN + HEADER;
        if (n && need >= n && need <= SLOT_SIZE - s->top) {   /* (need < n: n + ALIGN wrapped) */
            unsigned char *p = pool[mine] + s->top + HEADER;
            s->top += need;
            atomic_fetch_add_explicit(&s->live, 1, memory_order_relaxed);
            UNPOISON(p, n);
#ifdef JARENA_ASAN
            UNPOISON(p - HEADER, sizeof n);
            memcpy(p - HEADER, &n, sizeof n);
            POISON(p - HEADER, sizeof n);
#endif
            return p;
        }
    }
    return malloc(n);
}

static void ja_free(void *p)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)pool;
    if (a >= lo && a < lo + sizeof pool) {
#ifdef JARENA_ASAN
        size_t n;
        UNPOISON((unsigned char *)p - HEADER, sizeof n);
        memcpy(&n, (unsigned char *)p - HEADER, sizeof n);
        POISON((unsigned char *)p - HEADER, HEADER + n);
#endif
        /* release: the slot's owner reuses the bytes only after seeing the count reach 0 */
        atomic_fetch_sub_explicit(&slots[(a - lo) / SLOT_SIZE].live, 1, memory_order_release);
        return;
    }
    free(p);
}

void jarena_install(void)
{
    cJSON_Hooks h = {ja_malloc, ja_free};
    cJSON_InitHooks(&h);
}

/* A thread that ends gives its slot back; a later owner starts over only once every allocation
 * in it is freed, as the first owner would. */
static void release(void *v)
{
    (void)v;
    if (mine >= 0) atomic_store_explicit(&slots[mine].owned, 0, memory_order_release);
    mine = -2;
}

static void key_init(void) { key_ok = pthread_key_create(&release_key, release) == 0; }

static void claim(void)
{
    mine = -2;
    pthread_once(&key_once, key_init);
    if (!key_ok) return;
    for (int k = 0; k < SLOTS; k++) {
        int free_slot = 0;
        if (atomic_compare_exchange_strong_explicit(&slots[k].owned, &free_slot, 1, memory_order_acquire,
                                                    memory_order_relaxed)) {
            if (pthread_setspecific(release_key, &slots[k]) != 0) {
                atomic_store_explicit(&slots[k].owned, 0, memory_order_release);
                return;
            }
            mine = k;
            POISON(pool[k] + slots[k].top, SLOT_SIZE - slots[k].top);   /* what is not handed out */
            return;
        }
    }
}

struct cJSON *jarena_parse(const char *s, size_t n, const char **end)
{
    if (mine == -1) claim();
    if (mine >= 0) {
        slot *sl = &slots[mine];
        if (atomic_load_explicit(&sl->live, memory_order_acquire) == 0 && sl->top) {
            POISON(pool[mine], sl->top);
            sl->top = 0;
        }
        active = 1;
    }
    cJSON *j = cJSON_ParseWithLengthOpts(s, n, end, 0);
    active = 0;
    return j;
}

size_t jarena_live(void)
{
    size_t n = 0;
    for (int k = 0; k < SLOTS; k++) n += atomic_load_explicit(&slots[k].live, memory_order_acquire);
    return n;
}
