/* Temporary files: where they go, and removing a folder with what it holds (a case's own
 * teardown; after a kill, leftovers.c removes what the case reported creating). */
#ifndef TVP_LEFTOVER_FILES_H
#define TVP_LEFTOVER_FILES_H

/* Removes path and, when it is a folder, everything in it (not following symbolic links).
 * Returns 0 or an error number. */
int tvp_remove_tree(const char *path);

/* The folder temporary files go to: $TMPDIR, else /tmp. */
const char *tvp_tmp_dir(void);

#endif
