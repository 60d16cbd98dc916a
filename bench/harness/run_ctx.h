/* Facts about one run that every writer needs: where it goes, the machine, the timer, the
 * placements and which counters this machine can count. Built once by `tvpbench run`. */
#ifndef TVP_RUN_CTX_H
#define TVP_RUN_CTX_H

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#include "counters.h"
#include "options.h"
#include "placement.h"
#include "topology.h"

struct tvp_run_ctx {
    const struct tvp_options *opt;
    char dir[PATH_MAX];
    char host[128];
    char date[40]; /* ISO 8601 UTC start time */
    double timer_cost_ns;
    uint64_t timer_resolution_ns;
    struct tvp_topo *topo;
    struct tvp_topo_summary topo_sum;
    struct tvp_placement placements[TVP_PL_COUNT];
    int n_ctr;
    char ctr_name[TVP_MAX_COUNTERS][64];
    char ctr_column[TVP_MAX_COUNTERS][64];
    int ctr_available[TVP_MAX_COUNTERS];
    char ctr_reason[TVP_MAX_COUNTERS][320];
    char helper_path[PATH_MAX];
    char groups_run[256]; /* comma-separated, as they finished */
    /* Per planned group with something to say (struct tvp_plan's facts and missing). */
    int n_env;
    char env_group[16][32];
    char env_facts[16][600];
    char env_missing[16][300];
    int interrupted;
    int write_failed; /* some part of the record could not be written */
    double seconds;
    double estimated_s; /* the plan's estimate of seconds (harness/estimate.h), -1 when none */
};

#endif
