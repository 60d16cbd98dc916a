/* Tests of bench/harness/stats.c against inputs whose answers are known.
 *
 * Reference values for the median CI ranks come from exact binomial sums done with Python's
 * big integers (coverage(j) = 1 - 2 * sum_{i<j} C(n,i) / 2^n, j the largest rank with
 * coverage >= level); for n = 100 at 95 % they agree with the published table (ranks 40 and
 * 61, e.g. Campbell & Gardner, BMJ 1988). Small n are additionally cross-checked against an
 * independent tail summation done here in the test. */
#include "stats.h"
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* x[i] = i + 1, so an order statistic's value is its 1-based rank. */
static double *ranks(size_t n)
{
    double *x = malloc(n * sizeof *x);
    if (x == NULL) {
        perror("malloc");
        exit(2);
    }
    for (size_t i = 0; i < n; i++)
        x[i] = (double)(i + 1);
    return x;
}

/* Coverage of ranks [j, n+1-j] summed from the tails, the other way round from stats.c. */
static double coverage_from_tails(size_t n, size_t j)
{
    double tail = 0.0;
    for (size_t i = 0; i < j; i++)
        tail += exp(lgamma((double)n + 1) - lgamma((double)i + 1) - lgamma((double)(n - i) + 1) -
                    (double)n * log(2.0));
    return 1.0 - 2.0 * tail;
}

static void test_quantiles(void)
{
    double x[10] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6}; /* 1..10, unsorted */
    struct tvp_stats s;
    CHECK_INT(tvp_stats_compute(x, 10, &s), 0);
    CHECK_INT(s.n, 10);
    CHECK_NEAR(s.median, 5.5, 1e-12);
    CHECK_NEAR(s.p5, 1.45, 1e-12);
    CHECK_NEAR(s.p95, 9.55, 1e-12);
    CHECK_NEAR(s.p99, 9.91, 1e-12);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 10, 0);
    CHECK_NEAR(s.mean, 5.5, 1e-12);
    CHECK_NEAR(s.mad, 2.5, 1e-12);                   /* |x - 5.5| = .5,.5,1.5,...,4.5,4.5 */
    CHECK_NEAR(s.stddev, 3.0276503540974917, 1e-12); /* sqrt(55/6) */
    CHECK_NEAR(s.cv, 3.0276503540974917 / 5.5, 1e-12);
    /* n = 10 at 95 %: ranks 2 and 9, coverage 1 - 2 * 11/1024. */
    CHECK_NEAR(s.ci_low, 2, 0);
    CHECK_NEAR(s.ci_high, 9, 0);
    CHECK_NEAR(s.ci_level, 0.978515625, 1e-12);
    CHECK_INT(s.outliers, 0);
    CHECK_INT(s.noisy, 1); /* half-width 3.5 > 0.05 * 5.5 */

    double sorted[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    CHECK_NEAR(tvp_quantile_sorted(sorted, 10, 0.0), 1, 0);
    CHECK_NEAR(tvp_quantile_sorted(sorted, 10, 1.0), 10, 0);
    CHECK_NEAR(tvp_quantile_sorted(sorted, 10, 0.25), 3.25, 1e-12); /* numpy: 3.25 */
    CHECK_NEAR(tvp_quantile_sorted(sorted, 10, -1.0), 1, 0);        /* clamped */
    CHECK_NEAR(tvp_quantile_sorted(sorted, 10, 2.0), 10, 0);
    CHECK_NEAR(tvp_quantile_sorted(sorted, 1, 0.37), 1, 0);
    CHECK(isnan(tvp_quantile_sorted(sorted, 0, 0.5)));

    double odd[5] = {5, 1, 4, 2, 3};
    CHECK_INT(tvp_stats_compute(odd, 5, &s), 0);
    CHECK_NEAR(s.median, 3, 0);
    CHECK_NEAR(s.p5, 1.2, 1e-12);
    CHECK_NEAR(s.p95, 4.8, 1e-12);
}

