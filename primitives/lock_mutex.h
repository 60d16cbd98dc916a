/* Lock kind "mutex": a pthread mutex of type PTHREAD_MUTEX_NORMAL (Python's Lock).
 *
 * Contract: acquire and release may be called concurrently from any number of threads, and,
 * when initialised with pshared = 1 inside MAP_SHARED memory, from any number of processes.
 * Only the holder releases. Acquiring it again from the holder deadlocks (that is the point of
 * NORMAL; lock_errorcheck.h shows the same mistake safely). release of an unlocked mutex is
 * undefined. init and destroy must not run concurrently with anything on the same lock.
 *
 * Ordering: pthread_mutex_lock is an acquire and pthread_mutex_unlock a release on the mutex;
 * everything the holder did is visible to the next holder. Contended waiters sleep on a futex
 * (shared futex when pshared).
 *
 * Robust when pshared (lock_pthread_common.h): acquire returns EOWNERDEAD when the last holder
 * died holding it, with the mutex already made consistent and now held by the caller. */
#ifndef TVP_LOCK_MUTEX_H
#define TVP_LOCK_MUTEX_H

#include "lock_pthread_common.h"

typedef pthread_mutex_t tvp_lock_mutex_t;
#define TVP_LOCK_UNAVAILABLE_mutex NULL

static inline int tvp_lock_init_mutex(void *l, int pshared, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_init(l, PTHREAD_MUTEX_NORMAL, pshared, "mutex", err, errlen);
}

static inline int tvp_lock_destroy_mutex(void *l, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_destroy(l, "mutex", err, errlen);
}

static inline int tvp_lock_acquire_mutex(void *l)
{
    return tvp_lock_pthread_mutex_lock((pthread_mutex_t *)l);
}

static inline int tvp_lock_release_mutex(void *l)
{
    return pthread_mutex_unlock((pthread_mutex_t *)l);
}

#endif
