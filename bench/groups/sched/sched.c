/* The sched group (claim C6 and the context-switch costs): CPU-bound scaling of free threads,
 * processes and threads under an emulated GIL (bench/groups/sched/sched_scaling.c), and the
 * thread-vs-process context switch through a futex and a pipe, with working sets between switches
 * (bench/groups/sched/ctxswitch.c). This file plans the cases, writes the chart data, judges C6 and
 * writes the report's context-switch section. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "claims.h"
#include "ctxswitch.h"
#include "group.h"
#include "resultset.h"
#include "sched_scaling.h"
#include "stats.h"
#include "topology.h"

extern const struct tvp_group tvp_group_sched;

static const char *const modes[] = {"threads",    "processes",    "gil-threads",
                                    "io-threads", "io-processes", "io-gil-threads"};
#define N_MODES 6
static const char *const mechanisms[] = {"futex", "pipe"};
static const char *const models[] = {"thread", "process"};
static const long long sets_full[] = {0, 65536, 1048576, 16777216};

static int sched_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    int quick = ctx->opt->quick, rc;
    struct tvp_topo_summary sum;
    tvp_topo_summarize(ctx->topo, &sum);
    const struct tvp_placement *pl = ctx->placements;
    if (tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD)) {
        int max = tvp_plan_sweep_max(ctx->topo);
        int workers[64];
        int nw = tvp_plan_worker_sweep(ctx->topo, workers, 64);
        for (int m = 0; m < N_MODES; m++)
            for (int i = 0; i < nw; i++) {
                int w = workers[i], io = m >= 3;
                if (quick && w != 1 && w != sum.pus && (io || w != max))
                    continue;
                struct tvp_case c;
                tvp_case_init(&c, &tvp_group_sched, "scaling", modes[m], "thread",
                              &pl[TVP_PL_SPREAD]);
                if (strstr(modes[m], "processes"))
                    snprintf(c.model, sizeof c.model, "process");
                snprintf(c.param, sizeof c.param, "workers");
                c.param_value = w;
                c.n_pus = w;
                if (tvp_plan_spread(ctx->topo, w, c.pus) != 0)
                    return EINVAL;
                c.n_metrics = 1;
                c.metric[0] = "per-job";
                c.unit[0] = "ns";
                c.arg = (long)(ctx->opt->switch_interval_s * 1e9);
                c.max_iters = 64;
                snprintf(c.note, sizeof c.note,
                         "a job = %d units of ~%d us%s; speed-up = per-job at 1 worker / at N%s",
                         TVP_SCALING_UNITS, TVP_SCALING_UNIT_NS / 1000,
                         io ? " (half work, half sleep)" : "",
                         strstr(modes[m], "gil") ? "; GIL switch interval in meta.json" : "");
                c.setup = tvp_scaling_setup;
                c.run = tvp_scaling_run;
                c.teardown = tvp_scaling_teardown;
                if ((rc = tvp_plan_add(p, &c)) != 0)
                    return rc;
            }
    }
    const struct tvp_placement *cross = tvp_placement_cross_core(pl);
    int same = tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU);
    int cross_ok = cross && tvp_plan_placement_ok(p, ctx, cross->kind);
    for (int k = 0; k < 2; k++) {
        if (same) {
            struct tvp_case c;
            tvp_case_init(&c, &tvp_group_sched, "wake-cost", mechanisms[k], "thread",
                          &pl[TVP_PL_SAME_PU]);
            tvp_csw_describe(&c);
            if ((rc = tvp_plan_add(p, &c)) != 0)
                return rc;
        }
        for (int mo = 0; mo < 2; mo++)
            for (size_t z = 0; z < 4; z++) {
                if (quick && (z == 1 || z == 2))
                    continue;
                const struct tvp_placement *where[2] = {same ? &pl[TVP_PL_SAME_PU] : NULL,
                                                        cross_ok && z == 0 ? cross : NULL};
                for (int w = 0; w < 2; w++) {
                    if (!where[w])
                        continue;
                    struct tvp_case c;
                    tvp_case_init(&c, &tvp_group_sched, "switch", mechanisms[k], models[mo],
                                  where[w]);
                    snprintf(c.param, sizeof c.param, "working-set");
                    c.param_value = sets_full[z];
                    tvp_csw_describe(&c);
                    if ((rc = tvp_plan_add(p, &c)) != 0)
                        return rc;
                }
            }
    }
    return 0;
}

/* ---- figures ---- */

