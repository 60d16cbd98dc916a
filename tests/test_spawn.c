/* Tests of primitives/spawn.c.
 *
 * Usage: test_spawn HELPER
 * HELPER is the path of the built tvp-spawn-helper; without an argument the test reads it from
 * the environment variable TVP_SPAWN_HELPER, and without either it fails (it does not skip the
 * exec methods silently).
 *
 * Under ThreadSanitizer the clone-vm method is skipped (with a printed reason): its child
 * shares the parent's memory and thread area, including TSan's per-thread state, while both
 * run, which TSan cannot follow. vfork is kept: TSan's interceptor turns it into fork. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "tvp_child.h"
#include "tvp_spawn.h"

#include <spawn.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 200

static const char *helper;
static cpu_set_t allowed; /* the process's affinity mask at start */
static long n_conf;       /* configured PUs */

static int method_skipped(enum tvp_spawn_method m)
{
    return TEST_TSAN && m == TVP_SPAWN_CLONE_VM;
}

static int valid_pu(int cpu)
{
    return cpu >= 0 && cpu < n_conf && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &allowed);
}

static void test_names(void)
{
    static const char *const expect[TVP_SPAWN_COUNT] = {
        "pthread_create", "pthread-detached", "fork",     "vfork",
        "clone-vm",       "posix_spawn",      "fork-exec"};
    static const int is_proc[TVP_SPAWN_COUNT] = {0, 0, 1, 1, 1, 1, 1};
    for (int i = 0; i < TVP_SPAWN_COUNT; i++) {
        enum tvp_spawn_method m = (enum tvp_spawn_method)i;
        CHECK_STR(tvp_spawn_method_name(m), expect[i]);
        enum tvp_spawn_method back = TVP_SPAWN_COUNT;
        CHECK_INT(tvp_spawn_method_parse(tvp_spawn_method_name(m), &back), 0);
        CHECK_INT(back, i);
        CHECK_INT(tvp_spawn_method_is_process(m), is_proc[i]);
    }
    enum tvp_spawn_method m = TVP_SPAWN_FORK;
    CHECK_INT(tvp_spawn_method_parse("bogus", &m), -1);
    CHECK_INT(tvp_spawn_method_parse("", &m), -1);
    CHECK_INT(tvp_spawn_method_parse("Fork", &m), -1);
    CHECK_INT(m, TVP_SPAWN_FORK); /* untouched on failure */
    CHECK_INT(tvp_spawn_method_is_process(TVP_SPAWN_COUNT), 0);
}

/* Starts and waits method m `rounds` times on s; checks tokens, time window and PU (want_cpu
 * >= 0: exactly that PU). Reports at most the first failure per method. */
static void run_method(struct tvp_spawner *s, enum tvp_spawn_method m, int rounds, int want_cpu)
{
    const char *name = tvp_spawn_method_name(m);
    char err[256] = "";
    int failed = 0, bad_token = 0, bad_time = 0, bad_cpu = 0, last_cpu = -1;
    for (int i = 0; i < rounds; i++) {
        struct tvp_spawn_handle h;
        uint64_t t0 = tvp_spawn_now_ns();
        int e = tvp_spawn_start(s, m, &h, err, sizeof err);
        if (e == 0)
            e = tvp_spawn_wait(s, &h, err, sizeof err);
        uint64_t t1 = tvp_spawn_now_ns();
        if (e != 0) {
            failed++;
            break; /* err holds the first failure */
        }
        uint64_t ns = atomic_load_explicit(&s->mark->running_ns, memory_order_acquire);
        uint64_t token = atomic_load_explicit(&s->mark->token, memory_order_relaxed);
        int cpu = atomic_load_explicit(&s->mark->cpu, memory_order_relaxed);
        if (token != h.token || token != s->token)
            bad_token++;
        if (ns < t0 || ns > t1)
            bad_time++;
        if (want_cpu >= 0 ? cpu != want_cpu : !valid_pu(cpu)) {
            bad_cpu++;
            last_cpu = cpu;
        }
    }
    CHECK_MSG(failed == 0, "%s: %s", name, err);
    CHECK_MSG(bad_token == 0, "%s: %d of %d rounds had a wrong token", name, bad_token, rounds);
    CHECK_MSG(bad_time == 0, "%s: %d of %d rounds stamped outside [start, wait]", name, bad_time,
              rounds);
    CHECK_MSG(bad_cpu == 0, "%s: %d of %d rounds recorded a wrong cpu (e.g. %d, wanted %d)", name,
              bad_cpu, rounds, last_cpu, want_cpu);
}

static void run_all(struct tvp_spawner *s, int rounds, int want_cpu)
{
    for (int i = 0; i < TVP_SPAWN_COUNT; i++) {
        enum tvp_spawn_method m = (enum tvp_spawn_method)i;
        if (method_skipped(m)) {
            printf("skip %s: ThreadSanitizer cannot follow a CLONE_VM child that shares its "
                   "thread state\n",
                   tvp_spawn_method_name(m));
            continue;
        }
        run_method(s, m, rounds, want_cpu);
    }
}

