#define _GNU_SOURCE

#include "pool_common.h"
#include "tvp_pool.h"

#include <errno.h>
#include <sched.h>

int tvp_pool_check_args(const char *kind, int workers, const int *cpus, char *err, size_t errlen)
{
    if (workers < 1 || workers > TVP_POOL_MAX_WORKERS)
        return tvp_errfmt(err, errlen, 0, "%s: %d workers (1 to %d)", kind, workers,
                          TVP_POOL_MAX_WORKERS),
               EINVAL;
    for (int i = 0; cpus != NULL && i < workers; i++)
        if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE)
            return tvp_errfmt(err, errlen, 0, "%s: cpu %d of worker %d is out of range", kind,
                              cpus[i], i),
                   EINVAL;
    return 0;
}

int tvp_pool_refuse_closed(char *err, size_t errlen)
{
    return tvp_errfmt(err, errlen, 0, "pool is closed"), EINVAL;
}

int tvp_pool_join_begin(const char *kind, pthread_mutex_t *mu, pthread_cond_t *cv,
                        const int *closed, int *state, int *mine, char *err, size_t errlen)
{
    *mine = 0;
    tvp_pool_lock(mu, kind);
    if (!*closed) {
        tvp_pool_unlock(mu, kind);
        return tvp_errfmt(err, errlen, 0, "join before close: close the pool first"), EINVAL;
    }
    while (*state == TVP_POOL_JOIN_RUNNING)
        tvp_pool_wait(cv, mu, kind);
    if (*state == TVP_POOL_JOIN_NONE) {
        *state = TVP_POOL_JOIN_RUNNING;
        *mine = 1;
    }
    tvp_pool_unlock(mu, kind);
    return 0;
}

void tvp_pool_join_end(const char *kind, pthread_mutex_t *mu, pthread_cond_t *cv, int *state)
{
    tvp_pool_lock(mu, kind);
    *state = TVP_POOL_JOIN_DONE;
    tvp_pool_broadcast(cv, kind);
    tvp_pool_unlock(mu, kind);
}

int tvp_pool_joined(const char *kind, pthread_mutex_t *mu, const int *state)
{
    tvp_pool_lock(mu, kind);
    int done = *state == TVP_POOL_JOIN_DONE;
    tvp_pool_unlock(mu, kind);
    return done;
}
