/* primitives/task_watch: how a task's end is told (killed, exited non-zero, clean exit is no
 * failure, the child left unreaped), and the watched wait: it returns when the word reaches its
 * target, and fails with the check's text when a watched child dies and nobody counts. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "task_watch.h"
#include "tvp_futex.h"

static pid_t child(int code) /* code < 0: sleeps until killed */
{
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        exit(2);
    }
    if (pid == 0) {
        if (code < 0)
            for (;;)
                pause();
        _exit(code);
    }
    return pid;
}

/* Polls tvp_task_failed until the child has ended (a hang guard of 30 s, not a bound). */
static int failed_after_end(pid_t pid, char *why, size_t len)
{
    for (int i = 0; i < 3000; i++) {
        siginfo_t si = {0};
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            return tvp_task_failed(pid, "worker", 2, why, len);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return -2;
}

static void test_failed(void)
{
    char why[200];
    pid_t ok = child(0), bad = child(3), killed = child(-1);
    CHECK_INT(failed_after_end(ok, why, sizeof why), 0);
    CHECK_INT(failed_after_end(bad, why, sizeof why), 1);
    CHECK_MSG(strstr(why, "worker 2 (pid") && strstr(why, "exited (status 3)"), "%s", why);
    CHECK(kill(killed, SIGKILL) == 0);
    CHECK_INT(failed_after_end(killed, why, sizeof why), 1);
    CHECK_MSG(strstr(why, "killed by signal 9"), "%s", why);
    /* Not reaped by the look: each is still ours to wait for. */
    pid_t all[3] = {ok, bad, killed};
    for (int i = 0; i < 3; i++)
        CHECK(waitpid(all[i], NULL, 0) == all[i]);
}

struct counter {
    _Atomic uint32_t word;
    pid_t pid;
    int checks;
};

static int check_child(void *arg, char *err, size_t len)
{
    struct counter *c = arg;
    c->checks++;
    return c->pid > 0 && tvp_task_failed(c->pid, "worker", 0, err, len) != 0 ? -1 : 0;
}

static void *count_up(void *arg)
{
    struct counter *c = arg;
    for (int i = 0; i < 3; i++) {
        nanosleep(&(struct timespec){0, 50000000}, NULL);
        atomic_fetch_add(&c->word, 1);
        tvp_futex_wake(&c->word, 1, FUTEX_PRIVATE_FLAG);
    }
    return NULL;
}

static void test_watch_count(void)
{
    char err[256] = "";
    struct counter c = {.pid = 0};
    atomic_init(&c.word, 2);
    CHECK_INT(
        tvp_task_watch_count(&c.word, 2, FUTEX_PRIVATE_FLAG, check_child, &c, "w", err, sizeof err),
        0);
    atomic_store(&c.word, 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, count_up, &c) == 0);
    CHECK_INT(
        tvp_task_watch_count(&c.word, 3, FUTEX_PRIVATE_FLAG, check_child, &c, "w", err, sizeof err),
        0);
    CHECK(pthread_join(t, NULL) == 0);

    /* A watched child killed while nobody will ever count: the wait fails, naming it. */
    atomic_store(&c.word, 0);
    c.pid = child(-1);
    c.checks = 0;
    CHECK(kill(c.pid, SIGKILL) == 0);
    CHECK_INT(
        tvp_task_watch_count(&c.word, 1, FUTEX_PRIVATE_FLAG, check_child, &c, "w", err, sizeof err),
        -1);
    CHECK_MSG(strstr(err, "worker 0 (pid") && strstr(err, "killed by signal 9"), "%s", err);
    CHECK(c.checks >= 1);
    CHECK(waitpid(c.pid, NULL, 0) == c.pid);
}

int main(void)
{
    test_failed();
    test_watch_count();
    return CHECK_DONE();
}
