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
 * all), the discarded warm-up batch and the counted batch. With the case's own process, set-up
 * and teardown below, fitted to two quiet runs on a 2-vCPU VM: a quick run took 0.156 s a case
 * (96.8 s for 621), a full run 1.01 s (1118 s for 1107); the first model (5 and 0.1 s) said
 * 0.22 and 1.1 s, 43% over for the quick run. */
#define TVP_ESTIMATE_EXTRA_BATCHES 4.5
#define TVP_ESTIMATE_CASE_SETUP_S  0.045

/* Seconds case c is expected to take under options o (resolved). */
double tvp_case_estimate_s(const struct tvp_case *c, const struct tvp_options *o);

#endif
