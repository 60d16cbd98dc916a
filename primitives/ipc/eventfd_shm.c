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
 * next copy in. ThreadSanitizer does not see that edge through the kernel, so under TSan give()
 * announces __tsan_release and take() __tsan_acquire on the eventfd's slot in the pair.
 *
 * Descriptors: both sides use all four eventfds, so attach closes none; detach closes the side's
 * pidfd, and in the process model (where this process holds one side only) all of this
 * process's descriptors of the pair; close closes whatever is left and unmaps. */
#define _GNU_SOURCE

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
#include <unistd.h>

#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#define TSAN_RELEASE(a) __tsan_release(a)
#define TSAN_ACQUIRE(a) __tsan_acquire(a)
#else
#define TSAN_RELEASE(a) ((void)(a))
#define TSAN_ACQUIRE(a) ((void)(a))
#endif

#define NAME  "eventfd-shm"
#define ALIGN 128 /* the two buffers never share a cache line (or an adjacent-line pair) */

struct tvp_ipc_pair {
    int processes;
    size_t max_msg;
    void *map;
    size_t map_len;
    unsigned char *buf[2]; /* buf[d]: the message side d sends, in map */
    int full[2];           /* full[d]: 1 while buf[d] holds a message for side 1 - d */
    int empty[2];          /* empty[d]: 1 while side d may write buf[d] */
    int pidfd[2];          /* pidfd[s]: side s's watch on its peer (process model), else -1 */
};

static int close_all(struct tvp_ipc_pair *p)
{
    int rc = 0, e;
    for (int i = 0; i < 2; i++) {
        if ((e = tvp_ipc_close_fd(&p->full[i])) != 0 && rc == 0)
            rc = e;
        if ((e = tvp_ipc_close_fd(&p->empty[i])) != 0 && rc == 0)
            rc = e;
        if ((e = tvp_ipc_close_fd(&p->pidfd[i])) != 0 && rc == 0)
            rc = e;
    }
    return rc;
}

static int efs_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    *out = NULL;
    if (cfg == NULL || cfg->max_msg == 0 || cfg->max_msg > SIZE_MAX / 4) {
        tvp_errfmt(err, errlen, 0, NAME ": open: max_msg %zu: must be >= 1 and fit twice in memory",
                   cfg ? cfg->max_msg : 0);
        return EINVAL;
    }
    struct tvp_ipc_pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, NAME ": open: calloc");
        return ENOMEM;
    }
    p->processes = cfg->processes != 0;
    p->max_msg = cfg->max_msg;
    for (int i = 0; i < 2; i++)
        p->full[i] = p->empty[i] = p->pidfd[i] = -1;
    size_t slot = (cfg->max_msg + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    p->map_len = 2 * slot;
    int e = tvp_shm_map_open(&p->map, p->map_len, NAME, "efs", err, errlen);
    if (e != 0) {
        free(p);
        return e;
    }
    p->buf[0] = p->map;
    p->buf[1] = (unsigned char *)p->map + slot;
    for (int d = 0; d < 2; d++) {
        p->full[d] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (p->full[d] < 0) {
            e = errno;
            break;
        }
        p->empty[d] = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
        if (p->empty[d] < 0) {
            e = errno;
            break;
        }
    }
    if (e != 0) {
        tvp_errfmt(err, errlen, e, NAME ": open: eventfd");
        char err2[128];
        (void)close_all(p);
        (void)tvp_shm_map_close(p->map, p->map_len, NAME, err2, sizeof err2);
        free(p);
        return e;
    }
    *out = p;
    return 0;
}

static int efs_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, NAME ": attach: side %d: must be 0 or 1", side);
        return EINVAL;
    }
    if (!p->processes)
        return 0;
    if (peer <= 0) {
        tvp_errfmt(err, errlen, 0, NAME ": attach side %d: peer pid %ld: invalid", side,
                   (long)peer);
        return EINVAL;
    }
    int fd = tvp_ipc_pidfd_open(peer);
    if (fd < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: pidfd_open %ld", side, (long)peer);
        return e;
    }
    (void)tvp_ipc_close_fd(&p->pidfd[side]); /* a second attach replaces the watch */
    p->pidfd[side] = fd;
    return 0;
}

