/* The machine's floor for any cross-core hand-off: the round trip of one cache line between two
 * PUs, measured in the same run as the queues and transports it is drawn beside. Two threads
 * bounce a counter on one 64-byte line: the measuring thread writes an odd value, its partner
 * (bound to the other PU) answers with the next even one; one operation is one round trip, so
 * the line crosses twice and each side waits for the other's store to arrive. */
#ifndef TVP_CACHELINE_H
#define TVP_CACHELINE_H

#include "group.h"

#define TVP_CACHELINE_BENCH "cacheline-rtt"

/* Fills c as group g's cache-line round-trip case on pair placement pl (a cross-core one: on a
 * single PU the spinning partner could only run when the measuring thread is preempted). */
void tvp_cacheline_case(struct tvp_case *c, const struct tvp_group *g,
                        const struct tvp_placement *pl);

#endif
