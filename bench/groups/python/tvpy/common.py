"""What every Python benchmark module shares: the case it runs, pinning, the clock, checks and
the note/cpu lines that go back to the C harness.

A module (tvpy/<group>.py) exposes BENCHES: {benchmark name: factory(case) -> bench object}.
A bench object has run(n) -> list of per-metric totals over n operations (ns for times; the
harness divides by n) and close(). A failed check raises CheckFailed; the batch's figure is
then reported `failed` with the message."""

import os
import resource
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
