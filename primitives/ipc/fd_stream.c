/* The descriptor engine (see fd_stream.h): one pair layout and the open/attach/detach/close and
 * stream send/recv that pipe, fifo, socketpair-stream and tcp-loopback share.
 *
 * Peer death is the kernel's: in the process model each process keeps only its own side's
 * descriptors (attach closes the rest), so a peer that ends, however it ends, drops the last
 * reference to its ends; a blocked read then returns 0 (or ECONNRESET on a socket whose peer
 * had unread data) and a write EPIPE, both reported as EPIPE. In the thread model both sides
 * live in one process and a side's end is its detach. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_common.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

int tvp_fd_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, const char *name,
                tvp_fd_make_fn make, char *err, size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX, sizeof *p, 0, name, &e, err, errlen);
    if (p == NULL)
        return e;
    int fd[4]; /* side 0 reads, side 0 writes, side 1 reads, side 1 writes */
    if ((e = make(fd, err, errlen)) != 0) {
        free(p);
        return e;
    }
    p->rfd[0] = fd[0];
    p->wfd[0] = fd[1];
    p->rfd[1] = fd[2];
    p->wfd[1] = fd[3];
    p->pidfd[0] = p->pidfd[1] = -1;
    *out = p;
    return 0;
}

/* Closes side s's descriptors in this process (once when read == write). 0 or close's error. */
static int close_side(struct tvp_ipc_pair *p, int s)
{
    if (p->wfd[s] == p->rfd[s])
        p->wfd[s] = -1; /* one socket: closed once, below */
    int e1 = tvp_ipc_close_fd(&p->wfd[s]), e2 = tvp_ipc_close_fd(&p->rfd[s]);
    return e1 ? e1 : e2;
}

int tvp_fd_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    (void)peer; /* the kernel tells us of the peer's end through our descriptors */
    int e = tvp_ipc_check_side(&p->h, "attach", side, err, errlen);
    if (e != 0 || !p->h.processes)
        return e;
    if ((e = close_side(p, 1 - side)) != 0)
        tvp_errfmt(err, errlen, e, "%s: attach side %d: closing the other side's descriptors",
                   p->h.name, side);
    return e;
}

int tvp_fd_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                size_t errlen)
{
    int e = tvp_ipc_write_full(p->wfd[side], buf, len);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: send %zu bytes from side %d%s", p->h.name, len, side,
                   e == EPIPE ? ": peer ended" : "");
    return e;
}

int tvp_fd_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err, size_t errlen)
{
    int e = tvp_ipc_read_full(p->rfd[side], buf, len);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: recv %zu bytes on side %d%s", p->h.name, len, side,
                   e == EPIPE ? ": peer ended (end of file)" : "");
    return e;
}

int tvp_fd_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int rc = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    if (rc != 0)
        return rc;
    rc = tvp_ipc_unwatch_peer(&p->pidfd[side], p->h.name, side, err, errlen);
    tvp_ipc_keep_first(&rc, close_side(p, side), err, errlen,
                       "%s: detach side %d: closing its descriptors", p->h.name, side);
    return rc;
}

int tvp_fd_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++) {
        tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->pidfd[s]), err, errlen,
                           "%s: close: closing side %d's pidfd", p->h.name, s);
        tvp_ipc_keep_first(&rc, close_side(p, s), err, errlen,
                           "%s: close: closing side %d's descriptors", p->h.name, s);
    }
    free(p);
    return rc;
}
