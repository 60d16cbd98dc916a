/* The locks group: what a lock costs and whether it serialises (claims C7 and C8); the
 * semaphore and event benchmarks (C9, C10) come from bench/groups/locks/locks_sync.c through this
 * descriptor.
 *
 * Every timed loop runs in a multi-threaded process (an idle second thread, or the workers), as
 * in a threaded program, and fails if it has one thread when it starts; the "-single-thread"
 * benchmarks are the labelled exception, timed on glibc's single-thread fast path.
 * "uncontended": one task, lock+unlock in a tight inlined loop per lock kind; model "thread" uses
 * a private lock, "process" the same kind initialised process-shared in MAP_SHARED memory.
 * "contended-<cs>": 1 .. 2x PUs workers (threads, or forked processes) pinned by the spread plan
 * share one lock; each worker takes it iters/n times (the remainder to the first), doing a
 * non-atomic read-modify-write of a shared counter plus <cs> of calibrated work inside, and a
 * constant ~100 ns of work outside. Timed from the start gate opening to the last worker
 * finishing: "per-op" is ns per acquisition over all workers (ops/s = 1e9 / per-op).
 * "jain-x1000": Jain's index x 1000 of the workers' progress (acquisitions done / quota) at the
 * moment the first worker finished its quota: 1000 when all progressed alike, 1000/n when one ran
 * alone. "ctx-switches": the workers' own context switches per acquisition (getrusage; the
 * harness's counters do not follow workers started in set-up). Every batch checks the counter
 * equals the acquisitions (no lost update), else the figure fails; variant "no-lock-control" is
 * the same loop with no lock (C7's negative control), its lost updates per million its figure.
 * "recursion": the recursive mutex
 * taken depth times then released depth times, vs a plain mutex taken once; "per-level" ns per
 * acquire+release pair, "nest" ns per whole nest. "self-deadlock": checked facts, every operation:
 * an error-checking mutex locked again by its holder returns EDEADLK (the plain lock's
 * self-deadlock, shown safely), and a recursive mutex taken 4 deep is refused to another task
 * (trylock EBUSY) until the 4th release. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "clock.h"
#include "group.h"
#include "cpu_work.h"
#include "locks_cases.h"
#include "locks_sync.h"
#include "resultset.h"
#include "runner.h"
#include "topology.h"
#include "task_watch.h"
#include "tvp_child.h"
#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_futex.h"
#include "tvp_lock.h"
#include "tvp_lock_all.h"

extern const struct tvp_group tvp_group_locks;

#define OUTSIDE_NS 100 /* work between two acquisitions, every contended case */

static const struct {
    const char *bench;
    long ns;
} cs_len[] = {{"contended-0ns", 0}, {"contended-100ns", 100}, {"contended-1us", 1000}};
#define N_CS (sizeof cs_len / sizeof cs_len[0])

static int bind_self(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof set, &set) == 0 ? 0 : errno;
}

/* ---- the process multi-threaded: an idle companion thread ---- */

/* glibc (2.34 on) skips the locked instruction of a private mutex while the process has one
 * thread; a threaded program never sees that path, so every lock figure but the
 * "-single-thread" ones is taken with a second thread alive, blocked on a futex (it never runs,
 * so it takes no CPU from the loop). */

int tvp_locks_fault_no_idle;

struct idle {
    pthread_t th;
    _Atomic uint32_t stop;
    int started;
};

static void *idle_main(void *arg)
{
    struct idle *t = arg;
    while (!atomic_load_explicit(&t->stop, memory_order_acquire)) {
        int e = tvp_futex_wait(&t->stop, 0, FUTEX_PRIVATE_FLAG);
        if (e != 0) {
            tvp_warn(e, "locks: idle companion thread: futex wait");
            break;
        }
    }
    return NULL;
}

static int idle_start(struct idle *t, char *err, size_t errlen)
{
    atomic_init(&t->stop, 0);
    t->started = 0;
    if (tvp_locks_fault_no_idle)
        return 0;
    int rc = pthread_create(&t->th, NULL, idle_main, t);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "locks: starting the idle companion thread");
        return -1;
    }
    t->started = 1;
    return 0;
}

static void idle_stop(struct idle *t)
{
    if (!t->started)
        return;
    atomic_store_explicit(&t->stop, 1, memory_order_release);
    int e = tvp_futex_wake(&t->stop, 1, FUTEX_PRIVATE_FLAG);
    if (e != 0)
        tvp_warn(e, "locks: waking the idle companion thread");
    e = pthread_join(t->th, NULL);
    if (e != 0)
        tvp_warn(e, "locks: joining the idle companion thread");
    t->started = 0;
}

int tvp_locks_thread_count(pid_t pid, char *err, size_t errlen)
{
    char path[64], buf[4096];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/status");
    else
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tvp_errfmt(err, errlen, errno, "locks: opening %s", path);
        return -1;
    }
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            tvp_errfmt(err, errlen, errno, "locks: reading %s", path);
            close(fd);
            return -1;
        }
        if (n == 0 || (len += (size_t)n) == sizeof buf - 1)
            break;
    }
    if (close(fd) != 0) {
        tvp_errfmt(err, errlen, errno, "locks: closing %s", path);
        return -1;
    }
    buf[len] = 0;
    const char *t = strstr(buf, "\nThreads:");
    int threads;
    if (!t || sscanf(t + 9, "%d", &threads) != 1) {
        snprintf(err, errlen, "locks: no Threads: line in %s", path);
        return -1;
    }
    return threads;
}

/* Checks, just before a timed loop, that the process the loop runs in (pid, 0: this one) has
 * more than one thread (want_multi) or exactly one (a "-single-thread" case). */
static int check_threads(pid_t pid, int want_multi, const char *what, char *err, size_t errlen)
{
    char why[200];
    int n = tvp_locks_thread_count(pid, why, sizeof why);
    if (n < 0) {
        snprintf(err, errlen, "%s: %s", what, why);
        return -1;
    }
    if (want_multi && n < 2) {
        snprintf(err, errlen,
                 "%s: the process has %d thread when the timed loop starts (its idle second "
                 "thread is missing): glibc's single-thread fast path would be measured",
                 what, n);
        return -1;
    }
    if (!want_multi && n != 1) {
        snprintf(err, errlen,
                 "%s: a single-thread case, but the process has %d threads when the timed loop "
                 "starts",
                 what, n);
        return -1;
    }
    return 0;
}

static int is_single(const struct tvp_case *c)
{
    size_t n = strlen(c->benchmark), k = strlen(TVP_LOCKS_SINGLE_SUFFIX);
    return n > k && strcmp(c->benchmark + n - k, TVP_LOCKS_SINGLE_SUFFIX) == 0;
}

/* ---- shared memory ---- */

struct slot {
    alignas(64) _Atomic uint64_t progress; /* acquisitions done this batch */
    uint64_t quota;
    uint64_t snap; /* progress when the first worker finished */
    uint64_t sink;
    _Atomic int rc; /* ORed acquire/release results of the batch */
    _Atomic int cpu;
    _Atomic int ready; /* set once the worker (and, for a process, its idle thread) started */
    uint64_t csw;      /* the worker's context switches during its loop (getrusage) */
};

struct shm {
    alignas(64) unsigned char lock[256];
    alignas(64) long counter; /* plain: only touched under the lock */
    /* The no-lock control's counter: loaded and stored (relaxed, never a read-modify-write) with
     * no lock, so lost updates are possible but the program stays free of data races. */
    _Atomic long racy;
    alignas(64) _Atomic uint32_t gen;
    _Atomic uint32_t stop;
    alignas(64) _Atomic uint32_t arrived;
    alignas(64) _Atomic uint32_t done;
    _Atomic uint32_t first_done;
    uint64_t in_steps, out_steps;
    int n;
    struct slot slot[];
};

