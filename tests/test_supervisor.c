/* The supervisor and runner: a well-behaved case yields one sample per repetition and per
 * metric; a case whose check fails is `failed`; one that hangs is killed by the watchdog
 * (`timeout`) together with the children it started; one that crashes is `crashed`; nothing is
 * left running or unreaped afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "test_util.h"
#include "group.h"
#include "supervisor.h"

/* The group's hook after a killed case: counts its calls and names itself in the note, so the
 * test sees that it runs after a kill or crash only, for the killed case's own group. */
static int sweeps;
static void fake_sweep(const struct tvp_case *c, char *note, size_t len)
{
    sweeps++;
    snprintf(note, len, "swept by the %s group", c->group->name);
}

static const struct tvp_group fake_group = {
    .name = "fake", .description = "test cases", .sweep_after_kill = fake_sweep};

static int run_ok(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                  char *err, size_t errlen)
{
    (void)c, (void)state, (void)err, (void)errlen;
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < iters * 100; i++)
        x += i;
    totals[0] += 7 * iters; /* 7 per operation */
    totals[1] += 3 * iters;
    return 0;
}

static int run_fail(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals;
    snprintf(err, errlen, "message 3 arrived twice");
    return -1;
}

/* Leaves a grandchild behind and then hangs: the watchdog must take both. */
static int run_hang(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals, (void)err, (void)errlen;
    char *path = getenv("TVP_TEST_PIDFILE");
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    FILE *f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d\n", (int)pid);
        fclose(f);
    }
    for (;;)
        pause();
    return 0;
}

/* Creates a System V semaphore set and hangs before any teardown could remove it. */
static int run_leak_sysv(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                         char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals, (void)err, (void)errlen;
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
    FILE *f = fopen(getenv("TVP_TEST_PIDFILE"), "w");
    if (f) {
        fprintf(f, "%d\n", id);
        fclose(f);
    }
    for (;;)
        pause();
    return 0;
}

static int run_crash(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals, (void)err, (void)errlen;
    kill(getpid(), SIGKILL); /* a crash no sanitizer intercepts */
    return 0;
}

static struct tvp_case make_case(tvp_run_fn run)
{
    struct tvp_case c;
    memset(&c, 0, sizeof c);
    c.group = &fake_group;
    snprintf(c.benchmark, sizeof c.benchmark, "b");
    snprintf(c.variant, sizeof c.variant, "v");
    snprintf(c.model, sizeof c.model, "thread");
    c.placement = TVP_PL_SAME_PU;
    c.pu_a = c.pu_b = 0;
    c.n_metrics = 2;
    c.metric[0] = "m0";
    c.metric[1] = "m1";
    c.unit[0] = c.unit[1] = "ns";
    c.run = run;
    return c;
}

int main(void)
{
    struct tvp_options o;
    memset(&o, 0, sizeof o);
    o.repetitions = 5;
    o.min_time_s = 0.002;
    o.timeout_s = 2;
    o.counters_enabled = 1;
    o.counter_names[0] = "task-clock";
    o.counter_names[1] = "cycles";
    o.n_counters = 2;
    CHECK_INT(tvp_supervisor_init(), 0);

    struct tvp_case c = make_case(run_ok);
    struct tvp_case_result r;
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "ok");
    CHECK_INT(r.n_samples[0], 5);
    CHECK_INT(r.n_samples[1], 5);
    for (size_t i = 0; i < r.n_samples[0]; i++) {
        CHECK_NEAR(r.samples[0][i], 7.0, 1e-9);
        CHECK_NEAR(r.samples[1][i], 3.0, 1e-9);
    }
    CHECK(r.iters >= 1);
    CHECK_STR(r.cpus, "0");
    CHECK(r.ctr_valid[0] && r.ctr_per_op[0] > 0); /* task-clock counts everywhere */
    CHECK(r.seconds > 0);
    tvp_case_result_free(&r);

    /* Timer cost is subtracted once per operation from per-op timed metrics. */
    c.per_op_timed = 1;
    CHECK_INT(tvp_supervise_case(&c, &o, 2.0, &r), 0);
    CHECK(r.n_samples[0] == 5 && fabs(r.samples[0][0] - 5.0) < 1e-9);
    tvp_case_result_free(&r);

    c = make_case(run_fail);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "failed");
    CHECK_MSG(strstr(r.note, "message 3 arrived twice") != NULL, "note: %s", r.note);
    CHECK_INT(r.n_samples[0], 0);
    tvp_case_result_free(&r);

    char pidfile[] = "/tmp/tvp-test-pidXXXXXX";
    int fd = mkstemp(pidfile);
    CHECK(fd >= 0);
    close(fd);
    setenv("TVP_TEST_PIDFILE", pidfile, 1);
    c = make_case(run_hang);
    o.timeout_s = 1;
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "timeout");
    CHECK_MSG(strstr(r.note, "watchdog") != NULL, "note: %s", r.note);
    CHECK(r.seconds >= 1.0 && r.seconds < 10.0);
    tvp_case_result_free(&r);
    FILE *f = fopen(pidfile, "r");
    int grandchild = 0;
    CHECK(f && fscanf(f, "%d", &grandchild) == 1);
    if (f)
        fclose(f);
    unlink(pidfile);
    /* The grandchild was killed with the group and, reparented to us, reaped. */
    CHECK_MSG(grandchild > 0 && kill(grandchild, 0) == -1 && errno == ESRCH,
              "grandchild %d still exists", grandchild);

    /* The watchdog's kill skips the case's teardown: its System V objects are swept. */
    c = make_case(run_leak_sysv);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "timeout");
    CHECK_MSG(strstr(r.note, "removed 1 System V object") != NULL, "note: %s", r.note);
    tvp_case_result_free(&r);
    f = fopen(pidfile, "r");
    int semid = -1;
    CHECK(f && fscanf(f, "%d", &semid) == 1);
    if (f)
        fclose(f);
    unlink(pidfile);
    struct semid_ds ds;
    CHECK_MSG(semid >= 0 && semctl(semid, 0, IPC_STAT, &ds) == -1 && errno == EINVAL,
              "semaphore set %d is still there", semid);

    c = make_case(run_crash);
    int sweeps_before = sweeps;
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "crashed");
    CHECK_MSG(strstr(r.note, "Killed") != NULL, "note: %s", r.note);
    CHECK_INT(sweeps - sweeps_before, 1);
    CHECK_MSG(strstr(r.note, "swept by the fake group") != NULL, "note: %s", r.note);
    tvp_case_result_free(&r);

    /* A case that ended by itself ran its teardown: the group's sweep is not run. */
    c = make_case(run_fail);
    sweeps_before = sweeps;
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "failed");
    CHECK_INT(sweeps - sweeps_before, 0);
    tvp_case_result_free(&r);

    /* Nothing left to reap. */
    CHECK(no_children());
    return CHECK_DONE();
}
