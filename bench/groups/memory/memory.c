/* The memory group: what a thread and a process hold (claim C1), and whether they share memory
 * (claim C2).
 *
 * "footprint": N idle threads vs N idle processes. One operation starts N tasks, waits until all
 * of them run, reads /proc, then stops and joins/reaps them all. The figures are bytes (and
 * descriptors) added per operation, never times: for threads the process's delta over a baseline
 * taken just before starting them; for processes the sum over the children plus the parent's
 * delta. Kernel stacks are a system-wide delta of /proc/meminfo's KernelStack.
 * "facts": the checked facts of C2 (bench/groups/memory/memory_facts.c), every run; a false fact
 * fails its case. "cow": the first write to every page of a buffer after fork (copy-on-write)
 * against the same writes from a thread to the buffer it shares; the task times its own writes. One
 * operation is one buffer's worth of first writes, so the page-faults counter per operation divided
 * by the pages gives faults per page (computed in the chart data). THP off (MADV_NOHUGEPAGE)
 * always, THP on (MADV_HUGEPAGE) as well for buffers of 2 MiB and more when the kernel allows it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "atomic_file.h"
#include "claims.h"
#include "clock.h"
#include "group.h"
#include "memory_facts.h"
#include "proc_mem.h"
#include "resultset.h"
#include "runner.h"
#include "tvp_child.h"
#include "tvp_err.h"

#define KIB 1024ull
#define MIB (1024ull * 1024ull)

extern const struct tvp_group tvp_group_memory;

enum mem_sel {
    SEL_FOOT_THREAD,
    SEL_FOOT_PROCESS,
    SEL_FACT_THREAD_GLOBAL,
    SEL_FACT_FORK_PRIVATE,
    SEL_FACT_FORK_SHARED,
    SEL_COW_THREAD,
    SEL_COW_PROCESS,
};
#define SEL_THP       0x100 /* cow: the buffer asks for transparent huge pages */
#define SEL_KIND(arg) ((int)((arg)&0xff))

/* Variant names: tvp_rs_find matches on the variant, not the model, so each names both. */
#define V_FOOT_THREAD   "threads"
#define V_FOOT_PROCESS  "processes"
#define V_COW_THREAD    "thread-4k"
#define V_COW_PROCESS   "fork-4k"
#define V_COW_THREAD_H  "thread-thp"
#define V_COW_PROCESS_H "fork-thp"

/* ======================================================================================== */
/* footprint                                                                                */
/* ======================================================================================== */

/* Unreclaimable slab (task_struct, mm_struct, VMAs...) is left out: /proc/meminfo counts slab
 * pages, which per-CPU caches hand out and keep in batches, so its delta over N tasks was noise
 * (0 to 600 KiB for 32 tasks) rather than a cost per task. */
enum { F_RSS, F_PSS, F_PSS_ANON, F_PTE, F_KSTACK, F_FDS, F_COUNT };
static const char *const foot_metric[F_COUNT] = {"rss-added",          "pss-added",
                                                 "pss-anon-added",     "page-tables-added",
                                                 "kernel-stack-added", "fds-added"};
static const char *const foot_unit[F_COUNT] = {"B", "B", "B", "B", "B", "fds"};
/* The RSS figure of N idle processes is the sum of every child's whole RSS plus the parent's
 * delta: pages the children still share (copy-on-write, libraries) are counted once per
 * process, so it is named rss-sum there, not rss-added. The threads' figure is one process's
 * RSS delta, where a shared page counts once. */
#define RSS_SUM_METRIC      "rss-sum"
#define RSS_METRIC(variant) (strcmp((variant), V_FOOT_PROCESS) == 0 ? RSS_SUM_METRIC : "rss-added")

struct foot_state {
    int n;
    int process;
    size_t stack_size, guard;
    pthread_t *tid;
    void **stack;
    pid_t *pid;
    int *cpu;
    pthread_mutex_t mu;
    pthread_cond_t cv_started, cv_stop;
    int started, stop;
};

/* What one process holds (rss, pss, pte, fds) plus, with sys, the system-wide kernel figures. */
static int snapshot(pid_t pid, int sys, int64_t v[F_COUNT], char *err, size_t errlen)
{
    uint64_t rss, pss, anon, pte, fds, ks = 0;
    int rc;
    if ((rc = tvp_proc_rss_pss(pid, &rss, &pss, &anon, err, errlen)) != 0 ||
        (rc = tvp_proc_vm_pte(pid, &pte, err, errlen)) != 0 ||
        (rc = tvp_proc_fd_count(pid, &fds, err, errlen)) != 0)
        return rc;
    if (sys) {
        /* Best effort (root only): without it the figures lag by up to a per-CPU threshold; the
         * planner says in the note which way this run went. */
        char ignored[160];
        tvp_proc_vmstat_refresh(ignored, sizeof ignored);
    }
    if (sys && (rc = tvp_proc_kernel_stack(&ks, err, errlen)) != 0)
        return rc;
    v[F_RSS] = (int64_t)rss;
    v[F_PSS] = (int64_t)pss;
    v[F_PSS_ANON] = (int64_t)anon;
    v[F_PTE] = (int64_t)pte;
    v[F_KSTACK] = (int64_t)ks;
    v[F_FDS] = (int64_t)fds;
    return 0;
}

/* The measuring process, plus the PSS of its parent (the tvpbench supervisor). PSS divides a
 * shared page among the processes mapping it: the children of an operation take a share of the
 * pages the case process still shares with the supervisor (copy-on-write since the case was
 * forked), and without the supervisor's loss that share would look like new memory. Only deltas
 * of this sum are used. Pages shared with unrelated processes (libc) still move a little share
 * to us: that part is file-backed, so pss-anon-added is free of it. */
static int snapshot_family(int64_t v[F_COUNT], char *err, size_t errlen)
{
    int64_t up[F_COUNT];
    if (snapshot(0, 1, v, err, errlen) != 0 || snapshot(getppid(), 0, up, err, errlen) != 0)
        return -1;
    v[F_PSS] += up[F_PSS];
    v[F_PSS_ANON] += up[F_PSS_ANON];
    return 0;
}

static void foot_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct foot_state *s = state;
    if (!s)
        return;
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv_started);
    pthread_cond_destroy(&s->cv_stop);
    free(s->tid);
    free(s->stack);
    free(s->pid);
    free(s->cpu);
    free(s);
}

static int foot_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct foot_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating state");
        return -1;
    }
    s->n = (int)c->param_value;
    s->process = SEL_KIND(c->arg) == SEL_FOOT_PROCESS;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_started, NULL);
    pthread_cond_init(&s->cv_stop, NULL);
    s->tid = calloc((size_t)s->n, sizeof *s->tid);
    s->stack = calloc((size_t)s->n, sizeof *s->stack);
    s->pid = calloc((size_t)s->n, sizeof *s->pid);
    s->cpu = calloc((size_t)s->n, sizeof *s->cpu);
    if (!s->tid || !s->stack || !s->pid || !s->cpu) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating room for %d tasks", s->n);
        foot_teardown(c, s);
        return -1;
    }
    /* The default thread stack size (RLIMIT_STACK, usually 8 MiB), as glibc would map it. */
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc == 0) {
        rc = pthread_attr_getstacksize(&attr, &s->stack_size);
        pthread_attr_destroy(&attr);
    }
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "reading the default thread stack size");
        foot_teardown(c, s);
        return -1;
    }
    s->guard = (size_t)sysconf(_SC_PAGESIZE);
    *state = s;
    return 0;
}

