#define _GNU_SOURCE
#include "cacheline.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "clock.h"
#include "runner.h"
#include "topology.h"
#include "tvp_cpu_relax.h"
#include "tvp_err.h"

struct pingpong {
    alignas(64) _Atomic uint64_t line; /* the bounced line: odd = ping, even = pong */
    alignas(64) _Atomic int ready;     /* partner spinning, on its own line */
    uint64_t rounds;
    _Atomic int cpu;
};

/* Answers every odd value with the next even one until it has answered `rounds`. The loads are
 * acquire and the stores release only to keep the exchange ordered for the sanitizers; on x86
 * every one is a plain move, so the figure is the line's transfer time. */
static void *partner(void *arg)
{
    struct pingpong *pp = arg;
    atomic_store_explicit(&pp->cpu, sched_getcpu(), memory_order_relaxed);
    atomic_store_explicit(&pp->ready, 1, memory_order_release);
    for (uint64_t i = 0; i < pp->rounds; i++) {
        uint64_t want = 2 * i + 1;
        while (atomic_load_explicit(&pp->line, memory_order_acquire) != want)
            tvp_cpu_relax();
        atomic_store_explicit(&pp->line, want + 1, memory_order_release);
    }
    return NULL;
}

static int cl_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    (void)c;
    struct pingpong *pp;
    int rc = posix_memalign((void **)&pp, 64, sizeof *pp);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "cache-line round trip: allocating the line");
        return -1;
    }
    *state = pp;
    return 0;
}

static void cl_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    free(state);
}

/* A partner thread per batch, started and spinning before the clock starts. */
static int cl_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                  char *err, size_t errlen)
{
    struct pingpong *pp = state;
    atomic_store_explicit(&pp->line, 0, memory_order_relaxed);
    atomic_store_explicit(&pp->ready, 0, memory_order_relaxed);
    atomic_store_explicit(&pp->cpu, -1, memory_order_relaxed);
    pp->rounds = iters;
    pthread_t t;
    int rc = tvp_start_bound_thread(&t, c->pu_b, partner, pp);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "cache-line round trip: starting the partner on PU %d",
                   c->pu_b);
        return -1;
    }
    while (!atomic_load_explicit(&pp->ready, memory_order_acquire))
        tvp_cpu_relax();
    uint64_t t0 = tvp_now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t ping = 2 * i + 1;
        atomic_store_explicit(&pp->line, ping, memory_order_release);
        while (atomic_load_explicit(&pp->line, memory_order_acquire) != ping + 1)
            tvp_cpu_relax();
    }
    totals[0] += tvp_now_ns() - t0;
    if ((rc = pthread_join(t, NULL)) != 0) {
        tvp_errfmt(err, errlen, rc, "cache-line round trip: joining the partner");
        return -1;
    }
    tvp_runner_note_cpu(atomic_load_explicit(&pp->cpu, memory_order_relaxed));
    return 0;
}

void tvp_cacheline_case(struct tvp_case *c, const struct tvp_group *g,
                        const struct tvp_placement *pl)
{
    tvp_case_init(c, g, TVP_CACHELINE_BENCH, "atomic-pingpong", "thread", pl);
    c->n_metrics = 1;
    c->metric[0] = "round-trip";
    c->unit[0] = "ns";
    c->max_iters = 1u << 22;
    snprintf(c->note, sizeof c->note,
             "one 64-byte line bounced PU %d -> PU %d -> PU %d: the floor for a cross-core "
             "hand-off",
             pl->pu_a, pl->pu_b, pl->pu_a);
    c->setup = cl_setup;
    c->run = cl_run;
    c->teardown = cl_teardown;
}