static size_t shm_size(int n)
{
    size_t sz = sizeof(struct shm) + (size_t)n * sizeof(struct slot);
    return (sz + 4095) & ~(size_t)4095;
}

static struct shm *shm_map(int n, char *err, size_t errlen)
{
    void *p = mmap(NULL, shm_size(n), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "locks: mapping the shared lock and counters");
        return NULL;
    }
    return p;
}

/* ---- per-kind loops, generated from lock_kinds.h: the operations are inlined ---- */

/* A contended loop's first failed acquire or release, published at once rather than at the end
 * of the loop: EOWNERDEAD (a robust mutex whose holder died) must be readable by the main task
 * when it finds the dead worker, while the survivors may still be running their quotas. */
static inline int first_error(struct slot *me, int r, int e)
{
    if (r != 0)
        return r;
    atomic_store_explicit(&me->rc, e, memory_order_relaxed);
    return e;
}

typedef int (*plain_loop_fn)(struct shm *m, uint64_t n);
typedef int (*cont_loop_fn)(struct shm *m, struct slot *me, uint64_t n);

#define TVP_LOCK_KIND(id, name, type, pshared_ok)                                                  \
    static int plain_##id(struct shm *m, uint64_t n)                                               \
    {                                                                                              \
        int r = 0;                                                                                 \
        void *l = m->lock;                                                                         \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            r |= tvp_lock_acquire_##id(l);                                                         \
            m->counter++;                                                                          \
            r |= tvp_lock_release_##id(l);                                                         \
        }                                                                                          \
        return r;                                                                                  \
    }                                                                                              \
    static int cont_##id(struct shm *m, struct slot *me, uint64_t n)                               \
    {                                                                                              \
        int r = 0;                                                                                 \
        void *l = m->lock;                                                                         \
        uint64_t in = m->in_steps, out = m->out_steps, x = me->sink;                               \
        for (uint64_t i = 0; i < n; i++) {                                                         \
            int e = tvp_lock_acquire_##id(l);                                                      \
            if (__builtin_expect(e != 0, 0))                                                       \
                r = first_error(me, r, e);                                                         \
            long c = m->counter;                                                                   \
            x = tvp_lcg_steps(x, in);                                                              \
            __asm__ __volatile__("" ::: "memory"); /* keep the read and the write apart */         \
            m->counter = c + 1;                                                                    \
            e = tvp_lock_release_##id(l);                                                          \
            if (__builtin_expect(e != 0, 0))                                                       \
                r = first_error(me, r, e);                                                         \
            atomic_store_explicit(&me->progress, i + 1, memory_order_relaxed);                     \
            x = tvp_lcg_steps(x, out);                                                             \
        }                                                                                          \
        me->sink = x;                                                                              \
        return r;                                                                                  \
    }
#include "lock_kinds.h"
#undef TVP_LOCK_KIND

static const struct kind {
    const char *name;
    plain_loop_fn plain;
    cont_loop_fn cont;
} kinds[] = {
#define TVP_LOCK_KIND(id, name, type, pshared_ok) {name, plain_##id, cont_##id},
#include "lock_kinds.h"
#undef TVP_LOCK_KIND
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static const struct kind *kind_find(const char *name)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].name, name) == 0)
            return &kinds[i];
    return NULL;
}

/* The C7 negative control: the contended loop (same work inside and outside, same progress
 * reports) with no lock, so that lost updates show this machine can produce them. */
static int cont_nolock(struct shm *m, struct slot *me, uint64_t n)
{
    uint64_t in = m->in_steps, out = m->out_steps, x = me->sink;
    for (uint64_t i = 0; i < n; i++) {
        long c = atomic_load_explicit(&m->racy, memory_order_relaxed);
        x = tvp_lcg_steps(x, in);
        atomic_store_explicit(&m->racy, c + 1, memory_order_relaxed);
        atomic_store_explicit(&me->progress, i + 1, memory_order_relaxed);
        x = tvp_lcg_steps(x, out);
    }
    me->sink = x;
    return 0;
}

static const struct kind nolock_kind = {TVP_LOCKS_NOLOCK_VARIANT, NULL, cont_nolock};

/* ---- common state ---- */

struct lk_state {
    struct shm *m;
    int n;
    const struct tvp_lock_desc *d;
    const struct kind *k;
    int lock_ok;
    int process;
    int control; /* the no-lock control: lost updates are its figure, not a failure */
    int multi;   /* the timed loop must run in a multi-threaded process */
    struct idle idle;
    int started;
    pthread_t th[TVP_MAX_CASE_PUS];
    pid_t pid[TVP_MAX_CASE_PUS];
    struct lk_state *self_for_thread[TVP_MAX_CASE_PUS];
};

static struct lk_state *state_new(const struct tvp_case *c, int n, char *err, size_t errlen)
{
    struct lk_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "locks: state");
        return NULL;
    }
    s->n = n;
    s->process = strcmp(c->model, "process") == 0;
    s->multi = !is_single(c);
    s->control = strcmp(c->variant, TVP_LOCKS_NOLOCK_VARIANT) == 0;
    /* The control still initialises a mutex it never takes, so set-up and teardown are shared. */
    s->d = tvp_lock_find(s->control ? "mutex" : c->variant);
    s->k = s->control ? &nolock_kind : kind_find(c->variant);
    if (!s->d || !s->k) {
        snprintf(err, errlen, "locks: unknown lock kind %s", c->variant);
        free(s);
        return NULL;
    }
    if (!(s->m = shm_map(n, err, errlen))) {
        free(s);
        return NULL;
    }
    s->m->n = n;
    if (s->d->size > sizeof s->m->lock || s->d->align > 64) {
        snprintf(err, errlen, "locks: %s lock object too big", s->d->name);
    } else if (s->d->init(s->m->lock, s->process, err, errlen) == 0) {
        s->lock_ok = 1;
        return s;
    }
    munmap(s->m, shm_size(n));
    free(s);
    return NULL;
}

static void state_free(struct lk_state *s)
{
    char err[256];
    if (s->lock_ok && s->d->destroy(s->m->lock, err, sizeof err) != 0)
        tvp_warn(0, "locks: %s", err);
    if (munmap(s->m, shm_size(s->n)) != 0)
        tvp_warn(errno, "locks: unmapping the shared lock");
    free(s);
}

/* ---- uncontended ---- */

static int unc_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct lk_state *s = state_new(c, 1, err, errlen);
    if (!s)
        return -1;
    if (s->multi && idle_start(&s->idle, err, errlen) != 0) {
        state_free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void lk_free(const struct tvp_case *c, void *state)
{
    (void)c;
    struct lk_state *s = state;
    if (!s)
        return;
    idle_stop(&s->idle);
    state_free(s);
}

static int unc_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen)
{
    struct lk_state *s = state;
    if (check_threads(0, s->multi, c->benchmark, err, errlen) != 0)
        return -1;
    s->m->counter = 0;
    uint64_t t0 = tvp_now_ns();
    int r = s->k->plain(s->m, iters);
    totals[0] += tvp_now_ns() - t0;
    if (r != 0 || s->m->counter != (long)iters) {
        snprintf(err, errlen, "%s: acquire/release returned %d, counter %ld of %llu", s->d->name, r,
                 s->m->counter, (unsigned long long)iters);
        return -1;
    }
    return 0;
}

/* ---- contended ---- */

