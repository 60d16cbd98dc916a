/* The chunk loops of the transports whose kernel object carries less than a message at once
 * (socketpair-dgram, posix-mq, sysv-mq; see tvp_ipc.h): send(len) goes as consecutive kernel
 * messages of chunk bytes, the last shorter, and recv(len) takes the same chunks in order.
 *
 * The loops own what the three have in common: the offset and chunk arithmetic, trying a chunk
 * again after an interrupted call or a wait slice that ended with the peer alive, and the words
 * of the three failures every transport reports alike (peer ended after so many bytes, a kernel
 * message of the wrong size). The transport supplies the step that moves one chunk through its
 * kernel object, with whatever state its waiting needs for the call (a deadline, a last look)
 * in ctx, and words its own system-call errors. One call of the step per chunk: next to the
 * system call that moves the chunk, the indirect call costs nothing to see. */
#ifndef TVP_MSG_CHUNKS_H
#define TVP_MSG_CHUNKS_H

#include "ipc_common.h"

#include <stddef.h>

/* A step's "the chunk did not move: try it again" (as is EINTR). */
#define TVP_IPC_AGAIN (-1)

/* Sends one chunk of n bytes. Returns 0 when it went whole, TVP_IPC_AGAIN or EINTR to try it
 * again, EPIPE when the peer has ended, or another error number with its message in err. */
typedef int (*tvp_ipc_put_fn)(void *ctx, const char *chunk, size_t n, char *err, size_t errlen);

/* Receives one chunk of n bytes into chunk. Returns as put, and 0 with *got = the size of the
 * kernel message it took (SIZE_MAX: larger than n), which the loop refuses unless it is n. */
typedef int (*tvp_ipc_get_fn)(void *ctx, char *chunk, size_t n, size_t *got, char *err,
                              size_t errlen);

/* Sends buf[0..len) from side as chunks of at most h->chunk bytes, one put each. Returns 0,
 * EPIPE ("<name>: send <len> bytes from side <side>: peer ended after <n> bytes") or put's
 * error. */
int tvp_ipc_send_chunks(const struct tvp_ipc_head *h, int side, const void *buf, size_t len,
                        tvp_ipc_put_fn put, void *ctx, char *err, size_t errlen);

/* Receives buf[0..len) on side as chunks of at most h->chunk bytes, one get each. Returns 0,
 * EPIPE, EBADMSG for a kernel message of another size than expected (nothing is ever silently
 * truncated), or get's error. */
int tvp_ipc_recv_chunks(const struct tvp_ipc_head *h, int side, void *buf, size_t len,
                        tvp_ipc_get_fn get, void *ctx, char *err, size_t errlen);

#endif
