#define _GNU_SOURCE
#include "python_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "ipc_common.h"
#include "task_watch.h"
#include "tvp_child.h"
#include "tvp_err.h"

extern char **environ;

int tvp_pyproc_start(struct tvp_pyproc *p, char *const argv[], char *const envp[], char *err,
                     size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->pid = -1;
    p->to_fd = p->from_fd = -1;
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        tvp_errfmt(err, errlen, errno, "python: making the command pipe");
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        tvp_errfmt(err, errlen, errno, "python: making the reply pipe");
        close(in[0]);
        close(in[1]);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    if (rc == 0) {
        rc = posix_spawn(&p->pid, argv[0], &fa, NULL, argv, envp ? envp : environ);
        if (rc != 0)
            tvp_errfmt(err, errlen, rc, "python: starting %s", argv[0]);
    } else {
        tvp_errfmt(err, errlen, rc, "python: preparing the worker's descriptors");
    }
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        p->pid = -1;
        return -1;
    }
    p->to_fd = in[1];
    p->from_fd = out[0];
    return 0;
}

int tvp_pyproc_send(struct tvp_pyproc *p, const char *line, char *err, size_t errlen)
{
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s\n", line);
    if (n < 0 || (size_t)n >= sizeof msg) {
        snprintf(err, errlen, "python: command too long");
        return -1;
    }
    int e = tvp_ipc_write_full(p->to_fd, msg, (size_t)n);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "python: sending '%s' to the worker", line);
        return -1;
    }
    return 0;
}

/* The worker's reply pipe reached end of file: says how the worker ended when it was killed or
 * failed (its end of file comes while it exits, so it gets up to 200 ms to become a zombie),
 * else that it ended without a reply. It is left unreaped for tvp_pyproc_end. */
static void worker_gone(const struct tvp_pyproc *p, char *err, size_t errlen)
{
    char why[160];
    for (int i = 0; p->pid > 0 && i < 40; i++) {
        int r = tvp_task_failed(p->pid, "the Python worker", -1, why, sizeof why);
        if (r == 1) {
            snprintf(err, errlen, "python: the worker ended without a reply: %s", why);
            return;
        }
        if (r < 0)
            break;
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    snprintf(err, errlen, "python: the worker ended without a reply (see stderr)");
}

int tvp_pyproc_readline(struct tvp_pyproc *p, char *buf, size_t len, int timeout_ms, char *err,
                        size_t errlen)
{
    uint64_t deadline = timeout_ms < 0 ? 0 : tvp_now_ns() + (uint64_t)timeout_ms * 1000000ull;
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            if (n >= len) {
                snprintf(err, errlen, "python: a reply line longer than %zu bytes", len);
                return -1;
            }
            memcpy(buf, p->buf, n);
            buf[n] = '\0';
            p->len -= n + 1;
            memmove(p->buf, nl + 1, p->len);
            return 0;
        }
        if (p->len == sizeof p->buf) {
            snprintf(err, errlen, "python: a reply line longer than %zu bytes", sizeof p->buf);
            return -1;
        }
        int wait_ms = -1;
        if (timeout_ms >= 0) {
            uint64_t now = tvp_now_ns();
            if (now >= deadline) {
                snprintf(err, errlen, "python: no reply from the worker within %d ms", timeout_ms);
                return -1;
            }
            wait_ms = (int)((deadline - now) / 1000000ull) + 1;
        }
        struct pollfd pfd = {.fd = p->from_fd, .events = POLLIN};
        int r = poll(&pfd, 1, wait_ms);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            tvp_errfmt(err, errlen, errno, "python: waiting for the worker's reply");
            return -1;
        }
        if (r == 0)
            continue; /* the deadline check above ends it */
        ssize_t got = read(p->from_fd, p->buf + p->len, sizeof p->buf - p->len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            tvp_errfmt(err, errlen, errno, "python: reading the worker's reply");
            return -1;
        }
        if (got == 0) {
            worker_gone(p, err, errlen);
            return -1;
        }
        p->len += (size_t)got;
    }
}

int tvp_pyproc_end(struct tvp_pyproc *p, int grace_ms)
{
    int e;
    if ((e = tvp_ipc_close_fd(&p->to_fd)) != 0)
        tvp_warn(e, "python: closing the worker's command pipe");
    int status = -1;
    if (p->pid > 0) {
        int killed;
        if ((e = tvp_reap_or_kill(p->pid, grace_ms, &status, &killed)) != 0) {
            tvp_warn(e, "python: reaping worker %d", (int)p->pid);
            status = -1;
        } else if (killed) {
            status = -1;
        }
        p->pid = -1;
    }
    if ((e = tvp_ipc_close_fd(&p->from_fd)) != 0)
        tvp_warn(e, "python: closing the worker's reply pipe");
    return status;
}
