#include "estimate.h"

double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o)
{
    int reps = c->min_repetitions > o->repetitions ? c->min_repetitions : o->repetitions;
    return o->min_time_s * (reps + TVP_ESTIMATE_EXTRA_BATCHES) + TVP_ESTIMATE_CASE_SETUP_S;
}
