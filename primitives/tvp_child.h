/* Reaping a child process, for the primitives and the harness alike. Inline because some
 * callers time the wait itself (a process's join, a program's exit). */
#ifndef TVP_CHILD_H
#define TVP_CHILD_H

#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

/* Waits for the child pid to end. A signal handled meanwhile (EINTR) must not turn into a lost
 * child, so the wait is repeated. Returns 0 with the wait status in *status (status may be
 * NULL), or waitpid's error number. */
static inline int tvp_wait_child(pid_t pid, int *status)
{
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR)
            return errno;
    return 0;
}

/* Gives the child pid grace_ms to end, then SIGKILLs it; reaps it either way, so it cannot
 * outlive its owner. Returns 0 with the wait status in *status and *killed = 1 when it had to
 * be killed, or the error number of waitpid or kill. */
static inline int tvp_reap_or_kill(pid_t pid, int grace_ms, int *status, int *killed)
{
    *killed = 0;
    for (int ms = 0;; ms++) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return errno;
        if (ms >= grace_ms)
            break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    *killed = 1;
    if (kill(pid, SIGKILL) != 0 && errno != ESRCH)
        return errno;
    return tvp_wait_child(pid, status);
}

/* 1 when a wait status says the child exited with status 0. */
static inline int tvp_child_ok(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#endif
