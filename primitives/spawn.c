#define _GNU_SOURCE

#include "tvp_spawn.h"
#include "tvp_child.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The mark is written by other processes through a shared mapping: that only works when the
 * atomics are plain lock-free instructions on the memory itself, and the futex needs a
 * 32-bit word. */
#if ATOMIC_LONG_LOCK_FREE != 2 || ATOMIC_INT_LOCK_FREE != 2
#error "tvp_spawn_mark needs lock-free 32- and 64-bit atomics"
#endif
_Static_assert(sizeof(((struct tvp_spawn_mark *)0)->done) == 4, "futex word must be 32-bit");

/* Exit statuses of the process children created here (the helper exits 1 on any failure). */
enum {
    TASK_EXIT_REBIND = 1, /* fork/vfork/clone-vm child: sched_setaffinity(child_cpu) failed */
    TASK_EXIT_FD = 126,   /* fork-exec child: dup2 of the mark fd failed */
    TASK_EXIT_EXEC = 127, /* fork-exec child: execve of the helper failed */
};

#define CLONE_STACK_SIZE (64 * 1024)

static const char *const method_names[TVP_SPAWN_COUNT] = {
    [TVP_SPAWN_THREAD] = "pthread_create",
    [TVP_SPAWN_THREAD_DETACHED] = "pthread-detached",
    [TVP_SPAWN_FORK] = "fork",
    [TVP_SPAWN_VFORK] = "vfork",
    [TVP_SPAWN_CLONE_VM] = "clone-vm",
    [TVP_SPAWN_POSIX_SPAWN] = "posix_spawn",
    [TVP_SPAWN_FORK_EXEC] = "fork-exec",
};

const char *tvp_spawn_method_name(enum tvp_spawn_method m)
{
    if ((unsigned)m >= TVP_SPAWN_COUNT)
        return "unknown";
    return method_names[m];
}

int tvp_spawn_method_parse(const char *name, enum tvp_spawn_method *m)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < TVP_SPAWN_COUNT; i++) {
        if (strcmp(name, method_names[i]) == 0) {
            *m = (enum tvp_spawn_method)i;
            return 0;
        }
    }
    return -1;
}

int tvp_spawn_method_is_process(enum tvp_spawn_method m)
{
    switch (m) {
    case TVP_SPAWN_FORK:
    case TVP_SPAWN_VFORK:
    case TVP_SPAWN_CLONE_VM:
    case TVP_SPAWN_POSIX_SPAWN:
    case TVP_SPAWN_FORK_EXEC:
        return 1;
    default:
        return 0;
    }
}

uint64_t tvp_spawn_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); /* cannot fail for CLOCK_MONOTONIC with a valid ts */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the task body, shared by every method ---------------------------------------------- */

/* Binds the calling task (a whole process's only thread here) to cpu; cpu < 0 does nothing.
 * Returns 0 or an error number. Only a system call (no locks, no allocation), so it is fine in
 * a forked child of a threaded process and in a vfork or clone-vm child. */
static int rebind_self(int cpu)
{
    if (cpu < 0)
        return 0;
    if (cpu >= CPU_SETSIZE)
        return EINVAL;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0)
        return errno;
    return 0;
}

/* The PU the caller runs on, or -1. This is the getcpu system call, not sched_getcpu():
 * glibc >= 2.35 answers sched_getcpu() from the thread's rseq area, and a CLONE_VM child
 * (vfork, clone-vm) is not registered for rseq while it shares the parent's thread area, so
 * there sched_getcpu() returns the parent's last PU. The system call is right everywhere, and
 * every method pays the same for it (after its time stamp was taken). */
static int32_t current_cpu(void)
{
    unsigned cpu = 0;
    if (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0)
        return -1;
    return (int32_t)cpu;
}

