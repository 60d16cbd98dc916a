/* Validate and stress tests of the lock kinds (primitives/lock_*.h, tvp_lock.h).
 *
 * For every kind, 4 threads, and for every pshared_ok kind 4 forked processes (the lock and
 * the counters in one MAP_SHARED anonymous mapping, so nothing is named and nothing stays
 * behind), each run up to ITERS acquisitions of a critical section that does a NON-atomic
 * read-modify-write of a shared counter and counts its holders with an atomic counter: the
 * final count must be exactly the sum of the acquisitions the tasks made (no lost update), at
 * most one holder was ever seen, and every acquire/release returned 0. A task stops early once
 * STRESS_BUDGET_NS have passed: a FIFO ticket lock with 4 tasks on 2 busy PUs hands over at
 * the scheduler's pace (minutes for 4 x 100000 beside stress-ng), and a correctness test must
 * not depend on the machine's load; every task must still make progress. The timed-loop shape is
 * the benchmark's: one loop per kind, generated from lock_kinds.h, calling the inline operations
 * directly and ORing their results.
 *
 * Then the refusals: errorcheck re-acquire -> EDEADLK and release when unlocked -> EPERM;
 * recursive nesting 10 deep, held against other threads until the 10th release, and a release
 * by a non-owner refused; sysv-sem leaves no System V semaphore set (counted in
 * /proc/sysvipc/sem before and after); the descriptor table (unique names, find, NULL for an
 * unknown name, sizes and alignments that fit).
 *
 * Usage: test_locks [ITERS [KIND]]  (default 100000, every kind; KIND limits the stress part
 * to one kind, for trying a change). Under ThreadSanitizer the process cases run
 * too: each fork happens while the test is single-threaded and the children start no threads. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_created.h"
#include "tvp_lock.h"
#include "tvp_lock_all.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NTASKS 4
#define NEST   10

static long iters = 100000;
#define STRESS_BUDGET_NS (2LL * 1000 * 1000 * 1000)

/* Everything the tasks share; one MAP_SHARED anonymous mapping. */
struct shared {
    alignas(64) unsigned char lock[256];
    alignas(64) long counter; /* plain: only touched under the lock */
    _Atomic int holders;
    _Atomic int max_holders;
    _Atomic int results[NTASKS]; /* each task's ORed acquire/release results */
    _Atomic int next_task;       /* hands each task its index */
    _Atomic long done[NTASKS];   /* acquisitions each task made */
};

static long long mono_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct shared *map_shared(void)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) {
        perror("test_locks: mmap");
        exit(2);
    }
    return p;
}

static void unmap_shared(struct shared *s)
{
    if (munmap(s, sizeof *s) != 0) {
        perror("test_locks: munmap");
        exit(2);
    }
}

/* The critical section: holders in, a non-atomic increment, holders out. Relaxed atomics:
 * holders is only a witness of overlap; the lock itself orders the counter. */
static inline void critical(struct shared *s)
{
    int h = atomic_fetch_add_explicit(&s->holders, 1, memory_order_relaxed) + 1;
    int m = atomic_load_explicit(&s->max_holders, memory_order_relaxed);
    while (h > m && !atomic_compare_exchange_weak_explicit(
                        &s->max_holders, &m, h, memory_order_relaxed, memory_order_relaxed))
        ;
    long c = s->counter;
    __asm__ __volatile__("" ::: "memory"); /* keep the read and the write apart */
    s->counter = c + 1;
    atomic_fetch_sub_explicit(&s->holders, 1, memory_order_relaxed);
}

/* One timed-loop-shaped function per kind: the operations are inlined. */
#define TVP_LOCK_KIND(id, name, type, pshared_ok)                                                  \
    static int loop_##id(struct shared *s, long n)                                                 \
    {                                                                                              \
        int r = 0, me = atomic_fetch_add(&s->next_task, 1);                                        \
        long long stop = mono_ns() + STRESS_BUDGET_NS;                                             \
        long i = 0;                                                                                \
        for (; i < n && ((i & 1023) || mono_ns() < stop); i++) {                                   \
            r |= tvp_lock_acquire_##id(s->lock);                                                   \
            critical(s);                                                                           \
            r |= tvp_lock_release_##id(s->lock);                                                   \
        }                                                                                          \
        atomic_store(&s->done[me % NTASKS], i);                                                    \
        return r;                                                                                  \
    }
#include "lock_kinds.h"
#undef TVP_LOCK_KIND

typedef int (*loop_fn)(struct shared *, long);

struct kind {
    const char *name;
    loop_fn loop;
};

