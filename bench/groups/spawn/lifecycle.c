/* Lifecycle benchmarks of the spawn group: what happens after a task starts (claims C5 and the
 * Pool half of C12).
 *
 * "join": from a task's last instruction (a timestamp it writes to shared memory, after a short
 * sleep so the joiner is already blocked) to the joiner running again after pthread_join or
 * waitpid; same-PU and cross-core.
 * "exit": how long a program takes to exit when its main thread is done but a worker still has
 * work_ms of work left: a daemon worker does not hold it, a joinable one does (the program is
 * tvp-exit-demo, started with posix_spawn and reaped).
 * "pool-<work>": cost per task through a thread pool and a process pool (pre-started workers)
 * against starting one thread or one process per task, for empty tasks and tasks of ~10 us and
 * ~1 ms of CPU work, 1 .. 2x PUs workers. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "cpu_work.h"
#include "clock.h"
#include "lifecycle.h"
#include "resultset.h"
#include "runner.h"
#include "tvp_err.h"
#include "tvp_child.h"
#include "tvp_pool.h"
#include "tvp_worker.h"

extern char **environ;

/* The joined task sleeps this long before its last instruction, so the joiner is asleep in
 * pthread_join/waitpid by then and the figure is a wake-up, not a race. */
#define JOIN_TASK_SLEEP_NS 200000L

/* Reaps the child pid; a child that did not exit with status 0 fails the operation. Returns 0,
 * or -1 with "<what>: waitpid: <why>" or "<what>: <who> failed (status 0x..)" in err. */
static int reap_ok(pid_t pid, const char *what, const char *who, char *err, size_t errlen)
{
    int st;
    int e = tvp_wait_child(pid, &st);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: waitpid", what);
        return -1;
    }
    if (!tvp_child_ok(st)) {
        snprintf(err, errlen, "%s: %s failed (status 0x%x)", what, who, st);
        return -1;
    }
    return 0;
}

/* ---- join ---- */

struct join_state {
    _Atomic uint64_t *last_ns; /* MAP_SHARED: seen by a forked child too */
    _Atomic int *cpu;          /* where the joined task ran; same page, its own cache line */
};

static int join_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    (void)c;
    struct join_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "join: state");
        return -1;
    }
    void *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "join: mapping the shared timestamp");
        free(s);
        return -1;
    }
    s->last_ns = m;
    s->cpu = (_Atomic int *)((char *)m + 64);
    *state = s;
    return 0;
}

static void join_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct join_state *s = state;
    if (s && munmap((void *)s->last_ns, 4096) != 0)
        tvp_warn(errno, "join: unmapping the shared timestamp");
    free(s);
}

static void *join_thread_body(void *arg)
{
    struct join_state *s = arg;
    tvp_sleep_ns(JOIN_TASK_SLEEP_NS);
    /* Release pairs with the joiner's acquire load after pthread_join returns. */
    atomic_store_explicit(s->cpu, sched_getcpu(), memory_order_relaxed);
    atomic_store_explicit(s->last_ns, tvp_now_ns(), memory_order_release);
    return NULL;
}

static int join_one_thread(const struct tvp_case *c, struct join_state *s, char *err, size_t errlen)
{
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0 && c->placement != TVP_PL_SAME_PU)
        rc = tvp_bind_attr(&attr, c->pu_b);
    pthread_t t;
    if (rc == 0)
        rc = pthread_create(&t, &attr, join_thread_body, s);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        rc = pthread_join(t, NULL);
    if (rc != 0)
        tvp_errfmt(err, errlen, rc, "join: starting or joining the thread");
    return rc ? -1 : 0;
}

static int join_one_process(const struct tvp_case *c, struct join_state *s, char *err,
                            size_t errlen)
{
    pid_t pid = fork();
    if (pid < 0) {
        tvp_errfmt(err, errlen, errno, "join: fork");
        return -1;
    }
    if (pid == 0) {
        if (c->placement != TVP_PL_SAME_PU && tvp_bind_self_os(c->pu_b) != 0)
            _exit(3);
        tvp_sleep_ns(JOIN_TASK_SLEEP_NS);
        atomic_store_explicit(s->cpu, sched_getcpu(), memory_order_relaxed);
        atomic_store_explicit(s->last_ns, tvp_now_ns(), memory_order_release);
        _exit(0);
    }
    return reap_ok(pid, "join", "the child", err, errlen);
}

