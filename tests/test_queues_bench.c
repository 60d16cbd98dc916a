/* The queues group's engine (bench/groups/queues/queues_stream.c) run directly, outside the
 * supervisor: every queue kind, threads and processes, 1:1, 1:2, 2:2 and 3:3, batched and handoff,
 * 8 and 64-byte messages, at batch sizes that hit the edges of the checks (1 message, 63/64/65, a
 * few thousand). Each must pass its own checks and give sane figures (p99 >= p50 > 0), and every
 * stream batch must report its order check's negative control caught. Then each check is shown
 * able to fail: with a consumer made to drop, duplicate, corrupt or reorder one message
 * (tvp_qs_fault), the batch fails with a message naming the problem; with the order check made
 * blind (tvp_qs_order_blind), the negative control reports "not caught". The order check itself
 * is fed right and wrong orders; the own-cost cases run at every depth, and the own-cost pair
 * (FIFO, LIFO, priority in turn per batch) gives each member's time and one control, which any
 * member's blind order check leaves uncaught; the sleep
 * counters are
 * shown to count a consumer and a producer that slept, each on its own side. */
#define _GNU_SOURCE
#include "check.h"
#include "queue_ops.h"
#include "queues_own_pair.h"
#include "queues_stream.h"
#include "test_util.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int n_cpus;

static void make_case(struct tvp_case *c, const char *variant, const char *model, int P, int C,
                      int bytes, int handoff)
{
    memset(c, 0, sizeof *c);
    snprintf(c->benchmark, sizeof c->benchmark, handoff ? "handoff" : "stream-%dx%d", P, C);
    snprintf(c->variant, sizeof c->variant, "%s", variant);
    snprintf(c->model, sizeof c->model, "%s", model);
    c->param_value = bytes;
    c->arg = TVP_QS_ARG(P, C, strstr(variant, "+batch") != NULL, handoff);
    c->n_pus = P + C;
    for (int i = 0; i < P + C; i++)
        c->pus[i] = i % n_cpus;
    c->max_iters = 1u << 14;
}

/* Runs the case over each batch size; returns 0 when every batch passed. */
static int run_case(const struct tvp_case *c, const uint64_t *sizes, int n, char *err,
                    size_t errlen)
{
    void *st = NULL;
    if (tvp_qs_setup(c, &st, err, errlen) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        uint64_t totals[TVP_MAX_METRICS] = {0};
        rc = tvp_qs_run(c, st, sizes[i], totals, err, errlen);
        if (rc == 0 && (totals[1] == 0 || totals[2] < totals[1])) {
            snprintf(err, errlen, "latency totals p50 %llu p99 %llu", (unsigned long long)totals[1],
                     (unsigned long long)totals[2]);
            rc = -1;
        }
        if (rc == 0 && !c->per_op_timed && totals[0] == 0) {
            snprintf(err, errlen, "no time measured");
            rc = -1;
        }
        if (rc == 0 && !c->per_op_timed && totals[TVP_QS_M_CONTROL] != sizes[i]) {
            snprintf(err, errlen, "order check's negative control: %llu, want %llu (caught)",
                     (unsigned long long)totals[TVP_QS_M_CONTROL], (unsigned long long)sizes[i]);
            rc = -1;
        }
    }
    tvp_qs_teardown(c, st);
    return rc;
}

/* ---- the order check, fed right and wrong orders ---- */

static int order(enum tvp_qk kind, const int64_t *prio, const uint64_t *taken)
{
    char why[160];
    return tvp_qs_order_ok(kind, 8, prio, taken, why, sizeof why);
}