static void test_all_methods(void)
{
    char err[256];
    int fds0 = count_fds();
    struct tvp_spawner s;
    int e = tvp_spawner_init(&s, helper, -1, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e != 0)
        return;
    run_all(&s, ROUNDS, -1);
    tvp_spawner_destroy(&s);
    CHECK_INT(count_fds(), fds0);
    CHECK(no_children());
}

static void test_child_cpu(void)
{
    if (CPU_COUNT(&allowed) < 2 || !CPU_ISSET(1, &allowed)) {
        printf("skip child_cpu = 1: the affinity mask has fewer than 2 PUs or lacks PU 1\n");
        return;
    }
    /* Bind the parent elsewhere, so a child that merely inherited the binding would be caught. */
    int other = -1;
    for (int c = 0; c < CPU_SETSIZE && other < 0; c++)
        if (c != 1 && CPU_ISSET(c, &allowed))
            other = c;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(other, &one);
    CHECK_INT(sched_setaffinity(0, sizeof one, &one), 0);

    char err[256];
    struct tvp_spawner s;
    int e = tvp_spawner_init(&s, helper, 1, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e == 0) {
        run_all(&s, ROUNDS, 1);
        tvp_spawner_destroy(&s);
    }
    CHECK_INT(sched_setaffinity(0, sizeof allowed, &allowed), 0);
    CHECK(no_children());
}

/* A child cpu that exists in no affinity mask: every method must report an error. */
static void test_bad_child_cpu(void)
{
    int bad = -1;
    for (int c = (int)n_conf; c < CPU_SETSIZE; c++) {
        if (!CPU_ISSET(c, &allowed)) {
            bad = c;
            break;
        }
    }
    if (bad < 0) {
        printf("skip bad child cpu: no PU number outside the mask\n");
        return;
    }
    printf("(the helper prints two expected \"Invalid argument\" errors now)\n");
    fflush(stdout);
    char err[256];
    struct tvp_spawner s;
    int e = tvp_spawner_init(&s, helper, bad, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e != 0)
        return;
    for (int i = 0; i < TVP_SPAWN_COUNT; i++) {
        enum tvp_spawn_method m = (enum tvp_spawn_method)i;
        if (method_skipped(m))
            continue;
        struct tvp_spawn_handle h;
        err[0] = '\0';
        e = tvp_spawn_start(&s, m, &h, err, sizeof err);
        if (e == 0)
            e = tvp_spawn_wait(&s, &h, err, sizeof err);
        const char *name = tvp_spawn_method_name(m);
        CHECK_MSG(e != 0, "%s with child cpu %d succeeded", name, bad);
        CHECK_MSG(strncmp(err, name, strlen(name)) == 0 && err[strlen(name)] == ':',
                  "message \"%s\" does not start with \"%s:\"", err, name);
    }
    tvp_spawner_destroy(&s);
    CHECK(no_children());
}

/* The spawner must work from a process with a large resident set (fork copies page tables). */
static void test_large_rss(void)
{
    size_t size = (size_t)256 << 20;
    char *big = malloc(size);
    CHECK(big != NULL);
    if (big == NULL)
        return;
    memset(big, 0x5a, size);
    char err[256];
    struct tvp_spawner s;
    int e = tvp_spawner_init(&s, helper, -1, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e == 0) {
        run_all(&s, 10, -1);
        tvp_spawner_destroy(&s);
    }
    CHECK(big[0] == 0x5a && big[size - 1] == 0x5a); /* vfork/clone-vm children wrote nothing */
    free(big);
    CHECK(no_children());
}

/* Runs both exec methods with helper path `path` and expects error e_expect with a message
 * containing `what`, from start or wait. */
static void exec_failure(const char *path, int e_expect, const char *what)
{
    char err[256];
    struct tvp_spawner s;
    int e = tvp_spawner_init(&s, path, -1, err, sizeof err);
    CHECK_MSG(e == 0, "init: %s", err);
    if (e != 0)
        return;
    const enum tvp_spawn_method ms[2] = {TVP_SPAWN_POSIX_SPAWN, TVP_SPAWN_FORK_EXEC};
    for (int i = 0; i < 2; i++) {
        const char *name = tvp_spawn_method_name(ms[i]);
        struct tvp_spawn_handle h;
        err[0] = '\0';
        e = tvp_spawn_start(&s, ms[i], &h, err, sizeof err);
        if (e == 0)
            e = tvp_spawn_wait(&s, &h, err, sizeof err);
        CHECK_MSG(e == e_expect, "%s with helper %s: error %d (%s), expected %d", name, path, e,
                  err, e_expect);
        CHECK_MSG(strncmp(err, name, strlen(name)) == 0 && strstr(err, what) != NULL,
                  "%s: message \"%s\" lacks \"%s\"", name, err, what);
        CHECK_MSG(no_children(), "%s with helper %s left a child behind", name, path);
    }
    tvp_spawner_destroy(&s);
}

