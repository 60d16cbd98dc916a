/* The sched group's context-switch engine (interface and metrics in
 * bench/groups/sched/ctxswitch.h).
 *
 * How "switch" measures: A (the calling thread, bound to pu_a) and B (a thread bound to pu_b, or
 * a forked child that binds itself) alternate. Per iteration A reads its working set, hands the
 * turn to B and sleeps; B wakes, reads its working set, hands the turn back and sleeps. With the
 * futex variant the turn is one 32-bit counter: A moves it 2i -> 2i+1, B 2i+1 -> 2i+2, each
 * followed by FUTEX_WAKE, and each side sleeps in FUTEX_WAIT while the counter still holds the
 * value it wrote (no spinning first: the figure is the switch, not a spin that avoids it). With
 * the pipe variant A writes 'a' into pipe A->B and reads B's 'b' from pipe B->A. The batch is
 * timed by A from after B has read its counters (B started its batch) to the last hand-back.
 *
 * Counting the switches: each task reads getrusage (voluntary + involuntary switches) around its
 * part of the batch. A: just before the clock starts and after the last hand-back. B: before it
 * tells A it is ready, and just before its last hand-off (so the preemption that the last wake of
 * A may cause is not counted, as the one B's "ready" wake may cause is). Each side then switches
 * out exactly once per iteration on one PU: either asleep waiting for the turn, or preempted by
 * the task it just woke (which then finds the turn already passed and does not sleep). Hence 2.0
 * per iteration, and anything above is a stray preemption.
 *
 * B is started once in set-up and parked between batches on a generation futex, so the timed
 * batches contain no thread or process creation. A side that fails says so: futex variant, the
 * turn word becomes ABORT (both hand-offs are compare-and-swaps from the value expected, so an
 * ABORT is never overwritten); pipe variant, B sends 'X' and A closes its write end (end of
 * file; A writes nothing more, as the reader may be gone). Neither side then sleeps forever on a
 * partner that gave up. A partner process that dies is noticed between batches within 100 ms
 * (the ready wait checks it with waitid), and inside a pipe batch by end of file or EPIPE (A
 * blocks SIGPIPE for the case); inside a futex batch nothing tells A, so the harness's watchdog
 * ends the case: a timed-out wait would add a timer to every switch measured. */
#define _GNU_SOURCE
#include "ctxswitch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ipc_common.h"
#include "runner.h"
#include "topology.h"
#include "tvp_child.h"
#include "tvp_err.h"
#include "tvp_futex.h"

#define LINE         64
#define MAX_WS       (1LL << 30) /* two buffers of this size is already more than a test box */
#define MAX_ITERS_SW (1u << 22)
#define MAX_ITERS_WK (1u << 24)
#define TURN_ABORT   UINT32_MAX
/* The turn counter reaches 2 x iters; kept well below TURN_ABORT. */
#define RUN_LIMIT    (UINT64_C(1) << 30)
#define START_WAIT_S 30 /* B allocating and touching up to 1 GiB */
#define READY_WAIT_S 10
#define REAP_WAIT_MS 5000

enum csw_bench { CSW_SWITCH, CSW_WAKE };
enum csw_mech { CSW_FUTEX, CSW_PIPE };

/* Everything both tasks write, in one MAP_SHARED page so a forked B shares it. */
struct csw_shared {
    alignas(64) _Atomic uint32_t turn; /* futex variant: hand-offs so far (odd: B's turn) */
    alignas(64) _Atomic uint32_t gen;  /* futex: +1 opens a batch, or ends B when stop is set */
    _Atomic uint32_t stop;
    uint64_t iters;                     /* of the batch gen opens: written before gen's release */
    alignas(64) _Atomic uint32_t ready; /* futex: the gen whose counters B has read */
    _Atomic uint32_t started;           /* futex: 1 when B is bound and touched, 2 when it failed */
    /* B's report of a batch, stored before its last hand-off, published by `reported`. */
    alignas(64) _Atomic uint32_t reported;
    _Atomic uint64_t b_touch_ns, b_csw, b_sink;
    _Atomic int b_cpu;
    /* B's first failure: `why` is written once, before b_err's release store. */
    _Atomic int b_err;
    char why[160];
    alignas(64) _Atomic uint32_t lone; /* wake-cost: a futex word nobody waits on */
};

/* What B needs, copied before B starts and never written by A afterwards. */
struct b_args {
    struct csw_shared *sh;
    enum csw_mech mech;
    int process, priv, pu;
    size_t ws;
    int rfd, wfd; /* pipe variant: B reads A->B, writes B->A */
    int a_fd[2];  /* a child closes A's pipe ends (-1: none), so end of file works */
    pid_t parent; /* a child dies with it */
};

