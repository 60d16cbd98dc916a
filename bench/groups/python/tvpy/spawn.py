"""Claim C3: starting a process is slow, starting a thread fast -- measured in CPython. Claim
C5: a daemon thread does not hold the interpreter's exit, a non-daemon one does, and a thread
cannot be made daemon once started (see ExitBench below).

start: one operation starts a task that does nothing but stamp the clock, then joins it.
  start-to-running  t0 taken just before start() .. the task's own first timestamp
  start-to-joined   t0 .. join() returned (the whole life cycle: start, run, exit, reap)
  Variants: "Thread" (threading.Thread) and "Process-fork", "Process-spawn",
  "Process-forkserver" (multiprocessing.get_context(method).Process). The three start methods
  differ in what the parent pays: fork copies the page tables of the worker, spawn execs a new
  interpreter that re-imports the main module and unpickles the target, forkserver asks an
  already running server to fork a clean, small copy of itself (whose child then still imports
  the parent's main module as __mp_main__, multiprocessing's preparation step).

The task's stamp crosses back through memory shared before the first start (a RawArray made in
set-up and passed as an argument; a list slot for a thread), never a pipe, so no IPC latency is
added to start-to-running. The clock is CLOCK_MONOTONIC, one clock for every process. When the
placement puts the task on another PU, the task pins itself there before stamping (the
move is part of starting somewhere else); on the same PU it inherits the starter's affinity.
Set-up does one warm start so the forkserver (and spawn's resource tracker) is running before
the first timed operation: their one-off start is not what a steady start costs. close() stops
those helper processes again when this bench started them.

Each operation is checked: t0 <= stamp <= t1 and the task ran to its end (a process: exit code
0)."""

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

from . import common

VARIANTS = ("Thread", "Process-fork", "Process-spawn", "Process-forkserver")

# How long one join may take before the operation is declared failed (a hung child must not
# hang the case forever; the harness's watchdog is the last resort).
_JOIN_TIMEOUT_S = 60.0


def _child(slot, pu, spoil, fail):
    """A started task's whole life: (pin,) stamp, record where it ran, return (exit 0).
    Module level so that spawn and forkserver children can unpickle it by name."""
    if pu >= 0:
        common.pin(pu)  # first: the stamp must come from where the task was meant to run
    slot[0] = 0 if spoil else common.now_ns()
    slot[1] = common.current_cpu()
    if fail == "kill" and threading.current_thread() is threading.main_thread():
        os.kill(os.getpid(), signal.SIGKILL)  # a process dies as a killed one does
    if fail:
        sys.exit(3)  # a process exits with code 3; a thread just ends here
    slot[2] = 1  # ran to its end (what a thread has instead of an exit code)


def _helpers():
    """multiprocessing's process-wide helpers: (the fork server, the resource tracker)."""
    from multiprocessing import forkserver, resource_tracker
    return forkserver._forkserver, resource_tracker._resource_tracker


def _helpers_running():
    """Whether each helper process runs (private attributes, present from 3.8 to 3.14; when
    missing, the helper counts as running and is left alone)."""
    server, tracker = _helpers()
    return (getattr(server, "_forkserver_pid", 1) is not None,
            getattr(tracker, "_pid", 1) is not None)


