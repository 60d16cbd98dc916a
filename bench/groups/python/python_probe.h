/* Which Python the python group measures: the interpreter (--python, else python3 on PATH), its
 * version, GIL state and start methods as it reports them itself (tvp_worker.py --probe), and a
 * free-threaded build (python3.13t and later on PATH) when the machine has one. */
#ifndef TVP_PYTHON_PROBE_H
#define TVP_PYTHON_PROBE_H

#include <limits.h>
#include <stddef.h>

struct tvp_python_interp {
    char path[PATH_MAX];
    char version[32];
    char gil[16]; /* "enabled" or "disabled", as sys._is_gil_enabled() says (3.13+) */
    int free_threaded_build;
    char start_methods[64]; /* space-separated, as multiprocessing offers them */
    char build[200];
    char flags[240]; /* Py_GIL_DISABLED, Py_DEBUG and the configure arguments */
};

struct tvp_python_env {
    int found;
    char missing[300]; /* when !found: why ("python3 not found on PATH") */
    struct tvp_python_interp main;
    int has_free;
    struct tvp_python_interp free; /* a build running without the GIL, when has_free */
    char free_note[300];           /* what was looked for, or why a candidate was passed over */
    char script_dir[PATH_MAX];     /* where tvp_worker.py is */
};

/* requested: --python's value (a path, or a name looked up on PATH), NULL for "python3".
 * Fills env; never fails: a missing interpreter is env->found == 0 with the reason. */
void tvp_python_probe(const char *requested, struct tvp_python_env *env);

/* Looks name up on PATH (or checks it when it contains '/'); returns 0 with the path in out. */
int tvp_python_which(const char *name, char *out, size_t len);

/* One line for the log and meta.json: interpreter, version, GIL, start methods, free build. */
void tvp_python_describe(const struct tvp_python_env *env, char *buf, size_t len);

#endif