struct csw {
    enum csw_bench bench;
    enum csw_mech mech;
    int process, priv;
    size_t ws;
    struct csw_shared *sh;
    unsigned char *buf; /* A's working set; NULL for 0 bytes */
    int ab[2], ba[2];   /* switch/pipe: A->B and B->A; -1 once closed */
    int lone[2];        /* wake-cost/pipe */
    struct b_args b;
    pthread_t th;
    pid_t pid;
    int b_live; /* B was started and not yet joined or reaped */
    uint32_t gen;
    int broken; /* a batch failed: B may be gone, later batches fail */
    uint64_t sink;
    int sigpipe_blocked;  /* set-up blocked SIGPIPE in A; teardown unblocks it */
    cpu_set_t *saved_aff; /* the calling thread's affinity before set-up bound it */
    size_t saved_size;
    char what[128]; /* "context switch (futex, process)", for messages */
};

/* ---- shared helpers ---- */

/* Reads one byte of every 64-byte line: volatile, so every load happens each time. */
static uint64_t touch(const unsigned char *buf, size_t len)
{
    const volatile unsigned char *p = buf;
    uint64_t sum = 0;
    for (size_t off = 0; off < len; off += LINE)
        sum += p[off];
    return sum;
}

/* Voluntary + involuntary context switches of the calling thread (who = RUSAGE_THREAD) or
 * process (RUSAGE_SELF, B as a single-threaded child). Returns 0 or an error number. */