static void worker_loop(struct shm *m, const struct kind *k, int idx)
{
    struct slot *me = &m->slot[idx];
    uint32_t seen = 0;
    atomic_store_explicit(&me->cpu, sched_getcpu(), memory_order_relaxed);
    atomic_store_explicit(&me->ready, 1, memory_order_release);
    for (;;) {
        uint32_t g;
        while ((g = atomic_load_explicit(&m->gen, memory_order_acquire)) == seen)
            tvp_futex_wait(&m->gen, seen, 0);
        seen = g;
        if (atomic_load_explicit(&m->stop, memory_order_acquire))
            return;
        /* The gate: everyone awake before anyone starts. */
        atomic_fetch_add_explicit(&m->arrived, 1, memory_order_acq_rel);
        while (atomic_load_explicit(&m->arrived, memory_order_acquire) < (uint32_t)m->n)
            sched_yield();
        struct rusage u0, u1;
        int ru = getrusage(RUSAGE_THREAD, &u0);
        int r = k->cont(m, me, me->quota);
        ru |= getrusage(RUSAGE_THREAD, &u1);
        me->csw = ru ? 0 : (uint64_t)((u1.ru_nvcsw - u0.ru_nvcsw) + (u1.ru_nivcsw - u0.ru_nivcsw));
        if (!atomic_exchange_explicit(&m->first_done, 1, memory_order_acq_rel))
            for (int j = 0; j < m->n; j++)
                m->slot[j].snap = atomic_load_explicit(&m->slot[j].progress, memory_order_relaxed);
        atomic_store_explicit(&me->rc, r, memory_order_relaxed);
        atomic_store_explicit(&me->cpu, sched_getcpu(), memory_order_relaxed);
        if (atomic_fetch_add_explicit(&m->done, 1, memory_order_acq_rel) + 1 == (uint32_t)m->n)
            tvp_futex_wake(&m->done, 1, 0);
    }
}

struct thread_arg {
    struct lk_state *s;
    int idx;
};

static void *worker_thread(void *arg)
{
    struct thread_arg *a = arg;
    worker_loop(a->s->m, a->s->k, a->idx);
    free(a);
    return NULL;
}

static void workers_stop(struct lk_state *s)
{
    atomic_store_explicit(&s->m->stop, 1, memory_order_release);
    atomic_fetch_add_explicit(&s->m->gen, 1, memory_order_acq_rel);
    tvp_futex_wake(&s->m->gen, INT_MAX, 0);
    for (int i = 0; i < s->started; i++) {
        if (s->process) {
            int st;
            int e = tvp_wait_child(s->pid[i], &st);
            if (e != 0 || !tvp_child_ok(st))
                tvp_warn(e, "locks: worker process %d ended badly (status 0x%x)", i, st);
        } else {
            pthread_join(s->th[i], NULL);
        }
    }
    s->started = 0;
}

/* After a worker process died: the others may be blocked for good behind it (a lock it held,
 * the start gate it never reached), so they are killed and reaped, and the teardown finds no
 * worker left to stop. */
static void workers_kill(struct lk_state *s)
{
    for (int i = 0; i < s->started; i++) {
        if (kill(s->pid[i], SIGKILL) != 0 && errno != ESRCH)
            tvp_warn(errno, "locks: killing worker process %d (pid %d)", i, (int)s->pid[i]);
        int e = tvp_wait_child(s->pid[i], NULL);
        if (e != 0)
            tvp_warn(e, "locks: reaping worker process %d (pid %d)", i, (int)s->pid[i]);
    }
    s->started = 0;
}

/* 0 while every worker process runs (threads: always, as one cannot die alone); otherwise the
 * first dead one named in err, the others killed, -1. A robust mutex that handed a survivor
 * EOWNERDEAD says the dead one held the lock. */
static int workers_check(void *state, char *err, size_t errlen)
{
    struct lk_state *s = state;
    if (!s->process)
        return 0;
    for (int i = 0; i < s->started; i++) {
        char why[200];
        if (tvp_task_failed(s->pid[i], "worker process", i, why, sizeof why) == 0)
            continue;
        int held = 0;
        for (int j = 0; j < s->n; j++)
            held |= atomic_load_explicit(&s->m->slot[j].rc, memory_order_relaxed) == EOWNERDEAD;
        snprintf(err, errlen, "%s, %d workers: %s%s", s->d->name, s->n, why,
                 held ? "; a worker died holding the lock" : "");
        workers_kill(s);
        return -1;
    }
    return 0;
}

static int cont_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    int n = (int)c->param_value;
    struct lk_state *s = state_new(c, n, err, errlen);
    if (!s)
        return -1;
    s->m->in_steps = tvp_lcg_steps_for_ns((uint64_t)c->arg);
    s->m->out_steps = tvp_lcg_steps_for_ns(OUTSIDE_NS);
    tvp_runner_note("critical section %ld ns = %llu LCG steps, outside %d ns = %llu steps "
                    "(calibrated)",
                    c->arg, (unsigned long long)s->m->in_steps, OUTSIDE_NS,
                    (unsigned long long)s->m->out_steps);
    for (int i = 0; i < n; i++) {
        s->m->slot[i].sink = (uint64_t)i + 1;
        atomic_init(&s->m->slot[i].cpu, -1);
    }
    for (; s->started < n; s->started++) {
        int i = s->started;
        if (s->process) {
            pid_t pid = fork();
            if (pid < 0) {
                tvp_errfmt(err, errlen, errno, "locks: fork");
                break;
            }
            if (pid == 0) {
                if (bind_self(c->pus[i]) != 0)
                    _exit(3);
                int e = tvp_task_name("tvp-lk-w%d", i);
                if (e != 0)
                    tvp_warn(e, "locks: naming worker process %d", i);
                /* Each worker process is a process of its own: it needs its own second thread
                 * (a forked child has one), which the parent's check before each batch sees. */
                char why[200];
                struct idle idle;
                if (idle_start(&idle, why, sizeof why) != 0)
                    tvp_warn(0, "%s", why);
                worker_loop(s->m, s->k, i);
                idle_stop(&idle);
                _exit(0);
            }
            s->pid[i] = pid;
        } else {
            struct thread_arg *a = malloc(sizeof *a);
            int rc = a ? 0 : ENOMEM;
            if (rc == 0) {
                a->s = s;
                a->idx = i;
                rc = tvp_start_bound_thread(&s->th[i], c->pus[i], worker_thread, a);
            }
            if (rc != 0) {
                free(a);
                tvp_errfmt(err, errlen, rc, "locks: starting worker thread %d", i);
                break;
            }
        }
    }
    /* The check before each batch reads the workers' thread counts: wait until each started
     * (a worker process, its idle thread) so that it does not race their start. */
    int ok = s->started == n;
    uint64_t t_start = tvp_now_ns();
    for (int i = 0; ok && i < n; i++)
        while (!atomic_load_explicit(&s->m->slot[i].ready, memory_order_acquire)) {
            if (tvp_now_ns() - t_start > 10000000000ull) {
                snprintf(err, errlen, "locks: worker %d did not start within 10 s", i);
                ok = 0;
                break;
            }
            tvp_sleep_ns(100000);
        }
    if (!ok) {
        workers_stop(s);
        state_free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static void cont_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct lk_state *s = state;
    if (!s)
        return;
    workers_stop(s);
    state_free(s);
}

