/* The process pool of tvp_pool.h.
 *
 * Pieces (all anonymous: nothing named is created, nothing can be left behind on disk):
 *   task pipe    the parent writes fixed-size task records; every worker reads from the same
 *                read end. A record (24 bytes) is smaller than PIPE_BUF, so each write of one
 *                record is atomic (never interleaved with another writer's bytes, and with
 *                O_NONBLOCK either wholly written or refused with EAGAIN). The pipe therefore
 *                always holds a whole number of records, and a read(2) asking for exactly one
 *                record gets exactly one whole record, even with several workers reading.
 *   result pipe  workers write {task_id, result} records (16 bytes, atomic likewise); the
 *                parent's read end is non-blocking.
 *   slots        a MAP_SHARED|MAP_ANONYMOUS mapping with one cache-line-padded slot per worker,
 *                holding the task record that worker took last (0 = idle, see below), and,
 *                if the worker gives up because the pool's own machinery failed (its set-up,
 *                or a pool pipe), which step failed and why.
 *   pidfds       one per worker (pidfd_open): readable once that worker has exited.
 *   wake eventfd apply_async and close wake the handler when it has something new to do.
 *   handler      one thread in the parent: forks the workers, feeds the task pipe from an
 *                in-memory FIFO when the pipe is full, reads results and runs the callbacks,
 *                and handles workers that exit. It runs with all signals blocked (the
 *                application's signals go to its own threads); workers get the signal mask of
 *                the thread that called create.
 *
 * How a dead worker is detected: the handler polls every worker's pidfd together with the
 * result pipe and the eventfd. A pidfd is chosen over the alternatives because it needs no
 * SIGCHLD (no handler is installed, and whatever disposition the application has for SIGCHLD
 * does not matter), it reports the exit at once (unlike periodic waitpid(WNOHANG)), and it
 * names exactly one process: unlike EOF on a per-worker pipe, it is not defeated by a copy of
 * the pipe's write end that another child (a sibling worker, another pool's worker, a fork by
 * another thread of the application) happened to inherit. The worker is then reaped with
 * waitpid on its own pid, which cannot have been reused while it is our unreaped child.
 *
 * Which task died with it: the worker reads each task record straight into its slot, i.e.
 * read(2) copies the record from the pipe into the shared page. So there is no moment at
 * which a task has left the pipe but is not yet recorded in the slot: a worker killed while
 * blocked in read has taken nothing, and one killed after read returned has its task in the
 * slot. After writing the result it marks the slot idle (task_id 0). On a death the handler
 * first drains the result pipe (everything the worker wrote before dying is there), then looks
 * at the slot: if that task is still pending, it never delivered its result, and it is
 * reported TVP_TASK_LOST. No atomics are needed for the slots: the parent reads a slot only
 * after the worker has exited (its pidfd became readable, then waitpid), which orders
 * everything the child wrote before it; the worker's idle mark is a volatile store only so
 * that the compiler emits it, since nothing in the worker reads it back.
 *
 * Stopping: close queues one sentinel record (task_id 0) per worker behind all tasks (as
 * Python's Pool queues None per worker); a worker exits 0 when it reads one, or on EOF (the
 * handler closes the write end once the sentinels are in the pipe, a backstop). Sentinels are
 * used rather than EOF alone because EOF needs every copy of the write end closed, which an
 * unrelated fork elsewhere in the process could prevent.
 *
 * Replacement: a worker that dies while the pool is open is replaced by a new one in the same
 * slot (same PU). After close, one is started only if no other worker is left, tasks are still
 * pending and records still wait in the pipe or the feed (each replacement then takes at least
 * one record, so replacements cannot go on forever), so that join cannot hang; otherwise the
 * remaining workers drain the queue. A worker that gave up because the pool's machinery failed
 * (its slot says so; an exit status could be imitated by a task) is not replaced, as the next
 * one would most likely fail the same way. When no worker is left and none can be started,
 * every queued task is reported TVP_TASK_LOST and the pool refuses new tasks (ECHILD). As a
 * last safety net, the handler reports any task still pending when it ends as TVP_TASK_LOST,
 * so every task gets exactly one callback before join returns.
 *
 * The parent never gets SIGPIPE from the task pipe: it keeps the read end open itself (it
 * needs it to give replacement workers). */
#define _GNU_SOURCE

#include "tvp_pool.h"
#include "pool_common.h"
#include "tvp_child.h"
#include "tvp_err.h"
#include "task_watch.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CACHE_LINE     64
#define FEED_INITIAL   64  /* in-memory FIFO slots at create; doubles when full */
#define PEND_INITIAL   256 /* pending-table slots at create (a power of two); doubles */
#define RBUF_RECORDS   128 /* result records read per read(2) */
#define START_MSG_SIZE 256

struct task_rec {
    uint64_t task_id; /* 1, 2, ...; 0 = sentinel (stop) */
    tvp_task_fn fn;   /* valid in the worker: it is a fork of this process, no exec */
    uint64_t arg;
};
_Static_assert(sizeof(struct task_rec) <= PIPE_BUF, "task records must be written atomically");

