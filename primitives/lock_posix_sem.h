/* Lock kind "posix-sem": an unnamed POSIX semaphore (sem_t) initialised to 1, used as a lock:
 * sem_wait acquires, sem_post releases (Python's Semaphore(1)).
 *
 * Contract: acquire and release may be called concurrently from any threads, and from any
 * processes when initialised with pshared = 1 (sem_init's second argument) inside MAP_SHARED
 * memory. Unlike a mutex a semaphore has no owner: any task may release, and a release without
 * an acquire raises the count above 1 (not detected here; see tvp_bounded_sem.h for the
 * checked kind). Nothing is named, so nothing can be left in /dev/shm. init and destroy must
 * not run concurrently with anything on the same lock.
 * Not robust: a semaphore has no owner, so a process that dies after its wait and before its
 * post leaves the lock taken; a bench that shares it between processes watches its workers
 * (task_watch.h).
 *
 * Errors: sem_* follow the system-call convention; the functions below return errno.
 * sem_wait interrupted by a signal handler (EINTR) is retried.
 *
 * Ordering: sem_wait that takes the count is an acquire, sem_post a release (glibc: atomic
 * RMW on the value with acquire / release; waiters sleep on a futex, shared when pshared). */
#ifndef TVP_LOCK_POSIX_SEM_H
#define TVP_LOCK_POSIX_SEM_H

#include "tvp_err.h"

#include <errno.h>
#include <semaphore.h>
#include <stddef.h>

typedef sem_t tvp_lock_posix_sem_t;
#define TVP_LOCK_UNAVAILABLE_posix_sem NULL

static inline int tvp_lock_init_posix_sem(void *l, int pshared, char *err, size_t errlen)
{
    if (sem_init((sem_t *)l, pshared ? 1 : 0, 1) != 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "posix-sem: sem_init");
        return e;
    }
    return 0;
}

static inline int tvp_lock_destroy_posix_sem(void *l, char *err, size_t errlen)
{
    if (sem_destroy((sem_t *)l) != 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "posix-sem: sem_destroy");
        return e;
    }
    return 0;
}

static inline int tvp_lock_acquire_posix_sem(void *l)
{
    while (sem_wait((sem_t *)l) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

static inline int tvp_lock_release_posix_sem(void *l)
{
    return sem_post((sem_t *)l) == 0 ? 0 : errno;
}

#endif
