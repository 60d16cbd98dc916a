/* What the thread pool and the process pool share (private to primitives/, not part of
 * tvp_pool.h): the checks of create's arguments, the refusals tvp_pool.h documents, locking that
 * dies on failure, and the join protocol. kind ("thread pool", "process pool") starts every
 * message, so a reader of run.log knows which pool failed. */
#ifndef TVP_POOL_COMMON_H
#define TVP_POOL_COMMON_H

#include "tvp_err.h"

#include <pthread.h>
#include <stddef.h>

enum tvp_pool_join_state { TVP_POOL_JOIN_NONE, TVP_POOL_JOIN_RUNNING, TVP_POOL_JOIN_DONE };

/* create's workers and cpus, as tvp_pool.h states them. Returns 0, or EINVAL with the message in
 * err. */
int tvp_pool_check_args(const char *kind, int workers, const int *cpus, char *err, size_t errlen);

/* apply_async after close. Returns EINVAL, with the message in err. */
int tvp_pool_refuse_closed(char *err, size_t errlen);

/* join's protocol: refused before close; the first caller joins the workers, callers that come
 * meanwhile wait for it on cv, later ones return at once. Takes and releases mu; closed and
 * *state are read and written under it. Returns 0 with *mine = 1 when the caller must join the
 * workers now and then call tvp_pool_join_end, 0 with *mine = 0 when they are joined already,
 * or EINVAL with the message in err when the pool is not closed. */
int tvp_pool_join_begin(const char *kind, pthread_mutex_t *mu, pthread_cond_t *cv,
                        const int *closed, int *state, int *mine, char *err, size_t errlen);
/* Marks the join done and wakes the callers waiting in tvp_pool_join_begin. */
void tvp_pool_join_end(const char *kind, pthread_mutex_t *mu, pthread_cond_t *cv, int *state);
/* 1 when a join has finished (destroy then only frees). */
int tvp_pool_joined(const char *kind, pthread_mutex_t *mu, const int *state);

/* A default mutex a pool initialised cannot fail to lock or unlock, nor a condition variable to
 * be waited on or signalled; if one did, memory is corrupt and no caller could recover: die with
 * the reason. Inline because the workers and apply_async, which the benchmarks time, call these
 * for every task. */
static inline void tvp_pool_lock(pthread_mutex_t *mu, const char *kind)
{
    int e = pthread_mutex_lock(mu);
    if (e != 0)
        tvp_die(e, "%s: pthread_mutex_lock", kind);
}

static inline void tvp_pool_unlock(pthread_mutex_t *mu, const char *kind)
{
    int e = pthread_mutex_unlock(mu);
    if (e != 0)
        tvp_die(e, "%s: pthread_mutex_unlock", kind);
}

static inline void tvp_pool_broadcast(pthread_cond_t *cv, const char *kind)
{
    int e = pthread_cond_broadcast(cv);
    if (e != 0)
        tvp_die(e, "%s: pthread_cond_broadcast", kind);
}

static inline void tvp_pool_wait(pthread_cond_t *cv, pthread_mutex_t *mu, const char *kind)
{
    int e = pthread_cond_wait(cv, mu);
    if (e != 0)
        tvp_die(e, "%s: pthread_cond_wait", kind);
}

#endif
