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
 * mq_timedsend/mq_timedreceive for SLICE_MS at a time: when a slice ends without progress the
 * pidfd says whether the peer has ended; if it has, one last receive with an expired deadline
 * collects a message it sent just before ending, then EPIPE. While messages flow this costs
 * one clock_gettime (vDSO, no system call) per call. In the thread model the calls block with
 * no deadline. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define NAME      "posix-mq"
#define MAX_DEPTH 10
#define SLICE_NS  100000000L /* 100 ms */
#define MIN_MSGSZ 128        /* retries stop halving the message size here */
#define NO_QUEUE  ((mqd_t)-1)

struct tvp_ipc_pair {
    int processes;
    size_t max_msg;
    size_t msgsize; /* mq_msgsize: bytes per kernel message */
    long depth;     /* mq_maxmsg */
    mqd_t q[2];     /* q[s]: side s sends, side 1 - s receives */
    int pidfd[2];   /* process model: side s's watch on its peer, else -1 */
    char *bounce[2];
};

/* A number from a /proc/sys file, or dflt when it cannot be read. */
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
    struct mq_attr attr = {.mq_maxmsg = p->depth, .mq_msgsize = (long)p->msgsize};
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
                       name, p->depth, p->msgsize, retry ? " after smaller retries" : "",
                       (unsigned long long)rl.rlim_cur);
            return e;
        }
        if (mq_unlink(name) != 0) {
            e = errno;
            close_queues(p);
            tvp_errfmt(err, errlen, e, NAME ": open: mq_unlink %s", name);
            return e;
        }
    }
    return 0;
}

static int pmq_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

static int pmq_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
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
    p->q[0] = p->q[1] = NO_QUEUE;
    p->pidfd[0] = p->pidfd[1] = -1;
    long size_max = proc_long("/proc/sys/fs/mqueue/msgsize_max", 8192);
    long depth_max = proc_long("/proc/sys/fs/mqueue/msg_max", MAX_DEPTH);
    p->msgsize = cfg->max_msg < (size_t)size_max ? cfg->max_msg : (size_t)size_max;
    p->depth = depth_max < MAX_DEPTH ? depth_max : MAX_DEPTH;
    int e, retry = 0;
    while ((e = make_queues(p, retry++, err, errlen)) != 0) {
        if (e != EMFILE && e != ENOMEM && e != EINVAL && e != ENOSPC)
            break;
        if (p->depth > 1)
            p->depth /= 2;
        else if (p->msgsize > MIN_MSGSZ)
            p->msgsize /= 2;
        else
            break; /* err tells the last sizes tried and the limit */
    }
    for (int s = 0; s < 2 && e == 0; s++)
        if ((p->bounce[s] = malloc(p->msgsize)) == NULL) {
            e = ENOMEM;
            tvp_errfmt(err, errlen, e, NAME ": open: a %zu-byte receive buffer", p->msgsize);
        }
    if (e != 0) {
        (void)pmq_close(p, NULL, 0);
        return e;
    }
    *out = p;
    return 0;
}

static int pmq_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, NAME ": attach: side %d is not 0 or 1", side);
        return EINVAL;
    }
    if (!p->processes || peer <= 0)
        return 0;
    if ((p->pidfd[side] = tvp_ipc_pidfd_open(peer)) < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: pidfd_open(%ld)", side, (long)peer);
        return e;
    }
    return 0;
}

/* *ts = CLOCK_REALTIME now + one slice (the clock mq_timed* deadlines use). */
static void slice_deadline(struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += SLICE_NS;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int pmq_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    const char *b = buf;
    mqd_t q = p->q[side];
    int timed = p->pidfd[side] >= 0;
    struct timespec dl;
    if (timed)
        slice_deadline(&dl);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < p->msgsize ? len - off : p->msgsize;
        if ((timed ? mq_timedsend(q, b + off, n, 0, &dl) : mq_send(q, b + off, n, 0)) == 0) {
            off += n;
            continue;
        }
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == ETIMEDOUT && timed) {
            if (tvp_ipc_peer_gone(p->pidfd[side])) {
                tvp_errfmt(err, errlen, EPIPE,
                           NAME ": send %zu bytes from side %d: peer ended (queue full)", len,
                           side);
                return EPIPE;
            }
            slice_deadline(&dl);
            continue;
        }
        tvp_errfmt(err, errlen, e, NAME ": send from side %d: mq_send of %zu bytes", side, n);
        return e;
    }
    return 0;
}

