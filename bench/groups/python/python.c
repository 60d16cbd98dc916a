/* The python group: the claims measured in CPython itself, with threading, queue and
 * multiprocessing, next to the C figures of the same run (issue: what the Python runtime adds on
 * top of what the operating system costs).
 *
 * The C harness plans every case here, with the same placements and PUs as the C groups, and
 * runs each in its own process under the same watchdog; the case's Python worker
 * (bench/groups/python/tvp_worker.py + tvpy/<module>.py) only executes batches of operations on
 * request and returns totals (python_bridge.c), so calibration, repetitions, statistics, the
 * CSV/JSON rows and the charts are the C harness's own. Python rows read like C rows: group
 * "python", the Python class as the variant ("Queue", "Process-spawn", "Manager-dict").
 *
 * Where python3 is missing (or --python names nothing runnable) the group plans no case and
 * records why; meta.json keeps the reason and the report says `not measured` with it. A
 * free-threaded build (python3.13t and later), when present, runs the scaling benchmark too. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "group.h"
#include "python_bridge.h"
#include "python_compare.h"
#include "python_probe.h"
#include "topology.h"

extern const struct tvp_group tvp_group_python;

/* Filled when the group is planned, in the main process; every case process is forked from it
 * afterwards and finds it here. */
static struct tvp_python_env env;
static int run_quick;
static double run_switch_interval = 0.005;

static const struct {
    const char *bench, *module;
} bench_modules[] = {
    {"start", "spawn"},          {"exit", "spawn"},
    {"scaling", "gil"},          {"lock-uncontended", "locks"},
    {"rlock-nesting", "locks"},  {"self-deadlock", "locks"},
    {"lock-contended", "locks"}, {"semaphore-cap", "locks"},
    {"over-release", "locks"},   {"event-wake", "locks"},
    {"stream-1x1", "queues"},    {"stream-1x2", "queues"},
    {"handoff", "queues"},       {"pingpong", "ipc"},
    {"pool-dispatch", "ipc"},
};

/* c->arg: which interpreter runs the case. */
enum { INTERP_MAIN = 0, INTERP_FREE = 1 };

int tvp_python_launch_of(const struct tvp_case *c, struct tvp_py_launch *l)
{
    memset(l, 0, sizeof *l);
    for (size_t i = 0; i < sizeof bench_modules / sizeof bench_modules[0]; i++)
        if (!strcmp(bench_modules[i].bench, c->benchmark))
            l->module = bench_modules[i].module;
    if (!l->module || !env.found)
        return -1;
    l->interpreter = c->arg == INTERP_FREE && env.has_free ? env.free.path : env.main.path;
    l->script_dir = env.script_dir;
    l->quick = run_quick;
    l->switch_interval_s = run_switch_interval;
    return 0;
}

static const char counters_off_reason[] =
    "the subject runs in the Python worker, started before the counters open";

static void base(struct tvp_case *c, const char *bench, const char *variant, const char *model,
                 const struct tvp_placement *pl)
{
    tvp_case_init(c, &tvp_group_python, bench, variant, model, pl);
    c->setup = tvp_pybridge_setup;
    c->run = tvp_pybridge_run;
    c->teardown = tvp_pybridge_teardown;
    c->counters_off = counters_off_reason;
    c->arg = INTERP_MAIN;
}

static void metrics(struct tvp_case *c, int n, const char *const *names)
{
    c->n_metrics = n;
    for (int i = 0; i < n; i++) {
        c->metric[i] = names[i];
        c->unit[i] = "ns";
    }
}

static void param(struct tvp_case *c, const char *name, long long v)
{
    snprintf(c->param, sizeof c->param, "%s", name);
    c->param_value = v;
}

static int spread(struct tvp_case *c, const struct tvp_plan_ctx *ctx, int n)
{
    c->n_pus = n;
    return tvp_plan_spread(ctx->topo, n, c->pus) != 0 ? EINVAL : 0;
}

