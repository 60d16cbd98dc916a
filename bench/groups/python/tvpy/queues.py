"""Claim C11 in CPython: the `queue` module's FIFO, LIFO and priority queues differ only in the
order they hand items out, so a stream through each should cost about the same; SimpleQueue
(the C-level unbounded FIFO) is the lighter baseline.

Variants: "Queue", "LifoQueue", "PriorityQueue", "SimpleQueue"; model "thread" only. Producers
pin to case.pu_a and consumers to case.pu_b as their first act (on same-pu both are one PU).

"stream-1x1", "stream-1x2": one producer streams n items (prio, seq, t_put) to one or two
consumers. Metrics: per-msg (wall ns from the producer's first put to the last message
consumed, over n), lat-p50 and lat-p99 (put-to-get latency of every k-th message, at most
~20000 a batch: the producer stamps just before put, the consumer just after get). The three
`queue` classes are bounded (maxsize 1024) so a fast producer blocks as it does on the C
queues; SimpleQueue cannot be bounded, so its producer never blocks and the queue may hold the
whole batch.

Termination: a sentinel put after the last message would come out FIRST of a LifoQueue (and
wherever its priority puts it in a PriorityQueue), so consumers cannot stop on a sentinel that
the producer puts. As in the C engine (bench/groups/queues/queues_stream.c), each consumer counts what it
takes and adds its count to a lock-guarded shared total every 256 messages and whenever it
finds the queue empty, before it blocks. The consumer whose addition completes n stamps the
end and sets an event; only then, with every real message gone, does the main thread put one
sentinel per consumer, which can come out in any order. The lock is taken once per 256
messages or per empty queue, not per message, so it barely shows in per-msg; a shared counter
without the lock would be wrong on free-threaded builds.

"handoff": one message in flight. The main thread (pu_a) stamps t0 and puts; a consumer
thread (pu_b) gets, stamps t1 and acknowledges through a second queue of the same kind, so the
producer never has two messages out. Metrics: mean, p50, p99 of t1 - t0 (the mean over all n,
the percentiles over at most ~20000 samples). Latencies include Python's GIL hand-offs between
the two threads, which on a GIL build dominate the queue's own cost.

Checks, every batch: no message lost or duplicated (each seq 0..n-1 exactly once across the
consumers), and per consumer strictly increasing seqs for the FIFO kinds (Queue and
SimpleQueue). Once per batch, outside the timing, an order check: 32 items with tied
priorities pre-filled into a fresh queue of the same kind and drained by one thread must come
out in exactly FIFO / LIFO / (priority, then FIFO among ties) order. Fault hooks:
"queues-drop", "queues-dup", "queues-order"."""

import queue
import sys
import threading

from tvpy import common

KINDS = {
    "Queue": queue.Queue,
    "LifoQueue": queue.LifoQueue,
    "PriorityQueue": queue.PriorityQueue,
    "SimpleQueue": queue.SimpleQueue,
}
FIFO_KINDS = ("Queue", "SimpleQueue")
MAXSIZE = 1024          # bound of the three `queue` classes (SimpleQueue has none)
MAX_SAMPLES = 20000     # latency samples kept per batch
FLUSH_EVERY = 256       # messages a consumer takes before it adds them to the shared total
STALL_S = 5.0           # no progress this long after the producer finished: messages were lost
ORDER_ITEMS = 32
SENTINEL = (-1, -1, 0)  # compares below every real item, so a PriorityQueue accepts it too

CheckFailed = common.CheckFailed


def _make(variant):
    cls = KINDS[variant]
    return cls() if cls is queue.SimpleQueue else cls(maxsize=MAXSIZE)


def _check_variant(case):
    common.require_variant(case, KINDS)
    if case.model != "thread":
        raise ValueError("queues: variant %s runs in model thread, not %s"
                         % (case.variant, case.model))


def _notes(case):
    if case.variant == "SimpleQueue":
        common.note("SimpleQueue is unbounded: its producer never blocks")
    else:
        common.note("%s bounded at maxsize %d" % (case.variant, MAXSIZE))
    if common.gil_state() == "enabled":
        common.note("latencies include the GIL hand-offs between threads (switch interval "
                    "%g ms)" % (sys.getswitchinterval() * 1000))
    else:
        common.note("GIL disabled: threads run in parallel")


def order_check(variant):
    """Pre-fills a fresh queue of the kind with 32 items of tied priorities, drains it from this
    thread and compares with the order the kind promises. Raises CheckFailed."""
    q = _make(variant)
    items = [((i * 5) % 7 if variant == "PriorityQueue" else 0, i) for i in range(ORDER_ITEMS)]
    for it in items:
        q.put_nowait(it)
    got = [q.get_nowait() for _ in range(ORDER_ITEMS)]
    if common.fault("queues-order"):
        got[3], got[4] = got[4], got[3]
    if variant == "LifoQueue":
        want = items[::-1]
    elif variant == "PriorityQueue":
        want = sorted(items)  # by priority, then by insertion (seq): FIFO among ties
    else:
        want = items
    if got != want:
        i = next(j for j in range(ORDER_ITEMS) if got[j] != want[j])
        raise CheckFailed("order: %s gave item %r at position %d where %r belongs"
                          % (variant, got[i], i, want[i]))


