/* Semaphore and event benchmarks of the locks group (claims C9 and C10).
 *
 * "semaphore-cap": (variant "<model>-no-cap-control": the same load with no semaphore, C9's
 * negative control) a bounded semaphore of `permits` permits (primitives/tvp_bounded_sem.h)
 * shared by more workers than permits, threads or processes (the semaphore in MAP_SHARED memory,
 * pshared), spread placement. Each operation: acquire, raise a holders counter and record its
 * maximum, hold (~1 us of calibrated work, then sched_yield() so that on a machine with fewer PUs
 * than permits the other workers run while the permit is held), lower the counter, release.
 * The workers are started in set-up and parked between batches on a generation futex; a batch
 * gives each worker its share of the operations and is timed from the gate opening to the last
 * worker finishing. Metrics: per-op (wall ns per operation: throughput = 1e9 / median),
 * max-holders (the largest number of simultaneous holders seen in the batch; a batch that saw
 * more than `permits` fails the case), context-switches (of the workers, per operation, from
 * getrusage(RUSAGE_THREAD): the harness counters only follow the measuring task).
 * "over-release": a checked fact: releasing once more than was acquired returns EINVAL with
 * Python's message and leaves the count unchanged; "bounded-5" in the same thread (private
 * semaphore), "bounded-5-process" with the extra release made by a forked child (pshared).
 *
 * "event-wake": per event implementation (condvar, futex, eventfd) x model (thread, process) x
 * placement (same-pu, nearest cross-core) x waiters (1, 4): the waiters block in wait(); the
 * setter, kept running (it yields, never sleeps) until every waiter is asleep in wait() and for
 * EVENT_SETTLE_NS more, reads the clock just before set(); each waiter reads it when wait()
 * returns. "-sleep-settle" variants (futex, 1 waiter) sleep instead, as this once did, so the
 * clock starts on the setter's own wake-up. Metrics:
 * set-to-last-wake and (for N waiters) set-to-first-wake. Every waiter must return 1 with a
 * timestamp after set() (one that returned before set, i.e. clear() did not hold, or timed out
 * fails the case). The waiters are started in set-up, so the harness's counters (opened after
 * the timed batches, inherited only by tasks started later) count the setter alone. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "clock.h"
#include "cpu_work.h"
#include "locks_cases.h"
#include "locks_sync.h"
#include "resultset.h"
#include "runner.h"
#include "topology.h"
#include "tvp_bounded_sem.h"
#include "tvp_child.h"
#include "tvp_cpu_relax.h"
#include "task_watch.h"
#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_event.h"
#include "tvp_futex.h"

#define MAXW 64
/* A waiter that is not woken within this time fails the case (the event lost a set). */
#define EVENT_WAIT_NS 2000000000LL
/* Before set(), outside the timed interval, the setter waits until every waiter is asleep in
 * wait() (its /proc state), yielding its PU so that a waiter on the same PU gets there, then
 * spins this long on the clock: the figure is a wake-up of a task that has been asleep a while,
 * timed by a setter that was running (a setter that slept instead starts the clock on the cold
 * path of its own wake-up; the "-sleep-settle" variants keep that for comparison). */
#define EVENT_SETTLE_NS 50000L
/* A waiter not asleep in wait() this long after announcing itself fails the case. */
#define EVENT_BLOCK_NS  1000000000ull
#define SEM_HOLD_NS     1000u
#define EVENT_WAITERS_N 4

enum crew_kind { CREW_SEM, CREW_EVENT };

struct slot {
    alignas(64) _Atomic uint64_t t; /* event: when wait() returned */
    _Atomic int cpu;
    _Atomic int result;
    _Atomic uint64_t csw; /* context switches in the last round */
    _Atomic int tid;      /* the worker's kernel task id, for its /proc state */
    uint64_t quota;       /* semaphore: operations in this round */
};

struct shared {
    alignas(64) _Atomic uint32_t gen; /* futex: +1 opens a round */
    _Atomic uint32_t stop;
    alignas(64) _Atomic uint32_t done; /* futex: workers finished this round */
    alignas(64) _Atomic uint32_t ready;
    alignas(64) _Atomic uint32_t holders;
    _Atomic uint32_t max_holders;
    _Atomic uint32_t errors;
    alignas(64) struct tvp_bounded_sem sem;
    alignas(64) struct tvp_event ev;
    const struct tvp_event_impl *impl;
    uint64_t hold_steps;
    uint32_t cap;
    int uncapped; /* the C9 control: the same loop with no semaphore */
    struct slot slot[MAXW];
};

struct crew {
    struct shared *s;
    enum crew_kind kind;
    int n, started, process, ev_inited;
    int killed; /* a worker died and the rest were killed: objects may hold a dead waiter */
    pthread_t th[MAXW];
    pid_t pid[MAXW];
    struct targ {
        struct shared *s;
        int idx;
        enum crew_kind kind;
    } arg[MAXW];
};

static uint64_t thread_switches(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
}

/* ---- the workers (threads or processes), parked between rounds ---- */

static void sem_round(struct shared *s, int idx)
{
    struct slot *sl = &s->slot[idx];
    uint64_t csw0 = thread_switches();
    for (uint64_t q = 0; q < sl->quota; q++) {
        if (!s->uncapped && tvp_bounded_sem_acquire(&s->sem) != 0) {
            atomic_fetch_add(&s->errors, 1);
            break;
        }
        uint32_t h = atomic_fetch_add_explicit(&s->holders, 1, memory_order_acq_rel) + 1;
        uint32_t m = atomic_load_explicit(&s->max_holders, memory_order_relaxed);
        while (h > m && !atomic_compare_exchange_weak_explicit(
                            &s->max_holders, &m, h, memory_order_relaxed, memory_order_relaxed))
            ;
        volatile uint64_t sink = tvp_lcg_task(s->hold_steps);
        (void)sink;
        sched_yield();
        atomic_fetch_sub_explicit(&s->holders, 1, memory_order_acq_rel);
        if (!s->uncapped && tvp_bounded_sem_release(&s->sem, NULL, 0) != 0) {
            atomic_fetch_add(&s->errors, 1);
            break;
        }
    }
    atomic_store_explicit(&sl->csw, thread_switches() - csw0, memory_order_relaxed);
    atomic_store_explicit(&sl->cpu, sched_getcpu(), memory_order_relaxed);
}

