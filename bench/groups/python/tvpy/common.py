"""What every Python benchmark module shares: the case it runs, pinning, the clock, checks and
the note/cpu lines that go back to the C harness.

A module (tvpy/<group>.py) exposes BENCHES: {benchmark name: factory(case) -> bench object}.
A bench object has run(n) -> list of per-metric totals over n operations (ns for times; the
harness divides by n) and close(). A failed check raises CheckFailed; the batch's figure is
then reported `failed` with the message."""

import os
import resource
import signal
import sys
import threading
import time

now_ns = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux, as the C harness's clock


class CheckFailed(Exception):
    """An operation's own check failed: lost, duplicated or misordered data, a wrong count."""


class Case:
    """One planned case, as the C harness passed it on the command line."""

    def __init__(self, group, bench, variant, model, placement, pu_a, pu_b, pus, param_value,
                 quick=False, switch_interval=0.005):
        self.group = group
        self.bench = bench
        self.variant = variant
        self.model = model
        self.placement = placement
        self.pu_a = pu_a
        self.pu_b = pu_b
        self.pus = list(pus) if pus else [pu_a, pu_b]
        self.param_value = param_value
        self.quick = quick
        self.switch_interval = switch_interval

    def __repr__(self):
        return "%s/%s/%s/%s/%s pus=%s param=%s" % (self.group, self.bench, self.variant,
                                                   self.model, self.placement, self.pus,
                                                   self.param_value)


def local_case(group, bench, variant, model="thread", param_value=-1, quick=True):
    """A case for tests and for running a module by hand: PUs from this process's affinity."""
    pus = sorted(os.sched_getaffinity(0))
    a = pus[0]
    b = pus[1] if len(pus) > 1 else pus[0]
    return Case(group, bench, variant, model, "same-cache" if a != b else "same-pu", a, b,
                pus, param_value, quick)


def require_variant(case, known):
    """Refuses, at set-up, a variant the benchmark does not implement."""
    if case.variant not in known:
        raise ValueError("%s: unknown variant %s for %s (known: %s)"
                         % (case.group, case.variant, case.bench, ", ".join(known)))


def pin(pu):
    """Binds the calling thread (os.sched_setaffinity(0) is per thread on Linux) to one PU."""
    os.sched_setaffinity(0, {pu})


# The reply channel to the C harness; None when a module runs outside the worker (tests).
_reply = None
_reply_lock = threading.Lock()
_noted_cpus = set()


# The worker's own pid, taken at import (before any child is started): a child compares its
# parent with it to know whether the worker is still there.
_worker_pid = os.getpid()
_PR_SET_PDEATHSIG = 1


def become_child(name):
    """In a long-lived process the worker started (the pingpong echo, a Manager server, a pool
    worker): names it (for ps and the fault-injection test) and ties it to the worker. A worker
    can be killed (the harness's watchdog, a fault test); its children would then run on, find
    their peer gone and print a traceback on the run's terminal. With PR_SET_PDEATHSIG the
    kernel kills them (SIGKILL: nothing is printed) when the worker's thread that started them
    ends, which for these is its main thread, i.e. the worker itself. In the worker itself (a
    ThreadPool's threads share the pool initializer) it does nothing."""
    if os.getpid() == _worker_pid:
        return
    try:
        with open("/proc/self/comm", "w") as f:
            f.write(name[:15])
    except OSError:
        pass  # only a label
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (ImportError, OSError, AttributeError):
        armed = False  # no ctypes in this build: the parent check below still runs
    if not armed:
        sys.stderr.write("tvpbench: %s: PR_SET_PDEATHSIG not armed; it may outlive the worker\n"
                         % name)
    if os.getppid() != _worker_pid:
        os._exit(0)  # the worker ended before the prctl: nobody to serve, quietly


def quiet_orphan_errors(fn, *args):
    """Runs fn(*args) in a child of the worker. When its peer goes away (the worker, or a
    process between them such as a Manager server: EOFError, BrokenPipeError, ConnectionError)
    the child ends with one line on stderr, or none when the worker itself is gone, instead of
    a traceback: the worker is the one whose report names what failed."""
    try:
        return fn(*args)
    except (EOFError, OSError) as e:
        if os.getppid() == _worker_pid:
            sys.stderr.write("tvpbench: python child %d: its peer went away: %s: %s\n"
                             % (os.getpid(), type(e).__name__, e))
        os._exit(1)


def ended_words(code):
    """How a child ended, from its multiprocessing exit code, in the C harness's words."""
    if code < 0:
        return "was killed by signal %d (%s)" % (-code, signal.strsignal(-code))
    return "exited (status %d)" % code


WATCH_S = 0.1  # how often a wait on other processes looks whether they still live


def pool_processes(pool):
    """A multiprocessing Pool's worker processes as it started them ([] for a ThreadPool).
    A Pool replaces a worker that dies without a word and loses the task it held, so whoever
    waits on a result has to watch these originals itself."""
    import multiprocessing.process
    return [p for p in getattr(pool, "_pool", ())
            if isinstance(p, multiprocessing.process.BaseProcess)]


def check_pool_alive(procs, what):
    """Fails, naming it, when a pool worker of procs has ended. Also after a batch that
    succeeded: a worker the Pool replaced took its pinning and its place in the figure with it."""
    for p in procs:
        code = p.exitcode
        if code is not None:
            raise CheckFailed("%s: pool worker (pid %d) %s" % (what, p.pid, ended_words(code)))


