#define _GNU_SOURCE
#include "python_bridge.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "placement.h"
#include "python_proc.h"
#include "leftovers.h"
#include "runner.h"
#include "tvp_created.h"
#include "tvp_child.h"
#include "tvp_err.h"

extern char **environ;

#define LINE_MAX_LEN 4096

/* Forwards a "cpu K", "note TEXT" or "created posix-shm /NAME" line; returns 1 when the line
 * was one of them. */
static int side_line(const char *line)
{
    static const char shm[] = "created " TVP_CREATED_POSIX_SHM " ";
    if (!strncmp(line, shm, sizeof shm - 1)) {
        tvp_created(TVP_CREATED_POSIX_SHM, line + sizeof shm - 1);
        return 1;
    }
    int cpu;
    if (sscanf(line, "cpu %d", &cpu) == 1) {
        tvp_runner_note_cpu(cpu);
        return 1;
    }
    if (!strncmp(line, "note ", 5)) {
        tvp_runner_note("%s", line + 5);
        return 1;
    }
    return 0;
}

/* A case's worker, and the temporary folder it gets as TMPDIR (multiprocessing's pymp-* folders
 * and listener sockets go there, so nothing of a killed worker lands in /tmp itself). */
struct bridge {
    struct tvp_pyproc p;
    char tmp[PATH_MAX];
    char tmpdir_var[PATH_MAX + 8];
    char **env; /* the worker's environment; the strings are environ's and tmpdir_var */
};

static void bridge_free(struct bridge *b)
{
    int e;
    if (b->tmp[0] && (e = tvp_remove_tree_at(AT_FDCWD, b->tmp)) != 0)
        tvp_warn(e, "python: removing the worker's temporary folder %s", b->tmp);
    free(b->env);
    free(b);
}

/* Makes b->tmp (mode 0700, a fresh name) and the worker's environment: ours, with TMPDIR
 * pointing at it. */
static int make_env(struct bridge *b, char *err, size_t errlen)
{
    snprintf(b->tmp, sizeof b->tmp, "%.*s/" TVP_PY_PREFIX "%d-XXXXXX", PATH_MAX - 64, tvp_tmp_dir(),
             (int)getpid());
    if (!mkdtemp(b->tmp)) {
        tvp_errfmt(err, errlen, errno, "python: making the worker's temporary folder %s", b->tmp);
        b->tmp[0] = '\0';
        return -1;
    }
    tvp_created(TVP_CREATED_TMP_DIR, b->tmp);
    size_t n = 0;
    while (environ[n])
        n++;
    b->env = calloc(n + 2, sizeof *b->env);
    if (!b->env) {
        tvp_errfmt(err, errlen, ENOMEM, "python: the worker's environment");
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7) != 0)
            b->env[k++] = environ[i];
    snprintf(b->tmpdir_var, sizeof b->tmpdir_var, "TMPDIR=%s", b->tmp);
    b->env[k] = b->tmpdir_var;
    return 0;
}

