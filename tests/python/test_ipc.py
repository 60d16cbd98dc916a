"""tvpy.ipc: every benchmark and variant has the right shape and leaves nothing behind (no
child process, no thread, no /dev/shm/tvp-py-<our pid>-*), and every check fires when its fault
hook corrupts a run. Shape only: no timing thresholds."""

import multiprocessing
import os
import signal
import unittest

from bench_test_case import BenchTestCase, Faulted
from tvpy import common, ipc

SIZES = (64, 4096, 65536, 1048576)


def models_of(variant, models):
    m = models.get(variant, "thread")
    return (m,) if isinstance(m, str) else m


def pingpong_pairs():
    """Every (variant, model) the pingpong benchmark runs: SharedMemory-offset runs in both."""
    return [(v, m) for v in ipc.PINGPONG_MODELS for m in models_of(v, ipc.PINGPONG_MODELS)]


def wait_dead(pid, deadline_s=30.0):
    """Returns once pid has exited (a zombie or gone): a SIGKILLed task dies only when it is next
    scheduled, which on a loaded machine can come after the batch has started."""
    import time
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with open("/proc/%d/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    return
        except (FileNotFoundError, ProcessLookupError):
            # gone: reaped before the open, or between the open and the read (ESRCH)
            return
        time.sleep(0.01)
    raise AssertionError("pid %d still alive %.0f s after SIGKILL" % (pid, deadline_s))


def make(bench, variant, param_value=-1, model=None):
    models = ipc.PINGPONG_MODELS if bench == "pingpong" else ipc.POOL_MODELS
    case = common.local_case("ipc", bench, variant, model=model or models_of(variant, models)[0],
                             param_value=param_value)
    return ipc.BENCHES[bench](case)


class IpcTest(BenchTestCase):
    def tearDown(self):
        super().tearDown()
        # Blocks are named after the process that made them, always this one (the echo side
        # only attaches): assert_clean looks for ours, so another program's cannot fail us.
        self.assert_clean()

    def test_pingpong_shapes(self):
        self.assertIn(("SharedMemory-offset", "process"), pingpong_pairs())
        self.assertIn(("SharedMemory-offset", "thread"), pingpong_pairs())
        for variant, model in pingpong_pairs():
            for size in SIZES:
                with self.subTest(variant=variant, model=model, size=size):
                    b = make("pingpong", variant, size, model)
                    try:
                        self.assert_finite_totals(b.run(1), 3)
                        self.assert_finite_totals(b.run(3 if size > 65536 else 20), 3)
                    finally:
                        b.close()
                    b.close()  # idempotent
                    self.assertEqual(multiprocessing.active_children(), [])

    def test_pingpong_corrupt_fires(self):
        for variant, model in pingpong_pairs():
            for size in (64, 65536):
                with self.subTest(variant=variant, model=model, size=size), \
                        Faulted("ipc-corrupt"):
                    b = make("pingpong", variant, size, model)
                    try:
                        with self.assertRaises(common.CheckFailed):
                            b.run(2)
                        # The check raised with the exchange complete: the next batch is
                        # checked (and fails) again rather than hanging.
                        with self.assertRaises(common.CheckFailed):
                            b.run(1)
                    finally:
                        b.close()

    def test_pool_shapes(self):
        for variant in ipc.POOL_MODELS:
            with self.subTest(variant=variant):
                b = make("pool-dispatch", variant)
                try:
                    self.assert_finite_totals(b.run(1), 1)
                    self.assert_finite_totals(b.run(4 if variant == "Process-per-task" else 50), 1)
                finally:
                    b.close()
                b.close()
                if variant in ("Pool", "ThreadPool"):
                    self.assertIn("join before close raised ValueError: Pool is still running",
                                  common._noted_texts)

    def test_pool_wrong_fires(self):
        for variant in ipc.POOL_MODELS:
            with self.subTest(variant=variant), Faulted("pool-wrong"):
                b = make("pool-dispatch", variant)
                try:
                    with self.assertRaises(common.CheckFailed) as cm:
                        b.run(3)
                    self.assertIn("task 0 returned 2", str(cm.exception))
                finally:
                    b.close()

    def test_pool_join_fires(self):
        for variant in ("Pool", "ThreadPool"):
            with self.subTest(variant=variant), Faulted("pool-join"):
                b = make("pool-dispatch", variant)
                try:
                    with self.assertRaises(common.CheckFailed) as cm:
                        b.run(2)
                    self.assertIn("join", str(cm.exception))
                finally:
                    b.close()

    def test_killed_pool_worker_named(self):
        # A killed Pool worker loses its task and is replaced without a word: the batch must
        # fail naming it, not wait forever for the lost result nor pass on the replacement.
        for during in (False, True):
            with self.subTest(during=during):
                if during:  # the worker dies running a task (the hook is read at set-up)
                    os.environ["TVP_PY_FAULT"] = "pool-task-killed"
                b = make("pool-dispatch", "Pool")
                try:
                    if during:
                        pattern = r"pool worker \(pid [0-9]+\) was killed by signal 9"
                    else:  # killed while it waits for work
                        os.kill(b.procs[0].pid, signal.SIGKILL)
                        wait_dead(b.procs[0].pid)
                        pattern = (r"pool worker \(pid %d\) was killed by signal 9"
                                   % b.procs[0].pid)
                    with self.assertRaisesRegex(common.CheckFailed, pattern):
                        b.run(50)
                finally:
                    os.environ.pop("TVP_PY_FAULT", None)
                    b.close()

    def test_process_per_task_killed_named(self):
        with Faulted("pool-task-killed"):
            b = make("pool-dispatch", "Process-per-task")
            try:
                with self.assertRaisesRegex(common.CheckFailed,
                                            r"the process of task 0 \(pid [0-9]+\) was killed "
                                            r"by signal 9"):
                    b.run(2)
            finally:
                b.close()

    def test_unknown_variant(self):
        for bench in ipc.BENCHES:
            with self.subTest(bench=bench), self.assertRaises(ValueError):
                make(bench, "Carrier-pigeon")
        case = common.local_case("ipc", "pingpong", "Pipe", model="thread", param_value=64)
        with self.assertRaises(ValueError):
            ipc.BENCHES["pingpong"](case)
        case = common.local_case("ipc", "pingpong", "Pipe", model="process", param_value=8)
        with self.assertRaises(ValueError):
            ipc.BENCHES["pingpong"](case)
        case = common.local_case("ipc", "pingpong", "SharedMemory-offset", model="hybrid",
                                 param_value=64)
        with self.assertRaises(ValueError):
            ipc.BENCHES["pingpong"](case)


if __name__ == "__main__":
    unittest.main()
