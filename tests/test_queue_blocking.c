/* Validate and stress tests of the blocking queue (primitives/tvp_queue.h), for each order
 * (FIFO, LIFO, priority), private (tvp_queue_create) and process-shared (tvp_queue_init_shared
 * in a MAP_SHARED anonymous mapping, used by forked children).
 *
 * Single task: the order of each kind (priority with random priorities and ties: ties leave in
 * put order), qsize, EAGAIN for NOWAIT on full and empty, ETIMEDOUT for a timed put on full and
 * a timed get on empty, not before the 50 ms have passed; put_many/get_many in parts across the
 * ring's wrap-around; an unbounded queue past 100000 items (grown while its ring was wrapped)
 * keeping its order; and a random walk of 3000 operations of every kind against a reference
 * model, for three item sizes, bounded private, shared and unbounded. Refusals with EINVAL.
 *
 * Between tasks: a get blocked on empty is woken by a put from another thread or process, a put
 * blocked on full by a get; four sleepers are all woken by batches smaller than their number
 * (one signal per item) and by one batch as large (a broadcast); signals sent to a task
 * sleeping in a timed get/put neither end it with an error nor shorten its timeout; join times
 * out while items are outstanding (also when they were got but not task_done'd) and returns
 * once the consumers, threads or processes, have task_done'd every item, and not before.
 *
 * Timing assertions are only "a timeout did not return early" and "a woken sleeper returned
 * before its 30 s timeout" (a hang guard no real wake-up comes near): a timed wait that loses its
 * wake-up still takes the item when its time runs out (by design), so only the time tells that
 * it was not woken.
 *
 * Stress: 8 producers x 8 consumer threads, then 4 x 4 processes, through a queue of capacity 4
 * (so both sides block all the time), half of them with put_many/get_many: every (producer,
 * sequence) received exactly once (per-consumer bitmaps merged), each producer's sequence
 * increasing as every consumer sees it (FIFO), payloads and priorities intact (checksum), join
 * returning after the last task_done and promptly. FIFO consumers stop on poison items the main
 * task puts after the producers are done; LIFO and priority consumers claim their share from a
 * counter first (a poison would not come last).
 *
 * Nothing is left behind: no child, no descriptor. Forks happen while the test is
 * single-threaded, and the children start no threads, so they run under TSan too. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_queue.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define LONG_WAIT 10000000000LL /* 10 s: only a broken queue reaches it */
/* A sleeper that another task wakes waits at most this long, and must return before it: a
 * timed wait that loses its wake-up still takes the item when it times out (by design), so only
 * the time tells a lost wake-up apart. Long enough that no load delays a real wake-up so much;
 * only a lost one costs it. */
#define WAKE_WAIT  30000000000LL
#define SHORT_WAIT 50000000LL /* 50 ms */
#define PENDING    (-1000)    /* a result not written yet */
#define MAXT       16         /* tasks per group */

static const enum tvp_queue_order orders[] = {TVP_QUEUE_FIFO, TVP_QUEUE_LIFO, TVP_QUEUE_PRIORITY};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static uint64_t rnd_state = 0x5eed;
static uint64_t rnd(void)
{
    return mix64(rnd_state++);
}

static void *map_shared(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("test_queue_blocking: mmap");
        exit(2);
    }
    return p;
}

static void unmap(void *p, size_t len)
{
    if (munmap(p, len) != 0) {
        perror("test_queue_blocking: munmap");
        exit(2);
    }
}

/* ---- a queue under test: private, or shared in a mapping of its own ---- */

struct tq {
    struct tvp_queue *q;
    void *mem;
    size_t len;
    int shared;
    char what[64]; /* "fifo shared", for messages */
};

static int tq_open(struct tq *t, enum tvp_queue_order o, size_t cap, size_t isz, int shared)
{
    char err[256] = "";
    int e;
    memset(t, 0, sizeof *t);
    t->shared = shared;
    snprintf(t->what, sizeof t->what, "%s %s%s", tvp_queue_order_name(o),
             shared ? "shared" : "private", cap == TVP_QUEUE_UNBOUNDED ? " unbounded" : "");
    if (shared) {
        t->len = tvp_queue_shared_size(cap, isz);
        CHECK_MSG(t->len > 0, "%s: shared_size(%zu, %zu) is 0", t->what, cap, isz);
        if (t->len == 0)
            return EINVAL;
        t->mem = map_shared(t->len);
        e = tvp_queue_init_shared(&t->q, t->mem, t->len, o, cap, isz, err, sizeof err);
        CHECK(e != 0 || t->q == t->mem);
    } else {
        e = tvp_queue_create(&t->q, o, cap, isz, err, sizeof err);
    }
    CHECK_MSG(e == 0, "%s: open: %s", t->what, err);
    if (e != 0 && t->mem != NULL)
        unmap(t->mem, t->len);
    return e;
}

static void tq_close(struct tq *t)
{
    CHECK_MSG(tvp_queue_destroy(t->q) == 0, "%s: destroy", t->what);
    if (t->mem != NULL)
        unmap(t->mem, t->len);
}

/* ---- tasks: threads or forked processes running fn(arg, id) ---- */

typedef int (*task_fn)(void *arg, int id);

struct task_slot {
    task_fn fn;
    void *arg;
    int id;
    int rc;
};

struct tasks {
    int procs, n, started;
    pthread_t th[MAXT];
    pid_t pid[MAXT];
    struct task_slot slot[MAXT];
};

static void *task_thread(void *p)
{
    struct task_slot *s = p;
    s->rc = s->fn(s->arg, s->id);
    return NULL;
}

static void tasks_start(struct tasks *ts, int procs, int n, task_fn fn, void *arg)
{
    ts->procs = procs;
    ts->n = n;
    ts->started = 0;
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        ts->slot[i] = (struct task_slot){fn, arg, i, PENDING};
        if (procs) {
            ts->pid[i] = fork();
            if (ts->pid[i] < 0) {
                CHECK_MSG(0, "fork: %s", strerror(errno));
                break;
            }
            if (ts->pid[i] == 0)
                _exit(fn(arg, i) == 0 ? 0 : 1);
        } else {
            int e = pthread_create(&ts->th[i], NULL, task_thread, &ts->slot[i]);
            if (e != 0) {
                CHECK_MSG(0, "pthread_create: %s", strerror(e));
                break;
            }
        }
        ts->started++;
    }
}

/* Waits for every started task; returns how many failed or did not start. */
static int tasks_wait(struct tasks *ts)
{
    int bad = ts->n - ts->started;
    for (int i = 0; i < ts->started; i++) {
        if (ts->procs) {
            int st = 0, e = tvp_wait_child(ts->pid[i], &st);
            if (e != 0 || !tvp_child_ok(st)) {
                fprintf(stderr, "task %d: waitpid: %s, status 0x%x\n", i, strerror(e), st);
                bad++;
            }
        } else {
            int e = pthread_join(ts->th[i], NULL);
            if (e != 0 || ts->slot[i].rc != 0) {
                fprintf(stderr, "task %d: pthread_join: %s, returned %d\n", i, strerror(e),
                        ts->slot[i].rc);
                bad++;
            }
        }
    }
    return bad;
}

/* Polls *flag until it reaches want (10 s at most). */
static void await_flag(_Atomic int *flag, int want)
{
    int64_t t0 = now_ns();
    while (atomic_load(flag) < want && now_ns() - t0 < LONG_WAIT)
        sleep_ms(1);
}

/* ---- items of the single-task tests: an id, then bytes that depend on it ---- */

#define MAX_ISZ 64

static void fill(unsigned char *buf, size_t isz, uint32_t id)
{
    unsigned char full[MAX_ISZ];
    memcpy(full, &id, sizeof id);
    for (size_t j = sizeof id; j < MAX_ISZ; j++)
        full[j] = (unsigned char)(id * 7u + j * 13u);
    memcpy(buf, full, isz);
}

/* The reference the queue is compared with. FIFO: ids[head .. tail) oldest first; LIFO: a
 * stack ids[0 .. tail); PRIORITY: an unordered ids[0 .. tail), the smallest (prio, seq) found by
 * a scan, or, once sorted (no more puts), taken from head like FIFO. */
struct model {
    enum tvp_queue_order o;
    size_t head, tail, max;
    int sorted;
    uint64_t next_seq;
    uint32_t *id;
    int64_t *prio;
    uint64_t *seq;
};

