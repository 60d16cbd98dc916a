/* Lock kind "recursive": a pthread mutex of type PTHREAD_MUTEX_RECURSIVE (Python's RLock).
 *
 * Contract: like lock_mutex.h, and the holder may acquire it again; every acquire is matched
 * by one release, and the lock is free once the holder has released as often as it acquired.
 * A release by a thread that does not hold it returns EPERM (glibc checks the owner for this
 * type). The owner is a thread id: between processes (pshared = 1) the nesting count belongs to
 * one thread of one process at a time, as it should. init and destroy must not run concurrently
 * with anything on the same lock.
 *
 * Ordering: the first (outermost) acquire is an acquire on the mutex, the last release a
 * release; nested acquires and releases only count (the owner check reads the owner field,
 * written by the holder itself). */
#ifndef TVP_LOCK_RECURSIVE_H
#define TVP_LOCK_RECURSIVE_H

#include "lock_pthread_common.h"

typedef pthread_mutex_t tvp_lock_recursive_t;
#define TVP_LOCK_UNAVAILABLE_recursive NULL

static inline int tvp_lock_init_recursive(void *l, int pshared, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_init(l, PTHREAD_MUTEX_RECURSIVE, pshared, "recursive", err,
                                       errlen);
}

static inline int tvp_lock_destroy_recursive(void *l, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_destroy(l, "recursive", err, errlen);
}

static inline int tvp_lock_acquire_recursive(void *l)
{
    return tvp_lock_pthread_mutex_lock((pthread_mutex_t *)l);
}

static inline int tvp_lock_release_recursive(void *l)
{
    return pthread_mutex_unlock((pthread_mutex_t *)l);
}

#endif
