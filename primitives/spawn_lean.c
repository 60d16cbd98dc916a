/* The case's side of the lean starter (tvp_spawn.h): start it, hand it runs, read its replies,
 * and make sure it is reaped whatever happens. Every error names the starter by its path. */
#define _GNU_SOURCE

#include "tvp_child.h"
#include "tvp_err.h"
#include "tvp_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern char **environ;

/* How long a starter that was asked to stop (or whose channel was closed) gets to exit. */
#define STOP_GRACE_MS 2000

/* Closes the channel (a live starter then reads end of input and exits), reaps the starter,
 * killing it after the grace period, and describes how it ended in why ("" for status 0).
 * Returns 0 when it exited with status 0 and did not have to be killed. */
static int reap(struct tvp_lean_starter *ls, char *why, size_t len)
{
    why[0] = '\0';
    if (ls->sock >= 0) {
        close(ls->sock);
        ls->sock = -1;
    }
    if (ls->pid < 0)
        return 0;
    int st = 0, killed = 0;
    int e = tvp_reap_or_kill(ls->pid, STOP_GRACE_MS, &st, &killed);
    ls->pid = -1;
    if (e != 0)
        return tvp_errfmt(why, len, e, "waitpid"), -1;
    if (killed)
        return snprintf(why, len, "did not exit within %d ms and was killed", STOP_GRACE_MS), -1;
    if (WIFSIGNALED(st))
        return snprintf(why, len, "was killed by signal %d (%s)", WTERMSIG(st),
                        strsignal(WTERMSIG(st))),
               -1;
    if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
        return snprintf(why, len, "exited with status %d", WEXITSTATUS(st)), -1;
    return 0;
}

/* Reads one reply line into ls->buf (without its newline); *eof = 1 when the starter closed the
 * channel before a whole line. Returns 0 or an error number (EMSGSIZE for an over-long line). */
static int read_reply(struct tvp_lean_starter *ls, int *eof)
{
    size_t len = 0;
    *eof = 0;
    for (;;) {
        char ch;
        ssize_t r = read(ls->sock, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno;
        if (r == 0) {
            *eof = 1;
            ls->buf[len] = '\0';
            return 0;
        }
        if (ch == '\n') {
            ls->buf[len] = '\0';
            return 0;
        }
        if (len + 1 >= sizeof ls->buf)
            return EMSGSIZE;
        ls->buf[len++] = ch;
    }
}

/* Reads the reply to `what`, into ls->buf. On failure (read error, the starter gone, its "err"
 * line) the starter is stopped and reaped and err says why. Returns 0 or an error number. */
static int get_reply(struct tvp_lean_starter *ls, const char *what, char *err, size_t errlen)
{
    int eof;
    int e = read_reply(ls, &eof);
    char why[200];
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "lean starter %s: reading its reply to %s", ls->path, what);
        reap(ls, why, sizeof why);
        return e;
    }
    if (eof) {
        reap(ls, why, sizeof why);
        tvp_errfmt(err, errlen, 0, "lean starter %s: died before replying to %s (it %s)", ls->path,
                   what, why[0] ? why : "exited with status 0");
        return EPIPE;
    }
    if (strncmp(ls->buf, "err ", 4) == 0) {
        tvp_errfmt(err, errlen, 0, "lean starter %s: %s", ls->path, ls->buf + 4);
        reap(ls, why, sizeof why);
        return EPROTO;
    }
    return 0;
}

static int bad_reply(struct tvp_lean_starter *ls, const char *what, char *err, size_t errlen)
{
    char why[200];
    tvp_errfmt(err, errlen, 0, "lean starter %s: bad reply \"%.120s\" to %s", ls->path, ls->buf,
               what);
    reap(ls, why, sizeof why);
    return EPROTO;
}

