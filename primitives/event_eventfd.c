/* Event "eventfd": a Linux eventfd whose counter is the flag (set = counter > 0). See
 * tvp_event.h for how set, clear and wake-all map onto eventfd semantics, and what differs.
 *
 *   init   eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC). pshared changes nothing: the counter lives
 *          in the kernel and a forked child inherits the descriptor (so init before fork).
 *   set    write 1: adds to the counter and wakes every task polling the fd. EAGAIN (the
 *          counter is at its maximum, 2^64 - 2) means it is set already.
 *   clear  read: returns the count and resets it to 0 (non-semaphore mode); EAGAIN: it was 0.
 *   is_set poll with timeout 0.
 *   wait   ppoll for POLLIN until the deadline; poll never consumes the count, so all waiters
 *          see the same set. EINTR re-polls with the time left.
 *
 * Ordering: the kernel orders the write before a poll that sees the counter non-zero (the
 * eventfd's wait-queue lock). ThreadSanitizer does not see that edge through poll, so under
 * TSan set announces __tsan_release and a wait/is_set that saw the event set __tsan_acquire,
 * both on the event's address. */
#define _GNU_SOURCE

#include "event_common.h"
#include "eventfd_util.h"
#include "tvp_err.h"
#include "tvp_event.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int efd_init(struct tvp_event *ev, int pshared, char *err, size_t errlen)
{
    (void)pshared;
    ev->u.efd.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (ev->u.efd.fd < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "eventfd: eventfd");
        return e;
    }
    return 0;
}

static int efd_destroy(struct tvp_event *ev, char *err, size_t errlen)
{
    if (ev->u.efd.fd < 0)
        return 0;
    int fd = ev->u.efd.fd;
    ev->u.efd.fd = -1;
    if (close(fd) != 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "eventfd: close");
        return e;
    }
    return 0;
}

static int efd_set(struct tvp_event *ev)
{
    TVP_TSAN_RELEASE(ev);
    int e = tvp_eventfd_add1(ev->u.efd.fd);
    return e == EAGAIN ? 0 : e; /* EAGAIN: the counter is at its maximum: set already */
}

static int efd_clear(struct tvp_event *ev)
{
    int e = tvp_eventfd_take(ev->u.efd.fd);
    return e == EAGAIN ? 0 : e; /* EAGAIN: it was clear */
}

/* Polls once with the given timeout (NULL: no limit). 1 readable, 0 not, or -errno. */
static int efd_poll(struct tvp_event *ev, const struct timespec *timeout)
{
    struct pollfd p = {.fd = ev->u.efd.fd, .events = POLLIN};
    int n = ppoll(&p, 1, timeout, NULL);
    if (n < 0)
        return -errno;
    if (n > 0 && (p.revents & (POLLERR | POLLNVAL)))
        return -EBADF;
    return n > 0 && (p.revents & POLLIN);
}

static int efd_is_set(struct tvp_event *ev)
{
    static const struct timespec zero = {0, 0};
    int r;
    while ((r = efd_poll(ev, &zero)) == -EINTR)
        ;
    if (r == 1)
        TVP_TSAN_ACQUIRE(ev);
    return r;
}

static int efd_wait(struct tvp_event *ev, int64_t timeout_ns)
{
    struct timespec deadline, left;
    if (timeout_ns >= 0)
        tvp_event_deadline(timeout_ns, &deadline);
    for (;;) {
        if (timeout_ns >= 0)
            (void)tvp_event_time_left(&deadline, &left); /* 0 left: one last look */
        int r = efd_poll(ev, timeout_ns >= 0 ? &left : NULL);
        if (r == 1) {
            TVP_TSAN_ACQUIRE(ev);
            return 1;
        }
        if (r == -EINTR)
            continue; /* again with the time left */
        /* r == 0: ppoll returns 0 only when its timeout expired (without a limit it never
         * does; a wake-up whose set was undone by a clear makes poll sleep on by itself). */
        return r;
    }
}

const struct tvp_event_impl tvp_event_eventfd = {
    .name = "eventfd",
    .init = efd_init,
    .destroy = efd_destroy,
    .set = efd_set,
    .clear = efd_clear,
    .is_set = efd_is_set,
    .wait = efd_wait,
};
