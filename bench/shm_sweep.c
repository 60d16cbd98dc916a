#define _GNU_SOURCE
#include "shm_sweep.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tvp_err.h"

int tvp_shm_sweep(const char *dir, const char *prefix)
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
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (unlink(path) == 0)
            removed++;
        else if (errno != ENOENT)
            tvp_warn(errno, "sweeping %s: removing %s", dir, e->d_name);
    }
    closedir(d);
    return removed;
}
