/* The spawn group: what it costs to start a thread and to start a process (claim C3).
 *
 * "start": for every start method, the time from the start call until the new task runs its
 * first instruction (the timestamp it writes into shared memory) and until it has been joined
 * or reaped, same-PU and on the nearest cross-core pair.
 * "rss-sweep": the same start-to-joined time for fork, posix_spawn and pthread_create while the
 * parent has touched 0 .. 1024 MiB of private memory: fork copies the page tables of all of it,
 * a thread shares them.
 * Both are measured twice: from the suite's own case process ("start", "rss-sweep"), whose address
 * space carries hwloc, libpfm4 and the harness, and from the lean starter ("start-lean",
 * "rss-sweep-lean"), a libc-only program exec'd for the purpose that makes the same starts with
 * the same code and reports its timings back (tvp_spawn.h). C3 is judged on the lean figures: the
 * claim is about starting a process, not about forking this suite.
 * Every start is timed alone, so beside each batch's mean the batch's median of single starts is
 * reported too ("-p50"), the figure tools that time single operations give. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdatomic.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "clock.h"
#include "group.h"
#include "lifecycle.h"
#include "proc_mem.h"
#include "resultset.h"
#include "runner.h"
#include "stats.h"
#include "tvp_spawn.h"
#include "tvp_err.h"

#define MIB (1024ull * 1024ull)

extern const struct tvp_group tvp_group_spawn;

/* Per-start timings of one batch, for the batch's median of single starts. */
#define SPAWN_MAX_ITERS (1u << 16)

struct spawn_state {
    struct tvp_spawner sp;
    struct tvp_lean_starter ls; /* lean cases: the starts are made there */
    int lean;
    void *rss;
    size_t rss_bytes;
    uint64_t *t_run, *t_join; /* SPAWN_MAX_ITERS each, suite cases only */
};

/* Resident KiB of pid, for the same note (fork copies the page-table entries of all of it); -1
 * when /proc does not say. */
static long long rss_kib(pid_t pid)
{
    uint64_t rss, pss, anon;
    char err[160];
    if (tvp_proc_rss_pss(pid, &rss, &pss, &anon, err, sizeof err) != 0)
        return -1;
    return (long long)(rss / 1024);
}

/* The lean starter: $TVP_LEAN_STARTER, else tvp-lean-starter beside the spawn helper (the
 * helpers are built beside tvpbench, which names the spawn helper in $TVP_SPAWN_HELPER). */