static void model_init(struct model *m, enum tvp_queue_order o, size_t max)
{
    memset(m, 0, sizeof *m);
    m->o = o;
    m->max = max;
    m->id = calloc(max, sizeof *m->id);
    m->prio = calloc(max, sizeof *m->prio);
    m->seq = calloc(max, sizeof *m->seq);
    if (m->id == NULL || m->prio == NULL || m->seq == NULL) {
        perror("test_queue_blocking: calloc");
        exit(2);
    }
}

static void model_free(struct model *m)
{
    free(m->id);
    free(m->prio);
    free(m->seq);
}

static size_t model_size(const struct model *m)
{
    return m->tail - m->head;
}

static void model_put(struct model *m, uint32_t id, int64_t prio)
{
    if (m->tail == m->max) {
        fprintf(stderr, "test_queue_blocking: model full\n");
        exit(2);
    }
    m->id[m->tail] = id;
    m->prio[m->tail] = prio;
    m->seq[m->tail] = m->next_seq++;
    m->tail++;
}

static void model_get(struct model *m, uint32_t *id, int64_t *prio)
{
    size_t i;
    if (m->o == TVP_QUEUE_FIFO || m->sorted) {
        i = m->head++;
    } else if (m->o == TVP_QUEUE_LIFO) {
        i = --m->tail;
    } else {
        i = 0;
        for (size_t j = 1; j < m->tail; j++)
            if (m->prio[j] < m->prio[i] || (m->prio[j] == m->prio[i] && m->seq[j] < m->seq[i]))
                i = j;
        *id = m->id[i];
        *prio = m->prio[i];
        m->tail--;
        m->id[i] = m->id[m->tail];
        m->prio[i] = m->prio[m->tail];
        m->seq[i] = m->seq[m->tail];
        return;
    }
    *id = m->id[i];
    *prio = m->prio[i];
}

static struct model *sort_m;
static int by_key(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (sort_m->prio[i] != sort_m->prio[j])
        return sort_m->prio[i] < sort_m->prio[j] ? -1 : 1;
    return sort_m->seq[i] < sort_m->seq[j] ? -1 : sort_m->seq[i] > sort_m->seq[j];
}

/* PRIORITY: sorts what is held by (prio, seq) so gets are O(1); no put may follow. */
static void model_sort(struct model *m)
{
    if (m->o != TVP_QUEUE_PRIORITY || m->sorted)
        return;
    size_t n = m->tail, *ix = malloc((n + 1) * sizeof *ix);
    uint32_t *id = malloc((n + 1) * sizeof *id);
    int64_t *prio = malloc((n + 1) * sizeof *prio);
    if (ix == NULL || id == NULL || prio == NULL) {
        perror("test_queue_blocking: malloc");
        exit(2);
    }
    for (size_t i = 0; i < n; i++)
        ix[i] = i;
    sort_m = m;
    qsort(ix, n, sizeof *ix, by_key);
    for (size_t i = 0; i < n; i++) {
        id[i] = m->id[ix[i]];
        prio[i] = m->prio[ix[i]];
    }
    memcpy(m->id, id, n * sizeof *id);
    memcpy(m->prio, prio, n * sizeof *prio);
    m->head = 0;
    m->sorted = 1;
    free(ix);
    free(id);
    free(prio);
}