struct result_rec {
    uint64_t task_id; /* 0: a worker's "ready" report, sent once it has set itself up */
    uint64_t value;
};
_Static_assert(sizeof(struct result_rec) <= PIPE_BUF, "result records must be written atomically");

/* Why a worker gave up on its own (not because of a task). */
enum fail_step { FAIL_NONE, FAIL_SIGMASK, FAIL_PDEATHSIG, FAIL_AFFINITY, FAIL_PIPE };

/* One worker's slot, alone on its cache line (workers write their own slots concurrently).
 * Written by the worker (rec by read(2) itself), read by the parent only after the worker
 * exited; cleared by the parent before it forks the worker. */
struct pool_slot {
    _Alignas(CACHE_LINE) struct task_rec rec; /* the record taken last; task_id 0: idle */
    int32_t fail_step;                        /* enum fail_step */
    int32_t fail_errno;
};
_Static_assert(sizeof(struct pool_slot) == CACHE_LINE, "one slot per cache line");

/* Exit statuses of a worker that gives up (besides 0 = stopped by a sentinel or EOF, and
 * whatever a task does to it): for people reading a trace; the pool goes by the slot. */
enum {
    WORKER_EXIT_SETUP = 120, /* set-up failed, or the parent was already gone */
    WORKER_EXIT_IO = 121,    /* a read or write on a pool pipe failed */
};

struct pending {
    tvp_result_fn cb;
    void *ctx;
    int live; /* submitted, not yet finished */
};

struct pp_worker {
    pid_t pid; /* -1: no process in this slot */
    int pidfd; /* -1 likewise */
    int cpu;   /* -1 or the PU it binds itself to */
};

struct tvp_process_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* start-up finished; a join finished */
    int mu_ok, cv_ok;  /* initialised (for the failure path of create) */

    /* Fixed once create has returned (task_w excepted: see below). */
    int nworkers;
    struct pool_slot *slots;
    size_t slots_bytes;
    int task_r, result_r, result_w, wake_fd;
    sigset_t child_mask; /* the signal mask workers start with */
    pid_t pid;           /* this process, the workers' parent */
    pthread_t handler;

    /* Handler thread only (and create, before the handler starts / after it was joined). */
    struct pp_worker *w;
    int live; /* workers forked and not yet reaped */
    struct pollfd *pfd;
    int *pfd_worker; /* worker index of pfd[i], for i >= PFD_WORKERS */
    unsigned char rbuf[RBUF_RECORDS * sizeof(struct result_rec)];
    size_t rbuf_len;
    int ready; /* "ready" reports received */

    /* Under mu. task_w is written (closed, set to -1) by the handler only, under mu; the
     * handler also reads it without mu (it is the only writer), e.g. in fork_worker. */
    int task_w;
    struct task_rec *feed; /* FIFO of records the pipe could not take yet: feed[(head+i)%cap] */
    size_t feed_cap, feed_head, feed_len;
    struct pending *pend; /* pending[id & (pend_cap-1)] for ids in [pend_lo, next_id) */
    size_t pend_cap;
    uint64_t pend_lo, next_id;
    size_t outstanding; /* tasks submitted and not finished */
    int closed, broken;
    char death[160]; /* how the last worker that died with a task ended, "" if none */
    /* Every worker that ended other than by a clean exit (status 0), with or without a task:
     * a benchmark counts them, since a replacement's fork lands in its figure. */
    unsigned deaths;
    char last_death_any[160];
    int start_state; /* 0 starting, 1 done (start_err tells how) */
    int start_err;
    char start_msg[START_MSG_SIZE];
    int join_state; /* enum tvp_pool_join_state */
};

enum { PFD_WAKE, PFD_RESULT, PFD_TASK, PFD_WORKERS };

/* ---- locking ------------------------------------------------------------------------------ */

#define KIND "process pool"

static void lock(struct tvp_process_pool *p)
{
    tvp_pool_lock(&p->mu, KIND);
}

static void unlock(struct tvp_process_pool *p)
{
    tvp_pool_unlock(&p->mu, KIND);
}

/* ---- the pending table: callbacks of submitted tasks, by id (under mu) -------------------- */

/* Registers the next id. Returns 0 or ENOMEM. The table is a window over the ids between the
 * oldest unfinished task and the newest, so it stays as small as the span of tasks in flight. */
static int pend_add(struct tvp_process_pool *p, tvp_result_fn cb, void *ctx, uint64_t *id)
{
    if (p->next_id - p->pend_lo == p->pend_cap) {
        if (p->pend_cap > SIZE_MAX / 2 / sizeof(struct pending))
            return ENOMEM;
        size_t ncap = p->pend_cap * 2;
        struct pending *n = calloc(ncap, sizeof *n);
        if (n == NULL)
            return ENOMEM;
        for (uint64_t i = p->pend_lo; i < p->next_id; i++)
            n[i & (ncap - 1)] = p->pend[i & (p->pend_cap - 1)];
        free(p->pend);
        p->pend = n;
        p->pend_cap = ncap;
    }
    *id = p->next_id++;
    p->pend[*id & (p->pend_cap - 1)] = (struct pending){cb, ctx, 1};
    p->outstanding++;
    return 0;
}

