/* Every lock kind header, for code that expands lock_kinds.h (a benchmark's per-kind timed
 * loops, the descriptor table, the tests). Include it with _GNU_SOURCE defined before the
 * first #include of the translation unit, or the adaptive kind reports itself unavailable. */
#ifndef TVP_LOCK_ALL_H
#define TVP_LOCK_ALL_H

#include "lock_adaptive.h"
#include "lock_errorcheck.h"
#include "lock_futex.h"
#include "lock_mutex.h"
#include "lock_posix_sem.h"
#include "lock_recursive.h"
#include "lock_rwlock_write.h"
#include "lock_spin.h"
#include "lock_sysv_sem.h"
#include "lock_ticket.h"

#endif
