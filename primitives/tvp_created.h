/* What a case creates that outlives its processes — System V objects (which cannot be unlinked
 * while in use), named POSIX shared memory a peer opens by name, a temporary folder — is
 * reported the moment it exists. After a case is killed (its teardown never ran) the supervisor
 * removes exactly what was reported, checked to be this user's, and never anything found by
 * its name or by a scan of the machine: a concurrent run's objects look the same.
 *
 * The harness installs the hook in a case's process; elsewhere (unit tests, tools) it is NULL
 * and reporting does nothing. A kill between creating an object and reporting it leaves that
 * one object behind: the window is a few instructions. */
#ifndef TVP_CREATED_H
#define TVP_CREATED_H

#define TVP_CREATED_SYSV_SEM  "sysv-sem"  /* what: the semaphore set's id */
#define TVP_CREATED_SYSV_MSG  "sysv-msg"  /* what: the message queue's id */
#define TVP_CREATED_SYSV_SHM  "sysv-shm"  /* what: the segment's id */
#define TVP_CREATED_POSIX_SHM "posix-shm" /* what: the shm_open name, "/name" */
#define TVP_CREATED_TMP_DIR   "tmp-dir"   /* what: the folder's absolute path */

/* Set by the harness in a case's process. kind is one of the names above; what has no newline. */
extern void (*tvp_created_hook)(const char *kind, const char *what);

void tvp_created(const char *kind, const char *what);
void tvp_created_id(const char *kind, long id);

#endif