/* Takes back the id pend_add just gave (its task could not be queued). */
static void pend_undo(struct tvp_process_pool *p, uint64_t id)
{
    p->pend[id & (p->pend_cap - 1)].live = 0;
    p->next_id = id;
    p->outstanding--;
}

/* Finishes id: returns 1 with its callback if it was pending, 0 if it is unknown or done. */
static int pend_take(struct tvp_process_pool *p, uint64_t id, tvp_result_fn *cb, void **ctx)
{
    if (id < p->pend_lo || id >= p->next_id)
        return 0;
    struct pending *e = &p->pend[id & (p->pend_cap - 1)];
    if (!e->live)
        return 0;
    *cb = e->cb;
    *ctx = e->ctx;
    e->live = 0;
    p->outstanding--;
    while (p->pend_lo < p->next_id && !p->pend[p->pend_lo & (p->pend_cap - 1)].live)
        p->pend_lo++;
    return 1;
}

/* ---- the task channel (under mu) ---------------------------------------------------------- */

static void wake(struct tvp_process_pool *p)
{
    uint64_t one = 1;
    /* EAGAIN means the counter is saturated: the handler has a wake-up pending anyway. */
    while (write(p->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
        if (errno != EINTR)
            tvp_die(errno, "process pool: write to the wake-up eventfd");
    }
}

static int feed_push(struct tvp_process_pool *p, const struct task_rec *r)
{
    if (p->feed_len == p->feed_cap) {
        if (p->feed_cap > SIZE_MAX / 2 / sizeof(struct task_rec))
            return ENOMEM;
        size_t ncap = p->feed_cap * 2;
        struct task_rec *n = malloc(ncap * sizeof *n);
        if (n == NULL)
            return ENOMEM;
        for (size_t i = 0; i < p->feed_len; i++)
            n[i] = p->feed[(p->feed_head + i) % p->feed_cap];
        free(p->feed);
        p->feed = n;
        p->feed_cap = ncap;
        p->feed_head = 0;
    }
    p->feed[(p->feed_head + p->feed_len) % p->feed_cap] = *r;
    p->feed_len++;
    return 0;
}

/* Puts r behind everything queued before it: straight into the pipe when nothing waits in the
 * feed and the pipe has room, else into the feed (waking the handler, which writes it when the
 * pipe can take it). Never blocks. Returns 0 or an error number. */
static int submit(struct tvp_process_pool *p, const struct task_rec *r)
{
    if (p->feed_len == 0 && p->task_w >= 0) {
        for (;;) {
            ssize_t n = write(p->task_w, r, sizeof *r);
            if (n == (ssize_t)sizeof *r)
                return 0;
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno == EAGAIN)
                break; /* full: a record is never written in part (it is < PIPE_BUF) */
            return n < 0 ? errno : EIO;
        }
    }
    int e = feed_push(p, r);
    if (e != 0)
        return e;
    if (p->feed_len == 1)
        wake(p); /* the handler polls for POLLOUT only while the feed is not empty */
    return 0;
}

/* Handler: moves records from the feed into the pipe while it takes them; once closed and
 * everything (sentinels included) is in the pipe, closes the write end (EOF backstop). */