static int cont_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct lk_state *s = state;
    struct shm *m = s->m;
    int n = s->n;
    if (workers_check(s, err, errlen) != 0)
        return -1;
    /* Threads: the workers run in this process, which has them and this thread. Processes:
     * each worker runs in its own, which must have its idle thread. */
    for (int i = 0; i < (s->process ? n : 1); i++) {
        char what[TVP_NAME_LEN + 40];
        snprintf(what, sizeof what, "%s, worker %s %d", c->benchmark,
                 s->process ? "process" : "threads'", i);
        if (check_threads(s->process ? s->pid[i] : 0, 1, what, err, errlen) != 0)
            return -1;
    }
    m->counter = 0;
    atomic_store_explicit(&m->racy, 0, memory_order_relaxed);
    atomic_store_explicit(&m->arrived, 0, memory_order_relaxed);
    atomic_store_explicit(&m->done, 0, memory_order_relaxed);
    atomic_store_explicit(&m->first_done, 0, memory_order_relaxed);
    for (int i = 0; i < n; i++) {
        m->slot[i].quota = iters / (uint64_t)n + (i == 0 ? iters % (uint64_t)n : 0);
        m->slot[i].snap = 0;
        atomic_store_explicit(&m->slot[i].progress, 0, memory_order_relaxed);
        atomic_store_explicit(&m->slot[i].rc, 0, memory_order_relaxed);
    }
    uint64_t t0 = tvp_now_ns();
    atomic_fetch_add_explicit(&m->gen, 1, memory_order_acq_rel); /* release: the set-up above */
    tvp_futex_wake(&m->gen, INT_MAX, 0);
    /* Watched, so a worker process that died (and will never count itself done) is seen. */
    char what[96];
    snprintf(what, sizeof what, "locks: %s: waiting for the workers", c->benchmark);
    if (tvp_task_watch_count(&m->done, (uint32_t)n, 0, workers_check, s, what, err, errlen) != 0)
        return -1;
    uint64_t t1 = tvp_now_ns();
    totals[0] += t1 - t0;
    double share[TVP_MAX_CASE_PUS];
    int ns = 0, r = 0;
    for (int i = 0; i < n; i++) {
        r |= atomic_load_explicit(&m->slot[i].rc, memory_order_relaxed);
        totals[2] += m->slot[i].csw;
        tvp_runner_note_cpu(atomic_load_explicit(&m->slot[i].cpu, memory_order_relaxed));
        if (m->slot[i].quota > 0)
            share[ns++] = (double)m->slot[i].snap / (double)m->slot[i].quota;
    }
    totals[1] += (uint64_t)llround(1000.0 * tvp_jain_index(share, ns)) * iters;
    if (s->control) {
        long got = atomic_load_explicit(&m->racy, memory_order_relaxed);
        if (got < 0 || got > (long)iters) {
            snprintf(err, errlen, "%s: the unlocked counter ended at %ld after %llu increments",
                     TVP_LOCKS_NOLOCK_VARIANT, got, (unsigned long long)iters);
            return -1;
        }
        /* Lost updates per million increments, so batches of any size compare. */
        totals[3] += ((uint64_t)iters - (uint64_t)got) * 1000000u;
        return 0;
    }
    if (r != 0 || m->counter != (long)iters) {
        snprintf(err, errlen,
                 "%s, %d workers: mutual exclusion check failed: acquire/release returned %d, "
                 "counter %ld after %llu acquisitions",
                 s->d->name, n, r, m->counter, (unsigned long long)iters);
        return -1;
    }
    return 0;
}

/* ---- recursion ---- */

static int rec_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen)
{
    struct lk_state *s = state;
    long depth = c->param_value;
    void *l = s->m->lock;
    int r = 0;
    if (check_threads(0, s->multi, c->benchmark, err, errlen) != 0)
        return -1;
    uint64_t t0 = tvp_now_ns();
    if (strcmp(c->variant, "recursive") == 0) {
        for (uint64_t i = 0; i < iters; i++) {
            for (long j = 0; j < depth; j++)
                r |= tvp_lock_acquire_recursive(l);
            for (long j = 0; j < depth; j++)
                r |= tvp_lock_release_recursive(l);
        }
    } else {
        for (uint64_t i = 0; i < iters; i++) {
            r |= tvp_lock_acquire_mutex(l);
            r |= tvp_lock_release_mutex(l);
        }
    }
    uint64_t el = tvp_now_ns() - t0;
    totals[0] += el / (uint64_t)depth;
    totals[1] += el;
    if (r != 0) {
        snprintf(err, errlen, "%s depth %ld: acquire/release returned %d", c->variant, depth, r);
        return -1;
    }
    return 0;
}

/* ---- self-deadlock and re-entry facts ---- */

struct fact_state {
    struct shm *m; /* lock[0..127]: errorcheck mutex; lock[128..255]: recursive mutex */
    int ec_ok, rec_ok;
};

static void fact_teardown(const struct tvp_case *c, void *state);

static int fact_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    int pshared = strcmp(c->model, "process") == 0;
    const struct tvp_lock_desc *ec = tvp_lock_find("errorcheck"), *rec = tvp_lock_find("recursive");
    struct fact_state *s = calloc(1, sizeof *s);
    if (!s || !ec || !rec || ec->size > 128 || rec->size > 128) {
        free(s);
        snprintf(err, errlen, "self-deadlock: set-up (state or lock kinds)");
        return -1;
    }
    if (!(s->m = shm_map(1, err, errlen))) {
        free(s);
        return -1;
    }
    if (ec->init(s->m->lock, pshared, err, errlen) == 0) {
        s->ec_ok = 1;
        if (rec->init(s->m->lock + 128, pshared, err, errlen) == 0)
            s->rec_ok = 1;
    }
    if (!s->rec_ok) {
        fact_teardown(c, s); /* the runner calls no teardown after a failed set-up */
        return -1;
    }
    *state = s;
    return 0;
}

static void fact_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct fact_state *s = state;
    if (!s)
        return;
    char err[256];
    if (s->ec_ok && tvp_lock_find("errorcheck")->destroy(s->m->lock, err, sizeof err) != 0)
        tvp_warn(0, "%s", err);
    if (s->rec_ok && tvp_lock_find("recursive")->destroy(s->m->lock + 128, err, sizeof err) != 0)
        tvp_warn(0, "%s", err);
    munmap(s->m, shm_size(1));
    free(s);
}

static void *probe_thread(void *arg)
{
    int rc = pthread_mutex_trylock(arg);
    if (rc == 0)
        pthread_mutex_unlock(arg);
    return (void *)(intptr_t)rc;
}

/* Another task's trylock on l: 0 (it got the lock) or the error; -1 when the probe failed. */
static int probe_other(pthread_mutex_t *l, int process)
{
    if (process) {
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0) {
            int rc = pthread_mutex_trylock(l);
            if (rc == 0)
                pthread_mutex_unlock(l);
            _exit(rc == 0 ? 0 : rc == EBUSY ? 1 : 2);
        }
        int st;
        if (tvp_wait_child(pid, &st) != 0 || !WIFEXITED(st))
            return -1;
        return WEXITSTATUS(st) == 0 ? 0 : WEXITSTATUS(st) == 1 ? EBUSY : -1;
    }
    pthread_t t;
    void *ret;
    if (pthread_create(&t, NULL, probe_thread, l) != 0 || pthread_join(t, &ret) != 0)
        return -1;
    return (int)(intptr_t)ret;
}

static int fact_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct fact_state *s = state;
    int process = strcmp(c->model, "process") == 0;
    void *ec = s->m->lock, *rec = s->m->lock + 128;
    for (uint64_t i = 0; i < iters; i++) {
        int a = tvp_lock_acquire_errorcheck(ec);
        int b = a == 0 ? tvp_lock_acquire_errorcheck(ec) : -1;
        int u = a == 0 ? tvp_lock_release_errorcheck(ec) : -1;
        if (a != 0 || b != EDEADLK || u != 0) {
            snprintf(err, errlen,
                     "self-deadlock: errorcheck mutex locked again by its holder returned %d "
                     "(expected EDEADLK %d); first lock %d, unlock %d",
                     b, EDEADLK, a, u);
            return -1;
        }
        totals[0] += 1;
        int r = 0, held = 1;
        for (int j = 0; j < 4; j++)
            r |= tvp_lock_acquire_recursive(rec);
        for (int j = 0; j < 4; j++) {
            if (probe_other(rec, process) != EBUSY)
                held = 0;
            r |= tvp_lock_release_recursive(rec);
        }
        int after = probe_other(rec, process);
        if (r != 0 || !held || after != 0) {
            snprintf(err, errlen,
                     "self-deadlock: recursive mutex 4 deep: acquire/release %d, held against "
                     "another %s until the last release: %s, free after it: %s",
                     r, c->model, held ? "yes" : "no", after == 0 ? "yes" : "no");
            return -1;
        }
        totals[1] += 1;
    }
    return 0;
}

/* ---- planning ---- */

static int is_contended(const char *bench);

