/* Transport "sysv-mq": two System V message queues, one per direction (queue q[s] carries side
 * s's messages), created with msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600).
 *
 * Lifetime. A System V queue has no name to unlink and no descriptor to close: it lives until
 * IPC_RMID. It cannot be removed in open (both processes still need it), so close removes both
 * queues, on every path including a failed or missing attach/detach; if the opener itself is
 * killed they stay until the harness's System V sweep (bench/sysv_sweep.c) removes them.
 *
 * Sizes. One kernel message carries at most kernel.msgmax bytes, and a queue holds at most
 * msg_qbytes (kernel.msgmnb by default) bytes, so chunk = min(max_msg, msgmax, msg_qbytes);
 * a longer message goes as consecutive chunks, the last shorter. msgsnd/msgrcv want the mtype
 * in front of the data, so each side copies through its own buffers of sizeof(long) + chunk
 * (one memcpy per chunk each way). A received chunk of another length than expected is EBADMSG.
 *
 * Peer death. A blocked msgrcv returns only for a message, a signal or the queue's removal, and
 * a blocked msgsnd (queue full) only for space, a signal or removal; nothing tells them the
 * peer process has gone. Removing the queue would lose what the peer sent before it ended, and
 * a signal would have to be aimed at the blocked thread without a race. So, in the process
 * model only, attach starts a watcher thread for the side, which sleeps in poll() on a pidfd
 * of the peer (and an eventfd detach uses to stop it). When the peer ends, the watcher
 *   - sets the side's `gone` flag, which send checks before each chunk (EPIPE);
 *   - posts a zero-length sentinel of mtype SENTINEL (2) on the queue this side receives from.
 *     Data has mtype DATA (1) and the receiver asks for msgtyp -SENTINEL, "lowest type first",
 *     so everything the peer sent before it ended is received first, then the sentinel turns
 *     into EPIPE. (With data at type 1 the kernel's lowest-type search stops at the first
 *     message, so this costs nothing while data flows.) A zero-length message always fits,
 *     even in a full queue;
 *   - drains the queue this side sends to every DRAIN_MS (nobody else will read it), so a
 *     send blocked on a full queue completes and the next chunk sees `gone`.
 * The send/recv path itself makes no extra system call. In the thread model no watcher runs:
 * a side's end is its detach. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#define NAME     "sysv-mq"
#define DATA     1L
#define SENTINEL 2L
#define DRAIN_MS 20

struct sysv_msg {
    long mtype;
    char mtext[]; /* chunk bytes */
};

struct sysv_side {
    struct sysv_msg *sbuf, *rbuf, *dbuf; /* send, receive, the watcher's drain */
    _Atomic int gone;                    /* set by the watcher when the peer has ended */
    int ended;                           /* the receiver met the sentinel */
    int pidfd, stopfd;                   /* process model: peer pidfd, watcher stop eventfd */
    int watching;                        /* a watcher thread runs */
    pthread_t watcher;
};

struct tvp_ipc_pair {
    int processes;
    size_t max_msg;
    size_t chunk;
    int q[2]; /* q[s]: side s sends, side 1 - s receives; -1 when not made */
    struct sysv_side s[2];
};

struct watch_arg {
    struct tvp_ipc_pair *p;
    int side;
};

static long proc_long(const char *path, long dflt)
{
    FILE *f = fopen(path, "re");
    long v;
    if (f == NULL)
        return dflt;
    if (fscanf(f, "%ld", &v) != 1 || v <= 0)
        v = dflt;
    fclose(f);
    return v;
}

static int smq_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

