/* The engine the descriptor transports share (pipe, fifo, socketpair-stream, tcp-loopback, and
 * socketpair-dgram for everything but its send/recv): each side reads one descriptor and writes
 * another (the same one for a socket). A transport file only opens its descriptors and hands
 * them to tvp_fd_pair_new; attach, detach and close are common:
 *
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

#include "tvp_ipc.h"

#include <stddef.h>
#include <sys/types.h>

struct tvp_ipc_pair {
    const char *name; /* the transport's name, for error messages */
    int processes;
    size_t max_msg;
    int rfd[2];   /* side s reads rfd[s] */
    int wfd[2];   /* and writes wfd[s]; equal to rfd[s] for a socket */
    size_t chunk; /* socketpair-dgram: bytes per datagram; 0 for streams */
    int pidfd[2]; /* socketpair-dgram, process model: side s's watch on its peer, else -1 */
};

/* EINVAL with "<name>: open: max_msg must be at least 1" when cfg cannot be served. */
int tvp_fd_check_cfg(const char *name, const struct tvp_ipc_cfg *cfg, char *err, size_t errlen);

/* Makes a pair around descriptors already open (side 0 reads r0 and writes w0, side 1 reads r1
 * and writes w1; r == w for a socket). Takes ownership: on failure they are closed. */
int tvp_fd_pair_new(struct tvp_ipc_pair **out, const char *name, const struct tvp_ipc_cfg *cfg,
                    int r0, int w0, int r1, int w1, char *err, size_t errlen);

int tvp_fd_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen);
int tvp_fd_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                size_t errlen);
int tvp_fd_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err, size_t errlen);
int tvp_fd_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen);
int tvp_fd_close(struct tvp_ipc_pair *p, char *err, size_t errlen);
size_t tvp_fd_chunk(const struct tvp_ipc_pair *p);

/* Closes side s's descriptors in this process (once when read == write). 0 or close's error. */
int tvp_fd_close_side(struct tvp_ipc_pair *p, int s);

/* Closes the descriptors of a transport's open that failed half-way (any may be -1), keeping
 * errno. */
void tvp_fd_close_all(int *fds, int n);

#endif