static int join_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct join_state *s = state;
    int process = strcmp(c->model, "process") == 0;
    for (uint64_t i = 0; i < iters; i++) {
        atomic_store_explicit(s->last_ns, 0, memory_order_relaxed);
        uint64_t t0 = tvp_now_ns();
        if ((process ? join_one_process : join_one_thread)(c, s, err, errlen) != 0)
            return -1;
        uint64_t t1 = tvp_now_ns();
        uint64_t last = atomic_load_explicit(s->last_ns, memory_order_acquire);
        if (last < t0 || last > t1) {
            snprintf(err, errlen, "join: the task's last timestamp is missing or out of range");
            return -1;
        }
        totals[0] += t1 - last;
        /* The acquire above pairs with the task's release, which follows its cpu store. */
        tvp_runner_note_cpu(atomic_load_explicit(s->cpu, memory_order_relaxed));
    }
    return 0;
}

/* ---- exit: daemon vs joinable worker ---- */

struct exit_state {
    char demo[PATH_MAX];
};

static void *idle_body(void *arg)
{
    return arg;
}

static int exit_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    (void)c;
    const char *demo = getenv("TVP_EXIT_DEMO");
    if (!demo || access(demo, X_OK) != 0) {
        tvp_errfmt(err, errlen, demo ? errno : ENOENT, "exit: the demo program %s",
                   demo ? demo : "(TVP_EXIT_DEMO unset)");
        return -1;
    }
    /* The fact behind "must be marked before it starts", checked every run. */
    struct tvp_worker w;
    char why[200] = "";
    int rc = tvp_worker_init(&w, idle_body, NULL);
    if (rc == 0)
        rc = tvp_worker_start(&w, why, sizeof why);
    if (rc != 0) {
        snprintf(err, errlen, "exit: starting a worker for the daemon check: %s", why);
        return -1;
    }
    int refused = tvp_worker_set_daemon(&w, 1, why, sizeof why);
    char why_join[200] = "";
    rc = tvp_worker_join(&w, NULL, why_join, sizeof why_join);
    if (refused != EBUSY || rc != 0) {
        snprintf(err, errlen, "exit: marking a started worker as daemon was %s%s%s",
                 refused == 0 ? "accepted" : "refused with an unexpected error",
                 rc ? "; join: " : "", rc ? why_join : "");
        return -1;
    }
    struct exit_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "exit: state");
        return -1;
    }
    snprintf(s->demo, sizeof s->demo, "%s", demo);
    *state = s;
    return 0;
}

static void free_state(const struct tvp_case *c, void *state)
{
    (void)c;
    free(state);
}

static int exit_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct exit_state *s = state;
    char work[24];
    snprintf(work, sizeof work, "%lld", c->param_value);
    char *argv[] = {"tvp-exit-demo", (char *)c->variant, work, NULL};
    char who[64];
    snprintf(who, sizeof who, "tvp-exit-demo %s", c->variant);
    for (uint64_t i = 0; i < iters; i++) {
        pid_t pid;
        uint64_t t0 = tvp_now_ns();
        int rc = posix_spawn(&pid, s->demo, NULL, NULL, argv, environ);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "exit: posix_spawn %s", s->demo);
            return -1;
        }
        if (reap_ok(pid, "exit", who, err, errlen) != 0)
            return -1;
        totals[0] += tvp_now_ns() - t0;
    }
    return 0;
}

/* ---- pools ---- */

struct pool_state {
    uint64_t steps, expect;
    struct tvp_thread_pool *tp;
    struct tvp_process_pool *pp;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t done, bad, lost;
    _Atomic uint64_t *child_results; /* MAP_SHARED, for process-per-task */
};

