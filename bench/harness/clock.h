/* The harness clock: CLOCK_MONOTONIC in integer nanoseconds. Durations stay integers until the
 * final division into a per-operation figure. */
#ifndef TVP_CLOCK_H
#define TVP_CLOCK_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t tvp_now_ns(void)
{
    struct timespec ts;
    /* CLOCK_MONOTONIC cannot fail with a valid pointer; the vDSO answers it without a syscall. */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps ns nanoseconds, resuming after a signal. */
static inline void tvp_sleep_ns(long ns)
{
    struct timespec ts = {ns / 1000000000L, ns % 1000000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* User + system time in ns of getrusage's who (RUSAGE_SELF, RUSAGE_THREAD, RUSAGE_CHILDREN);
 * 0 if it failed (it cannot with these arguments). */
uint64_t tvp_rusage_cpu_ns(int who);

/* Median cost of one tvp_now_ns() call in ns, measured over batches (the cost a single timed
 * interval pays once). */
double tvp_timer_cost_ns(void);

/* Smallest non-zero difference between two consecutive readings, in ns. */
uint64_t tvp_timer_resolution_ns(void);

#endif
