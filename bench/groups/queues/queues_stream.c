#define _GNU_SOURCE
#include "queues_stream.h"

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
#include "queue_ops.h"
#include "runner.h"
#include "stats.h"
#include "topology.h"
#include "task_watch.h"
#include "tvp_child.h"
#include "tvp_cpu_relax.h"
#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_futex.h"

#define MAX_TASKS   TVP_MAX_CASE_PUS
#define POISON      UINT64_MAX
#define SEQ_BITS    48
#define SEQ_MASK    ((UINT64_C(1) << SEQ_BITS) - 1)
#define FLUSH_EVERY 256 /* consumed messages a consumer adds to the shared count at once */
#define ORDER_ITEMS 32
/* A batch whose consumers take nothing for this long after every producer finished has lost
 * messages (or a task is stuck): it fails instead of waiting for the watchdog. */
#define STALL_NS 2000000000ull
/* The spin before a ring sleeps, when every task has a PU of its own; 0 when some share one
 * (spinning then only delays the task that would make progress). */
#define RING_SPIN 1000
#define ACK_SPIN  4000

/* A message: the tag is (producer << 48 | sequence); a 64-byte record adds seven payload words
 * derived from the tag, so the checksum sees every word of every message. */
struct msg {
    uint64_t tag;
    uint64_t w[7];
};

static inline uint64_t payload_word(uint64_t tag, int i)
{
    return tag * UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)i;
}

/* The priority a producer gives a message: pseudo-random 16 bits, so the heap works. */
static inline int64_t msg_prio(uint64_t tag)
{
    return (int64_t)((tag * UINT64_C(0xD6E8FEB86659FD93)) >> 48);
}

enum tvp_qs_fault tvp_qs_fault = TVP_QS_FAULT_NONE;

/* The calling thread's context switches so far. Voluntary: every time it blocked, whatever on
 * (a condition variable, a contended mutex's futex, a ring's futex); the queues' own counters see
 * only their condition-variable or futex waits, so a pthread mutex that a task sleeps on while
 * the other side holds it is counted here only. Involuntary: every time the scheduler took its PU
 * for another task while it could run (on a VM shared with other benchmarks, the other side of a
 * queue then waits for a task that is not running). ok = 0 when getrusage failed (never for
 * RUSAGE_THREAD on Linux; the batch then fails instead of counting wrong). */
struct switches {
    uint64_t vol, invol;
    int ok;
};

static struct switches switches_now(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return (struct switches){0, 0, 0};
    return (struct switches){(uint64_t)ru.ru_nvcsw, (uint64_t)ru.ru_nivcsw, 1};
}

static inline struct switches switches_since(struct switches a)
{
    struct switches b = switches_now();
    return (struct switches){b.vol - a.vol, b.invol - a.invol, a.ok && b.ok};
}

struct prod {
    alignas(64) uint64_t quota;
    uint64_t first;      /* its first message's global index (bitmap position) */
    uint64_t stamp_base; /* its first entry in stamps[] */
    uint64_t sum;        /* of every word it sent */
    struct switches sw;  /* context switches from the gate to its last put */
    int rc;              /* error number of a failed put */
    _Atomic int cpu;
};

struct cons {
    alignas(64) uint64_t sum, count, nlat;
    struct switches sw; /* context switches from the gate to its pill */
    int rc;             /* error number of a failed get */
    char why[160];      /* the first check that failed in this consumer */
    _Atomic int cpu;
};

struct ctl {
    alignas(64) _Atomic uint32_t go;
    alignas(64) _Atomic uint32_t arrived;
    alignas(64) _Atomic uint64_t consumed;
    _Atomic uint32_t finished; /* futex: 1 once consumed == total */
    alignas(64) _Atomic uint32_t producers_done;
    alignas(64) _Atomic uint32_t ack; /* handoff: messages the consumer has taken */
    _Atomic uint32_t ack_sleeping;
    uint64_t total;
};

struct qs {
    struct tvp_bq q;
    enum tvp_qk kind;
    size_t item;
    int P, C, batch, handoff, process, priv;
    unsigned every; /* latency sample period */
    int pus[MAX_TASKS];
    uint64_t max_msgs;
    /* One MAP_SHARED mapping holds everything the tasks write. */
    void *map;
    size_t map_len;
    struct ctl *ctl;
    struct prod *prod;
    struct cons *cons;
    uint64_t *stamps;  /* put time of sampled messages */
    uint64_t *bitmaps; /* C x bitmap_words */
    int64_t *last;     /* C x P: last sequence seen from each producer */
    uint64_t *lat;     /* C x lat_cap */
    size_t bitmap_words, lat_cap;
    uint64_t *merged;  /* private: for the loss/duplicate check */
    uint64_t *lat_all; /* private: for the percentiles */
    pthread_t th[MAX_TASKS];
    pid_t pid[MAX_TASKS];
    int started;
    int wedged; /* tasks may still be running after a failure: leave the memory mapped */
};

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* ---- the tasks ---- */

/* A task's recorded PU when it could not bind to its own: BIND_FAILED - the error number. */
#define BIND_FAILED (-1000)

static void arrive_and_wait(struct qs *s, int pu, _Atomic int *cpu)
{
    /* Threads were created bound; a forked child binds itself here. A task that cannot bind
     * records why instead of its PU, and the batch fails rather than report an unpinned figure. */
    int e = tvp_bind_self_os(pu);
    atomic_store_explicit(cpu, e ? BIND_FAILED - e : sched_getcpu(), memory_order_relaxed);
    atomic_fetch_add_explicit(&s->ctl->arrived, 1, memory_order_acq_rel);
    tvp_futex_wake(&s->ctl->arrived, 1, s->priv);
    while (!atomic_load_explicit(&s->ctl->go, memory_order_acquire))
        tvp_futex_wait(&s->ctl->go, 0, s->priv);
}

