/* Validate tests of the emulated CPython GIL (primitives/tvp_gil.h).
 *
 *   mutual exclusion  4 threads at a 5 ms interval and 8 threads at 1 ms each run rounds of
 *                     "acquire; many NON-atomic increments of a shared counter (read, compiler
 *                     barrier, a little work, write), polling yield_if_requested every 8;
 *                     release": the count is exact, an atomic holders gauge never exceeds 1
 *                     (raised after every acquire or yield, lowered before every release or
 *                     yield), and some polls did yield (the drop request path ran). Under TSan
 *                     the plain counter also lets the sanitizer check the happens-before edges.
 *   progress          4 CPU-bound threads at 5 ms, run until every thread did work and the GIL
 *                     switched 15 times (a run that has not got there in 30 s fails): the
 *                     switches stay far below the work units.
 *   switch interval   2 CPU-bound threads at 1 ms and 5 ms, run until 20 holds were logged
 *                     (30 s at most); every acquisition is logged with a
 *                     timestamp (the log is protected by the GIL itself); the median time from
 *                     one switch to the next is >= 0.8 x the interval (how far above is
 *                     printed: it is speed, not a property).
 *   forced switching  in those logs, and one of 4 threads, every re-take after a yield that
 *                     returned 1 comes after an acquisition by another thread: the yielding
 *                     thread never got the GIL twice in a row while others waited. (Without
 *                     forced switching most yields fail this.) The forced_waits counter is only
 *                     printed: on a loaded machine the woken waiter often preempts the dropper
 *                     and takes the GIL before the dropper reaches its wait, so 0 is legitimate.
 *   I/O release       a thread releases, waits until a CPU-bound peer's work advances (30 s
 *                     at most), re-acquires: nobody asked for the GIL while it was released.
 *   refusals          interval 0, negative or < 1 us -> EINVAL with a message; release when not
 *                     the holder -> EPERM; acquire by the holder -> EDEADLK.
 *   no leaks          every thread joined, the same descriptors open at the end as at start.
 *
 * Counts are reached, not expected within a time: each run goes on until what it measures has
 * happened often enough, and 30 s is only the hang guard of a GIL that stopped switching. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_gil.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MS       1000000LL
#define MAXT     8
#define MAXLOG   8192
#define POLL_GAP 8     /* increments between two eval-breaker polls in the mutual exclusion test */
#define GUARD_MS 30000 /* hang guard of a run that waits for a count: a working GIL needs < 1 s */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A piece of CPU work the compiler cannot drop: a dependent chain of n multiply-adds. */
static unsigned work(unsigned x, int n)
{
    for (int i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        __asm__ volatile("" : "+r"(x));
    }
    return x;
}

static struct tvp_gil *make_gil(int64_t interval_ns)
{
    char err[256] = "";
    struct tvp_gil *g = NULL;
    int e = tvp_gil_create(&g, interval_ns, err, sizeof err);
    CHECK_MSG(e == 0 && g != NULL, "tvp_gil_create(%lld): %d: %s", (long long)interval_ns, e, err);
    return e == 0 ? g : NULL;
}

/* Runs fn(&arg[i]) on n threads and joins them all. Returns 0 when all started and joined. */
static int run_threads(int n, void *(*fn)(void *), void *args, size_t argsize)
{
    pthread_t th[MAXT];
    int started = 0;
    for (int i = 0; i < n; i++) {
        int e = pthread_create(&th[i], NULL, fn, (char *)args + (size_t)i * argsize);
        CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
        if (e != 0)
            break;
        started++;
    }
    int bad = n - started;
    for (int i = 0; i < started; i++) {
        int e = pthread_join(th[i], NULL);
        CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
        bad += e != 0;
    }
    return bad;
}

/* ---- mutual exclusion ---- */

struct mx_shared {
    struct tvp_gil *gil;
    long counter; /* plain: only the GIL protects it */
    int rounds, incs, long_incs, long_every;
    _Atomic int holders, max_holders, errors, yields;
};
struct mx_arg {
    struct mx_shared *sh;
};

static void mx_enter(struct mx_shared *sh)
{
    int h = atomic_fetch_add(&sh->holders, 1) + 1;
    int m = atomic_load(&sh->max_holders);
    while (h > m && !atomic_compare_exchange_weak(&sh->max_holders, &m, h))
        ;
}

static void mx_leave(struct mx_shared *sh)
{
    atomic_fetch_sub(&sh->holders, 1);
}

