/* Internal to the event implementations: deadlines on CLOCK_MONOTONIC. */
#ifndef TVP_EVENT_COMMON_H
#define TVP_EVENT_COMMON_H

#include <stdint.h>
#include <time.h>

#include "tvp_deadline.h"

/* *ts = now + ns on CLOCK_MONOTONIC (ns >= 0). */
static inline void tvp_event_deadline(int64_t ns, struct timespec *ts)
{
    tvp_deadline_after(ns, ts);
}

/* The time left until *deadline, clamped at 0, in *left. Returns 1 if the deadline passed. */
static inline int tvp_event_time_left(const struct timespec *deadline, struct timespec *left)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns =
        (int64_t)(deadline->tv_sec - now.tv_sec) * 1000000000 + (deadline->tv_nsec - now.tv_nsec);
    if (ns <= 0) {
        left->tv_sec = 0;
        left->tv_nsec = 0;
        return 1;
    }
    left->tv_sec = (time_t)(ns / 1000000000);
    left->tv_nsec = (long)(ns % 1000000000);
    return 0;
}

#endif