static void test_spread(void)
{
    double x[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    struct tvp_stats s;
    CHECK_INT(tvp_stats_compute(x, 8, &s), 0);
    CHECK_NEAR(s.mean, 5, 1e-12);
    CHECK_NEAR(s.stddev, 2.138089935299395, 1e-12); /* sqrt(32/7) */
    CHECK_NEAR(s.median, 4.5, 0);
    CHECK_NEAR(s.mad, 0.5, 1e-12); /* |x-4.5|: .5 x5, 2.5, 2.5, 4.5 */

    double w[7] = {1, 1, 2, 2, 4, 6, 9}; /* the classic MAD example: MAD = 1 */
    CHECK_INT(tvp_stats_compute(w, 7, &s), 0);
    CHECK_NEAR(s.median, 2, 0);
    CHECK_NEAR(s.mad, 1, 1e-12);

    double u[6] = {10, 10, 10, 10, 10, 50}; /* most equal: MAD 0, no outliers reported */
    CHECK_INT(tvp_stats_compute(u, 6, &s), 0);
    CHECK_NEAR(s.mad, 0, 0);
    CHECK_INT(s.outliers, 0);

    double z[4] = {-3, -1, 1, 3}; /* mean 0: cv is defined as 0 */
    CHECK_INT(tvp_stats_compute(z, 4, &s), 0);
    CHECK_NEAR(s.mean, 0, 1e-15);
    CHECK_NEAR(s.cv, 0, 0);
    CHECK_NEAR(s.mad, 2, 1e-12);

    /* Welford stays accurate with a large offset (the naive sum-of-squares would not). */
    double big[8];
    for (int i = 0; i < 8; i++)
        big[i] = 1e9 + x[i];
    CHECK_INT(tvp_stats_compute(big, 8, &s), 0);
    CHECK_NEAR(s.stddev, 2.138089935299395, 1e-6);
}

static void test_single(void)
{
    double x = 42;
    struct tvp_stats s;
    CHECK_INT(tvp_stats_compute(&x, 1, &s), 0);
    CHECK_INT(s.n, 1);
    CHECK_NEAR(s.median, 42, 0);
    CHECK_NEAR(s.p5, 42, 0);
    CHECK_NEAR(s.p99, 42, 0);
    CHECK_NEAR(s.ci_low, 42, 0);
    CHECK_NEAR(s.ci_high, 42, 0);
    CHECK_NEAR(s.ci_level, 0, 0); /* 1 - 2 * 0.5^1 */
    CHECK_NEAR(s.stddev, 0, 0);
    CHECK_NEAR(s.cv, 0, 0);
    CHECK_NEAR(s.mad, 0, 0);
    CHECK_INT(s.outliers, 0);
    CHECK_INT(s.noisy, 1); /* one sample says nothing of its precision */
}

static void test_median_ci(void)
{
    double lo, hi, cov;
    struct tvp_stats s;

    /* n = 5: even [min, max] only reaches 1 - 2/32 = 0.9375 < 0.95. */
    double five[5] = {3, 1, 4, 1, 5};
    CHECK_INT(tvp_stats_compute(five, 5, &s), 0);
    CHECK_NEAR(s.ci_low, 1, 0);
    CHECK_NEAR(s.ci_high, 5, 0);
    CHECK_NEAR(s.ci_level, 0.9375, 1e-15);

    /* A level equal to an exact coverage picks those ranks. */
    double r5[5] = {1, 2, 3, 4, 5};
    tvp_median_ci_sorted(r5, 5, 0.9375, &lo, &hi, &cov);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 5, 0);
    tvp_median_ci_sorted(r5, 5, 0.5, &lo, &hi, &cov);
    CHECK_NEAR(lo, 2, 0); /* P(2 <= B <= 3) = 20/32 */
    CHECK_NEAR(hi, 4, 0);
    CHECK_NEAR(cov, 0.625, 1e-15);

    /* n = 2 and 3: [min, max] with coverage 1/2 and 3/4. */
    tvp_median_ci_sorted(r5, 2, 0.95, &lo, &hi, &cov);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 2, 0);
    CHECK_NEAR(cov, 0.5, 1e-15);
    tvp_median_ci_sorted(r5, 3, 0.95, &lo, &hi, &cov);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 3, 0);
    CHECK_NEAR(cov, 0.75, 1e-15);

    /* n = 6: [min, max] is the first to reach 95 % (0.96875). */
    double six[6] = {1, 2, 3, 4, 5, 6};
    tvp_median_ci_sorted(six, 6, 0.95, &lo, &hi, &cov);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 6, 0);
    CHECK_NEAR(cov, 0.96875, 1e-15);

    /* Exact references (Python big-integer binomial sums), value = 1-based rank. */
    static const struct {
        size_t n;
        double level;
        size_t j, k;
        double coverage;
    } ref[] = {
        {100, 0.95, 40, 61, 0.9647997997822951},
        {100, 0.99, 37, 64, 0.9933628794840739},
        {1000, 0.95, 469, 532, 0.9537088026395019},
        {10000, 0.95, 4902, 5099, 0.9511670501036181},
        {100000, 0.95, 49690, 50311, 0.9504442853304751},
        {100001, 0.95, 49691, 50311, 0.9500751139879057},
    };
    double *x = ranks(100001);
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        tvp_median_ci_sorted(x, ref[i].n, ref[i].level, &lo, &hi, &cov);
        CHECK_MSG(lo == (double)ref[i].j && hi == (double)ref[i].k,
                  "n=%zu level=%g: ranks [%g, %g], expected [%zu, %zu]", ref[i].n, ref[i].level, lo,
                  hi, ref[i].j, ref[i].k);
        CHECK_NEAR(cov, ref[i].coverage, 1e-9);
    }

    /* The n = 100 case through tvp_stats_compute (95 % is what the summary uses). */
    CHECK_INT(tvp_stats_compute(x, 100, &s), 0);
    CHECK_NEAR(s.median, 50.5, 0);
    CHECK_NEAR(s.ci_low, 40, 0);
    CHECK_NEAR(s.ci_high, 61, 0);
    CHECK_NEAR(s.ci_level, 0.9647997997822951, 1e-12);

    /* For every n up to 400 the ranks are the narrowest reaching the level, as checked by an
     * independent tail summation. */
    for (size_t n = 2; n <= 400; n++) {
        tvp_median_ci_sorted(x, n, 0.95, &lo, &hi, &cov);
        size_t j = (size_t)lo;
        CHECK_MSG(hi == (double)(n + 1 - j), "n=%zu: asymmetric ranks %g %g", n, lo, hi);
        double c = coverage_from_tails(n, j);
        CHECK_MSG(fabs(c - cov) < 1e-10, "n=%zu: coverage %.12g vs tails %.12g", n, cov, c);
        if (n >= 6) {
            CHECK_MSG(cov >= 0.95, "n=%zu: coverage %g below level", n, cov);
            if (j + 1 < n + 1 - (j + 1)) /* a narrower symmetric pair exists: it must fail */
                CHECK_MSG(coverage_from_tails(n, j + 1) < 0.95, "n=%zu: j=%zu not narrowest", n, j);
        } else {
            CHECK_MSG(j == 1, "n=%zu: expected [min, max], got rank %zu", n, j);
        }
    }
    free(x);
}

