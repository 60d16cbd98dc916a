/* Tests of the lean starter (primitives/spawn_lean_starter.c) and the case's side of its protocol
 * (primitives/spawn_lean.c).
 *
 * Usage: test_spawn_lean STARTER HELPER
 * STARTER is the built tvp-lean-starter, HELPER the built tvp-spawn-helper. Faulty starters are
 * this program itself, re-executed with TVP_TEST_FAKE_STARTER naming the fault: it then speaks
 * the protocol on descriptor 0 and breaks it the way the mode says.
 *
 * Under ThreadSanitizer the clone-vm method is skipped, as in test_spawn. */
#define _GNU_SOURCE

#include "check.h"
#include "plan_fixture.h"
#include "group.h"
#include "results_fixture.h"
#include "test_util.h"
#include "topology.h"
#include "tvp_spawn.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *starter, *helper;
static char self[PATH_MAX];

/* ---- the fake starter ---------------------------------------------------------------------- */

static void fake_say(const char *line)
{
    size_t n = strlen(line);
    if (write(0, line, n) != (ssize_t)n)
        _exit(3);
}

static int fake_read_line(char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        char ch;
        ssize_t r = read(0, &ch, 1);
        if (r <= 0)
            return -1;
        if (ch == '\n') {
            buf[len] = '\0';
            return 0;
        }
        if (len + 1 < cap)
            buf[len++] = ch;
    }
}

static int fake_main(const char *mode)
{
    cpu_set_t set;
    char mask[256] = "", line[256];
    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 3;
    size_t used = 0;
    for (int c = 0; c < CPU_SETSIZE && used + 8 < sizeof mask; c++)
        if (CPU_ISSET(c, &set))
            used += (size_t)snprintf(mask + used, sizeof mask - used, "%s%d", used ? "," : "", c);
    if (strcmp(mode, "bad-hello") == 0) {
        fake_say("hello there\n");
        fake_read_line(line, sizeof line);
        return 0;
    }
    if (strcmp(mode, "die-at-start") == 0)
        return 7;
    snprintf(line, sizeof line, "ready fake inherited=%s maps=1 thp_off=1\n",
             strcmp(mode, "bad-affinity") == 0 ? "9999" : mask);
    fake_say(line);
    while (fake_read_line(line, sizeof line) == 0) {
        if (strcmp(line, "quit") == 0)
            return 0;
        if (strcmp(mode, "die") == 0)
            raise(SIGKILL);
        else if (strcmp(mode, "bad-reply") == 0)
            fake_say("ok 3 1 2\n");
        else if (strcmp(mode, "inconsistent") == 0)
            /* the runs sum to more than the joins: no real run can say that */
            fake_say("ok 3 900 300 100 100 5 0\n");
        else if (strcmp(mode, "wrong-count") == 0)
            fake_say("ok 2 100 300 10 100 5 0\n");
        else if (strcmp(mode, "honest") == 0)
            fake_say("ok 3 100 300 30 90 5 0\n");
    }
    return 0;
}

/* ---- tests --------------------------------------------------------------------------------- */

static int method_skipped(enum tvp_spawn_method m)
{
    return TEST_TSAN && m == TVP_SPAWN_CLONE_VM;
}

/* Starts a fake starter in mode and returns tvp_lean_start's result. */
static int start_fake(struct tvp_lean_starter *ls, const char *mode, char *err, size_t len)
{
    setenv("TVP_TEST_FAKE_STARTER", mode, 1);
    int e = tvp_lean_start(ls, self, helper, -1, -1, 0, err, len);
    unsetenv("TVP_TEST_FAKE_STARTER");
    return e;
}

static void check_names_starter(const char *err, const char *path)
{
    char want[PATH_MAX + 32];
    snprintf(want, sizeof want, "lean starter %s", path);
    CHECK_MSG(strstr(err, want) != NULL, "the error does not name the starter: %s", err);
}

/* Every method through the real starter: the starts are made and checked there, the reply has
 * the shape the protocol promises. */
static void test_all_methods(void)
{
    int fds = count_fds();
    struct tvp_lean_starter ls;
    char err[512] = "";
    int e = tvp_lean_start(&ls, starter, helper, -1, -1, 0, err, sizeof err);
    CHECK_MSG(e == 0, "%s", err);
    if (e != 0)
        return;
    CHECK(ls.maps > 0);
    CHECK(strcmp(ls.linkage, "static") == 0 || strcmp(ls.linkage, "dynamic") == 0);
    for (int i = 0; i < TVP_SPAWN_COUNT; i++) {
        enum tvp_spawn_method m = (enum tvp_spawn_method)i;
        if (method_skipped(m))
            continue;
        struct tvp_lean_result r;
        e = tvp_lean_run(&ls, m, 20, &r, err, sizeof err);
        CHECK_MSG(e == 0, "%s: %s", tvp_spawn_method_name(m), err);
        if (e != 0)
            return;
        CHECK_INT(r.iters, 20);
        CHECK(r.sum_running > 0 && r.sum_running <= r.sum_joined);
        CHECK(r.p50_running > 0 && r.p50_running <= r.p50_joined);
        CHECK(r.p50_joined <= r.sum_joined);
        CHECK(r.n_cpus >= 1);
    }
    CHECK_MSG(tvp_lean_stop(&ls, err, sizeof err) == 0, "%s", err);
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
}

