/* Validate and stress tests of the bounded semaphore (primitives/tvp_bounded_sem.h).
 *
 * Cap 5, 12 threads and then 12 forked processes (the semaphore and the counters in one
 * MAP_SHARED anonymous mapping), each acquiring and releasing ROUNDS times. Inside, an atomic
 * holders counter records the largest number of simultaneous holders: it must be exactly 5 —
 * never more (the cap holds) and not less (all permits were really handed out). "Not less" is
 * made deterministic rather than likely: until some holder has seen 5 holders at once, a holder
 * stays inside (sleeping 100 us at a time, for at most 10 s, which only a broken semaphore
 * would reach), so the other permits are necessarily taken by the 11 others waiting for them.
 * Every acquire/release must return 0, and the count ends back at 5.
 *
 * Then the refusals and try_acquire: an over-release on a full semaphore is refused with
 * EINVAL and "semaphore released too many times" and leaves the count unchanged (also after
 * some acquire/release traffic); try_acquire takes exactly cap permits and then returns EAGAIN
 * without changing anything; a sleeping acquirer is woken by a release from another thread;
 * a bad cap is refused. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_bounded_sem.h"

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

#define CAP    5
#define NTASKS 12
#define ROUNDS 200

struct shared {
    struct tvp_bounded_sem sem;
    _Atomic int holders;
    _Atomic int max_holders;
    _Atomic int cap_seen; /* 1 once some holder saw CAP holders at once */
    _Atomic int results[NTASKS];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
    struct timespec ts = {0, ns};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* One task: ROUNDS acquire / hold / release. Returns the ORed results. */
static int task(struct shared *s)
{
    int r = 0;
    for (int i = 0; i < ROUNDS; i++) {
        r |= tvp_bounded_sem_acquire(&s->sem);
        /* Relaxed: holders and max_holders are witnesses; the semaphore orders the rest. */
        int h = atomic_fetch_add_explicit(&s->holders, 1, memory_order_relaxed) + 1;
        int m = atomic_load_explicit(&s->max_holders, memory_order_relaxed);
        while (h > m && !atomic_compare_exchange_weak_explicit(
                            &s->max_holders, &m, h, memory_order_relaxed, memory_order_relaxed))
            ;
        if (h == CAP)
            atomic_store_explicit(&s->cap_seen, 1, memory_order_relaxed);
        uint64_t t0 = now_ns();
        while (!atomic_load_explicit(&s->cap_seen, memory_order_relaxed)) {
            if (now_ns() - t0 > 10000000000u) {
                /* A semaphore that never lets CAP in: stop waiting everywhere; the max-holders
                 * check reports it. */
                atomic_store_explicit(&s->cap_seen, 1, memory_order_relaxed);
                break;
            }
            sleep_ns(100000);
        }
        sleep_ns(20000); /* hold briefly */
        atomic_fetch_sub_explicit(&s->holders, 1, memory_order_relaxed);
        r |= tvp_bounded_sem_release(&s->sem, NULL, 0);
    }
    return r;
}

static int task_body(void *arg)
{
    return task(arg);
}

static void stress(int procs)
{
    const char *how = procs ? "processes" : "threads";
    char err[256];
    struct shared *s =
        mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s == MAP_FAILED) {
        perror("test_bounded_sem: mmap");
        exit(2);
    }
    int e = tvp_bounded_sem_init(&s->sem, CAP, procs, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    for (int i = 0; i < NTASKS; i++)
        atomic_init(&s->results[i], -1);

    CHECK_INT(run_tasks(procs, NTASKS, task_body, s, s->results), 0);
    int mh = atomic_load(&s->max_holders);
    CHECK_MSG(mh == CAP, "%s: max holders %d, expected exactly %d", how, mh, CAP);
    for (int i = 0; i < NTASKS; i++)
        CHECK_MSG(atomic_load(&s->results[i]) == 0, "%s: task %d: results ORed to %d", how, i,
                  atomic_load(&s->results[i]));
    CHECK_INT(tvp_bounded_sem_value(&s->sem), CAP);
    CHECK_INT(atomic_load(&s->holders), 0);
    printf("  cap %d, %d %s x %d rounds: max holders %d\n", CAP, NTASKS, how, ROUNDS, mh);
    tvp_bounded_sem_destroy(&s->sem);
    if (munmap(s, sizeof *s) != 0) {
        perror("test_bounded_sem: munmap");
        exit(2);
    }
}