static void *mx_worker(void *p)
{
    struct mx_shared *sh = ((struct mx_arg *)p)->sh;
    unsigned x = 1;
    for (int r = 0; r < sh->rounds; r++) {
        if (tvp_gil_acquire(sh->gil) != 0) {
            atomic_fetch_add(&sh->errors, 1);
            return NULL;
        }
        mx_enter(sh);
        int incs = r % sh->long_every == sh->long_every - 1 ? sh->long_incs : sh->incs;
        for (int k = 0; k < incs; k++) {
            long v = sh->counter;
            __asm__ volatile("" ::: "memory"); /* keep the read and the write apart */
            x = work(x, 64);
            sh->counter = v + 1;
            if (k % POLL_GAP == POLL_GAP - 1) {
                mx_leave(sh);
                int y = tvp_gil_yield_if_requested(sh->gil);
                if (y < 0) {
                    atomic_fetch_add(&sh->errors, 1);
                    return NULL; /* the GIL may not be held: do not touch the counter */
                }
                if (y == 1)
                    atomic_fetch_add(&sh->yields, 1);
                mx_enter(sh);
            }
        }
        mx_leave(sh);
        if (tvp_gil_release(sh->gil) != 0) {
            atomic_fetch_add(&sh->errors, 1);
            return NULL;
        }
    }
    return NULL;
}

static void test_mutual_exclusion(int nthreads, int64_t interval_ns, int rounds)
{
    /* Short rounds (about 80 us in a Release build) release the GIL well within the interval,
     * and each release wakes a waiter, which then starts a fresh interval: no drop requests.
     * So every 8th round is long (about 2 intervals): waiters time out, ask, and the holder's
     * poll yields. */
    struct mx_shared sh = {.gil = make_gil(interval_ns),
                           .rounds = rounds,
                           .incs = 1000,
                           .long_incs = (int)(interval_ns / 40),
                           .long_every = 8};
    if (sh.gil == NULL)
        return;
    struct mx_arg args[MAXT];
    for (int i = 0; i < nthreads; i++)
        args[i].sh = &sh;
    int64_t t0 = now_ns();
    CHECK_INT(run_threads(nthreads, mx_worker, args, sizeof args[0]), 0);
    int64_t el = now_ns() - t0;
    struct tvp_gil_stats st;
    tvp_gil_stats(sh.gil, &st);
    long per_thread = 0;
    for (int r = 0; r < rounds; r++)
        per_thread += r % sh.long_every == sh.long_every - 1 ? sh.long_incs : sh.incs;
    long want = nthreads * per_thread;
    CHECK_MSG(sh.counter == want, "%d threads: counter %ld, expected %ld (lost updates)", nthreads,
              sh.counter, want);
    CHECK_MSG(atomic_load(&sh.max_holders) == 1, "%d threads: %d holders at once", nthreads,
              atomic_load(&sh.max_holders));
    CHECK_INT(atomic_load(&sh.errors), 0);
    CHECK_MSG(atomic_load(&sh.yields) > 0, "%d threads: no poll ever yielded", nthreads);
    CHECK_MSG(st.acquisitions >= (uint64_t)nthreads * rounds,
              "%d threads: %llu acquisitions, fewer than %d rounds", nthreads,
              (unsigned long long)st.acquisitions, nthreads * rounds);
    CHECK_MSG(st.switches >= (uint64_t)nthreads, "%d threads: only %llu switches", nthreads,
              (unsigned long long)st.switches);
    printf("  mutual exclusion, %d threads, %lld ms interval: %.0f ms, %llu acquisitions, "
           "%llu switches, %d yields, %llu drop requests, %llu forced waits\n",
           nthreads, (long long)(interval_ns / MS), el / 1e6, (unsigned long long)st.acquisitions,
           (unsigned long long)st.switches, atomic_load(&sh.yields),
           (unsigned long long)st.drop_requests, (unsigned long long)st.forced_waits);
    tvp_gil_destroy(sh.gil);
}

/* ---- CPU-bound workers with an acquisition log ---- */

struct log_entry {
    int64_t t;
    int thread;
    int after_yield; /* the re-take of a yield that returned 1 (else the first acquire) */
};

