/* The ipc group (claims C4, C13 and the Queue/Pipe/Manager half of C12): every transport of
 * primitives/ipc, and the threads' own hand-off (a pointer through an SPSC ring), between two
 * threads and between two processes, by message size. The engine and its checks are in
 * bench/groups/ipc/ipc_run.c; this file plans the cases, writes the chart data and judges the
 * claims.
 *
 * Benchmarks: "pingpong" (round trip), "stream" (one way), "memcpy" (the bandwidth ceilings: in
 * cache at the message sizes, and from memory beyond the last-level cache) and
 * "cacheline-rtt" (the latency floor, bench/common/cacheline.c). Parameter "bytes". Cross-core is
 * the nearest cross-core pair the machine has; same-pu is shown for 64-byte round trips. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "cacheline.h"
#include "claims.h"
#include "group.h"
#include "ipc_pair.h"
#include "ipc_run.h"
#include "ipc_table.h"
#include "resultset.h"
#include "stats.h"
#include "topology.h"

extern const struct tvp_group tvp_group_ipc;

static const long long sizes_full[] = {8, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};
static const long long sizes_quick[] = {8, 64, 4096, 65536, 1048576};
#define N_FULL  (sizeof sizes_full / sizeof sizes_full[0])
#define N_QUICK (sizeof sizes_quick / sizeof sizes_quick[0])
#define MIB     1048576.0

static const char *const models[2] = {"thread", "process"};

/* Variants in chart order: the threads' baseline, then every transport. */
static int n_variants(void)
{
    return 1 + (int)tvp_ipc_transports_len;
}

static const char *variant(int i)
{
    return i == 0 ? TVP_IPC_POINTER : tvp_ipc_transports[i - 1]->name;
}

/* Those measured at every size between threads too: the claims compare them across models. */
static int thread_everywhere(const char *v)
{
    return !strcmp(v, TVP_IPC_POINTER) || !strcmp(v, TVP_IPC_ARENA) ||
           !strcmp(v, "shm-ring-futex") || !strcmp(v, "shm-ring-poll") || !strcmp(v, "pipe");
}

static int add(struct tvp_plan *p, const char *bench, const char *v, int mo,
               const struct tvp_placement *pl, long long bytes)
{
    struct tvp_case c;
    tvp_case_init(&c, &tvp_group_ipc, bench, v, models[mo], pl);
    snprintf(c.param, sizeof c.param, "bytes");
    c.param_value = bytes;
    c.setup = tvp_ipcb_setup;
    c.run = tvp_ipcb_run;
    c.teardown = tvp_ipcb_teardown;
    if (!strcmp(bench, "pingpong")) {
        c.n_metrics = 4;
        c.metric[0] = "rtt";
        c.metric[1] = "rtt-p50";
        c.metric[2] = "rtt-p99";
        c.metric[3] = "cpu";
        c.unit[0] = c.unit[1] = c.unit[2] = c.unit[3] = "ns";
        c.max_iters = 1u << 17;
        snprintf(c.note, sizeof c.note,
                 "round trip, each timed alone (timer cost removed); cpu: user+system of both "
                 "sides per round trip%s",
                 !strcmp(v, "manager-dict") ? ", not counting the server process" : "");
    } else if (!strcmp(bench, "stream")) {
        c.n_metrics = 2;
        c.metric[0] = "per-msg";
        c.metric[1] = "cpu";
        c.unit[0] = c.unit[1] = "ns";
        c.max_iters = 1u << 20;
        snprintf(c.note, sizeof c.note,
                 "one way; MiB/s = bytes / per-msg; every message checked in full by side 1");
    } else {
        c.n_metrics = 1;
        c.metric[0] = "per-copy";
        c.unit[0] = "ns";
        c.max_iters = 1u << 24;
        snprintf(c.note, sizeof c.note, "%s",
                 strcmp(v, TVP_IPC_MEMCPY_MEMORY)
                     ? "memcpy of bytes between two buffers, one task; source and destinations "
                       "stay in cache at these sizes"
                     : "memcpy of bytes between two buffers, one task; source and destinations "
                       "are several times the last-level cache, so the copy runs from memory");
    }
    c.n_pus = 2;
    c.pus[0] = c.pu_a;
    c.pus[1] = c.pu_b;
    return tvp_plan_add(p, &c);
}