/* The placements a pair benchmark runs on: same PU and the nearest cross-core pair (the latter
 * alone in quick mode, as the C groups' claims read it). */
static int pair_placements(struct tvp_plan *p, const struct tvp_plan_ctx *ctx, int both,
                           const struct tvp_placement **out)
{
    int n = 0;
    const struct tvp_placement *cross = tvp_placement_cross_core(ctx->placements);
    if ((both || !cross) && tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU))
        out[n++] = &ctx->placements[TVP_PL_SAME_PU];
    if (cross && tvp_plan_placement_ok(p, ctx, cross->kind))
        out[n++] = cross;
    return n;
}

static int plan_start(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    static const char *const m[] = {"start-to-running", "start-to-joined"};
    const struct tvp_placement *pls[2];
    int npl = 0;
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU))
        pls[npl++] = &ctx->placements[TVP_PL_SAME_PU];
    const struct tvp_placement *cross = tvp_placement_cross_core(ctx->placements);
    if (!ctx->opt->quick && cross && tvp_plan_placement_ok(p, ctx, cross->kind))
        pls[npl++] = cross;
    char methods[64];
    snprintf(methods, sizeof methods, "%s", env.main.start_methods);
    for (int k = 0; k < npl; k++) {
        struct tvp_case c;
        base(&c, "start", "Thread", "thread", pls[k]);
        metrics(&c, 2, m);
        snprintf(c.note, sizeof c.note, "threading.Thread start() .. first statement / join()");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
        char *save = NULL, copy[64];
        snprintf(copy, sizeof copy, "%s", methods);
        for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            char variant[TVP_NAME_LEN];
            snprintf(variant, sizeof variant, "Process-%s", w);
            base(&c, "start", variant, "process", pls[k]);
            metrics(&c, 2, m);
            /* A process start is an interpreter's (tens of ms with spawn and forkserver). */
            c.sample_cap_scale = 3;
            snprintf(c.note, sizeof c.note,
                     "multiprocessing %s context: Process start() .. first statement / join()", w);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    }
    return 0;
}

/* C5 in CPython: a python3 -c program whose thread still has work_ms of sleep when main is
 * done, daemon or not; work_ms as the spawn group's exit benchmark, so the two compare. */
static int plan_exit(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU))
        return 0;
    static const char *const m[] = {"start-to-exit", "main-to-exit", "work-done"};
    /* no-thread: the interpreter's own exit, which the daemon one is read against. */
    static const char *const variants[] = {"non-daemon", "daemon", "no-thread"};
    for (int v = 0; v < 3; v++) {
        struct tvp_case c;
        base(&c, "exit", variants[v], "thread", &ctx->placements[TVP_PL_SAME_PU]);
        metrics(&c, 3, m);
        c.unit[2] = "fraction";
        param(&c, "work_ms", ctx->opt->quick ? 20 : 50);
        /* Each operation is a whole interpreter's life (tens of ms): a few per batch suffice, and
         * its floor of samples needs a longer cap than a microsecond figure. */
        c.max_iters = 8;
        c.sample_cap_scale = 3;
        if (v < 2)
            snprintf(c.note, sizeof c.note,
                     "python3 -I -c: main done while a %s thread sleeps work_ms; work-done = "
                     "share of runs whose thread finished",
                     variants[v]);
        else
            snprintf(c.note, sizeof c.note,
                     "python3 -I -c: the same program without the thread: the interpreter's own "
                     "exit");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    return 0;
}

/* Quick: 1 and the PU count; full: the sweep every group uses (tvp_plan_worker_sweep). */
static int worker_counts(const struct tvp_plan_ctx *ctx, int *out)
{
    if (ctx->opt->quick) {
        struct tvp_topo_summary sum;
        tvp_topo_summarize(ctx->topo, &sum);
        int n = 0;
        out[n++] = 1;
        if (sum.pus > 1)
            out[n++] = sum.pus;
        return n;
    }
    return tvp_plan_worker_sweep(ctx->topo, out, 12);
}

