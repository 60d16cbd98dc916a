/* The sched group's context-switch engine (bench/groups/sched/ctxswitch.c) run directly, outside
 * the supervisor. For futex and pipe, threads and processes, both tasks on one PU: batches of 1,
 * 100 and 2000 iterations with working sets 0 and 64 KiB succeed, give a positive per-switch figure
 * and a touch figure that is 0 exactly when nothing is touched, and count 2 context switches per
 * iteration (1.9 .. 2.5, retried once against a stray preemption) with nothing touched: the
 * "two switches per iteration" the group states. Across two PUs (when the machine has them) the
 * runs succeed and the counted switches are shown, not judged. wake-cost runs for both
 * mechanisms. Teardown leaves no child, no descriptor and the caller's affinity as it was; bad
 * cases are refused at set-up, and a partner process killed between batches fails the next batch
 * quickly instead of hanging it. Nothing is asserted about speed. */
#define _GNU_SOURCE
#include "check.h"
#include "clock.h"
#include "ctxswitch.h"
#include "test_util.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int cpus[2], n_cpus;

static void make_case(struct tvp_case *c, const char *bench, const char *variant, const char *model,
                      long long ws, int pu_a, int pu_b)
{
    memset(c, 0, sizeof *c);
    snprintf(c->benchmark, sizeof c->benchmark, "%s", bench);
    snprintf(c->variant, sizeof c->variant, "%s", variant);
    snprintf(c->model, sizeof c->model, "%s", model);
    snprintf(c->param, sizeof c->param, "working-set");
    c->param_value = ws;
    c->pu_a = pu_a;
    c->pu_b = pu_b;
    tvp_csw_describe(c);
}

static int affinity_count(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : -1;
}

/* Runs one batch; 0 or -1 (the reason printed). */
static int batch(const struct tvp_case *c, void *st, uint64_t iters, uint64_t *totals)
{
    char err[256] = "";
    memset(totals, 0, sizeof(uint64_t) * TVP_MAX_METRICS);
    int rc = tvp_csw_run(c, st, iters, totals, err, sizeof err);
    CHECK_MSG(rc == 0, "%s %s %s ws %lld, %llu iterations: %s", c->benchmark, c->variant, c->model,
              c->param_value, (unsigned long long)iters, err);
    return rc;
}

/* One switch case over the batch sizes. check_count: assert 2 switches per iteration. */
static void switch_case(const char *variant, const char *model, long long ws, int pu_a, int pu_b,
                        const uint64_t *sizes, int n_sizes, int check_count)
{
    struct tvp_case c;
    make_case(&c, "switch", variant, model, ws, pu_a, pu_b);
    CHECK_INT(c.n_metrics, 3);
    void *st = NULL;
    char err[256] = "";
    int rc = tvp_csw_setup(&c, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "set-up %s %s ws %lld: %s", variant, model, ws, err);
    if (rc != 0)
        return;
    for (int i = 0; i < n_sizes; i++) {
        uint64_t t[TVP_MAX_METRICS], n = sizes[i];
        if (batch(&c, st, n, t) != 0)
            break;
        double per_switch = (double)t[0] / (double)n, spi = (double)t[1] / (double)n;
        /* The count includes involuntary switches: another program preempting a task adds
         * one, which moves a 1-iteration batch to 3 or 4 but a 100-iteration one by 0.01. So the
         * upper bound is only asked of batches long enough to average such strays out; the
         * lower bound (other load only ever adds switches) of every batch. */
        double most = n >= 100 ? 2.5 : 1e9;
        if (check_count && (spi < 1.9 || spi > most)) {
            /* A stray preemption or a daemon waking on this PU: once more before judging. */
            printf("  %s %s ws %lld, %llu iterations: %.3f switches per iteration, retrying\n",
                   variant, model, ws, (unsigned long long)n, spi);
            if (batch(&c, st, n, t) != 0)
                break;
            per_switch = (double)t[0] / (double)n;
            spi = (double)t[1] / (double)n;
        }
        CHECK_MSG(t[0] > 0, "%s %s ws %lld: per-switch total 0", variant, model, ws);
        if (ws == 0)
            CHECK_MSG(t[2] == 0, "%s %s: touch %llu with nothing to touch", variant, model,
                      (unsigned long long)t[2]);
        else
            CHECK_MSG(t[2] > 0, "%s %s ws %lld: touch 0", variant, model, ws);
        if (check_count)
            CHECK_MSG(spi >= 1.9 && spi <= most,
                      "%s %s same PU, %llu iterations: %.3f switches per iteration, expected 2",
                      variant, model, (unsigned long long)n, spi);
        if (n == sizes[n_sizes - 1])
            printf("  switch %-5s %-7s PU %d/%d ws %8lld: %7.0f ns per switch, %.3f switches per "
                   "iteration, touch %.0f ns per iteration\n",
                   variant, model, pu_a, pu_b, ws, per_switch, spi, (double)t[2] / (double)n);
    }
    tvp_csw_teardown(&c, st);
    CHECK_MSG(no_children(), "%s %s: a child left behind", variant, model);
}

