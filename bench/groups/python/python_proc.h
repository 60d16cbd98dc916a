/* A Python worker process seen from C: started with a pipe each way (its stdin for commands,
 * its stdout for line replies; stderr is shared with ours), read one line at a time, ended by
 * closing its stdin and, when it does not leave within a grace period, by SIGKILL. Used by the
 * probe (in the main process, with a deadline) and by the python group's cases (inside the case
 * process, where the supervisor's watchdog is the deadline). */
#ifndef TVP_PYTHON_PROC_H
#define TVP_PYTHON_PROC_H

#include <stddef.h>
#include <sys/types.h>

struct tvp_pyproc {
    pid_t pid;
    int to_fd, from_fd;
    char buf[8192]; /* replies read but not yet returned */
    size_t len;
};

/* Starts argv[0] (a path) with argv and envp (NULL: this process's environment). Returns 0, or
 * -1 with the reason in err. */
int tvp_pyproc_start(struct tvp_pyproc *p, char *const argv[], char *const envp[], char *err,
                     size_t errlen);

/* Writes one line (a '\n' is added). Returns 0, or -1 with the reason in err. */
int tvp_pyproc_send(struct tvp_pyproc *p, const char *line, char *err, size_t errlen);

/* Reads the next line into buf without its '\n'. timeout_ms < 0 waits as long as it takes.
 * Returns 0, or -1 with the reason in err (end of output: the worker ended; a timeout; a line
 * longer than the buffer). */
int tvp_pyproc_readline(struct tvp_pyproc *p, char *buf, size_t len, int timeout_ms, char *err,
                        size_t errlen);

/* Closes its stdin (its signal to tear down and leave), waits up to grace_ms, then SIGKILLs it;
 * always reaps it. Returns its wait status, or -1 when it had to be killed or was never
 * started. */
int tvp_pyproc_end(struct tvp_pyproc *p, int grace_ms);

#endif
