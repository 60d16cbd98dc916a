/* Transport "sysv-mq": two System V message queues, one per direction (queue q[s] carries side
 * s's messages), created with msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600).
 *
 * Lifetime. A System V queue has no name to unlink and no descriptor to close: it lives until
 * IPC_RMID. It cannot be removed in open (both processes still need it), so close removes both
 * queues, on every path including a failed or missing attach/detach; if the opener itself is
 * killed they stay until the supervisor removes them (each id is reported with tvp_created, and
 * bench/harness/leftovers.c removes what a killed case reported).
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
 * a side's end is its detach. The chunk loops are msg_chunks.c's; this file moves one kernel
 * message at a time. */
#define _GNU_SOURCE

#include "eventfd_util.h"
#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "msg_chunks.h"
#include "tvp_created.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ipc.h>
#include <sys/msg.h>

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
    struct tvp_ipc_head h; /* first; h.chunk = min(max_msg, kernel.msgmax, msg_qbytes) */
    int q[2];              /* q[s]: side s sends, side 1 - s receives; -1 when not made */
    struct sysv_side s[2];
};

struct watch_arg {
    struct tvp_ipc_pair *p;
    int side;
};

static int smq_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

static int smq_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    size_t msgmax = (size_t)tvp_ipc_proc_long("/proc/sys/kernel/msgmax", 8192);
    size_t qbytes = (size_t)tvp_ipc_proc_long("/proc/sys/kernel/msgmnb", 16384);
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX, sizeof *p, 0, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    p->q[0] = p->q[1] = -1;
    for (int s = 0; s < 2; s++)
        p->s[s].pidfd = p->s[s].stopfd = -1;
    for (int s = 0; s < 2; s++) {
        if ((p->q[s] = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600)) < 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: msgget(IPC_PRIVATE) for side %d's queue",
                              s);
            goto done;
        }
        tvp_created_id(TVP_CREATED_SYSV_MSG, p->q[s]);
        struct msqid_ds ds;
        if (msgctl(p->q[s], IPC_STAT, &ds) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: msgctl IPC_STAT");
            goto done;
        }
        if (ds.msg_qbytes < qbytes)
            qbytes = ds.msg_qbytes; /* the queue's own limit is what binds */
    }
    p->h.chunk = cfg->max_msg;
    if (p->h.chunk > msgmax)
        p->h.chunk = msgmax;
    if (p->h.chunk > qbytes)
        p->h.chunk = qbytes;
    for (int s = 0; s < 2; s++) {
        struct sysv_side *d = &p->s[s];
        if ((d->sbuf = malloc(sizeof(struct sysv_msg) + p->h.chunk)) == NULL ||
            (d->rbuf = malloc(sizeof(struct sysv_msg) + p->h.chunk)) == NULL ||
            (d->dbuf = malloc(sizeof(struct sysv_msg) + p->h.chunk)) == NULL) {
            e = ENOMEM;
            tvp_errfmt(err, errlen, e, NAME ": open: message buffers of %zu bytes", p->h.chunk);
            goto done;
        }
        d->sbuf->mtype = DATA;
    }
done:
    return tvp_ipc_open_done(out, p, e, smq_close);
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
        while (msgrcv(p->q[side], d->dbuf, p->h.chunk, 0, IPC_NOWAIT | MSG_NOERROR) >= 0)
            ;
        int n = poll(fds, 1, DRAIN_MS);
        if (n > 0)
            return NULL;
    }
}

static int smq_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "attach", side, err, errlen);
    if (e != 0 || !p->h.processes || peer <= 0)
        return e;
    struct sysv_side *d = &p->s[side];
    if ((e = tvp_ipc_watch_peer(&d->pidfd, peer, NAME, side, err, errlen)) != 0)
        return e;
    struct watch_arg *a = NULL;
    if ((d->stopfd = eventfd(0, EFD_CLOEXEC)) < 0) {
        e = tvp_ipc_errno(err, errlen, NAME ": attach side %d: eventfd to stop the watcher", side);
    } else if ((a = malloc(sizeof *a)) == NULL) {
        e = ENOMEM;
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: allocating the watcher's argument",
                   side);
    } else {
        *a = (struct watch_arg){p, side};
        if ((e = pthread_create(&d->watcher, NULL, watcher, a)) == 0) {
            d->watching = 1;
            return 0;
        }
        free(a);
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: starting the peer watcher thread", side);
    }
    (void)tvp_ipc_close_fd(&d->stopfd);
    (void)tvp_ipc_close_fd(&d->pidfd);
    return e;
}

