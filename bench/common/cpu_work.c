#include "cpu_work.h"

#include "clock.h"

double tvp_jain_index(const double *x, int n)
{
    if (n <= 0)
        return 1.0;
    double s = 0, s2 = 0;
    for (int i = 0; i < n; i++) {
        s += x[i];
        s2 += x[i] * x[i];
    }
    if (s2 <= 0)
        return 1.0;
    return s * s / ((double)n * s2);
}

uint64_t tvp_lcg_steps_for_ns(uint64_t ns)
{
    if (ns == 0)
        return 0;
    const uint64_t probe = 1u << 16;
    uint64_t best = UINT64_MAX;
    for (int k = 0; k < 9; k++) {
        uint64_t t0 = tvp_now_ns();
        volatile uint64_t sink = tvp_lcg_steps(t0, probe);
        (void)sink;
        uint64_t el = tvp_now_ns() - t0;
        if (el < best)
            best = el;
    }
    return (uint64_t)((double)probe * (double)ns / (double)(best ? best : 1)) + 1;
}