struct cpu_shared {
    struct tvp_gil *gil;
    _Atomic int stop, errors;
    _Atomic uint64_t units[MAXT]; /* work units per thread (atomic: read by main while running) */
    struct log_entry log[MAXLOG]; /* under the GIL */
    int nlog;                     /* under the GIL */
    int last_thread;              /* under the GIL: the thread of log[nlog - 1] */
    /* Written under the GIL, read by the timer: switches and re-takes after a yield in the log. */
    _Atomic int logged_switches, logged_yields, log_full;
    int64_t late[MAXLOG]; /* the timer thread's, read after it is joined */
    int nlate;
    int64_t wake_delay;     /* 90th percentile lateness of a 1 ms sleep during the run */
    _Atomic int64_t cpu_ns; /* CPU time of all workers */
    double cpu_share;       /* cpu_ns / wall time: about 1 (one runs at a time) when idle */
};
struct cpu_arg {
    struct cpu_shared *sh;
    int id;
};

/* Called with the GIL held, right after each acquisition. */
static void log_take(struct cpu_shared *sh, int id, int after_yield)
{
    if (sh->nlog >= MAXLOG) {
        atomic_store(&sh->log_full, 1);
        return;
    }
    if (sh->nlog > 0 && sh->last_thread != id)
        atomic_fetch_add(&sh->logged_switches, 1);
    if (after_yield && sh->nlog > 0)
        atomic_fetch_add(&sh->logged_yields, 1);
    sh->last_thread = id;
    sh->log[sh->nlog++] = (struct log_entry){now_ns(), id, after_yield};
}

static void *cpu_worker(void *p)
{
    struct cpu_arg *a = p;
    struct cpu_shared *sh = a->sh;
    unsigned x = (unsigned)a->id;
    if (tvp_gil_acquire(sh->gil) != 0) {
        atomic_fetch_add(&sh->errors, 1);
        return NULL;
    }
    log_take(sh, a->id, 0);
    while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
        x = work(x, 1000);
        atomic_fetch_add_explicit(&sh->units[a->id], 1, memory_order_relaxed);
        int y = tvp_gil_yield_if_requested(sh->gil);
        if (y < 0) {
            atomic_fetch_add(&sh->errors, 1);
            return NULL;
        }
        if (y == 1)
            log_take(sh, a->id, 1);
    }
    if (tvp_gil_release(sh->gil) != 0)
        atomic_fetch_add(&sh->errors, 1);
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        atomic_fetch_add(&sh->cpu_ns, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
    return NULL;
}

/* What a run waits for before it stops: at least ms of running, then the counts (0: not
 * wanted). */
struct run_goal {
    int ms;
    int threads;         /* every one of them did some work */
    uint64_t switches;   /* the GIL's own switch counter */
    int logged_switches; /* switches in the log */
    int logged_yields;   /* re-takes after a yield in the log */
};
struct timer_arg {
    struct cpu_shared *sh;
    struct run_goal goal;
};

static int goal_met(struct cpu_shared *sh, const struct run_goal *g)
{
    for (int i = 0; i < g->threads; i++)
        if (atomic_load(&sh->units[i]) == 0)
            return 0;
    struct tvp_gil_stats st;
    tvp_gil_stats(sh->gil, &st);
    if (st.switches < g->switches)
        return 0;
    /* A full log cannot count further: what it holds is what there is to judge. */
    return atomic_load(&sh->log_full) || (atomic_load(&sh->logged_switches) >= g->logged_switches &&
                                          atomic_load(&sh->logged_yields) >= g->logged_yields);
}

/* Sleeps 1 ms at a time until the goal is met (GUARD_MS at most), then sets stop. How late each
 * sleep wakes up is what the scheduler adds to any wake-up during the run, the GIL's waiters'
 * included: on an idle machine some microseconds, on an oversubscribed one up to a slice. */
