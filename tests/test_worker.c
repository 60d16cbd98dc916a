/* Tests of primitives/worker.c (tvp_worker.h) and of the tvp-exit-demo program.
 *
 * Usage: test_worker EXIT_DEMO
 * EXIT_DEMO is the path of the built tvp-exit-demo; without an argument the test reads it from
 * the environment variable TVP_EXIT_DEMO, and without either it fails (it does not skip the
 * program's checks silently).
 *
 * No check depends on speed: a daemon demo whose worker sleeps an hour must exit at all (30 s is
 * only the hang guard, after which it is killed: it waited for its worker), and a joinable one
 * not before its worker's 300 ms are over (a sleep never ends early).
 * Under ThreadSanitizer the demo (built with TSan too) is run with atexit_sleep_ms=0 added to
 * TSAN_OPTIONS: by default TSan's runtime sleeps one second before the process exits, which
 * would make every exit slow, daemon or not. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_worker.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEMO_WORK_MS  300
#define DEMO_FOREVER  "3600000" /* the demo's largest WORK_MS: a daemon that waited would hang */
#define DEMO_GUARD_MS 30000     /* hang guard only: a daemon demo exits in milliseconds */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- worker bodies ------------------------------------------------------------------------- */

static _Atomic int gate;     /* 1 lets gated workers finish */
static _Atomic int finished; /* set by slow_body as its last act */

/* Waits until gate is 1 (or 60 s, so a broken test cannot hang), returns its argument. */
static void *gated_body(void *arg)
{
    for (int i = 0; i < 60000; i++) {
        /* Acquire: pairs with the release store of gate in open_gate. */
        if (atomic_load_explicit(&gate, memory_order_acquire))
            break;
        sleep_ms(1);
    }
    return arg;
}

static void open_gate(void)
{
    atomic_store_explicit(&gate, 1, memory_order_release);
}

static void *slow_body(void *arg)
{
    sleep_ms((long)(intptr_t)arg);
    /* Release: pairs with the acquire load in test_shutdown_waits. */
    atomic_store_explicit(&finished, 1, memory_order_release);
    return NULL;
}

