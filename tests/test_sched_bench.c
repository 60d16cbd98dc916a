/* The sched group's scaling engine (bench/groups/sched/sched_scaling.c) run directly: every mode
 * (free threads, processes, threads under the emulated GIL, and their I/O mixes) with 1 .. 3
 * workers over batches of 1 and 2 jobs must compute every unit and the right result; a worker that
 * skips a unit (tvp_scaling_fault) must fail the batch. Also the work unit itself: the LCG is the
 * recurrence it claims to be and the calibration gives more steps for more time. */
#define _GNU_SOURCE
#include "check.h"
#include "cpu_work.h"
#include "sched_scaling.h"
#include "test_util.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

static void make_case(struct tvp_case *c, const char *mode, int workers, const int *cpus, int nc)
{
    memset(c, 0, sizeof *c);
    snprintf(c->benchmark, sizeof c->benchmark, "scaling");
    snprintf(c->variant, sizeof c->variant, "%s", mode);
    snprintf(c->model, sizeof c->model, "%s", strstr(mode, "processes") ? "process" : "thread");
    c->param_value = workers;
    c->n_pus = workers;
    for (int i = 0; i < workers; i++)
        c->pus[i] = cpus[i % nc];
    c->arg = 1000000; /* a 1 ms switch interval: more switches in a short test */
    c->max_iters = 4;
}

static int run_case(const struct tvp_case *c, int batches, char *err, size_t len)
{
    void *st = NULL;
    if (tvp_scaling_setup(c, &st, err, len) != 0)
        return -1;
    int rc = 0;
    for (int b = 1; b <= batches && rc == 0; b++) {
        uint64_t t[TVP_MAX_METRICS] = {0};
        rc = tvp_scaling_run(c, st, (uint64_t)b, t, err, len);
        if (rc == 0 && t[0] == 0) {
            snprintf(err, len, "no time measured");
            rc = -1;
        }
    }
    tvp_scaling_teardown(c, st);
    return rc;
}

int main(void)
{
    cpu_set_t set;
    int cpus[64], nc = 0;
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        for (int i = 0; i < CPU_SETSIZE && nc < 64; i++)
            if (CPU_ISSET(i, &set))
                cpus[nc++] = i;
    if (nc == 0)
        cpus[nc++] = 0;
    int fds = count_fds();

    /* The work unit: the LCG recurrence, composable, and calibrated monotonically. */
    CHECK(tvp_lcg_steps(1, 1) == 6364136223846793005ull + 1442695040888963407ull);
    CHECK(tvp_lcg_steps(7, 300) == tvp_lcg_steps(tvp_lcg_steps(7, 100), 200));
    CHECK(tvp_lcg_steps_for_ns(100000) > tvp_lcg_steps_for_ns(1000));

    static const char *const modes[] = {"threads",    "processes",    "gil-threads",
                                        "io-threads", "io-processes", "io-gil-threads"};
    char err[256];
    for (int m = 0; m < 6; m++)
        for (int w = 1; w <= 3; w++) {
            struct tvp_case c;
            make_case(&c, modes[m], w, cpus, nc);
            err[0] = '\0';
            CHECK_MSG(run_case(&c, 2, err, sizeof err) == 0, "%s, %d workers: %s", modes[m], w,
                      err);
        }
    for (int m = 0; m < 3; m++) {
        struct tvp_case c;
        make_case(&c, modes[m], 2, cpus, nc);
        tvp_scaling_fault = 1;
        err[0] = '\0';
        int rc = run_case(&c, 1, err, sizeof err);
        tvp_scaling_fault = 0;
        CHECK_MSG(rc != 0 && strstr(err, "units computed"), "skipped unit, %s: rc %d \"%s\"",
                  modes[m], rc, err);
    }
    /* A forked worker that cannot bind to its PU fails the batch, naming it, instead of running
     * unpinned (a PU number beyond any machine's CPU set). */
    {
        struct tvp_case c;
        const int nowhere[1] = {CPU_SETSIZE + 7};
        make_case(&c, "processes", 1, nowhere, 1);
        err[0] = '\0';
        int rc = run_case(&c, 1, err, sizeof err);
        CHECK_MSG(rc != 0 && strstr(err, "binding to PU"), "unbindable worker: rc %d \"%s\"", rc,
                  err);
    }
    /* A GIL worker whose take is refused stops and fails the batch: it never runs without it. */
    {
        struct tvp_case c;
        make_case(&c, "gil-threads", 2, cpus, nc);
        tvp_scaling_gil_fault = 1;
        err[0] = '\0';
        int rc = run_case(&c, 1, err, sizeof err);
        tvp_scaling_gil_fault = 0;
        CHECK_MSG(rc != 0 && strstr(err, "emulated GIL failed") && strstr(err, "deadlock"),
                  "refused GIL take: rc %d \"%s\"", rc, err);
    }
    struct tvp_case bad;
    void *st = NULL;
    make_case(&bad, "fibers", 1, cpus, nc);
    CHECK(tvp_scaling_setup(&bad, &st, err, sizeof err) != 0);
    make_case(&bad, "threads", 0, cpus, nc);
    CHECK(tvp_scaling_setup(&bad, &st, err, sizeof err) != 0);
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
    return CHECK_DONE();
}
