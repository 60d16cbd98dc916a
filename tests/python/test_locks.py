"""tvpy.locks: every benchmark and variant runs and reports positive totals of the right count,
every check fires under its fault hook (and the case stays usable after it where the bench
repairs itself), set-up refuses unknown variants, and nothing outlives close()."""

import multiprocessing
import os
import threading
import unittest


from bench_test_case import BenchTestCase, Faulted
from tvpy import common, locks

# (bench, variant, model, param_value, metric count)
CASES = [
    ("lock-uncontended", "Lock", "thread", -1, 1),
    ("lock-uncontended", "RLock", "thread", -1, 1),
    ("lock-uncontended", "Semaphore", "thread", -1, 1),
    ("lock-uncontended", "BoundedSemaphore", "thread", -1, 1),
    ("rlock-nesting", "RLock", "thread", 1, 2),
    ("rlock-nesting", "RLock", "thread", 8, 2),
    ("self-deadlock", "Lock", "thread", -1, 1),
    ("lock-contended", "Lock", "thread", 1, 1),
    ("lock-contended", "Lock", "thread", 3, 1),
    ("semaphore-cap", "BoundedSemaphore", "thread", 3, 2),
    ("semaphore-cap", "BoundedSemaphore", "thread", 5, 2),
    ("semaphore-cap", "BoundedSemaphore", "thread", 8, 2),
    ("over-release", "BoundedSemaphore", "thread", -1, 1),
    ("event-wake", "threading.Event", "thread", 1, 2),
    ("event-wake", "threading.Event", "thread", 4, 2),
    ("event-wake", "multiprocessing.Event", "process", 1, 2),
    ("event-wake", "multiprocessing.Event", "process", 4, 2),
]

# (fault, bench, variant, model, param_value, usable after the failed batch)
FAULTS = [
    ("uncontended-leak", "lock-uncontended", "Lock", "thread", -1, True),
    ("uncontended-leak", "lock-uncontended", "RLock", "thread", -1, True),
    ("uncontended-leak", "lock-uncontended", "Semaphore", "thread", -1, True),
    ("uncontended-leak", "lock-uncontended", "BoundedSemaphore", "thread", -1, True),
    ("rlock-leak", "rlock-nesting", "RLock", "thread", 4, True),
    ("lock-reentrant", "self-deadlock", "Lock", "thread", -1, True),
    ("rlock-shallow", "self-deadlock", "Lock", "thread", -1, True),
    ("lock-skip", "lock-contended", "Lock", "thread", 2, True),
    ("sem-uncapped", "semaphore-cap", "BoundedSemaphore", "thread", 8, True),
    ("sem-small", "semaphore-cap", "BoundedSemaphore", "thread", 8, True),
    ("sem-none", "semaphore-cap", "BoundedSemaphore", "thread", 8, True),
    ("sem-unbounded", "over-release", "BoundedSemaphore", "thread", -1, True),
    ("event-miss", "event-wake", "threading.Event", "thread", 4, False),
    ("event-miss", "event-wake", "multiprocessing.Event", "process", 4, False),
]


def case(bench, variant, model="thread", param_value=-1):
    return common.local_case("locks", bench, variant, model, param_value=param_value)


class LocksTest(BenchTestCase):
    def test_every_bench(self):
        for bench, variant, model, param, count in CASES:
            with self.subTest(bench=bench, variant=variant, param=param):
                b = locks.BENCHES[bench](case(bench, variant, model, param))
                try:
                    self.assert_finite_totals(b.run(1), count)
                    self.assert_finite_totals(b.run(200), count)
                finally:
                    b.close()
                    b.close()  # idempotent
                self.assert_clean()

    def test_semaphore_cap_reaches_cap(self):
        # The control first: with no cap, the same 8 threads and rendezvous put more than 5 in
        # at once, so a capped run that shows 5 shows the cap, not a load that never got there.
        def run(n, fault=None):
            b = locks.BENCHES["semaphore-cap"](case("semaphore-cap", "BoundedSemaphore",
                                                    param_value=8))
            try:
                if fault is None:
                    return b.run(n)[1], b.most
                with Faulted(fault), self.assertRaises(common.CheckFailed):
                    b.run(n)
                return None, b.most
            finally:
                b.close()

        for n in (1, 2, 50):
            with self.subTest(n=n):
                _, control = run(n, "sem-none")
                self.assertEqual(control, 8)  # every thread in: the load exceeds the cap
                total, most = run(n)
                self.assertEqual(most, 5)  # the cap reached, and never exceeded
                self.assertEqual(total, 5 * n)  # max-holders total = 5 * n
                _, over = run(n, "sem-uncapped")  # one permit too many is seen as 6
                self.assertEqual(over, 6)
        self.assert_clean()

    def test_faults(self):
        for fault, bench, variant, model, param, usable in FAULTS:
            with self.subTest(fault=fault, variant=variant):
                # Set before set-up: event-wake's waiters read it when they start.
                os.environ["TVP_PY_FAULT"] = fault
                b = locks.BENCHES[bench](case(bench, variant, model, param))
                try:
                    with self.assertRaises(common.CheckFailed):
                        b.run(20)
                    del os.environ["TVP_PY_FAULT"]
                    if usable:
                        b.run(20)
                finally:
                    os.environ.pop("TVP_PY_FAULT", None)
                    b.close()
                self.assert_clean()

    def test_close_stops_blocked_waiters(self):
        for variant, model in (("threading.Event", "thread"),
                               ("multiprocessing.Event", "process")):
            with self.subTest(variant=variant):
                b = locks.BENCHES["event-wake"](case("event-wake", variant, model, 4))
                b.close()  # waiters are blocked in wait(), never run
                self.assert_clean()

    def test_unknown_variant(self):
        for bench in locks.BENCHES:
            with self.subTest(bench=bench):
                with self.assertRaises(ValueError):
                    locks.BENCHES[bench](case(bench, "SpinLock"))
        self.assert_clean()


if __name__ == "__main__":
    unittest.main()
