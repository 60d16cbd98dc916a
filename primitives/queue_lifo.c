/* LIFO storage (queue_storage.h): a stack. Slots 0 .. count hold the items, the newest on top;
 * a push of n items is one memcpy, a pop takes them from the top down (newest first). */
#include "queue_storage.h"

#include <string.h>

static void lifo_push(struct tvp_queue *q, const char *items, const int64_t *prios, size_t n)
{
    size_t c = tvp_queue_count(q), isz = q->item_size;
    int64_t *keys = q->keys;
    memcpy(q->items + c * isz, items, n * isz);
    for (size_t i = 0; i < n; i++)
        keys[c + i] = prios != NULL ? prios[i] : 0;
}

static void lifo_pop(struct tvp_queue *q, char *items, int64_t *prios, size_t n)
{
    size_t top = tvp_queue_count(q), isz = q->item_size;
    const int64_t *keys = q->keys;
    for (size_t i = 0; i < n; i++) {
        top--;
        memcpy(items + i * isz, q->items + top * isz, isz);
        if (prios != NULL)
            prios[i] = keys[top];
    }
}

const struct tvp_queue_storage tvp_queue_lifo_storage = {
    .key_size = sizeof(int64_t),
    .push = lifo_push,
    .pop = lifo_pop,
    .grown = NULL, /* slot indices do not depend on cap */
};
