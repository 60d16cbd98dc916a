/* The manager-dict server: a single-threaded loop that poll()s its three connections and a
 * chained hash table for the dictionary. See manager_server.h for the protocol.
 *
 * Runs in a process forked from the opener, possibly from a multithreaded one: it uses only
 * what stays usable in such a child — system calls, malloc (glibc makes it fork-safe), and
 * formatting into a stack buffer; no stdio (a FILE lock held by another thread at the fork would
 * deadlock it).
 *
 * Pending TAKEs: a client has at most one request outstanding, so each connection has at most
 * one pending key. A SET first looks for a connection pending on its key and hands the value
 * over directly; only otherwise does the value go into the dictionary. When a side's connection
 * ends (end of file, a reset, a malformed request, a failed reply), the server marks it gone and
 * fails the other side's pending TAKE with EPIPE; from then on a TAKE of a key that is not there
 * is EPIPE at once (keys already there are still delivered: what a peer sent before it ended
 * arrives), and so is a SET addressed to the side that is gone, or deferred (below).
 *
 * Flow control: Python's Manager stores whatever it is given; this server does too, but holds
 * back the reply to a SET while the setter has more than HELD_MAX (4 MiB) stored and not yet
 * taken, so a sender that outruns its receiver waits instead of filling memory (a sender whose
 * receiver never reads would otherwise grow the server by gigabytes in a throughput run). A
 * TAKE that brings the setter back under releases the reply; the end of the taker's connection
 * turns it into EPIPE. A ping-pong never gets near the bound. */
#define _GNU_SOURCE

#include "manager_server.h"
#include "ipc_common.h"
#include "tvp_err.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Flow control: a side with more than this many bytes stored and not yet taken gets its SET
 * reply only once TAKEs bring it back under (one value is always stored, whatever its size). */
#define HELD_MAX ((uint64_t)4 << 20)

int tvp_mgr_sendv(int fd, struct iovec *iov, int n)
{
    struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
    for (;;) {
        while (m.msg_iovlen > 0 && m.msg_iov->iov_len == 0) {
            m.msg_iov++;
            m.msg_iovlen--;
        }
        if (m.msg_iovlen == 0)
            return 0;
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno == ECONNRESET ? EPIPE : errno;
        }
        size_t left = (size_t)w;
        while (left > 0) {
            size_t take = left < m.msg_iov->iov_len ? left : m.msg_iov->iov_len;
            m.msg_iov->iov_base = (char *)m.msg_iov->iov_base + take;
            m.msg_iov->iov_len -= take;
            left -= take;
            if (m.msg_iov->iov_len == 0) {
                m.msg_iov++;
                m.msg_iovlen--;
            }
        }
    }
}

int tvp_mgr_discard(int fd, uint64_t n)
{
    char scratch[4096];
    while (n > 0) {
        size_t k = n < sizeof scratch ? (size_t)n : sizeof scratch;
        int e = tvp_ipc_read_full(fd, scratch, k);
        if (e != 0)
            return e;
        n -= k;
    }
    return 0;
}

/* ---- the dictionary ---- */

struct entry {
    struct entry *next;
    unsigned char *val;
    uint64_t vlen;
    uint32_t hash;
    uint32_t klen;
    int from; /* the connection that set it (for the flow control) */
    char key[TVP_MGR_KEY_MAX];
};

struct dict {
    struct entry **b;
    size_t nb; /* a power of two */
    size_t n;
    uint64_t held[TVP_MGR_CONNS]; /* bytes stored, by the connection that set them */
};

