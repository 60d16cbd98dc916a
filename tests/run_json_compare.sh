#!/usr/bin/env bash
# run.json as Google Benchmark's own tools read it: two small real runs, then compare.py (Debian's
# libbenchmark-tools) on their run.json. It must exit 0, list the figures by their canonical
# names, and print, on a figure's _median and _mean rows, the median and mean that <group>.csv
# holds for the time (real_time) and for the CPU time recorded with the same samples (cpu_time).
# Skipped (77) where compare.py or its Python modules (numpy, scipy) are missing.
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
compare=$(dpkg -L libbenchmark-tools 2>/dev/null | grep '/compare\.py$' | head -n 1)
[[ -n $compare ]] || compare=/usr/share/benchmark/compare.py
if [[ ! -f $compare ]]; then
  echo "SKIP: Google Benchmark's compare.py not found (apt-get install libbenchmark-tools)"
  exit 77
fi
py=
for p in /usr/bin/python3 python3; do
  if "$p" -c 'import numpy, scipy' 2>/dev/null; then py=$p; break; fi
done
if [[ -z $py ]]; then
  echo "SKIP: no python3 with numpy and scipy for compare.py (apt-get install python3-scipy)"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-runjson.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# One case: rtt has a CPU time per sample (the cpu figure), rtt-p50 and rtt-p99 have none.
case_re=ipc/pingpong/pipe/process/same-pu
for r in 1 2; do
  if ! "$bin" run ipc --quick --only "$case_re" --out "$tmp/r$r" >"$tmp/r$r.log" 2>&1; then
    bad "run $r failed: $(tail -n 3 "$tmp/r$r.log")"
    check_done
    exit
  fi
  check "run $r wrote run.json" test -s "$tmp/r$r/run.json"
done
out=$("$py" "$compare" --no-color benchmarks "$tmp/r1/run.json" "$tmp/r2/run.json" 2>&1)
rc=$?
if [[ $rc == 0 ]]; then ok; else bad "compare.py exit $rc: $out"; fi
name=ipc/pingpong/pipe/process/same-pu/bytes=64/rtt
for row in "$name " "${name}_mean " "${name}_median " "${name}_pvalue " "$name-p99_median "; do
  if grep -qF -- "$row" <<<"$out"; then ok; else bad "compare.py does not list '$row': $out"; fi
done
if grep -qi 'nan\|Traceback' <<<"$out"; then bad "compare.py printed nan or failed: $out"; else ok; fi
# The _median and _mean rows against the CSV: compare.py prints whole nanoseconds.
"$py" - "$tmp" "$out" <<'PY' || bad "compare.py's numbers differ from the CSV (above)"
import csv, sys
tmp, out = sys.argv[1], sys.argv[2]
def figs(run):
    with open(f"{tmp}/{run}/ipc.csv") as f:
        return {(r["param_value"], r["metric"]): r for r in csv.DictReader(f)}
old, new = figs("r1"), figs("r2")
name = "ipc/pingpong/pipe/process/same-pu/bytes=64/rtt"
bad = 0
for agg, col in (("median", "median"), ("mean", "mean")):
    line = next(l for l in out.splitlines() if l.startswith(f"{name}_{agg} "))
    t_old, t_new, c_old, c_new = (float(x) for x in line.split()[3:7])
    want = (float(old[("64", "rtt")][col]), float(new[("64", "rtt")][col]),
            float(old[("64", "cpu")][col]), float(new[("64", "cpu")][col]))
    for got, w, what in zip((t_old, t_new, c_old, c_new), want,
                            ("Time Old", "Time New", "CPU Old", "CPU New")):
        if abs(got - w) > 0.5 + 1e-9 * w:
            print(f"{name}_{agg}: {what} {got} but the CSV says {w}")
            bad = 1
sys.exit(bad)
PY
ok
check_done