static const struct tvp_fig *sc_fig(const struct tvp_resultset *rs, const char *mode,
                                    long long workers)
{
    return tvp_rs_find(rs, "sched", "scaling", mode, "spread", "workers", workers, "per-job");
}

static const struct tvp_fig *sw_fig(const struct tvp_resultset *rs, const char *bench,
                                    const char *mech, const char *model, const char *placement,
                                    long long set, const char *metric)
{
    return tvp_rs_pick(rs, "sched", bench, mech, model, placement, set, metric);
}

static const char *sw_cross(const struct tvp_resultset *rs)
{
    return tvp_rs_cross_core_any(rs, "sched", "switch");
}

/* Speed-up of a group's (sched: the C emulation, python: CPython) mode at n workers over 1
 * worker, with its CI; 0 when not measured. */
static int group_speedup(const struct tvp_resultset *rs, const char *group, const char *mode,
                         long long n, struct tvp_ratio *r)
{
    return tvp_scaling_speedup(rs, group, mode, n, r) == 0;
}

/* ---- charts ---- */

static int write_scaling(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "sched-scaling")) != 0)
        return rc;
    long long w[64];
    int n = tvp_rs_param_values(rs, "sched", "scaling", NULL, NULL, "per-job", 1, w, 64);
    fputs("# modes:", a.f);
    for (int m = 0; m < N_MODES; m++)
        fprintf(a.f, " %s", modes[m]);
    fprintf(a.f,
            "\n# speed-up over 1 worker (median ratio, 95%% CI low, high) against workers, "
            "one column triple per mode; last column: the ideal, min(workers, PUs = %d)\n",
            rs->cores > 0 ? rs->cores : 0);
    for (int i = 0; i < n; i++) {
        fprintf(a.f, "%lld", w[i]);
        for (int m = 0; m < N_MODES; m++) {
            struct tvp_ratio r;
            if (group_speedup(rs, "sched", modes[m], w[i], &r))
                fprintf(a.f, " %.6g %.6g %.6g", r.ratio, r.lo, r.hi);
            else
                fputs(" NaN NaN NaN", a.f);
        }
        tvp_dat_num(a.f, rs->cores > 0 && w[i] > rs->cores ? rs->cores : (double)w[i]);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

/* Context-switch cost bars (working set 0): per mechanism x model, same PU and cross-core per
 * hand-off, then the mechanism alone (one task, no switch). */
static int write_switch(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "sched-switch")) != 0)
        return rc;
    const char *cross = sw_cross(rs);
    fprintf(a.f,
            "# microseconds (median, 95%% CI low, high): mechanism+model; per hand-off same-pu, "
            "per hand-off %s, the mechanism alone in one task\n",
            cross ? cross : "-");
    for (int k = 0; k < 2; k++)
        for (int mo = 0; mo < 2; mo++) {
            fprintf(a.f, "\"%s, %s\"", mechanisms[k], mo ? "processes" : "threads");
            tvp_dat_fig(a.f,
                        sw_fig(rs, "switch", mechanisms[k], models[mo], "same-pu", 0, "per-switch"),
                        1e3);
            tvp_dat_fig(
                a.f,
                cross ? sw_fig(rs, "switch", mechanisms[k], models[mo], cross, 0, "per-switch")
                      : NULL,
                1e3);
            tvp_dat_fig(a.f, sw_fig(rs, "wake-cost", mechanisms[k], "thread", NULL, -1, "per-op"),
                        1e3);
            fputc('\n', a.f);
        }
    return tvp_afile_commit(&a);
}

