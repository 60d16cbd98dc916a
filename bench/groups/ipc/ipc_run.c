#define _GNU_SOURCE
#include "ipc_run.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "ipc_table.h"
#include "ring_blocking.h"
#include "shm_arena.h"
#include "runner.h"
#include "stats.h"
#include "topology.h"
#include "task_watch.h"
#include "tvp_child.h"
#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_futex.h"
#include "tvp_ipc.h"

#define TRAILER_MAGIC UINT64_C(0x5a5aa5a5c3c33c3c)
#define RING_CAP      64          /* pointer rings of the spsc-pointer baseline */
#define POOL_BYTES    (32u << 20) /* buffers the pointer stream cycles through, at most */

enum ipc_bench { B_PINGPONG, B_STREAM, B_MEMCPY };

int tvp_ipcb_fault;

struct ctl {
    alignas(64) _Atomic uint32_t gen; /* futex: +1 starts a batch on side 1 */
    _Atomic uint32_t stop;
    alignas(64) _Atomic uint32_t done; /* futex: batches side 1 has finished */
    uint64_t iters;
    uint64_t cpu_ns; /* side 1's user+system time in its last batch (process model) */
    int rc;          /* side 1's transport error of the last batch, 0 if none */
    char why[200];   /* side 1's first complaint of the last batch */
    _Atomic int cpu;
};

struct ipcb {
    enum ipc_bench bench;
    const struct tvp_ipc_transport *t;
    struct tvp_ipc_pair *pair;
    int pointer, process, priv;
    int arena;           /* shm-arena: the in-place calls, as the pointer baseline (shm_arena.h) */
    unsigned char *out0; /* what side 0 stamps and sends in a round trip: buf0, or its slot */
    size_t bytes;
    uint64_t base_sum; /* sum of a message's words with its sequence words zeroed */
    unsigned char *buf0, *bufr, *buf1;
    unsigned char **pool; /* pointer stream: buffers in flight */
    size_t pool_n;
    struct ctl *ctl;
    struct tvp_blocking_ring *to1, *to0; /* pointer baseline: side 0 -> 1, 1 -> 0 */
    void *map;
    size_t map_len;
    uint64_t *rtt;
    uint64_t max_iters;
    double timer_cost;
    pthread_t th;
    pid_t pid;
    int side1_started, attached0, wedged;
};

/* ---- messages ---- */

static void fill_pattern(unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(i * 131 + n);
}

static inline void stamp(unsigned char *b, size_t n, uint64_t seq)
{
    memcpy(b, &seq, 8);
    if (n >= 16) {
        uint64_t t = seq ^ TRAILER_MAGIC;
        memcpy(b + n - 8, &t, 8);
    }
}

static inline uint64_t word_sum(const unsigned char *b, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        s += w;
    }
    return s;
}

/* 0 when b is message seq in full; else writes why. summed: the sum of b's words, when the
 * transport added them up while copying the message out (recv_sum), else NULL: read them now. */
static inline int check(const struct ipcb *s, const unsigned char *b, uint64_t seq,
                        const uint64_t *summed, char *why, size_t len)
{
    uint64_t head, want = s->base_sum + seq + (s->bytes >= 16 ? seq ^ TRAILER_MAGIC : 0);
    memcpy(&head, b, 8);
    uint64_t sum = summed ? *summed : word_sum(b, s->bytes);
    if (head == seq && sum == want)
        return 0;
    if (why[0] == '\0')
        snprintf(why, len,
                 "message %llu of %zu bytes arrived as sequence %llu with checksum %llx, expected "
                 "%llx",
                 (unsigned long long)seq, s->bytes, (unsigned long long)head,
                 (unsigned long long)sum, (unsigned long long)want);
    return -1;
}

/* ---- moving one message, either way ---- */

static inline int xsend(struct ipcb *s, int side, unsigned char *b, char *err, size_t errlen)
{
    /* The arena mirrors the pointer protocol: side 0 posts its slot, side 1 hands it back. */
    if (s->arena)
        return side == 0 ? tvp_shm_arena_post(s->pair, 0, b, s->bytes, err, errlen)
                         : tvp_shm_arena_give_back(s->pair, 1, b, err, errlen);
    if (!s->pointer)
        return s->t->send(s->pair, side, b, s->bytes, err, errlen);
    int rc = tvp_blocking_ring_push(side == 0 ? s->to1 : s->to0, &b, TVP_RING_FOREVER);
    if (rc)
        tvp_errfmt(err, errlen, rc, "spsc-pointer: push");
    return rc;
}

