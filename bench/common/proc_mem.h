/* Small readers of /proc for the memory group: what a task holds, in bytes or counts.
 *
 * pid 0 means the calling process (/proc/self). Every reader returns 0, or an error number with
 * "what: strerror" in err (ENOENT for a pid that does not exist, ENODATA when the file lacks the
 * field, e.g. the smaps_rollup of a zombie). Sizes the kernel reports in kB are returned in
 * bytes. Nothing here allocates beyond one stdio buffer per call. */
#ifndef TVP_PROC_MEM_H
#define TVP_PROC_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Rss and Pss of the whole address space, from /proc/<pid>/smaps_rollup; with pss_anon non-NULL
 * also Pss_Anon (the anonymous part of Pss, Linux 5.14 and later: ENODATA before). Any pointer may
 * be NULL. */
int tvp_proc_rss_pss(pid_t pid, uint64_t *rss, uint64_t *pss, uint64_t *pss_anon, char *err,
                     size_t errlen);

/* VmPTE (page-table memory) from /proc/<pid>/status. */
int tvp_proc_vm_pte(pid_t pid, uint64_t *bytes, char *err, size_t errlen);

/* A "Name:  N kB" line of /proc/meminfo (system-wide), e.g. "KernelStack" or "SUnreclaim". */
int tvp_proc_meminfo(const char *field, uint64_t *bytes, char *err, size_t errlen);

/* KernelStack from /proc/meminfo: the kernel stacks of every task of the system. */
int tvp_proc_kernel_stack(uint64_t *bytes, char *err, size_t errlen);

/* Open descriptors: entries of /proc/<pid>/fd (for pid 0, not counting the one used to list
 * them). */
int tvp_proc_fd_count(pid_t pid, uint64_t *n, char *err, size_t errlen);

/* The state letter of /proc/<pid>/stat ('R' running, 'S' sleeping, 'Z' zombie...). */
int tvp_proc_state(pid_t pid, char *state, char *err, size_t errlen);

/* Folds the per-CPU vm statistics into the global counters (a read of /proc/sys/vm/stat_refresh,
 * root only), so /proc/meminfo's KernelStack and SUnreclaim are exact rather than up to a
 * per-CPU threshold behind. EACCES or EPERM when not allowed. */
int tvp_proc_vmstat_refresh(char *err, size_t errlen);

/* A "Name:  N kB" field (e.g. "AnonHugePages", "Rss") of the mapping of /proc/<pid>/smaps that
 * contains addr. ENXIO when no mapping contains it. */
int tvp_proc_vma_field(pid_t pid, const void *addr, const char *field, uint64_t *bytes, char *err,
                       size_t errlen);

#endif
