/* Worker pools with the shape of Python's multiprocessing.Pool — apply_async with a callback,
 * close, join — as threads (tvp_thread_pool_*) and as forked processes (tvp_process_pool_*).
 *
 * One task body, two spawn models: a task is a plain function on integers, so the same task
 * runs in a pool thread or in a forked worker process (which inherits the function's address:
 * there is no exec). The pools are opaque; both have the same calls and the same rules:
 *
 *   create      starts the workers (pinned to cpus[i] when cpus is not NULL).
 *   apply_async queues fn(arg) and returns its task id (1, 2, ...; never 0) through *task_id;
 *               cb(ctx, id, result, status) runs once for every task, possibly before
 *               apply_async has returned. Refused after close: EINVAL "pool is closed".
 *   close       no more tasks; the workers finish the queued ones and exit. Idempotent.
 *   join        before close: EINVAL "join before close: close the pool first" (Python raises
 *               ValueError "Pool is still running"). After close: returns once every submitted
 *               task has finished, its callback has returned, and every worker has exited (and,
 *               for processes, been reaped). Joining again returns 0 at once.
 *   destroy     frees everything; after join it only frees, otherwise it closes and joins first.
 *               NULL is accepted.
 *
 * Concurrency:
 *   - apply_async and close may be called from any threads concurrently, including from a
 *     callback. join may be called from several threads (all wait for the same end). join and
 *     destroy must not be called from a callback: join refuses with EDEADLK (it would wait for
 *     the thread that runs it); destroy then only closes the pool and frees nothing.
 *   - destroy must not run concurrently with any other call on the same pool.
 *   - Tasks are taken in FIFO order of submission (per pool), and run concurrently on the
 *     workers; results and callbacks come in completion order.
 *
 * Thread pool: the queue is an unbounded FIFO under one mutex with a condition variable;
 * callbacks run in the worker thread that ran the task, right after it, so callbacks of
 * different tasks can run concurrently and must synchronise what they share. status is
 * always 0.
 *
 * Process pool (see process_pool.c for the mechanism): workers are children forked by the
 * pool's result-handler thread, with PR_SET_PDEATHSIG(SIGKILL), pinned by sched_setaffinity
 * in the child. Callbacks run in that handler thread, one at a time, in the parent process
 * (as Python's Pool runs them in its result-handler thread): a slow callback delays the
 * results behind it, and a callback must not block on something only a later callback would
 * release. When a worker dies (crash, _exit, kill), the task it was running is reported with
 * status TVP_TASK_LOST, the worker is reaped and a replacement is forked (after close, only
 * when no other worker is left while tasks still wait); tasks not yet taken stay queued for
 * the others. If no worker can be had any more (a replacement failed to fork or to set itself
 * up), every queued task is reported TVP_TASK_LOST and later apply_async calls fail with
 * ECHILD. apply_async never blocks: tasks the pipe cannot take yet wait in the parent.
 *   What a task may do in a worker: the worker is forked from a multi-threaded process, so a
 *   task should use only async-signal-safe calls and its own memory (no stdio, no locks
 *   another thread of the parent may have held at fork time). Results are 64-bit integers;
 *   shared data goes through MAP_SHARED memory set up before create.
 *   The pool creates nothing with a name (pipes, an eventfd, pidfds and an anonymous shared
 *   mapping), installs no signal handler, never reaps a process it did not fork (waitpid on
 *   its workers' pids only) and works in a process that is itself a child in its own process
 *   group: its workers stay in that group. It needs Linux >= 5.3 (pidfd_open). */

#ifndef TVP_POOL_H
#define TVP_POOL_H

#include <stddef.h>
#include <stdint.h>

/* A task: runs in a worker thread or a forked worker process. */
typedef uint64_t (*tvp_task_fn)(uint64_t arg);

/* The task's completion: status 0 = finished, result is fn's return value; TVP_TASK_LOST = the
 * worker process running it died, or no worker was left to run it (process pool only);
 * result is then 0. */
typedef void (*tvp_result_fn)(void *ctx, uint64_t task_id, uint64_t result, int status);

#define TVP_TASK_LOST 1

/* The most workers a pool accepts. */
#define TVP_POOL_MAX_WORKERS 1024

struct tvp_thread_pool;
struct tvp_process_pool;

/* workers: 1..TVP_POOL_MAX_WORKERS. cpus: NULL, or one PU per worker (0 <= cpu < CPU_SETSIZE;
 * the same PU may be given twice). Returns 0 and sets *out, or an error number with "what
 * failed: why" in err; on failure nothing is left running or open. */
int tvp_thread_pool_create(struct tvp_thread_pool **out, int workers, const int *cpus, char *err,
                           size_t errlen);
/* cb may be NULL (the result is then dropped). task_id may be NULL. Returns 0, EINVAL (closed
 * pool, NULL fn) or ENOMEM, with a message in err. */
int tvp_thread_pool_apply_async(struct tvp_thread_pool *pool, tvp_task_fn fn, uint64_t arg,
                                tvp_result_fn cb, void *ctx, uint64_t *task_id, char *err,
                                size_t errlen);
void tvp_thread_pool_close(struct tvp_thread_pool *pool);
int tvp_thread_pool_join(struct tvp_thread_pool *pool, char *err, size_t errlen);
void tvp_thread_pool_destroy(struct tvp_thread_pool *pool);

/* As the thread pool. create returns once every worker has started, bound itself and
 * reported ready; a worker that could not set itself up fails create with its reason (e.g.
 * "process pool: worker 1: sched_setaffinity(cpu 7): Invalid argument"). The thread that
 * calls create may exit before the pool is destroyed (workers are tied to the pool's own
 * handler thread, not to it). apply_async also fails with ECHILD when no worker is left. */
int tvp_process_pool_create(struct tvp_process_pool **out, int workers, const int *cpus, char *err,
                            size_t errlen);
int tvp_process_pool_apply_async(struct tvp_process_pool *pool, tvp_task_fn fn, uint64_t arg,
                                 tvp_result_fn cb, void *ctx, uint64_t *task_id, char *err,
                                 size_t errlen);
void tvp_process_pool_close(struct tvp_process_pool *pool);
int tvp_process_pool_join(struct tvp_process_pool *pool, char *err, size_t errlen);
/* How the last worker that died with a task in hand ended ("worker 2 (pid 4242) was killed by
 * signal 9 (Killed) while running task 17"), so a caller that sees TVP_TASK_LOST can say why.
 * Returns 1 and fills buf, or 0 (buf "") when no worker died with a task. */
int tvp_process_pool_last_death(struct tvp_process_pool *pool, char *buf, size_t len);
/* How many workers ended other than by a clean exit since create, idle ones too (a killed idle
 * worker is replaced and loses nothing, but its replacement's start lands in whatever is being
 * timed), and how the last one did ("pool worker 1 (pid 4242) was killed by signal 9 (Killed)")
 * in buf ("" when none). */
unsigned tvp_process_pool_deaths(struct tvp_process_pool *pool, char *buf, size_t len);
void tvp_process_pool_destroy(struct tvp_process_pool *pool);

#endif
