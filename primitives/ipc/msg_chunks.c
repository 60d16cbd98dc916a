/* The chunk loops of the message transports: see msg_chunks.h. */
#include "msg_chunks.h"
#include "tvp_err.h"

#include <errno.h>
#include <stdint.h>

int tvp_ipc_send_chunks(const struct tvp_ipc_head *h, int side, const void *buf, size_t len,
                        tvp_ipc_put_fn put, void *ctx, char *err, size_t errlen)
{
    const char *name = h->name;
    size_t chunk = h->chunk;
    const char *b = buf;
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk;
        int e = put(ctx, b + off, n, err, errlen);
        if (e == 0) {
            off += n;
        } else if (e == EPIPE) {
            tvp_errfmt(err, errlen, 0,
                       "%s: send %zu bytes from side %d: peer ended after %zu bytes", name, len,
                       side, off);
            return EPIPE;
        } else if (e != TVP_IPC_AGAIN && e != EINTR) {
            return e;
        }
    }
    return 0;
}

int tvp_ipc_recv_chunks(const struct tvp_ipc_head *h, int side, void *buf, size_t len,
                        tvp_ipc_get_fn get, void *ctx, char *err, size_t errlen)
{
    const char *name = h->name;
    size_t chunk = h->chunk;
    char *b = buf;
    for (size_t off = 0; off < len;) {
        size_t n = len - off < chunk ? len - off : chunk, got = n;
        int e = get(ctx, b + off, n, &got, err, errlen);
        if (e == 0 && got == n) {
            off += n;
        } else if (e == 0) {
            if (got == SIZE_MAX)
                tvp_errfmt(err, errlen, 0,
                           "%s: recv on side %d: a message of more than %zu bytes where %zu were "
                           "expected",
                           name, side, n, n);
            else
                tvp_errfmt(err, errlen, 0,
                           "%s: recv on side %d: a message of %zu bytes where %zu were expected",
                           name, side, got, n);
            return EBADMSG;
        } else if (e == EPIPE) {
            tvp_errfmt(err, errlen, 0, "%s: recv %zu bytes on side %d: peer ended after %zu bytes",
                       name, len, side, off);
            return EPIPE;
        } else if (e != TVP_IPC_AGAIN && e != EINTR) {
            return e;
        }
    }
    return 0;
}
