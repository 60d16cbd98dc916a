/* Set-up shared by the pthread-mutex lock kinds (lock_mutex.h, lock_recursive.h,
 * lock_errorcheck.h, lock_adaptive.h): initialise a pthread_mutex_t of a given type, private
 * or process-shared. Not for timed loops: only init and destroy live here. */
#ifndef TVP_LOCK_PTHREAD_COMMON_H
#define TVP_LOCK_PTHREAD_COMMON_H

#include "tvp_err.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>

/* Initialises *m as a mutex of the given type, PTHREAD_PROCESS_SHARED when pshared != 0 (the
 * mutex must then sit in memory every process maps MAP_SHARED). Returns 0 or an error number
 * with "<kind>: what failed: why" in err. */
static inline int tvp_lock_pthread_mutex_init(pthread_mutex_t *m, int type, int pshared,
                                              const char *kind, char *err, size_t errlen)
{
    pthread_mutexattr_t a;
    int e = pthread_mutexattr_init(&a);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "%s: pthread_mutexattr_init", kind), e;
    e = pthread_mutexattr_settype(&a, type);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: pthread_mutexattr_settype", kind);
        goto out;
    }
    e = pthread_mutexattr_setpshared(&a,
                                     pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: pthread_mutexattr_setpshared", kind);
        goto out;
    }
    /* Between processes one holder can die alone (SIGKILL, a crash): a robust mutex then hands
     * the next acquirer EOWNERDEAD instead of blocking everyone for ever. Threads cannot die
     * alone, so a private mutex stays plain (robust ones keep a per-thread list of held
     * mutexes, which costs a few stores per acquire and release). */
    if (pshared && (e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) != 0) {
        tvp_errfmt(err, errlen, e, "%s: pthread_mutexattr_setrobust", kind);
        goto out;
    }
    e = pthread_mutex_init(m, &a);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: pthread_mutex_init", kind);
out:
    /* pthread_mutexattr_destroy cannot fail for an initialised attribute in glibc; its result
     * is still checked so a failure is not silent. */
    {
        int e2 = pthread_mutexattr_destroy(&a);
        if (e == 0 && e2 != 0) {
            tvp_errfmt(err, errlen, e2, "%s: pthread_mutexattr_destroy", kind);
            (void)pthread_mutex_destroy(m);
            e = e2;
        }
    }
    return e;
}

/* pthread_mutex_lock for the kinds above. EOWNERDEAD (robust, process-shared: the last holder
 * died holding it) is returned as it is, so the caller's check fails the case ("a worker died
 * holding the lock"), but the mutex is made consistent first: the caller does hold it, and
 * its unlock then leaves a working mutex, so the other tasks and the teardown do not block
 * on it. pthread_mutex_consistent cannot fail here: the mutex is robust and inconsistent. */
static inline int tvp_lock_pthread_mutex_lock(pthread_mutex_t *m)
{
    int e = pthread_mutex_lock(m);
    if (__builtin_expect(e == EOWNERDEAD, 0))
        (void)pthread_mutex_consistent(m);
    return e;
}

/* Destroys a mutex initialised above. EBUSY when it is still locked. */
static inline int tvp_lock_pthread_mutex_destroy(pthread_mutex_t *m, const char *kind, char *err,
                                                 size_t errlen)
{
    int e = pthread_mutex_destroy(m);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: pthread_mutex_destroy", kind);
    return e;
}

#endif