static void event_round(struct shared *s, int idx)
{
    struct slot *sl = &s->slot[idx];
    uint64_t csw0 = thread_switches();
    atomic_fetch_add_explicit(&s->ready, 1, memory_order_release);
    if (tvp_locks_fault_waiter_spins) {
        uint64_t t0 = tvp_now_ns();
        while (tvp_now_ns() - t0 < EVENT_BLOCK_NS * 3 / 2)
            tvp_cpu_relax();
    }
    int r = s->impl->wait(&s->ev, EVENT_WAIT_NS);
    uint64_t t = tvp_now_ns();
    atomic_store_explicit(&sl->t, t, memory_order_relaxed);
    atomic_store_explicit(&sl->result, r, memory_order_relaxed);
    atomic_store_explicit(&sl->cpu, sched_getcpu(), memory_order_relaxed);
    atomic_store_explicit(&sl->csw, thread_switches() - csw0, memory_order_relaxed);
}

int tvp_locks_fault_waiter_spins;

static void worker_main(struct shared *s, int idx, enum crew_kind kind)
{
    uint32_t seen = 0; /* rounds start at gen 1 */
    atomic_store_explicit(&s->slot[idx].tid, (int)syscall(SYS_gettid), memory_order_release);
    for (;;) {
        uint32_t g;
        while ((g = atomic_load_explicit(&s->gen, memory_order_acquire)) == seen)
            tvp_futex_wait(&s->gen, seen, 0);
        seen = g;
        if (atomic_load_explicit(&s->stop, memory_order_acquire))
            return;
        if (kind == CREW_SEM)
            sem_round(s, idx);
        else
            event_round(s, idx);
        atomic_fetch_add_explicit(&s->done, 1, memory_order_release);
        tvp_futex_wake(&s->done, 1, 0);
    }
}

static void *worker_thread(void *arg)
{
    struct targ *a = arg;
    worker_main(a->s, a->idx, a->kind);
    return NULL;
}

/* Opens one round: resets the counters and wakes every parked worker. */
static void crew_open(struct crew *w)
{
    atomic_store_explicit(&w->s->done, 0, memory_order_relaxed);
    atomic_store_explicit(&w->s->ready, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&w->s->gen, 1, memory_order_release);
    tvp_futex_wake(&w->s->gen, INT_MAX, 0);
}

/* After a worker process died the others may be blocked for good behind it (a permit it held,
 * an event round it never joined): they are killed and reaped, so the teardown waits for
 * nobody. */
static void crew_kill(struct crew *w, const char *bench)
{
    for (int i = 0; i < w->started; i++) {
        if (kill(w->pid[i], SIGKILL) != 0 && errno != ESRCH)
            tvp_warn(errno, "%s: killing worker process %d (pid %d)", bench, i, (int)w->pid[i]);
        int e = tvp_wait_child(w->pid[i], NULL);
        if (e != 0)
            tvp_warn(e, "%s: reaping worker process %d (pid %d)", bench, i, (int)w->pid[i]);
    }
    w->started = 0;
    w->killed = 1;
}

/* 0 while every worker process runs (threads cannot die alone); otherwise the first dead one
 * named in err, the others killed, -1. */
static int crew_check(struct crew *w, const char *bench, char *err, size_t errlen)
{
    if (!w->process)
        return 0;
    const char *role = w->kind == CREW_SEM ? "worker process" : "waiter process";
    for (int i = 0; i < w->started; i++) {
        char why[200];
        if (tvp_task_failed(w->pid[i], role, i, why, sizeof why) == 0)
            continue;
        snprintf(err, errlen, "%s: %s", bench, why);
        crew_kill(w, bench);
        return -1;
    }
    return 0;
}

struct crew_watch {
    struct crew *w;
    const char *bench;
    uint64_t give_up;
};

/* task_watch's check for a round: a dead worker process, or 20 s gone by (a lost wake-up). */
static int crew_round_check(void *arg, char *err, size_t errlen)
{
    struct crew_watch *cw = arg;
    if (crew_check(cw->w, cw->bench, err, errlen) != 0)
        return -1;
    if (tvp_now_ns() > cw->give_up) {
        snprintf(err, errlen, "%s: %u of %d workers finished the round within 20 s", cw->bench,
                 atomic_load_explicit(&cw->w->s->done, memory_order_acquire), cw->w->n);
        return -1;
    }
    return 0;
}

/* Waits until every worker finished the round, looking at the worker processes every
 * TVP_TASK_WATCH_NS; fails after 20 s (a lost wake-up). Returns 0, or -1 with err. */
static int crew_wait_done(struct crew *w, const char *bench, char *err, size_t errlen)
{
    struct crew_watch cw = {w, bench, tvp_now_ns() + 20000000000ull};
    char what[96];
    snprintf(what, sizeof what, "%s: waiting for the workers", bench);
    return tvp_task_watch_count(&w->s->done, (uint32_t)w->n, 0, crew_round_check, &cw, what, err,
                                errlen) != 0
               ? -1
               : 0;
}

static int crew_pu(const struct tvp_case *c, int i)
{
    if (!strcmp(c->benchmark, "semaphore-cap"))
        return c->pus[i % (c->n_pus ? c->n_pus : 1)];
    return c->placement == TVP_PL_SAME_PU ? c->pu_a : c->pu_b;
}

static int crew_start(const struct tvp_case *c, struct crew *w, char *err, size_t errlen)
{
    for (int i = 0; i < w->n; i++) {
        int pu = crew_pu(c, i);
        if (w->process) {
            fflush(NULL);
            pid_t pid = fork();
            if (pid < 0) {
                tvp_errfmt(err, errlen, errno, "%s: fork", c->benchmark);
                return -1;
            }
            if (pid == 0) {
                if (tvp_bind_self_os(pu) != 0)
                    _exit(3);
                int e = tvp_task_name("tvp-%s%d", w->kind == CREW_SEM ? "sem-w" : "ev-w", i);
                if (e != 0)
                    tvp_warn(e, "%s: naming worker process %d", c->benchmark, i);
                worker_main(w->s, i, w->kind);
                _exit(0);
            }
            w->pid[i] = pid;
        } else {
            w->arg[i] = (struct targ){w->s, i, w->kind};
            int rc = tvp_start_bound_thread(&w->th[i], pu, worker_thread, &w->arg[i]);
            if (rc != 0) {
                tvp_errfmt(err, errlen, rc, "%s: pthread_create", c->benchmark);
                return -1;
            }
        }
        w->started++;
    }
    return 0;
}

