/* The ipc group's engine (bench/groups/ipc/ipc_run.c) run directly, outside the supervisor:
 * ping-pong and stream through every transport and the threads' pointer hand-off, threads and
 * processes, at sizes from 8 bytes to 1 MiB, batch after batch on one open pair (as the harness
 * runs them). Each must pass its own checks and give sane figures (p99 >= p50 > 0, some CPU time).
 * Then a message damaged on the way (tvp_ipcb_fault) must fail the batch with a checksum complaint,
 * the pair cases (ipc_pair.c) must run each member every batch and fail on a member's failure,
 * and nothing may be left behind: descriptors, children, /dev/shm entries. */
#define _GNU_SOURCE
#include "check.h"
#include "ipc_pair.h"
#include "ipc_run.h"
#include "ipc_table.h"
#include "test_util.h"

#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static int cpu_a, cpu_b;

static void make_case(struct tvp_case *c, const char *bench, const char *variant, const char *model,
                      long long bytes)
{
    memset(c, 0, sizeof *c);
    snprintf(c->benchmark, sizeof c->benchmark, "%s", bench);
    snprintf(c->variant, sizeof c->variant, "%s", variant);
    snprintf(c->model, sizeof c->model, "%s", model);
    c->param_value = bytes;
    c->pu_a = cpu_a;
    c->pu_b = cpu_b;
    c->max_iters = 256;
}

static int run_case(const struct tvp_case *c, const uint64_t *iters, int n, char *err, size_t len)
{
    void *st = NULL;
    if (tvp_ipcb_setup(c, &st, err, len) != 0)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        uint64_t t[TVP_MAX_METRICS] = {0};
        rc = tvp_ipcb_run(c, st, iters[i], t, err, len);
        if (rc == 0 && !strcmp(c->benchmark, "pingpong") && (t[1] == 0 || t[2] < t[1])) {
            snprintf(err, len, "round trips p50 %llu p99 %llu", (unsigned long long)t[1],
                     (unsigned long long)t[2]);
            rc = -1;
        }
        if (rc == 0 && t[0] == 0) {
            snprintf(err, len, "no time measured");
            rc = -1;
        }
    }
    tvp_ipcb_teardown(c, st);
    return rc;
}