static void *idle_thread(void *arg)
{
    struct foot_state *s = arg;
    int cpu = sched_getcpu();
    pthread_mutex_lock(&s->mu);
    s->cpu[s->started++] = cpu;
    pthread_cond_signal(&s->cv_started);
    while (!s->stop)
        pthread_cond_wait(&s->cv_stop, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void unmap_stacks(struct foot_state *s, int mapped)
{
    for (int i = 0; i < mapped; i++)
        if (munmap(s->stack[i], s->stack_size) != 0)
            tvp_warn(errno, "footprint: unmapping a thread stack");
}

/* Each thread gets a freshly mapped stack of the default size with a guard page, as glibc maps
 * one when its stack cache is empty: glibc's cache would otherwise hand back stacks whose pages
 * are already resident, and every operation after the first would look free. */
static int foot_thread_op(struct foot_state *s, int64_t d[F_COUNT], char *err, size_t errlen)
{
    int mapped = 0, created = 0, rc = 0;
    for (; mapped < s->n; mapped++) {
        void *m = mmap(NULL, s->stack_size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
        if (m == MAP_FAILED) {
            tvp_errfmt(err, errlen, errno, "footprint: mapping the stack of thread %d", mapped);
            unmap_stacks(s, mapped);
            return -1;
        }
        s->stack[mapped] = m;
        if (mprotect(m, s->guard, PROT_NONE) != 0) {
            tvp_errfmt(err, errlen, errno, "footprint: protecting a stack guard page");
            unmap_stacks(s, mapped + 1);
            return -1;
        }
    }
    int64_t before[F_COUNT], after[F_COUNT];
    if (snapshot_family(before, err, errlen) != 0) {
        unmap_stacks(s, mapped);
        return -1;
    }
    s->started = 0;
    s->stop = 0;
    for (; created < s->n; created++) {
        pthread_attr_t attr;
        int e = pthread_attr_init(&attr);
        if (e == 0)
            e = pthread_attr_setstack(&attr, s->stack[created], s->stack_size);
        if (e == 0)
            e = pthread_create(&s->tid[created], &attr, idle_thread, s);
        pthread_attr_destroy(&attr);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "footprint: starting idle thread %d of %d", created + 1,
                       s->n);
            rc = -1;
            break;
        }
    }
    pthread_mutex_lock(&s->mu);
    while (s->started < created)
        pthread_cond_wait(&s->cv_started, &s->mu);
    pthread_mutex_unlock(&s->mu);
    if (rc == 0 && snapshot_family(after, err, errlen) != 0)
        rc = -1;
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->cv_stop);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < created; i++) {
        int e = pthread_join(s->tid[i], NULL);
        if (e != 0 && rc == 0) {
            tvp_errfmt(err, errlen, e, "footprint: joining idle thread %d", i);
            rc = -1;
        }
    }
    for (int i = 0; i < created; i++)
        tvp_runner_note_cpu(s->cpu[i]);
    unmap_stacks(s, mapped);
    if (rc == 0)
        for (int m = 0; m < F_COUNT; m++)
            d[m] = after[m] - before[m];
    return rc;
}

/* An idle child: reports that it runs, then blocks in read() until the parent closes the stop
 * pipe. */
static void idle_child(int ready_w, int ready_r, int stop_r, int stop_w)
{
    if (close(stop_w) != 0 || close(ready_r) != 0)
        _exit(2);
    int cpu = sched_getcpu();
    if (write(ready_w, &cpu, sizeof cpu) != (ssize_t)sizeof cpu)
        _exit(3);
    if (close(ready_w) != 0)
        _exit(4);
    char b;
    ssize_t r;
    while ((r = read(stop_r, &b, 1)) < 0 && errno == EINTR)
        ;
    _exit(r == 0 ? 0 : 5);
}

static int foot_process_op(struct foot_state *s, int64_t d[F_COUNT], char *err, size_t errlen)
{
    int64_t before[F_COUNT], sum[F_COUNT] = {0}, v[F_COUNT];
    if (snapshot_family(before, err, errlen) != 0)
        return -1;
    int ready[2], stop[2];
    if (pipe2(ready, O_CLOEXEC) != 0) {
        tvp_errfmt(err, errlen, errno, "footprint: creating the ready pipe");
        return -1;
    }
    if (pipe2(stop, O_CLOEXEC) != 0) {
        tvp_errfmt(err, errlen, errno, "footprint: creating the stop pipe");
        close(ready[0]);
        close(ready[1]);
        return -1;
    }
    int created = 0, rc = 0;
    for (; created < s->n; created++) {
        pid_t pid = fork();
        if (pid < 0) {
            tvp_errfmt(err, errlen, errno, "footprint: fork of idle process %d of %d", created + 1,
                       s->n);
            rc = -1;
            break;
        }
        if (pid == 0)
            idle_child(ready[1], ready[0], stop[0], stop[1]);
        s->pid[created] = pid;
    }
    if (close(ready[1]) != 0 && rc == 0) {
        tvp_errfmt(err, errlen, errno, "footprint: closing the ready pipe's write end");
        rc = -1;
    }
    if (close(stop[0]) != 0 && rc == 0) {
        tvp_errfmt(err, errlen, errno, "footprint: closing the stop pipe's read end");
        rc = -1;
    }
    /* Every child writes one int when it runs; a short read means one died first. */
    size_t want = (size_t)created * sizeof(int), got = 0;
    while (rc == 0 && got < want) {
        ssize_t r = read(ready[0], (char *)s->cpu + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r < 0)
                tvp_errfmt(err, errlen, errno, "footprint: reading the ready pipe");
            else
                snprintf(err, errlen, "footprint: %zu of %d idle processes exited before running",
                         (want - got) / sizeof(int), created);
            rc = -1;
            break;
        }
        got += (size_t)r;
    }
    /* Between its report and read() a child only closes a descriptor; wait until every one
     * sleeps, so none is measured half-way. */
    for (int i = 0; i < created && rc == 0; i++) {
        char st = 0;
        for (int spin = 0; rc == 0; spin++) {
            if (tvp_proc_state(s->pid[i], &st, err, errlen) != 0)
                rc = -1;
            else if (st == 'S')
                break;
            else if (st == 'Z' || st == 'X' || spin > 100000) {
                snprintf(err, errlen, "footprint: idle process %d is in state %c, not asleep",
                         (int)s->pid[i], st);
                rc = -1;
            } else
                sched_yield();
        }
    }
    if (rc == 0) {
        for (int i = 0; i < created && rc == 0; i++) {
            if (snapshot(s->pid[i], 0, v, err, errlen) != 0)
                rc = -1;
            for (int m = 0; m < F_COUNT; m++)
                sum[m] += v[m];
        }
        if (rc == 0 && snapshot_family(v, err, errlen) != 0)
            rc = -1;
        if (rc == 0) {
            /* The kernel figures are system-wide already (children report 0 for them). The
             * descriptors leave out the pipe ends used to start and stop the children: two in
             * the parent, the stop pipe's read end in each child. */
            for (int m = 0; m < F_COUNT; m++)
                d[m] = sum[m] + v[m] - before[m];
            d[F_FDS] -= 2 + created;
        }
    }
    /* Stop: every child reads end-of-file and exits; reap them all, whatever happened. */
    if (close(stop[1]) != 0 && rc == 0) {
        tvp_errfmt(err, errlen, errno, "footprint: closing the stop pipe");
        rc = -1;
    }
    for (int i = 0; i < created; i++) {
        int st;
        int e = tvp_wait_child(s->pid[i], &st);
        if (e != 0) {
            if (rc == 0)
                tvp_errfmt(err, errlen, e, "footprint: reaping idle process %d", (int)s->pid[i]);
            rc = -1;
        } else if (!tvp_child_ok(st) && rc == 0) {
            snprintf(err, errlen, "footprint: idle process %d ended with %s %d", (int)s->pid[i],
                     WIFEXITED(st) ? "status" : "signal",
                     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
            rc = -1;
        }
    }
    if (close(ready[0]) != 0 && rc == 0) {
        tvp_errfmt(err, errlen, errno, "footprint: closing the ready pipe");
        rc = -1;
    }
    for (size_t i = 0; i < got / sizeof(int); i++)
        tvp_runner_note_cpu(s->cpu[i]);
    return rc;
}

