/* Transport "pipe": two anonymous pipes, one per direction (what multiprocessing.Pipe(duplex=
 * False) builds twice), at the kernel's default capacity (64 KiB on Linux) so the benchmark
 * measures the pipe as programs get it. Everything but making the pipes is the descriptor
 * engine (fd_stream.c); a dead peer is end of file or EPIPE because attach leaves each process
 * only its own ends. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"

#include <fcntl.h>
#include <unistd.h>

#define NAME "pipe"

static int make_pipes(int fd[4], char *err, size_t errlen)
{
    int to1[2], to0[2]; /* [0] read end, [1] write end */
    if (pipe2(to1, O_CLOEXEC) != 0)
        return tvp_ipc_errno(err, errlen, NAME ": open: pipe2 (side 0 to side 1)");
    if (pipe2(to0, O_CLOEXEC) != 0) {
        int e = tvp_ipc_errno(err, errlen, NAME ": open: pipe2 (side 1 to side 0)");
        (void)tvp_ipc_close_fds(to1, 2);
        return e;
    }
    fd[0] = to0[0]; /* side 0 reads what side 1 writes */
    fd[1] = to1[1];
    fd[2] = to1[0];
    fd[3] = to0[1];
    return 0;
}

TVP_FD_TRANSPORT(tvp_ipc_pipe, NAME,
                 "two anonymous pipes, one per direction (default 64 KiB capacity)", make_pipes);
