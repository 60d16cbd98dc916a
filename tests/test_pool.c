/* Tests of primitives/thread_pool.c and primitives/process_pool.c (tvp_pool.h).
 *
 * The same checks run on both pools through a small table of their functions: every task ran
 * exactly once (a per-task run counter in a MAP_SHARED mapping, incremented atomically by the
 * task itself, so forked workers count too), every result came back exactly once with the
 * right value and the task id apply_async returned, the number of callbacks matches, Python's
 * refusals (join before close, apply_async after close), and nothing is left behind: the
 * number of open descriptors is back to what it was before create, and no child process is
 * left unreaped. The process pool is also crashed: tasks that _exit(9) or raise SIGKILL in
 * their worker must be reported TVP_TASK_LOST, exactly those, while the rest complete and join
 * returns.
 *
 * Under ThreadSanitizer the process pool is tested too: its workers are forked by the pool's
 * handler thread while other threads run, which TSan supports as long as the child starts no
 * thread of its own (a worker never does). TSan checks the parent's side (handler, callbacks,
 * submitters); each worker is a separate process with its own TSan runtime. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTASKS   2000
#define MAXTASKS 10000 /* the feed test: more task records than a pipe holds */

/* ---- the task and its bookkeeping ----------------------------------------------------------- */

/* Run counters, one per task argument, in memory shared with forked workers. */
static _Atomic uint32_t *runs;

/* Which tasks crash their worker, and how. Set before a pool is created, so forked workers
 * see the same values (they are copies of this process). */
enum crash_mode { CRASH_EXIT, CRASH_SIGKILL, CRASH_LATE_EXIT };
static uint64_t crash_every; /* 0: only arg == crash_at; else every arg % crash_every == crash_at */
static uint64_t crash_at = UINT64_MAX;
static enum crash_mode crash_how;

static int crashes(uint64_t a)
{
    return crash_every != 0 ? a % crash_every == crash_at : a == crash_at;
}

static void no_crashes(void)
{
    crash_every = 0;
    crash_at = UINT64_MAX;
}

static uint64_t expected(uint64_t a)
{
    return a * 0x9E3779B97F4A7C15ull + 12345u;
}

static uint64_t task(uint64_t a)
{
    /* Relaxed: the counts are read after join, which orders them (pthread_join of the worker
     * thread; for a process, the pool reaped the worker before join returned). */
    atomic_fetch_add_explicit(&runs[a], 1, memory_order_relaxed);
    if (crashes(a)) {
        switch (crash_how) {
        case CRASH_EXIT:
            _exit(9);
        case CRASH_SIGKILL:
            raise(SIGKILL);
            _exit(9); /* not reached */
        case CRASH_LATE_EXIT:
            sleep_ms(50); /* long enough for the test to have closed the pool */
            _exit(9);
        }
    }
    return expected(a);
}

static uint64_t cpu_task(uint64_t a)
{
    (void)a;
    return (uint64_t)sched_getcpu();
}

/* What the callbacks saw, per task argument. Callbacks may run concurrently (thread pool). */
struct outcome {
    _Atomic uint32_t ok, lost, other;
    _Atomic uint64_t value, id;
};
static struct outcome outs[MAXTASKS];
static _Atomic uint32_t callbacks;
static _Atomic int cb_threads_bad; /* a callback ran in the main thread */
static pthread_t main_thread;
static _Atomic uintptr_t first_cb_thread; /* process pool: all callbacks in one thread */
static _Atomic int cb_thread_changed;

static void on_result(void *ctx, uint64_t id, uint64_t result, int status)
{
    struct outcome *o = ctx;
    /* Relaxed everywhere: read by the main thread after join, which orders them. */
    atomic_store_explicit(&o->value, result, memory_order_relaxed);
    atomic_store_explicit(&o->id, id, memory_order_relaxed);
    if (status == 0)
        atomic_fetch_add_explicit(&o->ok, 1, memory_order_relaxed);
    else if (status == TVP_TASK_LOST)
        atomic_fetch_add_explicit(&o->lost, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&o->other, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&callbacks, 1, memory_order_relaxed);
    pthread_t self = pthread_self();
    if (pthread_equal(self, main_thread))
        atomic_store_explicit(&cb_threads_bad, 1, memory_order_relaxed);
    uintptr_t me = (uintptr_t)self, none = 0;
    if (!atomic_compare_exchange_strong_explicit(&first_cb_thread, &none, me, memory_order_relaxed,
                                                 memory_order_relaxed) &&
        none != me)
        atomic_store_explicit(&cb_thread_changed, 1, memory_order_relaxed);
}

