/* Transport "mp-queue": an analogue of Python's multiprocessing.Queue, built the way CPython
 * builds it (Lib/multiprocessing/queues.py), so the benchmark sees the costs a Python program
 * pays for a Queue: a copy into a private buffer, a hand-off to a feeder thread, a pipe, two
 * process-shared locks, a copy out.
 *
 * Per direction d (what side d sends): a pipe (pipe2, O_CLOEXEC), a writer lock wlock[d] and a
 * reader lock rlock[d] (pthread mutexes in a shared mapping, PTHREAD_PROCESS_SHARED in the
 * process model — Python's Lock()s are semaphores in shared memory, the same futex underneath).
 *
 *   send   "pickles": allocates a frame (8-byte length header + a copy of the bytes), appends it
 *          to the side's in-process buffer under the side's mutex, signals the condition
 *          variable, and returns at once — Queue.put. The first send starts the side's feeder
 *          thread (Python starts it lazily on the first put, too).
 *   feeder takes every buffered frame, and writes each whole (header and body in one
 *          tvp_ipc_write_full) holding the writer lock — Queue._feed. After a write error it
 *          keeps it (send returns it from then on) and drops the frames.
 *   bound  Python's Queue() buffers without limit; here send waits (on the condition variable
 *          "space") while the frames accepted but not yet written exceed QUEUED_MAX (4 MiB;
 *          one frame is always accepted, whatever its size), so a sender that outruns its
 *          receiver costs bounded memory rather than gigabytes in a throughput run, and a send
 *          to a live peer that does not read blocks as on a pipe. Ping-pong never gets near it.
 *          The feeder gives the room back after each batch it has written.
 *   recv   takes the reader lock, reads the header and then the body into a fresh allocation
 *          (tvp_ipc_read_full), releases the lock, and copies the body into the caller's buffer
 *          ("unpickles") — Queue.get. A header that is not len is EBADMSG (the body is still
 *          read, so the stream stays in step, unless the header exceeds max_msg: then the stream
 *          is broken and the body is left).
 *   detach flushes: tells the feeder to stop once the buffer is empty and joins it — Queue.close
 *          plus join_thread — so a send followed at once by detach still delivers. A feeder
 *          whose peer has ended gets EPIPE from the pipe and drops the rest, so detach does not
 *          hang on a dead peer (it waits, as Python does, on a live peer that does not read).
 *
 * Descriptors and peer death: side s owns wr[s] (its feeder writes it) and rd[1-s] (it reads
 * it). In the process model attach closes the other side's two ends in this process, so when
 * the peer process ends, the kernel closes the last copies: a recv gets end of file (EPIPE, even
 * mid-message) and the feeder's write gets EPIPE (SIGPIPE must be ignored, as the harness does).
 * detach closes the side's own ends (in the thread model too, so a side that detached looks
 * ended to the other). close stops a feeder that detach did not (reading ends first, so a
 * blocked write fails), drops its frames, and closes what is left.
 *
 * Concurrency: one task per side calls send, recv and detach; the side's feeder is the only
 * other thread that touches the side's state, and only under the side's mutex (frames, closing,
 * drop, error) — except wr[s], which the feeder reads and detach closes only after joining it.
 * The frame hand-off is ordered by that mutex; the bytes in the pipe by the kernel. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "shm_map.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME       "mp-queue"
#define QUEUED_MAX ((size_t)4 << 20)

/* A "pickled" message: len and data are contiguous, and are what goes into the pipe. */
struct frame {
    struct frame *next;
    uint64_t len;
    unsigned char data[];
};

/* In the shared mapping: [d] belongs to direction d. */
struct mpq_shared {
    pthread_mutex_t wlock[2];
    pthread_mutex_t rlock[2];
};

/* The i-th of the four locks (0..3), for initialising and destroying them in one loop. */
static pthread_mutex_t *lock_at(struct mpq_shared *sh, int i)
{
    return i < 2 ? &sh->wlock[i] : &sh->rlock[i - 2];
}