static void *quick_body(void *arg)
{
    return arg;
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_refusals(void)
{
    char err[256];
    struct tvp_worker w;
    CHECK_INT(tvp_worker_init(&w, NULL, NULL), EINVAL);
    CHECK_INT(tvp_worker_init(&w, gated_body, (void *)(intptr_t)7), 0);
    CHECK_INT(w.daemon, 0); /* the main thread is not a daemon: neither is its worker */
    CHECK_INT(tvp_worker_is_alive(&w), 0);

    /* Before start: join refused, setters accepted. */
    err[0] = '\0';
    CHECK_INT(tvp_worker_join(&w, NULL, err, sizeof err), EINVAL);
    CHECK_STR(err, "cannot join thread before it is started");
    CHECK_INT(tvp_worker_set_daemon(&w, 1, err, sizeof err), 0);
    CHECK_INT(tvp_worker_set_daemon(&w, 0, err, sizeof err), 0);
    CHECK_INT(tvp_worker_set_cpu(&w, -2, err, sizeof err), EINVAL);
    CHECK_INT(tvp_worker_set_cpu(&w, CPU_SETSIZE, err, sizeof err), EINVAL);

    atomic_store_explicit(&gate, 0, memory_order_relaxed); /* no worker is running */
    CHECK_INT(tvp_worker_start(&w, err, sizeof err), 0);
    CHECK_INT(tvp_worker_is_alive(&w), 1); /* held at the gate */

    /* After start: Python's RuntimeError cases. */
    err[0] = '\0';
    CHECK_INT(tvp_worker_set_daemon(&w, 1, err, sizeof err), EBUSY);
    CHECK_STR(err, "cannot set daemon status of an active thread");
    CHECK_INT(w.daemon, 0);
    CHECK_INT(tvp_worker_set_cpu(&w, 0, err, sizeof err), EBUSY);
    err[0] = '\0';
    CHECK_INT(tvp_worker_start(&w, err, sizeof err), EINVAL);
    CHECK_STR(err, "threads can only be started once");

    open_gate();
    void *ret = NULL;
    CHECK_INT(tvp_worker_join(&w, &ret, err, sizeof err), 0);
    CHECK(ret == (void *)(intptr_t)7);
    CHECK_INT(tvp_worker_is_alive(&w), 0);
    err[0] = '\0';
    CHECK_INT(tvp_worker_join(&w, NULL, err, sizeof err), EINVAL); /* twice */
    CHECK_STR(err, "worker already joined");
    CHECK_INT(tvp_worker_set_daemon(&w, 1, err, sizeof err), EBUSY); /* finished still counts */
}

static void test_daemon_join_refused(void)
{
    char err[256];
    struct tvp_worker d;
    atomic_store_explicit(&gate, 0, memory_order_relaxed);
    CHECK_INT(tvp_worker_init(&d, gated_body, NULL), 0);
    CHECK_INT(tvp_worker_set_daemon(&d, 1, err, sizeof err), 0);
    CHECK_INT(tvp_worker_start(&d, err, sizeof err), 0);
    err[0] = '\0';
    CHECK_INT(tvp_worker_join(&d, NULL, err, sizeof err), EINVAL);
    CHECK_MSG(strstr(err, "daemon") != NULL, "message: \"%s\"", err);
    CHECK_INT(tvp_worker_set_daemon(&d, 0, err, sizeof err), EBUSY);
    CHECK_INT(tvp_worker_is_alive(&d), 1);
    open_gate();
    /* d must stay valid until the detached thread is done with it. */
    for (int i = 0; i < 10000 && tvp_worker_is_alive(&d); i++)
        sleep_ms(1);
    CHECK_INT(tvp_worker_is_alive(&d), 0);
}

/* Runs in a worker: joining itself is refused; shutdown from a non-daemon worker too. */
static void *self_join_body(void *arg)
{
    struct tvp_worker *self = arg;
    char err[256] = "";
    intptr_t bad = 0;
    if (tvp_worker_join(self, NULL, err, sizeof err) != EDEADLK ||
        strcmp(err, "cannot join current thread") != 0)
        bad |= 1;
    if (tvp_worker_shutdown() != EDEADLK)
        bad |= 2;
    return (void *)bad;
}

static void test_self_join(void)
{
    char err[256];
    struct tvp_worker w;
    CHECK_INT(tvp_worker_init(&w, self_join_body, &w), 0);
    CHECK_INT(tvp_worker_start(&w, err, sizeof err), 0);
    void *ret = (void *)(intptr_t)-1;
    CHECK_INT(tvp_worker_join(&w, &ret, err, sizeof err), 0);
    CHECK_MSG(ret == NULL, "self-join checks failed: %ld", (long)(intptr_t)ret);
}

/* Runs in a daemon worker: a worker it initialises is a daemon by default (as in Python). */
static void *inherit_body(void *arg)
{
    (void)arg;
    struct tvp_worker child;
    if (tvp_worker_init(&child, quick_body, NULL) != 0)
        return (void *)(intptr_t)-1;
    return (void *)(intptr_t)child.daemon;
}

static void test_daemon_inherited(void)
{
    char err[256];
    struct tvp_worker j;
    CHECK_INT(tvp_worker_init(&j, inherit_body, NULL), 0);
    CHECK_INT(tvp_worker_start(&j, err, sizeof err), 0);
    void *ret = NULL;
    CHECK_INT(tvp_worker_join(&j, &ret, err, sizeof err), 0);
    CHECK_INT((intptr_t)ret, 0); /* a non-daemon's worker is not a daemon */
}

static _Atomic intptr_t daemon_child_flag = -2;

static void *inherit_report_body(void *arg)
{
    (void)arg;
    struct tvp_worker child;
    intptr_t v = tvp_worker_init(&child, quick_body, NULL) == 0 ? child.daemon : -1;
    /* Release: pairs with the acquire load in test_daemon_child_is_daemon (the daemon cannot
     * be joined, so it reports through this global). */
    atomic_store_explicit(&daemon_child_flag, v, memory_order_release);
    return NULL;
}

static void test_daemon_child_is_daemon(void)
{
    char err[256];
    struct tvp_worker d;
    CHECK_INT(tvp_worker_init(&d, inherit_report_body, NULL), 0);
    CHECK_INT(tvp_worker_set_daemon(&d, 1, err, sizeof err), 0);
    CHECK_INT(tvp_worker_start(&d, err, sizeof err), 0);
    for (int i = 0; i < 10000 && tvp_worker_is_alive(&d); i++)
        sleep_ms(1);
    CHECK_INT(tvp_worker_is_alive(&d), 0);
    CHECK_INT(atomic_load_explicit(&daemon_child_flag, memory_order_acquire), 1);
}

static void *cpu_body(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)sched_getcpu();
}

