/* The locks group's cases as the unit tests reach them (tests/test_locks_cases.c): a case filled
 * in as the planner would, the thread count the multi-threaded cases check, and the fault hooks
 * that make each of the group's own checks fire. */
#ifndef TVP_LOCKS_CASES_H
#define TVP_LOCKS_CASES_H

#include <sys/types.h>

#include "group.h"

/* The benchmark suffix of the cases timed while the process has one thread (glibc's
 * single-thread fast path); every other lock figure is taken with a second thread alive. */
#define TVP_LOCKS_SINGLE_SUFFIX "-single-thread"
/* The C7 negative control: the contended loop with its lock taken out. */
#define TVP_LOCKS_NOLOCK_VARIANT "no-lock-control"
/* The C9 negative control: the semaphore-cap loop with no semaphore ("<model>" + this). */
#define TVP_LOCKS_NOCAP_SUFFIX "-no-cap-control"
/* The event-wake variants that keep the old settle, a sleep ("<impl>-<model>" + this). */
#define TVP_LOCKS_SLEEP_SETTLE_SUFFIX "-sleep-settle"

/* Test hooks, 0 in normal runs. no_idle: the multi-threaded cases do not start their idle
 * companion thread (the thread-count check must then fail the run). waiter_spins: an event
 * waiter busy-waits for 1.5 s after announcing itself instead of blocking at once (the settle,
 * which waits for every waiter to be asleep, must then fail the run). */
extern int tvp_locks_fault_no_idle;
extern int tvp_locks_fault_waiter_spins;

/* The number of threads of process pid (0: this one), from /proc/<pid>/status; -1 with the
 * reason in err when it cannot be read. */
int tvp_locks_thread_count(pid_t pid, char *err, size_t errlen);

/* Fills c as the planner fills that case: benchmark, variant, model, parameter value (workers,
 * depth or waiters; ignored where the benchmark has none), the PUs in pus[0..n_pus-1] (the
 * measuring task's first), metrics and functions. Returns 0, or -1 for a benchmark it does not
 * know. */
int tvp_locks_test_case(struct tvp_case *c, const char *benchmark, const char *variant,
                        const char *model, long long param, const int *pus, int n_pus);

#endif
