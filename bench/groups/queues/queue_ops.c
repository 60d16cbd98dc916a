#define _GNU_SOURCE
#include "queue_ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tvp_err.h"

const struct tvp_qk_desc tvp_qk[TVP_QK_COUNT] = {
    [TVP_QK_FIFO] = {"fifo", 1, 1, "blocking FIFO (mutex + condition variables)"},
    [TVP_QK_LIFO] = {"lifo", 1, 0, "blocking LIFO (mutex + condition variables)"},
    [TVP_QK_PRIORITY] = {"priority", 1, 0,
                         "blocking priority queue (binary heap, mutex + condition variables)"},
    [TVP_QK_SPSC] = {"spsc-ring", 0, 1, "lock-free SPSC ring, futex sleep when empty/full"},
    [TVP_QK_MPMC] = {"mpmc-ring", 1, 1,
                     "lock-free MPMC ring (sequence per slot), futex sleep when empty/full"},
};

int tvp_qk_find(const char *name)
{
    size_t len = strcspn(name, "+");
    for (int k = 0; k < TVP_QK_COUNT; k++)
        if (strlen(tvp_qk[k].name) == len && strncmp(tvp_qk[k].name, name, len) == 0)
            return k;
    return -1;
}

static const enum tvp_queue_order orders[] = {TVP_QUEUE_FIFO, TVP_QUEUE_LIFO, TVP_QUEUE_PRIORITY};

int tvp_bq_open(struct tvp_bq *b, enum tvp_qk kind, size_t capacity, size_t item_size, int pshared,
                unsigned spin, char *err, size_t errlen)
{
    memset(b, 0, sizeof *b);
    b->kind = kind;
    if (kind <= TVP_QK_PRIORITY && !pshared)
        return tvp_queue_create(&b->q, orders[kind], capacity, item_size, err, errlen) == 0 ? 0
                                                                                            : -1;
    size_t need = kind <= TVP_QK_PRIORITY
                      ? tvp_queue_shared_size(capacity, item_size)
                      : tvp_blocking_ring_size(kind == TVP_QK_SPSC ? TVP_RING_SPSC : TVP_RING_MPMC,
                                               capacity, item_size);
    if (need == 0) {
        snprintf(err, errlen, "%s: capacity %zu x %zu bytes is not a valid queue size",
                 tvp_qk[kind].name, capacity, item_size);
        return -1;
    }
    void *m = mmap(NULL, need, PROT_READ | PROT_WRITE,
                   (pshared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "%s: mapping %zu bytes for the queue", tvp_qk[kind].name,
                   need);
        return -1;
    }
    b->mem = m;
    b->mem_len = need;
    int rc =
        kind <= TVP_QK_PRIORITY
            ? tvp_queue_init_shared(&b->q, m, need, orders[kind], capacity, item_size, err, errlen)
            : tvp_blocking_ring_init(&b->r, m, need,
                                     kind == TVP_QK_SPSC ? TVP_RING_SPSC : TVP_RING_MPMC, capacity,
                                     item_size, pshared, spin, err, errlen);
    if (rc != 0) {
        munmap(m, need);
        b->mem = NULL;
        return -1;
    }
    return 0;
}

void tvp_bq_close(struct tvp_bq *b)
{
    if (b->q) {
        int rc = tvp_queue_destroy(b->q);
        if (rc != 0)
            tvp_warn(rc, "%s: destroying the queue", tvp_qk[b->kind].name);
    }
    if (b->mem && munmap(b->mem, b->mem_len) != 0)
        tvp_warn(errno, "%s: unmapping the queue", tvp_qk[b->kind].name);
    memset(b, 0, sizeof *b);
}

void tvp_bq_sleeps(struct tvp_bq *b, uint64_t *get, uint64_t *put)
{
    if (b->kind <= TVP_QK_PRIORITY) {
        struct tvp_queue_stats st;
        tvp_queue_stats(b->q, &st);
        *get = st.get_sleeps;
        *put = st.put_sleeps;
        return;
    }
    struct tvp_blocking_ring_stats st;
    tvp_blocking_ring_stats(b->r, &st);
    *get = st.pop_waits;
    *put = st.push_waits;
}
