/* Tests of the shared-memory transports and the multiprocessing analogues
 * (primitives/ipc/ipc_shm_transports.h): eventfd-shm, shm-ring-futex, shm-ring-poll, shm-line-poll,
 * shm-arena, mp-queue, manager-dict, each in both models — two threads of this process, and this
 * process with a forked child (side 1, which attaches with getppid()).
 *
 * For each transport:
 *   - open with max_msg 0 is refused (EINVAL), a send larger than max_msg too (EMSGSIZE);
 *   - echo: side 0 sends, side 1 echoes, byte-exact, at 1, 7, 63, 64, 4097, 65537 and 1 MiB + 3
 *     bytes;
 *   - stream: 20000 messages of 64 B one way, each with its sequence number, checked in order;
 *     the receiver sends back the checksum of everything it got, compared with the sender's;
 *   - big: 64 messages of 1 MiB one way (a ring of 256 KiB wraps around four times per
 *     message);
 *   - sender ahead: side 0 sends 128 messages of 64 KiB while side 1 sleeps 100 ms before it
 *     reads them all: every transport must hold the sender back rather than buffer without
 *     bound (in the thread model: at most 70 sends done when the reader wakes; mp-queue and
 *     manager-dict bound what they buffer to 4 MiB, the others to their buffer or ring);
 *   - flush: side 1 sends three messages (one of 1 MiB, more than a pipe holds) and detaches at
 *     once; side 0 starts reading only 50 ms later and gets all three (mp-queue's detach must
 *     wait for its feeder; the others must not lose what is in flight either);
 *   - peer death (process model): the child SIGKILLed mid-message (blocked sending 1 MiB, or
 *     just done), the child SIGKILLed while the parent blocks in recv, and the child calling
 *     _exit without detach: the parent's recv returns EPIPE (30 s is only the hang guard; what
 *     was sent before the end arrives intact), detach and close succeed;
 *   - recv_sum (the copying rings): the message exact and the sum of its words right, also
 *     after a message of odd length and where the ring's end cuts a word in two;
 *   - after every scenario nothing is left: the same number of open descriptors, no child
 *     process (the manager's server reaped too), no /dev/shm entry "tvp-<our pid>-*".
 * manager-dict also: a server that does not answer QUIT (stopped with SIGSTOP) is killed and
 * reaped by close after its grace of about 1 s, not before (30 s is only the hang guard); the
 * server holds none of the descriptors it inherited (a pipe's write end closed here after open
 * shows end of file at once). The generic conformance suite (tests/ipc_conformance.h) runs for each
 * transport too.
 *
 * Every scenario runs under a watchdog (alarm): a hang prints the scenario and fails the test
 * instead of hanging ctest; children have PR_SET_PDEATHSIG(SIGKILL), so they go with us. Forks
 * happen while this process is single-threaded (thread-model threads, feeders and the killer
 * thread are joined by then), so the process cases run under ThreadSanitizer too; there the
 * counts are smaller. SIGPIPE is ignored, as in the harness. */
#define _GNU_SOURCE

#include "check.h"
#include "ipc_conformance.h"
#include "ipc_shm_transports.h"
#include "test_util.h"
#include "tvp_child.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if TEST_TSAN
#define N_SMALL 2000
#define N_BIG   8
#else
#define N_SMALL 20000
#define N_BIG   64
#endif
#define BIG        ((size_t)1 << 20)
#define WATCHDOG_S 60            /* per scenario: generous for the sanitizer builds */
#define DEATH_NS   30000000000LL /* hang guard: a working transport sees a death at once */

static const struct tvp_ipc_transport *const transports[] = {
    &tvp_ipc_eventfd_shm, &tvp_ipc_shm_ring_futex, &tvp_ipc_shm_ring_poll, &tvp_ipc_shm_line_poll,
    &tvp_ipc_shm_arena,   &tvp_ipc_mp_queue,       &tvp_ipc_manager_dict,
};

/* The scenario running: read-only while it runs (threads share it, a child has a copy). */
static const struct tvp_ipc_transport *cur;
static int cur_procs;
static const char *cur_what = "start";

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void on_alarm(int sig)
{
    (void)sig;
    char buf[256];
    int n =
        snprintf(buf, sizeof buf, "test_ipc_shm: watchdog: %s %s %s hung for %d s\n",
                 cur ? cur->name : "-", cur_procs ? "processes" : "threads", cur_what, WATCHDOG_S);
    (void)!write(2, buf, n > 0 ? (size_t)n : 0);
    _exit(3);
}

