/* The queues group's engine (bench/groups/queues/queues_stream.c) run directly, outside the
 * supervisor: every queue kind, threads and processes, 1:1, 1:2, 2:2 and 3:3, batched and handoff,
 * 8 and 64-byte messages, at batch sizes that hit the edges of the checks (1 message, 63/64/65, a
 * few thousand). Each must pass its own checks and give sane figures (p99 >= p50 > 0). Then each
 * check is shown able to fail: with a consumer made to drop, duplicate, corrupt or reorder one
 * message (tvp_qs_fault), the batch fails with a message naming the problem. */
#define _GNU_SOURCE
#include "check.h"
#include "queue_ops.h"
#include "queues_stream.h"
#include "test_util.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>

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
    }
    tvp_qs_teardown(c, st);
    return rc;
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
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
    return CHECK_DONE();
}
