/* Transport "shm-ring-poll": the shared-memory byte ring of shm_ring.h, where a side that has to
 * wait busy-polls the other side's index and never sleeps in the kernel — the lowest latency a
 * shared-memory transport can have, bought with a whole CPU per waiting side.
 *
 * Waiting: load the index (acquire) and execute a pause instruction, again and again. Two
 * exceptions, both rare enough to stay off the fast path (which has no system call at all: a
 * publish is one release store):
 *   - every YIELD_EVERY (4096) spins a sched_yield(), so a peer that shares the CPU (more tasks
 *     than CPUs, or both pinned to one) still gets to run and publish; without it the waiter
 *     would burn its whole time slice each time;
 *   - about every millisecond of spinning (the clock is read every 256 spins, through the vDSO)
 *     a look at the peer's pidfd (process model): EPIPE when the peer ended and the index still
 *     has not moved (peer first, index second, so a peer that published and then ended is not
 *     mistaken for a dead one).
 * Publishing needs no wake-up, so no flag and no fence: the store-release of the index and the
 * other side's acquire load order the data (shm_ring.h). */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "shm_ring.h"
#include "tvp_err.h"

#include <errno.h>
#include <sched.h>

#define NAME          "shm-ring-poll"
#define YIELD_EVERY   4096u
#define CLOCK_EVERY   256u
#define PEER_CHECK_NS 1000000LL /* 1 ms */

/* Spins until *index != seen. Returns 0, EPIPE when the peer ended with the index unchanged,
 * or the error of sched_yield. */
static int wait_change(int pidfd, _Atomic uint32_t *index, uint32_t seen)
{
    int64_t last = -1;
    for (unsigned i = 1;; i++) {
        if (atomic_load_explicit(index, memory_order_acquire) != seen)
            return 0;
        TVP_SHM_RING_PAUSE();
        if (i % YIELD_EVERY == 0 && sched_yield() != 0)
            return errno;
        if (pidfd >= 0 && i % CLOCK_EVERY == 0) {
            int64_t t = tvp_shm_ring_now_ns();
            if (last < 0) {
                last = t;
            } else if (t - last >= PEER_CHECK_NS) {
                last = t;
                if (tvp_ipc_peer_gone(pidfd) &&
                    atomic_load_explicit(index, memory_order_acquire) == seen)
                    return EPIPE;
            }
        }
    }
}

static int fail(int e, const char *op, const char *what, char *err, size_t errlen)
{
    if (e == EPIPE)
        tvp_errfmt(err, errlen, 0, NAME ": %s: peer ended", op);
    else
        tvp_errfmt(err, errlen, e, NAME ": %s: %s", op, what);
    return e;
}

static int rp_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                   size_t errlen)
{
    return tvp_shm_ring_open(out, cfg, NAME, err, errlen);
}

static int rp_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                   size_t errlen)
{
    int e = tvp_shm_ring_check(p, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_shm_ring_side *s = &p->side[side];
    struct tvp_shm_ring *r = s->tx;
    const unsigned char *src = buf;
    while (len > 0) {
        size_t n = tvp_shm_ring_put(s, src, len);
        if (n == 0) {
            if ((e = wait_change(s->pidfd, &r->head, s->tx_head_cache)) != 0)
                return fail(e, "send", "sched_yield", err, errlen);
            continue;
        }
        atomic_store_explicit(&r->tail, s->tx_tail, memory_order_release);
        src += n;
        len -= n;
    }
    return 0;
}

static int rp_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                   size_t errlen)
{
    int e = tvp_shm_ring_check(p, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_shm_ring_side *s = &p->side[side];
    struct tvp_shm_ring *r = s->rx;
    unsigned char *dst = buf;
    while (len > 0) {
        size_t n = tvp_shm_ring_get(s, dst, len);
        if (n == 0) {
            if ((e = wait_change(s->pidfd, &r->tail, s->rx_head)) != 0)
                return fail(e, "recv", "sched_yield", err, errlen);
            continue;
        }
        atomic_store_explicit(&r->head, s->rx_head, memory_order_release);
        dst += n;
        len -= n;
    }
    return 0;
}

const struct tvp_ipc_transport tvp_ipc_shm_ring_poll = {
    .name = NAME,
    .description = "shared-memory byte ring per direction; waits busy-poll (pause), never sleep",
    .open = rp_open,
    .attach = tvp_shm_ring_attach,
    .send = rp_send,
    .recv = rp_recv,
    .detach = tvp_shm_ring_detach,
    .close = tvp_shm_ring_close,
    .chunk = tvp_shm_ring_chunk,
};
