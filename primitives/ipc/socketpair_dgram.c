/* Transport "socketpair-dgram": one AF_UNIX SOCK_DGRAM socketpair; every message travels as
 * datagrams, so the kernel keeps message boundaries (one send, one recv).
 *
 * Chunks. An AF_UNIX datagram larger than the sender's SO_SNDBUF minus a small overhead is
 * refused with EMSGSIZE (default SO_SNDBUF 208 KiB), and one very large datagram needs one
 * large contiguous kernel allocation. A message is therefore sent as datagrams of at most
 * DGRAM_CHUNK (64 KiB) bytes, the last one shorter; open raises SO_SNDBUF to DGRAM_SNDBUF (the
 * kernel doubles it, capped by net.core.wmem_max) so the receiver's queue, limited to
 * net.unix.max_dgram_qlen + 1 datagrams, can fill with full chunks. open then proves the chunk
 * size by sending one datagram of that size each way (halving it on EMSGSIZE) instead of
 * trusting a formula for the kernel's overhead. Each recv must return exactly the chunk it
 * expects: recv with MSG_TRUNC returns a datagram's real length, and any other length is
 * EBADMSG, never silent truncation.
 *
 * Peer death. Unlike a stream socket, a datagram socketpair does not wake a blocked recv when
 * the peer's socket closes: no end of file ever comes (checked on Linux 6.x). A send does learn
 * it (ECONNREFUSED, then ENOTCONN; a sender blocked on a full queue is woken with
 * ECONNREFUSED), reported as EPIPE. So in the process model attach sets SO_RCVTIMEO (and
 * SO_SNDTIMEO, in case another process still holds the peer's socket) to SLICE_MS and opens a
 * pidfd on the peer: a blocking call that times out checks the pidfd, and when the peer has
 * ended one last non-blocking recv collects a datagram sent just before the end, then EPIPE.
 * The timeout costs nothing while data flows (it is a socket option, not a call); in the
 * thread model nothing is set. Attach, detach and close are the descriptor engine's. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#define NAME         "socketpair-dgram"
#define DGRAM_CHUNK  (64 * 1024)
#define DGRAM_SNDBUF (1024 * 1024)
#define SLICE_MS     100

/* One datagram of p->chunk bytes each way, to prove the size; halves p->chunk on EMSGSIZE. */
static int probe_chunk(struct tvp_ipc_pair *p, int sv[2], char *err, size_t errlen)
{
    char *buf = calloc(1, p->chunk);
    if (buf == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, NAME ": open: a %zu-byte probe buffer", p->chunk);
        return ENOMEM;
    }
    int e = 0;
    for (int s = 0; s < 2 && e == 0; s++) {
        for (;;) {
            ssize_t w = send(sv[s], buf, p->chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (w >= 0)
                break;
            if (errno == EINTR)
                continue;
            if (errno != EMSGSIZE || p->chunk <= 1) {
                e = errno;
                tvp_errfmt(err, errlen, e, NAME ": open: probe datagram of %zu bytes", p->chunk);
                break;
            }
            p->chunk /= 2;
        }
        if (e != 0)
            break;
        ssize_t r;
        while ((r = recv(sv[1 - s], buf, p->chunk, MSG_DONTWAIT | MSG_TRUNC)) < 0 && errno == EINTR)
            ;
        if (r != (ssize_t)p->chunk) {
            e = r < 0 ? errno : EIO;
            tvp_errfmt(err, errlen, e, NAME ": open: receiving the probe datagram");
        }
    }
    free(buf);
    return e;
}

static int dgram_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                      size_t errlen)
{
    int e = tvp_fd_check_cfg(NAME, cfg, err, errlen);
    if (e != 0)
        return e;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, NAME ": open: socketpair(AF_UNIX, SOCK_DGRAM)");
        return e;
    }
    static const int sndbuf = DGRAM_SNDBUF;
    int eff = 0;
    socklen_t elen = sizeof eff;
    for (int s = 0; s < 2; s++)
        if (setsockopt(sv[s], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0) {
            e = errno;
            tvp_fd_close_all(sv, 2);
            tvp_errfmt(err, errlen, e, NAME ": open: setsockopt SO_SNDBUF %d", sndbuf);
            return e;
        }
    if (getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &eff, &elen) != 0) {
        e = errno;
        tvp_fd_close_all(sv, 2);
        tvp_errfmt(err, errlen, e, NAME ": open: getsockopt SO_SNDBUF");
        return e;
    }
    if ((e = tvp_fd_pair_new(out, NAME, cfg, sv[0], sv[0], sv[1], sv[1], err, errlen)) != 0)
        return e;
    struct tvp_ipc_pair *p = *out;
    p->chunk = cfg->max_msg < DGRAM_CHUNK ? cfg->max_msg : DGRAM_CHUNK;
    if (eff > 64 && p->chunk > (size_t)eff / 2)
        p->chunk = (size_t)eff / 2; /* a datagram that fills the buffer alone would serialise */
    if ((e = probe_chunk(p, sv, err, errlen)) != 0) {
        (void)tvp_fd_close(p, NULL, 0);
        *out = NULL;
    }
    return e;
}

