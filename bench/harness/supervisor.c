#define _GNU_SOURCE
#include "supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "case_name.h"
#include "clock.h"
#include "runner.h"
#include "leftovers.h"
#include "tvp_child.h"
#include "tvp_err.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

int tvp_supervisor_interrupted(void)
{
    return interrupted != 0;
}

int tvp_supervisor_signal(void)
{
    return (int)interrupted;
}

const char *tvp_case_status_name(enum tvp_case_status s)
{
    static const char *const names[] = {"ok", "failed", "timeout", "crashed", "interrupted"};
    return names[s];
}

int tvp_supervisor_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* No SA_RESTART: poll() must return EINTR so the watchdog loop sees the signal at once. */
    /* A closed output pipe (./run.sh all | head) must not kill the run mid-case. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        return errno;
    int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL) != 0)
            return errno;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return errno;
    return 0;
}

/* Ends a case: kills its whole process group and reaps every member. The leader is left a zombie
 * (WNOWAIT) until the group is killed, so its pid, and so the group id, cannot be reused in
 * between. Members are reparented to this process (a child subreaper) as their parents die;
 * keep reaping until no process of the group is left. */
static void end_case(pid_t pid, int *wstatus)
{
    siginfo_t si;
    while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    if (kill(-pid, SIGKILL) != 0 && errno != ESRCH)
        tvp_warn(errno, "killing benchmark process group %d", (int)pid);
    (void)tvp_wait_child(pid, wstatus); /* our child, a zombie by now (waitid above) */
    uint64_t give_up = tvp_now_ns() + 5000000000ull;
    for (;;) {
        int st;
        pid_t got = waitpid(-pid, &st, WNOHANG);
        if (got > 0)
            continue;
        if (got < 0 && errno == EINTR)
            continue;
        if (kill(-pid, 0) != 0 && errno == ESRCH)
            break; /* nobody of the group is left, alive or zombie */
        if (tvp_now_ns() > give_up) {
            tvp_warn(0, "processes of benchmark group %d outlived SIGKILL for 5 s", (int)pid);
            break;
        }
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

static void child_main(const struct tvp_case *c, const struct tvp_options *o, double timer_cost,
                       int fd, pid_t supervisor)
{
    char name[TVP_CASE_NAME_LEN];
    tvp_case_name(name, sizeof name, c);
    /* The supervisor's handlers only set a flag; here the defaults must apply again. */
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    /* SIGPIPE stays ignored in the case: a peer that died shows as EPIPE, which the IPC
     * helpers, the mp-queue feeder and the Python bridge turn into a named failure, where the
     * signal would kill the case with no reason given. */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        tvp_warn(errno, "%s: ignoring SIGPIPE", name);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        tvp_warn(errno, "%s: asking to die with the supervisor", name);
    if (getppid() != supervisor) /* it died before PDEATHSIG was armed */
        _exit(1);
    if (setpgid(0, 0) != 0 && errno != EACCES)
        tvp_warn(errno, "%s: creating a process group", name);
    int status = tvp_runner_run_case(c, o, timer_cost, fd);
    _exit(status);
}

static int append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t ncap = (*cap ? *cap * 2 : 4096);
        while (ncap < *len + n + 1)
            ncap *= 2;
        char *nb = realloc(*buf, ncap);
        if (!nb)
            return ENOMEM;
        *buf = nb;
        *cap = ncap;
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

static int add_sample(struct tvp_case_result *r, int m, double v)
{
    double *n = realloc(r->samples[m], (r->n_samples[m] + 1) * sizeof *n);
    if (!n)
        return ENOMEM;
    n[r->n_samples[m]++] = v;
    r->samples[m] = n;
    return 0;
}

/* Appends one finding to the case's note, "; "-separated. */
static void note_add(struct tvp_case_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_add(struct tvp_case_result *r, const char *fmt, ...)
{
    size_t used = strlen(r->note);
    if (used && used + 2 < sizeof r->note)
        used += (size_t)snprintf(r->note + used, sizeof r->note - used, "; ");
    if (used + 1 >= sizeof r->note)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->note + used, sizeof r->note - used, fmt, ap);
    va_end(ap);
}

/* Puts what made the case fail at the front of its note, so that a long note cuts off the
 * case's remarks, never its cause. */
static void note_lead(struct tvp_case_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_lead(struct tvp_case_result *r, const char *fmt, ...)
{
    char rest[sizeof r->note];
    memcpy(rest, r->note, sizeof rest);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(r->note, sizeof r->note, fmt, ap);
    va_end(ap);
    if (rest[0] && n >= 0 && (size_t)n + 2 < sizeof r->note)
        snprintf(r->note + n, sizeof r->note - (size_t)n, "; %s", rest);
}

/* Parses the child's report; returns 1 when it ended with "done". */
static int parse_report(char *buf, const struct tvp_case *c, struct tvp_case_result *r)
{
    int done = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        int m, i;
        double v, f;
        unsigned long long u;
        if (sscanf(line, "iters %llu", &u) == 1) {
            r->iters = u;
        } else if (sscanf(line, "sample %d %lf", &m, &v) == 2 && m >= 0 && m < c->n_metrics) {
            if (add_sample(r, m, v) != 0)
                tvp_die(ENOMEM, "keeping samples");
        } else if (sscanf(line, "counter %d %lf %lf", &i, &v, &f) == 3 && i >= 0 &&
                   i < TVP_MAX_COUNTERS) {
            r->ctr_valid[i] = 1;
            r->ctr_per_op[i] = v;
            if (f < r->ctr_fraction_min)
                r->ctr_fraction_min = f;
        } else if (strncmp(line, "stop ", 5) == 0) {
            char word[16];
            if (sscanf(line, "stop %15s %lf %lf", word, &v, &f) == 3 &&
                tvp_stop_parse(word, &r->stop) == 0) {
                r->sampling_s = v;
                r->worst_rel_halfwidth = f;
            }
        } else if (sscanf(line, "cpu_ns %lf", &v) == 1) {
            r->cpu_ns_per_op = v;
        } else if (strncmp(line, "cpus ", 5) == 0) {
            snprintf(r->cpus, sizeof r->cpus, "%s", line + 5);
        } else if (strncmp(line, "error ", 6) == 0) {
            note_lead(r, "%s", line + 6);
        } else if (strncmp(line, "note ", 5) == 0) {
            note_add(r, "%s", line + 5);
        } else if (strncmp(line, "created ", 8) == 0) {
            if (append(&r->created, &r->created_len, &r->created_cap, line + 8, strlen(line + 8)) !=
                    0 ||
                append(&r->created, &r->created_len, &r->created_cap, "\n", 1) != 0)
                tvp_die(ENOMEM, "keeping what the case created");
        } else if (strcmp(line, "done") == 0) {
            done = 1;
        }
    }
    return done;
}

int tvp_supervise_case(const struct tvp_case *c, const struct tvp_options *o, double timer_cost_ns,
                       struct tvp_case_result *r)
{
    memset(r, 0, sizeof *r);
    r->cpu_ns_per_op = NAN;
    r->worst_rel_halfwidth = NAN;
    r->ctr_fraction_min = 1.0;
    if (interrupted)
        return EINTR;
    char name[TVP_CASE_NAME_LEN];
    tvp_case_name(name, sizeof name, c);
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return errno;
    fflush(NULL);
    uint64_t t0 = tvp_now_ns();
    pid_t self = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return e;
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(c, o, timer_cost_ns, fds[1], self);
    }
    close(fds[1]);
    /* Also set here: whichever of parent and child runs first, the group exists before the
     * watchdog may need to kill it. */
    if (setpgid(pid, pid) != 0 && errno != EACCES && errno != ESRCH)
        tvp_warn(errno, "%s: setting the case's process group", name);

    char *buf = NULL;
    size_t len = 0, cap = 0;
    uint64_t deadline = t0 + (uint64_t)(o->timeout_s * 1e9);
    int timed_out = 0, eof = 0, wstatus = 0;
    while (!eof) {
        if (interrupted)
            break;
        uint64_t now = tvp_now_ns();
        if (now >= deadline) {
            timed_out = 1;
            break;
        }
        uint64_t left_ms = (deadline - now) / 1000000u + 1;
        struct pollfd p = {.fd = fds[0], .events = POLLIN};
        int n = poll(&p, 1, left_ms > 200 ? 200 : (int)left_ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            tvp_die(errno, "%s: waiting for the benchmark's report", name);
        }
        if (n == 0)
            continue;
        char chunk[4096];
        ssize_t got = read(fds[0], chunk, sizeof chunk);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            tvp_die(errno, "%s: reading the benchmark's report", name);
        }
        if (got == 0)
            eof = 1;
        else if (append(&buf, &len, &cap, chunk, (size_t)got) != 0)
            tvp_die(ENOMEM, "keeping the benchmark's report");
    }
    close(fds[0]);
    if (!eof && kill(-pid, SIGKILL) != 0 && errno != ESRCH)
        tvp_warn(errno, "%s: killing the case's process group", name);
    end_case(pid, &wstatus);
    r->seconds = (double)(tvp_now_ns() - t0) / 1e9;
    int done = buf ? parse_report(buf, c, r) : 0;
    free(buf);
    /* A case that exited ran its teardown; only one killed or crashed may have left objects,
     * and then exactly those it reported creating are removed. */
    int killed = !eof || !WIFEXITED(wstatus);
    struct tvp_leftovers_removed swept = {0, 0, 0};
    if (killed)
        tvp_leftovers_remove(r->created, &swept);
    if (swept.sysv > 0)
        note_add(r, "removed %d System V object(s) the case left behind", swept.sysv);
    if (swept.posix_shm > 0)
        note_add(r, "removed %d shared-memory object(s) the case left behind", swept.posix_shm);
    if (swept.tmp_dirs > 0)
        note_add(r, "removed %d temporary folder(s) the case left behind", swept.tmp_dirs);
    if (interrupted && !eof) {
        r->status = TVP_INTERRUPTED;
        return EINTR;
    }
    if (timed_out) {
        r->status = TVP_TIMEOUT;
        note_lead(r, "killed by the watchdog after %.0f s", o->timeout_s);
    } else if (WIFSIGNALED(wstatus)) {
        r->status = TVP_CRASHED;
        note_lead(r, "benchmark process died of %s", strsignal(WTERMSIG(wstatus)));
    } else if (!done || WEXITSTATUS(wstatus) != 0) {
        r->status = TVP_FAILED;
        if (!r->note[0])
            snprintf(r->note, sizeof r->note, "benchmark process exited with status %d",
                     WEXITSTATUS(wstatus));
    } else {
        r->status = TVP_OK;
    }
    return 0;
}

void tvp_case_result_free(struct tvp_case_result *r)
{
    free(r->created);
    r->created = NULL;
    r->created_len = r->created_cap = 0;
    for (int m = 0; m < TVP_MAX_METRICS; m++) {
        free(r->samples[m]);
        r->samples[m] = NULL;
    }
}