/* A copy that cannot stay in the caches: its source and two destinations are each 4x the
 * largest cache (at least 64 MiB), read from the topology rather than assumed. */
static long long memory_bound_bytes(const struct tvp_topo *topo)
{
    struct tvp_topo_summary s;
    tvp_topo_summarize(topo, &s);
    unsigned long long llc = s.l3_bytes ? s.l3_bytes : s.l2_bytes;
    unsigned long long bytes = 64ull << 20;
    while (bytes < 4 * llc)
        bytes *= 2;
    return (long long)bytes;
}

static int ipc_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    int quick = ctx->opt->quick, rc;
    const struct tvp_placement *pl = ctx->placements;
    const struct tvp_placement *cross = tvp_placement_cross_core(pl);
    int same = tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU);
    int cross_ok = cross && tvp_plan_placement_ok(p, ctx, cross->kind);
    if (!cross)
        tvp_plan_skip(p, "ipc: no cross-core pair on this machine (one core): same-PU figures "
                         "only, no cache-line floor");
    const long long *sizes = quick ? sizes_quick : sizes_full;
    size_t ns = quick ? N_QUICK : N_FULL;
    if (cross_ok) {
        struct tvp_case c;
        tvp_cacheline_case(&c, &tvp_group_ipc, cross);
        if ((rc = tvp_plan_add(p, &c)) != 0)
            return rc;
    }
    if (same) {
        for (size_t z = 0; z < ns; z++)
            if ((rc = add(p, "memcpy", TVP_IPC_MEMCPY, 0, &pl[TVP_PL_SAME_PU], sizes[z])) != 0)
                return rc;
        if ((rc = add(p, "memcpy", TVP_IPC_MEMCPY_MEMORY, 0, &pl[TVP_PL_SAME_PU],
                      memory_bound_bytes(ctx->topo))) != 0)
            return rc;
    }
    if (cross_ok) {
        /* The claims' ratios, each from one case (ipc_pair.c): a host that moves the vCPUs
         * between two separate cases would otherwise decide them. */
        struct tvp_case c;
        for (size_t z = 0; z < ns; z++) {
            tvp_pair_case(&c, &tvp_group_ipc, TVP_PAIR_ZERO_COPY, cross, sizes[z]);
            if ((rc = tvp_plan_add(p, &c)) != 0)
                return rc;
        }
        tvp_pair_case(&c, &tvp_group_ipc, TVP_PAIR_FLOOR, cross, 64);
        if ((rc = tvp_plan_add(p, &c)) != 0)
            return rc;
        tvp_pair_case(&c, &tvp_group_ipc, TVP_PAIR_BANDWIDTH, cross, 1048576);
        if ((rc = tvp_plan_add(p, &c)) != 0)
            return rc;
    }
    for (int v = 0; v < n_variants(); v++) {
        const char *name = variant(v);
        for (int mo = 0; mo < 2; mo++) {
            if (mo == 1 && v == 0)
                continue; /* the pointer hand-off is what only threads can do */
            if (same && (rc = add(p, "pingpong", name, mo, &pl[TVP_PL_SAME_PU], 64)) != 0)
                return rc;
            if (!cross_ok)
                continue;
            int every = mo == 1 || thread_everywhere(name);
            for (size_t z = 0; z < ns; z++) {
                long long b = sizes[z];
                /* Threads through every other transport: a few sizes (quick: 64 bytes). */
                if (!every &&
                    (quick ? b != 64
                           : (b != 8 && b != 64 && b != 4096 && b != 65536 && b != 1048576)))
                    continue;
                if ((rc = add(p, "pingpong", name, mo, cross, b)) != 0)
                    return rc;
                /* Streams: processes, and the threads of the claims' comparisons. */
                if ((mo == 1 || thread_everywhere(name)) && !(quick && (b == 8 || b == 4096)) &&
                    (rc = add(p, "stream", name, mo, cross, b)) != 0)
                    return rc;
            }
        }
    }
    return 0;
}

/* ---- reading figures back ---- */

static const struct tvp_fig *ipc_fig(const struct tvp_resultset *rs, const char *bench,
                                     const char *v, const char *model, const char *placement,
                                     long long bytes, const char *metric)
{
    return tvp_rs_pick(rs, "ipc", bench, v, model, placement, bytes, metric);
}

