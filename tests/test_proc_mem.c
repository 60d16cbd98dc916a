/* Tests of bench/common/proc_mem.c (the /proc readers of the memory group) and
 * bench/groups/memory/memory_facts.c (the checked facts of claim C2): each reader against a change
 * the test makes itself, the errors for a pid that does not exist, and every fact run for real
 * several times. */
#define _GNU_SOURCE

#include "check.h"
#include "test_util.h"
#include "memory_facts.h"
#include "proc_mem.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB    (1024ull * 1024ull)
#define NO_PID ((pid_t)2147483647) /* above any pid_max: /proc/NO_PID never exists */

static long page;

/* Maps len bytes, 4 KiB pages only, and writes every page. NULL on failure. */
static char *map_touched(size_t len)
{
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    madvise(p, len, MADV_NOHUGEPAGE); /* best effort: the checks hold either way */
    for (size_t off = 0; off < len; off += (size_t)page)
        p[off] = 1;
    return p;
}

static void test_rss_pss_grow(void)
{
    char err[256] = "";
    uint64_t rss0 = 0, pss0 = 0, anon0 = 0, rss1 = 0, pss1 = 0, anon1 = 0;
    CHECK_INT(tvp_proc_rss_pss(0, &rss0, &pss0, &anon0, err, sizeof err), 0);
    CHECK(rss0 > 0 && pss0 > 0 && pss0 <= rss0);
    char *p = map_touched(8 * MIB);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(tvp_proc_rss_pss(getpid(), &rss1, &pss1, &anon1, err, sizeof err), 0);
    /* The whole address space's Rss and Pss are not compared before and after: under memory
     * pressure the kernel drops file pages from it, and a shared page's share of Pss changes
     * as other processes map or unmap it. The new mapping's own figures are ours alone, and
     * the totals must hold them. */
    uint64_t vma_rss = 0, vma_pss = 0;
    CHECK_INT(tvp_proc_vma_field(0, p, "Rss", &vma_rss, err, sizeof err), 0);
    CHECK_INT(tvp_proc_vma_field(0, p, "Pss", &vma_pss, err, sizeof err), 0);
    /* Private pages count whole in PSS as well. */
    CHECK_MSG(vma_pss >= 8 * MIB, "the 8 MiB mapping's Pss is %llu", (unsigned long long)vma_pss);
    CHECK_MSG(rss1 >= vma_rss && pss1 >= vma_pss,
              "totals Rss %llu Pss %llu below the mapping's %llu %llu", (unsigned long long)rss1,
              (unsigned long long)pss1, (unsigned long long)vma_rss, (unsigned long long)vma_pss);
    /* Anonymous memory is not reclaimed without swap, and nothing else here frees any. */
    CHECK_MSG(anon1 >= anon0 + 8 * MIB, "Pss_Anon grew by %lld bytes", (long long)(anon1 - anon0));
    /* NULL pointers are allowed. */
    CHECK_INT(tvp_proc_rss_pss(0, NULL, &pss1, NULL, err, sizeof err), 0);

    uint64_t rss_vma = 0;
    CHECK_INT(tvp_proc_vma_field(0, p + 3 * MIB, "Rss", &rss_vma, err, sizeof err), 0);
    CHECK_MSG(rss_vma >= 8 * MIB, "the mapping's Rss is %llu", (unsigned long long)rss_vma);
    uint64_t huge = 1;
    CHECK_INT(tvp_proc_vma_field(0, p, "AnonHugePages", &huge, err, sizeof err), 0);
    CHECK_INT(tvp_proc_vma_field(0, p, "NoSuchField", &huge, err, sizeof err), ENODATA);
    CHECK(strstr(err, "NoSuchField") != NULL);
    CHECK_INT(munmap(p, 8 * MIB), 0);
    CHECK_INT(tvp_proc_vma_field(0, p, "Rss", &rss_vma, err, sizeof err), ENXIO);
}

static void test_page_tables(void)
{
    char err[256] = "";
    uint64_t pte0 = 0, pte1 = 0;
    CHECK_INT(tvp_proc_vm_pte(0, &pte0, err, sizeof err), 0);
    CHECK(pte0 > 0);
    /* 64 MiB of 4 KiB pages needs 32 page-table pages (128 KiB) at least. */
    char *p = map_touched(64 * MIB);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_INT(tvp_proc_vm_pte(0, &pte1, err, sizeof err), 0);
    CHECK_MSG(pte1 >= pte0 + 120 * 1024, "VmPTE grew by %lld bytes after touching 64 MiB",
              (long long)(pte1 - pte0));
    CHECK_INT(munmap(p, 64 * MIB), 0);
}

