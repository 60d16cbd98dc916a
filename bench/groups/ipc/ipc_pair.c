/* Figures that a claim compares, measured in one case in alternating batches, so both sides of a
 * ratio see the machine in the same state.
 *
 * Why: on a virtual machine the host decides where the two vCPUs run, and may move them while a
 * run goes on. Here the cache-line round trip between the two vCPUs read 59-79 ns in some
 * seconds and 425-490 ns in others (six back-to-back runs of the cacheline-rtt case), and a
 * 64-byte shm-arena round trip between processes read 1.0 us in a full run where it reads
 * 0.24 us in most others. Two figures taken a minute apart can thus differ 4x for a reason that
 * has nothing to do with what they compare. Alternating the two sides batch by batch, and judging
 * the median of the per-batch ratios (stats.h: tvp_paired_ratio_median_ci), cancels such a
 * drift as long as it is slower than two batches (tens of milliseconds).
 *
 * A pair case holds every member's set-up at once (a side 1 per member, each parked on its futex
 * between batches, so an idle member takes no CPU from the active one) and runs each batch's
 * `iters` operations through every member, the order reversed every other batch. The process
 * member is set up first, so its side 1 is forked while the case's process has one thread.
 *
 * Pairs (case.arg):
 *   PAIR_ZERO_COPY, benchmark "pingpong-pair", at every pingpong size: shm-arena between
 *     processes against spsc-pointer between threads (C13's like-with-like ratio Z);
 *   PAIR_FLOOR, benchmark "floor-pair", 64 bytes: the one-line ring and the byte ring, both
 *     busy-polling between processes, against the cache-line round trip (the floor's budget);
 *   PAIR_BANDWIDTH, benchmark "bandwidth-pair", 1 MiB: one way through the futex ring between
 *     processes against one task's memcpy of the same size (the bandwidth budget). */
#define _GNU_SOURCE
#include "ipc_pair.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case_members.h"
#include "cacheline.h"
#include "ipc_run.h"
#include "tvp_err.h"

struct member_spec {
    const char *bench, *variant, *model;
    int metric; /* which of the member's own totals is the figure */
    const char *as;
};

static const struct pair_spec {
    const char *bench;
    int n;
    struct member_spec m[TVP_MAX_MEMBERS];
    const char *note;
} pairs[] = {
    [TVP_PAIR_ZERO_COPY] =
        {"pingpong-pair",
         2,
         {{"pingpong", TVP_IPC_ARENA, "process", 1, "process-rtt-p50"},
          {"pingpong", TVP_IPC_POINTER, "thread", 1, "thread-rtt-p50"}},
         "shm-arena (processes) and spsc-pointer (threads) in alternating batches, round trip "
         "p50 each; C13's Z: median of the per-batch ratios"},
    [TVP_PAIR_FLOOR] =
        {"floor-pair",
         3,
         {{"pingpong", "shm-line-poll", "process", 1, "line-poll-rtt-p50"},
          {"pingpong", "shm-ring-poll", "process", 1, "ring-poll-rtt-p50"},
          {TVP_CACHELINE_BENCH, "atomic-pingpong", "thread", 0, "cacheline-rtt"}},
         "busy-polling rings between processes (round trip p50) and the cache-line round trip "
         "in alternating batches: the floor budget's ratio per batch"},
    [TVP_PAIR_BANDWIDTH] =
        {"bandwidth-pair",
         2,
         {{"stream", "shm-ring-futex", "process", 0, "ring-per-msg"},
          {"memcpy", TVP_IPC_MEMCPY, "thread", 0, "memcpy-per-copy"}},
         "one way through the futex ring (processes) and one task's memcpy of the same size in "
         "alternating batches: the bandwidth budget's ratio per batch"},
};

struct pair_state {
    const struct pair_spec *spec;
    struct tvp_members m;
};

const char *tvp_pair_bench(enum tvp_pair_kind k)
{
    return pairs[k].bench;
}

/* A member as the case it would be on its own (same PUs and size). */
static void member_case(struct tvp_case *m, const struct tvp_case *pc, const struct member_spec *s)
{
    if (!strcmp(s->bench, TVP_CACHELINE_BENCH)) {
        struct tvp_placement pl = {.kind = pc->placement, .pu_a = pc->pu_a, .pu_b = pc->pu_b};
        tvp_cacheline_case(m, pc->group, &pl);
        return;
    }
    *m = *pc;
    snprintf(m->benchmark, sizeof m->benchmark, "%s", s->bench);
    snprintf(m->variant, sizeof m->variant, "%s", s->variant);
    snprintf(m->model, sizeof m->model, "%s", s->model);
    m->max_iters = !strcmp(s->bench, "pingpong") ? 1u << 17 : 1u << 20;
    m->setup = tvp_ipcb_setup;
    m->run = tvp_ipcb_run;
    m->teardown = tvp_ipcb_teardown;
}

static void pair_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct pair_state *ps = state;
    if (!ps)
        return;
    tvp_members_teardown(&ps->m);
    free(ps);
}

static int pair_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct pair_state *ps = calloc(1, sizeof *ps);
    if (!ps) {
        tvp_errfmt(err, errlen, ENOMEM, "%s: state", c->benchmark);
        return -1;
    }
    ps->spec = &pairs[c->arg];
    ps->m.n = ps->spec->n;
    for (int i = 0; i < ps->spec->n; i++)
        member_case(&ps->m.c[i], c, &ps->spec->m[i]);
    if (tvp_members_setup(&ps->m, c->benchmark, err, errlen) != 0) {
        free(ps);
        return -1;
    }
    *state = ps;
    return 0;
}

static int pair_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    struct pair_state *ps = state;
    uint64_t t[TVP_MAX_MEMBERS][TVP_MAX_METRICS] = {{0}};
    if (tvp_members_run(&ps->m, c->benchmark, iters, t, err, errlen) != 0)
        return -1;
    for (int i = 0; i < ps->spec->n; i++)
        totals[i] += t[i][ps->spec->m[i].metric];
    return 0;
}

void tvp_pair_case(struct tvp_case *c, const struct tvp_group *g, enum tvp_pair_kind k,
                   const struct tvp_placement *pl, long long bytes)
{
    const struct pair_spec *s = &pairs[k];
    tvp_case_init(c, g, s->bench, s->m[0].variant, "process", pl);
    snprintf(c->param, sizeof c->param, "bytes");
    c->param_value = bytes;
    c->arg = k;
    c->n_metrics = s->n;
    for (int i = 0; i < s->n; i++) {
        c->metric[i] = s->m[i].as;
        c->unit[i] = "ns";
    }
    c->max_iters = 1u << 17;
    /* A paired ratio's CI is read from order statistics: with 21 ratios it lies between the 6th
     * and the 16th. A quick run's 0.01 s batches at 64 KiB gave ratios from 0.62 to 1.6 (the
     * cross-core cost changes faster than a batch there), and with 11 the CI (2nd-10th) still
     * reached past 1.25. The pair is cheap: 21 batches of it are a fraction of a second. */
    c->min_repetitions = 21;
    snprintf(c->note, sizeof c->note, "%s", s->note);
    c->n_pus = 2;
    c->pus[0] = c->pu_a;
    c->pus[1] = c->pu_b;
    c->setup = pair_setup;
    c->run = pair_run;
    c->teardown = pair_teardown;
}
