/* Removes what a killed case left behind outside its processes: exactly the objects the case
 * reported as it created them (primitives/tvp_created.h; the supervisor keeps the "created KIND
 * WHAT" lines of its report), each checked first to belong to this user, and files removed
 * relative to an open folder, never through a path a link could redirect. Nothing is found by
 * pattern or by scanning the machine, so a concurrent run's objects, which look the same, are
 * never touched. */
#ifndef TVP_LEFTOVERS_H
#define TVP_LEFTOVERS_H

struct tvp_leftovers_removed {
    int sysv;      /* semaphore sets, message queues, shared-memory segments */
    int posix_shm; /* /dev/shm entries */
    int tmp_dirs;  /* temporary folders, with what they held */
};

/* records: "KIND WHAT\n" lines (KIND as in tvp_created.h). Adds to *n what it removed; an entry
 * already gone, not this user's, or still in use by a live process is left alone. */
void tvp_leftovers_remove(const char *records, struct tvp_leftovers_removed *n);

/* Removes the entry `name` of the open folder dirfd (AT_FDCWD: a path) and, when it is a
 * folder, all it holds, without following symbolic links. Returns 0 (also when it is already
 * gone) or an error number. A case's own teardown removes its temporary folder with it too. */
int tvp_remove_tree_at(int dirfd, const char *name);

/* The folder temporary files go to: $TMPDIR, else /tmp. */
const char *tvp_tmp_dir(void);

#endif