static int foot_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)c;
    struct foot_state *s = state;
    /* Once per case process and metric: the note that a batch total was negative. */
    static int noted_negative[F_COUNT];
    int64_t acc[F_COUNT] = {0};
    for (uint64_t i = 0; i < iters; i++) {
        int64_t d[F_COUNT] = {0};
        int rc =
            s->process ? foot_process_op(s, d, err, errlen) : foot_thread_op(s, d, err, errlen);
        if (rc != 0)
            return -1;
        for (int m = 0; m < F_COUNT; m++)
            acc[m] += d[m];
    }
    /* A delta can be negative (the system freed memory meanwhile, above all in the system-wide
     * kernel-stack figure). The harness takes unsigned totals, so a batch total below 0 is
     * recorded as 0, which leans that figure upward: the case's note says so (once per metric),
     * with the value, rather than zeroing the noise silently. */
    for (int m = 0; m < F_COUNT; m++) {
        if (acc[m] >= 0) {
            totals[m] += (uint64_t)acc[m];
            continue;
        }
        if (!noted_negative[m]) {
            noted_negative[m] = 1;
            tvp_runner_note("%s delta negative in a batch (%lld %s over %llu operations, "
                            "recorded as 0): %s",
                            m == F_RSS && s->process ? RSS_SUM_METRIC : foot_metric[m],
                            (long long)acc[m], foot_unit[m], (unsigned long long)iters,
                            m == F_KSTACK ? "system-wide noise"
                                          : "the system freed memory meanwhile");
        }
    }
    return 0;
}

/* ======================================================================================== */
/* facts                                                                                    */
/* ======================================================================================== */

static int fact_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                    char *err, size_t errlen)
{
    (void)state;
    for (uint64_t i = 0; i < iters; i++) {
        int rc;
        switch (SEL_KIND(c->arg)) {
        case SEL_FACT_THREAD_GLOBAL:
            rc = tvp_fact_thread_write_seen(err, errlen);
            break;
        case SEL_FACT_FORK_PRIVATE:
            rc = tvp_fact_fork_private_unseen(err, errlen);
            break;
        default:
            rc = tvp_fact_fork_shared_seen(err, errlen);
            break;
        }
        if (rc != TVP_FACT_HELD) {
            if (rc == TVP_FACT_FALSE) {
                char why[200];
                snprintf(why, sizeof why, "%s", err);
                snprintf(err, errlen, "fact does not hold: %s", why);
            }
            return -1;
        }
        totals[0] += 1;
    }
    return 0;
}

/* ======================================================================================== */
/* cow                                                                                      */
/* ======================================================================================== */

struct cow_slot {
    _Atomic uint64_t ns; /* the child's write time; UINT64_MAX until it reports */
    _Atomic int cpu;
};

struct cow_state {
    char *map, *buf;
    size_t map_len, len, pages;
    long page;
    int process, thp;
    unsigned char pattern, token;
    struct cow_slot *slot;
    double timer_ns;
    uint64_t thp_pct;
    uint64_t thread_ns;
    int thread_cpu;
};

static void cow_teardown(const struct tvp_case *c, void *state)
{
    (void)c;
    struct cow_state *s = state;
    if (!s)
        return;
    if (s->map && munmap(s->map, s->map_len) != 0)
        tvp_warn(errno, "cow: unmapping the buffer");
    if (s->slot && munmap(s->slot, (size_t)s->page) != 0)
        tvp_warn(errno, "cow: unmapping the report slot");
    free(s);
}

static int cow_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct cow_state *s = calloc(1, sizeof *s);
    if (!s) {
        tvp_errfmt(err, errlen, ENOMEM, "allocating state");
        return -1;
    }
    s->page = sysconf(_SC_PAGESIZE);
    s->process = SEL_KIND(c->arg) == SEL_COW_PROCESS;
    s->thp = (c->arg & SEL_THP) != 0;
    s->len = (size_t)c->param_value * KIB;
    s->pages = s->len / (size_t)s->page;
    /* Room to align the buffer to 2 MiB, so huge pages can back it whole when asked. */
    s->map_len = s->len + 2 * MIB;
    s->map = mmap(NULL, s->map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (s->map == MAP_FAILED) {
        s->map = NULL;
        tvp_errfmt(err, errlen, errno, "cow: mapping %llu KiB", (unsigned long long)(s->len / KIB));
        cow_teardown(c, s);
        return -1;
    }
    s->buf = (char *)(((uintptr_t)s->map + 2 * MIB - 1) & ~(uintptr_t)(2 * MIB - 1));
    if (madvise(s->buf, s->len, s->thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0) {
        tvp_errfmt(err, errlen, errno, "cow: madvise(%s)",
                   s->thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE");
        cow_teardown(c, s);
        return -1;
    }
    s->slot =
        mmap(NULL, (size_t)s->page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (s->slot == MAP_FAILED) {
        s->slot = NULL;
        tvp_errfmt(err, errlen, errno, "cow: mapping the shared report slot");
        cow_teardown(c, s);
        return -1;
    }
    /* The parent touches every page (writes), so they are present and writable before any
     * fork or thread: whatever the subject's first write then costs is the sharing policy. */
    s->pattern = 1;
    s->token = 1;
    memset(s->buf, s->pattern, s->len);
    uint64_t huge = 0;
    if (tvp_proc_vma_field(0, s->buf, "AnonHugePages", &huge, err, errlen) != 0) {
        cow_teardown(c, s);
        return -1;
    }
    s->thp_pct = (uint64_t)llround(100.0 * (double)huge / (double)s->len);
    s->timer_ns = tvp_timer_cost_ns();
    *state = s;
    return 0;
}

/* The timed subject: one write to every page. */
static uint64_t write_pages(volatile char *buf, size_t pages, long page, char token)
{
    uint64_t t0 = tvp_now_ns();
    for (size_t i = 0; i < pages; i++)
        buf[i * (size_t)page] = token;
    return tvp_now_ns() - t0;
}

static void *cow_thread(void *arg)
{
    struct cow_state *s = arg;
    s->thread_ns = write_pages(s->buf, s->pages, s->page, (char)s->token);
    s->thread_cpu = sched_getcpu();
    return NULL;
}

/* Three pages (first, middle, last) hold v. */
static int pages_hold(const struct cow_state *s, unsigned char v)
{
    size_t idx[3] = {0, s->pages / 2, s->pages - 1};
    for (int i = 0; i < 3; i++)
        if ((unsigned char)s->buf[idx[i] * (size_t)s->page] != v)
            return 0;
    return 1;
}

static int cow_op(struct cow_state *s, uint64_t *ns, char *err, size_t errlen)
{
    /* A new token per operation, never the parent's pattern. */
    s->token = (unsigned char)(s->token % 250 + 2);
    if (!s->process) {
        pthread_t t;
        int e = pthread_create(&t, NULL, cow_thread, s);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "cow: starting the writing thread");
            return -1;
        }
        if ((e = pthread_join(t, NULL)) != 0) {
            tvp_errfmt(err, errlen, e, "cow: joining the writing thread");
            return -1;
        }
        if (!pages_hold(s, s->token)) {
            snprintf(err, errlen, "cow: the thread's writes are not seen by its sibling");
            return -1;
        }
        tvp_runner_note_cpu(s->thread_cpu);
        *ns = s->thread_ns;
        return 0;
    }
    atomic_store(&s->slot->ns, UINT64_MAX);
    pid_t pid = fork();
    if (pid < 0) {
        tvp_errfmt(err, errlen, errno, "cow: fork");
        return -1;
    }
    if (pid == 0) {
        uint64_t t = write_pages(s->buf, s->pages, s->page, (char)s->token);
        atomic_store(&s->slot->cpu, sched_getcpu());
        atomic_store(&s->slot->ns, t);
        _exit(pages_hold(s, s->token) ? 0 : 3);
    }
    int st;
    int e = tvp_wait_child(pid, &st);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "cow: reaping the writing child");
        return -1;
    }
    if (!tvp_child_ok(st)) {
        snprintf(err, errlen, "cow: the writing child ended with %s %d",
                 WIFEXITED(st) ? "status" : "signal",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
        return -1;
    }
    uint64_t t = atomic_load(&s->slot->ns);
    if (t == UINT64_MAX) {
        snprintf(err, errlen, "cow: the writing child exited without reporting its time");
        return -1;
    }
    if (!pages_hold(s, s->pattern)) {
        snprintf(err, errlen, "cow: the parent sees its child's writes to private memory");
        return -1;
    }
    tvp_runner_note_cpu(atomic_load(&s->slot->cpu));
    *ns = t;
    return 0;
}