/* Receives into buf, or (pointer baseline) sets *where to the message's place. */
static inline int xrecv(struct ipcb *s, int side, unsigned char *buf, unsigned char **where,
                        uint64_t **summed, uint64_t *sum, char *err, size_t errlen)
{
    if (summed != NULL)
        *summed = NULL;
    if (summed != NULL && s->t && s->t->recv_sum && !s->arena) {
        /* copied out once, the check's sum taken on the way (the copying rings) */
        *where = buf;
        *summed = sum;
        return s->t->recv_sum(s->pair, side, buf, s->bytes, sum, err, errlen);
    }
    if (s->arena) {
        size_t len = s->bytes;
        int rc = side == 0 ? tvp_shm_arena_reclaim(s->pair, 0, where, err, errlen)
                           : tvp_shm_arena_take(s->pair, 1, where, &len, err, errlen);
        if (rc == 0 && len != s->bytes) {
            tvp_errfmt(err, errlen, EBADMSG, "shm-arena: a message of %zu bytes, %zu due", len,
                       s->bytes);
            rc = EBADMSG;
        }
        return rc;
    }
    if (!s->pointer) {
        *where = buf;
        return s->t->recv(s->pair, side, buf, s->bytes, err, errlen);
    }
    int rc = tvp_blocking_ring_pop(side == 0 ? s->to0 : s->to1, where, TVP_RING_FOREVER);
    if (rc)
        tvp_errfmt(err, errlen, rc, "spsc-pointer: pop");
    return rc;
}

/* ---- side 1 ---- */

static void side1_batch(struct ipcb *s)
{
    struct ctl *k = s->ctl;
    uint64_t n = k->iters;
    char err[200] = "";
    int rc = 0;
    k->why[0] = '\0';
    uint64_t c0 = s->process ? tvp_rusage_cpu_ns(RUSAGE_SELF) : 0;
    for (uint64_t i = 0; i < n && rc == 0; i++) {
        unsigned char *m;
        uint64_t sum, *summed;
        if ((rc = xrecv(s, 1, s->buf1, &m, &summed, &sum, err, sizeof err)) != 0)
            break;
        if (__builtin_expect(tvp_ipcb_fault, 0) && i == 1) {
            m[s->bytes / 2] ^= 1;
            summed = NULL; /* the damage is done after the copy: the check must read it */
        }
        /* A failed check is recorded and the protocol goes on, so side 0 is not left waiting. */
        check(s, m, i, summed, k->why, sizeof k->why);
        if (s->bench == B_PINGPONG || s->pointer || s->arena)
            rc = xsend(s, 1, m, err, sizeof err);
    }
    if (rc == 0 && s->bench == B_STREAM && !s->pointer && !s->arena) {
        memset(s->buf1, 0, 8);
        memcpy(s->buf1, &n, sizeof n);
        rc = s->t->send(s->pair, 1, s->buf1, 8, err, sizeof err);
    }
    if (rc != 0 && k->why[0] == '\0')
        snprintf(k->why, sizeof k->why, "side 1: %s", err);
    k->rc = rc;
    k->cpu_ns = s->process ? tvp_rusage_cpu_ns(RUSAGE_SELF) - c0 : 0;
}

/* Side 1's life: attach, then one batch per generation until told to stop. */
static void side1_main(struct ipcb *s)
{
    struct ctl *k = s->ctl;
    atomic_store_explicit(&k->cpu, sched_getcpu(), memory_order_relaxed);
    char err[200] = "";
    int rc = s->pointer ? 0 : s->t->attach(s->pair, 1, s->process ? getppid() : 0, err, sizeof err);
    uint32_t seen = 0;
    for (;;) {
        uint32_t g;
        while ((g = atomic_load_explicit(&k->gen, memory_order_acquire)) == seen)
            tvp_futex_wait(&k->gen, seen, s->priv);
        seen = g;
        if (atomic_load_explicit(&k->stop, memory_order_acquire))
            break;
        if (rc != 0) {
            k->rc = rc;
            snprintf(k->why, sizeof k->why, "side 1: attach: %s", err);
        } else
            side1_batch(s);
        atomic_fetch_add_explicit(&k->done, 1, memory_order_release);
        tvp_futex_wake(&k->done, 1, s->priv);
    }
    if (!s->pointer && rc == 0 && s->t->detach(s->pair, 1, err, sizeof err) != 0)
        tvp_warn(0, "ipc: side 1: %s", err);
}

