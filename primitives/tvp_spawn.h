/* Ways to start a task, as the spawn group compares them.
 *
 * Every method starts a task that does the same tiny thing: stamp the shared mark with the
 * monotonic time and the PU it runs on (its first act), then finish. The mark lives in a
 * MAP_SHARED mapping backed by a memfd, so a forked child, a clone()d child and an exec'd
 * helper all write the same memory; nothing named is created, so nothing can be left behind.
 *
 * Placement: with child_cpu >= 0, threads are bound through their attribute before they run;
 * process children inherit the parent's binding and rebind themselves to child_cpu as their
 * first act, before stamping (a process cannot be bound before it exists without a race).
 *
 * Exec'd helper: posix_spawn and fork-exec run "HELPER FD CPU TOKEN" (tvp-spawn-helper, see
 * spawn_helper.c). The memfd is created close-on-exec; the child gets a copy at
 * TVP_SPAWN_HELPER_FD without close-on-exec (a posix_spawn dup2 file action, or dup2 between
 * fork and execve), and FD is that number. CPU is child_cpu (-1: none), TOKEN the start's token
 * in decimal. The helper rebinds (if CPU >= 0), stamps, and exits 0, or prints one line and
 * exits 1.
 *
 * A spawner is used by one thread at a time, with at most one task outstanding: every
 * tvp_spawn_start that succeeded is followed by tvp_spawn_wait before the next start or
 * tvp_spawner_destroy (the mark and the clone-vm stack are shared by all starts). */

#ifndef TVP_SPAWN_H
#define TVP_SPAWN_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sched.h>
#include <stdint.h>
#include <sys/types.h>

/* The descriptor number at which the exec'd helper finds the mark's memfd. */
#define TVP_SPAWN_HELPER_FD 3

enum tvp_spawn_method {
    TVP_SPAWN_THREAD,          /* pthread_create, joinable; waited with pthread_join */
    TVP_SPAWN_THREAD_DETACHED, /* pthread_create detached; waited on its "done" word (futex) */
    TVP_SPAWN_FORK,            /* fork, child _exit(0); waitpid */
    TVP_SPAWN_VFORK,           /* vfork, child _exit(0); waitpid */
    TVP_SPAWN_CLONE_VM,        /* clone(CLONE_VM | SIGCHLD) on its own stack; waitpid */
    TVP_SPAWN_POSIX_SPAWN,     /* posix_spawn of the helper; waitpid */
    TVP_SPAWN_FORK_EXEC,       /* fork + execve of the helper; waitpid */
    TVP_SPAWN_COUNT
};

/* Short stable names used in results: "pthread_create", "pthread-detached", "fork", "vfork",
 * "clone-vm", "posix_spawn", "fork-exec". */
const char *tvp_spawn_method_name(enum tvp_spawn_method m);
/* Returns 0 and sets *m, or -1 for an unknown name. */
int tvp_spawn_method_parse(const char *name, enum tvp_spawn_method *m);
/* 1 for methods that create a process (fork, vfork, clone-vm, posix_spawn, fork-exec). */
int tvp_spawn_method_is_process(enum tvp_spawn_method m);

struct tvp_spawn_mark {
    _Atomic uint64_t running_ns; /* CLOCK_MONOTONIC ns at the new task's first act; 0 = not yet */
    _Atomic int32_t cpu;         /* sched_getcpu() there */
    _Atomic uint32_t done;       /* pthread-detached only: 1 as the task's last act (futex-woken) */
    _Atomic uint64_t token;      /* the spawner's token for this start, echoed by the task */
};

struct tvp_spawner {
    struct tvp_spawn_mark *mark; /* shared mapping of memfd */
    int memfd;
    int child_cpu;              /* -1: inherit the parent's binding */
    char helper_path[PATH_MAX]; /* the exec'd helper, "" if exec methods are not used */
    void *clone_stack;
    size_t clone_stack_size;
    uint64_t token;
};

struct tvp_spawn_handle {
    enum tvp_spawn_method method;
    pthread_t thread;
    pid_t pid;
    uint64_t token;
};

/* helper_path may be NULL when posix_spawn and fork-exec are not used (it is not checked here: a
 * bad path shows up as an error from tvp_spawn_start or tvp_spawn_wait). child_cpu is -1 or a
 * PU number below CPU_SETSIZE. Returns 0, or an error number with "what failed: why" in err;
 * on failure nothing is left open and tvp_spawner_destroy is harmless. */
int tvp_spawner_init(struct tvp_spawner *s, const char *helper_path, int child_cpu, char *err,
                     size_t errlen);
void tvp_spawner_destroy(struct tvp_spawner *s);

/* Arms the mark (clears it and sets a new token) and starts one task with method m. For vfork
 * the call returns once the child has exited (vfork suspends the parent). Returns 0 or an error
 * number with a message "<method>: <what>: <why>" in err; on failure there is nothing to wait
 * for. Without a helper path, posix_spawn and fork-exec fail with EINVAL. */
int tvp_spawn_start(struct tvp_spawner *s, enum tvp_spawn_method m, struct tvp_spawn_handle *h,
                    char *err, size_t errlen);