static inline void fill(struct msg *m, uint64_t tag, size_t item, uint64_t *sum)
{
    m->tag = tag;
    *sum += tag;
    if (item > 8)
        for (int i = 0; i < 7; i++) {
            m->w[i] = payload_word(tag, i);
            *sum += m->w[i];
        }
}

/* Handoff: wait until the consumer has taken message seq (ack == seq + 1). The sleeping flag and
 * the ack pair Dekker-style through seq_cst operations on both sides (one total order; no
 * fences, which ThreadSanitizer does not model): either the consumer sees the flag and wakes
 * us, or we see its ack before sleeping. */
static void wait_ack(struct qs *s, uint32_t want, unsigned spin)
{
    struct ctl *k = s->ctl;
    for (unsigned i = 0; i < spin; i++) {
        if (atomic_load_explicit(&k->ack, memory_order_acquire) == want)
            return;
        tvp_cpu_relax();
    }
    for (;;) {
        atomic_store_explicit(&k->ack_sleeping, 1, memory_order_seq_cst);
        uint32_t a = atomic_load_explicit(&k->ack, memory_order_seq_cst);
        if (a == want)
            break;
        tvp_futex_wait(&k->ack, a, s->priv);
    }
    atomic_store_explicit(&k->ack_sleeping, 0, memory_order_relaxed);
}

static void producer(struct qs *s, int p)
{
    struct prod *me = &s->prod[p];
    arrive_and_wait(s, s->pus[p], &me->cpu);
    struct switches sw0 = switches_now();
    uint64_t quota = me->quota, sum = 0;
    uint64_t *stamps = s->stamps + me->stamp_base;
    unsigned ack_spin = s->pus[0] == s->pus[s->P] ? 0 : ACK_SPIN;
    int rc = 0;
    if (s->batch) {
        struct msg buf[TVP_QS_BATCH_ITEMS];
        int64_t prio[TVP_QS_BATCH_ITEMS];
        unsigned char *raw = (unsigned char *)buf;
        for (uint64_t seq = 0; seq < quota && rc == 0;) {
            size_t n = 0;
            for (; n < TVP_QS_BATCH_ITEMS && seq < quota; n++, seq++) {
                uint64_t tag = (uint64_t)p << SEQ_BITS | seq;
                struct msg m;
                fill(&m, tag, s->item, &sum);
                memcpy(raw + n * s->item, &m, s->item);
                prio[n] = msg_prio(tag);
                if (seq % s->every == 0)
                    stamps[seq / s->every] = tvp_now_ns();
            }
            rc = tvp_bq_put_many(&s->q, buf, prio, n, TVP_QUEUE_FOREVER);
        }
    } else {
        for (uint64_t seq = 0; seq < quota; seq++) {
            uint64_t tag = (uint64_t)p << SEQ_BITS | seq;
            struct msg m;
            fill(&m, tag, s->item, &sum);
            if (seq % s->every == 0)
                stamps[seq / s->every] = tvp_now_ns();
            if ((rc = tvp_bq_put(&s->q, &m, msg_prio(tag), TVP_QUEUE_FOREVER)) != 0)
                break;
            if (s->handoff)
                wait_ack(s, (uint32_t)(seq + 1), ack_spin);
        }
    }
    me->sw = switches_since(sw0);
    me->sum = sum;
    me->rc = rc;
    atomic_fetch_add_explicit(&s->ctl->producers_done, 1, memory_order_release);
}

static void flush(struct qs *s, uint64_t *local)
{
    if (*local == 0)
        return;
    uint64_t v = atomic_fetch_add_explicit(&s->ctl->consumed, *local, memory_order_acq_rel);
    if (v + *local == s->ctl->total) {
        atomic_store_explicit(&s->ctl->finished, 1, memory_order_release);
        tvp_futex_wake(&s->ctl->finished, 1, s->priv);
    }
    *local = 0;
}

/* Checks and accounts one received message; returns 1 for a poison pill. */
static int take(struct qs *s, int c, const struct msg *m, uint64_t *sum, uint64_t *bitmap,
                int64_t *last)
{
    struct cons *me = &s->cons[c];
    uint64_t tag = m->tag;
    if (tag == POISON)
        return 1;
    uint64_t now = 0;
    unsigned p = (unsigned)(tag >> SEQ_BITS);
    uint64_t seq = tag & SEQ_MASK;
    if (p >= (unsigned)s->P || seq >= s->prod[p].quota) {
        if (!me->why[0])
            snprintf(me->why, sizeof me->why, "a message from nowhere: tag 0x%llx",
                     (unsigned long long)tag);
        return 0;
    }
    if (seq % s->every == 0)
        now = tvp_now_ns();
    int twice = 0;
    if (__builtin_expect(tvp_qs_fault != TVP_QS_FAULT_NONE, 0) && p == 0 && seq == 1) {
        if (tvp_qs_fault == TVP_QS_FAULT_DROP)
            return 0;
        twice = tvp_qs_fault == TVP_QS_FAULT_DUP;
        if (tvp_qs_fault == TVP_QS_FAULT_CORRUPT)
            *sum += 1;
        if (tvp_qs_fault == TVP_QS_FAULT_REORDER)
            last[p] = 5;
    }
again:;
    uint64_t g = s->prod[p].first + seq;
    uint64_t bit = UINT64_C(1) << (g & 63);
    if (bitmap[g >> 6] & bit) {
        if (!me->why[0])
            snprintf(me->why, sizeof me->why,
                     "message %llu of producer %u received twice by consumer %d",
                     (unsigned long long)seq, p, c);
    }
    bitmap[g >> 6] |= bit;
    if (tvp_qk[s->kind].producer_order) {
        if ((int64_t)seq <= last[p] && !me->why[0])
            snprintf(me->why, sizeof me->why,
                     "order: consumer %d got message %llu of producer %u after message %lld", c,
                     (unsigned long long)seq, p, (long long)last[p]);
        last[p] = (int64_t)seq;
    }
    *sum += tag;
    if (s->item > 8)
        for (int i = 0; i < 7; i++)
            *sum += m->w[i];
    if (now) {
        uint64_t *lat = s->lat + (size_t)c * s->lat_cap;
        uint64_t t = s->stamps[s->prod[p].stamp_base + seq / s->every];
        if (me->nlat < s->lat_cap)
            lat[me->nlat++] = now > t ? now - t : 0;
    }
    me->count++;
    if (twice) {
        twice = 0;
        goto again;
    }
    return 0;
}

