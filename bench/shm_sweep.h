/* Removes the POSIX shared-memory objects a killed case left behind: the python group's
 * SharedMemory blocks are named "tvp-py-<creator pid>-<n>" (the C transports unlink theirs at
 * once, so only these can outlive a SIGKILL). An object whose creator is still alive belongs to
 * something else still running and is spared. */
#ifndef TVP_SHM_SWEEP_H
#define TVP_SHM_SWEEP_H

#define TVP_PY_SHM_PREFIX "tvp-py-"

/* Returns how many objects were removed. dir: "/dev/shm" (a parameter for the tests). */
int tvp_shm_sweep(const char *dir, const char *prefix);

#endif
