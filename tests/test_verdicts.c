/* Verdicts are computed, not typed in: the same judge gives confirmed, refuted or too close to
 * call depending only on the figures in a results folder. Each scenario writes a small folder
 * (meta.json, spawn.csv, spawn.samples.csv) and reads the verdict back. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results_fixture.h"

static char dir[64];

/* One figure with n samples spread +-1% around median (so its CI is tight). */
static void figure(FILE *csv, FILE *smp, const char *bench, const char *variant,
                   const char *placement, const char *param, long long pv, const char *metric,
                   double median)
{
    const int n = 15;
    char pvs[32] = "";
    if (param[0])
        snprintf(pvs, sizeof pvs, "%lld", pv);
    fprintf(csv, "spawn,%s,%s,thread,%s,0,%s,%s,%s,ns,%d,%g,%g,%g,ok,\n", bench, variant, placement,
            param, pvs, metric, n, median, median * 0.99, median * 1.01);
    char id[256];
    int len = snprintf(id, sizeof id, "spawn/%s/%s/thread/%s", bench, variant, placement);
    if (param[0])
        len += snprintf(id + len, sizeof id - (size_t)len, "/%s:%lld", param, pv);
    snprintf(id + len, sizeof id - (size_t)len, "/%s", metric);
    for (int i = 0; i < n; i++)
        fprintf(smp, "%s,%d,%g\n", id, i, median * (0.99 + 0.02 * i / (n - 1)));
}

/* Daemon and joinable exit times (ns) for a worker with 50 ms left; 0 leaves them out. */
static double exit_daemon_ns, exit_joinable_ns;
static long long exit_work_ms = 50;

static void write_run(double thread_ns, double fork_ns, double spawn_ns, double exec_ns)
{
    FILE *csv, *smp;
    CHECK(rf_meta(dir, "") == 0);
    if (rf_open(dir, "spawn", RF_COLUMNS, &csv, &smp) != 0)
        return;
    figure(csv, smp, "start", "pthread_create", "same-pu", "", 0, "start-to-joined", thread_ns);
    figure(csv, smp, "start", "fork", "same-pu", "", 0, "start-to-joined", fork_ns);
    figure(csv, smp, "start", "posix_spawn", "same-pu", "", 0, "start-to-joined", spawn_ns);
    figure(csv, smp, "start", "fork-exec", "same-pu", "", 0, "start-to-joined", exec_ns);
    if (exit_daemon_ns > 0) {
        figure(csv, smp, "exit", "daemon", "same-pu", "work_ms", exit_work_ms, "start-to-exit",
               exit_daemon_ns);
        figure(csv, smp, "exit", "joinable", "same-pu", "work_ms", exit_work_ms, "start-to-exit",
               exit_joinable_ns);
    }
    fclose(csv);
    fclose(smp);
}

static enum tvp_verdict_kind judge(const char *id, struct tvp_verdict *v)
{
    return rf_judge(dir, id, v);
}

/* ---- C6: one rule, decided by CPython where it ran ---- */

/* Any figure with samples +-1% around median. */
static void any_figure(FILE *csv, FILE *smp, const char *group, const char *bench,
                       const char *variant, const char *model, const char *placement,
                       const char *param, long long pv, const char *metric, const char *unit,
                       double median)
{
    const int n = 15;
    fprintf(csv, "%s,%s,%s,%s,%s,0,%s,%lld,%s,%s,%d,%g,%g,%g,%g,ok,\n", group, bench, variant,
            model, placement, param, pv, metric, unit, n, median, median * 0.99, median * 1.01,
            median);
    for (int i = 0; i < n; i++)
        fprintf(smp, "%s/%s/%s/%s/%s/%s:%lld/%s,%d,%g\n", group, bench, variant, model, placement,
                param, pv, metric, i, median * (0.99 + 0.02 * i / (n - 1)));
}