static void test_pinned(void)
{
    cpu_set_t allowed;
    CHECK_INT(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    int cpu = -1;
    for (int c = CPU_SETSIZE - 1; c >= 0; c--)
        if (CPU_ISSET(c, &allowed))
            cpu = c; /* the lowest allowed PU */
    CHECK(cpu >= 0);
    char err[256];
    struct tvp_worker w;
    CHECK_INT(tvp_worker_init(&w, cpu_body, NULL), 0);
    CHECK_INT(tvp_worker_set_cpu(&w, cpu, err, sizeof err), 0);
    int e = tvp_worker_start(&w, err, sizeof err);
    CHECK_MSG(e == 0, "%s", err);
    if (e != 0)
        return;
    void *ret = NULL;
    CHECK_INT(tvp_worker_join(&w, &ret, err, sizeof err), 0);
    CHECK_INT((intptr_t)ret, cpu);
}

static void test_shutdown_waits(void)
{
    char err[256];
    struct tvp_worker slow, d;
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    atomic_store_explicit(&gate, 0, memory_order_relaxed);
    CHECK_INT(tvp_worker_init(&slow, slow_body, (void *)(intptr_t)100), 0);
    CHECK_INT(tvp_worker_start(&slow, err, sizeof err), 0);
    /* A daemon held at the gate until after shutdown: if shutdown waited for it, the daemon
     * would have ended (at the gate's 60 s hang guard) by the time shutdown returned. */
    CHECK_INT(tvp_worker_init(&d, gated_body, NULL), 0);
    CHECK_INT(tvp_worker_set_daemon(&d, 1, err, sizeof err), 0);
    CHECK_INT(tvp_worker_start(&d, err, sizeof err), 0);

    CHECK_INT(tvp_worker_shutdown(), 0);
    /* Acquire: pairs with the release store in slow_body. */
    CHECK_MSG(atomic_load_explicit(&finished, memory_order_acquire) == 1,
              "shutdown returned before the non-daemon worker finished");
    CHECK_INT(tvp_worker_is_alive(&slow), 0);
    CHECK_MSG(tvp_worker_is_alive(&d) == 1, "the daemon worker ended: shutdown waited for it");
    err[0] = '\0';
    CHECK_INT(tvp_worker_join(&slow, NULL, err, sizeof err), EINVAL); /* shutdown joined it */
    CHECK_STR(err, "worker already joined");
    CHECK_INT(tvp_worker_shutdown(), 0); /* nothing left: returns at once */

    open_gate();
    for (int i = 0; i < 10000 && tvp_worker_is_alive(&d); i++)
        sleep_ms(1);
    CHECK_INT(tvp_worker_is_alive(&d), 0);
}

/* A non-daemon worker that starts another one: shutdown must wait for both. */
static struct tvp_worker nested_inner;
static _Atomic int nested_started;

static void *nested_outer_body(void *arg)
{
    (void)arg;
    char err[256];
    sleep_ms(20);
    if (tvp_worker_init(&nested_inner, slow_body, (void *)(intptr_t)80) == 0 &&
        tvp_worker_start(&nested_inner, err, sizeof err) == 0)
        atomic_store_explicit(&nested_started, 1, memory_order_relaxed);
    return NULL;
}

static void test_shutdown_nested(void)
{
    char err[256];
    struct tvp_worker outer;
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    CHECK_INT(tvp_worker_init(&outer, nested_outer_body, NULL), 0);
    CHECK_INT(tvp_worker_start(&outer, err, sizeof err), 0);
    CHECK_INT(tvp_worker_shutdown(), 0);
    CHECK_INT(atomic_load_explicit(&nested_started, memory_order_relaxed), 1);
    CHECK_MSG(atomic_load_explicit(&finished, memory_order_acquire) == 1,
              "shutdown returned before the worker started by a worker finished");
    CHECK_INT(tvp_worker_is_alive(&nested_inner), 0);
}

/* Joins racing with shutdown: each worker is joined exactly once, shutdown waits for all. */
static void *joiner_body(void *arg)
{
    char err[256];
    struct tvp_worker *target = arg;
    int e = tvp_worker_join(target, NULL, err, sizeof err);
    /* EINVAL "worker already joined" is fine: shutdown claimed it first. */
    return (void *)(intptr_t)(e == 0 || e == EINVAL ? 0 : e);
}

static void test_join_races_shutdown(void)
{
    enum { N = 8 };
    char err[256];
    struct tvp_worker targets[N], joiners[N];
    atomic_store_explicit(&gate, 0, memory_order_relaxed);
    for (int i = 0; i < N; i++) {
        CHECK_INT(tvp_worker_init(&targets[i], gated_body, NULL), 0);
        CHECK_INT(tvp_worker_start(&targets[i], err, sizeof err), 0);
    }
    for (int i = 0; i < N; i++) {
        CHECK_INT(tvp_worker_init(&joiners[i], joiner_body, &targets[i]), 0);
        CHECK_INT(tvp_worker_start(&joiners[i], err, sizeof err), 0);
    }
    sleep_ms(10);
    open_gate();
    CHECK_INT(tvp_worker_shutdown(), 0);
    int alive = 0;
    for (int i = 0; i < N; i++)
        alive += tvp_worker_is_alive(&targets[i]) + tvp_worker_is_alive(&joiners[i]);
    CHECK_INT(alive, 0);
}

/* Starts racing with joins from another thread and with shutdown from a third, many times. A
 * joiner may call join on a worker while its owner is still inside start (it is published
 * before start): the join must wait for the start's outcome rather than join a thread id not
 * yet written, and the worker must be in the registry from the moment it is marked started, so
 * shutdown neither misses it nor joins it after an explicit join did (a second pthread_join of
 * a dead id shows as a non-zero shutdown result, a crash, or a TSan report). */
enum { RACE_ROUNDS = 300, RACE_PER_ROUND = 4, RACE_N = RACE_ROUNDS * RACE_PER_ROUND };
static struct tvp_worker race_w[RACE_N];
static struct tvp_worker race_daemon[RACE_ROUNDS];
static _Atomic int race_published; /* race_w[0..race_published) are initialised */
static _Atomic int race_ran;       /* bodies run (non-daemon) */
static _Atomic int race_stop;      /* 1 ends the shutdown thread's loop */
static _Atomic int race_shut_err;  /* first non-zero shutdown result */
static _Atomic int race_shut_calls;
static int race_joined_by_joiner, race_bad_join; /* the joiner's, read after pthread_join */

static void *race_body(void *arg)
{
    atomic_fetch_add_explicit(&race_ran, 1, memory_order_relaxed);
    return arg;
}

static void *race_shutdown_loop(void *arg)
{
    (void)arg;
    while (!atomic_load_explicit(&race_stop, memory_order_acquire)) {
        int e = tvp_worker_shutdown();
        atomic_fetch_add_explicit(&race_shut_calls, 1, memory_order_relaxed);
        if (e != 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&race_shut_err, &zero, e);
        }
        sched_yield();
    }
    return NULL;
}