static void consumer(struct qs *s, int c)
{
    struct cons *me = &s->cons[c];
    arrive_and_wait(s, s->pus[s->P + c], &me->cpu);
    struct switches sw0 = switches_now();
    uint64_t *bitmap = s->bitmaps + (size_t)c * s->bitmap_words;
    int64_t *last = s->last + (size_t)c * (size_t)s->P;
    uint64_t sum = 0, local = 0;
    struct msg buf[TVP_QS_BATCH_ITEMS];
    unsigned char *raw = (unsigned char *)buf;
    size_t max = s->batch ? TVP_QS_BATCH_ITEMS : 1;
    int done = 0, rc = 0;
    while (!done) {
        size_t got = 0;
        /* Try first; only before sleeping on an empty queue is the local count published,
         * so the main task learns of the last message without a shared add per message. */
        rc = s->batch ? tvp_bq_get_many(&s->q, buf, max, &got, TVP_QUEUE_NOWAIT)
                      : tvp_bq_get(&s->q, buf, TVP_QUEUE_NOWAIT);
        if (rc == EAGAIN) {
            flush(s, &local);
            rc = s->batch ? tvp_bq_get_many(&s->q, buf, max, &got, TVP_QUEUE_FOREVER)
                          : tvp_bq_get(&s->q, buf, TVP_QUEUE_FOREVER);
        }
        if (rc != 0)
            break;
        if (!s->batch)
            got = 1;
        for (size_t i = 0; i < got; i++) {
            /* Checked where it lies; take() reads past the tag only for 64-byte records. */
            const struct msg *m = (const struct msg *)(raw + i * s->item);
            if (take(s, c, m, &sum, bitmap, last)) {
                /* One pill per consumer: a batch that took a second hands it back (only a
                 * multi-consumer queue can hold two). */
                if (done++ && (rc = tvp_bq_put(&s->q, m, INT64_MAX, TVP_QUEUE_FOREVER)) != 0)
                    break;
                continue;
            }
            if (s->handoff) {
                atomic_store_explicit(&s->ctl->ack, (uint32_t)me->count, memory_order_seq_cst);
                if (atomic_load_explicit(&s->ctl->ack_sleeping, memory_order_seq_cst))
                    tvp_futex_wake(&s->ctl->ack, 1, s->priv);
            }
            if (++local == FLUSH_EVERY)
                flush(s, &local);
        }
    }
    flush(s, &local);
    me->sw = switches_since(sw0);
    me->sum = sum;
    me->rc = rc;
}

struct task_arg {
    struct qs *s;
    int idx; /* < P: producer idx; else consumer idx - P */
};

static void run_task(struct qs *s, int idx)
{
    if (idx < s->P)
        producer(s, idx);
    else
        consumer(s, idx - s->P);
}

static void *task_thread(void *arg)
{
    struct task_arg a = *(struct task_arg *)arg;
    free(arg);
    run_task(a.s, a.idx);
    return NULL;
}

/* ---- set-up ---- */

static void unmap(struct qs *s)
{
    if (s->map && munmap(s->map, s->map_len) != 0)
        tvp_warn(errno, "queues: unmapping the batch memory");
    s->map = NULL;
}

void tvp_qs_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct qs *s = state;
    if (!s)
        return;
    if (s->wedged)
        return; /* tasks may still touch it; the case process ends right after */
    tvp_bq_close(&s->q);
    unmap(s);
    free(s->merged);
    free(s->lat_all);
    free(s);
}

