/* The claims of CLAIMS.md and the verdicts computed for them.
 *
 * A verdict is computed from a results folder by the judge of the group that measures the
 * claim; it carries the figures it used (with units, placement and spread) and the rule that
 * turned them into the verdict. A claim whose group did not run, or that no group measures
 * yet, is `not measured` with that reason. */
#ifndef TVP_CLAIMS_H
#define TVP_CLAIMS_H

#include <stddef.h>

#include "resultset.h"

enum tvp_verdict_kind {
    TVP_V_NOT_MEASURED,
    TVP_V_CONFIRMED,
    TVP_V_REFUTED,
    TVP_V_NUANCED,
    TVP_V_TOO_CLOSE,
    TVP_V_TOO_FEW /* a deciding ratio rests on fewer than TVP_MIN_VERDICT_SAMPLES per side */
};

/* Below this many samples per figure, a ratio's interval is too wide to decide (with 5 samples
 * the distribution-free interval of a median is [min, max] with 94% coverage at best, and a
 * bootstrap over 5 values has little to resample): a verdict that rests on such a ratio is
 * `too few samples`, with what the rule would have said. */
#define TVP_MIN_VERDICT_SAMPLES 6

struct tvp_verdict {
    enum tvp_verdict_kind kind;
    char summary[600];  /* one sentence: the verdict with its key figures */
    char figures[6000]; /* the figures it rests on, "; "-separated (C, then Python) */
    char rule[1000];    /* how the figures were turned into the verdict */
};

struct tvp_claim {
    const char *id;
    const char *text;
    const char *group; /* the group that measures it, NULL if none yet */
    const char *brief; /* under ten words, for the report's first screen */
};

#define TVP_MAX_CLAIMS 32
extern const struct tvp_claim tvp_claims[];
extern const size_t tvp_claims_len;

const char *tvp_verdict_name(enum tvp_verdict_kind k);

/* Computes the verdict of claim `id` from rs. */
void tvp_judge_claim(const struct tvp_resultset *rs, const struct tvp_claim *c,
                     struct tvp_verdict *v);

/* For a claim's judge: every group's part of claim_id (struct tvp_claim_part), called through
 * the registry so the judge names no other group. Returns 1 when there is a part and every part
 * was measured with its checks passed, -1 when a check failed, 0 otherwise. */
int tvp_claim_parts(const struct tvp_resultset *rs, const char *claim_id, char *figs, size_t len);

/* Ratio of two figures' medians, a/b, with a 95% CI: bootstrap over their samples when both
 * have at least 3, otherwise from the two medians' CIs (lo_a/hi_b .. hi_a/lo_b). */
struct tvp_ratio {
    double ratio, lo, hi;
    int bootstrap; /* 1 when the CI comes from the bootstrap */
};
int tvp_ratio_of(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r);

/* The same ratio for a figure shown beside a verdict that other figures decide (a claim decided
 * by its checks): its samples do not count toward the too-few-samples rule. */
int tvp_ratio_shown(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r);

/* a / b for two figures one case measured side by side (a pair case: sample i of each from the
 * same batch): the median of the per-sample ratios a[i] / b[i] with its distribution-free 95%
 * CI, so a drift of the machine slower than a batch reaches both sides alike. -1 (r zeroed)
 * when either figure is missing, their sample counts differ or a ratio is not finite. */
int tvp_paired_ratio_of(const struct tvp_fig *a, const struct tvp_fig *b, struct tvp_ratio *r);

/* The speed-up of a group's "scaling" benchmark (metric per-job, parameter workers) at w workers
 * over 1. Where the w-worker case also timed the 1-worker job beside each w-worker job (metric
 * per-job-1, as the python group does), it is the median of the paired ratios per-job-1 /
 * per-job, sample by sample, with that median's distribution-free CI: both jobs of a pair saw the
 * same machine. Otherwise it is the ratio of the 1-worker and w-worker cases' per-job medians
 * (tvp_ratio_of). 0 on success. */
int tvp_scaling_speedup(const struct tvp_resultset *rs, const char *group, const char *variant,
                        long long w, struct tvp_ratio *r);

/* For a judge that decides on one figure's interval (against a threshold) rather than on a
 * ratio: counts its samples toward the too-few-samples rule, as tvp_ratio_of does. */
void tvp_judge_uses(const struct tvp_fig *f);

/* Formats a duration in ns with a readable unit ("14.2 µs"). */
void tvp_fmt_ns(char *buf, size_t len, double ns);

/* Appends printf-style text to a fixed buffer. */
void tvp_appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
