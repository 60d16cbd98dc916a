/* The blocking queue's engine: creation, locking, waiting, waking and task accounting, shared by
 * the three orders, whose storage sits behind queue_storage.h. See tvp_queue.h for the contract.
 *
 * Every operation takes the one mutex once, loops "while the predicate fails, sleep on its
 * condvar" (so spurious wake-ups, signals and wake-ups stolen by a running task only cost a
 * re-check), moves what it can, and decides under the mutex whom to wake: the sleeper counts
 * are exact there, so a call skips pthread_cond_signal entirely when nobody sleeps. The signal
 * itself goes out after unlocking (except all_tasks_done, see task_done). That is safe: a
 * counted sleeper is either still blocked when the signal comes, or has woken for another reason
 * and re-checks under the mutex, where it sees the change.
 *
 * Timeouts: the absolute deadline is taken on the first wait only (a call that need not wait
 * reads no clock), and pthread_cond_timedwait on a CLOCK_MONOTONIC condvar returns ETIMEDOUT
 * only once the deadline has passed. After ETIMEDOUT the predicate is checked once more: a
 * wake-up that raced with the timeout then delivers its item instead of being swallowed. */
#define _GNU_SOURCE

#include "queue_storage.h"
#include "tvp_deadline.h"
#include "tvp_err.h"
#include "tvp_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Slots of an unbounded queue before its first doubling. */
#define UNBOUNDED_FIRST_CAP 16

/* The wake-up plan meaning "broadcast". */
#define WAKE_ALL SIZE_MAX

static const struct tvp_queue_storage *const storages[] = {
    [TVP_QUEUE_FIFO] = &tvp_queue_fifo_storage,
    [TVP_QUEUE_LIFO] = &tvp_queue_lifo_storage,
    [TVP_QUEUE_PRIORITY] = &tvp_queue_priority_storage,
};

const char *tvp_queue_order_name(enum tvp_queue_order o)
{
    switch (o) {
    case TVP_QUEUE_FIFO:
        return "fifo";
    case TVP_QUEUE_LIFO:
        return "lifo";
    case TVP_QUEUE_PRIORITY:
        return "priority";
    }
    return NULL;
}

/* ---- layout and creation ---- */

static int round_up(size_t x, size_t a, size_t *out)
{
    if (__builtin_add_overflow(x, a - 1, out))
        return -1;
    *out &= ~(a - 1);
    return 0;
}

/* Offsets of the two arrays of a bounded queue whose arrays follow its header, and the bytes of
 * the whole block. -1 on overflow. */
static int layout(size_t capacity, size_t item_size, size_t key_size, size_t *keys_off,
                  size_t *items_off, size_t *total)
{
    size_t kb, ib, hdr;
    if (round_up(sizeof(struct tvp_queue), TVP_QUEUE_ALIGN, &hdr) != 0 ||
        __builtin_mul_overflow(capacity, key_size, &kb) ||
        __builtin_mul_overflow(capacity, item_size, &ib) ||
        round_up(kb, TVP_QUEUE_ALIGN, &kb) != 0 || __builtin_add_overflow(hdr, kb, items_off) ||
        __builtin_add_overflow(*items_off, ib, total))
        return -1;
    *keys_off = hdr;
    return 0;
}

size_t tvp_queue_shared_size(size_t capacity, size_t item_size)
{
    size_t ko, io, total;
    if (capacity == 0 || capacity == TVP_QUEUE_UNBOUNDED || item_size == 0)
        return 0;
    /* Any order may be placed in it: size the keys for the largest (the heap's). */
    if (layout(capacity, item_size, sizeof(struct tvp_queue_key), &ko, &io, &total) != 0)
        return 0;
    return total;
}

static int check_args(enum tvp_queue_order order, size_t capacity, size_t item_size, char *err,
                      size_t errlen)
{
    if (tvp_queue_order_name(order) == NULL)
        return tvp_errfmt(err, errlen, EINVAL, "queue: order %d unknown", (int)order), EINVAL;
    if (capacity == 0)
        return tvp_errfmt(err, errlen, EINVAL, "queue: capacity 0"), EINVAL;
    if (item_size == 0)
        return tvp_errfmt(err, errlen, EINVAL, "queue: item_size 0"), EINVAL;
    return 0;
}

/* Initialises the mutex and the three condvars (CLOCK_MONOTONIC), process-shared or not. On
 * failure nothing stays initialised. */
