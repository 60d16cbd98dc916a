#include "progress.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "clock.h"
#include "tvp_err.h"

static FILE *log_file;
static int on_tty, line_shown;
static size_t total;
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

void tvp_progress_begin(size_t n)
{
    total = n;
    start_ns = tvp_now_ns();
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
    if (runnable - 1 > load.max_others) {
        load.max_others = runnable - 1;
        load.others_at_s = el;
        snprintf(load.others_during, sizeof load.others_during, "%s", what);
    }
}

void tvp_progress_case(size_t index, const char *what)
{
    double el = elapsed_s();
    sample_load(what, el);
    if (!on_tty)
        return;
    clear_line();
    fprintf(stderr, "[%zu/%zu] %s  elapsed %.0f s", index + 1, total, what, el);
    if (index > 0)
        fprintf(stderr, ", ~%.0f s left", el / (double)index * (double)(total - index));
    fflush(stderr);
    line_shown = 1;
}

void tvp_progress_done(size_t index, const char *what, const char *status, double seconds)
{
    char line[512];
    snprintf(line, sizeof line, "[%zu/%zu] %s: %s (%.1f s)", index + 1, total, what, status,
             seconds);
    if (log_file)
        fprintf(log_file, "%s\n", line);
    /* On a terminal only what needs attention stays on screen; the rest is in run.log. */
    if (!on_tty || status[0] != 'o') {
        clear_line();
        fprintf(stderr, "%s\n", line);
    }
}

void tvp_progress_end(void)
{
    clear_line();
}
