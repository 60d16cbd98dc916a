/* Transport "shm-line-poll": the cache-line floor of a busy-polling shared-memory transport. Its
 * ring's slot is one cache line holding a sequence word and the payload together, so what the
 * receiver waits on and what it then reads arrive in the same line: a message of up to
 * LINE_PAYLOAD (56) bytes moves one line each way. The byte ring of shm-ring-poll (shm_ring.h)
 * moves at least two one after the other: the receiver sees the published tail, and only then
 * fetches the data line it guards.
 *
 * Layout, per direction, in one shared mapping (shm_map.h, made by open before the fork):
 * SLOTS (4096) slots of 64 bytes (256 KiB, as the byte ring), then the consumer's published head
 * on a line pair of its own. Slot positions run freely (64-bit); slot position q lives at
 * q % SLOTS and is full when its seq word is q + 1 (zero-filled memory: nothing is full).
 *
 * Send of len bytes: ceil(len / 56) consecutive slots; for each, the producer copies its piece of
 * the message into the slot's payload, then stores seq = q + 1 (release). A longer message is
 * thus written slot by slot, each slot's payload before its sequence is published, and the
 * receiver may read the first slots while the later ones are written. Recv: for each slot, spin
 * until seq == q + 1 (acquire), copy the payload out. Each slot carries its own sequence, so the
 * lines of one message are independent: the receiver's loads of them can overlap, no line waits
 * for another.
 *
 * Room: the producer may fill slot q only once the consumer is done with q - SLOTS. The consumer
 * publishes its head (positions consumed) lazily, every SLOTS / 4 slots and whenever it is about
 * to wait, so a steady stream costs a head line every 1024 messages and a ping-pong none; the
 * producer reads head only when its cached copy says the ring is full.
 *
 * Waiting, as shm-ring-poll (shm_ring_poll.c): busy-poll with a pause instruction, a
 * sched_yield every YIELD_EVERY spins (for a peer that shares the CPU), and about every
 * millisecond a look at the peer's pidfd (process model): EPIPE when the peer ended and the word
 * waited on still has not moved. Zero-length messages carry nothing, as on a byte stream.
 * One task per side at a time; positions are offsets, never pointers. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "shm_map.h"
#include "tvp_cpu_relax.h"

#include <errno.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME          "shm-line-poll"
#define LINE          64
#define APART         128
#define SLOTS         4096u /* a power of two */
#define LINE_PAYLOAD  (LINE - sizeof(uint64_t))
#define YIELD_EVERY   4096u
#define CLOCK_EVERY   256u
#define PEER_CHECK_NS 1000000LL /* 1 ms */

struct slot {
    alignas(LINE) _Atomic uint64_t seq; /* position + 1 once full */
    unsigned char payload[LINE_PAYLOAD];
};

struct line_ring {
    struct slot slot[SLOTS];
    alignas(APART) _Atomic uint64_t head; /* positions the consumer is done with (lazy) */
    unsigned char pad_[APART - sizeof(uint64_t)];
};

struct line_side {
    alignas(APART) struct line_ring *tx, *rx;
    uint64_t tx_pos, tx_head_cache; /* next position to write; head as last read */
    uint64_t rx_pos;                /* next position to read */
    int pidfd;                      /* the peer (process model), else -1 */
};

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    void *map;
    size_t map_len;
    struct line_side side[2];
};

_Static_assert(sizeof(struct slot) == LINE, "a slot is one cache line");
_Static_assert((SLOTS & (SLOTS - 1)) == 0, "slot count: a power of two");
_Static_assert(sizeof(struct tvp_ipc_pair) % APART == 0, "aligned_alloc size");

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for this clock with a valid ts */
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Spins until ready(w, want) holds for *w. 0, EPIPE (peer ended, still not ready), or
 * sched_yield's error. */
static int spin_until(int pidfd, _Atomic uint64_t *w, uint64_t want, int at_least)
{
    int64_t last = -1;
    for (unsigned i = 1;; i++) {
        uint64_t v = atomic_load_explicit(w, memory_order_acquire);
        if (at_least ? v >= want : v == want)
            return 0;
        tvp_cpu_relax();
        if (i % YIELD_EVERY == 0 && sched_yield() != 0)
            return errno;
        if (pidfd >= 0 && i % CLOCK_EVERY == 0) {
            int64_t t = now_ns();
            if (last < 0) {
                last = t;
            } else if (t - last >= PEER_CHECK_NS) {
                last = t;
                v = atomic_load_explicit(w, memory_order_acquire);
                if (tvp_ipc_peer_gone(pidfd) && !(at_least ? v >= want : v == want))
                    return EPIPE;
            }
        }
    }
}