static void flush_feed(struct tvp_process_pool *p)
{
    while (p->feed_len > 0 && p->task_w >= 0) {
        ssize_t n = write(p->task_w, &p->feed[p->feed_head], sizeof(struct task_rec));
        if (n == (ssize_t)sizeof(struct task_rec)) {
            p->feed_head = (p->feed_head + 1) % p->feed_cap;
            p->feed_len--;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        /* Our own non-blocking pipe, whose read end we hold: no EPIPE, no partial write. */
        tvp_die(n < 0 ? errno : EIO, "process pool: write to the task pipe");
    }
    if (p->closed && p->feed_len == 0 && p->task_w >= 0) {
        (void)close(p->task_w); /* ours; Linux releases it even if close reports an error */
        p->task_w = -1;
    }
}

/* ---- the worker process ------------------------------------------------------------------- */

/* Worker i gives up: says why in its slot (volatile: nothing in the worker reads it back, so
 * the compiler must not drop the stores before _exit), and exits. */
static void __attribute__((noreturn))
worker_fail(struct tvp_process_pool *p, int i, enum fail_step step, int err, int status)
{
    volatile struct pool_slot *s = &p->slots[i];
    s->fail_errno = err;
    s->fail_step = (int32_t)step;
    _exit(status);
}

/* The body of worker i, in the forked child. The child is a copy of one thread of a
 * multi-threaded process, so until the task runs it makes only async-signal-safe calls: close,
 * sigprocmask, prctl, getppid, sched_setaffinity, read, write, _exit. */
static void __attribute__((noreturn)) worker_main(struct tvp_process_pool *p, int i)
{
    /* Keep only the task pipe's read end and the result pipe's write end. Closing can only
     * fail for a bad descriptor, which these are not; the results are not needed. */
    if (p->task_w >= 0)
        (void)close(p->task_w);
    (void)close(p->result_r);
    (void)close(p->wake_fd);
    for (int j = 0; j < p->nworkers; j++)
        if (j != i && p->w[j].pidfd >= 0)
            (void)close(p->w[j].pidfd);

    if (sigprocmask(SIG_SETMASK, &p->child_mask, NULL) != 0)
        worker_fail(p, i, FAIL_SIGMASK, errno, WORKER_EXIT_SETUP);
    /* Die with the parent. "Parent" here is the thread that forked us, the pool's handler,
     * which outlives every worker (it exits only once all are reaped). */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        worker_fail(p, i, FAIL_PDEATHSIG, errno, WORKER_EXIT_SETUP);
    if (getppid() != p->pid)
        _exit(WORKER_EXIT_SETUP); /* the parent died before PDEATHSIG was armed */
    if (p->w[i].cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(p->w[i].cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0)
            worker_fail(p, i, FAIL_AFFINITY, errno, WORKER_EXIT_SETUP);
    }
    /* Cosmetic (what top and perf show); a failure changes nothing else. */
    (void)prctl(PR_SET_NAME, "tvp-pool-worker");

    struct result_rec ready = {0, 0};
    ssize_t w = write(p->result_w, &ready, sizeof ready);
    if (w != (ssize_t)sizeof ready)
        worker_fail(p, i, FAIL_PIPE, w < 0 ? errno : EIO, WORKER_EXIT_IO);

    struct pool_slot *s = &p->slots[i];
    for (;;) {
        /* Straight into the shared slot: see the comment at the top of the file. */
        ssize_t n = read(p->task_r, &s->rec, sizeof s->rec);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            _exit(0); /* EOF: closed, and nothing left */
        if (n != (ssize_t)sizeof s->rec)
            worker_fail(p, i, FAIL_PIPE, n < 0 ? errno : EIO, WORKER_EXIT_IO);
        if (s->rec.task_id == 0)
            _exit(0); /* sentinel; the slot reads idle */
        struct result_rec r = {s->rec.task_id, s->rec.fn(s->rec.arg)};
        for (;;) {
            ssize_t k = write(p->result_w, &r, sizeof r);
            if (k == (ssize_t)sizeof r)
                break;
            if (k < 0 && errno == EINTR)
                continue;
            worker_fail(p, i, FAIL_PIPE, k < 0 ? errno : EIO,
                        WORKER_EXIT_IO); /* EPIPE: parent gone */
        }
        *(volatile uint64_t *)&s->rec.task_id = 0; /* idle */
    }
}

/* ---- the handler thread ------------------------------------------------------------------ */

/* Forks worker i into its (idle) slot. Returns 0 or an error number; names the failed call in
 * *what. */
static int fork_worker(struct tvp_process_pool *p, int i, const char **what)
{
    /* Plain stores: fork orders them before the child's first access. */
    p->slots[i].rec.task_id = 0;
    p->slots[i].fail_step = FAIL_NONE;
    p->slots[i].fail_errno = 0;
    pid_t pid = fork();
    if (pid == 0)
        worker_main(p, i);
    if (pid < 0) {
        *what = "fork";
        return errno;
    }
    /* Works on a child that has already exited too (it is a zombie until we reap it). The
     * descriptor is close-on-exec. */
    int fd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0) {
        int e = errno;
        *what = "pidfd_open (Linux >= 5.3 is needed)";
        kill(pid, SIGKILL);              /* our child, not yet reaped: the pid is still it */
        (void)tvp_wait_child(pid, NULL); /* only fails if someone else reaped it: gone either way */
        return e;
    }
    p->w[i].pid = pid;
    p->w[i].pidfd = fd;
    p->live++;
    return 0;
}

/* Reaps worker i, which has exited. Returns its wait status, or -1 if it was reaped by
 * someone else (another thread's waitpid(-1), or SIGCHLD set to SIG_IGN). */
static int reap(struct tvp_process_pool *p, int i)
{
    int st = 0;
    int e = tvp_wait_child(p->w[i].pid, &st);
    (void)close(p->w[i].pidfd); /* ours; Linux releases it even if close reports an error */
    p->w[i].pid = -1;
    p->w[i].pidfd = -1;
    p->live--;
    return e != 0 ? -1 : st;
}

/* Runs the callback of id, if it is still pending (each task finishes exactly once). */
static void finish(struct tvp_process_pool *p, uint64_t id, uint64_t value, int status)
{
    tvp_result_fn cb = NULL;
    void *ctx = NULL;
    lock(p);
    int found = pend_take(p, id, &cb, &ctx);
    unlock(p);
    if (found && cb != NULL)
        cb(ctx, id, value, status);
}

