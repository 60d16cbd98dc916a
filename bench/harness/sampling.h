/* The sampling rule: how many calibrated batches (samples) a case takes.
 *
 * By default a case samples until every figure the rule governs has the distribution-free 95% CI
 * of its median within ±target of the median (--ci-target), taking at least n_min samples and
 * stopping at its time cap (--max-time, or the case's own cap) or at n_max samples, whichever
 * comes first; the stopping rule of pyperf's and hyperfine's users, where a figure that hits its
 * cap keeps its honest, wider CI and says so. --repetitions N turns the rule off: exactly N. */
#ifndef TVP_SAMPLING_H
#define TVP_SAMPLING_H

#include <stddef.h>

#include "group.h"

/* A ceiling on samples so that a cheap figure that never settles cannot fill memory; the time
 * cap nearly always stops it first. */
#define TVP_SAMPLES_MAX 1000
/* The fewest samples whose distribution-free CI of the median reaches 95% ([min, max] at 6). */
#define TVP_SAMPLES_FOR_CI 6

enum tvp_stop {
    TVP_STOP_NONE,   /* not stopped (or not recorded: a run from before the rule) */
    TVP_STOP_TARGET, /* every governed figure's CI within the target */
    TVP_STOP_CAP,    /* the time cap came first: the CI is what it is */
    TVP_STOP_MAX,    /* TVP_SAMPLES_MAX samples */
    TVP_STOP_FIXED,  /* --repetitions: a fixed count */
};

struct tvp_sampling {
    int fixed;       /* 1: exactly n_min samples */
    int n_min;       /* samples always taken */
    int n_max;       /* never more */
    double target;   /* relative CI half-width, e.g. 0.03 */
    double cap_s;    /* sampling time after which the case stops once it has n_min */
    int cap_is_case; /* the case scales the run's cap (a cost fixed by its design) */
};

/* The rule for case c under options o (resolved). */
void tvp_sampling_for_case(const struct tvp_case *c, const struct tvp_options *o,
                           struct tvp_sampling *s);

/* 1 when metric m of c is governed by the rule: a time (ns) that is not a tail percentile
 * ("...p99": its batches vary by design) nor the CPU time beside a wall time ("cpu"). */
int tvp_sampling_governs(const struct tvp_case *c, int m);
/* The same by a figure's metric name and unit (a results folder read back). */
int tvp_sampling_governs_metric(const char *metric, const char *unit);

/* (hi - lo) / 2 over |median| for an interval of the median from n samples: INFINITY below 6
 * samples (no 95% interval) or for a median of 0 with a spread. The rule and the report both
 * judge a figure by it. */
double tvp_rel_halfwidth(size_t n, double lo, double hi, double median);
/* The relative half-width of the 95% CI of the median of x[0..n) (scratch: n doubles), or
 * INFINITY when the interval does not reach 95% coverage or the median is 0 with a spread. */
double tvp_sampling_rel_halfwidth(const double *x, size_t n, double *scratch);

/* Whether to stop before taking sample n (n already taken, sampling for elapsed_s), given each
 * metric's samples (samples[m][0..n)). Returns TVP_STOP_NONE to go on. worst, when non-NULL,
 * receives the widest governed relative half-width (INFINITY before 6 samples). */
enum tvp_stop tvp_sampling_check(const struct tvp_case *c, const struct tvp_sampling *s, int n,
                                 double elapsed_s, double *const *samples, double *scratch,
                                 double *worst);

/* The rule under options o in one sentence (the report and meta.json). */
void tvp_sampling_describe(const struct tvp_options *o, char *buf, size_t len);

/* "target", "cap", "max-samples", "fixed" ("" for none) and back; -1 for an unknown word. */
const char *tvp_stop_name(enum tvp_stop st);
int tvp_stop_parse(const char *word, enum tvp_stop *out);

#endif
