#define _GNU_SOURCE
#include "python_probe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claims.h"
#include "python_proc.h"

#ifndef TVP_PYTHON_DIR
#define TVP_PYTHON_DIR "bench/groups/python"
#endif

int tvp_python_which(const char *name, char *out, size_t len)
{
    if (strchr(name, '/')) {
        if (access(name, X_OK) != 0)
            return -1;
        snprintf(out, len, "%s", name);
        return 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char cand[PATH_MAX];
        if (n > 0 && n + strlen(name) + 2 < sizeof cand) {
            snprintf(cand, sizeof cand, "%.*s/%s", (int)n, path, name);
            if (access(cand, X_OK) == 0) {
                snprintf(out, len, "%s", cand);
                return 0;
            }
        }
        path += n;
        if (*path == ':')
            path++;
    }
    return -1;
}

/* Runs "<path> tvp_worker.py --probe" and reads its "key value" lines. */
static int probe_one(const char *path, const char *script_dir, struct tvp_python_interp *in,
                     char *err, size_t errlen)
{
    memset(in, 0, sizeof *in);
    snprintf(in->path, sizeof in->path, "%s", path);
    char script[PATH_MAX + 32];
    snprintf(script, sizeof script, "%s/tvp_worker.py", script_dir);
    char *argv[] = {(char *)path, "-B", script, "--probe", NULL}; /* -B: no __pycache__ */
    struct tvp_pyproc p;
    if (tvp_pyproc_start(&p, argv, NULL, err, errlen) != 0)
        return -1;
    char line[512];
    int got_version = 0, rc = 0;
    /* 20 s: a cold interpreter on a loaded machine imports multiprocessing slowly. */
    while (tvp_pyproc_readline(&p, line, sizeof line, 20000, err, errlen) == 0) {
        char *val = strchr(line, ' ');
        if (!val)
            continue;
        *val++ = '\0';
        if (!strcmp(line, "version")) {
            snprintf(in->version, sizeof in->version, "%s", val);
            got_version = 1;
        } else if (!strcmp(line, "gil")) {
            snprintf(in->gil, sizeof in->gil, "%s", val);
        } else if (!strcmp(line, "free_threaded_build")) {
            in->free_threaded_build = !strcmp(val, "True");
        } else if (!strcmp(line, "start_methods")) {
            snprintf(in->start_methods, sizeof in->start_methods, "%s", val);
        } else if (!strcmp(line, "executable")) {
            /* The interpreter itself, not a wrapper (a pyenv shim is a shell script): every
             * worker start then skips the wrapper. */
            if (val[0] == '/' && access(val, X_OK) == 0)
                snprintf(in->path, sizeof in->path, "%s", val);
        } else if (!strcmp(line, "flags")) {
            snprintf(in->flags, sizeof in->flags, "%s", val);
        } else if (!strcmp(line, "build")) {
            snprintf(in->build, sizeof in->build, "%s", val);
        }
    }
    int status = tvp_pyproc_end(&p, 2000);
    if (!got_version || status != 0) {
        if (got_version || !err[0] || strstr(err, "ended"))
            snprintf(err, errlen, "%s --probe failed (exit status %d; its stderr above)", path,
                     status);
        rc = -1;
    }
    return rc;
}

void tvp_python_probe(const char *requested, struct tvp_python_env *env)
{
    memset(env, 0, sizeof *env);
    const char *dir = getenv("TVP_PYTHON_DIR");
    snprintf(env->script_dir, sizeof env->script_dir, "%s", dir && *dir ? dir : TVP_PYTHON_DIR);
    char script[PATH_MAX + 32];
    snprintf(script, sizeof script, "%s/tvp_worker.py", env->script_dir);
    if (access(script, R_OK) != 0) {
        snprintf(env->missing, sizeof env->missing, "%.200s not readable (%s)", script,
                 strerror(errno));
        return;
    }
    const char *name = requested && *requested ? requested : "python3";
    char path[PATH_MAX];
    if (tvp_python_which(name, path, sizeof path) != 0) {
        snprintf(env->missing, sizeof env->missing, "%s not found%s", name,
                 strchr(name, '/') ? " (or not executable)" : " on PATH");
        return;
    }
    char err[300] = "";
    if (probe_one(path, env->script_dir, &env->main, err, sizeof err) != 0) {
        snprintf(env->missing, sizeof env->missing, "%.100s does not run: %.180s", path, err);
        return;
    }
    env->found = 1;
    if (!strcmp(env->main.gil, "disabled")) {
        snprintf(env->free_note, sizeof env->free_note, "%.250s itself runs without the GIL", path);
        return;
    }
    /* A free-threaded build is a separate executable (python3.13t ...), never the default. */
    static const char *const names[] = {"python3.13t", "python3.14t", "python3.15t", "python3.16t",
                                        "python3t"};
    snprintf(env->free_note, sizeof env->free_note,
             "no free-threaded build found (looked on PATH for python3.13t .. python3.16t, "
             "python3t)");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char fpath[PATH_MAX];
        if (tvp_python_which(names[i], fpath, sizeof fpath) != 0)
            continue;
        struct tvp_python_interp in;
        if (probe_one(fpath, env->script_dir, &in, err, sizeof err) != 0) {
            snprintf(env->free_note, sizeof env->free_note, "%.100s passed over: %.180s", fpath,
                     err);
            continue;
        }
        if (strcmp(in.gil, "disabled") != 0) {
            /* PYTHON_GIL=1 or an extension re-enabled it: it would measure a GIL build again. */
            snprintf(env->free_note, sizeof env->free_note,
                     "%.200s passed over: its GIL is enabled (PYTHON_GIL set?)", fpath);
            continue;
        }
        env->free = in;
        env->has_free = 1;
        env->free_note[0] = '\0';
        return;
    }
}

void tvp_python_describe(const struct tvp_python_env *env, char *buf, size_t len)
{
    if (!env->found) {
        snprintf(buf, len, "not measured: %s", env->missing);
        return;
    }
    snprintf(buf, len, "CPython %s (%s), GIL %s, start methods: %s, build %s [%s]",
             env->main.version, env->main.path, env->main.gil, env->main.start_methods,
             env->main.build, env->main.flags);
    if (env->has_free)
        tvp_appendf(buf, len, "; free-threaded build: CPython %s (%s), GIL %s", env->free.version,
                    env->free.path, env->free.gil);
    else
        tvp_appendf(buf, len, "; %s", env->free_note);
}
