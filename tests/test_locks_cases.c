/* The locks group's own checks, run directly outside the supervisor, each passing normally and
 * each shown to fire on its fault:
 *   - a multi-threaded case (uncontended, recursion, contended processes) fails when its idle
 *     second thread is not started (tvp_locks_fault_no_idle), and a "-single-thread" case fails
 *     when the process has a second thread;
 *   - the event settle fails when a waiter does not go to sleep in wait()
 *     (tvp_locks_fault_waiter_spins);
 *   - the negative controls (no-lock counter, no-cap semaphore) run without failing on what they
 *     are there to show, and report it in the metric the judges read;
 *   - the C7, C8 and C9 judges, on result sets made up here: the controls decide between
 *     confirmed and nuanced, one-task figures are not counted as checked, and C8 reports the
 *     multi-threaded ratio. */
#define _GNU_SOURCE
#include "check.h"
#include "claims.h"
#include "group.h"
#include "locks_cases.h"
#include "resultset.h"
#include "test_util.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cpus[64], n_cpus;

/* Runs c once for each batch size; returns 0 when set-up and every batch passed, else -1 with
 * the reason in err. The totals of the last batch stay in totals. */
static int run_case(const struct tvp_case *c, uint64_t iters, int batches, uint64_t *totals,
                    char *err, size_t errlen)
{
    void *st = NULL;
    err[0] = 0;
    if (c->setup(c, &st, err, errlen) != 0)
        return -1;
    int rc = 0;
    for (int b = 0; b < batches && rc == 0; b++) {
        memset(totals, 0, sizeof(uint64_t) * TVP_MAX_METRICS);
        rc = c->run(c, st, iters, totals, err, errlen);
    }
    c->teardown(c, st);
    return rc;
}

static int make(struct tvp_case *c, const char *bench, const char *variant, const char *model,
                long long param, int n_pus)
{
    int pus[TVP_MAX_CASE_PUS];
    for (int i = 0; i < n_pus; i++)
        pus[i] = cpus[i % n_cpus];
    return tvp_locks_test_case(c, bench, variant, model, param, pus, n_pus);
}

static _Atomic int extra_stop;

static void *extra_thread(void *arg)
{
    (void)arg;
    while (!atomic_load(&extra_stop))
        sched_yield();
    return NULL;
}

static void test_thread_checks(void)
{
    char err[256];
    uint64_t totals[TVP_MAX_METRICS];
    struct tvp_case c;
    int alone = tvp_locks_thread_count(0, err, sizeof err);
    CHECK_MSG(alone >= 1, "thread count: %s", err);

    /* Normal: every multi-threaded case passes (its idle thread is there). */
    static const char *const unc_kinds[] = {"mutex", "recursive", "spin", "posix-sem"};
    for (size_t k = 0; k < sizeof unc_kinds / sizeof unc_kinds[0]; k++)
        for (int m = 0; m < 2; m++) {
            CHECK(make(&c, "uncontended", unc_kinds[k], m ? "process" : "thread", 0, 1) == 0);
            CHECK_MSG(run_case(&c, 1000, 3, totals, err, sizeof err) == 0 && totals[0] > 0,
                      "uncontended %s %s: %s", unc_kinds[k], c.model, err);
        }
    CHECK(make(&c, "recursion", "recursive", "thread", 4, 1) == 0);
    CHECK_MSG(run_case(&c, 1000, 2, totals, err, sizeof err) == 0 && totals[1] >= totals[0],
              "recursion: %s", err);
    CHECK(make(&c, "contended-0ns", "mutex", "process", 2, 2) == 0);
    CHECK_MSG(run_case(&c, 2000, 2, totals, err, sizeof err) == 0, "contended process: %s", err);
    CHECK(make(&c, "contended-0ns", "futex", "thread", 2, 2) == 0);
    CHECK_MSG(run_case(&c, 2000, 2, totals, err, sizeof err) == 0, "contended thread: %s", err);

    /* The faults. A check that counts threads can only be seen to fire where this process has
     * one thread of its own (ThreadSanitizer starts a helper thread with the first
     * pthread_create, which would hide the missing one): counted again here. */
    alone = tvp_locks_thread_count(0, err, sizeof err);
    if (alone != 1) {
        printf("skipped the missing-thread faults: this process already has %d threads\n", alone);
        fflush(stdout);
        return;
    }
    CHECK(make(&c, "uncontended-single-thread", "mutex", "thread", 0, 1) == 0);
    CHECK_MSG(run_case(&c, 1000, 2, totals, err, sizeof err) == 0, "single-thread: %s", err);

    tvp_locks_fault_no_idle = 1;
    CHECK(make(&c, "uncontended", "mutex", "thread", 0, 1) == 0);
    CHECK_MSG(run_case(&c, 1000, 1, totals, err, sizeof err) != 0 &&
                  strstr(err, "has 1 thread when the timed loop starts"),
              "uncontended without its idle thread: \"%s\"", err);
    CHECK(make(&c, "uncontended", "mutex", "process", 0, 1) == 0);
    CHECK_MSG(run_case(&c, 1000, 1, totals, err, sizeof err) != 0 &&
                  strstr(err, "has 1 thread when the timed loop starts"),
              "uncontended process-shared without its idle thread: \"%s\"", err);
    CHECK(make(&c, "recursion", "recursive", "thread", 8, 1) == 0);
    CHECK_MSG(run_case(&c, 1000, 1, totals, err, sizeof err) != 0 &&
                  strstr(err, "has 1 thread when the timed loop starts"),
              "recursion without its idle thread: \"%s\"", err);
    CHECK(make(&c, "contended-0ns", "mutex", "process", 2, 2) == 0);
    CHECK_MSG(run_case(&c, 1000, 1, totals, err, sizeof err) != 0 &&
                  strstr(err, "worker process 0") && strstr(err, "has 1 thread"),
              "contended process without its workers' idle threads: \"%s\"", err);
    tvp_locks_fault_no_idle = 0;

    /* A single-thread case with a second thread alive is refused too. */
    pthread_t t;
    atomic_store(&extra_stop, 0);
    int e = pthread_create(&t, NULL, extra_thread, NULL);
    CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
    if (e == 0) {
        CHECK(make(&c, "uncontended-single-thread", "mutex", "thread", 0, 1) == 0);
        CHECK_MSG(run_case(&c, 1000, 1, totals, err, sizeof err) != 0 &&
                      strstr(err, "a single-thread case, but the process has 2 threads"),
                  "single-thread case with a second thread: \"%s\"", err);
        atomic_store(&extra_stop, 1);
        CHECK(pthread_join(t, NULL) == 0);
    }
}