static void reset_books(void)
{
    for (int i = 0; i < MAXTASKS; i++) {
        atomic_store_explicit(&runs[i], 0, memory_order_relaxed);
        atomic_store_explicit(&outs[i].ok, 0, memory_order_relaxed);
        atomic_store_explicit(&outs[i].lost, 0, memory_order_relaxed);
        atomic_store_explicit(&outs[i].other, 0, memory_order_relaxed);
        atomic_store_explicit(&outs[i].value, 0, memory_order_relaxed);
        atomic_store_explicit(&outs[i].id, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&callbacks, 0, memory_order_relaxed);
    atomic_store_explicit(&cb_threads_bad, 0, memory_order_relaxed);
    atomic_store_explicit(&first_cb_thread, 0, memory_order_relaxed);
    atomic_store_explicit(&cb_thread_changed, 0, memory_order_relaxed);
}

/* ---- both pools behind one table ------------------------------------------------------------ */

struct kind {
    const char *name;
    int process;
    int (*create)(void **out, int workers, const int *cpus, char *err, size_t errlen);
    int (*apply)(void *p, tvp_task_fn fn, uint64_t arg, tvp_result_fn cb, void *ctx, uint64_t *id,
                 char *err, size_t errlen);
    void (*close)(void *p);
    int (*join)(void *p, char *err, size_t errlen);
    void (*destroy)(void *p);
};

static int tp_create(void **out, int n, const int *cpus, char *err, size_t len)
{
    struct tvp_thread_pool *p = NULL;
    int e = tvp_thread_pool_create(&p, n, cpus, err, len);
    *out = p;
    return e;
}
static int tp_apply(void *p, tvp_task_fn fn, uint64_t a, tvp_result_fn cb, void *ctx, uint64_t *id,
                    char *err, size_t len)
{
    return tvp_thread_pool_apply_async(p, fn, a, cb, ctx, id, err, len);
}
static void tp_close(void *p)
{
    tvp_thread_pool_close(p);
}
static int tp_join(void *p, char *err, size_t len)
{
    return tvp_thread_pool_join(p, err, len);
}
static void tp_destroy(void *p)
{
    tvp_thread_pool_destroy(p);
}

static int pp_create(void **out, int n, const int *cpus, char *err, size_t len)
{
    struct tvp_process_pool *p = NULL;
    int e = tvp_process_pool_create(&p, n, cpus, err, len);
    *out = p;
    return e;
}
static int pp_apply(void *p, tvp_task_fn fn, uint64_t a, tvp_result_fn cb, void *ctx, uint64_t *id,
                    char *err, size_t len)
{
    return tvp_process_pool_apply_async(p, fn, a, cb, ctx, id, err, len);
}
static void pp_close(void *p)
{
    tvp_process_pool_close(p);
}
static int pp_join(void *p, char *err, size_t len)
{
    return tvp_process_pool_join(p, err, len);
}
static void pp_destroy(void *p)
{
    tvp_process_pool_destroy(p);
}

static const struct kind thread_kind = {"thread pool", 0,       tp_create, tp_apply,
                                        tp_close,      tp_join, tp_destroy};
static const struct kind process_kind = {"process pool", 1,       pp_create, pp_apply,
                                         pp_close,       pp_join, pp_destroy};

/* ---- one batch: submit, refusals, close, join, check ------------------------------------------
 */

/* Runs ntasks tasks (args 0..ntasks-1) on a fresh pool and checks everything; lost tasks are
 * expected exactly where crashes() says (process pool). close_early: close right after the
 * submissions, before checking "join before close" (the late-crash case wants it closed at
 * once). */
static void run_batch(const struct kind *k, int workers, int ntasks, int close_early)
{
    char err[256] = "";
    uint64_t ids[MAXTASKS];
    reset_books();
    int fds_before = count_fds();
    void *pool = NULL;
    int e = k->create(&pool, workers, NULL, err, sizeof err);
    CHECK_MSG(e == 0, "%s(%d): create: %s", k->name, workers, err);
    if (e != 0)
        return;

    int submit_failed = 0;
    for (int i = 0; i < ntasks; i++) {
        ids[i] = 0;
        if (k->apply(pool, task, (uint64_t)i, on_result, &outs[i], &ids[i], err, sizeof err) != 0)
            submit_failed++;
    }
    CHECK_MSG(submit_failed == 0, "%s(%d): %d submissions failed: %s", k->name, workers,
              submit_failed, err);
    if (close_early)
        k->close(pool);
    else {
        err[0] = '\0';
        CHECK_INT(k->join(pool, err, sizeof err), EINVAL);
        CHECK_STR(err, "join before close: close the pool first");
        k->close(pool);
        k->close(pool); /* idempotent */
    }
    err[0] = '\0';
    CHECK_INT(k->apply(pool, task, 0, on_result, &outs[0], NULL, err, sizeof err), EINVAL);
    CHECK_STR(err, "pool is closed");

    e = k->join(pool, err, sizeof err);
    CHECK_MSG(e == 0, "%s(%d): join: %s", k->name, workers, err);
    CHECK_INT(k->join(pool, err, sizeof err), 0); /* again: returns at once */
    if (k->process) {
        CHECK_MSG(no_children(), "%s(%d): a worker is left unreaped after join", k->name, workers);
        /* A lost task comes with how its worker ended; without a loss there is nothing to say. */
        int any_crash = 0;
        for (int i = 0; i < ntasks; i++)
            any_crash |= crashes((uint64_t)i);
        char death[160];
        int said = tvp_process_pool_last_death(pool, death, sizeof death);
        CHECK_MSG(said == any_crash, "%s(%d): last death said %d for %d crashes: %s", k->name,
                  workers, said, any_crash, death);
        const char *want = crash_how == CRASH_SIGKILL ? "killed by signal 9" : "exited (status 9)";
        CHECK_MSG(!any_crash || strstr(death, want), "%s(%d): death: '%s', expected '%s'", k->name,
                  workers, death, want);
    }
    k->destroy(pool);

    int bad_runs = 0, bad_ok = 0, bad_lost = 0, bad_value = 0, bad_id = 0, first_bad = -1;
    unsigned expect_cb = 0;
    for (int i = 0; i < ntasks; i++) {
        int crash = k->process && crashes((uint64_t)i);
        uint32_t r = atomic_load_explicit(&runs[i], memory_order_relaxed);
        uint32_t ok = atomic_load_explicit(&outs[i].ok, memory_order_relaxed);
        uint32_t lost = atomic_load_explicit(&outs[i].lost, memory_order_relaxed);
        uint64_t v = atomic_load_explicit(&outs[i].value, memory_order_relaxed);
        uint64_t id = atomic_load_explicit(&outs[i].id, memory_order_relaxed);
        int bad = 0;
        if (r != 1)
            bad = ++bad_runs;
        if (ok != (crash ? 0u : 1u))
            bad = ++bad_ok;
        if (lost != (crash ? 1u : 0u))
            bad = ++bad_lost;
        if (!crash && v != expected((uint64_t)i))
            bad = ++bad_value;
        if (id != ids[i] || id == 0)
            bad = ++bad_id;
        if (bad && first_bad < 0)
            first_bad = i;
        expect_cb++;
    }
    CHECK_MSG(bad_runs + bad_ok + bad_lost + bad_value + bad_id == 0,
              "%s(%d workers, %d tasks): wrong run counts %d, ok %d, lost %d, values %d, ids %d "
              "(first: task %d: runs %u ok %u lost %u)",
              k->name, workers, ntasks, bad_runs, bad_ok, bad_lost, bad_value, bad_id, first_bad,
              first_bad >= 0 ? atomic_load_explicit(&runs[first_bad], memory_order_relaxed) : 0,
              first_bad >= 0 ? atomic_load_explicit(&outs[first_bad].ok, memory_order_relaxed) : 0,
              first_bad >= 0 ? atomic_load_explicit(&outs[first_bad].lost, memory_order_relaxed)
                             : 0);
    uint32_t cbs = atomic_load_explicit(&callbacks, memory_order_relaxed);
    CHECK_MSG(cbs == expect_cb, "%s(%d): %u callbacks for %u tasks", k->name, workers, cbs,
              expect_cb);
    int other = 0;
    for (int i = 0; i < ntasks; i++)
        other += (int)atomic_load_explicit(&outs[i].other, memory_order_relaxed);
    CHECK_INT(other, 0);
    CHECK_MSG(!atomic_load_explicit(&cb_threads_bad, memory_order_relaxed),
              "%s: a callback ran in the main thread", k->name);
    if (k->process)
        CHECK_MSG(!atomic_load_explicit(&cb_thread_changed, memory_order_relaxed),
                  "process pool: callbacks ran in more than one thread");
    int fds_after = count_fds();
    CHECK_MSG(fds_after == fds_before,
              "%s(%d): %d descriptors open before create, %d after destroy", k->name, workers,
              fds_before, fds_after);
    if (k->process)
        CHECK(no_children());
}

/* ---- other checks -------------------------------------------------------------------------- */

static void test_bad_create(const struct kind *k)
{
    char err[256];
    void *pool = (void *)1;
    CHECK_INT(k->create(&pool, 0, NULL, err, sizeof err), EINVAL);
    CHECK(pool == NULL);
    CHECK_INT(k->create(&pool, TVP_POOL_MAX_WORKERS + 1, NULL, err, sizeof err), EINVAL);
    int cpus[2] = {0, -2};
    CHECK_INT(k->create(&pool, 2, cpus, err, sizeof err), EINVAL);
    cpus[1] = CPU_SETSIZE;
    CHECK_INT(k->create(&pool, 2, cpus, err, sizeof err), EINVAL);
    CHECK(pool == NULL);
}

/* Workers pinned to the allowed PUs, round robin: every task runs on its worker's PU, which is
 * one of them. */
static void test_pinned(const struct kind *k)
{
    cpu_set_t allowed;
    CHECK_INT(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    int pus[CPU_SETSIZE], npu = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed))
            pus[npu++] = c;
    CHECK(npu > 0);
    int cpus[4];
    for (int i = 0; i < 4; i++)
        cpus[i] = pus[i % npu];
    reset_books();
    char err[256];
    void *pool = NULL;
    int e = k->create(&pool, 4, cpus, err, sizeof err);
    CHECK_MSG(e == 0, "%s pinned: create: %s", k->name, err);
    if (e != 0)
        return;
    for (int i = 0; i < 200; i++)
        CHECK_INT(k->apply(pool, cpu_task, 0, on_result, &outs[i], NULL, err, sizeof err), 0);
    k->close(pool);
    CHECK_INT(k->join(pool, err, sizeof err), 0);
    k->destroy(pool);
    int off = 0;
    for (int i = 0; i < 200; i++) {
        uint64_t c = atomic_load_explicit(&outs[i].value, memory_order_relaxed);
        int in = 0;
        for (int j = 0; j < 4; j++)
            in |= c == (uint64_t)cpus[j];
        off += !in;
    }
    CHECK_MSG(off == 0, "%s: %d of 200 tasks ran off their workers' PUs", k->name, off);

    /* A PU outside the machine: create fails with a reason and leaves nothing behind. */
    int fds = count_fds();
    int bad[1] = {CPU_SETSIZE - 1};
    err[0] = '\0';
    e = k->create(&pool, 1, bad, err, sizeof err);
    CHECK_MSG(e != 0, "%s: create pinned to cpu %d succeeded", k->name, bad[0]);
    CHECK_MSG(err[0] != '\0', "%s: no message", k->name);
    if (k->process)
        CHECK_STR(err, "process pool: worker 0: sched_setaffinity(cpu 1023): Invalid argument");
    if (e == 0)
        k->destroy(pool);
    CHECK_INT(count_fds(), fds);
    if (k->process)
        CHECK(no_children());
}

