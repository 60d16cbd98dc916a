/* The queues group (claim C11): FIFO, LIFO and priority blocking queues and the lock-free SPSC
 * and MPMC rings, between threads and between processes, 1:1 to N:M. The measuring engine and
 * its checks are in bench/groups/queues/queues_stream.c; the cache-line round trip drawn as the
 * floor is bench/common/cacheline.c. This file plans the cases, writes the chart data and judges
 * the claim.
 *
 * Benchmarks: "stream-PxC" (P producers, C consumers; 1x1 on every pair placement, the others
 * spread over the PUs), "handoff" (one message in flight, same PU and nearest cross-core),
 * "own-cost" (one task fills and drains the queue: its cost without wake-ups, on which C11's
 * "differ only in order" is measured; parameter "depth"), "own-cost-pair" (the FIFO, LIFO and
 * priority own cost at the deepest depth in alternating batches of one case: the ratios C11 is
 * judged on, queues_own_pair.c) and "cacheline-rtt". Variant: the queue
 * kind, "+batch16" when 16 items move per call. Parameter "bytes": 8 (a pointer-sized token) or 64
 * (a record). */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "cacheline.h"
#include "claims.h"
#include "group.h"
#include "queue_ops.h"
#include "queues_own_pair.h"
#include "queues_stream.h"
#include "resultset.h"
#include "topology.h"

extern const struct tvp_group tvp_group_queues;

static const char *const models[2] = {"thread", "process"};

/* Every variant in chart order: the five kinds, then the batched ones. */
static const char *const variants[] = {"fifo",      "lifo",         "priority",         "spsc-ring",
                                       "mpmc-ring", "fifo+batch16", "spsc-ring+batch16"};
#define N_VARIANTS (sizeof variants / sizeof variants[0])

static int variant_multi(const char *v)
{
    int i = tvp_qk_find(v);
    return i >= 0 && tvp_qk[i].multi;
}

static int add_case(struct tvp_plan *p, const struct tvp_plan_ctx *ctx, const char *bench,
                    const char *variant, int model, const struct tvp_placement *pl, int producers,
                    int consumers, int bytes, int handoff)
{
    struct tvp_case c;
    tvp_case_init(&c, &tvp_group_queues, bench, variant, models[model], pl);
    snprintf(c.param, sizeof c.param, "bytes");
    c.param_value = bytes;
    int n = producers + consumers;
    if (n > TVP_MAX_CASE_PUS)
        return 0;
    c.n_pus = n;
    if (pl->kind == TVP_PL_SPREAD) {
        if (tvp_plan_spread(ctx->topo, n, c.pus) != 0)
            return EINVAL;
    } else {
        for (int i = 0; i < n; i++)
            c.pus[i] = i < producers ? pl->pu_a : pl->pu_b;
    }
    c.arg = TVP_QS_ARG(producers, consumers, strstr(variant, "+batch") != NULL, handoff);
    c.n_metrics = 3;
    c.unit[0] = c.unit[1] = c.unit[2] = "ns";
    if (handoff) {
        c.metric[0] = "mean";
        c.metric[1] = "p50";
        c.metric[2] = "p99";
        c.per_op_timed = 1; /* each figure is one put-to-get interval */
        c.max_iters = 1u << 17;
        snprintf(c.note, sizeof c.note,
                 "put-to-get latency, one message in flight, every message; producer on PU %d, "
                 "consumer on PU %d",
                 c.pus[0], c.pus[1]);
    } else {
        c.n_metrics = TVP_QS_STREAM_METRICS;
        c.metric[0] = "per-msg";
        c.metric[1] = "lat-p50";
        c.metric[2] = "lat-p99";
        c.metric[TVP_QS_M_GET_SLEEPS] = "get-sleeps-per-msg";
        c.metric[TVP_QS_M_PUT_SLEEPS] = "put-sleeps-per-msg";
        c.metric[TVP_QS_M_CONTROL] = "order-control";
        c.unit[TVP_QS_M_GET_SLEEPS] = c.unit[TVP_QS_M_PUT_SLEEPS] = "sleeps";
        c.unit[TVP_QS_M_CONTROL] = "bool";
        c.metric[TVP_QS_M_SWITCHES] = "blocks-per-msg";
        c.unit[TVP_QS_M_SWITCHES] = "switches";
        c.metric[TVP_QS_M_PREEMPTED] = "preempted-per-msg";
        c.unit[TVP_QS_M_PREEMPTED] = "switches";
        c.max_iters = n == 2 ? 1u << 22 : 1u << 21;
        snprintf(c.note, sizeof c.note,
                 "per-msg: wall ns per message, all tasks; lat: put-to-get of every %dth message "
                 "under load (includes time queued); sleeps: waits begun per message",
                 TVP_QS_SAMPLE_EVERY);
    }
    c.setup = tvp_qs_setup;
    c.run = tvp_qs_run;
    c.teardown = tvp_qs_teardown;
    return tvp_plan_add(p, &c);
}