static int cow_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen)
{
    (void)c;
    struct cow_state *s = state;
    double sum = 0;
    for (uint64_t i = 0; i < iters; i++) {
        uint64_t ns;
        if (cow_op(s, &ns, err, errlen) != 0)
            return -1;
        /* One timed interval per operation: its timer cost is taken off here, since the metric
         * is per page and the harness's per-operation subtraction would not fit it. */
        double d = (double)ns - s->timer_ns;
        sum += d > 0 ? d : 0;
    }
    /* The batch's total per page: the harness divides it by iters, so the rounding costs at most
     * 0.5 / iters ns per page (a thread's few ns per page come with hundreds of iterations). */
    totals[0] += (uint64_t)llround(sum / (double)s->pages);
    totals[1] += s->thp_pct * iters;
    return 0;
}

/* ======================================================================================== */
/* planning                                                                                 */
/* ======================================================================================== */

static const struct tvp_bench_info memory_benches[] = {
    {"footprint", "RSS, PSS, page tables, kernel stacks and descriptors added by N idle "
                  "threads vs N idle processes (N 1..256)"},
    {"facts", "checked every run: a thread's write is seen by its sibling; a forked child's "
              "write to private memory is not seen; to MAP_SHARED memory it is"},
    {"cow", "first write to each page after fork (copy-on-write) vs the same writes from a "
            "thread, 4 KiB..256 MiB, THP off and on"},
};

static long long read_ll(const char *path, long long fallback)
{
    FILE *f = fopen(path, "re");
    long long v;
    if (!f)
        return fallback;
    if (fscanf(f, "%lld", &v) != 1)
        v = fallback;
    fclose(f);
    return v;
}

/* Tasks (threads) running on the system now: the denominator of /proc/loadavg's 4th field. */
static long long tasks_now(void)
{
    FILE *f = fopen("/proc/loadavg", "re");
    long long run = 0, total = 0;
    double a, b, c;
    if (f) {
        if (fscanf(f, "%lf %lf %lf %lld/%lld", &a, &b, &c, &run, &total) != 5)
            total = 0;
        fclose(f);
    }
    return total;
}

#define TASK_MEM_BUDGET (4 * MIB) /* generous: an idle process takes well under 1 MiB */
#define TASK_MARGIN     64        /* left to the rest of the system */
#define NPROC_MARGIN    8         /* left to this user: the supervisor, gnuplot, a shell */

/* How many idle tasks this machine allows us: RLIMIT_NPROC, threads-max, pid_max, memory. */
/* Tasks (threads) of this real user: what RLIMIT_NPROC counts. */
static long long user_tasks(void)
{
    DIR *d = opendir("/proc");
    if (!d)
        return 0;
    long long n = 0;
    uid_t me = getuid();
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], line[128];
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        FILE *f = fopen(path, "re");
        if (!f)
            continue; /* gone meanwhile */
        long long uid = -1, threads = 0;
        while (fgets(line, sizeof line, f)) {
            if (sscanf(line, "Uid: %lld", &uid) == 1 && uid != (long long)me)
                break;
            if (sscanf(line, "Threads: %lld", &threads) == 1)
                break;
        }
        fclose(f);
        if (uid == (long long)me)
            n += threads;
    }
    closedir(d);
    return n;
}

static long long task_cap(void)
{
    long long now = tasks_now(), cap = 1 << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        cap = (long long)rl.rlim_cur - user_tasks() - NPROC_MARGIN;
    long long tmax = read_ll("/proc/sys/kernel/threads-max", -1);
    if (tmax > 0 && tmax - now - TASK_MARGIN < cap)
        cap = tmax - now - TASK_MARGIN;
    long long pmax = read_ll("/proc/sys/kernel/pid_max", -1);
    if (pmax > 0 && pmax - now - TASK_MARGIN < cap)
        cap = pmax - now - TASK_MARGIN;
    uint64_t avail = 0;
    char err[160];
    if (tvp_proc_meminfo("MemAvailable", &avail, err, sizeof err) == 0 &&
        (long long)(avail / TASK_MEM_BUDGET) < cap)
        cap = (long long)(avail / TASK_MEM_BUDGET);
    return cap < 1 ? 1 : cap;
}

/* "[madvise]" out of "always [madvise] never"; "" when the file is missing. */
static void thp_mode(char *buf, size_t len)
{
    buf[0] = 0;
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    char line[128];
    if (f && fgets(line, sizeof line, f)) {
        char *a = strchr(line, '['), *b = a ? strchr(a, ']') : NULL;
        if (a && b)
            snprintf(buf, len, "%.*s", (int)(b - a - 1), a + 1);
    }
    if (f)
        fclose(f);
}

static void base_case(struct tvp_case *c, const struct tvp_plan_ctx *ctx, const char *bench,
                      const char *variant, const char *model, long arg)
{
    tvp_case_init(c, &tvp_group_memory, bench, variant, model, &ctx->placements[TVP_PL_SAME_PU]);
    c->arg = arg;
    c->per_op_timed = 0;
}

