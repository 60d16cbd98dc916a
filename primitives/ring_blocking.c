/* The blocking wrapper over the SPSC and MPMC rings: see ring_blocking.h for the contract, the
 * sleep/wake protocol and its memory orders. */
#define _GNU_SOURCE

#include "ring_blocking.h"
#include "tvp_err.h"
#include "tvp_deadline.h"
#include "tvp_futex.h"

#include <errno.h>
#include <limits.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* One direction's sleepers and the word they sleep on, alone on their line: the wakers read
 * sleepers on every operation, and it must not share a line with anything written often. */
struct wait_side {
    alignas(TVP_RING_LINE) _Atomic uint32_t epoch; /* the futex word */
    _Atomic uint32_t sleepers;
    _Atomic uint64_t waits; /* by the sleeping direction */
    _Atomic uint64_t wakes; /* by the waking direction */
    unsigned char pad_[TVP_RING_APART - 2 * sizeof(uint32_t) - 2 * sizeof(uint64_t)];
};

struct tvp_blocking_ring {
    /* read-only after init */
    alignas(TVP_RING_LINE) union {
        struct {
            enum tvp_ring_kind kind;
            int priv; /* FUTEX_PRIVATE_FLAG, or 0 when pshared */
            unsigned spin;
            size_t item_size;
        };
        unsigned char pad_[TVP_RING_APART];
    };
    struct wait_side not_empty; /* poppers sleep here, pushers wake them */
    struct wait_side not_full;  /* pushers sleep here, poppers wake them */
    /* the ring; an offset, not a pointer, so processes may map the memory anywhere */
    alignas(TVP_RING_LINE) unsigned char ring[];
};

_Static_assert(sizeof(struct tvp_blocking_ring) % TVP_RING_LINE == 0,
               "the ring must start on a line");
_Static_assert(offsetof(struct tvp_blocking_ring, not_empty) >= TVP_RING_APART,
               "the read-only line too close to the words");
_Static_assert(offsetof(struct tvp_blocking_ring, ring) -
                       offsetof(struct tvp_blocking_ring, not_full) >=
                   TVP_RING_APART,
               "the words too close to the ring");
_Static_assert(offsetof(struct tvp_blocking_ring, not_full) -
                       offsetof(struct tvp_blocking_ring, not_empty) >=
                   TVP_RING_APART,
               "the two directions' words too close");

enum dir { PUSH, POP };

static inline size_t ring_size(enum tvp_ring_kind kind, size_t capacity, size_t item_size)
{
    switch (kind) {
    case TVP_RING_SPSC:
        return tvp_spsc_size(capacity, item_size);
    case TVP_RING_MPMC:
        return tvp_mpmc_size(capacity, item_size);
    }
    return 0;
}

size_t tvp_blocking_ring_size(enum tvp_ring_kind kind, size_t capacity, size_t item_size)
{
    size_t r = ring_size(kind, capacity, item_size);
    if (r == 0 || r > SIZE_MAX - sizeof(struct tvp_blocking_ring))
        return 0;
    return sizeof(struct tvp_blocking_ring) + r;
}

static void side_init(struct wait_side *s)
{
    atomic_init(&s->epoch, 0);
    atomic_init(&s->sleepers, 0);
    atomic_init(&s->waits, 0);
    atomic_init(&s->wakes, 0);
}

int tvp_blocking_ring_init(struct tvp_blocking_ring **out, void *mem, size_t len,
                           enum tvp_ring_kind kind, size_t capacity, size_t item_size, int pshared,
                           unsigned spin, char *err, size_t errlen)
{
    if (kind != TVP_RING_SPSC && kind != TVP_RING_MPMC) {
        tvp_errfmt(err, errlen, 0, "blocking ring: kind %d: neither SPSC nor MPMC", (int)kind);
        return EINVAL;
    }
    const char *name = kind == TVP_RING_SPSC ? "spsc" : "mpmc";
    size_t need = tvp_blocking_ring_size(kind, capacity, item_size);
    if (need == 0) {
        tvp_errfmt(err, errlen, 0,
                   "blocking ring: %s, capacity %zu x item size %zu: capacity must be a power of "
                   "two >= 2 and item size > 0, within size_t",
                   name, capacity, item_size);
        return EINVAL;
    }
    if (mem == NULL || ((uintptr_t)mem & (TVP_RING_LINE - 1)) != 0) {
        tvp_errfmt(err, errlen, 0, "blocking ring: memory at %p: not %d-byte aligned", mem,
                   TVP_RING_LINE);
        return EINVAL;
    }
    if (len < need) {
        tvp_errfmt(err, errlen, 0, "blocking ring: memory of %zu bytes: %zu needed", len, need);
        return EINVAL;
    }
    struct tvp_blocking_ring *b = mem;
    b->kind = kind;
    b->priv = pshared ? 0 : FUTEX_PRIVATE_FLAG;
    b->spin = spin;
    b->item_size = item_size;
    side_init(&b->not_empty);
    side_init(&b->not_full);
    size_t rest = len - sizeof *b;
    int rc;
    if (kind == TVP_RING_SPSC) {
        struct tvp_spsc *r;
        rc = tvp_spsc_init(&r, b->ring, rest, capacity, item_size, err, errlen);
    } else {
        struct tvp_mpmc *r;
        rc = tvp_mpmc_init(&r, b->ring, rest, capacity, item_size, err, errlen);
    }
    if (rc != 0)
        return rc;
    *out = b;
    return 0;
}