static void pool_callback(void *ctx, uint64_t task_id, uint64_t result, int status)
{
    (void)task_id;
    struct pool_state *s = ctx;
    pthread_mutex_lock(&s->mu);
    if (status != 0)
        s->lost++;
    else if (result != s->expect)
        s->bad++;
    s->done++;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* How many LCG steps make a task of `ns` here, said in the case's note. */
static uint64_t steps_for_ns(uint64_t ns)
{
    uint64_t steps = tvp_lcg_steps_for_ns(ns);
    if (ns)
        tvp_runner_note("task of %llu ns = %llu LCG steps (calibrated)", (unsigned long long)ns,
                        (unsigned long long)steps);
    return steps;
}

static int pool_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct pool_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "pool: state");
        return -1;
    }
    int rc = pthread_mutex_init(&s->mu, NULL);
    if (rc == 0 && (rc = pthread_cond_init(&s->cv, NULL)) != 0)
        pthread_mutex_destroy(&s->mu);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "pool: initialising the completion lock");
        free(s);
        return -1;
    }
    s->steps = steps_for_ns((uint64_t)c->arg);
    s->expect = tvp_lcg_task(s->steps);
    int n = (int)c->param_value;
    if (strcmp(c->variant, "thread-pool") == 0)
        rc = tvp_thread_pool_create(&s->tp, n, c->pus, err, errlen);
    else if (strcmp(c->variant, "process-pool") == 0)
        rc = tvp_process_pool_create(&s->pp, n, c->pus, err, errlen);
    else {
        void *m =
            mmap(NULL, (size_t)n * 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            rc = errno;
            tvp_errfmt(err, errlen, rc, "pool: mapping result slots");
        } else {
            s->child_results = m;
        }
    }
    if (rc != 0) {
        pthread_cond_destroy(&s->cv);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return -1;
    }
    /* Where the tasks run: the workers' PUs (the submitting task shares pus[0]). */
    for (int k = 0; k < n && k < c->n_pus; k++)
        tvp_runner_note_cpu(c->pus[k]);
    *state = s;
    return 0;
}

static void pool_teardown(const struct tvp_case *c, void *state)
{
    struct pool_state *s = state;
    if (!s)
        return;
    char err[256];
    if (s->tp) {
        tvp_thread_pool_close(s->tp);
        if (tvp_thread_pool_join(s->tp, err, sizeof err) != 0)
            tvp_warn(0, "pool: %s", err);
        tvp_thread_pool_destroy(s->tp);
    }
    if (s->pp) {
        tvp_process_pool_close(s->pp);
        if (tvp_process_pool_join(s->pp, err, sizeof err) != 0)
            tvp_warn(0, "pool: %s", err);
        tvp_process_pool_destroy(s->pp);
    }
    if (s->child_results && munmap((void *)s->child_results, (size_t)c->param_value * 64) != 0)
        tvp_warn(errno, "pool: unmapping result slots");
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

struct per_task_arg {
    struct pool_state *s;
    uint64_t result;
};

static void *per_task_thread(void *arg)
{
    struct per_task_arg *a = arg;
    a->result = tvp_lcg_task(a->s->steps);
    return NULL;
}

/* One thread or process per task, n at a time, as a program without a pool would do it. Whatever
 * fails, every task already started is joined or reaped before returning: a thread still running
 * would write into this frame and read *s after teardown. */
static int per_task_batch(const struct tvp_case *c, struct pool_state *s, int n, char *err,
                          size_t errlen)
{
    int process = strcmp(c->model, "process") == 0;
    pthread_t t[TVP_MAX_CASE_PUS];
    struct per_task_arg a[TVP_MAX_CASE_PUS];
    pid_t pid[TVP_MAX_CASE_PUS];
    int started = 0, failed = 0;
    for (; started < n; started++) {
        int k = started;
        if (process) {
            pid[k] = fork();
            if (pid[k] < 0) {
                tvp_errfmt(err, errlen, errno, "pool: fork");
                failed = 1;
                break;
            }
            if (pid[k] == 0) {
                if (tvp_bind_self_os(c->pus[k]) != 0)
                    _exit(3);
                atomic_store_explicit(&s->child_results[k * 8], tvp_lcg_task(s->steps),
                                      memory_order_relaxed);
                _exit(0);
            }
        } else {
            pthread_attr_t attr;
            int rc = pthread_attr_init(&attr);
            if (rc == 0) {
                rc = tvp_bind_attr(&attr, c->pus[k]);
                a[k].s = s;
                if (rc == 0)
                    rc = pthread_create(&t[k], &attr, per_task_thread, &a[k]);
                pthread_attr_destroy(&attr);
            }
            if (rc != 0) {
                tvp_errfmt(err, errlen, rc, "pool: pthread_create");
                failed = 1;
                break;
            }
        }
    }
    for (int k = 0; k < started; k++) {
        uint64_t r;
        char why[160];
        if (process) {
            if (reap_ok(pid[k], "pool", "a task process", why, sizeof why) != 0) {
                if (!failed)
                    snprintf(err, errlen, "%s", why);
                failed = 1;
                continue;
            }
            r = atomic_load_explicit(&s->child_results[k * 8], memory_order_relaxed);
        } else {
            int rc = pthread_join(t[k], NULL);
            if (rc != 0) {
                if (!failed)
                    tvp_errfmt(err, errlen, rc, "pool: pthread_join");
                failed = 1;
                continue;
            }
            r = a[k].result;
        }
        if (r != s->expect && !failed) {
            snprintf(err, errlen, "pool: a task returned a wrong result");
            failed = 1;
        }
    }
    return failed ? -1 : 0;
}

static int pool_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct pool_state *s = state;
    uint64_t t0 = tvp_now_ns();
    if (!s->tp && !s->pp) {
        int n = (int)c->param_value;
        for (uint64_t done = 0; done < iters; done += (uint64_t)n) {
            int k = iters - done < (uint64_t)n ? (int)(iters - done) : n;
            if (per_task_batch(c, s, k, err, errlen) != 0)
                return -1;
        }
        totals[0] += tvp_now_ns() - t0;
        return 0;
    }
    pthread_mutex_lock(&s->mu);
    s->done = s->bad = s->lost = 0;
    pthread_mutex_unlock(&s->mu);
    char death[160] = "";
    unsigned deaths0 = s->pp ? tvp_process_pool_deaths(s->pp, death, sizeof death) : 0;
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t id;
        int rc = s->tp ? tvp_thread_pool_apply_async(s->tp, tvp_lcg_task, s->steps, pool_callback,
                                                     s, &id, err, errlen)
                       : tvp_process_pool_apply_async(s->pp, tvp_lcg_task, s->steps, pool_callback,
                                                      s, &id, err, errlen);
        if (rc != 0)
            return -1;
    }
    pthread_mutex_lock(&s->mu);
    while (s->done < iters)
        pthread_cond_wait(&s->cv, &s->mu);
    uint64_t bad = s->bad, lost = s->lost;
    pthread_mutex_unlock(&s->mu);
    totals[0] += tvp_now_ns() - t0;
    /* A worker killed while idle loses nothing (the pool replaces it), but the batch then timed
     * a fork: the figure is not the pool's, and the death is named. */
    if (s->pp && tvp_process_pool_deaths(s->pp, death, sizeof death) != deaths0) {
        snprintf(err, errlen, "pool: %s", death);
        return -1;
    }
    if (bad || lost) {
        if (lost && s->pp)
            tvp_process_pool_last_death(s->pp, death, sizeof death);
        snprintf(err, errlen, "pool: %llu wrong and %llu lost results of %llu tasks%s%.160s",
                 (unsigned long long)bad, (unsigned long long)lost, (unsigned long long)iters,
                 death[0] ? ": " : "", death);
        return -1;
    }
    return 0;
}

