/* What the two ring transports share beyond send and recv (those are inline in shm_ring.h, to
 * take each transport's wait policy): open, attach, detach, close (see shm_ring.h for the ring
 * itself and the memory orders).
 *
 * open maps both rings (shm_map.h: unlinked at once, so nothing is ever left) and allocates the
 * pair 128-byte aligned, so each side's private state has its own line pair. attach opens the
 * peer's pidfd in the process model; detach closes it (what a side sent is already in the ring,
 * which outlives the sender, so there is nothing to flush); close unmaps and frees. The futex
 * flag is FUTEX_PRIVATE_FLAG in the thread model (the kernel keys the wait by address space and
 * address, a cheaper hash) and 0 in the process model (keyed by the shared page). */
#define _GNU_SOURCE

#include "shm_ring.h"
#include "ipc_common.h"
#include "shm_map.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdint.h>
#include <stdlib.h>

_Static_assert((TVP_SHM_RING_CAP & (TVP_SHM_RING_CAP - 1)) == 0, "ring size: a power of two");
_Static_assert(TVP_SHM_RING_CAP < (1u << 31), "32-bit indices need the ring below 2^31 bytes");
_Static_assert(offsetof(struct tvp_shm_ring, head) - offsetof(struct tvp_shm_ring, tail) >=
                   TVP_SHM_RING_APART,
               "tail and head too close");
_Static_assert(offsetof(struct tvp_shm_ring, data) % TVP_SHM_RING_APART == 0,
               "data must start on a fresh line pair");
_Static_assert(sizeof(struct tvp_ipc_pair) % TVP_SHM_RING_APART == 0, "aligned_alloc size");

int tvp_shm_ring_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, const char *name,
                      char *err, size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX, sizeof *p, TVP_SHM_RING_APART, name, &e, err, errlen);
    if (p == NULL)
        return e;
    p->futex_priv = p->h.processes ? 0 : FUTEX_PRIVATE_FLAG;
    p->map_len = 2 * sizeof(struct tvp_shm_ring);
    if ((e = tvp_shm_map_open(&p->map, p->map_len, name, "ring", err, errlen)) != 0) {
        free(p);
        return e;
    }
    struct tvp_shm_ring *rings = p->map; /* zero-filled: every index and flag starts at 0 */
    for (int s = 0; s < 2; s++) {
        p->side[s].tx = &rings[s];
        p->side[s].rx = &rings[1 - s];
        p->side[s].pidfd = -1;
    }
    *out = p;
    return 0;
}

int tvp_shm_ring_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    return tvp_ipc_attach_watching(&p->h, &p->side[side].pidfd, side, peer, err, errlen);
}

int tvp_shm_ring_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    return tvp_ipc_detach_watching(&p->h, &p->side[side].pidfd, side, err, errlen);
}

int tvp_shm_ring_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++)
        tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->side[s].pidfd), err, errlen,
                           "%s: close: closing side %d's pidfd", p->h.name, s);
    tvp_ipc_keep_first(&rc, tvp_shm_map_close(p->map, p->map_len), err, errlen, "%s: munmap",
                       p->h.name);
    free(p);
    return rc;
}
