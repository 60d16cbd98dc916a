#define _GNU_SOURCE
#include "leftover_files.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

const char *tvp_tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 || errno == ENOENT ? 0 : errno;
}

int tvp_remove_tree(const char *path)
{
    /* Depth first, so a folder is empty when its turn comes; physical: never follow a link. */
    int rc = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (rc < 0)
        return errno == ENOENT ? 0 : errno;
    return rc;
}
