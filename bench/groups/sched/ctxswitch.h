/* The sched group's context-switch engine: two tasks hand control back and forth through a
 * sleeping wake-up mechanism, and the mechanism's own cost is measured apart.
 *
 * "switch": task A (the measuring task, on c->pu_a) wakes task B (on c->pu_b) and sleeps until B
 * wakes it back; one operation = A -> B -> A, two hand-offs, which on one PU are exactly two
 * context switches. c->variant is the mechanism: "futex" (one shared 32-bit turn word, FUTEX_WAKE
 * and FUTEX_WAIT, no spinning before sleeping) or "pipe" (two pipes, 1 byte each way). c->model
 * is what B is: "thread" (a thread of the case process) or "process" (a forked child, the turn
 * word in MAP_SHARED memory). c->param_value is a working set in bytes: each task owns a buffer
 * of that size and, between two hand-offs, reads one byte of each of its 64-byte lines, timed on
 * both sides so the touching can be taken out of the switch figure. Metrics: per-switch (ns:
 * (batch wall time - both tasks' touching) / (2 x iterations)), switches-per-iter (A's and B's
 * voluntary + involuntary context switches per iteration, from getrusage; 2.0 on one PU),
 * touch (ns of touching per iteration, both tasks).
 *
 * "wake-cost": the mechanism alone in one task, no partner and no switch: futex = FUTEX_WAKE on
 * a word nobody waits on + FUTEX_WAIT with a value that does not match (EAGAIN at once); pipe =
 * write 1 byte + read it back from the same pipe. Metric per-op (ns).
 *
 * B is started in set-up and parked on a futex gate between batches; teardown stops it and
 * joins or reaps it (a child that does not stop within 5 s is killed; a child also dies with the
 * case process, PR_SET_PDEATHSIG). */
#ifndef TVP_CTXSWITCH_H
#define TVP_CTXSWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"

/* Binds the calling thread (task A) to c->pu_a (its previous affinity is restored by teardown),
 * starts B for "switch" and allocates and touches the working sets. Returns 0, or -1 with the
 * reason in err (unknown benchmark, variant or model, a negative or oversized working set, a
 * failed system call). */
int tvp_csw_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
/* Runs iters operations and adds each metric's total to totals[] (see above). Returns 0, or -1
 * with the reason in err; after a failure the case's later runs fail too. */
int tvp_csw_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
                size_t errlen);
/* Stops and joins or reaps B, closes the pipes, frees everything; state may be NULL. */
void tvp_csw_teardown(const struct tvp_case *c, void *state);
/* Fills the metric names/units/max_iters/note of a case whose benchmark, variant, model,
 * param_value and PUs are set: the planner calls it. It also points c->setup/run/teardown at the
 * three functions above. */
void tvp_csw_describe(struct tvp_case *c);

#endif
