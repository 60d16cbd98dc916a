/* Runs one case inside the process the supervisor forked for it, and reports on a pipe.
 *
 * Order: bind to the case's PU, set-up, open counters, calibrate the iteration count until one
 * batch lasts --min-time (the calibration passes double as warm-up, plus one discarded batch at
 * the final count), then --repetitions timed batches. Each batch gives one sample per metric:
 * its total divided by the iteration count, after subtracting the timer cost for metrics that
 * time every operation. CPU time (getrusage, self and reaped children) covers the timed
 * batches. Counters are read over one more batch of the same size after them, so the cost of
 * inherited events never lands in a timed figure.
 *
 * The report is text, one record a line, so a half-written report from a killed case is
 * recognisable (no "done" line):
 *   iters N | sample M VALUE | counter I VALUE FRACTION | counter I unavailable |
 *   cpu_ns VALUE | cpus A;B | error TEXT | done */
#ifndef TVP_RUNNER_H
#define TVP_RUNNER_H

#include <stdint.h>

#include "group.h"

/* Returns the process exit status the case child should use (0 ok, 1 failed). */
int tvp_runner_run_case(const struct tvp_case *c, const struct tvp_options *o, double timer_cost_ns,
                        int out_fd);

/* A case's run function calls this with the PU a task it started ran on, so the result records
 * where every task ran. */
void tvp_runner_note_cpu(int cpu);

/* Adds CPU time the harness's getrusage cannot see (a child not yet reaped, e.g. a Python worker
 * that lives across batches) to the case's cpu figure. */
void tvp_runner_add_cpu_ns(uint64_t ns);

/* Adds a line to the case's note column (e.g. a set-up step that fell back to something else). */
void tvp_runner_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