/* Depths of the own-cost cases: one item (put then get), a short queue, and a full one (the
 * streams' capacity), where the heap is log2(1024) = 10 levels deep. */
static const int own_depths[] = {1, 32, TVP_QS_CAPACITY};
#define N_OWN_DEPTHS (sizeof own_depths / sizeof own_depths[0])
#define OWN_BENCH    "own-cost"

static int add_own_case(struct tvp_plan *p, const char *variant, const struct tvp_placement *pl,
                        int depth)
{
    struct tvp_case c;
    tvp_case_init(&c, &tvp_group_queues, OWN_BENCH, variant, models[0], pl);
    snprintf(c.param, sizeof c.param, "depth");
    c.param_value = depth;
    c.n_metrics = TVP_QS_OWN_METRICS;
    c.metric[TVP_QS_OWN_M_PAIR] = "per-pair";
    c.unit[TVP_QS_OWN_M_PAIR] = "ns";
    c.metric[TVP_QS_OWN_M_CONTROL] = "order-control";
    c.unit[TVP_QS_OWN_M_CONTROL] = "bool";
    c.metric[TVP_QS_OWN_M_WALL] = "wall-per-pair";
    c.unit[TVP_QS_OWN_M_WALL] = "ns";
    snprintf(c.note, sizeof c.note,
             "one task: fill %d items, drain them; per-pair: CPU ns per put+get, no wake-up, "
             "fastest of 8 slices per batch (own cost); wall-per-pair: wall ns",
             depth);
    c.setup = tvp_qs_own_setup;
    c.run = tvp_qs_own_run;
    c.teardown = tvp_qs_own_teardown;
    return tvp_plan_add(p, &c);
}

static int queues_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    int quick = ctx->opt->quick, rc;
    struct tvp_topo_summary sum;
    tvp_topo_summarize(ctx->topo, &sum);
    const struct tvp_placement *pl = ctx->placements;
    const struct tvp_placement *cross = tvp_placement_cross_core(pl);
    int same_pu = tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU);
    int cross_ok = cross && tvp_plan_placement_ok(p, ctx, cross->kind);
    if (!cross)
        tvp_plan_skip(p, "queues: no cross-core pair on this machine (one core): no "
                         "cache-line floor, 1:1 streams on the same PU only");

    /* The floor, on every pair of distinct PUs the machine offers. */
    for (int k = TVP_PL_SMT_SIBLINGS; k <= TVP_PL_CROSS_NUMA; k++) {
        if (!pl[k].available || (quick && (!cross || k != (int)cross->kind)))
            continue;
        if (!tvp_plan_placement_ok(p, ctx, (enum tvp_placement_kind)k))
            continue;
        struct tvp_case c;
        tvp_cacheline_case(&c, &tvp_group_queues, &pl[k]);
        if ((rc = tvp_plan_add(p, &c)) != 0)
            return rc;
    }

    /* The queues' own cost, one task on one PU: what C11's "differ only in order" is judged
     * on, apart from the wake-ups that bound the streams. */
    if (same_pu)
        for (size_t v = 0; v < 5; v++)
            for (size_t d = 0; d < N_OWN_DEPTHS; d++)
                if ((rc = add_own_case(p, variants[v], &pl[TVP_PL_SAME_PU], own_depths[d])) != 0)
                    return rc;
    if (same_pu) {
        struct tvp_case c;
        tvp_qop_case(&c, &tvp_group_queues, &pl[TVP_PL_SAME_PU], own_depths[N_OWN_DEPTHS - 1]);
        if ((rc = tvp_plan_add(p, &c)) != 0)
            return rc;
    }

    /* One message in flight: the latency of an idle queue. */
    for (size_t v = 0; v < 5; v++)
        for (int mo = 0; mo < 2; mo++) {
            if (same_pu && (rc = add_case(p, ctx, "handoff", variants[v], mo, &pl[TVP_PL_SAME_PU],
                                          1, 1, 8, 1)) != 0)
                return rc;
            if (cross_ok &&
                (rc = add_case(p, ctx, "handoff", variants[v], mo, cross, 1, 1, 8, 1)) != 0)
                return rc;
        }

    /* 1:1 streams: the same PU and every cross-core pair (quick: the nearest one). */
    static const int sizes[] = {8, 64};
    for (size_t v = 0; v < N_VARIANTS; v++)
        for (int mo = 0; mo < 2; mo++)
            for (size_t z = 0; z < 2; z++) {
                if (quick && sizes[z] == 64 && mo == 1)
                    continue;
                for (int k = TVP_PL_SAME_PU; k <= TVP_PL_CROSS_NUMA; k++) {
                    if (k == TVP_PL_SMT_SIBLINGS || !pl[k].available)
                        continue;
                    if (k != TVP_PL_SAME_PU && (!cross_ok || (quick && k != (int)cross->kind)))
                        continue;
                    if (k == TVP_PL_SAME_PU && (!same_pu || (quick && sizes[z] == 64)))
                        continue;
                    if (k != TVP_PL_SAME_PU && k != (int)cross->kind &&
                        !tvp_plan_placement_ok(p, ctx, (enum tvp_placement_kind)k))
                        continue;
                    if ((rc = add_case(p, ctx, "stream-1x1", variants[v], mo, &pl[k], 1, 1,
                                       sizes[z], 0)) != 0)
                        return rc;
                }
            }

    /* N:M, spread: 1x2 (a producer and two consumers), then k x k up to PUs x PUs, which puts
     * two tasks on every PU (oversubscribed). Quick: 1x2 and PUs x PUs. */
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SPREAD))
        return 0;
    int shapes[32][2], ns = 0;
    shapes[ns][0] = 1, shapes[ns][1] = 2, ns++;
    /* k x k for the sweep's counts from 2 up to PUs (k x k puts 2k tasks on the machine). */
    int sweep[64], n_sweep = tvp_plan_worker_sweep(ctx->topo, sweep, 64);
    for (int i = 0; i < n_sweep && ns < 32; i++)
        if (sweep[i] >= 2 && sweep[i] <= sum.pus && (!quick || sweep[i] == sum.pus))
            shapes[ns][0] = shapes[ns][1] = sweep[i], ns++;
    for (int sh = 0; sh < ns; sh++) {
        char bench[TVP_NAME_LEN];
        snprintf(bench, sizeof bench, "stream-%dx%d", shapes[sh][0], shapes[sh][1]);
        for (size_t v = 0; v < N_VARIANTS; v++) {
            if (!variant_multi(variants[v]) || strstr(variants[v], "+batch"))
                continue;
            for (int mo = 0; mo < 2; mo++)
                for (size_t z = 0; z < 2; z++) {
                    if (quick && sizes[z] == 64)
                        continue;
                    if ((rc = add_case(p, ctx, bench, variants[v], mo, &pl[TVP_PL_SPREAD],
                                       shapes[sh][0], shapes[sh][1], sizes[z], 0)) != 0)
                        return rc;
                }
        }
    }
    return 0;
}

