/* The byte ring in shared memory behind "shm-ring-futex" and "shm-ring-poll" (shm_ring_futex.c,
 * shm_ring_poll.c): everything both share — the layout, the copy in and out, send and recv,
 * open, attach, detach, close. The two transports differ only in their wait policy: how a side
 * waits for the other (a futex, or busy-polling) and so how an index is published. Each
 * transport file holds its policy and declares itself with TVP_SHM_RING_TRANSPORT, which
 * instantiates send and recv with the policy inlined: the fast path has no indirect call.
 *
 * One ring per direction, in one shared mapping (shm_map.h) made by open before the fork:
 * rings[0] carries what side 0 sends, rings[1] what side 1 sends. A ring carries a byte stream:
 * send(len) copies in as much of the message as fits, publishes the new tail, and repeats until
 * the whole message is in; recv(len) copies out what is there, publishes the new head, and
 * repeats until it has len bytes. So a message larger than the ring streams through it in
 * pieces (a 1 MiB message through the 256 KiB ring in sixteen of 64 KiB), and len bytes are
 * always exactly one message because both sides know len (tvp_ipc.h). A zero-length message is
 * nothing on a byte stream: send(0) and recv(0) return at once, as on a pipe.
 *
 * Pieces: one copy moves at most TVP_SHM_RING_PIECE (64 KiB) before its index is published, on
 * both sides, so a large message is pipelined: the consumer copies out one piece while the
 * producer copies in the next. Without the cap each side would copy the whole free (or filled)
 * ring before publishing, and the two copies of a stream would alternate instead of overlapping,
 * each side idle (or asleep) while the other copies 256 KiB. A 64 KiB piece takes a few
 * microseconds to copy, inside the futex variant's spin window, so a steady stream hands pieces
 * over without sleeping; the extra index stores cost nothing next to 64 KiB of memcpy.
 *
 * Size, TVP_SHM_RING_CAP = 256 KiB per direction: four pieces, so in a steady stream the
 * producer can run up to three pieces ahead of the consumer and neither has to wait for the other
 * (it is also four times a pipe's default 64 KiB buffer); and small enough that both rings plus
 * the sender's and the receiver's buffers stay in a core's L2 (1-2 MiB on current x86; 1 MiB on
 * the development machine), so the stream goes cache to cache rather than through DRAM — a ring
 * much larger than L2 gets slower, not faster. A power of two, so positions are masked.
 *
 * Indices: tail (bytes ever written) and head (bytes ever read) are free-running 32-bit
 * counters; tail - head in unsigned arithmetic is the bytes in the ring even after they wrap
 * (CAP < 2^31). They are 32-bit on purpose: each is also the futex word the other side sleeps
 * on (the consumer waits for tail to change, the producer for head), so waiting needs no extra
 * word to maintain on the fast path. tail, head and the sleepers' flags each have a line pair
 * of their own (128 bytes: x86 cores fetch adjacent lines together), and the data starts on a
 * fresh one.
 *
 * Each side caches the other side's index in its own private memory (struct tvp_shm_ring_side,
 * in the pair, 128-byte aligned so the two sides of the thread model do not share lines): the
 * producer reads head only when its cached copy says the message does not fit, the consumer
 * reads tail only when its cached copy says fewer than len bytes are there. While the ring is
 * neither full nor empty a send touches its own state, the data, and the tail line only.
 *
 * Memory orders (each index has one writer: its side):
 *   tail, stored by the producer after copying in: release (seq_cst in the futex variant, for
 *     its wake-up pairing, see shm_ring_futex.c). Pairs with the consumer's acquire load, so the
 *     bytes are visible before the consumer copies them out.
 *   head, stored by the consumer after copying out: release (seq_cst in the futex variant).
 *     Pairs with the producer's acquire load, so the copy out is finished before the producer
 *     overwrites those bytes.
 *   the cached copies and each side's own index copy are plain: one task reads and writes them.
 *
 * Concurrency: one task per side at a time (a side's send and recv may be called from one task
 * only); the two sides run concurrently. Positions are offsets into the ring, never pointers,
 * so processes may map it anywhere. */