static int plan_footprint(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    static const long long full[] = {1, 8, 64, 256}, quick[] = {1, 8, 32};
    const long long *ns = ctx->opt->quick ? quick : full;
    size_t n_ns = ctx->opt->quick ? 3 : 4;
    long long cap = task_cap(), list[8];
    char why[160];
    int refresh = tvp_proc_vmstat_refresh(why, sizeof why) == 0;
    size_t n = 0;
    for (size_t i = 0; i < n_ns; i++) {
        long long v = ns[i] <= cap ? ns[i] : cap;
        if (ns[i] > cap)
            tvp_plan_skip(p, "footprint N=%lld: this machine allows %lld more tasks; ran N=%lld",
                          ns[i], cap, cap);
        if (n == 0 || list[n - 1] < v)
            list[n++] = v;
    }
    for (size_t i = 0; i < n; i++)
        for (int proc = 0; proc < 2; proc++) {
            struct tvp_case c;
            base_case(&c, ctx, "footprint", proc ? V_FOOT_PROCESS : V_FOOT_THREAD,
                      proc ? "process" : "thread", proc ? SEL_FOOT_PROCESS : SEL_FOOT_THREAD);
            snprintf(c.param, sizeof c.param, "tasks");
            c.param_value = list[i];
            c.n_metrics = F_COUNT;
            for (int m = 0; m < F_COUNT; m++) {
                c.metric[m] = m == F_RSS && proc ? RSS_SUM_METRIC : foot_metric[m];
                c.unit[m] = foot_unit[m];
            }
            c.max_iters = list[i] >= 64 ? 1 : 3;
            snprintf(c.note, sizeof c.note,
                     "N cap %lld (nproc, threads-max, pid_max, mem); %s; "
                     "KernelStack: system-wide delta, %s",
                     cap > 9999999 ? 9999999 : cap,
                     proc ? "idle in read(); children + parent delta"
                          : "idle on a condvar; fresh default stacks",
                     refresh ? "vmstat flushed" : "per-CPU lag");
            c.setup = foot_setup;
            c.run = foot_run;
            c.teardown = foot_teardown;
            if (tvp_plan_add(p, &c))
                return ENOMEM;
        }
    return 0;
}

static int plan_facts(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    static const struct {
        const char *variant, *model, *note;
        long sel;
    } facts[] = {
        {"thread-write-seen", "thread", "a thread's plain write to a global, read by its sibling",
         SEL_FACT_THREAD_GLOBAL},
        {"fork-private-unseen", "process",
         "a forked child's write to a global (private memory); the parent must not see it",
         SEL_FACT_FORK_PRIVATE},
        {"fork-shared-seen", "process",
         "a forked child's write to a MAP_SHARED anonymous page; the parent must see it",
         SEL_FACT_FORK_SHARED},
    };
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        struct tvp_case c;
        base_case(&c, ctx, "facts", facts[i].variant, facts[i].model, facts[i].sel);
        c.n_metrics = 1;
        c.metric[0] = "held";
        c.unit[0] = "bool";
        c.max_iters = 3;
        snprintf(c.note, sizeof c.note, "%s; 1 = held, a false fact fails the case", facts[i].note);
        c.run = fact_run;
        if (tvp_plan_add(p, &c))
            return ENOMEM;
    }
    return 0;
}

static int plan_cow(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    long long max_kib = ctx->opt->quick ? 4 * 1024 : 256 * 1024;
    uint64_t avail = 0;
    char err[160];
    if (tvp_proc_meminfo("MemAvailable", &avail, err, sizeof err) != 0)
        avail = 0;
    char mode[32];
    thp_mode(mode, sizeof mode);
    int thp_ok = mode[0] && strcmp(mode, "never") != 0;
    if (!thp_ok)
        tvp_plan_skip(p, "cow THP on: skipped, /sys/kernel/mm/transparent_hugepage/enabled is %s",
                      mode[0] ? "[never]" : "missing");
    for (long long kib = 4; kib <= max_kib; kib *= 4) {
        /* The parent's buffer, the child's copy and slack. */
        if (avail && (uint64_t)kib * KIB * 3 > avail) {
            tvp_plan_skip(p, "cow %lld KiB: skipped, only %llu MiB available", kib,
                          (unsigned long long)(avail / MIB));
            break;
        }
        for (int thp = 0; thp < 2; thp++) {
            if (thp && (!thp_ok || kib < 2048))
                continue;
            for (int proc = 0; proc < 2; proc++) {
                struct tvp_case c;
                const char *v = proc ? (thp ? V_COW_PROCESS_H : V_COW_PROCESS)
                                     : (thp ? V_COW_THREAD_H : V_COW_THREAD);
                base_case(&c, ctx, "cow", v, proc ? "process" : "thread",
                          (proc ? SEL_COW_PROCESS : SEL_COW_THREAD) | (thp ? SEL_THP : 0));
                snprintf(c.param, sizeof c.param, "buffer_kib");
                c.param_value = kib;
                c.n_metrics = 2;
                c.metric[0] = "ns per page";
                c.unit[0] = "ns";
                c.metric[1] = "thp-backed";
                c.unit[1] = "%";
                snprintf(c.note, sizeof c.note,
                         "%s; THP %s (%s, enabled=[%s]); only the writes timed, by the %s",
                         proc ? "child's first write per page after fork (CoW)"
                              : "thread's write per page to the shared buffer",
                         thp ? "on" : "off", thp ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE",
                         mode[0] ? mode : "none", proc ? "child" : "thread");
                c.setup = cow_setup;
                c.run = cow_run;
                c.teardown = cow_teardown;
                if (tvp_plan_add(p, &c))
                    return ENOMEM;
            }
        }
    }
    return 0;
}

static int memory_plan(struct tvp_plan *p, const struct tvp_plan_ctx *ctx)
{
    if (!tvp_plan_placement_ok(p, ctx, TVP_PL_SAME_PU))
        return 0;
    int rc;
    if ((rc = plan_footprint(p, ctx)) != 0 || (rc = plan_facts(p, ctx)) != 0 ||
        (rc = plan_cow(p, ctx)) != 0)
        return rc;
    return 0;
}

/* ======================================================================================== */
/* figures                                                                                  */
/* ======================================================================================== */

static const struct tvp_fig *find(const struct tvp_resultset *rs, const char *bench,
                                  const char *variant, const char *param, long long value,
                                  const char *metric)
{
    return tvp_rs_find(rs, "memory", bench, variant, "same-pu", param, value, metric);
}

/* The figure of a case whatever its status (a failed fact must be told from a missing one). */
static const struct tvp_fig *find_any(const struct tvp_resultset *rs, const char *bench,
                                      const char *variant)
{
    const struct tvp_fig *found = NULL;
    for (size_t i = 0; i < rs->n; i++) {
        const struct tvp_fig *f = &rs->figs[i];
        if (strcmp(f->group, "memory") || strcmp(f->benchmark, bench) ||
            strcmp(f->variant, variant))
            continue;
        if (strcmp(f->status, "ok") == 0)
            return f;
        found = f;
    }
    return found;
}

static void fmt_bytes(char *buf, size_t len, double b)
{
    if (!isfinite(b))
        snprintf(buf, len, "n/a");
    else if (fabs(b) >= 1024.0 * 1024.0)
        snprintf(buf, len, "%.3g MiB", b / (1024.0 * 1024.0));
    else if (fabs(b) >= 1024.0)
        snprintf(buf, len, "%.3g KiB", b / 1024.0);
    else
        snprintf(buf, len, "%.3g B", b);
}