/* Cost per hand-off on one PU against the working set touched between switches. */
static int write_working_set(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "sched-working-set")) != 0)
        return rc;
    fputs("# microseconds per hand-off on one PU, the touching taken out (median, 95% CI low, "
          "high) against the working set in KiB (0 drawn at 1): futex threads, futex processes, "
          "pipe threads, pipe processes\n",
          a.f);
    long long z[16];
    int n = tvp_rs_param_values(rs, "sched", "switch", NULL, NULL, "per-switch", 1, z, 16);
    for (int i = 0; i < n; i++) {
        fprintf(a.f, "%g", z[i] ? (double)z[i] / 1024 : 1.0);
        for (int k = 0; k < 2; k++)
            for (int mo = 0; mo < 2; mo++)
                tvp_dat_fig(
                    a.f,
                    sw_fig(rs, "switch", mechanisms[k], models[mo], "same-pu", z[i], "per-switch"),
                    1e3);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static int sched_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc = write_scaling(rs, dir);
    if (rc == 0)
        rc = write_switch(rs, dir);
    return rc ? rc : write_working_set(rs, dir);
}

/* ---- the verdict ---- */

/* One threshold for every speed-up C6 reads, C or Python: a speed-up whose CI lies wholly at or
 * above it "sped up", wholly below it "did not"; a CI that contains it decides nothing. */
#define FLAT 1.25

enum speedup_class { SP_UP, SP_FLAT, SP_OPEN, SP_BEYOND };

/* ideal: the most a fixed CPU-bound job can speed up (N workers on N PUs). A CI wholly above it
 * by more than BEYOND_MARGIN is not a speed-up but the 1-worker and N-worker cases running under
 * different outside load (seen on a shared VM: GIL threads at 2.68x [2.17, 4.27] on 2 PUs); it
 * decides nothing. The margin allows the little superlinearity N cores' own caches give (C
 * processes at 2.06x [2.04, 2.09] on 2 PUs in a full run here), which is no disturbance. */
#define BEYOND_MARGIN 1.1
static enum speedup_class classify(const struct tvp_ratio *r, long long ideal)
{
    return r->lo > BEYOND_MARGIN * (double)ideal ? SP_BEYOND
           : r->lo >= FLAT                       ? SP_UP
           : r->hi < FLAT                        ? SP_FLAT
                                                 : SP_OPEN;
}

static const char *class_words(enum speedup_class c)
{
    return c == SP_UP       ? "sped up"
           : c == SP_FLAT   ? "did not speed up"
           : c == SP_BEYOND ? "undecided (CI wholly above 1.1 × the ideal N×: the cases ran under "
                              "different load)"
                            : "undecided (CI contains the threshold)";
}

/* The claim read in one implementation: threads under a GIL do not speed up, processes do. */
static enum tvp_verdict_kind c6_outcome(const struct tvp_ratio *threads,
                                        const struct tvp_ratio *processes, long long ideal)
{
    enum speedup_class t = classify(threads, ideal), p = classify(processes, ideal);
    if (t == SP_FLAT && p == SP_UP)
        return TVP_V_CONFIRMED;
    if (t == SP_UP || p == SP_FLAT)
        return TVP_V_REFUTED;
    return TVP_V_TOO_CLOSE;
}

/* Whether a group's run was disturbed: one of its CPU-bound speed-ups lies wholly above the
 * ideal, so its 1-worker baselines ran under other load than its N-worker cases and none of
 * that group's speed-ups can be trusted to decide. Names the first such figure in note. */
static int disturbed(const struct tvp_ratio *const *r, const char *const *names, int k,
                     long long ideal, char *note, size_t len)
{
    for (int i = 0; i < k; i++)
        if (r[i] && classify(r[i], ideal) == SP_BEYOND) {
            snprintf(
                note, len,
                "disturbed: %s %.3g× [%.3g, %.3g] lies wholly above 1.1 × the ideal %lld× (its "
                "cases ran under different outside load)",
                names[i], r[i]->ratio, r[i]->lo, r[i]->hi, ideal);
            return 1;
        }
    return 0;
}

/* How many PUs' worth of running a CPython scaling job got: the median over its samples of the
 * workers' CPU ns over the job's wall ns (the 1-worker job of the pair when one). NAN when the
 * run has no such figures. */