def get_watching(result, procs, what):
    """result.get(), but a process of procs that ends before the result is there fails the
    wait within WATCH_S, named, instead of hanging until the harness's watchdog."""
    import multiprocessing
    while True:
        try:
            return result.get(WATCH_S)
        except multiprocessing.TimeoutError:
            check_pool_alive(procs, what)


class _RawDrain:
    """Stands in for a Pool's task-queue reader while terminate() empties it: a worker killed in
    the middle of reading a task leaves the stream out of step, so whole messages cannot be
    unpickled from it any more; the bytes are thrown away instead."""

    def __init__(self, conn):
        self.conn = conn

    def poll(self, timeout=0.0):
        return self.conn.poll(timeout)

    def recv(self):
        os.read(self.conn.fileno(), 1 << 16)


END_POOL_S = 1.0  # how long terminate() may take after a worker died before it is given up


def end_pool(pool, procs):
    """pool.terminate() and join(), also after a worker of procs died. A Pool worker killed
    while it waited for a task dies holding the task queue's read lock, one killed while it
    sent a result the result queue's write lock: process-shared semaphores that nobody can
    release again, and terminate() takes both, so it would wait forever; one killed halfway
    through a message leaves that queue's stream out of step. Every other worker is killed
    first, so locks that only exclude workers from each other are not needed, and what terminate()
    still cannot undo is bounded: after END_POOL_S the Pool's threads (daemons) are left to end
    with the process."""
    if not any(p.exitcode is not None for p in procs):
        pool.terminate()
        pool.join()
        return
    # The rest first: a live worker could be the one holding a lock or halfway through a message,
    # and under load terminate() would wait for it.
    for p in list(getattr(pool, "_pool", ())) + list(procs):
        if p.exitcode is None:
            p.kill()
            p.join()
    for queue_, lock in (("_inqueue", "_rlock"), ("_outqueue", "_wlock")):
        q = getattr(pool, queue_, None)
        if q is not None and getattr(q, lock, None) is not None:
            setattr(q, lock, threading.Lock())
    inq = getattr(pool, "_inqueue", None)
    if inq is not None and hasattr(inq, "_reader"):
        inq._reader = _RawDrain(inq._reader)

    def ender():
        try:
            pool.terminate()
            pool.join()
        except Exception:  # a Pool left inconsistent by the death: the kill below ends it
            pass

    t = threading.Thread(target=ender, name="tvp-pool-end", daemon=True)
    t.start()
    t.join(END_POOL_S)
    for p in list(getattr(pool, "_pool", ())) + list(procs):
        if p.exitcode is None:
            p.kill()
            p.join()


def set_reply(stream):
    global _reply
    _reply = stream


def send(line):
    if _reply is None:
        return
    with _reply_lock:
        _reply.write(line.replace("\n", " ") + "\n")
        _reply.flush()


def note(text):
    """A line for the figure's note column (once per text per case)."""
    if text in _noted_texts:
        return
    _noted_texts.add(text)
    send("note " + text)


_noted_texts = set()


def current_cpu():
    """The PU the calling thread runs on now (field 39 of /proc/thread-self/stat), -1 if unknown."""
    try:
        with open("/proc/thread-self/stat", "rb") as f:
            stat = f.read()
        return int(stat[stat.rindex(b")") + 2:].split()[36])
    except (OSError, ValueError, IndexError):
        return -1


def note_cpu(cpu=None):
    """Records the PU a task ran on (default: the caller's), for the figure's cpus column."""
    if cpu is None:
        cpu = current_cpu()
    if cpu >= 0 and cpu not in _noted_cpus:
        _noted_cpus.add(cpu)
        send("cpu %d" % cpu)


def cpu_time_ns():
    """User+system CPU of this process and its reaped children, in ns."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return int(total * 1e9)


def percentile(sorted_values, q):
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return 0
    k = max(0, min(len(sorted_values) - 1, int(round(q / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def interpreter_facts():
    """Version, build and GIL state of this interpreter, as the report shows them."""
    import sysconfig
    impl = sys.implementation.name
    ver = "%d.%d.%d" % sys.version_info[:3]
    disabled = sysconfig.get_config_var("Py_GIL_DISABLED")
    if hasattr(sys, "_is_gil_enabled"):
        gil = "enabled" if sys._is_gil_enabled() else "disabled"
    else:
        gil = "enabled"  # before 3.13 every CPython build has one
    flags = "Py_GIL_DISABLED=%s Py_DEBUG=%s" % (disabled or 0,
                                                 sysconfig.get_config_var("Py_DEBUG") or 0)
    config = sysconfig.get_config_var("CONFIG_ARGS") or ""
    if config:
        flags += " configure: " + " ".join(config.replace("'", "").split())[:160]
    return {
        "implementation": impl,
        "flags": flags,
        "version": ver,
        "gil": gil,
        "free_threaded_build": bool(disabled),
        "executable": sys.executable,
        "build": " ".join(sys.version.split()),
    }


def gil_state():
    """'enabled'/'disabled' as the running interpreter reports it now."""
    if hasattr(sys, "_is_gil_enabled"):
        return "enabled" if sys._is_gil_enabled() else "disabled"
    return "enabled"


def fault(name):
    """1 when the test hook TVP_PY_FAULT names this fault (tests make checks fail on purpose)."""
    return name in os.environ.get("TVP_PY_FAULT", "").split(",")