/* destroy without join: closes, runs everything queued, joins, frees. */
static void test_destroy_unjoined(const struct kind *k)
{
    reset_books();
    char err[256];
    int fds = count_fds();
    void *pool = NULL;
    CHECK_INT(k->create(&pool, 2, NULL, err, sizeof err), 0);
    if (pool == NULL)
        return;
    for (int i = 0; i < 100; i++)
        CHECK_INT(k->apply(pool, task, (uint64_t)i, on_result, &outs[i], NULL, err, sizeof err), 0);
    k->destroy(pool);
    CHECK_INT(atomic_load_explicit(&callbacks, memory_order_relaxed), 100);
    CHECK_INT(count_fds(), fds);
    if (k->process)
        CHECK(no_children());
}

/* From a callback: apply_async works, join refuses with EDEADLK. */
static const struct kind *reentry_kind;
static void *reentry_pool;
static _Atomic int reentry_join_err = -1, reentry_apply_err = -1;

static void on_reentry(void *ctx, uint64_t id, uint64_t result, int status)
{
    char err[256];
    if ((uintptr_t)ctx == 0) {
        int e = reentry_kind->apply(reentry_pool, task, 1, on_reentry, (void *)1, NULL, err,
                                    sizeof err);
        atomic_store_explicit(&reentry_apply_err, e, memory_order_relaxed);
        e = reentry_kind->join(reentry_pool, err, sizeof err);
        atomic_store_explicit(&reentry_join_err, e, memory_order_relaxed);
    }
    on_result(&outs[(uintptr_t)ctx], id, result, status);
}