int tvp_qs_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct qs *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "queues: state");
        return -1;
    }
    int k = tvp_qk_find(c->variant); /* "fifo+batch16": the FIFO, 16 items per call */
    s->P = TVP_QS_PRODUCERS(c->arg);
    s->C = TVP_QS_CONSUMERS(c->arg);
    s->batch = TVP_QS_BATCH(c->arg);
    s->handoff = TVP_QS_HANDOFF(c->arg);
    s->item = (size_t)c->param_value;
    s->process = strcmp(c->model, "process") == 0;
    s->priv = s->process ? 0 : FUTEX_PRIVATE_FLAG;
    s->every = s->handoff ? 1 : TVP_QS_SAMPLE_EVERY;
    s->max_msgs = c->max_iters;
    if (k < 0 || s->P < 1 || s->C < 1 || s->P + s->C > MAX_TASKS || c->n_pus < s->P + s->C ||
        (s->item != 8 && s->item != 64) || s->max_msgs == 0 ||
        (!tvp_qk[k].multi && (s->P > 1 || s->C > 1)) || (s->handoff && (s->P > 1 || s->C > 1))) {
        snprintf(err, errlen, "queues: bad case %s %s (P %d, C %d, %zu bytes, %d PUs)",
                 c->benchmark, c->variant, s->P, s->C, s->item, c->n_pus);
        free(s);
        return -1;
    }
    s->kind = (enum tvp_qk)k;
    memcpy(s->pus, c->pus, sizeof(int) * (size_t)(s->P + s->C));
    int shared_pu = 0;
    for (int i = 0; i < s->P + s->C; i++)
        for (int j = 0; j < i; j++)
            shared_pu |= s->pus[i] == s->pus[j];
    unsigned spin = shared_pu ? 0 : RING_SPIN;
    if (tvp_bq_open(&s->q, s->kind, TVP_QS_CAPACITY, s->item, s->process, spin, err, errlen) != 0) {
        free(s);
        return -1;
    }

    s->bitmap_words = (size_t)(s->max_msgs + 63) / 64;
    s->lat_cap = (size_t)(s->max_msgs / s->every) + (size_t)s->P;
    size_t off_ctl = 0, off_prod = align64(sizeof(struct ctl));
    size_t off_cons = off_prod + align64(sizeof(struct prod) * (size_t)s->P);
    size_t off_stamps = off_cons + align64(sizeof(struct cons) * (size_t)s->C);
    size_t off_bm = off_stamps + align64(sizeof(uint64_t) * s->lat_cap);
    size_t off_last = off_bm + align64(sizeof(uint64_t) * s->bitmap_words * (size_t)s->C);
    size_t off_lat = off_last + align64(sizeof(int64_t) * (size_t)s->P * (size_t)s->C);
    s->map_len = off_lat + align64(sizeof(uint64_t) * s->lat_cap * (size_t)s->C);
    void *m = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE,
                   (s->process ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    s->merged = calloc(s->bitmap_words, sizeof(uint64_t));
    s->lat_all = calloc(s->lat_cap, sizeof(uint64_t));
    if (m == MAP_FAILED || !s->merged || !s->lat_all) {
        tvp_errfmt(err, errlen, m == MAP_FAILED ? errno : ENOMEM,
                   "queues: %zu bytes for the batch's checks", s->map_len);
        if (m != MAP_FAILED)
            munmap(m, s->map_len);
        tvp_bq_close(&s->q);
        free(s->merged);
        free(s->lat_all);
        free(s);
        return -1;
    }
    s->map = m;
    char *b = m;
    s->ctl = (struct ctl *)(b + off_ctl);
    s->prod = (struct prod *)(b + off_prod);
    s->cons = (struct cons *)(b + off_cons);
    s->stamps = (uint64_t *)(b + off_stamps);
    s->bitmaps = (uint64_t *)(b + off_bm);
    s->last = (int64_t *)(b + off_last);
    s->lat = (uint64_t *)(b + off_lat);
    tvp_runner_note("%s, capacity %d, %zu-byte messages%s", tvp_qk[k].what, TVP_QS_CAPACITY,
                    s->item,
                    s->kind < TVP_QK_SPSC ? ""
                    : spin                ? "; the ring spins 1000 pauses before sleeping"
                                          : "; the ring sleeps at once (tasks share a PU)");
    *state = s;
    return 0;
}

/* ---- one batch ---- */

int tvp_qs_order_blind = 0;

/* The position an item must have in the take order: FIFO kinds by put index, LIFO by reversed
 * put index, priority by (priority, put index), each key distinct. */
static inline int key_before(enum tvp_qk kind, const int64_t *prio, uint64_t a, uint64_t b)
{
    if (kind == TVP_QK_LIFO)
        return a > b;
    if (kind == TVP_QK_PRIORITY)
        return prio[a] < prio[b] || (prio[a] == prio[b] && a < b);
    return a < b;
}

int tvp_qs_order_ok(enum tvp_qk kind, size_t n, const int64_t *prio, const uint64_t *taken,
                    char *why, size_t len)
{
    if (tvp_qs_order_blind == 1 || tvp_qs_order_blind == 2 + (int)kind)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (taken[i] >= n) {
            snprintf(why, len, "take %zu gave item %llu of %zu", i, (unsigned long long)taken[i],
                     n);
            return -1;
        }
        /* Every key distinct, so strictly increasing keys over n items in range are exactly the
         * n items in the kind's order: no item missing or taken twice can pass. */
        if (i > 0 && !key_before(kind, prio, taken[i - 1], taken[i])) {
            snprintf(why, len, "take %zu gave item %llu after item %llu", i,
                     (unsigned long long)taken[i], (unsigned long long)taken[i - 1]);
            return -1;
        }
    }
    return 0;
}

/* After one task drained everything it put: one more get, which must find the queue empty. The
 * SPSC ring's consumer publishes the slots it freed lazily (ring_spsc.h: every capacity / 16
 * pops, or when a pop finds the ring empty), so without it up to capacity / 16 slots would stay
 * held and a full refill by the same task would find the ring full. A consumer of a stream ends
 * its run of pops the same way. For the other kinds it only checks that nothing is left. */
static int end_drain(struct tvp_bq *q)
{
    struct msg m;
    int rc = tvp_bq_get(q, &m, TVP_QUEUE_NOWAIT);
    return rc == EAGAIN ? 0 : rc == 0 ? EEXIST : rc; /* EEXIST: an item nobody put */
}

/* Puts n items (tag = put index, priority prio[i]) into an empty queue from one task, takes them
 * back into taken[], and checks their order with tvp_qs_order_ok. Then the negative control:
 * the same output with its first two takes swapped, through the same check, which must refuse
 * it (any two adjacent items of a strict order swapped are out of order, for every kind). *caught
 * says whether it did. -1 with err only when the queue itself failed the check or a call. */
