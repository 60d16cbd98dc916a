/* The transports of the descriptor and message-queue family (ipc group, claims C4, C12, C13):
 * byte streams over a pipe, named FIFOs, a stream socketpair and TCP on loopback (fd_stream.c);
 * datagrams over a socketpair; POSIX and System V message queues. ipc_table.c lists them. */
#ifndef TVP_IPC_FD_TRANSPORTS_H
#define TVP_IPC_FD_TRANSPORTS_H

#include "tvp_ipc.h"

extern const struct tvp_ipc_transport tvp_ipc_pipe;
extern const struct tvp_ipc_transport tvp_ipc_fifo;
extern const struct tvp_ipc_transport tvp_ipc_socketpair_stream;
extern const struct tvp_ipc_transport tvp_ipc_tcp_loopback;
extern const struct tvp_ipc_transport tvp_ipc_socketpair_dgram;
extern const struct tvp_ipc_transport tvp_ipc_posix_mq;
extern const struct tvp_ipc_transport tvp_ipc_sysv_mq;

/* For tests only: tcp-loopback's open first connects this many sockets of its own to the
 * listener before the real connecting end, as another program on the machine could, so a test
 * can see them refused and the right connection kept. */
extern int tvp_ipc_tcp_fault_strangers;

#endif