static void crew_free(const struct tvp_case *c, void *state)
{
    struct crew *w = state;
    if (!w)
        return;
    if (w->started) {
        atomic_store_explicit(&w->s->stop, 1, memory_order_release);
        atomic_fetch_add_explicit(&w->s->gen, 1, memory_order_release);
        tvp_futex_wake(&w->s->gen, INT_MAX, 0);
    }
    for (int i = 0; i < w->started; i++) {
        if (w->process) {
            int st;
            int e = tvp_wait_child(w->pid[i], &st);
            if (e != 0)
                tvp_warn(e, "%s: waitpid", c->benchmark);
            else if (!tvp_child_ok(st))
                tvp_warn(0, "%s: worker process %d ended with status 0x%x", c->benchmark, i, st);
        } else {
            int e = pthread_join(w->th[i], NULL);
            if (e != 0)
                tvp_warn(e, "%s: pthread_join", c->benchmark);
        }
    }
    /* A waiter killed asleep in a condition variable never leaves it, and
     * pthread_cond_destroy would wait for it for ever: after a death the event is only
     * unmapped (it holds nothing else). */
    if (w->ev_inited && !w->killed) {
        char err[256];
        if (w->s->impl->destroy(&w->s->ev, err, sizeof err) != 0)
            tvp_warn(0, "%s", err);
    }
    if (w->kind == CREW_SEM)
        tvp_bounded_sem_destroy(&w->s->sem);
    if (munmap(w->s, sizeof *w->s) != 0)
        tvp_warn(errno, "%s: unmapping the shared state", c->benchmark);
    free(w);
}

static struct crew *crew_alloc(const struct tvp_case *c, enum crew_kind kind, int n, char *err,
                               size_t errlen)
{
    if (n < 1 || n > MAXW) {
        snprintf(err, errlen, "%s: %d workers (1..%d)", c->benchmark, n, MAXW);
        return NULL;
    }
    struct crew *w = calloc(1, sizeof *w);
    if (!w) {
        tvp_errfmt(err, errlen, ENOMEM, "%s: state", c->benchmark);
        return NULL;
    }
    void *m = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "%s: mapping the shared state", c->benchmark);
        free(w);
        return NULL;
    }
    w->s = m;
    w->kind = kind;
    w->n = n;
    w->process = !strcmp(c->model, "process");
    return w;
}

/* ---- semaphore-cap ---- */

static int sem_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct crew *w = crew_alloc(c, CREW_SEM, (int)c->param_value, err, errlen);
    if (!w)
        return -1;
    w->s->cap = (uint32_t)c->arg;
    w->s->uncapped = strstr(c->variant, TVP_LOCKS_NOCAP_SUFFIX) != NULL;
    w->s->hold_steps = tvp_lcg_steps_for_ns(SEM_HOLD_NS);
    if (tvp_bounded_sem_init(&w->s->sem, w->s->cap, w->process, err, errlen) != 0 ||
        crew_start(c, w, err, errlen) != 0) {
        crew_free(c, w);
        return -1;
    }
    tvp_runner_note("hold of %u ns = %llu LCG steps (calibrated) then sched_yield()", SEM_HOLD_NS,
                    (unsigned long long)w->s->hold_steps);
    *state = w;
    return 0;
}

static int sem_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen)
{
    struct crew *w = state;
    struct shared *s = w->s;
    for (int i = 0; i < w->n; i++)
        s->slot[i].quota = iters / (uint64_t)w->n + ((uint64_t)i < iters % (uint64_t)w->n);
    atomic_store(&s->holders, 0);
    atomic_store(&s->max_holders, 0);
    atomic_store(&s->errors, 0);
    uint64_t t0 = tvp_now_ns();
    crew_open(w);
    int e = crew_wait_done(w, c->benchmark, err, errlen);
    uint64_t t1 = tvp_now_ns();
    if (e != 0)
        return -1;
    uint32_t maxh = atomic_load(&s->max_holders);
    uint64_t csw = 0;
    for (int i = 0; i < w->n; i++) {
        csw += atomic_load_explicit(&s->slot[i].csw, memory_order_relaxed);
        tvp_runner_note_cpu(atomic_load_explicit(&s->slot[i].cpu, memory_order_relaxed));
    }
    if (atomic_load(&s->errors)) {
        snprintf(err, errlen, "semaphore-cap: %u acquire/release calls failed",
                 atomic_load(&s->errors));
        return -1;
    }
    if (s->uncapped) {
        /* The control: more holders than the cap is its figure, not a failure. */
        totals[0] += t1 - t0;
        totals[1] += (uint64_t)maxh * iters;
        totals[2] += csw;
        return 0;
    }
    if (maxh > s->cap) {
        snprintf(err, errlen,
                 "semaphore-cap: %u simultaneous holders observed with a cap of %u permits "
                 "(cap exceeded)",
                 maxh, s->cap);
        return -1;
    }
    if (tvp_bounded_sem_value(&s->sem) != s->cap) {
        snprintf(err, errlen, "semaphore-cap: %u permits left after the batch, expected %u",
                 tvp_bounded_sem_value(&s->sem), s->cap);
        return -1;
    }
    totals[0] += t1 - t0;
    totals[1] += (uint64_t)maxh * iters;
    totals[2] += csw;
    return 0;
}

/* ---- over-release ---- */

struct over_shm {
    struct tvp_bounded_sem sem;
    _Atomic int rc;
    char why[160];
};

/* One check: acquire and release once (fine), then release once more: refused with EINVAL and
 * Python's message, the count unchanged. In the process variant the semaphore is pshared and
 * the extra release comes from a forked child. */
static int over_release_one(struct over_shm *o, int process, char *err, size_t errlen)
{
    char why[160] = "";
    if (tvp_bounded_sem_init(&o->sem, 5, process, why, sizeof why) != 0) {
        snprintf(err, errlen, "over-release: init: %s", why);
        return -1;
    }
    int rc = tvp_bounded_sem_acquire(&o->sem);
    if (rc == 0)
        rc = tvp_bounded_sem_release(&o->sem, why, sizeof why);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "over-release: acquire/release");
        return -1;
    }
    o->why[0] = 0;
    atomic_store(&o->rc, -1);
    if (process) {
        pid_t pid = fork();
        if (pid < 0) {
            tvp_errfmt(err, errlen, errno, "over-release: fork");
            return -1;
        }
        if (pid == 0) {
            atomic_store(&o->rc, tvp_bounded_sem_release(&o->sem, o->why, sizeof o->why));
            _exit(0);
        }
        int st;
        int e = tvp_wait_child(pid, &st);
        if (e != 0 || !tvp_child_ok(st)) {
            tvp_errfmt(err, errlen, e, "over-release: the releasing child failed (status 0x%x)",
                       st);
            return -1;
        }
    } else {
        atomic_store(&o->rc, tvp_bounded_sem_release(&o->sem, o->why, sizeof o->why));
    }
    rc = atomic_load(&o->rc);
    uint32_t v = tvp_bounded_sem_value(&o->sem);
    tvp_bounded_sem_destroy(&o->sem);
    if (rc != EINVAL || v != 5 || !strstr(o->why, TVP_BOUNDED_SEM_OVER_RELEASE)) {
        snprintf(err, errlen,
                 "over-release (%s): the extra release returned %d (%s), count %u: expected "
                 "EINVAL with \"%s\" and count 5",
                 process ? "from a child process, pshared" : "same thread", rc, o->why, v,
                 TVP_BOUNDED_SEM_OVER_RELEASE);
        return -1;
    }
    return 0;
}