static void test_controls(void)
{
    char err[256];
    uint64_t totals[TVP_MAX_METRICS];
    struct tvp_case c;
    /* The no-lock control reports lost updates per million in [0, 1e6] and never fails for
     * losing them; whether this machine loses any is the judge's business, not a test's. */
    static const char *const models[2] = {"thread", "process"};
    for (int m = 0; m < 2; m++) {
        CHECK(make(&c, "contended-1us", "no-lock-control", models[m], 2, 2) == 0);
        CHECK_INT(c.n_metrics, 4);
        CHECK_STR(c.metric[3], "lost-updates");
        CHECK_MSG(run_case(&c, 5000, 3, totals, err, sizeof err) == 0, "no-lock control %s: %s",
                  models[m], err);
        CHECK_MSG(totals[3] <= 5000ull * 1000000ull, "lost-updates total %llu",
                  (unsigned long long)totals[3]);
    }
    /* The no-cap control may see more than 5 holders without failing: 8 workers. */
    for (int m = 0; m < 2; m++) {
        char v[40];
        snprintf(v, sizeof v, "%s-no-cap-control", models[m]);
        CHECK(make(&c, "semaphore-cap", v, models[m], 8, 8) == 0);
        CHECK_MSG(run_case(&c, 400, 3, totals, err, sizeof err) == 0, "%s: %s", v, err);
        uint64_t maxh = totals[1] / 400;
        CHECK_MSG(maxh >= 1 && maxh <= 8, "%s: max holders %llu", v, (unsigned long long)maxh);
    }
    /* The capped one beside it still holds its cap. */
    CHECK(make(&c, "semaphore-cap", "thread-permits5", "thread", 8, 8) == 0);
    CHECK_MSG(run_case(&c, 400, 2, totals, err, sizeof err) == 0 && totals[1] / 400 <= 5,
              "permits5: %s", err);
}

