/* A bounded counting semaphore, the shape of Python's threading.BoundedSemaphore(cap): at most
 * cap holders at once, and a release that would raise the count above cap is refused.
 *
 *   init         count = cap (1 .. TVP_BOUNDED_SEM_MAX), private (pshared = 0) or usable
 *                between processes (pshared = 1; the struct must then sit in MAP_SHARED
 *                memory mapped by all of them before they use it).
 *   acquire      takes one permit, sleeping while there is none. 0 or an error number (a
 *                futex failure such as EFAULT; then nothing was taken).
 *   try_acquire  takes one permit if there is one: 0, or EAGAIN with nothing taken.
 *   release      gives one permit back and wakes one sleeper if any sleeps. Refused when the
 *                count already equals cap: EINVAL with "semaphore released too many times"
 *                in err (Python raises ValueError with that text), and the count is unchanged.
 *                As in Python, the check is on the count, not on who holds what: a stray
 *                release is caught when it (or a later release) would exceed cap.
 *   value        the count at some instant during the call (a snapshot for tests and reports).
 *   destroy      nothing to free; here for symmetry and so callers have one place to end it.
 *
 * Concurrency: acquire, try_acquire, release and value may run concurrently from any threads,
 * and from any processes when pshared. No owner: any task may release. init and destroy run
 * alone. Not fair: a running acquirer may take a permit ahead of a woken sleeper (the sleeper
 * then sleeps again; the permit was not lost, it has a holder).
 *
 * Implementation (bounded_sem.c): count is the futex word. A sleeper registers in waiters
 * before sleeping, and FUTEX_WAIT sleeps only while count is still 0, so a release that
 * happens in between makes the wait return at once. release skips the wake system call when
 * nobody is registered. The futex is FUTEX_PRIVATE_FLAG for pshared = 0 and shared otherwise.
 *
 * Memory orders: a permit is taken by a compare-exchange with acquire (pairs with the release
 * in release's compare-exchange, so the previous holder's writes are visible to the next);
 * "count raised, then waiters read" in release and "waiters raised, then count read by the
 * kernel" in acquire form a store-load (Dekker) pair, so those four are seq_cst: at least one
 * side sees the other's write (either release sees the sleeper and wakes it, or the kernel's
 * check sees the new count and does not sleep). */
#ifndef TVP_BOUNDED_SEM_H
#define TVP_BOUNDED_SEM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define TVP_BOUNDED_SEM_MAX          0x7fffffffu
#define TVP_BOUNDED_SEM_OVER_RELEASE "semaphore released too many times"

struct tvp_bounded_sem {
    _Atomic uint32_t count;   /* permits available: the futex word */
    _Atomic uint32_t waiters; /* tasks between registering and leaving FUTEX_WAIT */
    uint32_t cap;             /* set by init, read-only after */
    int priv;                 /* FUTEX_PRIVATE_FLAG or 0 (pshared) */
};

/* Returns 0, or EINVAL for a cap outside 1..TVP_BOUNDED_SEM_MAX, with a message in err. */
int tvp_bounded_sem_init(struct tvp_bounded_sem *s, uint32_t cap, int pshared, char *err,
                         size_t errlen);
void tvp_bounded_sem_destroy(struct tvp_bounded_sem *s);

int tvp_bounded_sem_acquire(struct tvp_bounded_sem *s);
int tvp_bounded_sem_try_acquire(struct tvp_bounded_sem *s);
/* err may be NULL (errlen 0): only the number is returned then. */
int tvp_bounded_sem_release(struct tvp_bounded_sem *s, char *err, size_t errlen);
uint32_t tvp_bounded_sem_value(struct tvp_bounded_sem *s);
uint32_t tvp_bounded_sem_cap(const struct tvp_bounded_sem *s);

#endif
