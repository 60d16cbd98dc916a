"""tvpy.queues: every benchmark and variant has the right shape and leaves nothing behind, and
every check fires when its fault hook corrupts a run. Shape only: no timing thresholds."""

import queue
import unittest

from bench_test_case import BenchTestCase, Faulted
from tvpy import common, queues

VARIANTS = ("Queue", "LifoQueue", "PriorityQueue", "SimpleQueue")
METRICS = {"stream-1x1": 3, "stream-1x2": 3, "handoff": 3}


class QueuesTest(BenchTestCase):
    def tearDown(self):
        super().tearDown()
        self.assert_clean()

    def make(self, bench, variant):
        case = common.local_case("queues", bench, variant, model="thread")
        return queues.BENCHES[bench](case)

    def test_shapes(self):
        for bench in METRICS:
            for variant in VARIANTS:
                with self.subTest(bench=bench, variant=variant):
                    b = self.make(bench, variant)
                    try:
                        self.assert_finite_totals(b.run(1), METRICS[bench])
                        n = 300 if bench == "handoff" else 5000
                        self.assert_finite_totals(b.run(n), METRICS[bench])
                        self.assert_finite_totals(b.run(2), METRICS[bench])
                    finally:
                        b.close()
                    b.close()  # idempotent

    def test_order_check_passes(self):
        for variant in VARIANTS:
            queues.order_check(variant)

    def expect_failure(self, fault, bench, variant, n):
        with Faulted(fault):
            b = self.make(bench, variant)
            try:
                with self.assertRaises(common.CheckFailed) as cm:
                    b.run(n)
            finally:
                b.close()
        return str(cm.exception)

    def test_drop_fires(self):
        for bench in METRICS:
            for variant in VARIANTS:
                for n in (1, 500):
                    with self.subTest(bench=bench, variant=variant, n=n):
                        msg = self.expect_failure("queues-drop", bench, variant, n)
                        self.assertIn("lost" if n == 1 or bench != "handoff" else "expected",
                                      msg)

    def test_dup_fires(self):
        for bench in ("stream-1x1", "stream-1x2"):
            for variant in VARIANTS:
                with self.subTest(bench=bench, variant=variant):
                    msg = self.expect_failure("queues-dup", bench, variant, 500)
                    self.assertIn("twice", msg)

    def test_order_fires(self):
        for bench in ("stream-1x1", "stream-1x2"):
            for variant in VARIANTS:
                with self.subTest(bench=bench, variant=variant):
                    msg = self.expect_failure("queues-order", bench, variant, 50)
                    self.assertIn("order", msg)

    def test_lost_message_caught(self):
        # A queue that really loses a message: the count never reaches n, so the batch must
        # end as a stall (with every thread out) instead of hanging.
        class Lossy(queue.LifoQueue):
            def _put(self, item):
                if item[1] != 7:
                    super()._put(item)

        saved = queues.KINDS["LifoQueue"], queues.STALL_S
        queues.KINDS["LifoQueue"], queues.STALL_S = Lossy, 0.2
        try:
            for bench in ("stream-1x1", "stream-1x2"):
                with self.subTest(bench=bench):
                    b = self.make(bench, "LifoQueue")
                    with self.assertRaises(common.CheckFailed) as cm:
                        b.run(100)
                    b.close()
                    self.assertIn("99 of 100", str(cm.exception))
        finally:
            queues.KINDS["LifoQueue"], queues.STALL_S = saved

    def test_unknown_variant(self):
        for bench in METRICS:
            with self.assertRaises(ValueError):
                self.make(bench, "Deque")
        case = common.local_case("queues", "handoff", "Queue", model="process")
        with self.assertRaises(ValueError):
            queues.BENCHES["handoff"](case)


if __name__ == "__main__":
    unittest.main()