/* One call's state for the chunk loops (msg_chunks.h). */
struct smq_call {
    struct tvp_ipc_pair *p;
    int side;
};

static int put_message(void *ctx, const char *chunk, size_t n, char *err, size_t errlen)
{
    struct smq_call *c = ctx;
    struct sysv_side *d = &c->p->s[c->side];
    if (atomic_load_explicit(&d->gone, memory_order_acquire))
        return EPIPE;
    memcpy(d->sbuf->mtext, chunk, n);
    if (msgsnd(c->p->q[c->side], d->sbuf, n, 0) == 0)
        return 0;
    int e = errno;
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": send from side %d: msgsnd of %zu bytes%s", c->side, n,
                   e == EIDRM || e == EINVAL ? " (queue removed)" : "");
    return e;
}

static int get_message(void *ctx, char *chunk, size_t n, size_t *got, char *err, size_t errlen)
{
    struct smq_call *c = ctx;
    struct sysv_side *d = &c->p->s[c->side];
    if (d->ended)
        return EPIPE;
    ssize_t r = msgrcv(c->p->q[1 - c->side], d->rbuf, n, -SENTINEL, 0);
    if (r >= 0 && d->rbuf->mtype == SENTINEL) {
        d->ended = 1; /* everything the peer sent before it ended came first */
        return EPIPE;
    }
    if (r >= 0) {
        if ((size_t)r == n)
            memcpy(chunk, d->rbuf->mtext, n);
        *got = (size_t)r;
        return 0;
    }
    int e = errno;
    if (e == E2BIG) {
        *got = SIZE_MAX; /* longer than n: left in the queue, and the stream is out of step */
        return 0;
    }
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": recv on side %d: msgrcv%s", c->side,
                   e == EIDRM || e == EINVAL ? " (queue removed)" : "");
    return e;
}

static int smq_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct smq_call c = {p, side};
    return tvp_ipc_send_chunks(&p->h, side, buf, len, put_message, &c, err, errlen);
}

static int smq_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct smq_call c = {p, side};
    return tvp_ipc_recv_chunks(&p->h, side, buf, len, get_message, &c, err, errlen);
}

/* Stops and joins side's watcher and closes its descriptors. 0 or the first error. */
static int stop_watcher(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    struct sysv_side *d = &p->s[side];
    int rc = 0, e;
    if (d->watching) {
        if ((e = tvp_eventfd_add1(d->stopfd)) != 0) {
            tvp_errfmt(err, errlen, e, NAME ": detach side %d: waking the watcher", side);
            return e; /* cannot join a thread that will not stop: leave it, close nothing it uses */
        }
        if ((e = pthread_join(d->watcher, NULL)) != 0) {
            tvp_errfmt(err, errlen, e, NAME ": detach side %d: joining the watcher", side);
            return e;
        }
        d->watching = 0;
    }
    tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&d->stopfd), err, errlen,
                       NAME ": detach side %d: closing the watcher's eventfd", side);
    tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&d->pidfd), err, errlen,
                       NAME ": detach side %d: closing the peer's pidfd", side);
    return rc;
}

static int smq_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    return e != 0 ? e : stop_watcher(p, side, err, errlen);
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
        if (p->q[s] >= 0)
            tvp_ipc_keep_first(&rc, msgctl(p->q[s], IPC_RMID, NULL) != 0 ? errno : 0, err, errlen,
                               NAME ": close: msgctl IPC_RMID (queue %d)", p->q[s]);
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

const struct tvp_ipc_transport tvp_ipc_sysv_mq =
    TVP_IPC_TRANSPORT(smq, NAME,
                      "two System V message queues, one per direction, removed by close "
                      "(messages above kernel.msgmax split)");
