/* Transport "socketpair-stream": one AF_UNIX SOCK_STREAM socketpair (what multiprocessing.Pipe()
 * uses for a duplex connection), default buffer sizes. Each side reads and writes its one
 * socket, so the engine (fd_stream.c) holds it as both read and write descriptor and closes it
 * once. No shutdown(): close is what a dead peer does too, and it is what the peer's read turns
 * into end of file (or ECONNRESET when it dies with unread data, reported as EPIPE). */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <sys/socket.h>

#define NAME "socketpair-stream"

static int sps_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    int e = tvp_fd_check_cfg(NAME, cfg, err, errlen);
    if (e != 0)
        return e;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, NAME ": open: socketpair(AF_UNIX, SOCK_STREAM)");
        return e;
    }
    return tvp_fd_pair_new(out, NAME, cfg, sv[0], sv[0], sv[1], sv[1], err, errlen);
}

const struct tvp_ipc_transport tvp_ipc_socketpair_stream = {
    .name = NAME,
    .description = "one AF_UNIX stream socketpair (duplex, default buffers)",
    .open = sps_open,
    .attach = tvp_fd_attach,
    .send = tvp_fd_send,
    .recv = tvp_fd_recv,
    .detach = tvp_fd_detach,
    .close = tvp_fd_close,
    .chunk = tvp_fd_chunk,
};