/* Mismatches inside loops: the first few are printed, the loop ends with one CHECK. */
static int nfail;
#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond) && nfail++ < 5) {                                                              \
            fprintf(stderr, "%s:%d: expected %s: ", __FILE__, __LINE__, #cond);                    \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* One get compared with the model: the item's bytes, its priority when asked for. */
static void expect_item(const char *what, struct model *m, const unsigned char *buf, size_t isz,
                        const int64_t *prio)
{
    uint32_t want_id;
    int64_t want_prio;
    unsigned char want[MAX_ISZ];
    model_get(m, &want_id, &want_prio);
    fill(want, isz, want_id);
    uint32_t got_id;
    memcpy(&got_id, buf, sizeof got_id);
    EXPECT(memcmp(buf, want, isz) == 0, "%s: got item %u, expected %u", what, got_id, want_id);
    if (prio != NULL)
        EXPECT(*prio == want_prio, "%s: got priority %" PRId64 ", expected %" PRId64, what, *prio,
               want_prio);
}

/* ---- single-task semantics ---- */

static int64_t random_prio(void)
{
    uint64_t r = rnd() % 20;
    if (r == 0)
        return INT64_MIN;
    if (r == 1)
        return INT64_MAX;
    return (int64_t)(r % 5) - 2; /* few values: many ties */
}

/* Fills a queue of capacity 16 with random (tied) priorities, then: full refuses, a timed put
 * times out, the gets come in order with their priorities, empty refuses, a timed get times
 * out. For every order, private and shared. */
static void test_basic(enum tvp_queue_order o, int shared)
{
    enum { CAP = 16 };
    struct tq t;
    if (tq_open(&t, o, CAP, 8, shared) != 0)
        return;
    struct model m;
    model_init(&m, o, 64);
    unsigned char buf[MAX_ISZ];
    nfail = 0;
    CHECK_INT(tvp_queue_capacity(t.q), CAP);
    CHECK_INT(tvp_queue_item_size(t.q), 8);
    CHECK_INT(tvp_queue_qsize(t.q), 0);
    for (uint32_t i = 0; i < CAP; i++) {
        int64_t p = (int64_t)(rnd() % 4);
        fill(buf, 8, i);
        EXPECT(tvp_queue_put(t.q, buf, p, i % 2 ? TVP_QUEUE_NOWAIT : TVP_QUEUE_FOREVER) == 0,
               "%s: put %u", t.what, i);
        model_put(&m, i, p);
        EXPECT(tvp_queue_qsize(t.q) == i + 1, "%s: qsize %zu after %u puts", t.what,
               tvp_queue_qsize(t.q), i + 1);
    }
    fill(buf, 8, 999);
    CHECK_INT(tvp_queue_put(t.q, buf, 0, TVP_QUEUE_NOWAIT), EAGAIN);
    int64_t t0 = now_ns();
    CHECK_INT(tvp_queue_put(t.q, buf, 0, SHORT_WAIT), ETIMEDOUT);
    int64_t el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed put on full returned after %" PRId64 " ns", t.what, el);
    CHECK_MSG(el < LONG_WAIT, "%s: timed put on full took %" PRId64 " ns", t.what, el);
    CHECK_INT(tvp_queue_qsize(t.q), CAP);
    model_sort(&m);
    for (int i = 0; i < CAP; i++) {
        int64_t p = -12345;
        int r = tvp_queue_get(t.q, buf, i % 3 == 2 ? NULL : &p,
                              i % 2 ? TVP_QUEUE_NOWAIT : TVP_QUEUE_FOREVER);
        EXPECT(r == 0, "%s: get %d returned %d", t.what, i, r);
        expect_item(t.what, &m, buf, 8, i % 3 == 2 ? NULL : &p);
        EXPECT(tvp_queue_qsize(t.q) == (size_t)(CAP - 1 - i), "%s: qsize %zu", t.what,
               tvp_queue_qsize(t.q));
    }
    CHECK_MSG(nfail == 0, "%s: order and qsize", t.what);
    CHECK_INT(tvp_queue_get(t.q, buf, NULL, TVP_QUEUE_NOWAIT), EAGAIN);
    t0 = now_ns();
    CHECK_INT(tvp_queue_get(t.q, buf, NULL, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed get on empty returned after %" PRId64 " ns", t.what, el);
    CHECK_MSG(el < LONG_WAIT, "%s: timed get on empty took %" PRId64 " ns", t.what, el);
    CHECK_INT(tvp_queue_qsize(t.q), 0);
    /* Still usable after the timeouts. */
    fill(buf, 8, 7);
    CHECK_INT(tvp_queue_put(t.q, buf, -3, TVP_QUEUE_NOWAIT), 0);
    int64_t p = 0;
    memset(buf, 0, 8);
    CHECK_INT(tvp_queue_get(t.q, buf, &p, TVP_QUEUE_NOWAIT), 0);
    uint32_t id;
    memcpy(&id, buf, 4);
    CHECK_INT(id, 7);
    CHECK_INT(p, -3);
    model_free(&m);
    tq_close(&t);
}

/* put_many/get_many in parts, across the wrap-around of a capacity-8 queue whose head is moved
 * to slot 5 first; their NOWAIT and timed refusals with what did move reported. */
static void test_many(enum tvp_queue_order o, int shared)
{
    enum { CAP = 8, ISZ = 13 };
    struct tq t;
    if (tq_open(&t, o, CAP, ISZ, shared) != 0)
        return;
    struct model m;
    model_init(&m, o, 256);
    unsigned char items[32 * ISZ];
    int64_t prios[32], gp[32];
    uint32_t next = 0;
    size_t n = 0;
    nfail = 0;
    for (int i = 0; i < 5; i++) {
        fill(items, ISZ, next);
        CHECK_INT(tvp_queue_put(t.q, items, 0, TVP_QUEUE_NOWAIT), 0);
        model_put(&m, next++, 0);
    }
    CHECK_INT(tvp_queue_get_many(t.q, items, gp, 10, &n, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(n, 5);
    for (size_t i = 0; i < n; i++)
        expect_item(t.what, &m, items + i * ISZ, ISZ, &gp[i]);

    /* 10 into 8 free slots, from slot 5: 3 before the wrap, 5 after. */
    for (int i = 0; i < 10; i++) {
        fill(items + i * ISZ, ISZ, next + (uint32_t)i);
        prios[i] = (int64_t)(rnd() % 3);
    }
    CHECK_INT(tvp_queue_put_many(t.q, items, prios, 10, &n, TVP_QUEUE_NOWAIT), EAGAIN);
    CHECK_INT(n, 8);
    for (size_t i = 0; i < n; i++)
        model_put(&m, next++, prios[i]);
    CHECK_INT(tvp_queue_qsize(t.q), 8);
    CHECK_INT(tvp_queue_put_many(t.q, items, prios, 2, &n, TVP_QUEUE_NOWAIT), EAGAIN);
    CHECK_INT(n, 0);

    CHECK_INT(tvp_queue_get_many(t.q, items, gp, 3, &n, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++)
        expect_item(t.what, &m, items + i * ISZ, ISZ, &gp[i]);
    CHECK_INT(tvp_queue_get_many(t.q, items, NULL, 10, &n, TVP_QUEUE_FOREVER), 0);
    CHECK_INT(n, 5);
    for (size_t i = 0; i < n; i++)
        expect_item(t.what, &m, items + i * ISZ, ISZ, NULL);
    CHECK_INT(tvp_queue_get_many(t.q, items, gp, 4, &n, TVP_QUEUE_NOWAIT), EAGAIN);
    CHECK_INT(n, 0);

    /* A timed put_many that fits 8 of 10 (prios NULL: priority 0), then times out. */
    for (int i = 0; i < 10; i++)
        fill(items + i * ISZ, ISZ, next + (uint32_t)i);
    int64_t t0 = now_ns();
    CHECK_INT(tvp_queue_put_many(t.q, items, NULL, 10, &n, SHORT_WAIT), ETIMEDOUT);
    int64_t el = now_ns() - t0;
    CHECK_INT(n, 8);
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed put_many returned after %" PRId64 " ns", t.what, el);
    for (size_t i = 0; i < n; i++)
        model_put(&m, next++, 0);
    CHECK_INT(tvp_queue_put_many(t.q, items, NULL, 0, &n, TVP_QUEUE_NOWAIT), 0); /* nothing */
    CHECK_INT(n, 0);
    CHECK_INT(tvp_queue_get_many(t.q, items, gp, 32, &n, SHORT_WAIT), 0);
    CHECK_INT(n, 8);
    for (size_t i = 0; i < n; i++)
        expect_item(t.what, &m, items + i * ISZ, ISZ, &gp[i]);
    t0 = now_ns();
    CHECK_INT(tvp_queue_get_many(t.q, items, gp, 32, &n, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_INT(n, 0);
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed get_many returned after %" PRId64 " ns", t.what, el);
    CHECK_MSG(nfail == 0, "%s: put_many/get_many items", t.what);
    model_free(&m);
    tq_close(&t);
}

/* A random walk of every single-task operation against the model. */
static void test_model(enum tvp_queue_order o, int shared, size_t cap, size_t isz)
{
    enum { STEPS = 3000, MAXN = 10 };
    struct tq t;
    if (tq_open(&t, o, cap, isz, shared) != 0)
        return;
    struct model m;
    model_init(&m, o, STEPS * MAXN + 1);
    unsigned char items[MAXN * MAX_ISZ];
    int64_t prios[MAXN], gp[MAXN];
    uint32_t next = 0;
    int unbounded = cap == TVP_QUEUE_UNBOUNDED;
    nfail = 0;
    for (int step = 0; step < STEPS; step++) {
        size_t held = model_size(&m), n = 0;
        size_t room = unbounded ? SIZE_MAX : cap - held;
        int r = (int)(rnd() % 100), e;
        if (unbounded && held > 500)
            r = 50 + r / 2; /* the gets: keep the scan of the priority model short */
        if (r < 28) {
            int64_t p = random_prio();
            fill(items, isz, next);
            e = tvp_queue_put(t.q, items, p, TVP_QUEUE_NOWAIT);
            EXPECT(e == (room > 0 ? 0 : EAGAIN), "%s: step %d: put returned %d", t.what, step, e);
            if (e == 0)
                model_put(&m, next++, p);
        } else if (r < 50) {
            size_t want = 1 + rnd() % MAXN;
            int with_prios = rnd() % 4 != 0;
            for (size_t i = 0; i < want; i++) {
                fill(items + i * isz, isz, next + (uint32_t)i);
                prios[i] = with_prios ? random_prio() : 0;
            }
            e = tvp_queue_put_many(t.q, items, with_prios ? prios : NULL, want, &n,
                                   TVP_QUEUE_NOWAIT);
            size_t fit = want < room ? want : room;
            EXPECT(e == (fit == want ? 0 : EAGAIN) && n == fit,
                   "%s: step %d: put_many of %zu returned %d, done %zu, expected %zu", t.what, step,
                   want, e, n, fit);
            for (size_t i = 0; i < n && i < fit; i++)
                model_put(&m, next++, prios[i]);
        } else if (r < 75) {
            int64_t p = 0;
            int with_prio = rnd() % 2;
            e = tvp_queue_get(t.q, items, with_prio ? &p : NULL, TVP_QUEUE_NOWAIT);
            EXPECT(e == (held > 0 ? 0 : EAGAIN), "%s: step %d: get returned %d", t.what, step, e);
            if (e == 0 && held > 0)
                expect_item(t.what, &m, items, isz, with_prio ? &p : NULL);
        } else {
            size_t max = 1 + rnd() % MAXN;
            int with_prios = rnd() % 2;
            e = tvp_queue_get_many(t.q, items, with_prios ? gp : NULL, max, &n, TVP_QUEUE_NOWAIT);
            size_t fit = max < held ? max : held;
            EXPECT(e == (held > 0 ? 0 : EAGAIN) && n == fit,
                   "%s: step %d: get_many of %zu returned %d, got %zu, expected %zu", t.what, step,
                   max, e, n, fit);
            for (size_t i = 0; i < n && i < fit; i++)
                expect_item(t.what, &m, items + i * isz, isz, with_prios ? &gp[i] : NULL);
        }
        EXPECT(tvp_queue_qsize(t.q) == model_size(&m), "%s: step %d: qsize %zu, expected %zu",
               t.what, step, tvp_queue_qsize(t.q), model_size(&m));
    }
    model_sort(&m);
    while (model_size(&m) > 0) {
        int e = tvp_queue_get(t.q, items, gp, TVP_QUEUE_NOWAIT);
        EXPECT(e == 0, "%s: drain: get returned %d", t.what, e);
        expect_item(t.what, &m, items, isz, gp);
    }
    CHECK_MSG(nfail == 0, "%s, item size %zu: random walk against the model", t.what, isz);
    /* Every put (item) raised the unfinished count once: that many task_done, then EINVAL. */
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), next > 0 ? EAGAIN : 0);
    int bad = 0;
    for (uint32_t i = 0; i < next; i++)
        bad += tvp_queue_task_done(t.q) != 0;
    CHECK_INT(bad, 0);
    CHECK_INT(tvp_queue_task_done(t.q), EINVAL);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), 0);
    model_free(&m);
    tq_close(&t);
}

/* An unbounded private queue past 100000 items: first wrapped (FIFO: head at slot 8 of 16 and
 * the ring full) so the first doubling must unwrap it, then filled by put and put_many; then
 * drained in order. */
static void test_unbounded(enum tvp_queue_order o)
{
    enum { N = 150000, CHUNK = 1000 };
    struct tq t;
    if (tq_open(&t, o, TVP_QUEUE_UNBOUNDED, 8, 0) != 0)
        return;
    struct model m;
    model_init(&m, o, N + CHUNK + 16);
    unsigned char items[CHUNK * 8];
    int64_t prios[CHUNK];
    uint32_t next = 0;
    size_t n;
    nfail = 0;
    CHECK(tvp_queue_capacity(t.q) == TVP_QUEUE_UNBOUNDED);
    for (int i = 0; i < 10; i++) {
        int64_t p = (int64_t)(rnd() % 8);
        fill(items, 8, next);
        EXPECT(tvp_queue_put(t.q, items, p, TVP_QUEUE_NOWAIT) == 0, "%s: put", t.what);
        model_put(&m, next++, p);
    }
    for (int i = 0; i < 8; i++) {
        EXPECT(tvp_queue_get(t.q, items, prios, TVP_QUEUE_NOWAIT) == 0, "%s: get", t.what);
        expect_item(t.what, &m, items, 8, prios);
    }
    while (next < N) {
        if ((next / CHUNK) % 2 == 0) {
            int64_t p = (int64_t)(rnd() % 8);
            fill(items, 8, next);
            EXPECT(tvp_queue_put(t.q, items, p, TVP_QUEUE_NOWAIT) == 0, "%s: put %u", t.what, next);
            model_put(&m, next++, p);
        } else {
            for (int i = 0; i < CHUNK; i++) {
                fill(items + i * 8, 8, next + (uint32_t)i);
                prios[i] = (int64_t)(rnd() % 8);
            }
            int e = tvp_queue_put_many(t.q, items, prios, CHUNK, &n, TVP_QUEUE_NOWAIT);
            EXPECT(e == 0 && n == CHUNK, "%s: put_many returned %d, done %zu", t.what, e, n);
            for (size_t i = 0; i < n; i++)
                model_put(&m, next++, prios[i]);
        }
    }
    CHECK_INT(tvp_queue_qsize(t.q), model_size(&m));
    model_sort(&m);
    while (model_size(&m) > 0) {
        size_t max = model_size(&m) % 3 == 0 ? CHUNK : 1;
        int e = tvp_queue_get_many(t.q, items, prios, max, &n, TVP_QUEUE_NOWAIT);
        EXPECT(e == 0 && n > 0, "%s: get_many returned %d", t.what, e);
        if (e != 0 || n == 0)
            break;
        for (size_t i = 0; i < n; i++)
            expect_item(t.what, &m, items + i * 8, 8, &prios[i]);
    }
    CHECK_INT(tvp_queue_qsize(t.q), 0);
    CHECK_INT(tvp_queue_get(t.q, items, NULL, TVP_QUEUE_NOWAIT), EAGAIN);
    CHECK_MSG(nfail == 0, "%s: %d items in order", t.what, N);
    model_free(&m);
    tq_close(&t);
}

/* ---- refusals ---- */

static void test_bad_args(void)
{
    char err[256] = "";
    struct tvp_queue *q = (struct tvp_queue *)1;
    unsigned char item[8] = {0};
    size_t n = 99;

    CHECK_STR(tvp_queue_order_name(TVP_QUEUE_FIFO), "fifo");
    CHECK_STR(tvp_queue_order_name(TVP_QUEUE_LIFO), "lifo");
    CHECK_STR(tvp_queue_order_name(TVP_QUEUE_PRIORITY), "priority");
    CHECK(tvp_queue_order_name((enum tvp_queue_order)7) == NULL);

    CHECK_INT(tvp_queue_create(&q, TVP_QUEUE_FIFO, 0, 8, err, sizeof err), EINVAL);
    CHECK(q == NULL);
    CHECK_MSG(strncmp(err, "queue: ", 7) == 0 && strstr(err, "capacity") != NULL &&
                  strstr(err, strerror(EINVAL)) != NULL,
              "err = \"%s\"", err);
    CHECK_INT(tvp_queue_create(&q, TVP_QUEUE_LIFO, 4, 0, err, sizeof err), EINVAL);
    CHECK(strstr(err, "item_size") != NULL);
    CHECK_INT(tvp_queue_create(&q, (enum tvp_queue_order)7, 4, 8, err, sizeof err), EINVAL);
    CHECK_INT(tvp_queue_create(NULL, TVP_QUEUE_FIFO, 4, 8, err, sizeof err), EINVAL);
    CHECK_INT(tvp_queue_create(&q, TVP_QUEUE_FIFO, SIZE_MAX / 2, 16, NULL, 0), EINVAL);

    CHECK_INT(tvp_queue_shared_size(0, 8), 0);
    CHECK_INT(tvp_queue_shared_size(TVP_QUEUE_UNBOUNDED, 8), 0);
    CHECK_INT(tvp_queue_shared_size(4, 0), 0);
    CHECK_INT(tvp_queue_shared_size(SIZE_MAX / 2, 16), 0);
    CHECK_INT(tvp_queue_shared_size(SIZE_MAX / 16, 1), 0);
    size_t need = tvp_queue_shared_size(4, 8);
    CHECK(need >= 4 * 8 + 4 * 16);
    CHECK(tvp_queue_shared_size(5, 8) > need);

    size_t len = 2 * need + 4096;
    void *mem = map_shared(len);
    struct bad_case {
        enum tvp_queue_order o;
        size_t cap, isz, len, off;
        const char *word;
    } bad[] = {
        {TVP_QUEUE_FIFO, TVP_QUEUE_UNBOUNDED, 8, 4096, 0, "unbounded"},
        {TVP_QUEUE_FIFO, 0, 8, 4096, 0, "capacity"},
        {TVP_QUEUE_LIFO, 4, 0, 4096, 0, "item_size"},
        {TVP_QUEUE_PRIORITY, 4, 8, need - 1, 0, "needed"},
        {TVP_QUEUE_PRIORITY, 4, 8, 0, 0, "needed"},
        {TVP_QUEUE_FIFO, 4, 8, need, 8, "aligned"},
        {(enum tvp_queue_order)3, 4, 8, need, 0, "order"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        q = (struct tvp_queue *)1;
        err[0] = '\0';
        int e = tvp_queue_init_shared(&q, (char *)mem + bad[i].off, bad[i].len, bad[i].o,
                                      bad[i].cap, bad[i].isz, err, sizeof err);
        CHECK_MSG(e == EINVAL && q == NULL && strstr(err, bad[i].word) != NULL,
                  "init_shared case %zu: returned %d, err \"%s\"", i, e, err);
    }
    CHECK_INT(tvp_queue_init_shared(&q, NULL, len, TVP_QUEUE_FIFO, 4, 8, err, sizeof err), EINVAL);
    CHECK_INT(tvp_queue_init_shared(NULL, mem, len, TVP_QUEUE_FIFO, 4, 8, err, sizeof err), EINVAL);

    /* Bad timeouts and pointers on a valid queue of each kind, private and shared: refused,
     * nothing changed. */
    for (int shared = 0; shared <= 1; shared++) {
        for (size_t k = 0; k < 3; k++) {
            struct tq t;
            if (tq_open(&t, orders[k], 4, 8, shared) != 0)
                continue;
            CHECK_INT(tvp_queue_put(t.q, item, 0, -5), EINVAL);
            CHECK_INT(tvp_queue_put(t.q, item, 0, INT64_MIN), EINVAL);
            CHECK_INT(tvp_queue_get(t.q, item, NULL, -5), EINVAL);
            CHECK_INT(tvp_queue_put_many(t.q, item, NULL, 1, &n, -5), EINVAL);
            CHECK_INT(n, 0);
            n = 99;
            CHECK_INT(tvp_queue_get_many(t.q, item, NULL, 1, &n, -5), EINVAL);
            CHECK_INT(n, 0);
            CHECK_INT(tvp_queue_join(t.q, -5), EINVAL);
            CHECK_INT(tvp_queue_put(t.q, NULL, 0, 0), EINVAL);
            CHECK_INT(tvp_queue_put(NULL, item, 0, 0), EINVAL);
            CHECK_INT(tvp_queue_get(t.q, NULL, NULL, 0), EINVAL);
            CHECK_INT(tvp_queue_get(NULL, item, NULL, 0), EINVAL);
            CHECK_INT(tvp_queue_put_many(t.q, NULL, NULL, 1, &n, 0), EINVAL);
            CHECK_INT(tvp_queue_put_many(t.q, item, NULL, 1, NULL, 0), EINVAL);
            CHECK_INT(tvp_queue_get_many(t.q, item, NULL, 0, &n, 0), EINVAL); /* max 0 */
            CHECK_INT(tvp_queue_get_many(t.q, item, NULL, 1, NULL, 0), EINVAL);
            CHECK_INT(tvp_queue_task_done(NULL), EINVAL);
            CHECK_INT(tvp_queue_join(NULL, 0), EINVAL);
            CHECK_INT(tvp_queue_qsize(t.q), 0);
            /* task_done more often than put: Python's ValueError. */
            CHECK_INT(tvp_queue_task_done(t.q), EINVAL);
            CHECK_INT(tvp_queue_put(t.q, item, 0, 0), 0);
            CHECK_INT(tvp_queue_task_done(t.q), 0);
            CHECK_INT(tvp_queue_task_done(t.q), EINVAL);
            CHECK_INT(tvp_queue_join(t.q, 0), 0);
            CHECK_INT(tvp_queue_qsize(t.q), 1); /* task_done does not remove the item */
            tq_close(&t);
        }
    }
    CHECK_INT(tvp_queue_destroy(NULL), 0);
    unmap(mem, len);
}

/* ---- blocking between tasks ---- */

#define MAXW 4 /* sleepers woken together */

struct ctl {
    struct tvp_queue *q;
    int64_t timeout_ns;
    _Atomic int ready;
    _Atomic int rc[MAXW];
    _Atomic int64_t elapsed[MAXW];
    _Atomic uint64_t value[MAXW];
    _Atomic int64_t prio[MAXW];
    _Atomic int processed; /* join test: items handled before task_done */
};

static struct ctl *ctl; /* MAP_SHARED */

static int getter(void *arg, int id)
{
    (void)arg;
    uint64_t v = 0;
    int64_t p = 0;
    atomic_fetch_add(&ctl->ready, 1);
    int64_t t0 = now_ns();
    int r = tvp_queue_get(ctl->q, &v, &p, ctl->timeout_ns);
    atomic_store(&ctl->elapsed[id], now_ns() - t0);
    atomic_store(&ctl->value[id], v);
    atomic_store(&ctl->prio[id], p);
    atomic_store(&ctl->rc[id], r);
    return 0;
}

/* Puts 100 + id with priority 30 + id. */
static int putter(void *arg, int id)
{
    (void)arg;
    uint64_t v = 100 + (uint64_t)id;
    atomic_fetch_add(&ctl->ready, 1);
    int64_t t0 = now_ns();
    int r = tvp_queue_put(ctl->q, &v, 30 + id, ctl->timeout_ns);
    atomic_store(&ctl->elapsed[id], now_ns() - t0);
    atomic_store(&ctl->rc[id], r);
    return 0;
}

static void ctl_reset(struct tvp_queue *q, int64_t timeout_ns)
{
    memset(ctl, 0, sizeof *ctl);
    ctl->q = q;
    ctl->timeout_ns = timeout_ns;
    for (int i = 0; i < MAXW; i++)
        atomic_store(&ctl->rc[i], PENDING);
}

/* Starts n sleepers (getters or putters) and returns once they are about to call the queue and
 * 20 ms more, so they are normally asleep in it (the checks do not depend on it: a late one
 * finds the item or the room). Checks that none has returned yet. */
static void start_sleepers(struct tasks *ts, struct tq *t, int procs, int n, task_fn fn)
{
    ctl_reset(t->q, WAKE_WAIT);
    tasks_start(ts, procs, n, fn, NULL);
    await_flag(&ctl->ready, ts->started);
    sleep_ms(20);
    for (int i = 0; i < ts->started; i++)
        CHECK_MSG(atomic_load(&ctl->rc[i]) == PENDING, "%s: a %s %s returned %d before its wake-up",
                  t->what, procs ? "process" : "thread", fn == getter ? "get" : "put",
                  atomic_load(&ctl->rc[i]));
}

/* Every sleeper returned 0, woken (before its WAKE_WAIT timeout). */
static void expect_woken(struct tasks *ts, struct tq *t, const char *by)
{
    const char *how = ts->procs ? "process" : "thread";
    CHECK_INT(tasks_wait(ts), 0);
    for (int i = 0; i < ts->started; i++) {
        CHECK_MSG(atomic_load(&ctl->rc[i]) == 0, "%s: %s %d woken by %s returned %d", t->what, how,
                  i, by, atomic_load(&ctl->rc[i]));
        CHECK_MSG(atomic_load(&ctl->elapsed[i]) < WAKE_WAIT,
                  "%s: %s %d was not woken by %s (returned after %" PRId64 " ns)", t->what, how, i,
                  by, atomic_load(&ctl->elapsed[i]));
    }
}

/* Polls the queue's sleep counters until getters (or putters) have gone to sleep `want` times
 * (10 s at most); returns the counts seen last. The sleepers' own rc is still PENDING then, so a
 * counter that did not count makes the caller's check fail instead of passing by timing. */
static struct tvp_queue_stats await_sleeps(struct tvp_queue *q, int putters, uint64_t want)
{
    struct tvp_queue_stats st;
    int64_t t0 = now_ns();
    for (;;) {
        tvp_queue_stats(q, &st);
        if ((putters ? st.put_sleeps : st.get_sleeps) >= want || now_ns() - t0 >= LONG_WAIT)
            return st;
        sleep_ms(1);
    }
}

/* A get sleeping on empty is woken by a put, a put sleeping on full by a get; the sleeper is a
 * thread (procs 0) or a forked process (the queue shared). The sleep counters count each of
 * those sleeps on its own side, and nothing for calls that did not sleep (NOWAIT refusals). */
static void test_wakeups(enum tvp_queue_order o, int shared, int procs)
{
    struct tq t;
    if (tq_open(&t, o, 2, sizeof(uint64_t), shared) != 0)
        return;
    struct tasks ts;
    struct tvp_queue_stats st;
    uint64_t v = 42;

    CHECK_INT(tvp_queue_get(t.q, &v, NULL, TVP_QUEUE_NOWAIT), EAGAIN);
    tvp_queue_stats(t.q, &st);
    CHECK_MSG(st.get_sleeps == 0 && st.put_sleeps == 0,
              "%s: a refused NOWAIT get counted as a sleep (get %llu, put %llu)", t.what,
              (unsigned long long)st.get_sleeps, (unsigned long long)st.put_sleeps);

    start_sleepers(&ts, &t, procs, 1, getter);
    st = await_sleeps(t.q, 0, 1);
    CHECK_MSG(st.get_sleeps == 1 && st.put_sleeps == 0 && atomic_load(&ctl->rc[0]) == PENDING,
              "%s: a get asleep on empty: get sleeps %llu, put sleeps %llu (want 1, 0)", t.what,
              (unsigned long long)st.get_sleeps, (unsigned long long)st.put_sleeps);
    v = 42;
    CHECK_INT(tvp_queue_put(t.q, &v, 9, TVP_QUEUE_NOWAIT), 0);
    expect_woken(&ts, &t, "put");
    CHECK_INT(atomic_load(&ctl->value[0]), 42);
    CHECK_INT(atomic_load(&ctl->prio[0]), 9);
    CHECK_INT(tvp_queue_qsize(t.q), 0);

    for (v = 1; v <= 2; v++)
        CHECK_INT(tvp_queue_put(t.q, &v, (int64_t)v, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(tvp_queue_put(t.q, &v, 0, TVP_QUEUE_NOWAIT), EAGAIN);
    tvp_queue_stats(t.q, &st);
    uint64_t gets_before = st.get_sleeps;
    CHECK_MSG(gets_before >= 1 && st.put_sleeps == 0,
              "%s: after the get's wake-up: get sleeps %llu, put sleeps %llu (want >= 1, 0)",
              t.what, (unsigned long long)st.get_sleeps, (unsigned long long)st.put_sleeps);
    start_sleepers(&ts, &t, procs, 1, putter);
    st = await_sleeps(t.q, 1, 1);
    CHECK_MSG(st.put_sleeps == 1 && st.get_sleeps == gets_before &&
                  atomic_load(&ctl->rc[0]) == PENDING,
              "%s: a put asleep on full: put sleeps %llu, get sleeps %llu (want 1, %llu)", t.what,
              (unsigned long long)st.put_sleeps, (unsigned long long)st.get_sleeps,
              (unsigned long long)gets_before);
    CHECK_INT(tvp_queue_qsize(t.q), 2);
    CHECK_INT(tvp_queue_get(t.q, &v, NULL, TVP_QUEUE_NOWAIT), 0);
    expect_woken(&ts, &t, "get");
    CHECK_INT(tvp_queue_qsize(t.q), 2);
    int seen = 0;
    for (int i = 0; i < 2; i++) {
        int64_t p = 0;
        CHECK_INT(tvp_queue_get(t.q, &v, &p, TVP_QUEUE_NOWAIT), 0);
        if (v == 100) {
            seen = 1;
            CHECK_INT(p, 30);
        }
    }
    CHECK_MSG(seen, "%s: the item of the woken put is not in the queue", t.what);
    tq_close(&t);
}

/* MAXW sleepers, all woken by batches: first two batches of MAXW / 2 (fewer items than sleepers:
 * one signal per item), then one batch of MAXW (a broadcast). Getters by put_many, putters by
 * get_many. A wake-up policy that woke one sleeper per batch would leave the others asleep with
 * items (or room) available until their timeout. */
static void test_wake_many(enum tvp_queue_order o, int shared, int procs)
{
    enum { CAP = 2 * MAXW };
    struct tq t;
    if (tq_open(&t, o, CAP, sizeof(uint64_t), shared) != 0)
        return;
    struct tasks ts;
    uint64_t items[CAP];
    int64_t prios[CAP];
    size_t n;
    for (int split = 1; split >= 0; split--) {
        const char *by = split ? "put_many of MAXW/2, twice" : "put_many of MAXW";
        start_sleepers(&ts, &t, procs, MAXW, getter);
        for (int i = 0; i < MAXW; i++) {
            items[i] = 200 + (uint64_t)i;
            prios[i] = i;
        }
        if (split) {
            CHECK_INT(tvp_queue_put_many(t.q, items, prios, MAXW / 2, &n, TVP_QUEUE_NOWAIT), 0);
            CHECK_INT(tvp_queue_put_many(t.q, items + MAXW / 2, prios + MAXW / 2, MAXW / 2, &n,
                                         TVP_QUEUE_NOWAIT),
                      0);
        } else {
            CHECK_INT(tvp_queue_put_many(t.q, items, prios, MAXW, &n, TVP_QUEUE_NOWAIT), 0);
        }
        expect_woken(&ts, &t, by);
        unsigned seen = 0;
        for (int i = 0; i < MAXW; i++) {
            uint64_t v = atomic_load(&ctl->value[i]);
            if (v >= 200 && v < 200 + MAXW) {
                seen |= 1u << (v - 200);
                CHECK_INT(atomic_load(&ctl->prio[i]), (int64_t)(v - 200));
            }
        }
        CHECK_MSG(seen == (1u << MAXW) - 1, "%s: getters received set 0x%x", t.what, seen);
        CHECK_INT(tvp_queue_qsize(t.q), 0);
    }
    for (int split = 1; split >= 0; split--) {
        const char *by = split ? "get_many of MAXW/2, twice" : "get_many of MAXW";
        for (uint64_t v = 0; v < CAP; v++)
            CHECK_INT(tvp_queue_put(t.q, &v, 0, TVP_QUEUE_NOWAIT), 0);
        start_sleepers(&ts, &t, procs, MAXW, putter);
        /* LIFO: the second get_many may take what a woken putter has just put. */
        uint64_t taken[MAXW];
        size_t ntaken = 0;
        if (split) {
            CHECK_INT(tvp_queue_get_many(t.q, taken, NULL, MAXW / 2, &n, TVP_QUEUE_NOWAIT), 0);
            ntaken += n;
            CHECK_INT(tvp_queue_get_many(t.q, taken + ntaken, NULL, MAXW / 2, &n, TVP_QUEUE_NOWAIT),
                      0);
            ntaken += n;
        } else {
            CHECK_INT(tvp_queue_get_many(t.q, taken, NULL, MAXW, &ntaken, TVP_QUEUE_NOWAIT), 0);
        }
        CHECK_INT(ntaken, MAXW);
        expect_woken(&ts, &t, by);
        CHECK_INT(tvp_queue_qsize(t.q), CAP);
        unsigned seen = 0;
        for (size_t i = 0; i < ntaken; i++)
            if (taken[i] >= 100 && taken[i] < 100 + MAXW)
                seen |= 1u << (taken[i] - 100);
        CHECK_INT(tvp_queue_get_many(t.q, items, prios, CAP, &n, TVP_QUEUE_NOWAIT), 0);
        CHECK_INT(n, CAP);
        for (size_t i = 0; i < n; i++)
            if (items[i] >= 100 && items[i] < 100 + MAXW) {
                seen |= 1u << (items[i] - 100);
                CHECK_INT(prios[i], 30 + (int64_t)(items[i] - 100));
            }
        CHECK_MSG(seen == (1u << MAXW) - 1, "%s: putters' items seen 0x%x", t.what, seen);
    }
    tq_close(&t);
}

static _Atomic int signals_caught;
static void on_signal(int sig)
{
    (void)sig;
    atomic_fetch_add(&signals_caught, 1);
}

/* A timed get on empty and a timed put on full, interrupted by signals (handler without
 * SA_RESTART): still ETIMEDOUT, and not before the timeout. */
static void test_signals(int shared, int procs)
{
    const int64_t timeout = 200000000; /* 200 ms */
    struct tq t;
    if (tq_open(&t, TVP_QUEUE_FIFO, 1, sizeof(uint64_t), shared) != 0)
        return;
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: interrupted system calls fail with EINTR */
    sigemptyset(&sa.sa_mask);
    CHECK_INT(sigaction(SIGUSR1, &sa, &old), 0);
    for (int put = 0; put <= 1; put++) {
        const char *what = put ? "put on full" : "get on empty";
        uint64_t v = 1;
        if (put)
            CHECK_INT(tvp_queue_put(t.q, &v, 0, TVP_QUEUE_NOWAIT), 0);
        ctl_reset(t.q, timeout);
        struct tasks ts;
        tasks_start(&ts, procs, 1, put ? putter : getter, NULL);
        await_flag(&ctl->ready, ts.started);
        for (int i = 0; i < 4 && ts.started == 1; i++) { /* 80 ms of the 200 */
            sleep_ms(20);
            if (procs)
                CHECK_INT(kill(ts.pid[0], SIGUSR1), 0);
            else
                CHECK_INT(pthread_kill(ts.th[0], SIGUSR1), 0);
        }
        CHECK_INT(tasks_wait(&ts), 0);
        int64_t el = atomic_load(&ctl->elapsed[0]);
        CHECK_MSG(atomic_load(&ctl->rc[0]) == ETIMEDOUT, "%s, %s: signalled timed %s returned %d",
                  t.what, procs ? "process" : "thread", what, atomic_load(&ctl->rc[0]));
        CHECK_MSG(el >= timeout, "%s: signalled timed %s returned after %" PRId64 " ns", t.what,
                  what, el);
        if (put)
            CHECK_INT(tvp_queue_get(t.q, &v, NULL, TVP_QUEUE_NOWAIT), 0);
        CHECK_INT(tvp_queue_qsize(t.q), 0);
    }
    if (!procs)
        CHECK_MSG(atomic_load(&signals_caught) > 0, "no signal caught");
    atomic_store(&signals_caught, 0);
    tq_close(&t);
    CHECK_INT(sigaction(SIGUSR1, &old, NULL), 0);
}

/* ---- join ---- */

#define JOIN_ITEMS 20

static int join_consumer(void *arg, int id)
{
    (void)arg;
    (void)id;
    for (int i = 0; i < JOIN_ITEMS / 2; i++) {
        uint64_t v;
        int r = tvp_queue_get(ctl->q, &v, NULL, LONG_WAIT);
        if (r != 0) {
            fprintf(stderr, "join consumer: get: %s\n", strerror(r));
            return 1;
        }
        sleep_ms(1); /* the "work": a join that does not wait would see it unfinished */
        atomic_fetch_add(&ctl->processed, 1);
        r = tvp_queue_task_done(ctl->q);
        if (r != 0) {
            fprintf(stderr, "join consumer: task_done: %s\n", strerror(r));
            return 1;
        }
    }
    return 0;
}

static void test_join(enum tvp_queue_order o, int shared, int procs)
{
    struct tq t;
    if (tq_open(&t, o, 32, sizeof(uint64_t), shared) != 0)
        return;
    uint64_t v = 0;
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), 0); /* nothing put: nothing to wait for */
    CHECK_INT(tvp_queue_join(t.q, SHORT_WAIT), 0);
    for (int i = 0; i < 3; i++)
        CHECK_INT(tvp_queue_put(t.q, &v, 0, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), EAGAIN);
    int64_t t0 = now_ns();
    CHECK_INT(tvp_queue_join(t.q, SHORT_WAIT), ETIMEDOUT);
    int64_t el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed join returned after %" PRId64 " ns", t.what, el);
    for (int i = 0; i < 3; i++)
        CHECK_INT(tvp_queue_get(t.q, &v, NULL, TVP_QUEUE_NOWAIT), 0);
    /* Got, but not task_done'd: still outstanding. */
    t0 = now_ns();
    CHECK_INT(tvp_queue_join(t.q, SHORT_WAIT), ETIMEDOUT);
    el = now_ns() - t0;
    CHECK_MSG(el >= SHORT_WAIT, "%s: timed join returned after %" PRId64 " ns", t.what, el);
    CHECK_INT(tvp_queue_task_done(t.q), 0);
    CHECK_INT(tvp_queue_task_done(t.q), 0);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), EAGAIN);
    CHECK_INT(tvp_queue_task_done(t.q), 0);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(tvp_queue_task_done(t.q), EINVAL);

    /* Two consumer tasks each take half, "work" 1 ms per item and task_done it; the join,
     * sleeping meanwhile, is woken by the last task_done and must find every item processed. */
    ctl_reset(t.q, LONG_WAIT);
    for (v = 0; v < JOIN_ITEMS; v++)
        CHECK_INT(tvp_queue_put(t.q, &v, (int64_t)v, TVP_QUEUE_NOWAIT), 0);
    struct tasks ts;
    tasks_start(&ts, procs, 2, join_consumer, NULL);
    t0 = now_ns();
    int e = tvp_queue_join(t.q, WAKE_WAIT);
    el = now_ns() - t0;
    int processed = atomic_load(&ctl->processed);
    CHECK_MSG(e == 0, "%s: join returned %d", t.what, e);
    CHECK_MSG(el < WAKE_WAIT, "%s: join was not woken by the last task_done", t.what);
    CHECK_MSG(processed == JOIN_ITEMS, "%s, %s: join returned with %d of %d items processed",
              t.what, procs ? "processes" : "threads", processed, JOIN_ITEMS);
    CHECK_INT(tasks_wait(&ts), 0);
    CHECK_INT(tvp_queue_qsize(t.q), 0);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), 0);
    tq_close(&t);
}

/* ---- stress ---- */

#define S_MAXP  8
#define S_MAXC  8
#define S_CAP   4
#define S_BATCH 7 /* put_many: 1 .. S_BATCH items */
#define S_GETN  5 /* get_many: up to S_GETN items */
#define POISON  UINT32_MAX

#if TEST_TSAN
#define S_ITEMS_THREADS 10000
#define S_ITEMS_PROCS   10000
#else
#define S_ITEMS_THREADS 20000
#define S_ITEMS_PROCS   20000
#endif
#define S_MAX_ITEMS 20000
#define S_BITMAP    (S_MAXP * S_MAX_ITEMS / 8)

struct sitem {
    uint32_t prod;
    uint32_t seq;
    uint64_t payload;
};

static uint64_t payload_of(uint32_t p, uint32_t s)
{
    return mix64((uint64_t)p << 32 | s);
}

static int64_t prio_of(uint32_t p, uint32_t s)
{
    return (int64_t)(payload_of(p, s) % 16) - 8; /* 16 values: many ties */
}

struct stress {
    struct tvp_queue *q;
    enum tvp_queue_order o;
    int np, nc;
    uint32_t per_prod;
    uint64_t total;
    _Atomic uint64_t claimed;      /* LIFO, PRIORITY: items consumers have claimed */
    _Atomic uint64_t processed;    /* items recorded, counted before their task_done */
    _Atomic int64_t ended[S_MAXC]; /* when each consumer had made its last task_done */
    /* Per consumer, written by it alone, read after it has ended. */
    uint64_t sum[S_MAXC], got[S_MAXC], dup[S_MAXC], disorder[S_MAXC], corrupt[S_MAXC];
    uint64_t errors[S_MAXC];
    unsigned char bitmap[S_MAXC][S_BITMAP];
};

static struct stress *ss; /* MAP_SHARED */
static int stress_broken; /* skip the remaining runs: each would only time out again */

static int stress_producer(void *arg, int id)
{
    (void)arg;
    uint32_t p = (uint32_t)id;
    struct sitem items[S_BATCH];
    int64_t prios[S_BATCH];
    uint64_t r = mix64(p + 1000);
    for (uint32_t s = 0; s < ss->per_prod;) {
        if (p % 2 == 0) {
            struct sitem it = {p, s, payload_of(p, s)};
            int e = tvp_queue_put(ss->q, &it, prio_of(p, s), LONG_WAIT);
            if (e != 0) {
                fprintf(stderr, "producer %u: put: %s\n", p, strerror(e));
                return 1;
            }
            s++;
        } else {
            r = mix64(r);
            size_t n = 1 + r % S_BATCH, done = 0;
            if (n > ss->per_prod - s)
                n = ss->per_prod - s;
            for (size_t i = 0; i < n; i++) {
                uint32_t si = s + (uint32_t)i;
                items[i] = (struct sitem){p, si, payload_of(p, si)};
                prios[i] = prio_of(p, si);
            }
            int e = tvp_queue_put_many(ss->q, items, prios, n, &done, LONG_WAIT);
            if (e != 0 || done != n) {
                fprintf(stderr, "producer %u: put_many: %s, %zu of %zu\n", p, strerror(e), done, n);
                return 1;
            }
            s += (uint32_t)n;
        }
    }
    return 0;
}

/* Records one real item in consumer c's books. */
static void record(int c, const struct sitem *it, int64_t prio, int64_t *last)
{
    if (it->prod >= (uint32_t)ss->np || it->seq >= ss->per_prod ||
        it->payload != payload_of(it->prod, it->seq) || prio != prio_of(it->prod, it->seq)) {
        ss->corrupt[c]++;
        return;
    }
    size_t bit = (size_t)it->prod * ss->per_prod + it->seq;
    if (ss->bitmap[c][bit / 8] & (1u << (bit % 8)))
        ss->dup[c]++;
    ss->bitmap[c][bit / 8] |= (unsigned char)(1u << (bit % 8));
    if (ss->o == TVP_QUEUE_FIFO && (int64_t)it->seq <= last[it->prod])
        ss->disorder[c]++;
    last[it->prod] = it->seq;
    ss->sum[c] += it->payload;
    ss->got[c]++;
}

static int consume(int c)
{
    struct sitem items[S_GETN];
    int64_t prios[S_GETN], last[S_MAXP];
    for (int i = 0; i < S_MAXP; i++)
        last[i] = -1;
    size_t max = c % 2 ? S_GETN : 1, n = 0;
    for (;;) {
        size_t want = max;
        if (ss->o != TVP_QUEUE_FIFO) {
            /* Claim a share first: a claimed item is sure to come, so the gets can wait. */
            uint64_t old = atomic_fetch_add(&ss->claimed, max);
            if (old >= ss->total)
                return 0;
            want = ss->total - old < max ? (size_t)(ss->total - old) : max;
        }
        int stop = 0;
        while (want > 0) {
            int e = max > 1 ? tvp_queue_get_many(ss->q, items, prios, want, &n, LONG_WAIT)
                            : tvp_queue_get(ss->q, items, prios, LONG_WAIT);
            if (max == 1)
                n = e == 0;
            if (e != 0) {
                fprintf(stderr, "consumer %d: get: %s\n", c, strerror(e));
                ss->errors[c]++;
                return 1;
            }
            size_t poisons = 0;
            for (size_t i = 0; i < n; i++) {
                if (items[i].prod == POISON)
                    poisons++;
                else if (poisons > 0)
                    ss->errors[c]++; /* FIFO: an item after a poison, put after every item */
                else
                    record(c, &items[i], prios[i], last);
            }
            /* Only one poison each: give back the others this batch took (before their
             * task_done, so the unfinished count never touches 0 early). */
            for (size_t i = 1; i < poisons; i++) {
                struct sitem pz = {POISON, 0, 0};
                if (tvp_queue_put(ss->q, &pz, 0, LONG_WAIT) != 0)
                    ss->errors[c]++;
            }
            atomic_fetch_add(&ss->processed, n - poisons);
            for (size_t i = 0; i < n; i++)
                if (tvp_queue_task_done(ss->q) != 0)
                    ss->errors[c]++;
            if (ss->o != TVP_QUEUE_FIFO)
                want -= n;
            else if (poisons > 0)
                stop = 1;
            if (ss->o == TVP_QUEUE_FIFO)
                break;
        }
        if (stop)
            return 0;
    }
}

static int stress_consumer(void *arg, int id)
{
    (void)arg;
    int r = consume(id);
    atomic_store(&ss->ended[id], now_ns());
    return r;
}

static void stress(enum tvp_queue_order o, int procs)
{
    const char *how = procs ? "processes" : "threads";
    int np = procs ? 4 : S_MAXP, nc = procs ? 4 : S_MAXC;
    uint32_t per = procs ? S_ITEMS_PROCS : S_ITEMS_THREADS;
    struct tq t;
    if (tq_open(&t, o, S_CAP, sizeof(struct sitem), procs) != 0)
        return;
    memset(ss, 0, sizeof *ss);
    ss->q = t.q;
    ss->o = o;
    ss->np = np;
    ss->nc = nc;
    ss->per_prod = per;
    ss->total = (uint64_t)np * per;
    uint64_t want_sum = 0;
    for (uint32_t p = 0; p < (uint32_t)np; p++)
        for (uint32_t s = 0; s < per; s++)
            want_sum += payload_of(p, s);

    int64_t t0 = now_ns();
    struct tasks cons, prod;
    tasks_start(&cons, procs, nc, stress_consumer, NULL);
    tasks_start(&prod, procs, np, stress_producer, NULL);
    int64_t join_ret = 0;
    int pbad = tasks_wait(&prod);
    CHECK_MSG(pbad == 0, "%s %s: a producer failed", t.what, how);
    /* A broken queue: no poison, no join; the consumers give up after their timeout. */
    if (pbad == 0) {
        if (o == TVP_QUEUE_FIFO) {
            struct sitem pz = {POISON, 0, 0};
            for (int i = 0; i < nc; i++)
                CHECK_INT(tvp_queue_put(t.q, &pz, 0, LONG_WAIT), 0);
        }
        int e = tvp_queue_join(t.q, 6 * LONG_WAIT);
        join_ret = now_ns();
        uint64_t processed = atomic_load(&ss->processed);
        CHECK_MSG(e == 0, "%s %s: join returned %d", t.what, how, e);
        CHECK_MSG(processed == ss->total, "%s %s: join returned with %" PRIu64 " of %" PRIu64,
                  t.what, how, processed, ss->total);
    }
    int cbad = tasks_wait(&cons);
    CHECK_MSG(cbad == 0, "%s %s: a consumer failed", t.what, how);
    int64_t last_done = 0;
    for (int c = 0; c < nc; c++)
        if (atomic_load(&ss->ended[c]) > last_done)
            last_done = atomic_load(&ss->ended[c]);
    CHECK_MSG(pbad != 0 || join_ret - last_done < WAKE_WAIT,
              "%s %s: join was not woken by the last task_done", t.what, how);
    stress_broken = pbad != 0 || cbad != 0 || join_ret - last_done >= WAKE_WAIT;
    int64_t el = now_ns() - t0;

    uint64_t got = 0, sum = 0, dup = 0, disorder = 0, corrupt = 0, errors = 0, lost = 0, twice = 0;
    for (int c = 0; c < nc; c++) {
        got += ss->got[c];
        sum += ss->sum[c];
        dup += ss->dup[c];
        disorder += ss->disorder[c];
        corrupt += ss->corrupt[c];
        errors += ss->errors[c];
    }
    for (size_t bit = 0; bit < (size_t)ss->total; bit++) {
        int seen = 0;
        for (int c = 0; c < nc; c++)
            seen += (ss->bitmap[c][bit / 8] >> (bit % 8)) & 1;
        lost += seen == 0;
        twice += seen > 1;
    }
    CHECK_MSG(got == ss->total, "%s %s: %" PRIu64 " items received, %" PRIu64 " sent", t.what, how,
              got, ss->total);
    CHECK_MSG(lost == 0 && twice == 0 && dup == 0,
              "%s %s: %" PRIu64 " lost, %" PRIu64 " received by two consumers, %" PRIu64
              " twice by one",
              t.what, how, lost, twice, dup);
    CHECK_MSG(sum == want_sum, "%s %s: checksum %" PRIx64 ", expected %" PRIx64, t.what, how, sum,
              want_sum);
    CHECK_MSG(disorder == 0, "%s %s: %" PRIu64 " items out of their producer's order", t.what, how,
              disorder);
    CHECK_MSG(corrupt == 0 && errors == 0, "%s %s: %" PRIu64 " corrupt items, %" PRIu64 " errors",
              t.what, how, corrupt, errors);
    CHECK_INT(tvp_queue_qsize(t.q), 0);
    CHECK_INT(tvp_queue_join(t.q, TVP_QUEUE_NOWAIT), 0);
    CHECK_INT(tvp_queue_task_done(t.q), EINVAL);
    printf("  stress %-8s %-9s %d x %d, capacity %d: %" PRIu64 " items in %.2f s\n",
           tvp_queue_order_name(o), how, np, nc, S_CAP, ss->total, (double)el / 1e9);
    tq_close(&t);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int fds_before = count_fds();
    ctl = map_shared(sizeof *ctl);
    ss = map_shared(sizeof *ss);
    int f0;

    f0 = check_failed;
    test_bad_args();
    printf("  refusals: %s\n", check_failed == f0 ? "ok" : "FAILED");

    for (size_t k = 0; k < 3; k++) {
        enum tvp_queue_order o = orders[k];
        f0 = check_failed;
        for (int shared = 0; shared <= 1; shared++) {
            test_basic(o, shared);
            test_many(o, shared);
            static const size_t sizes[] = {4, 13, MAX_ISZ};
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                test_model(o, shared, 7, sizes[i]);
        }
        test_model(o, 0, TVP_QUEUE_UNBOUNDED, 13);
        test_unbounded(o);
        printf("  %-8s single task (private, shared, unbounded): %s\n", tvp_queue_order_name(o),
               check_failed == f0 ? "ok" : "FAILED");
    }

    for (size_t k = 0; k < 3; k++) {
        enum tvp_queue_order o = orders[k];
        f0 = check_failed;
        test_wakeups(o, 0, 0);
        test_wakeups(o, 1, 0);
        test_wakeups(o, 1, 1);
        test_wake_many(o, 0, 0);
        test_wake_many(o, 1, 0);
        test_wake_many(o, 1, 1);
        test_join(o, 0, 0);
        test_join(o, 1, 1);
        printf("  %-8s wake-ups and join, threads and processes: %s\n", tvp_queue_order_name(o),
               check_failed == f0 ? "ok" : "FAILED");
    }
    f0 = check_failed;
    test_signals(0, 0);
    test_signals(1, 1);
    printf("  signals during timed waits: %s\n", check_failed == f0 ? "ok" : "FAILED");

    for (size_t k = 0; k < 3 && !stress_broken; k++) {
        stress(orders[k], 0);
        if (!stress_broken)
            stress(orders[k], 1);
    }

    unmap(ss, sizeof *ss);
    unmap(ctl, sizeof *ctl);
    CHECK_MSG(count_fds() == fds_before, "open descriptors: %d before, %d after", fds_before,
              count_fds());
    CHECK_MSG(no_children(), "a child process is left");
    return CHECK_DONE();
}
