/* PRIORITY storage (queue_storage.h): a binary min-heap over (priority, insertion number), so
 * the smallest priority comes first and equal priorities leave in put order (a heap alone is not
 * stable; the 64-bit number makes every key distinct and cannot wrap in practice). Sifting moves
 * a hole rather than swapping: each level costs one key copy and one item memcpy, and the new or
 * displaced item is written once, at its final slot. */
#include "queue_storage.h"

#include <string.h>

static inline int key_less(const struct tvp_queue_key *a, const struct tvp_queue_key *b)
{
    return a->prio < b->prio || (a->prio == b->prio && a->seq < b->seq);
}

static void heap_push(struct tvp_queue *q, const char *items, const int64_t *prios, size_t n)
{
    size_t c = tvp_queue_count(q), isz = q->item_size;
    struct tvp_queue_key *keys = q->keys;
    char *slots = q->items;
    for (size_t j = 0; j < n; j++) {
        struct tvp_queue_key k = {prios != NULL ? prios[j] : 0, q->seq++};
        size_t i = c++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!key_less(&k, &keys[p]))
                break;
            keys[i] = keys[p];
            memcpy(slots + i * isz, slots + p * isz, isz);
            i = p;
        }
        keys[i] = k;
        memcpy(slots + i * isz, items + j * isz, isz);
    }
}

static void heap_pop(struct tvp_queue *q, char *items, int64_t *prios, size_t n)
{
    size_t c = tvp_queue_count(q), isz = q->item_size;
    struct tvp_queue_key *keys = q->keys;
    char *slots = q->items;
    for (size_t j = 0; j < n; j++) {
        memcpy(items + j * isz, slots, isz);
        if (prios != NULL)
            prios[j] = keys[0].prio;
        if (--c == 0)
            break;
        /* The last item refills the hole left at the root, sifted down. */
        struct tvp_queue_key last = keys[c];
        size_t i = 0;
        for (;;) {
            size_t m = 2 * i + 1;
            if (m >= c)
                break;
            if (m + 1 < c && key_less(&keys[m + 1], &keys[m]))
                m++;
            if (!key_less(&keys[m], &last))
                break;
            keys[i] = keys[m];
            memcpy(slots + i * isz, slots + m * isz, isz);
            i = m;
        }
        keys[i] = last;
        memcpy(slots + i * isz, slots + c * isz, isz);
    }
}

const struct tvp_queue_storage tvp_queue_priority_storage = {
    .key_size = sizeof(struct tvp_queue_key),
    .push = heap_push,
    .pop = heap_pop,
    .grown = NULL, /* slot indices do not depend on cap */
};
