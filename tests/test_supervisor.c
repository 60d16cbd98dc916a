/* The supervisor and runner: a well-behaved case yields one sample per repetition and per
 * metric; a case whose check fails is `failed`; one that hangs is killed by the watchdog
 * (`timeout`) together with the children it started; one that crashes is `crashed`; nothing is
 * left running or unreaped afterwards. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "test_util.h"
#include "group.h"
#include "runner.h"
#include "supervisor.h"
#include "tvp_created.h"

static const struct tvp_group fake_group = {.name = "fake", .description = "test cases"};

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

/* Alternates 1 and 10 per operation from one batch to the next (the case's own process counts
 * its batches), so the median's CI never narrows. */
static int run_noisy(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen)
{
    (void)c, (void)state, (void)err, (void)errlen;
    static unsigned batch;
    volatile uint64_t x = 0;
    for (uint64_t i = 0; i < iters * 100; i++)
        x += i;
    totals[0] += (batch++ % 2 ? 10 : 1) * iters;
    totals[1] += 3 * iters;
    return 0;
}

static int run_fail(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals;
    /* Remarks longer than the whole note come first: the cause must still be kept. */
    for (int i = 0; i < 12; i++)
        tvp_runner_note("remark %d about how this case is set up, long enough to fill the "
                        "note column",
                        i);
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
    if (id >= 0 && !getenv("TVP_TEST_UNREPORTED"))
        tvp_created_id(TVP_CREATED_SYSV_SEM, id);
    FILE *f = fopen(getenv("TVP_TEST_PIDFILE"), "w");
    if (f) {
        fprintf(f, "%d\n", id);
        fclose(f);
    }
    for (;;)
        pause();
    return 0;
}

/* Makes a folder holding a file and a link to a file outside it, reports the folder and a
 * planted link (TVP_TEST_LINK, a symbolic link to a folder that is not the case's), then hangs. */
static int run_leak_dir(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                        char *err, size_t errlen)
{
    (void)c, (void)state, (void)iters, (void)totals, (void)err, (void)errlen;
    const char *dir = getenv("TVP_TEST_DIR");
    char path[512];
    if (mkdir(dir, 0700) == 0) {
        snprintf(path, sizeof path, "%s/file", dir);
        int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600);
        if (fd >= 0)
            close(fd);
        snprintf(path, sizeof path, "%s/link", dir);
        if (symlink(getenv("TVP_TEST_VICTIM"), path) != 0)
            perror("symlink");
        tvp_created(TVP_CREATED_TMP_DIR, dir);
    }
    tvp_created(TVP_CREATED_TMP_DIR, getenv("TVP_TEST_LINK"));
    FILE *f = fopen(getenv("TVP_TEST_PIDFILE"), "w");
    if (f) {
        fprintf(f, "ready\n");
        fclose(f);
    }
    for (;;)
        pause();
    return 0;
}

/* Another run's System V object, made while the case runs (after the case has made its own):
 * the old sweep removed every new private object of this user with no live user. */