/* Stamps the mark: t was read as the task's first act (after rebinding, for processes). */
static void publish(struct tvp_spawn_mark *m, uint64_t token, uint64_t t)
{
    int32_t cpu = current_cpu();
    atomic_store_explicit(&m->token, token, memory_order_relaxed);
    atomic_store_explicit(&m->cpu, cpu, memory_order_relaxed);
    /* Release: makes the token and cpu stores above visible to whoever sees running_ns != 0.
     * Pairs with the acquire load of running_ns in tvp_spawn_wait (check_mark). */
    atomic_store_explicit(&m->running_ns, t, memory_order_release);
}

static void *thread_body(void *arg)
{
    struct tvp_spawner *s = arg;
    uint64_t t = tvp_spawn_now_ns();
    publish(s->mark, s->token, t);
    return NULL;
}

static void *detached_body(void *arg)
{
    struct tvp_spawner *s = arg;
    uint64_t t = tvp_spawn_now_ns();
    _Atomic uint32_t *done = &s->mark->done;
    publish(s->mark, s->token, t);
    /* Release: everything this task wrote (the stamp) happens before the waiter's acquire load
     * of done in wait_done. After this store the spawner may re-arm or destroy the mark, so
     * the only thing left is the wake-up on the word's address (harmless if it was unmapped:
     * FUTEX_WAKE on a bad address just fails, and waiters tolerate spurious wake-ups). */
    atomic_store_explicit(done, 1, memory_order_release);
    /* Private futex: the waiter is a thread of this process. The result is not used: the task
     * has already reported done, and a failed wake leaves a waiter that re-checks the word. */
    (void)syscall(SYS_futex, done, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
    return NULL;
}

/* Body of the fork, vfork and clone-vm children: rebind, stamp, and report by exit status.
 * Only system calls and stores to the shared mark: nothing here touches the parent's state
 * (in the vfork and clone-vm children the parent's memory and thread area are shared; errno
 * is written only when a call fails, and then the child exits with an error status). */
static int process_body(struct tvp_spawn_mark *mark, uint64_t token, int cpu)
{
    if (rebind_self(cpu) != 0)
        return TASK_EXIT_REBIND;
    uint64_t t = tvp_spawn_now_ns();
    publish(mark, token, t);
    return 0;
}

static int clone_body(void *arg)
{
    struct tvp_spawner *s = arg;
    return process_body(s->mark, s->token, s->child_cpu); /* the clone wrapper _exits with it */
}

int tvp_spawn_helper_stamp(int memfd, int cpu, uint64_t token)
{
    int err = rebind_self(cpu);
    if (err != 0)
        return err;
    uint64_t t = tvp_spawn_now_ns();
    struct stat st;
    if (fstat(memfd, &st) != 0)
        return errno;
    if (st.st_size < (off_t)sizeof(struct tvp_spawn_mark))
        return EINVAL; /* not our mark: mapping it would SIGBUS */
    void *p =
        mmap(NULL, sizeof(struct tvp_spawn_mark), PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (p == MAP_FAILED)
        return errno;
    publish(p, token, t);
    if (munmap(p, sizeof(struct tvp_spawn_mark)) != 0)
        return errno;
    return 0;
}

/* ---- spawner ------------------------------------------------------------------------------ */

int tvp_spawner_init(struct tvp_spawner *s, const char *helper_path, int child_cpu, char *err,
                     size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->memfd = -1;
    s->child_cpu = child_cpu;

    if (child_cpu < -1 || child_cpu >= CPU_SETSIZE)
        return tvp_errfmt(err, errlen, EINVAL, "spawner: child cpu %d", child_cpu), EINVAL;
    if (helper_path != NULL) {
        size_t n = strlen(helper_path);
        if (n >= sizeof s->helper_path)
            return tvp_errfmt(err, errlen, ENAMETOOLONG, "spawner: helper path"), ENAMETOOLONG;
        memcpy(s->helper_path, helper_path, n + 1);
    }

    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;

    int e;
    s->memfd = memfd_create("tvp-spawn-mark", MFD_CLOEXEC);
    if (s->memfd < 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "spawner: memfd_create");
        goto fail;
    }
    if (s->memfd == TVP_SPAWN_HELPER_FD) {
        /* Keep the mark off the helper's fd number, so the dup2 in the exec paths always makes
         * a fresh descriptor without close-on-exec (dup2 onto itself would keep the flag). */
        int fd = fcntl(s->memfd, F_DUPFD_CLOEXEC, TVP_SPAWN_HELPER_FD + 1);
        if (fd < 0) {
            e = errno;
            tvp_errfmt(err, errlen, e, "spawner: moving the memfd off fd %d", TVP_SPAWN_HELPER_FD);
            goto fail;
        }
        int old = s->memfd;
        s->memfd = fd;
        if (close(old) != 0) {
            e = errno;
            tvp_errfmt(err, errlen, e, "spawner: close of the first memfd");
            goto fail;
        }
    }
    if (ftruncate(s->memfd, page) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "spawner: ftruncate of the memfd");
        goto fail;
    }
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, s->memfd, 0);
    if (p == MAP_FAILED) {
        e = errno;
        tvp_errfmt(err, errlen, e, "spawner: mmap of the memfd");
        goto fail;
    }
    s->mark = p;

    /* The clone-vm child's stack, with a PROT_NONE guard page below it. */
    size_t stack_total = CLONE_STACK_SIZE + (size_t)page;
    p = mmap(NULL, stack_total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1,
             0);
    if (p == MAP_FAILED) {
        e = errno;
        tvp_errfmt(err, errlen, e, "spawner: mmap of the clone stack");
        goto fail;
    }
    s->clone_stack = p;
    s->clone_stack_size = stack_total;
    if (mprotect(p, (size_t)page, PROT_NONE) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, "spawner: mprotect of the clone stack guard page");
        goto fail;
    }

    atomic_store_explicit(&s->mark->cpu, -1, memory_order_relaxed);
    return 0;