/* The common N values of both footprint variants: smallest and largest. */
static int foot_range(const struct tvp_resultset *rs, long long *lo, long long *hi)
{
    long long t[16], p[16];
    int nt = tvp_rs_param_values(rs, "memory", "footprint", V_FOOT_THREAD, NULL, "pss-anon-added",
                                 1, t, 16);
    int np = tvp_rs_param_values(rs, "memory", "footprint", V_FOOT_PROCESS, NULL, "pss-anon-added",
                                 1, p, 16);
    int found = 0;
    for (int i = 0; i < nt; i++)
        for (int j = 0; j < np; j++)
            if (t[i] == p[j]) {
                if (!found || t[i] < *lo)
                    *lo = t[i];
                if (!found || t[i] > *hi)
                    *hi = t[i];
                found = 1;
            }
    return found ? 0 : -1;
}

/* Cost per extra task: the slope of the medians between the smallest and the largest N (the
 * average per task when only one N succeeded). NAN when missing. */
static double per_extra_task(const struct tvp_resultset *rs, const char *variant,
                             const char *metric, long long lo, long long hi)
{
    const struct tvp_fig *a = find(rs, "footprint", variant, "tasks", lo, metric);
    const struct tvp_fig *b = find(rs, "footprint", variant, "tasks", hi, metric);
    if (!b)
        return NAN;
    if (hi == lo || !a)
        return b->median / (double)hi;
    return (b->median - a->median) / (double)(hi - lo);
}

/* ---- charts ---- */

static int chart_footprint(const struct tvp_resultset *rs, const char *dir)
{
    long long t[16], p[16], all[32];
    int nt = tvp_rs_param_values(rs, "memory", "footprint", V_FOOT_THREAD, NULL, "pss-anon-added",
                                 1, t, 16);
    int np = tvp_rs_param_values(rs, "memory", "footprint", V_FOOT_PROCESS, NULL, "pss-anon-added",
                                 1, p, 16);
    if (nt + np == 0)
        return 0;
    int n = 0;
    for (int i = 0; i < nt + np; i++) {
        long long v = i < nt ? t[i] : p[i - nt];
        int k = 0;
        while (k < n && all[k] < v)
            k++;
        if (k < n && all[k] == v)
            continue;
        memmove(&all[k + 1], &all[k], (size_t)(n - k) * sizeof all[0]);
        all[k] = v;
        n++;
    }
    struct tvp_afile a;
    int rc = tvp_chart_open(&a, dir, "memory-footprint");
    if (rc)
        return rc;
    fprintf(a.f, "# memory added by N idle tasks, KiB (median, 95%% CI low, high)\n"
                 "# N  threads:anonymous-PSS(3) processes:anonymous-PSS(3) threads:RSS-added(3) "
                 "processes:RSS-sum(3, shared pages counted per process)\n");
    for (int i = 0; i < n; i++) {
        fprintf(a.f, "%lld", all[i]);
        tvp_dat_fig(a.f, find(rs, "footprint", V_FOOT_THREAD, "tasks", all[i], "pss-anon-added"),
                    1024.0);
        tvp_dat_fig(a.f, find(rs, "footprint", V_FOOT_PROCESS, "tasks", all[i], "pss-anon-added"),
                    1024.0);
        tvp_dat_fig(
            a.f, find(rs, "footprint", V_FOOT_THREAD, "tasks", all[i], RSS_METRIC(V_FOOT_THREAD)),
            1024.0);
        tvp_dat_fig(
            a.f, find(rs, "footprint", V_FOOT_PROCESS, "tasks", all[i], RSS_METRIC(V_FOOT_PROCESS)),
            1024.0);
        fputc('\n', a.f);
    }
    long long lo = 0, hi = 0;
    int have = foot_range(rs, &lo, &hi) == 0;
    fprintf(a.f,
            "\n\n# per extra task, KiB: slope of the medians from N=%lld to N=%lld\n"
            "# what threads processes\n",
            lo, hi);
    /* metric_p: the process variant's metric when it differs (its RSS is a sum). */
    static const struct {
        const char *label, *metric, *metric_p;
    } rows[] = {{"PSS anon", "pss-anon-added", NULL},
                {"PSS", "pss-added", NULL},
                {"RSS (process: summed)", "rss-added", RSS_SUM_METRIC},
                {"page tables", "page-tables-added", NULL},
                {"kernel stack", "kernel-stack-added", NULL}};
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        const char *mp = rows[r].metric_p ? rows[r].metric_p : rows[r].metric;
        fprintf(a.f, "\"%s\"", rows[r].label);
        tvp_dat_num(a.f, have ? per_extra_task(rs, V_FOOT_THREAD, rows[r].metric, lo, hi) / 1024.0
                              : NAN);
        tvp_dat_num(a.f, have ? per_extra_task(rs, V_FOOT_PROCESS, mp, lo, hi) / 1024.0 : NAN);
        fputc('\n', a.f);
    }
    fprintf(a.f, "\n\n# descriptors per extra task\n# what threads processes\n\"fds\"");
    tvp_dat_num(a.f, have ? per_extra_task(rs, V_FOOT_THREAD, "fds-added", lo, hi) : NAN);
    tvp_dat_num(a.f, have ? per_extra_task(rs, V_FOOT_PROCESS, "fds-added", lo, hi) : NAN);
    fputc('\n', a.f);
    return tvp_afile_commit(&a);
}

static const char *const cow_variants[4] = {V_COW_PROCESS, V_COW_THREAD, V_COW_PROCESS_H,
                                            V_COW_THREAD_H};

/* Page faults per page of one cow figure (the counter per operation / pages); NAN if absent. */
static double faults_per_page(const struct tvp_fig *f)
{
    double pf;
    if (!f || tvp_fig_counter(f, "page_faults", &pf) != 0)
        return NAN;
    return pf / ((double)f->param_value * KIB / 4096.0);
}

/* Marginal faults per extra page between the smallest and largest buffer of a variant. */
static double faults_slope(const struct tvp_resultset *rs, const char *variant)
{
    long long kib[32];
    int n = tvp_rs_param_values(rs, "memory", "cow", variant, NULL, "ns per page", 1, kib, 32);
    if (n < 2)
        return NAN;
    double f0, f1;
    const struct tvp_fig *a = find(rs, "cow", variant, "buffer_kib", kib[0], "ns per page");
    const struct tvp_fig *b = find(rs, "cow", variant, "buffer_kib", kib[n - 1], "ns per page");
    if (!a || !b || tvp_fig_counter(a, "page_faults", &f0) != 0 ||
        tvp_fig_counter(b, "page_faults", &f1) != 0)
        return NAN;
    return (f1 - f0) / ((double)(kib[n - 1] - kib[0]) * KIB / 4096.0);
}

