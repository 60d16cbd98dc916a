#define _GNU_SOURCE
#include "sched_scaling.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "clock.h"
#include "cpu_work.h"
#include "runner.h"
#include "topology.h"
#include "tvp_child.h"
#include "tvp_err.h"
#include "tvp_futex.h"
#include "tvp_gil.h"
#include "task_watch.h"

#define MAX_WORKERS TVP_MAX_CASE_PUS
/* Work between two polls of the GIL's drop request: CPython checks between bytecodes. */
#define POLL_NS 1000

enum mode { M_THREADS, M_PROCESSES, M_GIL };

int tvp_scaling_fault;
int tvp_scaling_gil_fault;

struct shared {
    alignas(64) _Atomic uint64_t next; /* the next unit to take */
    uint64_t total;                    /* units this batch */
    alignas(64) _Atomic uint32_t go;
    alignas(64) _Atomic uint32_t arrived;
    alignas(64) _Atomic uint32_t done; /* futex: workers finished */
    struct {
        alignas(64) uint64_t sum; /* of the results of the units it computed */
        uint64_t units;
        _Atomic int cpu;
        int bind_err; /* binding to its PU failed: the figure would be an unpinned one */
        int gil_err;  /* a GIL call failed: its work would run without the GIL */
    } w[];
};

struct scaling {
    enum mode mode;
    int io, n, priv;
    int pus[MAX_WORKERS];
    uint64_t unit_steps, poll_steps, sleep_ns;
    uint64_t job_sum; /* the sum over one job's units, computed once in set-up */
    struct tvp_gil *gil;
    struct shared *sh;
    size_t sh_len;
    pthread_t th[MAX_WORKERS];
    pid_t pid[MAX_WORKERS];
};

/* Unit u's result: its own seed, so every job's units sum to the same value. */
static uint64_t unit_seed(uint64_t u)
{
    return u % TVP_SCALING_UNITS + 1;
}

/* Keeps worker i's first GIL error (rc: 0 or an error number); returns non-zero when there was
 * one, so the worker stops rather than run without the GIL. */
static int gil_failed(struct scaling *s, int i, int rc)
{
    if (rc == 0)
        return 0;
    if (!s->sh->w[i].gil_err)
        s->sh->w[i].gil_err = rc;
    return 1;
}

static uint64_t compute_unit(struct scaling *s, int i, uint64_t u, int *failed)
{
    uint64_t x = unit_seed(u);
    if (s->mode != M_GIL)
        return tvp_lcg_steps(x, s->unit_steps);
    for (uint64_t done = 0; done < s->unit_steps; done += s->poll_steps) {
        uint64_t k = s->unit_steps - done < s->poll_steps ? s->unit_steps - done : s->poll_steps;
        x = tvp_lcg_steps(x, k);
        int y = tvp_gil_yield_if_requested(s->gil); /* the eval breaker: 0, 1 or -error */
        if (y < 0 && gil_failed(s, i, -y)) {
            *failed = 1;
            break;
        }
    }
    return x;
}

static void worker(struct scaling *s, int i)
{
    struct shared *sh = s->sh;
    sh->w[i].bind_err = tvp_bind_self_os(s->pus[i]);
    /* nanosleep's default 50 us timer slack would double the I/O mix's sleeps. */
    if (s->io)
        prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    atomic_store_explicit(&sh->w[i].cpu, sched_getcpu(), memory_order_relaxed);
    atomic_fetch_add_explicit(&sh->arrived, 1, memory_order_acq_rel);
    tvp_futex_wake(&sh->arrived, 1, s->priv);
    while (!atomic_load_explicit(&sh->go, memory_order_acquire))
        tvp_futex_wait(&sh->go, 0, s->priv);
    uint64_t sum = 0, units = 0;
    int gil = s->mode == M_GIL, failed = 0;
    if (gil)
        failed = gil_failed(s, i, tvp_gil_acquire(s->gil));
    if (gil && !failed && __builtin_expect(tvp_scaling_gil_fault, 0))
        failed = gil_failed(s, i, tvp_gil_acquire(s->gil)); /* refused: EDEADLK, still held */
    while (!failed) {
        uint64_t u = atomic_fetch_add_explicit(&sh->next, 1, memory_order_relaxed);
        if (u >= sh->total)
            break;
        if (__builtin_expect(tvp_scaling_fault, 0) && u == 0)
            continue; /* skipped: its result is missing from the sum */
        sum += compute_unit(s, i, u, &failed);
        units++;
        if (s->io && !failed) {
            if (gil)
                failed = gil_failed(s, i, tvp_gil_release(s->gil)); /* as CPython around I/O */
            tvp_sleep_ns((long)s->sleep_ns);
            if (gil && !failed)
                failed = gil_failed(s, i, tvp_gil_acquire(s->gil));
        }
    }
    /* Released whenever this thread still holds it, after a failure too, or the other workers
     * would wait for it for ever (a release by a thread that does not hold it is EPERM,
     * harmless here: the failure is already recorded). */
    if (gil) {
        int rc = tvp_gil_release(s->gil);
        if (!failed)
            gil_failed(s, i, rc);
    }
    sh->w[i].sum = sum;
    sh->w[i].units = units;
    atomic_fetch_add_explicit(&sh->done, 1, memory_order_acq_rel);
    tvp_futex_wake(&sh->done, 1, s->priv);
}

