/* One set of calls over every queue the queues group measures, so a producer or consumer loop
 * is written once: the blocking queue of primitives/tvp_queue.h in its three orders (mutex and
 * condition variables; private between threads, process-shared in MAP_SHARED memory between
 * processes) and the lock-free SPSC and MPMC rings behind their futex-sleeping wrapper
 * (primitives/ring_blocking.h). The dispatch is a switch on a constant kind: one predictable
 * branch per call, next to a mutex or a cache-line transfer. */
#ifndef TVP_QUEUE_OPS_H
#define TVP_QUEUE_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "ring_blocking.h"
#include "tvp_queue.h"

enum tvp_qk { TVP_QK_FIFO, TVP_QK_LIFO, TVP_QK_PRIORITY, TVP_QK_SPSC, TVP_QK_MPMC, TVP_QK_COUNT };

struct tvp_qk_desc {
    const char *name;   /* the CSV variant */
    int multi;          /* 1: several producers and consumers may share it */
    int producer_order; /* 1: each consumer sees every producer's items in put order */
    const char *what;   /* for the CSV note */
};
extern const struct tvp_qk_desc tvp_qk[TVP_QK_COUNT];
/* The kind named by name up to any "+" (so "fifo+batch16" is the FIFO), or -1. */
int tvp_qk_find(const char *name);

struct tvp_bq {
    enum tvp_qk kind;
    struct tvp_queue *q;         /* TVP_QK_FIFO .. TVP_QK_PRIORITY */
    struct tvp_blocking_ring *r; /* TVP_QK_SPSC, TVP_QK_MPMC */
    void *mem;                   /* the mapping that holds it, when mapped */
    size_t mem_len;
};

/* A bounded queue of capacity items of item_size bytes; pshared: usable by processes forked
 * after this call. spin: the rings' try-loop before sleeping. Returns 0, or -1 with err set. */
int tvp_bq_open(struct tvp_bq *b, enum tvp_qk kind, size_t capacity, size_t item_size, int pshared,
                unsigned spin, char *err, size_t errlen);
void tvp_bq_close(struct tvp_bq *b);

/* Sleeps since the queue was opened, summed over every task: consumers' (*get) and producers'
 * (*put). For the blocking queue a condition-variable wait, for a ring a FUTEX_WAIT: each time a
 * task found nothing to do, gave up its PU and had to be woken by the other side. Read with
 * relaxed loads: exact once the tasks are done, a snapshot while they run. */
void tvp_bq_sleeps(struct tvp_bq *b, uint64_t *get, uint64_t *put);

static inline int tvp_bq_put(struct tvp_bq *b, const void *item, int64_t prio, int64_t timeout)
{
    if (b->kind <= TVP_QK_PRIORITY)
        return tvp_queue_put(b->q, item, prio, timeout);
    return tvp_blocking_ring_push(b->r, item, timeout);
}

static inline int tvp_bq_get(struct tvp_bq *b, void *item, int64_t timeout)
{
    if (b->kind <= TVP_QK_PRIORITY)
        return tvp_queue_get(b->q, item, NULL, timeout);
    return tvp_blocking_ring_pop(b->r, item, timeout);
}

static inline int tvp_bq_put_many(struct tvp_bq *b, const void *items, const int64_t *prios,
                                  size_t n, int64_t timeout)
{
    size_t done = 0;
    if (b->kind <= TVP_QK_PRIORITY)
        return tvp_queue_put_many(b->q, items, prios, n, &done, timeout);
    return tvp_blocking_ring_push_many(b->r, items, n, &done, timeout);
}

static inline int tvp_bq_get_many(struct tvp_bq *b, void *items, size_t max, size_t *got,
                                  int64_t timeout)
{
    if (b->kind <= TVP_QK_PRIORITY)
        return tvp_queue_get_many(b->q, items, NULL, max, got, timeout);
    return tvp_blocking_ring_pop_many(b->r, items, max, got, timeout);
}

#endif