static uint32_t hash_key(const char *k, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

/* The link that points at the entry for key (or at the NULL ending its bucket). */
static struct entry **dict_find(struct dict *d, const char *key, size_t klen, uint32_t h)
{
    struct entry **pp = &d->b[h & (d->nb - 1)];
    while (*pp != NULL &&
           ((*pp)->hash != h || (*pp)->klen != klen || memcmp((*pp)->key, key, klen) != 0))
        pp = &(*pp)->next;
    return pp;
}

static int dict_grow(struct dict *d)
{
    size_t nb = d->nb * 2;
    struct entry **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return ENOMEM;
    for (size_t i = 0; i < d->nb; i++)
        for (struct entry *e = d->b[i], *next; e != NULL; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    free(d->b);
    d->b = b;
    d->nb = nb;
    return 0;
}

/* Stores val (taking ownership), set by connection from. Returns 0 or ENOMEM (val is then
 * still the caller's). */
static int dict_set(struct dict *d, const char *key, size_t klen, unsigned char *val, uint64_t vlen,
                    int from)
{
    uint32_t h = hash_key(key, klen);
    struct entry **pp = dict_find(d, key, klen, h);
    if (*pp != NULL) {
        d->held[(*pp)->from] -= (*pp)->vlen;
        free((*pp)->val);
        (*pp)->val = val;
        (*pp)->vlen = vlen;
        (*pp)->from = from;
        d->held[from] += vlen;
        return 0;
    }
    if (d->n >= d->nb && dict_grow(d) == 0)
        pp = dict_find(d, key, klen, h); /* a failed growth only makes the chains longer */
    struct entry *e = malloc(sizeof *e);
    if (e == NULL)
        return ENOMEM;
    e->next = NULL;
    e->val = val;
    e->vlen = vlen;
    e->hash = h;
    e->klen = (uint32_t)klen;
    e->from = from;
    memcpy(e->key, key, klen);
    *pp = e;
    d->n++;
    d->held[from] += vlen;
    return 0;
}

static void dict_free(struct dict *d)
{
    for (size_t i = 0; i < d->nb; i++)
        for (struct entry *e = d->b[i], *next; e != NULL; e = next) {
            next = e->next;
            free(e->val);
            free(e);
        }
    free(d->b);
}

/* ---- the server ---- */

struct conn {
    int fd;       /* -1 once gone */
    int deferred; /* its SET was stored, the reply waits for the flow control */
    int pending;  /* its TAKE waits for key */
    uint32_t klen;
    char key[TVP_MGR_KEY_MAX];
};

struct server {
    struct conn c[TVP_MGR_CONNS];
    int gone[2]; /* a side's connection has ended */
    struct dict d;
    size_t max_msg;
};

static void say(int e, const char *what)
{
    char buf[256];
    tvp_errfmt(buf, sizeof buf, e, "manager-dict: server: %s", what);
    size_t n = strlen(buf);
    if (n < sizeof buf - 1)
        buf[n++] = '\n';
    (void)!write(2, buf, n); /* nothing else to do when stderr is gone */
}

static void drop(struct server *s, int i);

/* Sends a reply (status, then vlen bytes of val); a client that cannot take it is dropped. */
static void reply(struct server *s, int i, uint32_t status, const void *val, uint64_t vlen)
{
    if (s->c[i].fd < 0)
        return;
    struct tvp_mgr_rep rep = {.status = status, .vallen = vlen};
    struct iovec iov[2] = {{&rep, sizeof rep}, {(void *)val, (size_t)vlen}};
    if (tvp_mgr_sendv(s->c[i].fd, iov, 2) != 0)
        drop(s, i);
}

/* Connection i has ended: close it; if it was a side's, fail the other side's pending TAKE. */
static void drop(struct server *s, int i)
{
    if (s->c[i].fd < 0)
        return;
    (void)close(s->c[i].fd); /* a socket's close does not fail in a way that matters here */
    s->c[i].fd = -1;
    s->c[i].pending = s->c[i].deferred = 0;
    if (i == TVP_MGR_CTL)
        return;
    s->gone[i] = 1;
    struct conn *o = &s->c[1 - i];
    if (o->pending || o->deferred) { /* nothing will come, nobody will take */
        o->pending = o->deferred = 0;
        reply(s, 1 - i, EPIPE, NULL, 0);
    }
}

static void do_set(struct server *s, int i, const char *key, uint32_t klen, unsigned char *val,
                   uint64_t vlen)
{
    if (i != TVP_MGR_CTL && s->gone[1 - i]) { /* nobody will take it */
        free(val);
        reply(s, i, EPIPE, NULL, 0);
        return;
    }
    for (int j = 0; j < 2; j++) {
        struct conn *c = &s->c[j];
        if (c->pending && c->klen == klen && memcmp(c->key, key, klen) == 0) {
            c->pending = 0;
            reply(s, j, 0, val, vlen); /* the waiting taker first: it is the latency measured */
            free(val);
            reply(s, i, 0, NULL, 0);
            return;
        }
    }
    if (dict_set(&s->d, key, klen, val, vlen, i) != 0) {
        free(val);
        reply(s, i, ENOMEM, NULL, 0);
        return;
    }
    if (i != TVP_MGR_CTL && s->d.held[i] > HELD_MAX && s->d.held[i] > vlen)
        s->c[i].deferred = 1; /* answered when TAKEs bring it back under HELD_MAX */
    else
        reply(s, i, 0, NULL, 0);
}

static void do_take(struct server *s, int i, const char *key, uint32_t klen, int keep)
{
    uint32_t h = hash_key(key, klen);
    struct entry **pp = dict_find(&s->d, key, klen, h);
    struct entry *e = *pp;
    if (e != NULL) {
        if (keep) {
            reply(s, i, 0, e->val, e->vlen);
            return;
        }
        *pp = e->next;
        s->d.n--;
        s->d.held[e->from] -= e->vlen;
        reply(s, i, 0, e->val, e->vlen);
        struct conn *from = &s->c[e->from];
        if (from->deferred && s->d.held[e->from] <= HELD_MAX) {
            from->deferred = 0;
            reply(s, e->from, 0, NULL, 0);
        }
        free(e->val);
        free(e);
        return;
    }
    if (keep || i == TVP_MGR_CTL) {
        reply(s, i, ENOENT, NULL, 0);
    } else if (s->gone[1 - i]) {
        reply(s, i, EPIPE, NULL, 0);
    } else {
        s->c[i].pending = 1;
        s->c[i].klen = klen;
        memcpy(s->c[i].key, key, klen);
    }
}

/* Reads and serves one request from connection i. Returns 1 on QUIT, 0 otherwise. */
static int serve_one(struct server *s, int i)
{
    int fd = s->c[i].fd;
    struct tvp_mgr_req req;
    char key[TVP_MGR_KEY_MAX];
    if (tvp_ipc_read_full(fd, &req, sizeof req) != 0) {
        drop(s, i); /* end of file or a reset: the client has gone */
        return 0;
    }
    if (req.op == TVP_MGR_QUIT)
        return 1;
    int bad = req.op < TVP_MGR_SET || req.op > TVP_MGR_TAKE || req.keylen > TVP_MGR_KEY_MAX ||
              req.vallen > s->max_msg || (req.op != TVP_MGR_SET && req.vallen != 0) ||
              s->c[i].pending || s->c[i].deferred;
    if (bad || tvp_ipc_read_full(fd, key, req.keylen) != 0) {
        drop(s, i); /* a client out of step with the protocol cannot be resynchronised */
        return 0;
    }
    if (req.op == TVP_MGR_SET) {
        unsigned char *val = malloc(req.vallen > 0 ? (size_t)req.vallen : 1);
        if (val == NULL) {
            if (tvp_mgr_discard(fd, req.vallen) != 0)
                drop(s, i);
            else
                reply(s, i, ENOMEM, NULL, 0);
            return 0;
        }
        if (tvp_ipc_read_full(fd, val, (size_t)req.vallen) != 0) {
            free(val);
            drop(s, i); /* ended mid-request: the value is incomplete, nobody gets it */
            return 0;
        }
        do_set(s, i, key, req.keylen, val, req.vallen);
    } else {
        do_take(s, i, key, req.keylen, req.op == TVP_MGR_GET);
    }
    return 0;
}

int tvp_mgr_serve(const int conn[TVP_MGR_CONNS], size_t max_msg)
{
    struct server s = {.max_msg = max_msg};
    int status = 0;
    for (int i = 0; i < TVP_MGR_CONNS; i++)
        s.c[i].fd = conn[i];
    s.d.nb = 64;
    s.d.b = calloc(s.d.nb, sizeof *s.d.b);
    if (s.d.b == NULL) {
        say(ENOMEM, "calloc");
        status = 1;
    }
    while (status == 0 && s.c[TVP_MGR_CTL].fd >= 0) {
        struct pollfd pf[TVP_MGR_CONNS];
        for (int i = 0; i < TVP_MGR_CONNS; i++)
            pf[i] = (struct pollfd){.fd = s.c[i].fd, .events = POLLIN};
        if (poll(pf, TVP_MGR_CONNS, -1) < 0) {
            if (errno == EINTR)
                continue;
            say(errno, "poll");
            status = 1;
            break;
        }
        int quit = 0;
        for (int i = 0; i < TVP_MGR_CONNS && !quit; i++)
            if (pf[i].revents != 0 && s.c[i].fd >= 0)
                quit = serve_one(&s, i);
        if (quit)
            break;
    }
    for (int i = 0; i < TVP_MGR_CONNS; i++)
        if (s.c[i].fd >= 0)
            (void)close(s.c[i].fd);
    if (s.d.b != NULL)
        dict_free(&s.d);
    return status;
}