/* ---- reading figures back ---- */

static const struct tvp_fig *q_fig(const struct tvp_resultset *rs, const char *bench,
                                   const char *variant, const char *model, const char *placement,
                                   long long bytes, const char *metric)
{
    return tvp_rs_pick(rs, "queues", bench, variant, model, placement, bytes, metric);
}

/* The nearest cross-core placement with a 1:1 stream figure, as the planner prefers them. */
static const char *q_cross(const struct tvp_resultset *rs)
{
    return tvp_rs_cross_core_any(rs, "queues", "stream-1x1");
}

static const struct tvp_fig *floor_fig(const struct tvp_resultset *rs, const char *placement)
{
    return placement ? q_fig(rs, TVP_CACHELINE_BENCH, "atomic-pingpong", "thread", placement, -1,
                             "round-trip")
                     : NULL;
}

/* ---- charts ---- */

/* Stream shapes with figures, 1x1 first then by task count: the chart's x categories. */
static int stream_shapes(const struct tvp_resultset *rs, char shapes[][TVP_NAME_LEN], int max)
{
    int n = 0;
    for (size_t i = 0; i < rs->n && n < max; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "queues") || strncmp(f->benchmark, "stream-", 7))
            continue;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= !strcmp(shapes[k], f->benchmark);
        if (seen)
            continue;
        int a, b, x, y;
        sscanf(f->benchmark, "stream-%dx%d", &a, &b);
        int k = n++;
        while (k > 0 && sscanf(shapes[k - 1], "stream-%dx%d", &x, &y) == 2 &&
               (x + y > a + b || (x + y == a + b && x > a))) {
            memcpy(shapes[k], shapes[k - 1], TVP_NAME_LEN);
            k--;
        }
        snprintf(shapes[k], TVP_NAME_LEN, "%s", f->benchmark);
    }
    return n;
}

/* Throughput against producers x consumers: one block per model x message size; rows are the
 * shapes (1x1 at the nearest cross-core pair, the rest spread), one column triple per variant,
 * then the floor: one cache-line round trip per message, in messages per second. */