static int lean_path(char *out, size_t len, char *err, size_t errlen)
{
    const char *env = getenv("TVP_LEAN_STARTER");
    if (env && env[0]) {
        if (snprintf(out, len, "%s", env) >= (int)len) {
            tvp_errfmt(err, errlen, ENAMETOOLONG, "lean starter %s", env);
            return -1;
        }
        return 0;
    }
    const char *helper = getenv("TVP_SPAWN_HELPER");
    if (!helper || !helper[0]) {
        tvp_errfmt(err, errlen, ENOENT,
                   "lean starter: neither TVP_LEAN_STARTER nor TVP_SPAWN_HELPER is set");
        return -1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", helper);
    if (snprintf(out, len, "%s/tvp-lean-starter", dirname(dir)) >= (int)len) {
        tvp_errfmt(err, errlen, ENAMETOOLONG, "lean starter path");
        return -1;
    }
    return 0;
}

static int lean_setup(const struct tvp_case *c, struct spawn_state *s, const char *helper,
                      int child_cpu, char *err, size_t errlen)
{
    char path[PATH_MAX];
    if (lean_path(path, sizeof path, err, errlen) != 0)
        return -1;
    long long rss = c->param[0] ? c->param_value : 0;
    if (tvp_lean_start(&s->ls, path, helper, c->pu_a, child_cpu, rss, err, errlen) != 0)
        return -1;
    s->lean = 1;
    tvp_runner_note("starts made by tvp-lean-starter (%s libc, %d mappings, %lld KiB resident; "
                    "this case process: %d, %lld KiB), bound to PU %d, inherited {%s}%s",
                    s->ls.linkage, s->ls.maps, rss_kib(s->ls.pid), tvp_count_mappings(),
                    rss_kib(getpid()), c->pu_a, s->ls.inherited,
                    rss && !s->ls.thp_off ? "; MADV_NOHUGEPAGE refused" : "");
    return 0;
}

static int spawn_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct spawn_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating state");
        return -1;
    }
    s->ls.pid = -1;
    s->ls.sock = -1;
    const char *helper = getenv("TVP_SPAWN_HELPER");
    int child_cpu = c->placement == TVP_PL_SAME_PU ? -1 : c->pu_b;
    if (strstr(c->benchmark, "-lean")) {
        if (lean_setup(c, s, helper, child_cpu, err, errlen) != 0) {
            free(s);
            return -1;
        }
        *state = s;
        return 0;
    }
    if (tvp_spawner_init(&s->sp, helper, child_cpu, err, errlen) != 0) {
        free(s);
        return -1;
    }
    s->t_run = calloc(SPAWN_MAX_ITERS, sizeof *s->t_run);
    s->t_join = calloc(SPAWN_MAX_ITERS, sizeof *s->t_join);
    if (!s->t_run || !s->t_join) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating per-start timings");
        goto fail;
    }
    if (c->param[0] && c->param_value > 0) {
        s->rss_bytes = (size_t)c->param_value * MIB;
        s->rss =
            mmap(NULL, s->rss_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (s->rss == MAP_FAILED) {
            s->rss = NULL;
            tvp_errfmt(err, errlen, errno, "mapping %lld MiB of parent memory", c->param_value);
            goto fail;
        }
        /* 4 KiB pages, so the page-table copy fork makes is the one ordinary programs pay. */
        if (madvise(s->rss, s->rss_bytes, MADV_NOHUGEPAGE) != 0)
            tvp_runner_note("madvise(MADV_NOHUGEPAGE) failed (%s): huge pages may be in use",
                            strerror(errno));
        long page = sysconf(_SC_PAGESIZE);
        for (size_t off = 0; off < s->rss_bytes; off += (size_t)page)
            ((volatile char *)s->rss)[off] = (char)off;
    }
    tvp_runner_note("starts made by the suite's case process (%d mappings, %lld KiB resident)",
                    tvp_count_mappings(), rss_kib(getpid()));
    *state = s;
    return 0;
fail:
    free(s->t_run);
    free(s->t_join);
    tvp_spawner_destroy(&s->sp);
    free(s);
    return -1;
}

static void spawn_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct spawn_state *s = state;
    if (!s)
        return;
    if (s->lean) {
        char err[400];
        if (tvp_lean_stop(&s->ls, err, sizeof err) != 0)
            tvp_warn(0, "spawn: %s", err);
    } else {
        if (s->rss && munmap(s->rss, s->rss_bytes) != 0)
            tvp_warn(errno, "spawn: unmapping the parent's memory");
        tvp_spawner_destroy(&s->sp);
    }
    free(s->t_run);
    free(s->t_join);
    free(s);
}

static int lean_run(struct spawn_state *s, enum tvp_spawn_method m, uint64_t iters,
                    uint64_t *totals, char *err, size_t errlen)
{
    struct tvp_lean_result r;
    if (tvp_lean_run(&s->ls, m, iters, &r, err, errlen) != 0)
        return -1;
    totals[0] += r.sum_running;
    totals[1] += r.sum_joined;
    totals[2] += r.p50_running * iters;
    totals[3] += r.p50_joined * iters;
    for (int i = 0; i < r.n_cpus; i++)
        tvp_runner_note_cpu(r.cpus[i]);
    /* The starter is reaped only at teardown, so the harness's getrusage cannot see it. */
    tvp_runner_add_cpu_ns(r.cpu_ns);
    return 0;
}