/* Takes the count of eventfd fd (0 or 1), waiting while it is 0; watches pidfd meanwhile.
 * Returns 0, EPIPE when the peer ended, or an error number. */
static int take(int fd, int pidfd)
{
    uint64_t v;
    int peer_gone = 0;
    for (;;) {
        ssize_t n = read(fd, &v, sizeof v);
        if (n == (ssize_t)sizeof v)
            return 0;
        if (n >= 0)
            return EIO; /* an eventfd read is all or nothing */
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return errno;
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

static int give(int fd)
{
    const uint64_t one = 1;
    for (;;) {
        ssize_t n = write(fd, &one, sizeof one);
        if (n == (ssize_t)sizeof one)
            return 0;
        if (n >= 0)
            return EIO;
        if (errno != EINTR)
            return errno;
    }
}

static int check_call(const struct tvp_ipc_pair *p, const char *op, int side, size_t len, char *err,
                      size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, NAME ": %s: side %d: must be 0 or 1", op, side);
        return EINVAL;
    }
    if (len > p->max_msg) {
        tvp_errfmt(err, errlen, 0, NAME ": %s: %zu bytes: larger than max_msg %zu", op, len,
                   p->max_msg);
        return EMSGSIZE;
    }
    return 0;
}

static int fail(int e, const char *op, const char *what, char *err, size_t errlen)
{
    if (e == EPIPE)
        tvp_errfmt(err, errlen, 0, NAME ": %s: peer ended", op);
    else
        tvp_errfmt(err, errlen, e, NAME ": %s: %s", op, what);
    return e;
}

static int efs_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = check_call(p, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    if ((e = take(p->empty[side], p->pidfd[side])) != 0)
        return fail(e, "send", "read of the empty eventfd", err, errlen);
    TSAN_ACQUIRE(&p->empty[side]);
    if (len > 0)
        memcpy(p->buf[side], buf, len);
    TSAN_RELEASE(&p->full[side]);
    if ((e = give(p->full[side])) != 0)
        return fail(e, "send", "write of the full eventfd", err, errlen);
    return 0;
}

static int efs_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = check_call(p, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    int d = 1 - side;
    if ((e = take(p->full[d], p->pidfd[side])) != 0)
        return fail(e, "recv", "read of the full eventfd", err, errlen);
    TSAN_ACQUIRE(&p->full[d]);
    if (len > 0)
        memcpy(buf, p->buf[d], len);
    TSAN_RELEASE(&p->empty[d]);
    if ((e = give(p->empty[d])) != 0)
        return fail(e, "recv", "write of the empty eventfd", err, errlen);
    return 0;
}

static int efs_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, NAME ": detach: side %d: must be 0 or 1", side);
        return EINVAL;
    }
    /* Nothing is queued beyond the one buffer, which the peer reads without our help. */
    int e = p->processes ? close_all(p) : tvp_ipc_close_fd(&p->pidfd[side]);
    if (e != 0)
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: close", side);
    return e;
}

static int efs_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = close_all(p);
    if (rc != 0)
        tvp_errfmt(err, errlen, rc, NAME ": close: close");
    char err2[128];
    int e = tvp_shm_map_close(p->map, p->map_len, NAME, err2, sizeof err2);
    if (e != 0 && rc == 0) {
        rc = e;
        tvp_errfmt(err, errlen, 0, "%s", err2);
    }
    free(p);
    return rc;
}

static size_t efs_chunk(const struct tvp_ipc_pair *p)
{
    (void)p;
    return 0;
}

const struct tvp_ipc_transport tvp_ipc_eventfd_shm = {
    .name = "eventfd-shm",
    .description = "shared-memory buffer per direction, handed over with eventfds (full/empty)",
    .open = efs_open,
    .attach = efs_attach,
    .send = efs_send,
    .recv = efs_recv,
    .detach = efs_detach,
    .close = efs_close,
    .chunk = efs_chunk,
};
