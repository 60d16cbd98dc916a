/* The emulated CPython GIL: see tvp_gil.h for the algorithm, the contract and what each lock
 * protects. The functions below follow CPython's take_gil / drop_gil (Python/ceval_gil.h,
 * 3.2 .. 3.12) step by step; where this differs it says why. */
#define _GNU_SOURCE

#include "tvp_gil.h"

#include "tvp_deadline.h"
#include "tvp_err.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct tvp_gil {
    pthread_mutex_t mutex;        /* locked, last_holder (writes), switch_number logic, cond */
    pthread_cond_t cond;          /* CLOCK_MONOTONIC; signalled when the GIL is released */
    pthread_mutex_t switch_mutex; /* last_holder (writes, with mutex), forced dropper's wait */
    pthread_cond_t switch_cond;   /* signalled when a thread takes the GIL */
    int locked;                   /* under mutex: 1 while some thread holds the GIL */
    uint64_t last_holder;     /* under mutex + switch_mutex (either to read): the holder's thread
                               * number while locked, the last holder's after; 0 before the first */
    _Atomic int drop_request; /* see tvp_gil.h: relaxed everywhere, a hint */
    int64_t interval_ns;      /* read-only after create */
    /* Counters: relaxed atomics so tvp_gil_stats needs no lock. switches doubles as CPython's
     * switch_number and is only changed and compared under mutex; forced_waits changes under
     * switch_mutex; the other two under mutex. */
    _Atomic uint64_t acquisitions, switches, drop_requests, forced_waits;
};

/* Holder identity: a number per thread, handed out on first use and never reused, so a thread
 * that exits and one created later (perhaps with the same stack and TLS addresses) are never
 * taken for each other. 0 means "not yet numbered". CPython uses the PyThreadState pointer. */
static _Atomic uint64_t next_thread_number = 1;
static _Thread_local uint64_t this_thread_number;

static uint64_t self_number(void)
{
    if (this_thread_number == 0)
        /* Relaxed: only uniqueness matters, which the atomic increment gives in any order. */
        this_thread_number =
            atomic_fetch_add_explicit(&next_thread_number, 1, memory_order_relaxed);
    return this_thread_number;
}

/* Increment of a counter that only changes under one lock: no read-modify-write needed, but
 * atomic stores so tvp_gil_stats may read it concurrently. */
static void bump(_Atomic uint64_t *c)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_relaxed);
}

int tvp_gil_create(struct tvp_gil **out, int64_t interval_ns, char *err, size_t errlen)
{
    if (out == NULL) {
        tvp_errfmt(err, errlen, 0, "gil: create: no place for the result (out is NULL)");
        return EINVAL;
    }
    *out = NULL;
    if (interval_ns < TVP_GIL_MIN_INTERVAL_NS) {
        tvp_errfmt(err, errlen, 0, "gil: switch interval %lld ns is below the minimum %lld ns",
                   (long long)interval_ns, TVP_GIL_MIN_INTERVAL_NS);
        return EINVAL;
    }
    struct tvp_gil *g = calloc(1, sizeof *g);
    if (g == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, "gil: allocating the lock");
        return ENOMEM;
    }
    pthread_condattr_t ca;
    int e = pthread_condattr_init(&ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_condattr_init");
        goto out_free;
    }
    /* The waiters' timeouts are intervals, so measure them on a clock that never jumps. */
    e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_condattr_setclock(CLOCK_MONOTONIC)");
        goto out_ca;
    }
    e = pthread_mutex_init(&g->mutex, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_mutex_init");
        goto out_ca;
    }
    e = pthread_cond_init(&g->cond, &ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_cond_init");
        goto out_mutex;
    }
    e = pthread_mutex_init(&g->switch_mutex, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_mutex_init (switch)");
        goto out_cond;
    }
    e = pthread_cond_init(&g->switch_cond, &ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "gil: pthread_cond_init (switch)");
        goto out_switch_mutex;
    }
    (void)pthread_condattr_destroy(&ca); /* cannot fail for an initialised attribute */
    g->locked = 0;
    g->last_holder = 0;
    g->interval_ns = interval_ns;
    atomic_init(&g->drop_request, 0);
    atomic_init(&g->acquisitions, 0);
    atomic_init(&g->switches, 0);
    atomic_init(&g->drop_requests, 0);
    atomic_init(&g->forced_waits, 0);
    *out = g;
    return 0;

    /* Already failing: the destroys of freshly initialised, unused objects cannot fail. */
