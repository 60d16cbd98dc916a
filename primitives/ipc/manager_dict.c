/* Transport "manager-dict": an analogue of multiprocessing.Manager().dict(). open() forks a
 * server process that holds a dictionary (key -> bytes, manager_server.c); each side talks to
 * it over a Unix stream socket, one request and one reply at a time, as a Python proxy does:
 *
 *   send(side, msg)  SET "to<peer>/<n>" msg   (n counts the side's sends: the n-th message)
 *   recv(side)       TAKE "to<side>/<n>"      (n counts the side's receives; the server holds
 *                                              the reply until the key exists, then deletes it)
 *
 * so a message costs two round trips through the server (four context switches when nobody
 * spins) and three copies of the bytes (into the server, out of it, into the caller's buffer),
 * plus the dictionary work: what makes a Manager slow, minus Python's pickling and dispatch.
 *
 * Connections: pre-made socketpairs rather than a listening socket. open() makes three (side 0,
 * side 1, and a control connection the opener keeps for QUIT) before it forks the server, which
 * keeps the server ends and closes everything else it inherited; the opener closes the server
 * ends. Why not an abstract-namespace listener: an abstract name has no permissions (anyone in
 * the network namespace may connect to it) and no owner, the clients would have to connect,
 * retry until the server listens, and authenticate; socketpairs have no name at all, nothing to
 * squat or leak, and cost no connect per side. The price is the rule the descriptor transports
 * follow too: in the process model attach closes the other side's client end (and, in the
 * child, the opener's control end and server pidfd), so that each connection lives in exactly
 * one process and the server sees its end of file when that process ends.
 *
 * Peer death: a side whose process ends (killed mid-request or not, detached or not) closes its
 * connection; the server fails the other side's pending TAKE with EPIPE, answers EPIPE to
 * further TAKEs of keys that are not there and to SETs for the ended side (manager_server.h). A
 * server that ends makes every client call EPIPE (end of file on the socket).
 *
 * The server process: in both models (a Manager's server is a process in Python too). It sets
 * PR_SET_PDEATHSIG(SIGKILL) and then checks getppid() against the opener, so it never outlives
 * the opener (the signal fires when the thread that called open() ends: open and close belong
 * to one long-lived thread, as the harness's case runner is); it ignores SIGINT (as Python's
 * manager server does: a Ctrl-C goes to the opener, which shuts it down) and SIGPIPE, and
 * unblocks every other signal. close() sends QUIT on the control connection, closes it, waits up
 * to 1 s for the server (polling its pidfd), kills it with SIGKILL if it has not ended, and
 * reaps it in every case.
 *
 * Concurrency: one task per side; the side's counters are its own (separate lines). The server
 * serialises everything else. */
#define _GNU_SOURCE

#include "ipc_common.h"
#include "ipc_shm_transports.h"
#include "manager_server.h"
#include "tvp_child.h"
#include "task_watch.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NAME            "manager-dict"
#define QUIT_TIMEOUT_MS 1000

struct mgr_side {
    alignas(64) uint64_t sent; /* messages this side sent: the next key's <n> */
    uint64_t received;         /* messages this side received */
};

struct tvp_ipc_pair {
    struct tvp_ipc_head h; /* first: name, model, sizes (ipc_common.h) */
    pid_t opener;          /* the process that called open (and will call close) */
    pid_t server;          /* 0 when none */
    int server_pidfd;      /* the opener's, to wait for the server with a timeout */
    int cli[2];            /* client end of side s's connection */
    int ctl;               /* the opener's control connection */
    struct mgr_side side[2];
};

/* ---- the server process ---- */

/* Closes every descriptor above 2 but keep[]. Returns 0 or close_range's error number. */
static int keep_only(const int keep[TVP_MGR_CONNS])
{
    int k[TVP_MGR_CONNS];
    memcpy(k, keep, sizeof k);
    for (int i = 0; i < TVP_MGR_CONNS; i++) /* sort: three elements */
        for (int j = i + 1; j < TVP_MGR_CONNS; j++)
            if (k[j] < k[i]) {
                int t = k[i];
                k[i] = k[j];
                k[j] = t;
            }
    unsigned lo = 3; /* stdin, stdout and stderr stay, as in a Python manager */
    for (int i = 0; i < TVP_MGR_CONNS; i++) {
        unsigned fd = (unsigned)k[i];
        if (fd < lo)
            continue; /* one of 0..2 (the opener had closed it, so socketpair reused it) */
        if (fd > lo && close_range(lo, fd - 1, 0) != 0)
            return errno;
        lo = fd + 1;
    }
    return close_range(lo, ~0u, 0) != 0 ? errno : 0;
}