static int switches(int who, uint64_t *out)
{
    struct rusage ru;
    if (getrusage(who, &ru) != 0)
        return errno;
    *out = (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
    return 0;
}

/* One byte each way, through the whole-transfer helpers of the ipc transports: EINTR repeats,
 * end of file is EPIPE. */
static int put_byte(int fd, char ch)
{
    return tvp_ipc_write_full(fd, &ch, 1);
}

static int get_byte(int fd, char *ch)
{
    return tvp_ipc_read_full(fd, ch, 1);
}

static void close_fd(int *fd, const char *what)
{
    int e = tvp_ipc_close_fd(fd);
    if (e != 0)
        tvp_warn(e, "%s: closing a pipe end", what);
}

/* Waits until *word leaves `from`, at most `seconds`. A child partner (pid > 0) that ended
 * meanwhile is noticed within 100 ms (ECHILD), without reaping it (teardown does). Returns 0 or
 * an error number (ETIMEDOUT, ECHILD). */
static int wait_change(_Atomic uint32_t *word, uint32_t from, int priv, pid_t pid, int seconds)
{
    uint64_t deadline = tvp_now_ns() + (uint64_t)seconds * 1000000000u;
    /* acquire: pairs with B's release store, so what B wrote before it is visible. */
    while (atomic_load_explicit(word, memory_order_acquire) == from) {
        uint64_t now = tvp_now_ns();
        if (now >= deadline)
            return ETIMEDOUT;
        uint64_t until = now + 100000000u < deadline ? now + 100000000u : deadline;
        struct timespec dl = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
        int e = tvp_futex_wait_until(word, from, priv, &dl);
        if (e != 0 && e != ETIMEDOUT)
            return e;
        if (pid > 0 && atomic_load_explicit(word, memory_order_acquire) == from) {
            siginfo_t si = {0};
            if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
                return errno;
            if (si.si_pid == pid)
                return ECHILD;
        }
    }
    return 0;
}

/* ---- task B ---- */

/* Records B's first failure (later ones are consequences) for A to report. */
static void b_fail(struct csw_shared *sh, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void b_fail(struct csw_shared *sh, int e, const char *fmt, ...)
{
    if (atomic_load_explicit(&sh->b_err, memory_order_relaxed) != 0)
        return; /* only B writes b_err, so this check is not racy */
    char what[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    tvp_errfmt(sh->why, sizeof sh->why, e, "partner: %s", what);
    /* release: A reads `why` only after seeing b_err with acquire. */
    atomic_store_explicit(&sh->b_err, e ? e : -1, memory_order_release);
}

/* Tells A that B has given up on the batch, so A does not sleep forever. */
static void b_abort(const struct b_args *b)
{
    struct csw_shared *sh = b->sh;
    if (b->mech == CSW_FUTEX) {
        /* seq_cst store: ABORT is final (every hand-off is a compare-and-swap from the value
         * expected, which ABORT never is). */
        atomic_store_explicit(&sh->turn, TURN_ABORT, memory_order_seq_cst);
        int e = tvp_futex_wake(&sh->turn, 1, b->priv);
        if (e != 0)
            b_fail(sh, e, "FUTEX_WAKE of the measuring task after a failure");
    } else {
        int e = put_byte(b->wfd, 'X');
        if (e != 0)
            b_fail(sh, e, "writing the abort byte");
    }
}

/* One batch of B; returns when it is done or given up. */
static void b_batch(const struct b_args *b, const unsigned char *buf, uint32_t g)
{
    struct csw_shared *sh = b->sh;
    uint64_t iters = sh->iters; /* written by A before its release store of gen */
    int who = b->process ? RUSAGE_SELF : RUSAGE_THREAD;
    uint64_t csw0 = 0, csw1 = 0, touch_ns = 0, sink = 0;
    int e = switches(who, &csw0);
    if (e != 0)
        b_fail(sh, e, "getrusage");
    /* release: A, seeing ready with acquire, also sees a failure recorded just above. */
    atomic_store_explicit(&sh->ready, g, memory_order_release);
    if ((e = tvp_futex_wake(&sh->ready, 1, b->priv)) != 0)
        b_fail(sh, e, "FUTEX_WAKE of the measuring task (ready)");
    if (atomic_load_explicit(&sh->b_err, memory_order_relaxed) != 0)
        return; /* A fails the batch before its first hand-off */
    for (uint64_t i = 0; i < iters; i++) {
        uint32_t want = (uint32_t)(2 * i + 1);
        if (b->mech == CSW_FUTEX) {
            uint32_t t;
            /* acquire: pairs with A's hand-off, so the batch state A wrote is visible. */
            while ((t = atomic_load_explicit(&sh->turn, memory_order_acquire)) != want) {
                if (t == TURN_ABORT)
                    return;
                if ((e = tvp_futex_wait(&sh->turn, t, b->priv)) != 0) {
                    b_fail(sh, e, "FUTEX_WAIT for the turn");
                    b_abort(b);
                    return;
                }
            }
        } else {
            char ch;
            if ((e = get_byte(b->rfd, &ch)) != 0 || ch != 'a') {
                if (e == EPIPE || (e == 0 && ch == 'X'))
                    return; /* A gave up or is tearing down */
                b_fail(sh, e, e ? "reading the turn from pipe A->B" : "pipe A->B: unexpected byte");
                b_abort(b);
                return;
            }
        }
        if (buf) {
            uint64_t t0 = tvp_now_ns();
            sink += touch(buf, b->ws);
            touch_ns += tvp_now_ns() - t0;
        }
        if (i + 1 == iters) {
            /* The report goes out before the last hand-off, so A has it when it gets the turn
             * back, and the preemption that this hand-off may cause is outside the count. */
            if ((e = switches(who, &csw1)) != 0) {
                b_fail(sh, e, "getrusage");
                b_abort(b);
                return;
            }
            atomic_store_explicit(&sh->b_touch_ns, touch_ns, memory_order_relaxed);
            atomic_store_explicit(&sh->b_csw, csw1 - csw0, memory_order_relaxed);
            atomic_store_explicit(&sh->b_sink, sink, memory_order_relaxed);
            atomic_store_explicit(&sh->b_cpu, sched_getcpu(), memory_order_relaxed);
            /* release: publishes the relaxed report stores above. */
            atomic_store_explicit(&sh->reported, g, memory_order_release);
        }
        if (b->mech == CSW_FUTEX) {
            uint32_t expect = want;
            /* acq_rel CAS: releases the report and this batch's work to A; fails only when A
             * made the word ABORT meanwhile, which must stay. */
            if (!atomic_compare_exchange_strong_explicit(
                    &sh->turn, &expect, want + 1, memory_order_acq_rel, memory_order_acquire))
                return;
            if ((e = tvp_futex_wake(&sh->turn, 1, b->priv)) != 0) {
                b_fail(sh, e, "FUTEX_WAKE of the measuring task");
                b_abort(b);
                return;
            }
        } else if ((e = put_byte(b->wfd, 'b')) != 0) {
            if (e != EPIPE) /* EPIPE (A closed its end): teardown, nothing to report */
                b_fail(sh, e, "writing the turn into pipe B->A");
            return;
        }
    }
}

/* B's life: bind (a child binds itself; a thread was created bound), allocate and touch its
 * working set, then serve batches until stopped. Returns 0, or 1 after a failure. */
static int task_b(const struct b_args *b)
{
    struct csw_shared *sh = b->sh;
    unsigned char *buf = NULL;
    int e;
    if (b->process) {
        /* The child dies with the case process even if that is killed before teardown. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
            b_fail(sh, errno, "prctl(PR_SET_PDEATHSIG)");
            goto failed;
        }
        if (getppid() != b->parent)
            return 1; /* the parent is gone already: nobody to serve or tell */
        for (int i = 0; i < 2; i++)
            if (b->a_fd[i] >= 0 && close(b->a_fd[i]) != 0) {
                b_fail(sh, errno, "closing the measuring task's pipe end");
                goto failed;
            }
    }
    if (b->process && (e = tvp_bind_self_os(b->pu)) != 0) {
        b_fail(sh, e, "binding the child to PU %d", b->pu);
        goto failed;
    }
    if (b->ws > 0) {
        void *m = mmap(NULL, b->ws, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            b_fail(sh, errno, "mapping a %zu-byte working set", b->ws);
            goto failed;
        }
        buf = m;
        memset(buf, 1, b->ws); /* every page present before the first batch */
    }
    atomic_store_explicit(&sh->b_cpu, sched_getcpu(), memory_order_relaxed);
    /* release: pairs with A's acquire in set-up. */
    atomic_store_explicit(&sh->started, 1, memory_order_release);
    if ((e = tvp_futex_wake(&sh->started, 1, b->priv)) != 0)
        b_fail(sh, e, "FUTEX_WAKE of the measuring task (started)");
    uint32_t seen = 0;
    for (;;) {
        uint32_t g;
        /* acquire: pairs with A's release of gen, which publishes iters and turn = 0. */
        while ((g = atomic_load_explicit(&sh->gen, memory_order_acquire)) == seen)
            if ((e = tvp_futex_wait(&sh->gen, seen, b->priv)) != 0) {
                b_fail(sh, e, "FUTEX_WAIT on the batch gate");
                goto out; /* A times out waiting for ready and reports this */
            }
        seen = g;
        if (atomic_load_explicit(&sh->stop, memory_order_acquire))
            break;
        b_batch(b, buf, g);
    }
out:
    if (buf && munmap(buf, b->ws) != 0)
        b_fail(sh, errno, "unmapping the working set");
    return atomic_load_explicit(&sh->b_err, memory_order_relaxed) != 0;
failed:
    atomic_store_explicit(&sh->started, 2, memory_order_release);
    /* Unchecked: the failure is recorded already, and A gives up after START_WAIT_S anyway. */
    (void)tvp_futex_wake(&sh->started, 1, b->priv);
    return 1;
}

static void *b_thread(void *arg)
{
    task_b(arg);
    return NULL;
}

/* ---- set-up and teardown ---- */

static int parse(const struct tvp_case *c, struct csw *s, char *err, size_t errlen)
{
    if (!strcmp(c->benchmark, "switch"))
        s->bench = CSW_SWITCH;
    else if (!strcmp(c->benchmark, "wake-cost"))
        s->bench = CSW_WAKE;
    else
        goto bad;
    if (!strcmp(c->variant, "futex"))
        s->mech = CSW_FUTEX;
    else if (!strcmp(c->variant, "pipe"))
        s->mech = CSW_PIPE;
    else
        goto bad;
    if (!strcmp(c->model, "process"))
        s->process = 1;
    else if (strcmp(c->model, "thread"))
        goto bad;
    if (c->param_value < 0 || c->param_value > MAX_WS || c->pu_a < 0 ||
        (s->bench == CSW_SWITCH && c->pu_b < 0))
        goto bad;
    s->ws = s->bench == CSW_SWITCH ? (size_t)c->param_value : 0;
    s->priv = s->process ? 0 : FUTEX_PRIVATE_FLAG;
    snprintf(s->what, sizeof s->what, "%s (%s, %s)",
             s->bench == CSW_SWITCH ? "context switch" : "wake cost", c->variant, c->model);
    return 0;
bad:
    snprintf(err, errlen,
             "sched: bad case: benchmark \"%s\" (switch, wake-cost), variant \"%s\" (futex, "
             "pipe), model \"%s\", working set %lld bytes (0..%lld), PUs %d/%d",
             c->benchmark, c->variant, c->model, c->param_value, MAX_WS, c->pu_a, c->pu_b);
    return -1;
}

/* Remembers the calling thread's affinity (growing the set for machines beyond CPU_SETSIZE). */
static int save_affinity(struct csw *s)
{
    for (int n = CPU_SETSIZE; n <= (1 << 16); n *= 2) {
        cpu_set_t *set = CPU_ALLOC(n);
        if (!set)
            return ENOMEM;
        size_t size = CPU_ALLOC_SIZE(n);
        if (sched_getaffinity(0, size, set) == 0) {
            s->saved_aff = set;
            s->saved_size = size;
            return 0;
        }
        int e = errno;
        CPU_FREE(set);
        if (e != EINVAL)
            return e;
    }
    return EINVAL;
}

/* A partner that ends in the middle of a batch must fail the batch (write: EPIPE), not kill
 * the case process with SIGPIPE: A blocks it from set-up to teardown (in its own thread only;
 * the hot path pays nothing). Returns 0 or an error number. */
static int block_sigpipe(struct csw *s)
{
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    int e = pthread_sigmask(SIG_BLOCK, &set, &old);
    if (e == 0)
        s->sigpipe_blocked = !sigismember(&old, SIGPIPE);
    return e;
}

/* Discards a SIGPIPE a failed write left pending, then unblocks it. */
static void unblock_sigpipe(struct csw *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    struct timespec zero = {0, 0};
    while (sigtimedwait(&set, NULL, &zero) == SIGPIPE)
        ;
    if (errno != EAGAIN)
        tvp_warn(errno, "%s: collecting a pending SIGPIPE", s->what);
    int e = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (e != 0)
        tvp_warn(e, "%s: unblocking SIGPIPE", s->what);
    s->sigpipe_blocked = 0;
}

/* Ends B: stop flag and gate for a parked B, ABORT or end of file for one inside a batch. */
static void stop_b(struct csw *s)
{
    struct csw_shared *sh = s->sh;
    atomic_store_explicit(&sh->stop, 1, memory_order_release);
    /* release: B, acquiring gen, sees stop. */
    atomic_store_explicit(&sh->gen, ++s->gen, memory_order_release);
    int e = tvp_futex_wake(&sh->gen, INT_MAX, s->priv);
    if (e != 0)
        tvp_warn(e, "%s: FUTEX_WAKE of the partner (stop)", s->what);
    if (s->mech == CSW_FUTEX) {
        atomic_store_explicit(&sh->turn, TURN_ABORT, memory_order_seq_cst);
        if ((e = tvp_futex_wake(&sh->turn, INT_MAX, s->priv)) != 0)
            tvp_warn(e, "%s: FUTEX_WAKE of the partner (abort)", s->what);
    } else {
        close_fd(&s->ab[1], s->what); /* B's read of pipe A->B ends with end of file */
    }
    if (!s->process) {
        if ((e = pthread_join(s->th, NULL)) != 0)
            tvp_warn(e, "%s: joining the partner thread", s->what);
        s->b_live = 0;
        return;
    }
    /* A child that does not end within REAP_WAIT_MS is killed: it must not outlive the case. */
    int st = 0, killed;
    if ((e = tvp_reap_or_kill(s->pid, REAP_WAIT_MS, &st, &killed)) != 0) {
        tvp_warn(e, "%s: reaping the partner process", s->what);
        s->b_live = 0;
        return;
    }
    if (killed)
        tvp_warn(0, "%s: partner process %d did not stop within %d ms and was killed", s->what,
                 (int)s->pid, REAP_WAIT_MS);
    s->b_live = 0;
    if (!s->broken && !tvp_child_ok(st))
        tvp_warn(0, "%s: partner process ended with status 0x%x", s->what, st);
}

void tvp_csw_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct csw *s = state;
    if (!s)
        return;
    if (s->b_live)
        stop_b(s);
    close_fd(&s->ab[0], s->what);
    close_fd(&s->ab[1], s->what);
    close_fd(&s->ba[0], s->what);
    close_fd(&s->ba[1], s->what);
    close_fd(&s->lone[0], s->what);
    close_fd(&s->lone[1], s->what);
    if (s->buf && munmap(s->buf, s->ws) != 0)
        tvp_warn(errno, "%s: unmapping the working set", s->what);
    if (s->sh && munmap(s->sh, sizeof *s->sh) != 0)
        tvp_warn(errno, "%s: unmapping the shared page", s->what);
    if (s->sigpipe_blocked)
        unblock_sigpipe(s);
    if (s->saved_aff) {
        if (sched_setaffinity(0, s->saved_size, s->saved_aff) != 0)
            tvp_warn(errno, "%s: restoring the measuring thread's affinity", s->what);
        CPU_FREE(s->saved_aff);
    }
    free(s);
}

/* Starts B (thread or child) and waits until it is bound and has touched its working set. */
static int start_b(const struct tvp_case *c, struct csw *s, char *err, size_t errlen)
{
    s->b = (struct b_args){.sh = s->sh,
                           .mech = s->mech,
                           .process = s->process,
                           .priv = s->priv,
                           .pu = c->pu_b,
                           .ws = s->ws,
                           .rfd = s->ab[0],
                           .wfd = s->ba[1],
                           .a_fd = {s->process ? s->ab[1] : -1, s->process ? s->ba[0] : -1},
                           .parent = getpid()};
    if (s->process) {
        fflush(NULL); /* nothing buffered is written twice */
        pid_t pid = fork();
        if (pid < 0) {
            tvp_errfmt(err, errlen, errno, "%s: fork of the partner", s->what);
            return -1;
        }
        if (pid == 0)
            _exit(task_b(&s->b));
        s->pid = pid;
        s->b_live = 1;
        if (s->mech == CSW_PIPE) {
            close_fd(&s->ab[0], s->what); /* B's ends now live in the child only */
            close_fd(&s->ba[1], s->what);
        }
    } else {
        int rc = tvp_start_bound_thread(&s->th, c->pu_b, b_thread, &s->b);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "%s: starting the partner thread on PU %d", s->what,
                       c->pu_b);
            return -1;
        }
        s->b_live = 1;
    }
    int e = wait_change(&s->sh->started, 0, s->priv, s->pid, START_WAIT_S);
    if (atomic_load_explicit(&s->sh->b_err, memory_order_acquire) != 0) {
        snprintf(err, errlen, "%s: %s", s->what, s->sh->why);
        return -1;
    }
    if (e == ECHILD) {
        snprintf(err, errlen, "%s: the partner process ended while starting", s->what);
        return -1;
    }
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: waiting for the partner to start", s->what);
        return -1;
    }
    tvp_runner_note_cpu(atomic_load_explicit(&s->sh->b_cpu, memory_order_relaxed));
    return 0;
}

