/* The shared-memory transports and the analogues of Python's multiprocessing Queue and Manager
 * (see tvp_ipc.h for the interface, each file for its design):
 *
 *   eventfd-shm     a message buffer per direction in shared memory, handed over with two
 *                   eventfds (full, empty) per direction (eventfd_shm.c);
 *   shm-ring-futex  a byte ring per direction in shared memory; a waiting side spins briefly,
 *                   then sleeps on a futex (shm_ring.c, shm_ring_futex.c);
 *   shm-ring-poll   the same ring; a waiting side busy-polls (shm_ring.c, shm_ring_poll.c);
 *   shm-line-poll   a busy-polling ring of one-line slots, sequence and payload in the same line:
 *                   the cache-line floor (shm_line_ring.c);
 *   shm-arena       zero-copy: a message written in place in a shared arena, its offset handed
 *                   over through the threads' SPSC ring in shared memory (shm_arena.c);
 *   mp-queue        multiprocessing.Queue: a pipe per direction, process-shared reader and
 *                   writer locks, and a feeder thread per sending side (mp_queue.c);
 *   manager-dict    multiprocessing.Manager().dict(): a server process holding a dictionary,
 *                   one request/reply per send and per recv (manager_dict.c, manager_server.c). */
#ifndef TVP_IPC_SHM_TRANSPORTS_H
#define TVP_IPC_SHM_TRANSPORTS_H

#include "tvp_ipc.h"

extern const struct tvp_ipc_transport tvp_ipc_eventfd_shm;
extern const struct tvp_ipc_transport tvp_ipc_shm_ring_futex;
extern const struct tvp_ipc_transport tvp_ipc_shm_ring_poll;
extern const struct tvp_ipc_transport tvp_ipc_shm_line_poll;
extern const struct tvp_ipc_transport tvp_ipc_shm_arena;
extern const struct tvp_ipc_transport tvp_ipc_mp_queue;
extern const struct tvp_ipc_transport tvp_ipc_manager_dict;

#endif
