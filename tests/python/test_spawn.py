"""tvpy.spawn: every start variant runs and reports two positive totals, every check fires
under its fault hook, set-up refuses what it cannot do, and nothing outlives close(). The exit
benchmark (C5): every variant runs, a non-daemon thread's work always finished, each of its four
checks fires under its own fault hook, and no child interpreter is left."""

import multiprocessing
import os
import unittest
from unittest import mock

from bench_test_case import BenchTestCase, Faulted
from tvpy import common, spawn

VARIANTS = ("Thread", "Process-fork", "Process-spawn", "Process-forkserver")


def case(variant, placement=None):
    c = common.local_case("spawn", "start", variant,
                          "thread" if variant == "Thread" else "process")
    if placement == "same-pu":
        c.placement, c.pu_b = "same-pu", c.pu_a
    return c


class SpawnTest(BenchTestCase):
    def offered(self, variant):
        if variant == "Thread":
            return True
        return variant.split("-", 1)[1] in multiprocessing.get_all_start_methods()

    def test_variants(self):
        for variant in VARIANTS:
            for placement in ("same-pu", None):
                with self.subTest(variant=variant, placement=placement):
                    if not self.offered(variant):
                        self.skipTest("start method not offered")
                    b = spawn.BENCHES["start"](case(variant, placement))
                    try:
                        self.assert_finite_totals(b.run(1), 2)
                        totals = b.run(3)
                        self.assert_finite_totals(totals, 2)
                        # joined covers running, operation by operation
                        self.assertLessEqual(totals[0], totals[1])
                    finally:
                        b.close()
                        b.close()  # idempotent
                    self.assert_clean()

    def test_faults(self):
        for variant in VARIANTS:
            for fault in ("spawn-timestamp", "spawn-exit"):
                with self.subTest(variant=variant, fault=fault):
                    if not self.offered(variant):
                        self.skipTest("start method not offered")
                    b = spawn.BENCHES["start"](case(variant))
                    try:
                        os.environ["TVP_PY_FAULT"] = fault
                        with self.assertRaises(common.CheckFailed):
                            b.run(2)
                        del os.environ["TVP_PY_FAULT"]
                        self.assert_finite_totals(b.run(1), 2)  # still usable after a failed batch
                    finally:
                        os.environ.pop("TVP_PY_FAULT", None)
                        b.close()
                    self.assert_clean()

    def test_killed_child_named(self):
        # A started process that dies of a signal is named with its pid and the signal.
        for variant in VARIANTS[1:]:
            with self.subTest(variant=variant):
                if not self.offered(variant):
                    self.skipTest("start method not offered")
                b = spawn.BENCHES["start"](case(variant))
                try:
                    os.environ["TVP_PY_FAULT"] = "spawn-killed"
                    with self.assertRaisesRegex(common.CheckFailed,
                                                r"child \(pid [0-9]+\) was killed by signal 9"):
                        b.run(2)
                finally:
                    os.environ.pop("TVP_PY_FAULT", None)
                    b.close()

    def test_unknown_variant(self):
        with self.assertRaises(ValueError):
            spawn.BENCHES["start"](case("Process-teleport"))
        self.assert_clean()

    def test_start_method_not_offered(self):
        with mock.patch.object(spawn.multiprocessing, "get_all_start_methods",
                               return_value=["fork"]):
            with self.assertRaises(ValueError):
                spawn.BENCHES["start"](case("Process-spawn"))
        self.assert_clean()


def exit_case(variant, work_ms=20):
    c = common.local_case("spawn", "exit", variant, param_value=work_ms)
    c.placement, c.pu_b = "same-pu", c.pu_a
    return c


class ExitTest(BenchTestCase):
    def test_variants(self):
        for variant in spawn.EXIT_VARIANTS:
            with self.subTest(variant=variant):
                b = spawn.BENCHES["exit"](exit_case(variant))
                try:
                    for n in (1, 2):
                        whole, main, done = b.run(n)
                        self.assert_finite_totals([whole, main], 2)
                        self.assertLessEqual(main, whole)  # main's end lies inside the program
                        if variant == "non-daemon":
                            self.assertEqual(done, n)
                        elif variant == "no-thread":
                            self.assertEqual(done, 0)
                        else:
                            self.assertTrue(0 <= done <= n, done)
                finally:
                    b.close()
                    b.close()  # idempotent
                self.assert_clean()

    def test_faults(self):
        # A long sleep, so that a thread the interpreter does not wait for cannot finish first.
        cases = [(v, f) for v in spawn.EXIT_VARIANTS
                 for f in ("exit-daemon-accepted", "exit-timestamp", "exit-status")]
        cases.append(("non-daemon", "exit-not-waited"))
        for variant, fault in cases:
            with self.subTest(variant=variant, fault=fault):
                b = spawn.BENCHES["exit"](exit_case(variant, 300))
                try:
                    with Faulted(fault):
                        with self.assertRaises(common.CheckFailed):
                            b.run(1)
                    self.assertEqual(len(b.run(1)), 3)  # still usable after a failed batch
                finally:
                    b.close()
                self.assert_clean()

    def test_daemon_after_start(self):
        self.assertIn("daemon", spawn.daemon_after_start_refused())
        with self.assertRaises(common.CheckFailed):
            spawn.daemon_after_start_refused(spoil=True)
        self.assert_clean()

    def test_unknown_variant(self):
        with self.assertRaises(ValueError):
            spawn.BENCHES["exit"](exit_case("detached"))
        self.assert_clean()


if __name__ == "__main__":
    unittest.main()
