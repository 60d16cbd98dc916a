#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "clock.h"
#include "counters.h"
#include "tvp_err.h"

#define MAX_NOTED_CPUS 1024
static unsigned char noted_cpus[MAX_NOTED_CPUS];

void tvp_runner_note_cpu(int cpu)
{
    if (cpu >= 0 && cpu < MAX_NOTED_CPUS)
        noted_cpus[cpu] = 1;
}

static uint64_t cpu_time_ns(void)
{
    struct rusage self, kids;
    /* getrusage cannot fail with these arguments; both are read so reaped children count. */
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    uint64_t us = 0;
    const struct rusage *r[2] = {&self, &kids};
    for (int i = 0; i < 2; i++)
        us += (uint64_t)r[i]->ru_utime.tv_sec * 1000000u + (uint64_t)r[i]->ru_utime.tv_usec +
              (uint64_t)r[i]->ru_stime.tv_sec * 1000000u + (uint64_t)r[i]->ru_stime.tv_usec;
    return us * 1000u;
}

static int run_batch(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     uint64_t *wall_ns, char *err, size_t errlen)
{
    memset(totals, 0, sizeof(uint64_t) * TVP_MAX_METRICS);
    uint64_t t0 = tvp_now_ns();
    int rc = c->run(c, state, iters, totals, err, errlen);
    *wall_ns = tvp_now_ns() - t0;
    return rc;
}

static void report_error(int fd, const char *what, const char *why)
{
    dprintf(fd, "error %s%s%s\n", what, why[0] ? ": " : "", why);
}

/* Runs one batch with the counters on and reports them per operation. */
static int count_batch(const struct tvp_case *c, void *state, uint64_t iters,
                       struct tvp_counter_set *ctrs, int fd)
{
    uint64_t totals[TVP_MAX_METRICS], wall;
    char err[256] = "";
    struct tvp_counter_value vals[TVP_MAX_COUNTERS];
    int rc = tvp_counters_start(ctrs);
    if (rc != 0) {
        report_error(fd, "starting counters", tvp_counters_error(ctrs));
        return -1;
    }
    int run_rc = run_batch(c, state, iters, totals, &wall, err, sizeof err);
    if ((rc = tvp_counters_stop(ctrs)) != 0 || (rc = tvp_counters_read(ctrs, vals)) != 0) {
        report_error(fd, "reading counters", tvp_counters_error(ctrs));
        return -1;
    }
    if (run_rc != 0) {
        report_error(fd, "check failed in the counted batch", err);
        return -1;
    }
    for (size_t i = 0; i < tvp_counters_len(ctrs); i++) {
        if (vals[i].valid)
            dprintf(fd, "counter %zu %.17g %.6f\n", i, vals[i].value / (double)iters,
                    vals[i].running_fraction);
        else
            dprintf(fd, "counter %zu unavailable\n", i);
    }
    return 0;
}

int tvp_runner_run_case(const struct tvp_case *c, const struct tvp_options *o, double timer_cost_ns,
                        int fd)
{
    char err[256] = "";
    char name[16];
    snprintf(name, sizeof name, "tvp:%.11s", c->variant);
    if (prctl(PR_SET_NAME, name) != 0)
        tvp_warn(errno, "%s: naming the task", c->benchmark);

    int rc = tvp_bind_self_os(c->pu_a);
    if (rc != 0) {
        report_error(fd, "binding to the measuring PU", strerror(rc));
        return 1;
    }
    void *state = NULL;
    if (c->setup && c->setup(c, &state, err, sizeof err) != 0) {
        report_error(fd, "set-up", err);
        return 1;
    }

    struct tvp_counter_set *ctrs = NULL;
    if (o->n_counters > 0 && tvp_counters_open(o->counter_names, (size_t)o->n_counters, 1, &ctrs,
                                               err, sizeof err) != 0) {
        dprintf(fd, "note counters could not be opened: %s\n", err);
        ctrs = NULL;
    }

    uint64_t totals[TVP_MAX_METRICS], wall = 0, iters = 1;
    uint64_t min_ns = (uint64_t)(o->min_time_s * 1e9);
    int status = 0;
    for (;;) {
        if (run_batch(c, state, iters, totals, &wall, err, sizeof err) != 0) {
            report_error(fd, "check failed during calibration", err);
            status = 1;
            goto out;
        }
        if (wall >= min_ns || (c->max_iters && iters >= c->max_iters))
            break;
        /* Aim 40% past the target so the next batch usually suffices, but never grow more than
         * 10x at once: the first batches are the coldest and least representative. */
        double want = wall > 0 ? (double)iters * 1.4 * (double)min_ns / (double)wall : iters * 10.0;
        uint64_t next = want > iters * 10.0 ? iters * 10 : (uint64_t)want;
        if (next <= iters)
            next = iters + 1;
        if (c->max_iters && next > c->max_iters)
            next = c->max_iters;
        iters = next;
    }
    if (run_batch(c, state, iters, totals, &wall, err, sizeof err) != 0) {
        report_error(fd, "check failed during warm-up", err);
        status = 1;
        goto out;
    }
    dprintf(fd, "iters %llu\n", (unsigned long long)iters);

    uint64_t cpu_total = 0;
    for (int r = 0; r < o->repetitions; r++) {
        uint64_t cpu0 = cpu_time_ns();
        if (run_batch(c, state, iters, totals, &wall, err, sizeof err) != 0) {
            report_error(fd, "check failed", err);
            status = 1;
            goto out;
        }
        cpu_total += cpu_time_ns() - cpu0;
        tvp_runner_note_cpu(sched_getcpu());
        for (int m = 0; m < c->n_metrics; m++) {
            double total = (double)totals[m];
            if (c->per_op_timed)
                total -= timer_cost_ns * (double)iters;
            dprintf(fd, "sample %d %.17g\n", m, total / (double)iters);
        }
    }
    double ops = (double)iters * o->repetitions;
    /* Counters get a batch of their own after the timed ones: inherited events are cloned into
     * every thread and process the subject starts, which would slow the very starts being timed
     * (by about 10 us per pthread_create on a 2-vCPU VM). */
    if (ctrs && count_batch(c, state, iters, ctrs, fd) != 0) {
        status = 1;
        goto out;
    }
    dprintf(fd, "cpu_ns %.17g\n", (double)cpu_total / ops);
    char cpus[256] = "";
    size_t used = 0;
    for (int cpu = 0; cpu < MAX_NOTED_CPUS && used + 8 < sizeof cpus; cpu++)
        if (noted_cpus[cpu])
            used += (size_t)snprintf(cpus + used, sizeof cpus - used, "%s%d", used ? ";" : "", cpu);
    dprintf(fd, "cpus %s\n", cpus);
    dprintf(fd, "done\n");
out:
    if (ctrs)
        tvp_counters_close(ctrs);
    if (c->teardown)
        c->teardown(c, state);
    return status;
}