static void test_exec_failures(void)
{
    /* Nonexistent: posix_spawn reports ENOENT itself; the fork-exec child exits 127. */
    {
        char err[256];
        struct tvp_spawner s;
        struct tvp_spawn_handle h;
        CHECK_INT(tvp_spawner_init(&s, "/nonexistent/tvp-spawn-helper", -1, err, sizeof err), 0);
        CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_POSIX_SPAWN, &h, err, sizeof err), ENOENT);
        CHECK_MSG(strstr(err, "posix_spawn: posix_spawn of") == err, "message \"%s\"", err);
        CHECK(no_children());
        CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_FORK_EXEC, &h, err, sizeof err), 0);
        CHECK_INT(tvp_spawn_wait(&s, &h, err, sizeof err), ECHILD);
        CHECK_MSG(strstr(err, "fork-exec: the child exited with status 127") == err,
                  "message \"%s\"", err);
        CHECK(no_children());
        tvp_spawner_destroy(&s);
    }
    /* Programs that run but do not stamp, or fail. */
    if (access("/bin/true", X_OK) == 0)
        exec_failure("/bin/true", EPROTO, "the new task did not stamp the mark");
    else
        printf("skip /bin/true as helper: not found\n");
    if (access("/bin/false", X_OK) == 0)
        exec_failure("/bin/false", ECHILD, "the child exited with status 1");
    else
        printf("skip /bin/false as helper: not found\n");
}

static void test_init_errors(void)
{
    char err[256];
    int fds0 = count_fds();
    struct tvp_spawner s;
    CHECK_INT(tvp_spawner_init(&s, helper, CPU_SETSIZE, err, sizeof err), EINVAL);
    tvp_spawner_destroy(&s); /* harmless after a failed init */
    CHECK_INT(tvp_spawner_init(&s, helper, -2, err, sizeof err), EINVAL);
    CHECK_INT(count_fds(), fds0);

    /* No helper: the exec methods refuse, the others work. */
    CHECK_INT(tvp_spawner_init(&s, NULL, -1, err, sizeof err), 0);
    struct tvp_spawn_handle h;
    CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_POSIX_SPAWN, &h, err, sizeof err), EINVAL);
    CHECK_MSG(strstr(err, "posix_spawn: ") == err, "message \"%s\"", err);
    CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_FORK_EXEC, &h, err, sizeof err), EINVAL);
    CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_COUNT, &h, err, sizeof err), EINVAL);
    CHECK_INT(tvp_spawn_start(&s, TVP_SPAWN_FORK, &h, err, sizeof err), 0);
    CHECK_INT(tvp_spawn_wait(&s, &h, err, sizeof err), 0);
    tvp_spawner_destroy(&s);
    tvp_spawner_destroy(&s); /* twice is harmless too */
    CHECK_INT(count_fds(), fds0);
    CHECK(no_children());
}

/* Runs the helper with argv (stderr to /dev/null); returns its exit status or -1. */
static int run_helper(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int e = posix_spawn(&pid, helper, &fa, NULL, argv, NULL);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0)
        return -1;
    int st;
    if (tvp_wait_child(pid, &st) != 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_helper_args(void)
{
    char *h = (char *)helper;
    char *a1[] = {h, NULL};
    char *a2[] = {h, "x", "-1", "1", NULL};
    char *a3[] = {h, "0", "-2", "1", NULL};
    char *a4[] = {h, "0", "-1", "-1", NULL};
    char *a5[] = {h, "0", "-1", "1", NULL};  /* fd 0 is no mark */
    char *a6[] = {h, "99", "-1", "1", NULL}; /* not open */
    CHECK_INT(run_helper(a1), 1);
    CHECK_INT(run_helper(a2), 1);
    CHECK_INT(run_helper(a3), 1);
    CHECK_INT(run_helper(a4), 1);
    CHECK_INT(run_helper(a5), 1);
    CHECK_INT(run_helper(a6), 1);
    CHECK(no_children());
}

int main(int argc, char **argv)
{
    /* Line-buffered, so no child can flush (duplicate) pending output: under TSan, _exit in a
     * forked child flushes stdio. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    helper = argc > 1 ? argv[1] : getenv("TVP_SPAWN_HELPER");
    if (helper == NULL || helper[0] == '\0') {
        fprintf(stderr, "usage: test_spawn HELPER (or set TVP_SPAWN_HELPER)\n");
        check_failed++;
        return CHECK_DONE();
    }
    CHECK_INT(sched_getaffinity(0, sizeof allowed, &allowed), 0);
    n_conf = sysconf(_SC_NPROCESSORS_CONF);
    if (n_conf < 1)
        n_conf = CPU_SETSIZE;
    if (TEST_TSAN)
        printf("ThreadSanitizer build: clone-vm is skipped\n");

    test_names();
    test_init_errors();
    test_all_methods();
    test_child_cpu();
    test_bad_child_cpu();
    test_large_rss();
    test_exec_failures();
    test_helper_args();
    CHECK(no_children());
    return CHECK_DONE();
}
