/* The thread pool of tvp_pool.h: N threads pull tasks from one unbounded FIFO (a growable
 * ring) under a mutex; a condition variable wakes them when a task is queued or the pool is
 * closed. A worker runs the task and its callback outside the lock, then takes the next one.
 * After close, a worker that finds the queue empty exits; join then joins them all. Every
 * shared field is read and written under the mutex, so there are no atomics here. */
#define _GNU_SOURCE

#include "tvp_pool.h"
#include "pool_common.h"
#include "tvp_err.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_INITIAL 64 /* ring slots at create; doubles when full */

struct tp_task {
    tvp_task_fn fn;
    uint64_t arg;
    tvp_result_fn cb;
    void *ctx;
    uint64_t id;
};

struct tvp_thread_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;   /* a task was queued, or the pool was closed */
    pthread_cond_t joined; /* a join finished (for concurrent joiners) */
    struct tp_task *q;     /* ring: q[(head + i) % cap], i < len */
    size_t cap, head, len;
    uint64_t next_id;
    int closed;
    int join_state; /* enum tvp_pool_join_state */
    int nthreads;   /* threads started (all of them once create returned) */
    pthread_t *threads;
};

#define KIND "thread pool"

static void lock(struct tvp_thread_pool *p)
{
    tvp_pool_lock(&p->mu, KIND);
}

static void unlock(struct tvp_thread_pool *p)
{
    tvp_pool_unlock(&p->mu, KIND);
}

static void *worker_main(void *arg)
{
    struct tvp_thread_pool *p = arg;
    for (;;) {
        lock(p);
        while (p->len == 0 && !p->closed)
            tvp_pool_wait(&p->work, &p->mu, KIND);
        if (p->len == 0) { /* closed and drained */
            unlock(p);
            return NULL;
        }
        struct tp_task t = p->q[p->head];
        p->head = (p->head + 1) % p->cap;
        p->len--;
        unlock(p);
        uint64_t r = t.fn(t.arg);
        if (t.cb != NULL)
            t.cb(t.ctx, t.id, r, 0);
    }
}

/* Doubles the ring (caller holds mu). Returns 0 or ENOMEM. */
static int grow(struct tvp_thread_pool *p)
{
    if (p->cap > SIZE_MAX / 2 / sizeof(struct tp_task))
        return ENOMEM;
    size_t ncap = p->cap * 2;
    struct tp_task *nq = malloc(ncap * sizeof *nq);
    if (nq == NULL)
        return ENOMEM;
    for (size_t i = 0; i < p->len; i++)
        nq[i] = p->q[(p->head + i) % p->cap];
    free(p->q);
    p->q = nq;
    p->cap = ncap;
    p->head = 0;
    return 0;
}

/* Releases everything create set up (the workers are joined by now). */
static void free_pool(struct tvp_thread_pool *p)
{
    pthread_cond_destroy(&p->joined);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p->q);
    free(p);
}

/* Stops and joins the threads started so far and frees the pool (create's failure path). */
static void abandon(struct tvp_thread_pool *p)
{
    lock(p);
    p->closed = 1;
    tvp_pool_broadcast(&p->work, KIND);
    unlock(p);
    for (int i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL); /* our own joinable threads: cannot fail */
    free_pool(p);
}

int tvp_thread_pool_create(struct tvp_thread_pool **out, int workers, const int *cpus, char *err,
                           size_t errlen)
{
    *out = NULL;
    int e = tvp_pool_check_args(KIND, workers, cpus, err, errlen);
    if (e != 0)
        return e;

    struct tvp_thread_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tvp_errfmt(err, errlen, ENOMEM, "thread pool: allocation"), ENOMEM;
    p->q = malloc(QUEUE_INITIAL * sizeof *p->q);
    p->threads = calloc((size_t)workers, sizeof *p->threads);
    if (p->q == NULL || p->threads == NULL) {
        free(p->q);
        free(p->threads);
        free(p);
        return tvp_errfmt(err, errlen, ENOMEM, "thread pool: allocation"), ENOMEM;
    }
    p->cap = QUEUE_INITIAL;
    p->next_id = 1;

    e = pthread_mutex_init(&p->mu, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "thread pool: pthread_mutex_init");
        goto fail_mem;
    }
    e = pthread_cond_init(&p->work, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "thread pool: pthread_cond_init");
        goto fail_mu;
    }
    e = pthread_cond_init(&p->joined, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "thread pool: pthread_cond_init");
        goto fail_work;
    }

    for (int i = 0; i < workers; i++) {
        pthread_attr_t attr;
        e = pthread_attr_init(&attr);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "thread pool: pthread_attr_init");
            abandon(p);
            return e;
        }
        if (cpus != NULL) {
            cpu_set_t set;
            CPU_ZERO(&set);
            CPU_SET(cpus[i], &set);
            e = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
            if (e != 0)
                tvp_errfmt(err, errlen, e, "thread pool: pthread_attr_setaffinity_np(cpu %d)",
                           cpus[i]);
        }
        if (e == 0) {
            e = pthread_create(&p->threads[i], &attr, worker_main, p);
            if (e != 0)
                tvp_errfmt(err, errlen, e, "thread pool: pthread_create of worker %d%s", i,
                           cpus != NULL ? " (pinned: is the cpu in this process's cpuset?)" : "");
        }
        /* glibc's pthread_attr_destroy returns 0; a failure could only leak the cpuset. */
        int e2 = pthread_attr_destroy(&attr);
        (void)e2;
        if (e != 0) {
            abandon(p);
            return e;
        }
        p->nthreads = i + 1;
    }
    *out = p;
    return 0;