static int smq_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    if (cfg == NULL || cfg->max_msg == 0) {
        tvp_errfmt(err, errlen, EINVAL, NAME ": open: max_msg must be at least 1");
        return EINVAL;
    }
    struct tvp_ipc_pair *p = calloc(1, sizeof *p);
    if (p == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, NAME ": open: allocating the pair");
        return ENOMEM;
    }
    p->processes = cfg->processes;
    p->max_msg = cfg->max_msg;
    p->q[0] = p->q[1] = -1;
    for (int s = 0; s < 2; s++)
        p->s[s].pidfd = p->s[s].stopfd = -1;
    int e = 0;
    size_t msgmax = (size_t)proc_long("/proc/sys/kernel/msgmax", 8192);
    size_t qbytes = (size_t)proc_long("/proc/sys/kernel/msgmnb", 16384);
    for (int s = 0; s < 2; s++) {
        if ((p->q[s] = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600)) < 0) {
            e = errno;
            tvp_errfmt(err, errlen, e, NAME ": open: msgget(IPC_PRIVATE) for side %d's queue", s);
            goto fail;
        }
        struct msqid_ds ds;
        if (msgctl(p->q[s], IPC_STAT, &ds) != 0) {
            e = errno;
            tvp_errfmt(err, errlen, e, NAME ": open: msgctl IPC_STAT");
            goto fail;
        }
        if (ds.msg_qbytes < qbytes)
            qbytes = ds.msg_qbytes; /* the queue's own limit is what binds */
    }
    p->chunk = cfg->max_msg;
    if (p->chunk > msgmax)
        p->chunk = msgmax;
    if (p->chunk > qbytes)
        p->chunk = qbytes;
    for (int s = 0; s < 2; s++) {
        struct sysv_side *d = &p->s[s];
        if ((d->sbuf = malloc(sizeof(struct sysv_msg) + p->chunk)) == NULL ||
            (d->rbuf = malloc(sizeof(struct sysv_msg) + p->chunk)) == NULL ||
            (d->dbuf = malloc(sizeof(struct sysv_msg) + p->chunk)) == NULL) {
            e = ENOMEM;
            tvp_errfmt(err, errlen, e, NAME ": open: message buffers of %zu bytes", p->chunk);
            goto fail;
        }
        d->sbuf->mtype = DATA;
    }
    *out = p;
    return 0;

fail:
    (void)smq_close(p, NULL, 0);
    return e;
}

/* The peer has ended: tell this side's receiver and unblock its sender (see the top). */
static void *watcher(void *arg)
{
    struct tvp_ipc_pair *p = ((struct watch_arg *)arg)->p;
    int side = ((struct watch_arg *)arg)->side;
    free(arg);
    struct sysv_side *d = &p->s[side];
    struct pollfd fds[2] = {{.fd = d->stopfd, .events = POLLIN},
                            {.fd = d->pidfd, .events = POLLIN}};
    for (;;) {
        int n = poll(fds, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || fds[0].revents != 0)
            return NULL; /* told to stop (or poll broke: nothing left to do safely) */
        if (fds[1].revents != 0)
            break;
    }
    atomic_store_explicit(&d->gone, 1, memory_order_release);
    int posted = 0;
    for (;;) {
        if (!posted) {
            struct sysv_msg end = {.mtype = SENTINEL};
            posted = msgsnd(p->q[1 - side], &end, 0, IPC_NOWAIT) == 0 || errno == EIDRM ||
                     errno == EINVAL;
        }
        while (msgrcv(p->q[side], d->dbuf, p->chunk, 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
            ;
        int n = poll(fds, 1, DRAIN_MS);
        if (n > 0)
            return NULL;
    }
}

static int smq_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, NAME ": attach: side %d is not 0 or 1", side);
        return EINVAL;
    }
    if (!p->processes || peer <= 0)
        return 0;
    struct sysv_side *d = &p->s[side];
    int e;
    const char *what;
    struct watch_arg *a = NULL;
    what = "pidfd_open on the peer";
    if ((d->pidfd = tvp_ipc_pidfd_open(peer)) < 0)
        goto fail_errno;
    what = "eventfd to stop the watcher";
    if ((d->stopfd = eventfd(0, EFD_CLOEXEC)) < 0)
        goto fail_errno;
    if ((a = malloc(sizeof *a)) == NULL) {
        e = ENOMEM;
        what = "allocating the watcher's argument";
        goto fail;
    }
    *a = (struct watch_arg){p, side};
    what = "starting the peer watcher thread";
    if ((e = pthread_create(&d->watcher, NULL, watcher, a)) != 0) {
        free(a);
        goto fail;
    }
    d->watching = 1;
    return 0;

fail_errno:
    e = errno;
fail:
    (void)tvp_ipc_close_fd(&d->stopfd);
    (void)tvp_ipc_close_fd(&d->pidfd);
    tvp_errfmt(err, errlen, e, NAME ": attach side %d: %s", side, what);
    return e;
}

static int smq_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct sysv_side *d = &p->s[side];
    const char *b = buf;
    int q = p->q[side];
    for (size_t off = 0; off < len;) {
        if (atomic_load_explicit(&d->gone, memory_order_acquire)) {
            tvp_errfmt(err, errlen, EPIPE,
                       NAME ": send %zu bytes from side %d: peer ended after %zu bytes", len, side,
                       off);
            return EPIPE;
        }
        size_t n = len - off < p->chunk ? len - off : p->chunk;
        memcpy(d->sbuf->mtext, b + off, n);
        if (msgsnd(q, d->sbuf, n, 0) == 0) {
            off += n;
            continue;
        }
        int e = errno;
        if (e == EINTR)
            continue;
        tvp_errfmt(err, errlen, e, NAME ": send from side %d: msgsnd of %zu bytes%s", side, n,
                   e == EIDRM || e == EINVAL ? " (queue removed)" : "");
        return e;
    }
    return 0;
}

