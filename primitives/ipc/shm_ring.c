/* What the two ring transports share: open, attach, detach, close, the argument checks (see
 * shm_ring.h for the ring itself and the memory orders).
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
#include "tvp_err.h"

#include <errno.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <unistd.h>

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
    *out = NULL;
    if (cfg == NULL || cfg->max_msg == 0) {
        tvp_errfmt(err, errlen, 0, "%s: open: max_msg 0: must be >= 1", name);
        return EINVAL;
    }
    struct tvp_ipc_pair *p = aligned_alloc(TVP_SHM_RING_APART, sizeof *p);
    if (p == NULL) {
        tvp_errfmt(err, errlen, ENOMEM, "%s: open: aligned_alloc", name);
        return ENOMEM;
    }
    memset(p, 0, sizeof *p);
    p->name = name;
    p->processes = cfg->processes != 0;
    p->futex_priv = p->processes ? 0 : FUTEX_PRIVATE_FLAG;
    p->max_msg = cfg->max_msg;
    p->map_len = 2 * sizeof(struct tvp_shm_ring);
    void *map;
    int e = tvp_shm_map_open(&map, p->map_len, name, "ring", err, errlen);
    if (e != 0) {
        free(p);
        return e;
    }
    p->map = map;
    struct tvp_shm_ring *rings = map; /* zero-filled: every index and flag starts at 0 */
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
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, "%s: attach: side %d: must be 0 or 1", p->name, side);
        return EINVAL;
    }
    if (!p->processes)
        return 0;
    if (peer <= 0) {
        tvp_errfmt(err, errlen, 0, "%s: attach side %d: peer pid %ld: invalid", p->name, side,
                   (long)peer);
        return EINVAL;
    }
    int fd = tvp_ipc_pidfd_open(peer);
    if (fd < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "%s: attach side %d: pidfd_open %ld", p->name, side, (long)peer);
        return e;
    }
    (void)tvp_ipc_close_fd(&p->side[side].pidfd); /* a second attach replaces the watch */
    p->side[side].pidfd = fd;
    return 0;
}

int tvp_shm_ring_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, "%s: detach: side %d: must be 0 or 1", p->name, side);
        return EINVAL;
    }
    int e = tvp_ipc_close_fd(&p->side[side].pidfd);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: detach side %d: close pidfd", p->name, side);
    return e;
}

int tvp_shm_ring_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0, e;
    for (int s = 0; s < 2; s++)
        if ((e = tvp_ipc_close_fd(&p->side[s].pidfd)) != 0 && rc == 0) {
            rc = e;
            tvp_errfmt(err, errlen, e, "%s: close: close pidfd", p->name);
        }
    char err2[128];
    e = tvp_shm_map_close(p->map, p->map_len, p->name, err2, sizeof err2);
    if (e != 0 && rc == 0) {
        rc = e;
        tvp_errfmt(err, errlen, 0, "%s", err2);
    }
    free(p);
    return rc;
}

size_t tvp_shm_ring_chunk(const struct tvp_ipc_pair *p)
{
    (void)p;
    return 0; /* a byte stream: a message of any size goes as one, in as many pieces as needed */
}

int tvp_shm_ring_check(const struct tvp_ipc_pair *p, const char *op, int side, size_t len,
                       char *err, size_t errlen)
{
    if (side != 0 && side != 1) {
        tvp_errfmt(err, errlen, 0, "%s: %s: side %d: must be 0 or 1", p->name, op, side);
        return EINVAL;
    }
    if (len > p->max_msg) {
        tvp_errfmt(err, errlen, 0, "%s: %s: %zu bytes: larger than max_msg %zu", p->name, op, len,
                   p->max_msg);
        return EMSGSIZE;
    }
    return 0;
}
