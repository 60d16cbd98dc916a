#define _GNU_SOURCE
#include "pu_awake.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvp_err.h"

/* The child: system calls only, then a loop with no memory traffic and no pause instruction
 * (pause can exit to the hypervisor, which is the halt this is here to avoid). It reports 0 or
 * its errno on `ready` before it spins. */
static void spin(const cpu_set_t *set, pid_t parent, int ready)
{
    struct sched_param none = {0};
    int e = 0;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || sched_setaffinity(0, sizeof *set, set) != 0 ||
        sched_setscheduler(0, SCHED_IDLE, &none) != 0)
        e = errno;
    else if (getppid() != parent)
        e = ESRCH; /* the parent died before the death signal was armed */
    if (write(ready, &e, sizeof e) != (ssize_t)sizeof e || e != 0)
        _exit(1);
    close(ready);
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/* Forks one spinner on pu and waits for its report. 0, or -1 with err filled. */
static int start_one(struct tvp_pu_awake *a, int pu, pid_t parent, char *err, size_t errlen)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pu, &set);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snprintf(err, errlen, "keeping PU %d awake: pipe: %s", pu, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "keeping PU %d awake: fork: %s", pu, strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        spin(&set, parent, fds[1]);
    }
    a->pid[a->n++] = pid;
    close(fds[1]);
    int e = 0;
    ssize_t got;
    while ((got = read(fds[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    int saved = errno;
    close(fds[0]);
    if (got == (ssize_t)sizeof e && e == 0)
        return 0;
    if (got < 0)
        snprintf(err, errlen, "keeping PU %d awake: reading the spinner's report: %s", pu,
                 strerror(saved));
    else if (got != (ssize_t)sizeof e)
        snprintf(err, errlen, "keeping PU %d awake: the spinner died before it reported", pu);
    else
        snprintf(err, errlen,
                 "keeping PU %d awake: binding the spinner or making it SCHED_IDLE: %s", pu,
                 strerror(e));
    return -1;
}

int tvp_pu_awake_start(struct tvp_pu_awake *a, const int *pus, int n, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    pid_t parent = getpid();
    for (int i = 0; i < n; i++) {
        int dup = 0;
        for (int j = 0; j < i; j++)
            dup |= pus[j] == pus[i];
        if (dup)
            continue;
        int bad = pus[i] < 0 || pus[i] >= CPU_SETSIZE;
        if (bad || a->n == TVP_PU_AWAKE_MAX) {
            snprintf(err, errlen, "keeping PU %d awake: beyond the %d PUs this supports", pus[i],
                     bad ? CPU_SETSIZE : TVP_PU_AWAKE_MAX);
            tvp_pu_awake_stop(a);
            return -1;
        }
        if (start_one(a, pus[i], parent, err, errlen) != 0) {
            tvp_pu_awake_stop(a);
            return -1;
        }
    }
    return 0;
}

void tvp_pu_awake_stop(struct tvp_pu_awake *a)
{
    for (int i = 0; i < a->n; i++) {
        /* A killed task still has to be scheduled to die, and a SCHED_IDLE one on a PU that
         * other work keeps busy may wait many seconds for that (beside stress-ng, 5-36 s): back
         * to SCHED_OTHER first, so it ends at once. */
        struct sched_param none = {0};
        if (sched_setscheduler(a->pid[i], SCHED_OTHER, &none) != 0 && errno != ESRCH)
            tvp_warn(errno, "making the PU spinner %d SCHED_OTHER before it is stopped",
                     (int)a->pid[i]);
        if (kill(a->pid[i], SIGKILL) != 0 && errno != ESRCH)
            tvp_warn(errno, "stopping the PU spinner %d", (int)a->pid[i]);
        while (waitpid(a->pid[i], NULL, 0) < 0)
            if (errno != EINTR) {
                tvp_warn(errno, "reaping the PU spinner %d", (int)a->pid[i]);
                break;
            }
    }
    a->n = 0;
}
