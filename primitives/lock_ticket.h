/* Lock kind "ticket": a FIFO ticket spin lock (our own).
 *
 * Algorithm: an acquirer takes the next ticket (fetch-and-add on "next") and spins until
 * "serving" equals its ticket; release advances "serving" by one. Waiters are served strictly
 * in arrival order. The two counters sit on separate cache lines, so acquirers taking tickets
 * do not invalidate the line the spinners read (only the release does, once per hand-over).
 * The spin loop executes a pause instruction (x86 PAUSE, AArch64 YIELD) each round, and calls
 * sched_yield() every TVP_TICKET_SPINS_PER_YIELD rounds: with more spinners than PUs (the
 * oversubscribed case, or 4 threads on 2 vCPUs) the ticket being served may belong to a task
 * that is not running, and a pure spinner would waste its whole time slice waiting for it.
 * 64 rounds take 0.2-3 us (PAUSE costs 10-140 cycles, by CPU): longer than a hand-over
 * between running tasks, so with a PU per task it almost never yields (and a yield with nothing
 * else runnable returns at once), while 4 threads on 2 vCPUs run 4 x 100000 acquisitions in
 * about 1-2 s instead of 10-20 s with 1024 rounds. Override with
 * -DTVP_TICKET_SPINS_PER_YIELD=N; a benchmark should record the value.
 *
 * Contract: acquire and release may be called concurrently from any threads, and from any
 * processes when the lock sits in MAP_SHARED memory (plain lock-free atomics on the memory
 * itself; pshared changes nothing). Only the holder releases; a release without a matching
 * acquire corrupts the lock (not detected). Counters are 32-bit and wrap harmlessly (equality
 * only), as long as fewer than 2^32 tasks wait at once. init and destroy must not run
 * concurrently with anything on the same lock; destroy has nothing to free.
 * Not robust: a ticket has no owner, so a process that dies holding the lock (or holding a
 * ticket) stops the queue behind it for good; a bench that shares it between processes
 * watches its workers (task_watch.h).
 *
 * Memory orders:
 *   acquire: fetch_add(next, relaxed) only hands out a number; the load of serving that
 *            finds our ticket is an acquire, pairing with the release store in release, so
 *            the previous holder's critical section happens before ours.
 *   release: the load of serving is relaxed (only the holder writes serving, and it wrote
 *            or acquired the current value itself); the store of serving + 1 is a release,
 *            pairing with the next holder's acquire load. */
#ifndef TVP_LOCK_TICKET_H
#define TVP_LOCK_TICKET_H

#include "tvp_cpu_relax.h"
#include "tvp_err.h"

#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#ifndef TVP_CACHE_LINE
#define TVP_CACHE_LINE 64
#endif

#ifndef TVP_TICKET_SPINS_PER_YIELD
#define TVP_TICKET_SPINS_PER_YIELD 64
#endif

typedef struct tvp_lock_ticket {
    alignas(TVP_CACHE_LINE) _Atomic uint32_t next;    /* the next ticket handed out */
    alignas(TVP_CACHE_LINE) _Atomic uint32_t serving; /* the ticket that may enter */
} tvp_lock_ticket_t;
#define TVP_LOCK_UNAVAILABLE_ticket NULL

_Static_assert(sizeof(tvp_lock_ticket_t) == 2 * TVP_CACHE_LINE,
               "ticket counters must not share a line");

static inline int tvp_lock_init_ticket(void *l, int pshared, char *err, size_t errlen)
{
    (void)pshared;
    (void)err;
    (void)errlen;
    tvp_lock_ticket_t *t = l;
    atomic_init(&t->next, 0);
    atomic_init(&t->serving, 0);
    return 0;
}

static inline int tvp_lock_destroy_ticket(void *l, char *err, size_t errlen)
{
    (void)l;
    (void)err;
    (void)errlen;
    return 0;
}

static inline int tvp_lock_acquire_ticket(void *l)
{
    tvp_lock_ticket_t *t = l;
    /* Relaxed: the ticket number orders nothing by itself; see the header comment. */
    uint32_t me = atomic_fetch_add_explicit(&t->next, 1, memory_order_relaxed);
    unsigned spins = 0;
    /* Acquire: pairs with the release store of serving in tvp_lock_release_ticket. */
    while (atomic_load_explicit(&t->serving, memory_order_acquire) != me) {
        tvp_cpu_relax();
        if (++spins == TVP_TICKET_SPINS_PER_YIELD) {
            spins = 0;
            sched_yield(); /* cannot fail on Linux */
        }
    }
    return 0;
}

static inline int tvp_lock_release_ticket(void *l)
{
    tvp_lock_ticket_t *t = l;
    /* Relaxed load: only the holder writes serving. Release store: pairs with the acquire load
     * in tvp_lock_acquire_ticket of the next ticket's owner. */
    uint32_t s = atomic_load_explicit(&t->serving, memory_order_relaxed);
    atomic_store_explicit(&t->serving, s + 1, memory_order_release);
    return 0;
}

#endif
