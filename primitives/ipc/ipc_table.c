#include "ipc_table.h"

#include <string.h>

#include "ipc_fd_transports.h"
#include "ipc_shm_transports.h"

/* Kernel byte streams first, then message queues, then shared memory, then the
 * multiprocessing analogues built on them, then the outside reference. */
const struct tvp_ipc_transport *const tvp_ipc_transports[] = {
    &tvp_ipc_pipe,
    &tvp_ipc_fifo,
    &tvp_ipc_socketpair_stream,
    &tvp_ipc_socketpair_dgram,
    &tvp_ipc_posix_mq,
    &tvp_ipc_sysv_mq,
    &tvp_ipc_eventfd_shm,
    &tvp_ipc_shm_ring_futex,
    &tvp_ipc_shm_ring_poll,
    &tvp_ipc_shm_line_poll,
    &tvp_ipc_shm_arena,
    &tvp_ipc_mp_queue,
    &tvp_ipc_manager_dict,
    &tvp_ipc_tcp_loopback,
};
const size_t tvp_ipc_transports_len = sizeof tvp_ipc_transports / sizeof tvp_ipc_transports[0];

const struct tvp_ipc_transport *tvp_ipc_transport_find(const char *name)
{
    for (size_t i = 0; i < tvp_ipc_transports_len; i++)
        if (strcmp(tvp_ipc_transports[i]->name, name) == 0)
            return tvp_ipc_transports[i];
    return NULL;
}