static void test_reentry(const struct kind *k)
{
    reset_books();
    char err[256];
    reentry_kind = k;
    atomic_store_explicit(&reentry_join_err, -1, memory_order_relaxed);
    atomic_store_explicit(&reentry_apply_err, -1, memory_order_relaxed);
    CHECK_INT(k->create(&reentry_pool, 2, NULL, err, sizeof err), 0);
    if (reentry_pool == NULL)
        return;
    CHECK_INT(k->apply(reentry_pool, task, 0, on_reentry, (void *)0, NULL, err, sizeof err), 0);
    /* Close only once the callback has queued its task (closing first would refuse it). */
    for (int i = 0; i < 10000 && atomic_load_explicit(&callbacks, memory_order_relaxed) < 1; i++)
        sleep_ms(1);
    k->close(reentry_pool);
    CHECK_INT(k->join(reentry_pool, err, sizeof err), 0);
    k->destroy(reentry_pool);
    reentry_pool = NULL;
    CHECK_INT(atomic_load_explicit(&reentry_apply_err, memory_order_relaxed), 0);
    CHECK_INT(atomic_load_explicit(&reentry_join_err, memory_order_relaxed), EDEADLK);
    CHECK_INT(atomic_load_explicit(&callbacks, memory_order_relaxed), 2);
    CHECK_INT(atomic_load_explicit(&runs[1], memory_order_relaxed), 1);
}