class StartBench:
    def __init__(self, case):
        self.case = case
        self.ctx = None
        self.method = None
        common.require_variant(case, VARIANTS)
        # -1: the task keeps the affinity it inherits (pu_a), as placement same-pu wants.
        self.pu = case.pu_b if case.placement != "same-pu" else -1
        if case.variant == "Thread":
            self.slot = [0, -1, 0]
        else:
            self.method = case.variant.split("-", 1)[1]
            offered = multiprocessing.get_all_start_methods()
            if self.method not in offered:
                raise ValueError("spawn: start method %r not offered here (offered: %s)"
                                 % (self.method, " ".join(offered)))
            self.ctx = multiprocessing.get_context(self.method)
            # [stamp, cpu, done]; signed so that "cpu unknown" (-1) fits.
            self.slot = self.ctx.RawArray("q", 3)
        if self.pu >= 0:
            common.note("the new task pins itself to PU %d as its first act, before its "
                        "timestamp: start-to-running includes that sched_setaffinity"
                        % self.pu)
        else:
            common.note("the new task is not pinned: it inherits PU %d from its starter"
                        % case.pu_a)
        if self.method == "spawn":
            common.note("spawn: each start execs a new interpreter that re-imports the main "
                        "module and unpickles the target")
        elif self.method == "forkserver":
            common.note("forkserver: the server was started by a warm-up start in set-up; "
                        "each child still re-imports the main module (as __mp_main__) and "
                        "unpickles the target")
        # Warm start: starts the fork server / resource tracker, loads every code path once.
        # The helper processes that start here are this bench's own, stopped in close().
        self.helpers_before = _helpers_running()
        try:
            self._one(False, False)
        except BaseException:
            self.close()
            raise

    def _one(self, spoil, fail):
        """One start+join; returns (t0, stamp, t1, cpu)."""
        self.slot[2] = 0
        if self.ctx is None:
            t = threading.Thread(target=_child, args=(self.slot, self.pu, spoil, fail),
                                 name="tvp-start", daemon=True)
            t0 = common.now_ns()
            t.start()
            t.join()
            t1 = common.now_ns()
            if t.is_alive() or not self.slot[2]:
                raise common.CheckFailed("start: the thread did not run to its end")
            return t0, self.slot[0], t1, self.slot[1]
        p = self.ctx.Process(target=_child, args=(self.slot, self.pu, spoil, fail),
                             name="tvp-start", daemon=True)
        t0 = common.now_ns()
        p.start()
        p.join(_JOIN_TIMEOUT_S)
        t1 = common.now_ns()
        try:
            if p.exitcode is None:
                p.terminate()
                p.join()
                raise common.CheckFailed("start: %s child did not exit within %.0f s"
                                         % (self.method, _JOIN_TIMEOUT_S))
            if p.exitcode != 0:
                raise common.CheckFailed("start: the started %s child (pid %d) %s"
                                         % (self.method, p.pid, common.ended_words(p.exitcode)))
        finally:
            p.close()  # frees the sentinel fd now rather than at garbage collection
        return t0, self.slot[0], t1, self.slot[1]

    def run(self, n):
        spoil = common.fault("spawn-timestamp")
        fail = "exit" if common.fault("spawn-exit") else \
            "kill" if common.fault("spawn-killed") else None
        running = joined = 0
        cpus = set()
        for _ in range(n):
            t0, ts, t1, cpu = self._one(spoil, fail)
            if not t0 <= ts <= t1:
                raise common.CheckFailed("start: the task's timestamp %d is outside "
                                         "[start %d, joined %d]" % (ts, t0, t1))
            running += ts - t0
            joined += t1 - t0
            cpus.add(cpu)
        common.note_cpu()
        for cpu in cpus:
            common.note_cpu(cpu)
        return [running, joined]

    def close(self):
        if self.ctx is not None:
            # Stop the fork server and the resource tracker if our starts started them, the
            # server first (it holds the tracker's pipe open), so nothing outlives close(). A
            # helper that was already running belongs to someone else and is left alone.
            before = getattr(self, "helpers_before", (True, True))
            now = _helpers_running()
            for started, helper in zip((not b and a for b, a in zip(before, now)),
                                       _helpers()):
                stop = getattr(helper, "_stop", None)
                if started and stop is not None:
                    try:
                        stop()
                    except OSError:
                        pass
        self.method = None
        self.ctx = None


# --- exit: C5 ---------------------------------------------------------------------------

# The program whose exit is timed. Its main thread starts one thread that sleeps work_ms (a
# daemon one or not), prints the clock as its last statement and ends; the thread prints "done"
# if it ever finishes. A non-daemon thread is joined by the interpreter's shutdown
# (threading._shutdown), a daemon one is not: the process ends with it still asleep. Sleep, as
# the C demo does: a CPU-bound thread would add GIL hand-offs to main's last steps.
# argv: daemon (1, 0, or -1: no thread at all), work_ms, stamp (0: print 0, the timestamp
# fault), exit code.
EXIT_PROGRAM = r"""
import sys, threading, time
daemon, work_ms, stamp, code = (int(a) for a in sys.argv[1:5])
def work():
    time.sleep(work_ms / 1000.0)
    sys.stdout.write("done\n")
    sys.stdout.flush()
if daemon >= 0:
    threading.Thread(target=work, daemon=bool(daemon)).start()
sys.stdout.write("main %d\n" % (time.monotonic_ns() if stamp else 0))
sys.stdout.flush()
if code:
    sys.exit(code)
"""

