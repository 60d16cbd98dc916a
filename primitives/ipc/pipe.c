/* Transport "pipe": two anonymous pipes, one per direction (what multiprocessing.Pipe(duplex=
 * False) builds twice), at the kernel's default capacity (64 KiB on Linux) so the benchmark
 * measures the pipe as programs get it. Everything but open is the descriptor engine
 * (fd_stream.c); a dead peer is end of file or EPIPE because attach leaves each process only
 * its own ends. */
#define _GNU_SOURCE

#include "fd_stream.h"
#include "ipc_fd_transports.h"
#include "tvp_err.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#define NAME "pipe"

static int pipe_open(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err,
                     size_t errlen)
{
    int e = tvp_fd_check_cfg(NAME, cfg, err, errlen);
    if (e != 0)
        return e;
    int to1[2], to0[2]; /* [0] read end, [1] write end */
    if (pipe2(to1, O_CLOEXEC) != 0) {
        e = errno;
        tvp_errfmt(err, errlen, e, NAME ": open: pipe2 (side 0 to side 1)");
        return e;
    }
    if (pipe2(to0, O_CLOEXEC) != 0) {
        e = errno;
        tvp_fd_close_all(to1, 2);
        tvp_errfmt(err, errlen, e, NAME ": open: pipe2 (side 1 to side 0)");
        return e;
    }
    return tvp_fd_pair_new(out, NAME, cfg, to0[0], to1[1], to1[0], to0[1], err, errlen);
}

const struct tvp_ipc_transport tvp_ipc_pipe = {
    .name = NAME,
    .description = "two anonymous pipes, one per direction (default 64 KiB capacity)",
    .open = pipe_open,
    .attach = tvp_fd_attach,
    .send = tvp_fd_send,
    .recv = tvp_fd_recv,
    .detach = tvp_fd_detach,
    .close = tvp_fd_close,
    .chunk = tvp_fd_chunk,
};
