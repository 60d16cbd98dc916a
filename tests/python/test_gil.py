"""tvpy.gil: the scaling job runs for every variant and worker count and reports positive
totals (at 1 worker the job and its workers' CPU; above, the same for the W-worker job and for the
1-worker job of its pair), the 1-worker job of a pair is one chunk, the checksum check fires under
its fault hook, and nothing outlives close()."""

import os
import signal
import unittest


from bench_test_case import BenchTestCase
from tvpy import common, gil


def case(variant, workers):
    c = common.local_case("gil", "scaling", variant,
                          "process" if variant == "processes" else "thread", param_value=workers)
    c.placement = "spread"
    return c


class GilTest(BenchTestCase):
    def test_variants(self):
        for variant in ("threads", "threads-free", "processes"):
            for workers in (1, 3):
                with self.subTest(variant=variant, workers=workers):
                    b = gil.BENCHES["scaling"](case(variant, workers))
                    try:
                        self.assert_finite_totals(b.run(1), 2 if workers == 1 else 4)
                        self.assert_finite_totals(b.run(2), 2 if workers == 1 else 4)
                    finally:
                        b.close()
                        b.close()  # idempotent
                    self.assert_clean()

    def test_pair_is_one_chunk_then_w_chunks(self):
        b = gil.BENCHES["scaling"](case("processes", 3))
        sizes = []
        real_map = b.pool.map_async

        def spy(fn, args, chunksize):
            sizes.append(chunksize)
            return real_map(fn, args, chunksize=chunksize)

        try:
            b.pool.map_async = spy
            b.run(2)  # pair 1: 1-worker job first, pair 2: W-worker job first
            self.assertEqual(sizes, [b.units, b.chunk, b.chunk, b.units])
            self.assertLess(b.chunk, b.units)
        finally:
            b.close()
        self.assert_clean()

    def test_more_workers_than_units(self):
        b = gil.BENCHES["scaling"](case("threads", 30))  # chunks of 1, some workers idle
        try:
            self.assert_finite_totals(b.run(1), 4)
        finally:
            b.close()
        self.assert_clean()

    def test_fault_skip(self):
        for variant in ("threads", "processes"):
            with self.subTest(variant=variant):
                b = gil.BENCHES["scaling"](case(variant, 2))
                try:
                    os.environ["TVP_PY_FAULT"] = "gil-skip"
                    with self.assertRaises(common.CheckFailed):
                        b.run(1)
                    del os.environ["TVP_PY_FAULT"]
                    self.assert_finite_totals(b.run(1), 4)
                finally:
                    os.environ.pop("TVP_PY_FAULT", None)
                    b.close()
                self.assert_clean()

    def test_killed_pool_worker_named(self):
        # A worker killed between jobs (the Pool replaces it at once) or in the middle of one
        # (its chunk lost: the job would never end) fails the job, naming the worker and the
        # signal; close() still ends the Pool and leaves nothing.
        for during in (False, True):
            with self.subTest(during=during):
                b = gil.BENCHES["scaling"](case("processes", 2))
                try:
                    if during:
                        os.environ["TVP_PY_FAULT"] = "gil-worker-dies"
                        pattern = r"pool worker \(pid [0-9]+\) was killed by signal 9"
                    else:
                        os.kill(b.procs[1].pid, signal.SIGKILL)
                        pattern = (r"pool worker \(pid %d\) was killed by signal 9"
                                   % b.procs[1].pid)
                    with self.assertRaisesRegex(common.CheckFailed, pattern):
                        b.run(1)
                finally:
                    os.environ.pop("TVP_PY_FAULT", None)
                    b.close()
                self.assert_clean()

    def test_unknown_variant(self):
        with self.assertRaises(ValueError):
            gil.BENCHES["scaling"](case("greenlets", 2))
        self.assert_clean()

    def test_gil_note(self):
        self.assertIn("GIL disabled", gil.gil_note({"disabled"}, False))
        self.assertIn("GIL enabled", gil.gil_note({"enabled"}, False))
        self.assertIn("own interpreter", gil.gil_note({"enabled"}, True))
        self.assertIn("differed", gil.gil_note({"enabled", "disabled"}, False))


if __name__ == "__main__":
    unittest.main()
