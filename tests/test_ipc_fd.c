/* Tests of the descriptor and message-queue transports (primitives/ipc/ipc_fd_transports.h):
 * pipe, fifo, socketpair-stream, tcp-loopback, socketpair-dgram, posix-mq, sysv-mq. Each runs
 * the generic conformance suite (ipc_conformance.h) in both models; the byte streams also die
 * mid-message (half the bytes sent). Then what is particular to each:
 *
 *   descriptors   open holds exactly the descriptors the design says (the TCP listener is
 *                 closed, System V queues hold none);
 *   splitting     socketpair-dgram, posix-mq and sysv-mq report the chunk this machine's
 *                 limits give (64 KiB datagrams; fs.mqueue.msgsize_max; min(kernel.msgmax,
 *                 msgmnb)), 0 when max_msg fits whole, and carry messages of chunk - 1, chunk,
 *                 chunk + 1, 2 chunks + 5 and max_msg bytes intact in both models;
 *   no truncation a message received with a smaller length than sent is EBADMSG;
 *   names         the FIFO directory is gone once open returns (checked in a private $TMPDIR),
 *                 an unusable $TMPDIR fails cleanly; POSIX queues are unlinked once open
 *                 returns; the System V queues exist with mode 0600 until close, then not. */
#define _GNU_SOURCE

#include "ipc_conformance.h"
#include "ipc_fd_transports.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

static const struct tvp_ipc_transport *const all[] = {
    &tvp_ipc_pipe,
    &tvp_ipc_fifo,
    &tvp_ipc_socketpair_stream,
    &tvp_ipc_tcp_loopback,
    &tvp_ipc_socketpair_dgram,
    &tvp_ipc_posix_mq,
    &tvp_ipc_sysv_mq,
};
#define NALL (sizeof all / sizeof all[0])

static long proc_long(const char *path, long dflt)
{
    FILE *f = fopen(path, "re");
    long v = dflt;
    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = dflt;
        fclose(f);
    }
    return v;
}

/* Opens t in the thread model with max_msg; NULL (after a failed CHECK) when it cannot. */
static struct tvp_ipc_pair *open_pair(const struct tvp_ipc_transport *t, size_t max_msg)
{
    char err[IPC_ERR] = "";
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = max_msg};
    struct tvp_ipc_pair *p = NULL;
    int e = t->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0, "%s: open (max_msg %zu): %s", t->name, max_msg, err);
    return e == 0 ? p : NULL;
}

static void close_pair(const struct tvp_ipc_transport *t, struct tvp_ipc_pair *p)
{
    char err[IPC_ERR] = "";
    int e = t->close(p, err, sizeof err);
    CHECK_MSG(e == 0, "%s: close: %s", t->name, err);
}

static void test_descriptors(const struct tvp_ipc_transport *t, int expect)
{
    int before = count_fds();
    struct tvp_ipc_pair *p = open_pair(t, 64);
    if (p == NULL)
        return;
    CHECK_MSG(count_fds() - before == expect, "%s: open holds %d descriptors, expected %d", t->name,
              count_fds() - before, expect);
    close_pair(t, p);
    CHECK_MSG(count_fds() == before, "%s: %d descriptors after close, %d before", t->name,
              count_fds(), before);
}

/* ---- splitting ---- */

static size_t split_sizes[5];

static int body_split(struct ipc_ctx *c, int side, char *err, size_t errlen)
{
    unsigned char *b = c->buf[side];
    int e;
    for (size_t i = 0; i < sizeof split_sizes / sizeof split_sizes[0]; i++) {
        size_t len = split_sizes[i];
        uint64_t seed = 77 + i;
        if (side == 0) {
            ipc_fill(b, len, seed);
            if ((e = c->t->send(c->p, 0, b, len, err, errlen)) != 0)
                return e;
            if ((e = c->t->recv(c->p, 0, b, len, err, errlen)) != 0)
                return e;
        } else if ((e = c->t->recv(c->p, 1, b, len, err, errlen)) != 0) {
            return e;
        }
        if ((e = ipc_verify(b, c->scratch[side], len, seed, "split message", err, errlen)) != 0)
            return e;
        if (side == 1 && (e = c->t->send(c->p, 1, b, len, err, errlen)) != 0)
            return e;
    }
    return 0;
}