/* ---- planning ---- */

static const struct {
    const char *name;
    long ns;
} pool_work[] = {{"pool-empty", 0}, {"pool-10us", 10000}, {"pool-1ms", 1000000}};

static const char *const pool_variants[] = {"thread-pool", "process-pool", "thread-per-task",
                                            "process-per-task"};

static void one_metric(struct tvp_case *c, const char *metric)
{
    c->n_metrics = 1;
    c->metric[0] = metric;
    c->unit[0] = "ns";
}

int tvp_lifecycle_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                       const struct tvp_group *g)
{
    enum tvp_placement_kind kinds[2] = {TVP_PL_SAME_PU, TVP_PL_COUNT};
    const struct tvp_placement *cross = tvp_placement_cross_core(ctx->placements);
    if (cross)
        kinds[1] = cross->kind;
    static const char *const join_variants[2] = {"pthread_join", "waitpid"};
    for (int k = 0; k < 2; k++) {
        if (kinds[k] == TVP_PL_COUNT || !tvp_plan_placement_ok(p, ctx, kinds[k]))
            continue;
        for (int v = 0; v < 2; v++) {
            struct tvp_case c;
            tvp_case_init(&c, g, "join", join_variants[v], v ? "process" : "thread",
                          &ctx->placements[kinds[k]]);
            one_metric(&c, "exit-to-joiner");
            c.per_op_timed = 1;
            if (v)
                snprintf(c.note, sizeof c.note, "the child is forked by the suite's case process");
            c.setup = join_setup;
            c.run = join_run;
            c.teardown = join_teardown;
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    }
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU)) {
        static const char *const modes[2] = {"daemon", "joinable"};
        for (int v = 0; v < 2; v++) {
            struct tvp_case c;
            tvp_case_init(&c, g, "exit", modes[v], "thread", &ctx->placements[TVP_PL_SAME_PU]);
            snprintf(c.param, sizeof c.param, "work_ms");
            c.param_value = ctx->opt->quick ? 20 : 50;
            one_metric(&c, "start-to-exit");
            c.per_op_timed = 1;
            /* Each operation lasts work_ms by design. */
            c.sample_cap_scale = 3;
            snprintf(c.note, sizeof c.note,
                     "main thread done while a worker has work_ms of work left; the program is "
                     "posix_spawned by the suite's case process");
            c.setup = exit_setup;
            c.run = exit_run;
            c.teardown = free_state;
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    }
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD))
        return 0;
    struct tvp_topo_summary sum;
    tvp_topo_summarize(ctx->topo, &sum);
    int sizes[3] = {1, sum.cores, 2 * sum.pus}, n_sizes = 0, uniq[3];
    for (int i = 0; i < 3; i++) {
        int seen = 0;
        for (int j = 0; j < n_sizes; j++)
            seen |= uniq[j] == sizes[i];
        if (!seen && sizes[i] >= 1 && sizes[i] <= TVP_MAX_CASE_PUS)
            uniq[n_sizes++] = sizes[i];
    }
    size_t n_work = ctx->opt->quick ? 2 : 3;
    for (size_t w = 0; w < n_work; w++)
        for (int i = 0; i < n_sizes; i++)
            for (size_t v = 0; v < sizeof pool_variants / sizeof pool_variants[0]; v++) {
                struct tvp_case c;
                tvp_case_init(&c, g, pool_work[w].name, pool_variants[v],
                              strstr(pool_variants[v], "process") ? "process" : "thread",
                              &ctx->placements[TVP_PL_SPREAD]);
                snprintf(c.param, sizeof c.param, "workers");
                c.param_value = uniq[i];
                c.n_pus = uniq[i];
                if (tvp_plan_spread(ctx->topo, uniq[i], c.pus) != 0)
                    return EINVAL;
                one_metric(&c, "per-task");
                c.arg = pool_work[w].ns;
                /* Which process forks matters to the figure (fork copies its parent's address
                 * space): here it is the suite's own, heavier than a small program's (compare
                 * spawn/start fork with spawn/start-lean fork). */
                if (!strcmp(c.model, "process"))
                    snprintf(c.note, sizeof c.note,
                             "%s forked by the suite's case process "
                             "(hwloc, libpfm4 mapped; see start vs start-lean fork)",
                             strstr(pool_variants[v], "pool") ? "pool workers" : "task processes");
                c.setup = pool_setup;
                c.run = pool_run;
                c.teardown = pool_teardown;
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    return 0;
}

