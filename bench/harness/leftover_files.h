/* Files and folders a killed case can leave behind, for a group's sweep_after_kill hook (struct
 * tvp_group): a case that exits runs its teardown and removes them, a SIGKILL does not. Entries
 * are recognised by their name, "<prefix><creator pid>-...", and one whose creator is still alive
 * belongs to something still running and is spared. */
#ifndef TVP_LEFTOVER_FILES_H
#define TVP_LEFTOVER_FILES_H

/* Removes (a folder with all it holds) every entry of dir named <prefix><pid>-... whose pid is
 * dead. Returns how many entries were removed. */
int tvp_sweep_dead_owner(const char *dir, const char *prefix);

/* Removes path and, when it is a folder, everything in it (not following symbolic links).
 * Returns 0 or an error number. */
int tvp_remove_tree(const char *path);

/* The folder temporary files go to: $TMPDIR, else /tmp. */
const char *tvp_tmp_dir(void);

#endif
