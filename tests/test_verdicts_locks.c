/* The locks group's judges (C7-C10) on results folders written here, through every outcome
 * each rule can give, and the python group's addendum to their rows. C7, C8 and C9 are checked
 * facts with a negative control, decided by the checks themselves: a ratio never decides them,
 * so they have no "too close to call"; C10 is decided by which implementations woke every
 * waiter. Each scenario writes meta.json, locks.csv (and python.csv) and reads the verdict back
 * through the record's reader and the claim's judge. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "results_fixture.h"

static char dir[64];
static struct rf_out out;

#define LK(...) rf_fig(&out, &(struct rf_fig){.group = "locks", __VA_ARGS__})
#define PY(...) rf_fig(&out, &(struct rf_fig){.group = "python", __VA_ARGS__})
#define HAS(field, text)                                                                           \
    CHECK_MSG(strstr(v.field, text) != NULL, "no \"%s\" in " #field ": %s", text, v.field)
#define HASNT(field, text)                                                                         \
    CHECK_MSG(strstr(v.field, text) == NULL, "\"%s\" in " #field ": %s", text, v.field)

static void begin(void)
{
    CHECK(rf_start(dir, "\"topology\": {\"cores\": 2}") == 0);
    CHECK(rf_group(dir, "locks", &out) == 0);
}

/* ---- C7: no lost update under contention, shown able to fail by the no-lock control ---- */

struct c7 {
    const char *proc2_status; /* the processes' 2-worker figure: "ok", "failed", "timeout" */
    double control_max;       /* the no-lock control's most lost updates per million; <0: none */
    int contended;            /* 0: only the uncontended figure ran */
    int n;                    /* samples of the 1 and 2 thread mutex figures */
};

static enum tvp_verdict_kind c7(const struct c7 *s, struct tvp_verdict *vp)
{
    begin();
    LK(.bench = "uncontended", .variant = "mutex", .model = "thread", .placement = "same-pu",
       .metric = "lock+unlock", .median = 20);
    if (s->contended) {
        for (int w = 1; w <= 2; w++)
            LK(.bench = "contended-0ns", .variant = "mutex", .model = "thread",
               .placement = "spread", .param = "workers", .pv = w, .metric = "per-op",
               .median = 50.0 * w, .n = s->n);
        LK(.bench = "contended-0ns", .variant = "mutex", .model = "process", .placement = "spread",
           .param = "workers", .pv = 2, .metric = "per-op", .median = 120,
           .status = s->proc2_status, .note = "planted");
    }
    if (s->control_max >= 0)
        LK(.bench = "contended-0ns", .variant = "no-lock-control", .model = "thread",
           .placement = "spread", .param = "workers", .pv = 2, .metric = "lost-updates",
           .unit = "ppm", .median = s->control_max / 2, .min = 0, .max = s->control_max);
    rf_close(&out);
    return rf_judge(dir, "C7", vp);
}