static void test_order_check(void)
{
    static const int64_t prio[8] = {3, 1, 3, 0, 1, 3, 0, 2}; /* ties of 0, 1 and 3 */
    static const uint64_t fifo[8] = {0, 1, 2, 3, 4, 5, 6, 7}, lifo[8] = {7, 6, 5, 4, 3, 2, 1, 0};
    /* Smallest priority first, ties in put order. */
    static const uint64_t pri[8] = {3, 6, 1, 4, 7, 0, 2, 5};
    static const uint64_t pri_ties_reversed[8] = {6, 3, 1, 4, 7, 0, 2, 5};
    CHECK_INT(order(TVP_QK_FIFO, prio, fifo), 0);
    CHECK_INT(order(TVP_QK_SPSC, prio, fifo), 0);
    CHECK_INT(order(TVP_QK_MPMC, prio, fifo), 0);
    CHECK_INT(order(TVP_QK_LIFO, prio, lifo), 0);
    CHECK_INT(order(TVP_QK_PRIORITY, prio, pri), 0);
    /* Each kind's output checked as another kind's. */
    CHECK_INT(order(TVP_QK_FIFO, prio, lifo), -1);
    CHECK_INT(order(TVP_QK_LIFO, prio, fifo), -1);
    CHECK_INT(order(TVP_QK_PRIORITY, prio, fifo), -1);
    CHECK_INT(order(TVP_QK_FIFO, prio, pri), -1);
    CHECK_INT(order(TVP_QK_PRIORITY, prio, pri_ties_reversed), -1);
    /* A swapped pair anywhere, a repeated item, an item never put. */
    static const enum tvp_qk kinds[] = {TVP_QK_FIFO, TVP_QK_LIFO, TVP_QK_PRIORITY};
    const uint64_t *right[] = {fifo, lifo, pri};
    for (int k = 0; k < 3; k++)
        for (int at = 0; at < 7; at++) {
            uint64_t t[8];
            memcpy(t, right[k], sizeof t);
            uint64_t x = t[at];
            t[at] = t[at + 1];
            t[at + 1] = x;
            CHECK_MSG(order(kinds[k], prio, t) == -1, "%s: pair %d swapped passed",
                      tvp_qk[kinds[k]].name, at);
            memcpy(t, right[k], sizeof t);
            t[at + 1] = t[at];
            CHECK_MSG(order(kinds[k], prio, t) == -1, "%s: item repeated at %d passed",
                      tvp_qk[kinds[k]].name, at + 1);
            memcpy(t, right[k], sizeof t);
            t[at] = 8;
            CHECK_MSG(order(kinds[k], prio, t) == -1, "%s: item 8 of 8 at %d passed",
                      tvp_qk[kinds[k]].name, at);
        }
    /* The hook the negative control is tested with: a blind check passes anything. */
    tvp_qs_order_blind = 1;
    CHECK_INT(order(TVP_QK_FIFO, prio, lifo), 0);
    tvp_qs_order_blind = 0;
}

/* ---- own cost ---- */

static void make_own(struct tvp_case *c, const char *variant, int depth, int pu)
{
    memset(c, 0, sizeof *c);
    snprintf(c->benchmark, sizeof c->benchmark, "own-cost");
    snprintf(c->variant, sizeof c->variant, "%s", variant);
    snprintf(c->model, sizeof c->model, "thread");
    c->param_value = depth;
    c->n_pus = 1;
    c->pus[0] = pu;
}

static int run_own(const struct tvp_case *c, const uint64_t *sizes, int n, uint64_t want_control,
                   char *err, size_t errlen)
{
    void *st = NULL;
    if (tvp_qs_own_setup(c, &st, err, errlen) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        uint64_t totals[TVP_MAX_METRICS] = {0};
        rc = tvp_qs_own_run(c, st, sizes[i], totals, err, errlen);
        if (rc == 0 && totals[TVP_QS_OWN_M_PAIR] == 0) {
            snprintf(err, errlen, "no time measured");
            rc = -1;
        }
        if (rc == 0 && totals[TVP_QS_OWN_M_CONTROL] != (want_control ? sizes[i] : 0)) {
            snprintf(err, errlen, "negative control %llu for %llu pairs",
                     (unsigned long long)totals[TVP_QS_OWN_M_CONTROL],
                     (unsigned long long)sizes[i]);
            rc = -1;
        }
    }
    tvp_qs_own_teardown(c, st);
    return rc;
}

static void test_own_cost(int pu)
{
    static const char *const kinds[] = {"fifo", "lifo", "priority", "spsc-ring", "mpmc-ring"};
    static const int depths[] = {1, 32, TVP_QS_CAPACITY};
    /* Batches shorter than, equal to and longer than a fill, and several fills in a row (the
     * SPSC ring's lazily published slots must not make a refill fail). */
    static const uint64_t sizes[] = {1, 5, TVP_QS_CAPACITY, 3 * TVP_QS_CAPACITY + 7};
    char err[256];
    for (size_t k = 0; k < 5; k++)
        for (size_t d = 0; d < 3; d++) {
            struct tvp_case c;
            make_own(&c, kinds[k], depths[d], pu);
            err[0] = '\0';
            CHECK_MSG(run_own(&c, sizes, 4, 1, err, sizeof err) == 0, "own cost %s depth %d: %s",
                      kinds[k], depths[d], err);
        }
    struct tvp_case c;
    void *st = NULL;
    make_own(&c, "fifo", 0, pu);
    CHECK(tvp_qs_own_setup(&c, &st, err, sizeof err) != 0);
    make_own(&c, "fifo", TVP_QS_CAPACITY + 1, pu);
    CHECK(tvp_qs_own_setup(&c, &st, err, sizeof err) != 0);
    make_own(&c, "no-such-queue", 1, pu);
    CHECK(tvp_qs_own_setup(&c, &st, err, sizeof err) != 0);
}