/* ---- charts ---- */

int tvp_lifecycle_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "spawn-lifecycle")) != 0)
        return rc;
    fprintf(a.f, "# microseconds: median, 95%% CI low, high\n");
    const char *cross = tvp_rs_cross_core(rs, "spawn", "join", "pthread_join", "exit-to-joiner");
    const char *pls[2] = {"same-pu", cross};
    for (int p = 0; p < 2; p++) {
        if (!pls[p])
            continue;
        for (int v = 0; v < 2; v++) {
            const char *variant = v ? "waitpid" : "pthread_join";
            fprintf(a.f, "\"%s %s\"", variant, pls[p]);
            tvp_dat_fig(
                a.f, tvp_rs_find(rs, "spawn", "join", variant, pls[p], NULL, 0, "exit-to-joiner"),
                1e3);
            fputc('\n', a.f);
        }
    }
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        /* The spawn group's own exits: the python group has an "exit" benchmark too, whose
         * whole-interpreter times and shares of runs are no bars of this chart. */
        if (strcmp(f->group, "spawn") || strcmp(f->benchmark, "exit") || strcmp(f->status, "ok") ||
            strcmp(f->unit, "ns"))
            continue;
        fprintf(a.f, "\"exit, %s worker", f->variant);
        if (!strcmp(f->param, "work_ms"))
            fprintf(a.f, ", %lld ms left", f->param_value);
        fputc('"', a.f);
        tvp_dat_fig(a.f, f, 1e3);
        fputc('\n', a.f);
    }
    if ((rc = tvp_afile_commit(&a)) != 0)
        return rc;

    if ((rc = tvp_chart_open(&a, dir, "spawn-pool")) != 0)
        return rc;
    /* One block per task size that has any figure; the first line names them in block order, so
     * the chart titles its panels from the data, not from a list that may not match. */
    long long sizes[sizeof pool_work / sizeof pool_work[0]][64];
    int n[sizeof pool_work / sizeof pool_work[0]] = {0};
    fputs("# titles:", a.f);
    for (size_t w = 0; w < sizeof pool_work / sizeof pool_work[0]; w++) {
        for (size_t i = 0; i < rs->n && n[w] < 64; i++) {
            const struct tvp_fig *f = &rs->figs[i];
            if (strcmp(f->group, "spawn") || strcmp(f->benchmark, pool_work[w].name))
                continue;
            int seen = 0;
            for (int k = 0; k < n[w]; k++)
                seen |= sizes[w][k] == f->param_value;
            if (!seen)
                sizes[w][n[w]++] = f->param_value;
        }
        if (n[w])
            fprintf(a.f, " %s", pool_work[w].name + 5);
    }
    fprintf(a.f, "\n# tasks per second (median, CI low, high) against workers, one block per task "
                 "size\n# workers thread-pool process-pool thread-per-task process-per-task\n");
    int blocks = 0;
    for (size_t w = 0; w < sizeof pool_work / sizeof pool_work[0]; w++) {
        if (n[w] == 0)
            continue;
        if (blocks++)
            fputs("\n\n", a.f);
        for (int i = 0; i < n[w]; i++) {
            fprintf(a.f, "%lld", sizes[w][i]);
            for (size_t v = 0; v < sizeof pool_variants / sizeof pool_variants[0]; v++)
                tvp_dat_rate(a.f, tvp_rs_find(rs, "spawn", pool_work[w].name, pool_variants[v],
                                              "spread", "workers", sizes[w][i], "per-task"));
            fputc('\n', a.f);
        }
    }
    return tvp_afile_commit(&a);
}

