#define _GNU_SOURCE

#include "tvp_worker.h"
#include "tvp_err.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

enum worker_state {
    WORKER_NEW,      /* initialised, configurable, not started */
    WORKER_STARTING, /* non-daemon only: in the registry, pthread_create in progress; join and
                      * shutdown wait until it is STARTED (or back to NEW if the create failed) */
    WORKER_STARTED,  /* running or finished; a non-daemon one is in the registry until claimed */
    WORKER_JOINING,  /* a join (explicit or shutdown) has claimed it and is in pthread_join */
    WORKER_JOINED,   /* joined */
};

/* The registry of starting or started non-daemon workers not yet claimed by a join. A worker
 * enters it in the same critical section that marks it STARTING, before its thread exists, so
 * no join or shutdown can miss it or claim it before it has a thread id. reg_joining counts
 * joins in progress (claimed, pthread_join not yet returned), so shutdown can wait for them
 * too; reg_cv is broadcast whenever a join completes or a worker's state leaves STARTING. */
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_cv = PTHREAD_COND_INITIALIZER;
static struct tvp_worker *reg_head;
static int reg_joining;

/* The worker running in this thread (NULL in threads not started here) and the daemon flag
 * new workers inherit from the thread that initialises them. */
static _Thread_local struct tvp_worker *self_worker;
static _Thread_local int self_daemon;

/* Locking the registry's statically initialised default mutex cannot fail unless memory is
 * corrupt; such a broken invariant ends the program with a message (there is no caller that
 * could recover a registry in an unknown state). */
static void reg_lock(void)
{
    int e = pthread_mutex_lock(&reg_mu);
    if (e != 0)
        tvp_die(e, "worker registry: pthread_mutex_lock");
}

static void reg_unlock(void)
{
    int e = pthread_mutex_unlock(&reg_mu);
    if (e != 0)
        tvp_die(e, "worker registry: pthread_mutex_unlock");
}

/* Removes w from the registry list if it is there (caller holds reg_mu). */
static void reg_remove(struct tvp_worker *w)
{
    for (struct tvp_worker **pp = &reg_head; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            w->next = NULL;
            return;
        }
    }
}

static void reg_broadcast(void)
{
    int e = pthread_cond_broadcast(&reg_cv);
    if (e != 0)
        tvp_die(e, "worker registry: pthread_cond_broadcast");
}

static void reg_wait(void)
{
    int e = pthread_cond_wait(&reg_cv, &reg_mu);
    if (e != 0)
        tvp_die(e, "worker registry: pthread_cond_wait");
}

/* Called with reg_mu held after a claimed join finished. */
static void join_finished(struct tvp_worker *w)
{
    w->state = WORKER_JOINED;
    reg_joining--;
    reg_broadcast();
}

int tvp_worker_init(struct tvp_worker *w, void *(*fn)(void *), void *arg)
{
    if (w == NULL || fn == NULL)
        return EINVAL;
    memset(w, 0, sizeof *w);
    w->fn = fn;
    w->arg = arg;
    w->daemon = self_daemon;
    w->cpu = -1;
    w->state = WORKER_NEW;
    /* Relaxed: nothing else can see w before start (start publishes it by pthread_create and
     * the registry mutex). */
    atomic_store_explicit(&w->alive, 0, memory_order_relaxed);
    return 0;
}

int tvp_worker_set_daemon(struct tvp_worker *w, int daemon, char *err, size_t errlen)
{
    reg_lock();
    int state = w->state;
    if (state == WORKER_NEW)
        w->daemon = daemon != 0;
    reg_unlock();
    if (state != WORKER_NEW)
        return tvp_errfmt(err, errlen, 0, "cannot set daemon status of an active thread"), EBUSY;
    return 0;
}

int tvp_worker_set_cpu(struct tvp_worker *w, int cpu, char *err, size_t errlen)
{
    if (cpu < -1 || cpu >= CPU_SETSIZE)
        return tvp_errfmt(err, errlen, 0, "worker: cpu %d is out of range (-1 to %d)", cpu,
                          CPU_SETSIZE - 1),
               EINVAL;
    reg_lock();
    int state = w->state;
    if (state == WORKER_NEW)
        w->cpu = cpu;
    reg_unlock();
    if (state != WORKER_NEW)
        return tvp_errfmt(err, errlen, 0, "cannot set the cpu of an active thread"), EBUSY;
    return 0;
}

static void *trampoline(void *arg)
{
    struct tvp_worker *w = arg;
    self_worker = w;
    self_daemon = w->daemon;
    void *ret = w->fn(w->arg);
    /* Release: everything fn did happens before an is_alive() that reads 0 (pairs with the
     * acquire load in tvp_worker_is_alive). This is the thread's last access to w: after it a
     * daemon worker's owner may free the struct. */
    atomic_store_explicit(&w->alive, 0, memory_order_release);
    return ret;
}