static int shm_entries(void)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, "tvp-%ld-", (long)getpid());
    DIR *d = opendir("/dev/shm");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d)
        closedir(d);
    return n;
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN); /* as the harness does: a dead peer is EPIPE, not a signal */
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        CPU_SET(0, &set);
    int k = 0;
    for (int i = 0; i < CPU_SETSIZE && k < 2; i++)
        if (CPU_ISSET(i, &set)) {
            if (k++ == 0)
                cpu_a = cpu_b = i;
            else
                cpu_b = i;
        }
    int fds = count_fds();
    char err[300];
    static const uint64_t iters[] = {1, 5, 40};
    static const long long sizes[] = {8, 4104, 1048576};
    static const char *const models[] = {"thread", "process"};
    for (size_t t = 0; t <= tvp_ipc_transports_len; t++) {
        const char *v = t == 0 ? TVP_IPC_POINTER : tvp_ipc_transports[t - 1]->name;
        for (int m = 0; m < 2; m++) {
            if (t == 0 && m == 1)
                continue;
            for (int z = 0; z < 3; z++)
                for (int b = 0; b < 2; b++) {
                    struct tvp_case c;
                    make_case(&c, b ? "stream" : "pingpong", v, models[m], sizes[z]);
                    err[0] = '\0';
                    int rc = run_case(&c, iters, 3, err, sizeof err);
                    CHECK_MSG(rc == 0, "%s %s %s %lld B: %s", c.benchmark, v, models[m], sizes[z],
                              err);
                }
        }
    }
    struct tvp_case c;
    make_case(&c, "memcpy", TVP_IPC_MEMCPY, "thread", 4096);
    CHECK_MSG(run_case(&c, iters, 3, err, sizeof err) == 0, "memcpy: %s", err);

    /* Refused before anything runs. */
    void *st = NULL;
    make_case(&c, "pingpong", "no-such-transport", "thread", 64);
    CHECK(tvp_ipcb_setup(&c, &st, err, sizeof err) != 0);
    make_case(&c, "pingpong", "pipe", "thread", 12);
    CHECK(tvp_ipcb_setup(&c, &st, err, sizeof err) != 0);
    make_case(&c, "pingpong", TVP_IPC_POINTER, "process", 64);
    CHECK(tvp_ipcb_setup(&c, &st, err, sizeof err) != 0);

    /* A damaged message fails the batch, between threads and between processes. */
    static const char *const damaged[] = {"pipe", "shm-ring-futex", "mp-queue", TVP_IPC_ARENA,
                                          TVP_IPC_POINTER};
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++)
        for (int m = 0; m < 2; m++) {
            if (!strcmp(damaged[i], TVP_IPC_POINTER) && m == 1)
                continue;
            make_case(&c, m ? "stream" : "pingpong", damaged[i], models[m], 256);
            static const uint64_t ten[] = {10};
            tvp_ipcb_fault = 1;
            err[0] = '\0';
            int rc = run_case(&c, ten, 1, err, sizeof err);
            tvp_ipcb_fault = 0;
            CHECK_MSG(rc != 0 && strstr(err, "checksum"), "damaged %s %s: rc %d, \"%s\"",
                      damaged[i], models[m], rc, err);
        }
    /* The pair cases (ipc_pair.c): every member runs every batch and gives its own figure; a
     * member's failed check fails the pair case, naming the member. */
    struct tvp_placement pl = {.kind = TVP_PL_SAME_CACHE, .pu_a = cpu_a, .pu_b = cpu_b};
    for (int k = TVP_PAIR_ZERO_COPY; k <= TVP_PAIR_BANDWIDTH; k++) {
        if (k == TVP_PAIR_FLOOR && cpu_a == cpu_b)
            continue; /* the cache-line partner spins: it needs a PU of its own */
        tvp_pair_case(&c, NULL, k, &pl, k == TVP_PAIR_FLOOR ? 64 : 4096);
        st = NULL;
        int rc = c.setup(&c, &st, err, sizeof err);
        CHECK_MSG(rc == 0, "%s set-up: %s", c.benchmark, err);
        for (int i = 0; i < 3 && rc == 0; i++) {
            uint64_t t[TVP_MAX_METRICS] = {0};
            rc = c.run(&c, st, iters[i], t, err, sizeof err);
            CHECK_MSG(rc == 0, "%s batch %d: %s", c.benchmark, i, err);
            for (int m = 0; m < c.n_metrics && rc == 0; m++)
                CHECK_MSG(t[m] > 0, "%s: no %s measured", c.benchmark, c.metric[m]);
        }
        if (st)
            c.teardown(&c, st);
    }
    tvp_pair_case(&c, NULL, TVP_PAIR_ZERO_COPY, &pl, 256);
    st = NULL;
    tvp_ipcb_fault = 1; /* before the set-up: a process's side 1 reads it after the fork */
    CHECK(c.setup(&c, &st, err, sizeof err) == 0);
    uint64_t t[TVP_MAX_METRICS] = {0};
    err[0] = '\0';
    int rc = st ? c.run(&c, st, 10, t, err, sizeof err) : -1;
    tvp_ipcb_fault = 0;
    CHECK_MSG(rc != 0 && strstr(err, "pingpong-pair: pingpong shm-arena (process model)") &&
                  strstr(err, "checksum"),
              "damaged pair member: rc %d, \"%s\"", rc, err);
    if (st)
        c.teardown(&c, st);

    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
    CHECK_INT(shm_entries(), 0);
    return CHECK_DONE();
}