static int spawn_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen)
{
    struct spawn_state *s = state;
    enum tvp_spawn_method m = (enum tvp_spawn_method)c->arg;
    if (iters > SPAWN_MAX_ITERS) {
        snprintf(err, errlen, "spawn: %llu starts exceed the case's cap",
                 (unsigned long long)iters);
        return -1;
    }
    if (s->lean)
        return lean_run(s, m, iters, totals, err, errlen);
    for (uint64_t i = 0; i < iters; i++) {
        struct tvp_spawn_handle h;
        uint64_t t0 = tvp_now_ns();
        if (tvp_spawn_start(&s->sp, m, &h, err, errlen) != 0)
            return -1;
        if (tvp_spawn_wait(&s->sp, &h, err, errlen) != 0)
            return -1;
        uint64_t t1 = tvp_now_ns();
        uint64_t running = atomic_load_explicit(&s->sp.mark->running_ns, memory_order_acquire);
        if (running < t0 || running > t1) {
            snprintf(err, errlen, "%s: the new task's timestamp lies outside the start..join span",
                     tvp_spawn_method_name(m));
            return -1;
        }
        s->t_run[i] = running - t0;
        s->t_join[i] = t1 - t0;
        totals[0] += running - t0;
        totals[1] += t1 - t0;
        tvp_runner_note_cpu(atomic_load_explicit(&s->sp.mark->cpu, memory_order_relaxed));
    }
    /* The batch's median of single starts, as a total like the others (median x iterations), so
     * the harness's per-operation timer correction applies to it alike. */
    uint64_t p50, p99;
    tvp_u64_p50_p99(s->t_run, iters, &p50, &p99);
    totals[2] += p50 * iters;
    tvp_u64_p50_p99(s->t_join, iters, &p50, &p99);
    totals[3] += p50 * iters;
    return 0;
}

static const struct tvp_bench_info spawn_benches[] = {
    {"start", "start-to-running and start-to-joined/reaped of pthread_create, detached thread, "
              "fork, vfork, clone(CLONE_VM), posix_spawn, fork+exec; same-PU and cross-core"},
    {"rss-sweep", "fork, posix_spawn and pthread_create start-to-joined while the parent has "
                  "touched 0..1024 MiB"},
    {"start-lean", "as start, the starts made by tvp-lean-starter (libc only) instead of the "
                   "suite's case process; what C3 is judged on"},
    {"rss-sweep-lean", "as rss-sweep, the lean starter touching the memory and starting"},
    {"join", "from a task's last instruction to pthread_join / waitpid returning, same-PU and "
             "cross-core"},
    {"exit", "exit time of a program whose worker still has work: daemon vs joinable"},
    {"pool-*", "per-task cost of a thread pool and a process pool vs a thread or process per "
               "task; empty, 10 us and 1 ms tasks; 1..2x PUs workers"},
};

static void base_case(struct tvp_case *c, const char *bench, enum tvp_spawn_method m,
                      const struct tvp_placement *pl)
{
    tvp_case_init(c, &tvp_group_spawn, bench, tvp_spawn_method_name(m),
                  tvp_spawn_method_is_process(m) ? "process" : "thread", pl);
    c->arg = m;
    c->n_metrics = 4;
    c->metric[0] = "start-to-running";
    c->metric[1] = "start-to-joined";
    c->metric[2] = "start-to-running-p50";
    c->metric[3] = "start-to-joined-p50";
    c->unit[0] = c->unit[1] = c->unit[2] = c->unit[3] = "ns";
    c->per_op_timed = 1;
    c->max_iters = SPAWN_MAX_ITERS;
    if (strstr(bench, "-lean"))
        c->counters_off = "the starts are made in the lean starter, started before the counters "
                          "are opened";
    c->setup = spawn_setup;
    c->run = spawn_run;
    c->teardown = spawn_teardown;
}

/* 0 when /proc/meminfo does not say: then only the sweep's 0 MiB point runs. */
static unsigned long long mem_available_mib(void)
{
    uint64_t bytes;
    char err[160];
    if (tvp_proc_meminfo("MemAvailable", &bytes, err, sizeof err) != 0)
        return 0;
    return bytes / MIB;
}

