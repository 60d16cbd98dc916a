/* Lock kind "futex": our own three-state futex mutex, after Ulrich Drepper, "Futexes Are
 * Tricky" (2011), mutex 2 with the exchange loop of mutex 3.
 *
 * The word: 0 unlocked, 1 locked with no waiters, 2 locked and maybe waiters.
 *   acquire: compare-exchange 0 -> 1; done if it was 0 (the uncontended path: one atomic, no
 *            system call). Otherwise mark the lock contended by exchanging in 2, and while the
 *            exchange returns non-zero, sleep in FUTEX_WAIT as long as the word is 2, then
 *            exchange 2 in again. A task that gets the lock through the exchange leaves the
 *            word at 2 (it cannot know whether others still sleep), so its release wakes one
 *            sleeper — at worst a wake-up with nobody to wake.
 *   release: fetch_sub 1. If the old value was 1 there were no waiters: done, no system call.
 *            If it was 2, store 0 and FUTEX_WAKE one waiter.
 * The kernel re-checks the word under its hash-bucket lock before sleeping, so a release that
 * happens between a waiter's exchange and its FUTEX_WAIT makes the wait return at once
 * (EAGAIN): no wake-up is lost.
 *
 * Contract: acquire and release may be called concurrently from any threads, and from any
 * processes when the lock sits in MAP_SHARED memory and was initialised with pshared = 1.
 * The struct keeps the futex flag: FUTEX_PRIVATE_FLAG for pshared = 0 (cheaper: the kernel keys
 * the wait by address space), 0 for pshared = 1 (keyed by the physical page, so a wake from
 * another process reaches the sleeper). Only the holder releases (not checked: no owner
 * field); re-acquiring from the holder deadlocks. Not fair: a running acquirer can take the
 * lock ahead of a woken sleeper. init and destroy must not run concurrently with anything on
 * the same lock; destroy has nothing to free.
 * Not robust: the word holds no owner (a robust futex would need the holder's tid in it and
 * the kernel's robust list, i.e. a different lock), so a process that dies holding it leaves
 * it held; a bench that shares it between processes watches its workers (task_watch.h).
 *
 * Memory orders:
 *   the compare-exchange 0 -> 1 (success: acquire; failure: relaxed, nothing was taken) and the
 *   exchange 2 (acquire: it takes the lock when it returns 0) pair with the release of the
 *   fetch_sub and of the store 0 in release, which publish the holder's critical section.
 *   flags is written by init only and read relaxed-by-construction (a plain int). */
#ifndef TVP_LOCK_FUTEX_H
#define TVP_LOCK_FUTEX_H

#include "tvp_futex.h"

#include <stddef.h>

typedef struct tvp_lock_futex {
    _Atomic uint32_t word; /* 0 unlocked, 1 locked, 2 locked with (maybe) waiters */
    int priv;              /* FUTEX_PRIVATE_FLAG, or 0 when process-shared */
} tvp_lock_futex_t;
#define TVP_LOCK_UNAVAILABLE_futex NULL

_Static_assert(sizeof(_Atomic uint32_t) == 4, "futex word must be 32-bit");

static inline int tvp_lock_init_futex(void *l, int pshared, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    tvp_lock_futex_t *f = l;
    atomic_init(&f->word, 0);
    f->priv = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    return 0;
}

static inline int tvp_lock_destroy_futex(void *l, char *err, size_t errlen)
{
    (void)l;
    (void)err;
    (void)errlen;
    return 0;
}

static inline int tvp_lock_acquire_futex(void *l)
{
    tvp_lock_futex_t *f = l;
    uint32_t c = 0;
    /* Acquire on success: pairs with the releases in tvp_lock_release_futex. */
    if (atomic_compare_exchange_strong_explicit(&f->word, &c, 1, memory_order_acquire,
                                                memory_order_relaxed))
        return 0;
    if (c != 2)
        c = atomic_exchange_explicit(&f->word, 2, memory_order_acquire);
    while (c != 0) {
        int e = tvp_futex_wait(&f->word, 2, f->priv);
        if (e != 0)
            return e; /* EFAULT/ENOSYS/EINVAL: the lock is unusable; not taken */
        c = atomic_exchange_explicit(&f->word, 2, memory_order_acquire);
    }
    return 0;
}

static inline int tvp_lock_release_futex(void *l)
{
    tvp_lock_futex_t *f = l;
    /* Release: publishes the critical section to the next acquirer's acquire. */
    if (atomic_fetch_sub_explicit(&f->word, 1, memory_order_release) != 1) {
        /* It was 2: there may be sleepers. Release store, for acquirers whose exchange or
         * compare-exchange reads this 0. */
        atomic_store_explicit(&f->word, 0, memory_order_release);
        return tvp_futex_wake(&f->word, 1, f->priv);
    }
    return 0;
}

#endif
