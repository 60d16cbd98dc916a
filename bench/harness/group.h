/* What a benchmark group hands the harness: a descriptor with its benchmarks (for `list`), a
 * planner that turns options and placements into cases, a chart-data writer and the claims it
 * judges. A case is one benchmark x variant x placement x parameter; each of its metrics becomes
 * one figure (one row of <group>.csv).
 *
 * The harness times nothing itself inside a case: the case's run function executes `iters`
 * operations and returns, per metric, the total over those operations (ns for time metrics).
 * Only the subject is timed there; set-up happens in setup(), outside. */
#ifndef TVP_GROUP_H
#define TVP_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "placement.h"

#define TVP_MAX_METRICS  8
#define TVP_MAX_CASE_PUS 512
/* Room for "0;1;...;N" for every PU a case may use, so the cpus column is never cut. */
#define TVP_CPUS_LEN 4096
#define TVP_NAME_LEN 40

struct tvp_case;
struct tvp_resultset;
struct tvp_verdict;

typedef int (*tvp_setup_fn)(const struct tvp_case *c, void **state, char *err, size_t errlen);
/* Runs iters operations; adds each metric's total to totals[m]. Returns 0, or -1 with the reason
 * in err when the operation's own check failed (the figure is then reported `failed`). */
typedef int (*tvp_run_fn)(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                          char *err, size_t errlen);
typedef void (*tvp_teardown_fn)(const struct tvp_case *c, void *state);

struct tvp_case {
    const struct tvp_group *group;
    char benchmark[TVP_NAME_LEN];
    char variant[TVP_NAME_LEN];
    char model[16];           /* "thread" or "process" */
    char param[TVP_NAME_LEN]; /* "" when the case has no parameter */
    long long param_value;
    enum tvp_placement_kind placement;
    int pu_a, pu_b; /* the measuring task runs on pu_a; its partner on pu_b */
    int n_pus;      /* for TVP_PL_SPREAD: the workers' PUs, in order */
    int pus[TVP_MAX_CASE_PUS];
    int n_metrics;
    const char *metric[TVP_MAX_METRICS];
    const char *unit[TVP_MAX_METRICS];
    /* Each operation contributes one timed interval per metric: the harness subtracts the
     * measured timer cost once per operation from such metrics. */
    int per_op_timed;
    uint64_t max_iters; /* 0: no cap */
    /* 1: the case's PUs are kept out of idle while it runs (harness/pu_awake.h), for a case
     * that compares work on N PUs with the same work on fewer and leaves PUs idle between. */
    int keep_pus_awake;
    /* At least this many repetitions (samples), whatever --repetitions asks: for a figure judged
     * on its own median's distribution-free CI, which is [min, max] below 9 samples. 0: none. */
    int min_repetitions;
    /* The adaptive rule's time cap for this case, as a multiple of the run's --max-time (0: 1x):
     * for a case whose operation costs what its design says (a 1 GiB fork, a 20 ms exit demo),
     * so that its floor of samples fits under its cap (harness/sampling.h). */
    double sample_cap_scale;
    long arg;       /* the group's own selector (e.g. the start method) */
    char note[160]; /* shown in the CSV note column */
    /* Non-NULL: this case's counters would not count its subject (e.g. a process started
     * before they are opened); the reason goes to the note and the counter columns stay empty. */
    const char *counters_off;
    tvp_setup_fn setup;
    tvp_run_fn run;
    tvp_teardown_fn teardown;
};

/* What a planner sees. */
struct tvp_plan_ctx {
    const struct tvp_options *opt;
    const struct tvp_placement *placements; /* TVP_PL_COUNT entries */
    const struct tvp_topo *topo;
    const char *helper_path; /* the exec'd spawn helper */
};

struct tvp_plan {
    struct tvp_case *cases;
    size_t len, cap;
    /* Placements a group wanted but the machine (or --placement) excluded, for the log. */
    char skipped[8][160];
    int n_skipped;
    /* What the group found of its environment (e.g. the Python interpreter), for the log and
     * meta.json; and, when the whole group cannot be measured here, why. */
    char facts[600];
    char missing[300];
};

