/* What several transports share: unique names for named objects, watching a peer process
 * through a pidfd, and whole-buffer reads and writes on descriptors that survive EINTR and
 * short transfers. */
#ifndef TVP_IPC_COMMON_H
#define TVP_IPC_COMMON_H

#include <stddef.h>
#include <sys/types.h>

/* "/tvp-<pid>-<n>-<kind>" with n unique within the process: a name no other run or call uses,
 * for shm_open, mq_open and (without the slash) FIFO and socket names. Returns 0 or ENAMETOOLONG.
 */
int tvp_ipc_name(char *buf, size_t len, const char *kind);

/* A pidfd for pid (readable once pid has ended, zombie or reaped), or -1 with errno set. */
int tvp_ipc_pidfd_open(pid_t pid);

/* 1 when the process behind pidfd has ended, 0 while it runs (also for pidfd < 0). */
int tvp_ipc_peer_gone(int pidfd);

/* Writes all len bytes. Returns 0, EPIPE when the reader has gone (SIGPIPE must be ignored or
 * blocked, as the harness does), or another error number. */
int tvp_ipc_write_full(int fd, const void *buf, size_t len);

/* Reads exactly len bytes. Returns 0, EPIPE on end of file (the writer has gone, possibly
 * mid-message), or another error number. */
int tvp_ipc_read_full(int fd, void *buf, size_t len);

/* Closes *fd when it is >= 0 and sets it to -1; returns 0 or the error of close(). */
int tvp_ipc_close_fd(int *fd);

#endif
