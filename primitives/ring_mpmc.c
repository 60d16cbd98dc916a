/* The MPMC ring's sizing and initialisation; the operations are inline in ring_mpmc.h, which
 * also has the contract, the slot protocol and the memory orders. */
#include "ring_mpmc.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdint.h>

_Static_assert(offsetof(struct tvp_mpmc, dequeue_pos) - offsetof(struct tvp_mpmc, enqueue_pos) >=
                   TVP_RING_APART,
               "producers' and consumers' lines too close");
_Static_assert(offsetof(struct tvp_mpmc, slots) - offsetof(struct tvp_mpmc, dequeue_pos) >=
                   TVP_RING_APART,
               "consumers' line too close to the slots");
_Static_assert(sizeof(struct tvp_mpmc) % TVP_RING_LINE == 0, "slots must start on a line");

/* seq, then the item, rounded up so the next seq is 8-byte aligned; 0 on overflow. */
static size_t stride_of(size_t item_size)
{
    if (item_size > SIZE_MAX - 2 * sizeof(size_t))
        return 0;
    return (sizeof(size_t) + item_size + sizeof(size_t) - 1) & ~(sizeof(size_t) - 1);
}

size_t tvp_mpmc_size(size_t capacity, size_t item_size)
{
    /* Below 2^62 so seq - pos, taken as signed, tells "behind" from "ahead". */
    if (capacity < 2 || (capacity & (capacity - 1)) != 0 || capacity > SIZE_MAX / 4 ||
        item_size == 0)
        return 0;
    size_t stride = stride_of(item_size);
    if (stride == 0 || stride > (SIZE_MAX - sizeof(struct tvp_mpmc) - TVP_RING_LINE) / capacity)
        return 0;
    size_t bytes = sizeof(struct tvp_mpmc) + capacity * stride;
    return (bytes + TVP_RING_LINE - 1) & ~(size_t)(TVP_RING_LINE - 1);
}

int tvp_mpmc_init(struct tvp_mpmc **out, void *mem, size_t len, size_t capacity, size_t item_size,
                  char *err, size_t errlen)
{
    size_t need = tvp_mpmc_size(capacity, item_size);
    if (need == 0) {
        tvp_errfmt(err, errlen, 0,
                   "mpmc ring: capacity %zu x item size %zu: capacity must be a power of two >= 2 "
                   "and item size > 0, within size_t",
                   capacity, item_size);
        return EINVAL;
    }
    if (mem == NULL || ((uintptr_t)mem & (TVP_RING_LINE - 1)) != 0) {
        tvp_errfmt(err, errlen, 0, "mpmc ring: memory at %p: not %d-byte aligned", mem,
                   TVP_RING_LINE);
        return EINVAL;
    }
    if (len < need) {
        tvp_errfmt(err, errlen, 0, "mpmc ring: memory of %zu bytes: %zu needed", len, need);
        return EINVAL;
    }
    struct tvp_mpmc *r = mem;
    size_t stride = stride_of(item_size);
    atomic_init(&r->enqueue_pos, 0);
    r->p_mask = capacity - 1;
    r->p_item_size = item_size;
    r->p_stride = stride;
    atomic_init(&r->dequeue_pos, 0);
    r->c_mask = capacity - 1;
    r->c_item_size = item_size;
    r->c_stride = stride;
    for (size_t i = 0; i < capacity; i++)
        atomic_init(tvp_mpmc_seq_(r->slots + i * stride), i);
    *out = r;
    return 0;
}
