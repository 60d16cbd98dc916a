/* Removes what a killed python-group case left behind. Its SharedMemory blocks in /dev/shm are
 * named "tvp-py-<creator pid>-<n>", and its temporary folder (the worker's TMPDIR, where
 * multiprocessing puts its pymp-* folders and listener sockets) is
 * "$TMPDIR/tvp-py-<case pid>-XXXXXX"; a clean exit removes both, a SIGKILL does not. The C
 * transports unlink their objects at once, so only these can outlive a kill. An entry whose
 * creator is still alive belongs to something still running and is spared. */
#ifndef TVP_PYTHON_SWEEP_H
#define TVP_PYTHON_SWEEP_H

#define TVP_PY_PREFIX "tvp-py-"

/* Removes (a folder with all it holds) every entry of dir named <prefix><pid>-... whose pid is
 * dead. Returns how many entries were removed. */
int tvp_python_sweep(const char *dir, const char *prefix);

/* Removes path and, when it is a folder, everything in it (not following symbolic links).
 * Returns 0 or an error number. */
int tvp_remove_tree(const char *path);

/* The folder temporary files go to: $TMPDIR, else /tmp. */
const char *tvp_tmp_dir(void);

#endif