static void test_event_settle(void)
{
    char err[256];
    uint64_t totals[TVP_MAX_METRICS];
    struct tvp_case c;
    static const char *const variants[] = {"futex-thread", "futex-process", "condvar-thread",
                                           "eventfd-process", "futex-thread-sleep-settle"};
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++)
        for (int waiters = 1; waiters <= 4; waiters += 3) {
            const char *model = strstr(variants[i], "process") ? "process" : "thread";
            CHECK(make(&c, "event-wake", variants[i], model, waiters, 1) == 0);
            CHECK_MSG(run_case(&c, 20, 2, totals, err, sizeof err) == 0 && totals[0] > 0,
                      "event-wake %s, %d waiters: %s", variants[i], waiters, err);
        }
    if (n_cpus > 1) {
        CHECK(make(&c, "event-wake", "futex-thread", "thread", 1, 2) == 0);
        CHECK_MSG(run_case(&c, 20, 2, totals, err, sizeof err) == 0, "cross-core: %s", err);
    }
    /* A waiter that does not go to sleep in wait(): the settle must refuse to time set(). */
    tvp_locks_fault_waiter_spins = 1;
    for (int m = 0; m < 2; m++) {
        CHECK(make(&c, "event-wake", m ? "futex-process" : "futex-thread", m ? "process" : "thread",
                   1, 1) == 0);
        CHECK_MSG(run_case(&c, 1, 1, totals, err, sizeof err) != 0 &&
                      strstr(err, "not asleep in wait()"),
                  "a waiter that spins (%s): \"%s\"", c.model, err);
    }
    tvp_locks_fault_waiter_spins = 0;
}

/* ---- the judges, on made-up result sets ---- */

static struct tvp_fig figs[64];
static size_t n_figs;

static struct tvp_fig *fig(const char *bench, const char *variant, const char *model,
                           const char *placement, const char *param, long long pv,
                           const char *metric, double median, double min, double max)
{
    struct tvp_fig *f = &figs[n_figs++];
    memset(f, 0, sizeof *f);
    snprintf(f->group, sizeof f->group, "locks");
    snprintf(f->benchmark, sizeof f->benchmark, "%s", bench);
    snprintf(f->variant, sizeof f->variant, "%s", variant);
    snprintf(f->model, sizeof f->model, "%s", model);
    snprintf(f->placement, sizeof f->placement, "%s", placement);
    snprintf(f->param, sizeof f->param, "%s", param);
    f->param_value = pv;
    snprintf(f->metric, sizeof f->metric, "%s", metric);
    snprintf(f->status, sizeof f->status, "ok");
    f->n = 7;
    f->median = f->mean = median;
    f->min = min;
    f->max = max;
    f->ci_low = median * 0.98;
    f->ci_high = median * 1.02;
    return f;
}

static const struct tvp_claim_judge *judge(const char *id)
{
    const struct tvp_group *g = tvp_group_find("locks");
    for (size_t i = 0; g && i < g->n_judges; i++)
        if (!strcmp(g->judges[i].claim_id, id))
            return &g->judges[i];
    return NULL;
}

static void judge_rs(const char *id, struct tvp_verdict *v)
{
    struct tvp_resultset *rs = calloc(1, sizeof *rs);
    memset(v, 0, sizeof *v);
    if (!rs)
        return;
    rs->figs = figs;
    rs->n = n_figs;
    judge(id)->judge(rs, v);
    free(rs);
}