/* The cross-core placement the ping-pong figures were taken on. */
static const char *ipc_cross(const struct tvp_resultset *rs)
{
    return tvp_rs_cross_core_any(rs, "ipc", "pingpong");
}

static const struct tvp_fig *rtt(const struct tvp_resultset *rs, const char *v, const char *model,
                                 long long bytes)
{
    const char *cross = ipc_cross(rs);
    return cross ? ipc_fig(rs, "pingpong", v, model, cross, bytes, "rtt-p50") : NULL;
}

/* The median of a pair case's per-batch ratios num/den with its 95% CI (ipc_pair.c), and the two
 * figures; -1 when this run has no such pair at that size. */
static int pair_ratio(const struct tvp_resultset *rs, const char *bench, long long bytes,
                      const char *num, const char *den, struct tvp_ratio *r,
                      const struct tvp_fig **fn, const struct tvp_fig **fd)
{
    const char *cross = ipc_cross(rs);
    if (!cross) /* a run of the pair cases alone (--only) */
        cross = tvp_rs_cross_core_any(rs, "ipc", bench);
    *fn = cross ? ipc_fig(rs, bench, NULL, NULL, cross, bytes, num) : NULL;
    *fd = cross ? ipc_fig(rs, bench, NULL, NULL, cross, bytes, den) : NULL;
    return tvp_paired_ratio_of(*fn, *fd, r);
}

/* " MiB/s low high" for a ns-per-message figure of `bytes` (the inverse swaps the bounds). */
static void dat_mibs(FILE *f, const struct tvp_fig *x, long long bytes)
{
    if (!x || x->median <= 0 || x->ci_low <= 0) {
        fputs(" NaN NaN NaN", f);
        return;
    }
    double k = (double)bytes * 1e9 / MIB;
    fprintf(f, " %.6g %.6g %.6g", k / x->median, k / x->ci_high, k / x->ci_low);
}

/* ---- charts ---- */

static void header_variants(FILE *f)
{
    fputs("# variants:", f);
    for (int v = 0; v < n_variants(); v++)
        fprintf(f, " %s", variant(v));
    fputc('\n', f);
}

static const struct tvp_fig *ipc_floor(const struct tvp_resultset *rs, const char *cross)
{
    return cross ? ipc_fig(rs, TVP_CACHELINE_BENCH, "atomic-pingpong", "thread", cross, -1,
                           "round-trip")
                 : NULL;
}

/* Against message size, block 0 threads, block 1 processes (cross-core), one column triple per
 * variant: the round trip p50 in microseconds then the cache-line round trip (latency), or the
 * one-way MiB/s then one task's memcpy MiB/s (bandwidth). */
static int write_by_size(const struct tvp_resultset *rs, const char *dir, int bandwidth)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, bandwidth ? "ipc-bandwidth" : "ipc-latency")) != 0)
        return rc;
    const char *cross = ipc_cross(rs);
    const struct tvp_fig *fl = ipc_floor(rs, cross);
    long long sz[32];
    int n = tvp_rs_param_values(rs, "ipc", bandwidth ? "stream" : "pingpong", NULL, NULL, NULL, 0,
                                sz, 32);
    header_variants(a.f);
    fprintf(a.f,
            "# %s (median, 95%% CI low, high) against message bytes, %s pair; block 0 threads, "
            "block 1 processes; last column: %s\n",
            bandwidth ? "one-way MiB/s" : "round trip p50 in microseconds",
            cross ? cross : "no cross-core",
            bandwidth ? "memcpy MiB/s of the same size, one task (in cache); then memcpy MiB/s "
                        "of a copy beyond the caches, one task (from memory)"
                      : "one cache-line round trip");
    const struct tvp_fig *mm = NULL;
    if (bandwidth)
        for (size_t i = 0; i < rs->n && !mm; i++) {
            const struct tvp_fig *f = &rs->figs[i];
            if (!strcmp(f->group, "ipc") && !strcmp(f->variant, TVP_IPC_MEMCPY_MEMORY) &&
                !strcmp(f->status, "ok") && f->median > 0)
                mm = f;
        }
    for (int mo = 0; mo < 2; mo++) {
        if (mo)
            fputs("\n\n", a.f);
        for (int i = 0; i < n; i++) {
            fprintf(a.f, "%lld", sz[i]);
            for (int v = 0; v < n_variants(); v++) {
                if (!bandwidth) {
                    tvp_dat_fig(a.f, rtt(rs, variant(v), models[mo], sz[i]), 1e3);
                    continue;
                }
                dat_mibs(
                    a.f,
                    cross ? ipc_fig(rs, "stream", variant(v), models[mo], cross, sz[i], "per-msg")
                          : NULL,
                    sz[i]);
            }
            const struct tvp_fig *m =
                ipc_fig(rs, "memcpy", TVP_IPC_MEMCPY, "thread", NULL, sz[i], "per-copy");
            if (bandwidth) {
                tvp_dat_num(a.f, m ? (double)sz[i] * 1e9 / MIB / m->median : NAN);
                tvp_dat_num(a.f, mm ? (double)mm->param_value * 1e9 / MIB / mm->median : NAN);
            } else
                tvp_dat_num(a.f, fl ? fl->median / 1e3 : NAN);
            fputc('\n', a.f);
        }
    }
    return tvp_afile_commit(&a);
}

