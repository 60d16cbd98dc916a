/* Absolute deadlines for the timed waits of the primitives and the harness: now + ns on a given
 * clock, as pthread_cond_timedwait (with the clock the condition variable was made with),
 * FUTEX_WAIT_BITSET and mq_timedreceive take them. One helper, so every timeout rounds alike. */
#ifndef TVP_DEADLINE_H
#define TVP_DEADLINE_H

#include <stdint.h>
#include <time.h>

/* *ts = now on clock + ns (ns >= 0). */
static inline void tvp_deadline_on(clockid_t clock, int64_t ns, struct timespec *ts)
{
    clock_gettime(clock, ts); /* cannot fail for the clocks used, with a valid ts */
    ts->tv_sec += (time_t)(ns / 1000000000);
    ts->tv_nsec += (long)(ns % 1000000000);
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

/* *ts = now + ns on CLOCK_MONOTONIC. */
static inline void tvp_deadline_after(int64_t ns, struct timespec *ts)
{
    tvp_deadline_on(CLOCK_MONOTONIC, ns, ts);
}

#endif
