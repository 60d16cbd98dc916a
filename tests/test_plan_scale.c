/* Plans that scale with the machine (issue 18), checked on synthetic machines of 16, 128 and 256
 * PUs: every group's worker sweep is the shared one (1, 2, 4, ... PUs, 2x PUs), each placement
 * level is one representative pair, and the whole plan's estimate stays under 30 minutes for a
 * full run and 3 for a quick one. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "estimate.h"
#include "plan_fixture.h"

static const struct machine {
    const char *label, *synthetic;
    int pus;
} machines[] = {
    {"1x8-core SMT-2", "pack:1 l3:1 l2:8 l1d:1 core:1 pu:2", 16},
    {"2-socket 4-NUMA 64-core SMT-2", "pack:2 numa:2 l3:2 l2:8 core:1 pu:2", 128},
    {"256 PUs (2 sockets, 4 NUMA, 16 L3, 128 cores, SMT-2)", "pack:2 numa:2 l3:4 l2:8 core:1 pu:2",
     256},
};

#define FULL_BUDGET_S  (30 * 60.0)
#define QUICK_BUDGET_S (3 * 60.0)

/* The sweep itself: ascending powers of two below PUs, then PUs, then 2x PUs. */
static void check_sweep(const struct machine *m, const struct tvp_topo *t, int *sweep, int *n)
{
    *n = tvp_plan_worker_sweep(t, sweep, 64);
    int expect = 0;
    for (int w = 1; w < m->pus; w *= 2)
        CHECK_MSG(expect < *n && sweep[expect++] == w, "%s: sweep[%d] is not %d", m->label,
                  expect - 1, w);
    CHECK_MSG(expect < *n && sweep[expect] == m->pus, "%s: the sweep lacks PUs = %d", m->label,
              m->pus);
    CHECK_MSG(expect + 1 < *n && sweep[expect + 1] == 2 * m->pus, "%s: the sweep lacks 2x PUs = %d",
              m->label, 2 * m->pus);
    CHECK_MSG(*n == expect + 2, "%s: the sweep has %d counts, expected %d", m->label, *n,
              expect + 2);
    CHECK(tvp_plan_sweep_max(t) == 2 * m->pus);
}

static int in_sweep(long long w, const int *sweep, int n)
{
    for (int i = 0; i < n; i++)
        if (sweep[i] == w)
            return 1;
    return 0;
}

/* A case whose worker count comes from the machine's sweep (not from a permit count or the
 * core count): sched and python scaling, contended locks, and queue streams k x k. */
static int swept_workers(const struct tvp_case *c, long long *w)
{
    const char *g = c->group->name;
    if ((!strcmp(g, "sched") || !strcmp(g, "python")) && !strcmp(c->benchmark, "scaling") &&
        !strcmp(c->param, "workers")) {
        *w = c->param_value;
        return 1;
    }
    if (!strcmp(g, "locks") && !strncmp(c->benchmark, "contended-", 10)) {
        *w = c->param_value;
        return 1;
    }
    int a, b;
    if (!strcmp(g, "queues") && sscanf(c->benchmark, "stream-%dx%d", &a, &b) == 2 && a == b &&
        a > 1) {
        *w = a;
        return 1;
    }
    return 0;
}