/* 64-byte round trip per variant: threads same PU, threads cross-core, processes same PU,
 * processes cross-core (microseconds), then the cache-line round trip. */
static int write_rtt64(const struct tvp_resultset *rs, const char *dir)
{
    struct tvp_afile a;
    int rc;
    if ((rc = tvp_chart_open(&a, dir, "ipc-rtt64")) != 0)
        return rc;
    const char *cross = ipc_cross(rs);
    const struct tvp_fig *fl = ipc_floor(rs, cross);
    fprintf(a.f,
            "# 64-byte round trip p50 in microseconds (median, 95%% CI low, high): variant; "
            "threads same-pu, threads %s, processes same-pu, processes %s; cache-line round "
            "trip\n",
            cross ? cross : "-", cross ? cross : "-");
    for (int v = 0; v < n_variants(); v++) {
        const struct tvp_fig *f[4];
        for (int mo = 0; mo < 2; mo++) {
            f[2 * mo] = ipc_fig(rs, "pingpong", variant(v), models[mo], "same-pu", 64, "rtt-p50");
            f[2 * mo + 1] = rtt(rs, variant(v), models[mo], 64);
        }
        if (!f[0] && !f[1] && !f[2] && !f[3])
            continue;
        fprintf(a.f, "\"%s\"", variant(v));
        for (int i = 0; i < 4; i++)
            tvp_dat_fig(a.f, f[i], 1e3);
        tvp_dat_num(a.f, fl ? fl->median / 1e3 : NAN);
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static int ipc_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc = write_by_size(rs, dir, 0);
    return rc ? rc : (rc = write_by_size(rs, dir, 1)) ? rc : write_rtt64(rs, dir);
}

/* ---- verdicts ---- */

/* Figures of the ipc group that failed their checks, for the rules that need every message
 * whole. */
static int ipc_failed(const struct tvp_resultset *rs, char *list, size_t len)
{
    int n = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "ipc") || strcmp(f->status, "failed") ||
            (strcmp(f->metric, "rtt") && strcmp(f->metric, "per-msg")))
            continue;
        if (n++ < 4)
            tvp_appendf(list, len, "%s%s %s %s %lld B", n > 1 ? ", " : "", f->benchmark, f->variant,
                        f->model, f->param_value);
    }
    return n;
}

static const char *const kernel_transports[] = {
    "pipe", "fifo", "socketpair-stream", "socketpair-dgram", "posix-mq", "sysv-mq"};