/* A scaling figure: per-job ns at `workers`, samples +-1% (group sched or python). */
static void scaling_figure(FILE *csv, FILE *smp, const char *group, const char *variant,
                           long long workers, double median)
{
    any_figure(csv, smp, group, "scaling", variant,
               strstr(variant, "process") ? "process" : "thread", "spread", "workers", workers,
               "per-job", "ns", median);
}

/* Opens dir/<group>.csv (with the mean column) and its samples file. */
static void open_group(const char *group, FILE **csv, FILE **smp)
{
    CHECK(rf_open(dir, group,
                  "group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,"
                  "median,ci_low,ci_high,mean,status,note",
                  csv, smp) == 0);
}

/* A 2-PU run with the given speed-ups at 2 workers (per-job at 1 worker = 1 s; 0: left out).
 * c_gil1: the emulated GIL's one-worker per-job relative to a free thread's. Python speed-ups
 * all 0: the python group did not run (meta.json says python3 was not found). */
static void write_c6(double c_threads, double c_processes, double c_gil, double c_gil1,
                     double py_threads, double py_processes, double py_free)
{
    char path[128];
    snprintf(path, sizeof path, "rm -f '%s'/*.csv", dir);
    if (system(path) != 0)
        fprintf(stderr, "could not empty %s\n", dir);
    int python = py_threads > 0 || py_processes > 0;
    CHECK(rf_meta(dir,
                  python ? "\"topology\": {\"cores\": 2},\n  \"environment\": {\"python_facts\": "
                           "\"CPython 3.11.7 (main), GIL enabled\"}"
                         : "\"topology\": {\"cores\": 2},\n  \"environment\": {\"python_missing\": "
                           "\"python3 not found on PATH\"}") == 0);
    FILE *csv, *smp;
    open_group("sched", &csv, &smp);
    const struct {
        const char *mode;
        double speedup, one;
    } c[] = {{"threads", c_threads, 1e9},
             {"processes", c_processes, 1e9},
             {"gil-threads", c_gil, 1e9 * c_gil1}};
    for (int i = 0; i < 3; i++)
        if (c[i].speedup > 0) {
            scaling_figure(csv, smp, "sched", c[i].mode, 1, c[i].one);
            scaling_figure(csv, smp, "sched", c[i].mode, 2, c[i].one / c[i].speedup);
        }
    fclose(csv);
    fclose(smp);
    if (!python)
        return;
    open_group("python", &csv, &smp);
    const struct {
        const char *mode;
        double speedup;
    } py[] = {{"threads", py_threads}, {"processes", py_processes}, {"threads-free", py_free}};
    for (int i = 0; i < 3; i++)
        if (py[i].speedup > 0) {
            scaling_figure(csv, smp, "python", py[i].mode, 1, 1e9);
            scaling_figure(csv, smp, "python", py[i].mode, 2, 1e9 / py[i].speedup);
        }
    fclose(csv);
    fclose(smp);
}

/* Adds a figure to the python group's 2-worker scaling case of variant: per-job-1 (the 1-worker
 * job timed beside each 2-worker one) or worker-cpu (the CPU its workers ran), sample by sample
 * in step with the case's per-job. */
static void add_python_figure(const char *variant, const char *metric, double median)
{
    char path[256];
    snprintf(path, sizeof path, "%s/python.csv", dir);
    FILE *csv = fopen(path, "a");
    snprintf(path, sizeof path, "%s/python.samples.csv", dir);
    FILE *smp = fopen(path, "a");
    CHECK(csv && smp);
    if (!csv || !smp)
        exit(2);
    any_figure(csv, smp, "python", "scaling", variant,
               strstr(variant, "process") ? "process" : "thread", "spread", "workers", 2, metric,
               "ns", median);
    fclose(csv);
    fclose(smp);
}

#define HAS(field, text)   CHECK_MSG(strstr(v.field, text) != NULL, #field ": %s", v.field)
#define HASNT(field, text) CHECK_MSG(strstr(v.field, text) == NULL, #field ": %s", v.field)

