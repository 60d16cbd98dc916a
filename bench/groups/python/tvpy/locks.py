"""Claims C7-C10 in CPython: what threading's locks cost, what they refuse, and how fast an
Event wakes its waiters.

lock-uncontended (C7)  Lock, RLock, Semaphore(1), BoundedSemaphore(1): one thread, acquire() +
    release() in a tight loop with the bound methods in locals; the loop is timed as a whole
    (a per-op clock read would cost more than the pair). The loop body is generated without an
    inner Python loop, so per op the only overhead is one step of itertools.repeat. Checked:
    the primitive is free at the end of the batch (another thread gets it without blocking).
rlock-nesting (C8)  one op = acquire an RLock `depth` (param_value, 4 if absent) times, then
    release it `depth` times (the body unrolled, as above); per-level = time / depth, nest =
    time. Checked: after the batch another thread gets the RLock without blocking (no level
    left held).
self-deadlock (C9)  a held Lock re-acquired by its holder with acquire(timeout=0) returns
    False: the plain lock's self-deadlock shown without deadlocking (a blocking acquire would
    never return). Checked every op; once per batch also: an RLock held 4 deep by this thread is
    refused to another thread after each of the first 3 releases and granted after the 4th.
lock-contended (C7)  W threads (param_value, 2 if absent) pinned to pus[i % len] share one Lock; n
    acquisitions split over them, each a non-atomic read-modify-write of a shared counter
    (x = c[0]; c[0] = x + 1) plus a little work inside the section. per-op = wall from opening
    the start gate to the last thread done, / n. Checked: the counter is n (no lost update).
semaphore-cap (C10)  a BoundedSemaphore(5) shared by T threads (param_value, 8 by default),
    pinned to pus[i % len]. One op = one acquire+release by EACH of the T threads (n*T in all);
    per-op = wall / (n*T), ns per acquire+release; max-holders = the most registered holders
    seen at once. Scheduling alone does not promise 5 Python threads inside the section
    together (holding through a sleep(0), one short batch in five peaked at 3 or 4 here), and a
    check must not depend on luck: a holder stays in until every thread with acquisitions left
    is either a holder or was refused by acquire(blocking=False) while nobody had released
    since. At that moment the holders are exactly as many as the semaphore lets in, whatever
    the speed: min(5, T) in the first round, and T with no cap at all (the fault hook
    "sem-none", the negative control: the same load must then show more than 5). per-op
    includes that rendezvous (a Condition), not a sleep.
    Checked: most holders <= 5, == min(5, T), and at the end of the batch, with 5 permits
    taken, a 6th acquire(blocking=False) is refused.
over-release (C10)  release() on a full BoundedSemaphore(5) raises ValueError, every op.
event-wake (C7)  threading.Event (waiters are threads) and multiprocessing.Event (fork
    context, waiters are processes), param_value waiters (1 or 4; 1 if absent), all pinned to
    pu_b as their first act, started in set-up. One op: every waiter is asleep in wait() (read
    from the Condition inside the Event); t0, set(); each waiter stamps the clock into its
    slot (a RawArray for processes) and acknowledges; set-to-first-wake / set-to-last-wake =
    earliest / latest stamp - t0. The main side clears the event before it lets the waiters
    through a gate back to wait(), so no waiter can see one set() twice or miss the next.
    Checked every op: every stamp >= t0, every waiter woke exactly once per round.

Every check has a fault hook (common.fault) that breaks it on purpose for the tests."""

import itertools
import multiprocessing
import threading
import time

from . import common

# Bound on handshakes that take microseconds when all is well: a dead partner must turn into a
# failed check, not a hang (the harness's watchdog is the last resort).
_WAIT_S = 30.0


def _make_loop(stmts):
    """A function loop(n, acq, rel) that runs `stmts` n times, with no Python loop inside the
    body: an inner `for` would cost as much as one acquire."""
    src = ("def loop(n, acq, rel):\n"
           "    for _ in repeat(None, n):\n"
           "        %s\n" % "; ".join(stmts))
    scope = {"repeat": itertools.repeat}
    exec(src, scope)
    return scope["loop"]


def _other_thread_gets(lock):
    """True when a fresh thread acquires `lock` without blocking (it releases it again)."""
    got = []

    def probe():
        ok = lock.acquire(blocking=False)
        if ok:
            lock.release()
        got.append(ok)

    t = threading.Thread(target=probe, name="tvp-probe", daemon=True)
    t.start()
    t.join()
    return bool(got and got[0])


