/* Transport "shm-arena": what the threads' "spsc-pointer" hand-off does, between processes. The
 * sender writes a message once, in place, into its arena in shared memory and hands the receiver
 * the message's offset and length through an SPSC ring in the same shared memory; the receiver
 * reads (and checks) it where it lies and hands the slot back through a second ring. The rings
 * are the very blocking SPSC rings the threads' baseline uses (ring_blocking.h: spin, then sleep
 * on a futex, shared between processes here), with the same item size (8 bytes: a pointer there,
 * offset and length here), so the process boundary is the only difference left. In-place calls:
 * shm_arena.h; the copying send/recv of tvp_ipc.h are built on them.
 *
 * Layout: one mapping (shm_map.h: shm_open O_EXCL 0600, unlinked at once, posix_fallocate'd so a
 * full /dev/shm is ENOSPC at set-up, never SIGBUS later), made by open before the fork:
 *   msg[d]    ring of descriptors side d posts to side 1 - d;
 *   ret[d]    ring of side d's slots that side 1 - d gives back;
 *   arena[d]  side d's slots, `slots` of slot_len bytes (max_msg rounded up to 128 bytes).
 * Offsets, never pointers, cross the boundary: each process maps the memory where it likes (a
 * forked child inherits the same address, but nothing here relies on it).
 *
 * Descriptor: offset in the sender's arena (high 32 bits) and length (low 32 bits); so max_msg
 * is at most MAX_MSG (64 MiB) and an arena stays below 4 GiB. A taken descriptor is checked
 * against the arena (a slot's start, a length <= max_msg) before anything is read: EBADMSG.
 *
 * Slots: each side holds all of its own slots at first (fresh); send takes a fresh one while any
 * is left, then reclaims one the peer gave back. At most `slots` <= RING_CAP are in flight per
 * direction: a post waits for room only as the baseline's push does (its pool fills its ring).
 * The return ring holds twice that: a sender reclaims only when it has no fresh slot left, so
 * after its last send up to `slots` given-back slots stay there for good, and a give-back must
 * never wait for a reclaim that will not come (the SPSC ring publishes its head lazily, so a
 * ring sized exactly to them could look full).
 * `slots` is min(RING_CAP, ARENA_BYTES / slot_len), at least 2: as many buffers as the threads'
 * pointer stream cycles through for the same message size, within 32 MiB of /dev/shm per side.
 *
 * Waiting and a dead peer: a take or reclaim waits in slices of TVP_IPC_SLICE_NS (the ring
 * computes the deadline only when it is about to sleep, so the fast path is the baseline's);
 * when a slice ends empty and the peer's pidfd (process model, opened by attach) says the peer
 * has ended, one last try, then EPIPE. */
#define _GNU_SOURCE

#include "shm_arena.h"
#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "ring_blocking.h"
#include "shm_map.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME        "shm-arena"
#define APART       128
#define RETURN_CAP  (2 * RING_CAP)
#define RING_CAP    64          /* as the spsc-pointer baseline's rings (ipc_run.c) */
#define SPIN        1000        /* as the baseline's spin between two cores (set_spin changes it) */
#define ARENA_BYTES (32u << 20) /* per side: the baseline stream pool's POOL_BYTES */
#define MAX_MSG     ((size_t)64 << 20)

struct arena_side {
    alignas(APART) size_t fresh; /* own slots never posted yet: slot fresh.. are still held */
    int pidfd;                   /* the peer (process model), else -1 */
};

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    void *map;
    size_t map_len;
    size_t slots, slot_len;
    size_t ring_len; /* bytes of each ring's place in the mapping */
    struct tvp_blocking_ring *msg[2], *ret[2];
    unsigned char *arena[2];
    struct arena_side side[2];
};

_Static_assert(sizeof(struct tvp_ipc_pair) % APART == 0, "aligned_alloc size");

