/* The watch on a case's worker processes: see task_watch.h. */
#define _GNU_SOURCE
#include "task_watch.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_futex.h"

/* The common tail of both descriptions: what ended and how. */
static char *describe(char *buf, size_t len, const char *role, int index, pid_t pid, int killed,
                      int number, int dumped)
{
    char who[96];
    if (index >= 0)
        snprintf(who, sizeof who, "%s %d (pid %ld)", role, index, (long)pid);
    else
        snprintf(who, sizeof who, "%s (pid %ld)", role, (long)pid);
    if (killed)
        snprintf(buf, len, "%s was killed by signal %d (%s)%s", who, number, strsignal(number),
                 dumped ? ", core dumped" : "");
    else
        snprintf(buf, len, "%s exited (status %d)", who, number);
    return buf;
}

char *tvp_task_describe(char *buf, size_t len, const char *role, int index, pid_t pid, int status)
{
    if (WIFSIGNALED(status))
        return describe(buf, len, role, index, pid, 1, WTERMSIG(status), WCOREDUMP(status));
    return describe(buf, len, role, index, pid, 0, WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

int tvp_task_failed(pid_t pid, const char *role, int index, char *why, size_t len)
{
    siginfo_t si;
    for (;;) {
        si.si_pid = 0; /* WNOHANG leaves it 0 when the child still runs */
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
            break;
        if (errno == EINTR)
            continue;
        int e = errno;
        if (index >= 0)
            snprintf(why, len, "waitid on %s %d (pid %ld): %s", role, index, (long)pid,
                     strerror(e));
        else
            snprintf(why, len, "waitid on %s (pid %ld): %s", role, (long)pid, strerror(e));
        return -1;
    }
    if (si.si_pid == 0)
        return 0;
    int killed = si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED;
    if (!killed && si.si_status == 0)
        return 0;
    describe(why, len, role, index, pid, killed, si.si_status, si.si_code == CLD_DUMPED);
    return 1;
}

int tvp_task_name(const char *fmt, ...)
{
    char name[16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap); /* cut to the kernel's 15 characters on purpose */
    va_end(ap);
    return prctl(PR_SET_NAME, name) == 0 ? 0 : errno;
}

int tvp_task_watch_count(_Atomic uint32_t *word, uint32_t target, int priv,
                         int (*check)(void *arg, char *err, size_t errlen), void *arg,
                         const char *what, char *err, size_t errlen)
{
    uint32_t v;
    while ((v = atomic_load_explicit(word, memory_order_acquire)) < target) {
        struct timespec dl;
        tvp_deadline_after(TVP_TASK_WATCH_NS, &dl);
        int e = tvp_futex_wait_until(word, v, priv, &dl);
        if (e != 0 && e != ETIMEDOUT) {
            tvp_errfmt(err, errlen, e, "%s", what);
            return -1;
        }
        int failed;
        if (e == ETIMEDOUT && (failed = check(arg, err, errlen)) != 0)
            return failed;
    }
    return 0;
}