static double python_busy(const struct tvp_resultset *rs, const char *variant, long long n, int one)
{
    const struct tvp_fig *cpu = tvp_rs_pick(rs, "python", "scaling", variant, NULL, NULL, n,
                                            one ? "worker-cpu-1" : "worker-cpu");
    const struct tvp_fig *wall =
        tvp_rs_pick(rs, "python", "scaling", variant, NULL, NULL, n, one ? "per-job-1" : "per-job");
    double m, lo, hi;
    if (!cpu || !wall || cpu->n_samples != wall->n_samples || cpu->n_samples == 0 ||
        tvp_paired_ratio_median_ci(cpu->samples, wall->samples, cpu->n_samples, 0.95, &m, &lo,
                                   &hi) != 0)
        return NAN;
    return m;
}

/* A CPython job whose workers ran for less than BUSY_MIN of the PUs' worth they had (N for a
 * Pool's N-worker job; 1 for a 1-worker job and for GIL threads, which take turns) lost its PUs
 * to other load on the machine: its speed-up says nothing of CPython. Names the first in note. */
#define BUSY_MIN 0.75
static int python_starved(const struct tvp_resultset *rs, long long n, char *note, size_t len)
{
    const struct {
        const char *variant, *label;
        int one;
        double expect;
    } jobs[] = {{"processes", "the Pool's N-worker jobs", 0, (double)n},
                {"processes", "the Pool's 1-worker jobs", 1, 1.0},
                {"threads", "the GIL threads' N-worker jobs", 0, 1.0},
                {"threads", "the threads' 1-worker jobs", 1, 1.0}};
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        double busy = python_busy(rs, jobs[i].variant, n, jobs[i].one);
        if (!isnan(busy) && busy < BUSY_MIN * jobs[i].expect) {
            snprintf(note, len,
                     "disturbed: %s ran %.3g PUs' worth of their wall time where %.0f were theirs "
                     "(other load took the PUs)",
                     jobs[i].label, busy, jobs[i].expect);
            return 1;
        }
    }
    return 0;
}

static void fmt_speedup(char *buf, size_t len, const char *label, const struct tvp_ratio *r)
{
    snprintf(buf, len, "%s %.3g× [%.3g, %.3g]", label, r->ratio, r->lo, r->hi);
}

/* "CPython 3.11.7" from meta.json's python_facts, else "CPython". */
static void python_name(const struct tvp_resultset *rs, char *buf, size_t len)
{
    const char *ver = strstr(rs->python_facts, "CPython ");
    if (ver)
        snprintf(buf, len, "%.*s", (int)strcspn(ver + 8, " (,;") + 8, ver);
    else
        snprintf(buf, len, "CPython");
}

