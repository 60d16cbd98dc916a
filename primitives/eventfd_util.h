/* The eventfd counter operations, and the ThreadSanitizer annotations their users need, for
 * everything that signals through an eventfd: the "eventfd" event (event_eventfd.c), the
 * eventfd-shm transport and the sysv-mq watcher's stop (ipc/eventfd_shm.c, ipc/sysv_mq.c).
 *
 * The kernel orders a write() to an eventfd before the read() or poll() that sees its count
 * (the eventfd's wait-queue lock), but ThreadSanitizer does not see that edge through the
 * kernel: a user that hands memory over through an eventfd announces TVP_TSAN_RELEASE(addr)
 * before the write and TVP_TSAN_ACQUIRE(addr) after it saw the count, addr standing for the
 * eventfd. Without TSan they compile to nothing. */
#ifndef TVP_EVENTFD_UTIL_H
#define TVP_EVENTFD_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#define TVP_TSAN_RELEASE(a) __tsan_release(a)
#define TVP_TSAN_ACQUIRE(a) __tsan_acquire(a)
#else
#define TVP_TSAN_RELEASE(a) ((void)(a))
#define TVP_TSAN_ACQUIRE(a) ((void)(a))
#endif

/* One 8-byte read (write = 0) or write (write = 1) of eventfd fd's counter through *v,
 * retrying EINTR. Returns 0; EAGAIN when fd is non-blocking and the read finds the counter at 0
 * or the write would take it past its maximum (2^64 - 2); or another error number. */
static inline int tvp_eventfd_rw(int fd, uint64_t *v, int write_it)
{
    for (;;) {
        ssize_t n = write_it ? write(fd, v, sizeof *v) : read(fd, v, sizeof *v);
        if (n == (ssize_t)sizeof *v)
            return 0;
        if (n >= 0)
            return EIO; /* an eventfd read or write is all or nothing: not expected */
        if (errno != EINTR)
            return errno;
    }
}

/* Adds 1 to the counter (a give, a set, a wake-up). */
static inline int tvp_eventfd_add1(int fd)
{
    uint64_t one = 1;
    return tvp_eventfd_rw(fd, &one, 1);
}

/* Takes the counter, resetting it to 0 (a take, a clear). */
static inline int tvp_eventfd_take(int fd)
{
    uint64_t v;
    return tvp_eventfd_rw(fd, &v, 0);
}

#endif
