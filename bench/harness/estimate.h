/* How long a planned case is expected to take, worked out from the options and the case alone,
 * before anything runs (`list --cases`, the watchdog warning). A first, simple model: the
 * runner's batches (harness/runner.c: calibration, one discarded warm-up batch, the repetitions
 * and the counted batch) each last about --min-time, plus an allowance for the case's own
 * process and set-up. It does not know an operation's cost, so a case whose single operation
 * outlasts --min-time (a capped iteration count) takes longer than this says. */
#ifndef TVP_ESTIMATE_H
#define TVP_ESTIMATE_H

#include "group.h"

/* Batches beyond the repetitions: calibration (a few growing batches, about two --min-time in
 * all), the discarded warm-up batch and the counted batch, with some room. */
#define TVP_ESTIMATE_EXTRA_BATCHES 5
/* The case's own process, set-up and teardown, in seconds. */
#define TVP_ESTIMATE_CASE_SETUP_S 0.1

/* Seconds case c is expected to take under options o (resolved). */
double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o);

#endif