static void wake_case(const char *variant, const char *model, uint64_t iters)
{
    struct tvp_case c;
    make_case(&c, "wake-cost", variant, model, 0, cpus[0], cpus[0]);
    CHECK_INT(c.n_metrics, 1);
    CHECK_STR(c.metric[0], "per-op");
    void *st = NULL;
    char err[256] = "";
    int rc = tvp_csw_setup(&c, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "set-up wake-cost %s %s: %s", variant, model, err);
    if (rc != 0)
        return;
    uint64_t t[TVP_MAX_METRICS];
    if (batch(&c, st, 1, t) == 0 && batch(&c, st, iters, t) == 0) {
        CHECK_MSG(t[0] > 0, "wake-cost %s %s: no time", variant, model);
        printf("  wake-cost %-5s %-7s: %.0f ns per operation\n", variant, model,
               (double)t[0] / (double)iters);
    }
    tvp_csw_teardown(&c, st);
}

static void refused(const char *bench, const char *variant, const char *model, long long ws)
{
    struct tvp_case c;
    make_case(&c, bench, variant, model, ws, cpus[0], cpus[0]);
    void *st = NULL;
    char err[256] = "";
    CHECK_MSG(tvp_csw_setup(&c, &st, err, sizeof err) != 0 && err[0] != '\0',
              "%s %s %s ws %lld was accepted", bench, variant, model, ws);
}

/* The partner process killed while parked: the next batch fails within the liveness check
 * (not after the 10 s ready timeout, nor by hanging), and teardown still reaps it. */
static void killed_partner(const char *variant)
{
    struct tvp_case c;
    make_case(&c, "switch", variant, "process", 0, cpus[0], cpus[0]);
    void *st = NULL;
    char err[256] = "";
    int rc = tvp_csw_setup(&c, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "set-up %s process: %s", variant, err);
    if (rc != 0)
        return;
    uint64_t t[TVP_MAX_METRICS] = {0};
    batch(&c, st, 10, t);
    /* The partner is this process's only child (the kernel lists children per thread). */
    pid_t child = -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
    FILE *f = fopen(path, "r");
    if (f) {
        int p;
        if (fscanf(f, "%d", &p) == 1)
            child = p;
        fclose(f);
    }
    if (child > 0) {
        CHECK(kill(child, SIGKILL) == 0);
        uint64_t t0 = tvp_now_ns();
        err[0] = '\0';
        rc = tvp_csw_run(&c, st, 10, t, err, sizeof err);
        double s = (double)(tvp_now_ns() - t0) / 1e9;
        CHECK_MSG(rc != 0 && strstr(err, "ended"), "%s: after the partner was killed: rc %d, %s",
                  variant, rc, err);
        /* That the death was noticed, not waited out, is the "ended" in the message (a wait
         * that ran out says it timed out); the time is only a hang guard, not a speed bound. */
        CHECK_MSG(s < 30.0, "%s: the failure took %.1f s", variant, s);
        printf("  killed partner (%s): \"%s\"\n", variant, err);
        err[0] = '\0';
        CHECK(tvp_csw_run(&c, st, 10, t, err, sizeof err) != 0); /* and stays failed */
    } else {
        printf("  /proc/self/task/*/children unreadable: the killed-partner check is skipped\n");
    }
    tvp_csw_teardown(&c, st);
    CHECK(no_children());
}

int main(void)
{
    cpu_set_t set;
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0);
    for (int i = 0; i < CPU_SETSIZE && n_cpus < 2; i++)
        if (CPU_ISSET(i, &set))
            cpus[n_cpus++] = i;
    int fds = count_fds(), aff = affinity_count();
    static const char *const variants[] = {"futex", "pipe"};
    static const char *const models[] = {"thread", "process"};
    /* TSan makes every atomic and system call several times dearer: fewer iterations. */
    static const uint64_t sizes[] = {1, 100, TEST_TSAN ? 300 : 2000};
    static const uint64_t few[] = {1, 3};

    printf("same PU (%d):\n", cpus[0]);
    for (int v = 0; v < 2; v++)
        for (int m = 0; m < 2; m++) {
            switch_case(variants[v], models[m], 0, cpus[0], cpus[0], sizes, 3, 1);
            switch_case(variants[v], models[m], 65536, cpus[0], cpus[0], sizes, 3, 0);
        }
    /* The largest working set the group uses, briefly: allocation and touching of 2 x 16 MiB. */
    for (int m = 0; m < 2; m++)
        switch_case("futex", models[m], 16 << 20, cpus[0], cpus[0], few, 2, 0);

    if (n_cpus >= 2) {
        printf("across PUs %d and %d:\n", cpus[0], cpus[1]);
        for (int v = 0; v < 2; v++)
            for (int m = 0; m < 2; m++)
                switch_case(variants[v], models[m], 0, cpus[0], cpus[1], sizes, 3, 0);
    } else {
        printf("one CPU available: the cross-PU runs are skipped\n");
    }

    for (int v = 0; v < 2; v++)
        for (int m = 0; m < 2; m++)
            wake_case(variants[v], models[m], TEST_TSAN ? 2000 : 20000);

    killed_partner("futex");
    killed_partner("pipe");

    refused("switch", "spinlock", "thread", 0);
    refused("switch", "futex", "thread", -1);
    refused("switch", "pipe", "process", -65536);
    refused("switch", "futex", "fiber", 0);
    refused("no-such-bench", "futex", "thread", 0);

    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
    CHECK_INT(affinity_count(), aff);
    return CHECK_DONE();
}