static int write_throughput(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "queues-throughput")) != 0)
        return rc;
    char shapes[32][TVP_NAME_LEN];
    int n = stream_shapes(rs, shapes, 32);
    const char *cross = q_cross(rs);
    const struct tvp_fig *fl = floor_fig(rs, cross);
    static const int sizes[] = {8, 64};
    fputs("# titles:", a.f);
    int have[2][2] = {{0}};
    for (int mo = 0; mo < 2; mo++)
        for (int z = 0; z < 2; z++) {
            for (int sh = 0; sh < n && !have[mo][z]; sh++)
                for (size_t v = 0; v < N_VARIANTS && !have[mo][z]; v++)
                    have[mo][z] = q_fig(rs, shapes[sh], variants[v], models[mo], NULL, sizes[z],
                                        "per-msg") != NULL;
            if (have[mo][z])
                fprintf(a.f, " %s,_%d-byte_messages", mo ? "processes" : "threads", sizes[z]);
        }
    fputs("\n# variants:", a.f);
    for (size_t v = 0; v < N_VARIANTS; v++)
        fprintf(a.f, " %s", variants[v]);
    fprintf(a.f,
            "\n# messages per second (median, 95%% CI low, high) against producers x consumers "
            "(1x1: %s pair; others spread), one block per model and size, one column triple per "
            "variant, then one cache-line round trip per message (%s) in messages per second\n",
            cross ? cross : "no cross-core", fl ? "measured" : "not measured");
    int blocks = 0;
    for (int mo = 0; mo < 2; mo++)
        for (int z = 0; z < 2; z++) {
            if (!have[mo][z])
                continue;
            if (blocks++)
                fputs("\n\n", a.f);
            for (int sh = 0; sh < n; sh++) {
                const char *where = !strcmp(shapes[sh], "stream-1x1") ? cross : "spread";
                /* A shape this panel did not measure (64-byte messages: 1x1 only in a quick
                 * run) is no x category of it: an empty column would read as a gap. */
                const struct tvp_fig *f[N_VARIANTS];
                int any = 0;
                for (size_t v = 0; v < N_VARIANTS; v++) {
                    f[v] = where ? q_fig(rs, shapes[sh], variants[v], models[mo], where, sizes[z],
                                         "per-msg")
                                 : NULL;
                    any |= f[v] != NULL;
                }
                if (!any)
                    continue;
                fprintf(a.f, "%d %s", sh, shapes[sh] + 7);
                for (size_t v = 0; v < N_VARIANTS; v++)
                    tvp_dat_rate(a.f, f[v]);
                tvp_dat_num(a.f, fl ? 1e9 / fl->median : NAN);
                fputc('\n', a.f);
            }
        }
    return tvp_afile_commit(&a);
}

/* Put-to-get latency bars, one row per variant: handoff p50 same PU and cross-core (threads,
 * processes), and 1:1 stream p50 and p99 cross-core (threads), in microseconds; then the floor
 * (one cache-line round trip) as the last column. */
static int write_latency(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "queues-latency")) != 0)
        return rc;
    const char *cross = q_cross(rs);
    const struct tvp_fig *fl = floor_fig(rs, cross);
    fprintf(a.f,
            "# microseconds (median, 95%% CI low, high): variant; handoff p50: thread same-pu, "
            "thread %s, process same-pu, process %s; 1:1 stream (threads, %s, 8 B): p50, p99; "
            "then one cache-line round trip\n",
            cross ? cross : "-", cross ? cross : "-", cross ? cross : "-");
    for (size_t v = 0; v < N_VARIANTS; v++) {
        const struct tvp_fig *f[6] = {
            q_fig(rs, "handoff", variants[v], "thread", "same-pu", 8, "p50"),
            cross ? q_fig(rs, "handoff", variants[v], "thread", cross, 8, "p50") : NULL,
            q_fig(rs, "handoff", variants[v], "process", "same-pu", 8, "p50"),
            cross ? q_fig(rs, "handoff", variants[v], "process", cross, 8, "p50") : NULL,
            cross ? q_fig(rs, "stream-1x1", variants[v], "thread", cross, 8, "lat-p50") : NULL,
            cross ? q_fig(rs, "stream-1x1", variants[v], "thread", cross, 8, "lat-p99") : NULL};
        int any = 0;
        for (int i = 0; i < 6; i++)
            any |= f[i] != NULL;
        if (!any)
            continue;
        fprintf(a.f, "\"%s\"", variants[v]);
        for (int i = 0; i < 6; i++)
            tvp_dat_fig(a.f, f[i], 1e3);
        tvp_dat_num(a.f, fl ? fl->median / 1e3 : NAN);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static const struct tvp_fig *own_fig(const struct tvp_resultset *rs, const char *variant, int depth)
{
    return q_fig(rs, OWN_BENCH, variant, "thread", "same-pu", depth, "per-pair");
}

/* The queues' own cost against depth: one row per depth, one column triple (median, CI) per
 * kind, CPU ns per put+get pair. */
static int write_owncost(const struct tvp_resultset *rs, const char *dir)
{
    int any = 0;
    for (size_t v = 0; v < 5 && !any; v++)
        for (size_t d = 0; d < N_OWN_DEPTHS && !any; d++)
            any = own_fig(rs, variants[v], own_depths[d]) != NULL;
    if (!any)
        return 0;
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "queues-owncost")) != 0)
        return rc;
    fputs("# variants:", a.f);
    for (size_t v = 0; v < 5; v++)
        fprintf(a.f, " %s", variants[v]);
    fputs("\n# CPU ns per put+get pair (median, 95% CI low, high), one task, no wake-up: depth "
          "(items in the queue before it is drained), then one column triple per variant\n",
          a.f);
    for (size_t d = 0; d < N_OWN_DEPTHS; d++) {
        fprintf(a.f, "%d", own_depths[d]);
        for (size_t v = 0; v < 5; v++)
            tvp_dat_fig(a.f, own_fig(rs, variants[v], own_depths[d]), 1);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static int queues_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc = write_throughput(rs, dir);
    if (rc == 0)
        rc = write_latency(rs, dir);
    return rc ? rc : write_owncost(rs, dir);
}