static int over_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "%s: mapping the semaphore", c->benchmark);
        return -1;
    }
    *state = m;
    return 0;
}

static void over_teardown(const struct tvp_case *c, void *state)
{
    if (state && munmap(state, 4096) != 0)
        tvp_warn(errno, "%s: unmapping the semaphore", c->benchmark);
}

static int over_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    int process = !strcmp(c->model, "process");
    for (uint64_t i = 0; i < iters; i++) {
        if (over_release_one(state, process, err, errlen) != 0)
            return -1;
        totals[0] += 1;
    }
    return 0;
}

/* ---- event-wake ---- */

static int event_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct crew *w = crew_alloc(c, CREW_EVENT, (int)c->param_value, err, errlen);
    if (!w)
        return -1;
    w->s->impl = tvp_event_impls[c->arg];
    if (w->s->impl->init(&w->s->ev, w->process, err, errlen) != 0) {
        crew_free(c, w);
        return -1;
    }
    w->ev_inited = 1;
    if (crew_start(c, w, err, errlen) != 0) {
        crew_free(c, w);
        return -1;
    }
    *state = w;
    return 0;
}

/* The state letter of task tid (R, S, D, ...) from /proc/<tid>/stat; 0 with the reason in err
 * when it cannot be read. */
static char task_state(int tid, char *err, size_t errlen)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tvp_errfmt(err, errlen, errno, "event-wake: opening %s", path);
        return 0;
    }
    ssize_t n;
    do
        n = read(fd, buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    int e = errno;
    if (close(fd) != 0 && n >= 0) {
        tvp_errfmt(err, errlen, errno, "event-wake: closing %s", path);
        return 0;
    }
    if (n < 0) {
        tvp_errfmt(err, errlen, e, "event-wake: reading %s", path);
        return 0;
    }
    buf[n] = 0;
    /* "pid (comm) S ...": comm may hold spaces and parentheses, the last ')' ends it. */
    const char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || !p[2]) {
        snprintf(err, errlen, "event-wake: no state in %s", path);
        return 0;
    }
    return p[2];
}

/* Returns when every waiter announced itself and is asleep (state S) in wait(), then spins
 * EVENT_SETTLE_NS more on the clock. The setter never sleeps here, so its PU never idles: it
 * yields while it waits, which lets a waiter sharing its PU run into wait(). -1 with the reason
 * in err when a waiter is not asleep within EVENT_BLOCK_NS. */
static int settle_spinning(struct crew *w, char *err, size_t errlen)
{
    struct shared *s = w->s;
    uint64_t start = tvp_now_ns();
    int i = 0;
    char st = '?';
    while (i < w->n) {
        if (atomic_load_explicit(&s->ready, memory_order_acquire) == (uint32_t)w->n) {
            /* Each waiter once seen asleep stays so: only set() wakes it (or its 2 s timeout,
             * which fails the case). */
            st = task_state(atomic_load_explicit(&s->slot[i].tid, memory_order_relaxed), err,
                            errlen);
            if (!st)
                return -1;
            if (st == 'S') {
                i++;
                continue;
            }
        }
        if (tvp_now_ns() - start > EVENT_BLOCK_NS) {
            snprintf(err, errlen,
                     "event-wake: waiter %d of %d not asleep in wait() %llu ms after the round "
                     "opened (%u announced, state %c)",
                     i, w->n, EVENT_BLOCK_NS / 1000000,
                     atomic_load_explicit(&s->ready, memory_order_relaxed), st);
            return -1;
        }
        sched_yield();
    }
    uint64_t t = tvp_now_ns();
    while (tvp_now_ns() - t < EVENT_SETTLE_NS)
        tvp_cpu_relax();
    return 0;
}

static int event_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen)
{
    struct crew *w = state;
    struct shared *s = w->s;
    const struct tvp_event_impl *im = s->impl;
    int sleep_settle = strstr(c->variant, TVP_LOCKS_SLEEP_SETTLE_SUFFIX) != NULL;
    for (uint64_t it = 0; it < iters; it++) {
        int rc = im->clear(&s->ev);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "event-wake: %s clear", im->name);
            return -1;
        }
        crew_open(w);
        if (sleep_settle) {
            uint64_t start = tvp_now_ns();
            while (atomic_load_explicit(&s->ready, memory_order_acquire) < (uint32_t)w->n) {
                if (tvp_now_ns() - start > 5000000000ull) {
                    snprintf(err, errlen, "event-wake: the waiters did not start waiting");
                    return -1;
                }
                tvp_sleep_ns(10000);
            }
            tvp_sleep_ns(EVENT_SETTLE_NS);
        } else if (settle_spinning(w, err, errlen) != 0) {
            /* A waiter that never got to sleep may be a dead one: say so rather than "not
             * asleep". */
            (void)crew_check(w, c->benchmark, err, errlen);
            return -1;
        }
        uint64_t t0 = tvp_now_ns();
        rc = im->set(&s->ev);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "event-wake: %s set", im->name);
            return -1;
        }
        if (crew_wait_done(w, c->benchmark, err, errlen) != 0)
            return -1;
        uint64_t first = UINT64_MAX, last = 0;
        for (int i = 0; i < w->n; i++) {
            int r = atomic_load_explicit(&s->slot[i].result, memory_order_relaxed);
            uint64_t t = atomic_load_explicit(&s->slot[i].t, memory_order_relaxed);
            if (r != 1 || t < t0) {
                snprintf(err, errlen,
                         "event-wake: %s waiter %d of %d %s after set (wait returned %d)", im->name,
                         i, w->n, r == 0 ? "timed out" : "was not woken", r);
                return -1;
            }
            if (t < first)
                first = t;
            if (t > last)
                last = t;
            tvp_runner_note_cpu(atomic_load_explicit(&s->slot[i].cpu, memory_order_relaxed));
        }
        totals[0] += last - t0;
        if (w->n > 1)
            totals[1] += first - t0;
    }
    return 0;
}

/* ---- planning ---- */

static const char *const models[2] = {"thread", "process"};

/* The rest of a case after tvp_case_init, shared by the planner and tvp_locks_test_case. */