static void *side1_thread(void *arg)
{
    side1_main(arg);
    return NULL;
}

/* ---- set-up and teardown ---- */

/* Buffers a stream cycles through: as many as fit in POOL_BYTES, 2 to RING_CAP. */
static size_t pool_size(size_t bytes)
{
    size_t n = POOL_BYTES / bytes;
    return n > RING_CAP ? RING_CAP : n < 2 ? 2 : n;
}

static void stop_side1(struct ipcb *s)
{
    if (!s->side1_started)
        return;
    atomic_store_explicit(&s->ctl->stop, 1, memory_order_release);
    atomic_fetch_add_explicit(&s->ctl->gen, 1, memory_order_release);
    tvp_futex_wake(&s->ctl->gen, INT_MAX, s->priv);
    if (s->process) {
        int st;
        int rc = tvp_wait_child(s->pid, &st);
        if (rc != 0 || !tvp_child_ok(st))
            tvp_warn(rc, "ipc: side 1 process ended badly (status 0x%x)", st);
    } else {
        int rc = pthread_join(s->th, NULL);
        if (rc != 0)
            tvp_warn(rc, "ipc: joining side 1");
    }
    s->side1_started = 0;
}

void tvp_ipcb_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct ipcb *s = state;
    if (!s || s->wedged)
        return; /* a thread may still be blocked in the transport; the case process ends next */
    char err[200];
    if (s->attached0 && s->t->detach(s->pair, 0, err, sizeof err) != 0)
        tvp_warn(0, "ipc: side 0: %s", err);
    s->attached0 = 0;
    stop_side1(s);
    if (s->pair && s->t->close(s->pair, err, sizeof err) != 0)
        tvp_warn(0, "ipc: %s", err);
    if (s->map && munmap(s->map, s->map_len) != 0)
        tvp_warn(errno, "ipc: unmapping the control block");
    for (size_t i = 0; i < s->pool_n && !s->arena; i++)
        free(s->pool[i]); /* the arena's are slots of its mapping */
    free(s->pool);
    free(s->buf0);
    free(s->bufr);
    free(s->buf1);
    free(s->rtt);
    free(s);
}

/* shm-arena: side 0's slots hold the message (side 0 then only stamps it, as the pointer
 * baseline stamps its buffer); a round trip uses the first, a stream cycles through as many as
 * the baseline's pool has, within the arena's slots. */
static int arena_slots(struct ipcb *s, char *err, size_t errlen)
{
    size_t n = s->bench == B_STREAM ? pool_size(s->bytes) : 1;
    if (n > tvp_shm_arena_slots(s->pair))
        n = tvp_shm_arena_slots(s->pair);
    if (!(s->pool = calloc(n, sizeof *s->pool))) {
        tvp_errfmt(err, errlen, ENOMEM, "ipc: shm-arena slot list");
        return -1;
    }
    s->pool_n = n;
    for (size_t i = 0; i < n; i++)
        memcpy(s->pool[i] = tvp_shm_arena_slot(s->pair, 0, i), s->buf0, s->bytes);
    s->out0 = s->pool[0];
    return 0;
}

static void *aligned(size_t n)
{
    void *p = NULL;
    return posix_memalign(&p, 64, n ? n : 64) == 0 ? p : NULL;
}

