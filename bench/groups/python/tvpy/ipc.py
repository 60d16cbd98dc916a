"""Claims C4 and C12 in CPython: what a message costs between processes (each transport copies
it at least twice and most pickle it) against threads, which hand over a reference; and what
handing work to a pool costs against starting a process or a thread per task.

"pingpong" (param: message bytes, e.g. 64, 4096, 65536, 1048576). One op is one round trip,
timed alone: side 0 (the main thread, pu_a) sends a payload whose first 8 bytes carry the
round number, side 1 sends back what it received, side 0 receives it. Metrics: rtt (mean of
every round trip), rtt-p50 and rtt-p99 (over every k-th round trip, at most ~20000 a batch).
Variants, model "process" (the echo process is forked once in set-up and pins itself to
case.pu_b as its first act):
  "Pipe"          multiprocessing.Pipe(duplex=True), send_bytes/recv_bytes (no pickling);
  "Queue"         two multiprocessing.Queues (pickled, written by a feeder thread);
  "Manager-dict"  a Manager().dict(): the sender sets d["to<peer>/<k>"] and releases a
                  semaphore, the receiver acquires it and pops the key: two proxy round trips
                  to the manager's server process (pinned to pu_b too) per message;
  "SharedMemory"  one SharedMemory with a slot per direction (8-byte length + payload): the
                  sender copies in and releases a semaphore, the receiver acquires and copies
                  out with bytes(...);
and model "thread": "queue.SimpleQueue", the baseline: two SimpleQueues between two threads
handing a reference to the same bytes object, no copy. In both models (the same code between
processes and between threads, so the process boundary is the only difference):
  "SharedMemory-offset"  the correction C13 teaches, applied the way a Python user would: one
                  SharedMemory with a slot per side; the sender writes the message once into its
                  slot through a memoryview and passes only the offset and length (16 bytes)
                  through a Pipe; the receiver reads and checks it in place (a memoryview, no
                  copy) and the echo hands the same offset back; side 0 checks it in place.
Every reply is checked: the round number, then every byte against the payload sent (the
thread baseline must hand back the very object). Fault hook "ipc-corrupt": side 1 flips the
last byte of every payload (a new object for the thread baseline; for SharedMemory-offset a
copy written into side 1's own slot, whose offset goes back).

Control messages are exactly 8 bytes (payloads are at least 16), so side 1 tells them from data
by length alone: STOP ends the echo side, CPU? asks it for its PU once per batch, outside the
timing (a child process must not write to the harness's reply channel itself).

"pool-dispatch": n empty tasks f(i) -> 2i+1. Variants: "Pool" (a fork-context Pool, model
process) and "ThreadPool" (multiprocessing.pool.ThreadPool, model thread), each with
len(case.pus) workers made in set-up, worker i pinned to case.pus[i % len] by an initializer
that takes i from a shared counter; all n tasks are submitted with apply_async, then every
result is fetched. "Process-per-task" (fork-context Process start+join) and "Thread-per-task"
(threading.Thread start+join) run the n tasks one after the other, task i pinned to
case.pus[i % len] as its first act, its result handed back through shared memory / a list.
Metric: per-task (ns for all n tasks). Checks: every result (fault hook "pool-wrong": the task
returns one result off by one); and, once per batch for the pools, that pool.join() before
pool.close() raises ValueError, as the documentation says a pool must be closed or terminated
before join (fault hook "pool-join": the call is skipped as if nothing was raised)."""

import collections
import itertools
import multiprocessing
import multiprocessing.pool
import os
import queue
import signal
import threading
from multiprocessing import shared_memory
from multiprocessing.managers import SyncManager

from tvpy import common

CheckFailed = common.CheckFailed
ctx = multiprocessing.get_context("fork")

MAX_SAMPLES = 20000
STOP = b"STOP\0\0\0\0"
CPU_Q = b"CPU?\0\0\0\0"
CPU_A = b"CPU="      # + the PU as 4 bytes: an 8-byte control reply
JOIN_S = 5.0         # how long close() waits for a child before it terminates it

PINGPONG_MODELS = {
    "Pipe": "process",
    "Queue": "process",
    "Manager-dict": "process",
    "SharedMemory": "process",
    "SharedMemory-offset": ("process", "thread"),
    "queue.SimpleQueue": "thread",
}
POOL_MODELS = {
    "Pool": "process",
    "ThreadPool": "thread",
    "Process-per-task": "process",
    "Thread-per-task": "thread",
}