/* Bound to one PU, the starter inherits exactly that PU and its children run there. */
static void test_binding(void)
{
    cpu_set_t old, one;
    CHECK_INT(sched_getaffinity(0, sizeof old, &old), 0);
    int pu = -1;
    for (int c = 0; c < CPU_SETSIZE && pu < 0; c++)
        if (CPU_ISSET(c, &old))
            pu = c;
    CPU_ZERO(&one);
    CPU_SET(pu, &one);
    CHECK_INT(sched_setaffinity(0, sizeof one, &one), 0);
    struct tvp_lean_starter ls;
    char err[512] = "", want[16];
    int e = tvp_lean_start(&ls, starter, helper, pu, -1, 4, err, sizeof err);
    CHECK_MSG(e == 0, "%s", err);
    if (e == 0) {
        snprintf(want, sizeof want, "%d", pu);
        CHECK_STR(ls.inherited, want);
        struct tvp_lean_result r;
        e = tvp_lean_run(&ls, TVP_SPAWN_FORK, 10, &r, err, sizeof err);
        CHECK_MSG(e == 0, "%s", err);
        CHECK(e != 0 || (r.n_cpus == 1 && r.cpus[0] == pu));
        CHECK_MSG(tvp_lean_stop(&ls, err, sizeof err) == 0, "%s", err);
    }
    CHECK_INT(sched_setaffinity(0, sizeof old, &old), 0);
    CHECK(no_children());
}

/* A start that fails inside the starter (the child's exit status, the helper's exec) fails the
 * run with the starter's own message, naming the starter. */
static void test_failed_starts(void)
{
    int fds = count_fds();
    struct tvp_lean_starter ls;
    char err[512] = "";
    /* A child CPU outside every mask: the forked child cannot bind itself and exits 1. */
    int e = tvp_lean_start(&ls, starter, helper, -1, CPU_SETSIZE - 1, 0, err, sizeof err);
    CHECK_MSG(e == 0, "%s", err);
    if (e == 0) {
        struct tvp_lean_result r;
        e = tvp_lean_run(&ls, TVP_SPAWN_FORK, 5, &r, err, sizeof err);
        CHECK(e != 0);
        check_names_starter(err, starter);
        CHECK_MSG(strstr(err, "exited with status 1") != NULL, "%s", err);
        CHECK_INT(ls.pid, -1); /* stopped and reaped after the error */
        CHECK_INT(tvp_lean_stop(&ls, err, sizeof err), 0);
    }
    e = tvp_lean_start(&ls, starter, "/nonexistent/tvp-spawn-helper", -1, -1, 0, err, sizeof err);
    CHECK_MSG(e == 0, "%s", err);
    if (e == 0) {
        struct tvp_lean_result r;
        e = tvp_lean_run(&ls, TVP_SPAWN_POSIX_SPAWN, 5, &r, err, sizeof err);
        CHECK(e != 0);
        check_names_starter(err, starter);
        CHECK_MSG(strstr(err, "/nonexistent/tvp-spawn-helper") != NULL, "%s", err);
        tvp_lean_stop(&ls, err, sizeof err);
    }
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
}

static void test_missing_starter(void)
{
    int fds = count_fds();
    struct tvp_lean_starter ls;
    char err[512] = "";
    const char *path = "/nonexistent/tvp-lean-starter";
    CHECK_INT(tvp_lean_start(&ls, path, helper, -1, -1, 0, err, sizeof err), ENOENT);
    check_names_starter(err, path);
    CHECK_INT(tvp_lean_stop(&ls, err, sizeof err), 0);
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
}