struct targ {
    struct scaling *s;
    int i;
};

static void *worker_thread(void *p)
{
    struct targ a = *(struct targ *)p;
    free(p);
    worker(a.s, a.i);
    return NULL;
}

void tvp_scaling_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct scaling *s = state;
    if (!s)
        return;
    if (s->gil)
        tvp_gil_destroy(s->gil);
    if (s->sh && munmap(s->sh, s->sh_len) != 0)
        tvp_warn(errno, "sched: unmapping the work counter");
    free(s);
}

int tvp_scaling_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct scaling *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "sched: state");
        return -1;
    }
    const char *v = c->variant;
    s->io = strncmp(v, "io-", 3) == 0;
    if (s->io)
        v += 3;
    s->mode = !strcmp(v, "threads")       ? M_THREADS
              : !strcmp(v, "processes")   ? M_PROCESSES
              : !strcmp(v, "gil-threads") ? M_GIL
                                          : (enum mode) - 1;
    s->n = (int)c->param_value;
    if ((int)s->mode < 0 || s->n < 1 || s->n > MAX_WORKERS || c->n_pus < s->n) {
        snprintf(err, errlen, "sched: bad case %s with %d workers", c->variant, s->n);
        free(s);
        return -1;
    }
    memcpy(s->pus, c->pus, sizeof(int) * (size_t)s->n);
    s->priv = s->mode == M_PROCESSES ? 0 : FUTEX_PRIVATE_FLAG;
    uint64_t work_ns = s->io ? TVP_SCALING_UNIT_NS / 2 : TVP_SCALING_UNIT_NS;
    s->unit_steps = tvp_lcg_steps_for_ns(work_ns);
    s->poll_steps = tvp_lcg_steps_for_ns(POLL_NS);
    if (s->poll_steps == 0)
        s->poll_steps = 1;
    s->sleep_ns = s->io ? TVP_SCALING_UNIT_NS / 2 : 0;
    for (uint64_t u = 0; u < TVP_SCALING_UNITS; u++)
        s->job_sum += tvp_lcg_steps(unit_seed(u), s->unit_steps);
    s->sh_len = sizeof(struct shared) + (size_t)s->n * sizeof s->sh->w[0];
    void *m = mmap(NULL, s->sh_len, PROT_READ | PROT_WRITE,
                   (s->mode == M_PROCESSES ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "sched: mapping the work counter");
        free(s);
        return -1;
    }
    s->sh = m;
    if (s->mode == M_GIL &&
        tvp_gil_create(&s->gil, c->arg > 0 ? c->arg : 5000000, err, errlen) != 0) {
        tvp_scaling_teardown(c, s);
        return -1;
    }
    tvp_runner_note("unit: %llu LCG steps (~%llu us of work)%s; job: %d units%s",
                    (unsigned long long)s->unit_steps, (unsigned long long)(work_ns / 1000),
                    s->io ? " then a ~50 us sleep" : "", TVP_SCALING_UNITS,
                    s->mode == M_GIL ? "; GIL polled every ~1 us of work" : "");
    *state = s;
    return 0;
}

/* Kills and reaps the first `started` worker processes (a batch that cannot finish). */
static void kill_workers(struct scaling *s, int started)
{
    for (int i = 0; i < started; i++) {
        if (kill(s->pid[i], SIGKILL) != 0 && errno != ESRCH)
            tvp_warn(errno, "sched: killing worker %d (pid %d)", i, (int)s->pid[i]);
        int e = tvp_wait_child(s->pid[i], NULL);
        if (e != 0)
            tvp_warn(e, "sched: reaping worker %d (pid %d)", i, (int)s->pid[i]);
    }
}

struct watch {
    struct scaling *s;
    int started;
};

/* task_watch's check: a dead worker process, named in err (threads cannot die alone). */
static int workers_dead(void *arg, char *err, size_t errlen)
{
    struct watch *w = arg;
    if (w->s->mode != M_PROCESSES)
        return 0;
    for (int i = 0; i < w->started; i++) {
        char why[200];
        if (tvp_task_failed(w->s->pid[i], "worker process", i, why, sizeof why) == 0)
            continue;
        snprintf(err, errlen, "sched: %d workers: %s", w->s->n, why);
        return -1;
    }
    return 0;
}