#ifndef TVP_SHM_RING_H
#define TVP_SHM_RING_H

#include "ipc_common.h"
#include "tvp_ipc.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#define TVP_SHM_RING_CAP   (256u * 1024u)
#define TVP_SHM_RING_PIECE (TVP_SHM_RING_CAP / 4)
#define TVP_SHM_RING_APART 128

/* One iteration of a spin loop: tells the core it spins (frees the sibling hyperthread, and
 * avoids the memory-order machine clear when the loop ends). */
#if defined(__x86_64__) || defined(__i386__)
#define TVP_SHM_RING_PAUSE() __builtin_ia32_pause()
#else
#define TVP_SHM_RING_PAUSE() __asm__ __volatile__("" ::: "memory")
#endif

/* One direction, in the shared mapping. */
struct tvp_shm_ring {
    alignas(TVP_SHM_RING_APART) _Atomic uint32_t tail; /* producer stores; consumer's futex word */
    alignas(TVP_SHM_RING_APART) _Atomic uint32_t head; /* consumer stores; producer's futex word */
    /* futex variant only: 1 while that side may be asleep (or about to be) on its futex word */
    alignas(TVP_SHM_RING_APART) _Atomic uint32_t cons_sleeping;
    _Atomic uint32_t prod_sleeping;
    alignas(TVP_SHM_RING_APART) unsigned char data[TVP_SHM_RING_CAP];
};

/* One side's private state: written by that side only. */
struct tvp_shm_ring_side {
    alignas(TVP_SHM_RING_APART) struct tvp_shm_ring *tx; /* the ring this side writes */
    struct tvp_shm_ring *rx;                             /* the ring this side reads */
    uint32_t tx_tail;       /* tx->tail as this side last stored it (it is the only writer) */
    uint32_t tx_head_cache; /* tx->head as last read */
    uint32_t rx_head;       /* rx->head as this side last stored it */
    uint32_t rx_tail_cache; /* rx->tail as last read */
    int pidfd;              /* the peer (process model), else -1 */
};

/* Shared by both ring transports (each translation unit sees this one definition). */
struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    int futex_priv;        /* FUTEX_PRIVATE_FLAG in the thread model, 0 in the process model */
    void *map;
    size_t map_len;
    struct tvp_shm_ring_side side[2];
};

/* Producer: copies the first bytes of src[0..len) that fit into s->tx, at most a piece, and
 * advances the private tail; publishing it is the caller's (its wait policy decides the order).
 * Reads head (acquire) only when the cached copy says that does not fit. Returns the bytes
 * copied, 0 when full. */
static inline size_t tvp_shm_ring_put(struct tvp_shm_ring_side *s, const unsigned char *src,
                                      size_t len)
{
    struct tvp_shm_ring *r = s->tx;
    if (len > TVP_SHM_RING_PIECE)
        len = TVP_SHM_RING_PIECE;
    uint32_t room = TVP_SHM_RING_CAP - (s->tx_tail - s->tx_head_cache);
    if (room < len) {
        s->tx_head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
        room = TVP_SHM_RING_CAP - (s->tx_tail - s->tx_head_cache);
    }
    size_t n = len < room ? len : room;
    if (n == 0)
        return 0;
    size_t off = s->tx_tail & (TVP_SHM_RING_CAP - 1);
    size_t first = TVP_SHM_RING_CAP - off < n ? TVP_SHM_RING_CAP - off : n;
    memcpy(r->data + off, src, first);
    if (n > first)
        memcpy(r->data, src + first, n - first);
    s->tx_tail += (uint32_t)n;
    return n;
}

/* memcpy of n bytes that also adds up the 64-bit words it moves (n's tail < 8 bytes is copied,
 * not added): the receiver's check reads each word once, as it copies it out. */
static inline uint64_t tvp_shm_ring_copy_sum(unsigned char *dst, const unsigned char *src, size_t n)
{
    uint64_t sum = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, src + i, 8);
        memcpy(dst + i, &w, 8);
        sum += w;
    }
    if (i < n)
        memcpy(dst + i, src + i, n - i);
    return sum;
}

