/* Transport "posix-mq": two POSIX message queues, one per direction (queue q[s] carries side
 * s's messages to the other side).
 *
 * Names and lifetime. Each queue is created with mq_open(O_CREAT | O_EXCL, 0600) under a
 * tvp_ipc_name and unlinked as soon as it is open, inside open: the queue lives on through the
 * descriptors (inherited by a forked child), so nothing named survives open, not even a SIGKILL.
 *
 * Sizes. mq_msgsize = min(max_msg, fs.mqueue.msgsize_max) and mq_maxmsg = min(10,
 * fs.mqueue.msg_max), the limits an unprivileged program gets. A queue's size counts against
 * RLIMIT_MSGQUEUE (about maxmsg * msgsize bytes each), so when mq_open refuses (EMFILE over the
 * limit, ENOMEM, EINVAL over a ceiling, ENOSPC over queues_max) open retries with half the
 * queue depth, then half the message size, and says what it last tried if nothing fits. A
 * message longer than mq_msgsize goes as consecutive messages of mq_msgsize bytes, the last
 * shorter (chunk() tells the size). mq_receive needs a buffer of at least mq_msgsize, so a
 * chunk that fills it is received straight into the caller's buffer and a shorter one through
 * a per-side bounce buffer; a message of any other length than expected is EBADMSG.
 *
 * Peer death. Nothing in a message queue notices that the process at the other end is gone.
 * In the process model attach opens a pidfd on the peer, and send/receive block in
 * mq_timedsend/mq_timedreceive for TVP_IPC_SLICE_MS (ipc_common.h) at a time: when a slice
 * ends without progress the pidfd says whether the peer has ended; if it has, one last receive
 * with an expired deadline collects a message it sent just before ending, then EPIPE. While
 * messages flow this costs one clock_gettime (vDSO, no system call) per call. In the thread
 * model the calls block with no deadline. The chunk loops are msg_chunks.c's; this file moves
 * one kernel message at a time. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "msg_chunks.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define NAME      "posix-mq"
#define MAX_DEPTH 10
#define MIN_MSGSZ 128 /* retries stop halving the message size here */
#define NO_QUEUE  ((mqd_t)-1)

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first; h.chunk is mq_msgsize, the bytes of one kernel message */
    long depth;            /* mq_maxmsg */
    mqd_t q[2];            /* q[s]: side s sends, side 1 - s receives */
    int pidfd[2];          /* process model: side s's watch on its peer, else -1 */
    char *bounce[2];
};

static void close_queues(struct tvp_ipc_pair *p)
{
    for (int s = 0; s < 2; s++)
        if (p->q[s] != NO_QUEUE) {
            (void)mq_close(p->q[s]); /* callers report the first error themselves */
            p->q[s] = NO_QUEUE;
        }
}

/* Creates, opens and unlinks both queues with the sizes in p (retry: they were reduced). 0 or
 * an error number (with nothing left open). */
static int make_queues(struct tvp_ipc_pair *p, int retry, char *err, size_t errlen)
{
    struct mq_attr attr = {.mq_maxmsg = p->depth, .mq_msgsize = (long)p->h.chunk};
    char name[64];
    for (int s = 0; s < 2; s++) {
        int e = tvp_ipc_name(name, sizeof name, s == 0 ? "mq0to1" : "mq1to0");
        if (e != 0) {
            close_queues(p);
            tvp_errfmt(err, errlen, e, NAME ": open: naming the queue");
            return e;
        }
        p->q[s] = mq_open(name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600, &attr);
        if (p->q[s] == NO_QUEUE) {
            e = errno;
            close_queues(p);
            struct rlimit rl = {0, 0};
            (void)getrlimit(RLIMIT_MSGQUEUE, &rl);
            tvp_errfmt(err, errlen, e,
                       NAME ": open: mq_open %s (mq_maxmsg %ld, mq_msgsize %zu%s; "
                            "RLIMIT_MSGQUEUE %llu bytes)",
                       name, p->depth, p->h.chunk, retry ? " after smaller retries" : "",
                       (unsigned long long)rl.rlim_cur);
            return e;
        }
        if (mq_unlink(name) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: mq_unlink %s", name);
            close_queues(p);
            return e;
        }
    }
    return 0;
}

static int pmq_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

static int pmq_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    long size_max = tvp_ipc_proc_long("/proc/sys/fs/mqueue/msgsize_max", 8192);
    long depth_max = tvp_ipc_proc_long("/proc/sys/fs/mqueue/msg_max", MAX_DEPTH);
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX, sizeof *p, 0, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    p->q[0] = p->q[1] = NO_QUEUE;
    p->pidfd[0] = p->pidfd[1] = -1;
    p->h.chunk = cfg->max_msg < (size_t)size_max ? cfg->max_msg : (size_t)size_max;
    p->depth = depth_max < MAX_DEPTH ? depth_max : MAX_DEPTH;
    int retry = 0;
    while ((e = make_queues(p, retry++, err, errlen)) != 0) {
        if (e != EMFILE && e != ENOMEM && e != EINVAL && e != ENOSPC)
            break;
        if (p->depth > 1)
            p->depth /= 2;
        else if (p->h.chunk > MIN_MSGSZ)
            p->h.chunk /= 2;
        else
            break; /* err tells the last sizes tried and the limit */
    }
    for (int s = 0; s < 2 && e == 0; s++)
        if ((p->bounce[s] = malloc(p->h.chunk)) == NULL) {
            e = ENOMEM;
            tvp_errfmt(err, errlen, e, NAME ": open: a %zu-byte receive buffer", p->h.chunk);
        }
    return tvp_ipc_open_done(out, p, e, pmq_close);
}

