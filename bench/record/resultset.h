/* A results folder read back: every figure of every <group>.csv with its samples from
 * <group>.samples.csv, and a few machine facts from meta.json. Charts and the report are derived
 * from this alone, so `run.sh plot DIR` redraws them later or on another machine. */
#ifndef TVP_RESULTSET_H
#define TVP_RESULTSET_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "counters.h"
#include "group.h"
#include "sampling.h"

struct tvp_fig {
    char group[32], benchmark[40], variant[40], model[16], placement[24];
    char cpus[TVP_CPUS_LEN];
    char param[40];
    long long param_value;
    char metric[40], unit[16];
    size_t n;
    double median, ci_low, ci_high, mean, min, max, p5, p95, p99, mad, cv;
    int noisy;
    enum tvp_stop stop; /* why its case stopped sampling; TVP_STOP_NONE when not recorded */
    char status[16];
    char note[640];
    int n_ctr;
    char ctr_column[TVP_MAX_COUNTERS][64];
    double ctr_value[TVP_MAX_COUNTERS];
    int ctr_valid[TVP_MAX_COUNTERS];
    double *samples;
    size_t n_samples;
};

struct tvp_resultset {
    char dir[PATH_MAX];
    struct tvp_fig *figs;
    size_t n;
    char groups[256]; /* groups whose CSV was found, comma-separated */
    char host[128], date[40], status[24], cpu_model[160], kernel[128], virt[200];
    double timer_cost_ns;
    int cores; /* from meta.json's topology; 0 when unknown */
    /* meta.json's environment: the Python interpreter measured, or why none was. */
    char python_facts[600], python_missing[300];
    /* What the folder held that could not be read (a malformed row or file, a missing samples
     * file): each printed to stderr as one line naming the file and line when it was found, and
     * left out. Commands that read a folder exit non-zero when n_problems > 0. */
    size_t n_problems;
    char first_problem[512];
};

/* Loads dir. Returns 0, or an error number with a message in err: ENOENT when there is no
 * meta.json (not a results folder), EPROTO when meta.json is not valid JSON, lacks what every run
 * writes or has an unknown tvpbench_schema version. Damage below that (a group's file, a row, a
 * sample) costs what it touches only: it is counted in n_problems, printed, and left out. */
int tvp_resultset_load(const char *dir, struct tvp_resultset *rs, char *err, size_t errlen);
void tvp_resultset_free(struct tvp_resultset *rs);
int tvp_rs_has_group(const struct tvp_resultset *rs, const char *group);

/* The ok figure matching every given field; param NULL matches figures without a parameter.
 * NULL when there is none. */
const struct tvp_fig *tvp_rs_find(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark, const char *variant, const char *placement,
                                  const char *param, long long param_value, const char *metric);

/* The first ok figure of group/benchmark/metric matching the other fields, each of which matches
 * anything when NULL (param_value: when negative). NULL when there is none. */
const struct tvp_fig *tvp_rs_pick(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark, const char *variant, const char *model,
                                  const char *placement, long long param_value, const char *metric);

/* The nearest cross-core placement (same-cache, else cross-cache, else cross-numa) on which
 * group/benchmark has any ok figure; NULL when none has. */
const char *tvp_rs_cross_core_any(const struct tvp_resultset *rs, const char *group,
                                  const char *benchmark);

/* The nearest cross-core placement (same-cache, else cross-cache, else cross-numa, as the
 * planner prefers them) that has this figure without a parameter; NULL when none has it. */
const char *tvp_rs_cross_core(const struct tvp_resultset *rs, const char *group,
                              const char *benchmark, const char *variant, const char *metric);

/* The distinct parameter values of the figures of group/benchmark, ascending, into out (at most
 * max); returns how many. variant, model and metric narrow the figures when not NULL; only_ok:
 * count only figures whose status is ok. */
int tvp_rs_param_values(const struct tvp_resultset *rs, const char *group, const char *benchmark,
                        const char *variant, const char *model, const char *metric, int only_ok,
                        long long *out, int max);

/* The canonical name of a figure: "group/benchmark/variant/model/placement[/param=N]/metric". */
void tvp_fig_name(const struct tvp_fig *f, char *buf, size_t len);

/* Counter per operation by column name ("page_faults"); returns 0 and sets *v when counted. */
int tvp_fig_counter(const struct tvp_fig *f, const char *column, double *v);

/* Columns of a chart's .dat file: " median ci_low ci_high" of x, each divided by unit (1e3: ns to
 * us), or " NaN NaN NaN" when x is NULL, so that gnuplot leaves a gap. */
void tvp_dat_fig(FILE *f, const struct tvp_fig *x, double unit);
/* " v", or " NaN" when v is not finite. */
void tvp_dat_num(FILE *f, double v);
/* " rate low high" in operations per second for a ns-per-operation figure (the inverse swaps the
 * interval's bounds), or " NaN NaN NaN" when x is NULL or not positive. */
void tvp_dat_rate(FILE *f, const struct tvp_fig *x);

#endif