static int chart_cow(const struct tvp_resultset *rs, const char *dir)
{
    long long kib[32];
    int n =
        tvp_rs_param_values(rs, "memory", "cow", V_COW_PROCESS, NULL, "ns per page", 1, kib, 32);
    long long more[32];
    int m =
        tvp_rs_param_values(rs, "memory", "cow", V_COW_THREAD, NULL, "ns per page", 1, more, 32);
    for (int i = 0; i < m && n < 32; i++) {
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= kib[k] == more[i];
        if (!seen) {
            int k = n++;
            while (k > 0 && kib[k - 1] > more[i]) {
                kib[k] = kib[k - 1];
                k--;
            }
            kib[k] = more[i];
        }
    }
    if (n == 0)
        return 0;
    struct tvp_afile a;
    int rc = tvp_chart_open(&a, dir, "memory-cow");
    if (rc)
        return rc;
    fprintf(a.f, "# first write per page: ns per page (median, 95%% CI low, high) and page faults "
                 "per page (page_faults counter per operation / pages of 4 KiB, NaN when not "
                 "counted)\n# marginal faults per extra page (smallest to largest buffer):");
    for (int v = 0; v < 4; v++) {
        double f = faults_slope(rs, cow_variants[v]);
        if (isfinite(f))
            fprintf(a.f, " %s %.4g", cow_variants[v], f);
        else
            fprintf(a.f, " %s n/a", cow_variants[v]);
    }
    fprintf(a.f,
            "\n# buffer_kib pages  fork-4k(3) faults  thread-4k(3) faults  fork-thp(3) faults  "
            "thread-thp(3) faults\n");
    for (int i = 0; i < n; i++) {
        fprintf(a.f, "%lld %lld", kib[i], kib[i] * (long long)KIB / 4096);
        for (int v = 0; v < 4; v++) {
            const struct tvp_fig *f =
                find(rs, "cow", cow_variants[v], "buffer_kib", kib[i], "ns per page");
            tvp_dat_fig(a.f, f, 1.0);
            tvp_dat_num(a.f, faults_per_page(f));
        }
        fputc('\n', a.f);
    }
    return tvp_afile_commit(&a);
}

static int memory_chart_data(const struct tvp_resultset *rs, const char *dir)
{
    int rc = chart_footprint(rs, dir);
    if (rc == 0)
        rc = chart_cow(rs, dir);
    return rc;
}

/* ---- the verdict for C1 ---- */

#define C1_THRESHOLD 2.0

static void judge_c1(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    long long lo = 0, hi = 0;
    if (foot_range(rs, &lo, &hi) != 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no N at which both the idle-threads and idle-processes footprint succeeded");
        return;
    }
    /* Judged on anonymous PSS: the memory the tasks actually added. Total PSS also moves shares
     * of file-backed library pages from unrelated processes to ours. */
    const struct tvp_fig *tp = find(rs, "footprint", V_FOOT_THREAD, "tasks", hi, "pss-anon-added");
    const struct tvp_fig *pp = find(rs, "footprint", V_FOOT_PROCESS, "tasks", hi, "pss-anon-added");
    /* metric_p: the process variant's metric when it differs (its RSS is a sum). */
    static const struct {
        const char *label, *metric, *metric_p;
        int bytes;
    } rows[] = {{"anonymous PSS", "pss-anon-added", NULL, 1},
                {"PSS (incl. shares of library pages)", "pss-added", NULL, 1},
                {"RSS (process: sum of each child's RSS, shared pages counted per process)",
                 "rss-added", RSS_SUM_METRIC, 1},
                {"page tables", "page-tables-added", NULL, 1},
                {"kernel stack", "kernel-stack-added", NULL, 1},
                {"descriptors", "fds-added", NULL, 0}};
    double per[6][2];
    char a[32], b[32];
    snprintf(v->figures, sizeof v->figures,
             "per extra task (slope of medians N=%lld→%lld, same PU %.64s):", lo, hi, pp->cpus);
    for (size_t r = 0; r < 6; r++) {
        per[r][0] = per_extra_task(rs, V_FOOT_THREAD, rows[r].metric, lo, hi);
        per[r][1] = per_extra_task(rs, V_FOOT_PROCESS,
                                   rows[r].metric_p ? rows[r].metric_p : rows[r].metric, lo, hi);
        if (rows[r].bytes) {
            fmt_bytes(a, sizeof a, per[r][0]);
            fmt_bytes(b, sizeof b, per[r][1]);
        } else {
            snprintf(a, sizeof a, "%.3g", per[r][0]);
            snprintf(b, sizeof b, "%.3g", per[r][1]);
        }
        tvp_appendf(v->figures, sizeof v->figures, "%s %s: thread %s, process %s", r ? ";" : "",
                    rows[r].label, a, b);
    }
    struct tvp_ratio pss, pte;
    int have_pss = tvp_ratio_of(pp, tp, &pss) == 0;
    const struct tvp_fig *tt =
        find(rs, "footprint", V_FOOT_THREAD, "tasks", hi, "page-tables-added");
    const struct tvp_fig *pt =
        find(rs, "footprint", V_FOOT_PROCESS, "tasks", hi, "page-tables-added");
    int have_pte = tvp_ratio_of(pt, tt, &pte) == 0;
    fmt_bytes(a, sizeof a, tp->median);
    fmt_bytes(b, sizeof b, pp->median);
    tvp_appendf(v->figures, sizeof v->figures,
                "; anonymous PSS added at N=%lld: %s threads, %s processes", hi, a, b);
    if (have_pss)
        tvp_appendf(v->figures, sizeof v->figures, " = %.3g× [95%% CI %.3g, %.3g]", pss.ratio,
                    pss.lo, pss.hi);
    if (have_pte)
        tvp_appendf(v->figures, sizeof v->figures, "; page tables at N=%lld: %.3g× [%.3g, %.3g]",
                    hi, pte.ratio, pte.lo, pte.hi);
    /* Kernel objects: a process holds more page tables and descriptors than a thread. */
    int pte_more = have_pte ? pte.lo > 1.0 : (pt && tt && tt->median <= 0 && pt->median > 0);
    int fds_more = isfinite(per[5][1]) && isfinite(per[5][0]) && per[5][1] > per[5][0];
    snprintf(v->rule, sizeof v->rule,
             "anonymous PSS (memory actually added) by N idle processes / by N idle threads at "
             "the largest N (%lld), ratio of medians, 95%% bootstrap CI: confirmed when the CI "
             "lies above %.0f× and processes hold more kernel objects (page-table ratio CI above "
             "1×, more descriptors per task); refuted when the CI lies below 1×; too close to "
             "call when it contains 1; nuanced otherwise. Page tables and kernel stacks "
             "(system-wide) are separate figures; per-task figures are slopes from the smallest "
             "to the largest N",
             hi, C1_THRESHOLD);
    fmt_bytes(a, sizeof a, per[0][0]);
    fmt_bytes(b, sizeof b, per[0][1]);
    char ks[32], pt_p[32];
    fmt_bytes(ks, sizeof ks, per[4][0]);
    fmt_bytes(pt_p, sizeof pt_p, per[3][1]);
    if (!have_pss) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "no ratio: the threads' anonymous PSS at N=%lld has a median of 0", hi);
    } else if (pss.lo > C1_THRESHOLD && pte_more && fds_more) {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "each extra idle process adds %s anonymous PSS against %s for a thread (%.3g× "
                 "at N=%lld, CI %.3g–%.3g), plus its own page tables (%s) and %.3g descriptors; "
                 "a thread is still a kernel task with its own kernel stack (%s each)",
                 b, a, pss.ratio, hi, pss.lo, pss.hi, pt_p, per[5][1], ks);
    } else if (pss.hi < 1.0) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary,
                 "idle processes added less anonymous PSS than idle threads (%.3g×, CI "
                 "%.3g–%.3g)",
                 pss.ratio, pss.lo, pss.hi);
    } else if (pss.lo <= 1.0) {
        v->kind = TVP_V_TOO_CLOSE;
        snprintf(v->summary, sizeof v->summary,
                 "anonymous PSS per process %s vs per thread %s: the CI %.3g–%.3g contains 1", b, a,
                 pss.lo, pss.hi);
    } else {
        v->kind = TVP_V_NUANCED;
        snprintf(v->summary, sizeof v->summary,
                 "a process costs more than a thread (anonymous PSS %s vs %s, %.3g×, CI "
                 "%.3g–%.3g)%s%s",
                 b, a, pss.ratio, pss.lo, pss.hi,
                 pss.lo > C1_THRESHOLD ? "" : ", but not clearly beyond 2×",
                 pte_more && fds_more ? "" : "; its extra kernel objects were not clearly more");
    }
}