static void judge_c6(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "speed-up = per-job of a fixed CPU-bound job at 1 worker / at N = PUs workers "
             "(C: ratio of medians, 95%% bootstrap CI; CPython: median of the speed-ups of "
             "back-to-back 1-worker and N-worker jobs, its 95%% CI). CI low ≥ %.2f×: sped up; CI "
             "high < %.2f×: did not; else undecided. A group is undecided when a speed-up lies "
             "wholly above 1.1 × N× (impossible: outside load) or, for CPython, a job's workers "
             "ran under 0.75 of the PUs' worth they had (worker CPU / wall: other load). "
             "Confirmed when threads did not speed up and processes did; refuted when threads "
             "sped up or processes did not; too close to call otherwise. CPython's threads and "
             "Pool decide where python3 ran, the C emulated-GIL threads explain (both decided "
             "and different: nuanced); without CPython the C emulation decides. A free-threaded "
             "build is its own line; free C threads and the I/O mix are reported",
             FLAT, FLAT);
    v->figures[0] = '\0';
    long long n = rs->cores;
    if (n < 2) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "one PU: nothing can run in parallel on this machine");
        return;
    }

    /* The C emulation: every mode's speed-up at N, the counters, the GIL's cost alone. */
    struct tvp_ratio r[N_MODES];
    int have[N_MODES];
    for (int m = 0; m < N_MODES; m++) {
        have[m] = group_speedup(rs, "sched", modes[m], n, &r[m]);
        if (have[m])
            tvp_appendf(v->figures, sizeof v->figures, "%sC %s %lld workers: %.3g× [%.3g, %.3g]",
                        v->figures[0] ? "; " : "", modes[m], n, r[m].ratio, r[m].lo, r[m].hi);
    }
    for (int m = 0; m < 3; m++) {
        const struct tvp_fig *f = sc_fig(rs, modes[m], n);
        double cs, mig;
        if (f && tvp_fig_counter(f, "context_switches", &cs) == 0 &&
            tvp_fig_counter(f, "cpu_migrations", &mig) == 0)
            tvp_appendf(v->figures, sizeof v->figures,
                        "%s%s, %lld workers: %.3g context switches and %.3g migrations per work "
                        "unit",
                        m ? ", " : "; ", modes[m], n, cs / TVP_SCALING_UNITS,
                        mig / TVP_SCALING_UNITS);
    }
    const struct tvp_fig *g1 = sc_fig(rs, "gil-threads", 1), *t1 = sc_fig(rs, "threads", 1);
    struct tvp_ratio o;
    if (g1 && t1 && tvp_ratio_of(g1, t1, &o) == 0) {
        /* The polling is a cost only where the CI says so; a noisy run must not invent one. */
        if (o.lo > 1.0)
            tvp_appendf(v->figures, sizeof v->figures,
                        "; one worker under the emulated GIL costs %.3g× [%.3g, %.3g] one free "
                        "thread (its polling)",
                        o.ratio, o.lo, o.hi);
        else
            tvp_appendf(v->figures, sizeof v->figures,
                        "; one worker under the emulated GIL: %.3g× [%.3g, %.3g] one free thread, "
                        "no cost of its polling shown",
                        o.ratio, o.lo, o.hi);
    }
    int have_c = have[1] && have[2];
    enum tvp_verdict_kind c_kind = have_c ? c6_outcome(&r[2], &r[1], n) : TVP_V_NOT_MEASURED;
    char c_note[200] = "";
    const struct tvp_ratio *c_all[3] = {have[0] ? &r[0] : NULL, have[1] ? &r[1] : NULL,
                                        have[2] ? &r[2] : NULL};
    static const char *const c_names[3] = {"C free threads", "C processes", "C GIL threads"};
    if (have_c && disturbed(c_all, c_names, 3, n, c_note, sizeof c_note))
        c_kind = TVP_V_TOO_CLOSE;
    char c_text[500] = "";
    if (have_c) {
        char a[96], b[96];
        fmt_speedup(a, sizeof a, "GIL threads", &r[2]);
        fmt_speedup(b, sizeof b, "processes", &r[1]);
        c_text[0] = '\0';
        tvp_appendf(c_text, sizeof c_text, "the C emulation of the GIL %s (%s, %s",
                    c_kind == TVP_V_CONFIRMED ? "confirms the claim"
                    : c_kind == TVP_V_REFUTED ? "refutes the claim"
                                              : "is undecided",
                    a, b);
        if (have[0])
            tvp_appendf(c_text, sizeof c_text, "; free threads %.3g×", r[0].ratio);
        if (c_note[0])
            tvp_appendf(c_text, sizeof c_text, "; %s", c_note);
        tvp_appendf(c_text, sizeof c_text, ")");
    }

    /* CPython: threads and a Pool decide when both were measured at N. */
    char py[64];
    python_name(rs, py, sizeof py);
    struct tvp_ratio pt, pp, pf;
    int have_py = group_speedup(rs, "python", "threads", n, &pt) &&
                  group_speedup(rs, "python", "processes", n, &pp);
    int have_free = group_speedup(rs, "python", "threads-free", n, &pf);
    if (have_py)
        tvp_appendf(v->figures, sizeof v->figures,
                    "%sPython (%s): threads %lld workers: %.3g× [%.3g, %.3g]; Pool %lld workers: "
                    "%.3g× [%.3g, %.3g]",
                    v->figures[0] ? "; " : "", py, n, pt.ratio, pt.lo, pt.hi, n, pp.ratio, pp.lo,
                    pp.hi);
    char free_text[200] = "";
    if (have_free) {
        snprintf(free_text, sizeof free_text,
                 "; free-threaded build: threads %.3g× [%.3g, %.3g], %s (no GIL, no claim)",
                 pf.ratio, pf.lo, pf.hi, class_words(classify(&pf, n)));
        tvp_appendf(v->figures, sizeof v->figures, "%s", free_text);
    }

    if (!have_py) {
        char why[400];
        if (!tvp_rs_has_group(rs, "python"))
            snprintf(why, sizeof why, "CPython was not measured (%s)",
                     rs->python_missing[0] ? rs->python_missing : "the python group did not run");
        else
            snprintf(why, sizeof why,
                     "CPython was not measured (no ok python scaling figures for threads and "
                     "processes at 1 and %lld workers)",
                     n);
        if (!have_c) {
            v->kind = TVP_V_NOT_MEASURED;
            v->summary[0] = '\0';
            tvp_appendf(v->summary, sizeof v->summary,
                        "no GIL-threads and processes scaling figures at N = %lld in this run; %s",
                        n, why);
            return;
        }
        v->kind = c_kind;
        v->summary[0] = '\0';
        tvp_appendf(
            v->summary, sizeof v->summary,
            "decided by the C emulation alone: with %lld workers on %lld PUs, threads under "
            "the emulated GIL %s (%.3g× [%.3g, %.3g]) and processes %s (%.3g× [%.3g, "
            "%.3g]); %s",
            n, n, class_words(classify(&r[2], n)), r[2].ratio, r[2].lo, r[2].hi,
            class_words(classify(&r[1], n)), r[1].ratio, r[1].lo, r[1].hi, why);
        if (c_note[0])
            tvp_appendf(v->summary, sizeof v->summary, "; %s", c_note);
        return;
    }

    enum tvp_verdict_kind p_kind = c6_outcome(&pt, &pp, n);
    char p_note[200] = "";
    const struct tvp_ratio *p_all[2] = {&pt, &pp};
    static const char *const p_names[2] = {"Python threads", "Python Pool"};
    if (disturbed(p_all, p_names, 2, n, p_note, sizeof p_note) ||
        python_starved(rs, n, p_note, sizeof p_note))
        p_kind = TVP_V_TOO_CLOSE;
    char pa[96], pb[96];
    fmt_speedup(pa, sizeof pa, "threads", &pt);
    fmt_speedup(pb, sizeof pb, "Pool", &pp);
    int decided_p = p_kind == TVP_V_CONFIRMED || p_kind == TVP_V_REFUTED;
    int decided_c = c_kind == TVP_V_CONFIRMED || c_kind == TVP_V_REFUTED;
    if (decided_p && decided_c && p_kind != c_kind) {
        v->kind = TVP_V_NUANCED;
        v->summary[0] = '\0';
        tvp_appendf(v->summary, sizeof v->summary,
                    "Python itself and the C emulation disagree: in %s with %lld workers %s %s and "
                    "%s %s (claim %s), while %s",
                    py, n, pa, class_words(classify(&pt, n)), pb, class_words(classify(&pp, n)),
                    p_kind == TVP_V_CONFIRMED ? "holds" : "fails", c_text);
        return;
    }
    v->kind = p_kind;
    v->summary[0] = '\0';
    tvp_appendf(v->summary, sizeof v->summary,
                "in Python itself (%s) with %lld workers on %lld PUs, %s %s and %s %s", py, n, n,
                pa, class_words(classify(&pt, n)), pb, class_words(classify(&pp, n)));
    if (p_note[0])
        tvp_appendf(v->summary, sizeof v->summary, " (%s)", p_note);
    if (c_text[0])
        tvp_appendf(v->summary, sizeof v->summary, "; %s", c_text);
    else
        tvp_appendf(v->summary, sizeof v->summary, "; the C emulation was not measured");
    if (free_text[0])
        tvp_appendf(v->summary, sizeof v->summary, "%s", free_text);
}

