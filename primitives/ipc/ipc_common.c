/* The helpers every transport shares: see ipc_common.h. */
#define _GNU_SOURCE
#include "ipc_common.h"

#include "tvp_deadline.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int tvp_ipc_name(char *buf, size_t len, const char *kind)
{
    static _Atomic unsigned counter;
    unsigned n = atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
    int w = snprintf(buf, len, "/tvp-%ld-%u-%s", (long)getpid(), n, kind);
    return w < 0 || (size_t)w >= len ? ENAMETOOLONG : 0;
}

void *tvp_ipc_new_pair(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, size_t limit,
                       size_t size, size_t align, const char *name, int *e, char *err,
                       size_t errlen)
{
    *out = NULL;
    *e = EINVAL;
    if (cfg == NULL) {
        tvp_errfmt(err, errlen, 0, "%s: open: no configuration", name);
        return NULL;
    }
    if (cfg->max_msg == 0 || cfg->max_msg > limit) {
        tvp_errfmt(err, errlen, 0, "%s: open: max_msg %zu: %s", name, cfg->max_msg,
                   cfg->max_msg == 0 ? "must be at least 1" : "more than the transport can hold");
        return NULL;
    }
    void *p;
    if (align == 0) {
        p = calloc(1, size);
    } else {
        size = (size + align - 1) & ~(align - 1); /* C11 wants a multiple of the alignment */
        if ((p = aligned_alloc(align, size)) != NULL)
            memset(p, 0, size);
    }
    if (p == NULL) {
        *e = ENOMEM;
        tvp_errfmt(err, errlen, ENOMEM, "%s: open: allocating the pair", name);
        return NULL;
    }
    *(struct tvp_ipc_head *)p = (struct tvp_ipc_head){name, cfg->processes != 0, cfg->max_msg, 0};
    *e = 0;
    return p;
}

int tvp_ipc_open_done(struct tvp_ipc_pair **out, struct tvp_ipc_pair *p, int e,
                      int (*close_fn)(struct tvp_ipc_pair *p, char *err, size_t errlen))
{
    if (e != 0) {
        (void)close_fn(p, NULL, 0); /* err tells the failure itself */
        return e;
    }
    *out = p;
    return 0;
}

size_t tvp_ipc_chunk(const struct tvp_ipc_pair *p)
{
    const struct tvp_ipc_head *h = (const void *)p; /* every pair's first member */
    return h->chunk != 0 && h->chunk < h->max_msg ? h->chunk : 0;
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

int tvp_ipc_watch_peer(int *pidfd, pid_t peer, const char *name, int side, char *err, size_t errlen)
{
    if (peer <= 0) {
        tvp_errfmt(err, errlen, 0, "%s: attach side %d: peer pid %ld: invalid", name, side,
                   (long)peer);
        return EINVAL;
    }
    int fd = tvp_ipc_pidfd_open(peer);
    if (fd < 0)
        return tvp_ipc_errno(err, errlen, "%s: attach side %d: pidfd_open %ld", name, side,
                             (long)peer);
    (void)tvp_ipc_close_fd(pidfd); /* the earlier watch: replaced, whatever close says */
    *pidfd = fd;
    return 0;
}

int tvp_ipc_unwatch_peer(int *pidfd, const char *name, int side, char *err, size_t errlen)
{
    int e = tvp_ipc_close_fd(pidfd);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: detach side %d: closing the peer's pidfd", name, side);
    return e;
}

void tvp_ipc_slice_deadline(clockid_t clock, struct timespec *ts)
{
    tvp_deadline_on(clock, TVP_IPC_SLICE_NS, ts);
}

int tvp_ipc_check_side(const struct tvp_ipc_head *h, const char *op, int side, char *err,
                       size_t errlen)
{
    if (side == 0 || side == 1)
        return 0;
    tvp_errfmt(err, errlen, 0, "%s: %s: side %d: must be 0 or 1", h->name, op, side);
    return EINVAL;
}

int tvp_ipc_bad_call(const struct tvp_ipc_head *h, const char *op, int side, size_t len, char *err,
                     size_t errlen)
{
    int e = tvp_ipc_check_side(h, op, side, err, errlen);
    if (e != 0)
        return e;
    tvp_errfmt(err, errlen, 0, "%s: %s: %zu bytes: larger than max_msg %zu", h->name, op, len,
               h->max_msg);
    return EMSGSIZE;
}

int tvp_ipc_fail(const char *name, const char *op, int e, const char *what, char *err,
                 size_t errlen)
{
    if (e == EPIPE)
        tvp_errfmt(err, errlen, 0, "%s: %s: peer ended", name, op);
    else
        tvp_errfmt(err, errlen, e, "%s: %s: %s", name, op, what);
    return e;
}

/* As tvp_errfmt, from a va_list: "what" and, when e != 0, ": strerror(e)". */
static void vformat(char *err, size_t errlen, int e, const char *fmt, va_list ap)
{
    int n = vsnprintf(err, errlen, fmt, ap);
    if (e != 0 && n >= 0 && (size_t)n < errlen)
        snprintf(err + n, errlen - (size_t)n, ": %s", strerror(e));
}

int tvp_ipc_errno(char *err, size_t errlen, const char *fmt, ...)
{
    int e = errno;
    va_list ap;
    va_start(ap, fmt);
    vformat(err, errlen, e, fmt, ap);
    va_end(ap);
    return e;
}

int tvp_ipc_keep_first(int *rc, int e, char *err, size_t errlen, const char *fmt, ...)
{
    if (e == 0 || *rc != 0)
        return e;
    *rc = e;
    va_list ap;
    va_start(ap, fmt);
    vformat(err, errlen, e, fmt, ap);
    va_end(ap);
    return e;
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

int tvp_ipc_close_fds(int *fds, int n)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        int e = tvp_ipc_close_fd(&fds[i]);
        if (rc == 0)
            rc = e;
    }
    return rc;
}

long tvp_ipc_proc_long(const char *path, long dflt)
{
    FILE *f = fopen(path, "re");
    long v;
    if (f == NULL)
        return dflt;
    if (fscanf(f, "%ld", &v) != 1 || v <= 0)
        v = dflt;
    fclose(f);
    return v;
}

int tvp_ipc_attach_watching(const struct tvp_ipc_head *h, int *pidfd, int side, pid_t peer,
                            char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(h, "attach", side, err, errlen);
    if (e != 0 || !h->processes)
        return e;
    return tvp_ipc_watch_peer(pidfd, peer, h->name, side, err, errlen);
}

int tvp_ipc_detach_watching(const struct tvp_ipc_head *h, int *pidfd, int side, char *err,
                            size_t errlen)
{
    int e = tvp_ipc_check_side(h, "detach", side, err, errlen);
    return e != 0 ? e : tvp_ipc_unwatch_peer(pidfd, h->name, side, err, errlen);
}