fail:
    tvp_spawner_destroy(s);
    return e;
}

/* Nothing here can fail in a way that could be reported or undone (munmap of our own mappings,
 * close of our own memfd, which Linux releases even when close reports an error). */
void tvp_spawner_destroy(struct tvp_spawner *s)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    if (s->clone_stack != NULL)
        munmap(s->clone_stack, s->clone_stack_size);
    if (s->mark != NULL)
        munmap(s->mark, (size_t)page);
    if (s->memfd >= 0)
        close(s->memfd);
    s->clone_stack = NULL;
    s->clone_stack_size = 0;
    s->mark = NULL;
    s->memfd = -1;
}

static void arm(struct tvp_spawner *s)
{
    struct tvp_spawn_mark *m = s->mark;
    /* Relaxed: the new task is created after these stores, and its creation (pthread_create,
     * fork, vfork, clone, posix_spawn) orders them before anything the task does. */
    atomic_store_explicit(&m->running_ns, 0, memory_order_relaxed);
    atomic_store_explicit(&m->cpu, -1, memory_order_relaxed);
    atomic_store_explicit(&m->token, 0, memory_order_relaxed);
    atomic_store_explicit(&m->done, 0, memory_order_relaxed);
    s->token++;
}

/* Waits until the detached thread has set done. Returns 0 or an error number. */
static int wait_done(struct tvp_spawn_mark *m)
{
    _Atomic uint32_t *done = &m->done;
    /* Acquire: pairs with the release store of done in detached_body, so the stamp is visible
     * once done reads 1. */
    while (atomic_load_explicit(done, memory_order_acquire) == 0) {
        /* Sleeps only while the word is still 0; EAGAIN (it changed) and EINTR re-check it. */
        if (syscall(SYS_futex, done, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) != 0 &&
            errno != EAGAIN && errno != EINTR)
            return errno;
    }
    return 0;
}