/* The own-cost pair: every batch runs all three members, so each metric gets time and the
 * control is caught only when every member's was. */
static void test_own_pair(int pu)
{
    extern const struct tvp_group tvp_group_queues;
    struct tvp_placement pl = {.kind = TVP_PL_SAME_PU, .pu_a = pu, .pu_b = pu};
    struct tvp_case c;
    tvp_qop_case(&c, &tvp_group_queues, &pl, TVP_QS_CAPACITY);
    CHECK_INT(c.n_metrics, TVP_QOP_METRICS);
    CHECK_STR(c.metric[0], "fifo-per-pair");
    CHECK_STR(c.metric[2], "priority-per-pair");
    CHECK_STR(c.metric[TVP_QOP_M_CONTROL], "order-control");
    CHECK(c.min_repetitions >= 21);
    char err[400] = "";
    void *st = NULL;
    int rc = c.setup(&c, &st, err, sizeof err);
    CHECK_MSG(rc == 0, "own-cost pair set-up: %s", err);
    if (rc != 0)
        return;
    static const uint64_t sizes[] = {1, TVP_QS_CAPACITY, 3 * TVP_QS_CAPACITY + 7, 20000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint64_t totals[TVP_MAX_METRICS] = {0};
        rc = c.run(&c, st, sizes[i], totals, err, sizeof err);
        CHECK_MSG(rc == 0, "own-cost pair, %llu pairs: %s", (unsigned long long)sizes[i], err);
        for (int m = 0; m < TVP_QOP_MEMBERS; m++)
            CHECK_MSG(totals[m] > 0, "own-cost pair member %d: no time for %llu pairs", m,
                      (unsigned long long)sizes[i]);
        CHECK_MSG(totals[TVP_QOP_M_CONTROL] == sizes[i],
                  "own-cost pair control %llu for %llu pairs",
                  (unsigned long long)totals[TVP_QOP_M_CONTROL], (unsigned long long)sizes[i]);
    }
    /* One member's order check blind: the pair's control is not caught, whichever member it is
     * and whichever way the batch runs (two batches each); a kind that is not a member, blind,
     * leaves it caught. */
    static const enum tvp_qk blind_kinds[] = {TVP_QK_FIFO, TVP_QK_LIFO, TVP_QK_PRIORITY,
                                              TVP_QK_SPSC};
    for (size_t b = 0; b < sizeof blind_kinds / sizeof blind_kinds[0]; b++)
        for (int batch = 0; batch < 2; batch++) {
            uint64_t totals[TVP_MAX_METRICS] = {0};
            tvp_qs_order_blind = 2 + (int)blind_kinds[b];
            rc = c.run(&c, st, 100, totals, err, sizeof err);
            tvp_qs_order_blind = 0;
            uint64_t want = blind_kinds[b] == TVP_QK_SPSC ? 100 : 0;
            CHECK_MSG(rc == 0 && totals[TVP_QOP_M_CONTROL] == want,
                      "own-cost pair with %s blind: rc %d, control %llu (want %llu), %s",
                      tvp_qk[blind_kinds[b]].name, rc,
                      (unsigned long long)totals[TVP_QOP_M_CONTROL], (unsigned long long)want, err);
        }
    c.teardown(&c, st);
    /* A depth the members refuse fails the case's set-up. */
    tvp_qop_case(&c, &tvp_group_queues, &pl, TVP_QS_CAPACITY + 1);
    st = NULL;
    CHECK(c.setup(&c, &st, err, sizeof err) != 0);
    CHECK(st == NULL);
}

/* ---- the sleep counters through queue_ops ---- */

struct sleeper {
    struct tvp_bq *q;
    int put; /* 1: put into a full queue, else get from an empty one */
    int rc;
};

static void *sleeper_main(void *arg)
{
    struct sleeper *s = arg;
    uint64_t v = 7;
    s->rc = s->put ? tvp_bq_put(s->q, &v, 0, TVP_QUEUE_FOREVER)
                   : tvp_bq_get(s->q, &v, TVP_QUEUE_FOREVER);
    return NULL;
}

