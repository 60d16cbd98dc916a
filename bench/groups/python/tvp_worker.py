#!/usr/bin/env python3
"""One case of tvpbench's Python group, driven by the C harness over stdin/stdout.

    tvp_worker.py --probe
        prints the interpreter's facts, one "key value" a line, and the start methods offered.
    tvp_worker.py --group G --bench B --variant V --model M --placement P
                  --pu-a A --pu-b B --pus A,B,... [--param-value N] [--quick] [--switch-interval S]
        sets the case up, prints "ready" (or "error TEXT" and exits 1), then answers each
        "run N" with optional "cpu K" / "note TEXT" lines and one "ok CPU_NS T0 T1 ..." (the
        worker's CPU time over the batch, then each metric's total over the N operations) or
        "error TEXT" when a check failed. "quit" or end of input tears the case down.

The protocol goes to a private copy of stdout; fd 1 itself is pointed at stderr, so nothing a
library or a child process prints can corrupt it."""

import argparse
import faulthandler
import importlib
import os
import signal
import sys
import time
import traceback


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--probe", action="store_true")
    p.add_argument("--group")
    p.add_argument("--bench")
    p.add_argument("--variant")
    p.add_argument("--model", default="thread")
    p.add_argument("--placement", default="same-pu")
    p.add_argument("--pu-a", type=int, default=0)
    p.add_argument("--pu-b", type=int, default=0)
    p.add_argument("--pus", default="")
    p.add_argument("--param-value", type=int, default=-1)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--switch-interval", type=float, default=0.005)
    return p.parse_args(argv)


def probe(out):
    import multiprocessing
    from tvpy import common
    for k, v in common.interpreter_facts().items():
        out.write("%s %s\n" % (k, v))
    out.write("start_methods %s\n" % " ".join(multiprocessing.get_all_start_methods()))
    out.flush()
    return 0


def serve(args, out):
    from tvpy import common
    common.set_reply(out)
    pus = [int(x) for x in args.pus.split(",") if x != ""]
    case = common.Case(args.group, args.bench, args.variant, args.model, args.placement,
                       args.pu_a, args.pu_b, pus, args.param_value, args.quick,
                       args.switch_interval)
    try:
        # The same interval as the C group's emulated GIL (--switch-interval), so the two compare.
        sys.setswitchinterval(case.switch_interval)
        common.pin(case.pu_a)
        module = importlib.import_module("tvpy." + args.group)
        factory = module.BENCHES.get(args.bench)
        if factory is None:
            raise ValueError("no Python benchmark %s in group %s" % (args.bench, args.group))
        bench = factory(case)
    except Exception as e:  # any set-up failure is reported, with its reason, as the case's error
        out.write("error set-up of %r: %s: %s\n" % (case, type(e).__name__, e))
        out.flush()
        traceback.print_exc()
        return 1
    out.write("ready\n")
    out.flush()
    status = 0
    try:
        for line in sys.stdin:
            words = line.split()
            if not words or words[0] == "quit":
                break
            if words[0] != "run" or len(words) != 2:
                common.send("error unknown command %r" % line.strip())
                continue
            n = int(words[1])
            if common.fault("hang"):
                time.sleep(3600)  # the watchdog test: the harness must kill and reap us
            cpu0 = common.cpu_time_ns()
            try:
                totals = bench.run(n)
            except common.CheckFailed as e:
                common.send("error %s" % e)
                continue
            cpu = common.cpu_time_ns() - cpu0
            common.send("ok %d %s" % (cpu, " ".join("%.17g" % float(t) for t in totals)))
    except Exception as e:
        common.send("error %s: %s" % (type(e).__name__, e))
        traceback.print_exc()
        status = 1
    finally:
        bench.close()
    return status


def main(argv):
    # SIGUSR1 prints every thread's stack to stderr: how a wait that lasts too long is found
    # (tests/fault_injection.sh sends it when a case has not failed 3 s after its kill).
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    # A private copy of stdout for the protocol; everything else printed goes to stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    args = parse_args(argv)
    if args.probe:
        return probe(out)
    return serve(args, out)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.exit(main(sys.argv[1:]))
