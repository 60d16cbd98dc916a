/* Watching the tasks a case's main task waits on.
 *
 * A main task that sleeps until its workers report (a futex word, a counter) would sleep for
 * ever if one of them died: nobody reports for a dead task, and a worker killed in the middle
 * of a batch can leave the others blocked behind it (on a lock it held, on a queue it was to
 * fill or drain). So every such wait is bounded (TVP_TASK_WATCH_NS) and, each time it times out,
 * looks at the worker processes with tvp_task_failed; a dead one fails the case by name and how
 * it ended, instead of the watchdog killing the case much later with no cause.
 *
 * Threads need no watching: one thread cannot be killed alone (a fatal signal ends the whole
 * process, which the harness's supervisor sees). Only forked workers can die by themselves.
 *
 * waitid(WNOWAIT) rather than a pidfd: the waits are on futex words, which poll() cannot watch
 * beside a pidfd, and a bounded futex wait plus a look at the children needs no descriptor per
 * worker. The child is left unreaped: its owner reaps it as usual, and meanwhile its pid cannot
 * be reused. (The process pool and the IPC transports, which wait in poll() anyway, use
 * pidfds; they describe a death with tvp_task_describe too.) */
#ifndef TVP_TASK_WATCH_H
#define TVP_TASK_WATCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long a wait on workers sleeps before it looks at them again: a dead worker fails its case
 * within about this long. Short enough to be well inside the 1 s the suite promises, long
 * enough that the look (one waitid per worker) costs nothing next to the work waited for. */
#define TVP_TASK_WATCH_NS 100000000LL

/* "<role> <index> (pid <pid>) was killed by signal 9 (Killed)" (", core dumped" when it did) or
 * "... exited (status 3)", from a wait status (waitpid's). index < 0: the role alone ("the
 * Manager server (pid 42) ..."). Returns buf, always NUL-terminated. */
char *tvp_task_describe(char *buf, size_t len, const char *role, int index, pid_t pid, int status);

/* Whether our child pid has failed, without reaping it: killed by a signal, or exited with a
 * non-zero status. A clean exit (status 0) is not a failure: the task finished its part (a
 * producer that has put its quota), and one that had more to do is caught by its owner's
 * checks. Returns 0 while it runs or after a clean exit; 1 when it failed, with
 * tvp_task_describe's text in why; -1 when waitid failed, with "waitid on <role> <index> (pid
 * <pid>): <reason>" in why. */
int tvp_task_failed(pid_t pid, const char *role, int index, char *why, size_t len);

/* The bounded wait every such main task does: sleeps until the futex word *word reaches target
 * (priv: FUTEX_PRIVATE_FLAG or 0), and each time TVP_TASK_WATCH_NS pass without that, calls
 * check(arg, err, errlen), which returns non-zero when a watched task failed (its text in err).
 * Returns 0 once the word reached target; the check's value when it failed; -1 when the futex
 * wait itself failed, with "<what>: <reason>" in err. */
int tvp_task_watch_count(_Atomic uint32_t *word, uint32_t target, int priv,
                         int (*check)(void *arg, char *err, size_t errlen), void *arg,
                         const char *what, char *err, size_t errlen);

/* Names the calling task (PR_SET_NAME; 15 characters are kept), so that top and ps, and the
 * fault-injection test, can tell a case's workers apart. Returns 0 or the error number; a task
 * left unnamed still works, so callers warn and go on. */
int tvp_task_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
