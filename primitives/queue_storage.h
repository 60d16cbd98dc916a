/* Internal to the blocking queue (tvp_queue.h): the layout of struct tvp_queue, and the storage
 * interface each order implements, so queue_blocking.c holds every lock, wait and wake-up once.
 *
 * Storage: two arrays of cap slots, items (item_size bytes each, copied with memcpy) and keys
 * (a priority, plus an insertion number for the heap). Kept apart so a run of items is one
 * memcpy in the ring and the stack, and the heap's comparisons touch 16-byte keys only. A
 * bounded queue's arrays follow its header in one block (heap or MAP_SHARED memory); an
 * unbounded private queue mallocs them separately, so realloc can grow them while the header,
 * with its mutex, stays put.
 *
 * The storage functions run with the mutex held and never fail; count is changed by the
 * engine after they return. */
#ifndef TVP_QUEUE_STORAGE_H
#define TVP_QUEUE_STORAGE_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The heap's key: the priority, then the insertion number for ties (put order). */
struct tvp_queue_key {
    int64_t prio;
    uint64_t seq;
};

struct tvp_queue {
    /* Every put and get holds mu and reads or writes all of these: one cache line with mu
     * (mutex 40 bytes on x86-64 + 3 words), so taking the lock brings them along. */
    pthread_mutex_t mu;
    size_t head; /* FIFO: slot of the oldest item */
    /* Items held. Written only under mu; atomic (relaxed, a plain move on x86-64) only so that
     * qsize can read a snapshot without taking the lock. */
    _Atomic size_t count;
    size_t cap; /* slots allocated: the bound, or the current size of an unbounded queue */

    /* The rest under mu too, but read-mostly or touched less often. */
    char *items;       /* cap * item_size bytes */
    void *keys;        /* cap * key_size bytes: int64_t priorities, or struct tvp_queue_key */
    size_t item_size;  /* read-only after init */
    uint64_t seq;      /* PRIORITY: insertion number of the next item */
    size_t unfinished; /* items put minus task_done calls */
    uint32_t get_waiters, put_waiters, join_waiters; /* tasks sleeping on each condvar */
    /* Condition-variable waits since creation, by getters and by putters (tvp_queue_stats).
     * Written under mu on the sleeping path only; atomic (relaxed) so a snapshot needs no lock. */
    _Atomic uint64_t get_sleeps, put_sleeps;
    uint8_t order;     /* enum tvp_queue_order; read-only after init */
    uint8_t unbounded; /* full means grow, not wait; read-only after init */
    uint8_t shared;    /* in caller's MAP_SHARED memory; read-only after init */

    /* Wakers signal after unlocking, while the next lock holder writes the lines above: the
     * condvars on lines of their own keep the two from bouncing one line between them. */
    alignas(64) pthread_cond_t not_empty;
    pthread_cond_t not_full;
    pthread_cond_t all_tasks_done;
};

static inline size_t tvp_queue_count(const struct tvp_queue *q)
{
    return atomic_load_explicit(&q->count, memory_order_relaxed);
}

static inline void tvp_queue_set_count(struct tvp_queue *q, size_t n)
{
    atomic_store_explicit(&q->count, n, memory_order_relaxed);
}

/* One order's storage policy. n never exceeds the room (push) or the count (pop). */
struct tvp_queue_storage {
    size_t key_size; /* bytes per key slot */
    /* Adds items[0..n) with prios[0..n) (NULL: all 0) after the count items held. */
    void (*push)(struct tvp_queue *q, const char *items, const int64_t *prios, size_t n);
    /* Removes the next n items in get order into items[0..n) and, when prios is not NULL,
     * their priorities into prios[0..n). */
    void (*pop)(struct tvp_queue *q, char *items, int64_t *prios, size_t n);
    /* After the engine has grown both arrays from old_cap to q->cap slots (realloc keeps the
     * first old_cap): restores the policy's layout, or NULL when slot indices stay valid. */
    void (*grown)(struct tvp_queue *q, size_t old_cap);
};

extern const struct tvp_queue_storage tvp_queue_fifo_storage;     /* queue_fifo.c */
extern const struct tvp_queue_storage tvp_queue_lifo_storage;     /* queue_lifo.c */
extern const struct tvp_queue_storage tvp_queue_priority_storage; /* queue_priority.c */

#endif