int tvp_csw_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct csw *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "sched: state");
        return -1;
    }
    s->ab[0] = s->ab[1] = s->ba[0] = s->ba[1] = s->lone[0] = s->lone[1] = -1;
    if (parse(c, s, err, errlen) != 0) {
        free(s);
        return -1;
    }
    int e = save_affinity(s);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: reading the measuring thread's affinity", s->what);
        goto fail;
    }
    /* A must run on pu_a; the harness has bound the case process already, a test has not. */
    if ((e = tvp_bind_self_os(c->pu_a)) != 0) {
        tvp_errfmt(err, errlen, e, "%s: binding the measuring thread to PU %d", s->what, c->pu_a);
        goto fail;
    }
    void *m = mmap(NULL, sizeof *s->sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "%s: mapping the shared page", s->what);
        goto fail;
    }
    s->sh = m;
    if (s->bench == CSW_WAKE) {
        if (s->mech == CSW_PIPE && pipe2(s->lone, O_CLOEXEC) != 0) {
            tvp_errfmt(err, errlen, errno, "%s: pipe", s->what);
            goto fail;
        }
        tvp_runner_note("%s", s->mech == CSW_FUTEX
                                  ? "one operation = FUTEX_WAKE with no waiter + FUTEX_WAIT on a "
                                    "mismatching value (EAGAIN): the mechanism alone, no switch"
                                  : "one operation = write 1 byte + read it back, one pipe, one "
                                    "task: the mechanism alone, no switch");
        *state = s;
        return 0;
    }
    if (s->mech == CSW_PIPE && (pipe2(s->ab, O_CLOEXEC) != 0 || pipe2(s->ba, O_CLOEXEC) != 0)) {
        tvp_errfmt(err, errlen, errno, "%s: pipe", s->what);
        goto fail;
    }
    if (s->mech == CSW_PIPE && (e = block_sigpipe(s)) != 0) {
        tvp_errfmt(err, errlen, e, "%s: blocking SIGPIPE", s->what);
        goto fail;
    }
    /* B first, so a forked B does not inherit A's working set. */
    if (start_b(c, s, err, errlen) != 0)
        goto fail;
    if (s->ws > 0) {
        m = mmap(NULL, s->ws, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            tvp_errfmt(err, errlen, errno, "%s: mapping a %zu-byte working set", s->what, s->ws);
            goto fail;
        }
        s->buf = m;
        memset(s->buf, 1, s->ws);
    }
    if (c->pu_a == c->pu_b)
        tvp_runner_note("one iteration = A wakes B, B wakes A: 2 hand-offs; same PU: 2 context "
                        "switches");
    else
        tvp_runner_note("one iteration = A wakes B, B wakes A: 2 hand-offs; PUs %d and %d: a "
                        "hand-off need not switch (the waker keeps its PU)",
                        c->pu_a, c->pu_b);
    *state = s;
    return 0;