_shm_counter = itertools.count()


def _check_model(case, models):
    common.require_variant(case, models)
    allowed = models[case.variant]
    allowed = (allowed,) if isinstance(allowed, str) else allowed
    if case.model not in allowed:
        raise ValueError("ipc: variant %s runs in model %s, not %s"
                         % (case.variant, " or ".join(allowed), case.model))


# -- pingpong transports ---------------------------------------------------------------------
# Each has send0/recv0 for side 0 and send1/recv1 for side 1, in_child() for the echo process
# after the fork, started() for the parent after it, and close().

class _PipeT:
    def __init__(self, size):
        self.a, self.b = ctx.Pipe(duplex=True)
        self.send0, self.recv0 = self.a.send_bytes, self.a.recv_bytes
        self.send1, self.recv1 = self.b.send_bytes, self.b.recv_bytes

    def in_child(self):
        self.a.close()

    def started(self):
        self.b.close()  # now a dead echo process is an EOFError, not a hang

    def close(self, clean):
        self.a.close()
        self.b.close()


class _QueueT:
    def __init__(self, size):
        self.q01, self.q10 = ctx.Queue(), ctx.Queue()
        self.send0, self.recv0 = self.q01.put, self.q10.get
        self.send1, self.recv1 = self.q10.put, self.q01.get

    def in_child(self):
        pass

    def started(self):
        # Side 0 only reads q10: with its copy of the write end closed, the echo's is the last
        # one, so a dead echo process is an EOFError in get(), not a hang.
        self.q10._writer.close()

    def close(self, clean):
        for q in (self.q01, self.q10):
            if not clean:
                q.cancel_join_thread()  # nobody will read what a dead peer left unread
            q.close()
            q.join_thread()


def _acquire_watching(sem, procs):
    """sem.acquire(), but a peer process that died (the echo, a Manager server: they would
    never release it) ends the wait with EOFError, which PingPong names, instead of a hang."""
    while not sem.acquire(timeout=common.WATCH_S):
        for p in procs:
            if p is not None and not p.is_alive():
                raise EOFError("a peer process ended")


class _ManagerT:
    def __init__(self, size, pu):
        self.mgr = SyncManager(ctx=ctx)
        # The server process is the third party of every message: on the partner's PU, so a
        # same-pu case keeps everything on one PU.
        self.mgr.start(_manager_init, (pu,))
        try:
            self.d = self.mgr.dict()
            self.s01, self.s10 = ctx.Semaphore(0), ctx.Semaphore(0)
        except BaseException:
            self.mgr.shutdown()  # the caller never sees this half-made transport
            raise
        self.k0 = self.k1 = 0  # messages each side sent (= received: strict ping-pong)
        self.peer = None  # side 1's process, once started: watched while side 0 waits

    def send0(self, m):
        self.d["to1/%d" % self.k0] = m
        self.s01.release()

    def recv0(self):
        _acquire_watching(self.s10, (self.peer, getattr(self.mgr, "_process", None)))
        m = self.d.pop("to0/%d" % self.k0)
        self.k0 += 1
        return m

    def send1(self, m):
        self.d["to0/%d" % self.k1] = m
        self.k1 += 1
        self.s10.release()

    def recv1(self):
        self.s01.acquire()
        return self.d.pop("to1/%d" % self.k1)

    def in_child(self):
        pass

    def started(self):
        pass

    def close(self, clean):
        self.d = None  # its decref needs the server: drop it before the shutdown
        self.mgr.shutdown()


