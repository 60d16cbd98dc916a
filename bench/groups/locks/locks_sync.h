/* The semaphore and event benchmarks of the locks group (claims C9 and C10): planned, charted and
 * judged from bench/groups/locks/locks_sync.c, registered through the locks group's descriptor in
 * bench/groups/locks/locks.c (as bench/groups/spawn/lifecycle.c is through the spawn group's). */
#ifndef TVP_LOCKS_SYNC_H
#define TVP_LOCKS_SYNC_H

#include "claims.h"
#include "group.h"
#include "resultset.h"

int tvp_locks_sync_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                        const struct tvp_group *g);
/* Writes charts/locks-<chart>.dat files for the semaphore and event benchmarks. */
int tvp_locks_sync_chart_data(const struct tvp_resultset *rs, const char *dir);
/* Finishes a case of c->benchmark "semaphore-cap" (5 permits) or "event-wake" (the event
 * implementation read from c->variant) as the planner does, with param workers or waiters and
 * the PUs given; -1 for another benchmark. For tvp_locks_test_case. */
int tvp_locks_sync_test_case(struct tvp_case *c, long long param, const int *pus, int n_pus);
void tvp_judge_c9(const struct tvp_resultset *rs, struct tvp_verdict *v);
void tvp_judge_c10(const struct tvp_resultset *rs, struct tvp_verdict *v);

#endif
