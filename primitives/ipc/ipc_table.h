/* Every transport of primitives/ipc, in the order the ipc group measures and charts them. */
#ifndef TVP_IPC_TABLE_H
#define TVP_IPC_TABLE_H

#include <stddef.h>

#include "tvp_ipc.h"

extern const struct tvp_ipc_transport *const tvp_ipc_transports[];
extern const size_t tvp_ipc_transports_len;

/* The transport named name, or NULL. */
const struct tvp_ipc_transport *tvp_ipc_transport_find(const char *name);

#endif