static int init_sync(struct tvp_queue *q, int pshared, char *err, size_t errlen)
{
    int ps = pshared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
    pthread_mutexattr_t ma;
    pthread_condattr_t ca;
    pthread_cond_t *cvs[] = {&q->not_empty, &q->not_full, &q->all_tasks_done};
    int ncv = 0;
    int e = pthread_mutexattr_init(&ma);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "queue: pthread_mutexattr_init"), e;
    e = pthread_mutexattr_setpshared(&ma, ps);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_mutexattr_setpshared");
        goto out_ma;
    }
    /* Between processes a task can die alone holding the mutex: robust, the next locker is
     * told (EOWNERDEAD, see q_lock) instead of every other task blocking for ever. Threads
     * cannot die alone: a private queue's mutex stays plain. */
    if (pshared && (e = pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST)) != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_mutexattr_setrobust");
        goto out_ma;
    }
    e = pthread_condattr_init(&ca);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_condattr_init");
        goto out_ma;
    }
    e = pthread_condattr_setpshared(&ca, ps);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_condattr_setpshared");
        goto out_ca;
    }
    e = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_condattr_setclock(CLOCK_MONOTONIC)");
        goto out_ca;
    }
    e = pthread_mutex_init(&q->mu, &ma);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "queue: pthread_mutex_init");
        goto out_ca;
    }
    for (; ncv < 3; ncv++) {
        e = pthread_cond_init(cvs[ncv], &ca);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "queue: pthread_cond_init");
            /* Already failing: the undo's own errors add nothing. */
            while (ncv-- > 0)
                (void)pthread_cond_destroy(cvs[ncv]);
            (void)pthread_mutex_destroy(&q->mu);
            break;
        }
    }
out_ca:
    (void)pthread_condattr_destroy(&ca); /* cannot fail for an initialised attribute */
out_ma:
    (void)pthread_mutexattr_destroy(&ma); /* cannot fail for an initialised attribute */
    return e;
}

/* The fields every queue starts with; the arrays are set by the caller. */
static void init_fields(struct tvp_queue *q, enum tvp_queue_order order, size_t cap,
                        size_t item_size, int unbounded, int shared)
{
    memset(q, 0, sizeof *q);
    q->cap = cap;
    q->item_size = item_size;
    q->order = (uint8_t)order;
    q->unbounded = (uint8_t)unbounded;
    q->shared = (uint8_t)shared;
    tvp_queue_set_count(q, 0);
    atomic_store_explicit(&q->get_sleeps, 0, memory_order_relaxed);
    atomic_store_explicit(&q->put_sleeps, 0, memory_order_relaxed);
}

int tvp_queue_create(struct tvp_queue **out, enum tvp_queue_order order, size_t capacity,
                     size_t item_size, char *err, size_t errlen)
{
    if (out == NULL)
        return tvp_errfmt(err, errlen, EINVAL, "queue: out is NULL"), EINVAL;
    *out = NULL;
    int e = check_args(order, capacity, item_size, err, errlen);
    if (e != 0)
        return e;
    const struct tvp_queue_storage *st = storages[order];
    struct tvp_queue *q;
    void *mem;
    if (capacity == TVP_QUEUE_UNBOUNDED) {
        size_t ib, kb;
        if (__builtin_mul_overflow(item_size, (size_t)UNBOUNDED_FIRST_CAP, &ib))
            return tvp_errfmt(err, errlen, ENOMEM, "queue: item_size %zu", item_size), ENOMEM;
        kb = st->key_size * UNBOUNDED_FIRST_CAP;
        /* Header alone, aligned so its hot line is a line of its own; the arrays apart. */
        e = posix_memalign(&mem, TVP_QUEUE_ALIGN, sizeof *q);
        if (e != 0)
            return tvp_errfmt(err, errlen, e, "queue: allocating %zu bytes", sizeof *q), e;
        q = mem;
        init_fields(q, order, UNBOUNDED_FIRST_CAP, item_size, 1, 0);
        q->items = malloc(ib);
        q->keys = malloc(kb);
        if (q->items == NULL || q->keys == NULL) {
            tvp_errfmt(err, errlen, ENOMEM, "queue: allocating %zu + %zu bytes", ib, kb);
            e = ENOMEM;
            goto fail;
        }
    } else {
        size_t ko, io, total;
        if (layout(capacity, item_size, st->key_size, &ko, &io, &total) != 0)
            return tvp_errfmt(err, errlen, EINVAL, "queue: capacity %zu x item_size %zu overflows",
                              capacity, item_size),
                   EINVAL;
        e = posix_memalign(&mem, TVP_QUEUE_ALIGN, total);
        if (e != 0)
            return tvp_errfmt(err, errlen, e, "queue: allocating %zu bytes", total), e;
        q = mem;
        init_fields(q, order, capacity, item_size, 0, 0);
        q->keys = (char *)mem + ko;
        q->items = (char *)mem + io;
    }
    e = init_sync(q, 0, err, errlen);
    if (e != 0)
        goto fail;
    *out = q;
    return 0;
fail:
    if (q->unbounded) {
        free(q->items);
        free(q->keys);
    }
    free(q);
    return e;
}