static int spawn_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    enum tvp_placement_kind kinds[2] = {TVP_PL_SAME_PU, TVP_PL_COUNT};
    const struct tvp_placement *cross = tvp_placement_cross_core(ctx->placements);
    if (cross)
        kinds[1] = cross->kind;
    else
        tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_CACHE); /* records why there is none */
    for (int k = 0; k < 2; k++) {
        if (kinds[k] == TVP_PL_COUNT || !tvp_plan_placement_ok(p, ctx, kinds[k]))
            continue;
        const struct tvp_placement *pl = &ctx->placements[kinds[k]];
        /* Suite and lean cases of a method side by side, so both meet the same machine. */
        for (int m = 0; m < TVP_SPAWN_COUNT; m++)
            for (int lean = 0; lean < 2; lean++) {
                struct tvp_case c;
                base_case(&c, lean ? "start-lean" : "start", (enum tvp_spawn_method)m, pl);
                int n = snprintf(c.note, sizeof c.note, "%s",
                                 lean ? "started from tvp-lean-starter (libc only)"
                                      : "started from the suite's case process");
                if (kinds[k] != TVP_PL_SAME_PU && tvp_spawn_method_is_process(m))
                    snprintf(c.note + n, sizeof c.note - (size_t)n,
                             "; the child binds itself to PU %d as its first act", pl->pu_b);
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    }
    int rc = tvp_lifecycle_plan(p, ctx, &tvp_group_spawn);
    if (rc != 0 || !tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU))
        return rc;
    static const long long full[] = {0, 16, 256, 1024}, quick[] = {0, 16, 64};
    const long long *sizes = ctx->opt->quick ? quick : full;
    size_t n_sizes = ctx->opt->quick ? 3 : 4;
    unsigned long long avail = mem_available_mib();
    const enum tvp_spawn_method sweep[] = {TVP_SPAWN_THREAD, TVP_SPAWN_FORK, TVP_SPAWN_POSIX_SPAWN};
    for (size_t i = 0; i < n_sizes; i++) {
        if ((unsigned long long)sizes[i] * 4 > avail) {
            tvp_plan_skip(p, "rss-sweep %lld MiB: skipped, only %llu MiB available", sizes[i],
                          avail);
            continue;
        }
        for (size_t m = 0; m < sizeof sweep / sizeof sweep[0]; m++)
            for (int lean = 0; lean < 2; lean++) {
                struct tvp_case c;
                base_case(&c, lean ? "rss-sweep-lean" : "rss-sweep", sweep[m],
                          &ctx->placements[TVP_PL_SAME_PU]);
                snprintf(c.param, sizeof c.param, "rss_mib");
                c.param_value = sizes[i];
                snprintf(c.note, sizeof c.note,
                         "parent memory touched in 4 KiB pages (THP off) by %s",
                         lean ? "tvp-lean-starter, which starts" : "the suite's case process");
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
    }
    return 0;
}

/* ---- charts ---- */

/* The cross-core placement the start figures of benchmark bench were measured on. */
static const char *cross_placement(const struct tvp_resultset *rs, const char *bench)
{
    return tvp_rs_cross_core(rs, "spawn", bench, "pthread_create", "start-to-joined");
}

