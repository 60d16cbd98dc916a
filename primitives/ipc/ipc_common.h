/* What several transports share (see tvp_ipc.h for the interface): unique names for named
 * objects; the head every pair starts with, making and unmaking a pair, chunk() and the
 * transport descriptor; watching the peer process through a pidfd; the argument checks, error
 * messages and clean-up bookkeeping every call makes the same way; whole-buffer reads and writes
 * on descriptors; a kernel limit from /proc/sys. A transport file keeps only what is its own;
 * whatever two of them would otherwise write twice lives here. */
#ifndef TVP_IPC_COMMON_H
#define TVP_IPC_COMMON_H

#include "tvp_ipc.h"

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* ---- names ---- */

/* "/tvp-<pid>-<n>-<kind>" with n unique within the process: a name no other run or call uses,
 * for shm_open, mq_open and (without the slash) FIFO and socket names. Returns 0 or ENAMETOOLONG.
 */
int tvp_ipc_name(char *buf, size_t len, const char *kind);

/* ---- the pair and the descriptor ---- */

/* What every pair starts with: each transport's struct tvp_ipc_pair has it as its first member
 * h, which tvp_ipc_new_pair fills. */
struct tvp_ipc_head {
    const char *name; /* the transport's, for messages */
    int processes;    /* 1: the process model (cfg->processes) */
    size_t max_msg;
    size_t chunk; /* a transport that splits: bytes one kernel message carries (set by its open);
                   * 0 for the others */
};

/* open's first step: sets *out = NULL (a failed open leaves no pair); refuses a cfg whose max_msg
 * is not at least 1 and at most limit (SIZE_MAX when only memory bounds it); allocates a
 * zero-filled pair of size bytes aligned to align (a power of two, or 0 for malloc's own), to be
 * freed with free(), and fills its head. Returns the pair, or NULL with EINVAL or ENOMEM in *e
 * and "<name>: open: ..." in err. */
void *tvp_ipc_new_pair(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, size_t limit,
                       size_t size, size_t align, const char *name, int *e, char *err,
                       size_t errlen);

/* open's last step: when e is 0, publishes p in *out and returns 0; otherwise undoes the
 * half-made pair with the transport's own close (which copes with one) and returns e, whose
 * message is in err already. */
int tvp_ipc_open_done(struct tvp_ipc_pair **out, struct tvp_ipc_pair *p, int e,
                      int (*close_fn)(struct tvp_ipc_pair *p, char *err, size_t errlen));

/* Every transport's chunk(): the head's chunk when a message of max_msg does not fit in one
 * kernel message, else 0 (also for the transports that never split). */
size_t tvp_ipc_chunk(const struct tvp_ipc_pair *p);

/* A transport's descriptor, its calls in the order of struct tvp_ipc_transport. */
#define TVP_IPC_DESCRIPTOR(name_, description_, open_, attach_, send_, recv_, detach_, close_,     \
                           chunk_)                                                                 \
    {                                                                                              \
        .name = (name_), .description = (description_), .open = (open_), .attach = (attach_),      \
        .send = (send_), .recv = (recv_), .detach = (detach_), .close = (close_),                  \
        .chunk = (chunk_),                                                                         \
    }

/* The descriptor of a transport whose calls are <prefix>_open, <prefix>_attach, <prefix>_send,
 * <prefix>_recv, <prefix>_detach and <prefix>_close:
 *   const struct tvp_ipc_transport tvp_ipc_x = TVP_IPC_TRANSPORT(x, "x", "what it is"); */