def _param(case, default):
    return case.param_value if case.param_value >= 1 else default


def _race(count, pus, body):
    """Runs body(i) in `count` threads, thread i pinned to pus[i % len(pus)]; every thread is
    started and waiting at a gate before the clock starts. Returns (ns from opening the gate
    to the last thread done, [cpu of each thread]). An exception in a thread is re-raised."""
    ready = threading.Barrier(count + 1)
    go = threading.Event()
    finish = [0] * count
    cpus = [-1] * count
    errors = []

    def main(i):
        try:
            common.pin(pus[i % len(pus)])
            ready.wait(_WAIT_S)
            go.wait()
            body(i)
            finish[i] = common.now_ns()
            cpus[i] = common.current_cpu()
        except BaseException as e:  # handed to the main thread, which re-raises it
            errors.append(e)
            ready.abort()

    threads = [threading.Thread(target=main, args=(i,), name="tvp-lock-%d" % i, daemon=True)
               for i in range(count)]
    for t in threads:
        t.start()
    t0 = 0
    try:
        ready.wait(_WAIT_S)
        t0 = common.now_ns()
    except threading.BrokenBarrierError:
        pass
    go.set()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    if not t0:
        raise RuntimeError("locks: the threads never all reached the start gate")
    return max(finish) - t0, cpus


class LockUncontended:
    KINDS = {
        "Lock": threading.Lock,
        "RLock": threading.RLock,
        "Semaphore": lambda: threading.Semaphore(1),
        "BoundedSemaphore": lambda: threading.BoundedSemaphore(1),
    }

    def __init__(self, case):
        common.require_variant(case, self.KINDS)
        self.lock = self.KINDS[case.variant]()
        self.loop = _make_loop(["acq()", "rel()"])

    def run(self, n):
        lock = self.lock
        acq, rel = lock.acquire, lock.release
        t0 = common.now_ns()
        self.loop(n, acq, rel)
        t = common.now_ns() - t0
        leaked = common.fault("uncontended-leak")
        if leaked:
            acq()  # a release missing
        # From another thread, so that a still-held RLock (re-entrant for us) is seen too.
        if not _other_thread_gets(lock):
            if leaked:
                rel()  # the case stays usable after the failed batch
            raise common.CheckFailed("lock-uncontended: the %s is still held after %d "
                                     "acquire+release pairs" % (type(lock).__name__, n))
        common.note_cpu()
        return [t]

    def close(self):
        pass


class RLockNesting:
    def __init__(self, case):
        common.require_variant(case, ("RLock",))
        self.depth = _param(case, 4)
        self.lock = threading.RLock()
        self.loop = _make_loop(["acq()"] * self.depth + ["rel()"] * self.depth)

    def run(self, n):
        lock = self.lock
        acq, rel = lock.acquire, lock.release
        t0 = common.now_ns()
        self.loop(n, acq, rel)
        t = common.now_ns() - t0
        leaked = common.fault("rlock-leak")
        if leaked:
            acq()  # one level never released
        if not _other_thread_gets(lock):
            if leaked:
                rel()
            raise common.CheckFailed("rlock-nesting: after %d nests of depth %d the RLock is "
                                     "still held (a level not released)" % (n, self.depth))
        common.note_cpu()
        return [t / self.depth, t]

    def close(self):
        pass


