#define _GNU_SOURCE
#include "memory_facts.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tvp_child.h"
#include "tvp_err.h"

/* A fresh value per check, so a value left over from an earlier check never passes for a new
 * write. Never 0, the globals' initial value. */
static int next_token(void)
{
    static atomic_int counter;
    int t = atomic_fetch_add_explicit(&counter, 2, memory_order_relaxed) % 1000000;
    return t + 2;
}

/* Waits for pid; returns 0 with its wait status, or an error number with the message. */
static int reap(pid_t pid, int *status, const char *what, char *err, size_t errlen)
{
    int e = tvp_wait_child(pid, status);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: waiting for the child %d", what, (int)pid);
    return e;
}

static int exited_ok(int status, const char *what, char *err, size_t errlen)
{
    if (tvp_child_ok(status))
        return 1;
    if (WIFSIGNALED(status))
        snprintf(err, errlen, "%s: the child was killed by signal %d", what, WTERMSIG(status));
    else
        snprintf(err, errlen, "%s: the child exited with status %d", what, WEXITSTATUS(status));
    return 0;
}

/* ---- a thread's write to a global, read by its sibling ---- */

static int thread_global; /* written by one thread, read by another */

struct sibling_pair {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int written; /* set under mu after the plain write to thread_global */
    int token, seen;
};

static void *writer_main(void *arg)
{
    struct sibling_pair *p = arg;
    thread_global = p->token; /* the plain write under test */
    pthread_mutex_lock(&p->mu);
    p->written = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void *reader_main(void *arg)
{
    struct sibling_pair *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->written)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->seen = thread_global; /* the plain read: ordered after the write by the mutex */
    return NULL;
}

int tvp_fact_thread_write_seen(char *err, size_t errlen)
{
    const char *what = "thread-write-seen";
    struct sibling_pair p = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    p.token = next_token();
    thread_global = 0;
    pthread_t reader, writer;
    int rc = pthread_create(&reader, NULL, reader_main, &p);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "%s: starting the reading thread", what);
        return -1;
    }
    rc = pthread_create(&writer, NULL, writer_main, &p);
    if (rc != 0) {
        tvp_errfmt(err, errlen, rc, "%s: starting the writing thread", what);
        /* Release the reader so it can be joined. */
        pthread_mutex_lock(&p.mu);
        p.written = 1;
        pthread_cond_signal(&p.cv);
        pthread_mutex_unlock(&p.mu);
        pthread_join(reader, NULL);
        return -1;
    }
    int rw = pthread_join(writer, NULL), rr = pthread_join(reader, NULL);
    if (rw != 0 || rr != 0) {
        tvp_errfmt(err, errlen, rw ? rw : rr, "%s: joining the threads", what);
        return -1;
    }
    if (p.seen != p.token) {
        snprintf(err, errlen, "%s: the sibling read %d from the global, its writer wrote %d", what,
                 p.seen, p.token);
        return TVP_FACT_FALSE;
    }
    return TVP_FACT_HELD;
}

/* ---- a forked child's write to private memory, looked for by the parent ---- */

static volatile int private_global; /* private memory: the data segment, copied on write */

int tvp_fact_fork_private_unseen(char *err, size_t errlen)
{
    const char *what = "fork-private-unseen";
    int before = next_token(), child_value = before + 1;
    private_global = before;
    pid_t pid = fork();
    if (pid < 0) {
        tvp_errfmt(err, errlen, errno, "%s: fork", what);
        return -1;
    }
    if (pid == 0) {
        private_global = child_value;
        /* The child must see its own write, or the check would prove nothing. */
        _exit(private_global == child_value ? 0 : 3);
    }
    int status;
    if (reap(pid, &status, what, err, errlen) != 0)
        return -1;
    if (!exited_ok(status, what, err, errlen))
        return -1;
    if (private_global != before) {
        snprintf(err, errlen, "%s: the parent reads %d after its child wrote %d (it held %d)", what,
                 private_global, child_value, before);
        return TVP_FACT_FALSE;
    }
    return TVP_FACT_HELD;
}

/* ---- a forked child's write to a MAP_SHARED mapping, looked for by the parent ---- */

int tvp_fact_fork_shared_seen(char *err, size_t errlen)
{
    const char *what = "fork-shared-seen";
    long page = sysconf(_SC_PAGESIZE);
    volatile int *shared =
        mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) {
        tvp_errfmt(err, errlen, errno, "%s: mapping a shared page", what);
        return -1;
    }
    int before = next_token(), child_value = before + 1, rc = TVP_FACT_HELD;
    *shared = before;
    pid_t pid = fork();
    if (pid < 0) {
        tvp_errfmt(err, errlen, errno, "%s: fork", what);
        rc = -1;
    } else if (pid == 0) {
        *shared = child_value;
        _exit(0);
    } else {
        int status;
        if (reap(pid, &status, what, err, errlen) != 0 || !exited_ok(status, what, err, errlen))
            rc = -1;
        else if (*shared != child_value) {
            snprintf(err, errlen, "%s: the parent reads %d after its child wrote %d", what, *shared,
                     child_value);
            rc = TVP_FACT_FALSE;
        }
    }
    if (munmap((void *)shared, (size_t)page) != 0 && rc == TVP_FACT_HELD) {
        tvp_errfmt(err, errlen, errno, "%s: unmapping the shared page", what);
        rc = -1;
    }
    return rc;
}
