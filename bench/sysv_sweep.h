/* System V IPC objects outlive the processes that made them: a case killed by the watchdog (or
 * Ctrl-C) before its teardown leaves its semaphore sets, message queues or shared-memory
 * segments behind. The supervisor snapshots the ids before a case and, after it, removes every
 * IPC_PRIVATE object this user created that was not there before. */
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
