"""What every Python benchmark test shares: the fault hook cleared around each test, and the
check that a closed benchmark left nothing behind (no child process, no extra thread, no
SharedMemory block of this process in /dev/shm)."""

import glob
import math
import multiprocessing
import os
import threading
import unittest


class Faulted:
    """Sets TVP_PY_FAULT for the block and removes it after."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        os.environ["TVP_PY_FAULT"] = self.name

    def __exit__(self, *exc):
        os.environ.pop("TVP_PY_FAULT", None)


class BenchTestCase(unittest.TestCase):
    def setUp(self):
        self.threads0 = threading.active_count()
        os.environ.pop("TVP_PY_FAULT", None)

    def tearDown(self):
        os.environ.pop("TVP_PY_FAULT", None)

    def assert_clean(self):
        self.assertEqual(multiprocessing.active_children(), [])
        self.assertEqual(threading.active_count(), self.threads0, threading.enumerate())
        self.assertEqual(glob.glob("/dev/shm/tvp-py-%d-*" % os.getpid()), [])

    def assert_finite_totals(self, totals, count):
        self.assertEqual(len(totals), count)
        for t in totals:
            self.assertTrue(math.isfinite(t) and t > 0, totals)
