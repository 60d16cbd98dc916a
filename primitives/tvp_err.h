/* Error reporting shared by primitives and harness.
 *
 * Every failure message has the shape "context: what was being done: reason", so a reader
 * of run.log knows which benchmark failed, at which step, and why. Functions that follow
 * the pthread convention return an error number; those that follow the system-call
 * convention return -1 and set errno. The helpers below take the number explicitly so a
 * pthread_* result is never confused with errno. */
#ifndef TVP_ERR_H
#define TVP_ERR_H

#include <stddef.h>

/* Formats "what: strerror(err)" into buf (always NUL-terminated); returns buf. */
char *tvp_errfmt(char *buf, size_t len, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prints "tvpbench: what: strerror(err)" to stderr. */
void tvp_warn(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints like tvp_warn and exits with status 1 (internal failure). */
void tvp_die(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

#endif