fail:
    s->broken = 1; /* B's exit status after a failed set-up says nothing new */
    tvp_csw_teardown(c, s);
    return -1;
}

/* ---- the timed batches ---- */

/* A's part with the futex turn. Returns 0, or an error number with what failed in *what (0 and
 * "partner" when B gave up). */
static int a_loop_futex(struct csw *s, uint64_t iters, uint64_t *touch_ns, const char **what)
{
    struct csw_shared *sh = s->sh;
    uint64_t sink = 0;
    for (uint64_t i = 0; i < iters; i++) {
        if (s->buf) {
            uint64_t t0 = tvp_now_ns();
            sink += touch(s->buf, s->ws);
            *touch_ns += tvp_now_ns() - t0;
        }
        uint32_t expect = (uint32_t)(2 * i), v = expect + 1;
        /* acq_rel CAS: releases the turn to B; fails only on B's ABORT, which must stay. */
        if (!atomic_compare_exchange_strong_explicit(&sh->turn, &expect, v, memory_order_acq_rel,
                                                     memory_order_acquire)) {
            *what = "partner";
            return 0;
        }
        int e = tvp_futex_wake(&sh->turn, 1, s->priv);
        if (e != 0) {
            *what = "FUTEX_WAKE of the partner";
            return e;
        }
        uint32_t t;
        /* acquire: pairs with B's hand-back, publishing B's report on the last iteration. */
        while ((t = atomic_load_explicit(&sh->turn, memory_order_acquire)) == v)
            if ((e = tvp_futex_wait(&sh->turn, v, s->priv)) != 0) {
                *what = "FUTEX_WAIT for the turn";
                return e;
            }
        if (t != v + 1) {
            *what = "partner";
            return 0;
        }
    }
    s->sink += sink;
    return 0;
}