/* Joins every worker as soon as it is published, retrying while it is not started yet. */
static void *race_joiner(void *arg)
{
    (void)arg;
    char err[256];
    for (int k = 0; k < RACE_N; k++) {
        /* Acquire: pairs with the release store in the test, so init's writes are seen. */
        while (atomic_load_explicit(&race_published, memory_order_acquire) <= k)
            sched_yield();
        for (;;) {
            int e = tvp_worker_join(&race_w[k], NULL, err, sizeof err);
            if (e == 0) {
                race_joined_by_joiner++;
                break;
            }
            if (e == EINVAL && strstr(err, "before it is started") != NULL) {
                sched_yield();
                continue;
            }
            if (e != EINVAL || strstr(err, "already joined") == NULL)
                race_bad_join++; /* anything but "shutdown claimed it first" */
            break;
        }
    }
    return NULL;
}

static void test_start_join_race_shutdown(void)
{
    char err[256];
    pthread_t shut, joiner;
    CHECK_INT(pthread_create(&shut, NULL, race_shutdown_loop, NULL), 0);
    CHECK_INT(pthread_create(&joiner, NULL, race_joiner, NULL), 0);
    int bad_start = 0;
    for (int r = 0; r < RACE_ROUNDS; r++) {
        struct tvp_worker *d = &race_daemon[r];
        if (tvp_worker_init(d, quick_body, NULL) != 0 ||
            tvp_worker_set_daemon(d, 1, err, sizeof err) != 0 ||
            tvp_worker_start(d, err, sizeof err) != 0)
            bad_start++;
        for (int i = 0; i < RACE_PER_ROUND; i++) {
            int k = r * RACE_PER_ROUND + i;
            if (tvp_worker_init(&race_w[k], race_body, NULL) != 0)
                bad_start++;
            /* Release: publishes the initialised struct to the joiner before start. */
            atomic_store_explicit(&race_published, k + 1, memory_order_release);
            if (tvp_worker_start(&race_w[k], err, sizeof err) != 0)
                bad_start++;
        }
    }
    CHECK_INT(pthread_join(joiner, NULL), 0);
    atomic_store_explicit(&race_stop, 1, memory_order_release);
    CHECK_INT(pthread_join(shut, NULL), 0);
    CHECK_INT(tvp_worker_shutdown(), 0);
    CHECK_INT(bad_start, 0);
    CHECK_INT(race_bad_join, 0);
    CHECK_INT(atomic_load(&race_shut_err), 0);
    CHECK_INT(atomic_load(&race_ran), RACE_N);
    int alive = 0, not_joined = 0;
    for (int k = 0; k < RACE_N; k++) {
        alive += tvp_worker_is_alive(&race_w[k]);
        /* Every worker was joined exactly once: a further join is refused. */
        not_joined += tvp_worker_join(&race_w[k], NULL, err, sizeof err) != EINVAL;
    }
    CHECK_INT(alive, 0);
    CHECK_INT(not_joined, 0);
    /* Daemons are not joined: wait (up to 10 s) until each has finished before the test ends. */
    for (int r = 0, spins = 0; r < RACE_ROUNDS && spins < 10000; spins++)
        if (!tvp_worker_is_alive(&race_daemon[r]))
            r++;
        else
            sleep_ms(1);
    printf("start/join/shutdown race: %d joined by the joiner, %d by shutdown, %d shutdown "
           "calls\n",
           race_joined_by_joiner, RACE_N - race_joined_by_joiner, atomic_load(&race_shut_calls));
}