int tvp_ipcb_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct ipcb *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "ipc: state");
        return -1;
    }
    *state = s;
    s->bench = !strcmp(c->benchmark, "pingpong") ? B_PINGPONG
               : !strcmp(c->benchmark, "stream") ? B_STREAM
                                                 : B_MEMCPY;
    s->bytes = (size_t)c->param_value;
    s->process = strcmp(c->model, "process") == 0;
    s->priv = s->process ? 0 : FUTEX_PRIVATE_FLAG;
    s->pointer = strcmp(c->variant, TVP_IPC_POINTER) == 0;
    s->arena = strcmp(c->variant, TVP_IPC_ARENA) == 0;
    s->max_iters = c->max_iters;
    s->timer_cost = tvp_timer_cost_ns();
    if (s->bytes < 8 || s->bytes % 8 != 0 || s->max_iters == 0) {
        snprintf(err, errlen, "ipc: message size %zu: a multiple of 8 bytes is needed", s->bytes);
        goto fail;
    }
    s->buf0 = aligned(s->bytes);
    s->bufr = aligned(s->bytes);
    s->buf1 = aligned(s->bytes);
    if (!s->buf0 || !s->bufr || !s->buf1) {
        tvp_errfmt(err, errlen, ENOMEM, "ipc: message buffers of %zu bytes", s->bytes);
        goto fail;
    }
    fill_pattern(s->buf0, s->bytes);
    stamp(s->buf0, s->bytes, 0);
    s->base_sum = word_sum(s->buf0, s->bytes) - (s->bytes >= 16 ? TRAILER_MAGIC : 0);
    memcpy(s->buf1, s->buf0, s->bytes);
    s->out0 = s->buf0;
    if (s->bench == B_MEMCPY) {
        /* Fault the second destination in now, not in the first timed copy. */
        memset(s->bufr, 0, s->bytes);
        return 0;
    }
    if (s->bench == B_PINGPONG && !(s->rtt = calloc(s->max_iters, sizeof *s->rtt))) {
        tvp_errfmt(err, errlen, ENOMEM, "ipc: round-trip samples");
        goto fail;
    }
    if (!s->pointer && !(s->t = tvp_ipc_transport_find(c->variant))) {
        snprintf(err, errlen, "ipc: unknown transport %s", c->variant);
        goto fail;
    }
    if (s->pointer && s->process) {
        snprintf(err, errlen, "ipc: %s is the threads-only baseline", TVP_IPC_POINTER);
        goto fail;
    }
    size_t ring = s->pointer ? tvp_blocking_ring_size(TVP_RING_SPSC, RING_CAP, sizeof(void *)) : 0;
    size_t ctl_len = (sizeof(struct ctl) + 63) & ~(size_t)63;
    s->map_len = ctl_len + 2 * ((ring + 63) & ~(size_t)63);
    s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
                  (s->process ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (s->map == MAP_FAILED) {
        s->map = NULL;
        tvp_errfmt(err, errlen, errno, "ipc: mapping the control block");
        goto fail;
    }
    s->ctl = s->map;
    atomic_init(&s->ctl->cpu, -1);
    int spin = c->pu_a == c->pu_b ? 0 : 1000;
    if (s->pointer) {
        unsigned char *r = (unsigned char *)s->map + ctl_len;
        size_t step = (ring + 63) & ~(size_t)63;
        if (tvp_blocking_ring_init(&s->to1, r, ring, TVP_RING_SPSC, RING_CAP, sizeof(void *), 0,
                                   (unsigned)spin, err, errlen) != 0 ||
            tvp_blocking_ring_init(&s->to0, r + step, ring, TVP_RING_SPSC, RING_CAP, sizeof(void *),
                                   0, (unsigned)spin, err, errlen) != 0)
            goto fail;
        if (s->bench == B_STREAM) {
            s->pool_n = pool_size(s->bytes);
            if (!(s->pool = calloc(s->pool_n, sizeof *s->pool))) {
                tvp_errfmt(err, errlen, ENOMEM, "ipc: buffer pool");
                goto fail;
            }
            for (size_t i = 0; i < s->pool_n; i++) {
                if (!(s->pool[i] = aligned(s->bytes))) {
                    tvp_errfmt(err, errlen, ENOMEM, "ipc: buffer pool");
                    goto fail;
                }
                memcpy(s->pool[i], s->buf0, s->bytes);
            }
        }
    } else {
        struct tvp_ipc_cfg cfg = {.processes = s->process, .max_msg = s->bytes};
        if (s->t->open(&s->pair, &cfg, err, errlen) != 0) {
            s->pair = NULL;
            goto fail;
        }
        if (s->arena && (tvp_shm_arena_set_spin(s->pair, (unsigned)spin, err, errlen) != 0 ||
                         arena_slots(s, err, errlen) != 0))
            goto fail;
        size_t chunk = s->t->chunk(s->pair);
        if (chunk && chunk < s->bytes)
            tvp_runner_note("%s carries at most %zu bytes per kernel message: each %zu-byte "
                            "message is split into %zu and reassembled",
                            s->t->name, chunk, s->bytes, (s->bytes + chunk - 1) / chunk);
    }
    if (s->process) {
        pid_t pid = fork();
        if (pid < 0) {
            tvp_errfmt(err, errlen, errno, "ipc: fork of side 1");
            goto fail;
        }
        if (pid == 0) {
            if (tvp_bind_self_os(c->pu_b) != 0)
                _exit(3);
            int e = tvp_task_name("tvp-ipc-peer");
            if (e != 0)
                tvp_warn(e, "ipc: naming side 1");
            side1_main(s);
            _exit(0);
        }
        s->pid = pid;
    } else {
        int rc = tvp_start_bound_thread(&s->th, c->pu_b, side1_thread, s);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "ipc: starting side 1 on PU %d", c->pu_b);
            goto fail;
        }
    }
    s->side1_started = 1;
    if (!s->pointer) {
        if (s->t->attach(s->pair, 0, s->process ? s->pid : 0, err, errlen) != 0)
            goto fail;
        s->attached0 = 1;
    }
    return 0;
