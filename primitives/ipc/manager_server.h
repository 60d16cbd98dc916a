/* The server of "manager-dict" (manager_dict.c), the analogue of the process that
 * multiprocessing.Manager() starts: it holds a dictionary (key -> bytes) and serves requests
 * from its clients, one at a time. Internal to the transport.
 *
 * Protocol, over Unix stream sockets, native byte order (both ends are one host, one build):
 *   request  struct tvp_mgr_req {op, keylen, vallen}, then keylen bytes of key, then vallen
 *            bytes of value (SET only; 0 otherwise).
 *   reply    struct tvp_mgr_rep {status, vallen}, then vallen bytes of value.
 *   SET key value  stores the value (replacing one already there); reply status 0. If a TAKE of
 *                  that key is pending, the value goes straight to it and is not stored. The
 *                  reply waits while the setter has more than 4 MiB stored and not taken (flow
 *                  control, see manager_server.c).
 *   GET key        reply status 0 with the value (kept), or ENOENT.
 *   TAKE key       reply status 0 with the value, which is deleted; when the key is not there
 *                  the reply waits in the server until a SET brings it: how a blocking get maps
 *                  onto a dictionary.
 *   QUIT           the server exits (no reply).
 *   status EPIPE   the other side's connection has ended: to a pending or new TAKE of a missing
 *                  key, and to a SET whose reader (the other side) has ended.
 *   status EPROTO / ENOMEM  a malformed request / no memory for the value.
 * A client sends one request and reads its reply before the next (a proxy's method call is a
 * round trip in Python too); the server reads a whole request before it acts, and only writes
 * replies to clients that wait for one, so it never blocks on a client that is not reading. */
#ifndef TVP_MANAGER_SERVER_H
#define TVP_MANAGER_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum { TVP_MGR_SET = 1, TVP_MGR_GET = 2, TVP_MGR_TAKE = 3, TVP_MGR_QUIT = 4 };

#define TVP_MGR_KEY_MAX 64

struct tvp_mgr_req {
    uint32_t op;
    uint32_t keylen;
    uint64_t vallen;
};

struct tvp_mgr_rep {
    uint32_t status; /* 0 or an error number */
    uint32_t pad_;
    uint64_t vallen;
};

/* Connections of the server: the two sides' and the opener's control connection. */
enum { TVP_MGR_SIDE0 = 0, TVP_MGR_SIDE1 = 1, TVP_MGR_CTL = 2, TVP_MGR_CONNS = 3 };

/* Writes every byte of iov[0..n) to the socket fd with sendmsg(MSG_NOSIGNAL), so a vanished
 * reader is EPIPE and never SIGPIPE; iov is consumed (modified). Returns 0, EPIPE, or an error
 * number. */
int tvp_mgr_sendv(int fd, struct iovec *iov, int n);

/* Reads and throws away n bytes from fd. Returns 0, EPIPE at end of file, or an error number. */
int tvp_mgr_discard(int fd, uint64_t n);

/* The server's loop, in the forked server process: serves conn[TVP_MGR_SIDE0], [SIDE1] and
 * [CTL] until QUIT or the end of the control connection; values are at most max_msg bytes.
 * Closes the connections and frees the dictionary before it returns the exit status (0, or 1
 * after an internal failure, reported on stderr prefixed "manager-dict: server: "). */
int tvp_mgr_serve(const int conn[TVP_MGR_CONNS], size_t max_msg);

#endif