static int dgram_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    int e = tvp_fd_attach(p, side, peer, err, errlen);
    if (e != 0 || !p->processes || peer <= 0)
        return e;
    if ((p->pidfd[side] = tvp_ipc_pidfd_open(peer)) < 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: pidfd_open(%ld)", side, (long)peer);
        return e;
    }
    const struct timeval slice = {0, SLICE_MS * 1000};
    if (setsockopt(p->rfd[side], SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice) != 0 ||
        setsockopt(p->rfd[side], SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: setsockopt SO_RCVTIMEO/SO_SNDTIMEO",
                   side);
        return e;
    }
    return 0;
}

static int is_peer_gone_errno(int e)
{
    return e == ECONNREFUSED || e == ENOTCONN || e == ECONNRESET || e == EPIPE;
}

static int dgram_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                      size_t errlen)
{
    const char *b = buf;
    int fd = p->wfd[side];
    for (size_t off = 0; off < len;) {
        size_t n = len - off < p->chunk ? len - off : p->chunk;
        ssize_t w = send(fd, b + off, n, MSG_NOSIGNAL);
        if (w == (ssize_t)n) {
            off += n;
            continue;
        }
        int e = w < 0 ? errno : EIO; /* a datagram goes whole or not at all */
        if (e == EINTR)
            continue;
        if ((e == EAGAIN || e == EWOULDBLOCK) && !tvp_ipc_peer_gone(p->pidfd[side]))
            continue; /* a time slice ended with the peer alive: it is just slow */
        if (e == EAGAIN || e == EWOULDBLOCK || is_peer_gone_errno(e)) {
            tvp_errfmt(err, errlen, EPIPE, NAME ": send %zu bytes from side %d: peer ended", len,
                       side);
            return EPIPE;
        }
        tvp_errfmt(err, errlen, e, NAME ": send of a %zu-byte datagram from side %d", n, side);
        return e;
    }
    return 0;
}

static int dgram_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                      size_t errlen)
{
    char *b = buf;
    int fd = p->rfd[side], flags = 0;
    for (size_t off = 0; off < len;) {
        size_t n = len - off < p->chunk ? len - off : p->chunk;
        ssize_t r = recv(fd, b + off, n, MSG_TRUNC | flags);
        if (r == (ssize_t)n) {
            off += n;
            continue;
        }
        if (r >= 0) {
            tvp_errfmt(err, errlen, EBADMSG,
                       NAME ": recv on side %d: a datagram of %zd bytes where %zu were expected",
                       side, r, n);
            return EBADMSG;
        }
        int e = errno;
        if (e == EINTR)
            continue;
        if ((e == EAGAIN || e == EWOULDBLOCK) && flags == 0 && tvp_ipc_peer_gone(p->pidfd[side])) {
            flags = MSG_DONTWAIT; /* one last look for what it sent just before it ended */
            continue;
        }
        if ((e == EAGAIN || e == EWOULDBLOCK) && flags == 0)
            continue; /* a time slice ended with the peer alive */
        if (e == EAGAIN || e == EWOULDBLOCK || is_peer_gone_errno(e)) {
            tvp_errfmt(err, errlen, EPIPE,
                       NAME ": recv %zu bytes on side %d: peer ended after %zu bytes", len, side,
                       off);
            return EPIPE;
        }
        tvp_errfmt(err, errlen, e, NAME ": recv of a %zu-byte datagram on side %d", n, side);
        return e;
    }
    return 0;
}

const struct tvp_ipc_transport tvp_ipc_socketpair_dgram = {
    .name = NAME,
    .description = "one AF_UNIX datagram socketpair, messages split into datagrams of <= 64 KiB",
    .open = dgram_open,
    .attach = dgram_attach,
    .send = dgram_send,
    .recv = dgram_recv,
    .detach = tvp_fd_detach,
    .close = tvp_fd_close,
    .chunk = tvp_fd_chunk,
};
