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
 *
 * The workers are started for each batch (outside the timed interval), so the harness's
 * counters, inherited by tasks started after they open, count them: context switches and
 * migrations per message come from there. */
#ifndef TVP_QUEUES_STREAM_H
#define TVP_QUEUES_STREAM_H

#include "group.h"

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

/* Case functions; c->variant names the queue kind (tvp_qk), c->param_value the message size in
 * bytes (8 or 64), c->model thread or process. Producers run on c->pus[0 .. P-1], consumers on
 * c->pus[P .. P+C-1] (set by the planner). */
int tvp_qs_setup(const struct tvp_case *c, void **state, char *err, size_t errlen);
int tvp_qs_run(const struct tvp_case *c, void *state, uint64_t iters, uint64_t *totals, char *err,
               size_t errlen);
void tvp_qs_teardown(const struct tvp_case *c, void *state);

#endif
