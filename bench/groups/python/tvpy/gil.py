"""Claim C6: only one CPython thread runs Python code at a time (the GIL) -- so CPU-bound work
does not speed up with threads, but does with processes, and with threads on a free-threaded
build.

scaling: one operation is one job, a fixed amount of CPU-bound pure-Python work split over W
workers (param_value = W):
  per-job  ns from handing the job out to having every worker's result back
  A job is 48 work units of ~1 ms each, in a quick run too: with half of that, a 2-worker job
  lasted ~6 ms and a third of its speed-ups came out near 1 (a worker started late, a vCPU the
  host held), which left C6 undecided in quick runs that full runs confirm. A unit is an
  integer arithmetic loop returning a checksum; its iteration count is calibrated once in
  set-up on one thread, so the job is the same amount of work for every W and every variant.
  The units are cut into chunks of ceil(UNITS / W), one per worker (a Pool hands each chunk to
  whichever worker is free, so there it is one per worker in the usual case).
  Variants:
    "threads"       W threading.Threads started per job (each pins itself to pus[i % len]),
                    joined at the end: thread start/join is part of the job, as it is when an
                    application fans out work to threads.
    "threads-free"  the same code; the harness runs it under a free-threaded interpreter.
    "processes"     a fork-context Pool of W workers made in set-up (worker i pinned to
                    pus[i % len] by its initializer), pool.map over the units with chunksize
                    ceil(UNITS / W): what the parent pays to dispatch and collect is in the job.
  At W > 1 each operation is a pair of jobs, the same job done by 1 worker and by W, back to
  back in alternating order:
    per-job    ns of the W-worker job
    per-job-1  ns of the 1-worker job (threads: one thread; processes: the whole job as one chunk
               to one worker of the same Pool)
    worker-cpu, worker-cpu-1
               CPU ns the workers spent on the units of each (thread CPU time, summed over the
               workers). Divided by the job's ns it is how many PUs' worth of running the job
               got: about W for a Pool on free PUs, about 1 for GIL threads (they take turns);
               less means other load took the PUs, and the speed-up says nothing of CPython.
  and the speed-up is read per repetition, per-job-1 / per-job of the same repetition (the
  report's median and CI are of those paired ratios).
  Pairing is what makes the speed-up a property of the interpreter rather than of the minute:
  on a shared VM the same pure-Python job runs 12 ms or 22 ms for seconds at a time (host
  contention), which a 1-worker case and a W-worker case measured seconds apart see
  differently; two jobs tens of ms apart see the same machine. With the GIL, threads stay
  near 1.

Every job is checked: the checksums of all units add up to the value computed in set-up. The
workers record the GIL state they ran under (sys._is_gil_enabled(), 3.13+: a free-threaded
build can re-enable the GIL at run time), which goes to the note column."""

import math
import multiprocessing
import os
import signal
import sys
import threading
import time

from . import common

VARIANTS = ("threads", "threads-free", "processes")

_MULT = 1103515245
_MASK = 0x7FFFFFFF


def _unit(iters, seed):
    """One work unit: a linear congruential walk, pure Python integer arithmetic. The result
    is > 0, so a skipped unit always changes the sum."""
    x = seed
    for i in range(iters):
        x = (x * _MULT + 12345 + i) & _MASK
    return x + 1


def _units_sum(iters, seeds):
    total = 0
    for s in seeds:
        total += _unit(iters, s)
    return total


def _calibrate(target_ns):
    """Iterations of _unit lasting ~target_ns on this thread (best of a few tries, so a
    preemption during calibration does not shrink the job). Calibrating in each case's own
    process, rather than fixing the count, also cancels the few per cent by which one
    interpreter process runs the same loop faster than another (address-space layout): the
    1-worker and W-worker cases of a speed-up then hold the same amount of time's work."""
    # Warm the loop up first (3.11+ specialises bytecode after its first runs): timing a cold
    # loop overestimates the cost per iteration, which shrinks one case's job against another's.
    _time_unit(200_000)
    iters = 2000
    while True:
        best = min(_time_unit(iters) for _ in range(5))
        if best >= 5_000_000 or iters >= 1 << 26:  # 5 ms of measuring: precise enough
            break
        iters *= 4
    per_iter = best / iters
    iters = max(1, int(target_ns / per_iter))
    return iters


def _time_unit(iters):
    t0 = common.now_ns()
    _unit(iters, 1)
    return common.now_ns() - t0


# --- processes: pool workers -------------------------------------------------------------

def _pool_init(counter, pus):
    """Pool initializer: each worker takes the next index and pins itself by it."""
    common.become_child("tvp-py-poolw")
    with counter.get_lock():
        idx = counter.value
        counter.value += 1
    common.pin(pus[idx % len(pus)])


def _pool_unit(arg):
    iters, seed = arg
    c0 = time.thread_time_ns()
    value = _unit(iters, seed)
    return value, common.gil_state(), common.current_cpu(), time.thread_time_ns() - c0


def _pool_unit_dies(arg):
    # fault "gil-worker-dies": the worker dies as a killed one does, in the middle of a job
    os.kill(os.getpid(), signal.SIGKILL)


def gil_note(states, processes):
    """The note line saying which GIL the workers ran under."""
    facts = common.interpreter_facts()
    ver = facts["version"]
    if len(states) > 1:
        text = "GIL state differed between workers: %s (CPython %s)" % (
            ", ".join(sorted(states)), ver)
    elif "disabled" in states:
        text = "GIL disabled in the workers (free-threaded CPython %s)" % ver
    elif not hasattr(sys, "_is_gil_enabled"):
        text = ("GIL enabled in the workers (CPython %s; sys._is_gil_enabled absent before "
                "3.13: every build has a GIL)" % ver)
    elif facts["free_threaded_build"]:
        text = ("GIL enabled in the workers (free-threaded CPython %s build with the GIL "
                "re-enabled at run time: PYTHON_GIL=1 or an extension not marked "
                "free-threading safe)" % ver)
    else:
        text = "GIL enabled in the workers (CPython %s, default build)" % ver
    if processes:
        text += "; each worker process has its own interpreter and GIL"
    return text


