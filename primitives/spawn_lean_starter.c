/* tvp-lean-starter PU CHILD_CPU RSS_MIB HELPER
 *
 * The process the spawn group's lean cases start from. fork's cost grows with what the parent
 * has mapped, and the suite's case process carries hwloc, libpfm4 and the harness; a claim about
 * starting a process is about an ordinary program, so the starts are made here, in a program
 * linked against libc alone (statically where the toolchain allows), with the same start code
 * (spawn.c) the suite's own cases use. The protocol is in tvp_spawn.h ("lean starter"). */
#define _GNU_SOURCE

#include "tvp_err.h"
#include "tvp_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef TVP_LEAN_LINKAGE
#define TVP_LEAN_LINKAGE "dynamic"
#endif

#define CHAN 0 /* the socket to the case: commands in, replies out */

static int say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One whole line to the case. MSG_NOSIGNAL: a case that died must not kill the starter with
 * SIGPIPE before it can notice (EPIPE) and exit. */
static int say(const char *fmt, ...)
{
    char line[TVP_LEAN_LINE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n > sizeof line - 2)
        n = (int)sizeof line - 2;
    /* A message must stay one line: the case reads replies line by line. */
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = send(CHAN, line + off, (size_t)(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (int)w;
    }
    return 0;
}

/* Reads one line of at most cap-1 characters into buf (without the newline). Returns 1, 0 at
 * end of input, -1 on an error or an over-long line. */
static int read_line(char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        char ch;
        ssize_t r = read(CHAN, &ch, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return len ? -1 : 0;
        if (ch == '\n') {
            buf[len] = '\0';
            return 1;
        }
        if (len + 1 >= cap)
            return -1;
        buf[len++] = ch;
    }
}

static uint64_t cpu_ns(void)
{
    struct rusage s, c;
    if (getrusage(RUSAGE_SELF, &s) != 0 || getrusage(RUSAGE_CHILDREN, &c) != 0)
        return 0;
    uint64_t ns = 0;
    const struct rusage *r[2] = {&s, &c};
    for (int i = 0; i < 2; i++)
        ns += (uint64_t)(r[i]->ru_utime.tv_sec + r[i]->ru_stime.tv_sec) * 1000000000u +
              (uint64_t)(r[i]->ru_utime.tv_usec + r[i]->ru_stime.tv_usec) * 1000u;
    return ns;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The median of x[0..n-1] (the lower middle value, as the suite's tvp_u64_p50_p99). */
static uint64_t p50(uint64_t *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_u64);
    return x[(n - 1) / 2];
}

/* "run METHOD ITERS": ITERS starts, each timed from the start call to the stamp and to the
 * join/reap, and checked as the suite checks its own. Replies "ok ..." or "err ...". */
static int run(struct tvp_spawner *sp, const char *method, long long iters)
{
    enum tvp_spawn_method m;
    if (tvp_spawn_method_parse(method, &m) != 0)
        return say("err unknown method \"%s\"", method), -1;
    uint64_t *run_ns = malloc((size_t)iters * sizeof *run_ns);
    uint64_t *join_ns = malloc((size_t)iters * sizeof *join_ns);
    if (!run_ns || !join_ns) {
        free(run_ns);
        free(join_ns);
        return say("err allocating %lld timings: %s", iters, strerror(ENOMEM)), -1;
    }
    cpu_set_t seen;
    CPU_ZERO(&seen);
    uint64_t sum_run = 0, sum_join = 0, c0 = cpu_ns();
    char err[300];
    int rc = 0;
    for (long long i = 0; i < iters; i++) {
        struct tvp_spawn_handle h;
        uint64_t t0 = tvp_spawn_now_ns();
        if (tvp_spawn_start(sp, m, &h, err, sizeof err) != 0 ||
            tvp_spawn_wait(sp, &h, err, sizeof err) != 0) {
            rc = -1;
            break;
        }
        uint64_t t1 = tvp_spawn_now_ns();
        uint64_t ran = atomic_load_explicit(&sp->mark->running_ns, memory_order_acquire);
        if (ran < t0 || ran > t1) {
            snprintf(err, sizeof err,
                     "%s: the new task's timestamp lies outside the start..join span", method);
            rc = -1;
            break;
        }
        int cpu = atomic_load_explicit(&sp->mark->cpu, memory_order_relaxed);
        if (cpu >= 0 && cpu < CPU_SETSIZE)
            CPU_SET(cpu, &seen);
        run_ns[i] = ran - t0;
        join_ns[i] = t1 - t0;
        sum_run += run_ns[i];
        sum_join += join_ns[i];
    }
    if (rc == 0) {
        char cpus[256];
        tvp_format_cpuset(&seen, cpus, sizeof cpus);
        uint64_t cpu = cpu_ns() - c0;
        rc = say("ok %lld %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %s", iters,
                 sum_run, sum_join, p50(run_ns, (size_t)iters), p50(join_ns, (size_t)iters), cpu,
                 cpus);
    } else {
        say("err %s", err);
    }
    free(run_ns);
    free(join_ns);
    return rc;
}

int main(int argc, char **argv)
{
    long long pu, child_cpu, rss_mib;
    if (argc != 5 || tvp_parse_ll(argv[1], -1, CPU_SETSIZE - 1, &pu) != 0 ||
        tvp_parse_ll(argv[2], -1, CPU_SETSIZE - 1, &child_cpu) != 0 ||
        tvp_parse_ll(argv[3], 0, 1 << 20, &rss_mib) != 0) {
        say("err usage: tvp-lean-starter PU CHILD_CPU RSS_MIB HELPER");
        return 1;
    }
    /* The exec'd helpers must not hold the case's socket (it would keep a dead starter's
     * channel open until they end). */
    if (fcntl(CHAN, F_SETFD, FD_CLOEXEC) != 0) {
        char e[160];
        say("err %s", tvp_errfmt(e, sizeof e, errno, "fcntl(FD_CLOEXEC) on the case's socket"));
        return 1;
    }
    /* What the exec handed down, before rebinding: the case checks it equals its own binding. */
    cpu_set_t inherited;
    char inh[256], e[300];
    if (sched_getaffinity(0, sizeof inherited, &inherited) != 0) {
        say("err %s", tvp_errfmt(e, sizeof e, errno, "sched_getaffinity"));
        return 1;
    }
    tvp_format_cpuset(&inherited, inh, sizeof inh);
    if (pu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)pu, &set);
        if (sched_setaffinity(0, sizeof set, &set) != 0) {
            say("err %s", tvp_errfmt(e, sizeof e, errno, "sched_setaffinity(PU %lld)", pu));
            return 1;
        }
    }
    void *rss = NULL;
    size_t rss_bytes = (size_t)rss_mib << 20;
    int thp_off = 1;
    if (rss_bytes) {
        rss = mmap(NULL, rss_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (rss == MAP_FAILED) {
            say("err %s", tvp_errfmt(e, sizeof e, errno, "mapping %lld MiB", rss_mib));
            return 1;
        }
        /* 4 KiB pages, so the page-table copy fork makes is the one ordinary programs pay. */
        thp_off = madvise(rss, rss_bytes, MADV_NOHUGEPAGE) == 0;
        long page = sysconf(_SC_PAGESIZE);
        for (size_t off = 0; off < rss_bytes; off += (size_t)(page > 0 ? page : 4096))
            ((volatile char *)rss)[off] = (char)off;
    }
    struct tvp_spawner sp;
    if (tvp_spawner_init(&sp, argv[4][0] ? argv[4] : NULL, (int)child_cpu, e, sizeof e) != 0) {
        say("err %s", e);
        return 1;
    }
    int rc = say("ready %s inherited=%s maps=%d thp_off=%d", TVP_LEAN_LINKAGE, inh,
                 tvp_count_mappings(), thp_off);
    char line[TVP_LEAN_LINE];
    while (rc == 0) {
        int r = read_line(line, sizeof line);
        if (r <= 0) {
            rc = r; /* end of input is a clean stop, as "quit" */
            break;
        }
        char method[40];
        long long iters;
        int used = 0;
        if (strcmp(line, "quit") == 0)
            break;
        if (sscanf(line, "run %39s %lld%n", method, &iters, &used) == 2 && line[used] == '\0' &&
            iters > 0 && iters <= TVP_LEAN_MAX_ITERS)
            rc = run(&sp, method, iters);
        else {
            say("err bad command \"%.100s\"", line);
            rc = -1;
        }
    }
    tvp_spawner_destroy(&sp);
    if (rss)
        munmap(rss, rss_bytes);
    return rc == 0 ? 0 : 1;
}