/* A thread creates a process pool and exits; the pool lives on (its workers are tied to the
 * pool's handler thread by PR_SET_PDEATHSIG, not to the creating thread). */
static void *create_and_leave(void *arg)
{
    char err[256];
    struct tvp_process_pool **out = arg;
    if (tvp_process_pool_create(out, 2, NULL, err, sizeof err) != 0)
        *out = NULL;
    return NULL;
}

static void test_creator_thread_exits(void)
{
    reset_books();
    char err[256];
    struct tvp_process_pool *p = NULL;
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, create_and_leave, &p), 0);
    CHECK_INT(pthread_join(t, NULL), 0);
    CHECK(p != NULL);
    if (p == NULL)
        return;
    sleep_ms(20);
    for (int i = 0; i < 100; i++)
        CHECK_INT(tvp_process_pool_apply_async(p, task, (uint64_t)i, on_result, &outs[i], NULL, err,
                                               sizeof err),
                  0);
    tvp_process_pool_close(p);
    CHECK_INT(tvp_process_pool_join(p, err, sizeof err), 0);
    tvp_process_pool_destroy(p);
    int ok = 0;
    for (int i = 0; i < 100; i++)
        ok += (int)atomic_load_explicit(&outs[i].ok, memory_order_relaxed);
    CHECK_INT(ok, 100);
    CHECK(no_children());
}

/* As the harness runs a case: in a child process that leads its own process group and dies
 * with its parent. A process pool inside it works and leaves nothing behind. */
static void test_in_own_process_group(void)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (setpgid(0, 0) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
            _exit(3);
        char err[256];
        int fds = count_fds();
        struct tvp_process_pool *p = NULL;
        if (tvp_process_pool_create(&p, 2, NULL, err, sizeof err) != 0)
            _exit(4);
        reset_books();
        for (int i = 0; i < 200; i++)
            if (tvp_process_pool_apply_async(p, task, (uint64_t)i, on_result, &outs[i], NULL, err,
                                             sizeof err) != 0)
                _exit(5);
        tvp_process_pool_close(p);
        if (tvp_process_pool_join(p, err, sizeof err) != 0)
            _exit(6);
        tvp_process_pool_destroy(p);
        for (int i = 0; i < 200; i++)
            if (atomic_load_explicit(&outs[i].ok, memory_order_relaxed) != 1 ||
                atomic_load_explicit(&runs[i], memory_order_relaxed) != 1)
                _exit(7);
        if (!no_children())
            _exit(8);
        if (count_fds() != fds)
            _exit(9);
        _exit(0);
    }
    CHECK(pid > 0);
    if (pid <= 0)
        return;
    int st = -1;
    (void)tvp_wait_child(pid, &st); /* a failed wait leaves st -1: the check below reports it */
    CHECK_MSG(tvp_child_ok(st),
              "pool in a child in its own process group: wait status %#x (exit codes: 3 set-up, "
              "4 create, 5 apply, 6 join, 7 results, 8 unreaped child, 9 descriptors)",
              st);
}

