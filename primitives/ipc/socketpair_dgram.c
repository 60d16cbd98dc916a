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
 * SO_SNDTIMEO, in case another process still holds the peer's socket) to TVP_IPC_SLICE_MS
 * (ipc_common.h) and opens a pidfd on the peer: a blocking call that times out checks the
 * pidfd, and when the peer has ended one last non-blocking recv collects a datagram sent just
 * before the end, then EPIPE.
 * The timeout costs nothing while data flows (it is a socket option, not a call); in the
 * thread model nothing is set. The chunk loops are msg_chunks.c's; attach, detach and close
 * are the descriptor engine's. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "msg_chunks.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>

#define NAME         "socketpair-dgram"
#define DGRAM_CHUNK  (64 * 1024)
#define DGRAM_SNDBUF (1024 * 1024)

/* One datagram of p->h.chunk bytes each way, to prove the size; halves p->h.chunk on EMSGSIZE. */
static int probe_chunk(struct tvp_ipc_pair *p, int sv[2], char *err, size_t errlen)
{
    char *buf = calloc(1, p->h.chunk);
    if (buf == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, NAME ": open: a %zu-byte probe buffer", p->h.chunk);
        return ENOMEM;
    }
    int e = 0;
    for (int s = 0; s < 2 && e == 0; s++) {
        for (;;) {
            ssize_t w = send(sv[s], buf, p->h.chunk, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (w >= 0)
                break;
            if (errno == EINTR)
                continue;
            if (errno != EMSGSIZE || p->h.chunk <= 1) {
                e = errno;
                tvp_errfmt(err, errlen, e, NAME ": open: probe datagram of %zu bytes", p->h.chunk);
                break;
            }
            p->h.chunk /= 2;
        }
        if (e != 0)
            break;
        ssize_t r;
        while ((r = recv(sv[1 - s], buf, p->h.chunk, MSG_DONTWAIT | MSG_TRUNC)) < 0 &&
               errno == EINTR)
            ;
        if (r != (ssize_t)p->h.chunk) {
            e = r < 0 ? errno : EIO;
            tvp_errfmt(err, errlen, e, NAME ": open: receiving the probe datagram");
        }
    }
    free(buf);
    return e;
}

static int make_dgram_pair(int fd[4], char *err, size_t errlen)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: socketpair(AF_UNIX, SOCK_DGRAM)");
    static const int sndbuf = DGRAM_SNDBUF;
    for (int s = 0; s < 2; s++)
        if (setsockopt(sv[s], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0) {
            int e = tvp_ipc_errno(err, errlen, NAME ": open: setsockopt SO_SNDBUF %d", sndbuf);
            (void)tvp_ipc_close_fds(sv, 2);
            return e;
        }
    fd[0] = fd[1] = sv[0];
    fd[2] = fd[3] = sv[1];
    return 0;
}

static int dgram_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                      size_t errlen)
{
    int e = tvp_fd_open(out, cfg, NAME, make_dgram_pair, err, errlen);
    if (e != 0)
        return e;
    struct tvp_ipc_pair *p = *out;
    *out = NULL; /* until the chunk size is proven */
    int eff = 0, sv[2] = {p->rfd[0], p->rfd[1]};
    socklen_t elen = sizeof eff;
    if (getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &eff, &elen) != 0) {
        e = tvp_ipc_errno(err, errlen, NAME ": open: getsockopt SO_SNDBUF");
    } else {
        p->h.chunk = cfg->max_msg < DGRAM_CHUNK ? cfg->max_msg : DGRAM_CHUNK;
        if (eff > 64 && p->h.chunk > (size_t)eff / 2)
            p->h.chunk =
                (size_t)eff / 2; /* a datagram that fills the buffer alone would serialise */
        e = probe_chunk(p, sv, err, errlen);
    }
    return tvp_ipc_open_done(out, p, e, tvp_fd_close);
}

static int dgram_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    int e = tvp_fd_attach(p, side, peer, err, errlen);
    if (e != 0 || !p->h.processes || peer <= 0)
        return e;
    if ((e = tvp_ipc_watch_peer(&p->pidfd[side], peer, NAME, side, err, errlen)) != 0)
        return e;
    const struct timeval slice = {0, TVP_IPC_SLICE_MS * 1000};
    if (setsockopt(p->rfd[side], SOL_SOCKET, SO_RCVTIMEO, &slice, sizeof slice) != 0 ||
        setsockopt(p->rfd[side], SOL_SOCKET, SO_SNDTIMEO, &slice, sizeof slice) != 0)
        return tvp_ipc_errno(err, errlen,
                             NAME ": attach side %d: setsockopt SO_RCVTIMEO/SO_SNDTIMEO", side);
    return 0;
}

/* The errors of a send or recv on a socket whose peer has closed it. */
static int is_peer_gone_errno(int e)
{
    return e == ECONNREFUSED || e == ENOTCONN || e == ECONNRESET || e == EPIPE;
}

/* One call's state for the chunk loops (msg_chunks.h). */
struct dgram_call {
    struct tvp_ipc_pair *p;
    int side;
    int flags; /* recv: MSG_DONTWAIT once the peer is known to have ended (the last look) */
};

static int put_datagram(void *ctx, const char *chunk, size_t n, char *err, size_t errlen)
{
    struct dgram_call *c = ctx;
    ssize_t w = send(c->p->wfd[c->side], chunk, n, MSG_NOSIGNAL);
    if (w == (ssize_t)n)
        return 0;
    int e = w < 0 ? errno : EIO;         /* a datagram goes whole or not at all */
    if (e == EAGAIN || e == EWOULDBLOCK) /* a time slice ended: is the peer just slow? */
        return tvp_ipc_peer_gone(c->p->pidfd[c->side]) ? EPIPE : TVP_IPC_AGAIN;
    if (is_peer_gone_errno(e))
        return EPIPE;
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": send of a %zu-byte datagram from side %d", n, c->side);
    return e;
}

static int get_datagram(void *ctx, char *chunk, size_t n, size_t *got, char *err, size_t errlen)
{
    struct dgram_call *c = ctx;
    ssize_t r = recv(c->p->rfd[c->side], chunk, n, MSG_TRUNC | c->flags);
    if (r >= 0) {
        *got = (size_t)r; /* MSG_TRUNC: the datagram's real length */
        return 0;
    }
    int e = errno;
    if (e == EAGAIN || e == EWOULDBLOCK) {
        if (c->flags != 0)
            return EPIPE; /* the last look found nothing */
        if (tvp_ipc_peer_gone(c->p->pidfd[c->side]))
            c->flags = MSG_DONTWAIT; /* one last look for what it sent just before it ended */
        return TVP_IPC_AGAIN;        /* else a time slice ended with the peer alive */
    }
    if (is_peer_gone_errno(e))
        return EPIPE;
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": recv of a %zu-byte datagram on side %d", n, c->side);
    return e;
}

static int dgram_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                      size_t errlen)
{
    struct dgram_call c = {p, side, 0};
    return tvp_ipc_send_chunks(&p->h, side, buf, len, put_datagram, &c, err, errlen);
}

static int dgram_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                      size_t errlen)
{
    struct dgram_call c = {p, side, 0};
    return tvp_ipc_recv_chunks(&p->h, side, buf, len, get_datagram, &c, err, errlen);
}

const struct tvp_ipc_transport tvp_ipc_socketpair_dgram = TVP_FD_DESCRIPTOR(
    NAME, "one AF_UNIX datagram socketpair, messages split into datagrams of <= 64 KiB", dgram_open,
    dgram_attach, dgram_send, dgram_recv);