static void test_over_release(void)
{
    struct tvp_bounded_sem s;
    char err[256] = "";
    CHECK_INT(tvp_bounded_sem_init(&s, CAP, 0, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_cap(&s), CAP);
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), EINVAL);
    CHECK_STR(err, "semaphore released too many times");
    CHECK_STR(err, TVP_BOUNDED_SEM_OVER_RELEASE);
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);
    CHECK_INT(tvp_bounded_sem_release(&s, NULL, 0), EINVAL); /* no message buffer */
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);

    CHECK_INT(tvp_bounded_sem_acquire(&s), 0);
    CHECK_INT(tvp_bounded_sem_acquire(&s), 0);
    CHECK_INT(tvp_bounded_sem_value(&s), CAP - 2);
    err[0] = '\0';
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    CHECK_STR(err, ""); /* untouched on success */
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), EINVAL); /* the third: too many */
    CHECK_STR(err, "semaphore released too many times");
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);
    tvp_bounded_sem_destroy(&s);

    /* Cap 1 is a lock that refuses a double release. */
    CHECK_INT(tvp_bounded_sem_init(&s, 1, 1, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_acquire(&s), 0);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), EINVAL);
    CHECK_INT(tvp_bounded_sem_value(&s), 1);
    tvp_bounded_sem_destroy(&s);
}

static void test_try_acquire(void)
{
    struct tvp_bounded_sem s;
    char err[256];
    CHECK_INT(tvp_bounded_sem_init(&s, CAP, 0, err, sizeof err), 0);
    for (int i = 0; i < CAP; i++) {
        CHECK_INT(tvp_bounded_sem_try_acquire(&s), 0);
        CHECK_INT(tvp_bounded_sem_value(&s), CAP - 1 - i);
    }
    CHECK_INT(tvp_bounded_sem_try_acquire(&s), EAGAIN);
    CHECK_INT(tvp_bounded_sem_try_acquire(&s), EAGAIN);
    CHECK_INT(tvp_bounded_sem_value(&s), 0);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_try_acquire(&s), 0);
    for (int i = 0; i < CAP; i++)
        CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), EINVAL);
    CHECK_INT(tvp_bounded_sem_value(&s), CAP);
    tvp_bounded_sem_destroy(&s);
}

static void *blocked_acquirer(void *arg)
{
    struct tvp_bounded_sem *s = arg;
    return (void *)(intptr_t)tvp_bounded_sem_acquire(s);
}

static void test_wakes_sleeper(void)
{
    struct tvp_bounded_sem s;
    char err[256];
    CHECK_INT(tvp_bounded_sem_init(&s, 1, 0, err, sizeof err), 0);
    CHECK_INT(tvp_bounded_sem_acquire(&s), 0);
    pthread_t t;
    int e = pthread_create(&t, NULL, blocked_acquirer, &s);
    CHECK_INT(e, 0);
    if (e != 0)
        return;
    /* Give it time to reach FUTEX_WAIT (the result does not depend on it, only the path). */
    uint64_t t0 = now_ns();
    while (atomic_load(&s.waiters) == 0 && now_ns() - t0 < 2000000000u)
        sleep_ns(1000000);
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    void *res;
    CHECK_INT(pthread_join(t, &res), 0);
    CHECK_INT((int)(intptr_t)res, 0);
    CHECK_INT(tvp_bounded_sem_value(&s), 0); /* the sleeper holds it now */
    CHECK_INT(tvp_bounded_sem_release(&s, err, sizeof err), 0);
    tvp_bounded_sem_destroy(&s);
}

static void test_bad_cap(void)
{
    struct tvp_bounded_sem s;
    char err[256] = "";
    CHECK_INT(tvp_bounded_sem_init(&s, 0, 0, err, sizeof err), EINVAL);
    CHECK(strstr(err, "cap 0") != NULL);
    CHECK_INT(tvp_bounded_sem_init(&s, 0x80000000u, 0, err, sizeof err), EINVAL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_bad_cap();
    test_over_release();
    test_try_acquire();
    test_wakes_sleeper();
    stress(0);
    stress(1);
    CHECK_MSG(no_children(), "a child process is left");
    return CHECK_DONE();
}
