/* Lock kind "rwlock-write": the write side of a pthread read-write lock
 * (pthread_rwlock_wrlock / pthread_rwlock_unlock), used as a plain mutual-exclusion lock, to
 * show what the reader bookkeeping costs a writer.
 *
 * Contract: acquire and release may be called concurrently from any threads, and from any
 * processes when initialised with pshared = 1 inside MAP_SHARED memory
 * (pthread_rwlockattr_setpshared). Only the holder releases. Re-acquiring from the holder
 * returns EDEADLK in glibc (it tracks the writer) or deadlocks elsewhere; do not rely on it.
 * init and destroy must not run concurrently with anything on the same lock.
 * Not robust: POSIX has no robust rwlock, so a process that dies holding it leaves it held;
 * a bench that shares it between processes watches its workers (task_watch.h).
 *
 * Ordering: wrlock is an acquire, unlock a release. The default kind
 * (PTHREAD_RWLOCK_PREFER_READER_NP) does not matter here: there are no readers. */
#ifndef TVP_LOCK_RWLOCK_WRITE_H
#define TVP_LOCK_RWLOCK_WRITE_H

#include "tvp_err.h"

#include <pthread.h>
#include <stddef.h>

typedef pthread_rwlock_t tvp_lock_rwlock_write_t;
#define TVP_LOCK_UNAVAILABLE_rwlock_write NULL

static inline int tvp_lock_init_rwlock_write(void *l, int pshared, char *err, size_t errlen)
{
    pthread_rwlockattr_t a;
    int e = pthread_rwlockattr_init(&a);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "rwlock-write: pthread_rwlockattr_init"), e;
    e = pthread_rwlockattr_setpshared(&a,
                                      pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "rwlock-write: pthread_rwlockattr_setpshared");
    else if ((e = pthread_rwlock_init((pthread_rwlock_t *)l, &a)) != 0)
        tvp_errfmt(err, errlen, e, "rwlock-write: pthread_rwlock_init");
    int e2 = pthread_rwlockattr_destroy(&a);
    if (e == 0 && e2 != 0) {
        tvp_errfmt(err, errlen, e2, "rwlock-write: pthread_rwlockattr_destroy");
        (void)pthread_rwlock_destroy((pthread_rwlock_t *)l);
        e = e2;
    }
    return e;
}

static inline int tvp_lock_destroy_rwlock_write(void *l, char *err, size_t errlen)
{
    int e = pthread_rwlock_destroy((pthread_rwlock_t *)l);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "rwlock-write: pthread_rwlock_destroy");
    return e;
}

static inline int tvp_lock_acquire_rwlock_write(void *l)
{
    return pthread_rwlock_wrlock((pthread_rwlock_t *)l);
}

static inline int tvp_lock_release_rwlock_write(void *l)
{
    return pthread_rwlock_unlock((pthread_rwlock_t *)l);
}

#endif
