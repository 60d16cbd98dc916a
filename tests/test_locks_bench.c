/* Unit tests of the calibrated-work helpers the groups share (bench/common/cpu_work.c): Jain's
 * fairness index and the calibrated LCG work. */
#include "check.h"
#include "clock.h"
#include "cpu_work.h"

#include <math.h>
#include <stdint.h>

static int near(double a, double b)
{
    return fabs(a - b) < 1e-9;
}

int main(void)
{
    double eq[4] = {0.5, 0.5, 0.5, 0.5};
    CHECK_MSG(near(tvp_jain_index(eq, 4), 1.0), "equal shares: %g", tvp_jain_index(eq, 4));
    double one[4] = {1, 0, 0, 0};
    CHECK_MSG(near(tvp_jain_index(one, 4), 0.25), "one alone: %g", tvp_jain_index(one, 4));
    double two[4] = {1, 1, 0, 0};
    CHECK_MSG(near(tvp_jain_index(two, 4), 0.5), "two of four: %g", tvp_jain_index(two, 4));
    double mix[2] = {1, 3}; /* 16 / (2 * 10) */
    CHECK_MSG(near(tvp_jain_index(mix, 2), 0.8), "1 and 3: %g", tvp_jain_index(mix, 2));
    double zero[3] = {0, 0, 0};
    CHECK(near(tvp_jain_index(zero, 3), 1.0));
    CHECK(near(tvp_jain_index(eq, 0), 1.0));
    double single[1] = {0.3};
    CHECK(near(tvp_jain_index(single, 1), 1.0));

    CHECK(tvp_lcg_steps_for_ns(0) == 0);
    uint64_t s1 = tvp_lcg_steps_for_ns(1000), s10 = tvp_lcg_steps_for_ns(10000);
    CHECK_MSG(s1 >= 1 && s10 > s1, "steps for 1 us %llu, for 10 us %llu", (unsigned long long)s1,
              (unsigned long long)s10);
    /* Deterministic and not folded: different step counts give different values. */
    CHECK(tvp_lcg_steps(1, 5) == tvp_lcg_steps(tvp_lcg_steps(1, 2), 3));
    CHECK(tvp_lcg_steps(1, 5) != tvp_lcg_steps(1, 6));
    return CHECK_DONE();
}
