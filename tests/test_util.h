/* Helpers the tests of threads and processes share: whether this is a ThreadSanitizer build,
 * the checks that nothing was left behind (descriptors, unreaped children), and a sleep that a
 * signal does not cut short. */
#ifndef TVP_TEST_UTIL_H
#define TVP_TEST_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>
#include <time.h>

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

#endif
