/* The engine the descriptor transports share (pipe, fifo, socketpair-stream, tcp-loopback, and
 * socketpair-dgram for everything but its send/recv): each side reads one descriptor and writes
 * another (the same one for a socket). A transport file only makes its descriptors (a
 * tvp_fd_make_fn) and declares itself with TVP_FD_TRANSPORT; open, attach, detach and close
 * are common:
 *
 *   open     checks cfg, calls the transport's make, wraps the four descriptors in a pair.
 *   attach   in the process model closes the other side's descriptors in this process, so
 *            when the peer process ends its last copy goes with it and a read here sees end of
 *            file, a write EPIPE: peer death needs no watcher and costs nothing per call.
 *   detach   closes this side's own descriptors (data already written stays in the kernel
 *            buffer for the peer: a pipe or stream socket delivers it before end of file).
 *   close    closes whatever is still open (a side that never attached or detached) and frees.
 *
 * Streams send with one write() loop and receive with one read() loop (tvp_ipc_write_full /
 * tvp_ipc_read_full): no poll before a blocking read, nothing else on the path. */
#ifndef TVP_IPC_FD_STREAM_H
#define TVP_IPC_FD_STREAM_H

#include "ipc_common.h"
#include "tvp_ipc.h"

#include <stddef.h>
#include <sys/types.h>

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    int rfd[2];            /* side s reads rfd[s] */
    int wfd[2];            /* and writes wfd[s]; equal to rfd[s] for a socket */
    int pidfd[2]; /* socketpair-dgram, process model: side s's watch on its peer; else -1 */
};

/* A transport's own part of open: opens fd[0..3] = {side 0 reads, side 0 writes, side 1 reads,
 * side 1 writes} (read == write for a socket), all O_CLOEXEC. Returns 0, or an error number
 * with "<name>: open: ..." in err and nothing left open. */
typedef int (*tvp_fd_make_fn)(int fd[4], char *err, size_t errlen);

/* open for a descriptor transport called name: checks cfg, makes the pair, and make()s its
 * descriptors. */
int tvp_fd_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, const char *name,
                tvp_fd_make_fn make, char *err, size_t errlen);

int tvp_fd_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen);
int tvp_fd_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                size_t errlen);
int tvp_fd_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err, size_t errlen);
int tvp_fd_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen);
int tvp_fd_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

/* The descriptor of a descriptor transport with its own open, attach, send and recv; detach
 * and close are the engine's (chunk() the common one: h.chunk is socketpair-dgram's datagram
 * size, 0 for the streams). */
#define TVP_FD_DESCRIPTOR(name_, description_, open_, attach_, send_, recv_)                       \
    TVP_IPC_DESCRIPTOR(name_, description_, open_, attach_, send_, recv_, tvp_fd_detach,           \
                       tvp_fd_close, tvp_ipc_chunk)

/* Defines the byte-stream transport `var` called name_: its open is tvp_fd_open with make_,
 * everything else the engine's. */
#define TVP_FD_TRANSPORT(var, name_, description_, make_)                                          \
    static int var##_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,     \
                          size_t errlen)                                                           \
    {                                                                                              \
        return tvp_fd_open(out, cfg, (name_), (make_), err, errlen);                               \
    }                                                                                              \
    const struct tvp_ipc_transport var = TVP_FD_DESCRIPTOR(                                        \
        name_, description_, var##_open, tvp_fd_attach, tvp_fd_send, tvp_fd_recv)

#endif