int tvp_worker_start(struct tvp_worker *w, char *err, size_t errlen)
{
    /* Copies: once the thread exists, a daemon worker's struct may be freed by its owner as
     * soon as the thread has finished (its last access is the alive flag), so start reads
     * nothing from w after pthread_create for a daemon. The setters are refused from here on,
     * so the copies stay true. */
    reg_lock();
    int state = w->state;
    const int daemon = w->daemon;
    const int cpu = w->cpu;
    if (state == WORKER_NEW) {
        if (daemon) {
            /* Never in the registry, never joined: nothing waits for STARTING. */
            w->state = WORKER_STARTED;
        } else {
            /* Registered now, in the section that marks it, so a shutdown from another thread
             * cannot miss it; join and shutdown wait while it is STARTING. */
            w->state = WORKER_STARTING;
            w->next = reg_head;
            reg_head = w;
        }
    }
    reg_unlock();
    if (state != WORKER_NEW)
        return tvp_errfmt(err, errlen, 0, "threads can only be started once"), EINVAL;

    pthread_attr_t attr;
    pthread_t tid;
    int e = pthread_attr_init(&attr);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "worker: pthread_attr_init");
        goto undo;
    }
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        e = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "worker: pthread_attr_setaffinity_np(cpu %d)", cpu);
            goto out_attr;
        }
    }
    if (daemon) {
        e = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "worker: pthread_attr_setdetachstate");
            goto out_attr;
        }
    }
    /* Relaxed: pthread_create orders this store before everything the new thread does, so its
     * final store of 0 cannot be overtaken by this one. */
    atomic_store_explicit(&w->alive, 1, memory_order_relaxed);
    /* Into a local: for a daemon, w must not be written once the thread may run. */
    e = pthread_create(&tid, &attr, trampoline, w);
    if (e != 0) {
        atomic_store_explicit(&w->alive, 0, memory_order_relaxed); /* no thread saw it */
        tvp_errfmt(err, errlen, e, "worker: pthread_create%s", cpu >= 0 ? " (pinned)" : "");
    }
out_attr:;
    /* glibc's pthread_attr_destroy frees the cpuset and returns 0. Were it to fail, the thread
     * (if created) runs all the same and cannot be taken back (a daemon is detached), so the
     * start stands; the failure can only mean a leaked cpuset. */
    int e2 = pthread_attr_destroy(&attr);
    (void)e2;
    if (e != 0)
        goto undo;
    if (!daemon) {
        /* A non-daemon struct stays valid until joined, and no join can claim it before this
         * section makes it STARTED: w->thread is written before any join reads it. */
        reg_lock();
        w->thread = tid;
        w->state = WORKER_STARTED;
        reg_broadcast();
        reg_unlock();
    }
    return 0;

undo:
    /* No thread was created: w is still the caller's, whatever its daemon flag. */
    reg_lock();
    if (!daemon)
        reg_remove(w);
    w->state = WORKER_NEW;
    reg_broadcast();
    reg_unlock();
    return e;
}

int tvp_worker_join(struct tvp_worker *w, void **ret, char *err, size_t errlen)
{
    reg_lock();
    /* Another thread may be starting it (pthread_create in progress): wait for the outcome. */
    while (w != self_worker && w->state == WORKER_STARTING)
        reg_wait();
    int state = w->state;
    const char *refusal = NULL;
    int e = EINVAL;
    if (w == self_worker) {
        refusal = "cannot join current thread";
        e = EDEADLK;
    } else if (state == WORKER_NEW) {
        refusal = "cannot join thread before it is started";
    } else if (w->daemon) {
        refusal = "cannot join a daemon worker: it runs detached and is never joined";
    } else if (state == WORKER_JOINING || state == WORKER_JOINED) {
        refusal = "worker already joined";
    } else {
        reg_remove(w);
        w->state = WORKER_JOINING;
        reg_joining++;
    }
    reg_unlock();
    if (refusal != NULL)
        return tvp_errfmt(err, errlen, 0, "%s", refusal), e;

    void *r = NULL;
    e = pthread_join(w->thread, &r);
    reg_lock();
    join_finished(w);
    reg_unlock();
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "worker: pthread_join"), e;
    if (ret != NULL)
        *ret = r;
    return 0;
}

int tvp_worker_is_alive(const struct tvp_worker *w)
{
    /* Acquire: pairs with the release store of 0 in trampoline, so a caller that reads 0 sees
     * everything the worker's function did. */
    return atomic_load_explicit(&w->alive, memory_order_acquire) != 0;
}

int tvp_worker_shutdown(void)
{
    if (self_worker != NULL && !self_worker->daemon)
        return EDEADLK; /* it is in the registry or being joined: it would wait for itself */

    int first_err = 0;
    reg_lock();
    while (reg_head != NULL || reg_joining > 0) {
        struct tvp_worker *w = reg_head;
        while (w != NULL && w->state != WORKER_STARTED)
            w = w->next;
        if (w == NULL) {
            /* Another thread is joining a worker, or every listed worker is still being
             * started: wait until one of them changes (a joined worker may have started
             * others, which then appear in the list; a failed start leaves the list). */
            reg_wait();
            continue;
        }
        reg_remove(w);
        w->state = WORKER_JOINING;
        reg_joining++;
        reg_unlock();
        int e = pthread_join(w->thread, NULL);
        if (e != 0 && first_err == 0)
            first_err = e;
        reg_lock();
        join_finished(w);
    }
    reg_unlock();
    return first_err;
}