/* ---- the verdict ---- */

static void ratio_text(char *buf, size_t len, const struct tvp_ratio *r)
{
    snprintf(buf, len, "%.3g× [%.3g, %.3g]", r->ratio, r->lo, r->hi);
}

/* Band within which two queues "cost the same": the claim says they differ only in order. */
#define SAME_LO 0.8
#define SAME_HI 1.25

enum band { BAND_SAME, BAND_OUT, BAND_EDGE };

static enum band band_of(const struct tvp_ratio *r)
{
    if (r->lo >= SAME_LO && r->hi <= SAME_HI)
        return BAND_SAME;
    if (r->hi < SAME_LO || r->lo > SAME_HI)
        return BAND_OUT;
    return BAND_EDGE;
}

/* Sleeps per message (consumers + producers) of a stream figure's case, or NAN. */
static double sleeps_of(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    const struct tvp_fig *g = q_fig(rs, f->benchmark, f->variant, f->model, f->placement,
                                    f->param_value, "get-sleeps-per-msg");
    const struct tvp_fig *p = q_fig(rs, f->benchmark, f->variant, f->model, f->placement,
                                    f->param_value, "put-sleeps-per-msg");
    return g && p ? g->median + p->median : NAN;
}

/* Voluntary context switches per message of every task of the case (any block), or NAN. */
static double blocks_of(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    const struct tvp_fig *b = q_fig(rs, f->benchmark, f->variant, f->model, f->placement,
                                    f->param_value, "blocks-per-msg");
    return b ? b->median : NAN;
}

/* Involuntary context switches per message of every task of the case, or NAN. */
static double preempted_of(const struct tvp_resultset *rs, const struct tvp_fig *f)
{
    const struct tvp_fig *b = q_fig(rs, f->benchmark, f->variant, f->model, f->placement,
                                    f->param_value, "preempted-per-msg");
    return b ? b->median : NAN;
}

/* Member `member` (1 lifo, 2 priority) over the FIFO in the own-cost pair case at `depth`: the
 * median of the per-batch ratios with its 95% CI; -1 when the run has no such case. */
static int own_pair_ratio(const struct tvp_resultset *rs, int depth, int member,
                          struct tvp_ratio *r)
{
    return tvp_paired_ratio_of(
        q_fig(rs, TVP_QOP_BENCH, TVP_QOP_VARIANT, "thread", "same-pu", depth,
              tvp_qop_metric(member)),
        q_fig(rs, TVP_QOP_BENCH, TVP_QOP_VARIANT, "thread", "same-pu", depth, tvp_qop_metric(0)),
        r);
}