/* Polls until the queue has counted `want` sleeps on the side asked (10 s at most). */
static void await_sleeps(struct tvp_bq *q, int put, uint64_t want, uint64_t *get_n, uint64_t *put_n)
{
    struct timespec t0, now, ms = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        tvp_bq_sleeps(q, get_n, put_n);
        clock_gettime(CLOCK_MONOTONIC, &now);
        if ((put ? *put_n : *get_n) >= want || now.tv_sec - t0.tv_sec >= 10)
            return;
        nanosleep(&ms, NULL);
    }
}

static void test_sleeps(void)
{
    char err[256];
    for (int k = 0; k < TVP_QK_COUNT; k++) {
        struct tvp_bq q;
        /* Capacity 2; a ring that sleeps at once (spin 0). */
        if (tvp_bq_open(&q, (enum tvp_qk)k, 2, sizeof(uint64_t), 0, 0, err, sizeof err) != 0) {
            CHECK_MSG(0, "%s: open: %s", tvp_qk[k].name, err);
            continue;
        }
        uint64_t g = 0, p = 0, v = 1;
        tvp_bq_sleeps(&q, &g, &p);
        CHECK_MSG(g == 0 && p == 0, "%s: a new queue counts %llu + %llu sleeps", tvp_qk[k].name,
                  (unsigned long long)g, (unsigned long long)p);
        /* A consumer on an empty queue sleeps until the put. */
        struct sleeper s = {&q, 0, -1};
        pthread_t th;
        int rc = pthread_create(&th, NULL, sleeper_main, &s);
        CHECK_INT(rc, 0);
        if (rc != 0) {
            tvp_bq_close(&q);
            continue;
        }
        await_sleeps(&q, 0, 1, &g, &p);
        CHECK_MSG(g == 1 && p == 0, "%s: a consumer asleep: get %llu, put %llu (want 1, 0)",
                  tvp_qk[k].name, (unsigned long long)g, (unsigned long long)p);
        CHECK_INT(tvp_bq_put(&q, &v, 0, TVP_QUEUE_FOREVER), 0);
        CHECK_INT(pthread_join(th, NULL), 0);
        CHECK_INT(s.rc, 0);
        /* A producer on a full queue sleeps until the get. */
        for (int i = 0; i < 2; i++)
            CHECK_INT(tvp_bq_put(&q, &v, 0, TVP_QUEUE_NOWAIT), 0);
        uint64_t g_before = g;
        tvp_bq_sleeps(&q, &g, &p);
        g_before = g;
        s = (struct sleeper){&q, 1, -1};
        rc = pthread_create(&th, NULL, sleeper_main, &s);
        CHECK_INT(rc, 0);
        if (rc != 0) {
            tvp_bq_close(&q);
            continue;
        }
        await_sleeps(&q, 1, 1, &g, &p);
        CHECK_MSG(p == 1 && g == g_before,
                  "%s: a producer asleep: put %llu, get %llu (want 1, %llu)", tvp_qk[k].name,
                  (unsigned long long)p, (unsigned long long)g, (unsigned long long)g_before);
        CHECK_INT(tvp_bq_get(&q, &v, TVP_QUEUE_FOREVER), 0);
        CHECK_INT(pthread_join(th, NULL), 0);
        CHECK_INT(s.rc, 0);
        tvp_bq_close(&q);
    }
}

