/* Lock kind "errorcheck": a pthread mutex of type PTHREAD_MUTEX_ERRORCHECK.
 *
 * Contract: like lock_mutex.h, but the two classic mistakes are refused instead of being
 * undefined: acquiring it again from the holder returns EDEADLK (a NORMAL mutex would hang —
 * this is the plain lock's self-deadlock shown safely, claim C8), and releasing it from a
 * thread that does not hold it (or when it is unlocked) returns EPERM. Neither changes the
 * lock's state. Concurrent acquire/release from any threads, and from processes when pshared.
 * init and destroy must not run concurrently with anything on the same lock.
 *
 * Ordering: as lock_mutex.h (lock = acquire, unlock = release). */
#ifndef TVP_LOCK_ERRORCHECK_H
#define TVP_LOCK_ERRORCHECK_H

#include "lock_pthread_common.h"

typedef pthread_mutex_t tvp_lock_errorcheck_t;
#define TVP_LOCK_UNAVAILABLE_errorcheck NULL

static inline int tvp_lock_init_errorcheck(void *l, int pshared, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_init(l, PTHREAD_MUTEX_ERRORCHECK, pshared, "errorcheck", err,
                                       errlen);
}

static inline int tvp_lock_destroy_errorcheck(void *l, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_destroy(l, "errorcheck", err, errlen);
}

static inline int tvp_lock_acquire_errorcheck(void *l)
{
    return tvp_lock_pthread_mutex_lock((pthread_mutex_t *)l);
}

static inline int tvp_lock_release_errorcheck(void *l)
{
    return pthread_mutex_unlock((pthread_mutex_t *)l);
}

#endif
