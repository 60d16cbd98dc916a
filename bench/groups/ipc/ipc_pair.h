/* Pair cases: the two (or three) figures a claim divides, measured in alternating batches of one
 * case so that a drift of the machine (on a VM, the host moving the vCPUs) reaches both alike.
 * See ipc_pair.c. */
#ifndef TVP_IPC_PAIR_H
#define TVP_IPC_PAIR_H

#include "group.h"

enum tvp_pair_kind {
    TVP_PAIR_ZERO_COPY, /* "pingpong-pair": shm-arena (processes) vs spsc-pointer (threads) */
    TVP_PAIR_FLOOR,     /* "floor-pair": shm-line-poll, shm-ring-poll vs the cache-line rtt */
    TVP_PAIR_BANDWIDTH, /* "bandwidth-pair": futex ring one way vs memcpy */
};

/* The benchmark name of pair k. */
const char *tvp_pair_bench(enum tvp_pair_kind k);
/* Fills c as group g's pair case k on placement pl at `bytes` per message. */
void tvp_pair_case(struct tvp_case *c, const struct tvp_group *g, enum tvp_pair_kind k,
                   const struct tvp_placement *pl, long long bytes);

#endif
