/* The checked facts behind claim C2, each run for real every time it is called:
 *   thread-write-seen    a thread's write to a global is seen by its sibling thread
 *   fork-private-unseen  a forked child's write to private memory (a global) is not seen by
 *                        the parent
 *   fork-shared-seen     a forked child's write to a MAP_SHARED mapping is seen by the parent
 * Each returns TVP_FACT_HELD (0), TVP_FACT_FALSE (1) with what was observed in err, or -1 when
 * the check could not be made (a system call failed; "what: strerror" in err). Every child is
 * reaped before returning, on every path. Nothing named is created. */
#ifndef TVP_MEMORY_FACTS_H
#define TVP_MEMORY_FACTS_H

#include <stddef.h>

#define TVP_FACT_HELD  0
#define TVP_FACT_FALSE 1

int tvp_fact_thread_write_seen(char *err, size_t errlen);
int tvp_fact_fork_private_unseen(char *err, size_t errlen);
int tvp_fact_fork_shared_seen(char *err, size_t errlen);

#endif