static void test_split(const struct tvp_ipc_transport *t, size_t chunk)
{
    CHECK_MSG(chunk > 1, "%s: expected chunk %zu", t->name, chunk);
    if (chunk <= 1)
        return;
    struct tvp_ipc_pair *p = open_pair(t, chunk);
    if (p != NULL) {
        CHECK_MSG(t->chunk(p) == 0, "%s: max_msg %zu fits one message, chunk() says %zu", t->name,
                  chunk, t->chunk(p));
        close_pair(t, p);
    }
    size_t max_msg = 4 * chunk + 3;
    if ((p = open_pair(t, max_msg)) == NULL)
        return;
    CHECK_MSG(t->chunk(p) == chunk, "%s: chunk() %zu, expected %zu", t->name, t->chunk(p), chunk);
    close_pair(t, p);
    printf("%s: chunk %zu bytes\n", t->name, chunk);
    split_sizes[0] = chunk - 1;
    split_sizes[1] = chunk;
    split_sizes[2] = chunk + 1;
    split_sizes[3] = 2 * chunk + 5;
    split_sizes[4] = max_msg;
    for (int procs = 0; procs < 2; procs++)
        ipc_run(t, procs, max_msg, body_split, "split messages");
}

/* A message received with a smaller length than it was sent with is EBADMSG. */
static void test_no_truncation(const struct tvp_ipc_transport *t)
{
    char err[IPC_ERR] = "";
    unsigned char b[100] = {1};
    struct tvp_ipc_pair *p = open_pair(t, sizeof b);
    if (p == NULL)
        return;
    int e = t->attach(p, 0, 0, err, sizeof err);
    CHECK_MSG(e == 0, "%s: attach 0: %s", t->name, err);
    e = t->attach(p, 1, 0, err, sizeof err);
    CHECK_MSG(e == 0, "%s: attach 1: %s", t->name, err);
    e = t->send(p, 0, b, sizeof b, err, sizeof err);
    CHECK_MSG(e == 0, "%s: send: %s", t->name, err);
    err[0] = '\0';
    e = t->recv(p, 1, b, sizeof b / 2, err, sizeof err);
    CHECK_MSG(e == EBADMSG && err[0] != '\0', "%s: recv of half a message returned %d (%s)",
              t->name, e, err);
    for (int s = 0; s < 2; s++) {
        e = t->detach(p, s, err, sizeof err);
        CHECK_MSG(e == 0, "%s: detach %d: %s", t->name, s, err);
    }
    close_pair(t, p);
}

/* ---- names ---- */

static void test_fifo_names(void)
{
    const char *old = getenv("TMPDIR");
    char *saved = old != NULL ? strdup(old) : NULL;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/test_ipc_fd-XXXXXX", ipc_tmpdir());
    CHECK_MSG(mkdtemp(dir) != NULL, "mkdtemp %s: %s", dir, strerror(errno));
    setenv("TMPDIR", dir, 1);
    struct tvp_ipc_pair *p = open_pair(&tvp_ipc_fifo, 64);
    if (p != NULL) {
        CHECK_MSG(ipc_count_entries(dir, NULL) == 0, "fifo: %d entries in $TMPDIR right after open",
                  ipc_count_entries(dir, NULL));
        close_pair(&tvp_ipc_fifo, p);
    }
    CHECK_MSG(rmdir(dir) == 0, "rmdir %s: %s", dir, strerror(errno));

    /* A $TMPDIR that does not exist: open fails, says where, leaves no descriptor. */
    int fds = count_fds();
    setenv("TMPDIR", "/nonexistent/test_ipc_fd", 1);
    char err[IPC_ERR] = "";
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = 64};
    int e = tvp_ipc_fifo.open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == ENOENT && strstr(err, "mkdtemp") != NULL,
              "fifo: open in a missing $TMPDIR returned %d (%s)", e, err);
    CHECK_INT(count_fds(), fds);
    if (saved != NULL)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

static void test_posix_mq_names(void)
{
    struct ipc_before before;
    ipc_snapshot(&before);
    struct tvp_ipc_pair *p = open_pair(&tvp_ipc_posix_mq, 64);
    if (p == NULL)
        return;
    int n = ipc_count_mqueues();
    CHECK_MSG(n <= 0, "posix-mq: %d queues still named right after open", n);
    close_pair(&tvp_ipc_posix_mq, p);
    ipc_check_left(&before, "posix-mq names");
}

