/* Transport "socketpair-stream": one AF_UNIX SOCK_STREAM socketpair (what multiprocessing.Pipe()
 * uses for a duplex connection), default buffer sizes. Each side reads and writes its one
 * socket, so the engine (fd_stream.c) holds it as both read and write descriptor and closes it
 * once. No shutdown(): close is what a dead peer does too, and it is what the peer's read turns
 * into end of file (or ECONNRESET when it dies with unread data, reported as EPIPE). */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"

#include <sys/socket.h>

#define NAME "socketpair-stream"

static int make_socketpair(int fd[4], char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: socketpair(AF_UNIX, SOCK_STREAM)");
    fd[0] = fd[1] = sv[0];
    fd[2] = fd[3] = sv[1];
    return 0;
}

TVP_FD_TRANSPORT(tvp_ipc_socketpair_stream, NAME,
                 "one AF_UNIX stream socketpair (duplex, default buffers)", make_socketpair);