out_switch_mutex:
    (void)pthread_mutex_destroy(&g->switch_mutex);
out_cond:
    (void)pthread_cond_destroy(&g->cond);
out_mutex:
    (void)pthread_mutex_destroy(&g->mutex);
out_ca:
    (void)pthread_condattr_destroy(&ca);
out_free:
    free(g);
    return e;
}

void tvp_gil_destroy(struct tvp_gil *g)
{
    if (g == NULL)
        return;
    /* The contract says nobody holds or waits, so these cannot fail (EBUSY would mean a
     * caller broke it); a failure is reported, and the memory freed anyway, as nobody may use
     * g after this call. */
    int e;
    if ((e = pthread_cond_destroy(&g->switch_cond)) != 0)
        tvp_warn(e, "gil: pthread_cond_destroy (switch)");
    if ((e = pthread_mutex_destroy(&g->switch_mutex)) != 0)
        tvp_warn(e, "gil: pthread_mutex_destroy (switch)");
    if ((e = pthread_cond_destroy(&g->cond)) != 0)
        tvp_warn(e, "gil: pthread_cond_destroy");
    if ((e = pthread_mutex_destroy(&g->mutex)) != 0)
        tvp_warn(e, "gil: pthread_mutex_destroy");
    free(g);
}

/* Unlocks m after a failure e: returns e (the unlock of a mutex we hold cannot fail). */
static int fail_unlock(pthread_mutex_t *m, int e)
{
    (void)pthread_mutex_unlock(m);
    return e;
}

/* CPython's take_gil. */
static int take_gil(struct tvp_gil *g, uint64_t me)
{
    int e = pthread_mutex_lock(&g->mutex);
    if (e != 0)
        return e;
    if (g->locked && g->last_holder == me)
        return fail_unlock(&g->mutex, EDEADLK); /* CPython would hang here: not recursive */
    while (g->locked) {
        uint64_t saved_switchnum = atomic_load_explicit(&g->switches, memory_order_relaxed);
        struct timespec deadline;
        tvp_deadline_after(g->interval_ns, &deadline);
        e = pthread_cond_timedwait(&g->cond, &g->mutex, &deadline);
        if (e == ETIMEDOUT) {
            /* A whole interval passed with the same holder (no switch, even one that came and
             * went while we slept): ask it to drop the GIL. A wake-up by a signal, or a switch
             * that another waiter won, starts a fresh interval, as in CPython. */
            if (g->locked &&
                atomic_load_explicit(&g->switches, memory_order_relaxed) == saved_switchnum) {
                /* exchange, to count requests rather than repeated timeouts of one request */
                if (atomic_exchange_explicit(&g->drop_request, 1, memory_order_relaxed) == 0)
                    bump(&g->drop_requests);
            }
        } else if (e != 0) {
            return fail_unlock(&g->mutex, e);
        }
    }
    /* switch_mutex before last_holder changes, so a forced dropper's check of last_holder and
     * its wait on switch_cond are atomic with respect to this take (no lost wake-up). */
    e = pthread_mutex_lock(&g->switch_mutex);
    if (e != 0)
        return fail_unlock(&g->mutex, e);
    g->locked = 1;
    if (g->last_holder != me) {
        g->last_holder = me;
        bump(&g->switches);
    }
    bump(&g->acquisitions);
    e = pthread_cond_signal(&g->switch_cond);
    int e2 = pthread_mutex_unlock(&g->switch_mutex);
    if (e == 0)
        e = e2;
    /* This take honours whatever drop was requested: the next request must come from a wait
     * that starts now. Relaxed: see tvp_gil.h. */
    if (atomic_load_explicit(&g->drop_request, memory_order_relaxed))
        atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
    e2 = pthread_mutex_unlock(&g->mutex);
    /* On a signal or unlock error the GIL is nevertheless held (locked = 1 is set): report the
     * error, and the caller, which asked for the GIL, owns it. Neither call fails in glibc for
     * a valid, owned object. */
    return e != 0 ? e : e2;
}