/* In the forked server: never returns. */
static void server_main(const int keep[TVP_MGR_CONNS], pid_t opener, size_t max_msg)
{
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        _exit(1);
    if (getppid() != opener) /* the opener ended before the prctl: nobody to serve */
        _exit(1);
    (void)tvp_task_name("tvp-mgr-server"); /* only a label for ps and the tests */
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigset_t none;
    sigemptyset(&none);
    if (sigaction(SIGPIPE, &ign, NULL) != 0 || sigaction(SIGINT, &ign, NULL) != 0 ||
        sigprocmask(SIG_SETMASK, &none, NULL) != 0)
        _exit(1);
    /* Whatever else the opener had open (other transports' pipes and sockets, the harness's
     * files) must not be held here: it would keep another pair's peer from seeing an end of
     * file. */
    int e = keep_only(keep);
    if (e != 0) {
        char buf[128];
        tvp_errfmt(buf, sizeof buf - 1, e, NAME ": server: close_range");
        size_t n = strlen(buf);
        buf[n++] = '\n';
        (void)!write(2, buf, n); /* the clients see the server end: EPIPE */
        _exit(1);
    }
    _exit(tvp_mgr_serve(keep, max_msg));
}

/* Waits up to QUIT_TIMEOUT_MS for the server to end, kills it if it has not, and reaps it.
 * Returns 0, ETIMEDOUT (it had to be killed), or another error number, with err set. */
static int stop_server(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    int rc = 0, exited = 0;
    struct pollfd pf = {.fd = p->server_pidfd, .events = POLLIN};
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = QUIT_TIMEOUT_MS -
                    ((t.tv_sec - t0.tv_sec) * 1000L + (t.tv_nsec - t0.tv_nsec) / 1000000L);
        int n = poll(&pf, 1, left > 0 ? (int)left : 0);
        if (n > 0) {
            exited = 1;
            break;
        }
        if (n == 0)
            break;
        if (errno != EINTR) {
            rc = errno;
            tvp_errfmt(err, errlen, rc, NAME ": close: poll the server's pidfd");
            break;
        }
    }
    if (!exited) {
        if (kill(p->server, SIGKILL) != 0 && rc == 0) {
            rc = errno;
            tvp_errfmt(err, errlen, rc, NAME ": close: kill the server %ld", (long)p->server);
        } else if (rc == 0) {
            rc = ETIMEDOUT;
            tvp_errfmt(err, errlen, 0, NAME ": close: the server did not exit within %d ms: killed",
                       QUIT_TIMEOUT_MS);
        }
    }
    int st = 0;
    int e = tvp_wait_child(p->server, &st);
    if (e != 0) {
        if (rc == 0) {
            rc = e;
            tvp_errfmt(err, errlen, e, NAME ": close: waitpid the server %ld", (long)p->server);
        }
    } else if (exited && !tvp_child_ok(st) && rc == 0) {
        rc = EIO;
        if (WIFSIGNALED(st))
            tvp_errfmt(err, errlen, 0, NAME ": close: the server was killed by signal %d",
                       WTERMSIG(st));
        else
            tvp_errfmt(err, errlen, 0, NAME ": close: the server exited with status %d",
                       WEXITSTATUS(st));
    }
    p->server = 0;
    return rc;
}

/* Closes everything this process holds of the pair and stops the server (opener only); also
 * for a half-made pair from open. */
