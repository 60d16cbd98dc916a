/* A bounded multi-producer multi-consumer ring of fixed-size items: Dmitry Vyukov's design, in
 * which every slot carries a sequence number that says whose turn the slot is.
 *
 *   tvp_mpmc_size       bytes of memory needed; 0 when the shape is invalid (capacity not a
 *                       power of two >= 2, item_size 0, or a size that does not fit in size_t).
 *   tvp_mpmc_init       lays the ring out in mem (64-byte aligned, len >= tvp_mpmc_size; malloc'd,
 *                       or MAP_SHARED before a fork). 0, or EINVAL with "mpmc ring: what: why"
 *                       in err. Nothing to destroy: free the memory.
 *   try_push / try_pop  one item, copied with memcpy. 0, or EAGAIN when full / empty.
 *
 * Concurrency: any number of producers and consumers, threads or processes sharing the memory,
 * all at once. init runs alone, before anyone uses the ring. FIFO by position: positions are
 * handed out in order, so the items one producer pushed reach consumers in the order it pushed
 * them (each consumer sees any one producer's items in increasing order). Lock-free but not
 * wait-free, and not obstruction-free either: a task stopped (preempted, killed) between
 * claiming a position and publishing it holds up the other side at that slot, which is then
 * reported as empty (try_pop) or full (try_push) until the task resumes. So EAGAIN means
 * "the next slot in turn is not ready", which may happen while later slots are: callers that
 * sleep on EAGAIN must be woken on every publish (ring_blocking.c does that).
 *
 * The slot protocol. Slot i starts with seq = i. For a producer at position pos (slot
 * pos & mask): seq == pos means the slot is free for this lap; the producer claims pos by a
 * compare-exchange of enqueue_pos from pos to pos + 1, copies the item in and stores
 * seq = pos + 1 ("full, for the consumer of position pos"). seq < pos means the consumer of the
 * previous lap has not finished: full. seq > pos means another producer took pos: reload. For a
 * consumer at pos: seq == pos + 1 means ready; it claims pos by compare-exchange of dequeue_pos,
 * copies out and stores seq = pos + capacity (free for the producer one lap later);
 * seq < pos + 1 means empty. Positions and seqs run freely in size_t; comparisons take the
 * difference as a signed number, meaningful while capacity < 2^62 (checked by size).
 *
 * Layout: enqueue_pos (written by every producer) and dequeue_pos (by every consumer) are each
 * on their own line, 128 bytes apart (x86 fetches lines in adjacent pairs), with read-only
 * copies of mask, item_size and the slot stride beside each, so a call reads a single metadata
 * line. The slots follow: an 8-byte seq then the item, rounded up to 8 bytes, packed (not padded
 * to a line: neighbouring slots do share lines, a cost paid by memory-hungry padding otherwise,
 * and small next to the contended compare-exchange on the position itself).
 *
 * Memory orders:
 *   enqueue_pos, dequeue_pos: relaxed loads and relaxed compare-exchange. They only hand out
 *     positions; the compare-exchange makes the claim exclusive (one modification order), and
 *     nothing written before it needs publishing.
 *   slot seq, loaded by a producer: acquire. Pairs with the consumer's release store of
 *     pos + capacity, so the previous lap's copy-out is complete before the producer copies in.
 *   slot seq, stored by a producer (pos + 1): release, after the copy-in. Pairs with the
 *     consumer's acquire load, so the item is visible before the consumer copies it out.
 *   slot seq, loaded by a consumer: acquire (pairs with the producer's release store).
 *   slot seq, stored by a consumer (pos + capacity): release, after the copy-out (pairs with the
 *     producer's acquire load). */
#ifndef TVP_RING_MPMC_H
#define TVP_RING_MPMC_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ring_spsc.h" /* TVP_RING_LINE, TVP_RING_APART, TVP_RING_PAUSE, tvp_ring_copy_ */

/* Fields are the implementation's; the struct is here only so the hot path can be inline. */
struct tvp_mpmc {
    /* producers' line */
    alignas(TVP_RING_LINE) _Atomic size_t enqueue_pos;
    size_t p_mask;
    size_t p_item_size;
    size_t p_stride; /* bytes from one slot to the next */
    unsigned char p_pad_[TVP_RING_APART - 4 * sizeof(size_t)];
    /* consumers' line */
    alignas(TVP_RING_LINE) _Atomic size_t dequeue_pos;
    size_t c_mask;
    size_t c_item_size;
    size_t c_stride;
    unsigned char c_pad_[TVP_RING_APART - 4 * sizeof(size_t)];
    /* capacity slots: _Atomic size_t seq, then the item */
    alignas(TVP_RING_LINE) unsigned char slots[];
};

size_t tvp_mpmc_size(size_t capacity, size_t item_size);
int tvp_mpmc_init(struct tvp_mpmc **out, void *mem, size_t len, size_t capacity, size_t item_size,
                  char *err, size_t errlen);

static inline _Atomic size_t *tvp_mpmc_seq_(unsigned char *slot)
{
    return (_Atomic size_t *)(void *)slot;
}

static inline int tvp_mpmc_try_push(struct tvp_mpmc *r, const void *item)
{
    size_t pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);
    unsigned char *slot;
    for (;;) {
        slot = r->slots + (pos & r->p_mask) * r->p_stride;
        size_t seq = atomic_load_explicit(tvp_mpmc_seq_(slot), memory_order_acquire);
        ptrdiff_t dif = (ptrdiff_t)(seq - pos);
        if (dif == 0) {
            /* Weak: a spurious failure just goes round once more with pos reloaded. */
            if (atomic_compare_exchange_weak_explicit(&r->enqueue_pos, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (dif < 0) {
            return EAGAIN;
        } else {
            pos = atomic_load_explicit(&r->enqueue_pos, memory_order_relaxed);
        }
    }
    tvp_ring_copy_(slot + sizeof(size_t), item, r->p_item_size);
    atomic_store_explicit(tvp_mpmc_seq_(slot), pos + 1, memory_order_release);
    return 0;
}

static inline int tvp_mpmc_try_pop(struct tvp_mpmc *r, void *item)
{
    size_t pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);
    unsigned char *slot;
    for (;;) {
        slot = r->slots + (pos & r->c_mask) * r->c_stride;
        size_t seq = atomic_load_explicit(tvp_mpmc_seq_(slot), memory_order_acquire);
        ptrdiff_t dif = (ptrdiff_t)(seq - (pos + 1));
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&r->dequeue_pos, &pos, pos + 1,
                                                      memory_order_relaxed, memory_order_relaxed))
                break;
        } else if (dif < 0) {
            return EAGAIN;
        } else {
            pos = atomic_load_explicit(&r->dequeue_pos, memory_order_relaxed);
        }
    }
    tvp_ring_copy_(item, slot + sizeof(size_t), r->c_item_size);
    atomic_store_explicit(tvp_mpmc_seq_(slot), pos + r->c_mask + 1, memory_order_release);
    return 0;
}

static inline size_t tvp_mpmc_capacity(const struct tvp_mpmc *r)
{
    return r->p_mask + 1;
}

static inline size_t tvp_mpmc_item_size(const struct tvp_mpmc *r)
{
    return r->p_item_size;
}

#endif