/* ---- workers killed from outside at random moments ------------------------------------------ */

/* Pids of recent workers, published by the tasks themselves (shared memory). */
#define KILL_PIDS 16
static _Atomic int32_t *worker_pids;
static _Atomic int killer_stop;
static _Atomic int kills_sent;

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Counts its run, says which worker runs it, works ~50 us, returns the usual value. */
static uint64_t pid_task(uint64_t a)
{
    atomic_fetch_add_explicit(&runs[a], 1, memory_order_relaxed); /* read after join */
    atomic_store_explicit(&worker_pids[a % KILL_PIDS], (int32_t)getpid(), memory_order_relaxed);
    uint64_t t0 = now_us();
    while (now_us() - t0 < 50)
        ;
    return expected(a);
}

/* 1 if pid is a child of this process, checked through /proc after its pidfd was opened: if
 * the pid had been reused, the pidfd names a process that is not our child (or a dead one,
 * which pidfd_send_signal refuses), so nothing else can be hit. */
static int is_our_child(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *rp = strrchr(buf, ')'); /* the name may contain spaces and parentheses */
    char state;
    int ppid;
    return rp != NULL && sscanf(rp + 1, " %c %d", &state, &ppid) == 2 && ppid == (int)getpid();
}

static void *killer(void *arg)
{
    (void)arg;
    unsigned seed = 12345;
    /* Acquire: pairs with the release store of killer_stop in test_external_kills. */
    while (!atomic_load_explicit(&killer_stop, memory_order_acquire)) {
        seed = seed * 1103515245u + 12345u;
        struct timespec t = {0, (long)(200000u + (seed >> 8) % 1500000u)}; /* 0.2-1.7 ms */
        nanosleep(&t, NULL);
        pid_t pid =
            atomic_load_explicit(&worker_pids[(seed >> 4) % KILL_PIDS], memory_order_relaxed);
        if (pid <= 0)
            continue;
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
            continue; /* gone already */
        if (is_our_child(pid) && syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0) == 0)
            atomic_fetch_add_explicit(&kills_sent, 1, memory_order_relaxed);
        close(fd);
    }
    return NULL;
}

