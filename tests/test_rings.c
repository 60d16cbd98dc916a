/* Validate tests of the lock-free rings (primitives/ring_spsc.h, primitives/ring_mpmc.h) and of
 * their blocking wrapper (primitives/ring_blocking.h).
 *
 * Single task: fill to capacity then EAGAIN, drain in FIFO order then EAGAIN, for item sizes 8,
 * 24 and 64 (every byte of an item checked, not just a sequence number); a random walk of
 * pushes and pops checked against a model (count, FIFO order, EAGAIN exactly when full or
 * empty) that wraps around the slots many times; SPSC push_many / pop_many partial at full and
 * empty and across the end of the slots, also in a random walk; the blocking wrapper's NOWAIT
 * and batch results; every bad argument refused with EINVAL and a message naming the ring.
 *
 * Blocking wrapper, between threads and between forked processes (the ring in MAP_SHARED memory,
 * pshared 1), with spin 0 and spin 1000: a pop on an empty ring and a push on a full one with a
 * 50 ms limit return ETIMEDOUT, not before 50 ms (the only timing assertion; upper bounds are
 * generous); a pop sleeping on an empty ring is woken by a push from the other task, and a
 * push sleeping on a full one by a pop. The other task waits until the sleeper has registered
 * (the wrapper's statistics) before acting, so the sleep path is what is tested; the checked
 * results do not depend on the sleeper being inside FUTEX_WAIT by then.
 *
 * Stress: SPSC one producer and one consumer, threads and processes, capacity 64 and 2, single
 * and batch operations, raw (try loops) and through the wrapper with spin 0: every item
 * carries its sequence number and a check word; the consumer requires exactly the next
 * number each time (so strictly increasing, nothing lost or repeated) and a checksum. MPMC 4
 * producers x 4 consumers as threads and 2 x 2 as processes, capacity 4 so full and empty are
 * hit all the time, raw (consumers stop by a shared count) and through the wrapper with spin 0
 * (the futex path hammered; consumers stop at a poison item, single and batch): items are
 * (producer, seq, check); each consumer keeps a bitmap per producer and the last seq it saw
 * from each producer (which must increase), and the bitmaps merged must hold every item once.
 * Sizes are smaller under ThreadSanitizer (TEST_TSAN). A task in the stress gives up after 20 s
 * without progress (a blocking call's limit, a raw loop's time since its last success), so a
 * lost item or wake-up fails the test instead of hanging it, and a slow machine does not.
 *
 * Nothing is left behind: every child is reaped and the descriptor count is the same at the end.
 * Forks happen while the test is single-threaded, and children start no threads. */
#define _GNU_SOURCE

#include "check.h"
#include "ring_blocking.h"
#include "ring_mpmc.h"
#include "ring_spsc.h"
#include "test_util.h"
#include "tvp_child.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LONG_WAIT   10000000000LL /* 10 s: only a broken ring reaches it */
#define STRESS_WAIT 20000000000LL
/* How long one stress stream may send: a correctness test, not a benchmark, so a slow machine
 * moves fewer items rather than taking longer. */
#define STRESS_BUDGET 2000000000LL
#define SHORT_WAIT    50000000LL /* 50 ms */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *map_shared(size_t len)
{
    void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        perror("test_rings: mmap");
        exit(2);
    }
    return m;
}

static void unmap(void *m, size_t len)
{
    if (munmap(m, len) != 0) {
        perror("test_rings: munmap");
        exit(2);
    }
}

/* An item of any size >= 8 that names its sequence number in every byte: a torn or misplaced
 * copy shows up wherever it lands. */
static void make_item(unsigned char *buf, size_t size, uint64_t seq)
{
    memcpy(buf, &seq, sizeof seq);
    for (size_t i = sizeof seq; i < size; i++)
        buf[i] = (unsigned char)(seq * 131 + i * 7 + 1);
}

static int item_is(const unsigned char *buf, size_t size, uint64_t seq)
{
    unsigned char want[256];
    make_item(want, size, seq);
    return memcmp(buf, want, size) == 0;
}

static uint64_t item_seq(const unsigned char *buf)
{
    uint64_t s;
    memcpy(&s, buf, sizeof s);
    return s;
}

/* ---- single task ---------------------------------------------------------------------- */

/* Either raw ring behind one pair of calls, for the tests both kinds share. */
struct anyring {
    enum tvp_ring_kind kind;
    struct tvp_spsc *s;
    struct tvp_mpmc *m;
    void *mem;
};

static int any_open(struct anyring *r, enum tvp_ring_kind kind, size_t cap, size_t isz)
{
    char err[256] = "";
    size_t need = kind == TVP_RING_SPSC ? tvp_spsc_size(cap, isz) : tvp_mpmc_size(cap, isz);
    CHECK_MSG(need > 0 && need % 64 == 0, "size(%zu, %zu) = %zu", cap, isz, need);
    r->kind = kind;
    r->mem = aligned_alloc(64, need);
    if (r->mem == NULL) {
        CHECK_MSG(0, "aligned_alloc(%zu) failed", need);
        return -1;
    }
    int e = kind == TVP_RING_SPSC ? tvp_spsc_init(&r->s, r->mem, need, cap, isz, err, sizeof err)
                                  : tvp_mpmc_init(&r->m, r->mem, need, cap, isz, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e != 0)
        free(r->mem);
    return e == 0 ? 0 : -1;
}

static int any_push(struct anyring *r, const void *it)
{
    return r->kind == TVP_RING_SPSC ? tvp_spsc_try_push(r->s, it) : tvp_mpmc_try_push(r->m, it);
}

static int any_pop(struct anyring *r, void *it)
{
    return r->kind == TVP_RING_SPSC ? tvp_spsc_try_pop(r->s, it) : tvp_mpmc_try_pop(r->m, it);
}

static const char *kname(enum tvp_ring_kind k)
{
    return k == TVP_RING_SPSC ? "spsc" : "mpmc";
}

