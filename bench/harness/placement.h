/* Named placements planned from the topology.
 *
 * A placement is a pair of PUs (A, B) on which two cooperating tasks are bound:
 *   same-pu       A == B: both tasks time-share one PU
 *   smt-siblings  two PUs of one core (hyper-threads)
 *   same-cache    two different cores that share a cache (the smallest cache that any two
 *                 cores share, e.g. an L2 cluster or the L3)
 *   cross-cache   two cores of one NUMA node that share no cache
 *   cross-numa    two cores in different NUMA nodes
 *   spread        many workers, one PU each in tvp_plan_spread order (pu_a: the first)
 * A kind the machine lacks is marked unavailable with the reason. The planner chooses the
 * first qualifying pair in topology order so the same machine always gets the same pair. */
#ifndef TVP_PLACEMENT_H
#define TVP_PLACEMENT_H

#include "topology.h"

enum tvp_placement_kind {
    TVP_PL_SAME_PU,
    TVP_PL_SMT_SIBLINGS,
    TVP_PL_SAME_CACHE,
    TVP_PL_CROSS_CACHE,
    TVP_PL_CROSS_NUMA,
    TVP_PL_SPREAD, /* many workers, spread by tvp_plan_spread (pools, sweeps) */
    TVP_PL_COUNT
};

struct tvp_placement {
    enum tvp_placement_kind kind;
    int available;
    int pu_a, pu_b;   /* OS indexes; -1 when unavailable */
    char detail[96];  /* e.g. "PU 0 and PU 2 share L3 (32 MiB)" */
    char reason[128]; /* why unavailable, "" when available */
};

const char *tvp_placement_name(enum tvp_placement_kind k);
/* Returns 0 and sets *k, or -1 when name is not a placement name. */
int tvp_placement_parse(const char *name, enum tvp_placement_kind *k);

/* Fills out[k] for every kind. Returns 0 or an error number. */
int tvp_plan_placements(const struct tvp_topo *t, struct tvp_placement out[TVP_PL_COUNT]);

/* The nearest cross-core placement the machine has: same-cache, else cross-cache, else
 * cross-numa; smt-siblings are not cross-core. NULL when the machine has one core. */
const struct tvp_placement *tvp_placement_cross_core(const struct tvp_placement p[TVP_PL_COUNT]);

/* PUs for n workers spread as wide as possible: one PU per core first (alternating packages
 * and NUMA nodes), then SMT siblings, then wrapping around when n exceeds the PU count
 * (oversubscription). Writes n OS indexes to pus. Returns 0 or an error number. */
int tvp_plan_spread(const struct tvp_topo *t, int n, int *pus);

#endif
