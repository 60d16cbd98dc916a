/* System V IPC objects outlive the processes that made them: a case killed by the watchdog (or
 * Ctrl-C) before its teardown leaves its semaphore sets, message queues or shared-memory
 * segments behind. The supervisor snapshots the ids before a case and, after a case that did not
 * end by itself (killed, crashed), removes every IPC_PRIVATE object this user created that was
 * not there before and whose last user (the pids the kernel records: a queue's last sender and
 * receiver, a segment's creator and last user, a set's last operator) no longer runs. Another
 * program of this user running at the same time keeps its objects: a case that ended by itself
 * ran its own teardown, and a live user protects an object. */
#ifndef TVP_SYSV_SWEEP_H
#define TVP_SYSV_SWEEP_H

#define TVP_SYSV_MAX_IDS 1024

struct tvp_sysv_snapshot {
    int n[3];
    int ids[3][TVP_SYSV_MAX_IDS]; /* semaphores, message queues, shared memory */
};

void tvp_sysv_snapshot(struct tvp_sysv_snapshot *s);
/* Removes the objects that are new since s; returns how many were removed. */
int tvp_sysv_sweep(const struct tvp_sysv_snapshot *s);

#endif