/* Consumer: copies up to len bytes (at most a piece) out of s->rx into dst and advances the
 * private head; publishing it is the caller's. Reads tail (acquire) only when the cached copy
 * says fewer bytes are there. With sum (not NULL) the words copied are added to *sum: right when
 * the piece starts on a word of the message (the caller sees to it, tvp_shm_ring_recv) and the
 * ring's end does not cut one of its words in two; when it does, *torn is set and the caller
 * adds the message up again. Returns the bytes copied, 0 when empty. */
static inline size_t tvp_shm_ring_get(struct tvp_shm_ring_side *s, unsigned char *dst, size_t len,
                                      uint64_t *sum, int *torn)
{
    struct tvp_shm_ring *r = s->rx;
    if (len > TVP_SHM_RING_PIECE)
        len = TVP_SHM_RING_PIECE;
    uint32_t avail = s->rx_tail_cache - s->rx_head;
    if (avail < len) {
        s->rx_tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
        avail = s->rx_tail_cache - s->rx_head;
    }
    size_t n = len < avail ? len : avail;
    if (n == 0)
        return 0;
    size_t off = s->rx_head & (TVP_SHM_RING_CAP - 1);
    size_t first = TVP_SHM_RING_CAP - off < n ? TVP_SHM_RING_CAP - off : n;
    if (sum != NULL) {
        *torn |= n > first && first % 8 != 0;
        *sum += tvp_shm_ring_copy_sum(dst, r->data + off, first);
        if (n > first)
            *sum += tvp_shm_ring_copy_sum(dst + first, r->data, n - first);
    } else {
        memcpy(dst, r->data + off, first);
        if (n > first)
            memcpy(dst + first, r->data, n - first);
    }
    s->rx_head += (uint32_t)n;
    return n;
}

/* The parts of the transports that do not depend on the wait policy (shm_ring.c). open takes
 * the transport's name; the others find it in the pair. All return 0 or an error number with
 * "<name>: what: why" in err. chunk() is tvp_ipc_chunk: a byte stream takes a message of any
 * size whole, in as many pieces as needed. */
int tvp_shm_ring_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, const char *name,
                      char *err, size_t errlen);
int tvp_shm_ring_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen);
int tvp_shm_ring_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen);
int tvp_shm_ring_close(struct tvp_ipc_pair *p, char *err, size_t errlen);

/* A wait policy, the part each ring transport has of its own:
 *
 * publish  stores v into *index (the release that hands the bytes over; the policy may make it
 *          stronger) and wakes the other side if it may be asleep on it (sleeping is the flag
 *          that side's role announces it in). 0 or an error number. On the fast path: once per
 *          piece.
 * wait     returns once *index != seen: 0; or EPIPE when the peer behind pidfd (-1 in the thread
 *          model) ended with the index unchanged; or an error number. sleeping is this side's
 *          flag for publish to read. Only when the ring is full (send) or empty (recv). */
typedef int (*tvp_shm_ring_publish_fn)(const struct tvp_ipc_pair *p, _Atomic uint32_t *index,
                                       uint32_t v, _Atomic uint32_t *sleeping);
typedef int (*tvp_shm_ring_wait_fn)(const struct tvp_ipc_pair *p, int pidfd,
                                    _Atomic uint32_t *index, uint32_t seen,
                                    _Atomic uint32_t *sleeping);

/* send and recv for the policy (publish, wait). Always inlined into the transport's own send
 * and recv (TVP_SHM_RING_TRANSPORT), where both are constants: the compiler calls them directly
 * and inlines publish, so each transport gets the fast path it would have written by hand. */
static inline __attribute__((always_inline)) int
tvp_shm_ring_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                  size_t errlen, tvp_shm_ring_publish_fn publish, tvp_shm_ring_wait_fn wait)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_shm_ring_side *s = &p->side[side];
    struct tvp_shm_ring *r = s->tx;
    const unsigned char *src = buf;
    while (len > 0) {
        size_t n = tvp_shm_ring_put(s, src, len);
        if (n == 0) { /* full: tx_head_cache was just read, and head must move past it */
            if ((e = wait(p, s->pidfd, &r->head, s->tx_head_cache, &r->prod_sleeping)) != 0)
                return tvp_ipc_fail(p->h.name, "send", e, "waiting for room", err, errlen);
            continue;
        }
        if ((e = publish(p, &r->tail, s->tx_tail, &r->cons_sleeping)) != 0)
            return tvp_ipc_fail(p->h.name, "send", e, "waking the receiver", err, errlen);
        src += n;
        len -= n;
    }
    return 0;
}

