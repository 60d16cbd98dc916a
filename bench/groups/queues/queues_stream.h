/* The queues group's measuring engine (claim C11): P producers and C consumers, threads or
 * processes, each bound to its PU, move a batch of messages through one queue of
 * bench/groups/queues/queue_ops.h.
 *
 * "stream": producers put as fast as the queue takes; timed from the start gate opening until
 * the consumers have taken the batch's last message. Metrics: per-msg (wall ns per message over
 * all producers and consumers: messages/s = 1e9 / per-msg), lat-p50 and lat-p99 (put-to-get time
 * of every 64th message of each producer, under that load: it includes the time spent waiting
 * in a full queue). "handoff": 1 producer, 1 consumer, one message in flight (the producer waits
 * for the consumer's acknowledgement before the next put): the put-to-get latency of an idle
 * queue, for every message: mean, p50, p99.
 *
 * Every batch checks, before its figures count: no message lost (each (producer, sequence)
 * received once: per-consumer bitmaps, merged), none duplicated, every producer's sequence
 * increasing as seen by each consumer (queues that promise FIFO order), a checksum of every
 * payload word sent against every one received; and, with the main task as the single producer
 * and consumer, that the queue hands back 32 items with tied priorities in its order (FIFO,
 * LIFO, or smallest priority first with ties in put order). A failed check fails the figure.
 * The order check's negative control follows it in every batch: the same output with its first
 * two takes swapped goes through the same check function, which must refuse it; whether it did
 * is a figure of its own (order-control), which the C11 judge reads.
 *
 * Stream cases also count the sleeps of the batch (tvp_bq_sleeps: condition-variable waits for
 * the blocking queues, FUTEX_WAITs for the rings), consumers' and producers' apart, per message:
 * on a VM a cross-vCPU wake-up costs tens of microseconds, so a few hundredths of a sleep per
 * message weigh more than the queue's own work, and differ from run to run.
 *
 * The workers are started for each batch (outside the timed interval), so the harness's
 * counters, inherited by tasks started after they open, count them: context switches and
 * migrations per message come from there. */
#ifndef TVP_QUEUES_STREAM_H
#define TVP_QUEUES_STREAM_H

#include "group.h"
#include "queue_ops.h"

/* c->arg packs the shape of a case. */
#define TVP_QS_ARG(producers, consumers, batch, handoff)                                           \
    ((long)(producers) | (long)(consumers) << 12 | (long)(batch) << 24 | (long)(handoff) << 25)
#define TVP_QS_PRODUCERS(arg) ((int)((arg)&0xfff))
#define TVP_QS_CONSUMERS(arg) ((int)(((arg) >> 12) & 0xfff))
#define TVP_QS_BATCH(arg)     ((int)(((arg) >> 24) & 1))
#define TVP_QS_HANDOFF(arg)   ((int)(((arg) >> 25) & 1))

#define TVP_QS_CAPACITY     1024 /* items, every queue */
#define TVP_QS_BATCH_ITEMS  16   /* items per put_many/get_many in the batched variants */
#define TVP_QS_SAMPLE_EVERY 64   /* stream: one latency sample per 64 messages per producer */

/* The stream cases' metrics after per-msg, lat-p50 and lat-p99 (the handoff cases have only
 * those three): sleeps per message of the consumers and of the producers (condition-variable
 * waits or FUTEX_WAITs begun while the batch ran, tvp_bq_sleeps), and the order check's negative
 * control (1 when the deliberately swapped order was refused in that batch, else 0). */
#define TVP_QS_M_GET_SLEEPS 3
#define TVP_QS_M_PUT_SLEEPS 4
#define TVP_QS_M_CONTROL    5
/* Voluntary context switches of every task per message: each time one blocked on anything,
 * the contended mutex of a blocking queue included, which the queue's own counters cannot see. */
#define TVP_QS_M_SWITCHES 6
/* Involuntary context switches of every task per message: each time the scheduler took a task's
 * PU while it could run, and the other side waited for it. */
#define TVP_QS_M_PREEMPTED    7
#define TVP_QS_STREAM_METRICS 8

/* The own-cost cases ("own-cost", param "depth"): one task fills the queue with depth items,
 * then drains it, over and over, with no other task and so no sleep and no wake-up: what the
 * queue itself costs per put+get pair at that depth. Metrics: per-pair (the task's CPU ns, in
 * the fastest of 8 slices of whole fills per batch: time other tasks took from it on a shared
 * machine does not count), order-control (as above, for
 * the order checked at that depth after the timed loop), wall-per-pair (wall ns, for
 * reference). */
#define TVP_QS_OWN_M_PAIR    0
#define TVP_QS_OWN_M_CONTROL 1
#define TVP_QS_OWN_M_WALL    2
#define TVP_QS_OWN_METRICS   3
/* case.arg of an own-cost case run as a member of another case (queues_own_pair.c), which notes
 * what it runs once for all its members. */
#define TVP_QS_OWN_MEMBER 1

/* For tests only: makes consumers misbehave so a test can show each check fails the batch.
 * 0 (the default): none; 1: drop one message; 2: count one message twice; 3: corrupt one
 * payload word; 4: see one message out of order. */
enum tvp_qs_fault {
    TVP_QS_FAULT_NONE,
    TVP_QS_FAULT_DROP,
    TVP_QS_FAULT_DUP,
    TVP_QS_FAULT_CORRUPT,
    TVP_QS_FAULT_REORDER
};
extern enum tvp_qs_fault tvp_qs_fault;

/* For tests only: 1 makes the order check accept any order, so a test can show that the
 * negative control then reports "not caught" (0), which the C11 judge turns into "the order check
 * could not be shown to work"; 2 + kind (enum tvp_qk) does so for that kind only. */
extern int tvp_qs_order_blind;

/* The order check every batch runs, exposed for its tests: taken[0 .. n) are the put indices of
 * n items in the order they were taken; prio[i] the priority item i was put with. 0 when they are
 * every item once in kind's order (FIFO and the rings: put order; LIFO: reversed; priority:
 * smallest first, ties in put order); otherwise -1 with the first offence in why. */
int tvp_qs_order_ok(enum tvp_qk kind, size_t n, const int64_t *prio, const uint64_t *taken,
                    char *why, size_t len);

/* Case functions; c->variant names the queue kind (tvp_qk), c->param_value the message size in
 * bytes (8 or 64), c->model thread or process. Producers run on c->pus[0 .. P-1], consumers on
 * c->pus[P .. P+C-1] (set by the planner). */
int tvp_qs_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_qs_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
               size_t errlen);
void tvp_qs_teardown(const struct tvp_case *c, void *state);

/* Own-cost case functions: c->variant the kind, c->param_value the depth (1 .. TVP_QS_CAPACITY);
 * run in the case's own task, private queue. */
int tvp_qs_own_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_qs_own_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals,
                   char *err, size_t errlen);
void tvp_qs_own_teardown(const struct tvp_case *c, void *state);

#endif
