/* Event "condvar": a flag and a generation count under a pthread mutex, waiters sleeping on a
 * condition variable (CLOCK_MONOTONIC), both PTHREAD_PROCESS_SHARED when pshared. See
 * tvp_event.h for the contract.
 *
 * The mutex is robust when pshared: a task that died holding it fails the next call with
 * EOWNERDEAD (the mutex mended and usable again) instead of blocking every other task.
 *
 * set: lock; if clear, flag = 1 and gen++, then broadcast (every sleeper wakes); unlock. A set
 *      of a set event changes nothing and wakes nobody (nobody sleeps while the flag is set).
 * wait: lock; if the flag is set return 1; else remember gen and sleep until gen differs (a
 *      set happened while we waited, even if a clear followed) or the deadline passes; a
 *      spurious wake-up re-checks gen. Ordering comes from the mutex: set's writes before its
 *      unlock are visible after the waiter re-acquires it. */
#define _GNU_SOURCE

#include "event_common.h"
#include "tvp_err.h"
#include "tvp_event.h"

#include <errno.h>

static int cv_init(struct tvp_event *ev, int pshared, char *err, size_t errlen)
{
    int ps = pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    int e = pthread_mutexattr_init(&ma);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "condvar: pthread_mutexattr_init"), e;
    e = pthread_mutexattr_setpshared(&ma, ps);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_mutexattr_setpshared");
        goto out_ma;
    }
    /* Between processes a holder can die alone: robust, the next locker is told (EOWNERDEAD)
     * instead of blocking for ever. Threads cannot die alone: a private mutex stays plain. */
    if (pshared && (e = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST)) != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_mutexattr_setrobust");
        goto out_ma;
    }
    e = pthread_condattr_init(&ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_condattr_init");
        goto out_ma;
    }
    e = pthread_condattr_setpshared(&ca, ps);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_condattr_setpshared");
        goto out_ca;
    }
    e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_condattr_setclock(CLOCK_MONOTONIC)");
        goto out_ca;
    }
    e = pthread_mutex_init(&ev->u.cv.mu, &ma);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_mutex_init");
        goto out_ca;
    }
    e = pthread_cond_init(&ev->u.cv.cv, &ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "condvar: pthread_cond_init");
        (void)pthread_mutex_destroy(&ev->u.cv.mu); /* already failing */
        goto out_ca;
    }
    ev->u.cv.flag = 0;
    ev->u.cv.gen = 0;
out_ca:
    (void)pthread_condattr_destroy(&ca); /* cannot fail for an initialised attribute */
out_ma:
    (void)pthread_mutexattr_destroy(&ma); /* cannot fail for an initialised attribute */
    return e;
}

static int cv_destroy(struct tvp_event *ev, char *err, size_t errlen)
{
    int e = pthread_cond_destroy(&ev->u.cv.cv);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "condvar: pthread_cond_destroy");
    int e2 = pthread_mutex_destroy(&ev->u.cv.mu);
    if (e2 != 0 && e == 0) {
        tvp_errfmt(err, errlen, e2, "condvar: pthread_mutex_destroy");
        e = e2;
    }
    return e;
}

/* The mutex's lock. EOWNERDEAD (process-shared: a task died holding it) fails the call, but
 * first the mutex is made consistent and released, so the other tasks and destroy can still
 * take it. consistent and unlock cannot fail here: the mutex is robust, inconsistent and ours. */
static int cv_lock(struct tvp_event *ev)
{
    int e = pthread_mutex_lock(&ev->u.cv.mu);
    if (e == EOWNERDEAD) {
        (void)pthread_mutex_consistent(&ev->u.cv.mu);
        (void)pthread_mutex_unlock(&ev->u.cv.mu);
    }
    return e;
}

static int cv_set(struct tvp_event *ev)
{
    int e = cv_lock(ev);
    if (e != 0)
        return e;
    if (!ev->u.cv.flag) {
        ev->u.cv.flag = 1;
        ev->u.cv.gen++;
        e = pthread_cond_broadcast(&ev->u.cv.cv);
    }
    int e2 = pthread_mutex_unlock(&ev->u.cv.mu);
    return e != 0 ? e : e2;
}

static int cv_clear(struct tvp_event *ev)
{
    int e = cv_lock(ev);
    if (e != 0)
        return e;
    ev->u.cv.flag = 0;
    return pthread_mutex_unlock(&ev->u.cv.mu);
}

static int cv_is_set(struct tvp_event *ev)
{
    int e = cv_lock(ev);
    if (e != 0)
        return -e;
    int f = (int)ev->u.cv.flag;
    e = pthread_mutex_unlock(&ev->u.cv.mu);
    return e != 0 ? -e : f;
}

static int cv_wait(struct tvp_event *ev, int64_t timeout_ns)
{
    struct timespec deadline;
    if (timeout_ns >= 0)
        tvp_event_deadline(timeout_ns, &deadline);
    int e = cv_lock(ev);
    if (e != 0)
        return -e;
    int r = 1;
    if (!ev->u.cv.flag) {
        uint32_t gen = ev->u.cv.gen;
        while (ev->u.cv.gen == gen) {
            e = timeout_ns >= 0 ? pthread_cond_timedwait(&ev->u.cv.cv, &ev->u.cv.mu, &deadline)
                                : pthread_cond_wait(&ev->u.cv.cv, &ev->u.cv.mu);
            if (e == EOWNERDEAD) /* re-taken from a dead holder: ours, mend it (see cv_lock) */
                (void)pthread_mutex_consistent(&ev->u.cv.mu);
            if (e != 0) /* ETIMEDOUT, EOWNERDEAD or a failure */
                break;
        }
        if (e != 0 && e != ETIMEDOUT)
            r = -e;
        else
            r = ev->u.cv.gen != gen; /* a set that came with the time-out still counts */
    }
    int e2 = pthread_mutex_unlock(&ev->u.cv.mu);
    if (e2 != 0 && r >= 0)
        r = -e2;
    return r;
}

const struct tvp_event_impl tvp_event_condvar = {
    .name = "condvar",
    .init = cv_init,
    .destroy = cv_destroy,
    .set = cv_set,
    .clear = cv_clear,
    .is_set = cv_is_set,
    .wait = cv_wait,
};