/* ---- verdicts ---- */

/* The exit figure of one mode (daemon or joinable), same-PU, from the spawn group. */
static const struct tvp_fig *exit_fig(const struct tvp_resultset *rs, const char *mode)
{
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (!strcmp(f->group, "spawn") && !strcmp(f->benchmark, "exit") &&
            !strcmp(f->variant, mode))
            return tvp_rs_find(rs, "spawn", "exit", mode, "same-pu", f->param, f->param_value,
                               "start-to-exit");
    }
    return NULL;
}

/* C5's reading of CPython's exit figures (the python group's "exit" benchmark, read from the
 * results by name): main's last statement to the interpreter's exit, a threading.Thread with
 * work_ms left. The interpreter has an exit cost of its own (its finalization), so the daemon
 * exit is read against the non-daemon one: held when the non-daemon CI lies at or above work_ms,
 * and the daemon one at least half of work_ms sooner, CIs included. Half, not nearly all: the
 * gap a daemon thread makes is work_ms itself, so a threshold near it would sit on the expected
 * value and the verdict would flip with the noise (0.9 work_ms did, between two quick runs).
 * Returns the verdict kind, or TVP_V_NOT_MEASURED with no figure. */
static enum tvp_verdict_kind c5_in_cpython(const struct tvp_resultset *rs, char *figs, size_t len)
{
    const struct tvp_fig *d =
        tvp_rs_pick(rs, "python", "exit", "daemon", "thread", "same-pu", -1, "main-to-exit");
    const struct tvp_fig *j =
        tvp_rs_pick(rs, "python", "exit", "non-daemon", "thread", "same-pu", -1, "main-to-exit");
    if (!d || !j || d->param_value != j->param_value)
        return TVP_V_NOT_MEASURED;
    tvp_judge_uses(d);
    tvp_judge_uses(j);
    double work_ns = (double)j->param_value * 1e6;
    char a[32], b[32];
    tvp_fmt_ns(a, sizeof a, j->median);
    tvp_fmt_ns(b, sizeof b, d->median);
    tvp_appendf(figs, len,
                "; CPython, main's last statement to exit with %lld ms left in a thread: "
                "non-daemon %s, daemon %s",
                j->param_value, a, b);
    int held = j->ci_low >= work_ns, not_held = j->ci_high < work_ns;
    int sooner = j->ci_low - d->ci_high >= 0.5 * work_ns,
        not_sooner = j->ci_high - d->ci_low < 0.5 * work_ns;
    return held && sooner           ? TVP_V_CONFIRMED
           : not_held || not_sooner ? TVP_V_REFUTED
                                    : TVP_V_TOO_CLOSE;
}