static int mgr_close(struct tvp_ipc_pair *p, char *err, size_t errlen)
{
    if (p == NULL)
        return 0;
    int rc = 0;
    for (int s = 0; s < 2; s++)
        tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->cli[s]), err, errlen,
                           NAME ": close: close a client connection");
    if (p->ctl >= 0 && p->server > 0) {
        struct tvp_mgr_req q = {.op = TVP_MGR_QUIT};
        struct iovec iov = {&q, sizeof q};
        int e = tvp_mgr_sendv(p->ctl, &iov, 1);
        /* EPIPE: the server has ended already; the wait below tells how. */
        tvp_ipc_keep_first(&rc, e == EPIPE ? 0 : e, err, errlen, NAME ": close: send QUIT");
    }
    tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->ctl), err, errlen,
                       NAME ": close: close the control connection");
    if (p->server > 0 && getpid() == p->opener) {
        /* stop_server words its own errors: given err only while no failure came before */
        int first = rc == 0, e = stop_server(p, first ? err : NULL, first ? errlen : 0);
        if (first)
            rc = e;
    }
    tvp_ipc_keep_first(&rc, tvp_ipc_close_fd(&p->server_pidfd), err, errlen,
                       NAME ": close: close the server's pidfd");
    free(p);
    return rc;
}

static int mgr_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                    size_t errlen)
{
    int e;
    struct tvp_ipc_pair *p =
        tvp_ipc_new_pair(out, cfg, SIZE_MAX / 2, sizeof *p, 64, NAME, &e, err, errlen);
    if (p == NULL)
        return e;
    p->opener = getpid();
    p->server_pidfd = p->ctl = p->cli[0] = p->cli[1] = -1;

    int sv[TVP_MGR_CONNS][2], made = 0;
    for (; made < TVP_MGR_CONNS; made++)
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv[made]) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: socketpair");
            break;
        }
    if (e == 0) {
        int keep[TVP_MGR_CONNS] = {sv[0][1], sv[1][1], sv[2][1]};
        pid_t pid = fork();
        if (pid == 0)
            server_main(keep, p->opener, p->h.max_msg);
        if (pid < 0)
            e = tvp_ipc_errno(err, errlen, NAME ": open: fork the server");
        else
            p->server = pid;
    }
    for (int i = 0; i < made; i++)
        (void)close(sv[i][1]); /* the server's ends: only the server holds them now */
    if (made == TVP_MGR_CONNS) {
        p->cli[0] = sv[0][0];
        p->cli[1] = sv[1][0];
        p->ctl = sv[2][0];
    } else {
        for (int i = 0; i < made; i++)
            (void)close(sv[i][0]);
    }
    if (e == 0 && (p->server_pidfd = tvp_ipc_pidfd_open(p->server)) < 0) {
        e = tvp_ipc_errno(err, errlen, NAME ": open: pidfd_open of the server");
        (void)kill(p->server, SIGKILL); /* no pidfd to wait with: do not wait for a QUIT */
    }
    return tvp_ipc_open_done(out, p, e, mgr_close);
}

static int mgr_attach(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen)
{
    (void)peer; /* the server watches the peer's connection */
    int e = tvp_ipc_check_side(&p->h, "attach", side, err, errlen);
    if (e != 0 || !p->h.processes)
        return e;
    e = tvp_ipc_close_fd(&p->cli[1 - side]);
    if (e == 0 && getpid() != p->opener) {
        /* the child: the opener's control connection and pidfd are not ours to hold */
        e = tvp_ipc_close_fd(&p->ctl);
        int e2 = tvp_ipc_close_fd(&p->server_pidfd);
        e = e ? e : e2;
        p->server = 0;
    }
    if (e != 0)
        tvp_errfmt(err, errlen, e, NAME ": attach side %d: close the other side's descriptors",
                   side);
    return e;
}

/* One round trip on side's connection: the request (op, the key of message n to side `to`,
 * value), then the reply's header into *rep. */
static int call(struct tvp_ipc_pair *p, int side, uint32_t op, int to, uint64_t n, const void *val,
                size_t vlen, struct tvp_mgr_rep *rep)
{
    char key[TVP_MGR_KEY_MAX];
    int w = snprintf(key, sizeof key, "to%d/%llu", to, (unsigned long long)n);
    size_t klen = (size_t)w; /* "to1/" and 20 digits at most: TVP_MGR_KEY_MAX holds it */
    struct tvp_mgr_req req = {.op = op, .keylen = (uint32_t)klen, .vallen = vlen};
    struct iovec iov[3] = {{&req, sizeof req}, {(void *)key, klen}, {(void *)val, vlen}};
    int e = tvp_mgr_sendv(p->cli[side], iov, 3);
    if (e == 0)
        e = tvp_ipc_read_full(p->cli[side], rep, sizeof *rep);
    return e;
}