static void c6_cases(void)
{
    struct tvp_verdict v;
    /* Both agree with the claim: CPython decides, the emulation explains. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 1.84, 0);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HAS(summary, "in Python itself (CPython 3.11.7)");
    HAS(summary, "threads 0.92×");
    HAS(figures, "Python (CPython 3.11.7): threads 2 workers: 0.92×");
    HAS(summary, "Pool 1.84×");
    HAS(summary, "C emulation of the GIL confirms the claim");
    HAS(rule, "1.25×");
    HASNT(figures, "in Python itself"); /* no second rule in the addendum */
    HASNT(figures, "(its polling)");    /* the GIL's one worker costs nothing here */

    /* CPython refutes it, and so does the emulation (processes did not speed up either). */
    write_c6(1.0, 1.0, 0.98, 1.0, 0.95, 1.02, 0);
    CHECK_INT(judge("C6", &v), TVP_V_REFUTED);
    HAS(summary, "Pool 1.02×");
    HAS(summary, "did not speed up");

    /* CPython's Pool CI contains 1.25: too close, whatever the emulation says. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.95, 1.25, 0);
    CHECK_INT(judge("C6", &v), TVP_V_TOO_CLOSE);
    HAS(summary, "Pool 1.25×");
    HAS(summary, "undecided");

    /* CPython refutes (Pool did not speed up), the emulation confirms: nuanced, both named. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 1.0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_NUANCED);
    HAS(summary, "disagree");
    HAS(summary, "Pool 1×");
    HAS(summary, "GIL threads 0.98×");
    HAS(summary, "processes 1.9×");

    /* No python: the C figures decide and the verdict says CPython was not measured, why. */
    write_c6(1.9, 1.9, 0.98, 1.3, 0, 0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HAS(summary, "C emulation alone");
    HAS(summary, "CPython was not measured (python3 not found on PATH)");
    HAS(figures, "costs 1.3×"); /* its one worker is 30% slower: the polling shows */
    write_c6(1.9, 1.0, 0.98, 1.0, 0, 0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_REFUTED);

    /* A speed-up wholly above N = 2 workers is outside load between the two cases, not a
     * speed-up: it decides nothing (it would otherwise refute the claim). */
    write_c6(1.9, 1.9, 0.98, 1.0, 2.6, 1.84, 0);
    CHECK_INT(judge("C6", &v), TVP_V_TOO_CLOSE);
    HAS(summary, "threads 2.6×");
    HAS(summary, "wholly above 1.1 × the ideal N×");
    /* The rule fits its buffer whole. */
    CHECK_MSG(strlen(v.rule) < sizeof v.rule - 1 && strstr(v.rule, "I/O mix are reported"),
              "rule: %s", v.rule);

    /* A little above N (N cores' own caches) is no disturbance: C processes at 2.06x on 2 PUs
     * still let the emulation confirm. */
    write_c6(1.9, 2.06, 0.98, 1.0, 0, 0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HASNT(summary, "disturbed");
    /* One impossible speed-up disturbs its group's figures: C processes at 3x on 2 PUs leave
     * the emulation's 'GIL threads sped up 1.87x' undecided instead of refuting the claim. */
    write_c6(1.9, 3.0, 1.87, 1.0, 0, 0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_TOO_CLOSE);
    HAS(summary, "disturbed: C processes 3×");
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 2.6, 0);
    CHECK_INT(judge("C6", &v), TVP_V_TOO_CLOSE);
    HAS(summary, "disturbed: Python Pool 2.6×");
    write_c6(1.9, 1.9, 2.5, 1.0, 0.92, 1.84, 0); /* C disturbed, CPython decides */
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HAS(summary, "the C emulation of the GIL is undecided");
    HAS(summary, "disturbed: C GIL threads 2.5×");

    /* No sched figures: its judge does not run, the python group still shows its figures,
     * unjudged, so the row never loses them. */
    write_c6(0, 0, 0, 1.0, 0.92, 1.84, 0);
    CHECK_INT(judge("C6", &v), TVP_V_NOT_MEASURED);
    HAS(figures, "threads speed-up at 2 workers 0.92×");
    HAS(figures, "not judged: C6's judge (the sched group's) did not run");

    /* Where the 2-worker case timed the 1-worker job beside each of its jobs, that pairing
     * decides: the separate 1-worker case's Pool ratio of 1x (machine drift between the cases)
     * gives way to the paired 1.9x, and the verdict turns from nuanced to confirmed. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 1.0, 0);
    CHECK_INT(judge("C6", &v), TVP_V_NUANCED);
    add_python_figure("processes", "per-job-1", 1e9 * 1.9);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HAS(summary, "Pool 1.9× [1.9, 1.9]");
    /* The Pool's two workers ran 1.8 PUs' worth of its jobs' wall time: free PUs, no change. */
    add_python_figure("processes", "worker-cpu", 1e9 * 1.8);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    /* Only 1.2 of the 2 (other load took the PUs): the speed-up says nothing of CPython. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 1.0, 0);
    add_python_figure("processes", "per-job-1", 1e9 * 1.9);
    add_python_figure("processes", "worker-cpu", 1e9 * 1.2);
    CHECK_INT(judge("C6", &v), TVP_V_TOO_CLOSE);
    HAS(summary, "disturbed: the Pool's N-worker jobs ran 1.2 PUs' worth");

    /* A free-threaded build is its own line; it does not change the GIL build's verdict. */
    write_c6(1.9, 1.9, 0.98, 1.0, 0.92, 1.84, 1.9);
    CHECK_INT(judge("C6", &v), TVP_V_CONFIRMED);
    HAS(summary, "free-threaded build: threads 1.9×");
}

/* ---- the python group's addenda: C10's lookups, C5 in CPython ---- */

/* Python's event-wake figures as the python group writes them (both metrics at 1 and 4
 * waiters); with_locks: the locks group's as it writes them (set-to-first-wake only at 4). */
static void write_c10(int with_locks)
{
    char path[128];
    snprintf(path, sizeof path, "rm -f '%s'/*.csv", dir);
    if (system(path) != 0)
        fprintf(stderr, "could not empty %s\n", dir);
    CHECK(rf_meta(dir, "\"topology\": {\"cores\": 2},\n  \"environment\": {\"python_facts\": "
                       "\"CPython 3.11.7 (main)\"}") == 0);
    FILE *csv, *smp;
    open_group("python", &csv, &smp);
    for (int w = 1; w <= 4; w += 3) {
        any_figure(csv, smp, "python", "event-wake", "threading.Event", "thread", "same-cache",
                   "waiters", w, "set-to-first-wake", "ns", 40000);
        any_figure(csv, smp, "python", "event-wake", "threading.Event", "thread", "same-cache",
                   "waiters", w, "set-to-last-wake", "ns", 40000 * w);
        any_figure(csv, smp, "python", "event-wake", "multiprocessing.Event", "process",
                   "same-cache", "waiters", w, "set-to-last-wake", "ns", 90000 * w);
    }
    fclose(csv);
    fclose(smp);
    if (!with_locks)
        return;
    open_group("locks", &csv, &smp);
    for (int w = 1; w <= 4; w += 3) {
        any_figure(csv, smp, "locks", "event-wake", "condvar-thread", "thread", "same-cache",
                   "waiters", w, "set-to-last-wake", "ns", 20000 * w);
        any_figure(csv, smp, "locks", "event-wake", "condvar-process", "process", "same-cache",
                   "waiters", w, "set-to-last-wake", "ns", 30000 * w);
        if (w > 1)
            any_figure(csv, smp, "locks", "event-wake", "condvar-thread", "thread", "same-cache",
                       "waiters", w, "set-to-first-wake", "ns", 20000);
    }
    fclose(csv);
    fclose(smp);
}

static void c10_cases(void)
{
    struct tvp_verdict v;
    write_c10(1);
    judge("C10", &v);
    /* Every Python/C pair found its C figure: 1 waiter compares last wake-up to last. */
    HAS(figures, "Python threading.Event set-to-last-wake 40 µs (waiters 1) vs C condvar-thread "
                 "set-to-last-wake 20 µs (waiters 1), same-cache: Python/C 2×");
    HAS(figures, "Python multiprocessing.Event set-to-last-wake 90 µs (waiters 1) vs C "
                 "condvar-process set-to-last-wake 30 µs (waiters 1), same-cache: Python/C 3×");
    HAS(figures, "set-to-first-wake 20 µs (waiters 4), same-cache: Python/C 2×");
    HASNT(figures, "counterpart");
    write_c10(0);
    judge("C10", &v);
    /* Without the locks group every pair says its C figure is missing, none vanishes. */
    HAS(figures, "Python threading.Event set-to-last-wake 40 µs (waiters 1), same-cache: no C "
                 "counterpart in this run (locks event-wake condvar-thread set-to-last-wake at "
                 "1: the locks group did not run)");
    HAS(figures, "multiprocessing.Event set-to-last-wake 90 µs (waiters 1), same-cache: no C "
                 "counterpart");
}

/* Python's exit figures (ms): non-daemon and daemon main-to-exit, 20 ms of work. */
static void write_c5_python(double nondaemon_ms, double daemon_ms)
{
    char path[128];
    snprintf(path, sizeof path, "rm -f '%s'/*.csv", dir);
    if (system(path) != 0)
        fprintf(stderr, "could not empty %s\n", dir);
    write_run(20000, 200000, 600000, 800000); /* spawn.csv: C3, and C5's C figures if set */
    FILE *csv, *smp;
    open_group("python", &csv, &smp);
    const struct {
        const char *variant;
        double ms, done;
    } x[] = {{"non-daemon", nondaemon_ms, 1}, {"daemon", daemon_ms, 0.01}, {"no-thread", 2, 0}};
    for (int i = 0; i < 3; i++) {
        any_figure(csv, smp, "python", "exit", x[i].variant, "thread", "same-pu", "work_ms", 20,
                   "main-to-exit", "ns", x[i].ms * 1e6);
        any_figure(csv, smp, "python", "exit", x[i].variant, "thread", "same-pu", "work_ms", 20,
                   "start-to-exit", "ns", (x[i].ms + 30) * 1e6);
        any_figure(csv, smp, "python", "exit", x[i].variant, "thread", "same-pu", "work_ms", 20,
                   "work-done", "fraction", x[i].done);
    }
    fclose(csv);
    fclose(smp);
}

static void c5_cases(void)
{
    struct tvp_verdict v;
    exit_work_ms = 20;
    exit_daemon_ns = 600e3, exit_joinable_ns = 21e6; /* C: daemon at once, joinable after 20 ms */
    write_c5_python(21.5, 3);
    CHECK_INT(judge("C5", &v), TVP_V_CONFIRMED); /* CPython and the C emulation agree */
    HAS(summary, "in CPython a non-daemon threading.Thread held");
    HAS(summary, "the C emulation: the joinable worker held");
    HAS(figures, "non-daemon 21.5 ms");
    HAS(figures, "daemon 3 ms");
    HAS(figures, "whole python3 -c program: non-daemon 51.5 ms, daemon 33 ms");
    HAS(figures, "100% of non-daemon runs");
    HAS(figures, "Python/C 1.02×");
    HAS(figures, "RuntimeError in every batch");
    HAS(figures, "no thread at all (the interpreter's own exit) 2 ms");
    /* CPython decides; where the C emulation holds and CPython does not, the two disagree. */
    write_c5_python(21.5, 21); /* the daemon thread held the exit too */
    CHECK_INT(judge("C5", &v), TVP_V_NUANCED);
    HAS(summary, "disagree");
    write_c5_python(45, 21); /* a slow interpreter exit, but 24 ms sooner: not held */
    CHECK_INT(judge("C5", &v), TVP_V_CONFIRMED);
    write_c5_python(3, 2.5); /* nothing held the exit */
    CHECK_INT(judge("C5", &v), TVP_V_NUANCED);
    write_c5_python(20, 1); /* the non-daemon CI straddles work_ms */
    CHECK_INT(judge("C5", &v), TVP_V_TOO_CLOSE);
    write_c5_python(30, 14); /* 16 ms sooner: the daemon did not wait for its work */
    CHECK_INT(judge("C5", &v), TVP_V_CONFIRMED);
    write_c5_python(30, 24); /* 6 ms sooner, less than half of work_ms even at the CIs' ends */
    CHECK_INT(judge("C5", &v), TVP_V_NUANCED);
    write_c5_python(30, 20); /* half of work_ms sooner at the medians, not with the CIs */
    CHECK_INT(judge("C5", &v), TVP_V_TOO_CLOSE);
    /* Both refute: refuted, not nuanced. */
    exit_daemon_ns = 21e6; /* the C daemon worker held the program too */
    write_c5_python(21.5, 21);
    CHECK_INT(judge("C5", &v), TVP_V_REFUTED);
    exit_daemon_ns = 600e3;
    exit_daemon_ns = exit_joinable_ns = 0;
    exit_work_ms = 50;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tvp-test-verdictXXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    struct tvp_verdict v;

    write_run(20000, 200000, 600000, 800000); /* every process start 10x+ a thread */
    CHECK_INT(judge("C3", &v), TVP_V_CONFIRMED);
    CHECK_MSG(strstr(v.figures, "fork+wait 200 µs = 10×") != NULL, "figures: %s", v.figures);
    CHECK_MSG(strstr(v.rule, "ratio of medians") != NULL, "rule: %s", v.rule);
    /* Other groups' addenda reach the row through the registry: the python group says why it
     * has no figure for C3 in a run without it. */
    CHECK_MSG(strstr(v.figures, "Python: not measured") != NULL, "figures: %s", v.figures);

    write_run(20000, 10000, 12000, 15000); /* every process start faster */
    CHECK_INT(judge("C3", &v), TVP_V_REFUTED);

    write_run(20000, 20100, 19900, 20000); /* indistinguishable */
    CHECK_INT(judge("C3", &v), TVP_V_TOO_CLOSE);

    write_run(20000, 200000, 30000, 25000); /* fork slow, the others not beyond 2x */
    CHECK_INT(judge("C3", &v), TVP_V_NUANCED);
    CHECK_MSG(strstr(v.summary, "fork") != NULL, "summary: %s", v.summary);

    /* C5 needs the exit figures; then it follows them both ways. */
    CHECK_INT(judge("C5", &v), TVP_V_NOT_MEASURED);
    exit_daemon_ns = 600e3, exit_joinable_ns = 51e6; /* daemon at once, joinable after 50 ms */
    write_run(20000, 200000, 600000, 800000);
    CHECK_INT(judge("C5", &v), TVP_V_CONFIRMED);
    exit_daemon_ns = 51e6; /* the daemon one held the program too */
    write_run(20000, 200000, 600000, 800000);
    CHECK_INT(judge("C5", &v), TVP_V_REFUTED);
    exit_daemon_ns = 600e3, exit_joinable_ns = 700e3; /* neither waited for the work */
    write_run(20000, 200000, 600000, 800000);
    CHECK_INT(judge("C5", &v), TVP_V_REFUTED);

    /* One that no group measures. */
    CHECK_INT(judge("C13", &v), TVP_V_NOT_MEASURED);
    CHECK(v.summary[0] != '\0');

    c6_cases();
    c10_cases();
    c5_cases();

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
    return CHECK_DONE();
}
