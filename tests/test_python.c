/* The C side of the python group: the worker process plumbing, the interpreter probe, the bridge's
 * protocol checks (every malformed reply refused), the planner's cases and the /dev/shm sweep.
 * argv[1]: the project's source folder. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "plan_fixture.h"
#include "group.h"
#include "options.h"
#include "placement.h"
#include "python_bridge.h"
#include "python_probe.h"
#include "python_proc.h"
#include "leftovers.h"
#include "tvp_created.h"
#include "topology.h"

extern const struct tvp_group tvp_group_python;

/* Number of entries in dir other than . and .. (-1 when it cannot be read). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void test_proc(void)
{
    char err[256] = "", line[256];
    struct tvp_pyproc p;
    char *echo[] = {"/bin/sh", "-c", "read x; echo \"got $x\"; echo second", NULL};
    CHECK(tvp_pyproc_start(&p, echo, NULL, err, sizeof err) == 0);
    CHECK(tvp_pyproc_send(&p, "hello", err, sizeof err) == 0);
    CHECK(tvp_pyproc_readline(&p, line, sizeof line, 5000, err, sizeof err) == 0);
    CHECK_STR(line, "got hello");
    CHECK(tvp_pyproc_readline(&p, line, sizeof line, 5000, err, sizeof err) == 0);
    CHECK_STR(line, "second");
    CHECK(tvp_pyproc_readline(&p, line, sizeof line, 5000, err, sizeof err) == -1);
    CHECK_MSG(strstr(err, "ended") != NULL, "%s", err);
    int st = tvp_pyproc_end(&p, 5000);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* A worker that never answers: the read times out, and ending it kills and reaps it. */
    char *mute[] = {"/bin/sleep", "30", NULL};
    CHECK(tvp_pyproc_start(&p, mute, NULL, err, sizeof err) == 0);
    pid_t pid = p.pid;
    CHECK(tvp_pyproc_readline(&p, line, sizeof line, 100, err, sizeof err) == -1);
    CHECK_MSG(strstr(err, "no reply") != NULL, "%s", err);
    CHECK_INT(tvp_pyproc_end(&p, 100), -1);
    CHECK(kill(pid, 0) != 0 && errno == ESRCH);

    char *none[] = {"/nonexistent/python3", NULL};
    CHECK(tvp_pyproc_start(&p, none, NULL, err, sizeof err) == -1);
    CHECK_MSG(strstr(err, "starting /nonexistent/python3") != NULL, "%s", err);
}

static void test_probe(const char *src)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bench/groups/python", src);
    setenv("TVP_PYTHON_DIR", dir, 1);
    struct tvp_python_env env;
    tvp_python_probe(NULL, &env);
    CHECK_MSG(env.found, "python3: %s", env.missing);
    if (env.found) {
        CHECK(env.main.version[0] == '3');
        CHECK(!strcmp(env.main.gil, "enabled") || !strcmp(env.main.gil, "disabled"));
        CHECK(strstr(env.main.start_methods, "fork") != NULL);
        CHECK(env.has_free || env.free_note[0]);
        char line[1200];
        tvp_python_describe(&env, line, sizeof line);
        CHECK(strstr(line, env.main.version) != NULL);
    }
    tvp_python_probe("/nonexistent/python3", &env);
    CHECK(!env.found);
    CHECK_MSG(strstr(env.missing, "/nonexistent/python3 not found") != NULL, "%s", env.missing);
    tvp_python_probe("no-such-python-xyz", &env);
    CHECK(!env.found);
    CHECK_MSG(strstr(env.missing, "not found on PATH") != NULL, "%s", env.missing);
    setenv("TVP_PYTHON_DIR", "/nonexistent", 1);
    tvp_python_probe(NULL, &env);
    CHECK(!env.found);
    CHECK_MSG(strstr(env.missing, "tvp_worker.py") != NULL, "%s", env.missing);
}

/* Plans the python group against the fake worker and runs one case's bridge in each mode. */
/* What a case reports creating, as the runner would forward it to the supervisor. */
static char created[2048];
static void capture_created(const char *kind, const char *what)
{
    size_t used = strlen(created);
    snprintf(created + used, sizeof created - used, "%s %s\n", kind, what);
}