/* Each broken protocol fails with its own message, the starter named and reaped. */
static void test_broken_starters(void)
{
    int fds = count_fds();
    static const struct {
        const char *mode, *at_start, *at_run;
    } cases[] = {
        {"bad-hello", "bad reply \"hello there\"", NULL},
        {"die-at-start", "died before replying to its start (it exited with status 7)", NULL},
        {"bad-affinity", "inherited affinity {9999}", NULL},
        {"bad-reply", NULL, "bad reply \"ok 3 1 2\""},
        {"inconsistent", NULL, "bad reply \"ok 3 900 300"},
        {"wrong-count", NULL, "bad reply \"ok 2 "},
        {"die", NULL, "was killed by signal 9"},
        {"honest", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tvp_lean_starter ls;
        char err[512] = "";
        int e = start_fake(&ls, cases[i].mode, err, sizeof err);
        if (cases[i].at_start) {
            CHECK_MSG(e != 0, "%s: started", cases[i].mode);
            if (e == 0) /* the check failed: still leave nothing behind */
                tvp_lean_stop(&ls, err, sizeof err);
            CHECK_MSG(strstr(err, cases[i].at_start) != NULL, "%s: %s", cases[i].mode, err);
            check_names_starter(err, self);
            CHECK_INT(ls.pid, -1);
            continue;
        }
        CHECK_MSG(e == 0, "%s: %s", cases[i].mode, err);
        if (e != 0)
            continue;
        struct tvp_lean_result r;
        e = tvp_lean_run(&ls, TVP_SPAWN_FORK, 3, &r, err, sizeof err);
        if (cases[i].at_run) {
            CHECK_MSG(e != 0, "%s: the run was accepted", cases[i].mode);
            CHECK_MSG(strstr(err, cases[i].at_run) != NULL, "%s: %s", cases[i].mode, err);
            check_names_starter(err, self);
            CHECK_INT(ls.pid, -1);
        } else {
            CHECK_MSG(e == 0, "%s: %s", cases[i].mode, err);
            CHECK(e != 0 || (r.iters == 3 && r.sum_joined == 300 && r.p50_joined == 90));
        }
        CHECK_MSG(tvp_lean_stop(&ls, err, sizeof err) == 0, "%s: stop: %s", cases[i].mode, err);
    }
    CHECK(no_children());
    CHECK_INT(count_fds(), fds);
}

/* ---- the spawn group's cases ---------------------------------------------------------------- */

extern const struct tvp_group tvp_group_spawn;

static const struct tvp_case *find_case(const struct tvp_plan *p, const char *bench,
                                        const char *variant)
{
    for (size_t i = 0; i < p->len; i++)
        if (!strcmp(p->cases[i].benchmark, bench) && !strcmp(p->cases[i].variant, variant) &&
            p->cases[i].placement == TVP_PL_SAME_PU && !p->cases[i].param[0])
            return &p->cases[i];
    return NULL;
}

/* Runs one batch of case c; returns setup's or run's result, err set on failure. */
static int one_batch(const struct tvp_case *c, uint64_t iters, uint64_t *totals, char *err,
                     size_t len)
{
    void *state = NULL;
    memset(totals, 0, TVP_MAX_METRICS * sizeof *totals);
    if (c->setup(c, &state, err, len) != 0)
        return -1;
    int rc = c->run(c, state, iters, totals, err, len);
    c->teardown(c, state);
    return rc;
}

/* The group's lean and suite cases: planned side by side, four metrics each (batch means and
 * medians of single starts), the lean ones without counters; a missing starter fails the case
 * at set-up with its path in the error. */
static void test_group_cases(void)
{
    char err[512] = "";
    struct plan_fixture pf;
    CHECK(pf_init(&pf, "pack:1 core:2 pu:1", err, sizeof err) == 0);
    struct tvp_plan_ctx ctx = pf.ctx;
    struct tvp_plan plan;
    memset(&plan, 0, sizeof plan);
    CHECK(tvp_group_spawn.plan(&plan, &ctx) == 0);
    int lean = 0, suite = 0, lean_sweep = 0;
    for (size_t i = 0; i < plan.len; i++) {
        lean += !strcmp(plan.cases[i].benchmark, "start-lean");
        suite += !strcmp(plan.cases[i].benchmark, "start");
        lean_sweep += !strcmp(plan.cases[i].benchmark, "rss-sweep-lean");
        if (strstr(plan.cases[i].benchmark, "-lean"))
            CHECK(plan.cases[i].counters_off != NULL);
    }
    CHECK(lean > 0 && lean == suite);
    CHECK(lean_sweep > 0);
    setenv("TVP_SPAWN_HELPER", helper, 1);
    for (int k = 0; k < 2; k++) {
        const struct tvp_case *c = find_case(&plan, k ? "start-lean" : "start", "fork");
        CHECK(c != NULL);
        if (!c)
            continue;
        CHECK_INT(c->n_metrics, 4);
        CHECK_STR(c->metric[3], "start-to-joined-p50");
        setenv("TVP_LEAN_STARTER", starter, 1);
        uint64_t t[TVP_MAX_METRICS];
        int rc = one_batch(c, 9, t, err, sizeof err);
        CHECK_MSG(rc == 0, "%s: %s", c->benchmark, err);
        /* running before joined, for the sums and for the medians; a median of 9 starts lies
         * within their sum */
        CHECK(t[0] > 0 && t[0] <= t[1]);
        CHECK(t[2] > 0 && t[2] <= t[3]);
        CHECK(t[3] / 9 <= t[1]);
        setenv("TVP_LEAN_STARTER", "/nonexistent/tvp-lean-starter", 1);
        rc = one_batch(c, 9, t, err, sizeof err);
        if (k) {
            CHECK(rc != 0);
            check_names_starter(err, "/nonexistent/tvp-lean-starter");
        } else {
            CHECK_MSG(rc == 0, "the suite's case needs no starter: %s", err);
        }
    }
    unsetenv("TVP_LEAN_STARTER");
    tvp_plan_free(&plan);
    pf_free(&pf);
    CHECK(no_children());
}

/* ---- the C3 verdict's choice of figures -------------------------------------------------- */

static char vdir[64];

static void figure(FILE *csv, FILE *smp, const char *bench, const char *variant, const char *metric,
                   double median)
{
    const int n = 15;
    fprintf(csv, "spawn,%s,%s,thread,same-pu,0,,,%s,ns,%d,%g,%g,%g,ok,\n", bench, variant, metric,
            n, median, median * 0.99, median * 1.01);
    for (int i = 0; i < n; i++)
        fprintf(smp, "spawn/%s/%s/thread/same-pu/%s,%d,%g\n", bench, variant, metric, i,
                median * (0.99 + 0.02 * i / (n - 1)));
}

/* A run whose suite figures and batch means say "too close" while the lean starter's medians of
 * single starts say "confirmed"; lean = 0 leaves the lean figures out. */
static void write_c3_run(int lean)
{
    FILE *csv, *smp;
    CHECK(rf_meta(vdir, "") == 0);
    if (rf_open(vdir, "spawn", RF_COLUMNS, &csv, &smp) != 0)
        return;
    static const char *const procs[] = {"fork", "posix_spawn", "fork-exec"};
    figure(csv, smp, "start", "pthread_create", "start-to-joined-p50", 10000);
    figure(csv, smp, "start", "pthread_create", "start-to-joined", 10000);
    if (lean) {
        figure(csv, smp, "start-lean", "pthread_create", "start-to-joined-p50", 10000);
        figure(csv, smp, "start-lean", "pthread_create", "start-to-joined", 10000);
    }
    for (int i = 0; i < 3; i++) {
        figure(csv, smp, "start", procs[i], "start-to-joined-p50", 10000);
        figure(csv, smp, "start", procs[i], "start-to-joined", 10000);
        if (lean) {
            figure(csv, smp, "start-lean", procs[i], "start-to-joined-p50", 50000);
            figure(csv, smp, "start-lean", procs[i], "start-to-joined", 10000);
        }
    }
    fclose(csv);
    fclose(smp);
}

static enum tvp_verdict_kind judge_c3(struct tvp_verdict *v)
{
    return rf_judge(vdir, "C3", v);
}

static void test_c3_choice(void)
{
    snprintf(vdir, sizeof vdir, "/tmp/tvp-test-lean-c3XXXXXX");
    CHECK(mkdtemp(vdir) != NULL);
    struct tvp_verdict v;
    write_c3_run(1);
    CHECK_INT(judge_c3(&v), TVP_V_CONFIRMED);
    CHECK_MSG(strstr(v.rule, "start-to-joined-p50") && strstr(v.rule, "tvp-lean-starter"), "%s",
              v.rule);
    write_c3_run(0);
    CHECK_INT(judge_c3(&v), TVP_V_TOO_CLOSE);
    CHECK_MSG(strstr(v.rule, "suite's case process"), "%s", v.rule);
    static const char *const files[] = {"meta.json", "spawn.csv", "spawn.samples.csv"};
    for (int i = 0; i < 3; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", vdir, files[i]);
        CHECK_INT(unlink(path), 0);
    }
    CHECK_INT(rmdir(vdir), 0);
}

int main(int argc, char **argv)
{
    const char *fake = getenv("TVP_TEST_FAKE_STARTER");
    if (fake != NULL)
        return fake_main(fake);
    setvbuf(stdout, NULL, _IOLBF, 0);
    starter = argc > 1 ? argv[1] : getenv("TVP_LEAN_STARTER");
    helper = argc > 2 ? argv[2] : getenv("TVP_SPAWN_HELPER");
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (!starter || !helper || n <= 0) {
        fprintf(stderr, "usage: test_spawn_lean STARTER HELPER\n");
        check_failed++;
        return CHECK_DONE();
    }
    self[n] = '\0';
    if (TEST_TSAN)
        printf("ThreadSanitizer build: clone-vm is skipped\n");
    test_all_methods();
    test_binding();
    test_failed_starts();
    test_missing_starter();
    test_broken_starters();
    test_group_cases();
    test_c3_choice();
    CHECK(no_children());
    return CHECK_DONE();
}