/* Starts a case of group g: its identity and the placement's PUs, every other field zero. */
void tvp_case_init(struct tvp_case *c, const struct tvp_group *g, const char *benchmark,
                   const char *variant, const char *model, const struct tvp_placement *pl);
/* Appends a copy of c. Returns 0 or ENOMEM. */
int tvp_plan_add(struct tvp_plan *p, const struct tvp_case *c);
void tvp_plan_free(struct tvp_plan *p);
/* Records why something the group would plan is left out (for the log); beyond the room in
 * p->skipped, reasons are dropped. */
void tvp_plan_skip(struct tvp_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 when placement k is available on this machine and selected by --placement; otherwise 0 and
 * the reason is recorded in p->skipped (once per kind). */
int tvp_plan_placement_ok(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                          enum tvp_placement_kind k);

struct tvp_bench_info {
    const char *name;
    const char *description;
};

struct tvp_claim_judge {
    const char *claim_id;
    void (*judge)(const struct tvp_resultset *rs, struct tvp_verdict *v);
};

/* The part of a claim that a group measures while another group judges the claim (C12: the
 * spawn group judges the pools, the ipc group measures Pipe, Queue and Manager). */
struct tvp_claim_part {
    const char *claim_id;
    /* Appends the part's figures to figs; returns 1 when measured with every check passed, 0
     * when missing, -1 when a check failed. */
    int (*part)(const struct tvp_resultset *rs, char *figs, size_t len);
};

struct tvp_group {
    const char *name;
    const char *description;
    const struct tvp_bench_info *benches;
    size_t n_benches;
    int (*plan)(struct tvp_plan *p, const struct tvp_plan_ctx *ctx);
    /* Writes charts/<group>-<chart>.dat files from the loaded results. Returns 0 or an error
     * number. */
    int (*chart_data)(const struct tvp_resultset *rs, const char *charts_dir);
    const struct tvp_claim_judge *judges;
    size_t n_judges;
    const struct tvp_claim_part *claim_parts;
    size_t n_claim_parts;
    /* Optional: a section of the report of the group's own (e.g. the context-switch costs):
     * writes its title and its lines (one finding each, '\n'-separated) and returns 1, or 0
     * when the run has nothing for it. */
    int (*report_section)(const struct tvp_resultset *rs, char *title, size_t tlen, char *lines,
                          size_t llen);
    /* Optional: adds this group's own figures to the verdict of claim claim_id, judged by
     * whichever group measures the claim (the python group: the claim measured in CPython, with
     * its ratio to the C figure). Claims the group has nothing for are left alone. */
    void (*claim_addendum)(const struct tvp_resultset *rs, const char *claim_id,
                           struct tvp_verdict *v);
};

/* The worker counts every sweep uses (sched scaling, contended locks, queue streams, python
 * scaling): 1, 2, 4, ... below the PU count, then the PU count and twice it (oversubscribed),
 * each once, ascending, none above TVP_MAX_CASE_PUS; a plan that grows with log2(PUs), not
 * with PUs. Writes at most max counts to out and returns how many. */
int tvp_plan_worker_sweep(const struct tvp_topo *t, int *out, int max);
/* The largest count tvp_plan_worker_sweep yields for t: twice the PU count, capped. */
int tvp_plan_sweep_max(const struct tvp_topo *t);
/* 1 when w is one of the sweep's ends, 1, 2, the PU count or twice it: the counts the judges
 * read, kept where a plan thins its sweep (quick runs, secondary series on big machines). */
int tvp_plan_sweep_is_end(const struct tvp_topo *t, int w);

/* The registry (bench/registry.c, from the list in bench/groups.h). */
extern const struct tvp_group *const tvp_groups[];
extern const size_t tvp_groups_len;
const struct tvp_group *tvp_group_find(const char *name);

#endif