static void test_bridge(const char *src)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/tests/fake_python", src);
    setenv("TVP_PYTHON_DIR", dir, 1);
    char tmp[] = "/tmp/tvp-bridge-test-XXXXXX";
    CHECK(mkdtemp(tmp) != NULL);
    setenv("TMPDIR", tmp, 1);
    char err[256] = "";
    struct plan_fixture pf;
    CHECK(pf_init(&pf, "pack:1 core:2 pu:1", err, sizeof err) == 0);
    struct tvp_plan_ctx ctx = pf.ctx;
    struct tvp_plan plan;
    memset(&plan, 0, sizeof plan);
    CHECK(tvp_group_python.plan(&plan, &ctx) == 0);
    CHECK(plan.len > 20);
    CHECK(strstr(plan.facts, "CPython 9.9.9") != NULL);
    const struct tvp_case *c = NULL;
    int processes = 0, start_methods = 0;
    for (size_t i = 0; i < plan.len; i++) {
        if (!strcmp(plan.cases[i].benchmark, "lock-uncontended") && !c)
            c = &plan.cases[i];
        processes += !strcmp(plan.cases[i].model, "process");
        start_methods += !strcmp(plan.cases[i].benchmark, "start");
        CHECK(plan.cases[i].counters_off != NULL);
    }
    CHECK(processes > 0);
    CHECK_INT(start_methods, 2); /* Thread, and the one method the fake offers */
    /* C5: three exit cases on one PU, work_ms as the spawn group's quick run, run by tvpy.spawn. */
    int exits = 0;
    for (size_t i = 0; i < plan.len; i++) {
        const struct tvp_case *e = &plan.cases[i];
        if (strcmp(e->benchmark, "exit"))
            continue;
        exits++;
        struct tvp_py_launch l;
        CHECK(tvp_python_launch_of(e, &l) == 0 && !strcmp(l.module, "spawn"));
        CHECK(e->placement == TVP_PL_SAME_PU && e->param_value == 20);
        CHECK(e->n_metrics == 3 && !strcmp(e->metric[1], "main-to-exit"));
    }
    CHECK_INT(exits, 3);
    CHECK(c != NULL);
    if (c) {
        static const struct {
            const char *mode, *want; /* want: NULL = success, else a piece of the error */
            int at_setup;
        } modes[] = {{"good", NULL, 0},
                     {"count", "2 totals for 1 metrics", 0},
                     {"negative", "not a finite value", 0},
                     {"check", "lost message 7", 0},
                     {"crash", "ended without a reply", 0},
                     {"garbage", "a malformed reply", 0},
                     {"setup-error", "set-up failed on purpose", 1}};
        for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
            setenv("FAKE_MODE", modes[m].mode, 1);
            void *state = NULL;
            err[0] = '\0';
            created[0] = '\0';
            tvp_created_hook = capture_created;
            int rc = tvp_pybridge_setup(c, &state, err, sizeof err);
            tvp_created_hook = NULL;
            /* The worker's folder is reported as made; a SharedMemory block the worker reports
             * is passed on, so a kill removes exactly these. */
            char want_dir[256];
            snprintf(want_dir, sizeof want_dir, "tmp-dir %s/tvp-py-", tmp);
            CHECK_MSG(strstr(created, want_dir) != NULL, "%s: created: %s", modes[m].mode, created);
            CHECK_MSG(modes[m].at_setup || strstr(created, "posix-shm /tvp-py-fake-1\n"),
                      "%s: created: %s", modes[m].mode, created);
            if (modes[m].at_setup) {
                CHECK(rc == -1);
                CHECK_MSG(strstr(err, modes[m].want) != NULL, "%s: %s", modes[m].mode, err);
                CHECK_INT(entries(tmp), 0);
                continue;
            }
            CHECK_MSG(rc == 0, "%s: %s", modes[m].mode, err);
            if (rc != 0)
                continue;
            uint64_t totals[TVP_MAX_METRICS] = {0};
            rc = tvp_pybridge_run(c, state, 7, totals, err, sizeof err);
            if (!modes[m].want) {
                CHECK_MSG(rc == 0, "%s", err);
                CHECK_INT(totals[0], 70);
            } else {
                CHECK(rc == -1);
                CHECK_MSG(strstr(err, modes[m].want) != NULL, "%s: %s", modes[m].mode, err);
            }
            CHECK_INT(entries(tmp), 1); /* the worker's own folder, while it runs */
            tvp_pybridge_teardown(c, state);
            CHECK_MSG(entries(tmp) == 0, "%s: the worker's temporary folder outlived it",
                      modes[m].mode);
        }
    }
    unsetenv("FAKE_MODE");
    unsetenv("TMPDIR");
    CHECK(rmdir(tmp) == 0);
    tvp_plan_free(&plan);

    /* No interpreter: the group plans nothing and says why. */
    snprintf(pf.o.python, sizeof pf.o.python, "/nonexistent/python3");
    memset(&plan, 0, sizeof plan);
    CHECK(tvp_group_python.plan(&plan, &ctx) == 0);
    CHECK_INT(plan.len, 0);
    CHECK(strstr(plan.missing, "not found") != NULL);
    tvp_plan_free(&plan);
    pf_free(&pf);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_python SOURCE_DIR\n");
        return 2;
    }
    test_proc();
    test_probe(argv[1]);
    test_bridge(argv[1]);
    CHECK_INT(tvp_remove_tree_at(AT_FDCWD, "/nonexistent-dir/x"), 0);
    return CHECK_DONE();
}
