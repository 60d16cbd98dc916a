/* One interface for every inter-task transport the ipc group compares (claims C4, C12, C13):
 * open a pair, attach each side, send, receive, detach, close. Each transport lives in its own
 * file primitives/ipc/<name>.c and exports one `const struct tvp_ipc_transport`; the table in
 * ipc_table.c lists them.
 *
 * A pair has two sides, 0 and 1; each side can send to and receive from the other (ping-pong
 * and one-way streams use the same calls). One code path serves both models:
 *
 *   threads    open(processes = 0); attach(p, 0, 0) in one thread and attach(p, 1, 0) in another
 *              (or both in the opener before starting the threads); the sides run concurrently;
 *              detach each side; close.
 *   processes  open(processes = 1) in the parent; fork; the child calls attach(p, 1, getppid())
 *              and the parent attach(p, 0, child); each side works; the child calls detach(p, 1)
 *              and _exit()s; the parent calls detach(p, 0), reaps the child, then close(p).
 *
 * Messages: send(len) on one side is matched by recv(len) with the same len on the other; the
 * caller always knows the length (the benchmark uses one size per case). A transport whose
 * kernel object carries less than len in one message (POSIX mq msgsize_max, System V msgmax, a
 * datagram's buffer) splits the message into chunks and reassembles it; chunk() tells the
 * chunk size so the benchmark can say so. Nothing is ever silently truncated: a received
 * datagram or chunk of the wrong size is EBADMSG.
 *
 * Errors: every call returns 0 or an error number and writes "<transport>: what: why" into err.
 * In the process model a send or recv blocked on a peer that has ended returns EPIPE ("peer
 * ended") within about 100 ms, never hangs: descriptor transports see EOF/EPIPE because attach
 * closes the other side's descriptors; the others watch the peer through a pidfd
 * (ipc_common.h). A peer that is alive but stuck is the harness watchdog's business.
 *
 * Named kernel objects (FIFO paths, POSIX mq and shm names, System V queues, socket names) are
 * created exclusively (O_EXCL / IPC_EXCL), mode 0600, with a name unique to the process and
 * call (tvp_ipc_name), and removed as early as the protocol allows: most are unlinked inside
 * open as soon as both sides hold them, so even a SIGKILL leaves nothing behind; System V
 * queues, which cannot be unlinked while in use, are removed by close (and by the supervisor's
 * System V sweep after a killed case). */
#ifndef TVP_IPC_H
#define TVP_IPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tvp_ipc_pair; /* defined by each transport */

struct tvp_ipc_cfg {
    int processes;  /* 1: the sides will run in two processes (the caller forks after open) */
    size_t max_msg; /* the largest len any send/recv on this pair will use, in bytes (>= 1) */
};

struct tvp_ipc_transport {
    const char *name;        /* as in the CSV: "pipe", "posix-mq", "shm-ring-futex", ... */
    const char *description; /* one line for `tvpbench list` and the report */
    /* Creates the pair and every object both sides need (before any fork). */
    int (*open)(struct tvp_ipc_pair **out, const struct tvp_ipc_cfg *cfg, char *err, size_t errlen);
    /* Called once by the task that will use side (0 or 1), before its first send/recv. peer: the
     * other side's pid in the process model (watched for its end), 0 in the thread model. In the
     * process model it closes what belongs to the other side only. */
    int (*attach)(struct tvp_ipc_pair *p, int side, pid_t peer, char *err, size_t errlen);
    int (*send)(struct tvp_ipc_pair *p, int side, const void *buf, size_t len, char *err,
                size_t errlen);
    int (*recv)(struct tvp_ipc_pair *p, int side, void *buf, size_t len, char *err, size_t errlen);
    /* Optional (NULL where not offered): recv that also sets *sum to the sum of the message's
     * 64-bit words (native order, a tail shorter than 8 bytes left out), computed while the
     * bytes are copied out, so a receiver that checks every message (the ipc benchmark) needs
     * no second pass over it. */
    int (*recv_sum)(struct tvp_ipc_pair *p, int side, void *buf, size_t len, uint64_t *sum,
                    char *err, size_t errlen);
    /* The side is done: whatever it still has queued is delivered (or dropped when the peer has
     * ended), its threads are stopped and joined, its descriptors closed. Returns 0 or an error
     * number. After detach that side makes no call. */
    int (*detach)(struct tvp_ipc_pair *p, int side, char *err, size_t errlen);
    /* Called once by the opener after both sides detached (and a child peer was reaped): stops
     * any server process, removes every named object, frees the pair. Also valid after a failed
     * or missing attach/detach (a peer killed mid-message): it must still remove everything. */
    int (*close)(struct tvp_ipc_pair *p, char *err, size_t errlen);
    /* Bytes carried by one kernel message when the transport splits, 0 when a message of
     * max_msg goes whole (or the transport is a byte stream). */
    size_t (*chunk)(const struct tvp_ipc_pair *p);
};

#endif