/* Reads every result record available now and dispatches it (callbacks run here). */
static void drain_results(struct tvp_process_pool *p)
{
    const size_t rsz = sizeof(struct result_rec);
    for (;;) {
        ssize_t n = read(p->result_r, p->rbuf + p->rbuf_len, sizeof p->rbuf - p->rbuf_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) /* no EOF (we hold a write end); any other error: nothing to read */
            return;
        p->rbuf_len += (size_t)n;
        size_t k = p->rbuf_len / rsz;
        for (size_t j = 0; j < k; j++) {
            struct result_rec r;
            memcpy(&r, p->rbuf + j * rsz, rsz);
            if (r.task_id != 0)
                finish(p, r.task_id, r.value, 0);
            else
                p->ready++;
        }
        /* Records are whole in the pipe, so this is 0 in practice; kept for safety. */
        memmove(p->rbuf, p->rbuf + k * rsz, p->rbuf_len - k * rsz);
        p->rbuf_len -= k * rsz;
    }
}

/* Reports every task that is queued but was never taken as TVP_TASK_LOST: those in the pipe
 * (no worker is alive, so nobody else reads it) and those in the feed. With mark_broken, the
 * pool refuses new tasks from then on (set first, so none can slip in behind the drain). */
static void fail_queued(struct tvp_process_pool *p, int mark_broken)
{
    if (mark_broken) {
        lock(p);
        p->broken = 1;
        unlock(p);
    }
    for (;;) {
        struct pollfd q = {.fd = p->task_r, .events = POLLIN};
        int n = poll(&q, 1, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || !(q.revents & POLLIN))
            break;
        struct task_rec r;
        ssize_t k = read(p->task_r, &r, sizeof r);
        if (k < 0 && errno == EINTR)
            continue;
        if (k != (ssize_t)sizeof r)
            break;
        if (r.task_id != 0)
            finish(p, r.task_id, 0, TVP_TASK_LOST);
    }
    lock(p);
    while (p->feed_len > 0) {
        struct task_rec r = p->feed[p->feed_head];
        p->feed_head = (p->feed_head + 1) % p->feed_cap;
        p->feed_len--;
        if (r.task_id != 0) {
            unlock(p);
            finish(p, r.task_id, 0, TVP_TASK_LOST);
            lock(p);
        }
    }
    unlock(p);
}

/* Reports every task still pending as TVP_TASK_LOST: the last safety net, when the handler
 * ends (normally nothing is pending by then). */
static void fail_pending(struct tvp_process_pool *p)
{
    lock(p);
    while (p->outstanding > 0) {
        /* pend_lo is always a pending id, or next_id when none is pending. */
        uint64_t id = p->pend_lo;
        tvp_result_fn cb = NULL;
        void *ctx = NULL;
        if (!pend_take(p, id, &cb, &ctx))
            break;
        unlock(p);
        if (cb != NULL)
            cb(ctx, id, 0, TVP_TASK_LOST);
        lock(p);
    }
    unlock(p);
}

/* 1 if records (tasks or sentinels) wait in the task pipe or in the feed; caller holds mu. */
static int records_waiting(struct tvp_process_pool *p)
{
    int bytes = 0;
    /* FIONREAD cannot fail on our pipe; if it did, "none" is the safe answer (no replacement:
     * whatever is left is reported lost when the handler ends, so join still returns). */
    if (ioctl(p->task_r, FIONREAD, &bytes) != 0)
        bytes = 0;
    return bytes > 0 || p->feed_len > 0;
}

/* Worker i's pidfd is readable: it has exited. Report its task if it died with one, reap it,
 * and start a replacement if needed (see the top of the file). */
static void worker_exited(struct tvp_process_pool *p, int i)
{
    pid_t pid = p->w[i].pid;
    int st = reap(p, i);
    drain_results(p); /* everything it wrote before exiting is in the pipe by now */
    /* Stable: the writer is dead (see the top of the file). */
    uint64_t id = p->slots[i].rec.task_id;
    int gave_up = p->slots[i].fail_step != FAIL_NONE;
    p->slots[i].rec.task_id = 0;
    char how[160];
    if (st == -1)
        snprintf(how, sizeof how, "worker %d (pid %d) ended (its status could not be read)", i,
                 (int)pid);
    else
        tvp_task_describe(how, sizeof how, "pool worker", i, pid, st);
    if (st == -1 || !tvp_child_ok(st)) {
        lock(p);
        p->deaths++;
        snprintf(p->last_death_any, sizeof p->last_death_any, "%s", how);
        unlock(p);
    }
    if (id != 0) {
        /* Said before the task is finished, so a caller woken by its loss can read why. */
        lock(p);
        snprintf(p->death, sizeof p->death, "%.110s while running task %llu", how,
                 (unsigned long long)id);
        unlock(p);
        finish(p, id, 0, TVP_TASK_LOST); /* a no-op if its result came through */
    }

    lock(p);
    int replace =
        !gave_up && (!p->closed || (p->live == 0 && p->outstanding > 0 && records_waiting(p)));
    unlock(p);
    const char *what;
    if (replace && fork_worker(p, i, &what) == 0)
        return;
    /* A replacement that cannot be forked, or fails its set-up, is not retried. */
    if (p->live == 0)
        fail_queued(p, 1); /* no worker, and none to be had: nothing queued can run */
}

