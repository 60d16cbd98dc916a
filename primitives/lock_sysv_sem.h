/* Lock kind "sysv-sem": a System V semaphore set of one semaphore, value 1, used as a lock:
 * semop(-1) acquires, semop(+1) releases. Every operation is a system call, contended or not.
 *
 * Set-up: init creates the set with semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600) and
 * sets the value to 1 (semctl SETVAL); destroy removes it with semctl(IPC_RMID). IPC_PRIVATE
 * gives a fresh set that no other program can find by key; the set is a kernel object that
 * outlives the process if destroy is not called, so callers must reach destroy on every path
 * (the tests check /proc/sysvipc/sem before and after).
 *
 * Contract: acquire and release may be called concurrently from any threads and from any
 * processes that know the set id: the struct (an int) may be copied, or sit in MAP_SHARED
 * memory; pshared changes nothing (a System V semaphore is always system-wide). No owner: any
 * task may release. SEM_UNDO is not used, so a process that dies holding the lock leaves it
 * held (as a pthread mutex that is not robust would; SEM_UNDO would release it, but then
 * every operation also updates the process's undo record, which is not the lock being
 * measured): a bench that shares it between processes watches its workers (task_watch.h).
 * EINTR is retried. init and destroy must
 * not run concurrently with anything on the same lock.
 *
 * Ordering: semop takes the semaphore set's lock in the kernel, which orders a release before
 * the acquire that takes its count. ThreadSanitizer does not know semop, so under TSan the
 * release is announced with __tsan_release and the acquire with __tsan_acquire on the lock's
 * address (the same happens-before edge the kernel provides). */
#ifndef TVP_LOCK_SYSV_SEM_H
#define TVP_LOCK_SYSV_SEM_H

#include "tvp_created.h"
#include "tvp_err.h"

#include <errno.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/sem.h>

#ifdef __SANITIZE_THREAD__
#include <sanitizer/tsan_interface.h>
#endif

typedef struct tvp_lock_sysv_sem {
    int semid;
} tvp_lock_sysv_sem_t;
#define TVP_LOCK_UNAVAILABLE_sysv_sem NULL

/* The caller defines semctl's fourth argument (POSIX says so; glibc does not define it). */
union tvp_semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static inline int tvp_lock_init_sysv_sem(void *l, int pshared, char *err, size_t errlen)
{
    (void)pshared;
    tvp_lock_sysv_sem_t *s = l;
    s->semid = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);
    if (s->semid < 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "sysv-sem: semget");
        return e;
    }
    tvp_created_id(TVP_CREATED_SYSV_SEM, s->semid);
    union tvp_semun arg = {.val = 1};
    if (semctl(s->semid, 0, SETVAL, arg) != 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "sysv-sem: semctl SETVAL 1");
        (void)semctl(s->semid, 0, IPC_RMID); /* already failing: the first error is reported */
        s->semid = -1;
        return e;
    }
    return 0;
}

static inline int tvp_lock_destroy_sysv_sem(void *l, char *err, size_t errlen)
{
    tvp_lock_sysv_sem_t *s = l;
    if (s->semid < 0)
        return 0;
    if (semctl(s->semid, 0, IPC_RMID) != 0) {
        int e = errno;
        tvp_errfmt(err, errlen, e, "sysv-sem: semctl IPC_RMID");
        return e;
    }
    s->semid = -1;
    return 0;
}

static inline int tvp_lock_acquire_sysv_sem(void *l)
{
    tvp_lock_sysv_sem_t *s = l;
    struct sembuf op = {.sem_num = 0, .sem_op = -1, .sem_flg = 0};
    while (semop(s->semid, &op, 1) != 0) {
        if (errno != EINTR)
            return errno;
    }
#ifdef __SANITIZE_THREAD__
    __tsan_acquire(l);
#endif
    return 0;
}

static inline int tvp_lock_release_sysv_sem(void *l)
{
    tvp_lock_sysv_sem_t *s = l;
    struct sembuf op = {.sem_num = 0, .sem_op = 1, .sem_flg = 0};
#ifdef __SANITIZE_THREAD__
    __tsan_release(l);
#endif
    while (semop(s->semid, &op, 1) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

#endif