/* Sleeps until *word reaches target, watching the worker processes (task_watch.h): a killed
 * worker never reports. 0, or -1 with err (a dead worker named, every worker reaped). */
static int wait_count(struct scaling *s, _Atomic uint32_t *word, uint32_t target, int started,
                      char *err, size_t errlen)
{
    struct watch w = {s, started};
    if (tvp_task_watch_count(word, target, s->priv, workers_dead, &w,
                             "sched: waiting for the workers", err, errlen) == 0)
        return 0;
    if (s->mode == M_PROCESSES)
        kill_workers(s, started); /* the batch cannot finish: reap the dead and the living */
    return -1;
}

int tvp_scaling_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)c;
    struct scaling *s = state;
    struct shared *sh = s->sh;
    atomic_store_explicit(&sh->next, 0, memory_order_relaxed);
    sh->total = iters * TVP_SCALING_UNITS;
    atomic_store_explicit(&sh->go, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&sh->done, 0, memory_order_relaxed);
    int started = 0, rc = 0;
    for (; started < s->n; started++) {
        int i = started;
        sh->w[i].sum = sh->w[i].units = 0;
        sh->w[i].gil_err = 0;
        atomic_store_explicit(&sh->w[i].cpu, -1, memory_order_relaxed);
        if (s->mode == M_PROCESSES) {
            pid_t pid = fork();
            if (pid < 0) {
                rc = errno;
                tvp_errfmt(err, errlen, rc, "sched: fork of worker %d", i);
                break;
            }
            if (pid == 0) {
                /* Named for ps and the fault-injection test; unnamed it works all the same. */
                (void)tvp_task_name("tvp-sc-w%d", i);
                worker(s, i);
                _exit(0);
            }
            s->pid[i] = pid;
            continue;
        }
        struct targ *a = malloc(sizeof *a);
        rc = a ? 0 : ENOMEM;
        if (rc == 0) {
            a->s = s;
            a->i = i;
            rc = tvp_start_bound_thread(&s->th[i], s->pus[i], worker_thread, a);
        }
        if (rc != 0) {
            free(a);
            tvp_errfmt(err, errlen, rc, "sched: starting worker %d", i);
            break;
        }
    }
    if (wait_count(s, &sh->arrived, (uint32_t)started, started, err, errlen) != 0)
        return -1;
    if (rc != 0)
        sh->total = 0; /* the started ones find nothing to do and end */
    uint64_t t0 = tvp_now_ns();
    atomic_store_explicit(&sh->go, 1, memory_order_release);
    tvp_futex_wake(&sh->go, INT_MAX, s->priv);
    if (wait_count(s, &sh->done, (uint32_t)started, started, err, errlen) != 0)
        return -1;
    uint64_t t1 = tvp_now_ns();
    for (int i = 0; i < started; i++) {
        if (s->mode == M_PROCESSES) {
            int st, e = tvp_wait_child(s->pid[i], &st);
            if ((e != 0 || !tvp_child_ok(st)) && rc == 0) {
                rc = e ? e : ECHILD;
                tvp_errfmt(err, errlen, e, "sched: worker %d ended badly (status 0x%x)", i, st);
            }
        } else {
            int e = pthread_join(s->th[i], NULL);
            if (e != 0 && rc == 0) {
                rc = e;
                tvp_errfmt(err, errlen, e, "sched: joining worker %d", i);
            }
        }
    }
    if (rc != 0)
        return -1;
    for (int i = 0; i < s->n; i++) {
        if (sh->w[i].bind_err) {
            tvp_errfmt(err, errlen, sh->w[i].bind_err, "sched: worker %d: binding to PU %d", i,
                       s->pus[i]);
            return -1;
        }
        if (sh->w[i].gil_err) {
            tvp_errfmt(err, errlen, sh->w[i].gil_err,
                       "sched: worker %d: a call on the emulated GIL failed, so its work would "
                       "have run without it",
                       i);
            return -1;
        }
    }
    uint64_t sum = 0, units = 0;
    for (int i = 0; i < s->n; i++) {
        sum += sh->w[i].sum;
        units += sh->w[i].units;
        tvp_runner_note_cpu(atomic_load_explicit(&sh->w[i].cpu, memory_order_relaxed));
    }
    if (units != sh->total || sum != s->job_sum * iters) {
        snprintf(err, errlen,
                 "sched: %s, %d workers: %llu of %llu units computed, result %llx, expected %llx",
                 c->variant, s->n, (unsigned long long)units, (unsigned long long)sh->total,
                 (unsigned long long)sum, (unsigned long long)(s->job_sum * iters));
        return -1;
    }
    totals[0] += t1 - t0;
    return 0;
}
