/* Transport "fifo": two named FIFOs, one per direction, that exist by name only inside open.
 * open makes a private directory (mkdtemp, mode 0700) under $TMPDIR or /tmp named after
 * tvp_ipc_name, creates the two FIFOs in it (mkfifo 0600, which fails rather than reuse a
 * name), opens both ends of each, then unlinks both and removes the directory: from then on it
 * is a pair of pipes, and a SIGKILL leaves nothing in the file system. Any failure undoes what
 * was made.
 *
 * Opening both ends in one process: open(O_RDONLY) of a FIFO blocks until a writer comes, so
 * the read end is opened O_NONBLOCK first (which succeeds without a writer), then the write end
 * (which succeeds because a reader now exists), and O_NONBLOCK is cleared so reads block as a
 * pipe's do. Everything but making the FIFOs is the descriptor engine (fd_stream.c), peer death
 * included.
 */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NAME "fifo"

/* Opens the FIFO at path for reading (*r) and writing (*w), leaving *r blocking. */
static int open_ends(const char *path, int *r, int *w, char *err, size_t errlen)
{
    *r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (*r < 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: opening %s for reading", path);
    *w = open(path, O_WRONLY | O_CLOEXEC);
    if (*w < 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: opening %s for writing", path);
    int fl = fcntl(*r, F_GETFL);
    if (fl < 0 || fcntl(*r, F_SETFL, fl & ~O_NONBLOCK) != 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: clearing O_NONBLOCK on %s", path);
    return 0;
}

static int make_fifos(int fd[4], char *err, size_t errlen)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    char name[64], dir[PATH_MAX], path[2][PATH_MAX + 8]; /* + "/0to1" */
    int e;
    if ((e = tvp_ipc_name(name, sizeof name, "fifo")) != 0) {
        tvp_errfmt(err, errlen, e, NAME ": open: naming the directory");
        return e;
    }
    int w = snprintf(dir, sizeof dir, "%s%s-XXXXXX", tmp, name); /* name starts with '/' */
    if (w < 0 || (size_t)w >= sizeof dir - 8) {
        tvp_errfmt(err, errlen, ENAMETOOLONG, NAME ": open: directory under %s", tmp);
        return ENAMETOOLONG;
    }
    if (mkdtemp(dir) == NULL)
        return tvp_ipc_errno(err, errlen, NAME ": open: mkdtemp %s", dir);
    /* fds: [0] read end 0->1, [1] write end 0->1, [2] read end 1->0, [3] write end 1->0 */
    int fds[4] = {-1, -1, -1, -1}, made = 0;
    for (int i = 0; i < 2; i++) {
        snprintf(path[i], sizeof path[i], "%s/%s", dir, i == 0 ? "0to1" : "1to0");
        if (mkfifo(path[i], 0600) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: mkfifo %s", path[i]);
            goto fail;
        }
        made++;
    }
    for (int i = 0; i < 2; i++)
        if ((e = open_ends(path[i], &fds[2 * i], &fds[2 * i + 1], err, errlen)) != 0)
            goto fail;
    /* Both ends are held: the names have served their purpose. */
    for (; made > 0; made--)
        if (unlink(path[made - 1]) != 0) {
            e = tvp_ipc_errno(err, errlen, NAME ": open: unlink %s", path[made - 1]);
            goto fail;
        }
    if (rmdir(dir) != 0) {
        e = tvp_ipc_errno(err, errlen, NAME ": open: rmdir %s", dir);
        (void)tvp_ipc_close_fds(fds, 4);
        return e;
    }
    fd[0] = fds[2]; /* side 0 reads 1->0 and writes 0->1 */
    fd[1] = fds[1];
    fd[2] = fds[0];
    fd[3] = fds[3];
    return 0;

fail:
    (void)tvp_ipc_close_fds(fds, 4);
    while (made > 0)
        (void)unlink(path[--made]); /* the error to report is the one above */
    (void)rmdir(dir);
    return e;
}

TVP_FD_TRANSPORT(tvp_ipc_fifo, NAME,
                 "two named FIFOs (mkfifo), one per direction, unlinked once open", make_fifos);