/* Joins or reaps the task and checks it: it ran (the mark carries this start's token) and, for
 * processes, exited with status 0. Returns 0, or an error number with a message in err: the
 * join/wait's own error; ECHILD when a process child exited non-zero or was killed ("<method>:
 * the child exited with status N ..."); EPROTO for a missing or wrong mark ("<method>: the new
 * task did not stamp the mark"). The handle is used up either way. On success the mark holds
 * running_ns and cpu of this start. */
int tvp_spawn_wait(struct tvp_spawner *s, struct tvp_spawn_handle *h, char *err, size_t errlen);

/* Used by the helper program: rebind to cpu if cpu >= 0, read the clock, map the memfd, stamp
 * the mark with token, unmap. Returns 0 or an error number (EINVAL also when memfd is too
 * small to be a mark). */
int tvp_spawn_helper_stamp(int memfd, int cpu, uint64_t token);

/* Monotonic clock in integer nanoseconds (CLOCK_MONOTONIC). */
uint64_t tvp_spawn_now_ns(void);

/* ---- the lean starter ------------------------------------------------------------------------
 *
 * fork copies its parent's address space, so a fork from the suite's case process (hwloc,
 * libpfm4, the harness) costs more than one from an ordinary small program. The lean cases start
 * tvp-lean-starter (spawn_lean_starter.c, libc only, static where the toolchain allows) and let
 * it make the starts with the code above, timed there.
 *
 * Protocol: "tvp-lean-starter PU CHILD_CPU RSS_MIB HELPER", with a stream socket to the case on
 * its descriptor 0; one text line per message, at most TVP_LEAN_LINE bytes.
 *   starter: "ready LINKAGE inherited=CPUS maps=N thp_off=0|1" once set up (bound to PU when
 *            PU >= 0, RSS_MIB MiB touched, a spawner for CHILD_CPU with HELPER, "" for none);
 *            CPUS is the affinity it inherited, "a,b,..." before binding itself.
 *   case:    "run METHOD ITERS"  ->  "ok ITERS SUM_RUNNING SUM_JOINED P50_RUNNING P50_JOINED
 *            CPU_NS CPUS": ITERS starts checked as tvp_spawn_wait checks them, times in ns
 *            (start call to stamp, start call to join/reap), CPU_NS the starter's user+system
 *            time and its children's over the run, CPUS where the new tasks ran.
 *   case:    "quit" (or end of input): the starter exits 0.
 * Any failure: the starter sends "err MESSAGE" and exits 1. */

#define TVP_LEAN_LINE      512
#define TVP_LEAN_MAX_ITERS (1 << 20)

struct tvp_lean_starter {
    pid_t pid; /* -1 when not running */
    int sock;
    char path[PATH_MAX];
    char linkage[32];   /* "static" or "dynamic" (from its ready line) */
    char inherited[64]; /* the affinity it inherited */
    int maps;           /* lines of its /proc/self/maps when ready */
    int thp_off;        /* MADV_NOHUGEPAGE accepted on its RSS_MIB */
    char buf[TVP_LEAN_LINE];
};

struct tvp_lean_result {
    uint64_t iters, sum_running, sum_joined, p50_running, p50_joined, cpu_ns;
    int cpus[16]; /* where the new tasks ran, the first n_cpus of them */
    int n_cpus;
};

/* Small helpers the spawn helper, the lean starter and the spawn group share (in spawn.c, which
 * the lean starter is built from). */
/* Parses a whole decimal number in [lo, hi]; returns 0 or -1. */
int tvp_parse_ll(const char *s, long long lo, long long hi, long long *out);
/* "a,b,c" of the PUs in set, or "none": the starter reports its inherited mask in this form and
 * the case compares it as a string. */
void tvp_format_cpuset(const cpu_set_t *set, char *buf, size_t len);
/* Lines in /proc/self/maps: how much address space a fork has to copy, for a note; -1 when it
 * cannot be read. */
int tvp_count_mappings(void);

/* Starts the starter at path (posix_spawn) and waits for its ready line. pu: the PU it binds
 * itself to (-1: keep the inherited mask); it must have inherited exactly the caller's affinity,
 * else the start fails. Returns 0, or an error number with "lean starter PATH: what: why" in
 * err; on failure nothing is left running and tvp_lean_stop is harmless. */
int tvp_lean_start(struct tvp_lean_starter *ls, const char *path, const char *helper, int pu,
                   int child_cpu, long long rss_mib, char *err, size_t errlen);
/* Has the starter make iters starts of method m. Returns 0 with *r filled, or an error number
 * with "lean starter PATH: ..." in err (its own "err" message, a bad reply, or how it died); after
 * an error the starter is stopped and reaped. */
int tvp_lean_run(struct tvp_lean_starter *ls, enum tvp_spawn_method m, uint64_t iters,
                 struct tvp_lean_result *r, char *err, size_t errlen);
/* Asks the starter to quit and reaps it (killing it after a grace period). Returns 0, or an
 * error number with the reason in err (it did not exit with status 0). */
int tvp_lean_stop(struct tvp_lean_starter *ls, char *err, size_t errlen);

#endif
