/* Validate tests of the three event implementations (primitives/tvp_event.h): condvar, futex,
 * eventfd, each between threads and between forked processes (the event in a MAP_SHARED
 * anonymous mapping, initialised with pshared = 1 before the fork).
 *
 * For each: a wait on an event that is not set times out (returns 0, and not before its
 * timeout has elapsed: the only timing assertion); set() wakes 1 waiter and 8 waiters (all
 * return 1, and see the data written before set: a plain int, so ThreadSanitizer checks the
 * happens-before edge in the thread cases); a set before wait returns 1 at once; set, clear,
 * then wait times out again; is_set / clear semantics (repeated set and clear, in the waiter
 * after it returned and in the caller). Waiters announce themselves before calling wait, and
 * set() comes 20 ms after the last one has, so the waiters are normally asleep by then; the
 * checked results (1, 0) do not depend on that — a waiter that is late finds the flag set.
 * Nothing is left behind: every child is reaped and the number of open descriptors is the
 * same at the end as at the start (the eventfds are closed). Forks happen while the test is
 * single-threaded, and the children start no threads, so they run under TSan too. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_event.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAXW       8
#define LONG_WAIT  10000000000LL /* 10 s: only a broken event reaches it */
#define SHORT_WAIT 50000000LL    /* 50 ms */

struct shared {
    struct tvp_event ev;
    int payload;        /* plain: written before set, read by a waiter after wait returned 1 */
    int64_t timeout_ns; /* for the waiters, set before they start */
    _Atomic int ready;  /* waiters about to call wait */
    _Atomic int result[MAXW];
    _Atomic int set_after[MAXW]; /* is_set() right after the wait returned */
    _Atomic int64_t elapsed[MAXW];
};

static const struct tvp_event_impl *impl;
static struct shared *sh;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void waiter(int i)
{
    atomic_fetch_add_explicit(&sh->ready, 1, memory_order_relaxed);
    int64_t t0 = now_ns();
    int r = impl->wait(&sh->ev, sh->timeout_ns);
    int64_t t1 = now_ns();
    if (r == 1 && sh->payload != 42)
        r = 100; /* set's writes not visible: an ordering bug */
    atomic_store_explicit(&sh->elapsed[i], t1 - t0, memory_order_relaxed);
    atomic_store_explicit(&sh->set_after[i], impl->is_set(&sh->ev), memory_order_relaxed);
    atomic_store_explicit(&sh->result[i], r, memory_order_relaxed);
}

static void *thread_body(void *arg)
{
    waiter((int)(intptr_t)arg);
    return NULL;
}

struct waiters {
    int n, procs, started;
    pthread_t th[MAXW];
    pid_t pid[MAXW];
};

/* A fresh event (pshared = procs), with the shared bookkeeping reset. */
static int fresh(int procs)
{
    char err[256];
    memset(sh, 0, sizeof *sh);
    for (int i = 0; i < MAXW; i++)
        atomic_init(&sh->result[i], -1000);
    int e = impl->init(&sh->ev, procs, err, sizeof err);
    CHECK_MSG(e == 0, "%s: init: %s", impl->name, err);
    return e;
}

static void finish(void)
{
    char err[256];
    int e = impl->destroy(&sh->ev, err, sizeof err);
    CHECK_MSG(e == 0, "%s: destroy: %s", impl->name, err);
}

/* Starts n waiters with the given timeout, and returns once all are about to wait. */
static void start(struct waiters *w, int n, int procs, int64_t timeout_ns)
{
    w->n = n;
    w->procs = procs;
    w->started = 0;
    sh->timeout_ns = timeout_ns;
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        if (procs) {
            w->pid[i] = fork();
            if (w->pid[i] < 0) {
                CHECK_MSG(0, "fork: %s", strerror(errno));
                break;
            }
            if (w->pid[i] == 0) {
                waiter(i);
                _exit(0);
            }
        } else {
            int e = pthread_create(&w->th[i], NULL, thread_body, (void *)(intptr_t)i);
            CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
            if (e != 0)
                break;
        }
        w->started++;
    }
    int64_t t0 = now_ns();
    while (atomic_load_explicit(&sh->ready, memory_order_relaxed) < w->started &&
           now_ns() - t0 < LONG_WAIT)
        sleep_ms(1);
}

static void join(struct waiters *w)
{
    for (int i = 0; i < w->started; i++) {
        if (w->procs) {
            int st = 0;
            int e = tvp_wait_child(w->pid[i], &st);
            CHECK_MSG(e == 0 && tvp_child_ok(st), "%s: waiter %d: waitpid: %s, status 0x%x",
                      impl->name, i, strerror(e), st);
        } else {
            int e = pthread_join(w->th[i], NULL);
            CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
        }
    }
}

