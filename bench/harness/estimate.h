/* How long a planned case is expected to take, worked out from the options and the case alone,
 * before anything runs (`list --cases`, --dry-run, the progress line's time left, the watchdog
 * warning). The runner's batches (harness/runner.c: calibration, one discarded warm-up batch, the
 * samples and the counted batch) each last about --min-time; under the adaptive rule
 * (harness/sampling.h) a case takes its floor of samples and, on average, a share of its time cap
 * more; plus an allowance for the case's own process and set-up. It does not know an operation's
 * cost, so a case whose single operation outlasts --min-time (a capped iteration count) takes
 * longer than this says. */
#ifndef TVP_ESTIMATE_H
#define TVP_ESTIMATE_H

#include "group.h"

/* Batches beyond the samples: calibration (a few growing batches, about two --min-time in all),
 * the discarded warm-up batch and the counted batch. */
#define TVP_ESTIMATE_EXTRA_BATCHES 4.5
/* The case's own process, set-up and teardown. */
#define TVP_ESTIMATE_CASE_SETUP_S 0.045
/* The share of its time cap that an adaptive case spends, on average, beyond its floor. */
#define TVP_ESTIMATE_CAP_SHARE 0.3

/* Seconds case c is expected to take under options o (resolved). */
double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o);
/* The most it should take (its whole cap spent), for the watchdog warning. */
double tvp_case_longest_s(const struct tvp_case *c, const struct tvp_options *o);

#endif