static int order_round(struct tvp_bq *q, enum tvp_qk kind, size_t n, const int64_t *prio,
                       uint64_t *taken, int *caught, char *err, size_t errlen)
{
    struct msg m = {0};
    char why[160];
    for (size_t i = 0; i < n; i++) {
        m.tag = (uint64_t)i;
        int rc = tvp_bq_put(q, &m, prio[i], TVP_QUEUE_NOWAIT);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "%s: order check: put %zu", tvp_qk[kind].name, i);
            return -1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        int rc = tvp_bq_get(q, &m, TVP_QUEUE_NOWAIT);
        if (rc != 0) {
            tvp_errfmt(err, errlen, rc, "%s: order check: take %zu of %zu", tvp_qk[kind].name, i,
                       n);
            return -1;
        }
        taken[i] = m.tag;
    }
    int rc = end_drain(q);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "%s: order check: the queue after its %zu items were taken",
                   tvp_qk[kind].name, n);
        return -1;
    }
    if (tvp_qs_order_ok(kind, n, prio, taken, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s: order check: %s", tvp_qk[kind].name, why);
        return -1;
    }
    *caught = 0;
    if (n >= 2) {
        uint64_t t = taken[0];
        taken[0] = taken[1];
        taken[1] = t;
        *caught = tvp_qs_order_ok(kind, n, prio, taken, why, sizeof why) != 0;
    }
    return 0;
}

/* The main task alone puts ORDER_ITEMS items with tied priorities and takes them back: they
 * must come out in the kind's order; *caught: the swapped control was refused. */
static int order_check(struct qs *s, int *caught, char *err, size_t errlen)
{
    int64_t prio[ORDER_ITEMS];
    uint64_t taken[ORDER_ITEMS];
    for (int i = 0; i < ORDER_ITEMS; i++)
        prio[i] = (i * 7) % 5; /* ties: every priority six or seven times */
    return order_round(&s->q, s->kind, ORDER_ITEMS, prio, taken, caught, err, errlen);
}

static int start_tasks(struct qs *s, char *err, size_t errlen)
{
    int n = s->P + s->C;
    for (s->started = 0; s->started < n; s->started++) {
        int i = s->started;
        if (s->process) {
            pid_t pid = fork();
            if (pid < 0) {
                tvp_errfmt(err, errlen, errno, "queues: fork of task %d", i);
                return -1;
            }
            if (pid == 0) {
                int e = tvp_task_name("tvp-q-%s%d", i < s->P ? "prod" : "cons",
                                      i < s->P ? i : i - s->P);
                if (e != 0)
                    tvp_warn(e, "queues: naming task %d", i);
                run_task(s, i);
                _exit(0);
            }
            s->pid[i] = pid;
            continue;
        }
        struct task_arg *a = malloc(sizeof *a);
        int rc = a ? 0 : ENOMEM;
        if (rc == 0) {
            a->s = s;
            a->idx = i;
            rc = tvp_start_bound_thread(&s->th[i], s->pus[i], task_thread, a);
        }
        if (rc != 0) {
            free(a);
            tvp_errfmt(err, errlen, rc, "queues: starting task %d", i);
            return -1;
        }
    }
    return 0;
}

static const char *task_role(const struct qs *s, int i, int *index)
{
    *index = i < s->P ? i : i - s->P;
    return i < s->P ? "producer" : "consumer";
}

/* Ends task i (a producer or consumer that has finished or is about to). */
static int end_task(struct qs *s, int i, char *err, size_t errlen)
{
    if (s->process) {
        int st, idx, rc = tvp_wait_child(s->pid[i], &st);
        const char *role = task_role(s, i, &idx);
        if (rc != 0)
            tvp_errfmt(err, errlen, rc, "queues: waiting for %s %d (pid %d)", role, idx,
                       (int)s->pid[i]);
        else if (!tvp_child_ok(st))
            tvp_task_describe(err, errlen, role, idx, s->pid[i], st);
        s->pid[i] = 0;
        return rc != 0 || !tvp_child_ok(st) ? -1 : 0;
    }
    int rc = pthread_join(s->th[i], NULL);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "queues: joining task %d", i);
        return -1;
    }
    return 0;
}

/* After a failure with tasks possibly blocked: processes are killed and reaped; threads cannot
 * be, so the memory they use stays mapped until the case process exits. */
static void abandon_tasks(struct qs *s)
{
    if (!s->process) {
        s->wedged = s->started > 0;
        return;
    }
    /* A process killed asleep in a condition variable leaves it with a waiter that never
     * leaves, and pthread_cond_destroy would wait for it: the queue is only unmapped. */
    s->q.q = NULL;
    for (int i = 0; i < s->started; i++)
        if (s->pid[i] > 0) {
            if (kill(s->pid[i], SIGKILL) != 0 && errno != ESRCH)
                tvp_warn(errno, "queues: killing task %d (pid %d)", i, (int)s->pid[i]);
            int e = tvp_wait_child(s->pid[i], NULL);
            if (e != 0)
                tvp_warn(e, "queues: reaping task %d (pid %d)", i, (int)s->pid[i]);
            s->pid[i] = 0;
        }
    s->started = 0;
}

/* 0 while every task process runs (threads cannot die alone); otherwise the first dead one
 * named in err ("fifo: consumer 1 (pid 1234) was killed by signal 9 (Killed)"), every task
 * killed and reaped (the others may wait for ever on what the dead one was to put or take, or
 * on a lock it held), -1. */
static int tasks_check(void *state, char *err, size_t errlen)
{
    struct qs *s = state;
    if (!s->process)
        return 0;
    for (int i = 0; i < s->started; i++) {
        int idx;
        const char *role = task_role(s, i, &idx);
        char why[200];
        if (s->pid[i] <= 0 || tvp_task_failed(s->pid[i], role, idx, why, sizeof why) == 0)
            continue;
        snprintf(err, errlen, "%s: %s", tvp_qk[s->kind].name, why);
        abandon_tasks(s);
        return -1;
    }
    return 0;
}

