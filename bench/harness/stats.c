#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Total order on doubles (NaN last) so qsort always sees a consistent comparator, even though
 * the public entry points reject NaN before sorting. */
static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

static int all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return 0;
    return 1;
}

/* Sorted copy of x[0..n) in *out (caller frees). */
static int sorted_copy(const double *x, size_t n, double **out)
{
    if (n > SIZE_MAX / sizeof(double))
        return ENOMEM;
    double *s = malloc(n * sizeof *s);
    if (s == NULL)
        return ENOMEM;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    *out = s;
    return 0;
}

/* Type 7 interpolation between the order statistics lo and lo + 1 (0-based) at fraction f. */
static double interpolate(double lo, double hi, double f)
{
    return f == 0.0 ? lo : lo + f * (hi - lo);
}

double tvp_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (!(q > 0.0)) /* also NaN q */
        return sorted[0];
    if (q >= 1.0)
        return sorted[n - 1];
    double h = (double)(n - 1) * q;
    double fl = floor(h);
    size_t i = (size_t)fl;
    if (i >= n - 1)
        return sorted[n - 1];
    return interpolate(sorted[i], sorted[i + 1], h - fl);
}

/* The narrowest symmetric ranks j < k = n + 1 - j (1-based) whose coverage
 * P(j <= B <= n - j), B ~ binomial(n, 1/2), reaches the level, for n >= 2: returns j and the
 * coverage. They depend on n alone. Walks outward from the centre with the ratio
 * pmf(i - 1) = pmf(i) * i / (n - i + 1), starting from a pmf computed with lgamma (relative
 * error ~1e-10 even at n = 1e5). Only O(sqrt(n)) steps are needed for usual levels; terms far
 * in the tails may underflow to 0, which cannot change the result. */
static size_t median_ci_rank(size_t n, double level, double *coverage)
{
    /* Compare with a hair of tolerance so a level equal to an exact tabulated coverage (say
     * 0.9375 for n = 5) selects those ranks despite rounding in the running sum. */
    const double LN2 = 0.693147180559945309417232121458176568;
    const double target = level - 1e-12;
    double dn = (double)n;
    size_t j = n / 2;
    double p =
        exp(lgamma(dn + 1.0) - lgamma((double)j + 1.0) - lgamma(dn - (double)j + 1.0) - dn * LN2);
    double mass = (n % 2 == 0) ? p : 2.0 * p; /* pmf(n/2), or pmf(j) + pmf(j + 1) */
    while (!(mass >= target) && j > 1) {
        p *= (double)j / (dn - (double)j + 1.0);
        j--;
        mass += 2.0 * p;
    }
    if (j == 1) {
        /* [min, max]: exact coverage 1 - 2 * 0.5^n (ldexp underflows cleanly to 0). */
        mass = 1.0 - ldexp(1.0, n > 2000 ? -2000 : -(int)n) * 2.0;
    }
    *coverage = mass > 1.0 ? 1.0 : mass;
    return j;
}

double tvp_median_ci_coverage(size_t n, double level)
{
    double coverage = 0.0; /* n < 2: a single sample covers nothing */
    if (n >= 2)
        median_ci_rank(n, level, &coverage);
    return coverage;
}

void tvp_median_ci_sorted(const double *sorted, size_t n, double level, double *lo, double *hi,
                          double *coverage)
{
    if (n == 0) {
        *lo = *hi = NAN;
        *coverage = 0.0;
        return;
    }
    if (n == 1) {
        *lo = *hi = sorted[0];
        *coverage = 0.0; /* 1 - 2 * 0.5^1 */
        return;
    }
    size_t j = median_ci_rank(n, level, coverage);
    *lo = sorted[j - 1];
    *hi = sorted[n - j]; /* rank k = n + 1 - j, 0-based n - j */
}

size_t tvp_count_outliers_sorted(const double *sorted, size_t n, double median, double mad)
{
    if (!(mad > 0.0))
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(0.6745 * (sorted[i] - median) / mad) > 3.5)
            count++;
    return count;
}

/* Median of |x - median| for a sorted array, in O(n) time and O(1) space: the deviations of the
 * elements below the median grow leftwards and those at or above it grow rightwards, so merging
 * the two runs outward from the median visits the deviations in increasing order. */
