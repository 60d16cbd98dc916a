/* Blocking FIFO, LIFO and priority queues with the semantics of Python's queue.Queue, LifoQueue
 * and PriorityQueue: the mutex-and-condition-variable design Python's queue module uses, which
 * the queues group (claim C11) measures against lock-free rings.
 *
 * Concurrency: put, get, put_many, get_many, task_done, join and qsize may run concurrently
 * from any threads of the process that made a private queue (tvp_queue_create), and from any
 * threads of any processes that inherited a process-shared queue (tvp_queue_init_shared,
 * called before the fork, so every process sees the mapping at the same address: the queue
 * holds pointers into its own mapping). create, init_shared and destroy run alone: destroy only
 * once every call on the queue has returned (a put or get may still touch the condition
 * variables just after handing its item over). order_name and shared_size are pure. glibc's
 * pthread_cond_destroy waits until every task that slept on the condvar has left it, so a
 * process killed while asleep in a shared queue makes destroy hang: unmap without destroying
 * then. A process that dies holding the mutex leaves it locked (the mutex is not robust).
 *
 * Semantics (Python's, with error numbers for its exceptions):
 *   put      adds one item (item_size bytes copied from item) with its priority, waiting while
 *            the queue is full (bounded) for up to timeout_ns. A private unbounded queue is
 *            never full: its storage doubles (realloc; ENOMEM leaves the queue unchanged).
 *   get      removes the next item into item (and its priority into *priority): FIFO the
 *            oldest, LIFO the newest, PRIORITY the smallest priority, ties in put order (a
 *            64-bit insertion number breaks them, as the count in Python's heapq recipe does).
 *            FIFO and LIFO ignore the priority for ordering but keep it and hand it back.
 *   put_many puts n items in order, as many as fit under each lock acquisition, waiting for
 *            room in between (consumers are woken after each part); *done says how many went
 *            in, also on EAGAIN/ETIMEDOUT/ENOMEM. n == 0 returns 0 at once.
 *   get_many waits for at least one item, then removes up to max (>= 1) under that one lock
 *            acquisition, in get order; *got says how many.
 *   task_done / join  the unfinished-task count: every item put raises it, task_done lowers it
 *            (EINVAL, count unchanged, when it is already 0: Python's ValueError), join waits
 *            until it is 0.
 *   qsize    the number of items at some instant during the call (no lock taken).
 *
 * Timeouts (timeout_ns): relative nanoseconds on CLOCK_MONOTONIC; TVP_QUEUE_FOREVER waits
 * without limit, TVP_QUEUE_NOWAIT does not wait (Python's block=False), any other negative value
 * is EINVAL. A call that must wait returns EAGAIN for NOWAIT (queue.Full, queue.Empty; join:
 * tasks unfinished) and ETIMEDOUT when the time passed, never before it has; signals and
 * spurious wake-ups do not shorten a wait. An item that becomes available just as the time runs
 * out is taken rather than reported as a timeout.
 *
 * Return values: 0; EAGAIN; ETIMEDOUT; EINVAL for bad arguments (NULL pointers, item_size 0,
 * capacity 0, TVP_QUEUE_UNBOUNDED for a shared queue, an unknown order, a bad timeout, memory
 * too small or not 64-byte aligned, get_many with max 0); ENOMEM; any pthread error as
 * returned. create and init_shared also write "queue: what: reason" into err (err may be NULL
 * when errlen is 0).
 *
 * Wake-ups: one pthread mutex guards the queue; getters sleep on not_empty, putters on
 * not_full, joiners on all_tasks_done (CLOCK_MONOTONIC condition variables, process-shared for
 * a shared queue). Each call counts its sleepers, so nothing is signalled when nobody sleeps;
 * otherwise one waiter is signalled per item made available or slot freed (a broadcast when a
 * call moved at least as many items as there are sleepers), after the mutex is released so the
 * woken task does not block on it at once. all_tasks_done is broadcast when the count reaches 0,
 * under the mutex (so the task_done that woke a join is done with the queue when join returns).
 * Not fair: a task arriving while a woken one is on its way may take the item first (the woken
 * one then sleeps again).
 *
 * Cost: a bounded queue allocates nothing after create/init_shared; put and get copy items with
 * memcpy and make no system call of their own (only the futex calls inside pthread when a task
 * must sleep or wake a sleeper).
 *
 * Files: tvp_queue.h (this contract), queue_storage.h (the queue's layout and the storage
 * interface, internal), queue_blocking.c (locking, waiting, waking, task accounting, create and
 * destroy), queue_fifo.c (ring buffer), queue_lifo.c (stack), queue_priority.c (binary heap). */