static void test_outliers(void)
{
    double x[11] = {10.0, 10.1, 9.9, 10.2, 9.8, 10.0, 10.05, 9.95, 10.1, 9.9, 100.0};
    struct tvp_stats s;
    CHECK_INT(tvp_stats_compute(x, 11, &s), 0);
    CHECK_NEAR(s.median, 10.0, 0);
    CHECK_NEAR(s.mad, 0.1, 1e-12);
    CHECK_INT(s.outliers, 1);

    /* Threshold: with median 0 and MAD 1, |0.6745 x| > 3.5 means |x| > 5.189. */
    double t[7] = {-6, -5, -1, 0, 1, 5, 6};
    CHECK_INT(tvp_count_outliers_sorted(t, 7, 0.0, 1.0), 2);
    CHECK_INT(tvp_count_outliers_sorted(t, 7, 0.0, 0.0), 0);
}

static void test_noisy(void)
{
    struct tvp_stats s;
    double quiet[100], loud[100];
    for (int i = 0; i < 100; i++) {
        quiet[i] = 1000.0 + (double)(i % 10); /* CI half-width a few units of 1000 */
        loud[i] = 1000.0 + 20.0 * (double)i;  /* CI [1780, 2200] around 1990 */
    }
    CHECK_INT(tvp_stats_compute(quiet, 100, &s), 0);
    CHECK_INT(s.noisy, 0);
    CHECK_INT(tvp_stats_compute(loud, 100, &s), 0);
    CHECK_NEAR(s.ci_low, 1780, 0);
    CHECK_NEAR(s.ci_high, 2200, 0);
    CHECK_INT(s.noisy, 1); /* 210 > 0.05 * 1990 = 99.5 */
}