int tvp_queue_init_shared(struct tvp_queue **out, void *mem, size_t len, enum tvp_queue_order order,
                          size_t capacity, size_t item_size, char *err, size_t errlen)
{
    if (out == NULL)
        return tvp_errfmt(err, errlen, EINVAL, "queue: out is NULL"), EINVAL;
    *out = NULL;
    if (mem == NULL)
        return tvp_errfmt(err, errlen, EINVAL, "queue: shared memory is NULL"), EINVAL;
    if ((uintptr_t)mem % TVP_QUEUE_ALIGN != 0)
        return tvp_errfmt(err, errlen, EINVAL, "queue: shared memory at %p is not %d-byte aligned",
                          mem, TVP_QUEUE_ALIGN),
               EINVAL;
    int e = check_args(order, capacity, item_size, err, errlen);
    if (e != 0)
        return e;
    if (capacity == TVP_QUEUE_UNBOUNDED)
        return tvp_errfmt(err, errlen, EINVAL,
                          "queue: a shared queue cannot be unbounded (it cannot grow in place)"),
               EINVAL;
    size_t need = tvp_queue_shared_size(capacity, item_size);
    if (need == 0)
        return tvp_errfmt(err, errlen, EINVAL, "queue: capacity %zu x item_size %zu overflows",
                          capacity, item_size),
               EINVAL;
    if (len < need)
        return tvp_errfmt(err, errlen, EINVAL, "queue: shared memory of %zu bytes, %zu needed", len,
                          need),
               EINVAL;
    size_t ko = 0, io = 0, total = 0;
    (void)layout(capacity, item_size, storages[order]->key_size, &ko, &io, &total); /* <= need */
    struct tvp_queue *q = mem;
    init_fields(q, order, capacity, item_size, 0, 1);
    q->keys = (char *)mem + ko;
    q->items = (char *)mem + io;
    e = init_sync(q, 1, err, errlen);
    if (e != 0)
        return e;
    *out = q;
    return 0;
}

int tvp_queue_destroy(struct tvp_queue *q)
{
    if (q == NULL)
        return 0;
    int e = pthread_cond_destroy(&q->not_empty);
    int e2 = pthread_cond_destroy(&q->not_full);
    if (e == 0)
        e = e2;
    e2 = pthread_cond_destroy(&q->all_tasks_done);
    if (e == 0)
        e = e2;
    e2 = pthread_mutex_destroy(&q->mu);
    if (e == 0)
        e = e2;
    if (!q->shared) {
        if (q->unbounded) {
            free(q->items);
            free(q->keys);
        }
        free(q);
    }
    return e;
}

size_t tvp_queue_capacity(const struct tvp_queue *q)
{
    return q->unbounded ? TVP_QUEUE_UNBOUNDED : q->cap;
}

size_t tvp_queue_item_size(const struct tvp_queue *q)
{
    return q->item_size;
}

size_t tvp_queue_qsize(struct tvp_queue *q)
{
    return q != NULL ? tvp_queue_count(q) : 0;
}

void tvp_queue_stats(struct tvp_queue *q, struct tvp_queue_stats *st)
{
    st->get_sleeps = atomic_load_explicit(&q->get_sleeps, memory_order_relaxed);
    st->put_sleeps = atomic_load_explicit(&q->put_sleeps, memory_order_relaxed);
}

/* ---- waiting and waking ---- */

static inline int bad_timeout(int64_t timeout_ns)
{
    return timeout_ns < 0 && timeout_ns != TVP_QUEUE_FOREVER;
}

/* The queue's mutex. EOWNERDEAD (process-shared: a task died holding it, maybe half-way
 * through a put or get) fails the call; the mutex is mended and released first, so the other
 * tasks are not blocked and can be told too. consistent and unlock cannot fail here: the
 * mutex is robust, inconsistent and held by this task. */
static inline int q_lock(struct tvp_queue *q)
{
    int e = pthread_mutex_lock(&q->mu);
    if (e == EOWNERDEAD) {
        (void)pthread_mutex_consistent(&q->mu);
        (void)pthread_mutex_unlock(&q->mu);
    }
    return e;
}