/* The report's context-switch section: cost per hand-off, thread vs process. */
static int sched_section(const struct tvp_resultset *rs, char *title, size_t tlen, char *lines,
                         size_t llen)
{
    const char *cross = sw_cross(rs);
    lines[0] = '\0';
    for (int k = 0; k < 2; k++) {
        const struct tvp_fig *wc =
            sw_fig(rs, "wake-cost", mechanisms[k], "thread", NULL, -1, "per-op");
        const struct tvp_fig *f[2][2];
        for (int mo = 0; mo < 2; mo++) {
            f[mo][0] = sw_fig(rs, "switch", mechanisms[k], models[mo], "same-pu", 0, "per-switch");
            f[mo][1] = cross
                           ? sw_fig(rs, "switch", mechanisms[k], models[mo], cross, 0, "per-switch")
                           : NULL;
        }
        if (!f[0][0] && !f[1][0])
            continue;
        char b[4][32], m[32];
        for (int i = 0; i < 4; i++)
            tvp_fmt_ns(b[i], sizeof b[i], f[i / 2][i % 2] ? f[i / 2][i % 2]->median : NAN);
        tvp_fmt_ns(m, sizeof m, wc ? wc->median : NAN);
        const struct tvp_fig *cnt =
            sw_fig(rs, "switch", mechanisms[k], "thread", "same-pu", 0, "switches-per-iter");
        tvp_appendf(lines, llen,
                    "%s: per hand-off on one PU, threads %s, processes %s; cross-core (%s) "
                    "threads %s, processes %s; the mechanism alone (one task, no switch) %s; "
                    "%.2f context switches counted per iteration of two hand-offs on one PU\n",
                    mechanisms[k], b[0], b[2], cross ? cross : "-", b[1], b[3], m,
                    cnt ? cnt->median : NAN);
        struct tvp_ratio r;
        if (f[0][0] && f[1][0] && tvp_ratio_of(f[1][0], f[0][0], &r) == 0)
            tvp_appendf(lines, llen,
                        "%s on one PU: a process switch costs %.3g× [%.3g, %.3g] a thread "
                        "switch\n",
                        mechanisms[k], r.ratio, r.lo, r.hi);
    }
    static const long long big = 16777216;
    const struct tvp_fig *t0 = sw_fig(rs, "switch", "futex", "thread", "same-pu", 0, "per-switch");
    const struct tvp_fig *tb =
        sw_fig(rs, "switch", "futex", "thread", "same-pu", big, "per-switch");
    const struct tvp_fig *p0 = sw_fig(rs, "switch", "futex", "process", "same-pu", 0, "per-switch");
    const struct tvp_fig *pb =
        sw_fig(rs, "switch", "futex", "process", "same-pu", big, "per-switch");
    if (t0 && tb && p0 && pb) {
        char a[4][32];
        tvp_fmt_ns(a[0], sizeof a[0], t0->median);
        tvp_fmt_ns(a[1], sizeof a[1], tb->median);
        tvp_fmt_ns(a[2], sizeof a[2], p0->median);
        tvp_fmt_ns(a[3], sizeof a[3], pb->median);
        tvp_appendf(lines, llen,
                    "TLB and caches (futex, one PU, the touching itself taken out): with 16 MiB "
                    "touched between switches, threads %s -> %s, processes %s -> %s per hand-off\n",
                    a[0], a[1], a[2], a[3]);
    }
    if (!lines[0])
        return 0;
    snprintf(title, tlen, "Context switches: thread vs process");
    return 1;
}

static const struct tvp_claim_judge sched_judges[] = {{"C6", judge_c6}};

static const struct tvp_bench_info sched_benches[] = {
    {"scaling", "speed-up of a fixed CPU-bound job (and an I/O mix) over 1 .. 2x PUs free threads, "
                "processes and threads under an emulated GIL with a switch interval"},
    {"switch", "cost per hand-off between two tasks through a futex and a pipe, threads and "
               "processes, same PU and cross-core, with 0 .. 16 MiB touched between switches"},
    {"wake-cost", "the futex and pipe wake-up path alone, in one task"},
};

const struct tvp_group tvp_group_sched = {
    .name = "sched",
    .description = "CPU-bound scaling with and without an emulated GIL, and the context-switch "
                   "cost of threads vs processes (claim C6)",
    .benches = sched_benches,
    .n_benches = sizeof sched_benches / sizeof sched_benches[0],
    .plan = sched_plan,
    .chart_data = sched_chart_data,
    .judges = sched_judges,
    .n_judges = sizeof sched_judges / sizeof sched_judges[0],
    .report_section = sched_section,
};