static int a_loop_pipe(struct csw *s, uint64_t iters, uint64_t *touch_ns, const char **what)
{
    uint64_t sink = 0;
    for (uint64_t i = 0; i < iters; i++) {
        if (s->buf) {
            uint64_t t0 = tvp_now_ns();
            sink += touch(s->buf, s->ws);
            *touch_ns += tvp_now_ns() - t0;
        }
        int e = put_byte(s->ab[1], 'a');
        if (e != 0) {
            *what = "writing the turn into pipe A->B";
            return e;
        }
        char ch;
        if ((e = get_byte(s->ba[0], &ch)) != 0) {
            *what = e == EPIPE ? "end of file on pipe B->A: the partner ended"
                               : "reading the turn from pipe B->A";
            return e;
        }
        if (ch != 'b') {
            *what = "partner";
            return 0;
        }
    }
    s->sink += sink;
    return 0;
}

/* Makes B leave a batch A gives up on (so teardown finds it parked or leaving). */
static void a_abort(struct csw *s)
{
    s->broken = 1;
    if (s->mech == CSW_FUTEX) {
        atomic_store_explicit(&s->sh->turn, TURN_ABORT, memory_order_seq_cst);
        int e = tvp_futex_wake(&s->sh->turn, 1, s->priv);
        if (e != 0)
            tvp_warn(e, "%s: FUTEX_WAKE of the partner (abort)", s->what);
    } else {
        /* End of file rather than a byte: writing to a partner that may be gone could raise
         * SIGPIPE. */
        close_fd(&s->ab[1], s->what);
    }
}