static const struct tvp_bench_info locks_benches[] = {
    {"uncontended", "lock+unlock cost of every lock kind, one task, private and process-shared, "
                    "an idle second thread alive"},
    {"uncontended-single-thread", "the same, private, while the process has one thread (glibc's "
                                  "single-thread fast path)"},
    {"contended-*", "acquisitions per second and Jain's fairness with 1 .. 2x PUs threads or "
                    "processes, critical sections of 0, ~100 ns and ~1 us; no lost update; "
                    "no-lock-control: the same loop unlocked, lost updates per million"},
    {"recursion", "recursive mutex cost per nesting level (depth 1..8) vs a plain mutex, an idle "
                  "second thread alive"},
    {"recursion-single-thread", "the same while the process has one thread"},
    {"self-deadlock", "errorcheck re-lock returns EDEADLK; recursive re-lock held until the last "
                      "release (checked facts)"},
    /* Planned by bench/groups/locks/locks_sync.c (C9, C10). */
    {"semaphore-cap", "largest number of simultaneous holders of a bounded semaphore vs its "
                      "permits; throughput, threads and processes"},
    {"over-release", "one release too many is refused (checked fact)"},
    {"event-wake", "set() to waiter running, condvar, futex and eventfd events, 1 and 4 waiters"},
};

static const char *const models[2] = {"thread", "process"};

/* The rest of a case after tvp_case_init, one function per benchmark, shared by the planner
 * and tvp_locks_test_case. */

static void fill_same_pu(struct tvp_case *c)
{
    c->unit[0] = c->unit[1] = "ns";
    c->max_iters = 1u << 21;
}

/* How the case's lock is shared. Process-shared pthread mutexes are robust (a holder that dies
 * is reported, not waited on forever); glibc then keeps each held one on its owner's robust
 * list, a few stores per lock+unlock that the private (thread) kinds do not pay. */
static const char *sharing(const struct tvp_case *c)
{
    if (strcmp(c->model, "process"))
        return "private";
    static const char *const robust[] = {"mutex", "recursive", "errorcheck", "adaptive"};
    for (size_t i = 0; i < sizeof robust / sizeof robust[0]; i++)
        if (!strncmp(c->variant, robust[i], strlen(robust[i])))
            return "process-shared robust";
    return "process-shared";
}

static void fill_uncontended(struct tvp_case *c)
{
    fill_same_pu(c);
    c->n_metrics = 1;
    c->metric[0] = "lock+unlock";
    snprintf(c->note, sizeof c->note, "%s lock; %s", sharing(c),
             is_single(c) ? "the process has one thread (glibc's single-thread fast path)"
                          : "an idle second thread alive (blocked on a futex)");
    c->setup = unc_setup;
    c->run = unc_run;
    c->teardown = lk_free;
}

static void fill_recursion(struct tvp_case *c, long depth)
{
    fill_same_pu(c);
    snprintf(c->param, sizeof c->param, "depth");
    c->param_value = depth;
    c->n_metrics = 2;
    c->metric[0] = "per-level";
    c->metric[1] = "nest";
    snprintf(c->note, sizeof c->note, "%s lock; per-level = nest / depth; %s", sharing(c),
             is_single(c) ? "the process has one thread" : "an idle second thread alive");
    c->setup = unc_setup;
    c->run = rec_run;
    c->teardown = lk_free;
}

static void fill_contended(struct tvp_case *c, int workers, long cs_ns)
{
    int control = !strcmp(c->variant, TVP_LOCKS_NOLOCK_VARIANT);
    snprintf(c->param, sizeof c->param, "workers");
    c->param_value = workers;
    c->n_pus = workers;
    c->n_metrics = control ? 4 : 3;
    c->metric[0] = "per-op";
    c->unit[0] = "ns";
    c->metric[1] = "jain-x1000";
    c->unit[1] = "permille";
    /* The harness's counters follow only tasks started after they open, and the workers start
     * in set-up: they count their own (getrusage). */
    c->metric[2] = "ctx-switches";
    c->unit[2] = "count";
    c->metric[3] = "lost-updates";
    c->unit[3] = "ppm";
    c->arg = cs_ns;
    /* Batches of ~5 ms at most, so a full run's 15 repetitions of 2x PUs workers stay short
     * (min-time stops being reached only then). */
    c->max_iters = cs_ns >= 1000 ? 5000 : cs_ns ? 25000 : 50000;
    /* A spinning waiter that is preempted, or a ticket handed to a waiter that is not running,
     * can cost 100 us per acquisition: keep such batches bounded (a batch that happened to
     * calibrate fast stays under ~0.2 s). */
    if (workers > 1 && (!strcmp(c->variant, "spin") || !strcmp(c->variant, "ticket")))
        c->max_iters = 2000;
    if (control)
        snprintf(c->note, sizeof c->note,
                 "negative control: the same loop with no lock; lost-updates per million "
                 "increments of an unlocked counter (load, work, store)");
    else
        snprintf(c->note, sizeof c->note,
                 "%s lock; per-op: ns/acquisition, all workers; jain-x1000: Jain's index of "
                 "progress/quota at first finish; ctx-switches: workers' per op",
                 sharing(c));
    c->setup = cont_setup;
    c->run = cont_run;
    c->teardown = cont_teardown;
}

static void fill_fact(struct tvp_case *c)
{
    fill_same_pu(c);
    c->n_metrics = 2;
    c->metric[0] = "edeadlk";
    c->metric[1] = "rlock-held";
    c->unit[0] = c->unit[1] = "bool";
    c->max_iters = 64;
    snprintf(c->note, sizeof c->note,
             "1 = held every time: errorcheck re-lock EDEADLK; recursive 4 deep refused "
             "to another %s until the last release",
             c->model);
    c->setup = fact_setup;
    c->run = fact_run;
    c->teardown = fact_teardown;
}

/* Which contended points are planned. The empty section gets the whole sweep; the longer
 * sections (and a quick run) only its ends, 1, 2, PUs and 2x PUs (the counts the judges read),
 * so a big machine's plan grows by one point per doubling of the PUs, not by six. */
static int contended_planned(const struct tvp_plan_ctx *ctx, int process, long cs_ns, int workers)
{
    int quick = ctx->opt->quick, max_w = tvp_plan_sweep_max(ctx->topo);
    if ((quick || cs_ns != 0) && !tvp_plan_sweep_is_end(ctx->topo, workers))
        return 0;
    if (quick && cs_ns == 100)
        return 0;
    /* Quick: processes only oversubscribed with an empty section; a 1 us section with one
     * worker is only the work itself. */
    if (quick && process && (cs_ns != 0 || workers != max_w))
        return 0;
    if (quick && cs_ns != 0 && workers == 1)
        return 0;
    return 1;
}