static void judge_c11(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "checked every batch: no loss or duplicate, per-producer order if promised, "
             "checksums, the take order of 32 tied items (and at every own-cost depth); refuted if "
             "a figure failed. The order check's negative control (its output with two takes "
             "swapped) must be refused in every figure, else not measured. Cost: "
             "LIFO/FIFO and priority/FIFO CPU ns per put+get, one task filling then draining the "
             "queue (no sleep, no wake-up), at the deepest depth: median of the per-batch ratios "
             "of own-cost-pair (the three in alternating batches of one case), else the ratio of "
             "the own-cost medians; 95%% CI. A queue 'differs only in order' when its CI lies in "
             "[%.2f, %.2f], costs more or less when wholly outside (named), too close to call when "
             "the CI straddles an edge. Confirmed when both lie inside, nuanced when one lies "
             "outside, else too close to call. The 1:1 stream (wake-up bound), SPSC ring and "
             "cache-line round trip are reported, not judged",
             SAME_LO, SAME_HI);
    int ok = 0, failed = 0, other = 0, ctl_n = 0, ctl_missed = 0;
    char failed_list[300] = "", missed_list[200] = "";
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "queues") || !strcmp(f->benchmark, TVP_CACHELINE_BENCH))
            continue;
        if (!strcmp(f->metric, "order-control") && !strcmp(f->status, "ok")) {
            ctl_n++;
            /* One sample per batch, 1 when the swapped order was refused: all must be 1. */
            if (f->min < 1 && ctl_missed++ < 3)
                tvp_appendf(missed_list, sizeof missed_list, "%s%s %s", ctl_missed > 1 ? ", " : "",
                            f->benchmark, f->variant);
        }
        if (strcmp(f->metric, "per-msg") && strcmp(f->metric, "mean") &&
            strcmp(f->metric, "per-pair") && strcmp(f->metric, tvp_qop_metric(0)))
            continue;
        if (!strcmp(f->status, "ok"))
            ok++;
        else if (!strcmp(f->status, "failed")) {
            if (failed++ < 4)
                tvp_appendf(failed_list, sizeof failed_list, "%s%s %s %s", failed > 1 ? ", " : "",
                            f->benchmark, f->variant, f->model);
        } else
            other++;
    }
    v->figures[0] = '\0';
    tvp_appendf(v->figures, sizeof v->figures,
                "order/loss/checksum checks passed: %d figures, failed: %d, unchecked "
                "(timeout/crash): %d; order check's negative control refused in %d of %d "
                "figures",
                ok, failed, other, ctl_n - ctl_missed, ctl_n);

    /* The pair case at the deepest depth decides where the run has it (a host's slow spell
     * reaches its three sides alike). The separate cases, measured apart, are shown at every
     * depth, and decide at the deepest depth they cover only without it (older folders, a pair
     * that failed or did not run). */
    char t1[32], t2[32], t3[32], b1[48] = "", b2[48] = "";
    struct tvp_ratio rl = {0}, rp = {0}, pair_l, pair_p;
    const int pair_depth = own_depths[N_OWN_DEPTHS - 1];
    int paired = own_pair_ratio(rs, pair_depth, 1, &pair_l) == 0 &&
                 own_pair_ratio(rs, pair_depth, 2, &pair_p) == 0;
    int (*separate_ratio)(const struct tvp_fig *, const struct tvp_fig *, struct tvp_ratio *) =
        paired ? tvp_ratio_shown : tvp_ratio_of;
    int judged_depth = 0;
    for (size_t d = 0; d < N_OWN_DEPTHS; d++) {
        int depth = own_depths[d];
        const struct tvp_fig *fo = own_fig(rs, "fifo", depth), *lo = own_fig(rs, "lifo", depth),
                             *po = own_fig(rs, "priority", depth);
        struct tvp_ratio a, b;
        if (!fo || !lo || !po || separate_ratio(lo, fo, &a) != 0 || separate_ratio(po, fo, &b) != 0)
            continue;
        tvp_fmt_ns(t1, sizeof t1, fo->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; own cost (one task, no wake-up, CPU time) at depth %d: FIFO %s per "
                    "put+get, LIFO %.3g× [%.3g, %.3g], priority %.3g× [%.3g, %.3g] the FIFO",
                    depth, t1, a.ratio, a.lo, a.hi, b.ratio, b.lo, b.hi);
        const struct tvp_fig *so = own_fig(rs, "spsc-ring", depth);
        if (so) {
            tvp_fmt_ns(t2, sizeof t2, so->median);
            tvp_appendf(v->figures, sizeof v->figures, ", SPSC ring %s", t2);
        }
        rl = a;
        rp = b;
        judged_depth = depth;
    }
    if (paired) {
        rl = pair_l;
        rp = pair_p;
        judged_depth = pair_depth;
        tvp_appendf(v->figures, sizeof v->figures,
                    "; the same at depth %d in alternating batches of one case (%s, which "
                    "decides): LIFO %.3g× [%.3g, %.3g], priority %.3g× [%.3g, %.3g] the FIFO, "
                    "medians of the per-batch ratios",
                    judged_depth, TVP_QOP_BENCH, rl.ratio, rl.lo, rl.hi, rp.ratio, rp.lo, rp.hi);
    }
    if (judged_depth) {
        ratio_text(b1, sizeof b1, &rl);
        ratio_text(b2, sizeof b2, &rp);
    }

    /* The wake-up-bound stream, with the sleeps that bound it. */
    const char *cross = q_cross(rs);
    const struct tvp_fig *fl = floor_fig(rs, cross);
    static const char *const kinds3[] = {"fifo", "lifo", "priority"};
    const struct tvp_fig *st[3] = {NULL};
    for (int i = 0; i < 3; i++)
        st[i] = cross ? q_fig(rs, "stream-1x1", kinds3[i], "thread", cross, 8, "per-msg") : NULL;
    const struct tvp_fig *fifo = st[0];
    if (fifo) {
        tvp_appendf(v->figures, sizeof v->figures,
                    "; 1:1 stream (wake-up bound), threads, 8 B, %s pair, ns per message, and "
                    "per message: sleeps (queue waits, consumer + producer), blocks (any, the "
                    "mutex's included) and preemptions (PU taken by another task):",
                    cross);
        for (int i = 0; i < 3; i++) {
            if (!st[i])
                continue;
            struct tvp_ratio r;
            tvp_fmt_ns(t1, sizeof t1, st[i]->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        "%s %s %s (%.3g sleeps, %.3g blocks, %.3g preempted)", i ? "," : "",
                        kinds3[i], t1, sleeps_of(rs, st[i]), blocks_of(rs, st[i]),
                        preempted_of(rs, st[i]));
            if (i && tvp_ratio_of(st[i], fifo, &r) == 0)
                tvp_appendf(v->figures, sizeof v->figures, " = %.3g× [%.3g, %.3g] the FIFO",
                            r.ratio, r.lo, r.hi);
        }
        tvp_appendf(v->figures, sizeof v->figures,
                    " — a cross-vCPU wake-up costs tens of µs on a VM, so a few hundredths of a "
                    "sleep per message move these figures more than the queue does; and a LIFO "
                    "drained while it is filled hands the consumer the newest item, so when the "
                    "consumer falls behind the oldest wait until the queue runs dry (its "
                    "lat-p99): the stream ratio compares how often each side slept, not what "
                    "the orders cost");
    }
    const struct tvp_fig *spsc =
        cross ? q_fig(rs, "stream-1x1", "spsc-ring", "thread", cross, 8, "per-msg") : NULL;
    struct tvp_ratio rsp;
    if (spsc && fifo && tvp_ratio_of(fifo, spsc, &rsp) == 0) {
        tvp_fmt_ns(t2, sizeof t2, spsc->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; SPSC ring %s per message (%.3g sleeps/msg): %.3g× the FIFO's messages/s "
                    "[%.3g, %.3g] (budget >= 10×: %s)",
                    t2, sleeps_of(rs, spsc), rsp.ratio, rsp.lo, rsp.hi,
                    rsp.ratio >= 10 ? "met" : "missed");
        const struct tvp_fig *sb =
            q_fig(rs, "stream-1x1", "spsc-ring+batch16", "thread", cross, 8, "per-msg");
        if (rsp.ratio < 10)
            tvp_appendf(v->figures, sizeof v->figures,
                        " — why: every push and pop through the blocking wrapper pays a seq_cst "
                        "fence before its check for a sleeper (the half of the no-lost-wake-up "
                        "pair that cannot be skipped), and each message's checks cost the "
                        "consumer too; moving 16 items per call pays the fence once per 16");
        if (rsp.ratio < 10 && sb)
            tvp_appendf(v->figures, sizeof v->figures,
                        ": the batched ring moves %.3g× the FIFO's messages/s",
                        fifo->median / sb->median);
        if (fl) {
            tvp_fmt_ns(t3, sizeof t3, fl->median);
            double x = spsc->median / fl->median;
            tvp_appendf(v->figures, sizeof v->figures,
                        "; cache-line round trip %s: SPSC per message = %.3g× it (budget <= 4×: "
                        "%s), FIFO = %.3g×",
                        t3, x, x <= 4 ? "met" : "missed", fifo->median / fl->median);
        }
    }
    const struct tvp_fig *hf =
        cross ? q_fig(rs, "handoff", "fifo", "thread", cross, 8, "p50") : NULL;
    const struct tvp_fig *hs =
        cross ? q_fig(rs, "handoff", "spsc-ring", "thread", cross, 8, "p50") : NULL;
    if (hf && hs) {
        tvp_fmt_ns(t1, sizeof t1, hf->median);
        tvp_fmt_ns(t2, sizeof t2, hs->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; one message in flight, threads, %s: FIFO p50 %s, SPSC ring p50 %s", cross,
                    t1, t2);
    }
    const struct tvp_fig *pf =
        cross ? q_fig(rs, "stream-1x1", "fifo", "process", cross, 8, "per-msg") : NULL;
    if (pf && fifo)
        tvp_appendf(v->figures, sizeof v->figures,
                    "; the same FIFO between processes (process-shared, in shared memory): %.3g M "
                    "msg/s",
                    1e3 / pf->median);

    if (failed) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "a queue lost, duplicated or misordered messages: %d figure%s failed its check "
                 "(%s)",
                 failed, failed > 1 ? "s" : "", failed_list);
        return;
    }
    if (ctl_n == 0 || ctl_missed) {
        v->kind = TVP_V_NOT_MEASURED;
        if (ctl_n == 0)
            snprintf(v->summary, sizeof v->summary,
                     "the order check could not be shown to work: no figure of this run carries "
                     "its negative control");
        else
            snprintf(v->summary, sizeof v->summary,
                     "the order check could not be shown to work: a deliberately swapped order "
                     "passed it in %d of %d figures (%s), so a misordering queue would pass too",
                     ctl_missed, ctl_n, missed_list);
        return;
    }
    if (!judged_depth) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "the FIFO, LIFO and priority own-cost figures (one task, fill then drain), "
                 "separate or paired, are missing from this run");
        return;
    }
    enum band bl = band_of(&rl), bp = band_of(&rp);
    const char *how = paired ? " (the three in alternating batches)" : "";
    char what[400] = "";
    static const char *const band_words[] = {"costs what the FIFO costs", "",
                                             "is too close to call"};
    if (bl == BAND_OUT)
        tvp_appendf(what, sizeof what, "the LIFO costs %s the FIFO", b1);
    else
        tvp_appendf(what, sizeof what, "the LIFO %s (%s)", band_words[bl], b1);
    if (bp == BAND_OUT)
        tvp_appendf(what, sizeof what, "; the priority queue costs %s the FIFO", b2);
    else
        tvp_appendf(what, sizeof what, "; the priority queue %s (%s)", band_words[bp], b2);
    if (rp.lo > SAME_HI) {
        /* Expected of a heap: say so, with how the ratio grows with the depth. */
        tvp_appendf(what, sizeof what,
                    ", as its binary heap's O(log n) sift per put and get "
                    "predicts (");
        int shown = 0;
        for (size_t d = 0; d < N_OWN_DEPTHS && own_depths[d] < judged_depth; d++) {
            const struct tvp_fig *pd = own_fig(rs, "priority", own_depths[d]),
                                 *fd = own_fig(rs, "fifo", own_depths[d]);
            struct tvp_ratio r;
            if (pd && fd && tvp_ratio_shown(pd, fd, &r) == 0)
                tvp_appendf(what, sizeof what, "%s%.3g× at depth %d", shown++ ? ", " : "", r.ratio,
                            own_depths[d]);
        }
        tvp_appendf(what, sizeof what, "%s%.3g× at depth %d%s)", shown ? ", " : "", rp.ratio,
                    judged_depth, paired && shown ? " paired" : "");
    }
    if (bl == BAND_SAME && bp == BAND_SAME && !other) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "every queue passed its order and no-loss checks (%d figures; the order check "
                 "refused its swapped control every time), and by their own cost at depth %d%s %s",
                 ok, judged_depth, how, what);
    } else if (bl == BAND_OUT || bp == BAND_OUT) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "every queue passed its order and no-loss checks (%d figures; the order check "
                 "refused its swapped control every time), but not every order costs the same: "
                 "per put+get at depth %d%s with no wake-up, %s",
                 ok, judged_depth, how, what);
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "the checks passed (%d figures%s), but whether the orders cost the same is too "
                 "close to call: per put+get at depth %d%s with no wake-up, %s (band [%.2f, %.2f])",
                 ok, other ? ", some cases unchecked" : "", judged_depth, how, what, SAME_LO,
                 SAME_HI);
    }
}