static void check_machine(const struct machine *m, int quick)
{
    struct plan_fixture f;
    char err[512];
    int rc = pf_init(&f, m->synthetic, err, sizeof err);
    CHECK_MSG(rc == 0, "%s: %s", m->label, err);
    if (rc)
        return;
    const char *kind = quick ? "quick" : "full";
    struct tvp_options o = {0};
    o.quick = quick;
    o.counters_enabled = 1;
    o.placement_mask = (1u << TVP_PL_COUNT) - 1;
    tvp_options_resolve(&o);
    f.o = o;
    f.ctx.opt = &f.o;
    struct tvp_topo_summary sum;
    tvp_topo_summarize(f.topo, &sum);
    CHECK_MSG(sum.pus == m->pus, "%s: %d PUs, expected %d", m->label, sum.pus, m->pus);

    int sweep[64], n_sweep;
    check_sweep(m, f.topo, sweep, &n_sweep);

    double total_s = 0;
    size_t cases = 0;
    int used[TVP_PL_COUNT] = {0}, off_pair[TVP_PL_COUNT] = {0}, off_sweep = 0;
    int sched_threads[64], n_sched_threads = 0;
    /* The counts the judges read: locks (C-claims on the mutex) at 1 and 2 workers, sched's
     * and python's scaling at 1 and PUs. */
    int judged_locks = 0, judged_sched = 0;
    for (size_t g = 0; g < tvp_groups_len; g++) {
        struct tvp_plan p = {0};
        rc = tvp_groups[g]->plan(&p, &f.ctx);
        CHECK_MSG(rc == 0, "%s %s: planning %s failed: %s", m->label, kind, tvp_groups[g]->name,
                  strerror(rc));
        for (size_t i = 0; i < p.len; i++) {
            const struct tvp_case *c = &p.cases[i];
            total_s += tvp_case_estimate_s(c, &f.o);
            cases++;
            used[c->placement]++;
            /* One representative pair per level: every case at a level uses the planned pair. */
            if (c->placement != TVP_PL_SPREAD &&
                (c->pu_a != f.pl[c->placement].pu_a || c->pu_b != f.pl[c->placement].pu_b)) {
                if (off_pair[c->placement]++ == 0)
                    fprintf(stderr,
                            "%s %s: %s/%s/%s at %s uses PUs %d+%d, the level's pair is %d+%d\n",
                            m->label, kind, c->group->name, c->benchmark, c->variant,
                            tvp_placement_name(c->placement), c->pu_a, c->pu_b,
                            f.pl[c->placement].pu_a, f.pl[c->placement].pu_b);
            }
            long long w;
            if (swept_workers(c, &w) && !in_sweep(w, sweep, n_sweep)) {
                if (off_sweep++ == 0)
                    fprintf(stderr, "%s %s: %s/%s/%s has %lld workers, not in the sweep\n",
                            m->label, kind, c->group->name, c->benchmark, c->variant, w);
            }
            if (!strcmp(c->group->name, "sched") && !strcmp(c->benchmark, "scaling") &&
                !strcmp(c->variant, "threads") && n_sched_threads < 64)
                sched_threads[n_sched_threads++] = (int)c->param_value;
            if (!strcmp(c->group->name, "locks") && !strcmp(c->benchmark, "contended-0ns") &&
                !strcmp(c->variant, "mutex") && !strcmp(c->model, "thread") &&
                (c->param_value == 1 || c->param_value == 2))
                judged_locks |= 1 << c->param_value;
            if (!strcmp(c->group->name, "sched") && !strcmp(c->benchmark, "scaling") &&
                (c->param_value == 1 || c->param_value == m->pus))
                judged_sched |= c->param_value == 1 ? 1 : 2;
        }
        tvp_plan_free(&p);
    }
    for (int k = 0; k < TVP_PL_COUNT; k++) {
        CHECK_MSG(off_pair[k] == 0, "%s %s: %d case(s) at %s off the level's one pair", m->label,
                  kind, off_pair[k], tvp_placement_name((enum tvp_placement_kind)k));
        /* Every level the machine has is measured (in a full run): one pair each. */
        if (!quick)
            CHECK_MSG(!f.pl[k].available || used[k] > 0, "%s: no case at %s, which it has",
                      m->label, tvp_placement_name((enum tvp_placement_kind)k));
    }
    CHECK_MSG(judged_locks == 6, "%s %s: locks contended-0ns mutex threads lacks 1 or 2 workers",
              m->label, kind);
    CHECK_MSG(judged_sched == 3, "%s %s: sched scaling lacks 1 or PUs workers", m->label, kind);
    CHECK_MSG(off_sweep == 0, "%s %s: %d swept case(s) off the sweep", m->label, kind, off_sweep);
    /* A full run sweeps the whole of it (C threads' scaling: every count, once, in order). */
    if (!quick) {
        int same = n_sched_threads == n_sweep;
        for (int i = 0; same && i < n_sweep; i++)
            same = sched_threads[i] == sweep[i];
        CHECK_MSG(same, "%s: sched scaling threads has %d counts, the sweep %d", m->label,
                  n_sched_threads, n_sweep);
    }
    double budget = quick ? QUICK_BUDGET_S : FULL_BUDGET_S;
    printf("%-55s %-5s %5zu cases, estimated %7.1f s (budget %.0f s)\n", m->label, kind, cases,
           total_s, budget);
    CHECK_MSG(total_s < budget, "%s %s: estimated %.1f s, over the %.0f s budget", m->label, kind,
              total_s, budget);
    pf_free(&f);
}

int main(void)
{
    for (size_t i = 0; i < sizeof machines / sizeof machines[0]; i++)
        for (int quick = 1; quick >= 0; quick--)
            check_machine(&machines[i], quick);
    return CHECK_DONE();
}