static int pmq_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    char *b = buf;
    mqd_t q = p->q[1 - side];
    char *bounce = p->bounce[side];
    int timed = p->pidfd[side] >= 0, last_look = 0;
    struct timespec dl;
    if (timed)
        slice_deadline(&dl);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < p->msgsize ? len - off : p->msgsize;
        char *to = n == p->msgsize ? b + off : bounce;
        ssize_t r = timed ? mq_timedreceive(q, to, p->msgsize, NULL, &dl)
                          : mq_receive(q, to, p->msgsize, NULL);
        if (r == (ssize_t)n) {
            if (to == bounce)
                memcpy(b + off, bounce, n);
            off += n;
            continue;
        }
        if (r >= 0) {
            tvp_errfmt(err, errlen, EBADMSG,
                       NAME ": recv on side %d: a message of %zd bytes where %zu were expected",
                       side, r, n);
            return EBADMSG;
        }
        int e = errno;
        if (e == EINTR)
            continue;
        if (e == ETIMEDOUT && timed && !last_look) {
            if (tvp_ipc_peer_gone(p->pidfd[side])) {
                last_look = 1; /* dl has passed: the next call only takes what is queued */
                continue;
            }
            slice_deadline(&dl);
            continue;
        }
        if (e == ETIMEDOUT && last_look) {
            tvp_errfmt(err, errlen, EPIPE,
                       NAME ": recv %zu bytes on side %d: peer ended after %zu bytes", len, side,
                       off);
            return EPIPE;
        }
        tvp_errfmt(err, errlen, e, NAME ": recv on side %d: mq_receive", side);
        return e;
    }
    return 0;
}

static int pmq_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, EINVAL, NAME ": detach: side %d is not 0 or 1", side);
        return EINVAL;
    }
    int rc = tvp_ipc_close_fd(&p->pidfd[side]);
    if (rc != 0)
        tvp_errfmt(err, errlen, rc, NAME ": detach side %d: closing the peer's pidfd", side);
    /* In a process of its own the side is done with both queues; queued messages live on in
     * the peer's descriptors. Between threads the queues are shared until close. */
    for (int s = 0; s < 2 && p->processes; s++)
        if (p->q[s] != NO_QUEUE) {
            if (mq_close(p->q[s]) != 0 && rc == 0) {
                rc = errno;
                tvp_errfmt(err, errlen, rc, NAME ": detach side %d: mq_close", side);
            }
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
        int e = tvp_ipc_close_fd(&p->pidfd[s]);
        if (e != 0 && rc == 0) {
            rc = e;
            tvp_errfmt(err, errlen, e, NAME ": close: closing a pidfd");
        }
        if (p->q[s] != NO_QUEUE && mq_close(p->q[s]) != 0 && rc == 0) {
            rc = errno;
            tvp_errfmt(err, errlen, rc, NAME ": close: mq_close");
        }
        p->q[s] = NO_QUEUE;
        free(p->bounce[s]);
    }
    free(p);
    return rc;
}

static size_t pmq_chunk(const struct tvp_ipc_pair *p)
{
    return p->msgsize < p->max_msg ? p->msgsize : 0;
}

const struct tvp_ipc_transport tvp_ipc_posix_mq = {
    .name = NAME,
    .description = "two POSIX message queues, one per direction, unlinked once open "
                   "(messages above fs.mqueue.msgsize_max split)",
    .open = pmq_open,
    .attach = pmq_attach,
    .send = pmq_send,
    .recv = pmq_recv,
    .detach = pmq_detach,
    .close = pmq_close,
    .chunk = pmq_chunk,
};