void tvp_judge_c5(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    const struct tvp_fig *daemon = exit_fig(rs, "daemon"), *joinable = exit_fig(rs, "joinable");
    const struct tvp_fig *tj =
        tvp_rs_find(rs, "spawn", "join", "pthread_join", "same-pu", NULL, 0, "exit-to-joiner");
    const struct tvp_fig *pj =
        tvp_rs_find(rs, "spawn", "join", "waitpid", "same-pu", NULL, 0, "exit-to-joiner");
    snprintf(v->rule, sizeof v->rule,
             "tvp-exit-demo emulates Python's rule (the program's end joins non-daemon workers; a "
             "bare pthread program would not wait) with a worker that has work_ms left when the "
             "main thread is done: confirmed when the daemon program's exit CI lies wholly below "
             "work_ms, the joinable one's wholly at or above it, and they differ by at least 0.9 "
             "work_ms, with marking a started worker as daemon refused (checked every run; the "
             "case fails otherwise); refuted when the daemon program also waits work_ms, or the "
             "joinable one does not; too close to call otherwise. Where python3 ran, CPython "
             "decides (the python group's exit figures: the non-daemon exit CI at or above "
             "work_ms and the daemon one at least half of work_ms sooner, CIs included, confirm; "
             "either failing refutes) and the C emulation explains; the two disagreeing is "
             "nuanced");
    if (!daemon || !joinable || daemon->param_value != joinable->param_value) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "the exit benchmark has no successful daemon and joinable figures in this run");
        return;
    }
    char a[32], b[32];
    struct tvp_ratio r;
    int have_r = tvp_ratio_of(joinable, daemon, &r) == 0;
    tvp_fmt_ns(a, sizeof a, joinable->median);
    tvp_fmt_ns(b, sizeof b, daemon->median);
    snprintf(v->figures, sizeof v->figures,
             "program exit with %lld ms of work left: joinable worker %s, daemon worker %s",
             joinable->param_value, a, b);
    if (have_r)
        tvp_appendf(v->figures, sizeof v->figures, " (%.3g× [%.3g, %.3g])", r.ratio, r.lo, r.hi);
    tvp_appendf(v->figures, sizeof v->figures, "; set_daemon after start refused with EBUSY");
    if (tj && pj) {
        tvp_fmt_ns(a, sizeof a, tj->median);
        tvp_fmt_ns(b, sizeof b, pj->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; join wake-up (task's last instruction → joiner running, same PU): "
                    "pthread_join %s, waitpid %s",
                    a, b);
    }
    enum tvp_verdict_kind py = c5_in_cpython(rs, v->figures, sizeof v->figures);
    double work_ns = (double)joinable->param_value * 1e6;
    int daemon_free = daemon->ci_high < work_ns;
    int joinable_held = joinable->ci_low >= work_ns;
    int apart = joinable->median - daemon->median >= 0.9 * work_ns;
    if (daemon_free && joinable_held && apart) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "the joinable worker held the program for its %lld ms of work, the daemon one "
                 "did not; a worker cannot be made daemon once started",
                 joinable->param_value);
    } else if (!daemon_free && daemon->ci_low >= work_ns) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "the daemon worker held the program for its work as a joinable one would");
    } else if (joinable->ci_high < work_ns) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "the joinable worker did not hold the program until its work was done");
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "the exit times overlap work_ms or each other too much for the rule");
    }
    /* CPython decides where it was measured; the C emulation is the explanation. */
    char c_said[sizeof v->summary];
    snprintf(c_said, sizeof c_said, "%s", v->summary);
    enum tvp_verdict_kind c = v->kind;
    static const char *const py_said[] = {
        [TVP_V_CONFIRMED] = "a non-daemon threading.Thread held the interpreter's exit for its "
                            "work and a daemon one did not",
        [TVP_V_REFUTED] = "the daemon and non-daemon exits did not differ as claimed",
        [TVP_V_TOO_CLOSE] = "the exit times overlap too much for the rule"};
    if (py == TVP_V_NOT_MEASURED) {
        tvp_appendf(v->summary, sizeof v->summary, " (C emulation; CPython not measured)");
        return;
    }
    if (py == c || c == TVP_V_TOO_CLOSE || py == TVP_V_TOO_CLOSE)
        v->kind = py;
    else
        v->kind = TVP_V_NUANCED;
    snprintf(v->summary, sizeof v->summary, "in CPython %s; the C emulation: %.380s", py_said[py],
             c_said);
    if (v->kind == TVP_V_NUANCED)
        tvp_appendf(v->summary, sizeof v->summary, " (CPython and the C emulation disagree)");
}

