/* A blocking wrapper over the SPSC or the MPMC ring (ring_spsc.h, ring_mpmc.h): push waits while
 * the ring is full, pop while it is empty, first spinning on the try operation a bounded number
 * of times, then sleeping on a futex word that the other side wakes.
 *
 *   tvp_blocking_ring_size  bytes needed for the wrapper and its ring; 0 if the shape is invalid
 *                           for that kind of ring (or kind is unknown).
 *   tvp_blocking_ring_init  lays both out in mem (64-byte aligned; malloc'd for threads, or
 *                           MAP_SHARED before a fork with pshared = 1 for processes). spin: how
 *                           many extra try operations before sleeping (0: sleep at once). 0, or
 *                           EINVAL with "blocking ring: what: why" in err. Nothing to destroy.
 *   push / pop              one item. timeout_ns: TVP_RING_FOREVER, TVP_RING_NOWAIT (one try,
 *                           no spinning) or > 0, a limit on CLOCK_MONOTONIC (absolute deadline
 *                           internally, so wake-ups that find nothing do not extend it). Returns
 *                           0; EAGAIN (NOWAIT, and full / empty); ETIMEDOUT (never before
 *                           timeout_ns has passed); EINVAL (a negative timeout other than
 *                           FOREVER); or a futex error number (EFAULT, ENOSYS: nothing moved).
 *   push_many               pushes all n items in order, waiting for room as often as needed;
 *                           *done says how many went in, also on ETIMEDOUT / EAGAIN (NOWAIT: as
 *                           many as fit at once, EAGAIN unless all did). n == 0: 0 at once.
 *   pop_many                waits for at least one item, then takes up to max (1..max in *got)
 *                           without waiting more. max == 0 is EINVAL.
 *                           With SPSC a batch is one index publish (push_many / pop_many of the
 *                           ring); with MPMC it is a loop of try_push / try_pop (the items of one
 *                           batch may interleave with other producers' items).
 *   stats                   a snapshot of the slow-path counters, for reports and tests.
 *
 * Concurrency: as the ring beneath: SPSC, one pushing task and one popping task at a time; MPMC,
 * any number of each. Threads (pshared 0) or processes (pshared 1). init runs alone. Interrupting
 * signals are absorbed (the deadline stays). There is no close: stop consumers by count or by a
 * poison item.
 *
 * Sleeping and waking. Each direction has a pair of words on its own line: poppers sleep on
 * not_empty (woken by pushers), pushers on not_full (woken by poppers). In a pair,
 *   sleepers  registrations since the last wake (a waker resets it to 0 when it wakes);
 *   epoch     the futex word; a waker adds 1 to it before FUTEX_WAKE.
 * A task that must wait (here for a popper; pushers mirror it):
 *   e = epoch (acquire); sleepers += 1; seq_cst fence; try_pop again;
 *   if that failed, FUTEX_WAIT(epoch, e) — sleeps only while epoch is still e;
 *   go round (try, spin, register...). A registration is never withdrawn.
 * Every successful push (or batch) then does:
 *   seq_cst fence; if (sleepers != 0 && exchange(sleepers, 0) != 0)
 *       { epoch += 1 (release); FUTEX_WAKE(epoch, all) }.
 * The exchange lets one waker per round of registrations make the system call: without it, a
 * consumer draining a full ring while the producer sleeps would wake it after every item until
 * the producer ran (a FUTEX_WAKE per item). A sleeper woken that way that still cannot proceed
 * registers again before it sleeps again, so the reset loses nobody.
 * Why no wake-up is lost. The two seq_cst fences are ordered one way or the other (C11's total
 * order S of seq_cst fences): if the popper's fence comes first, the pusher's load of sleepers
 * after its own fence sees the registration, so it bumps the epoch and wakes; the popper read e
 * before that bump (its acquire load precedes its fence), so FUTEX_WAIT either finds
 * epoch != e and returns at once, or is queued before the wake (the kernel compares the word
 * and queues the task under the bucket lock that FUTEX_WAKE takes too) and is woken. If the
 * pusher's fence comes first, the popper's retry after its own fence sees the pushed item (or a
 * later state) and does not sleep. Dekker's pattern: store my flag, fence, load yours. The
 * acquire on the popper's load of epoch pairs with the release in the bump: a popper that read
 * an already bumped epoch also sees the item whose push caused it, when it retries.
 * The epoch is 32-bit: a sleeper could miss a wake only if exactly 2^32 wakes happened between
 * its load of e and its FUTEX_WAIT.
 * Why wake all: with MPMC, try_pop can fail while an item sits in a later slot (the slot in
 * turn is claimed by a producer that has not published yet). A woken popper that fails so
 * sleeps again, and if it had been the only one woken, the wake meant for the later item
 * would be spent. Waking every sleeper makes each of them retry; those that find nothing sleep
 * again. That is the thundering herd, paid only while several tasks sleep on one side (with SPSC
 * at most one ever does, so "all" is one).
 * Fast path, when nobody sleeps: the try operation, one seq_cst fence (an mfence or locked
 * instruction on x86), one load of the other direction's sleepers (a line that stays shared
 * in every cache while nobody registers), no system call.
 *
 * Memory orders in the wrapper (sleepers and epoch are 32-bit, the counters 64-bit):
 *   sleepers += 1: relaxed, followed by a seq_cst fence (the fence pairs with the waker's fence;
 *     a seq_cst increment alone would not order the ring's acquire loads that follow it).
 *   exchange(sleepers, 0) by a waker: relaxed (the fence before its load orders it; a stale
 *     registration left by a sleeper whose retry succeeded costs one unneeded FUTEX_WAKE).
 *   sleepers, loaded by a waker: relaxed, after its seq_cst fence (which pairs with the
 *     sleeper's fence).
 *   epoch, loaded by a sleeper before its retry: acquire; epoch += 1 by a waker: release (pair).
 *   the statistics counters: relaxed, on the slow path only.
 * Under ThreadSanitizer (which does not model fences) both fences are replaced by seq_cst
 * read-modify-writes of sleepers (+1 by the sleeper, +0 by the waker), the same guarantee by
 * the RMWs' single total order; ring_blocking.c says why that is not the production form.
 * The rings' own orders are in their headers. */