/* Closes the descriptors and kills any worker still running (start-up failure path). */
static void kill_workers(struct tvp_process_pool *p)
{
    for (int i = 0; i < p->nworkers; i++) {
        if (p->w[i].pid > 0) {
            kill(p->w[i].pid, SIGKILL); /* our unreaped child: the pid is still it */
            reap(p, i);
        }
    }
}

static const char *step_name(int step)
{
    switch (step) {
    case FAIL_SIGMASK:
        return "sigprocmask";
    case FAIL_PDEATHSIG:
        return "prctl(PR_SET_PDEATHSIG)";
    case FAIL_AFFINITY:
        return "sched_setaffinity";
    case FAIL_PIPE:
        return "writing its ready report";
    default:
        return "set-up";
    }
}

/* Forks every worker and waits until each has reported ready. Returns 0, or an error number
 * with a message in msg (then no worker is left). */
static int start_workers(struct tvp_process_pool *p, char *msg, size_t len)
{
    int e = 0;
    for (int i = 0; i < p->nworkers; i++) {
        const char *what;
        e = fork_worker(p, i, &what);
        if (e != 0) {
            tvp_errfmt(msg, len, e, "process pool: %s of worker %d", what, i);
            goto fail;
        }
    }
    while (p->ready < p->nworkers) {
        int n = 0;
        p->pfd[n++] = (struct pollfd){.fd = p->result_r, .events = POLLIN};
        for (int i = 0; i < p->nworkers; i++) {
            p->pfd_worker[n] = i;
            p->pfd[n++] = (struct pollfd){.fd = p->w[i].pidfd, .events = POLLIN};
        }
        if (poll(p->pfd, (nfds_t)n, -1) < 0) {
            if (errno == EINTR || errno == ENOMEM)
                continue;
            e = errno;
            tvp_errfmt(msg, len, e, "process pool: poll during start-up");
            goto fail;
        }
        int died = -1;
        for (int j = 1; j < n; j++)
            if (p->pfd[j].revents != 0)
                died = p->pfd_worker[j];
        drain_results(p);
        if (died >= 0) {
            e = ECHILD;
            int st = reap(p, died);
            int step = p->slots[died].fail_step, err = p->slots[died].fail_errno;
            if (step == FAIL_AFFINITY)
                tvp_errfmt(msg, len, err, "process pool: worker %d: sched_setaffinity(cpu %d)",
                           died, p->w[died].cpu);
            else if (step != FAIL_NONE)
                tvp_errfmt(msg, len, err, "process pool: worker %d: %s", died, step_name(step));
            else if (st != -1 && WIFSIGNALED(st))
                tvp_errfmt(msg, len, 0,
                           "process pool: worker %d was killed by signal %d during start-up", died,
                           WTERMSIG(st));
            else
                tvp_errfmt(msg, len, 0,
                           "process pool: worker %d exited during start-up (status %d)", died,
                           st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
            if (err != 0 && step != FAIL_NONE)
                e = err;
            goto fail;
        }
    }
    return 0;
fail:
    kill_workers(p);
    return e;
}

static void handler_loop(struct tvp_process_pool *p)
{
    for (;;) {
        lock(p);
        flush_feed(p);
        int want_out = p->feed_len > 0 && p->task_w >= 0;
        int task_w = p->task_w;
        int done = p->closed && p->live == 0;
        unlock(p);
        if (done)
            break;

        int n = PFD_WORKERS;
        p->pfd[PFD_WAKE] = (struct pollfd){.fd = p->wake_fd, .events = POLLIN};
        p->pfd[PFD_RESULT] = (struct pollfd){.fd = p->result_r, .events = POLLIN};
        /* A negative fd is ignored by poll. */
        p->pfd[PFD_TASK] = (struct pollfd){.fd = want_out ? task_w : -1, .events = POLLOUT};
        for (int i = 0; i < p->nworkers; i++) {
            if (p->w[i].pidfd < 0)
                continue;
            p->pfd_worker[n] = i;
            p->pfd[n++] = (struct pollfd){.fd = p->w[i].pidfd, .events = POLLIN};
        }
        if (poll(p->pfd, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOMEM) { /* the kernel's, transient: try again shortly */
                struct timespec ms = {0, 1000000};
                nanosleep(&ms, NULL);
                continue;
            }
            tvp_die(errno, "process pool: poll in the result handler");
        }
        if (p->pfd[PFD_WAKE].revents & POLLIN) {
            uint64_t v;
            if (read(p->wake_fd, &v, sizeof v) < 0 && errno != EAGAIN && errno != EINTR)
                tvp_die(errno, "process pool: read of the wake-up eventfd");
        }
        if (p->pfd[PFD_RESULT].revents != 0)
            drain_results(p);
        /* POLLOUT on the task pipe: the next round's flush_feed writes. */
        for (int j = PFD_WORKERS; j < n; j++)
            if (p->pfd[j].revents != 0)
                worker_exited(p, p->pfd_worker[j]);
    }
    /* Every worker is reaped, so every result it wrote is in the pipe. */
    drain_results(p);
    /* Normally nothing is left; if no worker was left to run them, report them. */
    fail_queued(p, 0);
    fail_pending(p);
}

static void *handler_main(void *arg)
{
    struct tvp_process_pool *p = arg;
    char msg[START_MSG_SIZE] = "";
    int e = start_workers(p, msg, sizeof msg);
    lock(p);
    p->start_err = e;
    memcpy(p->start_msg, msg, sizeof msg);
    p->start_state = 1;
    tvp_pool_broadcast(&p->cv, KIND);
    unlock(p);
    if (e == 0)
        handler_loop(p);
    return NULL;
}

/* ---- the API -------------------------------------------------------------------------------- */

/* Releases everything create set up (workers are gone and the handler joined by now). */
static void free_pool(struct tvp_process_pool *p)
{
    int fds[] = {p->task_r, p->task_w, p->result_r, p->result_w, p->wake_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            (void)close(fds[i]); /* ours; Linux releases it even if close reports an error */
    if (p->slots != NULL)
        munmap(p->slots, p->slots_bytes); /* our own mapping: cannot fail */
    if (p->cv_ok)
        pthread_cond_destroy(&p->cv);
    if (p->mu_ok)
        pthread_mutex_destroy(&p->mu);
    free(p->pend);
    free(p->feed);
    free(p->pfd_worker);
    free(p->pfd);
    free(p->w);
    free(p);
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        return errno;
    return 0;
}

int tvp_process_pool_create(struct tvp_process_pool **out, int workers, const int *cpus, char *err,
                            size_t errlen)
{
    *out = NULL;
    int e = tvp_pool_check_args(KIND, workers, cpus, err, errlen);
    if (e != 0)
        return e;

    struct tvp_process_pool *p = calloc(1, sizeof *p);
    if (p == NULL)
        return tvp_errfmt(err, errlen, ENOMEM, "process pool: allocation"), ENOMEM;
    p->task_r = p->task_w = p->result_r = p->result_w = p->wake_fd = -1;
    p->nworkers = workers;
    p->pid = getpid();
    p->pend_lo = p->next_id = 1;
    p->w = calloc((size_t)workers, sizeof *p->w);
    p->pfd = calloc((size_t)workers + PFD_WORKERS, sizeof *p->pfd);
    p->pfd_worker = calloc((size_t)workers + PFD_WORKERS, sizeof *p->pfd_worker);
    p->feed = malloc(FEED_INITIAL * sizeof *p->feed);
    p->pend = calloc(PEND_INITIAL, sizeof *p->pend);
    if (p->w == NULL || p->pfd == NULL || p->pfd_worker == NULL || p->feed == NULL ||
        p->pend == NULL) {
        e = ENOMEM;
        tvp_errfmt(err, errlen, e, "process pool: allocation");
        goto fail;
    }
    p->feed_cap = FEED_INITIAL;
    p->pend_cap = PEND_INITIAL;
    for (int i = 0; i < workers; i++)
        p->w[i] = (struct pp_worker){.pid = -1, .pidfd = -1, .cpu = cpus ? cpus[i] : -1};

    e = pthread_mutex_init(&p->mu, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "process pool: pthread_mutex_init");
        goto fail;
    }
    p->mu_ok = 1;
    e = pthread_cond_init(&p->cv, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "process pool: pthread_cond_init");
        goto fail;
    }
    p->cv_ok = 1;

    p->slots_bytes = (size_t)workers * sizeof(struct pool_slot);
    void *m = mmap(NULL, p->slots_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        e = errno;
        tvp_errfmt(err, errlen, e, "process pool: mmap of the worker slots");
        goto fail;
    }
    p->slots = m; /* zero-filled: every slot idle */

    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "process pool: pipe2 (tasks)");
        goto fail;
    }
    p->task_r = fd[0];
    p->task_w = fd[1];
    if (pipe2(fd, O_CLOEXEC) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "process pool: pipe2 (results)");
        goto fail;
    }
    p->result_r = fd[0];
    p->result_w = fd[1];
    /* O_NONBLOCK belongs to the open file description, shared with the workers' copies: it is
     * set only on the ends the workers close at once (the task pipe's write end, the result
     * pipe's read end); the workers' own ends stay blocking. */
    if ((e = set_nonblocking(p->task_w)) != 0 || (e = set_nonblocking(p->result_r)) != 0) {
        tvp_errfmt(err, errlen, e, "process pool: fcntl(O_NONBLOCK)");
        goto fail;
    }
    p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (p->wake_fd < 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "process pool: eventfd");
        goto fail;
    }

    /* The handler starts with every signal blocked; the workers it forks get the caller's
     * mask back (child_mask). */
    sigset_t all, old;
    sigfillset(&all);
    e = pthread_sigmask(SIG_BLOCK, &all, &old);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "process pool: pthread_sigmask");
        goto fail;
    }
    p->child_mask = old;
    e = pthread_create(&p->handler, NULL, handler_main, p);
    int e2 = pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "process pool: pthread_create of the result handler");
        goto fail;
    }
    lock(p);
    while (!p->start_state)
        tvp_pool_wait(&p->cv, &p->mu, KIND);
    e = p->start_err;
    unlock(p);
    if (e == 0 && e2 != 0) {
        /* Could not restore the caller's signal mask: stop the pool again and say so. */
        e = e2;
        tvp_errfmt(err, errlen, e, "process pool: pthread_sigmask (restoring the caller's mask)");
        tvp_process_pool_close(p);
        pthread_join(p->handler, NULL);
        goto fail;
    }
    if (e != 0) {
        tvp_errfmt(err, errlen, 0, "%s", p->start_msg);
        pthread_join(p->handler, NULL); /* our own joinable thread: cannot fail */
        goto fail;
    }
    *out = p;
    return 0;