static const struct tvp_claim_judge queues_judges[] = {{"C11", judge_c11}};

static const struct tvp_bench_info queues_benches[] = {
    {"stream-PxC", "messages per second and put-to-get latency (p50, p99) with P producers and C "
                   "consumers, every queue, threads and processes, 8 and 64-byte messages; "
                   "no loss, no duplicate, order and checksum checked every batch"},
    {"handoff", "put-to-get latency of an idle queue: one message in flight, same PU and "
                "cross-core"},
    {OWN_BENCH, "a queue's own cost: one task fills it to a depth (1, 32, 1024) and drains it, "
                "CPU ns per put+get pair with no sleep and no wake-up; the order at that depth and "
                "its negative control checked"},
    {TVP_QOP_BENCH, "the FIFO, LIFO and priority own cost at depth 1024 in turn within every "
                    "batch of one case: C11's ratios, as medians of the per-batch ratios"},
    {TVP_CACHELINE_BENCH, "round trip of one cache line between two PUs: the floor for any "
                          "cross-core hand-off"},
};

const struct tvp_group tvp_group_queues = {
    .name = "queues",
    .description = "FIFO, LIFO and priority blocking queues and lock-free SPSC/MPMC rings, 1:1 to "
                   "N:M, threads and processes (claim C11)",
    .benches = queues_benches,
    .n_benches = sizeof queues_benches / sizeof queues_benches[0],
    .plan = queues_plan,
    .chart_data = queues_chart_data,
    .judges = queues_judges,
    .n_judges = sizeof queues_judges / sizeof queues_judges[0],
};
