/* An emulated CPython global interpreter lock: the "new GIL" of CPython 3.2 .. 3.12
 * (Python/ceval_gil.h, FORCE_SWITCHING on), so a benchmark can show what it does to CPU-bound
 * threads: one runs at a time, and they take turns every switch interval.
 *
 * The algorithm, as in CPython:
 *   take (tvp_gil_acquire): under mutex, while the GIL is locked, remember switch_number and
 *       wait on cond for at most the interval (CPython's sys.getswitchinterval(), default
 *       5 ms). A wait that timed out while the GIL is still held and no switch happened in the
 *       meantime (switch_number unchanged) sets drop_request: "holder, let go". Once the GIL
 *       is free: locked = 1; if the taker is not the previous holder, last_holder = taker and
 *       switch_number++; signal switch_cond (a forced dropper waits on it); clear any
 *       drop_request (it has been honoured by this hand-over).
 *   eval breaker (tvp_gil_yield_if_requested): the holder polls drop_request between small
 *       pieces of work (CPython: between bytecodes). When set: drop with forced switching, then
 *       take again.
 *   drop with forced switching: under mutex, locked = 0 and signal cond (one waiter wakes).
 *       Then, if a drop is still requested, under switch_mutex: while this thread is still
 *       last_holder (nobody took the GIL yet), clear drop_request and wait on switch_cond. So
 *       the dropper cannot win the race for the lock it just released against the thread it
 *       woke (that thread must first be scheduled and re-take the mutex): the GIL is handed to
 *       another thread. CPython waits once; here the wait is a loop, so a spurious wake-up
 *       cannot turn the hand-over into a retake (the outcome CPython intends, made certain).
 *       It cannot wait forever: drop_request is only set by a thread inside take's wait loop,
 *       which leaves it only by taking the GIL.
 *   plain release (tvp_gil_release; CPython's Py_BEGIN_ALLOW_THREADS around blocking I/O):
 *       locked = 0 and signal cond, no hand-over wait; the thread re-acquires with
 *       tvp_gil_acquire afterwards. (CPython's drop_gil would wait for the hand-over here too if
 *       a drop happened to be requested at that moment; this API keeps release plain, as the
 *       benchmark asked: a thread about to block gives the GIL away regardless.)
 *
 * Concurrency contract: between threads of ONE process only (the mutexes and condition
 * variables are process-private and the struct lives on this process's heap); there is no
 * pshared variant, as CPython's GIL is per process. acquire, release, yield_if_requested,
 * stats and interval_ns may be called concurrently from any threads; create and destroy run
 * alone (destroy only when no thread holds or waits for the GIL). release and
 * yield_if_requested are for the holder only: release by a thread that does not hold the GIL
 * is refused (EPERM), as is acquire by the holder (EDEADLK, instead of deadlocking). The GIL
 * is not recursive. Holder identity is a per-thread number given on first use, never reused.
 * Mutual exclusion and ordering: everything the previous holder wrote before it released (or
 * yielded) is visible to the next holder after its acquire (or yield) returns — both pass
 * through the mutex below. Not fair beyond what the algorithm gives: a plain release followed
 * at once by an acquire by the same thread may take the GIL back ahead of a waiter.
 *
 * What protects what (see struct tvp_gil in gil.c):
 *   mutex        locked, last_holder (writes; reads by the holder checks), the switch_number
 *                read/increment, the waiters' timed waits on cond.
 *   cond         "the GIL was released": signalled (one waiter) by every drop and release.
 *   switch_mutex last_holder (written with both mutexes held, so either one suffices to read
 *                it), the forced dropper's check-and-wait, forced_waits.
 *   switch_cond  "another thread took the GIL": signalled by every take.
 *   drop_request an atomic int, not under a lock for its readers: set (relaxed) by timed-out
 *                waiters and cleared (relaxed) by takers under mutex, and by a forced dropper
 *                under switch_mutex. The holder's poll is one relaxed load: it is a hint that
 *                orders no data (the hand-over itself goes through the mutexes), and a late
 *                sight of it only makes the holder keep the GIL a little longer, as in CPython.
 *   stats        relaxed atomic counters, updated under the locks above and readable any time:
 *                a snapshot, each value exact at some instant, not a consistent cut.
 *
 * Error numbers: 0 on success, else a pthread_* result propagated (or EINVAL, ENOMEM, EPERM,
 * EDEADLK as stated). */
#ifndef TVP_GIL_H
#define TVP_GIL_H

#include <stddef.h>
#include <stdint.h>

#define TVP_GIL_DEFAULT_INTERVAL_NS 5000000LL /* CPython's sys.getswitchinterval(): 5 ms */
#define TVP_GIL_MIN_INTERVAL_NS     1000LL    /* 1 us: CPython's own floor (1 microsecond) */

struct tvp_gil; /* opaque; allocated by create */

/* *out = a new, unlocked GIL with the given switch interval (>= TVP_GIL_MIN_INTERVAL_NS, else
 * EINVAL). On error *out = NULL and err holds "gil: what: why" (err may be NULL if errlen 0). */
int tvp_gil_create(struct tvp_gil **out, int64_t interval_ns, char *err, size_t errlen);
/* Frees g (NULL is ignored). Only when no thread holds or waits for it. */
void tvp_gil_destroy(struct tvp_gil *g);

/* Blocks until this thread holds the GIL, asking the holder to drop it (drop_request) each
 * time a wait of one interval passes with no switch. 0, EDEADLK if this thread already holds
 * it, or a pthread error: from a lock or a wait the GIL is not held; from the final signal or
 * unlock (which glibc does not return for valid objects) it is held. */
int tvp_gil_acquire(struct tvp_gil *g);
/* Plain release by the holder (e.g. around blocking I/O): wakes one waiter, does not wait for
 * the hand-over. 0, EPERM if this thread does not hold the GIL, or a pthread error. */
int tvp_gil_release(struct tvp_gil *g);
/* The eval-breaker poll, called by the holder between small pieces of work. If no drop was
 * requested: returns 0 at the cost of one relaxed atomic load. Otherwise releases with forced
 * switching (waits until another thread has taken the GIL), then re-acquires, and returns 1
 * (so another thread has held the GIL in between). Or a negative error number
 * (-EPERM if this thread did not hold the GIL; -e for a pthread error, after which the GIL may
 * not be held by this thread). */
int tvp_gil_yield_if_requested(struct tvp_gil *g);

struct tvp_gil_stats {
    uint64_t acquisitions;  /* successful takes: acquire, and the re-take of every yield */
    uint64_t switches;      /* takes by a thread other than the previous holder (CPython's
                             * switch_number; the first take counts) */
    uint64_t drop_requests; /* times a timed-out waiter raised drop_request from 0 to 1 */
    uint64_t forced_waits;  /* drops that waited on switch_cond for another thread to take */
};
/* A snapshot of the counters (see the header comment); callable at any time, GIL held or not. */
void tvp_gil_stats(struct tvp_gil *g, struct tvp_gil_stats *out);
int64_t tvp_gil_interval_ns(const struct tvp_gil *g);

#endif