static void test_fd_count(void)
{
    char err[256] = "";
    uint64_t n0 = 0, n1 = 0, n2 = 0;
    CHECK_INT(tvp_proc_fd_count(0, &n0, err, sizeof err), 0);
    CHECK(n0 >= 1);
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    CHECK_INT(tvp_proc_fd_count(0, &n1, err, sizeof err), 0);
    CHECK_INT(n1, n0 + 2);
    CHECK_INT(tvp_proc_fd_count(getpid(), &n2, err, sizeof err), 0);
    CHECK_INT(n2, n1);
    close(fds[0]);
    close(fds[1]);
    CHECK_INT(tvp_proc_fd_count(0, &n2, err, sizeof err), 0);
    CHECK_INT(n2, n0);
}

static pthread_mutex_t idle_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static int idle_started, idle_stop;

static void *idle_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&idle_mu);
    idle_started++;
    pthread_cond_broadcast(&idle_cv);
    while (!idle_stop)
        pthread_cond_wait(&idle_cv, &idle_mu);
    pthread_mutex_unlock(&idle_mu);
    return NULL;
}

static void test_kernel_stack(void)
{
    char err[256] = "";
    uint64_t ks0 = 0, ks1 = 0, total = 0;
    CHECK_INT(tvp_proc_kernel_stack(&ks0, err, sizeof err), 0);
    CHECK(ks0 > 0);
    CHECK_INT(tvp_proc_meminfo("MemTotal", &total, err, sizeof err), 0);
    CHECK(total > ks0);
    CHECK_INT(tvp_proc_meminfo("NoSuchLine", &total, err, sizeof err), ENODATA);
    /* Sixteen more tasks: 16 kernel stacks (8 or 16 KiB each). Exact only when the per-CPU
     * statistics can be flushed (root); otherwise only checked to be readable. */
    enum { N = 16 };
    int exact = tvp_proc_vmstat_refresh(err, sizeof err) == 0;
    if (!exact)
        printf("not root (%s): KernelStack growth not checked\n", err);
    CHECK_INT(tvp_proc_kernel_stack(&ks0, err, sizeof err), 0);
    pthread_t t[N];
    int made = 0;
    idle_started = idle_stop = 0;
    for (; made < N; made++)
        if (pthread_create(&t[made], NULL, idle_main, NULL) != 0)
            break;
    CHECK_INT(made, N);
    pthread_mutex_lock(&idle_mu);
    while (idle_started < made)
        pthread_cond_wait(&idle_cv, &idle_mu);
    pthread_mutex_unlock(&idle_mu);
    if (exact)
        tvp_proc_vmstat_refresh(err, sizeof err);
    CHECK_INT(tvp_proc_kernel_stack(&ks1, err, sizeof err), 0);
    if (exact)
        CHECK_MSG(ks1 >= ks0 + N * 8 * 1024 - 64 * 1024,
                  "KernelStack grew by %lld bytes with %d more threads", (long long)(ks1 - ks0), N);
    pthread_mutex_lock(&idle_mu);
    idle_stop = 1;
    pthread_cond_broadcast(&idle_cv);
    pthread_mutex_unlock(&idle_mu);
    for (int i = 0; i < made; i++)
        pthread_join(t[i], NULL);
}