static void test_external_kills(int workers, int ntasks)
{
    reset_books();
    for (int i = 0; i < KILL_PIDS; i++)
        atomic_store_explicit(&worker_pids[i], 0, memory_order_relaxed);
    atomic_store_explicit(&killer_stop, 0, memory_order_relaxed);
    atomic_store_explicit(&kills_sent, 0, memory_order_relaxed);
    char err[256];
    int fds = count_fds();
    struct tvp_process_pool *p = NULL;
    int e = tvp_process_pool_create(&p, workers, NULL, err, sizeof err);
    CHECK_MSG(e == 0, "create: %s", err);
    if (e != 0)
        return;
    pthread_t k;
    CHECK_INT(pthread_create(&k, NULL, killer, NULL), 0);
    int failed = 0;
    for (int i = 0; i < ntasks; i++)
        failed += tvp_process_pool_apply_async(p, pid_task, (uint64_t)i, on_result, &outs[i], NULL,
                                               err, sizeof err) != 0;
    CHECK_MSG(failed == 0, "%d submissions failed: %s", failed, err);
    /* Keep killing until every task has its callback (or 30 s, so a bug cannot hang). All of
     * them must come while the pool is still open: a lost task is reported when its worker's
     * death is handled, not only by the safety net at the end. */
    for (int i = 0; i < 30000; i++) {
        if (atomic_load_explicit(&callbacks, memory_order_relaxed) >= (uint32_t)ntasks)
            break;
        sleep_ms(1);
    }
    uint32_t before_close = atomic_load_explicit(&callbacks, memory_order_relaxed);
    CHECK_MSG(before_close == (uint32_t)ntasks, "external kills: %u of %d callbacks before close",
              before_close, ntasks);
    atomic_store_explicit(&killer_stop, 1, memory_order_release);
    CHECK_INT(pthread_join(k, NULL), 0);
    tvp_process_pool_close(p);
    CHECK_INT(tvp_process_pool_join(p, err, sizeof err), 0);
    tvp_process_pool_destroy(p);

    int bad = 0, lost = 0, first_bad = -1;
    for (int i = 0; i < ntasks; i++) {
        uint32_t r = atomic_load_explicit(&runs[i], memory_order_relaxed);
        uint32_t ok = atomic_load_explicit(&outs[i].ok, memory_order_relaxed);
        uint32_t l = atomic_load_explicit(&outs[i].lost, memory_order_relaxed);
        uint64_t v = atomic_load_explicit(&outs[i].value, memory_order_relaxed);
        /* Exactly one outcome; a task runs at most once; "ok" means it ran, with its value.
         * (A lost task may have run, in part or wholly, before its worker was killed.) */
        int b = ok + l != 1 || r > 1 || (ok == 1 && (r != 1 || v != expected((uint64_t)i)));
        bad += b;
        lost += (int)l;
        if (b && first_bad < 0)
            first_bad = i;
    }
    int kills = atomic_load_explicit(&kills_sent, memory_order_relaxed);
    CHECK_MSG(bad == 0, "external kills (%d workers): %d tasks with a wrong outcome (first %d)",
              workers, bad, first_bad);
    CHECK_MSG(kills > 0 && lost > 0,
              "external kills: %d kills sent, %d tasks lost: the test did "
              "not exercise anything",
              kills, lost);
    CHECK_INT(atomic_load_explicit(&callbacks, memory_order_relaxed), ntasks);
    CHECK_INT(count_fds(), fds);
    CHECK(no_children());
    printf("external kills (%d workers): %d kills sent, %d of %d tasks lost\n", workers, kills,
           lost, ntasks);
}

int main(void)
{
    main_thread = pthread_self();
    void *m = mmap(NULL, MAXTASKS * sizeof *runs, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    runs = m;
    void *wp = mmap(NULL, KILL_PIDS * sizeof *worker_pids, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (wp == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    worker_pids = wp;

    const struct kind *kinds[2] = {&thread_kind, &process_kind};
    for (int ki = 0; ki < 2; ki++) {
        const struct kind *k = kinds[ki];
        no_crashes();
        test_bad_create(k);
        for (int w = 1; w <= 4; w++)
            run_batch(k, w, NTASKS, 0);
        run_batch(k, 1, MAXTASKS, 0); /* more records than the task pipe holds */
        test_pinned(k);
        test_destroy_unjoined(k);
        test_reentry(k);
    }

    test_creator_thread_exits();
    test_in_own_process_group();

    /* One task _exits its worker; sizes 1..4. */
    crash_every = 0;
    crash_at = 777;
    crash_how = CRASH_EXIT;
    for (int w = 1; w <= 4; w++)
        run_batch(&process_kind, w, NTASKS, 0);
    /* The same with SIGKILL. */
    crash_how = CRASH_SIGKILL;
    run_batch(&process_kind, 2, NTASKS, 0);
    /* Many crashes: every 50th task; each needs a replacement worker. */
    crash_every = 50;
    crash_at = 13;
    crash_how = CRASH_EXIT;
    for (int w = 1; w <= 4; w++)
        run_batch(&process_kind, w, NTASKS, 0);
    /* The only worker dies after close while tasks still wait: a replacement must run
     * them, or join would hang. */
    crash_every = 0;
    crash_at = 0;
    crash_how = CRASH_LATE_EXIT;
    run_batch(&process_kind, 1, 200, 1);
    /* Every task crashes. */
    crash_every = 1;
    crash_at = 0;
    crash_how = CRASH_EXIT;
    run_batch(&process_kind, 2, 30, 0);
    no_crashes();
    /* Workers killed from outside while tasks flow. */
    test_external_kills(3, 4000);
    test_external_kills(1, 2000);
    munmap(wp, KILL_PIDS * sizeof *worker_pids);
    munmap(m, MAXTASKS * sizeof *runs);
    return CHECK_DONE();
}