struct deadline {
    int set;
    struct timespec ts;
};

/* Sleeps once on cv (mu held), counted in *waiters. Returns 0 on a wake-up (real or not: the
 * caller re-checks), EAGAIN for NOWAIT, ETIMEDOUT once the deadline passed, or an error. */
static int sleep_on(struct tvp_queue *q, pthread_cond_t *cv, uint32_t *waiters,
                    _Atomic uint64_t *sleeps, int64_t timeout_ns, struct deadline *dl)
{
    if (timeout_ns == TVP_QUEUE_NOWAIT)
        return EAGAIN;
    int e;
    (*waiters)++;
    if (sleeps != NULL) /* under mu: relaxed is enough, a reader only wants a snapshot */
        atomic_fetch_add_explicit(sleeps, 1, memory_order_relaxed);
    if (timeout_ns == TVP_QUEUE_FOREVER) {
        e = pthread_cond_wait(cv, &q->mu);
    } else {
        if (!dl->set) {
            tvp_deadline_after(timeout_ns, &dl->ts);
            dl->set = 1;
        }
        e = pthread_cond_timedwait(cv, &q->mu, &dl->ts);
    }
    /* Re-taken from a dead holder: ours now, mended here; the caller fails and unlocks. */
    if (e == EOWNERDEAD)
        (void)pthread_mutex_consistent(&q->mu);
    (*waiters)--;
    return e;
}

/* Whom to wake for k items made available (or slots freed) with `waiters` sleepers: nobody,
 * k of them one signal each, or all (WAKE_ALL) when k covers every sleeper. */
static inline size_t wake_plan(uint32_t waiters, size_t k)
{
    if (waiters == 0 || k == 0)
        return 0;
    if (k == 1)
        return 1;
    return k >= waiters ? WAKE_ALL : k;
}

static int wake(pthread_cond_t *cv, size_t plan)
{
    if (plan == WAKE_ALL)
        return pthread_cond_broadcast(cv);
    int e = 0;
    for (size_t i = 0; i < plan && e == 0; i++)
        e = pthread_cond_signal(cv);
    return e;
}

/* ---- put and get ---- */

/* Doubles an unbounded queue's arrays. Realloc keeps the old contents on failure, and cap only
 * changes once both succeeded, so ENOMEM leaves the queue as it was (an items array that grew
 * alone is merely larger than needed). */
static int grow(struct tvp_queue *q, const struct tvp_queue_storage *st)
{
    size_t old = q->cap, ncap, ib, kb;
    if (__builtin_mul_overflow(old, (size_t)2, &ncap) ||
        __builtin_mul_overflow(ncap, q->item_size, &ib) ||
        __builtin_mul_overflow(ncap, st->key_size, &kb))
        return ENOMEM;
    char *items = realloc(q->items, ib);
    if (items == NULL)
        return ENOMEM;
    q->items = items;
    void *keys = realloc(q->keys, kb);
    if (keys == NULL)
        return ENOMEM;
    q->keys = keys;
    q->cap = ncap;
    if (st->grown != NULL)
        st->grown(q, old);
    return 0;
}

/* put (n == 1) and put_many. Inlined into both, so put's loop folds to one pass. */
static inline int put_n(struct tvp_queue *q, const char *items, const int64_t *prios, size_t n,
                        size_t *done, int64_t timeout_ns)
{
    const struct tvp_queue_storage *st = storages[q->order];
    struct deadline dl = {0};
    size_t isz = q->item_size, d = 0, part = 0; /* part: put since consumers were last woken */
    int e = q_lock(q);
    if (e != 0)
        return e;
    while (d < n) {
        size_t c = tvp_queue_count(q);
        if (c == q->cap) {
            if (q->unbounded) {
                e = grow(q, st);
                if (e != 0)
                    break;
                continue;
            }
            /* Hand over what went in before sleeping: consumers are what frees room. Under the
             * mutex here, which the wait below releases at once. */
            if (part > 0) {
                e = wake(&q->not_empty, wake_plan(q->get_waiters, part));
                part = 0;
                if (e != 0)
                    break;
            }
            e = sleep_on(q, &q->not_full, &q->put_waiters, &q->put_sleeps, timeout_ns, &dl);
            if (e != 0) {
                if (e == ETIMEDOUT && tvp_queue_count(q) < q->cap)
                    e = 0; /* room came with the timeout: use it, then time out if more is due */
                else
                    break;
            }
            continue;
        }
        size_t k = q->cap - c < n - d ? q->cap - c : n - d;
        st->push(q, items + d * isz, prios != NULL ? prios + d : NULL, k);
        tvp_queue_set_count(q, c + k);
        q->unfinished += k;
        d += k;
        part += k;
    }
    size_t plan = wake_plan(q->get_waiters, part);
    int e2 = pthread_mutex_unlock(&q->mu);
    if (e == 0)
        e = e2;
    e2 = wake(&q->not_empty, plan);
    if (e == 0)
        e = e2;
    *done = d;
    return e;
}