/* A child that touches 4 MiB, says so on a pipe, then waits for end-of-file on another. */
static void test_child(void)
{
    char err[256] = "";
    int ready[2], stop[2];
    CHECK_INT(pipe(ready), 0);
    CHECK_INT(pipe(stop), 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid < 0)
        return;
    if (pid == 0) {
        close(ready[0]);
        close(stop[1]);
        char *p = map_touched(4 * MIB);
        char b = p ? 1 : 0;
        if (write(ready[1], &b, 1) != 1)
            _exit(2);
        while (read(stop[0], &b, 1) < 0 && errno == EINTR)
            ;
        _exit(p ? 0 : 3);
    }
    close(ready[1]);
    close(stop[0]);
    char b = 0;
    CHECK_INT(read(ready[0], &b, 1), 1);
    CHECK_INT(b, 1);
    uint64_t rss = 0, pss = 0, anon = 0, pte = 0, fds = 0;
    CHECK_INT(tvp_proc_rss_pss(pid, &rss, &pss, &anon, err, sizeof err), 0);
    CHECK_MSG(pss >= 4 * MIB, "the child's PSS is %llu", (unsigned long long)pss);
    CHECK_MSG(anon >= 4 * MIB, "the child's Pss_Anon is %llu", (unsigned long long)anon);
    CHECK(rss >= pss);
    CHECK_INT(tvp_proc_vm_pte(pid, &pte, err, sizeof err), 0);
    CHECK(pte > 0);
    CHECK_INT(tvp_proc_fd_count(pid, &fds, err, sizeof err), 0);
    CHECK(fds >= 2); /* at least the two pipe ends it kept */
    char st = 0;
    for (int i = 0; i < 100000 && st != 'S'; i++) {
        CHECK_INT(tvp_proc_state(pid, &st, err, sizeof err), 0);
        if (st != 'S')
            sched_yield();
    }
    CHECK_MSG(st == 'S', "the waiting child is in state %c", st);
    CHECK_INT(tvp_proc_state(0, &st, err, sizeof err), 0);
    CHECK_MSG(st == 'R', "this process is in state %c", st);
    close(stop[1]);
    int status = -1;
    CHECK_INT(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
}

static void test_no_such_pid(void)
{
    char err[256];
    uint64_t v = 123;
    char st;
    const char *pidtext = "/proc/2147483647/";
    const char *why = strerror(ENOENT);
    err[0] = 0;
    CHECK_INT(tvp_proc_rss_pss(NO_PID, &v, &v, NULL, err, sizeof err), ENOENT);
    CHECK_MSG(strstr(err, pidtext) && strstr(err, why), "message: %s", err);
    err[0] = 0;
    CHECK_INT(tvp_proc_vm_pte(NO_PID, &v, err, sizeof err), ENOENT);
    CHECK_MSG(strstr(err, "/proc/2147483647/status") && strstr(err, why), "message: %s", err);
    err[0] = 0;
    CHECK_INT(tvp_proc_fd_count(NO_PID, &v, err, sizeof err), ENOENT);
    CHECK_MSG(strstr(err, "/proc/2147483647/fd") && strstr(err, why), "message: %s", err);
    err[0] = 0;
    CHECK_INT(tvp_proc_state(NO_PID, &st, err, sizeof err), ENOENT);
    CHECK_MSG(strstr(err, pidtext) && strstr(err, why), "message: %s", err);
    err[0] = 0;
    CHECK_INT(tvp_proc_vma_field(NO_PID, &v, "Rss", &v, err, sizeof err), ENOENT);
    CHECK_MSG(strstr(err, pidtext) && strstr(err, why), "message: %s", err);
    CHECK_INT(v, 123); /* untouched on failure */
}

/* A reaped child: its /proc entry is gone, so the readers fail cleanly rather than read zeros. */
static void test_reaped_child(void)
{
    char err[256] = "";
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid < 0)
        return;
    if (pid == 0)
        _exit(0);
    int st;
    CHECK_INT(waitpid(pid, &st, 0), pid);
    uint64_t v;
    int rc = tvp_proc_rss_pss(pid, &v, &v, NULL, err, sizeof err);
    /* The pid is free now; in the unlikely case another task took it, the read may succeed. */
    CHECK(rc == ENOENT || rc == 0);
}

static void test_facts(void)
{
    for (int i = 0; i < 20; i++) {
        char err[256] = "";
        CHECK_MSG(tvp_fact_thread_write_seen(err, sizeof err) == TVP_FACT_HELD, "%s", err);
        CHECK_MSG(tvp_fact_fork_private_unseen(err, sizeof err) == TVP_FACT_HELD, "%s", err);
        CHECK_MSG(tvp_fact_fork_shared_seen(err, sizeof err) == TVP_FACT_HELD, "%s", err);
    }
    /* Every child was reaped. */
    CHECK(no_children());
}

int main(void)
{
    page = sysconf(_SC_PAGESIZE);
    test_rss_pss_grow();
    test_page_tables();
    test_fd_count();
    test_kernel_stack();
    test_child();
    test_no_such_pid();
    test_reaped_child();
    test_facts();
    return CHECK_DONE();
}
