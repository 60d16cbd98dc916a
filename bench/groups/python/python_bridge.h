/* A python-group case as the harness sees it: set-up starts the case's Python worker
 * (bench/groups/python/tvp_worker.py) and waits for "ready"; each batch sends "run N" and turns the
 * reply into the case's metric totals; teardown asks the worker to leave and reaps it. The
 * worker's CPU time of each batch is added to the case's cpu figure (the harness's getrusage does
 * not see a child it has not reaped); notes and PUs it reports go to the figure's note and cpus
 * columns. */
#ifndef TVP_PYTHON_BRIDGE_H
#define TVP_PYTHON_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "group.h"

/* How to start a case's worker: filled by the python group (bench/groups/python/python.c). */
struct tvp_py_launch {
    const char *interpreter;
    const char *script_dir;
    const char *module; /* tvpy.<module> */
    int quick;
    double switch_interval_s;
};
int tvp_python_launch_of(const struct tvp_case *c, struct tvp_py_launch *l);

/* The prefix of what a case creates outside its processes: SharedMemory blocks
 * "/dev/shm/tvp-py-<creator pid>-<n>" (tvpy/ipc.py) and the worker's TMPDIR
 * "$TMPDIR/tvp-py-<case pid>-XXXXXX". Both are reported as created (tvp_created.h), so after a
 * kill the supervisor removes exactly those. */
#define TVP_PY_PREFIX "tvp-py-"

int tvp_pybridge_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_pybridge_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                     char *err, size_t errlen);
void tvp_pybridge_teardown(const struct tvp_case *c, void *state);

#endif