static int line_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++)
        tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->side[s].pidfd), err, errlen,
                           NAME ": close: closing side %d's pidfd", s);
    tvp_ipc_keep_first(&rc, tvp_shm_map_close(p->map, p->map_len), err, errlen, NAME ": munmap");
    free(p);
    return rc;
}

static int line_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                     size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX, sizeof *p, APART, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    p->side[0].pidfd = p->side[1].pidfd = -1;
    p->map_len = 2 * sizeof(struct line_ring);
    if ((e = tvp_shm_map_open(&p->map, p->map_len, NAME, "lines", err, errlen)) != 0)
        return tvp_ipc_open_done(out, p, e, line_close);
    struct line_ring *r = p->map; /* zero-filled: every slot empty, heads 0 */
    for (int s = 0; s < 2; s++) {
        p->side[s].tx = &r[s];
        p->side[s].rx = &r[1 - s];
    }
    return tvp_ipc_open_done(out, p, 0, line_close);
}

static int line_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    return tvp_ipc_attach_watching(&p->h, &p->side[side].pidfd, side, peer, err, errlen);
}

static int line_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    return tvp_ipc_detach_watching(&p->h, &p->side[side].pidfd, side, err, errlen);
}

static int line_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                     size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct line_side *s = &p->side[side];
    const unsigned char *src = buf;
    while (len > 0) {
        uint64_t q = s->tx_pos;
        if (q - s->tx_head_cache >= SLOTS) { /* full as far as we know: look at head */
            s->tx_head_cache = atomic_load_explicit(&s->tx->head, memory_order_acquire);
            if (q - s->tx_head_cache >= SLOTS) {
                if ((e = spin_until(s->pidfd, &s->tx->head, q - SLOTS + 1, 1)) != 0)
                    return tvp_ipc_fail(NAME, "send", e, "waiting for room", err, errlen);
                s->tx_head_cache = atomic_load_explicit(&s->tx->head, memory_order_acquire);
            }
        }
        struct slot *sl = &s->tx->slot[q & (SLOTS - 1)];
        size_t n = len < LINE_PAYLOAD ? len : LINE_PAYLOAD;
        memcpy(sl->payload, src, n);
        atomic_store_explicit(&sl->seq, q + 1, memory_order_release);
        s->tx_pos = q + 1;
        src += n;
        len -= n;
    }
    return 0;
}

static int line_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                     size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    struct line_side *s = &p->side[side];
    unsigned char *dst = buf;
    while (len > 0) {
        uint64_t q = s->rx_pos;
        struct slot *sl = &s->rx->slot[q & (SLOTS - 1)];
        if (atomic_load_explicit(&sl->seq, memory_order_acquire) != q + 1) {
            /* About to wait: give the producer every slot read so far first. */
            atomic_store_explicit(&s->rx->head, q, memory_order_release);
            if ((e = spin_until(s->pidfd, &sl->seq, q + 1, 0)) != 0)
                return tvp_ipc_fail(NAME, "recv", e, "waiting for data", err, errlen);
        }
        size_t n = len < LINE_PAYLOAD ? len : LINE_PAYLOAD;
        memcpy(dst, sl->payload, n);
        s->rx_pos = q + 1;
        if ((s->rx_pos & (SLOTS / 4 - 1)) == 0)
            atomic_store_explicit(&s->rx->head, s->rx_pos, memory_order_release);
        dst += n;
        len -= n;
    }
    return 0;
}

const struct tvp_ipc_transport tvp_ipc_shm_line_poll = TVP_IPC_DESCRIPTOR(
    NAME,
    "busy-polling ring of one-line slots (sequence and 56-byte payload in the same line): one "
    "line moves each way per small message, the cache-line floor",
    line_open, line_attach, line_send, line_recv, line_detach, line_close, tvp_ipc_chunk);
