/* Transport "eventfd-shm": one message buffer per direction in a shared mapping, handed over
 * with two eventfds per direction — the shape of a shared-memory transport whose only kernel
 * work is the wake-up. See tvp_ipc.h for the interface.
 *
 * Layout: the mapping (shm_map.h, made in open, before the fork) holds buf[0] (what side 0
 * sends) and buf[1] (what side 1 sends), max_msg bytes each, 128-byte aligned. Direction d (the
 * sender's side) has two eventfds whose counter is 0 or 1:
 *   empty[d]  starts at 1: buf[d] may be written;     taken by the sender, given by the receiver;
 *   full[d]   starts at 0: buf[d] holds a message;    taken by the receiver, given by the sender.
 *   send(d):  take empty[d] (wait while 0), memcpy into buf[d], give full[d];
 *   recv(s):  take full[1-s], memcpy out of buf[1-s], give empty[1-s].
 * So a message costs the sender a read and a write, the receiver a read and a write (plus a
 * poll and a second read whenever it has to wait), and two memcpys: nothing more.
 *
 * Waiting and peer death: the eventfds are non-blocking (EFD_NONBLOCK; a read of a 0 counter
 * fails with EAGAIN). take() tries the read and on EAGAIN poll()s the eventfd together with the
 * peer's pidfd (opened by attach in the process model; the thread model has none and polls the
 * eventfd alone). A readable pidfd with the eventfd still empty after one last read means the
 * peer ended: EPIPE. The last read is needed because a peer may give and then end, and poll can
 * report both at once; once the pidfd is readable the peer made its last system call, so an
 * EAGAIN then is final. A send blocked on a full buffer sees the same. A send into an empty
 * buffer of a peer that has ended succeeds (as a pipe's write into its buffer would not: nothing
 * here can tell without a system call, and the fast path has none to spare).
 *
 * Ordering: the kernel orders everything before a write() to an eventfd before a read() that
 * takes the count (the eventfd's wait-queue lock, and the system calls themselves are full
 * barriers), so the memcpy into buf happens-before the memcpy out and the copy out before the
 * next copy in. ThreadSanitizer does not see that edge through the kernel, so under TSan the
 * giver announces a release and the taker an acquire on the eventfd's slot in the pair
 * (eventfd_util.h).
 *
 * Descriptors: both sides use all four eventfds, so attach closes none; detach closes the side's
 * pidfd, and in the process model (where this process holds one side only) all of this
 * process's descriptors of the pair; close closes whatever is left and unmaps. */
#define _GNU_SOURCE

#include "eventfd_util.h"
#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "shm_map.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#define NAME  "eventfd-shm"
#define ALIGN 128 /* the two buffers never share a cache line (or an adjacent-line pair) */

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    void *map;
    size_t map_len;
    unsigned char *buf[2]; /* buf[d]: the message side d sends, in map */
    int full[2];           /* full[d]: 1 while buf[d] holds a message for side 1 - d */
    int empty[2];          /* empty[d]: 1 while side d may write buf[d] */
    int pidfd[2];          /* pidfd[s]: side s's watch on its peer (process model), else -1 */
};

/* Closes every descriptor of the pair this process holds. 0 or the first error. */
static int close_all(struct tvp_ipc_pair *p)
{
    int e1 = tvp_ipc_close_fds(p->full, 2), e2 = tvp_ipc_close_fds(p->empty, 2);
    int e3 = tvp_ipc_close_fds(p->pidfd, 2);
    return e1 ? e1 : e2 ? e2 : e3;
}

static int efs_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    tvp_ipc_keep_first(&rc, close_all(p), err, errlen, NAME ": close: close");
    tvp_ipc_keep_first(&rc, tvp_shm_map_close(p->map, p->map_len), err, errlen, NAME ": munmap");
    free(p);
    return rc;
}

static int efs_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX / 4, sizeof *p, 0, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    for (int i = 0; i < 2; i++)
        p->full[i] = p->empty[i] = p->pidfd[i] = -1;
    size_t slot = (cfg->max_msg + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    p->map_len = 2 * slot;
    e = tvp_shm_map_open(&p->map, p->map_len, NAME, "efs", err, errlen);
    p->buf[0] = p->map;
    p->buf[1] = (unsigned char *)p->map + slot;
    for (int d = 0; d < 2 && e == 0; d++)
        if ((p->full[d] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
            (p->empty[d] = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
            e = tvp_ipc_errno(err, errlen, NAME ": open: eventfd");
    return tvp_ipc_open_done(out, p, e, efs_close);
}

static int efs_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    return tvp_ipc_attach_watching(&p->h, &p->pidfd[side], side, peer, err, errlen);
}

/* Takes the count of eventfd fd (0 or 1), waiting while it is 0; watches pidfd meanwhile.
 * Returns 0, EPIPE when the peer ended, or an error number. */
static int take(int fd, int pidfd)
{
    int peer_gone = 0;
    for (;;) {
        int e = tvp_eventfd_take(fd);
        if (e != EAGAIN)
            return e;
        if (peer_gone)
            return EPIPE; /* the read after the pidfd said so: the peer gives nothing more */
        struct pollfd pf[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        if (poll(pf, 2, -1) < 0) { /* poll ignores a negative pidfd (thread model) */
            if (errno == EINTR)
                continue;
            return errno;
        }
        if (pf[0].revents & (POLLERR | POLLNVAL))
            return EBADF;
        if (pf[1].revents != 0)
            peer_gone = 1;
    }
}

static int efs_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    if ((e = take(p->empty[side], p->pidfd[side])) != 0)
        return tvp_ipc_fail(NAME, "send", e, "read of the empty eventfd", err, errlen);
    TVP_TSAN_ACQUIRE(&p->empty[side]);
    if (len > 0)
        memcpy(p->buf[side], buf, len);
    TVP_TSAN_RELEASE(&p->full[side]);
    if ((e = tvp_eventfd_add1(p->full[side])) != 0)
        return tvp_ipc_fail(NAME, "send", e, "write of the full eventfd", err, errlen);
    return 0;
}

static int efs_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    int d = 1 - side;
    if ((e = take(p->full[d], p->pidfd[side])) != 0)
        return tvp_ipc_fail(NAME, "recv", e, "read of the full eventfd", err, errlen);
    TVP_TSAN_ACQUIRE(&p->full[d]);
    if (len > 0)
        memcpy(buf, p->buf[d], len);
    TVP_TSAN_RELEASE(&p->empty[d]);
    if ((e = tvp_eventfd_add1(p->empty[d])) != 0)
        return tvp_ipc_fail(NAME, "recv", e, "write of the empty eventfd", err, errlen);
    return 0;
}

static int efs_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    if (e != 0)
        return e;
    /* Nothing is queued beyond the one buffer, which the peer reads without our help. */
    e = p->h.processes ? close_all(p) : tvp_ipc_close_fd(&p->pidfd[side]);
    if (e != 0)
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: close", side);
    return e;
}

const struct tvp_ipc_transport tvp_ipc_eventfd_shm = TVP_IPC_TRANSPORT(
    efs, NAME, "shared-memory buffer per direction, handed over with eventfds (full/empty)");