/* Waits until every task has arrived at the start gate, watching them. */
static int wait_arrived(struct qs *s, char *err, size_t errlen)
{
    return tvp_task_watch_count(&s->ctl->arrived, (uint32_t)(s->P + s->C), s->priv, tasks_check, s,
                                "queues: waiting for the tasks to start", err, errlen) != 0
               ? -1
               : 0;
}

/* Waits until the consumers have taken `total`, failing on a stall or a dead task. */
static int wait_finished(struct qs *s, char *err, size_t errlen)
{
    struct ctl *k = s->ctl;
    uint64_t last = UINT64_MAX, since = tvp_now_ns();
    while (!atomic_load_explicit(&k->finished, memory_order_acquire)) {
        struct timespec dl;
        tvp_deadline_after(TVP_TASK_WATCH_NS, &dl);
        int rc = tvp_futex_wait_until(&k->finished, 0, s->priv, &dl);
        if (rc != 0 && rc != ETIMEDOUT) {
            tvp_errfmt(err, errlen, rc, "queues: waiting for the consumers");
            return -1;
        }
        if (rc == ETIMEDOUT && tasks_check(s, err, errlen) != 0)
            return -2; /* every task is gone already */
        uint64_t c = atomic_load_explicit(&k->consumed, memory_order_relaxed), now = tvp_now_ns();
        if (c != last) {
            last = c;
            since = now;
        } else if (now - since > STALL_NS &&
                   atomic_load_explicit(&k->producers_done, memory_order_acquire) ==
                       (uint32_t)s->P) {
            snprintf(err, errlen,
                     "%s: lost messages: the consumers took %llu of %llu and nothing more for "
                     "%.1f s after every producer finished",
                     tvp_qk[s->kind].name, (unsigned long long)c, (unsigned long long)k->total,
                     STALL_NS / 1e9);
            return -1;
        }
    }
    return 0;
}

/* Every message exactly once, checksums equal, no consumer complaint. */
static int verify(struct qs *s, uint64_t iters, char *err, size_t errlen)
{
    uint64_t sent = 0, got = 0, count = 0;
    for (int p = 0; p < s->P; p++) {
        if (s->prod[p].rc) {
            tvp_errfmt(err, errlen, s->prod[p].rc, "%s: producer %d: put", tvp_qk[s->kind].name, p);
            return -1;
        }
        sent += s->prod[p].sum;
    }
    for (int c = 0; c < s->C; c++) {
        if (s->cons[c].rc) {
            tvp_errfmt(err, errlen, s->cons[c].rc, "%s: consumer %d: get", tvp_qk[s->kind].name, c);
            return -1;
        }
        if (s->cons[c].why[0]) {
            snprintf(err, errlen, "%s: %s", tvp_qk[s->kind].name, s->cons[c].why);
            return -1;
        }
        got += s->cons[c].sum;
        count += s->cons[c].count;
    }
    size_t words = (size_t)(iters + 63) / 64;
    memset(s->merged, 0, words * sizeof(uint64_t));
    for (int c = 0; c < s->C; c++) {
        const uint64_t *bm = s->bitmaps + (size_t)c * s->bitmap_words;
        for (size_t w = 0; w < words; w++) {
            if (s->merged[w] & bm[w]) {
                snprintf(err, errlen, "%s: a message was received by two consumers (index %zu+)",
                         tvp_qk[s->kind].name, w * 64);
                return -1;
            }
            s->merged[w] |= bm[w];
        }
    }
    for (size_t w = 0; w < words; w++) {
        uint64_t want =
            w + 1 < words || iters % 64 == 0 ? UINT64_MAX : (UINT64_C(1) << (iters % 64)) - 1;
        if (s->merged[w] != want) {
            uint64_t missing = want & ~s->merged[w];
            snprintf(err, errlen, "%s: message %llu of %llu never received", tvp_qk[s->kind].name,
                     (unsigned long long)(w * 64 + (uint64_t)__builtin_ctzll(missing)),
                     (unsigned long long)iters);
            return -1;
        }
    }
    if (count != iters || sent != got) {
        snprintf(err, errlen, "%s: received %llu of %llu messages, checksum %llx, sent %llx",
                 tvp_qk[s->kind].name, (unsigned long long)count, (unsigned long long)iters,
                 (unsigned long long)got, (unsigned long long)sent);
        return -1;
    }
    return 0;
}