static void c7_cases(void)
{
    struct tvp_verdict v;
    struct c7 s = {"ok", 3000, 1, 15};
    CHECK_INT(c7(&s, &v), TVP_V_CONFIRMED);
    HAS(summary, "no lost update in 2 checked figures");
    HAS(summary, "lost updates in 1 of 1 control figures");
    HAS(figures, "mutual-exclusion checks passed: 2 figures with 2 workers or more, failed: 0");
    HAS(figures, "no-lock control, lost updates per million increments (median of the batches): "
                 "0ns thread 2: 1.5e+03 ppm (max 3e+03)");
    HAS(figures, "ns per acquisition 2 vs 1: 2× [");
    HAS(figures, "an idle second thread alive: mutex 20 ns");

    s.proc2_status = "failed"; /* its non-atomic counter lost an update under the lock */
    CHECK_INT(c7(&s, &v), TVP_V_REFUTED);
    HAS(summary, "failed for 1 figure (contended-0ns mutex process workers=2)");

    s.proc2_status = "timeout";
    CHECK_INT(c7(&s, &v), TVP_V_NUANCED);
    HAS(summary, "no lost update in 1 checked figures, but 1 case ended unchecked "
                 "(contended-0ns mutex process (timeout))");

    s.proc2_status = "ok", s.control_max = 0; /* the control lost nothing: check not shown */
    CHECK_INT(c7(&s, &v), TVP_V_NUANCED);
    HAS(summary, "the same loop with no lock lost none either");
    s.control_max = -1;
    CHECK_INT(c7(&s, &v), TVP_V_NUANCED);
    HAS(summary, "the no-lock control did not run");
    HAS(figures, "no-lock control: not in this run");

    s.control_max = 3000, s.contended = 0; /* one task cannot lose an update: nothing checked */
    CHECK_INT(c7(&s, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "no contended lock figure with 2 workers or more passed its check");
    /* The locks group did not run at all. */
    CHECK(rf_start(dir, "") == 0);
    CHECK_INT(rf_judge(dir, "C7", &v), TVP_V_NOT_MEASURED);
    HAS(summary, "the locks group did not run");
}

/* ---- C8: the holder re-takes a recursive mutex; an error-checking one refuses it ---- */

/* recursion: 0 leaves the recursion figures out; 1 writes them with 15 samples, more than 1
 * with that many. */
static enum tvp_verdict_kind c8(const char *thread_status, int recursion, struct tvp_verdict *vp)
{
    int rn = recursion > 1 ? recursion : 0;
    begin();
    static const char *const models[] = {"thread", "process"};
    for (int m = 0; m < 2; m++)
        for (int k = 0; k < 2; k++)
            LK(.bench = "self-deadlock", .variant = "errorcheck", .model = models[m],
               .placement = "same-pu", .metric = k ? "rlock-held" : "edeadlk", .unit = "bool",
               .median = 1, .status = m ? "ok" : thread_status,
               .note = "self-deadlock: errorcheck mutex locked again by its holder returned 0");
    if (recursion) {
        LK(.bench = "recursion", .variant = "mutex", .model = "thread", .placement = "same-pu",
           .param = "depth", .pv = 1, .metric = "per-level", .median = 20, .n = rn);
        LK(.bench = "recursion", .variant = "recursive", .model = "thread", .placement = "same-pu",
           .param = "depth", .pv = 1, .metric = "per-level", .median = 30, .n = rn);
        LK(.bench = "recursion", .variant = "recursive", .model = "thread", .placement = "same-pu",
           .param = "depth", .pv = 8, .metric = "per-level", .median = 10, .n = rn);
    }
    rf_close(&out);
    return rf_judge(dir, "C8", vp);
}

static void c8_cases(void)
{
    struct tvp_verdict v;
    /* Decided by its checks: 3 samples of the recursion costs shown beside it do not hold the
     * verdict back as too few. */
    CHECK_INT(c8("ok", 3, &v), TVP_V_CONFIRMED);
    CHECK_INT(c8("ok", 1, &v), TVP_V_CONFIRMED);
    HAS(summary, "refused its holder with EDEADLK");
    HAS(summary, "a nesting level costs 1.5× [");
    HAS(summary, "a plain lock+unlock at depth 1 and 0.5× [");
    HAS(figures, "self-deadlock facts held: 4 figures, failed: 0");
    HAS(figures, "plain mutex lock+unlock 20 ns; recursive mutex per nesting level at depth 1 "
                 "30 ns (1.5× [");

    CHECK_INT(c8("failed", 1, &v), TVP_V_REFUTED);
    HAS(summary, "a self-deadlock fact failed its check (2 figures)");
    HAS(figures, "held: 2 figures, failed: 2");

    CHECK_INT(c8("ok", 0, &v), TVP_V_NOT_MEASURED); /* facts held, no recursion figures */
    HAS(summary, "the self-deadlock facts or the recursion figures are missing");
    CHECK_INT(c8("timeout", 0, &v), TVP_V_NOT_MEASURED);
}

/* ---- C9: the cap of 5 holds, is reached, and is shown to be what held them ---- */

struct c9 {
    double thread_min;       /* the thread figure's fewest holders over its batches (5: at cap) */
    const char *proc_status; /* the process figure's status; NULL: not in the run */
    const char *proc_note;
    const char *thread_status; /* the thread figure's */
    const char *over_status;   /* the process over-release check's */
    double control_max;        /* the no-cap control's most holders; 0: no control */
};

static enum tvp_verdict_kind c9(const struct c9 *s, struct tvp_verdict *vp)
{
    begin();
    /* A timed-out case first, where a reader stopping at the first non-ok figure looks. */
    LK(.bench = "semaphore-cap", .variant = "thread-permits5", .model = "thread",
       .placement = "spread", .param = "workers", .pv = 8, .metric = "max-holders", .unit = "tasks",
       .median = 5, .min = s->thread_min, .max = 5, .status = s->thread_status,
       .note = "timed out after 60 s");
    LK(.bench = "semaphore-cap", .variant = "thread-permits5", .model = "thread",
       .placement = "spread", .param = "workers", .pv = 8, .metric = "per-op", .median = 500,
       .status = s->thread_status);
    if (s->proc_status)
        LK(.bench = "semaphore-cap", .variant = "process-permits5", .model = "process",
           .placement = "spread", .param = "workers", .pv = 8, .metric = "max-holders",
           .unit = "tasks", .median = 5, .min = 5, .max = 5, .status = s->proc_status,
           .note = s->proc_note);
    if (s->control_max > 0)
        LK(.bench = "semaphore-cap", .variant = "thread-no-cap-control", .model = "thread",
           .placement = "spread", .param = "workers", .pv = 8, .metric = "max-holders",
           .unit = "tasks", .median = s->control_max, .min = 5, .max = s->control_max);
    LK(.bench = "over-release", .variant = "bounded-5", .model = "thread", .placement = "same-pu",
       .metric = "held", .unit = "bool", .median = 1);
    LK(.bench = "over-release", .variant = "bounded-5-process", .model = "process",
       .placement = "same-pu", .metric = "held", .unit = "bool", .median = 1,
       .status = s->over_status,
       .note = "over-release (same thread): the extra release returned 0 (), count 6: expected "
               "EINVAL");
    rf_close(&out);
    return rf_judge(dir, "C9", vp);
}

static void c9_cases(void)
{
    struct tvp_verdict v;
    struct c9 s = {5, "ok", "", "ok", "ok", 8};
    CHECK_INT(c9(&s, &v), TVP_V_CONFIRMED);
    HAS(summary, "exactly 5 in every batch (2 figures");
    HAS(summary, "more than 5 in 1 of 1 control figures");
    HAS(figures, "thread, 8 workers: max holders 5..5 over 15 batches, 2 Mops/s");
    HAS(figures, "no-cap control, thread, 8 workers: max holders 5..8");
    HAS(figures, "over-release refused with EINVAL");

    s.thread_min = 4; /* never above 5, but some batch had only 4 in at once */
    CHECK_INT(c9(&s, &v), TVP_V_NUANCED);
    HAS(summary, "not every batch reached 5 simultaneous holders");
    HAS(figures, "max holders 4..5");
    s.thread_min = 5;

    s.control_max = 5; /* the load alone never had more than 5 in: the cap is not shown */
    CHECK_INT(c9(&s, &v), TVP_V_NUANCED);
    HAS(summary, "the same load with no semaphore never had more than 5 holders either");
    s.control_max = 0;
    CHECK_INT(c9(&s, &v), TVP_V_NUANCED);
    HAS(summary, "the no-cap control did not run");
    s.control_max = 8;

    s.over_status = "failed";
    CHECK_INT(c9(&s, &v), TVP_V_REFUTED);
    HAS(summary, "a release beyond the cap was accepted");
    HAS(figures, "count 6: expected EINVAL");
    s.over_status = "ok";

    s.proc_status = "failed", s.proc_note = "semaphore-cap: 6 simultaneous holders observed with a "
                                            "cap of 5 permits (cap exceeded)";
    CHECK_INT(c9(&s, &v), TVP_V_REFUTED);
    HAS(summary, "more holders than permits were observed");
    HAS(figures, "6 simultaneous holders observed");
    /* The same breach beside another case that timed out: the timeout must not hide it. */
    s.thread_status = "timeout";
    CHECK_INT(c9(&s, &v), TVP_V_REFUTED);
    HAS(summary, "more holders than permits were observed");
    s.thread_status = "ok";

    s.proc_status = NULL; /* processes did not run: half the claim unmeasured */
    CHECK_INT(c9(&s, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "no successful semaphore-cap figures for threads and processes");
}

/* ---- C10: set() wakes every waiter, per implementation ---- */

static const char *const impls[] = {"condvar", "futex", "eventfd"};

/* Every implementation x model x placement x waiters, set-to-last-wake; status_of(impl index,
 * model index, 2 for the futex sleep-settle variant) gives each one's status, NULL leaving it
 * out. */
static enum tvp_verdict_kind c10(const char *(*status_of)(int, int), struct tvp_verdict *vp)
{
    begin();
    static const char *const models[] = {"thread", "process"};
    static const char *const pls[] = {"same-pu", "same-cache"};
    for (int im = 0; im < 3; im++)
        for (int m = 0; m < 2; m++)
            for (int p = 0; p < 2; p++)
                for (int w = 1; w <= 4; w += 3) {
                    const char *st = status_of(im, m);
                    if (!st)
                        continue;
                    char variant[40];
                    snprintf(variant, sizeof variant, "%s-%s", impls[im], models[m]);
                    LK(.bench = "event-wake", .variant = variant, .model = models[m],
                       .placement = pls[p], .param = "waiters", .pv = w,
                       .metric = "set-to-last-wake",
                       .median = (10000.0 + 1000.0 * im + 5000.0 * p) * w, .status = st);
                }
    /* The old settle beside it, reported only (model index 2 in status_of). */
    if (status_of(1, 2))
        LK(.bench = "event-wake", .variant = "futex-thread-sleep-settle", .model = "thread",
           .placement = "same-pu", .param = "waiters", .pv = 1, .metric = "set-to-last-wake",
           .median = 40000, .status = status_of(1, 2));
    /* Another benchmark's figure, so the locks group ran even where event-wake did not. */
    LK(.bench = "uncontended", .variant = "mutex", .model = "thread", .placement = "same-pu",
       .metric = "lock+unlock", .median = 20);
    rf_close(&out);
    return rf_judge(dir, "C10", vp);
}

static const char *all_ok(int im, int m)
{
    (void)im, (void)m;
    return "ok";
}
static const char *eventfd_process_failed(int im, int m)
{
    return im == 2 && m == 1 ? "failed" : "ok";
}
static const char *no_eventfd(int im, int m)
{
    (void)m;
    return im == 2 ? NULL : "ok";
}
static const char *all_timed_out(int im, int m)
{
    (void)im, (void)m;
    return "timeout";
}
static const char *futex_crashed(int im, int m)
{
    (void)m;
    return im == 1 ? "crashed" : "ok";
}
static const char *futex_settle_only(int im, int m)
{
    return im == 1 && m < 2 ? "timeout" : "ok";
}
static const char *none(int im, int m)
{
    (void)im, (void)m;
    return NULL;
}

static void c10_cases(void)
{
    struct tvp_verdict v;
    CHECK_INT(c10(all_ok, &v), TVP_V_CONFIRMED);
    HAS(summary, "fastest wake-up of one thread on one PU: condvar (10 µs), 15 µs on the "
                 "same-cache pair");
    HAS(figures, "futex: thread same-pu 11 µs / 44 µs");
    HAS(rule, "not measured when none has one and none failed");
    HAS(rule, "is shown beside it"); /* the rule fits its buffer whole */
    HAS(figures, "futex, thread same-pu, 1 waiter, setter that slept before set(): 40 µs "
                 "(running setter: 11 µs)");

    CHECK_INT(c10(eventfd_process_failed, &v), TVP_V_NUANCED);
    HAS(summary, "except with: eventfd");
    HASNT(summary, "no figures for");
    CHECK_INT(c10(no_eventfd, &v), TVP_V_NUANCED);
    HAS(summary, "(none failed); no figures for: eventfd");
    /* A crash is not a failed check: the futex Event is unchecked, not said to miss a waiter. */
    CHECK_INT(c10(futex_crashed, &v), TVP_V_NUANCED);
    HAS(summary, "(none failed); no figures for: futex");

    /* The sleep-settle variant is shown beside the futex Event, not counted as its figure. */
    CHECK_INT(c10(futex_settle_only, &v), TVP_V_NUANCED);
    HAS(summary, "(none failed); no figures for: futex");
    /* Every case timed out: nothing was checked, so nothing can be said. */
    CHECK_INT(c10(all_timed_out, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "no successful event-wake figure");
    CHECK_INT(c10(none, &v), TVP_V_NOT_MEASURED);
    HAS(summary, "the event-wake benchmark did not run");
}

/* ---- the python group's figures beside C7-C10 ---- */

static void python_cases(void)
{
    struct tvp_verdict v;
    struct c7 s7 = {"ok", 3000, 1, 15};
    CHECK_INT(c7(&s7, &v), TVP_V_CONFIRMED);
    HAS(figures, "Python: not measured (the python group did not run)");

    CHECK(rf_start(dir, "\"topology\": {\"cores\": 2},\n  \"environment\": {\"python_facts\": "
                        "\"CPython 3.11.7 (main)\"}") == 0);
    CHECK(rf_group(dir, "locks", &out) == 0);
    LK(.bench = "uncontended", .variant = "mutex", .model = "thread", .placement = "same-pu",
       .metric = "lock+unlock", .median = 20);
    LK(.bench = "uncontended", .variant = "recursive", .model = "thread", .placement = "same-pu",
       .metric = "lock+unlock", .median = 25);
    LK(.bench = "uncontended", .variant = "posix-sem", .model = "thread", .placement = "same-pu",
       .metric = "lock+unlock", .median = 30);
    for (int w = 1; w <= 2; w++) /* the C side stops at 2 workers, Python goes on to 4 */
        LK(.bench = "contended-0ns", .variant = "mutex", .model = "thread", .placement = "spread",
           .param = "workers", .pv = w, .metric = "per-op", .median = 50.0 * w);
    LK(.bench = "recursion", .variant = "recursive", .model = "thread", .placement = "same-pu",
       .param = "depth", .pv = 4, .metric = "per-level", .median = 12);
    rf_close(&out);
    CHECK(rf_group(dir, "python", &out) == 0);
    static const char *const kinds[] = {"Lock", "RLock", "BoundedSemaphore"};
    for (int k = 0; k < 3; k++)
        PY(.bench = "lock-uncontended", .variant = kinds[k], .model = "thread",
           .placement = "same-pu", .metric = "acquire+release", .median = 80.0 + 20 * k);
    for (int w = 2; w <= 4; w += 2)
        PY(.bench = "lock-contended", .variant = "Lock", .model = "thread", .placement = "spread",
           .param = "workers", .pv = w, .metric = "per-op", .median = 500.0 * w);
    PY(.bench = "rlock-nesting", .variant = "RLock", .model = "thread", .placement = "same-pu",
       .param = "depth", .pv = 4, .metric = "per-level", .median = 60);
    PY(.bench = "self-deadlock", .variant = "Lock", .model = "thread", .placement = "same-pu",
       .metric = "refused", .unit = "bool", .median = 1);
    PY(.bench = "semaphore-cap", .variant = "BoundedSemaphore", .model = "thread",
       .placement = "spread", .param = "workers", .pv = 8, .metric = "max-holders", .unit = "tasks",
       .median = 5, .min = 5, .max = 5);
    PY(.bench = "over-release", .variant = "BoundedSemaphore", .model = "thread",
       .placement = "same-pu", .metric = "refused", .unit = "bool", .median = 1);
    rf_close(&out);

    rf_judge(dir, "C7", &v);
    HAS(figures, "Python (CPython 3.11.7): Python Lock acquire+release 80 ns vs C mutex "
                 "lock+unlock 20 ns, same-pu: Python/C 4× [");
    /* The largest worker count both sides have, not Python's largest. */
    HAS(figures, "Python Lock per-op 1 µs (workers 2) vs C mutex per-op 100 ns (workers 2), "
                 "spread: Python/C 10× [");
    rf_judge(dir, "C8", &v);
    HAS(figures, "Python RLock acquire+release 100 ns vs C recursive lock+unlock 25 ns, same-pu: "
                 "Python/C 4× [");
    HAS(figures, "Python RLock per-level 60 ns (depth 4) vs C recursive per-level 12 ns (depth "
                 "4), same-pu: Python/C 5× [");
    HAS(figures, "Python RLock acquire+release 100 ns vs Python Lock acquire+release 80 ns, "
                 "same-pu: ratio 1.25× [");
    HAS(figures, "a held Lock re-acquired by its holder was refused in every check");
    rf_judge(dir, "C9", &v);
    HAS(figures, "Python BoundedSemaphore acquire+release 120 ns vs C posix-sem lock+unlock 30 "
                 "ns, same-pu: Python/C 4× [");
    HAS(figures, "BoundedSemaphore(5) shared by 8 threads: at most 5 holders seen");
    HAS(figures, "over-release raised ValueError in every check");
    /* The Python figures are beside the verdict, never in it: C9's figures are still missing. */
    CHECK_INT(v.kind, TVP_V_NOT_MEASURED);
    rf_judge(dir, "C10", &v);
    HAS(figures, "Python (CPython 3.11.7): no Python figure for this claim finished ok");
}

int main(void)
{
    CHECK(rf_mkdir(dir, sizeof dir, "locks-verdicts") == 0);
    c7_cases();
    c8_cases();
    c9_cases();
    c10_cases();
    python_cases();
    CHECK_INT(rf_rmdir(dir), 0);
    return CHECK_DONE();
}
