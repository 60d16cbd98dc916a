/* Helpers the tests of threads and processes share: whether this is a ThreadSanitizer build,
 * the checks that nothing was left behind (descriptors, unreaped children), and a sleep that a
 * signal does not cut short. */
#ifndef TVP_TEST_UTIL_H
#define TVP_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tvp_child.h"

/* GCC defines __SANITIZE_THREAD__; clang reports the sanitizer through __has_feature. */
#if defined(__SANITIZE_THREAD__)
#define TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TEST_TSAN 1
#endif
#endif
#ifndef TEST_TSAN
#define TEST_TSAN 0
#endif

/* Open descriptors of this process, or -1 when /proc cannot be read. */
static inline int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

/* 1 when no child process exists (so none was left unreaped). */
static inline int no_children(void)
{
    errno = 0;
    pid_t r = waitpid(-1, NULL, WNOHANG);
    return r == -1 && errno == ECHILD;
}

static inline void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* One task body, two spawn models: runs body(arg) n times at once, as n threads (procs == 0) or
 * n forked processes, and stores each return value in results[i] (MAP_SHARED memory when procs).
 * Returns how many tasks could not be started or did not end cleanly (0 when all did), after
 * printing why. */
#define TEST_MAX_TASKS 64
typedef int (*test_task_fn)(void *arg);

struct test_task_slot {
    test_task_fn body;
    void *arg;
    _Atomic int *result;
};

static inline void *test_task_thread(void *p)
{
    struct test_task_slot *t = p;
    atomic_store_explicit(t->result, t->body(t->arg), memory_order_relaxed);
    return NULL;
}

static inline int run_tasks(int procs, int n, test_task_fn body, void *arg, _Atomic int *results)
{
    pthread_t th[TEST_MAX_TASKS];
    pid_t pid[TEST_MAX_TASKS];
    struct test_task_slot slot[TEST_MAX_TASKS];
    int started = 0, bad = 0;
    if (n > TEST_MAX_TASKS)
        n = TEST_MAX_TASKS;
    fflush(NULL);
    for (int i = 0; i < n; i++) {
        slot[i] = (struct test_task_slot){body, arg, &results[i]};
        if (procs) {
            pid[i] = fork();
            if (pid[i] == 0) {
                int r = body(arg);
                atomic_store_explicit(&results[i], r, memory_order_relaxed);
                _exit(r == 0 ? 0 : 1);
            }
            if (pid[i] < 0) {
                fprintf(stderr, "run_tasks: fork: %s\n", strerror(errno));
                break;
            }
        } else {
            int e = pthread_create(&th[i], NULL, test_task_thread, &slot[i]);
            if (e != 0) {
                fprintf(stderr, "run_tasks: pthread_create: %s\n", strerror(e));
                break;
            }
        }
        started++;
    }
    bad += n - started;
    for (int i = 0; i < started; i++) {
        int st = 0, e;
        if (procs) {
            e = tvp_wait_child(pid[i], &st);
            if (e != 0 || !tvp_child_ok(st)) {
                fprintf(stderr, "run_tasks: child %d: %s, status 0x%x\n", i, strerror(e), st);
                bad++;
            }
        } else if ((e = pthread_join(th[i], NULL)) != 0) {
            fprintf(stderr, "run_tasks: pthread_join: %s\n", strerror(e));
            bad++;
        }
    }
    return bad;
}

#endif