static int plan_scaling(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD))
        return 0;
    /* Above 1 worker each operation pairs a 1-worker and a W-worker job (tvpy/gil.py): the
     * speed-up is read within a pair, where both jobs see the same machine. */
    static const char *const m[] = {"per-job", "per-job-1", "worker-cpu", "worker-cpu-1"};
    static const char *const m1[] = {"per-job", "worker-cpu"};
    int w[16], nw = worker_counts(ctx, w);
    static const char *const variants[] = {"threads", "processes", "threads-free"};
    for (int v = 0; v < 3; v++) {
        if (v == 2 && !env.has_free) {
            tvp_plan_skip(p, "scaling threads-free: %s", env.free_note);
            continue;
        }
        for (int i = 0; i < nw; i++) {
            struct tvp_case c;
            base(&c, "scaling", variants[v], v == 1 ? "process" : "thread",
                 &ctx->placements[TVP_PL_SPREAD]);
            if (w[i] == 1)
                metrics(&c, 2, m1);
            else
                metrics(&c, 4, m);
            param(&c, "workers", w[i]);
            if (spread(&c, ctx, w[i]))
                return EINVAL;
            c.arg = v == 2 ? INTERP_FREE : INTERP_MAIN;
            c.max_iters = 64;
            /* A job is a GIL-bound loop of tens of ms, and 21 of them the floor below. */
            c.sample_cap_scale = 3;
            /* A 1-worker job leaves the other PUs idle; the next N-worker job would start them
             * cold (harness/pu_awake.h). */
            c.keep_pus_awake = 1;
            /* C6 reads the median of paired speed-ups with its distribution-free CI: 31 samples
             * bound it by the 10th and 22nd. Not fewer: the host here sometimes holds a vCPU for
             * half a second, 8 pairs in a row at no speed-up, which in a quick run's 21 pairs
             * reached the CI's 6th. */
            c.min_repetitions = 31;
            snprintf(c.note, sizeof c.note,
                     "%s; speed-up = per-job-1 / per-job of each repetition (back-to-back jobs)",
                     v == 2   ? "free-threaded interpreter"
                     : v == 1 ? "multiprocessing.Pool (fork)"
                              : "threading.Thread per worker");
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    }
    return 0;
}

