/* Thin wrappers around the futex system call, for the lock, semaphore and event primitives.
 *
 * A futex word is a 32-bit _Atomic uint32_t. "priv" is FUTEX_PRIVATE_FLAG when every task that
 * waits or wakes on the word shares one address space (threads), 0 when the word lives in
 * MAP_SHARED memory used by several processes: the kernel then keys the wait queue by the
 * physical page, not by (mm, address), so a wake from another process finds the waiter.
 *
 * The wrappers follow the system-call convention of the kernel itself but return the error
 * number: 0 on success (or on a harmless EAGAIN / EINTR for waits, which callers treat as a
 * spurious wake-up and re-check the word), ETIMEDOUT for an expired wait, any other error
 * number as it is. They have no memory-order semantics of their own: the kernel compares the
 * word under its hash-bucket lock with a full barrier, which is what makes the "check the
 * word, then sleep" of the callers free of lost wake-ups (see each caller for the pairing). */
#ifndef TVP_FUTEX_H
#define TVP_FUTEX_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleeps while *word == expected. Returns 0 (woken, or the word had changed, or a signal),
 * or an error number other than EAGAIN/EINTR. */
static inline int tvp_futex_wait(_Atomic uint32_t *word, uint32_t expected, int priv)
{
    if (syscall(SYS_futex, word, FUTEX_WAIT | priv, expected, NULL, NULL, 0) == 0)
        return 0;
    int e = errno;
    return (e == EAGAIN || e == EINTR) ? 0 : e;
}

/* Sleeps while *word == expected, at most until the absolute CLOCK_MONOTONIC time *deadline
 * (FUTEX_WAIT_BITSET takes an absolute time on the monotonic clock). Returns 0 (woken, changed,
 * signal), ETIMEDOUT, or another error number. */
static inline int tvp_futex_wait_until(_Atomic uint32_t *word, uint32_t expected, int priv,
                                       const struct timespec *deadline)
{
    if (syscall(SYS_futex, word, FUTEX_WAIT_BITSET | priv, expected, deadline, NULL,
                FUTEX_BITSET_MATCH_ANY) == 0)
        return 0;
    int e = errno;
    return (e == EAGAIN || e == EINTR) ? 0 : e;
}

/* Wakes up to n waiters (INT_MAX: all). Returns 0 or an error number. */
static inline int tvp_futex_wake(_Atomic uint32_t *word, int n, int priv)
{
    if (syscall(SYS_futex, word, FUTEX_WAKE | priv, n, NULL, NULL, 0) < 0)
        return errno;
    return 0;
}

#endif