static void test_errors(void)
{
    struct tvp_stats s;
    double x[3] = {1, 2, 3}, zero[3] = {0, 0, 1}, bad[3] = {1, NAN, 3};
    double r, lo, hi;
    CHECK_INT(tvp_stats_compute(x, 0, &s), EINVAL);
    CHECK_INT(tvp_stats_compute(bad, 3, &s), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 0, x, 3, 0.95, 100, 1, &r, &lo, &hi), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 3, x, 0, 0.95, 100, 1, &r, &lo, &hi), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 3, zero, 3, 0.95, 100, 1, &r, &lo, &hi), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 3, x, 3, 0.95, 0, 1, &r, &lo, &hi), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 3, x, 3, 1.0, 100, 1, &r, &lo, &hi), EINVAL);
    CHECK_INT(tvp_ratio_of_medians_ci(x, 3, bad, 3, 0.95, 100, 1, &r, &lo, &hi), EINVAL);
}

/* Deterministic jitter for test data (not the generator under test). */
static double jitter(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (double)(*state >> 11) * 0x1.0p-53;
}

static void test_bootstrap(void)
{
    enum { N = 1000 };
    static double a[N], b[N], c[N];
    uint64_t st = 12345;
    for (int i = 0; i < N; i++) {
        b[i] = 100.0 + jitter(&st); /* within [100, 101) */
        a[i] = 2.0 * b[i];
        c[i] = 100.0 + jitter(&st);
    }
    double r, lo, hi, r2, lo2, hi2;
    double t0 = now_s();
    CHECK_INT(tvp_ratio_of_medians_ci(a, N, b, N, 0.95, 2000, 42, &r, &lo, &hi), 0);
    double dt = now_s() - t0;
    CHECK_MSG(dt < 1.0, "n=1000, 2000 resamples took %.3f s", dt);
    CHECK_NEAR(r, 2.0, 0); /* scaling by 2 is exact in binary */
    CHECK_MSG(lo <= 2.0 && 2.0 <= hi, "CI [%.9g, %.9g] does not contain 2", lo, hi);
    CHECK_MSG(hi - lo < 0.005, "CI [%.9g, %.9g] too wide", lo, hi);
    CHECK(lo < hi);

    /* Same seed, same interval; another seed, another interval. */
    CHECK_INT(tvp_ratio_of_medians_ci(a, N, b, N, 0.95, 2000, 42, &r2, &lo2, &hi2), 0);
    CHECK(r2 == r && lo2 == lo && hi2 == hi);
    CHECK_INT(tvp_ratio_of_medians_ci(a, N, b, N, 0.95, 2000, 43, &r2, &lo2, &hi2), 0);
    CHECK(r2 == r);
    CHECK(lo2 != lo || hi2 != hi);

    /* Two samples of the same distribution: the CI contains 1. */
    CHECK_INT(tvp_ratio_of_medians_ci(c, N, b, N, 0.95, 2000, 7, &r, &lo, &hi), 0);
    CHECK_MSG(lo <= 1.0 && 1.0 <= hi, "CI [%.9g, %.9g] does not contain 1", lo, hi);
    /* A higher level gives a wider interval from the same resamples. */
    CHECK_INT(tvp_ratio_of_medians_ci(c, N, b, N, 0.99, 2000, 7, &r2, &lo2, &hi2), 0);
    CHECK(lo2 <= lo && hi <= hi2);

    /* Constant samples: every resample median is the same, so the CI collapses. */
    double k3[3] = {3, 3, 3}, k1[4] = {1.5, 1.5, 1.5, 1.5};
    CHECK_INT(tvp_ratio_of_medians_ci(k3, 3, k1, 4, 0.95, 500, 1, &r, &lo, &hi), 0);
    CHECK_NEAR(r, 2, 0);
    CHECK_NEAR(lo, 2, 0);
    CHECK_NEAR(hi, 2, 0);

    /* The resampling distribution itself. With b = {1} the ratio is the median of a size-3
     * resample of {1, 2, 3}: P(1) = P(3) = 7/27 ~ 0.259, P(2) = 13/27. With 100000 resamples
     * the 0.25 / 0.75 quantiles fall (by > 6 sigma) on 1 and 3, the 0.28 / 0.72 ones on 2. */
    double one[1] = {1}, a3[3] = {3, 1, 2}, a4[4] = {4, 2, 1, 3};
    CHECK_INT(tvp_ratio_of_medians_ci(a3, 3, one, 1, 0.50, 100000, 5, &r, &lo, &hi), 0);
    CHECK_NEAR(r, 2, 0);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 3, 0);
    CHECK_INT(tvp_ratio_of_medians_ci(a3, 3, one, 1, 0.44, 100000, 5, &r, &lo, &hi), 0);
    CHECK_NEAR(lo, 2, 0);
    CHECK_NEAR(hi, 2, 0);
    /* Even n: a size-4 resample of {1..4} has median 1 (or 4) with probability 13/256 ~
     * 0.051, so the 2.5 % / 97.5 % quantiles are 1 and 4, the 10 % / 90 % ones are not. */
    CHECK_INT(tvp_ratio_of_medians_ci(a4, 4, one, 1, 0.95, 100000, 5, &r, &lo, &hi), 0);
    CHECK_NEAR(r, 2.5, 0);
    CHECK_NEAR(lo, 1, 0);
    CHECK_NEAR(hi, 4, 0);
    CHECK_INT(tvp_ratio_of_medians_ci(a4, 4, one, 1, 0.80, 100000, 5, &r, &lo, &hi), 0);
    CHECK(lo > 1 && lo < 2.5);
    CHECK(hi < 4 && hi > 2.5);
    /* And on the b side: 1 / median of {1, 2, 4} resamples spans [1/4, 1]. */
    double b3[3] = {1, 2, 4};
    CHECK_INT(tvp_ratio_of_medians_ci(one, 1, b3, 3, 0.50, 100000, 5, &r, &lo, &hi), 0);
    CHECK_NEAR(r, 0.5, 0);
    CHECK_NEAR(lo, 0.25, 0);
    CHECK_NEAR(hi, 1, 0);

    /* Single samples on both sides work too. */
    CHECK_INT(tvp_ratio_of_medians_ci(k3, 1, k1, 1, 0.95, 10, 1, &r, &lo, &hi), 0);
    CHECK_NEAR(r, 2, 0);

    /* Largest sizes the harness is expected to use; report the time, bound it loosely. */
    enum { BIG = 10000 };
    double *ba = malloc(BIG * sizeof *ba), *bb = malloc(BIG * sizeof *bb);
    if (ba == NULL || bb == NULL) {
        perror("malloc");
        exit(2);
    }
    for (int i = 0; i < BIG; i++) {
        bb[i] = 50.0 + jitter(&st);
        ba[i] = 3.0 * bb[i];
    }
    t0 = now_s();
    CHECK_INT(tvp_ratio_of_medians_ci(ba, BIG, bb, BIG, 0.95, 10000, 9, &r, &lo, &hi), 0);
    dt = now_s() - t0;
    printf("bootstrap n=%d x2, 10000 resamples: %.3f s, ratio %.9g CI [%.9g, %.9g]\n", BIG, dt, r,
           lo, hi);
    CHECK_NEAR(r, 3.0, 0);
    CHECK(lo <= 3.0 && 3.0 <= hi);
    free(ba);
    free(bb);
}