static const struct kind kinds[] = {
#define TVP_LOCK_KIND(id, name, type, pshared_ok) {name, loop_##id},
#include "lock_kinds.h"
#undef TVP_LOCK_KIND
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

struct task {
    struct shared *s;
    loop_fn loop;
};

static int task_body(void *arg)
{
    struct task *t = arg;
    return t->loop(t->s, iters);
}

/* Runs NTASKS tasks of kind k as threads (procs = 0) or processes (procs = 1) and checks. */
static void stress(const struct kind *k, const struct tvp_lock_desc *d, int procs)
{
    const char *how = procs ? "processes" : "threads";
    char err[256];
    struct shared *s = map_shared();
    CHECK_MSG(d->size <= sizeof s->lock && d->align <= 64, "%s: lock object %zu/%zu too big",
              d->name, d->size, d->align);
    int e = d->init(s->lock, procs, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: init: %s", d->name, how, err);
    if (e != 0) {
        unmap_shared(s);
        return;
    }
    for (int i = 0; i < NTASKS; i++)
        atomic_init(&s->results[i], -1);

    struct task t = {s, k->loop};
    CHECK_MSG(run_tasks(procs, NTASKS, task_body, &t, s->results) == 0,
              "%s %s: a task did not start or end cleanly", d->name, how);

    long made = 0, least = iters;
    for (int i = 0; i < NTASKS; i++) {
        long di = atomic_load(&s->done[i]);
        made += di;
        least = di < least ? di : least;
    }
    CHECK_MSG(s->counter == made, "%s %s: counter %ld, the tasks made %ld acquisitions", d->name,
              how, s->counter, made);
    CHECK_MSG(least > 0, "%s %s: a task made no acquisition", d->name, how);
    long counter = s->counter;
    int mh = atomic_load(&s->max_holders);
    CHECK_MSG(mh == 1, "%s %s: max holders %d, expected 1", d->name, how, mh);
    for (int i = 0; i < NTASKS; i++) {
        int r = atomic_load(&s->results[i]);
        CHECK_MSG(r == 0, "%s %s: task %d: acquire/release results ORed to %d", d->name, how, i, r);
    }
    int semid = strcmp(d->name, "sysv-sem") == 0 ? ((tvp_lock_sysv_sem_t *)s->lock)->semid : -1;
    e = d->destroy(s->lock, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: destroy: %s", d->name, how, err);
    if (semid >= 0) /* the set is gone: the id no longer names anything */
        CHECK_MSG(semctl(semid, 0, GETVAL) < 0 && (errno == EINVAL || errno == EIDRM),
                  "sysv-sem: set %d still exists after destroy", semid);
    unmap_shared(s);
    printf("  %-12s %-9s %d x up to %ld: counter %ld%s, max holders %d\n", d->name, how, NTASKS,
           iters, counter, counter < (long)NTASKS * iters ? " (stopped at the time budget)" : "",
           mh);
}

/* ---- refusals and nesting ------------------------------------------------------------------ */

/* ThreadSanitizer reports a release of an unlocked mutex, or by a thread that does not own
 * it, as an error and then fails the process (exit status 66, inherited by forked children):
 * the deliberate misuses below are skipped under TSan and checked in the other builds. */
#ifdef __SANITIZE_THREAD__
#define MISUSE_OK 0
#else
#define MISUSE_OK 1
#endif

static void test_errorcheck(void)
{
    char err[256];
    tvp_lock_errorcheck_t m;
    CHECK_INT(tvp_lock_init_errorcheck(&m, 0, err, sizeof err), 0);
    if (MISUSE_OK)
        CHECK_INT(tvp_lock_release_errorcheck(&m), EPERM); /* unlocked */
    CHECK_INT(tvp_lock_acquire_errorcheck(&m), 0);
    CHECK_INT(tvp_lock_acquire_errorcheck(&m), EDEADLK); /* a NORMAL mutex would hang here */
    CHECK_INT(tvp_lock_release_errorcheck(&m), 0);       /* still held once, released once */
    if (MISUSE_OK)
        CHECK_INT(tvp_lock_release_errorcheck(&m), EPERM);
    CHECK_INT(tvp_lock_destroy_errorcheck(&m, err, sizeof err), 0);
}

/* Tries the lock from another thread; when that succeeds, releases it again there (0). */
static void *try_from_other_thread(void *arg)
{
    int r = pthread_mutex_trylock(arg);
    if (r == 0)
        r = pthread_mutex_unlock(arg);
    return (void *)(intptr_t)r;
}

static void *release_from_other_thread(void *arg)
{
    return (void *)(intptr_t)tvp_lock_release_recursive(arg);
}

static int in_other_thread(void *(*fn)(void *), void *arg)
{
    pthread_t t;
    void *res;
    int e = pthread_create(&t, NULL, fn, arg);
    if (e != 0)
        return -e;
    e = pthread_join(t, &res);
    if (e != 0)
        return -e;
    return (int)(intptr_t)res;
}

static void test_recursive(void)
{
    char err[256];
    tvp_lock_recursive_t m;
    CHECK_INT(tvp_lock_init_recursive(&m, 0, err, sizeof err), 0);
    for (int i = 0; i < NEST; i++)
        CHECK_INT(tvp_lock_acquire_recursive(&m), 0);
    CHECK_INT(in_other_thread(try_from_other_thread, &m), EBUSY);
    if (MISUSE_OK)
        CHECK_INT(in_other_thread(release_from_other_thread, &m), EPERM); /* not the owner */
    for (int i = 0; i < NEST; i++) {
        CHECK_INT(in_other_thread(try_from_other_thread, &m), EBUSY); /* held until the 10th */
        CHECK_INT(tvp_lock_release_recursive(&m), 0);
    }
    if (MISUSE_OK)
        CHECK_INT(tvp_lock_release_recursive(&m), EPERM);     /* one release too many */
    CHECK_INT(in_other_thread(try_from_other_thread, &m), 0); /* free now */
    CHECK_INT(tvp_lock_destroy_recursive(&m, err, sizeof err), 0);
}

/* Number of System V semaphore sets in the system, or -1. */
/* The System V semaphore sets this test created, as the lock reports them (tvp_created.h): a
 * count of every set on the machine would change whenever another program made or removed one. */
static long created_sets[256];
static int n_created_sets;

static void record_created(const char *kind, const char *what)
{
    if (strcmp(kind, TVP_CREATED_SYSV_SEM) == 0 &&
        n_created_sets < (int)(sizeof created_sets / sizeof created_sets[0]))
        created_sets[n_created_sets++] = strtol(what, NULL, 10);
}

/* How many of the sets this test created still exist. */
static int sets_left(void)
{
    int left = 0;
    for (int i = 0; i < n_created_sets; i++)
        if (semctl((int)created_sets[i], 0, IPC_STAT, &(struct semid_ds){0}) == 0)
            left++;
    return left;
}

static void test_table(void)
{
    CHECK(tvp_lock_descs_len == NKINDS);
    for (size_t i = 0; i < tvp_lock_descs_len; i++) {
        const struct tvp_lock_desc *d = &tvp_lock_descs[i];
        CHECK(d->name != NULL && d->name[0] != '\0');
        CHECK_STR(d->name, kinds[i].name);
        CHECK(tvp_lock_find(d->name) == d);
        CHECK(d->size > 0 && d->align > 0 && (d->align & (d->align - 1)) == 0);
        CHECK(d->init != NULL && d->destroy != NULL);
        CHECK_MSG(d->unavailable == NULL, "%s unavailable: %s", d->name, d->unavailable);
        CHECK(d->pshared_ok == 1);
        for (size_t j = i + 1; j < tvp_lock_descs_len; j++)
            CHECK_MSG(strcmp(d->name, tvp_lock_descs[j].name) != 0, "duplicate name %s", d->name);
    }
    CHECK(tvp_lock_find("no-such-lock") == NULL);
    CHECK(tvp_lock_find("") == NULL);
    CHECK(tvp_lock_find(NULL) == NULL);
    CHECK(tvp_lock_find("rwlock-write") != NULL);
    CHECK(tvp_lock_find("rwlock_write") == NULL);
    const struct tvp_lock_desc *t = tvp_lock_find("ticket");
    CHECK(t != NULL && t->size == 128 && t->align == 64);
}

int main(int argc, char **argv)
{
    const char *only = argc > 2 ? argv[2] : NULL;
    if (argc > 1) {
        char *end;
        iters = strtol(argv[1], &end, 10);
        if (*end != '\0' || iters <= 0) {
            fprintf(stderr, "usage: test_locks [ITERATIONS > 0 [KIND]]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!MISUSE_OK)
        printf("  ThreadSanitizer: the EPERM checks (release of an unlocked or foreign mutex) are "
               "skipped: TSan reports that misuse as an error and fails the process\n");
    test_table();
    test_errorcheck();
    test_recursive();

    tvp_created_hook = record_created;
    for (size_t i = 0; i < NKINDS; i++) {
        if (only != NULL && strcmp(only, kinds[i].name) != 0)
            continue;
        const struct tvp_lock_desc *d = tvp_lock_find(kinds[i].name);
        CHECK(d != NULL);
        if (d == NULL || d->unavailable != NULL) {
            printf("  %s skipped: %s\n", kinds[i].name, d ? d->unavailable : "not in the table");
            continue;
        }
        stress(&kinds[i], d, 0);
        if (d->pshared_ok)
            stress(&kinds[i], d, 1);
    }
    tvp_created_hook = NULL;
    /* Not vacuous: the sysv-sem lock made sets (one per stress run) and reported them. */
    CHECK_MSG(only != NULL || n_created_sets > 0, "the sysv-sem lock reported no set");
    int left = sets_left();
    CHECK_MSG(left == 0, "%d of the %d System V semaphore sets this test created are left", left,
              n_created_sets);

    /* Every child was reaped by waitpid above; nothing may be left. */
    CHECK_MSG(no_children(), "a child process is left");
    return CHECK_DONE();
}
