/* The lifecycle benchmarks of the spawn group (join, daemon exit, pools): planned, charted and
 * judged (C5, C12) from bench/groups/spawn/lifecycle.c, registered through the spawn group's
 * descriptor. */
#ifndef TVP_LIFECYCLE_H
#define TVP_LIFECYCLE_H

#include "claims.h"
#include "group.h"
#include "resultset.h"

int tvp_lifecycle_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx,
                       const struct tvp_group *g);
int tvp_lifecycle_chart_data(const struct tvp_resultset *rs, const char *dir);
void tvp_judge_c5(const struct tvp_resultset *rs, struct tvp_verdict *v);
void tvp_judge_c12(const struct tvp_resultset *rs, struct tvp_verdict *v);

#endif