static size_t round_up(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

static int arena_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
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

/* Lays the four rings out, empty, with spin tries before a wait sleeps. */
static int init_rings(struct tvp_ipc_pair *p, unsigned spin, char *err, size_t errlen)
{
    unsigned char *m = p->map;
    size_t ring = p->ring_len;
    int e = 0;
    for (int d = 0; d < 2 && e == 0; d++) {
        e = tvp_blocking_ring_init(&p->msg[d], m + (size_t)(2 * d) * ring, ring, TVP_RING_SPSC,
                                   RING_CAP, sizeof(uint64_t), p->h.processes, spin, err, errlen);
        if (e == 0)
            e = tvp_blocking_ring_init(&p->ret[d], m + (size_t)(2 * d + 1) * ring, ring,
                                       TVP_RING_SPSC, RETURN_CAP, sizeof(uint64_t), p->h.processes,
                                       spin, err, errlen);
    }
    return e;
}

int tvp_shm_arena_set_spin(struct tvp_ipc_pair *p, unsigned spin, char *err, size_t errlen)
{
    return init_rings(p, spin, err, errlen);
}

static int arena_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                      size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, MAX_MSG, sizeof *p, APART, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    p->side[0].pidfd = p->side[1].pidfd = -1;
    p->slot_len = round_up(cfg->max_msg, APART);
    p->slots = ARENA_BYTES / p->slot_len;
    p->slots = p->slots > RING_CAP ? RING_CAP : p->slots < 2 ? 2 : p->slots;
    size_t ring =
        round_up(tvp_blocking_ring_size(TVP_RING_SPSC, RETURN_CAP, sizeof(uint64_t)), APART);
    size_t arena = p->slots * p->slot_len;
    p->map_len = 4 * ring + 2 * arena;
    if ((e = tvp_shm_map_open(&p->map, p->map_len, NAME, "arena", err, errlen)) != 0)
        return tvp_ipc_open_done(out, p, e, arena_close);
    p->ring_len = ring;
    for (int d = 0; d < 2; d++)
        p->arena[d] = (unsigned char *)p->map + 4 * ring + (size_t)d * arena;
    return tvp_ipc_open_done(out, p, init_rings(p, SPIN, err, errlen), arena_close);
}

static int arena_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    return tvp_ipc_attach_watching(&p->h, &p->side[side].pidfd, side, peer, err, errlen);
}

static int arena_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    return tvp_ipc_detach_watching(&p->h, &p->side[side].pidfd, side, err, errlen);
}

/* Pops one descriptor from r for side, waiting in slices and watching the peer. */
static int wait_pop(struct tvp_ipc_pair *p, int side, struct tvp_blocking_ring *r, uint64_t *d)
{
    int pidfd = p->side[side].pidfd;
    for (;;) {
        int e = tvp_blocking_ring_pop(r, d, pidfd >= 0 ? TVP_IPC_SLICE_NS : TVP_RING_FOREVER);
        if (e != ETIMEDOUT)
            return e;
        if (tvp_ipc_peer_gone(pidfd)) /* it may have pushed just before it ended */
            return tvp_blocking_ring_pop(r, d, TVP_RING_NOWAIT) == 0 ? 0 : EPIPE;
    }
}

/* Pushes, likewise. */
static int wait_push(struct tvp_ipc_pair *p, int side, struct tvp_blocking_ring *r, uint64_t d)
{
    int pidfd = p->side[side].pidfd;
    for (;;) {
        int e = tvp_blocking_ring_push(r, &d, pidfd >= 0 ? TVP_IPC_SLICE_NS : TVP_RING_FOREVER);
        if (e != ETIMEDOUT)
            return e;
        if (tvp_ipc_peer_gone(pidfd))
            return EPIPE;
    }
}

/* The descriptor of msg (a slot of arena a) with len bytes; UINT64_MAX when msg is no slot. */
static uint64_t describe(const struct tvp_ipc_pair *p, int a, const unsigned char *msg, size_t len)
{
    if (msg < p->arena[a] || len > p->h.max_msg)
        return UINT64_MAX;
    size_t off = (size_t)(msg - p->arena[a]);
    if (off % p->slot_len != 0 || off / p->slot_len >= p->slots)
        return UINT64_MAX;
    return (uint64_t)off << 32 | (uint64_t)len;
}

/* The slot descriptor d names in arena a, or NULL when it names none. */
static unsigned char *resolve(const struct tvp_ipc_pair *p, int a, uint64_t d, size_t *len)
{
    size_t off = (size_t)(d >> 32);
    *len = (size_t)(d & UINT32_MAX);
    if (off % p->slot_len != 0 || off / p->slot_len >= p->slots || *len > p->h.max_msg)
        return NULL;
    return p->arena[a] + off;
}