static void test_fill_drain(enum tvp_ring_kind kind, size_t cap, size_t isz)
{
    struct anyring r;
    if (any_open(&r, kind, cap, isz) != 0)
        return;
    unsigned char it[256];
    for (int lap = 0; lap < 3; lap++) { /* later laps start at an offset of lap * cap */
        uint64_t base = (uint64_t)lap * cap;
        for (size_t i = 0; i < cap; i++) {
            make_item(it, isz, base + i);
            CHECK_MSG(any_push(&r, it) == 0, "%s cap %zu item %zu: push %zu of %zu", kname(kind),
                      cap, isz, i, cap);
        }
        make_item(it, isz, 999);
        CHECK_MSG(any_push(&r, it) == EAGAIN, "%s cap %zu item %zu: push into a full ring",
                  kname(kind), cap, isz);
        if (kind == TVP_RING_SPSC)
            CHECK_INT(tvp_spsc_count(r.s), cap);
        for (size_t i = 0; i < cap; i++) {
            memset(it, 0xee, sizeof it);
            int e = any_pop(&r, it);
            CHECK_MSG(e == 0 && item_is(it, isz, base + i),
                      "%s cap %zu item %zu: pop %zu: rc %d, seq %llu", kname(kind), cap, isz, i, e,
                      (unsigned long long)item_seq(it));
        }
        CHECK_MSG(any_pop(&r, it) == EAGAIN, "%s cap %zu item %zu: pop from an empty ring",
                  kname(kind), cap, isz);
        if (kind == TVP_RING_SPSC)
            CHECK_INT(tvp_spsc_count(r.s), 0);
    }
    free(r.mem);
}

/* A small deterministic generator, so a failure repeats. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random pushes and pops against a model: EAGAIN exactly when full / empty, FIFO order. For
 * SPSC "full" counts the slots popped but not yet published: the consumer publishes head every
 * capacity / 16 pops (at least 1) and when it finds the ring empty (ring_spsc.h). */
static void test_random_walk(enum tvp_ring_kind kind, size_t cap, size_t isz, int ops)
{
    struct anyring r;
    if (any_open(&r, kind, cap, isz) != 0)
        return;
    uint64_t s = 88172645463325252ull, in = 0, out = 0, pub = 0;
    uint64_t batch = kind == TVP_RING_SPSC && cap / 16 > 0 ? cap / 16 : 1;
    int bad = 0;
    unsigned char it[256];
    for (int i = 0; i < ops && bad < 5; i++) {
        if (rnd(&s) & 1) {
            make_item(it, isz, in);
            int e = any_push(&r, it);
            int want = in - pub == cap ? EAGAIN : 0;
            if (e != want) {
                CHECK_MSG(0, "%s cap %zu: op %d: push rc %d, expected %d (count %llu)", kname(kind),
                          cap, i, e, want, (unsigned long long)(in - out));
                bad++;
            }
            if (e == 0)
                in++;
        } else {
            int e = any_pop(&r, it);
            int want = in == out ? EAGAIN : 0;
            if (e != want || (e == 0 && !item_is(it, isz, out))) {
                CHECK_MSG(0, "%s cap %zu: op %d: pop rc %d (expected %d), seq %llu, expected %llu",
                          kname(kind), cap, i, e, want, (unsigned long long)item_seq(it),
                          (unsigned long long)out);
                bad++;
            }
            if (e == 0)
                out++;
            if (e != 0 || out - pub >= batch)
                pub = out;
        }
    }
    CHECK_MSG(bad == 0, "%s cap %zu item %zu: random walk", kname(kind), cap, isz);
    CHECK_MSG(in / cap >= 20, "%s cap %zu: only %llu items went through: too few laps", kname(kind),
              cap, (unsigned long long)in);
    free(r.mem);
}

/* SPSC push_many / pop_many: partial at full and at empty, across the end of the slots. */
static void test_spsc_batches(size_t isz)
{
    enum { CAP = 8 };
    struct anyring r;
    if (any_open(&r, TVP_RING_SPSC, CAP, isz) != 0)
        return;
    unsigned char in[3 * CAP * 64], out[3 * CAP * 64];
    for (int i = 0; i < 3 * CAP; i++)
        make_item(in + i * isz, isz, (uint64_t)i);
    /* 5 + 5 into 8: the second is cut to 3; then nothing fits. */
    CHECK_INT(tvp_spsc_push_many(r.s, in, 5), 5);
    CHECK_INT(tvp_spsc_push_many(r.s, in + 5 * isz, 5), 3);
    CHECK_INT(tvp_spsc_push_many(r.s, in + 8 * isz, 1), 0);
    CHECK_INT(tvp_spsc_push_many(r.s, in, 0), 0);
    /* 3, then ask 10 of the 5 left. */
    CHECK_INT(tvp_spsc_pop_many(r.s, out, 3), 3);
    CHECK_INT(tvp_spsc_pop_many(r.s, out + 3 * isz, 10), 5);
    CHECK_INT(tvp_spsc_pop_many(r.s, out + 8 * isz, 10), 0); /* empty */
    CHECK_INT(tvp_spsc_pop_many(r.s, out + 8 * isz, 0), 0);
    int ok = 1;
    for (int i = 0; i < 8; i++)
        ok &= item_is(out + i * isz, isz, (uint64_t)i);
    CHECK_MSG(ok, "spsc item %zu: batches out of order", isz);
    /* Positions 8..13 in and out, then 5 from position 14: slots 6, 7, 0, 1, 2. */
    CHECK_INT(tvp_spsc_push_many(r.s, in, 6), 6);
    CHECK_INT(tvp_spsc_pop_many(r.s, out, 6), 6);
    CHECK_INT(tvp_spsc_push_many(r.s, in + 10 * isz, 5), 5);
    CHECK_INT(tvp_spsc_count(r.s), 5);
    unsigned char one[64];
    CHECK_INT(tvp_spsc_try_pop(r.s, one), 0); /* mixes with the single calls */
    CHECK(item_is(one, isz, 10));
    CHECK_INT(tvp_spsc_pop_many(r.s, out, 8), 4);
    ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= item_is(out + i * isz, isz, (uint64_t)(11 + i));
    CHECK_MSG(ok, "spsc item %zu: batch across the wrap out of order", isz);
    /* A full ring across the wrap, emptied in one call. */
    CHECK_INT(tvp_spsc_push_many(r.s, in, 3 * CAP), CAP);
    CHECK_INT(tvp_spsc_pop_many(r.s, out, 3 * CAP), CAP);
    ok = 1;
    for (int i = 0; i < CAP; i++)
        ok &= item_is(out + i * isz, isz, (uint64_t)i);
    CHECK_MSG(ok, "spsc item %zu: full batch across the wrap out of order", isz);

    /* Random batch sizes against the model. */
    uint64_t s = 0x9e3779b97f4a7c15ull, pushed = 0, popped = 0;
    int bad = 0;
    for (int i = 0; i < 20000 && bad < 5; i++) {
        size_t n = (size_t)(rnd(&s) % (CAP + 3)), k;
        if (rnd(&s) & 1) {
            for (size_t j = 0; j < n; j++)
                make_item(in + j * isz, isz, pushed + j);
            size_t room = CAP - (size_t)(pushed - popped);
            k = tvp_spsc_push_many(r.s, in, n);
            if (k != (n < room ? n : room)) {
                bad++;
                CHECK_MSG(0, "push_many(%zu) = %zu with room %zu", n, k, room);
            }
            pushed += k;
        } else {
            size_t have = (size_t)(pushed - popped);
            k = tvp_spsc_pop_many(r.s, out, n);
            if (k != (n < have ? n : have)) {
                bad++;
                CHECK_MSG(0, "pop_many(%zu) = %zu with %zu in", n, k, have);
            }
            for (size_t j = 0; j < k; j++)
                if (!item_is(out + j * isz, isz, popped + j)) {
                    bad++;
                    CHECK_MSG(0, "pop_many: item %zu is seq %llu, expected %llu", j,
                              (unsigned long long)item_seq(out + j * isz),
                              (unsigned long long)(popped + j));
                    break;
                }
            popped += k;
        }
    }
    CHECK_MSG(bad == 0 && pushed > 20 * CAP, "spsc item %zu: random batches (%llu items)", isz,
              (unsigned long long)pushed);
    free(r.mem);
}

