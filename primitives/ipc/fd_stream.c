/* The descriptor engine (see fd_stream.h): one pair layout and the attach/detach/close and
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
#include <stdlib.h>
#include <unistd.h>

int tvp_fd_check_cfg(const char *name, const struct tvp_ipc_cfg *cfg, char *err, size_t errlen)
{
    if (cfg == NULL || cfg->max_msg == 0) {
        tvp_errfmt(err, errlen, EINVAL, "%s: open: max_msg must be at least 1", name);
        return EINVAL;
    }
    return 0;
}

void tvp_fd_close_all(int *fds, int n)
{
    int saved = errno;
    for (int i = 0; i < n; i++)
        (void)tvp_ipc_close_fd(&fds[i]); /* already failing: the first error is the one to tell */
    errno = saved;
}

int tvp_fd_pair_new(struct tvp_ipc_pair **out, const char *name, const struct tvp_ipc_cfg *cfg,
                    int r0, int w0, int r1, int w1, char *err, size_t errlen)
{
    struct tvp_ipc_pair *p = malloc(sizeof *p);
    if (p == NULL) {
        int fds[4] = {r0, w0 == r0 ? -1 : w0, r1, w1 == r1 ? -1 : w1};
        tvp_fd_close_all(fds, 4);
        tvp_errfmt(err, errlen, ENOMEM, "%s: open: allocating the pair", name);
        return ENOMEM;
    }
    *p = (struct tvp_ipc_pair){
        .name = name,
        .processes = cfg->processes,
        .max_msg = cfg->max_msg,
        .rfd = {r0, r1},
        .wfd = {w0, w1},
        .pidfd = {-1, -1},
    };
    *out = p;
    return 0;
}

int tvp_fd_close_side(struct tvp_ipc_pair *p, int s)
{
    int rc = 0, e;
    if (p->wfd[s] == p->rfd[s])
        p->wfd[s] = -1; /* one socket: closed once, below */
    if ((e = tvp_ipc_close_fd(&p->wfd[s])) != 0)
        rc = e;
    if ((e = tvp_ipc_close_fd(&p->rfd[s])) != 0 && rc == 0)
        rc = e;
    return rc;
}

int tvp_fd_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    (void)peer; /* the kernel tells us of the peer's end through our descriptors */
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, "%s: attach: side %d is not 0 or 1", p->name, side);
        return EINVAL;
    }
    if (!p->processes)
        return 0;
    int e = tvp_fd_close_side(p, 1 - side);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: attach side %d: closing the other side's descriptors",
                   p->name, side);
        return e;
    }
    return 0;
}

int tvp_fd_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                size_t errlen)
{
    int e = tvp_ipc_write_full(p->wfd[side], buf, len);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: send %zu bytes from side %d%s", p->name, len, side,
                   e == EPIPE ? ": peer ended" : "");
    return e;
}

int tvp_fd_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err, size_t errlen)
{
    int e = tvp_ipc_read_full(p->rfd[side], buf, len);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: recv %zu bytes on side %d%s", p->name, len, side,
                   e == EPIPE ? ": peer ended (end of file)" : "");
    return e;
}

int tvp_fd_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, "%s: detach: side %d is not 0 or 1", p->name, side);
        return EINVAL;
    }
    int rc = 0, e;
    if ((e = tvp_ipc_close_fd(&p->pidfd[side])) != 0) {
        tvp_errfmt(err, errlen, e, "%s: detach side %d: closing the peer's pidfd", p->name, side);
        rc = e;
    }
    if ((e = tvp_fd_close_side(p, side)) != 0 && rc == 0) {
        tvp_errfmt(err, errlen, e, "%s: detach side %d: closing its descriptors", p->name, side);
        rc = e;
    }
    return rc;
}

int tvp_fd_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++) {
        int e = tvp_ipc_close_fd(&p->pidfd[s]);
        if (e == 0)
            e = tvp_fd_close_side(p, s);
        else
            (void)tvp_fd_close_side(p, s);
        if (e != 0 && rc == 0) {
            tvp_errfmt(err, errlen, e, "%s: close: closing side %d's descriptors", p->name, s);
            rc = e;
        }
    }
    free(p);
    return rc;
}

size_t tvp_fd_chunk(const struct tvp_ipc_pair *p)
{
    return p->chunk != 0 && p->chunk < p->max_msg ? p->chunk : 0;
}
