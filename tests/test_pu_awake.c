/* harness/pu_awake: one SCHED_IDLE spinner per distinct PU, bound to it; all gone after stop;
 * gone when their parent dies without stopping them; a bad PU fails with nothing left. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "pu_awake.h"

static int last_pu(void)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) {
        perror("sched_getaffinity");
        exit(2);
    }
    int last = 0;
    for (int i = 0; i < CPU_SETSIZE; i++)
        if (CPU_ISSET(i, &set))
            last = i;
    return last;
}

/* 'Z' for a zombie, 0 when the process is gone, else its state letter. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

static void test_spinners(void)
{
    int last = last_pu();
    int pus[] = {0, 0, last};
    struct tvp_pu_awake a;
    char err[256] = "";
    CHECK_MSG(tvp_pu_awake_start(&a, pus, 3, err, sizeof err) == 0, "%s", err);
    CHECK_INT(a.n, last == 0 ? 1 : 2);
    for (int i = 0; i < a.n; i++) {
        CHECK_INT(sched_getscheduler(a.pid[i]), SCHED_IDLE);
        cpu_set_t set;
        CHECK(sched_getaffinity(a.pid[i], sizeof set, &set) == 0);
        CHECK_INT(CPU_COUNT(&set), 1);
        CHECK(CPU_ISSET(i == 0 ? 0 : last, &set));
        char st = proc_state(a.pid[i]);
        CHECK_MSG(st == 'R' || st == 'S', "spinner %d state %c", (int)a.pid[i], st);
    }
    pid_t first = a.pid[0];
    tvp_pu_awake_stop(&a);
    CHECK_INT(a.n, 0);
    CHECK(kill(first, 0) != 0 && errno == ESRCH);
    CHECK(waitpid(first, NULL, WNOHANG) < 0 && errno == ECHILD);
    tvp_pu_awake_stop(&a); /* again: nothing to do */
}

static void test_bad_pu(void)
{
    int pus[] = {0, -1};
    struct tvp_pu_awake a;
    char err[256] = "";
    CHECK(tvp_pu_awake_start(&a, pus, 2, err, sizeof err) == -1);
    CHECK_MSG(strstr(err, "PU -1") != NULL, "%s", err);
    CHECK_INT(a.n, 0);
    CHECK(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD); /* the PU 0 spinner was reaped */
}

/* A process that starts spinners and dies without stopping them takes them with it. */
static void test_parent_death(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t mid = fork();
    if (mid == 0) {
        close(fds[0]);
        int pus[] = {0};
        struct tvp_pu_awake a;
        char err[256];
        if (tvp_pu_awake_start(&a, pus, 1, err, sizeof err) != 0)
            _exit(1);
        ssize_t w = write(fds[1], &a.pid[0], sizeof a.pid[0]);
        _exit(w == (ssize_t)sizeof a.pid[0] ? 0 : 1);
    }
    close(fds[1]);
    pid_t spinner = 0;
    CHECK(read(fds[0], &spinner, sizeof spinner) == (ssize_t)sizeof spinner);
    close(fds[0]);
    int status;
    CHECK(waitpid(mid, &status, 0) == mid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The death signal is immediate; 10 s is for a loaded machine. */
    struct timespec tick = {0, 10 * 1000 * 1000};
    char st = 'R';
    for (int i = 0; i < 1000 && spinner > 0 && (st = proc_state(spinner)) != 0 && st != 'Z'; i++)
        nanosleep(&tick, NULL);
    CHECK_MSG(spinner > 0 && (st == 0 || st == 'Z'), "spinner %d still in state %c", (int)spinner,
              st);
}

int main(void)
{
    test_spinners();
    test_bad_pu();
    test_parent_death();
    return CHECK_DONE();
}
