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

/* Batches beyond the floor of samples: calibration (a few growing batches, about two --min-time
 * in all), the discarded warm-up batch and the counted batch. */
#define TVP_ESTIMATE_EXTRA_BATCHES 4.5
/* A calibrated batch aims 40% past --min-time (runner.c). */
#define TVP_ESTIMATE_BATCH_OVERSHOOT 1.4
/* Fitted to four quiet runs on a 2-vCPU VM (case time from run.log's tally): quick in 1 ms and
 * 2 ms batches took 28 s and 35 s for 621 cases; full in 2 ms and 10 ms batches 202 s and 415 s
 * for 1118. Per case that is about 0.023 s of process, set-up and the costly cases' long
 * operations, plus 0.11 of the time cap: the cases that do not settle at their floor. The model
 * then says 30 s, 35 s, 191 s and 360 s (+8%, 0%, -5%, -13%). */
#define TVP_ESTIMATE_CASE_SETUP_S 0.023
#define TVP_ESTIMATE_CAP_SHARE    0.11

/* Seconds case c is expected to take under options o (resolved). */
double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o);
/* The most it should take (its whole cap spent), for the watchdog warning. */
double tvp_case_longest_s(const struct tvp_case *c, const struct tvp_options *o);

#endif
