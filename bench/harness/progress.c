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

void tvp_progress_case(size_t index, const char *what)
{
    if (!on_tty)
        return;
    double el = elapsed_s();
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
