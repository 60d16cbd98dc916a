/* The lock kinds of the locks group, one X-macro line each:
 *
 *   TVP_LOCK_KIND(id, "name", type, pshared_ok)
 *
 * id:         the C suffix of the kind's functions in primitives/lock_<id>.h:
 *             tvp_lock_init_<id>, tvp_lock_destroy_<id>, tvp_lock_acquire_<id>,
 *             tvp_lock_release_<id>, and TVP_LOCK_UNAVAILABLE_<id> (NULL or the reason).
 * "name":     the name in results and on the command line (may contain '-', which an id
 *             cannot; that is why it is a separate column).
 * type:       the lock object; the caller allocates sizeof/_Alignof of it (in MAP_SHARED memory
 *             for processes).
 * pshared_ok: 1 when the kind works between forked processes (init with pshared = 1, object in
 *             MAP_SHARED memory). Every kind here does: the pthread kinds through
 *             PTHREAD_PROCESS_SHARED attributes, the futex kind with a shared (non-private)
 *             futex, ticket through lock-free atomics on the shared memory, posix-sem through
 *             sem_init(pshared = 1), sysv-sem because a System V set is system-wide.
 *
 * Adding a kind: write primitives/lock_<id>.h, add its #include and one line here. A user
 * defines TVP_LOCK_KIND, includes this file (after the kind headers, e.g. through
 * tvp_lock_all.h), and undefines it. No include guard: it is meant to be included once per
 * expansion. */
TVP_LOCK_KIND(mutex, "mutex", tvp_lock_mutex_t, 1)
TVP_LOCK_KIND(recursive, "recursive", tvp_lock_recursive_t, 1)
TVP_LOCK_KIND(errorcheck, "errorcheck", tvp_lock_errorcheck_t, 1)
TVP_LOCK_KIND(adaptive, "adaptive", tvp_lock_adaptive_t, 1)
TVP_LOCK_KIND(spin, "spin", tvp_lock_spin_t, 1)
TVP_LOCK_KIND(ticket, "ticket", tvp_lock_ticket_t, 1)
TVP_LOCK_KIND(futex, "futex", tvp_lock_futex_t, 1)
TVP_LOCK_KIND(rwlock_write, "rwlock-write", tvp_lock_rwlock_write_t, 1)
TVP_LOCK_KIND(posix_sem, "posix-sem", tvp_lock_posix_sem_t, 1)
TVP_LOCK_KIND(sysv_sem, "sysv-sem", tvp_lock_sysv_sem_t, 1)