# "no-thread": the same program without the thread, the interpreter's own exit cost (its
# finalization), against which the daemon one's is read.
EXIT_VARIANTS = ("non-daemon", "daemon", "no-thread")
_EXIT_DAEMON_ARG = {"non-daemon": 0, "daemon": 1, "no-thread": -1}

# How long one program may take before the operation is declared failed.
_EXIT_TIMEOUT_S = 60.0


def daemon_after_start_refused(spoil=False):
    """C5's second half: `daemon = True` on a started thread must raise RuntimeError. Returns
    the error's message; raises CheckFailed when the assignment was accepted. spoil (the fault
    hook) marks the thread before start(), where the assignment is legal, so the check fires."""
    gate = threading.Event()
    t = threading.Thread(target=gate.wait, name="tvp-exit-daemon-check")
    if spoil:
        t.daemon = True
    t.start()
    try:
        if not spoil:
            t.daemon = True
    except RuntimeError as e:
        return str(e)
    finally:
        gate.set()
        t.join()
    raise common.CheckFailed("exit: daemon = True on a started thread was accepted, not refused "
                             "with RuntimeError")


class ExitBench:
    """exit: one operation runs EXIT_PROGRAM in a new interpreter (sys.executable -I -c) and
    reaps it.
      start-to-exit  Popen() .. the child reaped (the whole program: interpreter start-up too)
      main-to-exit   the child's last main statement (its CLOCK_MONOTONIC stamp) .. reaped
      work-done      1 when the thread's work finished before the exit, else 0 (share of runs)
    param_value = work_ms. Checked every operation: exit status 0, main's stamp within
    [Popen, reaped], and a non-daemon thread's work finished (the interpreter waited for it).
    Checked every batch: daemon = True after start() raises RuntimeError. A daemon thread's work
    finishing is not a failure (a very slow exit could let it); work-done reports how often."""

    def __init__(self, case):
        self.case = case
        common.require_variant(case, EXIT_VARIANTS)
        self.variant = case.variant
        self.work_ms = case.param_value if case.param_value >= 0 else 20
        common.note("daemon = True after start(): RuntimeError %r"
                    % daemon_after_start_refused())

    def _one(self, daemon_arg, stamp, code):
        argv = [sys.executable, "-I", "-c", EXIT_PROGRAM, str(daemon_arg), str(self.work_ms),
                str(int(stamp)), str(code)]
        t0 = time.monotonic_ns()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            out, _ = p.communicate(timeout=_EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
            raise common.CheckFailed("exit: the program did not exit within %.0f s"
                                     % _EXIT_TIMEOUT_S)
        t1 = time.monotonic_ns()
        if p.returncode != 0:
            raise common.CheckFailed("exit: the program (pid %d) %s"
                                     % (p.pid, common.ended_words(p.returncode)))
        lines = out.decode("ascii", "replace").split()
        try:
            tm = int(lines[lines.index("main") + 1])
        except (ValueError, IndexError):
            raise common.CheckFailed("exit: the program printed no main timestamp: %r" % out)
        if not t0 <= tm <= t1:
            raise common.CheckFailed("exit: main's timestamp %d is outside [start %d, reaped %d]"
                                     % (tm, t0, t1))
        return t1 - t0, t1 - tm, "done" in lines

    def run(self, n):
        daemon_after_start_refused(common.fault("exit-daemon-accepted"))
        # The non-daemon fault runs its thread as a daemon: the interpreter no longer waits.
        arg = _EXIT_DAEMON_ARG[self.variant]
        if arg == 0 and common.fault("exit-not-waited"):
            arg = 1
        stamp = not common.fault("exit-timestamp")
        code = 3 if common.fault("exit-status") else 0
        whole = main = done = 0
        for _ in range(n):
            w, m, d = self._one(arg, stamp, code)
            if self.variant == "non-daemon" and not d:
                raise common.CheckFailed("exit: the interpreter exited before its non-daemon "
                                         "thread's %d ms of work finished" % self.work_ms)
            whole += w
            main += m
            done += d
        common.note_cpu()
        return [whole, main, done]

    def close(self):
        pass


BENCHES = {"start": StartBench, "exit": ExitBench}
