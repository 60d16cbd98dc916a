/* The sched group's scaling engine (claim C6): a fixed job of CPU-bound work units split over N
 * workers, run as free threads, as processes, and as threads under an emulated global
 * interpreter lock (primitives/tvp_gil.h) — and the same with an I/O-bound mix.
 *
 * A job is TVP_SCALING_UNITS units; a unit is ~100 us of integer arithmetic (the calibrated LCG
 * of bench/common/cpu_work.h) whose result is summed and checked against the value one task
 * computed in set-up, so the compiler cannot drop it and no worker can skip a unit. Workers take
 * units from a shared counter until the batch's iters x units are done; one operation is one job:
 * "per-job" ns (speed-up with N workers = per-job at 1 / per-job at N, same mode). Under the GIL a
 * worker computes only while it holds the lock and polls the drop request every ~1 us of work, as
 * CPython's eval loop does between bytecodes. The I/O mix ("io-*"): each unit is ~50 us of work
 * then a ~50 us sleep, with the GIL released around the sleep as CPython releases it around
 * blocking calls.
 *
 * Variants: "threads", "processes", "gil-threads", "io-threads", "io-processes",
 * "io-gil-threads". Parameter "workers" (c->param_value), PUs in c->pus (spread). The switch
 * interval of the GIL comes from c->arg (ns). Workers are started for each batch, so the
 * harness's counters (context switches, migrations) count them. */
#ifndef TVP_SCHED_SCALING_H
#define TVP_SCHED_SCALING_H

#include "group.h"

#define TVP_SCALING_UNITS   240
#define TVP_SCALING_UNIT_NS 100000

/* For tests only: when set, the worker that takes the batch's first unit skips it, so a test can
 * show the result check fails the batch. */
extern int tvp_scaling_fault;
/* For tests only: when set, each GIL worker takes the GIL a second time at its start, which the
 * GIL refuses (EDEADLK), so a test sees a failed take fail the batch. */
extern int tvp_scaling_gil_fault;

int tvp_scaling_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_scaling_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen);
void tvp_scaling_teardown(const struct tvp_case *c, void *state);

#endif
