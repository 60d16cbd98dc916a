#define _GNU_SOURCE
#include "runner.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "clock.h"
#include "counters.h"
#include "pu_awake.h"
#include "sampling.h"
#include "tvp_created.h"
#include "tvp_err.h"

#define MAX_NOTED_CPUS 1024
static unsigned char noted_cpus[MAX_NOTED_CPUS];

static int report_fd = -1;

void tvp_runner_note(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    buf[strcspn(buf, "\n")] = '\0';
    if (report_fd >= 0)
        dprintf(report_fd, "note %s\n", buf);
}

/* tvp_created's hook in a case's process (and the tasks it forks, which share the report
 * pipe): one write per line, so lines from several tasks never interleave (under PIPE_BUF). */
static void report_created(const char *kind, const char *what)
{
    char line[PATH_MAX + 64];
    int n = snprintf(line, sizeof line, "created %s %s\n", kind, what);
    if (report_fd < 0 || n <= 0 || (size_t)n >= sizeof line)
        return;
    for (ssize_t done = 0; done < n;) {
        ssize_t w = write(report_fd, line + done, (size_t)(n - done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            tvp_warn(errno, "reporting a created %s %s to the supervisor", kind, what);
            return;
        }
        done += w;
    }
}

void tvp_runner_note_cpu(int cpu)
{
    if (cpu >= 0 && cpu < MAX_NOTED_CPUS)
        noted_cpus[cpu] = 1;
}

static uint64_t extra_cpu_ns;

void tvp_runner_add_cpu_ns(uint64_t ns)
{
    extra_cpu_ns += ns;
}

static uint64_t cpu_time_ns(void)
{
    /* Both, so that reaped children count; plus what the case reported of its unreaped ones. */
    return tvp_rusage_cpu_ns(RUSAGE_SELF) + tvp_rusage_cpu_ns(RUSAGE_CHILDREN) + extra_cpu_ns;
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

/* Runs one batch with the counters on and reports them per operation. The counters are opened
 * here, after the timed batches: an inherited event is copied into every thread and process the
 * subject starts even while it is disabled, which would slow the very starts being timed (by
 * about 10 us per pthread_create on a 2-vCPU VM). Counters fail soft: a failure becomes a note
 * and the timed samples stand. Returns -1 only when the operation's own check failed. */
static int count_batch(const struct tvp_case *c, void *state, uint64_t iters,
                       const struct tvp_options *o, int fd)
{
    uint64_t totals[TVP_MAX_METRICS], wall;
    char err[256] = "";
    struct tvp_counter_set *ctrs = NULL;
    if (tvp_counters_open(o->counter_names, (size_t)o->n_counters, 1, &ctrs, err, sizeof err) !=
        0) {
        dprintf(fd, "note counters could not be opened: %s\n", err);
        return 0;
    }
    struct tvp_counter_value vals[TVP_MAX_COUNTERS];
    int rc = tvp_counters_start(ctrs);
    int run_rc = run_batch(c, state, iters, totals, &wall, err, sizeof err);
    if (rc == 0)
        rc = tvp_counters_stop(ctrs);
    if (rc == 0)
        rc = tvp_counters_read(ctrs, vals);
    if (run_rc != 0)
        report_error(fd, "check failed in the counted batch", err);
    else if (rc != 0)
        dprintf(fd, "note counters failed: %s\n", tvp_counters_error(ctrs));
    else
        for (size_t i = 0; i < tvp_counters_len(ctrs); i++) {
            if (vals[i].valid)
                dprintf(fd, "counter %zu %.17g %.6f\n", i, vals[i].value / (double)iters,
                        vals[i].running_fraction);
            else
                dprintf(fd, "counter %zu unavailable\n", i);
        }
    tvp_counters_close(ctrs);
    return run_rc != 0 ? -1 : 0;
}

int tvp_runner_run_case(const struct tvp_case *c, const struct tvp_options *o, double timer_cost_ns,
                        int fd)
{
    char err[256] = "";
    char name[16];
    report_fd = fd;
    tvp_created_hook = report_created;
    snprintf(name, sizeof name, "tvp:%.11s", c->variant);
    if (prctl(PR_SET_NAME, name) != 0)
        tvp_warn(errno, "%s: naming the task", c->benchmark);

    int rc = tvp_bind_self_os(c->pu_a);
    if (rc != 0) {
        report_error(fd, "binding to the measuring PU", strerror(rc));
        return 1;
    }
    struct tvp_pu_awake awake = {0};
    if (c->keep_pus_awake) {
        int pus[TVP_MAX_CASE_PUS + 2], n = 0;
        pus[n++] = c->pu_a;
        if (c->pu_b >= 0)
            pus[n++] = c->pu_b;
        for (int i = 0; i < c->n_pus; i++)
            pus[n++] = c->pus[i];
        if (tvp_pu_awake_start(&awake, pus, n, err, sizeof err) != 0) {
            report_error(fd, "set-up", err);
            return 1;
        }
        tvp_runner_note("its PUs kept out of idle by SCHED_IDLE spinners (a halted vCPU runs "
                        "the next work slowly)");
    }
    void *state = NULL;
    if (c->setup && c->setup(c, &state, err, sizeof err) != 0) {
        report_error(fd, "set-up", err);
        tvp_pu_awake_stop(&awake);
        return 1;
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
    struct tvp_sampling rule;
    tvp_sampling_for_case(c, o, &rule);
    static double samples[TVP_MAX_METRICS][TVP_SAMPLES_MAX], scratch[TVP_SAMPLES_MAX];
    double *by_metric[TVP_MAX_METRICS];
    for (int m = 0; m < TVP_MAX_METRICS; m++)
        by_metric[m] = samples[m];
    int reps = 0;
    enum tvp_stop stop;
    double worst = NAN;
    uint64_t sampling_t0 = tvp_now_ns();
    while ((stop = tvp_sampling_check(c, &rule, reps, (double)(tvp_now_ns() - sampling_t0) / 1e9,
                                      by_metric, scratch, NULL)) == TVP_STOP_NONE) {
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
            samples[m][reps] = total / (double)iters;
            dprintf(fd, "sample %d %.17g\n", m, samples[m][reps]);
        }
        reps++;
    }
    tvp_sampling_check(c, &rule, reps, 0, by_metric, scratch, &worst);
    dprintf(fd, "stop %s %.6f %.6g\n", tvp_stop_name(stop),
            (double)(tvp_now_ns() - sampling_t0) / 1e9, worst);
    double ops = (double)iters * reps;
    if (o->n_counters > 0 && c->counters_off)
        dprintf(fd, "note counters not taken: %s\n", c->counters_off);
    else if (o->n_counters > 0 && count_batch(c, state, iters, o, fd) != 0) {
        status = 1;
        goto out;
    }
    dprintf(fd, "cpu_ns %.17g\n", (double)cpu_total / ops);
    char cpus[TVP_CPUS_LEN] = "";
    size_t used = 0;
    for (int cpu = 0; cpu < MAX_NOTED_CPUS && used + 8 < sizeof cpus; cpu++)
        if (noted_cpus[cpu])
            used += (size_t)snprintf(cpus + used, sizeof cpus - used, "%s%d", used ? ";" : "", cpu);
    dprintf(fd, "cpus %s\n", cpus);
    dprintf(fd, "done\n");
out:
    if (c->teardown)
        c->teardown(c, state);
    tvp_pu_awake_stop(&awake);
    return status;
}
