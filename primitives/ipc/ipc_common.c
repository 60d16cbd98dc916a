#define _GNU_SOURCE
#include "ipc_common.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int tvp_ipc_name(char *buf, size_t len, const char *kind)
{
    static _Atomic unsigned counter;
    unsigned n = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
    int w = snprintf(buf, len, "/tvp-%ld-%u-%s", (long)getpid(), n, kind);
    return w < 0 || (size_t)w >= len ? ENAMETOOLONG : 0;
}

int tvp_ipc_pidfd_open(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int tvp_ipc_peer_gone(int pidfd)
{
    if (pidfd < 0)
        return 0;
    struct pollfd p = {.fd = pidfd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

int tvp_ipc_write_full(int fd, const void *buf, size_t len)
{
    const char *b = buf;
    while (len > 0) {
        ssize_t w = write(fd, b, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == ECONNRESET ? EPIPE : errno;
        }
        b += w;
        len -= (size_t)w;
    }
    return 0;
}

int tvp_ipc_read_full(int fd, void *buf, size_t len)
{
    char *b = buf;
    while (len > 0) {
        ssize_t r = read(fd, b, len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return errno == ECONNRESET ? EPIPE : errno;
        }
        if (r == 0)
            return EPIPE;
        b += r;
        len -= (size_t)r;
    }
    return 0;
}

int tvp_ipc_close_fd(int *fd)
{
    if (*fd < 0)
        return 0;
    int rc = close(*fd) == 0 ? 0 : errno;
    *fd = -1;
    return rc;
}
