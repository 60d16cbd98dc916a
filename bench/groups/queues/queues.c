/* The queues group (claim C11): FIFO, LIFO and priority blocking queues and the lock-free SPSC
 * and MPMC rings, between threads and between processes, 1:1 to N:M. The measuring engine and
 * its checks are in bench/groups/queues/queues_stream.c; the cache-line round trip drawn as the
 * floor is bench/common/cacheline.c. This file plans the cases, writes the chart data and judges
 * the claim.
 *
 * Benchmarks: "stream-PxC" (P producers, C consumers; 1x1 on every pair placement, the others
 * spread over the PUs), "handoff" (one message in flight, same PU and nearest cross-core) and
 * "cacheline-rtt". Variant: the queue kind, "+batch16" when 16 items move per call. Parameter
 * "bytes": 8 (a pointer-sized token) or 64 (a record). */
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
        c.metric[0] = "per-msg";
        c.metric[1] = "lat-p50";
        c.metric[2] = "lat-p99";
        c.max_iters = n == 2 ? 1u << 22 : 1u << 21;
        snprintf(c.note, sizeof c.note,
                 "per-msg: wall ns per message, all tasks; lat: put-to-get of every %dth message "
                 "under load (includes time queued in a full queue)",
                 TVP_QS_SAMPLE_EVERY);
    }
    c.setup = tvp_qs_setup;
    c.run = tvp_qs_run;
    c.teardown = tvp_qs_teardown;
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
    for (int k = 2; k <= sum.pus && ns < 32; k *= 2)
        if (!quick || k == sum.pus)
            shapes[ns][0] = shapes[ns][1] = k, ns++;
    if (sum.pus > 1 && (sum.pus & (sum.pus - 1)) != 0 && ns < 32)
        shapes[ns][0] = shapes[ns][1] = sum.pus, ns++;
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
                fprintf(a.f, "%d %s", sh, shapes[sh] + 7);
                for (size_t v = 0; v < N_VARIANTS; v++)
                    tvp_dat_rate(a.f, where ? q_fig(rs, shapes[sh], variants[v], models[mo], where,
                                                    sizes[z], "per-msg")
                                            : NULL);
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

static int queues_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc = write_throughput(rs, dir);
    return rc ? rc : write_latency(rs, dir);
}

/* ---- the verdict ---- */

static void ratio_text(char *buf, size_t len, const struct tvp_ratio *r)
{
    snprintf(buf, len, "%.3g× [%.3g, %.3g]", r->ratio, r->lo, r->hi);
}

/* Band within which two queues "cost the same": the claim says they differ only in order. */
#define SAME_LO 0.8
#define SAME_HI 1.25

static void judge_c11(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "checked every batch: no message lost or duplicated, per-producer order where "
             "promised, checksums, LIFO/priority order of 32 tied items; refuted if a figure "
             "failed. Cost: LIFO/FIFO and priority/FIFO ns per message (1:1 stream, threads, 8 B, "
             "cross-core; ratio of medians, 95%% bootstrap CI): confirmed when both CIs lie in "
             "[%.2f, %.2f], nuanced when one lies outside, else too close to call. Efficiency "
             "vs SPSC ring and cache-line round trip reported, not judged",
             SAME_LO, SAME_HI);
    int ok = 0, failed = 0, other = 0;
    char failed_list[300] = "";
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "queues") || !strcmp(f->benchmark, TVP_CACHELINE_BENCH) ||
            (strcmp(f->metric, "per-msg") && strcmp(f->metric, "mean")))
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
                "(timeout/crash): %d",
                ok, failed, other);
    const char *cross = q_cross(rs);
    const struct tvp_fig *fl = floor_fig(rs, cross);
    const struct tvp_fig *fifo =
        cross ? q_fig(rs, "stream-1x1", "fifo", "thread", cross, 8, "per-msg") : NULL;
    const struct tvp_fig *lifo =
        cross ? q_fig(rs, "stream-1x1", "lifo", "thread", cross, 8, "per-msg") : NULL;
    const struct tvp_fig *prio =
        cross ? q_fig(rs, "stream-1x1", "priority", "thread", cross, 8, "per-msg") : NULL;
    const struct tvp_fig *spsc =
        cross ? q_fig(rs, "stream-1x1", "spsc-ring", "thread", cross, 8, "per-msg") : NULL;
    struct tvp_ratio rl, rp, rsp;
    int have_l = fifo && lifo && tvp_ratio_of(lifo, fifo, &rl) == 0;
    int have_p = fifo && prio && tvp_ratio_of(prio, fifo, &rp) == 0;
    char b1[48], b2[48], t1[32], t2[32], t3[32];
    if (fifo) {
        tvp_fmt_ns(t1, sizeof t1, fifo->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; 1:1 stream, threads, 8 B, %s pair: FIFO %s per message (%.3g M msg/s)",
                    cross, t1, 1e3 / fifo->median);
    }
    if (have_l) {
        ratio_text(b1, sizeof b1, &rl);
        tvp_appendf(v->figures, sizeof v->figures, ", LIFO %s FIFO", b1);
    }
    if (have_p) {
        ratio_text(b2, sizeof b2, &rp);
        tvp_appendf(v->figures, sizeof v->figures, ", priority %s FIFO", b2);
    }
    if (spsc && fifo && tvp_ratio_of(fifo, spsc, &rsp) == 0) {
        tvp_fmt_ns(t2, sizeof t2, spsc->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "; SPSC ring %s per message: %.3g× the FIFO's messages/s [%.3g, %.3g] "
                    "(budget >= 10×: %s)",
                    t2, rsp.ratio, rsp.lo, rsp.hi, rsp.ratio >= 10 ? "met" : "missed");
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
    if (!have_l || !have_p) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "the 1:1 cross-core FIFO, LIFO and priority stream figures are missing from this "
                 "run%s",
                 cross ? "" : " (no cross-core pair)");
        return;
    }
    int inside_l = rl.lo >= SAME_LO && rl.hi <= SAME_HI,
        inside_p = rp.lo >= SAME_LO && rp.hi <= SAME_HI;
    int out_l = rl.hi < SAME_LO || rl.lo > SAME_HI, out_p = rp.hi < SAME_LO || rp.lo > SAME_HI;
    if (inside_l && inside_p && !other) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "every queue passed its order and no-loss checks (%d figures), and LIFO (%s) and "
                 "priority (%s) cost what the FIFO costs within ±20%%",
                 ok, b1, b2);
    } else if (out_l || out_p) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "every queue passed its order and no-loss checks (%d figures), but they differ in "
                 "cost too, not only in order: LIFO %s, priority %s the FIFO's ns per message",
                 ok, b1, b2);
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "the checks passed (%d figures%s), but whether the orders cost the same is too "
                 "close to call: LIFO %s, priority %s the FIFO (band [%.2f, %.2f])",
                 ok, other ? ", some cases unchecked" : "", b1, b2, SAME_LO, SAME_HI);
    }
}

static const struct tvp_claim_judge queues_judges[] = {{"C11", judge_c11}};

static const struct tvp_bench_info queues_benches[] = {
    {"stream-PxC", "messages per second and put-to-get latency (p50, p99) with P producers and C "
                   "consumers, every queue, threads and processes, 8 and 64-byte messages; "
                   "no loss, no duplicate, order and checksum checked every batch"},
    {"handoff", "put-to-get latency of an idle queue: one message in flight, same PU and "
                "cross-core"},
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
