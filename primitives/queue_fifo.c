/* FIFO storage (queue_storage.h): a ring buffer. head is the slot of the oldest item; the next
 * free slot is head + count, modulo cap. A run of n items is at most two memcpy calls (before
 * and after the wrap). cap is any positive number, not a power of two, so the wrap is a compare
 * and a subtraction rather than a mask. */
#include "queue_storage.h"

#include <string.h>

static void fifo_push(struct tvp_queue *q, const char *items, const int64_t *prios, size_t n)
{
    size_t cap = q->cap, isz = q->item_size;
    size_t tail = q->head + tvp_queue_count(q);
    if (tail >= cap)
        tail -= cap;
    size_t first = cap - tail < n ? cap - tail : n;
    int64_t *keys = q->keys;
    memcpy(q->items + tail * isz, items, first * isz);
    if (n > first)
        memcpy(q->items, items + first * isz, (n - first) * isz);
    size_t k = tail;
    for (size_t i = 0; i < n; i++) {
        keys[k] = prios != NULL ? prios[i] : 0;
        if (++k == cap)
            k = 0;
    }
}

static void fifo_pop(struct tvp_queue *q, char *items, int64_t *prios, size_t n)
{
    size_t cap = q->cap, isz = q->item_size, head = q->head;
    size_t first = cap - head < n ? cap - head : n;
    const int64_t *keys = q->keys;
    memcpy(items, q->items + head * isz, first * isz);
    if (n > first)
        memcpy(items + first * isz, q->items, (n - first) * isz);
    if (prios != NULL) {
        size_t k = head;
        for (size_t i = 0; i < n; i++) {
            prios[i] = keys[k];
            if (++k == cap)
                k = 0;
        }
    }
    head += n;
    if (head >= cap)
        head -= cap;
    q->head = head;
}

/* The arrays doubled at their ends: the items that had wrapped to the front (slots 0 .. wrap)
 * move to just after the old end, so head .. head + count is contiguous again. */
static void fifo_grown(struct tvp_queue *q, size_t old_cap)
{
    size_t end = q->head + tvp_queue_count(q);
    if (end <= old_cap)
        return;
    size_t wrap = end - old_cap, isz = q->item_size;
    int64_t *keys = q->keys;
    memcpy(q->items + old_cap * isz, q->items, wrap * isz);
    memcpy(keys + old_cap, keys, wrap * sizeof *keys);
}

const struct tvp_queue_storage tvp_queue_fifo_storage = {
    .key_size = sizeof(int64_t),
    .push = fifo_push,
    .pop = fifo_pop,
    .grown = fifo_grown,
};
