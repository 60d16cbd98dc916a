/* A bounded counting semaphore on a futex word: see tvp_bounded_sem.h for the contract and the
 * memory orders. */
#include "tvp_bounded_sem.h"
#include "tvp_err.h"
#include "tvp_futex.h"

#include <errno.h>
#include <stdio.h>

int tvp_bounded_sem_init(struct tvp_bounded_sem *s, uint32_t cap, int pshared, char *err,
                         size_t errlen)
{
    if (cap == 0 || cap > TVP_BOUNDED_SEM_MAX) {
        tvp_errfmt(err, errlen, 0, "bounded semaphore: cap %u is outside 1..%u", cap,
                   TVP_BOUNDED_SEM_MAX);
        return EINVAL;
    }
    atomic_init(&s->count, cap);
    atomic_init(&s->waiters, 0);
    s->cap = cap;
    s->priv = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    return 0;
}

void tvp_bounded_sem_destroy(struct tvp_bounded_sem *s)
{
    (void)s;
}

int tvp_bounded_sem_try_acquire(struct tvp_bounded_sem *s)
{
    uint32_t c = atomic_load_explicit(&s->count, memory_order_relaxed);
    while (c > 0) {
        /* Acquire on success: pairs with the release in tvp_bounded_sem_release. */
        if (atomic_compare_exchange_weak_explicit(&s->count, &c, c - 1, memory_order_acquire,
                                                  memory_order_relaxed))
            return 0;
    }
    return EAGAIN;
}

int tvp_bounded_sem_acquire(struct tvp_bounded_sem *s)
{
    for (;;) {
        if (tvp_bounded_sem_try_acquire(s) == 0)
            return 0;
        /* seq_cst: the Dekker pair with release (count raised, then waiters read). */
        atomic_fetch_add_explicit(&s->waiters, 1, memory_order_seq_cst);
        int e = tvp_futex_wait(&s->count, 0, s->priv);
        /* Relaxed: a late decrement only costs release one unneeded wake system call. */
        atomic_fetch_sub_explicit(&s->waiters, 1, memory_order_relaxed);
        if (e != 0)
            return e;
    }
}

int tvp_bounded_sem_release(struct tvp_bounded_sem *s, char *err, size_t errlen)
{
    uint32_t c = atomic_load_explicit(&s->count, memory_order_relaxed);
    do {
        if (c >= s->cap) {
            if (err != NULL && errlen > 0)
                snprintf(err, errlen, "%s", TVP_BOUNDED_SEM_OVER_RELEASE);
            return EINVAL;
        }
        /* seq_cst (includes release: publishes the holder's writes to the next acquirer's
         * acquire) and orders this raise before the load of waiters below. */
    } while (!atomic_compare_exchange_weak_explicit(&s->count, &c, c + 1, memory_order_seq_cst,
                                                    memory_order_relaxed));
    /* seq_cst: pairs with the seq_cst increment of waiters in acquire. */
    if (atomic_load_explicit(&s->waiters, memory_order_seq_cst) != 0)
        return tvp_futex_wake(&s->count, 1, s->priv);
    return 0;
}

uint32_t tvp_bounded_sem_value(struct tvp_bounded_sem *s)
{
    return atomic_load_explicit(&s->count, memory_order_relaxed);
}

uint32_t tvp_bounded_sem_cap(const struct tvp_bounded_sem *s)
{
    return s->cap;
}