fail:
    free_pool(p);
    return e;
}

int tvp_process_pool_apply_async(struct tvp_process_pool *p, tvp_task_fn fn, uint64_t arg,
                                 tvp_result_fn cb, void *ctx, uint64_t *task_id, char *err,
                                 size_t errlen)
{
    if (fn == NULL)
        return tvp_errfmt(err, errlen, 0, "process pool: no task function"), EINVAL;
    lock(p);
    if (p->closed) {
        unlock(p);
        return tvp_pool_refuse_closed(err, errlen);
    }
    if (p->broken) {
        unlock(p);
        return tvp_errfmt(err, errlen, 0,
                          "process pool: no worker is left (a replacement could not be started)"),
               ECHILD;
    }
    uint64_t id;
    int e = pend_add(p, cb, ctx, &id);
    if (e != 0) {
        unlock(p);
        return tvp_errfmt(err, errlen, e, "process pool: growing the pending table"), e;
    }
    struct task_rec r = {id, fn, arg};
    e = submit(p, &r);
    if (e != 0) {
        pend_undo(p, id);
        unlock(p);
        return tvp_errfmt(err, errlen, e, "process pool: queueing the task"), e;
    }
    unlock(p);
    if (task_id != NULL)
        *task_id = id;
    return 0;
}

