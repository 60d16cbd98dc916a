/* Statistics over the samples of one figure.
 *
 * Every figure keeps all its samples; the summary below is computed from them. Quantiles
 * use linear interpolation between closest ranks (Hyndman & Fan type 7, as numpy's default).
 * The confidence interval of the median is distribution-free: the order statistics whose
 * ranks bracket the median with the binomial(n, 1/2) law, so it holds for skewed timing
 * distributions. stddev is the sample standard deviation (Welford, n-1); it is never used
 * as a standard error. */
#ifndef TVP_STATS_H
#define TVP_STATS_H

#include <stddef.h>
#include <stdint.h>

struct tvp_stats {
    size_t n;
    double median, mean, min, max;
    double p5, p95, p99;
    double mad;             /* median absolute deviation, unscaled */
    double stddev, cv;      /* cv = stddev / mean; 0 when n < 2 */
    double ci_low, ci_high; /* 95% CI of the median; equal to median when n < 2 */
    double ci_level;        /* the coverage actually achieved by the chosen ranks */
    size_t outliers;        /* samples with |modified z-score| > 3.5 */
    int noisy; /* CI half-width above TVP_NOISY_REL_HALFWIDTH of the median, or n < 2 */
};

#define TVP_NOISY_REL_HALFWIDTH 0.05

/* Sorts a copy of x[0..n) and fills *out. Returns 0, or an error number (EINVAL for n == 0
 * or a non-finite sample, ENOMEM). noisy compares without dividing, so a zero median is noisy
 * exactly when the CI has non-zero width. */
int tvp_stats_compute(const double *x, size_t n, struct tvp_stats *out);

/* Quantile q in [0,1] of an already sorted array (type 7); q is clamped to [0,1], NaN for
 * n == 0. */
double tvp_quantile_sorted(const double *sorted, size_t n, double q);

/* Distribution-free CI of the median at the requested level (e.g. 0.95) of a sorted array.
 * Writes the bounds and the exact coverage reached. For small n the coverage may be below the
 * level requested; it is then [min, max] with its true coverage 1 - 2 * 0.5^n (0 for n == 1,
 * where both bounds are the single sample). The coverage is exact: binomial probabilities are
 * summed outward from the centre, so it works for any n. */
void tvp_median_ci_sorted(const double *sorted, size_t n, double level, double *lo, double *hi,
                          double *coverage);

/* The coverage the interval above actually has for n samples at the requested level (it
 * depends on n alone: 0.984 for n = 7, where it is [min, max]; 0.9375 for n = 5, short of 95%). */
double tvp_median_ci_coverage(size_t n, double level);

/* Number of samples whose modified z-score (0.6745 * (x - median) / MAD) exceeds 3.5 in
 * magnitude (Iglewicz & Hoaglin, as hyperfine uses). 0 when MAD is 0. */
size_t tvp_count_outliers_sorted(const double *sorted, size_t n, double median, double mad);

/* Sorts x[0..n-1] (n >= 1) and gives its median (lower of the two middle values) and 99th
 * percentile (nearest rank below): the within-batch percentiles of per-message latencies. */
void tvp_u64_p50_p99(uint64_t *x, size_t n, uint64_t *p50, uint64_t *p99);

/* Ratio of medians median(a) / median(b) with a percentile-bootstrap CI at level (e.g. 0.95)
 * from `resamples` resamples, using a deterministic generator seeded with `seed`, so the same
 * samples always give the same interval. Returns 0 or an error number (EINVAL for empty input or
 * a zero median in b, also for a non-finite sample, resamples == 0 or level outside (0, 1);
 * ENOMEM). a and b are resampled independently (xoshiro256** seeded by splitmix64(seed));
 * the cost is O(resamples * (na + nb)), with no sort per resample. */
int tvp_ratio_of_medians_ci(const double *a, size_t na, const double *b, size_t nb, double level,
                            unsigned resamples, uint64_t seed, double *ratio, double *lo,
                            double *hi);

/* Paired ratios: the median of a[i] / b[i] over i (a and b measured side by side, sample i of
 * each in the same window) and its distribution-free CI at level, as tvp_median_ci_sorted.
 * Returns 0, or EINVAL (n == 0, a non-finite value or b[i] <= 0) or ENOMEM. */
int tvp_paired_ratio_median_ci(const double *a, const double *b, size_t n, double level,
                               double *median, double *lo, double *hi);

/* Two-sided Mann–Whitney U test of a against b (unpaired, as Google Benchmark's compare.py tests
 * two runs): *u is U of a (the number of pairs (a[i], b[j]) with a[i] > b[j], ties counting one
 * half; above na * nb / 2 when a tends to be larger) and *p the p-value from the normal
 * approximation with the tie correction and a continuity correction of 1/2, as scipy's
 * mannwhitneyu(a, b, alternative='two-sided', method='asymptotic'). p is 1 when every sample is
 * equal (nothing to rank). Returns 0, or EINVAL (na or nb is 0, a non-finite sample) or ENOMEM. */
int tvp_mann_whitney_u(const double *a, size_t na, const double *b, size_t nb, double *u,
                       double *p);

#endif