static void fill_sem(struct tvp_case *c, int workers, int permits)
{
    int control = strstr(c->variant, TVP_LOCKS_NOCAP_SUFFIX) != NULL;
    snprintf(c->param, sizeof c->param, "workers");
    c->param_value = workers;
    c->n_pus = workers;
    c->arg = permits;
    c->n_metrics = 3;
    c->metric[0] = "per-op";
    c->unit[0] = "ns";
    c->metric[1] = "max-holders";
    c->unit[1] = "tasks";
    c->metric[2] = "context-switches";
    c->unit[2] = "switches";
    if (control)
        snprintf(c->note, sizeof c->note,
                 "negative control: the %d-permit load with no semaphore, so max-holders shows "
                 "how many would hold at once without the cap",
                 permits);
    else
        snprintf(c->note, sizeof c->note,
                 "bounded semaphore of %d permits%s; per-op = batch wall time / ops; "
                 "context-switches: the workers' (getrusage)",
                 permits, strcmp(c->model, "process") ? "" : " in MAP_SHARED memory (pshared)");
    c->setup = sem_setup;
    c->run = sem_run;
    c->teardown = crew_free;
}

static void fill_event(struct tvp_case *c, int waiters, long impl)
{
    int sleep = strstr(c->variant, TVP_LOCKS_SLEEP_SETTLE_SUFFIX) != NULL;
    snprintf(c->param, sizeof c->param, "waiters");
    c->param_value = waiters;
    c->arg = impl;
    /* With one waiter the first wake-up is the last. */
    c->n_metrics = waiters > 1 ? 2 : 1;
    c->metric[0] = "set-to-last-wake";
    c->unit[0] = "ns";
    c->metric[1] = "set-to-first-wake";
    c->unit[1] = "ns";
    c->per_op_timed = 1;
    /* ~100 us per operation (mostly the untimed settle): 100 operations a batch keep the full
     * run's cases to a few seconds each. */
    c->max_iters = 100;
    if (sleep)
        snprintf(c->note, sizeof c->note,
                 "waiters on %s; setter sleeps %ld us after all announced waiting (untimed): "
                 "the clock starts as the setter wakes from its own sleep",
                 c->placement == TVP_PL_SAME_PU ? "the setter's PU" : "pu_b",
                 EVENT_SETTLE_NS / 1000);
    else
        snprintf(c->note, sizeof c->note,
                 "waiters on %s; setter yields until all are asleep in wait(), then spins %ld us "
                 "(untimed), so it is running when set() is timed",
                 c->placement == TVP_PL_SAME_PU ? "the setter's PU" : "pu_b",
                 EVENT_SETTLE_NS / 1000);
    c->setup = event_setup;
    c->run = event_run;
    c->teardown = crew_free;
}

int tvp_locks_sync_test_case(struct tvp_case *c, long long param, const int *pus, int n_pus)
{
    if (!strcmp(c->benchmark, "semaphore-cap")) {
        if (param < 1 || param > n_pus || param > MAXW)
            return -1;
        for (int i = 0; i < param; i++)
            c->pus[i] = pus[i];
        fill_sem(c, (int)param, 5);
        return 0;
    }
    if (!strcmp(c->benchmark, "event-wake")) {
        for (size_t im = 0; im < tvp_event_impls_len; im++) {
            size_t k = strlen(tvp_event_impls[im]->name);
            if (!strncmp(c->variant, tvp_event_impls[im]->name, k) && c->variant[k] == '-') {
                fill_event(c, (int)param, (long)im);
                return 0;
            }
        }
    }
    return -1;
}

int tvp_locks_sync_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                        const struct tvp_group *g)
{
    int quick = ctx->opt->quick;
    /* over-release: a checked fact, within a thread and from another process */
    for (int m = 0; m < 2 && tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU); m++) {
        struct tvp_case c;
        tvp_case_init(&c, g, "over-release", m ? "bounded-5-process" : "bounded-5", models[m],
                      &ctx->placements[TVP_PL_SAME_PU]);
        c.n_metrics = 1;
        c.metric[0] = "held";
        c.unit[0] = "facts";
        snprintf(c.note, sizeof c.note,
                 "BoundedSemaphore(5): acquire, release, one release too many%s -> EINVAL, "
                 "count stays 5",
                 m ? " from a forked child (pshared, MAP_SHARED)" : "");
        c.setup = over_setup;
        c.run = over_run;
        c.teardown = over_teardown;
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    /* semaphore-cap */
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD)) {
        static const int permits_full[] = {1, 2, 5}, permits_quick[] = {5};
        const int *permits = quick ? permits_quick : permits_full;
        int n_permits = quick ? 1 : 3;
        for (int k = 0; k < n_permits; k++) {
            int pm = permits[k];
            int ws[3] = {pm + 1, (3 * pm + 3) / 2, 2 * pm + 2}, n_ws = 0, uniq[3];
            for (int i = 0; i < 3; i++) {
                if (i == 1 && (quick || pm != 5)) /* the middle point only for 5 permits */
                    continue;
                int seen = 0;
                for (int j = 0; j < n_ws; j++)
                    seen |= uniq[j] == ws[i];
                if (!seen && ws[i] <= MAXW)
                    uniq[n_ws++] = ws[i];
            }
            for (int i = 0; i < n_ws; i++)
                for (int m = 0; m < 2; m++) {
                    struct tvp_case c;
                    char variant[TVP_NAME_LEN];
                    snprintf(variant, sizeof variant, "%s-permits%d", models[m], pm);
                    tvp_case_init(&c, g, "semaphore-cap", variant, models[m],
                                  &ctx->placements[TVP_PL_SPREAD]);
                    if (tvp_plan_spread(ctx->topo, uniq[i], c.pus) != 0)
                        return EINVAL;
                    fill_sem(&c, uniq[i], pm);
                    if (tvp_plan_add(p, &c))
                        return ENOMEM;
                    /* The C9 control beside every 5-permit point: the same load, no semaphore. */
                    if (pm != 5)
                        continue;
                    snprintf(variant, sizeof variant, "%s%s", models[m], TVP_LOCKS_NOCAP_SUFFIX);
                    tvp_case_init(&c, g, "semaphore-cap", variant, models[m],
                                  &ctx->placements[TVP_PL_SPREAD]);
                    if (tvp_plan_spread(ctx->topo, uniq[i], c.pus) != 0)
                        return EINVAL;
                    fill_sem(&c, uniq[i], pm);
                    if (tvp_plan_add(p, &c))
                        return ENOMEM;
                }
        }
    }
    /* event-wake */
    enum tvp_placement_kind kinds[2] = {TVP_PL_SAME_PU, TVP_PL_COUNT};
    const struct tvp_placement *cross = tvp_placement_cross_core(ctx->placements);
    if (cross)
        kinds[1] = cross->kind;
    else
        tvp_plan_skip(p, "event-wake: no cross-core placement on this machine");
    static const int waiters[2] = {1, EVENT_WAITERS_N};
    for (size_t im = 0; im < tvp_event_impls_len; im++)
        for (int m = 0; m < 2; m++)
            for (int k = 0; k < 2; k++) {
                if (kinds[k] == TVP_PL_COUNT || !tvp_plan_placement_ok(p, ctx, kinds[k]))
                    continue;
                for (int wi = 0; wi < 2; wi++)
                    for (int sleep = 0; sleep < 2; sleep++) {
                        /* The old settle (a sleep) beside the new, for the futex Event and one
                         * waiter: the gap is the setter's own cold start. */
                        if (sleep && (strcmp(tvp_event_impls[im]->name, "futex") || wi))
                            continue;
                        struct tvp_case c;
                        char variant[TVP_NAME_LEN];
                        snprintf(variant, sizeof variant, "%s-%s%s", tvp_event_impls[im]->name,
                                 models[m], sleep ? TVP_LOCKS_SLEEP_SETTLE_SUFFIX : "");
                        tvp_case_init(&c, g, "event-wake", variant, models[m],
                                      &ctx->placements[kinds[k]]);
                        fill_event(&c, waiters[wi], (long)im);
                        if (tvp_plan_add(p, &c))
                            return ENOMEM;
                    }
            }
    return 0;
}

