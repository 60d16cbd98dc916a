#!/usr/bin/env python3
"""Rechecks report.md's verdicts against the run's own CSV files, with code that shares nothing
with the C judges: for each claim below it recomputes the decisive figures from the CSV (and
the samples file), checks the report printed the same figures, and applies the claim's rule
(as its rule column states it) to decide which verdict word the row must carry.

    verdict_recheck.py RESULTS_DIR [REPORT]

C3  each of fork, posix_spawn and fork-exec against pthread_create, same PU, on the metric the
    rule names: the ratio of medians printed must be the CSV medians' ratio; the word follows
    from the printed CIs (confirmed: all three lower bounds above 2x; refuted: every upper bound
    below 1x; too close: none above 2x and one containing 1; nuanced otherwise).
C6  CPython's threads and Pool at N = cores workers: the median of the paired ratios
    per-job-1 / per-job from the samples file and its distribution-free 95% CI (order
    statistics of the binomial) must be what the row prints; the word follows from the
    1.25x threshold, the 1.1 x N bound, the workers' CPU over each job's wall time (under 0.75
    of the PUs they had: other load, undecided), and the C emulation's printed outcome.
And the verdict table that opens the report must carry the same word as each claim's section.
Exits 1 naming each disagreement; prints what it checked."""

import csv
import math
import re
import sys

FAILS = []


def fail(text):
    FAILS.append(text)
    print("MISMATCH: " + text)


def read_csv(path):
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except FileNotFoundError:
        return []


def report_rows(path):
    """{claim id: (word, summary, figures)} from each claim's section: "## Cn — claim", its
    "**word** — summary" line, and its figure lists ("Figures, C:", "Figures, Python (...):"),
    joined back into the verdict's "; "-separated figures text."""
    rows, cur, items, label = {}, None, {}, None
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            m = re.match(r"^## (C\d+) — ", line)
            if m or line.startswith("## "):
                cur = m.group(1) if m else None
                label = None
                if cur:
                    rows[cur] = [None, "", ""]
                    items[cur] = []
                continue
            if cur is None:
                continue
            m = re.match(r"^\*\*([a-z ]+)\*\* — (.*)$", line)
            if m and rows[cur][0] is None:
                rows[cur][0], rows[cur][1] = m.group(1), m.group(2)
                continue
            m = re.match(r"^Figures, (.*):$", line)
            if m:
                label = None if m.group(1) == "C" else m.group(1)
                continue
            m = re.match(r"^- (.*)$", line)
            if m:
                item = m.group(1)
                if label:
                    item = "%s: %s" % (label, item)
                    label = None
                items[cur].append(item)
    for cid, row in rows.items():
        row[2] = "; ".join(items[cid])
    return {cid: tuple(row) for cid, row in rows.items() if row[0]}


def close_to(printed, value):
    """printed is value at %.3g."""
    return float("%.3g" % value) == printed or abs(printed - value) <= 0.006 * abs(value)


def fig(rows, **want):
    for r in rows:
        if all(r.get(k) == v for k, v in want.items()) and r.get("status") == "ok":
            return r
    return None


# ---- C3 ----------------------------------------------------------------------------------

def recheck_c3(res, rows):
    if "C3" not in rows:
        return
    word, _, figures = rows["C3"]
    if word == "not measured":
        return
    spawn = read_csv(res + "/spawn.csv")
    lean = fig(spawn, benchmark="start-lean", variant="pthread_create", placement="same-pu",
               metric="start-to-joined")
    start = "start-lean" if lean else "start"
    p50 = fig(spawn, benchmark=start, variant="pthread_create", placement="same-pu",
              metric="start-to-joined-p50")
    metric = "start-to-joined-p50" if p50 else "start-to-joined"
    thread = fig(spawn, benchmark=start, variant="pthread_create", placement="same-pu",
                 metric=metric)
    if thread is None:
        fail("C3: no pthread_create figure in spawn.csv but the verdict is %s" % word)
        return
    above = below = close = measured = 0
    for method in ("fork", "posix_spawn", "fork-exec"):
        f = fig(spawn, benchmark=start, variant=method, placement="same-pu", metric=metric)
        m = re.search(r"; %s\+wait [^=;]+ = ([0-9.e+]+)× \[([0-9.e+]+), ([0-9.e+]+)\]"
                      % re.escape(method), figures)
        if f is None:
            if m:
                fail("C3: %s printed but not in spawn.csv" % method)
            continue
        if not m:
            fail("C3: %s is in spawn.csv but its ratio is not printed" % method)
            continue
        ratio = float(f["median"]) / float(thread["median"])
        printed, lo, hi = (float(x) for x in m.groups())
        if not close_to(printed, ratio):
            fail("C3: %s printed %g, the CSV medians give %.4g" % (method, printed, ratio))
        if not lo <= printed <= hi:
            fail("C3: %s ratio %g outside its printed CI [%g, %g]" % (method, printed, lo, hi))
        measured += 1
        if lo > 2.0:
            above += 1
        elif hi < 1.0:
            below += 1
        elif lo <= 1.0:
            close += 1
    if measured == 3 and above == 3:
        want = "confirmed"
    elif measured and below == measured:
        want = "refuted"
    elif measured and above == 0 and close > 0:
        want = "too close to call"
    else:
        want = "nuanced"
    print("C3: %d methods rechecked on %s/%s; rule gives %s, report says %s"
          % (measured, start, metric, want, word))
    if want != word:
        fail("C3: the rule applied to the printed figures gives %s, the report says %s"
             % (want, word))