static void judge_c4(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "per message size, round trip p50 on the nearest cross-core pair: "
             "the cheapest kernel transport between processes (pipe, FIFO, socketpairs, POSIX and "
             "System V message queues) over the threads' hand-off of a pointer through an SPSC "
             "ring, ratio of medians with 95%% bootstrap CI. Confirmed when the CI lies above 1 at "
             "every size, refuted when it lies below 1 at every size, nuanced when it differs by "
             "size, too close to call otherwise. Explicit shared memory is C13's");
    long long sz[32];
    int n = tvp_rs_param_values(rs, "ipc", "pingpong", NULL, NULL, NULL, 0, sz, 32);
    int above = 0, below = 0, other = 0;
    v->figures[0] = '\0';
    char where_not[160] = "";
    for (int i = 0; i < n; i++) {
        const struct tvp_fig *base = rtt(rs, TVP_IPC_POINTER, "thread", sz[i]);
        const struct tvp_fig *best = NULL;
        const char *best_name = NULL;
        for (size_t k = 0; k < sizeof kernel_transports / sizeof kernel_transports[0]; k++) {
            const struct tvp_fig *f = rtt(rs, kernel_transports[k], "process", sz[i]);
            if (f && (!best || f->median < best->median)) {
                best = f;
                best_name = kernel_transports[k];
            }
        }
        struct tvp_ratio r;
        if (!base || !best || tvp_ratio_of(best, base, &r) != 0)
            continue;
        char a[32], b[32];
        tvp_fmt_ns(a, sizeof a, base->median);
        tvp_fmt_ns(b, sizeof b, best->median);
        tvp_appendf(v->figures, sizeof v->figures,
                    "%s%lld B: threads %s, processes %s %s (%.3g× [%.3g, %.3g])",
                    v->figures[0] ? "; " : "", sz[i], a, best_name, b, r.ratio, r.lo, r.hi);
        if (r.lo > 1)
            above++;
        else if (r.hi < 1) {
            below++;
            tvp_appendf(where_not, sizeof where_not, "%s%lld B", where_not[0] ? ", " : "", sz[i]);
        } else {
            other++;
            tvp_appendf(where_not, sizeof where_not, "%s%lld B (too close)",
                        where_not[0] ? ", " : "", sz[i]);
        }
    }
    char failed[200] = "";
    int nf = ipc_failed(rs, failed, sizeof failed);
    if (nf)
        tvp_appendf(v->figures, sizeof v->figures, "; failed checks: %d (%s)", nf, failed);
    int total = above + below + other;
    if (total == 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no pair of thread hand-off and process transport round trips in this run");
    } else if (above == total) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "at every size measured (%d), handing a message to another process through the "
                 "kernel cost more than handing a pointer to another thread",
                 total);
    } else if (below == total) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "a kernel transport between processes beat the threads' hand-off at every size");
    } else if (above > 0) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "processes paid more than threads at %d of %d sizes, not at %s", above, total,
                 where_not);
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "threads and processes could not be told apart (%s)", where_not);
    }
}

#define NEAR 1.25 /* "nearly as cheaply": within 25% */

