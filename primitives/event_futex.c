/* Event "futex": one 32-bit futex word. See tvp_event.h for the contract.
 *
 * The word counts changes: even = clear, odd = set; set adds 1 to an even word, clear adds 1
 * to an odd one (compare-exchange loops, so a set of a set event and a clear of a clear one
 * change nothing). A waiter that read w (even) returns 1 as soon as the word differs from w —
 * at least one set happened since, even if a clear followed — and sleeps in
 * FUTEX_WAIT_BITSET (absolute CLOCK_MONOTONIC deadline) only while the word is still w.
 * set wakes every sleeper (FUTEX_WAKE, INT_MAX), and only when one has registered in
 * "waiters", so a set nobody waits for is one atomic and no system call.
 *
 * Memory orders:
 *   set's compare-exchange is seq_cst: release, so what the setter wrote before set() is
 *     visible to a waiter whose acquire load reads this value or a later one (clear's
 *     read-modify-write continues the release sequence); and ordered before set's seq_cst load
 *     of waiters. The waiter's seq_cst increment of waiters comes before the kernel's read of
 *     the word in FUTEX_WAIT. That store-load (Dekker) pair guarantees that either set sees the
 *     waiter and wakes it, or the kernel sees the new word and does not put it to sleep.
 *   clear's compare-exchange is relaxed: it publishes nothing.
 *   loads of the word in wait and is_set are acquire (pair with set's release).
 *   the decrement of waiters is relaxed: a late one only costs set an unneeded wake call. */
#define _GNU_SOURCE

#include "event_common.h"
#include "tvp_event.h"
#include "tvp_futex.h"

static int fx_init(struct tvp_event *ev, int pshared, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    atomic_init(&ev->u.fx.word, 0);
    atomic_init(&ev->u.fx.waiters, 0);
    ev->u.fx.priv = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    return 0;
}

static int fx_destroy(struct tvp_event *ev, char *err, size_t errlen)
{
    (void)ev;
    (void)err;
    (void)errlen;
    return 0;
}

static int fx_set(struct tvp_event *ev)
{
    uint32_t w = atomic_load_explicit(&ev->u.fx.word, memory_order_relaxed);
    while ((w & 1) == 0) {
        if (atomic_compare_exchange_weak_explicit(&ev->u.fx.word, &w, w + 1, memory_order_seq_cst,
                                                  memory_order_relaxed)) {
            if (atomic_load_explicit(&ev->u.fx.waiters, memory_order_seq_cst) != 0)
                return tvp_futex_wake(&ev->u.fx.word, INT_MAX, ev->u.fx.priv);
            return 0;
        }
    }
    return 0;
}

static int fx_clear(struct tvp_event *ev)
{
    uint32_t w = atomic_load_explicit(&ev->u.fx.word, memory_order_relaxed);
    while ((w & 1) != 0 &&
           !atomic_compare_exchange_weak_explicit(&ev->u.fx.word, &w, w + 1, memory_order_relaxed,
                                                  memory_order_relaxed))
        ;
    return 0;
}

static int fx_is_set(struct tvp_event *ev)
{
    return (int)(atomic_load_explicit(&ev->u.fx.word, memory_order_acquire) & 1);
}

static int fx_wait(struct tvp_event *ev, int64_t timeout_ns)
{
    uint32_t w0 = atomic_load_explicit(&ev->u.fx.word, memory_order_acquire);
    if (w0 & 1)
        return 1;
    struct timespec deadline;
    if (timeout_ns >= 0)
        tvp_event_deadline(timeout_ns, &deadline);
    int r;
    atomic_fetch_add_explicit(&ev->u.fx.waiters, 1, memory_order_seq_cst);
    for (;;) {
        if (atomic_load_explicit(&ev->u.fx.word, memory_order_acquire) != w0) {
            r = 1;
            break;
        }
        int e = tvp_futex_wait_until(&ev->u.fx.word, w0, ev->u.fx.priv,
                                     timeout_ns >= 0 ? &deadline : NULL);
        if (e == ETIMEDOUT) {
            r = atomic_load_explicit(&ev->u.fx.word, memory_order_acquire) != w0;
            break;
        }
        if (e != 0) {
            r = -e;
            break;
        }
    }
    atomic_fetch_sub_explicit(&ev->u.fx.waiters, 1, memory_order_relaxed);
    return r;
}

const struct tvp_event_impl tvp_event_futex = {
    .name = "futex",
    .init = fx_init,
    .destroy = fx_destroy,
    .set = fx_set,
    .clear = fx_clear,
    .is_set = fx_is_set,
    .wait = fx_wait,
};
