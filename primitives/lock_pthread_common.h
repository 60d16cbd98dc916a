/* Set-up shared by the pthread-mutex lock kinds (lock_mutex.h, lock_recursive.h,
 * lock_errorcheck.h, lock_adaptive.h): initialise a pthread_mutex_t of a given type, private
 * or process-shared. Not for timed loops: only init and destroy live here. */
#ifndef TVP_LOCK_PTHREAD_COMMON_H
#define TVP_LOCK_PTHREAD_COMMON_H

#include "tvp_err.h"

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
