/* Files written under a temporary name in the same folder and renamed into place when complete,
 * so an interrupted run never leaves a half-written file that looks whole. */
#ifndef TVP_ATOMIC_FILE_H
#define TVP_ATOMIC_FILE_H

#include <limits.h>
#include <stdio.h>

struct tvp_afile {
    FILE *f;
    char path[PATH_MAX];
    char tmp[PATH_MAX + 16];
};

/* Returns 0 or an error number (message printed). */
int tvp_afile_open(struct tvp_afile *a, const char *path);
/* Flushes, closes and renames; on any failure removes the temporary file. Returns 0 or an error
 * number (message printed). */
int tvp_afile_commit(struct tvp_afile *a);
/* Opens dir/<name>.dat for writing chart data (the same as tvp_afile_open on that path). */
int tvp_chart_open(struct tvp_afile *a, const char *dir, const char *name);

/* Closes and removes the temporary file. */
void tvp_afile_abort(struct tvp_afile *a);

#endif