static int start_thread(struct tvp_spawner *s, int detached, pthread_t *t, const char *name,
                        char *err, size_t errlen)
{
    pthread_attr_t attr;
    int e2, e = pthread_attr_init(&attr);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "%s: pthread_attr_init", name), e;
    if (s->child_cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(s->child_cpu, &set);
        e = pthread_attr_setaffinity_np(&attr, sizeof set, &set);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "%s: pthread_attr_setaffinity_np(cpu %d)", name,
                       s->child_cpu);
            goto out;
        }
    }
    if (detached) {
        e = pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (e != 0) {
            tvp_errfmt(err, errlen, e, "%s: pthread_attr_setdetachstate", name);
            goto out;
        }
    }
    e = pthread_create(t, &attr, detached ? detached_body : thread_body, s);
    if (e != 0)
        tvp_errfmt(err, errlen, e, "%s: pthread_create", name);
out:
    e2 = pthread_attr_destroy(&attr);
    if (e == 0 && e2 != 0) {
        /* The thread runs, but this start is reported as failed, so nobody will wait for it:
         * wait here (best effort, on a path that already fails) so nothing is left behind. */
        if (!detached)
            pthread_join(*t, NULL);
        else
            wait_done(s->mark);
        tvp_errfmt(err, errlen, e2, "%s: pthread_attr_destroy", name);
        e = e2;
    }
    return e;
}

/* The helper's argv: "tvp-spawn-helper FD CPU TOKEN", formatted before the child exists. */
struct helper_argv {
    char fd[16], cpu[16], token[24];
    char *argv[5];
};

static void helper_argv_build(const struct tvp_spawner *s, struct helper_argv *a)
{
    snprintf(a->fd, sizeof a->fd, "%d", TVP_SPAWN_HELPER_FD);
    snprintf(a->cpu, sizeof a->cpu, "%d", s->child_cpu);
    snprintf(a->token, sizeof a->token, "%" PRIu64, s->token);
    a->argv[0] = "tvp-spawn-helper";
    a->argv[1] = a->fd;
    a->argv[2] = a->cpu;
    a->argv[3] = a->token;
    a->argv[4] = NULL;
}

static int start_fork(struct tvp_spawner *s, pid_t *pidp, const char *name, char *err,
                      size_t errlen)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(process_body(s->mark, s->token, s->child_cpu));
    if (pid < 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "%s: fork", name), e;
    }
    *pidp = pid;
    return 0;
}

static int start_vfork(struct tvp_spawner *s, pid_t *pidp, const char *name, char *err,
                       size_t errlen)
{
    /* The child runs on the parent's stack while the parent is suspended: it only reads these
     * locals, stamps the shared mark and _exits; it never returns from this function. */
    struct tvp_spawn_mark *mark = s->mark;
    uint64_t token = s->token;
    int cpu = s->child_cpu;
    pid_t pid = vfork();
    if (pid == 0)
        _exit(process_body(mark, token, cpu));
    if (pid < 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "%s: vfork", name), e;
    }
    *pidp = pid;
    return 0;
}

static int start_clone(struct tvp_spawner *s, pid_t *pidp, const char *name, char *err,
                       size_t errlen)
{
    /* The stack grows down from the top of the mapping (page aligned, so 16-byte aligned).
     * One stack serves every start: at most one task per spawner is outstanding. */
    char *top = (char *)s->clone_stack + s->clone_stack_size;
    pid_t pid = clone(clone_body, top, CLONE_VM | SIGCHLD, s);
    if (pid < 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "%s: clone", name), e;
    }
    *pidp = pid;
    return 0;
}

