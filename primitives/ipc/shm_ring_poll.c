/* Transport "shm-ring-poll": the shared-memory byte ring of shm_ring.h, where a side that has to
 * wait busy-polls the other side's index and never sleeps in the kernel — the lowest latency a
 * shared-memory transport can have, bought with a whole CPU per waiting side. This file is that
 * wait policy; the ring, send and recv included, is shm_ring.h's.
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

#include <errno.h>
#include <sched.h>

#define YIELD_EVERY   4096u
#define CLOCK_EVERY   256u
#define PEER_CHECK_NS 1000000LL /* 1 ms */

/* A release store: nobody sleeps, so nobody needs waking. */
static inline int publish(const struct tvp_ipc_pair *p, _Atomic uint32_t *index, uint32_t v,
                          _Atomic uint32_t *sleeping)
{
    (void)p;
    (void)sleeping;
    atomic_store_explicit(index, v, memory_order_release);
    return 0;
}

/* Spins until *index != seen. Returns 0, EPIPE when the peer ended with the index unchanged,
 * or the error of sched_yield. */
static int wait_change(const struct tvp_ipc_pair *p, int pidfd, _Atomic uint32_t *index,
                       uint32_t seen, _Atomic uint32_t *sleeping)
{
    (void)p;
    (void)sleeping;
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

TVP_SHM_RING_TRANSPORT(tvp_ipc_shm_ring_poll, "shm-ring-poll",
                       "shared-memory byte ring per direction; waits busy-poll (pause), never "
                       "sleep",
                       publish, wait_change);