class ScalingBench:
    def __init__(self, case):
        self.case = case
        self.pool = None
        common.require_variant(case, VARIANTS)
        self.workers = case.param_value if case.param_value >= 1 else 1
        self.pus = list(case.pus) or [case.pu_a]
        self.units = 48
        unit_ns = 1_000_000
        self.iters = _calibrate(unit_ns)
        self.seeds = list(range(1, self.units + 1))
        self.expected = _units_sum(self.iters, self.seeds)
        self.chunk = math.ceil(self.units / self.workers)
        self.chunks = [self.seeds[i * self.chunk:(i + 1) * self.chunk]
                       for i in range(self.workers)]
        common.note("a job = %d units of ~%.1f ms pure-Python integer arithmetic (calibrated "
                    "on one thread), in chunks of %d over %d workers%s"
                    % (self.units, unit_ns / 1e6, self.chunk, self.workers,
                       "" if self.workers == 1 else "; per-job-1 = the same job by 1 worker, "
                       "back to back with each W-worker job"))
        if case.variant == "processes":
            try:
                ctx = multiprocessing.get_context("fork")
                counter = ctx.Value("i", 0)
                self.pool = ctx.Pool(self.workers, initializer=_pool_init,
                                     initargs=(counter, self.pus))
                self.procs = common.pool_processes(self.pool)
                # Every worker exists after Pool(); one tiny map makes sure they all initialized
                # (pinned) and the pool's queues are warm before the first timed job.
                common.get_watching(self.pool.map_async(_pool_unit, [(1, 1)] * self.workers,
                                                        chunksize=1), self.procs, "scaling")
            except BaseException:
                self.close()
                raise

    def run(self, n):
        skip = common.fault("gil-skip")
        total = 0
        states = set()
        cpus = set()
        total_1 = cpu_w = cpu_1 = 0
        for i in range(n):
            if self.workers == 1:
                t, c = self._job(self.workers, skip, states, cpus)
                total += t
                cpu_w += c
                continue
            # Alternating which goes first cancels whatever the first of two jobs pays for the
            # second (a warmed cache, a woken PU).
            if i % 2 == 0:
                t1, c1 = self._job(1, skip, states, cpus)
                tw, cw = self._job(self.workers, skip, states, cpus)
            else:
                tw, cw = self._job(self.workers, skip, states, cpus)
                t1, c1 = self._job(1, skip, states, cpus)
            total += tw
            total_1 += t1
            cpu_w += cw
            cpu_1 += c1
        common.note(gil_note(states, self.pool is not None))
        common.note_cpu()
        for cpu in cpus:
            common.note_cpu(cpu)
        if self.workers == 1:
            return [total, cpu_w]
        return [total, total_1, cpu_w, cpu_1]

    def _job(self, workers, skip, states, cpus):
        """One job done by `workers` workers: its ns and the CPU ns its workers spent on the
        units, after checking its checksum."""
        if self.pool is not None:
            t, got, cpu = self._job_processes(workers, skip, states, cpus)
        else:
            t, got, cpu = self._job_threads(workers, skip, states, cpus)
        if got != self.expected:
            raise common.CheckFailed("scaling: the job's checksum is %d, expected %d (a "
                                     "unit lost or computed twice)" % (got, self.expected))
        return t, cpu

    def _job_threads(self, w, skip, states, cpus):
        sums = [0] * w
        meta = [None] * w
        cpu = [0] * w
        iters, pus = self.iters, self.pus
        chunks = self.chunks if w == self.workers else [self.seeds]

        def worker(i):
            common.pin(pus[i % len(pus)])
            seeds = chunks[i]
            if skip and i == 0:
                seeds = seeds[1:]
            c0 = time.thread_time_ns()
            sums[i] = _units_sum(iters, seeds)
            cpu[i] = time.thread_time_ns() - c0
            meta[i] = (common.gil_state(), common.current_cpu())

        threads = [threading.Thread(target=worker, args=(i,), name="tvp-gil-%d" % i,
                                    daemon=True) for i in range(w)]
        t0 = common.now_ns()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t1 = common.now_ns()
        for m in meta:
            if m is None:
                raise common.CheckFailed("scaling: a worker thread did not finish its chunk")
            states.add(m[0])
            cpus.add(m[1])
        return t1 - t0, sum(sums), sum(cpu)

    def _job_processes(self, w, skip, states, cpus):
        args = [(self.iters, s) for s in self.seeds]
        if skip:
            args = args[1:]
        # One chunk of the whole job goes to one worker: the 1-worker job in the same Pool.
        chunk = self.chunk if w == self.workers else len(self.seeds)
        t0 = common.now_ns()
        # map() is map_async().get(); this get also watches the workers.
        unit = _pool_unit_dies if common.fault("gil-worker-dies") else _pool_unit
        res = common.get_watching(self.pool.map_async(unit, args, chunksize=chunk),
                                  self.procs, "scaling")
        t1 = common.now_ns()
        common.check_pool_alive(self.procs, "scaling")
        for _, state, cpu, _ in res:
            states.add(state)
            cpus.add(cpu)
        return t1 - t0, sum(r[0] for r in res), sum(r[3] for r in res)

    def close(self):
        pool, self.pool = self.pool, None
        if pool is not None:
            # no job is in flight between batches: nothing is lost
            common.end_pool(pool, getattr(self, "procs", ()))


BENCHES = {"scaling": ScalingBench}
