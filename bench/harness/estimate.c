#include "estimate.h"

#include "sampling.h"

static double estimate(const struct tvp_case *c, const struct tvp_options *o, double cap_share)
{
    struct tvp_sampling s;
    tvp_sampling_for_case(c, o, &s);
    double t =
        o->min_time_s * (s.n_min + TVP_ESTIMATE_EXTRA_BATCHES) * TVP_ESTIMATE_BATCH_OVERSHOOT +
        TVP_ESTIMATE_CASE_SETUP_S;
    if (!s.fixed)
        t += cap_share * s.cap_s;
    return t;
}

double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o)
{
    return estimate(c, o, TVP_ESTIMATE_CAP_SHARE);
}

double tvp_case_longest_s(const struct tvp_case *c, const struct tvp_options *o)
{
    return estimate(c, o, 1.0);
}
