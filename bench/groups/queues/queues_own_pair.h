/* The own-cost pair case: the FIFO, LIFO and priority queue's own cost in alternating batches of
 * one case, so C11's two ratios see the machine in the same state. See queues_own_pair.c. */
#ifndef TVP_QUEUES_OWN_PAIR_H
#define TVP_QUEUES_OWN_PAIR_H

#include "group.h"

#define TVP_QOP_BENCH        "own-cost-pair"
#define TVP_QOP_VARIANT      "fifo-lifo-priority"
#define TVP_QOP_MEMBER_BENCH "own-cost" /* each member is the own-cost case of its kind */
#define TVP_QOP_MEMBERS      3          /* metrics 0-2: fifo, lifo, priority per-pair ns */
#define TVP_QOP_M_CONTROL    3          /* 1 when every member's order control was caught */
#define TVP_QOP_METRICS      4

/* The metric name of member 0 (fifo), 1 (lifo) or 2 (priority). */
const char *tvp_qop_metric(int member);
/* Fills c as group g's own-cost pair case on placement pl (one PU) at `depth` items. */
void tvp_qop_case(struct tvp_case *c, const struct tvp_group *g, const struct tvp_placement *pl,
                  int depth);

#endif