#ifndef TVP_RING_BLOCKING_H
#define TVP_RING_BLOCKING_H

#include <stddef.h>
#include <stdint.h>

#include "ring_mpmc.h"
#include "ring_spsc.h"

enum tvp_ring_kind { TVP_RING_SPSC, TVP_RING_MPMC };

#define TVP_RING_FOREVER ((int64_t)-1)
#define TVP_RING_NOWAIT  ((int64_t)0)

struct tvp_blocking_ring;

size_t tvp_blocking_ring_size(enum tvp_ring_kind kind, size_t capacity, size_t item_size);
int tvp_blocking_ring_init(struct tvp_blocking_ring **out, void *mem, size_t len,
                           enum tvp_ring_kind kind, size_t capacity, size_t item_size, int pshared,
                           unsigned spin, char *err, size_t errlen);

int tvp_blocking_ring_push(struct tvp_blocking_ring *b, const void *item, int64_t timeout_ns);
int tvp_blocking_ring_pop(struct tvp_blocking_ring *b, void *item, int64_t timeout_ns);
int tvp_blocking_ring_push_many(struct tvp_blocking_ring *b, const void *items, size_t n,
                                size_t *done, int64_t timeout_ns);
int tvp_blocking_ring_pop_many(struct tvp_blocking_ring *b, void *items, size_t max, size_t *got,
                               int64_t timeout_ns);

/* Slow-path counters since init, summed over every task (a snapshot, each counter read once). */
struct tvp_blocking_ring_stats {
    uint64_t push_waits;    /* FUTEX_WAIT calls by pushers (ring full after spinning) */
    uint64_t pop_waits;     /* FUTEX_WAIT calls by poppers (ring empty after spinning) */
    uint64_t push_wakes;    /* FUTEX_WAKE calls by pushers (a popper was registered) */
    uint64_t pop_wakes;     /* FUTEX_WAKE calls by poppers (a pusher was registered) */
    uint32_t push_sleepers; /* pusher registrations not yet answered by a wake */
    uint32_t pop_sleepers;  /* popper registrations not yet answered by a wake */
};
void tvp_blocking_ring_stats(struct tvp_blocking_ring *b, struct tvp_blocking_ring_stats *st);

#endif