fail:
    tvp_ipcb_teardown(c, s);
    *state = NULL;
    return -1;
}

/* ---- one batch ---- */

static int run_memcpy(struct ipcb *s, uint64_t iters, uint64_t *totals)
{
    uint64_t t0 = tvp_now_ns();
    for (uint64_t i = 0; i < iters; i++) {
        unsigned char *d = i & 1 ? s->bufr : s->buf1;
        memcpy(d, s->buf0, s->bytes);
        __asm__ __volatile__("" : : "r"(d) : "memory"); /* the copy is used */
    }
    totals[0] += tvp_now_ns() - t0;
    return 0;
}

/* Side 0 of a pointer stream: at most the whole pool in flight. Side 1 has checked every
 * buffer it hands back; side 0 only reuses it, as a transport's sender reuses its buffer. */
static int pointer_stream(struct ipcb *s, uint64_t iters, char *err, size_t errlen)
{
    size_t fresh = 0;
    uint64_t back = 0;
    for (uint64_t i = 0; i < iters; i++) {
        unsigned char *b;
        if (fresh < s->pool_n)
            b = s->pool[fresh++];
        else {
            int rc = xrecv(s, 0, NULL, &b, NULL, NULL, err, errlen);
            if (rc)
                return rc;
            back++;
        }
        stamp(b, s->bytes, i);
        int rc = xsend(s, 0, b, err, errlen);
        if (rc)
            return rc;
    }
    while (back < iters) {
        unsigned char *b;
        int rc = xrecv(s, 0, NULL, &b, NULL, NULL, err, errlen);
        if (rc)
            return rc;
        back++;
    }
    return 0;
}

/* After a failed send or receive: when side 1's process has died (killed, or a non-zero exit),
 * err says so by name and signal instead of only "peer ended". Its end of file or EPIPE comes
 * while it exits, so it gets up to 200 ms to become a zombie; a live one is left to the caller. */
static void peer_death(const struct ipcb *s, char *err, size_t errlen)
{
    char why[160];
    for (int i = 0; i < 40; i++) {
        int r = tvp_task_failed(s->pid, "the peer process (side 1)", -1, why, sizeof why);
        if (r == 1) {
            size_t n = strlen(err);
            if (n + 2 < errlen)
                snprintf(err + n, errlen - n, ": %s", why);
            return;
        }
        if (r < 0)
            return;
        tvp_sleep_ns(5000000);
    }
}