/* ---- charts ---- */

/* The placement of the first ok event-wake figure that is not same-pu. */
static const char *event_cross(const struct tvp_resultset *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (!strcmp(f->group, "locks") && !strcmp(f->benchmark, "event-wake") &&
            strcmp(f->placement, "same-pu") && !strcmp(f->status, "ok"))
            return f->placement;
    }
    return NULL;
}

static const struct tvp_fig *event_fig(const struct tvp_resultset *rs, const char *impl,
                                       const char *model, const char *placement, long long n,
                                       const char *metric)
{
    char variant[TVP_NAME_LEN];
    snprintf(variant, sizeof variant, "%s-%s", impl, model);
    return tvp_rs_find(rs, "locks", "event-wake", variant, placement, "waiters", n, metric);
}

int tvp_locks_sync_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    int any_event = 0, any_sem = 0;
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->figs[i].group, "locks") || strcmp(rs->figs[i].status, "ok"))
            continue;
        any_event |= !strcmp(rs->figs[i].benchmark, "event-wake");
        any_sem |= !strcmp(rs->figs[i].benchmark, "semaphore-cap");
    }
    if (any_event) {
        if ((rc = tvp_chart_open(&a, dir, "locks-event")) != 0)
            return rc;
        fprintf(a.f, "# set() to the last waiter running, microseconds: median, 95%% CI low, "
                     "high\n# label");
        for (size_t im = 0; im < tvp_event_impls_len; im++)
            fprintf(a.f, " %s(3)", tvp_event_impls[im]->name);
        fputc('\n', a.f);
        const char *pls[2] = {"same-pu", event_cross(rs)};
        static const long long ns[2] = {1, EVENT_WAITERS_N};
        for (int m = 0; m < 2; m++)
            for (int p = 0; p < 2; p++) {
                if (!pls[p])
                    continue;
                for (int w = 0; w < 2; w++) {
                    fprintf(a.f, "\"%s %s %lldw\"", models[m], pls[p], ns[w]);
                    for (size_t im = 0; im < tvp_event_impls_len; im++)
                        tvp_dat_fig(a.f,
                                    event_fig(rs, tvp_event_impls[im]->name, models[m], pls[p],
                                              ns[w], "set-to-last-wake"),
                                    1e3);
                    fputc('\n', a.f);
                }
            }
        if ((rc = tvp_afile_commit(&a)) != 0)
            return rc;
    }
    if (!any_sem)
        return 0;
    if ((rc = tvp_chart_open(&a, dir, "locks-semaphore")) != 0)
        return rc;
    static const int permits[] = {1, 2, 5};
    int have[3] = {0};
    fputs("# titles:", a.f);
    for (int k = 0; k < 3; k++) {
        char v[TVP_NAME_LEN];
        snprintf(v, sizeof v, "thread-permits%d", permits[k]);
        char v2[TVP_NAME_LEN];
        snprintf(v2, sizeof v2, "process-permits%d", permits[k]);
        for (size_t i = 0; i < rs->n && !have[k]; i++)
            if (!strcmp(rs->figs[i].benchmark, "semaphore-cap") &&
                (!strcmp(rs->figs[i].variant, v) || !strcmp(rs->figs[i].variant, v2)))
                have[k] = 1;
        if (have[k])
            fprintf(a.f, " %d", permits[k]);
    }
    fprintf(a.f, "\n# against workers, one block per permit count: operations per second "
                 "(median, CI low, high) for threads and processes, then the most simultaneous "
                 "holders seen in any batch: threads, processes, and the same load with no "
                 "semaphore (threads, processes; at 5 permits only)\n# workers thread(3) "
                 "process(3) holders:thread holders:process holders:no-cap-thread "
                 "holders:no-cap-process\n");
    int blocks = 0;
    for (int k = 0; k < 3; k++) {
        if (!have[k])
            continue;
        if (blocks++)
            fputs("\n\n", a.f);
        long long ws[MAXW];
        int n_ws = 0;
        char v[2][TVP_NAME_LEN];
        for (int m = 0; m < 2; m++)
            snprintf(v[m], sizeof v[m], "%s-permits%d", models[m], permits[k]);
        for (size_t i = 0; i < rs->n && n_ws < MAXW; i++) {
            const struct tvp_fig *f = &rs->figs[i];
            if (strcmp(f->benchmark, "semaphore-cap") ||
                (strcmp(f->variant, v[0]) && strcmp(f->variant, v[1])))
                continue;
            int seen = 0;
            for (int j = 0; j < n_ws; j++)
                seen |= ws[j] == f->param_value;
            if (!seen) {
                int at = n_ws++;
                while (at > 0 && ws[at - 1] > f->param_value) {
                    ws[at] = ws[at - 1];
                    at--;
                }
                ws[at] = f->param_value;
            }
        }
        for (int i = 0; i < n_ws; i++) {
            fprintf(a.f, "%lld", ws[i]);
            for (int m = 0; m < 2; m++)
                tvp_dat_rate(a.f, tvp_rs_find(rs, "locks", "semaphore-cap", v[m], "spread",
                                              "workers", ws[i], "per-op"));
            /* The cap is the chart's point: the most holders any batch saw, beside the count
             * the load reaches with no semaphore at all. */
            for (int m = 0; m < 4; m++) {
                char ctl[TVP_NAME_LEN];
                snprintf(ctl, sizeof ctl, "%s%s", models[m % 2], TVP_LOCKS_NOCAP_SUFFIX);
                const struct tvp_fig *h =
                    m < 2 || permits[k] == 5
                        ? tvp_rs_find(rs, "locks", "semaphore-cap", m < 2 ? v[m] : ctl, "spread",
                                      "workers", ws[i], "max-holders")
                        : NULL;
                tvp_dat_num(a.f, h ? h->max : NAN);
            }
            fputc('\n', a.f);
        }
    }
    return tvp_afile_commit(&a);
}

