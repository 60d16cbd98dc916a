#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "tvp_err.h"

static FILE *log_file;
static int on_tty, line_shown;
static size_t total;
/* Each case's estimate (harness/estimate.h), their sum and the sum over the cases done. */
static double *estimates, est_total, est_done;
static uint64_t start_ns;
static struct tvp_load_peak load;

int tvp_log_open(const char *path)
{
    log_file = fopen(path, "a");
    if (!log_file)
        return errno;
    setvbuf(log_file, NULL, _IOLBF, 0);
    on_tty = isatty(STDERR_FILENO);
    return 0;
}

void tvp_log_close(void)
{
    if (log_file && fclose(log_file) != 0)
        tvp_warn(errno, "closing run.log");
    log_file = NULL;
}

static void clear_line(void)
{
    if (line_shown) {
        fputs("\r\033[K", stderr);
        line_shown = 0;
    }
}

void tvp_log(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    clear_line();
    fprintf(stderr, "%s\n", buf);
    if (log_file)
        fprintf(log_file, "%s\n", buf);
}

void tvp_progress_begin(size_t n, const double *est)
{
    total = n;
    start_ns = tvp_now_ns();
    free(estimates);
    estimates = NULL;
    est_total = est_done = 0;
    if (est != NULL && n > 0 && (estimates = malloc(n * sizeof *estimates)) != NULL) {
        memcpy(estimates, est, n * sizeof *estimates);
        for (size_t i = 0; i < n; i++)
            est_total += est[i];
    }
}

static double elapsed_s(void)
{
    return (double)(tvp_now_ns() - start_ns) / 1e9;
}

const struct tvp_load_peak *tvp_progress_load(void)
{
    return &load;
}

/* "0.52 0.58 0.59 3/145 12345": the 1-minute average, then runnable/total tasks now. */
static void sample_load(const char *what, double el)
{
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f)
        return;
    double avg1, avg5, avg15;
    int runnable, tasks;
    int got = fscanf(f, "%lf %lf %lf %d/%d", &avg1, &avg5, &avg15, &runnable, &tasks);
    fclose(f);
    if (got != 5)
        return;
    if (load.samples++ == 0 || avg1 > load.max_1min) {
        load.max_1min = avg1;
        load.max_at_s = el;
        snprintf(load.max_during, sizeof load.max_during, "%s", what);
    }
    if (runnable - 1 > 0)
        load.busy_starts++;
    if (runnable - 1 > load.max_others) {
        load.max_others = runnable - 1;
        load.others_at_s = el;
        snprintf(load.others_during, sizeof load.others_during, "%s", what);
    }
}

/* "1 h 2 min", "3 min 4 s", "5 s". */
static void format_duration(char *buf, size_t len, double s)
{
    long t = s < 0 ? 0 : (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, len, "%ld h %ld min", t / 3600, t % 3600 / 60);
    else if (t >= 60)
        snprintf(buf, len, "%ld min %ld s", t / 60, t % 60);
    else
        snprintf(buf, len, "%ld s", t);
}

/* "12% done, ~3 min 4 s left" with `done` cases finished: the share is of the estimated time;
 * the time left is the estimate of the cases still to run, scaled by how the finished ones
 * compared with theirs (by the case count when there is no estimate). */
static void share_and_left(char *buf, size_t len, size_t done, double el)
{
    double share, left;
    if (estimates != NULL && est_total > 0) {
        share = est_done / est_total;
        double scale = est_done > 0 && el > 0 ? el / est_done : 1;
        left = (est_total - est_done) * scale;
    } else {
        share = total ? (double)done / (double)total : 1;
        left = done ? el / (double)done * (double)(total - done) : -1;
    }
    char dur[32];
    format_duration(dur, sizeof dur, left);
    snprintf(buf, len, "%.0f%% done, %s%s left", 100 * share, left < 0 ? "" : "~",
             left < 0 ? "unknown time" : dur);
}

void tvp_progress_case(size_t index, const char *what)
{
    double el = elapsed_s();
    sample_load(what, el);
    if (!on_tty)
        return;
    clear_line();
    char left[96];
    share_and_left(left, sizeof left, index, el);
    fprintf(stderr, "[%zu/%zu] %s  elapsed %.0f s, %s", index + 1, total, what, el, left);
    fflush(stderr);
    line_shown = 1;
}

void tvp_progress_done(size_t index, const char *what, const char *status, double seconds)
{
    if (estimates != NULL && index < total)
        est_done += estimates[index];
    char left[96];
    share_and_left(left, sizeof left, index + 1, elapsed_s());
    /* Room for a failed case's whole note, so the line still ends with its time. */
    char line[1600];
    snprintf(line, sizeof line, "[%zu/%zu] %s: %s (%.1f s); %s", index + 1, total, what, status,
             seconds, left);
    if (log_file)
        fprintf(log_file, "%s\n", line);
    /* On a terminal only what needs attention stays on screen; the rest is in run.log. */
    if (!on_tty || status[0] != 'o') {
        clear_line();
        fprintf(stderr, "%s\n", line);
    }
}

double tvp_progress_estimated_s(void)
{
    return estimates != NULL ? est_total : -1;
}

void tvp_progress_end(void)
{
    clear_line();
    free(estimates);
    estimates = NULL;
}
