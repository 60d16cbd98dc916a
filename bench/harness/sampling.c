#include "sampling.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

void tvp_sampling_for_case(const struct tvp_case *c, const struct tvp_options *o,
                           struct tvp_sampling *s)
{
    memset(s, 0, sizeof *s);
    if (o->repetitions > 0) {
        /* A case judged on its own samples keeps its floor even then (group.h). */
        s->fixed = 1;
        s->n_min = s->n_max =
            c->min_repetitions > o->repetitions ? c->min_repetitions : o->repetitions;
        return;
    }
    s->n_min = c->min_repetitions > o->min_samples ? c->min_repetitions : o->min_samples;
    if (s->n_min < 1) /* options not resolved: at least a sample, never a figure of none */
        s->n_min = 1;
    s->n_max = TVP_SAMPLES_MAX;
    s->target = o->ci_target;
    s->cap_is_case = c->sample_cap_scale > 0;
    s->cap_s = o->max_time_s * (s->cap_is_case ? c->sample_cap_scale : 1.0);
}

int tvp_sampling_governs_metric(const char *metric, const char *unit)
{
    size_t len = strlen(metric);
    if (strcmp(unit, "ns") != 0 || strcmp(metric, "cpu") == 0)
        return 0;
    return !(len >= 3 && strcmp(metric + len - 3, "p99") == 0);
}

int tvp_sampling_governs(const struct tvp_case *c, int m)
{
    return tvp_sampling_governs_metric(c->metric[m], c->unit[m]);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tvp_rel_halfwidth(size_t n, double lo, double hi, double median)
{
    double half = (hi - lo) / 2.0;
    /* From 6 samples the order statistics reach 95% (stats.h), below they cannot. */
    if (n < TVP_SAMPLES_FOR_CI || !isfinite(half))
        return INFINITY;
    if (half == 0.0)
        return 0.0;
    return median != 0.0 ? half / fabs(median) : INFINITY;
}

double tvp_sampling_rel_halfwidth(const double *x, size_t n, double *scratch)
{
    if (n < TVP_SAMPLES_FOR_CI)
        return INFINITY;
    memcpy(scratch, x, n * sizeof *x);
    qsort(scratch, n, sizeof *scratch, cmp_double);
    double lo, hi, coverage;
    tvp_median_ci_sorted(scratch, n, 0.95, &lo, &hi, &coverage);
    return tvp_rel_halfwidth(n, lo, hi, tvp_quantile_sorted(scratch, n, 0.5));
}

enum tvp_stop tvp_sampling_check(const struct tvp_case *c, const struct tvp_sampling *s, int n,
                                 double elapsed_s, double *const *samples, double *scratch,
                                 double *worst)
{
    double widest = 0.0;
    int governed = 0;
    if (worst || (!s->fixed && n >= s->n_min))
        for (int m = 0; m < c->n_metrics; m++) {
            if (!tvp_sampling_governs(c, m))
                continue;
            governed = 1;
            double w = tvp_sampling_rel_halfwidth(samples[m], (size_t)n, scratch);
            if (w > widest)
                widest = w;
        }
    if (worst)
        *worst = governed ? widest : NAN;
    if (n >= s->n_max)
        return s->fixed ? TVP_STOP_FIXED : TVP_STOP_MAX;
    if (s->fixed || n < s->n_min)
        return TVP_STOP_NONE;
    /* A case with no time figure (counts, sizes) has nothing to refine: its floor suffices. */
    if (widest <= s->target)
        return TVP_STOP_TARGET;
    if (elapsed_s >= s->cap_s)
        return TVP_STOP_CAP;
    return TVP_STOP_NONE;
}

static const char *const stop_names[] = {"", "target", "cap", "max-samples", "fixed"};

const char *tvp_stop_name(enum tvp_stop st)
{
    return (unsigned)st < sizeof stop_names / sizeof stop_names[0] ? stop_names[st] : "";
}

int tvp_stop_parse(const char *word, enum tvp_stop *out)
{
    for (size_t i = 0; i < sizeof stop_names / sizeof stop_names[0]; i++)
        if (strcmp(word, stop_names[i]) == 0) {
            *out = (enum tvp_stop)i;
            return 0;
        }
    return -1;
}

void tvp_sampling_describe(const struct tvp_options *o, char *buf, size_t len)
{
    if (o->repetitions > 0)
        snprintf(buf, len,
                 "fixed: %d samples per figure (--repetitions), each a batch calibrated to at "
                 "least %g s; cases judged on their own samples take more",
                 o->repetitions, o->min_time_s);
    else
        snprintf(buf, len,
                 "adaptive: each case takes batches calibrated to at least %g s until the 95%% CI "
                 "of the median of every time figure (p99 tails and CPU times excepted) is "
                 "within ±%g%% of the median; at least %d samples (more where a verdict needs "
                 "them), at most %d, and no more once %g s of sampling has passed (a multiple of "
                 "it for a case whose operation is costly by design); a case stopped by its cap "
                 "keeps its wider CI",
                 o->min_time_s, 100.0 * o->ci_target, o->min_samples, TVP_SAMPLES_MAX,
                 o->max_time_s);
}