static void test_sysv_mq_queues(void)
{
    static struct ipc_sysv_q q[IPC_SYSV_MAX];
    const struct tvp_ipc_transport *t = &tvp_ipc_sysv_mq;
    struct ipc_before before;
    ipc_snapshot(&before);
    if (before.nsysv < 0) {
        printf("sysv-mq: /proc/sysvipc/msg unreadable: queue check skipped\n");
        return;
    }
    struct tvp_ipc_pair *p = open_pair(t, 64);
    if (p == NULL)
        return;
    /* One message each way marks both queues with our pid (other programs may be making
     * queues of their own meanwhile). */
    char err[IPC_ERR] = "", b[8] = "x";
    int e = 0;
    for (int s = 0; s < 2 && e == 0; s++)
        e = t->attach(p, s, 0, err, sizeof err);
    for (int s = 0; s < 2 && e == 0; s++)
        e = t->send(p, s, b, sizeof b, err, sizeof err);
    CHECK_MSG(e == 0, "sysv-mq: %s", err);
    int n = ipc_list_sysv(q, IPC_SYSV_MAX), ids[2], ours = 0;
    for (int i = 0; i < n; i++)
        if (q[i].lspid == (long)getpid() && !ipc_sysv_has(before.sysv, before.nsysv, q[i].id)) {
            CHECK_MSG((q[i].perms & 0777) == 0600, "sysv-mq: queue %d has mode %lo", q[i].id,
                      q[i].perms & 0777);
            if (ours < 2)
                ids[ours] = q[i].id;
            ours++;
        }
    CHECK_MSG(ours == 2, "sysv-mq: %d queues of ours after open, expected 2", ours);
    for (int s = 0; s < 2 && e == 0; s++)
        e = t->recv(p, s, b, sizeof b, err, sizeof err);
    for (int s = 0; s < 2; s++)
        if (t->detach(p, s, err, sizeof err) != 0)
            e = EIO;
    CHECK_MSG(e == 0, "sysv-mq: %s", err);
    close_pair(t, p);
    n = ipc_list_sysv(q, IPC_SYSV_MAX);
    for (int k = 0; k < ours && k < 2; k++)
        CHECK_MSG(!ipc_sysv_has(q, n, ids[k]), "sysv-mq: queue %d still there after close", ids[k]);
    ipc_check_left(&before, "sysv-mq queues");
}

/* Another program connecting to tcp-loopback's port first is refused: the pair still carries
 * its message from side 0 to side 1 (with the stranger accepted instead, recv would wait
 * forever: the alarm fails the test then). */
static void test_tcp_stranger(void)
{
    tvp_ipc_tcp_fault_strangers = 1;
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = 8};
    struct tvp_ipc_pair *p = NULL;
    char err[256] = "";
    int e = tvp_ipc_tcp_loopback.open(&p, &cfg, err, sizeof err);
    tvp_ipc_tcp_fault_strangers = 0;
    CHECK_MSG(e == 0, "open with a stranger: %s", err);
    if (e)
        return;
    CHECK_INT(tvp_ipc_tcp_loopback.attach(p, 0, 0, err, sizeof err), 0);
    CHECK_INT(tvp_ipc_tcp_loopback.attach(p, 1, 0, err, sizeof err), 0);
    uint64_t out = 0x7470627463706b31ull, in = 0;
    alarm(10);
    CHECK_INT(tvp_ipc_tcp_loopback.send(p, 0, &out, sizeof out, err, sizeof err), 0);
    CHECK_INT(tvp_ipc_tcp_loopback.recv(p, 1, &in, sizeof in, err, sizeof err), 0);
    alarm(0);
    CHECK(in == out);
    CHECK_INT(tvp_ipc_tcp_loopback.detach(p, 0, err, sizeof err), 0);
    CHECK_INT(tvp_ipc_tcp_loopback.detach(p, 1, err, sizeof err), 0);
    CHECK_INT(tvp_ipc_tcp_loopback.close(p, err, sizeof err), 0);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    double t0 = ipc_now();
    for (size_t i = 0; i < NALL; i++) {
        double t1 = ipc_now();
        ipc_conformance(all[i]);
        printf("  %s: %.2f s\n", all[i]->name, ipc_now() - t1);
    }
    /* Byte streams: half the bytes of a message, then the writer dies. */
    for (size_t i = 0; i < 4; i++)
        ipc_death_half(all[i], 1);

    const int fds[NALL] = {4, 4, 2, 2, 2, 2, 0};
    for (size_t i = 0; i < NALL; i++)
        test_descriptors(all[i], fds[i]);

    long mq_max = proc_long("/proc/sys/fs/mqueue/msgsize_max", 8192);
    long msgmax = proc_long("/proc/sys/kernel/msgmax", 8192);
    long msgmnb = proc_long("/proc/sys/kernel/msgmnb", 16384);
    test_split(&tvp_ipc_socketpair_dgram, 64 * 1024);
    test_split(&tvp_ipc_posix_mq, (size_t)mq_max);
    test_split(&tvp_ipc_sysv_mq, (size_t)(msgmax < msgmnb ? msgmax : msgmnb));
    for (size_t i = 4; i < NALL; i++)
        test_no_truncation(all[i]);

    test_tcp_stranger();
    test_fifo_names();
    test_posix_mq_names();
    test_sysv_mq_queues();
    printf("total %.2f s\n", ipc_now() - t0);
    return CHECK_DONE();
}