def _sample_step(n):
    return max(1, -(-n // MAX_SAMPLES))


class Stream:
    """One producer thread, `consumers` consumer threads, a fresh queue per batch."""

    def __init__(self, case, consumers):
        _check_variant(case)
        self.case = case
        self.variant = case.variant
        self.n_cons = consumers
        self.fifo = case.variant in FIFO_KINDS
        self.drop = common.fault("queues-drop")
        self.dup = common.fault("queues-dup")

    # -- the threads -------------------------------------------------------------------------

    def _produce(self, st):
        try:
            common.pin(self.case.pu_a)
            common.note_cpu()
            st["barrier"].wait()
            q, n, k = st["q"], st["n"], st["k"]
            put = q.put
            now = common.now_ns
            st["t0"] = now()
            # Items are (prio, seq, t_put): PriorityQueue gets pseudo-random small priorities
            # for its heap to work on, seq breaks the ties; only every k-th is stamped.
            if self.variant == "PriorityQueue":
                for seq in range(n):
                    put(((seq * 7) % 16, seq, now() if seq % k == 0 else 0))
            else:
                for seq in range(n):
                    put((0, seq, now() if seq % k == 0 else 0))
        except BaseException as e:  # reported by run(); the batch fails
            st["errors"].append("producer: %s: %s" % (type(e).__name__, e))

    def _flush(self, st, local):
        # Adds a consumer's count to the shared total; the addition that completes n stamps
        # the end of the batch and wakes the main thread.
        if not local:
            return
        with st["lock"]:
            st["consumed"] += local
            done = st["consumed"] == st["n"]
        if done:
            st["t_end"] = common.now_ns()
            st["done"].set()

    def _consume(self, st, c):
        try:
            common.pin(self.case.pu_b)
            common.note_cpu()
            st["barrier"].wait()
            q, k = st["q"], st["k"]
            seen = st["seen"][c]
            samples = st["samples"][c]
            get, get_nowait, empty = q.get, q.get_nowait, queue.Empty
            now = common.now_ns
            fifo, flush = self.fifo, self._flush
            faulty = self.drop or self.dup
            last, local, why = -1, 0, None
            while True:
                try:
                    item = get_nowait()
                except empty:
                    flush(st, local)  # before sleeping, so the main thread sees the count
                    local = 0
                    item = get()
                seq = item[1]
                if seq < 0:
                    break  # only ever put once every real message was taken
                if seq % k == 0:
                    samples.append(now() - item[2])
                local += 1
                if local == FLUSH_EVERY:
                    flush(st, local)
                    local = 0
                if faulty and seq == 0:
                    if self.drop:
                        continue  # taken off the queue (and counted) but never recorded
                    seen[seq] = 1  # delivered twice: the record below sees it again
                if seen[seq]:
                    why = why or "message %d received twice by consumer %d" % (seq, c)
                seen[seq] = 1
                if fifo:
                    if seq <= last:
                        why = why or ("order: consumer %d got message %d after message %d"
                                      % (c, seq, last))
                    last = seq
            flush(st, local)
            if why:
                st["errors"].append(why)
        except BaseException as e:
            st["errors"].append("consumer %d: %s: %s" % (c, type(e).__name__, e))

    # -- one batch ---------------------------------------------------------------------------

    def run(self, n):
        _notes(self.case)
        common.note_cpu()
        st = {
            "q": _make(self.variant), "n": n, "k": _sample_step(n),
            "lock": threading.Lock(), "consumed": 0, "done": threading.Event(),
            "barrier": threading.Barrier(1 + self.n_cons), "errors": [],
            "seen": [bytearray(n) for _ in range(self.n_cons)],
            "samples": [[] for _ in range(self.n_cons)], "t0": 0, "t_end": 0,
        }
        prod = threading.Thread(target=self._produce, args=(st,), name="tvp-producer",
                                daemon=True)
        cons = [threading.Thread(target=self._consume, args=(st, c), name="tvp-consumer-%d" % c,
                                 daemon=True) for c in range(self.n_cons)]
        try:
            for t in cons + [prod]:
                t.start()
            self._wait(st, prod)
        finally:
            self._release(st, prod, cons)
        if st["errors"]:
            raise CheckFailed("%s %s: %s" % (self.case.bench, self.variant, st["errors"][0]))
        self._check_all(st)
        order_check(self.variant)
        lat = sorted(s for part in st["samples"] for s in part)
        return [st["t_end"] - st["t0"], common.percentile(lat, 50) * n,
                common.percentile(lat, 99) * n]

    def _wait(self, st, prod):
        while prod.is_alive():
            prod.join(0.1)
            if st["errors"]:
                return  # a thread failed: _release() gets the others out
        last, since = -1, common.now_ns()
        while not st["done"].wait(0.1):
            if st["errors"]:
                return
            with st["lock"]:
                c = st["consumed"]
            if c != last:
                last, since = c, common.now_ns()
            elif common.now_ns() - since > STALL_S * 1e9:
                st["errors"].append("stalled: %d of %d messages consumed, the queue is empty"
                                    % (c, st["n"]))
                return

    def _release(self, st, prod, cons):
        # The normal path: every real message is gone, so one sentinel per consumer ends them
        # whatever order the queue hands them out in. After a failure, keep the queue moving
        # until every thread is out.
        q = st["q"]
        if st["errors"] or not st["done"].is_set():
            # Frees a thread still waiting for a partner that failed. Only then: a thread
            # woken by a complete barrier but not yet out of wait() would see it broken.
            st["barrier"].abort()
        while prod.is_alive():
            _drain(q)
            prod.join(0.05)
        left = self.n_cons
        while any(t.is_alive() for t in cons):
            if left:
                try:
                    q.put(SENTINEL, timeout=0.05)
                    left -= 1
                except queue.Full:
                    pass
            for t in cons:
                t.join(0.05 if not left else 0)
        for t in cons + [prod]:
            t.join()

    def _check_all(self, st):
        n = st["n"]
        seen = st["seen"]
        if len(seen) == 1:
            union = bytes(seen[0])
        else:
            a = int.from_bytes(seen[0], "little")
            for other in seen[1:]:
                b = int.from_bytes(other, "little")
                if a & b:
                    seq = (((a & b) & -(a & b)).bit_length() - 1) // 8  # lowest in both
                    raise CheckFailed("%s %s: message %d received by two consumers"
                                      % (self.case.bench, self.variant, seq))
                a |= b
            union = a.to_bytes(n, "little")
        missing = union.find(0)
        if missing >= 0:
            raise CheckFailed("%s %s: message %d of %d lost (%d received)"
                              % (self.case.bench, self.variant, missing, n,
                                 n - union.count(0)))

    def close(self):
        pass  # every thread of a batch is joined before run() returns


def _drain(q):
    try:
        while True:
            q.get_nowait()
    except queue.Empty:
        pass


class Handoff:
    """One message in flight between the main thread and a consumer thread."""

    def __init__(self, case):
        _check_variant(case)
        self.case = case
        self.variant = case.variant
        self.drop = common.fault("queues-drop")

    def _consume(self, st):
        ack = st["ack"]
        try:
            common.pin(self.case.pu_b)
            common.note_cpu()
            st["ready"].set()
            q, n, k = st["q"], st["n"], st["k"]
            get, ack_put, now = q.get, ack.put, common.now_ns
            samples = st["samples"]
            total, expect, why = 0, 0, None
            for _ in range(n):
                item = get()
                lat = now() - item[2]
                seq = item[1]
                if self.drop and seq == 0:
                    ack_put(seq)  # lost on the way: never recorded, but the producer goes on
                    continue
                total += lat
                if seq % k == 0:
                    samples.append(lat)
                if seq != expect:
                    why = why or "expected message %d, got %d" % (expect, seq)
                expect = seq + 1
                ack_put(seq)
            if expect != n:
                why = why or "message %d of %d lost" % (expect, n)
            st["total"] = total
            if why:
                st["errors"].append(why)
        except BaseException as e:
            st["errors"].append("consumer: %s: %s" % (type(e).__name__, e))
            st["ready"].set()
            ack.put(-1)  # unblocks the producer, which sees the wrong acknowledgement

    def run(self, n):
        _notes(self.case)
        common.note_cpu()
        st = {"q": _make(self.variant), "ack": _make(self.variant), "n": n,
              "k": _sample_step(n), "samples": [], "total": 0, "errors": [],
              "ready": threading.Event()}
        t = threading.Thread(target=self._consume, args=(st,), name="tvp-handoff", daemon=True)
        t.start()
        try:
            st["ready"].wait()  # the first latency must not include the thread's start
            put, ack_get, now = st["q"].put, st["ack"].get, common.now_ns
            if self.variant == "PriorityQueue":
                for seq in range(n):
                    t0 = now()
                    put(((seq * 7) % 16, seq, t0))
                    if ack_get() != seq:
                        break
            else:
                for seq in range(n):
                    t0 = now()
                    put((0, seq, t0))
                    if ack_get() != seq:
                        break
        finally:
            t.join()
        if st["errors"]:
            raise CheckFailed("handoff %s: %s" % (self.variant, st["errors"][0]))
        lat = sorted(st["samples"])
        return [st["total"], common.percentile(lat, 50) * n, common.percentile(lat, 99) * n]

    def close(self):
        pass  # the consumer thread of a batch is joined before run() returns


BENCHES = {
    "stream-1x1": lambda case: Stream(case, 1),
    "stream-1x2": lambda case: Stream(case, 2),
    "handoff": Handoff,
}