struct mpq_side {
    struct tvp_ipc_pair *p;
    int side;
    int started; /* the feeder runs: read and written by the side's task (and close) only */
    int ready;   /* mu, cv and space were initialised */
    pthread_t feeder;
    pthread_mutex_t mu;   /* guards the fields below */
    pthread_cond_t cv;    /* the feeder waits here for frames or for closing */
    pthread_cond_t space; /* send waits here while queued > QUEUED_MAX */
    struct frame *head, *tail;
    size_t queued; /* bytes of the frames send accepted and the feeder has not written yet */
    int closing;   /* stop once the buffer is empty */
    int drop;      /* close(): write nothing more */
    int error;     /* the feeder's first error; EPIPE: the peer ended */
};

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    struct mpq_shared *sh;
    int locks;        /* how many of sh's mutexes were initialised (for cleanup) */
    int rd[2], wr[2]; /* pipe d: side d's feeder writes wr[d], side 1 - d reads rd[d] */
    struct mpq_side side[2];
};

static void free_frames(struct frame *f)
{
    while (f != NULL) {
        struct frame *n = f->next;
        free(f);
        f = n;
    }
}

static void *feeder_main(void *arg)
{
    struct mpq_side *s = arg;
    struct tvp_ipc_pair *p = s->p;
    int d = s->side;
    int e = pthread_mutex_lock(&s->mu);
    if (e != 0) {
        s->error = e; /* not under mu: the lock is broken; detach reads it after the join */
        return NULL;
    }
    for (;;) {
        while (s->head == NULL && !s->closing)
            if ((e = pthread_cond_wait(&s->cv, &s->mu)) != 0)
                break;
        if (e != 0 || s->head == NULL)
            break;
        struct frame *batch = s->head;
        s->head = s->tail = NULL;
        int skip = s->error != 0 || s->drop;
        if ((e = pthread_mutex_unlock(&s->mu)) != 0) {
            free_frames(batch);
            s->error = e; /* as above: a broken lock; detach reads it after the join */
            return NULL;
        }
        size_t bytes = 0;
        while (batch != NULL) {
            if (!skip) {
                int we = pthread_mutex_lock(&p->sh->wlock[d]);
                if (we == 0) {
                    we = tvp_ipc_write_full(p->wr[d], &batch->len, sizeof batch->len + batch->len);
                    int ue = pthread_mutex_unlock(&p->sh->wlock[d]);
                    if (we == 0)
                        we = ue;
                }
                if (we != 0) {
                    e = we;
                    skip = 1; /* the rest of the batch is dropped */
                }
            }
            struct frame *n = batch->next;
            bytes += batch->len;
            free(batch);
            batch = n;
        }
        int le = pthread_mutex_lock(&s->mu);
        if (le != 0) {
            s->error = s->error ? s->error : le;
            return NULL;
        }
        s->queued -= bytes;
        if (e != 0 && s->error == 0)
            s->error = e;
        if ((e = pthread_cond_signal(&s->space)) != 0)
            break;
    }
    if (e != 0 && s->error == 0)
        s->error = e;
    (void)pthread_cond_signal(&s->space); /* a sender waiting for room sees the error */
    (void)pthread_mutex_unlock(&s->mu);   /* held: only fails on a corrupted mutex */
    return NULL;
}

/* Stops the side's feeder (after it wrote the buffer, unless drop) and joins it. */
static int stop_feeder(struct mpq_side *s, int drop)
{
    if (!s->started)
        return 0;
    int e = pthread_mutex_lock(&s->mu);
    if (e != 0)
        return e;
    s->closing = 1;
    s->drop |= drop;
    int e2 = pthread_cond_signal(&s->cv);
    int e3 = pthread_mutex_unlock(&s->mu);
    if (e2 != 0 || e3 != 0)
        return e2 ? e2 : e3;
    if ((e = pthread_join(s->feeder, NULL)) != 0)
        return e;
    s->started = 0;
    free_frames(s->head); /* only after a failure or a drop */
    s->head = s->tail = NULL;
    return 0;
}

static int close_fds(struct tvp_ipc_pair *p)
{
    int e1 = tvp_ipc_close_fds(p->rd, 2); /* reading ends first: a blocked feeder's write fails */
    int e2 = tvp_ipc_close_fds(p->wr, 2);
    return e1 ? e1 : e2;
}

/* Stops what runs and frees everything, also for a half-made pair from open. Returns the first
 * error with its message in err. */