static int start_posix_spawn(struct tvp_spawner *s, pid_t *pidp, const char *name, char *err,
                             size_t errlen)
{
    struct helper_argv a;
    helper_argv_build(s, &a);
    posix_spawn_file_actions_t fa;
    int e = posix_spawn_file_actions_init(&fa);
    if (e != 0)
        return tvp_errfmt(err, errlen, e, "%s: posix_spawn_file_actions_init", name), e;
    /* memfd != TVP_SPAWN_HELPER_FD (see init), so the new descriptor has no close-on-exec. */
    e = posix_spawn_file_actions_adddup2(&fa, s->memfd, TVP_SPAWN_HELPER_FD);
    if (e != 0) {
        tvp_errfmt(err, errlen, e, "%s: posix_spawn_file_actions_adddup2", name);
    } else {
        e = posix_spawn(pidp, s->helper_path, &fa, NULL, a.argv, environ);
        if (e != 0)
            tvp_errfmt(err, errlen, e, "%s: posix_spawn of %s", name, s->helper_path);
    }
    int e2 = posix_spawn_file_actions_destroy(&fa);
    if (e == 0 && e2 != 0) {
        /* The child exists: reap it so nothing is left behind, then report. */
        (void)tvp_wait_child(*pidp, NULL); /* fails only if someone else reaped it: gone anyway */
        tvp_errfmt(err, errlen, e2, "%s: posix_spawn_file_actions_destroy", name);
        e = e2;
    }
    return e;
}

static int start_fork_exec(struct tvp_spawner *s, pid_t *pidp, const char *name, char *err,
                           size_t errlen)
{
    struct helper_argv a;
    helper_argv_build(s, &a);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        if (dup2(s->memfd, TVP_SPAWN_HELPER_FD) < 0)
            _exit(TASK_EXIT_FD);
        execve(s->helper_path, a.argv, environ);
        _exit(TASK_EXIT_EXEC);
    }
    if (pid < 0) {
        int e = errno;
        return tvp_errfmt(err, errlen, e, "%s: fork", name), e;
    }
    *pidp = pid;
    return 0;
}

int tvp_spawn_start(struct tvp_spawner *s, enum tvp_spawn_method m, struct tvp_spawn_handle *h,
                    char *err, size_t errlen)
{
    const char *name = tvp_spawn_method_name(m);
    if ((unsigned)m >= TVP_SPAWN_COUNT)
        return tvp_errfmt(err, errlen, EINVAL, "spawn: method %d", (int)m), EINVAL;
    if (s->mark == NULL)
        return tvp_errfmt(err, errlen, EINVAL, "%s: the spawner is not initialised", name), EINVAL;
    if ((m == TVP_SPAWN_POSIX_SPAWN || m == TVP_SPAWN_FORK_EXEC) && s->helper_path[0] == '\0')
        return tvp_errfmt(err, errlen, EINVAL, "%s: no helper path was given", name), EINVAL;

    arm(s);
    h->method = m;
    h->token = s->token;
    h->pid = -1;
    switch (m) {
    case TVP_SPAWN_THREAD:
        return start_thread(s, 0, &h->thread, name, err, errlen);
    case TVP_SPAWN_THREAD_DETACHED:
        return start_thread(s, 1, &h->thread, name, err, errlen);
    case TVP_SPAWN_FORK:
        return start_fork(s, &h->pid, name, err, errlen);
    case TVP_SPAWN_VFORK:
        return start_vfork(s, &h->pid, name, err, errlen);
    case TVP_SPAWN_CLONE_VM:
        return start_clone(s, &h->pid, name, err, errlen);
    case TVP_SPAWN_POSIX_SPAWN:
        return start_posix_spawn(s, &h->pid, name, err, errlen);
    case TVP_SPAWN_FORK_EXEC:
        return start_fork_exec(s, &h->pid, name, err, errlen);
    default:
        return tvp_errfmt(err, errlen, EINVAL, "spawn: method %d", (int)m), EINVAL;
    }
}

/* Why a process child of method m may have exited with status st, or "". */
static const char *exit_hint(enum tvp_spawn_method m, int st)
{
    switch (m) {
    case TVP_SPAWN_FORK:
    case TVP_SPAWN_VFORK:
    case TVP_SPAWN_CLONE_VM:
        return st == TASK_EXIT_REBIND ? " (it could not bind itself to the child cpu)" : "";
    case TVP_SPAWN_FORK_EXEC:
        if (st == TASK_EXIT_EXEC)
            return " (the exec of the helper failed)";
        if (st == TASK_EXIT_FD)
            return " (passing the mark fd to the helper failed)";
        return st == 1 ? " (the helper failed; see its message)" : "";
    case TVP_SPAWN_POSIX_SPAWN:
        return st == 1 ? " (the helper failed; see its message)" : "";
    default:
        return "";
    }
}

