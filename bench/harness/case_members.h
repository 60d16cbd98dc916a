/* A case made of member cases: every batch runs each member's batch in turn, the order reversed
 * every other batch, so the figures a claim divides see the machine in the same state (a host
 * moving or holding a vCPU for longer than two batches reaches every member alike). The ipc pair
 * cases (groups/ipc/ipc_pair.c) and C11's own-cost pair (groups/queues/queues_own_pair.c) are
 * built on it; a judge reads them with tvp_paired_ratio_of. */
#ifndef TVP_CASE_MEMBERS_H
#define TVP_CASE_MEMBERS_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"

#define TVP_MAX_MEMBERS 3

struct tvp_members {
    int n;                              /* set by the caller, with c[0 .. n) */
    struct tvp_case c[TVP_MAX_MEMBERS]; /* each member as it would be a case of its own */
    void *state[TVP_MAX_MEMBERS];
    int ready[TVP_MAX_MEMBERS];
    uint64_t batch;
};

/* Sets up c[0 .. n) in order. On a failure, tears down the members already set up and returns
 * -1 with err naming the member ("OWNER: BENCH VARIANT (MODEL model): why"). */
int tvp_members_setup(struct tvp_members *m, const char *owner, char *err, size_t errlen);
/* One batch: `iters` operations through every member in turn, member i's totals added to
 * totals[i]. 0, or -1 with err naming the member. */
int tvp_members_run(struct tvp_members *m, const char *owner, uint64_t iters,
                    uint64_t totals[][TVP_MAX_METRICS], char *err, size_t errlen);
/* Tears down every member set up, the last first. */
void tvp_members_teardown(struct tvp_members *m);

#endif