int tvp_qs_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
               size_t errlen)
{
    (void)c;
    struct qs *s = state;
    struct ctl *k = s->ctl;
    if (iters > s->max_msgs) {
        snprintf(err, errlen, "queues: %llu messages exceed the case's cap %llu",
                 (unsigned long long)iters, (unsigned long long)s->max_msgs);
        return -1;
    }
    int caught = 0;
    if (order_check(s, &caught, err, errlen) != 0)
        return -1;
    memset(k, 0, sizeof *k);
    k->total = iters;
    uint64_t first = 0, stamp = 0;
    for (int p = 0; p < s->P; p++) {
        struct prod *pr = &s->prod[p];
        pr->quota = iters / (uint64_t)s->P + (p == 0 ? iters % (uint64_t)s->P : 0);
        pr->first = first;
        pr->stamp_base = stamp;
        pr->sum = 0;
        pr->rc = 0;
        atomic_store_explicit(&pr->cpu, -1, memory_order_relaxed);
        first += pr->quota;
        stamp += pr->quota / s->every + 1;
    }
    size_t words = (size_t)(iters + 63) / 64;
    for (int cn = 0; cn < s->C; cn++) {
        struct cons *co = &s->cons[cn];
        co->sum = co->count = co->nlat = 0;
        co->rc = 0;
        co->why[0] = '\0';
        atomic_store_explicit(&co->cpu, -1, memory_order_relaxed);
        memset(s->bitmaps + (size_t)cn * s->bitmap_words, 0, words * sizeof(uint64_t));
        for (int p = 0; p < s->P; p++)
            s->last[(size_t)cn * (size_t)s->P + (size_t)p] = -1;
    }
    if (start_tasks(s, err, errlen) != 0) {
        atomic_store_explicit(&k->go, 1, memory_order_release); /* let started ones run out */
        tvp_futex_wake(&k->go, INT_MAX, s->priv);
        abandon_tasks(s);
        return -1;
    }
    if (wait_arrived(s, err, errlen) != 0) {
        if (s->started > 0) { /* a failed wait, every task alive: let them run out */
            atomic_store_explicit(&k->go, 1, memory_order_release);
            tvp_futex_wake(&k->go, INT_MAX, s->priv);
            abandon_tasks(s);
        }
        return -1;
    }

    uint64_t get0, put0, get1, put1;
    tvp_bq_sleeps(&s->q, &get0, &put0);
    uint64_t t0 = tvp_now_ns();
    atomic_store_explicit(&k->go, 1, memory_order_release);
    tvp_futex_wake(&k->go, INT_MAX, s->priv);
    int rc = wait_finished(s, err, errlen);
    uint64_t t1 = tvp_now_ns();
    if (rc == -2)
        return -1;
    /* Sleeps begun between the gate opening and the main task seeing the last message taken.
     * A consumer's wait for its end-of-batch pill may fall on either side of this read: at most
     * one sleep per consumer per batch (the sleeps-per-msg figures of a batch of a few messages
     * carry it visibly). */
    tvp_bq_sleeps(&s->q, &get1, &put1);
    /* A stall is only declared once every producer has finished, so even then the tasks can be
     * ended the normal way: producers first (only then may the main task put the pills: an SPSC
     * ring has one producer at a time), then a pill per consumer. */
    char why[256];
    for (int p = 0; p < s->P; p++)
        if (end_task(s, p, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s", why);
            abandon_tasks(s);
            return -1;
        }
    struct msg pill;
    memset(&pill, 0xff, sizeof pill);
    for (int cn = 0; cn < s->C; cn++) {
        int prc = tvp_bq_put(&s->q, &pill, INT64_MAX, TVP_QUEUE_FOREVER);
        if (prc != 0) {
            tvp_errfmt(err, errlen, prc, "queues: putting the end-of-batch pill");
            abandon_tasks(s);
            return -1;
        }
    }
    for (int cn = 0; cn < s->C; cn++)
        if (end_task(s, s->P + cn, why, sizeof why) != 0) {
            snprintf(err, errlen, "%s", why);
            abandon_tasks(s);
            return -1;
        }
    if (rc != 0) {
        s->started = 0;
        return -1;
    }
    s->started = 0;
    for (int t = 0; t < s->P + s->C; t++) {
        int cpu = atomic_load_explicit(t < s->P ? &s->prod[t].cpu : &s->cons[t - s->P].cpu,
                                       memory_order_relaxed);
        if (cpu <= BIND_FAILED) {
            tvp_errfmt(err, errlen, BIND_FAILED - cpu, "queues: %s %d: binding to PU %d",
                       t < s->P ? "producer" : "consumer", t < s->P ? t : t - s->P, s->pus[t]);
            return -1;
        }
        tvp_runner_note_cpu(cpu);
    }
    if (verify(s, iters, err, errlen) != 0)
        return -1;

    size_t nl = 0;
    uint64_t lat_sum = 0;
    for (int cn = 0; cn < s->C; cn++) {
        const uint64_t *lat = s->lat + (size_t)cn * s->lat_cap;
        for (uint64_t i = 0; i < s->cons[cn].nlat && nl < s->lat_cap; i++) {
            s->lat_all[nl++] = lat[i];
            lat_sum += lat[i];
        }
    }
    uint64_t p50 = 0, p99 = 0;
    if (nl > 0)
        tvp_u64_p50_p99(s->lat_all, nl, &p50, &p99);
    if (s->handoff) {
        totals[0] += lat_sum;
        totals[1] += p50 * iters;
        totals[2] += p99 * iters;
    } else {
        totals[0] += t1 - t0;
        totals[1] += p50 * iters;
        totals[2] += p99 * iters;
        totals[TVP_QS_M_GET_SLEEPS] += get1 - get0;
        totals[TVP_QS_M_PUT_SLEEPS] += put1 - put0;
        totals[TVP_QS_M_CONTROL] += caught ? iters : 0; /* per message: 1 when caught */
        /* Voluntary ones include each consumer's wait for its pill: one per consumer at most. */
        struct switches sw = {0, 0, 1};
        for (int i = 0; i < s->P + s->C; i++) {
            const struct switches *t = i < s->P ? &s->prod[i].sw : &s->cons[i - s->P].sw;
            sw.vol += t->vol;
            sw.invol += t->invol;
            sw.ok &= t->ok;
        }
        if (!sw.ok) {
            snprintf(err, errlen, "queues: getrusage(RUSAGE_THREAD) failed in a task");
            return -1;
        }
        totals[TVP_QS_M_SWITCHES] += sw.vol;
        totals[TVP_QS_M_PREEMPTED] += sw.invol;
    }
    return 0;
}

/* ---- own cost: one task, no wake-ups ---- */

struct own {
    struct tvp_bq q;
    enum tvp_qk kind;
    size_t depth;
    int64_t *prio;   /* depth or ORDER_ITEMS priorities, for the order round */
    uint64_t *taken; /* as many takes */
    size_t check_n;
};

int tvp_qs_own_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    int k = tvp_qk_find(c->variant);
    long long depth = c->param_value;
    if (k < 0 || depth < 1 || depth > TVP_QS_CAPACITY) {
        snprintf(err, errlen, "queues: bad own-cost case %s depth %lld", c->variant, depth);
        return -1;
    }
    struct own *o = calloc(1, sizeof *o);
    if (!o) {
        tvp_errfmt(err, errlen, ENOMEM, "queues: own-cost state");
        return -1;
    }
    o->kind = (enum tvp_qk)k;
    o->depth = (size_t)depth;
    o->check_n = o->depth < ORDER_ITEMS ? ORDER_ITEMS : o->depth;
    o->prio = calloc(o->check_n, sizeof *o->prio);
    o->taken = calloc(o->check_n, sizeof *o->taken);
    /* Spin 0: one task never waits on itself, so a ring that had to would fail at once. */
    if (!o->prio || !o->taken ||
        tvp_bq_open(&o->q, o->kind, TVP_QS_CAPACITY, sizeof(uint64_t), 0, 0, err, errlen) != 0) {
        if (!o->prio || !o->taken)
            tvp_errfmt(err, errlen, ENOMEM, "queues: own-cost order buffers");
        free(o->prio);
        free(o->taken);
        free(o);
        return -1;
    }
    if (c->arg != TVP_QS_OWN_MEMBER)
        tvp_runner_note("%s, capacity %d, 8-byte items; one task fills %zu items then drains "
                        "them, no other task, so no wake-up: CPU ns per put+get pair%s",
                        tvp_qk[k].what, TVP_QS_CAPACITY, o->depth,
                        o->kind == TVP_QK_SPSC ? "; each drain ends with a pop that finds the ring "
                                                 "empty, which publishes the freed slots"
                                               : "");
    *state = o;
    return 0;
}

