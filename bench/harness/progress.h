/* Progress and the run log. On a terminal: one progress line on stderr, redrawn in place (group,
 * benchmark, n of total, elapsed, share done, time left). Off a terminal: one plain line per
 * case, ending with the share done and the time left. Every
 * line that is not progress also goes to run.log. */
#ifndef TVP_PROGRESS_H
#define TVP_PROGRESS_H

#include <stddef.h>

int tvp_log_open(const char *path); /* returns 0 or an error number */
void tvp_log_close(void);
/* A line for stderr and run.log (clears a progress line first). */
void tvp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* est: each case's estimated seconds in run order (copied), for the share done and the time
 * left on every line; NULL: both from the case count. */
void tvp_progress_begin(size_t total, const double *est);
/* Before case `index` (0-based) starts. */
void tvp_progress_case(size_t index, const char *what);
/* After it ended. */
void tvp_progress_done(size_t index, const char *what, const char *status, double seconds);
void tvp_progress_end(void);
/* The sum of the estimates given to tvp_progress_begin, or -1 without them. */
double tvp_progress_estimated_s(void);

/* The machine's load, sampled from /proc/loadavg as each case starts: another job on the machine
 * skews every figure, and the report warns when it did. others_runnable counts the tasks
 * runnable at a case's start besides the runner itself (none of the suite's own then). */
struct tvp_load_peak {
    int samples;
    double max_1min, max_at_s;
    char max_during[200];
    int max_others;
    double others_at_s;
    char others_during[200];
    /* Case starts at which a task besides the runner was runnable: the suite's own tasks are
     * gone then, so this, unlike the load average (which the suite's oversubscribed cases raise
     * past the PU count on an idle machine), counts other work. */
    int busy_starts;
};
const struct tvp_load_peak *tvp_progress_load(void);

#endif