/* Pairing cancels what both samples of a pair share: a drift that makes an unpaired ratio of
 * medians wide leaves the paired one exact. */
static void test_paired_ratio(void)
{
    enum { N = 15 };
    double a[N], b[N], m, lo, hi;
    for (int i = 0; i < N; i++) {
        b[i] = 10.0 + (double)((i * 7) % N) * 2.0; /* the machine's speed drifting 3x */
        a[i] = 2.0 * b[i];
    }
    CHECK_INT(tvp_paired_ratio_median_ci(a, b, N, 0.95, &m, &lo, &hi), 0);
    CHECK_NEAR(m, 2.0, 1e-12);
    CHECK_NEAR(lo, 2.0, 1e-12);
    CHECK_NEAR(hi, 2.0, 1e-12);
    double r, blo, bhi;
    CHECK_INT(tvp_ratio_of_medians_ci(a, N, b, N, 0.95, 2000, 3, &r, &blo, &bhi), 0);
    CHECK(bhi - blo > 0.5); /* the unpaired interval does not see the pairs */

    /* Ratios 1..7 (n = 7): the median is 4 and the interval [min, max]. */
    double a7[7] = {14, 2, 10, 6, 4, 12, 8}, b7[7] = {2, 2, 2, 2, 2, 2, 2};
    CHECK_INT(tvp_paired_ratio_median_ci(a7, b7, 7, 0.95, &m, &lo, &hi), 0);
    CHECK_NEAR(m, 4.0, 1e-12);
    CHECK_NEAR(lo, 1.0, 1e-12);
    CHECK_NEAR(hi, 7.0, 1e-12);

    double zero[3] = {1, 0, 1}, nan3[3] = {1, NAN, 1};
    CHECK_INT(tvp_paired_ratio_median_ci(a7, b7, 0, 0.95, &m, &lo, &hi), EINVAL);
    CHECK_INT(tvp_paired_ratio_median_ci(a7, zero, 3, 0.95, &m, &lo, &hi), EINVAL);
    CHECK_INT(tvp_paired_ratio_median_ci(nan3, b7, 3, 0.95, &m, &lo, &hi), EINVAL);
    CHECK_INT(tvp_paired_ratio_median_ci(a7, b7, 3, 1.0, &m, &lo, &hi), EINVAL);
}