/* The two halves of the Dekker pair (ring_blocking.h). ThreadSanitizer does not model fences
 * (gcc refuses atomic_thread_fence under -fsanitize=thread), so its build uses the other classic
 * form: both sides do a seq_cst read-modify-write of sleepers, the waker adding 0. All RMWs of one
 * word are totally ordered and each reads the one before it, so either the waker's comes later
 * and reads the registration, or the sleeper's comes later, reads from the waker's (acq_rel:
 * synchronizes-with) and its retry sees the items published before it. Correct, and modelled by
 * TSan, but every push or pop would then write the sleepers line the other side reads: a cache
 * line transfer per operation, which the fence form avoids. */
static inline void register_sleeper(struct wait_side *s)
{
#ifdef __SANITIZE_THREAD__
    atomic_fetch_add_explicit(&s->sleepers, 1, memory_order_seq_cst);
#else
    atomic_fetch_add_explicit(&s->sleepers, 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

static inline uint32_t sleepers_after_publish(struct wait_side *s)
{
#ifdef __SANITIZE_THREAD__
    return atomic_fetch_add_explicit(&s->sleepers, 0, memory_order_seq_cst);
#else
    atomic_thread_fence(memory_order_seq_cst);
    return atomic_load_explicit(&s->sleepers, memory_order_relaxed);
#endif
}

/* One try of the ring: how many items moved (0 = full / empty), at most max (>= 1). */
static inline size_t attempt(struct tvp_blocking_ring *b, enum dir d, unsigned char *items,
                             size_t max)
{
    if (b->kind == TVP_RING_SPSC) {
        struct tvp_spsc *r = (struct tvp_spsc *)(void *)b->ring;
        if (max == 1)
            return (d == PUSH ? tvp_spsc_try_push(r, items) : tvp_spsc_try_pop(r, items)) == 0;
        return d == PUSH ? tvp_spsc_push_many(r, items, max) : tvp_spsc_pop_many(r, items, max);
    }
    struct tvp_mpmc *r = (struct tvp_mpmc *)(void *)b->ring;
    size_t n = 0, sz = b->item_size;
    if (d == PUSH)
        while (n < max && tvp_mpmc_try_push(r, items + n * sz) == 0)
            n++;
    else
        while (n < max && tvp_mpmc_try_pop(r, items + n * sz) == 0)
            n++;
    return n;
}

/* After moving items: wake the other direction if anyone there registered to sleep. The fence
 * is the waker's half of the Dekker pair (ring_blocking.h); without sleepers this is the whole
 * cost of the wrapper. A failed FUTEX_WAKE is not reported: the items did move, and the only
 * possible errors (EFAULT, ENOSYS) would have failed the sleeper's FUTEX_WAIT first. */
static inline void wake(struct tvp_blocking_ring *b, struct wait_side *s)
{
    /* The exchange makes one waker per round of registrations pay for the system call: a
     * consumer draining a full ring while the producer sleeps would otherwise wake it after
     * every item until it ran, a FUTEX_WAKE per item. */
    if (sleepers_after_publish(s) != 0 &&
        atomic_exchange_explicit(&s->sleepers, 0, memory_order_relaxed) != 0) {
        /* A producer sleeping on a full SPSC ring needs the slots the consumer has emptied but
         * not yet published (ring_spsc.h); the release store comes before the epoch bump. */
        if (b->kind == TVP_RING_SPSC && s == &b->not_full)
            tvp_spsc_publish((struct tvp_spsc *)(void *)b->ring);
        atomic_fetch_add_explicit(&s->epoch, 1, memory_order_release);
        atomic_fetch_add_explicit(&s->wakes, 1, memory_order_relaxed);
        tvp_futex_wake(&s->epoch, INT_MAX, b->priv);
    }
}

static int passed(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* The slow path: moves items until at least need (>= 1) have moved, at most max, spinning and
 * then sleeping while the ring is full (PUSH) or empty (POP). *moved counts what moved, also on
 * failure. */
static int transfer(struct tvp_blocking_ring *b, enum dir d, unsigned char *items, size_t need,
                    size_t max, size_t *moved, int64_t timeout_ns)
{
    struct wait_side *mine = d == PUSH ? &b->not_full : &b->not_empty;
    struct wait_side *theirs = d == PUSH ? &b->not_empty : &b->not_full;
    size_t sz = b->item_size, k;
    struct timespec deadline;
    int limited = 0;
    *moved = 0;
    for (;;) {
        if ((k = attempt(b, d, items + *moved * sz, max - *moved)) != 0)
            goto progress;
        if (timeout_ns == TVP_RING_NOWAIT)
            return EAGAIN;
        if (timeout_ns > 0 && !limited) {
            /* Taken at the first wait, not at the call: the fast path reads no clock. The limit
             * is then a little longer than asked, never shorter. */
            tvp_deadline_after(timeout_ns, &deadline);
            limited = 1;
        }
        for (unsigned i = 0; i < b->spin; i++) {
            TVP_RING_PAUSE();
            if ((k = attempt(b, d, items + *moved * sz, max - *moved)) != 0)
                goto progress;
        }

        uint32_t e = atomic_load_explicit(&mine->epoch, memory_order_acquire);
        register_sleeper(mine);
        /* A registration is never withdrawn: the waker that finds it zeroes the count and
         * wakes every sleeper, so a withdrawal could only race that reset into an underflow.
         * One left behind by a retry that succeeded costs a single spare wake. */
        if ((k = attempt(b, d, items + *moved * sz, max - *moved)) != 0)
            goto progress;
        atomic_fetch_add_explicit(&mine->waits, 1, memory_order_relaxed);
        int rc = limited ? tvp_futex_wait_until(&mine->epoch, e, b->priv, &deadline)
                         : tvp_futex_wait(&mine->epoch, e, b->priv);
        if (rc == 0 && limited && passed(&deadline))
            rc = ETIMEDOUT; /* woken, but late: a stream of wakes must not extend the limit */
        if (rc == ETIMEDOUT) {
            /* One last try: an item that arrived as the clock ran out is not refused. */
            if ((k = attempt(b, d, items + *moved * sz, max - *moved)) != 0) {
                *moved += k;
                wake(b, theirs);
            }
            return *moved >= need ? 0 : ETIMEDOUT;
        }
        if (rc != 0)
            return rc;
        continue;
    progress:
        *moved += k;
        wake(b, theirs);
        if (*moved >= need)
            return 0;
    }
}

int tvp_blocking_ring_push(struct tvp_blocking_ring *b, const void *item, int64_t timeout_ns)
{
    if (timeout_ns < 0 && timeout_ns != TVP_RING_FOREVER)
        return EINVAL;
    /* The items are only read on the push side; one cast keeps attempt() single. */
    unsigned char *it = (unsigned char *)(uintptr_t)item;
    if (attempt(b, PUSH, it, 1) == 1) {
        wake(b, &b->not_empty);
        return 0;
    }
    size_t moved;
    return transfer(b, PUSH, it, 1, 1, &moved, timeout_ns);
}

int tvp_blocking_ring_pop(struct tvp_blocking_ring *b, void *item, int64_t timeout_ns)
{
    if (timeout_ns < 0 && timeout_ns != TVP_RING_FOREVER)
        return EINVAL;
    if (attempt(b, POP, item, 1) == 1) {
        wake(b, &b->not_full);
        return 0;
    }
    size_t moved;
    return transfer(b, POP, item, 1, 1, &moved, timeout_ns);
}

int tvp_blocking_ring_push_many(struct tvp_blocking_ring *b, const void *items, size_t n,
                                size_t *done, int64_t timeout_ns)
{
    size_t moved = 0;
    int rc = 0;
    if (timeout_ns < 0 && timeout_ns != TVP_RING_FOREVER)
        rc = EINVAL;
    else if (n > 0)
        rc = transfer(b, PUSH, (unsigned char *)(uintptr_t)items, n, n, &moved, timeout_ns);
    if (done)
        *done = moved;
    return rc;
}

int tvp_blocking_ring_pop_many(struct tvp_blocking_ring *b, void *items, size_t max, size_t *got,
                               int64_t timeout_ns)
{
    size_t moved = 0;
    int rc = EINVAL;
    if (max > 0 && (timeout_ns >= 0 || timeout_ns == TVP_RING_FOREVER))
        rc = transfer(b, POP, items, 1, max, &moved, timeout_ns);
    if (got)
        *got = moved;
    return rc;
}

void tvp_blocking_ring_stats(struct tvp_blocking_ring *b, struct tvp_blocking_ring_stats *st)
{
    st->push_waits = atomic_load_explicit(&b->not_full.waits, memory_order_relaxed);
    st->pop_waits = atomic_load_explicit(&b->not_empty.waits, memory_order_relaxed);
    st->push_wakes = atomic_load_explicit(&b->not_empty.wakes, memory_order_relaxed);
    st->pop_wakes = atomic_load_explicit(&b->not_full.wakes, memory_order_relaxed);
    st->push_sleepers = atomic_load_explicit(&b->not_full.sleepers, memory_order_relaxed);
    st->pop_sleepers = atomic_load_explicit(&b->not_empty.sleepers, memory_order_relaxed);
}