int tvp_pybridge_setup(const struct tvp_case *c, void **state, char *err, size_t errlen)
{
    struct tvp_py_launch l;
    if (tvp_python_launch_of(c, &l) != 0) {
        snprintf(err, errlen, "python: no Python benchmark module for %s", c->benchmark);
        return -1;
    }
    struct bridge *b = calloc(1, sizeof *b);
    if (!b) {
        tvp_errfmt(err, errlen, ENOMEM, "python: allocating the worker's state");
        return -1;
    }
    struct tvp_pyproc *p = &b->p;
    if (make_env(b, err, errlen) != 0) {
        bridge_free(b);
        return -1;
    }
    char script[4200], pu_a[16], pu_b[16], param[32], interval[32], pus[TVP_CPUS_LEN];
    snprintf(script, sizeof script, "%s/tvp_worker.py", l.script_dir);
    snprintf(pu_a, sizeof pu_a, "%d", c->pu_a);
    snprintf(pu_b, sizeof pu_b, "%d", c->pu_b);
    snprintf(param, sizeof param, "%lld", c->param[0] ? c->param_value : -1LL);
    snprintf(interval, sizeof interval, "%.9g", l.switch_interval_s);
    size_t used = 0;
    pus[0] = '\0';
    if (c->n_pus > 0)
        for (int i = 0; i < c->n_pus && used + 12 < sizeof pus; i++)
            used +=
                (size_t)snprintf(pus + used, sizeof pus - used, "%s%d", i ? "," : "", c->pus[i]);
    else
        snprintf(pus, sizeof pus, "%d,%d", c->pu_a, c->pu_b);
    /* -B: no __pycache__ written into the source tree. */
    char *argv[] = {(char *)l.interpreter,
                    "-B",
                    script,
                    "--group",
                    (char *)l.module,
                    "--bench",
                    (char *)c->benchmark,
                    "--variant",
                    (char *)c->variant,
                    "--model",
                    (char *)c->model,
                    "--placement",
                    (char *)tvp_placement_name(c->placement),
                    "--pu-a",
                    pu_a,
                    "--pu-b",
                    pu_b,
                    "--pus",
                    pus,
                    "--param-value",
                    param,
                    "--switch-interval",
                    interval,
                    l.quick ? "--quick" : NULL,
                    NULL};
    if (tvp_pyproc_start(p, argv, b->env, err, errlen) != 0) {
        bridge_free(b);
        return -1;
    }
    char line[LINE_MAX_LEN];
    for (;;) {
        /* No deadline here: the supervisor's watchdog bounds the whole case. */
        if (tvp_pyproc_readline(p, line, sizeof line, -1, err, errlen) != 0)
            break;
        if (!strcmp(line, "ready")) {
            *state = b;
            return 0;
        }
        if (side_line(line))
            continue;
        snprintf(err, errlen, "python worker: %s", !strncmp(line, "error ", 6) ? line + 6 : line);
        break;
    }
    tvp_pyproc_end(p, 5000);
    bridge_free(b);
    return -1;
}

/* Parses "ok CPU_NS T0 T1 ..." into totals; returns 0, or -1 with the reason in err. */
static int parse_ok(const struct tvp_case *c, const char *line, uint64_t *totals, char *err,
                    size_t errlen)
{
    const char *s = line + 3;
    char *end;
    errno = 0;
    double cpu = strtod(s, &end);
    if (end == s || errno != 0 || !(cpu >= 0)) {
        snprintf(err, errlen, "python worker: a malformed reply '%.200s'", line);
        return -1;
    }
    tvp_runner_add_cpu_ns((uint64_t)llround(cpu));
    int m = 0;
    for (s = end; m < TVP_MAX_METRICS; m++, s = end) {
        double v = strtod(s, &end);
        if (end == s)
            break;
        if (!isfinite(v) || v < 0) {
            snprintf(err, errlen, "python worker: metric %s total %g is not a finite value >= 0",
                     m < c->n_metrics ? c->metric[m] : "?", v);
            return -1;
        }
        totals[m] += (uint64_t)llround(v);
    }
    if (m != c->n_metrics) {
        snprintf(err, errlen, "python worker: %d totals for %d metrics in '%.200s'", m,
                 c->n_metrics, line);
        return -1;
    }
    return 0;
}

int tvp_pybridge_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen)
{
    struct tvp_pyproc *p = &((struct bridge *)state)->p;
    char line[LINE_MAX_LEN];
    snprintf(line, sizeof line, "run %llu", (unsigned long long)iters);
    if (tvp_pyproc_send(p, line, err, errlen) != 0)
        return -1;
    for (;;) {
        if (tvp_pyproc_readline(p, line, sizeof line, -1, err, errlen) != 0)
            return -1;
        if (side_line(line))
            continue;
        if (!strncmp(line, "ok ", 3))
            return parse_ok(c, line, totals, err, errlen);
        snprintf(err, errlen, "%s", !strncmp(line, "error ", 6) ? line + 6 : line);
        return -1;
    }
}

void tvp_pybridge_teardown(const struct tvp_case *c, void *state)
{
    struct bridge *b = state;
    if (!b)
        return;
    /* Pools and managers take a moment to shut down; past 10 s it is killed. */
    int status = tvp_pyproc_end(&b->p, 10000);
    if (status == -1)
        tvp_runner_note("the Python worker did not leave within 10 s of being asked and was "
                        "killed");
    else if (!tvp_child_ok(status))
        tvp_warn(0, "python %s/%s: the worker ended with status %d", c->benchmark, c->variant,
                 status);
    bridge_free(b);
}