class _ShmT:
    def __init__(self, size):
        self.slot = 8 + size
        name = "tvp-py-%d-%d" % (os.getpid(), next(_shm_counter))
        self.shm = shared_memory.SharedMemory(name=name, create=True, size=2 * self.slot)
        # The harness removes exactly what a killed case reported creating.
        common.send("created posix-shm /" + name)
        self.buf = self.shm.buf
        self.peer = None  # side 1's process, once started: watched while side 0 waits
        try:
            self.s01, self.s10 = ctx.Semaphore(0), ctx.Semaphore(0)
        except BaseException:
            self.close(False)  # the caller never sees this half-made transport
            raise

    def _put(self, off, m, sem):
        n = len(m)
        buf = self.buf
        buf[off:off + 8] = n.to_bytes(8, "little")
        buf[off + 8:off + 8 + n] = m
        sem.release()

    def _get(self, off, sem):
        sem.acquire()
        buf = self.buf
        n = int.from_bytes(buf[off:off + 8], "little")
        return bytes(buf[off + 8:off + 8 + n])

    def send0(self, m):
        self._put(0, m, self.s01)

    def recv0(self):
        _acquire_watching(self.s10, (self.peer,))
        buf = self.buf
        n = int.from_bytes(buf[self.slot:self.slot + 8], "little")
        return bytes(buf[self.slot + 8:self.slot + 8 + n])

    def send1(self, m):
        self._put(self.slot, m, self.s10)

    def recv1(self):
        return self._get(0, self.s01)

    def in_child(self):
        pass

    def started(self):
        pass

    def close(self, clean):
        self.buf = None
        try:
            self.shm.close()
        finally:
            self.shm.unlink()


class _ShmOffsetT:
    """A slot per side in one SharedMemory; only (offset, length) crosses the Pipe. recv returns
    a memoryview of the message where it lies; send of such a view hands its offset back (no
    copy), send of anything else writes it into the sender's own slot first."""

    def __init__(self, size, threads):
        self.slot = size
        name = "tvp-py-%d-%d" % (os.getpid(), next(_shm_counter))
        self.shm = shared_memory.SharedMemory(name=name, create=True, size=2 * size)
        common.send("created posix-shm /" + name)
        self.buf = self.shm.buf
        self.threads = threads
        self.taken = [(None, 0), (None, 0)]  # per side: the view last received, its offset
        # The last views handed out: close releases them, since one a caller still holds (in an
        # exception's traceback, say) would keep the block from closing (BufferError).
        self.views = collections.deque(maxlen=4)
        self.peer = None
        try:
            self.a, self.b = ctx.Pipe(duplex=True)
        except BaseException:
            self.close(False)
            raise

    def _send(self, conn, own, m):
        n = len(m)
        taken = self.taken[own != 0]
        if m is not taken[0]:  # a message of our own: the one write, in place
            self.buf[own:own + n] = m
            off = own
        else:  # the message this side took: hand its place back, no copy
            off = taken[1]
        self.taken[own != 0] = (None, 0)
        conn.send_bytes(off.to_bytes(8, "little") + n.to_bytes(8, "little"))

    def _recv(self, conn, side):
        d = conn.recv_bytes()
        off, n = int.from_bytes(d[:8], "little"), int.from_bytes(d[8:], "little")
        if len(d) != 16 or off not in (0, self.slot) or n > self.slot:
            raise CheckFailed("pingpong SharedMemory-offset: descriptor %r names no slot" % d)
        m = self.buf[off:off + n]
        self.taken[side] = (m, off)
        self.views.append(m)
        return m

    def send0(self, m):
        self._send(self.a, 0, m)

    def recv0(self):
        return self._recv(self.a, 0)

    def send1(self, m):
        self._send(self.b, self.slot, m)

    def recv1(self):
        return self._recv(self.b, 1)

    def in_child(self):
        self.a.close()

    def started(self):
        if not self.threads:
            self.b.close()  # a dead echo process is an EOFError, not a hang

    def close(self, clean):
        self.taken = None
        for v in getattr(self, "views", ()):
            v.release()
        self.buf = None
        for c in (getattr(self, "a", None), getattr(self, "b", None)):
            if c is not None:
                c.close()
        try:
            self.shm.close()
        finally:
            self.shm.unlink()


class _SimpleQueueT:
    def __init__(self, size):
        self.q01, self.q10 = queue.SimpleQueue(), queue.SimpleQueue()
        self.send0, self.recv0 = self.q01.put, self.q10.get
        self.send1, self.recv1 = self.q10.put, self.q01.get

    def close(self, clean):
        pass


def _echo(recv, send, corrupt):
    """Side 1: sends back whatever arrives until STOP."""
    while True:
        m = recv()
        if len(m) == 8:
            if m == STOP:
                return
            if m == CPU_Q:
                send(CPU_A + common.current_cpu().to_bytes(4, "little", signed=True))
                continue
        if corrupt:  # a new object (bytes() also copies a SharedMemory view out)
            m = bytes(m[:-1]) + bytes((m[-1] ^ 0xFF,))
        send(m)