/* The calling thread's CPU time. The own cost is that, not wall time: the task never sleeps,
 * so on an idle machine the two agree, while on a shared VM the wall clock also counts the
 * slices other tasks took from it (here several other benchmarks share two vCPUs). */
static int thread_cpu_ns(uint64_t *ns, const struct own *o, char *err, size_t errlen)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        tvp_errfmt(err, errlen, errno, "%s: own cost: reading the thread's CPU clock",
                   tvp_qk[o->kind].name);
        return -1;
    }
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return 0;
}

/* Slices a batch of the own cost is timed in; the fastest full slice gives the batch's figure. */
#define OWN_SLICES 8

int tvp_qs_own_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen)
{
    (void)c;
    struct own *o = state;
    uint64_t sent = 0, got = 0, seq = 0;
    int rc = 0;
    /* The batch is timed in slices of whole fills (a partial fill is a shallower queue, cheaper
     * for the heap) and the fastest full slice counts: the loop is deterministic, so whatever
     * makes one slice slower than another came from outside (another VM's task on the host's
     * sibling thread, an interrupt), and the minimum is the queue's own cost. A batch too short
     * for a full slice counts whole. */
    uint64_t slice = (iters / OWN_SLICES) / o->depth * o->depth;
    if (slice == 0)
        slice = iters;
    double best = -1;
    uint64_t cpu_all = 0;
    uint64_t t0 = tvp_now_ns();
    while (seq < iters && rc == 0) {
        uint64_t len = iters - seq < slice ? iters - seq : slice, c0, c1;
        if (thread_cpu_ns(&c0, o, err, errlen) != 0)
            return -1;
        for (uint64_t end = seq + len; seq < end && rc == 0;) {
            uint64_t n = end - seq < o->depth ? end - seq : o->depth;
            for (uint64_t i = 0; i < n && rc == 0; i++) {
                uint64_t tag = seq + i;
                sent += tag;
                rc = tvp_bq_put(&o->q, &tag, msg_prio(tag), TVP_QUEUE_NOWAIT);
            }
            for (uint64_t i = 0; i < n && rc == 0; i++) {
                uint64_t tag;
                rc = tvp_bq_get(&o->q, &tag, TVP_QUEUE_NOWAIT);
                got += tag;
            }
            if (rc == 0 && o->kind == TVP_QK_SPSC)
                rc = end_drain(&o->q);
            seq += n;
        }
        if (thread_cpu_ns(&c1, o, err, errlen) != 0)
            return -1;
        cpu_all += c1 - c0;
        double per = (double)(c1 - c0) / (double)len;
        /* A slice the CPU clock did not see advance (below its resolution) says nothing. */
        if (len == slice && c1 > c0 && (best < 0 || per < best))
            best = per;
    }
    uint64_t t1 = tvp_now_ns();
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "%s: own cost: a call on a queue of %zu items",
                   tvp_qk[o->kind].name, o->depth);
        return -1;
    }
    if (sent != got) {
        snprintf(err, errlen, "%s: own cost: checksum of the items taken %llx, put %llx",
                 tvp_qk[o->kind].name, (unsigned long long)got, (unsigned long long)sent);
        return -1;
    }
    /* Untimed: the order at this depth, with the stream's priorities (random 16-bit: a full
     * queue holds ties), and its negative control. */
    for (size_t i = 0; i < o->check_n; i++)
        o->prio[i] = msg_prio(i);
    int caught = 0;
    if (order_round(&o->q, o->kind, o->check_n, o->prio, o->taken, &caught, err, errlen) != 0)
        return -1;
    totals[TVP_QS_OWN_M_PAIR] += best >= 0 ? (uint64_t)(best * (double)iters + 0.5)
                                 : cpu_all ? cpu_all
                                           : t1 - t0; /* too short for the CPU clock */
    totals[TVP_QS_OWN_M_WALL] += t1 - t0;
    totals[TVP_QS_OWN_M_CONTROL] += caught ? iters : 0;
    return 0;
}

void tvp_qs_own_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct own *o = state;
    if (!o)
        return;
    tvp_bq_close(&o->q);
    free(o->prio);
    free(o->taken);
    free(o);
}
