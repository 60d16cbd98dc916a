/* Reaping a child process, for the primitives and the harness alike. Inline because some
 * callers time the wait itself (a process's join, a program's exit). */
#ifndef TVP_CHILD_H
#define TVP_CHILD_H

#include <errno.h>
#include <sys/types.h>
#include <sys/wait.h>

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

/* 1 when a wait status says the child exited with status 0. */
static inline int tvp_child_ok(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#endif
