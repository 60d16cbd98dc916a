/* The names of the placement kinds, apart from the planner: whatever names a case (case_name.c)
 * needs them, without hwloc. */
#include "placement.h"

#include <string.h>

static const char *const names[TVP_PL_COUNT] = {
    [TVP_PL_SAME_PU] = "same-pu",       [TVP_PL_SMT_SIBLINGS] = "smt-siblings",
    [TVP_PL_SAME_CACHE] = "same-cache", [TVP_PL_CROSS_CACHE] = "cross-cache",
    [TVP_PL_CROSS_NUMA] = "cross-numa", [TVP_PL_SPREAD] = "spread",
};

const char *tvp_placement_name(enum tvp_placement_kind k)
{
    if ((unsigned)k >= TVP_PL_COUNT)
        return "unknown";
    return names[k];
}

int tvp_placement_parse(const char *name, enum tvp_placement_kind *k)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < TVP_PL_COUNT; i++) {
        if (strcmp(name, names[i]) == 0) {
            *k = (enum tvp_placement_kind)i;
            return 0;
        }
    }
    return -1;
}
