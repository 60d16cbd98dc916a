#define _GNU_SOURCE
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "tvp_err.h"

int tvp_afile_open(struct tvp_afile *a, const char *path)
{
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        tvp_warn(e, "creating a temporary file for %s", path);
        return e;
    }
    /* Results are for reading by anyone who may read the folder, unlike IPC objects. */
    if (fchmod(fd, 0644) != 0)
        tvp_warn(errno, "setting the mode of %s", a->tmp);
    a->f = fdopen(fd, "w");
    if (!a->f) {
        int e = errno;
        tvp_warn(e, "opening %s", a->tmp);
        close(fd);
        unlink(a->tmp);
        return e;
    }
    return 0;
}

int tvp_afile_commit(struct tvp_afile *a)
{
    int e = 0;
    if (fflush(a->f) != 0 || ferror(a->f))
        e = errno ? errno : EIO;
    if (fclose(a->f) != 0 && !e)
        e = errno;
    a->f = NULL;
    if (!e && rename(a->tmp, a->path) != 0)
        e = errno;
    if (e) {
        tvp_warn(e, "writing %s", a->path);
        unlink(a->tmp);
    }
    return e;
}

void tvp_afile_abort(struct tvp_afile *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}

int tvp_chart_open(struct tvp_afile *a, const char *dir, const char *name)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof path, "%s/%s.dat", dir, name);
    if (n < 0 || (size_t)n >= sizeof path) {
        tvp_warn(ENAMETOOLONG, "chart data %s in %s", name, dir);
        return ENAMETOOLONG;
    }
    return tvp_afile_open(a, path);
}