static inline __attribute__((always_inline)) int
tvp_shm_ring_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, uint64_t *sum, char *err,
                  size_t errlen, tvp_shm_ring_publish_fn publish, tvp_shm_ring_wait_fn wait)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_shm_ring_side *s = &p->side[side];
    struct tvp_shm_ring *r = s->rx;
    unsigned char *dst = buf;
    const size_t total = len;
    /* Summing while copying needs every copy to start on a word of the message: pieces that end
     * on words (or at the message's end) and a ring end that cuts none (after a message of odd
     * length it can). Otherwise the words are added in a pass at the end. */
    int fused = sum != NULL, torn = 0;
    if (sum != NULL)
        *sum = 0;
    while (len > 0) {
        size_t n = tvp_shm_ring_get(s, dst, len, fused ? sum : NULL, &torn);
        if (fused && (torn || (n % 8 != 0 && n != len)))
            fused = 0, *sum = 0; /* a word cut in two: fall back below */
        if (n == 0) {            /* empty: tail must move past our head */
            if ((e = wait(p, s->pidfd, &r->tail, s->rx_head, &r->cons_sleeping)) != 0)
                return tvp_ipc_fail(p->h.name, "recv", e, "waiting for data", err, errlen);
            continue;
        }
        if ((e = publish(p, &r->head, s->rx_head, &r->prod_sleeping)) != 0)
            return tvp_ipc_fail(p->h.name, "recv", e, "waking the sender", err, errlen);
        dst += n;
        len -= n;
    }
    if (sum != NULL && !fused)
        for (size_t i = 0; i + 8 <= total; i += 8) {
            uint64_t w;
            memcpy(&w, (unsigned char *)buf + i, 8);
            *sum += w;
        }
    return 0;
}

/* Defines the ring transport `var` called name_ with the wait policy (publish_, wait_): its
 * open, send, recv and recv_sum, and its descriptor; attach, detach and close are shm_ring.c's. */
#define TVP_SHM_RING_TRANSPORT(var, name_, description_, publish_, wait_)                          \
    static int var##_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,     \
                          size_t errlen)                                                           \
    {                                                                                              \
        return tvp_shm_ring_open(out, cfg, (name_), err, errlen);                                  \
    }                                                                                              \
    static int var##_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len,           \
                          char *err, size_t errlen)                                                \
    {                                                                                              \
        return tvp_shm_ring_send(p, side, buf, len, err, errlen, (publish_), (wait_));             \
    }                                                                                              \
    static int var##_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,      \
                          size_t errlen)                                                           \
    {                                                                                              \
        return tvp_shm_ring_recv(p, side, buf, len, NULL, err, errlen, (publish_), (wait_));       \
    }                                                                                              \
    static int var##_recv_sum(struct tvp_ipc_pair *p, int side, void *buf, size_t len,             \
                              uint64_t *sum, char *err, size_t errlen)                             \
    {                                                                                              \
        return tvp_shm_ring_recv(p, side, buf, len, sum, err, errlen, (publish_), (wait_));        \
    }                                                                                              \
    const struct tvp_ipc_transport var = {                                                         \
        .name = (name_),                                                                           \
        .description = (description_),                                                             \
        .open = var##_open,                                                                        \
        .attach = tvp_shm_ring_attach,                                                             \
        .send = var##_send,                                                                        \
        .recv = var##_recv,                                                                        \
        .recv_sum = var##_recv_sum,                                                                \
        .detach = tvp_shm_ring_detach,                                                             \
        .close = tvp_shm_ring_close,                                                               \
        .chunk = tvp_ipc_chunk,                                                                    \
    }

/* CLOCK_MONOTONIC in ns, for the wait loops (the vDSO: no system call). */
static inline int64_t tvp_shm_ring_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for this clock with a valid ts */
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