/* get (max == 1) and get_many. */
static inline int get_n(struct tvp_queue *q, char *items, int64_t *prios, size_t max, size_t *got,
                        int64_t timeout_ns)
{
    struct deadline dl = {0};
    int e = q_lock(q);
    if (e != 0)
        return e;
    while (tvp_queue_count(q) == 0) {
        e = sleep_on(q, &q->not_empty, &q->get_waiters, &q->get_sleeps, timeout_ns, &dl);
        if (e != 0) {
            if (e == ETIMEDOUT && tvp_queue_count(q) > 0)
                e = 0; /* an item came with the timeout: take it */
            break;
        }
    }
    size_t k = 0, plan = 0;
    if (e == 0) {
        size_t c = tvp_queue_count(q);
        k = c < max ? c : max;
        storages[q->order]->pop(q, items, prios, k);
        tvp_queue_set_count(q, c - k);
        plan = wake_plan(q->put_waiters, k);
    }
    int e2 = pthread_mutex_unlock(&q->mu);
    if (e == 0)
        e = e2;
    e2 = wake(&q->not_full, plan);
    if (e == 0)
        e = e2;
    *got = k;
    return e;
}

int tvp_queue_put(struct tvp_queue *q, const void *item, int64_t priority, int64_t timeout_ns)
{
    if (q == NULL || item == NULL || bad_timeout(timeout_ns))
        return EINVAL;
    size_t done;
    return put_n(q, item, &priority, 1, &done, timeout_ns);
}

int tvp_queue_get(struct tvp_queue *q, void *item, int64_t *priority, int64_t timeout_ns)
{
    if (q == NULL || item == NULL || bad_timeout(timeout_ns))
        return EINVAL;
    size_t got;
    return get_n(q, item, priority, 1, &got, timeout_ns);
}

int tvp_queue_put_many(struct tvp_queue *q, const void *items, const int64_t *prios, size_t n,
                       size_t *done, int64_t timeout_ns)
{
    if (done != NULL)
        *done = 0;
    if (q == NULL || done == NULL || (items == NULL && n > 0) || bad_timeout(timeout_ns))
        return EINVAL;
    if (n == 0)
        return 0;
    return put_n(q, items, prios, n, done, timeout_ns);
}

int tvp_queue_get_many(struct tvp_queue *q, void *items, int64_t *prios, size_t max, size_t *got,
                       int64_t timeout_ns)
{
    if (got != NULL)
        *got = 0;
    if (q == NULL || items == NULL || got == NULL || max == 0 || bad_timeout(timeout_ns))
        return EINVAL;
    return get_n(q, items, prios, max, got, timeout_ns);
}

/* ---- task accounting ---- */

int tvp_queue_task_done(struct tvp_queue *q)
{
    if (q == NULL)
        return EINVAL;
    int e = q_lock(q);
    if (e != 0)
        return e;
    if (q->unfinished == 0)
        e = EINVAL;
    else if (--q->unfinished == 0 && q->join_waiters > 0)
        /* Under the mutex, unlike put/get: the usual next step of a joiner is to tear the
         * queue down, which must not race with this call still touching the condvar. */
        e = pthread_cond_broadcast(&q->all_tasks_done);
    int e2 = pthread_mutex_unlock(&q->mu);
    return e != 0 ? e : e2;
}

int tvp_queue_join(struct tvp_queue *q, int64_t timeout_ns)
{
    if (q == NULL || bad_timeout(timeout_ns))
        return EINVAL;
    struct deadline dl = {0};
    int e = q_lock(q);
    if (e != 0)
        return e;
    while (q->unfinished > 0) {
        e = sleep_on(q, &q->all_tasks_done, &q->join_waiters, NULL, timeout_ns, &dl);
        if (e != 0) {
            if (e == ETIMEDOUT && q->unfinished == 0)
                e = 0;
            break;
        }
    }
    int e2 = pthread_mutex_unlock(&q->mu);
    return e != 0 ? e : e2;
}