static int locks_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    int quick = ctx->opt->quick;
    int same_pu = tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU);
    int spread = tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD);
    const struct tvp_placement *pl_same = &ctx->placements[TVP_PL_SAME_PU],
                               *pl_spread = &ctx->placements[TVP_PL_SPREAD];
    int workers[64], n_workers = tvp_plan_worker_sweep(ctx->topo, workers, 64);

    struct tvp_case c;
    for (size_t d = 0; d < tvp_lock_descs_len; d++) {
        const struct tvp_lock_desc *ld = &tvp_lock_descs[d];
        if (ld->unavailable) {
            tvp_plan_skip(p, "lock kind %s: %s", ld->name, ld->unavailable);
            continue;
        }
        if (!kind_find(ld->name)) {
            tvp_plan_skip(p, "lock kind %s: no timed loop in this build", ld->name);
            continue;
        }
        for (int mo = 0; mo < 2; mo++) {
            if (mo == 1 && !ld->pshared_ok) {
                tvp_plan_skip(p, "lock kind %s: not process-shared", ld->name);
                continue;
            }
            if (same_pu) {
                tvp_case_init(&c, &tvp_group_locks, "uncontended", ld->name, models[mo], pl_same);
                fill_uncontended(&c);
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
                /* The fast path is glibc's for private locks only: a process-shared one takes
                 * the locked instruction whatever the thread count, so only threads get it. */
                if (mo == 0) {
                    tvp_case_init(&c, &tvp_group_locks, "uncontended" TVP_LOCKS_SINGLE_SUFFIX,
                                  ld->name, models[mo], pl_same);
                    fill_uncontended(&c);
                    if (tvp_plan_add(p, &c))
                        return ENOMEM;
                }
            }
            if (!spread)
                continue;
            for (size_t s = 0; s < N_CS; s++)
                for (int w = 0; w < n_workers; w++) {
                    if (!contended_planned(ctx, mo, cs_len[s].ns, workers[w]))
                        continue;
                    tvp_case_init(&c, &tvp_group_locks, cs_len[s].bench, ld->name, models[mo],
                                  pl_spread);
                    if (tvp_plan_spread(ctx->topo, workers[w], c.pus) != 0)
                        return EINVAL;
                    fill_contended(&c, workers[w], cs_len[s].ns);
                    if (tvp_plan_add(p, &c))
                        return ENOMEM;
                }
        }
    }
    /* The negative control at every contended point where an update can be lost (two workers
     * or more), in the same run as the locks it stands beside. */
    for (int mo = 0; mo < 2 && spread; mo++)
        for (size_t s = 0; s < N_CS; s++)
            for (int w = 0; w < n_workers; w++) {
                if (workers[w] < 2 || !contended_planned(ctx, mo, cs_len[s].ns, workers[w]))
                    continue;
                tvp_case_init(&c, &tvp_group_locks, cs_len[s].bench, TVP_LOCKS_NOLOCK_VARIANT,
                              models[mo], pl_spread);
                if (tvp_plan_spread(ctx->topo, workers[w], c.pus) != 0)
                    return EINVAL;
                fill_contended(&c, workers[w], cs_len[s].ns);
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    if (same_pu) {
        static const long depths[] = {1, 2, 4, 8};
        /* Processes (quick: none) with the idle thread; threads with it and, as the labelled
         * variant, without it. */
        for (int v = 0; v < 3; v++) {
            int mo = v == 1, single = v == 2;
            if (quick && mo == 1)
                continue;
            for (size_t i = 0; i < 5; i++) {
                int plain = i == 4;
                tvp_case_init(&c, &tvp_group_locks,
                              single ? "recursion" TVP_LOCKS_SINGLE_SUFFIX : "recursion",
                              plain ? "mutex" : "recursive", models[mo], pl_same);
                fill_recursion(&c, plain ? 1 : depths[i]);
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
        }
        for (int mo = 0; mo < 2; mo++) {
            tvp_case_init(&c, &tvp_group_locks, "self-deadlock", "errorcheck", models[mo], pl_same);
            fill_fact(&c);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    }
    return tvp_locks_sync_plan(p, ctx, &tvp_group_locks);
}

int tvp_locks_test_case(struct tvp_case *c, const char *benchmark, const char *variant,
                        const char *model, long long param, const int *pus, int n_pus)
{
    struct tvp_placement pl = {.kind = TVP_PL_SAME_PU,
                               .available = 1,
                               .pu_a = pus[0],
                               .pu_b = n_pus > 1 ? pus[1] : pus[0]};
    if (n_pus > 1 && pus[1] != pus[0])
        pl.kind = strncmp(benchmark, "event-wake", 10) ? TVP_PL_SPREAD : TVP_PL_SAME_CACHE;
    tvp_case_init(c, &tvp_group_locks, benchmark, variant, model, &pl);
    size_t k = strlen(TVP_LOCKS_SINGLE_SUFFIX), n = strlen(benchmark);
    char base[TVP_NAME_LEN];
    snprintf(base, sizeof base, "%.*s", (int)(n > k && is_single(c) ? n - k : n), benchmark);
    if (!strcmp(base, "uncontended")) {
        fill_uncontended(c);
    } else if (!strcmp(base, "recursion")) {
        fill_recursion(c, (long)param);
    } else if (!strcmp(base, "self-deadlock")) {
        fill_fact(c);
    } else if (is_contended(base)) {
        size_t s = 0;
        while (s < N_CS && strcmp(cs_len[s].bench, base))
            s++;
        if (s == N_CS || param < 1 || param > n_pus)
            return -1;
        for (int i = 0; i < param; i++)
            c->pus[i] = pus[i];
        fill_contended(c, (int)param, cs_len[s].ns);
    } else {
        return tvp_locks_sync_test_case(c, param, pus, n_pus);
    }
    return 0;
}

/* ---- reading figures back ---- */

static int is_contended(const char *bench)
{
    return strncmp(bench, "contended-", 10) == 0;
}

/* The ok locks figure of bench/variant/model with that parameter value (any when param < 0). */
static const struct tvp_fig *lk_fig(const struct tvp_resultset *rs, const char *bench,
                                    const char *variant, const char *model, long long param,
                                    const char *metric)
{
    return tvp_rs_pick(rs, "locks", bench, variant, model, NULL, param, metric);
}

/* ---- charts ---- */

/* One block per model x critical section with figures: workers, then per kind median/low/high
 * of ops/s (fair = 0) or of Jain's index (fair = 1). The first two lines name the blocks and the
 * kinds, so the chart titles panels and lines from the data. */
static int write_contended(const struct tvp_resultset *rs, const char *dir, int fair)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, fair ? "locks-fairness" : "locks-contended")) != 0)
        return rc;
    long long w[2][N_CS][64];
    int nw[2][N_CS];
    fputs("# titles:", a.f);
    for (int mo = 0; mo < 2; mo++)
        for (size_t s = 0; s < N_CS; s++) {
            nw[mo][s] = tvp_rs_param_values(rs, "locks", cs_len[s].bench, NULL, models[mo], NULL, 1,
                                            w[mo][s], 64);
            if (nw[mo][s])
                fprintf(a.f, " %s,_critical_section_%s", mo ? "processes" : "threads",
                        cs_len[s].bench + 10);
        }
    fputs("\n# kinds:", a.f);
    for (size_t k = 0; k < N_KINDS; k++)
        fprintf(a.f, " %s", kinds[k].name);
    fprintf(a.f,
            "\n# %s (median, 95%% CI low, high) against workers, one block per model and "
            "critical section, one column triple per kind\n",
            fair ? "Jain's fairness index" : "acquisitions per second");
    int blocks = 0;
    for (int mo = 0; mo < 2; mo++)
        for (size_t s = 0; s < N_CS; s++) {
            if (!nw[mo][s])
                continue;
            if (blocks++)
                fputs("\n\n", a.f);
            for (int i = 0; i < nw[mo][s]; i++) {
                fprintf(a.f, "%lld", w[mo][s][i]);
                for (size_t k = 0; k < N_KINDS; k++) {
                    const struct tvp_fig *f = lk_fig(rs, cs_len[s].bench, kinds[k].name, models[mo],
                                                     w[mo][s][i], fair ? "jain-x1000" : "per-op");
                    if (fair)
                        tvp_dat_fig(a.f, f, 1e3);
                    else
                        tvp_dat_rate(a.f, f);
                }
                fputc('\n', a.f);
            }
        }
    return tvp_afile_commit(&a);
}