#define TVP_IPC_TRANSPORT(prefix, name_, description_)                                             \
    TVP_IPC_DESCRIPTOR(name_, description_, prefix##_open, prefix##_attach, prefix##_send,         \
                       prefix##_recv, prefix##_detach, prefix##_close, tvp_ipc_chunk)

/* ---- the peer ----
 * A transport whose kernel objects cannot tell that the process at the other end has gone
 * (message queues, datagram sockets, shared memory) watches it through a pidfd that attach
 * opens in the process model. One that blocks in the kernel waits in slices of TVP_IPC_SLICE_MS
 * and looks at the pidfd only when a slice ends without progress: a dead peer is noticed within
 * about 100 ms (tvp_ipc.h's promise), and a live one costs nothing while data flows. */

#define TVP_IPC_SLICE_MS 100
#define TVP_IPC_SLICE_NS ((long)TVP_IPC_SLICE_MS * 1000000L)

/* A pidfd for pid (readable once pid has ended, zombie or reaped), or -1 with errno set. */
int tvp_ipc_pidfd_open(pid_t pid);

/* 1 when the process behind pidfd has ended, 0 while it runs (also for pidfd < 0). */
int tvp_ipc_peer_gone(int pidfd);

/* attach's watch for side: opens a pidfd on peer into *pidfd, closing an earlier one (a second
 * attach replaces the watch). Returns 0, or EINVAL for a peer <= 0 or pidfd_open's error, with
 * "<name>: attach side <side>: ..." in err. */
int tvp_ipc_watch_peer(int *pidfd, pid_t peer, const char *name, int side, char *err,
                       size_t errlen);

/* detach's end of that watch: closes *pidfd if open. Returns 0 or close's error, with
 * "<name>: detach side <side>: closing the peer's pidfd" in err. */
int tvp_ipc_unwatch_peer(int *pidfd, const char *name, int side, char *err, size_t errlen);

/* attach and detach of a transport whose only per-side state is the peer watch: the side checked
 * (op "attach"/"detach"), then, between processes, the watch opened or closed. */
int tvp_ipc_attach_watching(const struct tvp_ipc_head *h, int *pidfd, int side, pid_t peer,
                            char *err, size_t errlen);
int tvp_ipc_detach_watching(const struct tvp_ipc_head *h, int *pidfd, int side, char *err,
                            size_t errlen);

/* *ts = clock's now plus one slice: the absolute deadline of one slice of a wait. */
void tvp_ipc_slice_deadline(clockid_t clock, struct timespec *ts);

/* ---- arguments and errors ---- */

/* 0 for side 0 or 1; else EINVAL with "<name>: <op>: side <side>: must be 0 or 1" in err. */
int tvp_ipc_check_side(const struct tvp_ipc_head *h, const char *op, int side, char *err,
                       size_t errlen);

/* The message of a send/recv that tvp_ipc_check_call refused; returns EINVAL or EMSGSIZE. */
int tvp_ipc_bad_call(const struct tvp_ipc_head *h, const char *op, int side, size_t len, char *err,
                     size_t errlen);

/* send/recv's argument check, for the transports that make one: side 0 or 1 and len <= max_msg.
 * Inline because it is on every message's path: two compares, the message out of line. */
static inline int tvp_ipc_check_call(const struct tvp_ipc_head *h, const char *op, int side,
                                     size_t len, char *err, size_t errlen)
{
    if ((side == 0 || side == 1) && len <= h->max_msg)
        return 0;
    return tvp_ipc_bad_call(h, op, side, len, err, errlen);
}

/* A failed send or recv: "<name>: <op>: peer ended" for EPIPE, else "<name>: <op>: <what>" with
 * strerror(e). Returns e. */
int tvp_ipc_fail(const char *name, const char *op, int e, const char *what, char *err,
                 size_t errlen);

/* A failed system call: formats fmt and strerror(errno) into err; returns errno, read before
 * anything else could change it. */
int tvp_ipc_errno(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* For clean-up steps that all run whatever fails (detach, close, a failed open): when e != 0 and
 * *rc is still 0, sets *rc = e and formats fmt and strerror(e) into err, so that the first
 * failure is the one told. Returns e. */
int tvp_ipc_keep_first(int *rc, int e, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* ---- descriptors and kernel limits ---- */

/* Writes all len bytes. Returns 0, EPIPE when the reader has gone (SIGPIPE must be ignored or
 * blocked, as the harness does), or another error number. */
int tvp_ipc_write_full(int fd, const void *buf, size_t len);

/* Reads exactly len bytes. Returns 0, EPIPE on end of file (the writer has gone, possibly
 * mid-message), or another error number. */
int tvp_ipc_read_full(int fd, void *buf, size_t len);

/* Closes *fd when it is >= 0 and sets it to -1; returns 0 or the error of close(). */
int tvp_ipc_close_fd(int *fd);

/* tvp_ipc_close_fd on each of fds[0..n) (any may be -1); returns 0 or the first error. */
int tvp_ipc_close_fds(int *fds, int n);

/* A positive number from a /proc/sys file (a kernel limit), or dflt when it cannot be read. */
long tvp_ipc_proc_long(const char *path, long dflt);

#endif