void tvp_process_pool_close(struct tvp_process_pool *p)
{
    lock(p);
    if (!p->closed) {
        p->closed = 1;
        /* One sentinel per worker, behind every task. If one cannot be queued (ENOMEM), the
         * EOF after the last record stops the remaining workers instead. */
        struct task_rec stop = {0, NULL, 0};
        for (int i = 0; i < p->nworkers && !p->broken; i++)
            if (submit(p, &stop) != 0)
                break;
        wake(p); /* the handler closes the write end once the feed is flushed, and may finish */
    }
    unlock(p);
}

int tvp_process_pool_last_death(struct tvp_process_pool *pool, char *buf, size_t len)
{
    lock(pool);
    int any = pool->death[0] != '\0';
    snprintf(buf, len, "%s", pool->death);
    unlock(pool);
    return any;
}

unsigned tvp_process_pool_deaths(struct tvp_process_pool *pool, char *buf, size_t len)
{
    lock(pool);
    unsigned n = pool->deaths;
    snprintf(buf, len, "%s", pool->last_death_any);
    unlock(pool);
    return n;
}

int tvp_process_pool_join(struct tvp_process_pool *p, char *err, size_t errlen)
{
    /* p->handler is fixed once create has returned. */
    if (pthread_equal(pthread_self(), p->handler))
        return tvp_errfmt(err, errlen, 0,
                          "process pool: join from a callback would wait for the thread that "
                          "runs it"),
               EDEADLK;
    int mine;
    int e =
        tvp_pool_join_begin(KIND, &p->mu, &p->cv, &p->closed, &p->join_state, &mine, err, errlen);
    if (e != 0 || !mine)
        return e;
    e = pthread_join(p->handler, NULL);
    tvp_pool_join_end(KIND, &p->mu, &p->cv, &p->join_state);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "process pool: pthread_join of the result handler"), e;
    return 0;
}

void tvp_process_pool_destroy(struct tvp_process_pool *p)
{
    if (p == NULL)
        return;
    if (!tvp_pool_joined(KIND, &p->mu, &p->join_state)) {
        char err[128];
        tvp_process_pool_close(p);
        if (tvp_process_pool_join(p, err, sizeof err) == EDEADLK)
            return; /* called from a callback: the pool stays closed and is not freed */
    }
    free_pool(p);
}