/* CPython's drop_gil; forced = 1 for the eval-breaker path (FORCE_SWITCHING), 0 for a plain
 * release. */
static int drop_gil(struct tvp_gil *g, uint64_t me, int forced)
{
    int e = pthread_mutex_lock(&g->mutex);
    if (e != 0)
        return e;
    if (!g->locked || g->last_holder != me)
        return fail_unlock(&g->mutex, EPERM); /* CPython: "drop_gil: GIL is not locked" */
    g->locked = 0;
    e = pthread_cond_signal(&g->cond); /* one waiter: only one can take it */
    int e2 = pthread_mutex_unlock(&g->mutex);
    if (e != 0 || e2 != 0)
        return e != 0 ? e : e2;
    if (!forced || !atomic_load_explicit(&g->drop_request, memory_order_relaxed))
        return 0; /* cleared already: a taker got in first, so the switch has happened (this
                   * thread saw it set, so by coherence a 0 is a later clear, and only a take
                   * clears it while this thread is not waiting) */
    e = pthread_mutex_lock(&g->switch_mutex);
    if (e != 0)
        return e;
    int waited = 0;
    /* Not switched yet => wait. last_holder only changes under switch_mutex, and cond_wait
     * releases it atomically, so the take that changes it cannot slip between the check and
     * the wait. locked = 1 is also only set under switch_mutex, so while this thread holds it
     * and is still last_holder the GIL is free and no waiter can raise a new drop_request:
     * clearing it here erases only the request being honoured. */
    while (g->last_holder == me) {
        if (!waited) {
            /* As CPython: the request is being honoured; a new one must come from a fresh
             * timed wait, after the switch. */
            atomic_store_explicit(&g->drop_request, 0, memory_order_relaxed);
            waited = 1;
            bump(&g->forced_waits);
        }
        e = pthread_cond_wait(&g->switch_cond, &g->switch_mutex);
        if (e != 0)
            return fail_unlock(&g->switch_mutex, e);
    }
    return pthread_mutex_unlock(&g->switch_mutex);
}

int tvp_gil_acquire(struct tvp_gil *g)
{
    return take_gil(g, self_number());
}

int tvp_gil_release(struct tvp_gil *g)
{
    return drop_gil(g, self_number(), 0);
}

int tvp_gil_yield_if_requested(struct tvp_gil *g)
{
    /* The fast path: one relaxed load, like CPython's eval_breaker check. */
    if (!atomic_load_explicit(&g->drop_request, memory_order_relaxed))
        return 0;
    uint64_t me = self_number();
    int e = drop_gil(g, me, 1);
    if (e != 0)
        return -e;
    /* Other threads run now. */
    e = take_gil(g, me);
    if (e != 0)
        return -e;
    return 1;
}

void tvp_gil_stats(struct tvp_gil *g, struct tvp_gil_stats *out)
{
    out->acquisitions = atomic_load_explicit(&g->acquisitions, memory_order_relaxed);
    out->switches = atomic_load_explicit(&g->switches, memory_order_relaxed);
    out->drop_requests = atomic_load_explicit(&g->drop_requests, memory_order_relaxed);
    out->forced_waits = atomic_load_explicit(&g->forced_waits, memory_order_relaxed);
}

int64_t tvp_gil_interval_ns(const struct tvp_gil *g)
{
    return g->interval_ns;
}