static void judge_c13(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    snprintf(v->rule, sizeof v->rule,
             "like with like, per message size (round trip p50, nearest cross-core pair): Z = "
             "shm-arena between processes (the message written once in place in shared memory, "
             "its offset passed through the SPSC ring, checked in place) / spsc-pointer between "
             "threads (the same hand-off of a pointer), both in alternating batches of one case "
             "(pingpong-pair; median of the per-batch ratios, 95%% CI), so a host moving the "
             "vCPUs moves both alike. Z decides: confirmed when its CI lies below %.2f at every "
             "size, refuted "
             "when it lies above %.2f at every size, nuanced when some sizes are within and "
             "others beyond (named), too close to call otherwise. The copying rings "
             "(shm-ring-futex, shm-ring-poll: the faster between processes at each size) are "
             "figures only: A = that ring between processes / between threads, B = it / a pipe "
             "between processes; the futex ring against a pipe is the budget line",
             NEAR, NEAR);
    long long sz[32];
    int n = tvp_rs_param_values(rs, "ipc", "pingpong", NULL, NULL, NULL, 0, sz, 32);
    if (n <= 0)
        n = tvp_rs_param_values(rs, "ipc", "pingpong-pair", NULL, NULL, NULL, 0, sz, 32);
    int sizes = 0, within = 0, beyond = 0, fx_sizes = 0;
    char z_in[300] = "", z_out[300] = "", z_unclear[300] = "", fx_not[200] = "";
    v->figures[0] = '\0';
    const char *cross = ipc_cross(rs);
    const struct tvp_fig *fl = ipc_floor(rs, cross);
    static const char *const rings[] = {"shm-ring-futex", "shm-ring-poll"};
    for (int i = 0; i < n; i++) {
        const struct tvp_fig *pp = rtt(rs, "pipe", "process", sz[i]);
        const struct tvp_fig *pt = rtt(rs, TVP_IPC_POINTER, "thread", sz[i]);
        const struct tvp_fig *za = rtt(rs, TVP_IPC_ARENA, "process", sz[i]);
        const struct tvp_fig *pr = NULL, *th = NULL;
        const char *ring = NULL;
        for (int k = 0; k < 2; k++) {
            const struct tvp_fig *p2 = rtt(rs, rings[k], "process", sz[i]);
            const struct tvp_fig *t2 = rtt(rs, rings[k], "thread", sz[i]);
            if (p2 && t2 && (!pr || p2->median < pr->median)) {
                pr = p2;
                th = t2;
                ring = rings[k];
            }
        }
        const struct tvp_fig *fx = rtt(rs, "shm-ring-futex", "process", sz[i]);
        struct tvp_ratio Z, A, B, F;
        if (fx && pp && tvp_ratio_shown(fx, pp, &F) == 0) {
            fx_sizes++;
            if (F.hi >= 1)
                tvp_appendf(fx_not, sizeof fx_not, "%s%lld B (%.3g×)", fx_not[0] ? ", " : "", sz[i],
                            F.ratio);
        }
        /* The pair case decides where the run has one; the separate cases otherwise (results
         * of older versions). */
        const struct tvp_fig *zp, *zt;
        int paired = pair_ratio(rs, "pingpong-pair", sz[i], "process-rtt-p50", "thread-rtt-p50", &Z,
                                &zp, &zt) == 0;
        if (paired) {
            za = zp;
            pt = zt;
        }
        int have_z = paired || (za && pt && tvp_ratio_of(za, pt, &Z) == 0);
        int have_ring =
            pr && pp && tvp_ratio_shown(pr, th, &A) == 0 && tvp_ratio_shown(pr, pp, &B) == 0;
        if (!have_z && !have_ring)
            continue;
        tvp_appendf(v->figures, sizeof v->figures, "%s%lld B:", v->figures[0] ? "; " : "", sz[i]);
        if (have_z) {
            sizes++;
            char *where = Z.hi < NEAR ? z_in : Z.lo > NEAR ? z_out : z_unclear;
            within += Z.hi < NEAR;
            beyond += Z.lo > NEAR;
            tvp_appendf(where, sizeof z_in, "%s%lld B (%.3g×)", where[0] ? ", " : "", sz[i],
                        Z.ratio);
            char x[32], y[32];
            tvp_fmt_ns(x, sizeof x, za->median);
            tvp_fmt_ns(y, sizeof y, pt->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        " shm-arena between processes %s / spsc-pointer between threads %s, Z "
                        "%.3g× [%.3g, %.3g] (%sdecides)",
                        x, y, Z.ratio, Z.lo, Z.hi, paired ? "paired batches, " : "");
        }
        if (have_ring) {
            char x[32];
            tvp_fmt_ns(x, sizeof x, pr->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        "%s copying ring %s between processes %s, A %.3g× [%.3g, %.3g], B %.3g× "
                        "[%.3g, %.3g]",
                        have_z ? "," : "", ring, x, A.ratio, A.lo, A.hi, B.ratio, B.lo, B.hi);
        }
    }
    if (fx_sizes)
        tvp_appendf(v->figures, sizeof v->figures,
                    "; futex ring faster than a pipe at every size (budget): %s%s",
                    fx_not[0] ? "missed at " : "met", fx_not);
    if (fx_not[0])
        tvp_appendf(v->figures, sizeof v->figures,
                    " — why: it spins ~10 us, then sleeps on a futex; where a message takes "
                    "longer than that to arrive, each direction pays a futex wake-up, which on "
                    "this machine costs what a pipe's does (see the context-switch section)");
    /* The floor budget, for the one-line ring (built for it) and the byte ring beside it. */
    static const struct {
        const char *v, *what, *why;
    } polled[] = {
        {"shm-line-poll", "one-line busy-polling ring",
         "a 64-byte message fills two slots (each line carries an 8-byte sequence word beside "
         "56 bytes of payload), so two lines move each way, though independently, and the copy "
         "in, copy out and check come on top"},
        {"shm-ring-poll", "busy-polling byte ring",
         "each way a message moves at least two lines one after the other (the published index, "
         "then the data it guards), so two lines' round trips are the floor, and the copy in, "
         "copy out and check come on top"},
    };
    for (size_t k = 0; k < sizeof polled / sizeof polled[0]; k++) {
        struct tvp_ratio pr_;
        const struct tvp_fig *fa, *fb;
        int paired = pair_ratio(rs, "floor-pair", 64, k ? "ring-poll-rtt-p50" : "line-poll-rtt-p50",
                                "cacheline-rtt", &pr_, &fa, &fb) == 0;
        const struct tvp_fig *poll = rtt(rs, polled[k].v, "process", 64);
        if (!paired && (!poll || !fl))
            continue;
        double r = paired ? pr_.ratio : poll->median / fl->median;
        tvp_appendf(v->figures, sizeof v->figures,
                    "; %s (%s), processes, 64 B: %.3g× the cache-line round trip", polled[k].what,
                    polled[k].v, r);
        if (paired)
            tvp_appendf(v->figures, sizeof v->figures, " [%.3g, %.3g] (paired batches)", pr_.lo,
                        pr_.hi);
        tvp_appendf(v->figures, sizeof v->figures, " (budget <= 2×: %s)",
                    r <= 2 ? "met" : "missed");
        if (r > 2)
            tvp_appendf(v->figures, sizeof v->figures, " — why: %s", polled[k].why);
    }
    const struct tvp_fig *bw =
        cross ? ipc_fig(rs, "stream", "shm-ring-futex", "process", cross, 1048576, "per-msg")
              : NULL;
    const struct tvp_fig *mc =
        ipc_fig(rs, "memcpy", TVP_IPC_MEMCPY, "thread", NULL, 1048576, "per-copy");
    struct tvp_ratio bwr;
    const struct tvp_fig *pm, *pb;
    int bw_paired = pair_ratio(rs, "bandwidth-pair", 1048576, "memcpy-per-copy", "ring-per-msg",
                               &bwr, &pm, &pb) == 0;
    if (bw_paired) {
        bw = pb;
        mc = pm;
    }
    double bw_ratio = bw_paired ? bwr.ratio : bw && mc ? mc->median / bw->median : NAN;
    if (bw && mc) {
        tvp_appendf(v->figures, sizeof v->figures,
                    "; 1 MiB one way between processes through the futex ring: %.0f MiB/s, %.3g× "
                    "one task's in-cache memcpy (%.0f MiB/s",
                    1e9 / bw->median, bw_ratio, 1e9 / mc->median);
        if (bw_paired)
            tvp_appendf(v->figures, sizeof v->figures, "; paired batches [%.3g, %.3g]", bwr.lo,
                        bwr.hi);
        tvp_appendf(v->figures, sizeof v->figures, "; budget >= 0.5×: %s)",
                    bw_ratio >= 0.5 ? "met" : "missed");
    }
    if (bw && mc && bw_ratio < 0.5)
        tvp_appendf(v->figures, sizeof v->figures,
                    " — why: the ring carries every byte twice (copied in by the sender, out by "
                    "the receiver, which adds the words up for the check as it copies) where "
                    "memcpy copies once, and every byte crosses from one core's private caches "
                    "to the other's through the shared cache, while memcpy's 1 MiB stays in "
                    "one core's");
    if (sizes == 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "the deciding pair is missing: no size with both shm-arena between processes "
                 "and spsc-pointer between threads (the copying rings' figures decide nothing)");
    } else if (within == sizes) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "at every size (%d), handing another process an offset into shared memory cost "
                 "within %.0f%% of handing another thread a pointer (shm-arena / spsc-pointer: "
                 "%s)",
                 sizes, (NEAR - 1) * 100, z_in);
    } else if (beyond == sizes) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "at every size (%d), handing another process an offset into shared memory cost "
                 "more than %.0f%% above handing another thread a pointer (shm-arena / "
                 "spsc-pointer: %s)",
                 sizes, (NEAR - 1) * 100, z_out);
    } else if (within > 0 && beyond > 0) {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "handing another process an offset into shared memory cost within %.0f%% of a "
                 "thread's pointer hand-off at %s, more at %s (shm-arena / spsc-pointer)",
                 (NEAR - 1) * 100, z_in, z_out);
        if (z_unclear[0])
            tvp_appendf(v->summary, sizeof v->summary, "; too close to %.2f× at %s", NEAR,
                        z_unclear);
    } else {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "shm-arena between processes against spsc-pointer between threads could not be "
                 "told from %.2f× at %s%s%s",
                 NEAR, z_unclear, z_in[0] || z_out[0] ? "; decided at " : "",
                 z_in[0] ? z_in : z_out);
    }
}