/* Prints a failure seen by one side (which may be a child: CHECK's counters are not shared);
 * returns 1, to be added to the side's count. */
static int side_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int side_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "  FAIL %s %s %s: ", cur->name, cur_procs ? "processes" : "threads", cur_what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

/* ---- message contents ---- */

static uint64_t pat(uint64_t k, uint64_t seed)
{
    uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ull ^ (seed + 1) * 0xD1B54A32D192ED03ull;
    return x ^ (x >> 29);
}

/* Word-wise, so a MiB costs 128 Ki stores even in the sanitizer builds. */
static void fill(unsigned char *b, size_t n, uint64_t seed)
{
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        uint64_t w = pat(k / 8, seed);
        memcpy(b + k, &w, 8);
    }
    if (k < n) {
        uint64_t w = pat(k / 8, seed);
        memcpy(b + k, &w, n - k);
    }
}

/* The first byte of b[0..n) that is not fill(seed)'s, or SIZE_MAX. */
static size_t mismatch(const unsigned char *b, size_t n, uint64_t seed)
{
    for (size_t k = 0; k < n; k += 8) {
        uint64_t w = pat(k / 8, seed);
        size_t m = n - k < 8 ? n - k : 8;
        if (memcmp(b + k, &w, m) != 0)
            for (size_t j = 0; j < m; j++)
                if (b[k + j] != ((unsigned char *)&w)[j])
                    return k + j;
    }
    return SIZE_MAX;
}

static uint64_t fnv(uint64_t h, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* ---- calls that report ---- */

static int xsend(struct tvp_ipc_pair *p, int side, const void *b, size_t n)
{
    char err[256] = "";
    int e = cur->send(p, side, b, n, err, sizeof err);
    if (e != 0)
        side_fail("side %d: send of %zu bytes: %s (%d)", side, n, err, e);
    return e;
}

static int xrecv(struct tvp_ipc_pair *p, int side, void *b, size_t n)
{
    char err[256] = "";
    int e = cur->recv(p, side, b, n, err, sizeof err);
    if (e != 0)
        side_fail("side %d: recv of %zu bytes: %s (%d)", side, n, err, e);
    return e;
}

/* ---- nothing left behind ---- */

static int base_fds;

static int shm_left(void)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "tvp-%ld-", (long)getpid());
    DIR *d = opendir("/dev/shm");
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static void check_clean(void)
{
    int fds = count_fds();
    CHECK_MSG(fds == base_fds, "%s %s %s: open descriptors: %d before, %d after", cur->name,
              cur_procs ? "processes" : "threads", cur_what, base_fds, fds);
    CHECK_MSG(no_children(), "%s %s %s: a child process is left", cur->name,
              cur_procs ? "processes" : "threads", cur_what);
    int shm = shm_left();
    CHECK_MSG(shm == 0, "%s %s %s: %d /dev/shm entries left", cur->name,
              cur_procs ? "processes" : "threads", cur_what, shm);
}

/* ---- running a pair: side 0 here, side 1 in a thread or a forked child ---- */

typedef int (*side_fn)(struct tvp_ipc_pair *p, int side);

struct side1 {
    struct tvp_ipc_pair *p;
    side_fn fn;
    int failures;
};

/* Side 1's whole life: attach, body, detach. Returns its failure count. */
static int side1_life(struct tvp_ipc_pair *p, side_fn fn, pid_t peer)
{
    char err[256] = "";
    int e = cur->attach(p, 1, peer, err, sizeof err);
    if (e != 0)
        return side_fail("side 1: attach: %s", err);
    int f = fn(p, 1);
    if ((e = cur->detach(p, 1, err, sizeof err)) != 0)
        f += side_fail("side 1: detach: %s", err);
    return f;
}

static void *side1_thread(void *arg)
{
    struct side1 *s = arg;
    s->failures = side1_life(s->p, s->fn, 0);
    return NULL;
}

static void start_scenario(const char *what, int procs)
{
    cur_what = what;
    cur_procs = procs;
    fflush(NULL);
    /* again each time: the conformance suite installs a handler of its own */
    struct sigaction alrm = {.sa_handler = on_alarm};
    if (sigaction(SIGALRM, &alrm, NULL) != 0)
        CHECK_MSG(0, "sigaction: %s", strerror(errno));
    alarm(WATCHDOG_S);
}