/* Checks every waiter returned want (and is_set afterwards gave set_after). */
static void expect(const struct waiters *w, const char *what, int want, int set_after,
                   int64_t at_least_ns)
{
    const char *how = w->procs ? "processes" : "threads";
    CHECK_MSG(w->started == w->n, "%s %s %s: only %d of %d waiters started", impl->name, how, what,
              w->started, w->n);
    for (int i = 0; i < w->started; i++) {
        int r = atomic_load(&sh->result[i]);
        int64_t el = atomic_load(&sh->elapsed[i]);
        CHECK_MSG(r == want, "%s %s %s: waiter %d returned %d, expected %d", impl->name, how, what,
                  i, r, want);
        CHECK_MSG(atomic_load(&sh->set_after[i]) == set_after,
                  "%s %s %s: waiter %d: is_set after wait %d, expected %d", impl->name, how, what,
                  i, atomic_load(&sh->set_after[i]), set_after);
        CHECK_MSG(el >= at_least_ns, "%s %s %s: waiter %d returned after %lld ns, before %lld",
                  impl->name, how, what, i, (long long)el, (long long)at_least_ns);
    }
}

static void test_timeout(int procs)
{
    if (fresh(procs) != 0)
        return;
    struct waiters w;
    start(&w, 1, procs, SHORT_WAIT);
    join(&w);
    expect(&w, "wait, not set", 0, 0, SHORT_WAIT);
    finish();
}

static void test_wake(int procs, int n)
{
    if (fresh(procs) != 0)
        return;
    struct waiters w;
    start(&w, n, procs, LONG_WAIT);
    sleep_ms(20);
    sh->payload = 42;
    CHECK_INT(impl->set(&sh->ev), 0);
    join(&w);
    expect(&w, n == 1 ? "set wakes 1" : "set wakes N", 1, 1, 0);
    CHECK_INT(impl->is_set(&sh->ev), 1);
    CHECK_INT(impl->clear(&sh->ev), 0);
    CHECK_INT(impl->is_set(&sh->ev), 0);
    finish();
}

static void test_set_before_wait(int procs)
{
    if (fresh(procs) != 0)
        return;
    sh->payload = 42;
    CHECK_INT(impl->set(&sh->ev), 0);
    struct waiters w;
    start(&w, 2, procs, LONG_WAIT);
    join(&w);
    expect(&w, "set before wait", 1, 1, 0);
    CHECK_INT(impl->wait(&sh->ev, 0), 1);  /* zero timeout: a pure check */
    CHECK_INT(impl->wait(&sh->ev, -1), 1); /* no limit, but set */
    finish();
}

static void test_set_clear_wait(int procs)
{
    if (fresh(procs) != 0)
        return;
    CHECK_INT(impl->set(&sh->ev), 0);
    CHECK_INT(impl->clear(&sh->ev), 0);
    struct waiters w;
    start(&w, 2, procs, SHORT_WAIT);
    join(&w);
    expect(&w, "set, clear, wait", 0, 0, SHORT_WAIT);
    finish();
}

/* is_set / clear / wait(0) in the caller alone. */
static void test_flag(void)
{
    if (fresh(0) != 0)
        return;
    CHECK_INT(impl->is_set(&sh->ev), 0);
    CHECK_INT(impl->clear(&sh->ev), 0); /* clear of a clear event: no change, no error */
    CHECK_INT(impl->is_set(&sh->ev), 0);
    CHECK_INT(impl->set(&sh->ev), 0);
    CHECK_INT(impl->is_set(&sh->ev), 1);
    CHECK_INT(impl->set(&sh->ev), 0); /* set twice ... */
    CHECK_INT(impl->is_set(&sh->ev), 1);
    CHECK_INT(impl->clear(&sh->ev), 0); /* ... one clear clears it */
    CHECK_INT(impl->is_set(&sh->ev), 0);
    CHECK_INT(impl->wait(&sh->ev, 0), 0);
    int64_t t0 = now_ns();
    CHECK_INT(impl->wait(&sh->ev, 30000000), 0);
    int64_t el = now_ns() - t0;
    CHECK_MSG(el >= 30000000, "%s: wait(30 ms) returned after %lld ns", impl->name, (long long)el);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(impl->set(&sh->ev), 0);
        CHECK_INT(impl->wait(&sh->ev, 0), 1);
        CHECK_INT(impl->clear(&sh->ev), 0);
        CHECK_INT(impl->wait(&sh->ev, 0), 0);
    }
    finish();
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) {
        perror("test_event: mmap");
        return 2;
    }
    int fds_before = count_fds();

    CHECK_INT(tvp_event_impls_len, 3);
    CHECK(tvp_event_find("condvar") == &tvp_event_condvar);
    CHECK(tvp_event_find("futex") == &tvp_event_futex);
    CHECK(tvp_event_find("eventfd") == &tvp_event_eventfd);
    CHECK(tvp_event_find("semaphore") == NULL);
    CHECK(tvp_event_find(NULL) == NULL);

    for (size_t k = 0; k < tvp_event_impls_len; k++) {
        impl = tvp_event_impls[k];
        int f0 = check_failed;
        test_flag();
        for (int procs = 0; procs <= 1; procs++) {
            test_timeout(procs);
            test_wake(procs, 1);
            test_wake(procs, MAXW);
            test_set_before_wait(procs);
            test_set_clear_wait(procs);
        }
        printf("  %-8s threads and processes: %s\n", impl->name,
               check_failed == f0 ? "ok" : "FAILED");
    }

    CHECK_MSG(count_fds() == fds_before, "open descriptors: %d before, %d after", fds_before,
              count_fds());
    CHECK_MSG(no_children(), "a child process is left");
    if (munmap(sh, sizeof *sh) != 0) {
        perror("test_event: munmap");
        return 2;
    }
    return CHECK_DONE();
}
