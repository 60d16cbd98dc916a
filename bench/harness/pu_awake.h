/* Keeps a case's PUs out of idle while it runs: one spinning child per PU, under SCHED_IDLE, so
 * that it runs only when nothing else wants that PU and gives way at once when something does.
 *
 * Why: on a VM, a vCPU that halted runs the next work slowly for a while. On this suite's
 * reference VM a pure-Python job took 21.7 ms (median of 40) when each job followed a 50 ms
 * sleep, 12.0 ms with a SCHED_IDLE spinner on its PU, and 11.4-12.5 ms when jobs ran back to
 * back. A benchmark that compares work spread over N PUs with the same work on one (CPU-bound
 * scaling) leaves PUs idle between its jobs, so without this its N-worker jobs start on cold PUs
 * and its speed-up measures the host's power management, not parallelism. */
#ifndef TVP_PU_AWAKE_H
#define TVP_PU_AWAKE_H

#include <stddef.h>
#include <sys/types.h>

#define TVP_PU_AWAKE_MAX 64

struct tvp_pu_awake {
    pid_t pid[TVP_PU_AWAKE_MAX];
    int n;
};

/* Starts one spinner per PU in pus[0..n-1] (OS numbering; duplicates get one). Each is a child
 * of the caller, in its process group, and dies with it (PR_SET_PDEATHSIG). Call it while the
 * process has one thread: the child runs only system calls, but the cpu sets are built before
 * fork anyway. Returns 0, or -1 with what failed in err; nothing is left running then. */
int tvp_pu_awake_start(struct tvp_pu_awake *a, const int *pus, int n, char *err, size_t errlen);

/* Kills and reaps the spinners. Safe on a zeroed or already stopped struct. */
void tvp_pu_awake_stop(struct tvp_pu_awake *a);

#endif