static void end_scenario(void)
{
    alarm(0);
    check_clean();
}

static void run_pair(const char *what, int procs, size_t max_msg, side_fn f0, side_fn f1)
{
    start_scenario(what, procs);
    char err[256] = "";
    struct tvp_ipc_pair *p = NULL;
    struct tvp_ipc_cfg cfg = {.processes = procs, .max_msg = max_msg};
    int e = cur->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: open: %s", cur->name, what, err);
    if (e != 0) {
        end_scenario();
        return;
    }
    int failures = 0;
    pid_t child = 0;
    pthread_t th;
    struct side1 s1 = {p, f1, 0};
    if (procs) {
        child = fork();
        if (child == 0) {
            (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
            _exit(side1_life(p, f1, getppid()) == 0 ? 0 : 1);
        }
        CHECK_MSG(child > 0, "fork: %s", strerror(errno));
    } else {
        e = pthread_create(&th, NULL, side1_thread, &s1);
        CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
        child = e == 0 ? 1 : -1;
    }
    if (child > 0) {
        if ((e = cur->attach(p, 0, procs ? child : 0, err, sizeof err)) != 0) {
            failures += side_fail("side 0: attach: %s", err);
        } else {
            failures += f0(p, 0);
            if ((e = cur->detach(p, 0, err, sizeof err)) != 0)
                failures += side_fail("side 0: detach: %s", err);
        }
        if (procs) {
            int st = 0;
            if (failures != 0)
                (void)kill(child, SIGKILL); /* it may wait for what side 0 never sent */
            e = tvp_wait_child(child, &st);
            CHECK_MSG(e == 0 && tvp_child_ok(st), "%s %s processes: side 1 failed (status 0x%x)",
                      cur->name, what, st);
        } else {
            e = pthread_join(th, NULL);
            CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
            failures += s1.failures;
        }
    }
    e = cur->close(p, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: close: %s", cur->name, what, err);
    CHECK_MSG(failures == 0, "%s %s %s: %d failures (above)", cur->name,
              procs ? "processes" : "threads", what, failures);
    end_scenario();
}

/* ---- scenarios ---- */

static const size_t echo_sizes[] = {1, 7, 63, 64, 4097, 65537, BIG + 3};
#define N_ECHO (sizeof echo_sizes / sizeof echo_sizes[0])

static int echo0(struct tvp_ipc_pair *p, int side)
{
    int f = 0;
    unsigned char *out = calloc(1, BIG + 4), *in = malloc(BIG + 4);
    if (out == NULL || in == NULL) {
        free(out);
        free(in);
        return side_fail("malloc");
    }
    char err[256];
    int e = cur->send(p, side, out, BIG + 4, err, sizeof err); /* max_msg is BIG + 3 */
    if (e != EMSGSIZE)
        f += side_fail("send of max_msg + 1 bytes returned %d (%s), expected EMSGSIZE", e, err);
    for (size_t i = 0; i < N_ECHO && f == 0; i++) {
        size_t n = echo_sizes[i];
        fill(out, n, n);
        memset(in, 0, n);
        if (xsend(p, side, out, n) != 0 || xrecv(p, side, in, n) != 0) {
            f++;
            break;
        }
        size_t bad = mismatch(in, n, n);
        if (bad != SIZE_MAX)
            f += side_fail("echo of %zu bytes differs at byte %zu", n, bad);
    }
    free(out);
    free(in);
    return f;
}

static int echo1(struct tvp_ipc_pair *p, int side)
{
    unsigned char *b = malloc(BIG + 3);
    if (b == NULL)
        return side_fail("malloc");
    int f = 0;
    for (size_t i = 0; i < N_ECHO; i++)
        if (xrecv(p, side, b, echo_sizes[i]) != 0 || xsend(p, side, b, echo_sizes[i]) != 0) {
            f++;
            break;
        }
    free(b);
    return f;
}

static int stream0(struct tvp_ipc_pair *p, int side)
{
    unsigned char m[64];
    uint64_t sum = 0xcbf29ce484222325ull, theirs = 0;
    for (uint64_t i = 0; i < N_SMALL; i++) {
        memcpy(m, &i, 8);
        fill(m + 8, sizeof m - 8, i);
        sum = fnv(sum, m, sizeof m);
        if (xsend(p, side, m, sizeof m) != 0)
            return 1;
    }
    if (xrecv(p, side, &theirs, sizeof theirs) != 0)
        return 1;
    if (theirs != sum)
        return side_fail("checksum: sent %016" PRIx64 ", received %016" PRIx64, sum, theirs);
    return 0;
}

static int stream1(struct tvp_ipc_pair *p, int side)
{
    unsigned char m[64];
    uint64_t sum = 0xcbf29ce484222325ull;
    int f = 0;
    for (uint64_t i = 0; i < N_SMALL; i++) {
        if (xrecv(p, side, m, sizeof m) != 0)
            return f + 1;
        uint64_t seq;
        memcpy(&seq, m, 8);
        if (f < 5 && seq != i)
            f += side_fail("message %" PRIu64 " carries sequence number %" PRIu64, i, seq);
        size_t bad = mismatch(m + 8, sizeof m - 8, i);
        if (f < 5 && bad != SIZE_MAX)
            f += side_fail("message %" PRIu64 " differs at byte %zu", i, bad + 8);
        sum = fnv(sum, m, sizeof m);
    }
    return f + (xsend(p, side, &sum, sizeof sum) != 0);
}

/* One side of a one-way run of n messages, message i of lens[i] bytes (len each when lens is
 * NULL; len is at least the largest) filled with seed0 + i. The sender (what NULL) fills and
 * sends them, counting each in *sent when sent is not NULL; the receiver receives each and
 * checks every byte, what naming a message in a failure. Stops at the first failure; returns
 * the failures. */
static int filled_messages(struct tvp_ipc_pair *p, int side, int n, const size_t *lens, size_t len,
                           uint64_t seed0, const char *what, _Atomic int *sent)
{
    unsigned char *b = malloc(len);
    if (b == NULL)
        return side_fail("malloc");
    int f = 0;
    for (int i = 0; i < n && f == 0; i++) {
        size_t m = lens != NULL ? lens[i] : len, bad;
        uint64_t seed = seed0 + (uint64_t)i;
        if (what == NULL) {
            fill(b, m, seed);
            f += xsend(p, side, b, m) != 0;
            if (sent != NULL)
                atomic_fetch_add_explicit(sent, 1, memory_order_relaxed);
        } else if (xrecv(p, side, b, m) != 0) {
            f++;
        } else if ((bad = mismatch(b, m, seed)) != SIZE_MAX) {
            f += side_fail("%s %d differs at byte %zu", what, i, bad);
        }
    }
    free(b);
    return f;
}

static int big0(struct tvp_ipc_pair *p, int side)
{
    return filled_messages(p, side, N_BIG, NULL, BIG, 1000, NULL, NULL);
}

static int big1(struct tvp_ipc_pair *p, int side)
{
    return filled_messages(p, side, N_BIG, NULL, BIG, 1000, "1 MiB message", NULL);
}

#define AHEAD_N    128
#define AHEAD_SIZE ((size_t)64 << 10)
#define AHEAD_MAX  70 /* 4 MiB of 64 KiB, plus the one in flight and a little slack */
static _Atomic int ahead_sent;

static int ahead0(struct tvp_ipc_pair *p, int side)
{
    return filled_messages(p, side, AHEAD_N, NULL, AHEAD_SIZE, 300, NULL, &ahead_sent);
}

static int ahead1(struct tvp_ipc_pair *p, int side)
{
    sleep_ms(100);
    int sent = atomic_load_explicit(&ahead_sent, memory_order_relaxed);
    if (!cur_procs && sent > AHEAD_MAX)
        return side_fail("%d messages of 64 KiB went out while nobody read", sent);
    return filled_messages(p, side, AHEAD_N, NULL, AHEAD_SIZE, 300, "message", NULL);
}

static const size_t flush_sizes[] = {64, BIG, 7};

/* Side 1 sends and returns at once: run_pair detaches it right away. */
static int flush1(struct tvp_ipc_pair *p, int side)
{
    return filled_messages(p, side, 3, flush_sizes, BIG, 77, NULL, NULL);
}

static int flush0(struct tvp_ipc_pair *p, int side)
{
    sleep_ms(50); /* the peer has sent and is detaching by now */
    return filled_messages(p, side, 3, flush_sizes, BIG, 77, "flushed message", NULL);
}

/* ---- peer death (process model) ---- */

enum death { KILLED_MID_MESSAGE, KILLED_WHILE_BLOCKED, EXIT_WITHOUT_DETACH };
static const char *const death_names[] = {"killed mid-message", "killed while parent blocks",
                                          "_exit without detach"};

struct killer {
    pid_t pid;
    int delay_ms;
};

static void *killer_main(void *arg)
{
    struct killer *k = arg;
    sleep_ms(k->delay_ms);
    (void)kill(k->pid, SIGKILL); /* checked by the child's wait status */
    return NULL;
}

static void death_child(struct tvp_ipc_pair *p, enum death how)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    char err[256];
    if (cur->attach(p, 1, getppid(), err, sizeof err) != 0) {
        fprintf(stderr, "death child: attach: %s\n", err);
        _exit(1);
    }
    static unsigned char b[BIG];
    if (how == KILLED_MID_MESSAGE) {
        fill(b, BIG, 5);
        (void)cur->send(p, 1, b, BIG, err, sizeof err); /* killed in it, or just after */
    } else {
        for (uint64_t i = 0; i < 3; i++) {
            fill(b, 64, i);
            if (cur->send(p, 1, b, 64, err, sizeof err) != 0) {
                fprintf(stderr, "death child: send: %s\n", err);
                _exit(1);
            }
        }
    }
    if (how == EXIT_WITHOUT_DETACH) {
        sleep_ms(100);
        _exit(0);
    }
    for (;;)
        pause();
}

static void run_death(enum death how)
{
    start_scenario(death_names[how], 1);
    char err[256] = "";
    struct tvp_ipc_pair *p = NULL;
    struct tvp_ipc_cfg cfg = {.processes = 1, .max_msg = BIG};
    int e = cur->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: open: %s", cur->name, cur_what, err);
    if (e != 0) {
        end_scenario();
        return;
    }
    pid_t child = fork();
    if (child == 0)
        death_child(p, how);
    CHECK_MSG(child > 0, "fork: %s", strerror(errno));
    unsigned char *b = malloc(BIG);
    int f = b == NULL ? side_fail("malloc") : 0;
    if (child > 0 && f == 0 && (e = cur->attach(p, 0, child, err, sizeof err)) != 0)
        f += side_fail("side 0: attach: %s", err);
    if (child > 0 && f == 0) {
        if (how != KILLED_MID_MESSAGE) {
            for (uint64_t i = 0; i < 3 && f == 0; i++) {
                if (xrecv(p, 0, b, 64) != 0)
                    f++;
                else if (mismatch(b, 64, i) != SIZE_MAX)
                    f += side_fail("message %" PRIu64 " sent before the end differs", i);
            }
        }
        pthread_t th;
        struct killer k = {child, 100};
        int threaded = 0;
        if (how == KILLED_MID_MESSAGE) {
            sleep_ms(50); /* the child is in its send of 1 MiB, or just out of it */
            (void)kill(child, SIGKILL);
        } else if (how == KILLED_WHILE_BLOCKED) {
            e = pthread_create(&th, NULL, killer_main, &k);
            CHECK_MSG(e == 0, "pthread_create: %s", strerror(e));
            threaded = e == 0;
        }
        /* Receive until the end shows: a whole message that got out before it may come (and
         * must be intact), then EPIPE. */
        int64_t t0 = now_ns();
        size_t len = how == KILLED_MID_MESSAGE ? BIG : 64;
        int got = 0;
        for (;;) {
            e = cur->recv(p, 0, b, len, err, sizeof err);
            if (e != 0)
                break;
            got++;
            if (how != KILLED_MID_MESSAGE || got > 1) {
                f += side_fail("recv returned a message that was never sent");
                break;
            }
            if (mismatch(b, BIG, 5) != SIZE_MAX)
                f += side_fail("the 1 MiB message that got out differs");
        }
        int64_t took = now_ns() - t0;
        if (e != EPIPE)
            f += side_fail("recv after the peer's end returned %d (%s), expected EPIPE", e, err);
        if (took > DEATH_NS)
            f += side_fail("recv took %.3f s to see the peer's end", (double)took / 1e9);
        if (threaded) {
            e = pthread_join(th, NULL);
            CHECK_MSG(e == 0, "pthread_join: %s", strerror(e));
        }
        if ((e = cur->detach(p, 0, err, sizeof err)) != 0)
            f += side_fail("side 0: detach after the peer's end: %s", err);
    }
    if (child > 0) {
        if (how != EXIT_WITHOUT_DETACH)
            (void)kill(child, SIGKILL); /* if a failure above left it running */
        int st = 0;
        e = tvp_wait_child(child, &st);
        int want_ok = how == EXIT_WITHOUT_DETACH ? tvp_child_ok(st)
                                                 : WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL;
        CHECK_MSG(e == 0 && want_ok, "%s %s: child's wait status 0x%x", cur->name, cur_what, st);
    }
    free(b);
    e = cur->close(p, err, sizeof err);
    CHECK_MSG(e == 0, "%s %s: close: %s", cur->name, cur_what, err);
    CHECK_MSG(f == 0, "%s %s: %d failures (above)", cur->name, cur_what, f);
    end_scenario();
}

/* ---- specific ---- */

static void open_invalid(void)
{
    start_scenario("open max_msg 0", 0);
    for (int procs = 0; procs <= 1; procs++) {
        char err[256] = "";
        struct tvp_ipc_pair *p = (struct tvp_ipc_pair *)&err; /* must be set to NULL */
        struct tvp_ipc_cfg cfg = {.processes = procs, .max_msg = 0};
        int e = cur->open(&p, &cfg, err, sizeof err);
        CHECK_MSG(e == EINVAL, "%s: open with max_msg 0 returned %d, expected EINVAL", cur->name,
                  e);
        CHECK_MSG(p == NULL, "%s: open with max_msg 0 left a pair", cur->name);
        CHECK_MSG(strncmp(err, cur->name, strlen(cur->name)) == 0,
                  "%s: open's message \"%s\" does not name the transport", cur->name, err);
    }
    end_scenario();
}

/* recv_sum (where offered): the message byte-exact and *sum the sum of its 64-bit words, for
 * messages that start on a word of the ring and for ones after a message of odd length (the
 * words then straddle the ring's; the sum must still be the message's). One thread plays both
 * sides: every message fits in the ring. */
static void recv_sum_exact(void)
{
    if (cur->recv_sum == NULL)
        return;
    start_scenario("recv_sum", 0);
    /* 64 B, then odd lengths, then enough to go round the 256 KiB ring with its end inside a
     * word of a message (positions are odd by then) */
    static const size_t lens[] = {64,    7,     64,    4097,  65541, 8,     65536,
                                  65541, 65541, 65541, 65541, 65541, 65541, 64};
    char err[256] = "";
    struct tvp_ipc_pair *p = NULL;
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = 65541};
    unsigned char *out = malloc(65541), *in = malloc(65541);
    int e = cur->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0 && out && in, "%s recv_sum: open: %s", cur->name, err);
    if (e == 0 && out && in && cur->attach(p, 0, 0, err, sizeof err) == 0 &&
        cur->attach(p, 1, 0, err, sizeof err) == 0) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            size_t n = lens[i], bad;
            fill(out, n, 900 + i);
            uint64_t sum = 1, want = 0;
            for (size_t k = 0; k + 8 <= n; k += 8) {
                uint64_t w;
                memcpy(&w, out + k, 8);
                want += w;
            }
            CHECK_MSG(cur->send(p, 0, out, n, err, sizeof err) == 0, "%s: send %zu: %s", cur->name,
                      n, err);
            CHECK_MSG(cur->recv_sum(p, 1, in, n, &sum, err, sizeof err) == 0,
                      "%s: recv_sum %zu: %s", cur->name, n, err);
            CHECK_MSG((bad = mismatch(in, n, 900 + i)) == SIZE_MAX,
                      "%s: recv_sum message %zu of %zu bytes differs at byte %zu", cur->name, i, n,
                      bad);
            CHECK_MSG(sum == want, "%s: recv_sum message %zu of %zu bytes: sum %llx, expected %llx",
                      cur->name, i, n, (unsigned long long)sum, (unsigned long long)want);
        }
        CHECK(cur->detach(p, 0, err, sizeof err) == 0);
        CHECK(cur->detach(p, 1, err, sizeof err) == 0);
    }
    if (p != NULL)
        CHECK_MSG(cur->close(p, err, sizeof err) == 0, "%s: close: %s", cur->name, err);
    free(out);
    free(in);
    end_scenario();
}