/* C12's Pipe, Queue and Manager between processes, for the spawn group's judge. */
static int ipc_c12_half(const struct tvp_resultset *rs, char *figs, size_t len)
{
    static const struct {
        const char *v, *what;
    } tools[] = {{"pipe", "Pipe"}, {"mp-queue", "Queue"}, {"manager-dict", "Manager"}};
    const struct tvp_fig *f[3];
    int have = 0;
    for (int i = 0; i < 3; i++)
        have += (f[i] = rtt(rs, tools[i].v, "process", 64)) != NULL;
    char failed[200] = "";
    int nf = ipc_failed(rs, failed, sizeof failed);
    if (have < 3)
        return nf ? -1 : 0;
    tvp_appendf(figs, len, "; between processes, 64-byte round trip p50:");
    for (int i = 0; i < 3; i++) {
        char b[32];
        tvp_fmt_ns(b, sizeof b, f[i]->median);
        tvp_appendf(figs, len, "%s %s %s (%.3g× Pipe)", i ? "," : "", tools[i].what, b,
                    f[i]->median / f[0]->median);
    }
    const struct tvp_fig *s[3];
    for (int i = 0; i < 3; i++) {
        const char *cross = ipc_cross(rs);
        s[i] =
            cross ? ipc_fig(rs, "stream", tools[i].v, "process", cross, 1048576, "per-msg") : NULL;
    }
    if (s[0] && s[1] && s[2])
        tvp_appendf(figs, len, "; 1 MiB one way: Pipe %.0f, Queue %.0f, Manager %.0f MiB/s",
                    1e9 / s[0]->median, 1e9 / s[1]->median, 1e9 / s[2]->median);
    if (nf)
        tvp_appendf(figs, len, "; failed checks: %s", failed);
    return nf ? -1 : 1;
}