/* Checks the stamp of the task that h started. */
static int check_mark(struct tvp_spawner *s, const struct tvp_spawn_handle *h, const char *name,
                      char *err, size_t errlen)
{
    struct tvp_spawn_mark *m = s->mark;
    /* Acquire: pairs with the release store of running_ns in publish, so once it is non-zero
     * the task's token and cpu stores are visible here. (For processes, waitpid has already
     * ordered everything the child did; for threads pthread_join or the done futex has.) */
    uint64_t ns = atomic_load_explicit(&m->running_ns, memory_order_acquire);
    uint64_t token = atomic_load_explicit(&m->token, memory_order_relaxed);
    int32_t cpu = atomic_load_explicit(&m->cpu, memory_order_relaxed);
    if (ns == 0 || token != h->token)
        return tvp_errfmt(err, errlen, 0, "%s: the new task did not stamp the mark", name), EPROTO;
    if (cpu < 0)
        return tvp_errfmt(err, errlen, 0, "%s: the new task could not read its cpu (getcpu)", name),
               EPROTO;
    return 0;
}

int tvp_spawn_wait(struct tvp_spawner *s, struct tvp_spawn_handle *h, char *err, size_t errlen)
{
    enum tvp_spawn_method m = h->method;
    const char *name = tvp_spawn_method_name(m);
    int e;
    switch (m) {
    case TVP_SPAWN_THREAD:
        e = pthread_join(h->thread, NULL);
        if (e != 0)
            return tvp_errfmt(err, errlen, e, "%s: pthread_join", name), e;
        break;
    case TVP_SPAWN_THREAD_DETACHED:
        e = wait_done(s->mark);
        if (e != 0)
            return tvp_errfmt(err, errlen, e, "%s: futex wait on the done word", name), e;
        break;
    case TVP_SPAWN_FORK:
    case TVP_SPAWN_VFORK:
    case TVP_SPAWN_CLONE_VM:
    case TVP_SPAWN_POSIX_SPAWN:
    case TVP_SPAWN_FORK_EXEC: {
        int st;
        e = tvp_wait_child(h->pid, &st);
        if (e != 0)
            return tvp_errfmt(err, errlen, e, "%s: waitpid(%ld)", name, (long)h->pid), e;
        h->pid = -1;
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            return tvp_errfmt(err, errlen, 0, "%s: the child exited with status %d%s", name,
                              WEXITSTATUS(st), exit_hint(m, WEXITSTATUS(st))),
                   ECHILD;
        if (WIFSIGNALED(st))
            return tvp_errfmt(err, errlen, 0, "%s: the child was killed by signal %d (%s)", name,
                              WTERMSIG(st), strsignal(WTERMSIG(st))),
                   ECHILD;
        if (!WIFEXITED(st))
            return tvp_errfmt(err, errlen, 0, "%s: the child ended with wait status %#x", name,
                              (unsigned)st),
                   ECHILD;
        break;
    }
    default:
        return tvp_errfmt(err, errlen, EINVAL, "spawn: method %d", (int)m), EINVAL;
    }
    return check_mark(s, h, name, err, errlen);
}

int tvp_parse_ll(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

void tvp_format_cpuset(const cpu_set_t *set, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < CPU_SETSIZE && used + 8 < len; c++)
        if (CPU_ISSET(c, set))
            used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
    if (used == 0)
        snprintf(buf, len, "none");
}

int tvp_count_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return -1;
    int n = 0, ch;
    while ((ch = fgetc(f)) != EOF)
        n += ch == '\n';
    fclose(f);
    return n;
}