static int run_switch(struct csw *s, uint64_t iters, uint64_t *totals, char *err, size_t errlen)
{
    struct csw_shared *sh = s->sh;
    if (s->broken) {
        snprintf(err, errlen, "%s: an earlier batch failed", s->what);
        return -1;
    }
    if (iters > RUN_LIMIT) {
        snprintf(err, errlen, "%s: %llu iterations exceed %llu", s->what, (unsigned long long)iters,
                 (unsigned long long)RUN_LIMIT);
        return -1;
    }
    /* B is parked on the gate: nothing else touches iters or turn now. */
    sh->iters = iters;
    atomic_store_explicit(&sh->turn, 0, memory_order_relaxed);
    uint32_t g = ++s->gen;
    /* release: publishes iters and turn = 0 to B, which acquires gen. */
    atomic_store_explicit(&sh->gen, g, memory_order_release);
    int e = tvp_futex_wake(&sh->gen, 1, s->priv);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: FUTEX_WAKE of the partner (gate)", s->what);
        s->broken = 1;
        return -1;
    }
    /* B reads its counters before it says ready; from here the batch's switches count. */
    e = wait_change(&sh->ready, g - 1, s->priv, s->pid, READY_WAIT_S);
    if (e == 0 && atomic_load_explicit(&sh->ready, memory_order_acquire) != g)
        e = EPROTO;
    if (atomic_load_explicit(&sh->b_err, memory_order_acquire) != 0) {
        snprintf(err, errlen, "%s: %s", s->what, sh->why);
        a_abort(s);
        return -1;
    }
    if (e == ECHILD) {
        snprintf(err, errlen, "%s: the partner process ended before batch %u", s->what, g);
        a_abort(s);
        return -1;
    }
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: waiting for the partner to start batch %u", s->what, g);
        a_abort(s);
        return -1;
    }
    uint64_t csw0 = 0, csw1 = 0, touch_a = 0;
    if ((e = switches(RUSAGE_THREAD, &csw0)) != 0) {
        tvp_errfmt(err, errlen, e, "%s: getrusage", s->what);
        a_abort(s);
        return -1;
    }
    const char *what = NULL;
    uint64_t t0 = tvp_now_ns();
    e = s->mech == CSW_FUTEX ? a_loop_futex(s, iters, &touch_a, &what)
                             : a_loop_pipe(s, iters, &touch_a, &what);
    uint64_t t1 = tvp_now_ns();
    if (e == 0 && what == NULL && (e = switches(RUSAGE_THREAD, &csw1)) != 0)
        what = "getrusage";
    if (e != 0 || what != NULL) {
        a_abort(s);
        if (atomic_load_explicit(&sh->b_err, memory_order_acquire) != 0)
            snprintf(err, errlen, "%s: %s", s->what, sh->why);
        else if (e == 0)
            snprintf(err, errlen, "%s: the partner gave up the batch without saying why", s->what);
        else if (e == EPIPE)
            snprintf(err, errlen, "%s: %s", s->what, what);
        else
            tvp_errfmt(err, errlen, e, "%s: %s", s->what, what);
        return -1;
    }
    /* acquire: pairs with B's release; B reported before its last hand-off, so it is here. */
    if (atomic_load_explicit(&sh->reported, memory_order_acquire) != g) {
        snprintf(err, errlen, "%s: the partner's report of batch %u is missing", s->what, g);
        a_abort(s);
        return -1;
    }
    uint64_t touch_b = atomic_load_explicit(&sh->b_touch_ns, memory_order_relaxed);
    uint64_t csw_b = atomic_load_explicit(&sh->b_csw, memory_order_relaxed);
    s->sink += atomic_load_explicit(&sh->b_sink, memory_order_relaxed);
    tvp_runner_note_cpu(atomic_load_explicit(&sh->b_cpu, memory_order_relaxed));
    uint64_t wall = t1 - t0, touched = touch_a + touch_b;
    /* Two hand-offs per iteration: the harness divides by iters, so half goes in. */
    totals[0] += (wall > touched ? wall - touched : 0) / 2;
    totals[1] += (csw1 - csw0) + csw_b;
    totals[2] += touched;
    return 0;
}

