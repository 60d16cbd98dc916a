/* Events with the shape of Python's threading.Event — set, clear, is_set, wait(timeout) —
 * built three ways, so the locks group can compare their wake-up latency (claim C10):
 *
 *   "condvar"  a flag under a pthread mutex with a condition variable (event_condvar.c);
 *   "futex"    one futex word; set wakes every sleeper with FUTEX_WAKE (event_futex.c);
 *   "eventfd"  a Linux eventfd; waiters poll() it for readability (event_eventfd.c).
 *
 * Each works between threads (pshared = 0) and between forked processes (pshared = 1, the
 * struct tvp_event in MAP_SHARED memory, initialised before the fork).
 *
 * Why a descriptor of function pointers: an event is measured by the latency of a whole path
 * (set() in one task -> a sleeping waiter returns from wait() in another), which includes a
 * system call and a wake-up of microseconds; one indirect call is noise there, and one table
 * keeps the three implementations behind the same calls for the benchmark and the tests.
 *
 *   init     pshared 0 or 1. Returns 0 or an error number with "<impl>: what: why" in err.
 *   destroy  frees what init made (the eventfd is closed in the calling process; forked
 *            children hold their own copy until they exit). Only when nobody waits.
 *   set      sets the flag and wakes every task waiting in wait(). 0 or an error number.
 *   clear    resets the flag. 0 or an error number.
 *   is_set   1 or 0, or a negative error number.
 *   wait     returns 1 at once if the flag is set; otherwise sleeps until set() runs or
 *            timeout_ns (>= 0; < 0 means no limit) has passed on CLOCK_MONOTONIC. Returns 1
 *            if the event was set, 0 on timeout (never before timeout_ns has elapsed), or a
 *            negative error number. Interrupting signals are absorbed (the deadline stays).
 *
 * Concurrency: set, clear, is_set and wait may run concurrently from any threads, and from
 * any processes when pshared. init and destroy run alone. set happens-before the return of a
 * wait that it woke or that found the flag set (so data written before set is visible to the
 * waiter); that holds for all three.
 *
 * What "was set" means when set and clear race with a waiter:
 *   condvar, futex: a set that happens while a task is inside wait makes that wait return 1,
 *     even if clear runs before the waiter gets the CPU (Python's semantics: its wait returns
 *     True once notified). They keep a generation count for this: the condvar version next to
 *     its flag, the futex version in the word itself (even = clear, odd = set, +1 on each
 *     change; a waiter that saw value w returns 1 as soon as the word is not w). The count is
 *     32-bit: a waiter could miss a set only if exactly 2^32 changes happened while it slept.
 *   eventfd: the kernel object has only its counter, so "set" is "counter > 0": set writes
 *     1 (adding to the counter; EAGAIN at the counter's maximum means it is set already), clear
 *     reads it (a read in non-semaphore mode returns the whole count and resets it to 0;
 *     EAGAIN means it was clear), is_set and wait poll() for POLLIN, which never consumes the
 *     count, so every waiter sees the same set. A write wakes every task polling the fd
 *     (wake-all for free), but a woken poller re-checks readability: if clear ran first, it
 *     sleeps on and may time out. So with eventfd a set immediately undone by clear can be
 *     missed; set and clear are each one system call even when nothing changes. */
#ifndef TVP_EVENT_H
#define TVP_EVENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

/* The state of one event; the members belong to the implementation that initialised it. */
struct tvp_event {
    union {
        struct {
            pthread_mutex_t mu;
            pthread_cond_t cv; /* CLOCK_MONOTONIC */
            uint32_t flag;     /* under mu */
            uint32_t gen;      /* under mu: +1 on every clear -> set */
        } cv;
        struct {
            _Atomic uint32_t word;    /* even: clear, odd: set; +1 on each change */
            _Atomic uint32_t waiters; /* tasks registered to sleep in wait */
            int priv;                 /* FUTEX_PRIVATE_FLAG, or 0 when pshared */
        } fx;
        struct {
            int fd; /* eventfd, EFD_NONBLOCK | EFD_CLOEXEC */
        } efd;
    } u;
};

struct tvp_event_impl {
    const char *name; /* "condvar", "futex", "eventfd" */
    int (*init)(struct tvp_event *ev, int pshared, char *err, size_t errlen);
    int (*destroy)(struct tvp_event *ev, char *err, size_t errlen);
    int (*set)(struct tvp_event *ev);
    int (*clear)(struct tvp_event *ev);
    int (*is_set)(struct tvp_event *ev);
    int (*wait)(struct tvp_event *ev, int64_t timeout_ns);
};

extern const struct tvp_event_impl tvp_event_condvar;
extern const struct tvp_event_impl tvp_event_futex;
extern const struct tvp_event_impl tvp_event_eventfd;

/* All three, in the order above (event_table.c). */
extern const struct tvp_event_impl *const tvp_event_impls[];
extern const size_t tvp_event_impls_len;

/* The implementation called name, or NULL. */
const struct tvp_event_impl *tvp_event_find(const char *name);

#endif