static int mpq_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++) {
        if (p->side[s].started) {
            /* close the reading ends so a feeder blocked on a full pipe gets EPIPE */
            for (int d = 0; d < 2; d++)
                (void)tvp_ipc_close_fd(&p->rd[d]);
            tvp_ipc_keep_first(&rc, stop_feeder(&p->side[s], 1), err, errlen,
                               NAME ": close: stop the feeder of side %d", s);
        }
    }
    tvp_ipc_keep_first(&rc, close_fds(p), err, errlen, NAME ": close: close a pipe");
    for (int s = 0; s < 2; s++) {
        struct mpq_side *sd = &p->side[s];
        if (sd->started) /* the join failed: the thread may still use mu, cv and its frames */
            continue;
        free_frames(sd->head);
        sd->head = NULL;
        if (sd->ready) {
            tvp_ipc_keep_first(&rc, pthread_cond_destroy(&sd->cv), err, errlen,
                               NAME ": close: pthread_cond_destroy");
            tvp_ipc_keep_first(&rc, pthread_cond_destroy(&sd->space), err, errlen,
                               NAME ": close: pthread_cond_destroy");
            tvp_ipc_keep_first(&rc, pthread_mutex_destroy(&sd->mu), err, errlen,
                               NAME ": close: pthread_mutex_destroy");
        }
    }
    if (p->sh != NULL) {
        for (int i = 0; i < p->locks; i++) {
            int e = pthread_mutex_destroy(lock_at(p->sh, i));
            /* EBUSY: a peer was killed holding it; a mutex owns no resource, the mapping goes. */
            tvp_ipc_keep_first(&rc, e == EBUSY ? 0 : e, err, errlen,
                               NAME ": close: pthread_mutex_destroy of a pipe lock");
        }
        tvp_ipc_keep_first(&rc, tvp_shm_map_close(p->sh, sizeof *p->sh), err, errlen,
                           NAME ": munmap");
    }
    if (!p->side[0].started && !p->side[1].started)
        free(p); /* else leak it: a feeder we could not join may still read it */
    return rc;
}

static int mpq_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX / 2, sizeof *p, 0, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    for (int d = 0; d < 2; d++) {
        p->rd[d] = p->wr[d] = -1;
        p->side[d].p = p;
        p->side[d].side = d;
    }
    void *map;
    if ((e = tvp_shm_map_open(&map, sizeof *p->sh, NAME, "mpq", err, errlen)) != 0)
        goto done;
    p->sh = map;

    pthread_mutexattr_t ma;
    if ((e = pthread_mutexattr_init(&ma)) != 0) {
        tvp_errfmt(err, errlen, e, NAME ": open: pthread_mutexattr_init");
        goto done;
    }
    e = pthread_mutexattr_setpshared(&ma, p->h.processes ? PTHREAD_PROCESS_SHARED
                                                         : PTHREAD_PROCESS_PRIVATE);
    for (int i = 0; e == 0 && i < 4; i++)
        if ((e = pthread_mutex_init(lock_at(p->sh, i), &ma)) == 0)
            p->locks++;
    (void)pthread_mutexattr_destroy(&ma); /* cannot fail on Linux */
    if (e != 0) {
        tvp_errfmt(err, errlen, e, NAME ": open: init the pipe locks");
        goto done;
    }
    for (int s = 0; s < 2; s++) {
        struct mpq_side *sd = &p->side[s];
        if ((e = pthread_mutex_init(&sd->mu, NULL)) != 0) {
            tvp_errfmt(err, errlen, e, NAME ": open: pthread_mutex_init");
            goto done;
        }
        if ((e = pthread_cond_init(&sd->cv, NULL)) != 0) {
            (void)pthread_mutex_destroy(&sd->mu);
            tvp_errfmt(err, errlen, e, NAME ": open: pthread_cond_init");
            goto done;
        }
        if ((e = pthread_cond_init(&sd->space, NULL)) != 0) {
            (void)pthread_cond_destroy(&sd->cv);
            (void)pthread_mutex_destroy(&sd->mu);
            tvp_errfmt(err, errlen, e, NAME ": open: pthread_cond_init");
            goto done;
        }
        sd->ready = 1;
    }
    for (int d = 0; d < 2; d++) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: pipe2");
            goto done;
        }
        p->rd[d] = fds[0];
        p->wr[d] = fds[1];
    }
done:
    return tvp_ipc_open_done(out, p, e, mpq_close);
}

static int mpq_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    (void)peer; /* the pipes tell: end of file, EPIPE */
    int e = tvp_ipc_check_side(&p->h, "attach", side, err, errlen);
    if (e != 0 || !p->h.processes)
        return e;
    int e1 = tvp_ipc_close_fd(&p->wr[1 - side]);
    int e2 = tvp_ipc_close_fd(&p->rd[side]);
    if ((e = e1 ? e1 : e2) != 0)
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: close the peer's pipe ends", side);
    return e;
}