static const struct tvp_claim_judge ipc_judges[] = {{"C4", judge_c4}, {"C13", judge_c13}};
static const struct tvp_claim_part ipc_parts[] = {{"C12", ipc_c12_half}};

static const struct tvp_bench_info ipc_benches[] = {
    {"pingpong", "round trip (p50, p99, cpu) by message size 8 B .. 1 MiB, every transport, "
                 "threads and processes, cross-core (and same PU at 64 B)"},
    {"stream", "one-way MiB/s by message size, every transport between processes, the claims' "
               "comparisons between threads too"},
    {"memcpy", "memcpy bandwidth by size, one task: the in-cache ceiling; and one copy several "
               "times the last-level cache, which runs from memory"},
    {TVP_CACHELINE_BENCH, "round trip of one cache line between the two PUs: the floor"},
    {"pingpong-pair", "C13's ratio: shm-arena between processes and spsc-pointer between threads "
                      "in alternating batches of one case, at every size"},
    {"floor-pair", "the floor budget: the busy-polling rings between processes at 64 B and the "
                   "cache-line round trip in alternating batches"},
    {"bandwidth-pair", "the bandwidth budget: 1 MiB one way through the futex ring between "
                       "processes and one task's memcpy in alternating batches"},
};

const struct tvp_group tvp_group_ipc = {
    .name = "ipc",
    .description = "pipe, FIFO, socketpairs, POSIX and System V message queues, TCP loopback, "
                   "eventfd and ring shared memory, multiprocessing-style Queue and Manager, and "
                   "threads' pointer hand-off (claims C4, C12, C13)",
    .benches = ipc_benches,
    .n_benches = sizeof ipc_benches / sizeof ipc_benches[0],
    .plan = ipc_plan,
    .chart_data = ipc_chart_data,
    .judges = ipc_judges,
    .n_judges = sizeof ipc_judges / sizeof ipc_judges[0],
    .claim_parts = ipc_parts,
    .n_claim_parts = sizeof ipc_parts / sizeof ipc_parts[0],
};
