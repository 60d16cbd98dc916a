/* tvp-exit-demo daemon|joinable WORK_MS
 *
 * Shows what the daemon flag means at program exit: starts one worker that sleeps WORK_MS
 * milliseconds, with the flag as given, then calls tvp_worker_shutdown() and returns 0 from
 * main. A daemon worker is not waited for, so the program exits at once (the exit ends the
 * sleeping thread); a joinable one is joined first, so the program exits after ~WORK_MS.
 *
 * Exit status: 0 done, 1 a call failed or the joinable sleeper failed (one line on stderr), 2 bad
 * arguments (usage line). tvp_worker_shutdown drops the workers' return values, so the sleeper
 * reports a failure through a static flag that main checks after shutdown. A daemon sleeper is
 * not waited for: main cannot know whether it failed (its flag may be set after the check, or
 * never, since the exit ends it), so in daemon mode only its message on stderr tells. */
#define _GNU_SOURCE

#include "tvp_worker.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WORK_MS 3600000L /* one hour: anything longer is surely a typo */

/* Set by the sleeper when nanosleep fails; read by main after shutdown has joined it (the join
 * orders the store before the load; atomic so a daemon sleeper still racing is no data race). */
static atomic_int sleeper_failed;

static void *sleeper(void *arg)
{
    long ms = *(const long *)arg;
    struct timespec left = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    /* nanosleep writes the time still to sleep into its second argument when interrupted. */
    while (nanosleep(&left, &left) != 0) {
        if (errno != EINTR) {
            fprintf(stderr, "tvp-exit-demo: nanosleep: %s\n", strerror(errno));
            atomic_store(&sleeper_failed, 1);
            return (void *)(intptr_t)1;
        }
    }
    return NULL;
}

static int usage(void)
{
    fprintf(stderr, "usage: tvp-exit-demo daemon|joinable WORK_MS (0 to %ld)\n", MAX_WORK_MS);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return usage();
    int daemon;
    if (strcmp(argv[1], "daemon") == 0)
        daemon = 1;
    else if (strcmp(argv[1], "joinable") == 0)
        daemon = 0;
    else
        return usage();
    char *end;
    errno = 0;
    long ms = strtol(argv[2], &end, 10);
    if (errno != 0 || end == argv[2] || *end != '\0' || ms < 0 || ms > MAX_WORK_MS)
        return usage();

    /* Static, not in main's frame: a daemon worker may still be running (and, with WORK_MS 0,
     * finishing: its last act stores to w) while main returns and exit() reuses that stack. */
    static long work_ms;
    static struct tvp_worker w;
    work_ms = ms;
    char err[256];
    if (tvp_worker_init(&w, sleeper, &work_ms) != 0) {
        fprintf(stderr, "tvp-exit-demo: tvp_worker_init failed\n");
        return 1;
    }
    if (tvp_worker_set_daemon(&w, daemon, err, sizeof err) != 0 ||
        tvp_worker_start(&w, err, sizeof err) != 0) {
        fprintf(stderr, "tvp-exit-demo: %s\n", err);
        return 1;
    }
    int e = tvp_worker_shutdown();
    if (e != 0) {
        fprintf(stderr, "tvp-exit-demo: tvp_worker_shutdown: %s\n", strerror(e));
        return 1;
    }
    /* Meaningful for a joinable sleeper only (joined by shutdown); see the header comment. */
    if (!daemon && atomic_load(&sleeper_failed)) {
        fprintf(stderr, "tvp-exit-demo: the sleeper failed; the run does not show %ld ms\n", ms);
        return 1;
    }
    return 0;
}
