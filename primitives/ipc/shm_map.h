/* A shared mapping made the way Python's multiprocessing.shared_memory makes one (shm_open,
 * ftruncate, mmap MAP_SHARED), except that it leaves nothing behind: the name is unlinked inside
 * tvp_shm_map_open, a few system calls after it was created, so the object lives only as long as
 * some process maps it and even a SIGKILL of every user removes it. The mapping is made before
 * the fork, so a forked peer inherits it at the same address; threads share it anyway.
 *
 * Used by the shared-memory transports (eventfd-shm, shm-ring-futex, shm-ring-poll) and by
 * mp-queue for its process-shared locks. Not thread-safe per mapping: open and close run alone. */
#ifndef TVP_SHM_MAP_H
#define TVP_SHM_MAP_H

#include <stddef.h>

/* Maps len bytes (> 0) of zero-filled shared memory, page-aligned, at *addr. kind names the
 * object ("/tvp-<pid>-<n>-<kind>", tvp_ipc_name); who ("eventfd-shm", ...) starts the error
 * message. Returns 0, or an error number with "<who>: what: why" in err and nothing left. */
int tvp_shm_map_open(void **addr, size_t len, const char *who, const char *kind, char *err,
                     size_t errlen);

/* Unmaps what tvp_shm_map_open mapped (addr may be NULL: nothing to do). In a process that
 * forked after the open, only this process's mapping goes; the memory itself goes with the
 * last one. Returns 0 or munmap's error number, for the caller's clean-up to report (it runs
 * among other clean-up steps, whose first failure is the one told: tvp_ipc_keep_first). */
int tvp_shm_map_close(void *addr, size_t len);

#endif
