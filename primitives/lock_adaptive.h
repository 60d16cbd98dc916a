/* Lock kind "adaptive": a pthread mutex of type PTHREAD_MUTEX_ADAPTIVE_NP (glibc): a contended
 * acquire first spins for a short, self-tuning number of tries before it sleeps on the futex.
 *
 * Contract: as lock_mutex.h (NORMAL semantics: no owner checks, self-deadlock on re-acquire).
 * Concurrent acquire/release from any threads, and from processes when pshared.
 *
 * Availability: the type is a GNU extension, visible only when the including file defined
 * _GNU_SOURCE before its first #include (glibc then defines
 * PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP, which is what is tested here). Without it the kind
 * stays in the table with TVP_LOCK_UNAVAILABLE_adaptive set to the reason, and init fails with
 * ENOTSUP and that reason; acquire/release are then never reached.
 *
 * Ordering: as lock_mutex.h. */
#ifndef TVP_LOCK_ADAPTIVE_H
#define TVP_LOCK_ADAPTIVE_H

#include "lock_pthread_common.h"

#include <errno.h>

typedef pthread_mutex_t tvp_lock_adaptive_t;

#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
#define TVP_LOCK_UNAVAILABLE_adaptive NULL
#else
#define TVP_LOCK_UNAVAILABLE_adaptive                                                              \
    "PTHREAD_MUTEX_ADAPTIVE_NP is not available (not glibc, or built without _GNU_SOURCE)"
#endif

static inline int tvp_lock_init_adaptive(void *l, int pshared, char *err, size_t errlen)
{
#ifdef PTHREAD_ADAPTIVE_MUTEX_INITIALIZER_NP
    return tvp_lock_pthread_mutex_init(l, PTHREAD_MUTEX_ADAPTIVE_NP, pshared, "adaptive", err,
                                       errlen);
#else
    (void)l;
    (void)pshared;
    tvp_errfmt(err, errlen, 0, "adaptive: %s", TVP_LOCK_UNAVAILABLE_adaptive);
    return ENOTSUP;
#endif
}

static inline int tvp_lock_destroy_adaptive(void *l, char *err, size_t errlen)
{
    return tvp_lock_pthread_mutex_destroy(l, "adaptive", err, errlen);
}

static inline int tvp_lock_acquire_adaptive(void *l)
{
    return tvp_lock_pthread_mutex_lock((pthread_mutex_t *)l);
}

static inline int tvp_lock_release_adaptive(void *l)
{
    return pthread_mutex_unlock((pthread_mutex_t *)l);
}

#endif