static int locks_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "locks-uncontended")) != 0)
        return rc;
    fprintf(a.f, "# ns per lock+unlock, one task (median, 95%% CI low, high): kind, private "
                 "lock (thread), process-shared lock (process), both with an idle second thread "
                 "alive; private lock with the process single-threaded\n");
    for (size_t k = 0; k < N_KINDS; k++) {
        const struct tvp_fig *t = lk_fig(rs, "uncontended", kinds[k].name, "thread", -1,
                                         "lock+unlock"),
                             *p = lk_fig(rs, "uncontended", kinds[k].name, "process", -1,
                                         "lock+unlock"),
                             *t1 = lk_fig(rs, "uncontended" TVP_LOCKS_SINGLE_SUFFIX, kinds[k].name,
                                          "thread", -1, "lock+unlock");
        if (!t && !p && !t1)
            continue;
        fprintf(a.f, "\"%s\"", kinds[k].name);
        tvp_dat_fig(a.f, t, 1);
        tvp_dat_fig(a.f, p, 1);
        tvp_dat_fig(a.f, t1, 1);
        fputc('\n', a.f);
    }
    if ((rc = tvp_afile_commit(&a)) != 0)
        return rc;

    if ((rc = tvp_chart_open(&a, dir, "locks-recursion")) != 0)
        return rc;
    fprintf(a.f, "# ns per nesting level (median, 95%% CI low, high) against depth: recursive "
                 "private, recursive process-shared, plain mutex taken once private, "
                 "process-shared (the same figure on every row, as a reference), all with an "
                 "idle second thread alive; then recursive private and plain private with the "
                 "process single-threaded\n");
    const char *single = "recursion" TVP_LOCKS_SINGLE_SUFFIX;
    const struct tvp_fig *pm[3] = {lk_fig(rs, "recursion", "mutex", "thread", 1, "per-level"),
                                   lk_fig(rs, "recursion", "mutex", "process", 1, "per-level"),
                                   lk_fig(rs, single, "mutex", "thread", 1, "per-level")};
    static const long long depths[] = {1, 2, 4, 8};
    for (size_t i = 0; i < 4; i++) {
        const struct tvp_fig *r[3] = {
            lk_fig(rs, "recursion", "recursive", "thread", depths[i], "per-level"),
            lk_fig(rs, "recursion", "recursive", "process", depths[i], "per-level"),
            lk_fig(rs, single, "recursive", "thread", depths[i], "per-level")};
        if (!r[0] && !r[1] && !r[2])
            continue;
        fprintf(a.f, "%lld", depths[i]);
        tvp_dat_fig(a.f, r[0], 1);
        tvp_dat_fig(a.f, r[1], 1);
        tvp_dat_fig(a.f, pm[0], 1);
        tvp_dat_fig(a.f, pm[1], 1);
        tvp_dat_fig(a.f, r[2], 1);
        tvp_dat_fig(a.f, pm[2], 1);
        fputc('\n', a.f);
    }
    if ((rc = tvp_afile_commit(&a)) != 0)
        return rc;
    if ((rc = write_contended(rs, dir, 0)) != 0 || (rc = write_contended(rs, dir, 1)) != 0)
        return rc;
    return tvp_locks_sync_chart_data(rs, dir);
}

/* ---- verdicts ---- */

static void fmt_ratio(char *buf, size_t len, const struct tvp_ratio *r, int have)
{
    if (have)
        snprintf(buf, len, "%.3g× [%.3g, %.3g]", r->ratio, r->lo, r->hi);
    else
        snprintf(buf, len, "n/a");
}

/* The no-lock control of C7: figures found, how many lost an update in some batch, and their
 * lost updates per million (median of each figure's batches) appended to list. */
static void nolock_control(const struct tvp_resultset *rs, int *n, int *lost, char *list,
                           size_t len)
{
    *n = *lost = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || !is_contended(f->benchmark) ||
            strcmp(f->variant, TVP_LOCKS_NOLOCK_VARIANT) || strcmp(f->metric, "lost-updates") ||
            strcmp(f->status, "ok") || f->n == 0)
            continue;
        (*n)++;
        *lost += f->max > 0;
        tvp_appendf(list, len, "%s%s %s %lld: %.3g ppm (max %.3g)", *n > 1 ? ", " : "",
                    f->benchmark + 10, f->model, f->param_value, f->median, f->max);
    }
}

static void judge_c7(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(
        v->rule, sizeof v->rule,
        "checked fact: every batch of every contended case (each kind, threads and processes, 1 .. "
        "2x PUs workers, each critical section) and uncontended case increments a shared "
        "counter non-atomically inside the lock; the figure fails unless it ends at the "
        "number of acquisitions. Only figures with 2 workers or more are counted as checked (one "
        "task cannot lose an update). Negative control in the same run: the same contended loop "
        "with no lock (variant %s) must lose updates, else the check is not shown able to fail. "
        "Confirmed when every checked figure passed and the control lost updates; refuted when "
        "any figure failed; nuanced when none failed but the control lost nothing or did not run, "
        "or some case timed out or crashed (unchecked). Costs (uncontended ns with an idle second "
        "thread alive, and with the process single-threaded; mutex ns per acquisition 2 vs 1 "
        "threads, ratio with 95%% bootstrap CI) are reported, not judged",
        TVP_LOCKS_NOLOCK_VARIANT);
    int ok = 0, failed = 0, other = 0, kinds_ok = 0;
    char failed_list[400] = "", other_list[300] = "";
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") ||
            (strncmp(f->benchmark, "uncontended", 11) && !is_contended(f->benchmark)) ||
            (strcmp(f->metric, "per-op") && strcmp(f->metric, "lock+unlock")) ||
            !strcmp(f->variant, TVP_LOCKS_NOLOCK_VARIANT))
            continue;
        if (!strcmp(f->status, "ok")) {
            ok += is_contended(f->benchmark) && f->param_value > 1;
        } else if (!strcmp(f->status, "failed")) {
            failed++;
            tvp_appendf(failed_list, sizeof failed_list, "%s%s %s %s %s=%lld",
                        failed > 1 ? ", " : "", f->benchmark, f->variant, f->model, f->param,
                        f->param_value);
        } else {
            other++;
            tvp_appendf(other_list, sizeof other_list, "%s%s %s %s (%s)", other > 1 ? ", " : "",
                        f->benchmark, f->variant, f->model, f->status);
        }
    }
    for (size_t k = 0; k < N_KINDS; k++)
        kinds_ok += lk_fig(rs, "contended-0ns", kinds[k].name, "thread", -1, "per-op") != NULL;
    int n_ctl, lost_ctl;
    char ctl_list[600] = "";
    nolock_control(rs, &n_ctl, &lost_ctl, ctl_list, sizeof ctl_list);
    v->figures[0] = 0;
    tvp_appendf(v->figures, sizeof v->figures,
                "mutual-exclusion checks passed: %d figures with 2 workers or more, failed: %d, "
                "unchecked (timeout/crash): %d",
                ok, failed, other);
    if (failed)
        tvp_appendf(v->figures, sizeof v->figures, " (failed: %s)", failed_list);
    if (other)
        tvp_appendf(v->figures, sizeof v->figures, " (unchecked: %s)", other_list);
    if (n_ctl)
        tvp_appendf(v->figures, sizeof v->figures,
                    "; no-lock control, lost updates per million increments (median of the "
                    "batches): %s",
                    ctl_list);
    else
        tvp_appendf(v->figures, sizeof v->figures, "; no-lock control: not in this run");
    for (int single = 0; single < 2; single++) {
        tvp_appendf(v->figures, sizeof v->figures, "; uncontended lock+unlock, one task, %s:",
                    single ? "the process single-threaded (glibc's fast path)"
                           : "an idle second thread alive");
        int first = 1;
        for (size_t k = 0; k < N_KINDS; k++) {
            const struct tvp_fig *f =
                lk_fig(rs, single ? "uncontended" TVP_LOCKS_SINGLE_SUFFIX : "uncontended",
                       kinds[k].name, "thread", -1, "lock+unlock");
            if (f) {
                char b[32];
                tvp_fmt_ns(b, sizeof b, f->median);
                tvp_appendf(v->figures, sizeof v->figures, "%s %s %s", first ? "" : ",",
                            kinds[k].name, b);
                first = 0;
            }
        }
        if (first)
            tvp_appendf(v->figures, sizeof v->figures, " n/a");
    }
    const struct tvp_fig *m1 = lk_fig(rs, "contended-0ns", "mutex", "thread", 1, "per-op");
    const struct tvp_fig *m2 = lk_fig(rs, "contended-0ns", "mutex", "thread", 2, "per-op");
    if (m1 && m2) {
        struct tvp_ratio r;
        char rb[64];
        fmt_ratio(rb, sizeof rb, &r, tvp_ratio_shown(m2, m1, &r) == 0);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; mutex, empty critical section + %d ns outside: 1 thread %.3g M "
                    "acquisitions/s, 2 threads %.3g M/s (ns per acquisition 2 vs 1: %s)",
                    OUTSIDE_NS, 1e3 / m1->median, 1e3 / m2->median, rb);
        const struct tvp_fig *cs2 =
            lk_fig(rs, "contended-0ns", "mutex", "thread", 2, "ctx-switches");
        double cs = cs2 ? cs2->median : 0;
        if (cs2)
            tvp_appendf(v->figures, sizeof v->figures,
                        ", %.3g context switches per acquisition "
                        "at 2",
                        cs);
        const struct tvp_fig *j = lk_fig(rs, "contended-0ns", "mutex", "thread", 2, "jain-x1000");
        if (j)
            tvp_appendf(v->figures, sizeof v->figures, ", Jain's index at 2: %.3f",
                        j->median / 1e3);
    }
    if (failed) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "a lost update: the mutual-exclusion check failed for %d figure%s (%s)", failed,
                 failed > 1 ? "s" : "", failed_list);
    } else if (ok == 0 || kinds_ok == 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no contended lock figure with 2 workers or more passed its check in this run");
    } else if (n_ctl == 0 || lost_ctl == 0) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "no lost update in %d checked figures, but %s, so this machine could not show "
                 "that the check can catch a loss",
                 ok,
                 n_ctl ? "the same loop with no lock lost none either"
                       : "the no-lock control did not run");
    } else if (other) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "no lost update in %d checked figures, but %d case%s ended unchecked (%s)", ok,
                 other, other > 1 ? "s" : "", other_list);
    } else {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "every lock kind serialised its critical section: no lost update in %d checked "
                 "figures with 2 workers or more (threads and processes, up to "
                 "oversubscription), while the same loop with no lock lost updates in %d of %d "
                 "control figures",
                 ok, lost_ctl, n_ctl);
    }
}