static int smq_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct sysv_side *d = &p->s[side];
    char *b = buf;
    int q = p->q[1 - side];
    for (size_t off = 0; off < len;) {
        if (d->ended) {
            tvp_errfmt(err, errlen, EPIPE,
                       NAME ": recv %zu bytes on side %d: peer ended after %zu bytes", len, side,
                       off);
            return EPIPE;
        }
        size_t n = len - off < p->chunk ? len - off : p->chunk;
        ssize_t r = msgrcv(q, d->rbuf, n, -SENTINEL, 0);
        if (r >= 0 && d->rbuf->mtype == SENTINEL) {
            d->ended = 1;
            continue;
        }
        if (r == (ssize_t)n) {
            memcpy(b + off, d->rbuf->mtext, n);
            off += n;
            continue;
        }
        int e = r >= 0 || errno == E2BIG ? EBADMSG : errno;
        if (e == EINTR)
            continue;
        if (e == EBADMSG)
            tvp_errfmt(err, errlen, e,
                       NAME ": recv on side %d: a message of %s%zd bytes where %zu were expected",
                       side, r < 0 ? "more than " : "", r < 0 ? (ssize_t)n : r, n);
        else
            tvp_errfmt(err, errlen, e, NAME ": recv on side %d: msgrcv%s", side,
                       e == EIDRM || e == EINVAL ? " (queue removed)" : "");
        return e;
    }
    return 0;
}

/* Stops and joins side's watcher and closes its descriptors. 0 or the first error. */
static int stop_watcher(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    struct sysv_side *d = &p->s[side];
    int rc = 0, e;
    if (d->watching) {
        uint64_t one = 1;
        ssize_t w;
        while ((w = write(d->stopfd, &one, sizeof one)) < 0 && errno == EINTR)
            ;
        if (w != (ssize_t)sizeof one) {
            rc = w < 0 ? errno : EIO;
            tvp_errfmt(err, errlen, rc, NAME ": detach side %d: waking the watcher", side);
            /* cannot join a thread that will not stop: leave it, close nothing it uses */
            return rc;
        }
        if ((e = pthread_join(d->watcher, NULL)) != 0) {
            tvp_errfmt(err, errlen, e, NAME ": detach side %d: joining the watcher", side);
            return e;
        }
        d->watching = 0;
    }
    if ((e = tvp_ipc_close_fd(&d->stopfd)) != 0 && rc == 0) {
        rc = e;
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: closing the watcher's eventfd", side);
    }
    if ((e = tvp_ipc_close_fd(&d->pidfd)) != 0 && rc == 0) {
        rc = e;
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: closing the peer's pidfd", side);
    }
    return rc;
}

static int smq_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, NAME ": detach: side %d is not 0 or 1", side);
        return EINVAL;
    }
    return stop_watcher(p, side, err, errlen);
}

static int smq_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0, e;
    for (int s = 0; s < 2; s++)
        if ((e = stop_watcher(p, s, err, errlen)) != 0 && rc == 0)
            rc = e;
    for (int s = 0; s < 2; s++) {
        if (p->q[s] >= 0 && msgctl(p->q[s], IPC_RMID, NULL) != 0 && rc == 0) {
            rc = errno;
            tvp_errfmt(err, errlen, rc, NAME ": close: msgctl IPC_RMID (queue %d)", p->q[s]);
        }
        p->q[s] = -1;
    }
    for (int s = 0; s < 2; s++) {
        free(p->s[s].sbuf);
        free(p->s[s].rbuf);
        free(p->s[s].dbuf);
    }
    free(p);
    return rc;
}

static size_t smq_chunk(const struct tvp_ipc_pair *p)
{
    return p->chunk < p->max_msg ? p->chunk : 0;
}

const struct tvp_ipc_transport tvp_ipc_sysv_mq = {
    .name = NAME,
    .description = "two System V message queues, one per direction, removed by close "
                   "(messages above kernel.msgmax split)",
    .open = smq_open,
    .attach = smq_attach,
    .send = smq_send,
    .recv = smq_recv,
    .detach = smq_detach,
    .close = smq_close,
    .chunk = smq_chunk,
};