/* charts/<chart>.dat from the start figures of benchmark bench ("start" or "start-lean"). */
static int start_chart(const struct tvp_resultset *rs, const char *dir, const char *chart,
                       const char *bench)
{
    struct tvp_afile a;
    int rc = tvp_chart_open(&a, dir, chart);
    if (rc)
        return rc;
    const char *cross = cross_placement(rs, bench);
    fprintf(a.f,
            "# start latency in microseconds (%s): median, 95%% CI low, high\n"
            "# method same-pu:running same-pu:joined %s:running %s:joined "
            "same-pu:joined-p50 (median of single starts per batch)\n",
            bench, cross ? cross : "cross-core", cross ? cross : "cross-core");
    for (int m = 0; m < TVP_SPAWN_COUNT; m++) {
        const char *name = tvp_spawn_method_name((enum tvp_spawn_method)m);
        fprintf(a.f, "\"%s\"", name);
        const char *pls[2] = {"same-pu", cross};
        for (int p = 0; p < 2; p++)
            for (int k = 0; k < 2; k++)
                tvp_dat_fig(a.f,
                            pls[p] ? tvp_rs_find(rs, "spawn", bench, name, pls[p], NULL, 0,
                                                 k ? "start-to-joined" : "start-to-running")
                                   : NULL,
                            1e3);
        tvp_dat_fig(
            a.f, tvp_rs_find(rs, "spawn", bench, name, "same-pu", NULL, 0, "start-to-joined-p50"),
            1e3);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

/* charts/<chart>.dat from the rss sweep of benchmark bench ("rss-sweep" or "rss-sweep-lean"). */
static int rss_chart(const struct tvp_resultset *rs, const char *dir, const char *chart,
                     const char *bench)
{
    struct tvp_afile a;
    int rc = tvp_chart_open(&a, dir, chart);
    if (rc)
        return rc;
    fprintf(a.f,
            "# start-to-joined in microseconds (median, CI low, high) against parent RSS (%s)\n"
            "# rss_mib pthread_create(3) fork(3) posix_spawn(3) page-faults/start: thread "
            "fork posix_spawn\n",
            bench);
    long long sizes[16];
    int n = tvp_rs_param_values(rs, "spawn", bench, "fork", NULL, "start-to-joined", 0, sizes, 16);
    const char *methods[] = {"pthread_create", "fork", "posix_spawn"};
    for (int i = 0; i < n; i++) {
        fprintf(a.f, "%lld", sizes[i]);
        const struct tvp_fig *f[3];
        for (int m = 0; m < 3; m++) {
            f[m] = tvp_rs_find(rs, "spawn", bench, methods[m], "same-pu", "rss_mib", sizes[i],
                               "start-to-joined");
            tvp_dat_fig(a.f, f[m], 1e3);
        }
        /* Counted for the suite's cases only: the lean starter runs outside the counters. */
        for (int m = 0; m < 3; m++) {
            double pf;
            if (f[m] && tvp_fig_counter(f[m], "page_faults", &pf) == 0)
                fprintf(a.f, " %.6g", pf);
            else
                fprintf(a.f, " NaN");
        }
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static int spawn_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc;
    if ((rc = start_chart(rs, dir, "spawn-start", "start")) != 0 ||
        (rc = start_chart(rs, dir, "spawn-start-lean", "start-lean")) != 0 ||
        (rc = rss_chart(rs, dir, "spawn-rss", "rss-sweep")) != 0 ||
        (rc = rss_chart(rs, dir, "spawn-rss-lean", "rss-sweep-lean")) != 0)
        return rc;
    return tvp_lifecycle_chart_data(rs, dir);
}

/* ---- the verdict for C3 ---- */

/* What C3 is judged on: the lean starter's figures when the run has them (the claim is about
 * starting a process, not about forking this suite), else the suite's own; and the batches'
 * medians of single starts when the run has them (what tools that time single starts report; a
 * batch mean carries the tail), else the batch means. */
struct c3_src {
    const char *start, *sweep; /* benchmark names */
    const char *metric;
    const char *from, *stat; /* said in the verdict */
};

static void c3_source(const struct tvp_resultset *rs, struct c3_src *src)
{
    int lean = tvp_rs_find(rs, "spawn", "start-lean", "pthread_create", "same-pu", NULL, 0,
                           "start-to-joined") != NULL;
    src->start = lean ? "start-lean" : "start";
    src->sweep = lean ? "rss-sweep-lean" : "rss-sweep";
    src->from = lean ? "started from tvp-lean-starter (libc only)"
                     : "started from the suite's case process (no lean starter figures)";
    int p50 = tvp_rs_find(rs, "spawn", src->start, "pthread_create", "same-pu", NULL, 0,
                          "start-to-joined-p50") != NULL;
    src->metric = p50 ? "start-to-joined-p50" : "start-to-joined";
    src->stat = p50 ? "median of single starts per batch" : "batch mean";
}

static const struct tvp_fig *start_fig(const struct tvp_resultset *rs, const struct c3_src *src,
                                       const char *method, const char *placement)
{
    return tvp_rs_find(rs, "spawn", src->start, method, placement, NULL, 0, src->metric);
}

#define C3_THRESHOLD 2.0

/* Growth of src's metric from the smallest to the largest parent in the RSS sweep, for one
 * method; 0 when the sweep lacks it. */
static int sweep_growth(const struct tvp_resultset *rs, const struct c3_src *src,
                        const char *method, struct tvp_ratio *r, const struct tvp_fig **small,
                        const struct tvp_fig **large)
{
    long long sizes[16];
    int n = tvp_rs_param_values(rs, "spawn", src->sweep, method, NULL, src->metric, 1, sizes, 16);
    if (n < 2)
        return 0;
    *small =
        tvp_rs_find(rs, "spawn", src->sweep, method, "same-pu", "rss_mib", sizes[0], src->metric);
    *large = tvp_rs_find(rs, "spawn", src->sweep, method, "same-pu", "rss_mib", sizes[n - 1],
                         src->metric);
    return *small && *large && tvp_ratio_of(*large, *small, r) == 0;
}

static void judge_c3(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    struct c3_src src;
    c3_source(rs, &src);
    snprintf(v->rule, sizeof v->rule,
             "ratio of medians (metric %s, the %s; same-pu; tasks %s) of each usual way to "
             "start a process (fork+wait, posix_spawn, fork+exec) to pthread_create+join, 95%% "
             "bootstrap CI: "
             "confirmed when all three are measured and every CI lies above %.0f×, refuted when "
             "every CI lies below 1×, too close to call when a CI contains 1 and none lies above "
             "%.0f×, nuanced otherwise (also when a method is missing)",
             src.metric, src.stat, src.from, C3_THRESHOLD, C3_THRESHOLD);
    const struct tvp_fig *thread = start_fig(rs, &src, "pthread_create", "same-pu");
    if (!thread) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no successful same-pu pthread_create figure in this run");
        return;
    }
    char a[32], b[32];
    tvp_fmt_ns(a, sizeof a, thread->median);
    snprintf(v->figures, sizeof v->figures,
             "pthread_create+join %s [95%% CI %.3g–%.3g µs] (PU %.64s)", a, thread->ci_low / 1e3,
             thread->ci_high / 1e3, thread->cpus);
    static const char *const main_set[] = {"fork", "posix_spawn", "fork-exec"};
    static const char *const aside[] = {"vfork", "clone-vm", "pthread-detached"};
    int above = 0, below = 0, close = 0, measured = 0;
    char slow[160] = "", fast[160] = "", missing[80] = "";
    for (size_t i = 0; i < 3; i++) {
        const struct tvp_fig *f = start_fig(rs, &src, main_set[i], "same-pu");
        struct tvp_ratio r;
        if (!f || tvp_ratio_of(f, thread, &r) != 0) {
            tvp_appendf(missing, sizeof missing, "%s%s", missing[0] ? ", " : "", main_set[i]);
            continue;
        }
        measured++;
        tvp_fmt_ns(a, sizeof a, f->median);
        tvp_appendf(v->figures, sizeof v->figures, "; %s+wait %s = %.3g× [%.3g, %.3g]", main_set[i],
                    a, r.ratio, r.lo, r.hi);
        char *list = r.lo > C3_THRESHOLD ? slow : fast;
        tvp_appendf(list, sizeof slow, "%s%s %.3g×", list[0] ? ", " : "", main_set[i], r.ratio);
        if (r.lo > C3_THRESHOLD)
            above++;
        else if (r.hi < 1.0)
            below++;
        else if (r.lo <= 1.0)
            close++;
    }
    for (size_t i = 0; i < 3; i++) {
        const struct tvp_fig *f = start_fig(rs, &src, aside[i], "same-pu");
        struct tvp_ratio r;
        if (f && tvp_ratio_of(f, thread, &r) == 0) {
            tvp_fmt_ns(a, sizeof a, f->median);
            tvp_appendf(v->figures, sizeof v->figures, "; %s %s = %.3g× [%.3g, %.3g]", aside[i], a,
                        r.ratio, r.lo, r.hi);
        }
    }
    /* Beside the lean figures, what the same starts cost from the suite's own process and the
     * batch means, so a reader sees what the choices of parent and statistic change. */
    for (size_t i = 0; i < 2; i++) {
        const char *method = i ? "fork" : "pthread_create";
        const struct tvp_fig *judged = start_fig(rs, &src, method, "same-pu");
        const struct tvp_fig *suite =
            tvp_rs_find(rs, "spawn", "start", method, "same-pu", NULL, 0, src.metric);
        const struct tvp_fig *mean =
            tvp_rs_find(rs, "spawn", src.start, method, "same-pu", NULL, 0, "start-to-joined");
        struct tvp_ratio r;
        if (judged && suite && suite != judged && tvp_ratio_of(suite, judged, &r) == 0) {
            tvp_fmt_ns(a, sizeof a, suite->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        "; %s from the suite's case process %s = %.3g× [%.3g, %.3g] the lean "
                        "starter's",
                        method, a, r.ratio, r.lo, r.hi);
        }
        if (judged && mean && mean != judged) {
            tvp_fmt_ns(a, sizeof a, mean->median);
            tvp_appendf(v->figures, sizeof v->figures, "; %s batch mean %s", method, a);
        }
    }
    const char *cross = cross_placement(rs, src.start);
    if (cross) {
        const struct tvp_fig *ft = start_fig(rs, &src, "pthread_create", cross);
        const struct tvp_fig *ff = start_fig(rs, &src, "fork", cross);
        struct tvp_ratio r;
        if (ft && ff && tvp_ratio_of(ff, ft, &r) == 0) {
            tvp_fmt_ns(a, sizeof a, ft->median);
            tvp_fmt_ns(b, sizeof b, ff->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        "; %s (PUs %.64s): pthread_create %s, fork %s = %.3g× [%.3g, %.3g]", cross,
                        ff->cpus, a, b, r.ratio, r.lo, r.hi);
        }
    }
    /* The RSS sweep: how each method grows from the smallest to the largest parent. */
    static const char *const sweep[] = {"fork", "posix_spawn", "pthread_create"};
    char growth[300] = "";
    int fork_grows = 0;
    for (size_t i = 0; i < 3; i++) {
        struct tvp_ratio r;
        const struct tvp_fig *s0, *s1;
        if (!sweep_growth(rs, &src, sweep[i], &r, &s0, &s1))
            continue;
        tvp_fmt_ns(a, sizeof a, s0->median);
        tvp_fmt_ns(b, sizeof b, s1->median);
        tvp_appendf(growth, sizeof growth, "%s%s %s → %s (%.3g× [%.3g, %.3g])",
                    growth[0] ? ", " : "", sweep[i], a, b, r.ratio, r.lo, r.hi);
        if (i == 0) {
            fork_grows = r.lo > 1.0;
            tvp_appendf(v->figures, sizeof v->figures,
                        "; parent RSS %lld → %lld MiB:", s0->param_value, s1->param_value);
        }
    }
    if (growth[0])
        tvp_appendf(v->figures, sizeof v->figures, " %s", growth);

    if (measured == 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary, "no process start figure succeeded");
        return;
    }
    if (above == measured && measured == 3) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "starting a process costs %s the time of starting a thread (same PU)", slow);
    } else if (below == measured) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "every process start measured was faster than pthread_create+join (%s)", fast);
    } else if (above == 0 && close > 0) {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary, "%s: the intervals contain 1 or stay under %.0f×",
                 fast, C3_THRESHOLD);
    } else {
        v->kind = TVP_V_NUANCED;
        if (slow[0])
            snprintf(v->summary, sizeof v->summary, "slow beyond %.0f× for %s", C3_THRESHOLD, slow);
        if (fast[0])
            tvp_appendf(v->summary, sizeof v->summary, "%snot beyond %.0f× for %s",
                        v->summary[0] ? "; " : "", C3_THRESHOLD, fast);
    }
    if (missing[0])
        tvp_appendf(v->summary, sizeof v->summary, "; not measured: %s", missing);
    if (fork_grows)
        tvp_appendf(v->summary, sizeof v->summary,
                    "; fork's cost grows with the parent's memory (%s)", growth);
}

static const struct tvp_claim_judge spawn_judges[] = {
    {"C3", judge_c3}, {"C5", tvp_judge_c5}, {"C12", tvp_judge_c12}};

const struct tvp_group tvp_group_spawn = {
    .name = "spawn",
    .description = "thread vs process start cost (claim C3)",
    .benches = spawn_benches,
    .n_benches = sizeof spawn_benches / sizeof spawn_benches[0],
    .plan = spawn_plan,
    .chart_data = spawn_chart_data,
    .judges = spawn_judges,
    .n_judges = sizeof spawn_judges / sizeof spawn_judges[0],
};