int tvp_lean_start(struct tvp_lean_starter *ls, const char *path, const char *helper, int pu,
                   int child_cpu, long long rss_mib, char *err, size_t errlen)
{
    memset(ls, 0, sizeof *ls);
    ls->pid = -1;
    ls->sock = -1;
    if (path == NULL || path[0] == '\0')
        return tvp_errfmt(err, errlen, EINVAL, "lean starter: no path was given"), EINVAL;
    snprintf(ls->path, sizeof ls->path, "%s", path);
    if (access(path, X_OK) != 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "lean starter %s: not an executable", path), e;
    }
    cpu_set_t own;
    if (sched_getaffinity(0, sizeof own, &own) != 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "lean starter %s: sched_getaffinity of the case", path),
               e;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "lean starter %s: socketpair", path), e;
    }
    char a_pu[16], a_cpu[16], a_rss[24];
    snprintf(a_pu, sizeof a_pu, "%d", pu);
    snprintf(a_cpu, sizeof a_cpu, "%d", child_cpu);
    snprintf(a_rss, sizeof a_rss, "%lld", rss_mib);
    char *argv[] = {"tvp-lean-starter", a_pu, a_cpu, a_rss, (char *)(helper ? helper : ""), NULL};
    posix_spawn_file_actions_t fa;
    int e = posix_spawn_file_actions_init(&fa);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "lean starter %s: posix_spawn_file_actions_init", path);
        goto fail;
    }
    /* dup2 onto 0 clears close-on-exec there; with stdin closed, socketpair may have handed out
     * 0 itself, and dup2(0, 0) would keep the flag: then move it off first. */
    if (sv[1] == 0) {
        int fd = fcntl(sv[1], F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
            e = errno;
            tvp_errfmt(err, errlen, e, "lean starter %s: moving the socket off fd 0", path);
            posix_spawn_file_actions_destroy(&fa);
            goto fail;
        }
        close(sv[1]);
        sv[1] = fd;
    }
    e = posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "lean starter %s: posix_spawn_file_actions_adddup2", path);
    else if ((e = posix_spawn(&ls->pid, path, &fa, NULL, argv, environ)) != 0) {
        ls->pid = -1;
        tvp_errfmt(err, errlen, e, "lean starter %s: posix_spawn", path);
    }
    int e2 = posix_spawn_file_actions_destroy(&fa);
    if (e == 0 && e2 != 0) {
        e = e2;
        tvp_errfmt(err, errlen, e, "lean starter %s: posix_spawn_file_actions_destroy", path);
    }
    close(sv[1]);
    sv[1] = -1;
    ls->sock = sv[0];
    sv[0] = -1;
    if (e != 0)
        goto fail;

    if ((e = get_reply(ls, "its start", err, errlen)) != 0)
        return e;
    char inherited[sizeof ls->inherited + 1];
    int used = 0;
    if (sscanf(ls->buf, "ready %31s inherited=%64s maps=%d thp_off=%d%n", ls->linkage, inherited,
               &ls->maps, &ls->thp_off, &used) != 4 ||
        ls->buf[used] != '\0' || strlen(inherited) >= sizeof ls->inherited)
        return bad_reply(ls, "its start", err, errlen);
    snprintf(ls->inherited, sizeof ls->inherited, "%s", inherited);
    /* The case was bound by the harness; an exec'd program keeps its parent's mask, and the
     * figures rely on that (the starter binds itself too, but it must start where the case is). */
    char mine[sizeof ls->inherited + 8];
    tvp_format_cpuset(&own, mine, sizeof mine);
    if (strcmp(mine, ls->inherited) != 0) {
        char why[200];
        tvp_errfmt(err, errlen, 0,
                   "lean starter %s: inherited affinity {%s}, but the case is bound to {%s}", path,
                   ls->inherited, mine);
        reap(ls, why, sizeof why);
        return EPROTO;
    }
    return 0;

fail:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    char why[200];
    reap(ls, why, sizeof why);
    return e;
}

/* Parses "a,b,c" into r->cpus; returns 0 or -1. */
static int parse_cpus(const char *s, struct tvp_lean_result *r)
{
    r->n_cpus = 0;
    if (strcmp(s, "none") == 0)
        return 0;
    while (*s) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || end == s || v < 0 || v >= CPU_SETSIZE || (*end != ',' && *end != '\0'))
            return -1;
        if (r->n_cpus < (int)(sizeof r->cpus / sizeof r->cpus[0]))
            r->cpus[r->n_cpus++] = (int)v;
        s = *end ? end + 1 : end;
    }
    return 0;
}

int tvp_lean_run(struct tvp_lean_starter *ls, enum tvp_spawn_method m, uint64_t iters,
                 struct tvp_lean_result *r, char *err, size_t errlen)
{
    if (ls->pid < 0 || ls->sock < 0)
        return tvp_errfmt(err, errlen, EINVAL, "lean starter %s: not running", ls->path), EINVAL;
    if (iters == 0 || iters > TVP_LEAN_MAX_ITERS)
        return tvp_errfmt(err, errlen, EINVAL, "lean starter %s: %" PRIu64 " starts in one run",
                          ls->path, iters),
               EINVAL;
    char cmd[80], what[96];
    int n = snprintf(cmd, sizeof cmd, "run %s %" PRIu64 "\n", tvp_spawn_method_name(m), iters);
    snprintf(what, sizeof what, "\"%.*s\"", n - 1, cmd);
    for (int off = 0; off < n;) {
        /* MSG_NOSIGNAL: a starter that died must give an error here, not SIGPIPE the case. */
        ssize_t w = send(ls->sock, cmd + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            char why[200];
            reap(ls, why, sizeof why);
            tvp_errfmt(err, errlen, e, "lean starter %s: sending %s (it %s)", ls->path, what,
                       why[0] ? why : "exited with status 0");
            return e;
        }
        off += (int)w;
    }
    int e = get_reply(ls, what, err, errlen);
    if (e != 0)
        return e;
    unsigned long long v[6];
    char cpus[TVP_LEAN_LINE];
    int used = 0;
    if (sscanf(ls->buf, "ok %llu %llu %llu %llu %llu %llu %511s%n", &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], cpus, &used) != 7 ||
        ls->buf[used] != '\0')
        return bad_reply(ls, what, err, errlen);
    memset(r, 0, sizeof *r);
    r->iters = v[0];
    r->sum_running = v[1];
    r->sum_joined = v[2];
    r->p50_running = v[3];
    r->p50_joined = v[4];
    r->cpu_ns = v[5];
    /* What every honest reply satisfies: each start ran before it was joined, so do the sums
     * and the medians; a reply that breaks this was not made by the protocol. */
    if (r->iters != iters || r->sum_running > r->sum_joined || r->p50_running > r->p50_joined ||
        r->p50_joined > r->sum_joined || parse_cpus(cpus, r) != 0)
        return bad_reply(ls, what, err, errlen);
    return 0;
}

int tvp_lean_stop(struct tvp_lean_starter *ls, char *err, size_t errlen)
{
    if (ls->pid < 0) {
        if (ls->sock >= 0) {
            close(ls->sock);
            ls->sock = -1;
        }
        return 0;
    }
    /* Best effort: if the send fails the starter is gone already, and reap says how. */
    (void)send(ls->sock, "quit\n", 5, MSG_NOSIGNAL);
    char why[200];
    if (reap(ls, why, sizeof why) != 0)
        return tvp_errfmt(err, errlen, 0, "lean starter %s: %s", ls->path, why), ECHILD;
    return 0;
}
