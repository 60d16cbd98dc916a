#define _GNU_SOURCE
#include "leftovers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tvp_created.h"
#include "tvp_err.h"

static int alive(pid_t pid)
{
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

/* Removes one System V object the case reported, when it is still this user's and no live
 * process the kernel records as its user remains (the case's own are dead by now). */
static int remove_sysv(const char *kind, const char *what)
{
    char *end;
    long id = strtol(what, &end, 10);
    if (end == what || *end || id < 0 || id > INT_MAX)
        return 0;
    uid_t me = geteuid();
    int rc;
    if (!strcmp(kind, TVP_CREATED_SYSV_SEM)) {
        struct semid_ds ds;
        union {
            int val;
            struct semid_ds *buf;
        } arg = {.buf = &ds};
        if (semctl((int)id, 0, IPC_STAT, arg) != 0 || ds.sem_perm.uid != me ||
            alive(semctl((int)id, 0, GETPID)))
            return 0;
        rc = semctl((int)id, 0, IPC_RMID);
    } else if (!strcmp(kind, TVP_CREATED_SYSV_MSG)) {
        struct msqid_ds ds;
        if (msgctl((int)id, IPC_STAT, &ds) != 0 || ds.msg_perm.uid != me || alive(ds.msg_lspid) ||
            alive(ds.msg_lrpid))
            return 0;
        rc = msgctl((int)id, IPC_RMID, NULL);
    } else {
        struct shmid_ds ds;
        if (shmctl((int)id, IPC_STAT, &ds) != 0 || ds.shm_perm.uid != me || alive(ds.shm_cpid) ||
            alive(ds.shm_lpid))
            return 0;
        rc = shmctl((int)id, IPC_RMID, NULL);
    }
    if (rc != 0 && errno != EINVAL && errno != EIDRM) {
        tvp_warn(errno, "removing a leftover System V object (%s %ld)", kind, id);
        return 0;
    }
    return rc == 0;
}

const char *tvp_tmp_dir(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

int tvp_remove_tree_at(int dirfd, const char *name)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : errno;
    if (!S_ISDIR(st.st_mode))
        return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : errno;
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno;
    DIR *d = fdopendir(fd);
    if (!d) {
        int e = errno;
        close(fd);
        return e;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            rc = tvp_remove_tree_at(fd, e->d_name);
    closedir(d);
    if (rc == 0 && unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
        rc = errno;
    return rc;
}

/* Removes path's last component from its folder when it is this user's (and of the expected
 * type), through a descriptor of the folder, so a link planted in the path's place is removed
 * as a link at most, never followed. */
static int remove_owned(const char *path, int want_dir)
{
    const char *slash = strrchr(path, '/');
    if (!slash || !slash[1] || strstr(path, "/../") || !strcmp(slash, "/.."))
        return 0;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return 0;
    struct stat st;
    int removed = 0;
    if (fstatat(dfd, slash + 1, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_uid == geteuid() &&
        (want_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode))) {
        int rc = tvp_remove_tree_at(dfd, slash + 1);
        if (rc)
            tvp_warn(rc, "removing the leftover %s", path);
        removed = rc == 0;
    }
    close(dfd);
    return removed;
}

void tvp_leftovers_remove(const char *records, struct tvp_leftovers_removed *n)
{
    while (records && *records) {
        const char *eol = strchr(records, '\n');
        size_t len = eol ? (size_t)(eol - records) : strlen(records);
        char line[PATH_MAX + 32];
        if (len < sizeof line) {
            memcpy(line, records, len);
            line[len] = '\0';
            char *what = strchr(line, ' ');
            if (what) {
                *what++ = '\0';
                if (!strncmp(line, "sysv-", 5))
                    n->sysv += remove_sysv(line, what);
                else if (!strcmp(line, TVP_CREATED_POSIX_SHM) && what[0] == '/' &&
                         !strchr(what + 1, '/')) {
                    char path[PATH_MAX];
                    snprintf(path, sizeof path, "/dev/shm%s", what);
                    n->posix_shm += remove_owned(path, 0);
                } else if (!strcmp(line, TVP_CREATED_TMP_DIR) && what[0] == '/')
                    n->tmp_dirs += remove_owned(what, 1);
            }
        }
        records = eol ? eol + 1 : NULL;
    }
}