/* The wrapper without waiting: NOWAIT results, batch counts, bad timeouts. */
static void test_blocking_nowait(enum tvp_ring_kind kind)
{
    enum { CAP = 4 };
    char err[256] = "";
    size_t need = tvp_blocking_ring_size(kind, CAP, 8);
    void *mem = aligned_alloc(64, need);
    struct tvp_blocking_ring *b;
    int e = tvp_blocking_ring_init(&b, mem, need, kind, CAP, 8, 0, 10, err, sizeof err);
    CHECK_MSG(e == 0, "%s blocking: init: %s", kname(kind), err);
    if (e != 0) {
        free(mem);
        return;
    }
    uint64_t v = 7, w = 0, many[8] = {1, 2, 3, 4, 5, 6, 7, 8}, got[8] = {0};
    size_t n = 99;
    CHECK_INT(tvp_blocking_ring_pop(b, &w, TVP_RING_NOWAIT), EAGAIN);
    CHECK_INT(tvp_blocking_ring_pop_many(b, got, 8, &n, TVP_RING_NOWAIT), EAGAIN);
    CHECK_INT(n, 0);
    CHECK_INT(tvp_blocking_ring_push(b, &v, -5), EINVAL);
    CHECK_INT(tvp_blocking_ring_pop(b, &w, -5), EINVAL);
    CHECK_INT(tvp_blocking_ring_push_many(b, many, 2, &n, -5), EINVAL);
    CHECK_INT(n, 0);
    CHECK_INT(tvp_blocking_ring_pop_many(b, got, 2, &n, -2), EINVAL);
    CHECK_INT(tvp_blocking_ring_push(b, &v, TVP_RING_FOREVER), 0);
    CHECK_INT(tvp_blocking_ring_pop(b, &w, TVP_RING_FOREVER), 0);
    CHECK_INT(w, 7);
    /* 6 into 4: the first 4 go in, EAGAIN. */
    CHECK_INT(tvp_blocking_ring_push_many(b, many, 6, &n, TVP_RING_NOWAIT), EAGAIN);
    CHECK_INT(n, CAP);
    CHECK_INT(tvp_blocking_ring_push(b, &v, TVP_RING_NOWAIT), EAGAIN);
    CHECK_INT(tvp_blocking_ring_push_many(b, many, 0, &n, TVP_RING_NOWAIT), 0);
    CHECK_INT(n, 0);
    CHECK_INT(tvp_blocking_ring_pop_many(b, got, 0, &n, TVP_RING_NOWAIT), EINVAL);
    CHECK_INT(tvp_blocking_ring_pop_many(b, got, 3, &n, 1000000), 0);
    CHECK_INT(n, 3);
    CHECK(got[0] == 1 && got[1] == 2 && got[2] == 3);
    CHECK_INT(tvp_blocking_ring_pop_many(b, got, 8, &n, TVP_RING_NOWAIT), 0);
    CHECK_INT(n, 1);
    CHECK_INT(got[0], 4);
    CHECK_INT(tvp_blocking_ring_push_many(b, many, 3, &n, TVP_RING_FOREVER), 0);
    CHECK_INT(n, 3);
    CHECK_INT(tvp_blocking_ring_pop(b, &w, 1000000), 0);
    CHECK_INT(w, 1);
    struct tvp_blocking_ring_stats st;
    tvp_blocking_ring_stats(b, &st);
    CHECK(st.push_waits == 0 && st.pop_waits == 0 && st.push_wakes == 0 && st.pop_wakes == 0);
    CHECK(st.push_sleepers == 0 && st.pop_sleepers == 0);
    free(mem);
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void test_bad_arguments(void)
{
    char err[256];
    const size_t big = (size_t)1 << 40;
    /* Sizes */
    CHECK_INT(tvp_spsc_size(0, 8), 0);
    CHECK_INT(tvp_spsc_size(1, 8), 0);
    CHECK_INT(tvp_spsc_size(3, 8), 0);
    CHECK_INT(tvp_spsc_size(8, 0), 0);
    CHECK_INT(tvp_spsc_size(big, big), 0); /* overflow */
    CHECK_INT(tvp_spsc_size((size_t)1 << 63, 1), 0);
    CHECK(tvp_spsc_size(2, 1) >= 2 && tvp_spsc_size(2, 1) % 64 == 0);
    CHECK(tvp_spsc_size(1024, 24) >= 1024 * 24);
    CHECK_INT(tvp_mpmc_size(0, 8), 0);
    CHECK_INT(tvp_mpmc_size(3, 8), 0);
    CHECK_INT(tvp_mpmc_size(8, 0), 0);
    CHECK_INT(tvp_mpmc_size(big, big), 0);
    CHECK_INT(tvp_mpmc_size(8, SIZE_MAX), 0);
    CHECK(tvp_mpmc_size(1024, 24) >= 1024 * 24);
    CHECK_INT(tvp_blocking_ring_size(TVP_RING_SPSC, 0, 8), 0);
    CHECK_INT(tvp_blocking_ring_size(TVP_RING_MPMC, 3, 8), 0);
    CHECK_INT(tvp_blocking_ring_size(TVP_RING_MPMC, 8, 0), 0);
    CHECK_INT(tvp_blocking_ring_size((enum tvp_ring_kind)7, 8, 8), 0);
    CHECK(tvp_blocking_ring_size(TVP_RING_SPSC, 8, 8) > tvp_spsc_size(8, 8));

    size_t len = 1 << 16;
    unsigned char *mem = aligned_alloc(64, len);
    struct tvp_spsc *s = NULL;
    struct tvp_mpmc *m = NULL;
    struct tvp_blocking_ring *b = NULL;
    /* capacity 0, 3; item 0 */
    for (int k = 0; k < 3; k++) {
        size_t cap = k == 0 ? 0 : k == 1 ? 3 : 8, isz = k == 2 ? 0 : 8;
        err[0] = 0;
        CHECK_INT(tvp_spsc_init(&s, mem, len, cap, isz, err, sizeof err), EINVAL);
        CHECK_MSG(starts_with(err, "spsc ring: "), "err = \"%s\"", err);
        err[0] = 0;
        CHECK_INT(tvp_mpmc_init(&m, mem, len, cap, isz, err, sizeof err), EINVAL);
        CHECK_MSG(starts_with(err, "mpmc ring: "), "err = \"%s\"", err);
        for (int kind = 0; kind < 2; kind++) {
            err[0] = 0;
            CHECK_INT(tvp_blocking_ring_init(&b, mem, len, (enum tvp_ring_kind)kind, cap, isz, 0, 0,
                                             err, sizeof err),
                      EINVAL);
            CHECK_MSG(starts_with(err, "blocking ring: "), "err = \"%s\"", err);
        }
    }
    /* memory too small by one byte; misaligned; NULL */
    size_t ns = tvp_spsc_size(64, 24), nm = tvp_mpmc_size(64, 24),
           nb = tvp_blocking_ring_size(TVP_RING_MPMC, 64, 24);
    CHECK_INT(tvp_spsc_init(&s, mem, ns - 1, 64, 24, err, sizeof err), EINVAL);
    CHECK_MSG(starts_with(err, "spsc ring: "), "err = \"%s\"", err);
    CHECK_INT(tvp_mpmc_init(&m, mem, nm - 1, 64, 24, err, sizeof err), EINVAL);
    CHECK_MSG(starts_with(err, "mpmc ring: "), "err = \"%s\"", err);
    CHECK_INT(tvp_blocking_ring_init(&b, mem, nb - 1, TVP_RING_MPMC, 64, 24, 0, 0, err, sizeof err),
              EINVAL);
    CHECK_MSG(starts_with(err, "blocking ring: "), "err = \"%s\"", err);
    for (int off = 8; off < 64; off += 24) {
        CHECK_INT(tvp_spsc_init(&s, mem + off, ns, 64, 24, err, sizeof err), EINVAL);
        CHECK_MSG(starts_with(err, "spsc ring: "), "err = \"%s\"", err);
        CHECK_INT(tvp_mpmc_init(&m, mem + off, nm, 64, 24, err, sizeof err), EINVAL);
        CHECK_INT(
            tvp_blocking_ring_init(&b, mem + off, nb, TVP_RING_MPMC, 64, 24, 0, 0, err, sizeof err),
            EINVAL);
    }
    CHECK_INT(tvp_spsc_init(&s, NULL, ns, 64, 24, err, sizeof err), EINVAL);
    CHECK_INT(tvp_mpmc_init(&m, NULL, nm, 64, 24, err, sizeof err), EINVAL);
    CHECK_INT(
        tvp_blocking_ring_init(&b, mem, len, (enum tvp_ring_kind)7, 8, 8, 0, 0, err, sizeof err),
        EINVAL);
    CHECK_MSG(starts_with(err, "blocking ring: "), "err = \"%s\"", err);
    CHECK(s == NULL && m == NULL && b == NULL); /* no failed init wrote *out */
    /* exactly the size asked for is enough */
    CHECK_INT(tvp_spsc_init(&s, mem, ns, 64, 24, err, sizeof err), 0);
    CHECK(s == (void *)mem && tvp_spsc_capacity(s) == 64 && tvp_spsc_item_size(s) == 24);
    CHECK_INT(tvp_mpmc_init(&m, mem, nm, 64, 24, err, sizeof err), 0);
    CHECK(m == (void *)mem && tvp_mpmc_capacity(m) == 64 && tvp_mpmc_item_size(m) == 24);
    CHECK_INT(tvp_blocking_ring_init(&b, mem, nb, TVP_RING_MPMC, 64, 24, 1, 5, err, sizeof err), 0);
    free(mem);
}

/* ---- blocking wrapper across tasks ---------------------------------------------------- */

/* A second task (thread or forked process) running one function. */
struct task {
    int procs;
    pthread_t th;
    pid_t pid;
    int started;
    void (*fn)(void);
};

static void *task_thread(void *p)
{
    ((struct task *)p)->fn();
    return NULL;
}

static void task_start(struct task *t, int procs, void (*fn)(void))
{
    t->procs = procs;
    t->fn = fn;
    t->started = 0;
    fflush(NULL);
    if (procs) {
        t->pid = fork();
        if (t->pid == 0) {
            fn();
            _exit(0);
        }
        CHECK_MSG(t->pid > 0, "fork: %s", strerror(errno));
        t->started = t->pid > 0;
    } else {
        int e = pthread_create(&t->th, NULL, task_thread, t);
        CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
        t->started = e == 0;
    }
}

static void task_join(struct task *t)
{
    if (!t->started)
        return;
    if (t->procs) {
        int st = 0, e = tvp_wait_child(t->pid, &st);
        CHECK_MSG(e == 0 && tvp_child_ok(st), "child: waitpid: %s, status 0x%x", strerror(e), st);
    } else {
        int e = pthread_join(t->th, NULL);
        CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
    }
}

/* Shared between main and the second task (MAP_SHARED, so it works for both). */
struct wake_shared {
    struct tvp_blocking_ring *b;
    _Atomic int result;
    _Atomic uint64_t value;
    _Atomic int64_t elapsed;
};
static struct wake_shared *ws;

static void popper(void)
{
    uint64_t v = 0;
    int64_t t0 = now_ns();
    int r = tvp_blocking_ring_pop(ws->b, &v, LONG_WAIT);
    atomic_store(&ws->elapsed, now_ns() - t0);
    atomic_store(&ws->value, v);
    atomic_store(&ws->result, r);
}

static void pusher(void)
{
    uint64_t v = 4242;
    int r = tvp_blocking_ring_push(ws->b, &v, LONG_WAIT);
    atomic_store(&ws->result, r);
}

/* Waits (bounded) until a task has registered to sleep on the wrapper. */
static int wait_sleeper(struct tvp_blocking_ring *b, int pushers)
{
    struct tvp_blocking_ring_stats st;
    int64_t t0 = now_ns();
    do {
        tvp_blocking_ring_stats(b, &st);
        if ((pushers ? st.push_sleepers : st.pop_sleepers) > 0)
            return 1;
        sleep_ms(1);
    } while (now_ns() - t0 < LONG_WAIT);
    return 0;
}

static void test_blocking(enum tvp_ring_kind kind, int procs, unsigned spin)
{
    enum { CAP = 4 };
    const char *how = procs ? "processes" : "threads";
    char err[256] = "";
    size_t need = tvp_blocking_ring_size(kind, CAP, 8);
    void *mem = map_shared(need);
    struct tvp_blocking_ring *b;
    int e = tvp_blocking_ring_init(&b, mem, need, kind, CAP, 8, procs, spin, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e != 0) {
        unmap(mem, need);
        return;
    }
    ws->b = b;
    uint64_t v = 0, items[CAP];
    size_t n;

    /* Timeouts, in the calling task. */
    int64_t t0 = now_ns();
    CHECK_INT(tvp_blocking_ring_pop(b, &v, SHORT_WAIT), ETIMEDOUT);
    int64_t el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT && el < LONG_WAIT, "%s spin %u: pop timed out after %lld ns",
              kname(kind), spin, (long long)el);
    t0 = now_ns();
    CHECK_INT(tvp_blocking_ring_pop_many(b, items, CAP, &n, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT && n == 0, "%s spin %u: pop_many timed out after %lld ns, got %zu",
              kname(kind), spin, (long long)el, n);
    for (uint64_t i = 0; i < CAP - 1; i++)
        CHECK_INT(tvp_blocking_ring_push(b, &i, SHORT_WAIT), 0);
    uint64_t two[2] = {CAP - 1, CAP};
    t0 = now_ns();
    CHECK_INT(tvp_blocking_ring_push_many(b, two, 2, &n, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT && n == 1, "%s spin %u: push_many timed out after %lld ns, did %zu",
              kname(kind), spin, (long long)el, n);
    t0 = now_ns();
    CHECK_INT(tvp_blocking_ring_push(b, &v, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT && el < LONG_WAIT, "%s spin %u: push timed out after %lld ns",
              kname(kind), spin, (long long)el);
    CHECK_INT(tvp_blocking_ring_pop_many(b, items, CAP, &n, TVP_RING_NOWAIT), 0);
    CHECK(n == CAP && items[0] == 0 && items[3] == 3);

    /* A pop sleeping on the empty ring, woken by a push. */
    struct tvp_blocking_ring_stats st;
    atomic_store(&ws->result, -1000);
    struct task t;
    task_start(&t, procs, popper);
    CHECK_MSG(wait_sleeper(b, 0), "%s %s: the popper never registered to sleep", kname(kind), how);
    sleep_ms(5);
    v = 4242;
    CHECK_INT(tvp_blocking_ring_push(b, &v, TVP_RING_NOWAIT), 0);
    task_join(&t);
    CHECK_MSG(atomic_load(&ws->result) == 0 && atomic_load(&ws->value) == 4242,
              "%s %s spin %u: woken pop returned %d with %llu", kname(kind), how, spin,
              atomic_load(&ws->result), (unsigned long long)atomic_load(&ws->value));
    CHECK_MSG(atomic_load(&ws->elapsed) < LONG_WAIT, "%s %s: the pop was not woken", kname(kind),
              how);
    tvp_blocking_ring_stats(b, &st);
    CHECK_MSG(st.pop_waits >= 1 && st.push_wakes >= 1 && st.pop_sleepers == 0,
              "%s %s: pop_waits %llu push_wakes %llu pop_sleepers %u", kname(kind), how,
              (unsigned long long)st.pop_waits, (unsigned long long)st.push_wakes, st.pop_sleepers);

    /* A push sleeping on the full ring, woken by a pop. */
    for (uint64_t i = 0; i < CAP; i++)
        CHECK_INT(tvp_blocking_ring_push(b, &i, TVP_RING_NOWAIT), 0);
    atomic_store(&ws->result, -1000);
    task_start(&t, procs, pusher);
    CHECK_MSG(wait_sleeper(b, 1), "%s %s: the pusher never registered to sleep", kname(kind), how);
    sleep_ms(5);
    CHECK_INT(tvp_blocking_ring_pop(b, &v, TVP_RING_NOWAIT), 0);
    CHECK_INT(v, 0);
    task_join(&t);
    CHECK_MSG(atomic_load(&ws->result) == 0, "%s %s spin %u: woken push returned %d", kname(kind),
              how, spin, atomic_load(&ws->result));
    for (uint64_t i = 1; i <= CAP; i++) {
        CHECK_INT(tvp_blocking_ring_pop(b, &v, TVP_RING_NOWAIT), 0);
        CHECK_INT(v, i < CAP ? i : 4242);
    }
    CHECK_INT(tvp_blocking_ring_pop(b, &v, TVP_RING_NOWAIT), EAGAIN);
    tvp_blocking_ring_stats(b, &st);
    CHECK_MSG(st.push_waits >= 1 && st.pop_wakes >= 1 && st.push_sleepers == 0,
              "%s %s: push_waits %llu pop_wakes %llu push_sleepers %u", kname(kind), how,
              (unsigned long long)st.push_waits, (unsigned long long)st.pop_wakes,
              st.push_sleepers);
    unmap(mem, need);
}

/* ---- stress ----------------------------------------------------------------------------- */

enum mode { RAW, RAW_BATCH, BLOCK, BLOCK_BATCH };
static const char *const mode_name[] = {"raw", "raw batch", "blocking", "blocking batch"};

#define MAXP   4
#define MAXC   4
#define BATCH  7
#define POISON UINT32_MAX

struct sitem {
    uint32_t producer;
    uint32_t check;
    uint64_t seq;
};

static uint32_t check_of(uint32_t producer, uint64_t seq)
{
    return (uint32_t)(seq * 2654435761u) ^ (producer * 0x9e3779b9u) ^ (uint32_t)(seq >> 32);
}

struct cons_result {
    uint64_t count, sum;
    uint64_t corrupt, order; /* bad check words; a seq not above the last from its producer */
    int64_t first_bad_seq;
    int timeouts; /* a call ran out of the 20 s: lost items or a lost wake-up */
};

struct stress {
    enum tvp_ring_kind kind;
    enum mode mode;
    int np, nc;
    uint64_t per_producer;       /* items each producer sends */
    void *ring;                  /* struct tvp_spsc, tvp_mpmc, or tvp_blocking_ring */
    uint64_t *bitmaps;           /* nc x np x per_producer bits */
    size_t words;                /* 64-bit words of one producer's bitmap */
    int64_t deadline;            /* CLOCK_MONOTONIC ns: producers stop sending here (the budget) */
    _Atomic uint64_t sent[MAXP]; /* items each producer sent, stored before producers_done */
    _Atomic int next_id;
    _Atomic int producers_done;
    _Atomic uint64_t taken; /* raw MPMC: consumers stop when it reaches the total */
    _Atomic int prod_timeouts;
    struct cons_result res[MAXC];
};
static struct stress *ss;

/* When this task's tries began to fail without a success since (0: its last try succeeded). */
static _Thread_local int64_t stuck_since;

static void progressed(void)
{
    stuck_since = 0;
}

/* Between failed tries: pause, and let the other task run when the CPUs are shared (2 vCPUs and
 * more tasks than that). -1 once this task has failed for 20 s on end: a lost item must fail the
 * test, not hang it, but a stream that only runs slowly beside other load is not stuck (the
 * same limit the blocking modes give each call). */
static int backoff(unsigned *n)
{
    if (++*n < 64) {
        TVP_RING_PAUSE();
        return 0;
    }
    *n = 0;
    sched_yield();
    int64_t t = now_ns();
    if (stuck_since == 0)
        stuck_since = t;
    return t - stuck_since < STRESS_WAIT ? 0 : -1;
}

static int raw_push(const struct sitem *it)
{
    return ss->kind == TVP_RING_SPSC ? tvp_spsc_try_push(ss->ring, it)
                                     : tvp_mpmc_try_push(ss->ring, it);
}

static int raw_pop(struct sitem *it)
{
    return ss->kind == TVP_RING_SPSC ? tvp_spsc_try_pop(ss->ring, it)
                                     : tvp_mpmc_try_pop(ss->ring, it);
}

/* Pushes n items, by the mode's calls. Returns 0, or -1 when it was stuck for 20 s. */
static int put(const struct sitem *its, size_t n)
{
    unsigned spins = 0;
    size_t done;
    switch (ss->mode) {
    case RAW:
        for (size_t i = 0; i < n; i++) {
            while (raw_push(&its[i]) != 0)
                if (backoff(&spins) != 0)
                    return -1;
            progressed();
        }
        return 0;
    case RAW_BATCH:
        for (size_t i = 0; i < n;) {
            size_t k = tvp_spsc_push_many(ss->ring, its + i, n - i);
            if (k == 0 && backoff(&spins) != 0)
                return -1;
            if (k > 0)
                progressed();
            i += k;
        }
        return 0;
    case BLOCK:
        for (size_t i = 0; i < n; i++)
            if (tvp_blocking_ring_push(ss->ring, &its[i], STRESS_WAIT) != 0)
                return -1;
        return 0;
    case BLOCK_BATCH:
        return tvp_blocking_ring_push_many(ss->ring, its, n, &done, STRESS_WAIT) == 0 && done == n
                   ? 0
                   : -1;
    }
    return -1;
}

/* Items the producers sent in all, once every one has stopped; UINT64_MAX before. */
static uint64_t stream_total(void)
{
    if (atomic_load(&ss->producers_done) < ss->np)
        return UINT64_MAX;
    uint64_t total = 0;
    for (int p = 0; p < ss->np; p++)
        total += atomic_load(&ss->sent[p]);
    return total;
}

/* Pops 1..max items; 0 when the raw MPMC stream is over (count reached), -1 on a timeout. */
static long get(struct sitem *its, size_t max)
{
    unsigned spins = 0;
    size_t got;
    switch (ss->mode) {
    case RAW:
        for (;;) {
            if (raw_pop(its) == 0) {
                progressed();
                return 1;
            }
            if (ss->kind == TVP_RING_MPMC && atomic_load(&ss->taken) >= stream_total())
                return 0;
            if (backoff(&spins) != 0)
                return -1;
        }
    case RAW_BATCH:
        for (;;) {
            size_t k = tvp_spsc_pop_many(ss->ring, its, max);
            if (k > 0) {
                progressed();
                return (long)k;
            }
            if (backoff(&spins) != 0)
                return -1;
        }
    case BLOCK:
        return tvp_blocking_ring_pop(ss->ring, its, STRESS_WAIT) == 0 ? 1 : -1;
    case BLOCK_BATCH:
        return tvp_blocking_ring_pop_many(ss->ring, its, max, &got, STRESS_WAIT) == 0 ? (long)got
                                                                                      : -1;
    }
    return -1;
}

static int producer(int p)
{
    struct sitem b[BATCH];
    uint64_t seq = 0, n = ss->per_producer;
    int batch = ss->mode == RAW_BATCH || ss->mode == BLOCK_BATCH;
    for (unsigned round = 0; seq < n; round++) {
        /* The budget keeps a slow machine (sanitizers, other load) from stretching the test:
         * the checks below hold for whatever count was sent. */
        if (round % 64 == 0 && now_ns() > ss->deadline)
            break;
        size_t k = batch ? 1 + (size_t)(seq % BATCH) : 1; /* batch sizes 1..7, all mixed */
        if (k > n - seq)
            k = (size_t)(n - seq);
        for (size_t i = 0; i < k; i++)
            b[i] = (struct sitem){(uint32_t)p, check_of((uint32_t)p, seq + i), seq + i};
        if (put(b, k) != 0) {
            atomic_fetch_add(&ss->prod_timeouts, 1);
            return 1;
        }
        seq += k;
    }
    atomic_store(&ss->sent[p], seq);
    /* The last producer to finish sends one poison per consumer (raw MPMC consumers count
     * instead): every real item holds an earlier position, so each consumer has taken its share
     * when it meets a poison. */
    if (atomic_fetch_add(&ss->producers_done, 1) + 1 == ss->np &&
        !(ss->kind == TVP_RING_MPMC && ss->mode == RAW)) {
        struct sitem poison = {POISON, 0, 0};
        for (int c = 0; c < ss->nc; c++)
            if (put(&poison, 1) != 0) {
                atomic_fetch_add(&ss->prod_timeouts, 1);
                return 1;
            }
    }
    return 0;
}

static int consumer(int c)
{
    struct cons_result *r = &ss->res[c];
    int64_t last[MAXP];
    struct sitem b[BATCH + 1];
    uint64_t *bm = ss->bitmaps + (size_t)c * ss->np * ss->words;
    int spsc = ss->kind == TVP_RING_SPSC;
    int poisoned = 0;
    for (int p = 0; p < MAXP; p++)
        last[p] = -1;
    r->first_bad_seq = -1;
    while (!poisoned) {
        long k = get(b, BATCH + 1);
        if (k < 0) {
            r->timeouts++;
            return 1;
        }
        if (k == 0)
            break; /* raw MPMC: every item taken */
        if (!spsc && ss->mode == RAW)
            atomic_fetch_add(&ss->taken, 1);
        for (long i = 0; i < k; i++) {
            struct sitem *it = &b[i];
            if (it->producer == POISON) {
                if (poisoned) { /* a second poison is another consumer's: give it back */
                    if (put(it, 1) != 0) {
                        r->timeouts++;
                        return 1;
                    }
                }
                poisoned = 1;
                continue;
            }
            if (it->producer >= (uint32_t)ss->np || it->seq >= ss->per_producer ||
                it->check != check_of(it->producer, it->seq)) {
                if (r->corrupt++ == 0)
                    r->first_bad_seq = (int64_t)it->seq;
                continue;
            }
            int p = (int)it->producer;
            /* SPSC: exactly the next one; MPMC: above the last from that producer. */
            if (spsc ? (int64_t)it->seq != last[p] + 1 : (int64_t)it->seq <= last[p]) {
                if (r->order++ == 0)
                    r->first_bad_seq = (int64_t)it->seq;
            }
            last[p] = (int64_t)it->seq;
            bm[(size_t)p * ss->words + it->seq / 64] |= (uint64_t)1 << (it->seq % 64);
            r->count++;
            r->sum += it->seq + (uint64_t)p * 1000003u;
        }
    }
    return 0;
}

static int stress_task(void *arg)
{
    (void)arg;
    int id = atomic_fetch_add(&ss->next_id, 1);
    return id < ss->np ? producer(id) : consumer(id - ss->np);
}

/* The tail of a stress line when the budget cut the stream short. */
static const char *budget_words(uint64_t sent, uint64_t planned)
{
    static char buf[64];
    if (sent >= planned)
        return "";
    snprintf(buf, sizeof buf, " (%llu sent: stopped at the time budget)", (unsigned long long)sent);
    return buf;
}

static void stress(enum tvp_ring_kind kind, enum mode mode, int procs, int np, int nc, size_t cap,
                   uint64_t per_producer)
{
    char err[256] = "";
    char what[128];
    snprintf(what, sizeof what, "%s %s %dx%d %s cap %zu, %llu each", kname(kind), mode_name[mode],
             np, nc, procs ? "processes" : "threads", cap, (unsigned long long)per_producer);
    int blocking = mode == BLOCK || mode == BLOCK_BATCH;
    size_t isz = sizeof(struct sitem);
    size_t rlen = blocking                ? tvp_blocking_ring_size(kind, cap, isz)
                  : kind == TVP_RING_SPSC ? tvp_spsc_size(cap, isz)
                                          : tvp_mpmc_size(cap, isz);
    size_t words = (size_t)(per_producer + 63) / 64;
    size_t blen = (size_t)nc * (size_t)np * words * sizeof(uint64_t);
    ss = map_shared(sizeof *ss);
    memset(ss, 0, sizeof *ss);
    void *rmem = map_shared(rlen);
    ss->bitmaps = map_shared(blen); /* zero-filled */
    ss->kind = kind;
    ss->mode = mode;
    ss->np = np;
    ss->nc = nc;
    ss->per_producer = per_producer;
    ss->words = words;
    ss->deadline = now_ns() + STRESS_BUDGET;
    int e;
    if (blocking) {
        struct tvp_blocking_ring *b;
        e = tvp_blocking_ring_init(&b, rmem, rlen, kind, cap, isz, procs, 0, err, sizeof err);
        ss->ring = b;
    } else if (kind == TVP_RING_SPSC) {
        struct tvp_spsc *r;
        e = tvp_spsc_init(&r, rmem, rlen, cap, isz, err, sizeof err);
        ss->ring = r;
    } else {
        struct tvp_mpmc *r;
        e = tvp_mpmc_init(&r, rmem, rlen, cap, isz, err, sizeof err);
        ss->ring = r;
    }
    CHECK_MSG(e == 0, "%s: init: %s", what, err);
    int64_t t0 = now_ns();
    _Atomic int results[MAXP + MAXC];
    int bad = e == 0 ? run_tasks(procs, np + nc, stress_task, NULL, results) : 1;
    int64_t el = now_ns() - t0;
    CHECK_MSG(bad == 0, "%s: %d tasks failed", what, bad);
    CHECK_MSG(atomic_load(&ss->prod_timeouts) == 0, "%s: %d producers timed out", what,
              atomic_load(&ss->prod_timeouts));

    uint64_t count = 0, sum = 0, corrupt = 0, order = 0;
    int timeouts = 0;
    for (int c = 0; c < nc; c++) {
        struct cons_result *r = &ss->res[c];
        count += r->count;
        sum += r->sum;
        corrupt += r->corrupt;
        order += r->order;
        timeouts += r->timeouts;
        CHECK_MSG(r->corrupt == 0 && r->order == 0,
                  "%s: consumer %d: %llu corrupt, %llu out of order, first at seq %lld", what, c,
                  (unsigned long long)r->corrupt, (unsigned long long)r->order,
                  (long long)r->first_bad_seq);
    }
    CHECK_MSG(timeouts == 0, "%s: %d consumers timed out (lost items or a lost wake-up)", what,
              timeouts);
    uint64_t total = 0, want_sum = 0, least = per_producer;
    for (int p = 0; p < np; p++) {
        uint64_t n = atomic_load(&ss->sent[p]);
        total += n;
        want_sum += n * (n - 1) / 2 + n * (uint64_t)p * 1000003u; /* 0 when n is 0 */
        least = n < least ? n : least;
    }
    CHECK_MSG(least > 0, "%s: a producer sent nothing within the budget", what);
    CHECK_MSG(count == total, "%s: %llu items consumed, %llu sent", what, (unsigned long long)count,
              (unsigned long long)total);
    CHECK_MSG(sum == want_sum, "%s: checksum %llu, expected %llu", what, (unsigned long long)sum,
              (unsigned long long)want_sum);
    /* Merged bitmaps: each item sent seen by exactly one consumer, none that was not sent. */
    uint64_t missing = 0, dups = 0;
    for (int p = 0; p < np; p++) {
        uint64_t n = atomic_load(&ss->sent[p]);
        for (uint64_t s = 0; s < per_producer; s++) {
            int seen = 0;
            for (int c = 0; c < nc; c++)
                seen += (int)((ss->bitmaps[((size_t)c * np + p) * words + s / 64] >> (s % 64)) & 1);
            missing += s < n && seen == 0;
            dups += seen > (s < n);
        }
    }
    CHECK_MSG(missing == 0 && dups == 0, "%s: %llu items lost, %llu delivered twice", what,
              (unsigned long long)missing, (unsigned long long)dups);
    if (blocking) {
        struct tvp_blocking_ring_stats st;
        tvp_blocking_ring_stats(ss->ring, &st);
        printf("  %-46s %6.0f ns/item, futex waits %llu push / %llu pop%s\n", what,
               (double)el / (double)total, (unsigned long long)st.push_waits,
               (unsigned long long)st.pop_waits, budget_words(total, per_producer * np));
    } else {
        printf("  %-46s %6.0f ns/item%s\n", what, (double)el / (double)total,
               budget_words(total, per_producer * np));
    }
    unmap(ss->bitmaps, blen);
    unmap(rmem, rlen);
    unmap(ss, sizeof *ss);
    ss = NULL;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fds_before = count_fds();
    int64_t t_start = now_ns();

    static const size_t sizes[] = {8, 24, 64};
    static const size_t caps[] = {2, 8, 64};
    for (int kind = 0; kind < 2; kind++) {
        int f0 = check_failed;
        for (size_t i = 0; i < 3; i++)
            for (size_t j = 0; j < 3; j++) {
                test_fill_drain((enum tvp_ring_kind)kind, caps[j], sizes[i]);
                test_random_walk((enum tvp_ring_kind)kind, caps[j], sizes[i], 20000);
            }
        if (kind == TVP_RING_SPSC)
            for (size_t i = 0; i < 3; i++)
                test_spsc_batches(sizes[i]);
        test_blocking_nowait((enum tvp_ring_kind)kind);
        printf("  %s single task: %s\n", kname((enum tvp_ring_kind)kind),
               check_failed == f0 ? "ok" : "FAILED");
    }
    int f0 = check_failed;
    test_bad_arguments();
    printf("  bad arguments: %s\n", check_failed == f0 ? "ok" : "FAILED");

    ws = map_shared(sizeof *ws);
    for (int kind = 0; kind < 2; kind++)
        for (int procs = 0; procs <= 1; procs++)
            for (unsigned spin = 0; spin <= 1000; spin += 1000) {
                f0 = check_failed;
                test_blocking((enum tvp_ring_kind)kind, procs, spin);
                printf("  %s blocking, %s, spin %u: %s\n", kname((enum tvp_ring_kind)kind),
                       procs ? "processes" : "threads", spin, check_failed == f0 ? "ok" : "FAILED");
            }
    unmap(ws, sizeof *ws);

    /* Raw streams move ~10x more items than the blocking ones, which sleep in the kernel. */
    uint64_t n_raw = TEST_TSAN ? 100000 : 1000000, n_block = TEST_TSAN ? 20000 : 200000;
    uint64_t n_mpmc = TEST_TSAN ? 20000 : 100000, n_mpmc_block = TEST_TSAN ? 5000 : 30000;
    for (int procs = 0; procs <= 1; procs++)
        for (size_t cap = 64; cap >= 2; cap /= 32) {
            stress(TVP_RING_SPSC, RAW, procs, 1, 1, cap, n_raw);
            stress(TVP_RING_SPSC, RAW_BATCH, procs, 1, 1, cap, n_raw);
            /* At capacity 2 with spin 0 nearly every item is a sleep and a wake (~20 us). */
            uint64_t nb = cap == 2 ? n_block / 10 : n_block;
            stress(TVP_RING_SPSC, BLOCK, procs, 1, 1, cap, nb);
            stress(TVP_RING_SPSC, BLOCK_BATCH, procs, 1, 1, cap, nb);
        }
    for (int procs = 0; procs <= 1; procs++) {
        int n = procs ? 2 : 4;
        stress(TVP_RING_MPMC, RAW, procs, n, n, 4, n_mpmc);
        stress(TVP_RING_MPMC, BLOCK, procs, n, n, 4, n_mpmc_block);
        stress(TVP_RING_MPMC, BLOCK_BATCH, procs, n, n, 4, n_mpmc_block);
    }

    CHECK_MSG(count_fds() == fds_before, "open descriptors: %d before, %d after", fds_before,
              count_fds());
    CHECK_MSG(no_children(), "a child process is left");
    printf("  total %.1f s\n", (double)(now_ns() - t_start) / 1e9);
    return CHECK_DONE();
}