/* Why the server ended, for the opener (the server's parent) once its connection said so: the
 * end of file comes while the server exits, so its pidfd is given a moment to turn readable.
 * 0 with why set when it failed (killed, or a non-zero exit), else -1. */
static int server_death(const struct tvp_ipc_pair *p, char *why, size_t len)
{
    if (p->server <= 0 || p->server_pidfd < 0 || getpid() != p->opener)
        return -1;
    struct pollfd pf = {.fd = p->server_pidfd, .events = POLLIN};
    if (poll(&pf, 1, 200) <= 0) /* an error too: the server is then simply not named */
        return -1;
    return tvp_task_failed(p->server, "the Manager server", -1, why, len) == 1 ? 0 : -1;
}

static int call_failed(const struct tvp_ipc_pair *p, int e, const char *op, int status, char *err,
                       size_t errlen)
{
    char why[160];
    if (e == EPIPE && server_death(p, why, sizeof why) == 0)
        tvp_errfmt(err, errlen, 0, NAME ": %s: %s", op, why);
    else if (e == EPIPE)
        tvp_errfmt(err, errlen, 0, NAME ": %s: the manager server ended", op);
    else if (e == EBADF)
        tvp_errfmt(err, errlen, e, NAME ": %s: the side is not attached (or detached)", op);
    else if (e != 0)
        tvp_errfmt(err, errlen, e, NAME ": %s: talk to the server", op);
    else if (status == EPIPE)
        tvp_errfmt(err, errlen, 0, NAME ": %s: peer ended", op);
    else
        tvp_errfmt(err, errlen, status, NAME ": %s: the server refused", op);
    return e != 0 ? e : status;
}

static int mgr_send(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "send", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_mgr_rep rep;
    e = call(p, side, TVP_MGR_SET, 1 - side, p->side[side].sent, buf, len, &rep);
    if (e == 0 && rep.status == 0 && rep.vallen != 0)
        e = EPROTO; /* a SET's reply carries nothing */
    if (e != 0 || rep.status != 0)
        return call_failed(p, e, "send", e ? 0 : (int)rep.status, err, errlen);
    p->side[side].sent++;
    return 0;
}

static int mgr_recv(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err,
                    size_t errlen)
{
    int e = tvp_ipc_check_call(&p->h, "recv", side, len, err, errlen);
    if (e != 0)
        return e;
    struct tvp_mgr_rep rep;
    e = call(p, side, TVP_MGR_TAKE, side, p->side[side].received, NULL, 0, &rep);
    if (e != 0 || rep.status != 0) {
        if (e == 0 && rep.vallen != 0)
            e = EPROTO;
        return call_failed(p, e, "recv", e ? 0 : (int)rep.status, err, errlen);
    }
    p->side[side].received++; /* the key is consumed, whatever its length */
    if (rep.vallen != len) {
        if ((e = tvp_mgr_discard(p->cli[side], rep.vallen)) != 0)
            return call_failed(p, e, "recv", 0, err, errlen);
        tvp_errfmt(err, errlen, 0, NAME ": recv: a message of %llu bytes, %zu expected",
                   (unsigned long long)rep.vallen, len);
        return EBADMSG;
    }
    if ((e = tvp_ipc_read_full(p->cli[side], buf, len)) != 0)
        return call_failed(p, e, "recv", 0, err, errlen);
    return 0;
}

static int mgr_detach(struct tvp_ipc_pair *p, int side, char *err, size_t errlen)
{
    int e = tvp_ipc_check_side(&p->h, "detach", side, err, errlen);
    if (e != 0)
        return e;
    /* Every SET was answered: nothing is queued on this side. Closing the connection is what
     * tells the server (and through it the peer) that this side has ended. */
    if ((e = tvp_ipc_close_fd(&p->cli[side])) != 0)
        tvp_errfmt(err, errlen, e, NAME ": detach side %d: close", side);
    return e;
}

const struct tvp_ipc_transport tvp_ipc_manager_dict = TVP_IPC_TRANSPORT(
    mgr, NAME, "multiprocessing.Manager().dict() analogue: server process, SET/TAKE per message");
