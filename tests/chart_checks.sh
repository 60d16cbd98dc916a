#!/usr/bin/env bash
# Chart regressions, checked on a results folder whose charts were drawn (end_to_end.sh calls it
# on its quick run): the python-locks C condition-variable bars have a figure, no chart data row
# is an x category without a single figure (an empty panel or gap), sizes are in binary units,
# the semaphore chart draws its cap, python-ipc has the offset hand-off, and no label says
# "processs".
# Usage: tests/chart_checks.sh RESULTS_DIR
set -u
out=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

# The C condvar event bars: once NaN because the chart asked for a figure never written.
check "python-locks has C condvar rows" test "$(grep -c '^"C condvar' "$out/charts/python-locks.dat")" -eq 2
check "python-locks: no NaN in the C condvar column" \
  awk '/^"C condvar/ { n++; if ($(NF - 5) == "NaN") nan++ } END { exit n == 0 || nan > 0 }' "$out/charts/python-locks.dat"
# Every data row of every chart has at least one figure: a row of NaN is an x category (or a whole
# panel) drawn with nothing in it.
for dat in "$out"/charts/*.dat; do
  name=$(basename "$dat" .dat)
  check "$name.dat: every data row has a figure" awk '
    /^# not measured: / { said = 1 }
    /^#/ || NF == 0 { next }
    { rows++; found = 0; for (i = 2; i <= NF; i++) if ($i != "NaN" && $i ~ /^-?[0-9.]/) found = 1
      if (!found) empty++ }
    END { exit (rows == 0 && !said) || empty > 0 }' "$dat"
done
# A bar chart names each bar once (spawn-lifecycle once took the python group's exit figures
# too: three bars each called "exit, non-daemon worker").
for dat in "$out"/charts/*.dat; do
  check "$(basename "$dat" .dat): no bar label twice" \
    bash -c "! grep -o '^\"[^\"]*\"' '$dat' | sort | uniq -d | grep -q ."
done
# Every group with figures has a counters panel, drawn and placed in the report.
for csv in "$out"/*.csv; do
  g=$(basename "$csv" .csv)
  [[ $g == *.samples ]] && continue
  [[ $(wc -l <"$csv") -gt 1 ]] || continue
  check "counters-$g: PNG and SVG drawn" test -s "$out/charts/counters-$g.png" -a -s "$out/charts/counters-$g.svg"
  check "counters-$g: in report.html" grep -q "data-chart=\"counters-$g\"" "$out/report.html"
  check "counters-$g: in report.md" grep -q "charts/counters-$g.png" "$out/report.md"
done
# A counter the machine refused is said, with meta.json's reason, where its panel would be.
if [[ $(jq '.counters.unavailable | map(select(.name == "cycles")) | length' "$out/meta.json") == 1 ]]; then
  check "counters panels say why the hardware counters are missing" \
    grep -q 'not available on this machine: ' "$out/charts/counters-spawn.svg"
fi
# queues-throughput's last column is the floor, drawn in every row: a shape is a category of a
# panel only where some queue has a figure (once, 64-byte panels drew 1x2 and 2x2 empty).
check "queues-throughput: every shape of a panel has a queue's figure" awk '
  /^#/ || NF == 0 { next }
  { rows++; found = 0; for (i = 3; i < NF; i++) if ($i != "NaN") found = 1; if (!found) empty++ }
  END { exit rows == 0 || empty > 0 }' "$out/charts/queues-throughput.dat"
for c in ipc-latency ipc-bandwidth python-ipc; do
  check "$c: sizes in binary units" grep -q 'KiB' "$out/charts/$c.svg"
  check "$c: no decimal size labels" bash -c "! grep -Eq '>[0-9]+ ?kB<' '$out/charts/$c.svg'"
done
# python-ipc once left out the offset hand-off (C13's subject): C's shm-arena and Python's
# SharedMemory-offset each need a column with a figure in it.
for col in ipc:shm-arena:process python:SharedMemory-offset:process python:SharedMemory-offset:thread; do
  check "python-ipc: $col has a figure" awk -v want="$col(3)" '
    /^# bytes/ { for (i = 3; i <= NF; i++) if ($i == want) c = 2 + 3 * (i - 3); next }
    /^#/ || NF == 0 { next }
    c && $c != "NaN" { found = 1 }
    END { exit !found }' "$out/charts/python-ipc.dat"
done
check "locks-semaphore draws the cap" grep -q 'cap: 5 permits' "$out/charts/locks-semaphore.svg"
check "no label says processs" bash -c "! grep -l processs '$out'/charts/*.dat '$out'/charts/*.svg"
check_done
