/* Lock kind "spin": a pthread spin lock (pthread_spin_lock / pthread_spin_unlock).
 *
 * Contract: acquire and release may be called concurrently from any threads, and from any
 * processes when initialised with pshared = 1 inside MAP_SHARED memory (PTHREAD_PROCESS_SHARED).
 * Only the holder releases; re-acquiring from the holder spins forever. A waiter never sleeps:
 * it burns its PU until the holder releases, so with more spinners than PUs a preempted
 * holder costs the others whole time slices (that is what the benchmark shows for it).
 * init and destroy must not run concurrently with anything on the same lock.
 * Not robust: a pthread spinlock has no owner the kernel knows of, so a process that dies
 * holding it leaves the others spinning for ever; a bench that shares it between processes
 * watches its workers (task_watch.h) and kills the rest when one dies.
 *
 * Ordering: glibc's pthread_spin_lock is an acquire exchange, pthread_spin_unlock a release
 * store; not fair (whoever sees the word free first takes it). */
#ifndef TVP_LOCK_SPIN_H
#define TVP_LOCK_SPIN_H

#include "tvp_err.h"

#include <pthread.h>
#include <stddef.h>

typedef pthread_spinlock_t tvp_lock_spin_t;
#define TVP_LOCK_UNAVAILABLE_spin NULL

static inline int tvp_lock_init_spin(void *l, int pshared, char *err, size_t errlen)
{
    int e = pthread_spin_init((pthread_spinlock_t *)l,
                              pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "spin: pthread_spin_init");
    return e;
}

static inline int tvp_lock_destroy_spin(void *l, char *err, size_t errlen)
{
    int e = pthread_spin_destroy((pthread_spinlock_t *)l);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "spin: pthread_spin_destroy");
    return e;
}

static inline int tvp_lock_acquire_spin(void *l)
{
    return pthread_spin_lock((pthread_spinlock_t *)l);
}

static inline int tvp_lock_release_spin(void *l)
{
    return pthread_spin_unlock((pthread_spinlock_t *)l);
}

#endif
