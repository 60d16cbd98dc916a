/* The ipc group's measuring engine (claims C4, C12, C13): two sides, threads or processes, each
 * bound to its PU, exchange messages through one transport of primitives/ipc/tvp_ipc.h.
 *
 * "pingpong": side 0 sends a message of `bytes`, side 1 receives it, checks it and sends it
 * back; side 0 receives and checks it. Each round trip is timed on its own: metrics rtt (mean),
 * rtt-p50 and rtt-p99 over the batch's round trips (ns, the timer's own cost taken out), and cpu
 * (user + system time of both sides per round trip, from getrusage: a busy-polling transport
 * pays here what it saves in latency).
 * "stream": side 0 sends the batch's messages one after another, side 1 receives and checks
 * each, then answers with one 8-byte acknowledgement; timed on side 0 from the first send to the
 * acknowledgement. Metrics per-msg (ns per message: MiB/s = bytes / per-msg * 1e9 / 2^20) and cpu.
 * "memcpy": one task copies `bytes` between two buffers; per-copy ns. Variant "memcpy" at the
 * message sizes, where source and destinations stay in the caches (the in-cache ceiling), and
 * "memcpy-memory" at one size several times the last-level cache, which runs from memory (so
 * nobody reads the first as the machine's memory bandwidth).
 *
 * Variant: a transport's name, or "spsc-pointer": the thread baseline for C4, where side 0
 * hands side 1 a pointer to the message through an in-memory SPSC ring (no copy; side 1 checks
 * the message where it lies and hands the pointer back through a second ring).
 *
 * Every received message is checked in full, in the timed loop, by every variant alike (the
 * receiver reads what it received, as any user of the data would): its sequence number at both
 * ends and a sum of all its 64-bit words. A failed check fails the figure.
 *
 * The transport is opened in set-up and side 1 (a thread, or a forked child) lives for the whole
 * case, parked on a futex between batches; the harness's counters, which follow only tasks
 * started after they open, therefore count side 0 alone: the cpu metric counts both. */
#ifndef TVP_IPC_RUN_H
#define TVP_IPC_RUN_H

#include "group.h"

#define TVP_IPC_POINTER       "spsc-pointer"
#define TVP_IPC_ARENA         "shm-arena" /* the same hand-off between processes */
#define TVP_IPC_MEMCPY        "memcpy"
#define TVP_IPC_MEMCPY_MEMORY "memcpy-memory"

/* For tests only: when set, side 1 flips one byte of message 1 before checking it, so a test
 * can show that a damaged message fails the batch. */
extern int tvp_ipcb_fault;

int tvp_ipcb_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_ipcb_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
                 size_t errlen);
void tvp_ipcb_teardown(const struct tvp_case *c, void *state);

#endif