/* ---- verdicts ---- */

void tvp_judge_c9(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "BoundedSemaphore(5) shared by 6..12 workers (threads; processes with the "
             "semaphore in MAP_SHARED memory), each holding its permit ~1 us then yielding: "
             "confirmed when in every batch of every run the largest number of simultaneous "
             "holders equalled 5 exactly (a batch that saw more fails its case) and one release "
             "too many was refused with EINVAL leaving the count at 5; refuted when the cap was "
             "exceeded or the extra release accepted; nuanced when the cap held but was not "
             "reached in every batch; throughput (1e9 / median per-op) is reported, not judged. "
             "Negative control in the same run: the same load with no semaphore (variant "
             "<model>" TVP_LOCKS_NOCAP_SUFFIX ") must see more than 5 holders at once in some "
             "batch, else the cap is not shown to be what held them at 5 and the verdict is "
             "nuanced");
    const struct tvp_fig *over =
        tvp_rs_find(rs, "locks", "over-release", "bounded-5", "same-pu", NULL, 0, "held");
    const struct tvp_fig *over_p =
        tvp_rs_find(rs, "locks", "over-release", "bounded-5-process", "same-pu", NULL, 0, "held");
    /* Every failed figure is read: the first non-ok one may be a timeout, and a breach beside
     * it must still refute. */
    const struct tvp_fig *fail_cap = NULL, *fail_over = NULL;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->status, "failed"))
            continue;
        if (!fail_cap && !strcmp(f->benchmark, "semaphore-cap") && strstr(f->note, "cap exceeded"))
            fail_cap = f;
        if (!fail_over && !strcmp(f->benchmark, "over-release") &&
            strstr(f->note, "expected EINVAL"))
            fail_over = f;
    }
    int exceeded = fail_cap != NULL, accepted = fail_over != NULL;
    int n_figs = 0, all_at_cap = 1;
    char models_seen[2] = {0, 0};
    v->figures[0] = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->benchmark, "semaphore-cap") ||
            strcmp(f->metric, "max-holders") || strcmp(f->status, "ok") ||
            !strstr(f->variant, "permits5"))
            continue;
        n_figs++;
        int m = !strcmp(f->model, "process");
        models_seen[m] = 1;
        if (f->min != 5 || f->max != 5)
            all_at_cap = 0;
        const struct tvp_fig *op = tvp_rs_find(rs, "locks", "semaphore-cap", f->variant, "spread",
                                               "workers", f->param_value, "per-op");
        char t[32] = "n/a";
        double cs = NAN;
        const struct tvp_fig *csf = tvp_rs_find(rs, "locks", "semaphore-cap", f->variant, "spread",
                                                "workers", f->param_value, "context-switches");
        if (csf)
            cs = csf->median;
        if (op)
            snprintf(t, sizeof t, "%.3g Mops/s", 1e3 / op->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "%s%s, %lld workers: max holders %.0f..%.0f over %zu batches, %s, %.2g "
                    "context switches/op",
                    v->figures[0] ? "; " : "", f->model, f->param_value, f->min, f->max, f->n, t,
                    cs);
    }
    /* The control: how many held at once with no cap, under the same load. */
    int n_ctl = 0, over_ctl = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->benchmark, "semaphore-cap") ||
            strcmp(f->metric, "max-holders") || strcmp(f->status, "ok") || f->n == 0 ||
            !strstr(f->variant, TVP_LOCKS_NOCAP_SUFFIX))
            continue;
        n_ctl++;
        over_ctl += f->max > 5;
        tvp_appendf(v->figures, sizeof v->figures,
                    "%sno-cap control, %s, %lld workers: max holders %.0f..%.0f over %zu batches",
                    v->figures[0] ? "; " : "", f->model, f->param_value, f->min, f->max, f->n);
    }
    if (!n_ctl)
        tvp_appendf(v->figures, sizeof v->figures, "%sno-cap control: not in this run",
                    v->figures[0] ? "; " : "");
    /* Throughput against permits (the full run's 1 and 2 permits), compactly. */
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->benchmark, "semaphore-cap") ||
            strcmp(f->metric, "per-op") || strcmp(f->status, "ok") ||
            strstr(f->variant, "permits5") || strstr(f->variant, TVP_LOCKS_NOCAP_SUFFIX) ||
            f->median <= 0)
            continue;
        tvp_appendf(v->figures, sizeof v->figures, "%s%s, %lld workers: %.3g Mops/s",
                    v->figures[0] ? "; " : "", f->variant, f->param_value, 1e3 / f->median);
    }
    if (over && over_p)
        tvp_appendf(v->figures, sizeof v->figures,
                    "%sover-release refused with EINVAL (\"%s\"), count unchanged, in the same "
                    "thread and from a child process, in every check (%zu + %zu batches)",
                    v->figures[0] ? "; " : "", TVP_BOUNDED_SEM_OVER_RELEASE, over->n, over_p->n);
    if (exceeded || accepted) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary, "%s",
                 exceeded ? "more holders than permits were observed"
                          : "a release beyond the cap was accepted");
        tvp_appendf(v->figures, sizeof v->figures, "%s%s", v->figures[0] ? "; " : "",
                    exceeded ? fail_cap->note : fail_over->note);
        return;
    }
    if (n_figs == 0 || !over || !over_p || !models_seen[0] || !models_seen[1]) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no successful semaphore-cap figures for threads and processes with 5 permits "
                 "and an over-release check in this run");
        return;
    }
    if (n_ctl == 0 || over_ctl == 0) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "the cap of 5 was never exceeded (%d figures) and over-release was refused, but "
                 "%s, so this machine could not show that the cap is what held them",
                 n_figs,
                 n_ctl ? "the same load with no semaphore never had more than 5 holders either"
                       : "the no-cap control did not run");
    } else if (all_at_cap) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "with 5 permits the largest number of simultaneous holders was exactly 5 in "
                 "every batch (%d figures, threads and processes), while the same load with no "
                 "semaphore had more than 5 in %d of %d control figures; one release too many "
                 "was refused with EINVAL",
                 n_figs, over_ctl, n_ctl);
    } else {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "the cap of 5 was never exceeded and over-release was refused, but not every "
                 "batch reached 5 simultaneous holders");
    }
}