/* The pid of our only child (the manager's server), from /proc/self/task/<pid>/children. */
static pid_t only_child(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/children", (long)getpid());
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return (pid_t)pid;
}

static void manager_inherits_nothing(void)
{
    start_scenario("server holds no inherited descriptor", 0);
    int pfd[2];
    if (pipe(pfd) != 0) { /* no O_CLOEXEC: what a fork without exec would keep */
        CHECK_MSG(0, "pipe: %s", strerror(errno));
        end_scenario();
        return;
    }
    char err[256] = "";
    struct tvp_ipc_pair *p = NULL;
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = 64};
    int e = cur->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0, "%s: open: %s", cur->name, err);
    close(pfd[1]);
    struct pollfd pf = {.fd = pfd[0], .events = POLLIN};
    int n = poll(&pf, 1, 1000);
    char c;
    CHECK_MSG(n == 1 && read(pfd[0], &c, 1) == 0,
              "%s: the write end of a pipe is still open after close here: the server holds it",
              cur->name);
    close(pfd[0]);
    if (e == 0) {
        e = cur->close(p, err, sizeof err);
        CHECK_MSG(e == 0, "%s: close: %s", cur->name, err);
    }
    end_scenario();
}

static void manager_stuck_server(void)
{
    start_scenario("server stuck at close", 0);
    char err[256] = "";
    struct tvp_ipc_pair *p = NULL;
    struct tvp_ipc_cfg cfg = {.processes = 0, .max_msg = 64};
    int e = cur->open(&p, &cfg, err, sizeof err);
    CHECK_MSG(e == 0, "%s: open: %s", cur->name, err);
    if (e != 0) {
        end_scenario();
        return;
    }
    pid_t server = only_child();
    if (server <= 0) {
        printf("  %s: /proc/self/task/*/children not available: stuck-server case skipped\n",
               cur->name);
    } else {
        CHECK_MSG(kill(server, SIGSTOP) == 0, "kill SIGSTOP: %s", strerror(errno));
    }
    int64_t t0 = now_ns();
    e = cur->close(p, err, sizeof err);
    double took = (double)(now_ns() - t0) / 1e9;
    if (server > 0) {
        CHECK_MSG(e == ETIMEDOUT, "%s: close of a stuck server returned %d (%s)", cur->name, e,
                  err);
        CHECK_MSG(took >= 0.9 && took < DEATH_NS / 1e9, "%s: close of a stuck server took %.3f s",
                  cur->name, took);
    } else {
        CHECK_MSG(e == 0, "%s: close: %s", cur->name, err);
    }
    end_scenario();
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction ign = {.sa_handler = SIG_IGN};
    if (sigaction(SIGPIPE, &ign, NULL) != 0) {
        perror("test_ipc_shm: sigaction");
        return 2;
    }
    base_fds = count_fds();

    for (size_t k = 0; k < sizeof transports / sizeof transports[0]; k++) {
        cur = transports[k];
        int f0 = check_failed;
        int64_t t0 = now_ns();
        CHECK(cur->chunk != NULL);
        open_invalid();
        recv_sum_exact();
        for (int procs = 0; procs <= 1; procs++) {
            run_pair("echo", procs, BIG + 3, echo0, echo1);
            run_pair("stream of 64 B", procs, 64, stream0, stream1);
            run_pair("stream of 1 MiB", procs, BIG, big0, big1);
            atomic_store(&ahead_sent, 0);
            run_pair("sender ahead", procs, AHEAD_SIZE, ahead0, ahead1);
            run_pair("flush at detach", procs, BIG, flush0, flush1);
        }
        run_death(KILLED_MID_MESSAGE);
        run_death(KILLED_WHILE_BLOCKED);
        run_death(EXIT_WITHOUT_DETACH);
        if (cur == &tvp_ipc_manager_dict) {
            manager_inherits_nothing();
            manager_stuck_server();
        }
        cur_what = "conformance";
        alarm(WATCHDOG_S * 4);
        ipc_conformance(cur);
        alarm(0);
        check_clean();
        printf("  %-15s threads and processes: %s (%.1f s)\n", cur->name,
               check_failed == f0 ? "ok" : "FAILED", (double)(now_ns() - t0) / 1e9);
    }
    return CHECK_DONE();
}