static int plan_locks(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    int quick = ctx->opt->quick;
    const struct tvp_placement *same = &ctx->placements[TVP_PL_SAME_PU];
    struct tvp_case c;
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU)) {
        static const char *const kinds[] = {"Lock", "RLock", "Semaphore", "BoundedSemaphore"};
        static const char *const m1[] = {"acquire+release"};
        for (int k = 0; k < 4; k++) {
            base(&c, "lock-uncontended", kinds[k], "thread", same);
            metrics(&c, 1, m1);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
        static const char *const m2[] = {"per-level", "nest"};
        static const long long depths[] = {1, 2, 4, 8};
        for (int d = 0; d < 4; d++) {
            if (quick && depths[d] != 1 && depths[d] != 4)
                continue;
            base(&c, "rlock-nesting", "RLock", "thread", same);
            metrics(&c, 2, m2);
            param(&c, "depth", depths[d]);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
        static const char *const m3[] = {"refused"};
        base(&c, "self-deadlock", "Lock", "thread", same);
        metrics(&c, 1, m3);
        snprintf(c.note, sizeof c.note,
                 "a held Lock re-acquired by its holder: acquire(timeout=0) "
                 "returns False");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
        base(&c, "over-release", "BoundedSemaphore", "thread", same);
        metrics(&c, 1, m3);
        snprintf(c.note, sizeof c.note,
                 "release() of a full BoundedSemaphore(5) raises ValueError");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD)) {
        static const char *const m4[] = {"per-op"};
        int w[16], nw = worker_counts(ctx, w);
        for (int i = 0; i < nw; i++) {
            base(&c, "lock-contended", "Lock", "thread", &ctx->placements[TVP_PL_SPREAD]);
            metrics(&c, 1, m4);
            param(&c, "threads", w[i]);
            if (spread(&c, ctx, w[i]))
                return EINVAL;
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
        static const char *const m5[] = {"per-op", "max-holders"};
        base(&c, "semaphore-cap", "BoundedSemaphore", "thread", &ctx->placements[TVP_PL_SPREAD]);
        metrics(&c, 2, m5);
        c.unit[1] = "count";
        param(&c, "threads", 8);
        if (spread(&c, ctx, 8))
            return EINVAL;
        snprintf(c.note, sizeof c.note, "BoundedSemaphore(5) shared by 8 threads");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    static const char *const m6[] = {"set-to-first-wake", "set-to-last-wake"};
    const struct tvp_placement *pls[2];
    int npl = pair_placements(p, ctx, !quick, pls);
    static const long long waiters[] = {1, 4};
    for (int k = 0; k < npl; k++)
        for (int v = 0; v < 2; v++)
            for (int w = 0; w < 2; w++) {
                base(&c, "event-wake", v ? "multiprocessing.Event" : "threading.Event",
                     v ? "process" : "thread", pls[k]);
                metrics(&c, 2, m6);
                param(&c, "waiters", waiters[w]);
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    return 0;
}

static const char *const queue_kinds[] = {"Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"};

static int plan_queues(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    const struct tvp_placement *pls[2];
    int npl = pair_placements(p, ctx, !ctx->opt->quick, pls);
    static const char *const ms[] = {"per-msg", "lat-p50", "lat-p99"};
    static const char *const mh[] = {"mean", "p50", "p99"};
    struct tvp_case c;
    for (int q = 0; q < 4; q++)
        for (int k = 0; k < npl; k++) {
            base(&c, "stream-1x1", queue_kinds[q], "thread", pls[k]);
            metrics(&c, 3, ms);
            snprintf(c.note, sizeof c.note, "producer on PU %d, consumer on PU %d", c.pu_a, c.pu_b);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
            base(&c, "handoff", queue_kinds[q], "thread", pls[k]);
            metrics(&c, 3, mh);
            snprintf(c.note, sizeof c.note,
                     "one message in flight; producer on PU %d, consumer "
                     "on PU %d",
                     c.pu_a, c.pu_b);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
            if (pls[k]->kind == TVP_PL_SAME_PU)
                continue;
            base(&c, "stream-1x2", queue_kinds[q], "thread", pls[k]);
            metrics(&c, 3, ms);
            snprintf(c.note, sizeof c.note, "producer on PU %d, two consumers on PU %d", c.pu_a,
                     c.pu_b);
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    return 0;
}

static int plan_ipc(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    const struct tvp_placement *pls[2];
    int npl = pair_placements(p, ctx, 0, pls);
    static const long long full[] = {64, 4096, 65536, 1048576}, quick[] = {64, 65536};
    const long long *sizes = ctx->opt->quick ? quick : full;
    int n_sizes = ctx->opt->quick ? 2 : 4;
    static const struct {
        const char *variant, *model;
    } transports[] = {{"queue.SimpleQueue", "thread"},
                      {"Pipe", "process"},
                      {"Queue", "process"},
                      {"Manager-dict", "process"},
                      {"SharedMemory", "process"},
                      {"SharedMemory-offset", "process"},
                      {"SharedMemory-offset", "thread"}};
    static const char *const m[] = {"rtt", "rtt-p50", "rtt-p99"};
    struct tvp_case c;
    for (int k = 0; k < npl; k++)
        for (size_t t = 0; t < sizeof transports / sizeof transports[0]; t++)
            for (int s = 0; s < n_sizes; s++) {
                base(&c, "pingpong", transports[t].variant, transports[t].model, pls[k]);
                metrics(&c, 3, m);
                param(&c, "bytes", sizes[s]);
                snprintf(c.note, sizeof c.note, "round trip; %s",
                         t == 0 ? "the bytes object's reference is handed over, no copy"
                         : !strcmp(transports[t].variant, "SharedMemory-offset")
                             ? "written once in place in a SharedMemory slot, only the offset "
                               "through a Pipe, read and checked in place, its offset handed back"
                             : "the echo process sends back what it received");
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD))
        return 0;
    struct tvp_topo_summary sum;
    tvp_topo_summarize(ctx->topo, &sum);
    static const struct {
        const char *variant, *model;
    } pools[] = {{"Pool", "process"},
                 {"ThreadPool", "thread"},
                 {"Process-per-task", "process"},
                 {"Thread-per-task", "thread"}};
    static const char *const mp[] = {"per-task"};
    for (size_t v = 0; v < sizeof pools / sizeof pools[0]; v++) {
        base(&c, "pool-dispatch", pools[v].variant, pools[v].model,
             &ctx->placements[TVP_PL_SPREAD]);
        metrics(&c, 1, mp);
        param(&c, "workers", sum.pus);
        if (spread(&c, ctx, sum.pus))
            return EINVAL;
        snprintf(c.note, sizeof c.note, "empty tasks; %s",
                 v < 2 ? "pool made in set-up; join() before close() must raise ValueError"
                       : "one task after the other");
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    return 0;
}

static int python_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    run_quick = ctx->opt->quick;
    run_switch_interval = ctx->opt->switch_interval_s;
    tvp_python_probe(ctx->opt->python[0] ? ctx->opt->python : NULL, &env);
    tvp_python_describe(&env, p->facts, sizeof p->facts);
    if (!env.found) {
        snprintf(p->missing, sizeof p->missing, "%s", env.missing);
        tvp_plan_skip(p, "every Python benchmark: %s", env.missing);
        return 0;
    }
    int rc;
    if ((rc = plan_start(p, ctx)) || (rc = plan_exit(p, ctx)) || (rc = plan_scaling(p, ctx)) ||
        (rc = plan_locks(p, ctx)) || (rc = plan_queues(p, ctx)) || (rc = plan_ipc(p, ctx)))
        return rc;
    return 0;
}

static const struct tvp_bench_info python_benches[] = {
    {"start", "threading.Thread and multiprocessing.Process (each start method) start+join"},
    {"exit", "exit time of a python3 -c program whose thread still works: daemon vs not; "
             "daemon = True after start() refused with RuntimeError"},
    {"scaling", "CPU-bound job over 1 .. 2x PUs Python threads, a Pool, and a free-threaded "
                "build when present"},
    {"lock-uncontended", "Lock, RLock, Semaphore, BoundedSemaphore acquire+release"},
    {"rlock-nesting", "RLock cost per nesting level, depth 1..8"},
    {"self-deadlock", "a held Lock re-acquired by its holder is refused (timeout 0)"},
    {"lock-contended", "Lock shared by 1 .. 2x PUs threads, no lost update"},
    {"semaphore-cap", "BoundedSemaphore(5): most holders observed"},
    {"over-release", "BoundedSemaphore over-release raises ValueError"},
    {"event-wake", "threading.Event and multiprocessing.Event set() to waiters running"},
    {"stream-1x1", "Queue, LifoQueue, PriorityQueue, SimpleQueue: ns/message and latency, 1:1"},
    {"stream-1x2", "the same, one producer and two consumers"},
    {"handoff", "put-to-get latency with one message in flight"},
    {"pingpong", "round trip by size: Pipe, Queue, Manager().dict(), SharedMemory, a reference "
                 "between threads, and SharedMemory written in place with only the offset "
                 "through a Pipe, between processes and between threads"},
    {"pool-dispatch", "per-task cost: Pool, ThreadPool, a process or thread per task; join "
                      "before close refused"},
};

const struct tvp_group tvp_group_python = {
    .name = "python",
    .description = "the same claims in CPython: threading, queue, multiprocessing (python3)",
    .benches = python_benches,
    .n_benches = sizeof python_benches / sizeof python_benches[0],
    .plan = python_plan,
    .chart_data = tvp_python_chart_data,
    .judges = NULL,
    .n_judges = 0,
    .report_section = tvp_python_report_section,
    .claim_addendum = tvp_python_addendum,
};