void tvp_judge_c10(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "Event set() in one task wakes waiters blocked in wait() in others: per "
             "implementation (condvar, futex, eventfd), threads and processes, same PU and "
             "nearest cross-core pair, 1 and %d waiters, every waiter must return 1 after set() "
             "in every operation (the case fails otherwise); confirmed when every implementation "
             "has successful figures and none failed; nuanced when some failed or has no "
             "successful figure (named); not measured when none has one and none failed (timed "
             "out or crashed: unchecked); latencies "
             "(median set() to the last waiter running) are reported, not judged. Before each "
             "set() the setter waits, running (yielding, never sleeping), until every waiter is "
             "asleep in wait(), then spins %ld us; the futex Event with a sleeping setter (the "
             "old settle) is shown beside it",
             EVENT_WAITERS_N, EVENT_SETTLE_NS / 1000);
    const char *cross = event_cross(rs);
    const char *pls[2] = {"same-pu", cross};
    int ok_impl[8] = {0}, failed_impl[8] = {0}, any = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->benchmark, "event-wake"))
            continue;
        /* The sleep-settle variants are shown beside, not judged; a timeout or crash is no
         * failed check (no waiter was seen missing the set()), so it leaves the case unchecked
         * and, where nothing else ran, the claim not measured. */
        if (strstr(f->variant, TVP_LOCKS_SLEEP_SETTLE_SUFFIX))
            continue;
        for (size_t im = 0; im < tvp_event_impls_len && im < 8; im++)
            if (!strncmp(f->variant, tvp_event_impls[im]->name,
                         strlen(tvp_event_impls[im]->name))) {
                any = 1;
                if (!strcmp(f->status, "ok"))
                    ok_impl[im] = 1;
                else if (!strcmp(f->status, "failed"))
                    failed_impl[im] = 1;
            }
    }
    v->figures[0] = 0;
    for (size_t im = 0; im < tvp_event_impls_len; im++) {
        const char *name = tvp_event_impls[im]->name;
        tvp_appendf(v->figures, sizeof v->figures, "%s%s:", v->figures[0] ? "; " : "", name);
        for (int m = 0; m < 2; m++)
            for (int p = 0; p < 2; p++) {
                if (!pls[p])
                    continue;
                const struct tvp_fig *f1 =
                    event_fig(rs, name, models[m], pls[p], 1, "set-to-last-wake");
                const struct tvp_fig *fn =
                    event_fig(rs, name, models[m], pls[p], EVENT_WAITERS_N, "set-to-last-wake");
                char a[32], b[32];
                tvp_fmt_ns(a, sizeof a, f1 ? f1->median : NAN);
                tvp_fmt_ns(b, sizeof b, fn ? fn->median : NAN);
                tvp_appendf(v->figures, sizeof v->figures, "%s %s %s %s / %s", (m || p) ? "," : "",
                            models[m], pls[p], a, b);
            }
    }
    tvp_appendf(v->figures, sizeof v->figures,
                " (median set() to the last waiter running, 1/%d waiters)", EVENT_WAITERS_N);
    for (int m = 0; m < 2; m++)
        for (int p = 0; p < 2; p++) {
            char variant[TVP_NAME_LEN];
            snprintf(variant, sizeof variant, "futex-%s%s", models[m],
                     TVP_LOCKS_SLEEP_SETTLE_SUFFIX);
            const struct tvp_fig *sl = pls[p]
                                           ? tvp_rs_find(rs, "locks", "event-wake", variant, pls[p],
                                                         "waiters", 1, "set-to-last-wake")
                                           : NULL;
            const struct tvp_fig *sp =
                pls[p] ? event_fig(rs, "futex", models[m], pls[p], 1, "set-to-last-wake") : NULL;
            if (!sl)
                continue;
            char a[32], b[32];
            tvp_fmt_ns(a, sizeof a, sl->median);
            tvp_fmt_ns(b, sizeof b, sp ? sp->median : NAN);
            tvp_appendf(v->figures, sizeof v->figures,
                        "; futex, %s %s, 1 waiter, setter that slept before set(): %s (running "
                        "setter: %s)",
                        models[m], pls[p], a, b);
        }
    if (!any) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary, "the event-wake benchmark did not run");
        return;
    }
    char bad[128] = "", missing[128] = "";
    for (size_t im = 0; im < tvp_event_impls_len && im < 8; im++) {
        if (failed_impl[im])
            tvp_appendf(bad, sizeof bad, "%s%s", bad[0] ? ", " : "", tvp_event_impls[im]->name);
        if (!ok_impl[im])
            tvp_appendf(missing, sizeof missing, "%s%s", missing[0] ? ", " : "",
                        tvp_event_impls[im]->name);
    }
    /* The fastest implementation for threads, same PU, 1 waiter, to name in the summary. */
    const char *best = NULL;
    double best_ns = INFINITY;
    for (size_t im = 0; im < tvp_event_impls_len; im++) {
        const struct tvp_fig *f =
            event_fig(rs, tvp_event_impls[im]->name, "thread", "same-pu", 1, "set-to-last-wake");
        if (f && f->median < best_ns) {
            best_ns = f->median;
            best = tvp_event_impls[im]->name;
        }
    }
    if (!bad[0] && !missing[0]) {
        char a[32];
        tvp_fmt_ns(a, sizeof a, best_ns);
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "set() woke every waiter on all three implementations, threads and processes, "
                 "1 and %d waiters; fastest wake-up of one thread on one PU: %s (%s)",
                 EVENT_WAITERS_N, best ? best : "n/a", a);
        const struct tvp_fig *xs =
            best && cross ? event_fig(rs, best, "thread", cross, 1, "set-to-last-wake") : NULL;
        if (xs) {
            char b[32];
            tvp_fmt_ns(b, sizeof b, xs->median);
            tvp_appendf(v->summary, sizeof v->summary, ", %s on the %s pair", b, cross);
        }
    } else if (!bad[0] && missing[0] && !ok_impl[0] && !ok_impl[1] && !ok_impl[2]) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary, "no successful event-wake figure in this run");
    } else {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary, "set() woke every waiter except with: %s%s%s",
                 bad[0] ? bad : "(none failed)", missing[0] ? "; no figures for: " : "", missing);
    }
}