size_t tvp_shm_arena_slots(const struct tvp_ipc_pair *p)
{
    return p->slots;
}

unsigned char *tvp_shm_arena_slot(struct tvp_ipc_pair *p, int side, size_t k)
{
    return k < p->slots && (side == 0 || side == 1) ? p->arena[side] + k * p->slot_len : NULL;
}

int tvp_shm_arena_post(struct tvp_ipc_pair *p, int side, const unsigned char *msg, size_t len,
                       char *err, size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "post", side, len, err, errlen);
    if (e != 0)
        return e;
    uint64_t d = describe(p, side, msg, len);
    if (d == UINT64_MAX)
        return tvp_ipc_fail(NAME, "post", EINVAL, "the message is not one of this side's slots",
                            err, errlen);
    if ((e = wait_push(p, side, p->msg[side], d)) != 0)
        return tvp_ipc_fail(NAME, "post", e, "handing the offset over", err, errlen);
    return 0;
}

int tvp_shm_arena_take(struct tvp_ipc_pair *p, int side, unsigned char **msg, size_t *len,
                       char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "take", side, err, errlen);
    uint64_t d;
    if (e == 0 && (e = wait_pop(p, side, p->msg[1 - side], &d)) != 0)
        return tvp_ipc_fail(NAME, "take", e, "waiting for a message", err, errlen);
    if (e == 0 && (*msg = resolve(p, 1 - side, d, len)) == NULL)
        return tvp_ipc_fail(NAME, "take", EBADMSG, "the descriptor names no slot", err, errlen);
    return e;
}

int tvp_shm_arena_give_back(struct tvp_ipc_pair *p, int side, const unsigned char *msg, char *err,
                            size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "give back", side, err, errlen);
    if (e != 0)
        return e;
    uint64_t d = describe(p, 1 - side, msg, 0);
    if (d == UINT64_MAX)
        return tvp_ipc_fail(NAME, "give back", EINVAL, "not one of the peer's slots", err, errlen);
    if ((e = wait_push(p, side, p->ret[1 - side], d)) != 0)
        return tvp_ipc_fail(NAME, "give back", e, "handing the slot back", err, errlen);
    return 0;
}

int tvp_shm_arena_reclaim(struct tvp_ipc_pair *p, int side, unsigned char **msg, char *err,
                          size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "reclaim", side, err, errlen);
    uint64_t d;
    size_t len;
    if (e == 0 && (e = wait_pop(p, side, p->ret[side], &d)) != 0)
        return tvp_ipc_fail(NAME, "reclaim", e, "waiting for a slot back", err, errlen);
    if (e == 0 && (*msg = resolve(p, side, d, &len)) == NULL)
        return tvp_ipc_fail(NAME, "reclaim", EBADMSG, "the descriptor names no slot", err, errlen);
    return e;
}

/* The copying calls: a fresh or reclaimed slot, written and posted; taken, read, given back. */
static int arena_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                      size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct arena_side *s = &p->side[side];
    unsigned char *slot;
    if (s->fresh < p->slots)
        slot = tvp_shm_arena_slot(p, side, s->fresh++);
    else if ((e = tvp_shm_arena_reclaim(p, side, &slot, err, errlen)) != 0)
        return e;
    if (len > 0)
        memcpy(slot, buf, len);
    return tvp_shm_arena_post(p, side, slot, len, err, errlen);
}

static int arena_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                      size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    unsigned char *msg;
    size_t got;
    if (e != 0 || (e = tvp_shm_arena_take(p, side, &msg, &got, err, errlen)) != 0)
        return e;
    if (got == len && len > 0)
        memcpy(buf, msg, len);
    if ((e = tvp_shm_arena_give_back(p, side, msg, err, errlen)) != 0)
        return e;
    if (got != len) {
        tvp_errfmt(err, errlen, EBADMSG, NAME ": recv: a message of %zu bytes where %zu were due",
                   got, len);
        return EBADMSG;
    }
    return 0;
}

const struct tvp_ipc_transport tvp_ipc_shm_arena = TVP_IPC_DESCRIPTOR(
    NAME,
    "zero-copy: message written once in place in a shared arena, its offset handed over through "
    "the threads' SPSC ring in shared memory (spin, then futex), slot handed back",
    arena_open, arena_attach, arena_send, arena_recv, arena_detach, arena_close, tvp_ipc_chunk);
