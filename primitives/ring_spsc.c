/* The SPSC ring's sizing and initialisation; the operations are inline in ring_spsc.h, which
 * also has the contract and the memory orders. */
#include "ring_spsc.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdint.h>

_Static_assert(offsetof(struct tvp_spsc, head) - offsetof(struct tvp_spsc, tail) >= TVP_RING_APART,
               "producer and consumer lines too close");
_Static_assert(offsetof(struct tvp_spsc, data) - offsetof(struct tvp_spsc, head) >= TVP_RING_APART,
               "consumer line too close to the slots");
_Static_assert(sizeof(struct tvp_spsc) % TVP_RING_LINE == 0, "slots must start on a line");

size_t tvp_spsc_size(size_t capacity, size_t item_size)
{
    /* >= 2: a one-slot ring works, but it is a mailbox, and the benchmark should not mistake one
     * for a ring. The upper bound keeps the signed distances a user might take meaningful. */
    if (capacity < 2 || (capacity & (capacity - 1)) != 0 || capacity > SIZE_MAX / 4 ||
        item_size == 0)
        return 0;
    if (item_size > (SIZE_MAX - sizeof(struct tvp_spsc) - TVP_RING_LINE) / capacity)
        return 0;
    size_t bytes = sizeof(struct tvp_spsc) + capacity * item_size;
    return (bytes + TVP_RING_LINE - 1) & ~(size_t)(TVP_RING_LINE - 1);
}

int tvp_spsc_init(struct tvp_spsc **out, void *mem, size_t len, size_t capacity, size_t item_size,
                  char *err, size_t errlen)
{
    size_t need = tvp_spsc_size(capacity, item_size);
    if (need == 0) {
        tvp_errfmt(err, errlen, 0,
                   "spsc ring: capacity %zu x item size %zu: capacity must be a power of two >= 2 "
                   "and item size > 0, within size_t",
                   capacity, item_size);
        return EINVAL;
    }
    if (mem == NULL || ((uintptr_t)mem & (TVP_RING_LINE - 1)) != 0) {
        tvp_errfmt(err, errlen, 0, "spsc ring: memory at %p: not %d-byte aligned", mem,
                   TVP_RING_LINE);
        return EINVAL;
    }
    if (len < need) {
        tvp_errfmt(err, errlen, 0, "spsc ring: memory of %zu bytes: %zu needed", len, need);
        return EINVAL;
    }
    struct tvp_spsc *r = mem;
    atomic_init(&r->tail, 0);
    r->head_cache = 0;
    r->p_mask = capacity - 1;
    r->p_item_size = item_size;
    atomic_init(&r->head, 0);
    r->tail_cache = 0;
    r->c_mask = capacity - 1;
    r->c_item_size = item_size;
    r->c_next = 0;
    r->c_batch = capacity / 16 > 0 ? capacity / 16 : 1;
    *out = r;
    return 0;
}