int tvp_ipcb_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
                 size_t errlen)
{
    (void)c;
    struct ipcb *s = state;
    if (s->bench == B_MEMCPY)
        return run_memcpy(s, iters, totals);
    if (iters > s->max_iters) {
        snprintf(err, errlen, "ipc: %llu messages exceed the case's cap",
                 (unsigned long long)iters);
        return -1;
    }
    struct ctl *k = s->ctl;
    char why[200] = "";
    k->iters = iters;
    k->rc = 0;
    uint32_t done0 = atomic_load_explicit(&k->done, memory_order_acquire);
    uint64_t c0 = tvp_rusage_cpu_ns(RUSAGE_SELF);
    atomic_fetch_add_explicit(&k->gen, 1, memory_order_release);
    tvp_futex_wake(&k->gen, 1, s->priv);
    int rc = 0;
    uint64_t t0 = tvp_now_ns(), sum = 0;
    if (s->bench == B_PINGPONG) {
        for (uint64_t i = 0; i < iters && rc == 0; i++) {
            unsigned char *m;
            uint64_t rsum, *summed;
            stamp(s->out0, s->bytes, i);
            uint64_t a = tvp_now_ns();
            rc = xsend(s, 0, s->out0, err, errlen);
            if (rc == 0)
                rc = xrecv(s, 0, s->bufr, &m, &summed, &rsum, err, errlen);
            uint64_t b = tvp_now_ns();
            if (rc == 0)
                check(s, m, i, summed, why, sizeof why);
            double d = (double)(b - a) - s->timer_cost;
            s->rtt[i] = d > 0 ? (uint64_t)d : 0;
            sum += s->rtt[i];
        }
    } else if (s->pointer || s->arena) {
        rc = pointer_stream(s, iters, err, errlen);
    } else {
        for (uint64_t i = 0; i < iters && rc == 0; i++) {
            stamp(s->buf0, s->bytes, i);
            rc = s->t->send(s->pair, 0, s->buf0, s->bytes, err, errlen);
        }
        if (rc == 0)
            rc = s->t->recv(s->pair, 0, s->bufr, 8, err, errlen);
        uint64_t ack;
        memcpy(&ack, s->bufr, 8);
        if (rc == 0 && ack != iters && !why[0])
            snprintf(why, sizeof why, "side 1 acknowledged %llu of %llu messages",
                     (unsigned long long)ack, (unsigned long long)iters);
    }
    uint64_t t1 = tvp_now_ns();
    if (rc != 0) {
        /* Side 1 may be blocked in the transport for good: a process is killed; a thread
         * cannot be, so the case ends with its memory left in place. */
        if (s->process) {
            peer_death(s, err, errlen);
            if (kill(s->pid, SIGKILL) != 0 && errno != ESRCH)
                tvp_warn(errno, "ipc: killing side 1 (pid %d)", (int)s->pid);
            int e = tvp_wait_child(s->pid, NULL);
            if (e != 0)
                tvp_warn(e, "ipc: reaping side 1 (pid %d)", (int)s->pid);
            s->side1_started = 0;
        } else
            s->wedged = 1;
        return -1;
    }
    uint32_t d;
    while ((d = atomic_load_explicit(&k->done, memory_order_acquire)) == done0) {
        /* Bounded: a side 1 process that died after its last message never counts itself. */
        struct timespec dl;
        tvp_deadline_after(TVP_TASK_WATCH_NS, &dl);
        int e = tvp_futex_wait_until(&k->done, d, s->priv, &dl);
        char why[160];
        if (e == ETIMEDOUT && s->process &&
            tvp_task_failed(s->pid, "the peer process (side 1)", -1, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s, %zu bytes: %s", c->variant, s->bytes, why);
            return -1; /* the teardown reaps it */
        }
        if (e != 0 && e != ETIMEDOUT) {
            tvp_errfmt(err, errlen, e, "ipc: waiting for side 1 to finish the batch");
            return -1;
        }
    }
    uint64_t cpu = tvp_rusage_cpu_ns(RUSAGE_SELF) - c0 + k->cpu_ns;
    tvp_runner_note_cpu(atomic_load_explicit(&k->cpu, memory_order_relaxed));
    if (k->rc != 0 || k->why[0] || why[0]) {
        snprintf(err, errlen, "%s, %zu bytes: %s", c->variant, s->bytes, k->why[0] ? k->why : why);
        return -1;
    }
    if (s->bench == B_PINGPONG) {
        uint64_t p50, p99;
        tvp_u64_p50_p99(s->rtt, iters, &p50, &p99);
        totals[0] += sum;
        totals[1] += p50 * iters;
        totals[2] += p99 * iters;
        totals[3] += cpu;
    } else {
        totals[0] += t1 - t0;
        totals[1] += cpu;
    }
    return 0;
}