static void test_judges(void)
{
    struct tvp_verdict v;
    CHECK(judge("C7") && judge("C8") && judge("C9"));
    if (!judge("C7") || !judge("C8") || !judge("C9"))
        return;

    /* C7: 2 figures where a loss was possible, 1 where it was not; the control lost updates. */
    n_figs = 0;
    fig("contended-0ns", "mutex", "thread", "spread", "workers", 1, "per-op", 20, 19, 21);
    fig("contended-0ns", "mutex", "thread", "spread", "workers", 2, "per-op", 60, 55, 65);
    fig("contended-0ns", "mutex", "process", "spread", "workers", 4, "per-op", 90, 85, 95);
    fig("uncontended", "mutex", "thread", "same-pu", "", 0, "lock+unlock", 18, 17, 19);
    fig("uncontended-single-thread", "mutex", "thread", "same-pu", "", 0, "lock+unlock", 3.3, 3.2,
        3.4);
    struct tvp_fig *ctl = fig("contended-0ns", "no-lock-control", "thread", "spread", "workers", 2,
                              "lost-updates", 90000, 0, 120000);
    judge_rs("C7", &v);
    CHECK_MSG(v.kind == TVP_V_CONFIRMED, "C7 with a control that lost: %d %s", v.kind, v.summary);
    CHECK_MSG(strstr(v.summary, "no lost update in 2 checked figures"), "C7 count: %s", v.summary);
    CHECK_MSG(strstr(v.figures, "single-threaded") && strstr(v.figures, "idle second thread"),
              "C7 figures name both uncontended figures: %s", v.figures);
    /* The control lost nothing: not confirmed, and it says why. */
    ctl->median = ctl->max = 0;
    judge_rs("C7", &v);
    CHECK_MSG(v.kind == TVP_V_NUANCED && strstr(v.summary, "could not show"),
              "C7 with a control that lost nothing: %d %s", v.kind, v.summary);
    /* No control in the run: not confirmed either. */
    snprintf(ctl->status, sizeof ctl->status, "failed");
    judge_rs("C7", &v);
    CHECK_MSG(v.kind == TVP_V_NUANCED && strstr(v.summary, "did not run"),
              "C7 without the control: %d %s", v.kind, v.summary);
    /* Only one-task figures passed: nothing was checked. */
    n_figs = 0;
    fig("contended-0ns", "mutex", "thread", "spread", "workers", 1, "per-op", 20, 19, 21);
    fig("contended-0ns", "no-lock-control", "thread", "spread", "workers", 2, "lost-updates", 90000,
        0, 120000);
    judge_rs("C7", &v);
    CHECK_MSG(v.kind == TVP_V_NOT_MEASURED, "C7 with one-task figures only: %d %s", v.kind,
              v.summary);

    /* C8: the multi-threaded ratios are the ones in the summary. */
    n_figs = 0;
    fig("self-deadlock", "errorcheck", "thread", "same-pu", "", 0, "edeadlk", 1, 1, 1);
    fig("self-deadlock", "errorcheck", "process", "same-pu", "", 0, "edeadlk", 1, 1, 1);
    fig("recursion", "mutex", "thread", "same-pu", "depth", 1, "per-level", 20, 19, 21);
    fig("recursion", "recursive", "thread", "same-pu", "depth", 1, "per-level", 18, 17, 19);
    fig("recursion", "recursive", "thread", "same-pu", "depth", 8, "per-level", 9, 8.5, 9.5);
    fig("recursion-single-thread", "mutex", "thread", "same-pu", "depth", 1, "per-level", 4, 3.9,
        4.1);
    fig("recursion-single-thread", "recursive", "thread", "same-pu", "depth", 8, "per-level", 10,
        9.5, 10.5);
    judge_rs("C8", &v);
    CHECK_MSG(v.kind == TVP_V_CONFIRMED, "C8: %d %s", v.kind, v.summary);
    CHECK_MSG(strstr(v.summary, "multi-threaded") && strstr(v.summary, "0.9×") &&
                  strstr(v.summary, "0.45×") && !strstr(v.summary, "2.5×"),
              "C8 summary from the multi-threaded figures: %s", v.summary);
    CHECK_MSG(strstr(v.figures, "single-threaded"), "C8 figures show the fast path: %s", v.figures);

    /* C9: capped figures at 5, over-release refused; the control decides. */
    n_figs = 0;
    fig("over-release", "bounded-5", "same-pu", "same-pu", "", 0, "held", 1, 1, 1);
    fig("over-release", "bounded-5-process", "same-pu", "same-pu", "", 0, "held", 1, 1, 1);
    fig("semaphore-cap", "thread-permits5", "thread", "spread", "workers", 6, "max-holders", 5, 5,
        5);
    fig("semaphore-cap", "process-permits5", "process", "spread", "workers", 6, "max-holders", 5, 5,
        5);
    ctl = fig("semaphore-cap", "thread-no-cap-control", "thread", "spread", "workers", 6,
              "max-holders", 6, 6, 6);
    judge_rs("C9", &v);
    CHECK_MSG(v.kind == TVP_V_CONFIRMED, "C9 with a control above 5: %d %s", v.kind, v.summary);
    ctl->median = ctl->max = 5;
    judge_rs("C9", &v);
    CHECK_MSG(v.kind == TVP_V_NUANCED && strstr(v.summary, "could not show"),
              "C9 with a control at 5: %d %s", v.kind, v.summary);
    n_figs--;
    judge_rs("C9", &v);
    CHECK_MSG(v.kind == TVP_V_NUANCED && strstr(v.summary, "did not run"),
              "C9 without the control: %d %s", v.kind, v.summary);
}

int main(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        perror("sched_getaffinity");
        return 1;
    }
    for (int i = 0; i < CPU_SETSIZE && n_cpus < 64; i++)
        if (CPU_ISSET(i, &set))
            cpus[n_cpus++] = i;
    int fds = count_fds();
    test_thread_checks();
    test_controls();
    test_event_settle();
    test_judges();
    CHECK_MSG(count_fds() == fds, "descriptors: %d before, %d after", fds, count_fds());
    CHECK(no_children());
    return CHECK_DONE();
}