static void *cpu_timer(void *p)
{
    struct timer_arg *ta = p;
    struct cpu_shared *sh = ta->sh;
    int64_t start = now_ns(), min_end = start + ta->goal.ms * MS, guard = start + GUARD_MS * MS;
    for (int64_t t = now_ns(); t < guard && (t < min_end || !goal_met(sh, &ta->goal));
         t = now_ns()) {
        sleep_ms(1);
        if (sh->nlate < MAXLOG)
            sh->late[sh->nlate++] = now_ns() - t - MS;
    }
    atomic_store(&sh->stop, 1);
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Runs n CPU-bound threads until the goal is met; *sh holds the log and counters after. */
static int run_cpu(struct cpu_shared *sh, int n, int64_t interval_ns, struct run_goal goal)
{
    memset(sh, 0, sizeof *sh);
    sh->gil = make_gil(interval_ns);
    if (sh->gil == NULL)
        return -1;
    struct cpu_arg args[MAXT];
    for (int i = 0; i < n; i++)
        args[i] = (struct cpu_arg){sh, i};
    /* A thread that sets stop at the goal, so that run_threads can join all of them. */
    pthread_t timer;
    goal.threads = n;
    struct timer_arg ta = {sh, goal};
    int e = pthread_create(&timer, NULL, cpu_timer, &ta);
    CHECK_MSG(e == 0, "pthread_create (timer): %s", strerror(e));
    if (e != 0) {
        tvp_gil_destroy(sh->gil);
        sh->gil = NULL;
        return -1;
    }
    int64_t t0 = now_ns();
    int bad = run_threads(n, cpu_worker, args, sizeof args[0]);
    sh->cpu_share = (double)atomic_load(&sh->cpu_ns) / (double)(now_ns() - t0);
    e = pthread_join(timer, NULL);
    CHECK_MSG(e == 0, "pthread_join (timer): %s", strerror(e));
    CHECK_INT(atomic_load(&sh->errors), 0);
    if (e == 0 && sh->nlate > 0) {
        qsort(sh->late, (size_t)sh->nlate, sizeof sh->late[0], cmp_i64);
        sh->wake_delay = sh->late[sh->nlate * 9 / 10];
    }
    return bad == 0 && e == 0 ? 0 : -1;
}

/* Every re-take after a yield must follow another thread's acquisition. Returns how many did
 * not, and counts the yields in *yields. */
static int same_twice(const struct cpu_shared *sh, int *yields)
{
    int bad = 0;
    *yields = 0;
    for (int k = 1; k < sh->nlog; k++) {
        if (!sh->log[k].after_yield)
            continue;
        (*yields)++;
        if (sh->log[k - 1].thread == sh->log[k].thread)
            bad++;
    }
    return bad;
}

static struct cpu_shared cpu; /* big (the log): static, and the tests run one at a time */

static void test_progress(void)
{
    const int n = 4, run_ms = 300;
    const int64_t interval = 5 * MS;
    const uint64_t low = (uint64_t)(run_ms / (interval / MS) / n);
    if (run_cpu(&cpu, n, interval, (struct run_goal){.ms = run_ms, .switches = low}) != 0)
        goto out;
    struct tvp_gil_stats st;
    tvp_gil_stats(cpu.gil, &st);
    uint64_t total = 0;
    char shares[128] = "";
    for (int i = 0; i < n; i++) {
        uint64_t u = atomic_load(&cpu.units[i]);
        total += u;
        CHECK_MSG(u > 0, "progress: thread %d did no work in %d s", i, GUARD_MS / 1000);
        size_t l = strlen(shares);
        snprintf(shares + l, sizeof shares - l, " %llu", (unsigned long long)u);
    }
    CHECK_MSG(st.switches >= low, "progress: %llu switches in %d s at 5 ms, expected >= %llu",
              (unsigned long long)st.switches, GUARD_MS / 1000, (unsigned long long)low);
    CHECK_MSG(st.switches * 10 < total, "progress: %llu switches for %llu work units",
              (unsigned long long)st.switches, (unsigned long long)total);
    int yields;
    CHECK_INT(same_twice(&cpu, &yields), 0);
    printf("  progress, 4 threads, 5 ms, %d ms at least: work units%s; %llu switches, %llu drop "
           "requests, %llu forced waits\n",
           run_ms, shares, (unsigned long long)st.switches, (unsigned long long)st.drop_requests,
           (unsigned long long)st.forced_waits);
out:
    tvp_gil_destroy(cpu.gil);
}

/* Median time a holder keeps the GIL, from the log: the time between consecutive switches
 * (acquisitions by a thread other than the previous one), the first one (start-up) skipped. */
static int64_t median_hold(const struct cpu_shared *sh, int *count)
{
    static int64_t holds[MAXLOG];
    int n = 0, prev = -1;
    for (int k = 1; k < sh->nlog; k++) {
        if (sh->log[k].thread == sh->log[k - 1].thread)
            continue;
        if (prev >= 0)
            holds[n++] = sh->log[k].t - sh->log[prev].t;
        prev = k;
    }
    *count = n;
    if (n == 0)
        return -1;
    qsort(holds, (size_t)n, sizeof holds[0], cmp_i64);
    return holds[n / 2];
}

/* The median hold must be >= 0.8 x the interval: load can only lengthen a hold (the waiter's
 * timed wait starts after the previous switch, and a timed wait never ends early). How much
 * longer a hold is than the interval is speed, not a property: it is the waiter's wake-up and
 * the holder's share of a CPU (3 x at 1 ms on an idle 2-vCPU VM here, more beside other load),
 * so it is printed, with the load measured beside it, and not judged. A GIL that never hands
 * over does not reach MIN_HOLDS switches before the hang guard. */
#define MIN_HOLDS 20 /* switches needed for a meaningful median */

static void test_interval(int64_t interval, int run_ms)
{
    const long long ims = (long long)(interval / MS);
    struct run_goal goal = {.ms = run_ms, .logged_switches = MIN_HOLDS + 1};
    if (run_cpu(&cpu, 2, interval, goal) != 0) {
        tvp_gil_destroy(cpu.gil);
        return;
    }
    struct tvp_gil_stats st;
    tvp_gil_stats(cpu.gil, &st);
    tvp_gil_destroy(cpu.gil);
    int nholds;
    int64_t med = median_hold(&cpu, &nholds);
    double ratio = (double)med / (double)interval;
    int yields, bad = same_twice(&cpu, &yields);
    CHECK_MSG(bad == 0, "interval %lld ms: %d of %d yields re-took the GIL with no other holder",
              ims, bad, yields);
    CHECK_MSG(nholds >= MIN_HOLDS, "interval %lld ms: only %d switches measured in %d s", ims,
              nholds, GUARD_MS / 1000);
    CHECK_MSG(nholds < MIN_HOLDS || ratio >= 0.8,
              "interval %lld ms: median hold %.3f ms = %.2f x the interval, below 0.8", ims,
              med / 1e6, ratio);
    printf("  switch interval %lld ms, 2 threads: median hold %.3f ms (%.2fx) over %d "
           "switches; %d yields, %llu forced waits; CPU share %.2f, wake-up delay %.3f ms\n",
           ims, med / 1e6, ratio, nholds, yields, (unsigned long long)st.forced_waits,
           cpu.cpu_share, cpu.wake_delay / 1e6);
}

static void test_forced_switching(int n)
{
    if (run_cpu(&cpu, n, 1 * MS, (struct run_goal){.ms = 200, .logged_yields = 10}) != 0)
        goto out;
    struct tvp_gil_stats st;
    tvp_gil_stats(cpu.gil, &st);
    int yields, bad = same_twice(&cpu, &yields);
    CHECK_MSG(bad == 0, "forced switching, %d threads: %d of %d yields re-took the GIL directly", n,
              bad, yields);
    CHECK_MSG(yields >= 10, "forced switching, %d threads: only %d yields in %d s", n, yields,
              GUARD_MS / 1000);
    printf("  forced switching, %d threads, 1 ms: %d yields, each followed by another thread's "
           "acquisition: %s\n",
           n, yields, bad == 0 ? "yes" : "NO");
out:
    tvp_gil_destroy(cpu.gil);
}

/* ---- I/O release ---- */

static void test_io_release(void)
{
    memset(&cpu, 0, sizeof cpu);
    cpu.gil = make_gil(5 * MS);
    if (cpu.gil == NULL)
        return;
    struct cpu_arg arg = {&cpu, 0};
    pthread_t peer;
    int e = pthread_create(&peer, NULL, cpu_worker, &arg);
    CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
    if (e != 0)
        goto out;
    /* Let the peer hold the GIL and work. */
    int64_t t0 = now_ns();
    while (atomic_load(&cpu.units[0]) == 0 && now_ns() - t0 < GUARD_MS * MS)
        sleep_ms(1);
    CHECK_INT(tvp_gil_acquire(cpu.gil), 0); /* the peer must yield to us */
    uint64_t c0 = atomic_load(&cpu.units[0]);
    CHECK_INT(tvp_gil_release(cpu.gil), 0); /* "I/O" starts */
    struct tvp_gil_stats s0, s1;
    tvp_gil_stats(cpu.gil, &s0);
    int64_t t1 = now_ns();
    /* The "I/O" lasts until the peer got the GIL and worked: how long that takes is the
     * scheduler's business, that it happens is the GIL's. */
    uint64_t c_mid;
    while ((c_mid = atomic_load(&cpu.units[0])) == c0 && now_ns() - t1 < GUARD_MS * MS)
        sleep_ms(1);
    tvp_gil_stats(cpu.gil, &s1);
    CHECK_INT(tvp_gil_acquire(cpu.gil), 0); /* "I/O" done */
    int64_t t2 = now_ns();
    uint64_t c1 = atomic_load(&cpu.units[0]);
    CHECK_INT(tvp_gil_release(cpu.gil), 0);
    atomic_store(&cpu.stop, 1);
    e = pthread_join(peer, NULL);
    CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
    CHECK_INT(atomic_load(&cpu.errors), 0);
    CHECK_MSG(c_mid > c0, "I/O release: the peer did no work in %d s while we slept (%llu -> %llu)",
              GUARD_MS / 1000, (unsigned long long)c0, (unsigned long long)c_mid);
    CHECK(c1 >= c_mid);
    CHECK_MSG(s1.drop_requests == s0.drop_requests,
              "I/O release: %llu drop requests while nobody waited",
              (unsigned long long)(s1.drop_requests - s0.drop_requests));
    printf("  I/O release: peer did %llu work units while the GIL was released; released for "
           "%.1f ms in all\n",
           (unsigned long long)(c_mid - c0), (t2 - t1) / 1e6);
out:
    tvp_gil_destroy(cpu.gil);
}

/* ---- refusals and single-thread behaviour ---- */

static void *release_not_holder(void *p)
{
    return (void *)(intptr_t)tvp_gil_release(p);
}

static void test_refusals(void)
{
    const int64_t bad[] = {0, -1, -5 * MS, INT64_MIN, TVP_GIL_MIN_INTERVAL_NS - 1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        struct tvp_gil *g = (struct tvp_gil *)&err; /* must be overwritten with NULL */
        int e = tvp_gil_create(&g, bad[i], err, sizeof err);
        CHECK_MSG(e == EINVAL, "interval %lld: %d, expected EINVAL", (long long)bad[i], e);
        CHECK(g == NULL);
        CHECK_MSG(strstr(err, "interval") != NULL, "interval %lld: message \"%s\"",
                  (long long)bad[i], err);
    }
    char err[64];
    CHECK_INT(tvp_gil_create(NULL, 5 * MS, err, sizeof err), EINVAL);

    struct tvp_gil *g = make_gil(TVP_GIL_MIN_INTERVAL_NS); /* the minimum is accepted */
    if (g != NULL) {
        CHECK_INT(tvp_gil_interval_ns(g), TVP_GIL_MIN_INTERVAL_NS);
        tvp_gil_destroy(g);
    }
    g = make_gil(TVP_GIL_DEFAULT_INTERVAL_NS);
    if (g == NULL)
        return;
    CHECK_INT(tvp_gil_interval_ns(g), 5 * MS);
    CHECK_INT(tvp_gil_release(g), EPERM); /* not held */
    CHECK_INT(tvp_gil_yield_if_requested(g), 0);
    CHECK_INT(tvp_gil_acquire(g), 0);
    CHECK_INT(tvp_gil_acquire(g), EDEADLK); /* not recursive */
    CHECK_INT(tvp_gil_yield_if_requested(g), 0);
    pthread_t th;
    void *r = NULL;
    int e = pthread_create(&th, NULL, release_not_holder, g);
    CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
    if (e == 0) {
        e = pthread_join(th, &r);
        CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
        CHECK_INT((intptr_t)r, EPERM); /* another thread cannot release our GIL */
    }
    CHECK_INT(tvp_gil_release(g), 0);
    CHECK_INT(tvp_gil_release(g), EPERM); /* twice */
    for (int i = 0; i < 2; i++) {
        CHECK_INT(tvp_gil_acquire(g), 0);
        CHECK_INT(tvp_gil_release(g), 0);
    }
    struct tvp_gil_stats st;
    tvp_gil_stats(g, &st);
    CHECK_INT(st.acquisitions, 3);
    CHECK_INT(st.switches, 1); /* the first take; the same thread again is no switch */
    CHECK_INT(st.drop_requests, 0);
    CHECK_INT(st.forced_waits, 0);
    tvp_gil_destroy(g);
    tvp_gil_destroy(NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fds_before = count_fds();
    int64_t t0 = now_ns();

    test_refusals();
    /* rounds: about 0.3 s of work per case in a Release build */
    test_mutual_exclusion(4, 5 * MS, TEST_TSAN ? 32 : 64);
    test_mutual_exclusion(8, 1 * MS, TEST_TSAN ? 32 : 64);
    test_progress();
    test_interval(1 * MS, 250);
    test_interval(5 * MS, 600);
    test_forced_switching(4);
    test_io_release();

    CHECK_MSG(count_fds() == fds_before, "open descriptors: %d before, %d after", fds_before,
              count_fds());
    printf("  all in %.2f s\n", (now_ns() - t0) / 1e9);
    return CHECK_DONE();
}