static char *foreign_pidfile;
static int foreign_semid = -1;
static void *make_foreign(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        FILE *f = fopen(foreign_pidfile, "r");
        int id = -1;
        int got = f && fscanf(f, "%d", &id) == 1;
        if (f)
            fclose(f);
        if (got) {
            foreign_semid = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
            return NULL;
        }
        usleep(1000);
    }
    return NULL;
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
    /* The cause leads the note; the remarks follow as far as they fit. */
    CHECK_MSG(strstr(r.note, "message 3 arrived twice") == r.note ||
                  (strstr(r.note, "message 3 arrived twice") != NULL &&
                   strstr(r.note, "message 3 arrived twice") < strstr(r.note, "remark 0")),
              "note: %s", r.note);
    CHECK_MSG(strstr(r.note, "remark 0") != NULL, "note: %s", r.note);
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

    /* The watchdog's kill skips the case's teardown: the System V objects it reported are
     * removed, and another run's, made meanwhile, is not. */
    c = make_case(run_leak_sysv);
    foreign_pidfile = pidfile;
    pthread_t foreign;
    CHECK_INT(pthread_create(&foreign, NULL, make_foreign, NULL), 0);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_INT(pthread_join(foreign, NULL), 0);
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
    CHECK_MSG(foreign_semid >= 0 && semctl(foreign_semid, 0, IPC_STAT, &ds) == 0,
              "another run's semaphore set %d was removed", foreign_semid);
    if (foreign_semid >= 0)
        semctl(foreign_semid, 0, IPC_RMID);

    /* A reported folder is removed with what it holds, relative to its parent: the link inside
     * is removed as a link, its target kept; a reported path that is a link to a folder that is
     * not the case's is not followed. */
    char scratch[] = "/tmp/tvp-test-leftXXXXXX";
    CHECK(mkdtemp(scratch) != NULL);
    char dir[64], victim[64], vdir[64], link[64];
    snprintf(dir, sizeof dir, "%s/case", scratch);
    snprintf(victim, sizeof victim, "%s/victim", scratch);
    snprintf(vdir, sizeof vdir, "%s/victim-dir", scratch);
    snprintf(link, sizeof link, "%s/planted", scratch);
    int vfd = open(victim, O_CREAT | O_EXCL | O_WRONLY, 0600);
    CHECK(vfd >= 0 && write(vfd, "x", 1) == 1);
    if (vfd >= 0)
        close(vfd);
    CHECK(mkdir(vdir, 0700) == 0);
    CHECK(symlink(vdir, link) == 0);
    setenv("TVP_TEST_DIR", dir, 1);
    setenv("TVP_TEST_VICTIM", victim, 1);
    setenv("TVP_TEST_LINK", link, 1);
    c = make_case(run_leak_dir);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "timeout");
    CHECK_MSG(strstr(r.note, "removed 1 temporary folder") != NULL, "note: %s", r.note);
    tvp_case_result_free(&r);
    struct stat st;
    CHECK_MSG(lstat(dir, &st) != 0 && errno == ENOENT, "%s is still there", dir);
    CHECK_MSG(stat(victim, &st) == 0 && st.st_size == 1, "the link's target was touched");
    CHECK_MSG(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "the planted link was removed");
    CHECK_MSG(stat(vdir, &st) == 0 && S_ISDIR(st.st_mode), "the folder behind the link is gone");
    unlink(victim);
    unlink(link);
    rmdir(vdir);
    unlink(pidfile);
    CHECK(rmdir(scratch) == 0);

    c = make_case(run_crash);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "crashed");
    CHECK_MSG(strstr(r.note, "Killed") != NULL, "note: %s", r.note);
    tvp_case_result_free(&r);

    /* The adaptive rule, end to end through the runner: steady figures stop at the floor with
     * "target"; figures that never settle stop at the cap with their samples and a wide CI;
     * the ceiling on samples stops one whose cap is far away. */
    struct tvp_options ad = o;
    ad.repetitions = 0;
    ad.min_samples = 6;
    ad.ci_target = 0.03;
    ad.max_time_s = 0.05;
    ad.min_time_s = 0.0005;
    ad.n_counters = 0;
    /* A hang guard only: 1000 batches take 2 s and more on a loaded machine. */
    ad.timeout_s = 60;
    c = make_case(run_ok);
    CHECK_INT(tvp_supervise_case(&c, &ad, 0.0, &r), 0);
    CHECK_STR(tvp_case_status_name(r.status), "ok");
    CHECK_STR(tvp_stop_name(r.stop), "target");
    CHECK_INT(r.n_samples[0], 6);
    CHECK_NEAR(r.worst_rel_halfwidth, 0.0, 0.0);
    tvp_case_result_free(&r);
    c = make_case(run_noisy);
    CHECK_INT(tvp_supervise_case(&c, &ad, 0.0, &r), 0);
    CHECK_STR(tvp_stop_name(r.stop), "cap");
    CHECK_MSG(r.n_samples[0] >= 6 && r.n_samples[0] == r.n_samples[1], "%zu samples",
              r.n_samples[0]);
    CHECK_MSG(r.sampling_s >= 0.05, "sampled for %g s", r.sampling_s);
    CHECK_MSG(r.worst_rel_halfwidth > 0.03, "widest half-width %g", r.worst_rel_halfwidth);
    tvp_case_result_free(&r);
    /* m0 noisy but not a time: the rule does not govern it, so the floor suffices. */
    c.unit[0] = "count";
    CHECK_INT(tvp_supervise_case(&c, &ad, 0.0, &r), 0);
    CHECK_STR(tvp_stop_name(r.stop), "target");
    CHECK_INT(r.n_samples[0], 6);
    tvp_case_result_free(&r);
    c.unit[0] = "ns";
    ad.max_time_s = 600;
    CHECK_INT(tvp_supervise_case(&c, &ad, 0.0, &r), 0);
    CHECK_STR(tvp_stop_name(r.stop), "max-samples");
    CHECK_INT(r.n_samples[0], TVP_SAMPLES_MAX);
    tvp_case_result_free(&r);
    /* A fixed count is what it says. */
    c = make_case(run_noisy);
    CHECK_INT(tvp_supervise_case(&c, &o, 0.0, &r), 0);
    CHECK_STR(tvp_stop_name(r.stop), "fixed");
    CHECK_INT(r.n_samples[0], 5);
    tvp_case_result_free(&r);

    /* Nothing left to reap. */
    CHECK(no_children());
    return CHECK_DONE();
}
