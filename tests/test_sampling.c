/* The adaptive sampling rule (harness/sampling.h): which figures it governs, the CI half-width it
 * judges, and each way it stops (target, cap, max-samples, fixed), with its floor of samples. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "group.h"
#include "sampling.h"

static const struct tvp_group fake_group = {.name = "fake", .description = "test"};

static struct tvp_case two_metrics(const char *m1, const char *u1)
{
    struct tvp_case c;
    memset(&c, 0, sizeof c);
    c.group = &fake_group;
    c.n_metrics = 2;
    c.metric[0] = "rtt";
    c.unit[0] = "ns";
    c.metric[1] = m1;
    c.unit[1] = u1;
    return c;
}

static struct tvp_options adaptive(void)
{
    struct tvp_options o;
    memset(&o, 0, sizeof o);
    o.min_samples = 6;
    o.ci_target = 0.03;
    o.max_time_s = 1.0;
    o.min_time_s = 0.01;
    return o;
}

int main(void)
{
    static double a[TVP_SAMPLES_MAX], b[TVP_SAMPLES_MAX], scratch[TVP_SAMPLES_MAX];
    double *by_metric[TVP_MAX_METRICS] = {a, b};

    /* Governed: time figures, but not tails nor the CPU time beside a wall time. */
    struct tvp_case c = two_metrics("rtt-p99", "ns");
    CHECK(tvp_sampling_governs(&c, 0));
    CHECK(!tvp_sampling_governs(&c, 1));
    c = two_metrics("cpu", "ns");
    CHECK(!tvp_sampling_governs(&c, 1));
    c = two_metrics("rss-added", "B");
    CHECK(!tvp_sampling_governs(&c, 1));
    c = two_metrics("per-msg", "ns");
    CHECK(tvp_sampling_governs(&c, 1));

    /* The half-width: none below 6 samples (no 95% interval), 0 for equal samples, the
     * order statistics' half-width over the median otherwise. */
    for (int i = 0; i < 9; i++)
        a[i] = 100.0;
    CHECK(isinf(tvp_sampling_rel_halfwidth(a, 5, scratch)));
    CHECK_NEAR(tvp_sampling_rel_halfwidth(a, 6, scratch), 0.0, 0.0);
    /* n = 9: the CI is [x(2), x(8)] (coverage 96.1%); 90..110 around a median of 100. */
    double nine[9] = {80, 90, 95, 98, 100, 102, 105, 110, 130};
    CHECK_NEAR(tvp_sampling_rel_halfwidth(nine, 9, scratch), 0.10, 1e-12);
    double zero[6] = {0, 0, 0, 1, 0, 0};
    CHECK(isinf(tvp_sampling_rel_halfwidth(zero, 6, scratch)));

    /* Adaptive: nothing stops it before its floor, tight samples stop it there. */
    struct tvp_options o = adaptive();
    struct tvp_sampling s;
    c = two_metrics("per-msg", "ns");
    tvp_sampling_for_case(&c, &o, &s);
    CHECK(!s.fixed);
    CHECK_INT(s.n_min, 6);
    CHECK_INT(s.n_max, TVP_SAMPLES_MAX);
    CHECK_NEAR(s.cap_s, 1.0, 0.0);
    for (int i = 0; i < 40; i++)
        a[i] = b[i] = 100.0 + (i % 2); /* within ±1% */
    CHECK_INT(tvp_sampling_check(&c, &s, 5, 10.0, by_metric, scratch, NULL), TVP_STOP_NONE);
    double worst = -1;
    CHECK_INT(tvp_sampling_check(&c, &s, 6, 0.0, by_metric, scratch, &worst), TVP_STOP_TARGET);
    CHECK(worst > 0 && worst <= 0.03);

    /* One governed figure too wide keeps it going until the cap, which then stops it. */
    for (int i = 0; i < 40; i++)
        b[i] = i % 2 ? 100.0 : 150.0;
    CHECK_INT(tvp_sampling_check(&c, &s, 20, 0.5, by_metric, scratch, &worst), TVP_STOP_NONE);
    CHECK(worst > 0.03);
    CHECK_INT(tvp_sampling_check(&c, &s, 20, 1.0, by_metric, scratch, NULL), TVP_STOP_CAP);
    /* ... unless that figure is one the rule does not govern. */
    c.metric[1] = "rtt-p99";
    CHECK_INT(tvp_sampling_check(&c, &s, 6, 0.0, by_metric, scratch, NULL), TVP_STOP_TARGET);
    c.metric[1] = "per-msg";
    /* The ceiling on samples, whatever the time. */
    CHECK_INT(tvp_sampling_check(&c, &s, TVP_SAMPLES_MAX, 0.0, by_metric, scratch, NULL),
              TVP_STOP_MAX);
    /* A case with no time figure has nothing to refine: its floor suffices. */
    struct tvp_case counts = two_metrics("holders", "count");
    counts.unit[0] = "B";
    CHECK_INT(tvp_sampling_check(&counts, &s, 6, 0.0, by_metric, scratch, &worst), TVP_STOP_TARGET);
    CHECK(isnan(worst));

    /* A case's own floor (a verdict on its own samples) and its own cap scale. */
    c.min_repetitions = 21;
    c.sample_cap_scale = 4;
    tvp_sampling_for_case(&c, &o, &s);
    CHECK_INT(s.n_min, 21);
    CHECK_NEAR(s.cap_s, 4.0, 1e-12);
    CHECK(s.cap_is_case);
    CHECK_INT(tvp_sampling_check(&c, &s, 20, 100.0, by_metric, scratch, NULL), TVP_STOP_NONE);

    /* --repetitions: exactly that many (the case's floor still counts), whatever the CI. */
    o.repetitions = 7;
    c.min_repetitions = 0;
    tvp_sampling_for_case(&c, &o, &s);
    CHECK(s.fixed);
    CHECK_INT(s.n_min, 7);
    CHECK_INT(s.n_max, 7);
    CHECK_INT(tvp_sampling_check(&c, &s, 6, 100.0, by_metric, scratch, NULL), TVP_STOP_NONE);
    CHECK_INT(tvp_sampling_check(&c, &s, 7, 0.0, by_metric, scratch, NULL), TVP_STOP_FIXED);
    c.min_repetitions = 21;
    tvp_sampling_for_case(&c, &o, &s);
    CHECK_INT(s.n_max, 21);

    /* The words written to the CSV read back; an unknown one is refused. */
    for (int st = TVP_STOP_NONE; st <= TVP_STOP_FIXED; st++) {
        enum tvp_stop back;
        CHECK_INT(tvp_stop_parse(tvp_stop_name((enum tvp_stop)st), &back), 0);
        CHECK_INT(back, st);
    }
    enum tvp_stop unused;
    CHECK_INT(tvp_stop_parse("tight", &unused), -1);

    char rule[400];
    o.repetitions = 0;
    tvp_sampling_describe(&o, rule, sizeof rule);
    CHECK_MSG(strstr(rule, "±3%") && strstr(rule, "at least 6 samples"), "%s", rule);
    return CHECK_DONE();
}