class SelfDeadlock:
    DEPTH = 4

    def __init__(self, case):
        common.require_variant(case, ("Lock",))
        self.lock = threading.Lock()
        self.lock.acquire()  # held by this (the main) thread for the whole case
        self.held = True

    @staticmethod
    def _refuse_loop(n, acq):
        """n re-acquisitions by the holder; False as soon as one is granted."""
        for _ in itertools.repeat(None, n):
            if acq(True, 0):  # acquire(timeout=0): try once, never wait
                return False
        return True

    def run(self, n):
        lock = self.lock
        if common.fault("lock-reentrant"):
            lock = threading.RLock()  # re-entrant: the holder's acquire is granted
            lock.acquire()
        t0 = common.now_ns()
        refused = self._refuse_loop(n, lock.acquire)
        t = common.now_ns() - t0
        if not refused:
            raise common.CheckFailed("self-deadlock: the holder re-acquired its own %s"
                                     % type(lock).__name__)
        self._check_rlock()
        common.note_cpu()
        return [t]

    def _check_rlock(self):
        """An RLock held DEPTH deep stays refused to another thread until the last release."""
        rl = threading.RLock()
        depth = self.DEPTH - 1 if common.fault("rlock-shallow") else self.DEPTH
        for _ in range(depth):
            rl.acquire()
        held = depth
        try:
            for k in range(1, self.DEPTH + 1):
                rl.release()
                held -= 1
                granted = _other_thread_gets(rl)
                if k < self.DEPTH and granted:
                    raise common.CheckFailed("self-deadlock: an RLock taken %d deep was granted "
                                             "to another thread after %d release(s)"
                                             % (self.DEPTH, k))
                if k == self.DEPTH and not granted:
                    raise common.CheckFailed("self-deadlock: an RLock was still refused to "
                                             "another thread after its %d releases" % k)
        finally:
            for _ in range(held):
                rl.release()

    def close(self):
        if self.held:
            self.held = False
            self.lock.release()


