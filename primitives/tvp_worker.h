/* A thread with the shape of Python's threading.Thread: daemon or not, chosen before start.
 *
 * A worker is caller-allocated, set up with tvp_worker_init, optionally configured (daemon
 * flag, PU) and started once. A non-daemon worker is a joinable thread: it is joined either
 * explicitly with tvp_worker_join, or by tvp_worker_shutdown, which a program calls instead of
 * simply returning from main (Python does the same in threading._shutdown). A daemon worker is
 * a detached thread: nobody waits for it, and the process exit ends it wherever it is.
 *
 * Python's rules, and what refuses them here:
 *   set_daemon after start              EBUSY  "cannot set daemon status of an active thread"
 *   set_cpu after start                 EBUSY  "cannot set the cpu of an active thread"
 *   start twice                         EINVAL "threads can only be started once"
 *   join before start                   EINVAL "cannot join thread before it is started"
 *   join a daemon worker (detached)     EINVAL
 *   join twice                          EINVAL "worker already joined"
 *   join oneself                        EDEADLK "cannot join current thread"
 * A new worker's daemon flag defaults to that of the thread calling tvp_worker_init (as in
 * Python: a daemon thread's children are daemons); the program's main thread is not a daemon.
 *
 * Concurrency:
 *   - init, set_daemon, set_cpu and start are called by one thread (the worker's owner), in
 *     that order; after start returned, any thread may call join, is_alive and shutdown.
 *   - join and shutdown may run concurrently with each other and with other workers' starts:
 *     a process-wide registry (one mutex) of started non-daemon workers decides who joins each
 *     thread, so no thread is joined twice, and shutdown also waits for joins that another
 *     thread has already begun. A non-daemon worker enters the registry before its thread is
 *     created; a join or shutdown that finds it still being started waits for the outcome.
 *   - tvp_worker_shutdown joins until no started non-daemon worker is left, including workers
 *     started meanwhile by the workers it waits for. Called from a non-daemon worker it would
 *     wait for itself: refused with EDEADLK.
 *
 * Lifetime: a non-daemon worker's struct must stay valid until it has been joined (by join
 * or shutdown): the registry links through it. A daemon worker's struct must stay valid until
 * tvp_worker_is_alive returns 0 (the thread's last access to it is that flag). */

#ifndef TVP_WORKER_H
#define TVP_WORKER_H

#include <pthread.h>
#include <stddef.h>

struct tvp_worker {
    /* Set by init and the setters; read-only once started. */
    void *(*fn)(void *);
    void *arg;
    int daemon; /* 1: detached, never joined, not waited for at shutdown */
    int cpu;    /* -1, or the PU the thread is bound to (through its attribute, before it runs) */
    /* Owned by worker.c. */
    int state;               /* guarded by the registry mutex (enum in worker.c) */
    _Atomic int alive;       /* 1 from start until fn has returned */
    pthread_t thread;        /* non-daemon: valid once started (a daemon's is not kept) */
    struct tvp_worker *next; /* registry link (non-daemon, started, not yet claimed by a join) */
};

/* Prepares w to run fn(arg). Returns 0, or EINVAL if w or fn is NULL. */
int tvp_worker_init(struct tvp_worker *w, void *(*fn)(void *), void *arg);

/* Chooses daemon (non-zero) or joinable (0). Before start only: afterwards EBUSY with the
 * message "cannot set daemon status of an active thread". Returns 0 or an error number with
 * the message in err. */
int tvp_worker_set_daemon(struct tvp_worker *w, int daemon, char *err, size_t errlen);

/* Binds the worker to PU cpu (0 <= cpu < CPU_SETSIZE; -1 removes the binding) from its first
 * instruction, through pthread_attr_setaffinity_np. Before start only (EBUSY afterwards);
 * EINVAL for a cpu out of range. A PU outside the process's cpuset makes start fail. */
int tvp_worker_set_cpu(struct tvp_worker *w, int cpu, char *err, size_t errlen);

/* Starts the thread. A non-daemon worker is in the shutdown registry when this returns.
 * Returns 0, or an error number with "what failed: why" in err (then the worker is not
 * started and may be started again). */
int tvp_worker_start(struct tvp_worker *w, char *err, size_t errlen);

/* Waits for a started non-daemon worker to finish; *ret (if ret is not NULL) receives fn's
 * return value. Refusals: see the table above. Returns 0 or an error number with a message. */
int tvp_worker_join(struct tvp_worker *w, void **ret, char *err, size_t errlen);

/* 1 from tvp_worker_start until fn has returned, otherwise 0 (also before start). */
int tvp_worker_is_alive(const struct tvp_worker *w);

/* What a program calls instead of just returning from main: joins every started non-daemon
 * worker (and waits for joins already begun by other threads), until none is left, then
 * returns. Daemon workers are not waited for; the process exit ends them. Returns 0, EDEADLK
 * when called from a non-daemon worker, or the first pthread_join error (joining goes on). */
int tvp_worker_shutdown(void);

#endif