/* ---- the verdict for C2 ---- */

/* 1 held, 0 failed (its own check), -1 not measured (missing, timeout, crash). */
static int fact_state(const struct tvp_resultset *rs, const char *variant, const char **why)
{
    const struct tvp_fig *f = find_any(rs, "facts", variant);
    *why = f ? f->note : "not run";
    if (f && strstr(f->note, "fact does not hold: "))
        *why = strstr(f->note, "fact does not hold: ") + strlen("fact does not hold: ");
    if (!f)
        return -1;
    if (strcmp(f->status, "ok") == 0)
        return f->median == 1.0 ? 1 : 0;
    return strcmp(f->status, "failed") == 0 ? 0 : -1;
}

static void judge_c2(const struct tvp_resultset *rs, struct tvp_verdict *v)
{
    const char *w_thread, *w_private, *w_shared;
    int thread = fact_state(rs, "thread-write-seen", &w_thread);
    int priv = fact_state(rs, "fork-private-unseen", &w_private);
    int shared = fact_state(rs, "fork-shared-seen", &w_shared);
    static const char *const word[] = {"FAILED", "held", "not measured"};
    snprintf(v->figures, sizeof v->figures,
             "checked facts: a thread's write to a global seen by its sibling: %s; a forked "
             "child's write to private memory not seen by the parent: %s; a child's write to "
             "MAP_SHARED memory seen: %s",
             thread < 0 ? word[2] : word[thread], priv < 0 ? word[2] : word[priv],
             shared < 0 ? word[2] : word[shared]);
    /* The cost of "each their own": the copy at the first write after fork. */
    long long kib[32];
    int n =
        tvp_rs_param_values(rs, "memory", "cow", V_COW_PROCESS, NULL, "ns per page", 1, kib, 32);
    char cost[400] = "";
    long long top = -1;
    for (int i = n - 1; i >= 0 && top < 0; i--)
        if (find(rs, "cow", V_COW_THREAD, "buffer_kib", kib[i], "ns per page"))
            top = kib[i];
    if (top > 0) {
        const struct tvp_fig *fp = find(rs, "cow", V_COW_PROCESS, "buffer_kib", top, "ns per page");
        const struct tvp_fig *ft = find(rs, "cow", V_COW_THREAD, "buffer_kib", top, "ns per page");
        char a[32], b[32], size[32];
        tvp_fmt_ns(a, sizeof a, fp->median);
        tvp_fmt_ns(b, sizeof b, ft->median);
        fmt_bytes(size, sizeof size, (double)top * KIB);
        snprintf(cost, sizeof cost, "first write per page after fork %s vs %s from a thread", a, b);
        struct tvp_ratio r;
        if (tvp_ratio_shown(fp, ft, &r) == 0)
            tvp_appendf(cost, sizeof cost, " (%.3g× [95%% CI %.3g, %.3g])", r.ratio, r.lo, r.hi);
        tvp_appendf(cost, sizeof cost, " on a %s buffer, THP off", size);
        double pf = faults_per_page(fp), tf = faults_per_page(ft);
        if (isfinite(pf) && isfinite(tf))
            tvp_appendf(cost, sizeof cost, "; page faults per page %.3g vs %.3g", pf, tf);
        tvp_appendf(v->figures, sizeof v->figures, "; %s", cost);
        double slope = faults_slope(rs, V_COW_PROCESS);
        if (isfinite(slope))
            tvp_appendf(v->figures, sizeof v->figures,
                        "; marginal faults per extra page after fork %.3g", slope);
        const struct tvp_fig *hp =
            find(rs, "cow", V_COW_PROCESS_H, "buffer_kib", top, "ns per page");
        const struct tvp_fig *ht =
            find(rs, "cow", V_COW_THREAD_H, "buffer_kib", top, "ns per page");
        const struct tvp_fig *hb =
            find(rs, "cow", V_COW_PROCESS_H, "buffer_kib", top, "thp-backed");
        if (hp && ht) {
            tvp_fmt_ns(a, sizeof a, hp->median);
            tvp_fmt_ns(b, sizeof b, ht->median);
            tvp_appendf(v->figures, sizeof v->figures,
                        "; THP on (%.0f%% of the buffer in huge pages): %s after fork vs %s from a "
                        "thread",
                        hb ? hb->median : NAN, a, b);
        }
    }
    snprintf(v->rule, sizeof v->rule,
             "checked facts, run every time: refuted when the thread's write is not seen by its "
             "sibling or the child's private write is seen by the parent; confirmed when all "
             "three hold (CLAIMS.md: a checked fact decides by the check itself; the child's "
             "MAP_SHARED write being seen is the sanity check that the isolation is not a broken "
             "setup, and sharing memory explicitly is C13's subject); not measured when a fact "
             "did not run (timeout, crash, missing) or when the MAP_SHARED sanity check failed. "
             "The copy-on-write cost (ratio of medians, 95%% bootstrap CI) is reported, not "
             "judged");
    if (thread == 0 || priv == 0) {
        v->kind = TVP_V_REFUTED;
        snprintf(v->summary, sizeof v->summary, "a checked fact failed: %s",
                 thread == 0 ? w_thread : w_private);
    } else if (thread < 0 || priv < 0 || shared < 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary, "a checked fact did not run:");
        const char *sep = " ";
        if (thread < 0) {
            tvp_appendf(v->summary, sizeof v->summary, "%sthread-write-seen (%.120s)", sep,
                        w_thread);
            sep = ", ";
        }
        if (priv < 0) {
            tvp_appendf(v->summary, sizeof v->summary, "%sfork-private-unseen (%.120s)", sep,
                        w_private);
            sep = ", ";
        }
        if (shared < 0)
            tvp_appendf(v->summary, sizeof v->summary, "%sfork-shared-seen (%.120s)", sep,
                        w_shared);
    } else if (shared == 0) {
        v->kind = TVP_V_NOT_MEASURED;
        snprintf(v->summary, sizeof v->summary,
                 "sanity check failed: a MAP_SHARED write was not seen (%.200s), so the isolation "
                 "the other facts show cannot be told from a broken setup",
                 w_shared);
    } else {
        v->kind = TVP_V_CONFIRMED;
        snprintf(v->summary, sizeof v->summary,
                 "a thread's write was seen by its sibling and a forked child's private write was "
                 "not seen by the parent; a child shares the parent's pages until its first write "
                 "copies them%s%s%s, and processes share only what they map MAP_SHARED (seen, "
                 "C13)",
                 cost[0] ? " (" : "", cost, cost[0] ? ")" : "");
    }
}

static const struct tvp_claim_judge memory_judges[] = {{"C1", judge_c1}, {"C2", judge_c2}};

const struct tvp_group tvp_group_memory = {
    .name = "memory",
    .description = "footprint of idle threads vs processes, shared vs private memory, "
                   "copy-on-write (claims C1, C2)",
    .benches = memory_benches,
    .n_benches = sizeof memory_benches / sizeof memory_benches[0],
    .plan = memory_plan,
    .chart_data = memory_chart_data,
    .judges = memory_judges,
    .n_judges = sizeof memory_judges / sizeof memory_judges[0],
};