/* Expected U and p computed with SciPy 1.10.1 (Debian's python3-scipy):
 *   scipy.stats.mannwhitneyu(a, b, alternative='two-sided', method='asymptotic',
 *                            use_continuity=True)
 * whose statistic is U of the first sample. */
static void test_mann_whitney(void)
{
    static const struct {
        double a[8], b[8];
        size_t na, nb;
        double u, p;
    } cases[] = {
        /* fully separated: the smallest p 5 + 5 samples reach */
        {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 5, 5, 0.0, 0.012185780355344813},
        /* ties within and across the samples */
        {{1, 2, 2, 3, 4, 5, 5}, {3, 4, 5, 6, 6, 7, 8}, 7, 7, 7.0, 0.028413318438283604},
        /* overlapping shift: not significant */
        {{10, 11, 12, 13, 14, 15, 16, 17},
         {12, 13, 14, 15, 16, 17, 18, 19},
         8,
         8,
         18.0,
         0.15442325378008667},
        /* unequal sizes */
        {{19, 22, 16, 29, 24}, {20, 11, 17, 12}, 5, 4, 17.0, 0.11134688653314041},
        /* every sample equal */
        {{3, 3, 3, 3}, {3, 3, 3, 3}, 4, 4, 8.0, 1.0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double u = -1, p = -1;
        CHECK_INT(tvp_mann_whitney_u(cases[i].a, cases[i].na, cases[i].b, cases[i].nb, &u, &p), 0);
        CHECK_NEAR(u, cases[i].u, 1e-12);
        CHECK_NEAR(p, cases[i].p, 1e-12);
        /* Two-sided: swapping the samples mirrors U and keeps p. */
        double u2 = -1, p2 = -1;
        CHECK_INT(tvp_mann_whitney_u(cases[i].b, cases[i].nb, cases[i].a, cases[i].na, &u2, &p2),
                  0);
        CHECK_NEAR(u2, (double)(cases[i].na * cases[i].nb) - cases[i].u, 1e-12);
        CHECK_NEAR(p2, cases[i].p, 1e-12);
    }
    double x[3] = {1, 2, 3}, bad[2] = {1, NAN}, u, p;
    CHECK_INT(tvp_mann_whitney_u(x, 0, x, 3, &u, &p), EINVAL);
    CHECK_INT(tvp_mann_whitney_u(x, 3, x, 0, &u, &p), EINVAL);
    CHECK_INT(tvp_mann_whitney_u(x, 3, bad, 2, &u, &p), EINVAL);
}

int main(void)
{
    test_quantiles();
    test_spread();
    test_single();
    test_median_ci();
    test_outliers();
    test_noisy();
    test_errors();
    test_bootstrap();
    test_paired_ratio();
    test_mann_whitney();
    return CHECK_DONE();
}