def _echo_process(t, pu, corrupt):
    common.become_child("tvp-py-echo")
    common.pin(pu)
    t.in_child()
    common.quiet_orphan_errors(_echo, t.recv1, t.send1, corrupt)


def _manager_init(pu):
    common.become_child("tvp-py-manager")
    common.pin(pu)


class PingPong:
    def __init__(self, case):
        _check_model(case, PINGPONG_MODELS)
        self.case = case
        self.size = case.param_value if case.param_value > 0 else 64
        if self.size < 16:
            raise ValueError("ipc: pingpong messages must be at least 16 bytes, not %d"
                             % self.size)
        self.t = None
        self.echo = None
        self.stopped = False
        self.peer_died = False
        self.round = 0
        self.body = (bytes(range(256)) * (self.size // 256 + 1))[:self.size - 8]
        corrupt = common.fault("ipc-corrupt")
        try:
            self._start(corrupt)
        except BaseException:
            self.close()
            raise

    def _start(self, corrupt):
        v, pu_b = self.case.variant, self.case.pu_b
        if v == "queue.SimpleQueue" or self.case.model == "thread":
            self.t = (_SimpleQueueT(self.size) if v == "queue.SimpleQueue"
                      else _ShmOffsetT(self.size, True))
            self.echo = threading.Thread(target=self._echo_thread, args=(corrupt,),
                                         name="tvp-echo", daemon=True)
        else:
            if v == "Pipe":
                self.t = _PipeT(self.size)
            elif v == "Queue":
                self.t = _QueueT(self.size)
            elif v == "Manager-dict":
                self.t = _ManagerT(self.size, pu_b)
            elif v == "SharedMemory-offset":
                self.t = _ShmOffsetT(self.size, False)
            else:
                self.t = _ShmT(self.size)
            self.echo = ctx.Process(target=_echo_process, args=(self.t, pu_b, corrupt),
                                    name="tvp-echo", daemon=True)
        self.echo.start()
        if isinstance(self.echo, multiprocessing.process.BaseProcess):
            self.t.peer = self.echo
            self.t.started()

    def _echo_thread(self, corrupt):
        common.pin(self.case.pu_b)
        _echo(self.t.recv1, self.t.send1, corrupt)

    def _notes(self):
        v = self.case.variant
        if v == "queue.SimpleQueue":
            common.note("thread baseline: a reference to the same bytes object, no copy")
        elif v == "Manager-dict":
            common.note("Manager server process pinned to pu_b; two proxy round trips per "
                        "message")
        elif v == "Queue":
            common.note("multiprocessing.Queue pickles each message through a feeder thread")
        elif v == "SharedMemory":
            common.note("SharedMemory: copied in and out (bytes(...)), semaphores signal")
        elif v == "SharedMemory-offset":
            common.note("SharedMemory-offset: written once in place through a memoryview, read "
                        "and checked in place; only (offset, length) goes through a Pipe")

    def run(self, n):
        self._notes()
        common.note_cpu()
        t = self.t
        send, recv, now = t.send0, t.recv0, common.now_ns
        # The partner's PU, asked outside the timing.
        send(CPU_Q)
        m = recv()
        if len(m) != 8 or m[:4] != CPU_A:
            raise CheckFailed("pingpong %s: the echo side answered %r to CPU?"
                              % (self.case.variant, m[:16]))
        common.note_cpu(int.from_bytes(m[4:], "little", signed=True))
        identity = self.case.variant == "queue.SimpleQueue"
        k = max(1, -(-n // MAX_SAMPLES))
        body, samples, total = self.body, [], 0
        for i in range(n):
            r = self.round
            self.round += 1
            payload = r.to_bytes(8, "little") + body
            t0 = now()
            try:  # free in the loop (3.11+: zero-cost); a dead peer is named, not a bare EOF
                send(payload)
                m = recv()
            except (EOFError, OSError) as e:
                raise self._dead_peer(e) from e
            dt = now() - t0
            total += dt
            if i % k == 0:
                samples.append(dt)
            if m[:8] != payload[:8]:
                raise CheckFailed("pingpong %s: round %d came back as round %d"
                                  % (self.case.variant, r,
                                     int.from_bytes(bytes(m[:8]), "little")))
            if identity:
                if m is not payload:
                    raise CheckFailed("pingpong %s: round %d came back as another object"
                                      % (self.case.variant, r))
            elif m != payload:
                bad = next((j for j in range(len(payload))
                            if j >= len(m) or m[j] != payload[j]), len(payload))
                raise CheckFailed("pingpong %s: round %d came back with %d bytes, wrong from "
                                  "byte %d" % (self.case.variant, r, len(m), bad))
        samples.sort()
        return [total, common.percentile(samples, 50) * n, common.percentile(samples, 99) * n]

    def _dead_peer(self, e):
        """A send or receive failed: CheckFailed naming the process that died (the Manager
        server, the echo process) and how, when one did; else e itself."""
        procs = []
        if isinstance(self.t, _ManagerT):
            procs.append(("the Manager server", getattr(self.t.mgr, "_process", None)))
        if isinstance(self.echo, multiprocessing.process.BaseProcess):
            procs.append(("the echo process", self.echo))
        for what, p in procs:
            if p is None:
                continue
            p.join(0.2)  # its end of file comes while it exits
            code = p.exitcode
            if code is None or code == 0:
                continue
            self.peer_died = True
            return CheckFailed("pingpong %s: %s (pid %d) %s"
                               % (self.case.variant, what, p.pid, common.ended_words(code)))
        return e

    def close(self):
        echo, t = self.echo, self.t
        self.echo = self.t = None
        clean = True
        try:
            if echo is not None and echo.is_alive() and self.peer_died and \
                    isinstance(echo, multiprocessing.process.BaseProcess):
                # A process between the two sides died (the Manager server): the echo can no
                # longer be told to stop, and waiting JOIN_S for it would delay the report.
                clean = False
                echo.kill()
                echo.join()
            if echo is not None and echo.is_alive():
                try:
                    t.send0(STOP)
                except Exception:
                    pass  # a peer already gone: the join below finds out
                echo.join(JOIN_S)
                if echo.is_alive() and isinstance(echo, multiprocessing.process.BaseProcess):
                    clean = False
                    echo.terminate()
                    echo.join(JOIN_S)
                    if echo.is_alive():
                        echo.kill()
                        echo.join()
            if echo is not None and not isinstance(echo, threading.Thread):
                clean = clean and echo.exitcode == 0
        finally:
            if t is not None:
                t.close(clean)


# -- pool-dispatch ---------------------------------------------------------------------------

def _task(i):
    return i * 2 + 1


def _task_wrong(i):
    return i * 2 + 1 + (i == 0)  # fault "pool-wrong": the first task's result is off by one


def _task_killed(i):
    # fault "pool-task-killed" (process variants only): the first task's process dies as a
    # killed one does
    if i == 0:
        os.kill(os.getpid(), signal.SIGKILL)
    return i * 2 + 1


def _pool_init(pus, index, cpus):
    # Worker i (in start order) pins to pus[i % len]; the PU it then runs on goes back
    # through shared memory, since a worker must not write to the harness itself.
    common.become_child("tvp-py-poolw")
    with index.get_lock():
        i = index.value
        index.value += 1
    common.pin(pus[i % len(pus)])
    cpus[i % len(cpus)] = common.current_cpu()


def _proc_task(i, pu, fn, out, probe):
    common.pin(pu)
    out.value = common.current_cpu() if probe else fn(i)


def _thread_task(i, pu, fn, out, probe):
    common.pin(pu)
    out[0] = common.current_cpu() if probe else fn(i)


class PoolDispatch:
    def __init__(self, case):
        _check_model(case, POOL_MODELS)
        self.case = case
        self.variant = case.variant
        self.pus = list(case.pus)
        self.fn = _task_wrong if common.fault("pool-wrong") else _task
        if common.fault("pool-task-killed") and POOL_MODELS[self.variant] == "process":
            self.fn = _task_killed
        self.pool = None
        self.probed = False
        w = len(self.pus)
        try:
            if self.variant in ("Pool", "ThreadPool"):
                self.index = ctx.Value("i", 0)
                self.cpus = ctx.Array("i", [-1] * w, lock=False)
                make = ctx.Pool if self.variant == "Pool" else multiprocessing.pool.ThreadPool
                self.pool = make(w, initializer=_pool_init,
                                 initargs=(self.pus, self.index, self.cpus))
                self.procs = common.pool_processes(self.pool)
            elif self.variant == "Process-per-task":
                self.out = ctx.RawValue("q", 0)
        except BaseException:
            self.close()
            raise

    def run(self, n):
        common.note_cpu()
        if self.pool is not None:
            return self._run_pool(n)
        if self.variant == "Process-per-task":
            return self._run_processes(n)
        return self._run_threads(n)

    def _run_pool(self, n):
        common.note("%d workers, worker i pinned to pus[i %% %d]" % (len(self.pus),
                                                                       len(self.pus)))
        apply_async, fn, now = self.pool.apply_async, self.fn, common.now_ns
        get, procs, what = common.get_watching, self.procs, "pool-dispatch " + self.variant
        t0 = now()
        pending = [apply_async(fn, (i,)) for i in range(n)]
        got = [get(r, procs, what) for r in pending]
        dt = now() - t0
        common.check_pool_alive(procs, what)
        for cpu in self.cpus:
            if cpu >= 0:
                common.note_cpu(cpu)
        for i, v in enumerate(got):
            if v != i * 2 + 1:
                raise CheckFailed("pool-dispatch %s: task %d returned %r, not %d"
                                  % (self.variant, i, v, i * 2 + 1))
        self._join_before_close()
        return [dt]

    def _join_before_close(self):
        raised = None
        if not common.fault("pool-join"):
            try:
                self.pool.join()
            except ValueError as e:
                raised = e
        if raised is None:
            raise CheckFailed("pool-dispatch %s: pool.join() before pool.close() raised no "
                              "ValueError" % self.variant)
        common.note("join before close raised ValueError: %s" % raised)

    def _run_processes(self, n):
        common.note("task i pinned to pus[i %% %d] as its first act" % len(self.pus))
        pus, w, fn, out = self.pus, len(self.pus), self.fn, self.out
        if not self.probed:  # where the tasks run, once per case, outside the timing
            for j in range(w):
                self._one_process(j, pus[j], True)
                common.note_cpu(out.value)
            self.probed = True
        process, now = ctx.Process, common.now_ns
        bad = None
        t0 = now()
        for i in range(n):
            p = process(target=_proc_task, args=(i, pus[i % w], fn, out, False), daemon=True)
            p.start()
            p.join()
            if bad is None and (p.exitcode != 0 or out.value != i * 2 + 1):
                bad = (i, out.value, p.exitcode, p.pid)
        dt = now() - t0
        if bad is not None and bad[2] != 0:
            raise CheckFailed("pool-dispatch %s: the process of task %d (pid %d) %s"
                              % (self.variant, bad[0], bad[3], common.ended_words(bad[2])))
        if bad is not None:
            raise CheckFailed("pool-dispatch %s: task %d returned %r, not %d"
                              % (self.variant, bad[0], bad[1], bad[0] * 2 + 1))
        return [dt]

    def _one_process(self, i, pu, probe):
        p = ctx.Process(target=_proc_task, args=(i, pu, self.fn, self.out, probe), daemon=True)
        p.start()
        p.join()

    def _run_threads(self, n):
        common.note("task i pinned to pus[i %% %d] as its first act" % len(self.pus))
        pus, w, fn = self.pus, len(self.pus), self.fn
        out = [None]
        if not self.probed:
            for j in range(w):
                t = threading.Thread(target=_thread_task, args=(j, pus[j], fn, out, True),
                                     daemon=True)
                t.start()
                t.join()
                common.note_cpu(out[0])
            self.probed = True
        thread, now = threading.Thread, common.now_ns
        bad = None
        t0 = now()
        for i in range(n):
            out[0] = None
            t = thread(target=_thread_task, args=(i, pus[i % w], fn, out, False), daemon=True)
            t.start()
            t.join()
            if bad is None and out[0] != i * 2 + 1:
                bad = (i, out[0])
        dt = now() - t0
        if bad is not None:
            raise CheckFailed("pool-dispatch %s: task %d returned %r, not %d"
                              % (self.variant, bad[0], bad[1], bad[0] * 2 + 1))
        return [dt]

    def close(self):
        pool, self.pool = self.pool, None
        if pool is not None:
            # Not close(): after a worker died its lost task stays pending, and a closed Pool
            # waits for it forever. Between batches nothing is in flight to lose.
            common.end_pool(pool, getattr(self, "procs", ()))


BENCHES = {
    "pingpong": PingPong,
    "pool-dispatch": PoolDispatch,
}