int main(void)
{
    cpu_set_t set;
    n_cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    /* The PUs the cases name must be ones this process may use. */
    int cpus[64], k = 0;
    for (int i = 0; i < CPU_SETSIZE && k < 64; i++)
        if (CPU_ISSET(i, &set))
            cpus[k++] = i;
    int fds = count_fds();
    static const uint64_t sizes[] = {1, 63, 64, 65, 3000};
    static const char *const kinds[] = {
        "fifo",      "lifo",         "priority",          "spsc-ring",
        "mpmc-ring", "fifo+batch16", "spsc-ring+batch16", "mpmc-ring+batch16"};
    static const char *const models[] = {"thread", "process"};
    char err[256];
    for (size_t kk = 0; kk < sizeof kinds / sizeof kinds[0]; kk++)
        for (int m = 0; m < 2; m++) {
            int multi = strncmp(kinds[kk], "spsc", 4) != 0;
            static const int shapes[][2] = {{1, 1}, {1, 2}, {2, 2}, {3, 3}};
            for (int sh = 0; sh < (multi ? 4 : 1); sh++)
                for (int bytes = 8; bytes <= 64; bytes += 56) {
                    struct tvp_case c;
                    make_case(&c, kinds[kk], models[m], shapes[sh][0], shapes[sh][1], bytes, 0);
                    for (int i = 0; i < c.n_pus; i++)
                        c.pus[i] = cpus[i % k];
                    err[0] = '\0';
                    int rc = run_case(&c, sizes, 5, err, sizeof err);
                    CHECK_MSG(rc == 0, "%s %s %dx%d %d B: %s", kinds[kk], models[m], shapes[sh][0],
                              shapes[sh][1], bytes, err);
                }
            if (strstr(kinds[kk], "+batch"))
                continue;
            struct tvp_case c;
            make_case(&c, kinds[kk], models[m], 1, 1, 8, 1);
            c.per_op_timed = 1;
            for (int i = 0; i < 2; i++)
                c.pus[i] = cpus[i % k];
            err[0] = '\0';
            int rc = run_case(&c, sizes, 5, err, sizeof err);
            CHECK_MSG(rc == 0, "handoff %s %s: %s", kinds[kk], models[m], err);
        }

    /* Bad shapes are refused at set-up, not run. */
    struct tvp_case bad;
    void *st = NULL;
    make_case(&bad, "spsc-ring", "thread", 2, 1, 8, 0);
    CHECK(tvp_qs_setup(&bad, &st, err, sizeof err) != 0);
    make_case(&bad, "fifo", "thread", 1, 1, 12, 0);
    CHECK(tvp_qs_setup(&bad, &st, err, sizeof err) != 0);
    make_case(&bad, "no-such-queue", "thread", 1, 1, 8, 0);
    CHECK(tvp_qs_setup(&bad, &st, err, sizeof err) != 0);

    /* Each check can fail. */
    static const struct {
        enum tvp_qs_fault f;
        const char *kind, *model, *want;
    } faults[] = {
        {TVP_QS_FAULT_DROP, "fifo", "thread", "never received"},
        {TVP_QS_FAULT_DUP, "mpmc-ring", "thread", "received twice"},
        {TVP_QS_FAULT_CORRUPT, "lifo", "process", "checksum"},
        {TVP_QS_FAULT_REORDER, "spsc-ring", "process", "order"},
    };
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        struct tvp_case c;
        make_case(&c, faults[i].kind, faults[i].model, 1, 1, 64, 0);
        for (int j = 0; j < 2; j++)
            c.pus[j] = cpus[j % k];
        static const uint64_t one[] = {500};
        tvp_qs_fault = faults[i].f;
        err[0] = '\0';
        int rc = run_case(&c, one, 1, err, sizeof err);
        tvp_qs_fault = TVP_QS_FAULT_NONE;
        CHECK_MSG(rc != 0 && strstr(err, faults[i].want), "fault %d on %s: rc %d, \"%s\"",
                  (int)faults[i].f, faults[i].kind, rc, err);
    }

    /* The negative control: with a blind order check, every batch still passes (its real order
     * is right) but reports the swapped order not caught (0), in the streams and the own cost. */
    {
        struct tvp_case c;
        make_case(&c, "lifo", "thread", 1, 1, 8, 0);
        for (int j = 0; j < 2; j++)
            c.pus[j] = cpus[j % k];
        void *st = NULL;
        uint64_t totals[TVP_MAX_METRICS] = {0};
        err[0] = '\0';
        int rc = tvp_qs_setup(&c, &st, err, sizeof err);
        if (rc == 0) {
            tvp_qs_order_blind = 1;
            rc = tvp_qs_run(&c, st, 500, totals, err, sizeof err);
            tvp_qs_order_blind = 0;
            tvp_qs_teardown(&c, st);
        }
        CHECK_MSG(rc == 0 && totals[TVP_QS_M_CONTROL] == 0,
                  "blind order check, stream: rc %d, control %llu (want 0), %s", rc,
                  (unsigned long long)totals[TVP_QS_M_CONTROL], err);
        struct tvp_case o;
        make_own(&o, "priority", 32, cpus[0]);
        static const uint64_t one[] = {100};
        tvp_qs_order_blind = 1;
        err[0] = '\0';
        rc = run_own(&o, one, 1, 0, err, sizeof err);
        tvp_qs_order_blind = 0;
        CHECK_MSG(rc == 0, "blind order check, own cost: %s", err);
    }

    test_order_check();
    test_own_cost(cpus[0]);
    test_own_pair(cpus[0]);
    test_sleeps();

    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
    return CHECK_DONE();
}
