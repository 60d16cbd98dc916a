/* Transport "shm-arena": zero-copy message passing between processes, the way threads hand each
 * other a pointer (the ipc group's "spsc-pointer" baseline). See shm_arena.c for the design.
 *
 * Besides the copying send/recv of tvp_ipc.h (which every transport has, for the conformance
 * tests and any caller with its own buffers), the arena offers the in-place calls the benchmark
 * uses, so a message is written once, where the receiver reads it:
 *
 *   tvp_shm_arena_slots      how many slots each side's arena has (>= 2).
 *   tvp_shm_arena_slot       the k-th slot of side's own arena (k < slots): a place of max_msg
 *                            bytes that side may write while it holds the slot. Every slot is
 *                            held by its side at the start.
 *   tvp_shm_arena_post       hands a held slot (msg, in side's own arena) of len bytes to the
 *                            peer: its offset and length go through the SPSC ring; the slot is
 *                            the peer's until it gives it back.
 *   tvp_shm_arena_take       waits for the next message the peer posted; *msg points at it, in
 *                            the peer's arena, *len is its length. Read it in place.
 *   tvp_shm_arena_give_back  hands a taken message's slot back to the peer that posted it.
 *   tvp_shm_arena_reclaim    waits for the peer to give back one of side's slots; *msg is it.
 *
 *   tvp_shm_arena_set_spin   how many tries the rings' waits make before they sleep (1000 after
 *                            open; the benchmark sets what its pointer baseline uses, 0 when both
 *                            sides share a PU). Only right after open, before any message and
 *                            before the fork: it lays the rings out again, empty.
 *
 * All return 0 or an error number with "shm-arena: <op>: why" in err: EPIPE when the peer
 * process ended while this side waited (noticed within ~100 ms), EBADMSG for a descriptor that
 * does not name a slot. One task per side at a time, as for every transport. */
#ifndef TVP_SHM_ARENA_H
#define TVP_SHM_ARENA_H

#include "tvp_ipc.h"

#include <stddef.h>

int tvp_shm_arena_set_spin(struct tvp_ipc_pair *p, unsigned spin, char *err, size_t errlen);
size_t tvp_shm_arena_slots(const struct tvp_ipc_pair *p);
unsigned char *tvp_shm_arena_slot(struct tvp_ipc_pair *p, int side, size_t k);
int tvp_shm_arena_post(struct tvp_ipc_pair *p, int side, const unsigned char *msg, size_t len,
                       char *err, size_t errlen);
int tvp_shm_arena_take(struct tvp_ipc_pair *p, int side, unsigned char **msg, size_t *len,
                       char *err, size_t errlen);
int tvp_shm_arena_give_back(struct tvp_ipc_pair *p, int side, const unsigned char *msg, char *err,
                            size_t errlen);
int tvp_shm_arena_reclaim(struct tvp_ipc_pair *p, int side, unsigned char **msg, char *err,
                          size_t errlen);

#endif
