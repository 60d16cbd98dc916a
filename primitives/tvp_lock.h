/* Lock kinds for the locks group: a descriptor table for SET-UP ONLY.
 *
 * Each kind (listed in lock_kinds.h) has its own header primitives/lock_<id>.h with the
 * operations as static inline functions:
 *
 *   int tvp_lock_acquire_<id>(void *l);   0 or an error number
 *   int tvp_lock_release_<id>(void *l);   0 or an error number
 *
 * A benchmark's timed loop calls those directly, one loop per kind generated from
 * lock_kinds.h, so the operation under test is inlined and never reached through a function
 * pointer; the loop ORs the results and checks once after the loop. The descriptors below are
 * for everything around the loop: sizing and aligning the lock object, init with or without
 * process sharing, destroy, and finding a kind by name.
 *
 * Concurrency of a lock's operations: see each kind header. Common to all: init and destroy
 * run alone (no acquire/release in flight); acquire/release run concurrently from any threads
 * of the process, and, for kinds with pshared_ok initialised with pshared = 1 on an object in
 * MAP_SHARED memory, from any processes mapping it. The table itself is constant and may be
 * read from anywhere. */
#ifndef TVP_LOCK_H
#define TVP_LOCK_H

#include <stddef.h>

struct tvp_lock_desc {
    const char *name;   /* "mutex", "recursive", ..., "sysv-sem" */
    size_t size, align; /* of the lock object the caller provides */
    /* Returns 0 or an error number with "<name>: what failed: why" in err. pshared = 1 makes
     * the lock usable between processes (only when pshared_ok; l then in MAP_SHARED memory). */
    int (*init)(void *l, int pshared, char *err, size_t errlen);
    /* Returns 0 or an error number with a message (e.g. EBUSY for a held pthread lock). For
     * sysv-sem this removes the kernel object: call it exactly once, from one process. */
    int (*destroy)(void *l, char *err, size_t errlen);
    int pshared_ok;          /* 1: usable between forked processes */
    const char *unavailable; /* NULL, or why the kind cannot be used in this build (init then
                                fails with ENOTSUP and this reason) */
};

extern const struct tvp_lock_desc tvp_lock_descs[];
extern const size_t tvp_lock_descs_len;

/* The kind called name, or NULL (also for NULL). */
const struct tvp_lock_desc *tvp_lock_find(const char *name);

#endif
