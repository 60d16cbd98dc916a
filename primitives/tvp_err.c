#include "tvp_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vformat(char *buf, size_t len, int err, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf, len, fmt, ap);
    if (err != 0 && n >= 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, ": %s", strerror(err));
    return buf;
}

char *tvp_errfmt(char *buf, size_t len, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, len, err, fmt, ap);
    va_end(ap);
    return buf;
}

void tvp_warn(int err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, sizeof buf, err, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tvpbench: %s\n", buf);
}

void tvp_die(int err, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vformat(buf, sizeof buf, err, fmt, ap);
    va_end(ap);
    fprintf(stderr, "tvpbench: %s\n", buf);
    exit(1);
}