static void fmt_ratio(char *buf, size_t len, const struct tvp_ratio *r, int have)
{
    if (have)
        snprintf(buf, len, "%.3g× [%.3g, %.3g]", r->ratio, r->lo, r->hi);
    else
        snprintf(buf, len, "n/a");
}

void tvp_judge_c12(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "Pool: per-task cost of one process per task over a process pool, empty tasks (else "
             "the smallest task measured), workers = cores, ratio of medians with 95%% CI: holds "
             "when the CI lies above 1, refuted below 1, too close to call when it contains 1; "
             "close-before-join is enforced by the pool (unit-tested). Queue, Pipe, Manager (ipc "
             "group): every message between processes arrived whole through each (checked), "
             "costs reported. Confirmed when both halves hold; nuanced when the ipc half is "
             "missing; refuted when a pool or ipc check fails");
    const char *work = NULL;
    for (size_t w = 0; w < sizeof pool_work / sizeof pool_work[0] && !work; w++)
        for (size_t i = 0; i < rs->n && !work; i++)
            if (!strcmp(rs->figs[i].group, "spawn") &&
                !strcmp(rs->figs[i].benchmark, pool_work[w].name) &&
                !strcmp(rs->figs[i].variant, "process-pool"))
                work = pool_work[w].name;
    /* Workers = cores is the fair point: below, the pool idles PUs; above, it oversubscribes. */
    long long workers = -1, best_gap = -1;
    for (size_t i = 0; work && i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->benchmark, work) || strcmp(f->variant, "process-pool") ||
            strcmp(f->status, "ok"))
            continue;
        long long gap = llabs(f->param_value - rs->cores);
        if (best_gap < 0 || gap < best_gap) {
            best_gap = gap;
            workers = f->param_value;
        }
    }
    const struct tvp_fig *pp = work ? tvp_rs_find(rs, "spawn", work, "process-pool", "spread",
                                                  "workers", workers, "per-task")
                                    : NULL;
    if (!pp) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary, "no successful process-pool figure in this run");
        return;
    }
    const struct tvp_fig *pt = tvp_rs_find(rs, "spawn", work, "process-per-task", "spread",
                                           "workers", workers, "per-task");
    const struct tvp_fig *tp =
        tvp_rs_find(rs, "spawn", work, "thread-pool", "spread", "workers", workers, "per-task");
    char a[32], b[32], c[32], ra[64], rb[64];
    struct tvp_ratio r1, r2;
    int have1 = pt && tvp_ratio_of(pt, pp, &r1) == 0;
    int have2 = tp && tvp_ratio_of(pp, tp, &r2) == 0;
    tvp_fmt_ns(a, sizeof a, pp->median);
    tvp_fmt_ns(b, sizeof b, pt ? pt->median : NAN);
    tvp_fmt_ns(c, sizeof c, tp ? tp->median : NAN);
    fmt_ratio(ra, sizeof ra, &r1, have1);
    fmt_ratio(rb, sizeof rb, &r2, have2);
    snprintf(v->figures, sizeof v->figures,
             "%s, %lld workers: process pool %s per task, one process per task %s (%s the "
             "pool), thread pool %s (process pool %s of it)",
             work, workers, a, b, ra, c, rb);
    int ipc_half = tvp_claim_parts(rs, "C12", v->figures, sizeof v->figures);
    if (!have1) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no process-per-task figure to compare the process pool with");
    } else if (r1.lo > 1.0 && ipc_half < 0) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "the pool holds, but a message between processes failed its check in the ipc "
                 "group");
    } else if (r1.lo > 1.0) {
        v->kind = ipc_half > 0 ? TVP_V_CONFIRMED : TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "a process pool dispatches a task %.3g× cheaper than starting a process for it "
                 "(%s); %s",
                 r1.ratio,
                 !have2        ? "no thread pool figure"
                 : r2.lo > 1.0 ? "though dearer than a thread pool"
                 : r2.hi < 1.0 ? "and cheaper than a thread pool"
                               : "and close to a thread pool",
                 ipc_half > 0 ? "Pipe, Queue and Manager carried every message whole between "
                                "processes (costs in the figures)"
                              : "Queue, Pipe and Manager were not measured in this run");
    } else if (r1.hi < 1.0) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "starting a process per task beat the process pool here");
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "the process pool and a process per task cost about the same per task");
    }
}
