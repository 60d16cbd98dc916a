/* A bounded single-producer single-consumer ring of fixed-size items, lock-free and wait-free:
 * every operation finishes in a bounded number of its own steps whatever the other side does.
 *
 *   tvp_spsc_size       bytes of memory a ring of capacity items of item_size bytes needs; 0 when
 *                       the shape is invalid (capacity not a power of two >= 2, item_size 0, or
 *                       a size that does not fit in size_t).
 *   tvp_spsc_init       lays the ring out in mem (64-byte aligned, len >= tvp_spsc_size; malloc'd,
 *                       or MAP_SHARED before a fork so processes share it). 0, or EINVAL with
 *                       "spsc ring: what: why" in err. Nothing to destroy: free the memory.
 *   try_push / try_pop  one item, copied in or out with memcpy. 0, or EAGAIN when full / empty.
 *   push_many           as many of items[0..n) as fit, in order; returns how many (0..n).
 *   pop_many            up to max items in FIFO order; returns how many (0 when empty).
 *                       Both publish their index once per call, so a batch costs one transfer
 *                       of the index's cache line, not one per item.
 *
 * Concurrency: exactly one producer task (push, push_many) and one consumer task (pop,
 * pop_many) at a time, which may be threads of one process or processes sharing the memory;
 * the producer and the consumer run concurrently with each other. Two producers (or two
 * consumers) at once corrupt the ring; handing a side over to another task needs a
 * happens-before edge of its own (a join, a mutex, a pipe). capacity, item_size and count may be
 * called by either side. init runs alone, before either side starts.
 *
 * Layout: the producer's line (tail, its cached copy of head, read-only copies of mask and
 * item_size) and the consumer's line (head, its cached tail, the same copies) are 128 bytes
 * apart, then come the slots. 128 rather than 64 because x86 cores fetch lines in adjacent
 * pairs (the spatial prefetcher), which would make neighbouring lines falsely shared. Each side
 * reads its own line on every call and the other side's index only when its cached copy says
 * the ring is full (producer) or empty (consumer): when the ring is neither, a push or pop
 * touches only its own line and the slot. Indices run freely (never masked in place) and are
 * masked at use; the distance tail - head in unsigned arithmetic is the item count even after
 * they wrap around SIZE_MAX. Positions are offsets from the ring itself, never pointers, so
 * processes may map the memory at different addresses.
 *
 * The consumer publishes head lazily: a single pop stores it only every c_batch items
 * (capacity / 16, at least 1), when it finds the ring empty, or when tvp_spsc_publish is called
 * (the blocking wrapper does so before waking a producer that sleeps on a full ring). In a full
 * ring the producer re-reads head after every push; a head stored after every pop made that a
 * cache-line transfer per item, in both directions. The cost: the producer sees free slots up
 * to c_batch - 1 items late, never more (c_batch < capacity, so a producer that sees the ring
 * full always leaves the consumer something to pop, and the next publication follows).
 *
 * Memory orders (each side's index has one writer: that side):
 *   own index, loaded by its owner: relaxed (it reads its own last store); c_next and c_batch
 *     are the consumer's plain fields.
 *   tail, stored by push / push_many: release, after the items were copied in. Pairs with the
 *     consumer's acquire load of tail, so the items are visible before the consumer copies out.
 *   tail, loaded by the consumer when its cache says empty: acquire (pairs with that release).
 *   head, stored by pop (every c_batch), pop_many, publish: release, after the items were copied
 * out. Pairs with the producer's acquire load of head, so the copy-out is complete before the
 * producer reuses the slot (without it the producer's write could overtake the consumer's read).
 *   head, loaded by the producer when its cache says full: acquire (pairs with that release).
 *   the cached copies are plain: each is read and written by its own side only. */
#ifndef TVP_RING_SPSC_H
#define TVP_RING_SPSC_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef TVP_RING_LINE
#define TVP_RING_LINE  64  /* cache line: alignment the memory must have */
#define TVP_RING_APART 128 /* distance between data two sides write (adjacent-line prefetch) */
#endif

#include "tvp_cpu_relax.h"

/* One iteration of a spin loop (kept as the rings' name for it). */
#define TVP_RING_PAUSE() tvp_cpu_relax()

/* Fields are the implementation's; the struct is here only so the hot path can be inline. */
struct tvp_spsc {
    /* producer's line */
    alignas(TVP_RING_LINE) _Atomic size_t tail; /* next position to write */
    size_t head_cache;                          /* last head the producer read */
    size_t p_mask;                              /* capacity - 1 */
    size_t p_item_size;
    unsigned char p_pad_[TVP_RING_APART - 4 * sizeof(size_t)];
    /* consumer's line */
    alignas(TVP_RING_LINE) _Atomic size_t head; /* what the producer may reuse: published */
    size_t tail_cache;                          /* last tail the consumer read */
    size_t c_mask;
    size_t c_item_size;
    size_t c_next;  /* next position to read (head lags it by fewer than c_batch) */
    size_t c_batch; /* single pops between two publications of head */
    unsigned char c_pad_[TVP_RING_APART - 6 * sizeof(size_t)];
    /* capacity slots of item_size bytes, packed */
    alignas(TVP_RING_LINE) unsigned char data[];
};

