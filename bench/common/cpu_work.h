/* Calibrated CPU work (the tasks of the pool benchmarks, the critical sections and holds of the
 * locks group) and Jain's fairness index: small helpers several groups share and tests check. */
#ifndef TVP_CPU_WORK_H
#define TVP_CPU_WORK_H

#include <stdint.h>

/* Jain's fairness index of x[0..n-1] (each >= 0): (sum x)^2 / (n * sum x^2), 1 when every x is
 * equal, 1/n when one alone is non-zero. Returns 1 for n <= 0 or all x zero (nothing unfair
 * happened). */
double tvp_jain_index(const double *x, int n);

/* `steps` rounds of a 64-bit LCG from x: CPU work the compiler cannot fold. */
static inline uint64_t tvp_lcg_steps(uint64_t x, uint64_t steps)
{
    for (uint64_t i = 0; i < steps; i++)
        x = x * 6364136223846793005ull + 1442695040888963407ull;
    return x;
}

/* The same as a task on one integer (a pool task): `steps` rounds starting from steps. */
static inline uint64_t tvp_lcg_task(uint64_t steps)
{
    return tvp_lcg_steps(steps, steps);
}

/* How many LCG steps take about ns here (0 for 0): the fastest of several timed probes, so a
 * probe that was preempted cannot shrink the work. */
uint64_t tvp_lcg_steps_for_ns(uint64_t ns);

#endif