fail_work:
    pthread_cond_destroy(&p->work);
fail_mu:
    pthread_mutex_destroy(&p->mu);
fail_mem:
    free(p->threads);
    free(p->q);
    free(p);
    return e;
}

int tvp_thread_pool_apply_async(struct tvp_thread_pool *p, tvp_task_fn fn, uint64_t arg,
                                tvp_result_fn cb, void *ctx, uint64_t *task_id, char *err,
                                size_t errlen)
{
    if (fn == NULL)
        return tvp_errfmt(err, errlen, 0, "thread pool: no task function"), EINVAL;
    lock(p);
    if (p->closed) {
        unlock(p);
        return tvp_pool_refuse_closed(err, errlen);
    }
    if (p->len == p->cap && grow(p) != 0) {
        unlock(p);
        return tvp_errfmt(err, errlen, ENOMEM, "thread pool: growing the task queue"), ENOMEM;
    }
    uint64_t id = p->next_id++;
    p->q[(p->head + p->len) % p->cap] = (struct tp_task){fn, arg, cb, ctx, id};
    p->len++;
    /* Signal, not broadcast: one queued task needs one worker. */
    int e = pthread_cond_signal(&p->work);
    if (e != 0)
        tvp_die(e, "thread pool: pthread_cond_signal");
    unlock(p);
    if (task_id != NULL)
        *task_id = id;
    return 0;
}

void tvp_thread_pool_close(struct tvp_thread_pool *p)
{
    lock(p);
    if (!p->closed) {
        p->closed = 1;
        /* Idle workers re-check: drained and closed means exit. */
        tvp_pool_broadcast(&p->work, KIND);
    }
    unlock(p);
}

int tvp_thread_pool_join(struct tvp_thread_pool *p, char *err, size_t errlen)
{
    /* threads[] and nthreads are fixed once create has returned. */
    pthread_t self = pthread_self();
    for (int i = 0; i < p->nthreads; i++)
        if (pthread_equal(self, p->threads[i]))
            return tvp_errfmt(err, errlen, 0,
                              "thread pool: join from one of its own workers (a callback) "
                              "would wait for itself"),
                   EDEADLK;
    int mine;
    int rc = tvp_pool_join_begin(KIND, &p->mu, &p->joined, &p->closed, &p->join_state, &mine, err,
                                 errlen);
    if (rc != 0 || !mine)
        return rc;

    int first = 0, first_i = -1;
    for (int i = 0; i < p->nthreads; i++) {
        int e = pthread_join(p->threads[i], NULL);
        if (e != 0 && first == 0) {
            first = e;
            first_i = i;
        }
    }

    tvp_pool_join_end(KIND, &p->mu, &p->joined, &p->join_state);
    if (first != 0)
        return tvp_errfmt(err, errlen, first, "thread pool: pthread_join of worker %d", first_i),
               first;
    return 0;
}

void tvp_thread_pool_destroy(struct tvp_thread_pool *p)
{
    if (p == NULL)
        return;
    if (!tvp_pool_joined(KIND, &p->mu, &p->join_state)) {
        char err[128];
        tvp_thread_pool_close(p);
        if (tvp_thread_pool_join(p, err, sizeof err) == EDEADLK)
            return; /* called from a callback: the pool stays closed and is not freed */
    }
    free_pool(p);
}