static int pmq_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "attach", side, err, errlen);
    if (e != 0 || !p->h.processes || peer <= 0)
        return e;
    return tvp_ipc_watch_peer(&p->pidfd[side], peer, NAME, side, err, errlen);
}

/* One call's state for the chunk loops (msg_chunks.h). */
struct pmq_call {
    struct tvp_ipc_pair *p;
    int side;
    int timed;          /* process model: wait in slices, watching the peer */
    int last_look;      /* recv: the peer has ended, dl has passed: take only what is queued */
    struct timespec dl; /* the end of the current slice (CLOCK_REALTIME, as mq_timed* want) */
};

static void start_call(struct pmq_call *c, struct tvp_ipc_pair *p, int side)
{
    *c = (struct pmq_call){.p = p, .side = side, .timed = p->pidfd[side] >= 0};
    if (c->timed)
        tvp_ipc_slice_deadline(CLOCK_REALTIME, &c->dl);
}

/* A slice ended without progress: EPIPE when the peer has ended, else the next slice. */
static int slice_ended(struct pmq_call *c)
{
    if (tvp_ipc_peer_gone(c->p->pidfd[c->side]))
        return EPIPE;
    tvp_ipc_slice_deadline(CLOCK_REALTIME, &c->dl);
    return TVP_IPC_AGAIN;
}

static int put_message(void *ctx, const char *chunk, size_t n, char *err, size_t errlen)
{
    struct pmq_call *c = ctx;
    mqd_t q = c->p->q[c->side];
    if ((c->timed ? mq_timedsend(q, chunk, n, 0, &c->dl) : mq_send(q, chunk, n, 0)) == 0)
        return 0;
    int e = errno;
    if (e == ETIMEDOUT && c->timed)
        return slice_ended(c); /* the queue is full */
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": send from side %d: mq_send of %zu bytes", c->side, n);
    return e;
}

/* mq_receive needs a buffer of mq_msgsize: a full chunk goes straight into the caller's buffer,
 * a shorter one through the side's bounce buffer. */
static int get_message(void *ctx, char *chunk, size_t n, size_t *got, char *err, size_t errlen)
{
    struct pmq_call *c = ctx;
    struct tvp_ipc_pair *p = c->p;
    mqd_t q = p->q[1 - c->side];
    char *bounce = p->bounce[c->side], *to = n == p->h.chunk ? chunk : bounce;
    ssize_t r = c->timed ? mq_timedreceive(q, to, p->h.chunk, NULL, &c->dl)
                         : mq_receive(q, to, p->h.chunk, NULL);
    if (r >= 0) {
        if (r == (ssize_t)n && to == bounce)
            memcpy(chunk, bounce, n);
        *got = (size_t)r;
        return 0;
    }
    int e = errno;
    if (e == ETIMEDOUT && c->last_look)
        return EPIPE; /* nothing was left after the peer's end */
    if (e == ETIMEDOUT && c->timed) {
        if ((e = slice_ended(c)) == EPIPE) {
            c->last_look = 1; /* dl has passed: the next call only takes what is queued */
            return TVP_IPC_AGAIN;
        }
        return e;
    }
    if (e != EINTR)
        tvp_errfmt(err, errlen, e, NAME ": recv on side %d: mq_receive", c->side);
    return e;
}

static int pmq_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct pmq_call c;
    start_call(&c, p, side);
    return tvp_ipc_send_chunks(&p->h, side, buf, len, put_message, &c, err, errlen);
}

static int pmq_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    struct pmq_call c;
    start_call(&c, p, side);
    return tvp_ipc_recv_chunks(&p->h, side, buf, len, get_message, &c, err, errlen);
}

static int pmq_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int rc = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    if (rc != 0)
        return rc;
    rc = tvp_ipc_unwatch_peer(&p->pidfd[side], NAME, side, err, errlen);
    /* In a process of its own the side is done with both queues; queued messages live on in
     * the peer's descriptors. Between threads the queues are shared until close. */
    for (int s = 0; s < 2 && p->h.processes; s++)
        if (p->q[s] != NO_QUEUE) {
            tvp_ipc_keep_first(&rc, mq_close(p->q[s]) != 0 ? errno : 0, err, errlen,
                               NAME ": detach side %d: mq_close", side);
            p->q[s] = NO_QUEUE;
        }
    return rc;
}

static int pmq_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++) {
        tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->pidfd[s]), err, errlen,
                           NAME ": close: closing a pidfd");
        if (p->q[s] != NO_QUEUE)
            tvp_ipc_keep_first(&rc, mq_close(p->q[s]) != 0 ? errno : 0, err, errlen,
                               NAME ": close: mq_close");
        p->q[s] = NO_QUEUE;
        free(p->bounce[s]);
    }
    free(p);
    return rc;
}

const struct tvp_ipc_transport tvp_ipc_posix_mq =
    TVP_IPC_TRANSPORT(pmq, NAME,
                      "two POSIX message queues, one per direction, unlinked once open "
                      "(messages above fs.mqueue.msgsize_max split)");