static int run_wake(struct csw *s, uint64_t iters, uint64_t *totals, char *err, size_t errlen)
{
    _Atomic uint32_t *w = &s->sh->lone;
    uint64_t t0 = tvp_now_ns();
    if (s->mech == CSW_FUTEX) {
        for (uint64_t i = 0; i < iters; i++) {
            /* Nobody waits: the kernel finds the hash bucket empty and returns 0 woken. */
            long r = syscall(SYS_futex, w, FUTEX_WAKE | s->priv, 1, NULL, NULL, 0);
            if (r != 0) {
                if (r < 0)
                    tvp_errfmt(err, errlen, errno, "%s: FUTEX_WAKE", s->what);
                else
                    snprintf(err, errlen, "%s: FUTEX_WAKE woke %ld waiters, expected none", s->what,
                             r);
                return -1;
            }
            /* The word is 0, the expected value 1: EAGAIN without sleeping. */
            r = syscall(SYS_futex, w, FUTEX_WAIT | s->priv, 1, NULL, NULL, 0);
            if (r == 0 || errno != EAGAIN) {
                tvp_errfmt(err, errlen, r == 0 ? 0 : errno,
                           "%s: FUTEX_WAIT on a mismatching value did not fail with EAGAIN%s",
                           s->what, r == 0 ? " (it returned 0)" : "");
                return -1;
            }
        }
    } else {
        for (uint64_t i = 0; i < iters; i++) {
            char ch = 0;
            int e = put_byte(s->lone[1], 'w');
            if (e != 0) {
                tvp_errfmt(err, errlen, e, "%s: write", s->what);
                return -1;
            }
            if ((e = get_byte(s->lone[0], &ch)) != 0 || ch != 'w') {
                tvp_errfmt(err, errlen, e, "%s: read%s", s->what, e ? "" : ": wrong byte");
                return -1;
            }
        }
    }
    totals[0] += tvp_now_ns() - t0;
    return 0;
}

int tvp_csw_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
                size_t errlen)
{
    (void)c;
    struct csw *s = state;
    if (iters == 0)
        return 0;
    return s->bench == CSW_SWITCH ? run_switch(s, iters, totals, err, errlen)
                                  : run_wake(s, iters, totals, err, errlen);
}

void tvp_csw_describe(struct tvp_case *c)
{
    int futex = !strcmp(c->variant, "futex");
    c->setup = tvp_csw_setup;
    c->run = tvp_csw_run;
    c->teardown = tvp_csw_teardown;
    c->per_op_timed = 0; /* batches are timed whole */
    if (!strcmp(c->benchmark, "wake-cost")) {
        c->n_metrics = 1;
        c->metric[0] = "per-op";
        c->unit[0] = "ns";
        c->max_iters = MAX_ITERS_WK;
        snprintf(c->note, sizeof c->note, "%s",
                 futex ? (strcmp(c->model, "process")
                              ? "FUTEX_WAKE (no waiter) + FUTEX_WAIT (value mismatch: EAGAIN), "
                                "private futex, one task: the mechanism alone"
                              : "FUTEX_WAKE (no waiter) + FUTEX_WAIT (value mismatch: EAGAIN), "
                                "shared futex in MAP_SHARED memory, one task: the mechanism alone")
                       : "write 1 byte + read it back on one pipe, one task: the mechanism alone");
        return;
    }
    c->n_metrics = 3;
    c->metric[0] = "per-switch";
    c->unit[0] = "ns";
    c->metric[1] = "switches-per-iter";
    c->unit[1] = "count";
    c->metric[2] = "touch";
    c->unit[2] = "ns";
    c->max_iters = MAX_ITERS_SW;
    if (c->pu_a == c->pu_b)
        snprintf(c->note, sizeof c->note,
                 "1 iteration = A wakes B, B wakes A: 2 hand-offs = 2 context switches on one PU; "
                 "each task reads %lld B (1 byte/line) per turn, timed and taken out",
                 c->param_value);
    else
        snprintf(c->note, sizeof c->note,
                 "1 iteration = A wakes B, B wakes A: 2 hand-offs, PU %d <-> PU %d (need not "
                 "switch); each task reads %lld B (1 byte/line) per turn, timed, taken out",
                 c->pu_a, c->pu_b, c->param_value);
}
