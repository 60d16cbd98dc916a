#define _GNU_SOURCE
#include "leftover_files.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tvp_err.h"

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

int tvp_sweep_dead_owner(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            tvp_warn(errno, "sweeping %s: opening it", dir);
        return 0;
    }
    int removed = 0;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, plen) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + plen, &end, 10);
        if (end == e->d_name + plen || *end != '-' || pid <= 0)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* its creator lives (or is not ours to judge) */
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        int rc = tvp_remove_tree(path);
        if (rc == 0)
            removed++;
        else
            tvp_warn(rc, "sweeping %s: removing %s", dir, e->d_name);
    }
    closedir(d);
    return removed;
}
