/* Transport "shm-ring-futex": the shared-memory byte ring of shm_ring.h, where a side that has
 * to wait (consumer: ring empty; producer: ring full) spins briefly and then sleeps on a futex.
 * This file is that wait policy; the ring, send and recv included, is shm_ring.h's.
 *
 * Waiting: the futex words are the ring's indices themselves — the consumer sleeps on tail
 * while tail == its head, the producer on head while head == its tail - CAP — so the kernel's
 * compare under its hash-bucket lock is the "still nothing to do" test. Before sleeping a side
 * spins for SPIN_NS (10 us, about what one sleep plus wake-up costs both sides, so spinning at
 * most doubles the cost of a wait that ends up sleeping, and saves the system calls of a wait
 * that does not), then sleeps in slices of TVP_IPC_SLICE_MS (100 ms, ipc_common.h) on an
 * absolute CLOCK_MONOTONIC deadline; after each slice it checks the peer's pidfd (process model)
 * and returns EPIPE when the peer has ended and the index still has not moved. So a dead peer is
 * noticed within about 100 ms, and a live one costs nothing extra.
 *
 * No system call on the fast path: a side announces that it may sleep in the ring's
 * cons_sleeping / prod_sleeping flag, and the other side calls FUTEX_WAKE only when it sees that
 * flag set. The pairing is Dekker-style (store one word, then load the other, on both sides):
 *
 *   publisher (publish):                 waiter (wait_change):
 *     S1: store index    (seq_cst)         S2: store sleeping = 1 (seq_cst)
 *     L1: load sleeping  (seq_cst)         L2: load index         (seq_cst), then FUTEX_WAIT
 *
 * All four are in the single total order of seq_cst operations. If S1 comes before L2, the
 * waiter sees the new index and does not sleep; otherwise S2 comes before L1 (each store comes
 * before its own load) and the publisher sees sleeping = 1 and wakes. A wake between the waiter's
 * check and its entry into the kernel is not lost either: FUTEX_WAIT re-reads the index under
 * the bucket lock and returns at once when it changed. The flag stays set while the waiter
 * loops and is cleared (relaxed) when it returns; a publisher that still sees the stale 1 only
 * makes one FUTEX_WAKE too many. Each direction has one producer and one consumer, so one flag
 * per role is enough and a wake wakes 1.
 *
 * Why seq_cst stores and loads rather than a release store, a seq_cst fence and a relaxed load:
 * the same guarantee, but gcc refuses atomic_thread_fence under -fsanitize=thread, and this way
 * the ThreadSanitizer build runs the very code the others do. The cost is the same full barrier
 * on the publish path (on x86 an xchg of the index instead of a mov and a locked or on the
 * stack); a 64 B ping-pong between two threads measured about 200 ns per round trip with either
 * form. The index line is written anyway, so no extra line moves.
 *
 * The data itself is ordered by the index's release store and the other side's acquire load
 * (shm_ring.h); the seq_cst pairs only decide who wakes whom. futex_priv is FUTEX_PRIVATE_FLAG in
 * the thread model and 0 in the process model (the ring is in MAP_SHARED memory). */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "shm_ring.h"
#include "tvp_futex.h"

#include <errno.h>

#define SPIN_NS 10000LL /* 10 us */

/* Stores a new index value and wakes the other side if it announced it may sleep on it.
 * Returns 0 or the error of FUTEX_WAKE. */
static inline int publish(const struct tvp_ipc_pair *p, _Atomic uint32_t *index, uint32_t v,
                          _Atomic uint32_t *sleeping)
{
    atomic_store_explicit(index, v, memory_order_seq_cst);         /* S1: also a release */
    if (atomic_load_explicit(sleeping, memory_order_seq_cst) == 0) /* L1 */
        return 0;
    return tvp_futex_wake(index, 1, p->futex_priv);
}

/* Waits until *index != seen: spins, then sleeps on the futex in slices, watching pidfd.
 * Returns 0, EPIPE when the peer ended with the index unchanged, or the futex's error. */
static int wait_change(const struct tvp_ipc_pair *p, int pidfd, _Atomic uint32_t *index,
                       uint32_t seen, _Atomic uint32_t *sleeping)
{
    int64_t t0 = tvp_shm_ring_now_ns();
    for (unsigned i = 1;; i++) {
        if (atomic_load_explicit(index, memory_order_acquire) != seen)
            return 0;
        TVP_SHM_RING_PAUSE();
        if ((i & 15) == 0 && tvp_shm_ring_now_ns() - t0 >= SPIN_NS)
            break;
    }
    atomic_store_explicit(sleeping, 1, memory_order_seq_cst); /* S2 */
    int rc;
    for (;;) {
        /* L2 (later rounds need only acquire, but one load serves both) */
        if (atomic_load_explicit(index, memory_order_seq_cst) != seen) {
            rc = 0;
            break;
        }
        struct timespec deadline;
        tvp_ipc_slice_deadline(CLOCK_MONOTONIC, &deadline);
        int e = tvp_futex_wait_until(index, seen, p->futex_priv, &deadline);
        if (e == ETIMEDOUT) {
            /* Peer first, index second: a peer that published and then ended is not "gone". */
            if (tvp_ipc_peer_gone(pidfd) &&
                atomic_load_explicit(index, memory_order_acquire) == seen) {
                rc = EPIPE;
                break;
            }
            continue;
        }
        if (e != 0) {
            rc = e;
            break;
        }
    }
    atomic_store_explicit(sleeping, 0, memory_order_relaxed);
    return rc;
}

TVP_SHM_RING_TRANSPORT(tvp_ipc_shm_ring_futex, "shm-ring-futex",
                       "shared-memory byte ring per direction; waits spin 10 us, then sleep on a "
                       "futex",
                       publish, wait_change);
