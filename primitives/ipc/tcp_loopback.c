/* Transport "tcp-loopback": one TCP connection over 127.0.0.1, the path a program takes when it
 * talks to another over the network stack on the same machine. open listens on an ephemeral
 * port (port 0, backlog 1), connects, accepts, and closes the listener at once, so no port
 * stays open past open; TCP_NODELAY on both ends because the benchmark sends small messages
 * one at a time and Nagle would otherwise hold them back for the peer's delayed ACK. Default
 * buffer sizes. Each side owns one socket (read fd == write fd in the engine, closed once).
 * Anything on the machine can connect to the ephemeral port between listen and accept, so the
 * accepted connection's peer address must be the connecting end's own address; another
 * connection is refused (closed) and the one we made is waited for.
 *
 * Peer death: the peer's socket closes when its process ends (it holds the only copy after
 * attach), the kernel sends FIN (or RST if it died with unread data): a read here returns end
 * of file or ECONNRESET, a write EPIPE or ECONNRESET, all reported as EPIPE. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define NAME "tcp-loopback"

int tvp_ipc_tcp_fault_strangers;

static int make_connection(int fd[4], char *err, size_t errlen)
{
    /* listener, connecting end (side 0), accepted end (side 1), a test's stranger */
    int fds[4] = {-1, -1, -1, -1};
    const char *what;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof a;
    static const int one = 1;

    what = "socket (listener)";
    if ((fds[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        goto fail;
    what = "bind 127.0.0.1:0";
    if (bind(fds[0], (struct sockaddr *)&a, sizeof a) != 0)
        goto fail;
    what = "listen";
    if (listen(fds[0], 1) != 0)
        goto fail;
    what = "getsockname (the listener's port)";
    if (getsockname(fds[0], (struct sockaddr *)&a, &alen) != 0)
        goto fail;
    if (tvp_ipc_tcp_fault_strangers > 0) {
        what = "connecting a stranger (test hook)";
        if ((fds[3] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
            connect(fds[3], (struct sockaddr *)&a, sizeof a) != 0)
            goto fail;
    }
    what = "socket (connecting end)";
    if ((fds[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        goto fail;
    what = "connect to the listener";
    while (connect(fds[1], (struct sockaddr *)&a, sizeof a) != 0)
        if (errno != EINTR)
            goto fail;
    struct sockaddr_in mine, peer;
    socklen_t mlen = sizeof mine;
    what = "getsockname (the connecting end)";
    if (getsockname(fds[1], (struct sockaddr *)&mine, &mlen) != 0)
        goto fail;
    for (int strangers = 0;; strangers++) {
        what = "accept";
        socklen_t plen = sizeof peer;
        while ((fds[2] = accept4(fds[0], (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC)) < 0)
            if (errno != EINTR)
                goto fail;
        if (plen == sizeof peer && peer.sin_port == mine.sin_port &&
            peer.sin_addr.s_addr == mine.sin_addr.s_addr)
            break;
        what = "closing a connection from another program";
        if (tvp_ipc_close_fd(&fds[2]) != 0)
            goto fail;
        if (strangers >= 16) {
            errno = ECONNREFUSED;
            what = "accept: 16 connections from other programs before ours";
            goto fail;
        }
    }
    what = "closing the stranger (test hook)";
    if (fds[3] >= 0 && tvp_ipc_close_fd(&fds[3]) != 0)
        goto fail;
    what = "setsockopt TCP_NODELAY";
    if (setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
        setsockopt(fds[2], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        goto fail;
    what = "closing the listener";
    if (tvp_ipc_close_fd(&fds[0]) != 0)
        goto fail;
    fd[0] = fd[1] = fds[1];
    fd[2] = fd[3] = fds[2];
    return 0;

fail:;
    int e = tvp_ipc_errno(err, errlen, NAME ": open: %s", what);
    (void)tvp_ipc_close_fds(fds, 4);
    return e;
}

TVP_FD_TRANSPORT(tvp_ipc_tcp_loopback, NAME,
                 "one TCP connection over 127.0.0.1 (TCP_NODELAY, default buffers)",
                 make_connection);
