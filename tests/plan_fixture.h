/* What a group's planner sees, for a test: a synthetic machine, its placements, and quick-run
 * options as tvp_options_parse leaves them by default. */
#ifndef TVP_PLAN_FIXTURE_H
#define TVP_PLAN_FIXTURE_H

#include <string.h>

#include "group.h"
#include "placement.h"
#include "topology.h"

struct plan_fixture {
    struct tvp_topo *topo;
    struct tvp_placement pl[TVP_PL_COUNT];
    struct tvp_options o;
    struct tvp_plan_ctx ctx;
};

/* Returns 0, or an error number with the reason in err (then nothing is held). */
static inline int pf_init(struct plan_fixture *f, const char *synthetic, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    int rc = tvp_topo_load_synthetic(synthetic, &f->topo, err, errlen);
    if (rc)
        return rc;
    if ((rc = tvp_plan_placements(f->topo, f->pl)) != 0) {
        tvp_topo_free(f->topo);
        f->topo = NULL;
        return rc;
    }
    f->o.quick = 1;
    tvp_options_resolve(&f->o);
    f->o.placement_mask = (1u << TVP_PL_COUNT) - 1;
    f->ctx = (struct tvp_plan_ctx){&f->o, f->pl, f->topo, NULL};
    return 0;
}

static inline void pf_free(struct plan_fixture *f)
{
    tvp_topo_free(f->topo);
    f->topo = NULL;
}

#endif