class LockContended:
    def __init__(self, case):
        common.require_variant(case, ("Lock",))
        self.workers = _param(case, 2)
        self.pus = list(case.pus) or [case.pu_a]
        self.lock = threading.Lock()

    def run(self, n):
        w = self.workers
        quota = [n // w + (1 if i < n % w else 0) for i in range(w)]
        counter = [0]
        lock = self.lock
        skip = common.fault("lock-skip")

        def body(i):
            acq, rel = lock.acquire, lock.release
            c = counter
            k = quota[i]
            if skip and i == 0 and k > 0:
                k -= 1  # one increment missed, as a lost update would look
            work = 0
            for _ in itertools.repeat(None, k):
                acq()
                x = c[0]
                work += x & 7  # a little work inside the section, between read and write
                c[0] = x + 1
                rel()
            return work

        wall, cpus = _race(w, self.pus, body)
        if counter[0] != n:
            raise common.CheckFailed("lock-contended: the counter is %d after %d locked "
                                     "increments by %d threads (lost updates)"
                                     % (counter[0], n, w))
        common.note_cpu()
        for cpu in cpus:
            common.note_cpu(cpu)
        return [wall]

    def close(self):
        pass


class _CapState:
    """What the semaphore-cap holders share, guarded by `cond`."""

    def __init__(self, threads):
        self.cond = threading.Condition(threading.Lock())
        self.current = 0      # registered holders now
        self.most = 0         # the most registered holders seen at once
        self.refused = 0      # threads refused a permit, now blocked in acquire()
        self.active = threads  # threads with an acquisition left or in progress
        self.gen = 0          # +1 each time every active thread was a holder or refused

    def settle(self):
        """Called under cond after a change: releases the holders once no more can come in."""
        if self.current and self.current + self.refused >= self.active:
            self.gen += 1
            self.cond.notify_all()


class _NoCap:
    """A semaphore with no bound at all: the negative control's."""

    def acquire(self, blocking=True, timeout=None):
        return True

    def release(self):
        pass


class SemaphoreCap:
    CAP = 5

    def __init__(self, case):
        common.require_variant(case, ("BoundedSemaphore",))
        self.threads = _param(case, 8)
        self.pus = list(case.pus) or [case.pu_a]
        self.target = min(self.CAP, self.threads)
        self.most = 0  # the last batch's, for the tests' negative control
        common.note("one op = one acquire+release by each of the %d threads; a holder stays "
                    "in until every other thread is in or refused a permit: per-op includes "
                    "that rendezvous" % self.threads)

    def _semaphore(self):
        if common.fault("sem-none"):
            return _NoCap()
        if common.fault("sem-uncapped"):
            return threading.Semaphore(self.CAP + 1)
        if common.fault("sem-small"):
            return threading.BoundedSemaphore(self.CAP - 1)
        return threading.BoundedSemaphore(self.CAP)

    def run(self, n):
        sem = self._semaphore()
        st = _CapState(self.threads)

        def body(i):
            acq, rel = sem.acquire, sem.release
            cond = st.cond
            for k in range(n):
                if not acq(blocking=False):
                    # Counted as refused only while no holder of this round has released (the
                    # holders wait for this count), so the refusal says the semaphore was full.
                    with cond:
                        st.refused += 1
                        st.settle()
                    if not acq(timeout=_WAIT_S):
                        raise common.CheckFailed("semaphore-cap: no permit came back in %.0f s"
                                                 % _WAIT_S)
                    with cond:
                        st.refused -= 1
                with cond:
                    # Registered after acquire and unregistered before release: `current`
                    # never counts more holders than the semaphore really has.
                    st.current += 1
                    if st.current > st.most:
                        st.most = st.current
                    g = st.gen
                    st.settle()
                    while st.gen == g:
                        if not cond.wait(_WAIT_S) and st.gen == g:
                            raise common.CheckFailed("semaphore-cap: holders waited %.0f s for "
                                                     "the others to come in" % _WAIT_S)
                    st.current -= 1
                    if k + 1 == n:
                        st.active -= 1
                        st.settle()  # one fewer can come: the holders left may go
                rel()

        wall, cpus = _race(self.threads, self.pus, body)
        most = self.most = st.most
        if most > self.CAP:
            raise common.CheckFailed("semaphore-cap: %d holders at once in a semaphore capped "
                                     "at %d" % (most, self.CAP))
        if most != self.target:
            raise common.CheckFailed("semaphore-cap: at most %d holders at once with %d threads "
                                     "(expected %d)" % (most, self.threads, self.target))
        self._check_refuses(sem)
        common.note_cpu()
        for cpu in cpus:
            common.note_cpu(cpu)
        return [wall / self.threads, most * n]

    def _check_refuses(self, sem):
        """With CAP permits taken, one more acquire(blocking=False) must be refused."""
        taken = 0
        try:
            while taken < self.CAP and sem.acquire(blocking=False):
                taken += 1
            if taken < self.CAP:
                raise common.CheckFailed("semaphore-cap: only %d of %d permits free after the "
                                         "batch" % (taken, self.CAP))
            if sem.acquire(blocking=False):
                taken += 1
                raise common.CheckFailed("semaphore-cap: a %dth acquire was granted with %d "
                                         "permits taken" % (self.CAP + 1, self.CAP))
        finally:
            for _ in range(taken):
                sem.release()

    def close(self):
        pass


class OverRelease:
    CAP = 5

    def __init__(self, case):
        common.require_variant(case, ("BoundedSemaphore",))
        common.note("threading.Semaphore (unbounded) accepts the same extra release() "
                    "silently: its counter just grows past its initial value")

    @staticmethod
    def _loop(n, rel):
        """n releases of a full semaphore; False as soon as one is accepted."""
        for _ in itertools.repeat(None, n):
            try:
                rel()
            except ValueError:
                continue
            return False
        return True

    def run(self, n):
        if common.fault("sem-unbounded"):
            sem = threading.Semaphore(self.CAP)
        else:
            sem = threading.BoundedSemaphore(self.CAP)
        t0 = common.now_ns()
        refused = self._loop(n, sem.release)
        t = common.now_ns() - t0
        if not refused:
            raise common.CheckFailed("over-release: release() of a full %s(%d) was accepted"
                                     % (type(sem).__name__, self.CAP))
        common.note_cpu()
        return [t]

    def close(self):
        pass


def _event_waiter(i, pu, ev, ready, ack, gate, stamps, woke, cpus, stop, skip):
    """One waiter, thread or process: wait, stamp, acknowledge, wait at the gate until the
    event is cleared, and again. The gate is what keeps a waiter from seeing a round's set()
    twice; `ready` tells the main side it is about to wait."""
    common.pin(pu)
    cpus[i] = common.current_cpu()
    while True:
        ready.release()
        ev.wait()
        ts = common.now_ns()
        if stop[0]:
            return
        if not skip:
            stamps[i] = ts
            woke[i] += 1
        ack.release()
        gate.acquire()
        if stop[0]:
            return


class EventWake:
    VARIANTS = ("threading.Event", "multiprocessing.Event")

    def __init__(self, case):
        common.require_variant(case, self.VARIANTS)
        self.waiters = _param(case, 1)
        self.tasks = []
        self.rounds = 0
        self.processes = case.variant == "multiprocessing.Event"
        w = self.waiters
        if self.processes:
            ctx = multiprocessing.get_context("fork")
            self.ev = ctx.Event()
            self.ready, self.ack, self.gate = ctx.Semaphore(0), ctx.Semaphore(0), ctx.Semaphore(0)
            self.stamps = ctx.RawArray("q", w)
            self.woke = ctx.RawArray("q", w)
            self.cpus = ctx.RawArray("q", w)
            self.stop = ctx.RawArray("q", 1)
            new = ctx.Process
            common.note("multiprocessing.Event.set() returns only once every sleeper took its "
                        "wake-up (Condition.notify_all waits for each), and a waiter leaves "
                        "wait() only after set() released the condition's lock")
        else:
            self.ev = threading.Event()
            self.ready, self.ack = threading.Semaphore(0), threading.Semaphore(0)
            self.gate = threading.Semaphore(0)
            self.stamps, self.woke, self.cpus = [0] * w, [0] * w, [-1] * w
            self.stop = [0]
            new = threading.Thread
        self.sleepers = self._sleepers_probe()
        skip = common.fault("event-miss")
        try:
            for i in range(w):
                t = new(target=_event_waiter, name="tvp-waiter-%d" % i, daemon=True,
                        args=(i, case.pu_b, self.ev, self.ready, self.ack, self.gate,
                              self.stamps, self.woke, self.cpus, self.stop, skip and i == 0))
                t.start()
                self.tasks.append(t)
        except BaseException:
            self.close()
            raise

    def _sleepers_probe(self):
        """A function counting the waiters blocked in ev.wait(), from the Condition inside the
        Event (private attributes, stable from 3.11 to 3.14); None if they are not there."""
        try:
            if self.processes:
                sem = self.ev._cond._sleeping_count
                sem.get_value()
                return sem.get_value
            waiters = self.ev._cond._waiters
            return lambda: len(waiters)
        except (AttributeError, NotImplementedError):
            return None

    def _until_blocked(self):
        """Returns once every waiter is asleep in wait(): ready only says it is about to be, and
        a set() before it sleeps would time a flag check, not a wake-up."""
        if self.sleepers is None:
            time.sleep(200e-6)
            return
        deadline = common.now_ns() + 1_000_000_000
        # A real sleep, not a busy poll: on the same PU the waiters need this CPU to get there.
        while self.sleepers() < self.waiters and common.now_ns() < deadline:
            time.sleep(10e-6)

    def _round(self):
        w = self.waiters
        for _ in range(w):
            if not self.ready.acquire(timeout=_WAIT_S):
                raise common.CheckFailed("event-wake: a waiter did not come back to wait()")
        self._until_blocked()
        t0 = common.now_ns()
        self.ev.set()
        for _ in range(w):
            if not self.ack.acquire(timeout=_WAIT_S):
                raise common.CheckFailed("event-wake: a waiter did not wake up")
        self.ev.clear()
        self.rounds += 1
        for _ in range(w):
            self.gate.release()  # before any check: a failed round must not strand waiters
        stamps = list(self.stamps)
        for i in range(w):
            if self.woke[i] != self.rounds:
                raise common.CheckFailed("event-wake: waiter %d woke %d times in %d rounds"
                                         % (i, self.woke[i], self.rounds))
            if stamps[i] < t0:
                raise common.CheckFailed("event-wake: waiter %d's stamp precedes set()" % i)
        return min(stamps) - t0, max(stamps) - t0

    def run(self, n):
        first = last = 0
        for _ in range(n):
            a, b = self._round()
            first += a
            last += b
        common.note_cpu()
        for cpu in self.cpus:
            common.note_cpu(cpu)
        return [first, last]

    def close(self):
        tasks, self.tasks = self.tasks, []
        if not tasks:
            return
        self.stop[0] = 1
        alive = all(t.is_alive() for t in tasks)
        # A multiprocessing set() waits for every registered sleeper to take its wake-up: with
        # a waiter killed while asleep it would never return, so only set() when all live.
        if alive or not self.processes:
            self.ev.set()
        for _ in tasks:
            self.gate.release()
        for t in tasks:
            t.join(5.0)
        if self.processes:
            for t in tasks:
                if t.is_alive():
                    t.terminate()
                    t.join()
                t.close()


BENCHES = {
    "lock-uncontended": LockUncontended,
    "rlock-nesting": RLockNesting,
    "self-deadlock": SelfDeadlock,
    "lock-contended": LockContended,
    "semaphore-cap": SemaphoreCap,
    "over-release": OverRelease,
    "event-wake": EventWake,
}