size_t tvp_spsc_size(size_t capacity, size_t item_size);
int tvp_spsc_init(struct tvp_spsc **out, void *mem, size_t len, size_t capacity, size_t item_size,
                  char *err, size_t errlen);

/* A copy whose size the compiler knows for the common item sizes, so it becomes one or two
 * moves instead of a call into memcpy (single-thread push + pop: ~3 ns instead of ~7). The empty
 * asm statements hide which objects the pointers point to: otherwise gcc's -Wstringop-overflow
 * flags the 16-byte branch when a caller pops into an 8-byte variable, a branch that is dead
 * then (n is the ring's item size) but not provably so. They cost no instruction. */
static inline void tvp_ring_copy_(void *dst, const void *src, size_t n)
{
    __asm__("" : "+r"(dst));
    __asm__("" : "+r"(src));
    if (n == 8)
        memcpy(dst, src, 8);
    else if (n == 16)
        memcpy(dst, src, 16);
    else
        memcpy(dst, src, n);
}

static inline int tvp_spsc_try_push(struct tvp_spsc *r, const void *item)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t - r->head_cache > r->p_mask) {
        r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
        if (t - r->head_cache > r->p_mask)
            return EAGAIN;
    }
    tvp_ring_copy_(r->data + (t & r->p_mask) * r->p_item_size, item, r->p_item_size);
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
    return 0;
}

/* Makes every slot the consumer has emptied reusable by the producer now. */
static inline void tvp_spsc_publish(struct tvp_spsc *r)
{
    if (atomic_load_explicit(&r->head, memory_order_relaxed) != r->c_next)
        atomic_store_explicit(&r->head, r->c_next, memory_order_release);
}

static inline int tvp_spsc_try_pop(struct tvp_spsc *r, void *item)
{
    size_t h = r->c_next;
    if (h == r->tail_cache) {
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (h == r->tail_cache) {
            tvp_spsc_publish(r); /* empty: give the producer everything before waiting */
            return EAGAIN;
        }
    }
    tvp_ring_copy_(item, r->data + (h & r->c_mask) * r->c_item_size, r->c_item_size);
    r->c_next = h + 1;
    if (h + 1 - atomic_load_explicit(&r->head, memory_order_relaxed) >= r->c_batch)
        atomic_store_explicit(&r->head, h + 1, memory_order_release);
    return 0;
}

static inline size_t tvp_spsc_push_many(struct tvp_spsc *r, const void *items, size_t n)
{
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t cap = r->p_mask + 1, sz = r->p_item_size;
    size_t room = cap - (t - r->head_cache);
    if (room < n) {
        r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
        room = cap - (t - r->head_cache);
    }
    if (n > room)
        n = room;
    if (n == 0)
        return 0;
    size_t at = t & r->p_mask;
    size_t first = cap - at < n ? cap - at : n; /* up to the end of the slots, then from 0 */
    memcpy(r->data + at * sz, items, first * sz);
    if (first < n)
        memcpy(r->data, (const unsigned char *)items + first * sz, (n - first) * sz);
    atomic_store_explicit(&r->tail, t + n, memory_order_release);
    return n;
}

static inline size_t tvp_spsc_pop_many(struct tvp_spsc *r, void *items, size_t max)
{
    size_t h = r->c_next;
    size_t cap = r->c_mask + 1, sz = r->c_item_size;
    size_t avail = r->tail_cache - h;
    if (avail < max) {
        r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        avail = r->tail_cache - h;
    }
    if (max > avail)
        max = avail;
    if (max == 0) {
        tvp_spsc_publish(r);
        return 0;
    }
    size_t at = h & r->c_mask;
    size_t first = cap - at < max ? cap - at : max;
    memcpy(items, r->data + at * sz, first * sz);
    if (first < max)
        memcpy((unsigned char *)items + first * sz, r->data, (max - first) * sz);
    r->c_next = h + max;
    atomic_store_explicit(&r->head, h + max, memory_order_release);
    return max;
}

/* The shape init was given; either side may ask. */
static inline size_t tvp_spsc_capacity(const struct tvp_spsc *r)
{
    return r->p_mask + 1;
}

static inline size_t tvp_spsc_item_size(const struct tvp_spsc *r)
{
    return r->p_item_size;
}

/* Slots the producer cannot reuse yet at some instant during the call: the items in the ring
 * plus those popped but not yet published (fewer than capacity / 16) (a snapshot for reports and
 * tests; from a third task it may be stale by the time it returns). */
static inline size_t tvp_spsc_count(struct tvp_spsc *r)
{
    size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
    size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
    return t - h <= r->p_mask ? t - h : r->p_mask + 1; /* tail may have moved on since h */
}

#endif