# ---- C6 ----------------------------------------------------------------------------------

def median_ci(xs):
    """Median (mean of the middle two for even n) and the distribution-free 95% CI."""
    s = sorted(xs)
    n = len(s)
    h = (n - 1) * 0.5
    med = s[int(h)] + (s[min(int(h) + 1, n - 1)] - s[int(h)]) * (h - int(h))
    if n < 2:
        return med, s[0], s[0]
    best = 1
    for k in range(n // 2, 0, -1):
        cover = sum(math.comb(n, i) for i in range(k, n - k + 1)) / 2.0 ** n
        if cover >= 0.95 - 1e-12:
            best = k
            break
    return med, s[best - 1], s[n - best]


def canonical_id(fid):
    """A figure_id as the suite names figures now: a folder from before the name was settled
    wrote the parameter as "param:N" instead of "param=N"."""
    return re.sub(r"^((?:[^/]*/){5})([^/=:]+):(-?[0-9]+)/([^/]*)$", r"\1\2=\3/\4", fid)


def samples(rows, fid):
    return [float(r["value"]) for r in sorted((r for r in rows
                                               if canonical_id(r["figure_id"]) == fid),
                                              key=lambda r: int(r["repetition"]))]


def classify(lo, hi, n):
    if lo > 1.1 * n:
        return "beyond"
    if lo >= 1.25:
        return "up"
    if hi < 1.25:
        return "flat"
    return "open"


def recheck_c6(res, rows, cores):
    if "C6" not in rows:
        return
    word, summary, _ = rows["C6"]
    smp = read_csv(res + "/python.samples.csv")
    if not smp or word == "not measured":
        return
    got = {}
    for variant, label in (("threads", "threads"), ("processes", "Pool")):
        model = "process" if variant == "processes" else "thread"
        base = "python/scaling/%s/%s/spread/workers=%d/" % (variant, model, cores)
        many, one = samples(smp, base + "per-job"), samples(smp, base + "per-job-1")
        if not many or len(many) != len(one):
            print("C6: no paired %s figures at %d workers; not rechecked" % (variant, cores))
            return
        med, lo, hi = median_ci([a / b for a, b in zip(one, many)])
        m = re.search(r"%s ([0-9.e+]+)× \[([0-9.e+]+), ([0-9.e+]+)\]" % label, summary)
        if not m:
            fail("C6: the summary does not print the Python %s speed-up" % label)
            return
        p = [float(x) for x in m.groups()]
        for name, printed, value in (("median", p[0], med), ("low", p[1], lo), ("high", p[2], hi)):
            if not close_to(printed, value):
                fail("C6: Python %s speed-up %s printed %g, the samples give %.4g"
                     % (label, name, printed, value))
        got[variant] = classify(lo, hi, cores)
    t, p = got["threads"], got["processes"]
    starved = []
    for variant, model, suffix, expect in (("processes", "process", "", cores),
                                           ("processes", "process", "-1", 1),
                                           ("threads", "thread", "", 1),
                                           ("threads", "thread", "-1", 1)):
        base = "python/scaling/%s/%s/spread/workers=%d/" % (variant, model, cores)
        cpu, wall = samples(smp, base + "worker-cpu" + suffix), samples(smp, base + "per-job" + suffix)
        if cpu and len(cpu) == len(wall):
            busy = median_ci([c / w for c, w in zip(cpu, wall)])[0]
            if busy < 0.75 * expect:
                starved.append("%s%s %.3g of %d PUs" % (variant, suffix, busy, expect))
    if starved:
        print("C6: CPython's jobs lost their PUs to other load: " + ", ".join(starved))
    if "beyond" in (t, p) or starved:
        py = "too close to call"
    elif t == "flat" and p == "up":
        py = "confirmed"
    elif t == "up" or p == "flat":
        py = "refuted"
    else:
        py = "too close to call"
    c = ("confirmed" if "emulation of the GIL confirms" in summary
         else "refuted" if "emulation of the GIL refutes" in summary else "undecided")
    decided = ("confirmed", "refuted")
    want = "nuanced" if py in decided and c in decided and py != c else py
    print("C6: Python threads %s, Pool %s at %d workers (paired, from the samples); C emulation "
          "%s; rule gives %s, report says %s" % (t, p, cores, c, want, word))
    if want != word:
        fail("C6: the rule applied to the recomputed figures gives %s, the report says %s"
             % (want, word))


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    res = argv[1]
    rows = report_rows(argv[2] if len(argv) == 3 else res + "/report.md")
    with open(res + "/meta.json") as f:
        m = re.search(r'"cores": (\d+)', f.read())
    cores = int(m.group(1)) if m else 0
    path = argv[2] if len(argv) == 3 else res + "/report.md"
    with open(path) as f:
        for line in f:
            m = re.match(r"^\| (C\d+) \| [^|]* \| \*\*([a-z ]+)\*\* \|", line)
            if m and m.group(1) in rows and rows[m.group(1)][0] != m.group(2):
                fail("%s: the verdict table says %s, its section %s"
                     % (m.group(1), m.group(2), rows[m.group(1)][0]))
    recheck_c3(res, rows)
    if cores >= 2:
        recheck_c6(res, rows, cores)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