static int mpq_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct mpq_side *s = &p->side[side];
    struct frame *f = malloc(sizeof *f + len);
    if (f == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, NAME ": send: malloc of %zu bytes", sizeof *f + len);
        return ENOMEM;
    }
    f->next = NULL;
    f->len = len;
    if (len > 0)
        memcpy(f->data, buf, len);
    if (!s->started) {
        s->closing = s->drop = 0;
        if ((e = pthread_create(&s->feeder, NULL, feeder_main, s)) != 0) {
            free(f);
            tvp_errfmt(err, errlen, e, NAME ": send: pthread_create of the feeder");
            return e;
        }
        s->started = 1;
    }
    if ((e = pthread_mutex_lock(&s->mu)) != 0) {
        free(f);
        tvp_errfmt(err, errlen, e, NAME ": send: pthread_mutex_lock");
        return e;
    }
    while (s->error == 0 && s->queued > 0 && s->queued + len > QUEUED_MAX)
        if ((e = pthread_cond_wait(&s->space, &s->mu)) != 0)
            break;
    int fe = e == 0 ? s->error : 0, queued = 0;
    if (e == 0 && fe == 0) {
        queued = 1;
        if (s->tail != NULL)
            s->tail->next = f;
        else
            s->head = f;
        s->tail = f;
        s->queued += len;
        e = pthread_cond_signal(&s->cv);
    }
    int ue = pthread_mutex_unlock(&s->mu);
    if (fe != 0) {
        free(f);
        return tvp_ipc_fail(NAME, "send", fe, "the feeder's write", err, errlen);
    }
    if (e != 0 || ue != 0) {
        if (!queued)
            free(f);
        e = e ? e : ue;
        tvp_errfmt(err, errlen, e, NAME ": send: hand the frame to the feeder");
        return e;
    }
    return 0;
}

static int mpq_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    int d = 1 - side;
    uint64_t n = 0;
    unsigned char *body = NULL;
    const char *what = "pthread_mutex_lock of the reader lock";
    if ((e = pthread_mutex_lock(&p->sh->rlock[d])) != 0) {
        tvp_errfmt(err, errlen, e, NAME ": recv: %s", what);
        return e;
    }
    e = tvp_ipc_read_full(p->rd[d], &n, sizeof n);
    what = "read the header";
    if (e == 0 && n > p->h.max_msg) {
        e = EBADMSG;
        what = "header larger than max_msg";
    }
    if (e == 0) {
        body = malloc(n > 0 ? n : 1);
        if (body == NULL) {
            e = ENOMEM;
            what = "malloc";
        } else {
            e = tvp_ipc_read_full(p->rd[d], body, n);
            what = "read the body";
        }
    }
    int ue = pthread_mutex_unlock(&p->sh->rlock[d]);
    if (e == 0 && ue != 0) {
        e = ue;
        what = "pthread_mutex_unlock of the reader lock";
    }
    if (e == 0 && n != len) {
        free(body);
        tvp_errfmt(err, errlen, 0, NAME ": recv: a message of %llu bytes, %zu expected",
                   (unsigned long long)n, len);
        return EBADMSG;
    }
    if (e != 0) {
        free(body);
        return tvp_ipc_fail(NAME, "recv", e, what, err, errlen);
    }
    if (len > 0)
        memcpy(buf, body, len);
    free(body);
    return 0;
}

static int mpq_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    if (e != 0)
        return e;
    struct mpq_side *s = &p->side[side];
    if ((e = stop_feeder(s, 0)) != 0) {
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: stop the feeder", side);
        return e;
    }
    int fe = s->error; /* the feeder has been joined: no lock needed */
    s->error = 0;
    int e1 = tvp_ipc_close_fd(&p->wr[side]);
    int e2 = tvp_ipc_close_fd(&p->rd[1 - side]);
    if (fe != 0 && fe != EPIPE) { /* EPIPE: the peer ended, the rest was dropped as it should */
        tvp_errfmt(err, errlen, fe, NAME ": detach side %d: the feeder's write", side);
        return fe;
    }
    if ((e = e1 ? e1 : e2) != 0)
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: close", side);
    return e;
}

const struct tvp_ipc_transport tvp_ipc_mp_queue = TVP_IPC_TRANSPORT(
    mpq, NAME, "multiprocessing.Queue analogue: feeder thread, pipe, shared reader/writer locks");