static double mad_sorted(const double *s, size_t n, double median)
{
    size_t split = 0; /* first index with s[i] >= median */
    {
        size_t a = 0, b = n;
        while (a < b) {
            size_t m = a + (b - a) / 2;
            if (s[m] < median)
                a = m + 1;
            else
                b = m;
        }
        split = a;
    }
    size_t left = split, right = split; /* next candidates: s[left - 1] and s[right] */
    size_t r1 = (n - 1) / 2, r2 = n / 2;
    double d1 = 0.0, d2 = 0.0;
    for (size_t rank = 0; rank <= r2; rank++) {
        double d;
        if (left == 0) {
            d = s[right++] - median;
        } else if (right == n) {
            d = median - s[--left];
        } else {
            double dl = median - s[left - 1], dr = s[right] - median;
            if (dl <= dr) {
                d = dl;
                left--;
            } else {
                d = dr;
                right++;
            }
        }
        if (rank == r1)
            d1 = d;
        if (rank == r2)
            d2 = d;
    }
    return interpolate(d1, d2, r1 == r2 ? 0.0 : 0.5);
}

int tvp_stats_compute(const double *x, size_t n, struct tvp_stats *out)
{
    if (n == 0 || x == NULL || out == NULL || !all_finite(x, n))
        return EINVAL;
    double *s;
    int err = sorted_copy(x, n, &s);
    if (err)
        return err;

    struct tvp_stats st = {0};
    st.n = n;
    st.min = s[0];
    st.max = s[n - 1];
    st.median = tvp_quantile_sorted(s, n, 0.5);
    st.p5 = tvp_quantile_sorted(s, n, 0.05);
    st.p95 = tvp_quantile_sorted(s, n, 0.95);
    st.p99 = tvp_quantile_sorted(s, n, 0.99);

    /* Welford over the original order (the order does not change the result materially, but
     * this is the textbook single pass). */
    double mean = 0.0, m2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double delta = x[i] - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (x[i] - mean);
    }
    st.mean = mean;
    st.stddev = n >= 2 ? sqrt(m2 / (double)(n - 1)) : 0.0;
    st.cv = (n >= 2 && mean != 0.0) ? st.stddev / mean : 0.0;

    st.mad = mad_sorted(s, n, st.median);
    st.outliers = tvp_count_outliers_sorted(s, n, st.median, st.mad);

    tvp_median_ci_sorted(s, n, 0.95, &st.ci_low, &st.ci_high, &st.ci_level);
    double half = (st.ci_high - st.ci_low) / 2.0;
    /* A single sample has a zero-width "interval" that says nothing of its precision. */
    st.noisy = n < 2 || half > TVP_NOISY_REL_HALFWIDTH * fabs(st.median);

    free(s);
    *out = st;
    return 0;
}

/* --- bootstrap --------------------------------------------------------------------------- */

/* xoshiro256** seeded through splitmix64 (Blackman & Vigna); state lives on the caller's
 * stack. */
struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Unbiased integer in [0, bound) (Lemire's multiply-and-reject). */
static inline size_t rng_below(struct rng *r, uint64_t bound)
{
    unsigned __int128 m = (unsigned __int128)rng_next(r) * bound;
    uint64_t low = (uint64_t)m;
    if (low < bound) {
        uint64_t threshold = -bound % bound;
        while (low < threshold) {
            m = (unsigned __int128)rng_next(r) * bound;
            low = (uint64_t)m;
        }
    }
    return (size_t)(m >> 64);
}

/* Median (type 7) of one resample with replacement of the sorted s[0..n): draws n indices,
 * counts how often each was drawn, and walks the cumulative counts to the middle ranks, so no
 * sort or selection is needed (O(n) per resample). */
static double resample_median(struct rng *r, const double *s, size_t n, size_t *counts)
{
    memset(counts, 0, n * sizeof *counts);
    for (size_t i = 0; i < n; i++)
        counts[rng_below(r, n)]++;
    size_t r1 = (n - 1) / 2, r2 = n / 2;
    size_t cum = 0, i = 0;
    while (cum + counts[i] <= r1) /* ends at the element holding rank r1 */
        cum += counts[i++];
    double v1 = s[i];
    while (cum + counts[i] <= r2)
        cum += counts[i++];
    double v2 = s[i];
    return interpolate(v1, v2, r1 == r2 ? 0.0 : 0.5);
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

void tvp_u64_p50_p99(uint64_t *x, size_t n, uint64_t *p50, uint64_t *p99)
{
    qsort(x, n, sizeof *x, cmp_u64);
    *p50 = x[(n - 1) / 2];
    *p99 = x[(size_t)((double)(n - 1) * 0.99)];
}

int tvp_ratio_of_medians_ci(const double *a, size_t na, const double *b, size_t nb, double level,
                            unsigned resamples, uint64_t seed, double *ratio, double *lo,
                            double *hi)
{
    if (a == NULL || b == NULL || na == 0 || nb == 0 || resamples == 0 || !(level > 0.0) ||
        !(level < 1.0) || !all_finite(a, na) || !all_finite(b, nb))
        return EINVAL;

    int err;
    double *sa = NULL, *sb = NULL, *ratios = NULL, ma, mb;
    size_t *counts = NULL;
    size_t nmax = na > nb ? na : nb;
    struct rng r;

    if ((err = sorted_copy(a, na, &sa)) != 0)
        goto out;
    if ((err = sorted_copy(b, nb, &sb)) != 0)
        goto out;
    ma = tvp_quantile_sorted(sa, na, 0.5);
    mb = tvp_quantile_sorted(sb, nb, 0.5);
    if (mb == 0.0) {
        err = EINVAL;
        goto out;
    }
    /* calloc checks the multiplications for overflow. */
    err = ENOMEM;
    counts = calloc(nmax, sizeof *counts);
    ratios = calloc(resamples, sizeof *ratios);
    if (counts == NULL || ratios == NULL)
        goto out;

    rng_seed(&r, seed);
    for (unsigned i = 0; i < resamples; i++) {
        double ra = resample_median(&r, sa, na, counts);
        double rb = resample_median(&r, sb, nb, counts);
        ratios[i] = ra / rb; /* +-inf if a resampled median of b is 0; NaN if both are */
    }
    qsort(ratios, resamples, sizeof *ratios, cmp_double);
    double alpha = 1.0 - level;
    *ratio = ma / mb;
    *lo = tvp_quantile_sorted(ratios, resamples, alpha / 2.0);
    *hi = tvp_quantile_sorted(ratios, resamples, 1.0 - alpha / 2.0);
    err = 0;
out:
    free(sa);
    free(sb);
    free(counts);
    free(ratios);
    return err;
}

int tvp_paired_ratio_median_ci(const double *a, const double *b, size_t n, double level,
                               double *median, double *lo, double *hi)
{
    if (a == NULL || b == NULL || n == 0 || !(level > 0.0) || !(level < 1.0) || !all_finite(a, n) ||
        !all_finite(b, n))
        return EINVAL;
    double *r = malloc(n * sizeof *r);
    if (r == NULL)
        return ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!(b[i] > 0.0)) {
            free(r);
            return EINVAL;
        }
        r[i] = a[i] / b[i];
    }
    qsort(r, n, sizeof *r, cmp_double);
    double coverage;
    *median = tvp_quantile_sorted(r, n, 0.5);
    tvp_median_ci_sorted(r, n, level, lo, hi, &coverage);
    free(r);
    return 0;
}

/* --- Mann–Whitney U ---------------------------------------------------------------------- */

struct ranked {
    double v;
    int from_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
    return cmp_double(&((const struct ranked *)pa)->v, &((const struct ranked *)pb)->v);
}

int tvp_mann_whitney_u(const double *a, size_t na, const double *b, size_t nb, double *u, double *p)
{
    if (a == NULL || b == NULL || na == 0 || nb == 0 || !all_finite(a, na) || !all_finite(b, nb))
        return EINVAL;
    size_t n = na + nb;
    struct ranked *x = calloc(n, sizeof *x);
    if (x == NULL)
        return ENOMEM;
    for (size_t i = 0; i < na; i++)
        x[i] = (struct ranked){a[i], 1};
    for (size_t i = 0; i < nb; i++)
        x[na + i] = (struct ranked){b[i], 0};
    qsort(x, n, sizeof *x, cmp_ranked);
    /* Each run of equal values shares the mean of its ranks; sum(t^3 - t) over the runs shrinks
     * the variance of U. */
    double rank_sum_a = 0.0, ties = 0.0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && x[j].v == x[i].v)
            j++;
        double mean_rank = ((double)i + 1.0 + (double)j) / 2.0, t = (double)(j - i);
        for (size_t k = i; k < j; k++)
            if (x[k].from_a)
                rank_sum_a += mean_rank;
        ties += t * t * t - t;
        i = j;
    }
    free(x);
    double dna = (double)na, dnb = (double)nb, dn = (double)n;
    double ua = rank_sum_a - dna * (dna + 1.0) / 2.0;
    double mu = dna * dnb / 2.0;
    double var = dn > 1.0 ? dna * dnb / 12.0 * ((dn + 1.0) - ties / (dn * (dn - 1.0))) : 0.0;
    *u = ua;
    if (!(var > 0.0)) {
        *p = 1.0;
        return 0;
    }
    /* Two-sided: the larger of U_a and U_b = na * nb - U_a, against the upper tail, doubled. */
    double big = ua > dna * dnb - ua ? ua : dna * dnb - ua;
    double z = (big - mu - 0.5) / sqrt(var);
    double pv = erfc(z / sqrt(2.0)); /* 2 * (1 - Phi(z)) */
    *p = pv > 1.0 ? 1.0 : pv;
    return 0;
}