/* ---- tvp-exit-demo --------------------------------------------------------------------------- */

/* Runs the demo with the given arguments; returns its exit status (or -1) and its wall time.
 * A demo still running after DEMO_GUARD_MS is killed and -3 returned. */
static int run_demo(const char *demo, const char *a1, const char *a2, int quiet, uint64_t *ms)
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    if (quiet && posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    char *argv[4] = {(char *)"tvp-exit-demo", (char *)a1, (char *)a2, NULL};
    if (a1 == NULL)
        argv[1] = NULL;
    else if (a2 == NULL)
        argv[2] = NULL;
    pid_t pid;
    uint64_t t0 = now_ns();
    int e = posix_spawn(&pid, demo, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        fprintf(stderr, "posix_spawn %s: %s\n", demo, strerror(e));
        return -1;
    }
    int st, killed;
    int waited = tvp_reap_or_kill(pid, DEMO_GUARD_MS, &st, &killed);
    *ms = (now_ns() - t0) / 1000000u;
    if (waited == 0 && killed)
        return -3;
    if (waited != 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static void test_exit_demo(const char *demo)
{
    CHECK_MSG(demo != NULL, "give the path of tvp-exit-demo as argv[1] or in TVP_EXIT_DEMO");
    if (demo == NULL)
        return;
    char work[16];
    snprintf(work, sizeof work, "%d", DEMO_WORK_MS);
    uint64_t ms = 0;

    int st = run_demo(demo, "daemon", DEMO_FOREVER, 0, &ms);
    CHECK_MSG(st == 0, "daemon demo with a worker of %s ms: %s", DEMO_FOREVER,
              st == -3 ? "still running at the hang guard: it waits for its daemon worker"
                       : "did not exit with status 0");

    CHECK_INT(run_demo(demo, "joinable", work, 0, &ms), 0);
    CHECK_MSG(ms >= DEMO_WORK_MS, "joinable demo took %llu ms: it should wait %d ms for its worker",
              (unsigned long long)ms, DEMO_WORK_MS);

    static const char *const bad[][2] = {
        {NULL, NULL},      {"daemon", NULL},   {"both", "10"}, {"daemon", "-1"},
        {"joinable", "x"}, {"daemon", "10ms"}, {"daemon", ""}, {"daemon", "99999999999999999999"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        st = run_demo(demo, bad[i][0], bad[i][1], 1, &ms);
        CHECK_MSG(st == 2, "tvp-exit-demo %s %s: exit status %d, expected 2",
                  bad[i][0] ? bad[i][0] : "", bad[i][1] ? bad[i][1] : "", st);
    }
    /* Three arguments is one too many. */
    posix_spawn_file_actions_t fa;
    CHECK_INT(posix_spawn_file_actions_init(&fa), 0);
    CHECK_INT(posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0), 0);
    char *argv[] = {"tvp-exit-demo", "daemon", "10", "extra", NULL};
    pid_t pid;
    st = -1;
    if (posix_spawn(&pid, demo, &fa, NULL, argv, environ) == 0)
        (void)tvp_wait_child(pid, &st); /* a failed wait leaves st -1: the check reports it */
    posix_spawn_file_actions_destroy(&fa);
    CHECK_MSG(WIFEXITED(st) && WEXITSTATUS(st) == 2, "extra argument: wait status %#x", st);
}

int main(int argc, char **argv)
{
    const char *demo = argc > 1 ? argv[1] : getenv("TVP_EXIT_DEMO");
    if (TEST_TSAN) {
        /* For the demo processes only: this process's runtime read its options at start. */
        const char *old = getenv("TSAN_OPTIONS");
        char opts[1024];
        snprintf(opts, sizeof opts, "%s%satexit_sleep_ms=0", old ? old : "",
                 old && old[0] ? " " : "");
        CHECK_INT(setenv("TSAN_OPTIONS", opts, 1), 0);
    }
    test_refusals();
    test_daemon_join_refused();
    test_self_join();
    test_daemon_inherited();
    test_daemon_child_is_daemon();
    test_pinned();
    test_shutdown_waits();
    test_shutdown_nested();
    test_join_races_shutdown();
    test_start_join_race_shutdown();
    test_exit_demo(demo);
    return CHECK_DONE();
}