#ifndef TVP_QUEUE_H
#define TVP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

enum tvp_queue_order { TVP_QUEUE_FIFO, TVP_QUEUE_LIFO, TVP_QUEUE_PRIORITY };

#define TVP_QUEUE_UNBOUNDED ((size_t)-1)  /* capacity: grows as needed (private queues only) */
#define TVP_QUEUE_FOREVER   ((int64_t)-1) /* timeout_ns: wait without limit */
#define TVP_QUEUE_NOWAIT    ((int64_t)0)  /* timeout_ns: do not wait (Python's block=False) */
#define TVP_QUEUE_ALIGN     64            /* alignment init_shared requires of its memory */

struct tvp_queue; /* opaque */

/* "fifo", "lifo", "priority"; NULL for any other value. */
const char *tvp_queue_order_name(enum tvp_queue_order o);

/* Private queue for the threads of one process (heap). capacity >= 1 or TVP_QUEUE_UNBOUNDED. */
int tvp_queue_create(struct tvp_queue **out, enum tvp_queue_order order, size_t capacity,
                     size_t item_size, char *err, size_t errlen);

/* Bytes of MAP_SHARED memory a process-shared queue needs (any order); 0 when the arguments are
 * invalid (capacity 0 or unbounded, item_size 0, overflow). */
size_t tvp_queue_shared_size(size_t capacity, size_t item_size);

/* Process-shared queue placed at mem (MAP_SHARED, TVP_QUEUE_ALIGN-byte aligned,
 * len >= tvp_queue_shared_size), initialised before fork; bounded only. Mutex and condition
 * variables PTHREAD_PROCESS_SHARED. *out == mem. */
int tvp_queue_init_shared(struct tvp_queue **out, void *mem, size_t len, enum tvp_queue_order order,
                          size_t capacity, size_t item_size, char *err, size_t errlen);

/* Frees a private queue; for a shared one destroys its mutex and condition variables (the
 * caller unmaps). 0 or an error number (the first failure; the rest is still released). Only
 * when no task uses it. NULL: 0. */
int tvp_queue_destroy(struct tvp_queue *q);

int tvp_queue_put(struct tvp_queue *q, const void *item, int64_t priority, int64_t timeout_ns);
int tvp_queue_get(struct tvp_queue *q, void *item, int64_t *priority /* may be NULL */,
                  int64_t timeout_ns);

/* Puts all n items (items: n * item_size bytes; prios may be NULL = 0), waiting for room as
 * needed; *done = how many went in. One lock acquisition moves as many as fit. */
int tvp_queue_put_many(struct tvp_queue *q, const void *items, const int64_t *prios, size_t n,
                       size_t *done, int64_t timeout_ns);

/* Waits for at least one item (per timeout), then takes up to max under one lock acquisition;
 * *got = how many. prios may be NULL. */
int tvp_queue_get_many(struct tvp_queue *q, void *items, int64_t *prios, size_t max, size_t *got,
                       int64_t timeout_ns);

/* EINVAL when called more times than items were put (Python's ValueError). */
int tvp_queue_task_done(struct tvp_queue *q);

/* Waits until every item put has been task_done'd. */
int tvp_queue_join(struct tvp_queue *q, int64_t timeout_ns);

size_t tvp_queue_qsize(struct tvp_queue *q);

/* Slow-path counters since creation, summed over every task: how many times a getter (a putter)
 * went to sleep on its condition variable (each pthread_cond_wait / timedwait call, so a task
 * woken for nothing that sleeps again counts twice). A snapshot without the lock; each counter
 * read once. What a benchmark needs to tell a queue's own cost from the wake-ups it paid. */
struct tvp_queue_stats {
    uint64_t get_sleeps;
    uint64_t put_sleeps;
};
void tvp_queue_stats(struct tvp_queue *q, struct tvp_queue_stats *st);

/* The bound given at creation (TVP_QUEUE_UNBOUNDED for an unbounded queue), and the item size:
 * read-only after creation, so no lock. */
size_t tvp_queue_capacity(const struct tvp_queue *q);
size_t tvp_queue_item_size(const struct tvp_queue *q);

#endif