/* Recursive per-level cost over the plain lock+unlock at depths 1 and 8, threads, from the
 * recursion benchmark bench ("recursion" or its single-thread variant): returns whether the
 * depth-8 ratio exists; the text goes to out. */
static int recursion_ratios(const struct tvp_resultset *rs, const char *bench, char *out,
                            size_t len, struct tvp_ratio *r1_out, int *have1_out,
                            struct tvp_ratio *r8_out)
{
    const struct tvp_fig *plain = lk_fig(rs, bench, "mutex", "thread", 1, "per-level");
    const struct tvp_fig *r1 = lk_fig(rs, bench, "recursive", "thread", 1, "per-level");
    const struct tvp_fig *r8 = lk_fig(rs, bench, "recursive", "thread", 8, "per-level");
    struct tvp_ratio ra, rb;
    int have1 = r1 && plain && tvp_ratio_shown(r1, plain, &ra) == 0;
    int have8 = r8 && plain && tvp_ratio_shown(r8, plain, &rb) == 0;
    out[0] = 0;
    if (plain) {
        char a[32], b[32], c[32], x[64], y[64];
        tvp_fmt_ns(a, sizeof a, plain->median);
        tvp_fmt_ns(b, sizeof b, r1 ? r1->median : NAN);
        tvp_fmt_ns(c, sizeof c, r8 ? r8->median : NAN);
        fmt_ratio(x, sizeof x, &ra, have1);
        fmt_ratio(y, sizeof y, &rb, have8);
        snprintf(out, len,
                 "plain mutex lock+unlock %s; recursive mutex per nesting level at depth 1 %s "
                 "(%s the plain), at depth 8 %s (%s)",
                 a, b, x, c, y);
    }
    if (r1_out && have1)
        *r1_out = ra;
    if (have1_out)
        *have1_out = have1;
    if (r8_out && have8)
        *r8_out = rb;
    return have8;
}

static void judge_c8(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "checked facts, every operation: an error-checking mutex re-locked by its holder "
             "returns EDEADLK (where a plain mutex would deadlock), and a recursive mutex taken 4 "
             "deep is refused to another thread or process (trylock EBUSY) until the 4th "
             "release. Confirmed when both held and the recursion figures exist; refuted when a "
             "fact failed. Cost per nesting level over a plain mutex lock+unlock taken once "
             "(ratio of medians, 95%% bootstrap CI) is reported from the figures taken with an "
             "idle second thread alive (as in any threaded program); the same with the process "
             "single-threaded, where glibc skips the plain mutex's locked instruction, is shown "
             "beside it, not used");
    int failed = 0, held = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "locks") || strcmp(f->benchmark, "self-deadlock"))
            continue;
        if (!strcmp(f->status, "failed"))
            failed++;
        else if (!strcmp(f->status, "ok") && f->median == 1.0)
            held++;
    }
    const struct tvp_fig *r1 = lk_fig(rs, "recursion", "recursive", "thread", 1, "per-level");
    v->figures[0] = 0;
    tvp_appendf(v->figures, sizeof v->figures,
                "self-deadlock facts held: %d figures, failed: %d (EDEADLK on errorcheck re-lock; "
                "recursive re-lock held against another task until the last release)",
                held, failed);
    struct tvp_ratio ra = {0}, rb = {0};
    int have1 = 0;
    char text[400];
    int have8 = recursion_ratios(rs, "recursion", text, sizeof text, &ra, &have1, &rb);
    if (text[0])
        tvp_appendf(v->figures, sizeof v->figures,
                    "; threads, same PU, an idle second thread alive: %s", text);
    recursion_ratios(rs, "recursion" TVP_LOCKS_SINGLE_SUFFIX, text, sizeof text, NULL, NULL, NULL);
    if (text[0])
        tvp_appendf(v->figures, sizeof v->figures,
                    "; the same with the process single-threaded (glibc's fast path, not used "
                    "for the verdict): %s",
                    text);
    if (failed) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "a self-deadlock fact failed its check (%d figure%s)", failed,
                 failed > 1 ? "s" : "");
    } else if (held < 2 || !r1) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "the self-deadlock facts or the recursion figures are missing from this run");
    } else {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "the holder re-took the recursive mutex (held against others until the last "
                 "release) while the error-checking mutex refused its holder with EDEADLK");
        if (have1 || have8) {
            tvp_appendf(v->summary, sizeof v->summary,
                        "; with the process multi-threaded, a nesting level costs");
            if (have1)
                tvp_appendf(v->summary, sizeof v->summary,
                            " %.3g× [%.3g, %.3g] a plain lock+unlock at depth 1", ra.ratio, ra.lo,
                            ra.hi);
            if (have8)
                tvp_appendf(v->summary, sizeof v->summary, "%s %.3g× [%.3g, %.3g] at depth 8",
                            have1 ? " and" : "", rb.ratio, rb.lo, rb.hi);
        }
    }
}

static const struct tvp_claim_judge locks_judges[] = {
    {"C7", judge_c7}, {"C8", judge_c8}, {"C9", tvp_judge_c9}, {"C10", tvp_judge_c10}};

const struct tvp_group tvp_group_locks = {
    .name = "locks",
    .description = "lock kinds: uncontended cost, contended throughput and fairness, recursion, "
                   "semaphores and events (claims C7-C10)",
    .benches = locks_benches,
    .n_benches = sizeof locks_benches / sizeof locks_benches[0],
    .plan = locks_plan,
    .chart_data = locks_chart_data,
    .judges = locks_judges,
    .n_judges = sizeof locks_judges / sizeof locks_judges[0],
};
