#include "clock.h"

#include <sys/resource.h>

#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

uint64_t tvp_rusage_cpu_ns(int who)
{
    struct rusage u;
    if (getrusage(who, &u) != 0)
        return 0;
    return ((uint64_t)u.ru_utime.tv_sec + (uint64_t)u.ru_stime.tv_sec) * 1000000000u +
           ((uint64_t)u.ru_utime.tv_usec + (uint64_t)u.ru_stime.tv_usec) * 1000u;
}

double tvp_timer_cost_ns(void)
{
    enum { BATCHES = 31, CALLS = 2000 };
    double per_call[BATCHES];
    volatile uint64_t sink = 0;
    for (int b = 0; b < BATCHES; b++) {
        uint64_t t0 = tvp_now_ns();
        for (int i = 0; i < CALLS; i++)
            sink += tvp_now_ns();
        uint64_t t1 = tvp_now_ns();
        per_call[b] = (double)(t1 - t0) / CALLS;
    }
    (void)sink;
    qsort(per_call, BATCHES, sizeof per_call[0], cmp_double);
    return per_call[BATCHES / 2];
}

uint64_t tvp_timer_resolution_ns(void)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = tvp_now_ns(), b;
        while ((b = tvp_now_ns()) == a)
            ;
        if (b - a < best)
            best = b - a;
    }
    return best;
}
