#!/usr/bin/env bash
# --dry-run prints exactly the cases a run runs (the progress lines of a real tiny run), with a
# header naming the machine, and creates nothing; --topology plans for another machine (an hwloc
# XML file or a synthetic description) and is refused, one line and exit 2, when it cannot be
# loaded or for a real run; progress lines carry the share done and the time left, and the run
# ends with its total time beside the estimate.
set -u
bin=$1 runsh=$2
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

only='^sched/scaling/(threads|processes)/'
plan=$(timeout 60 "$bin" run sched --quick --dry-run --only "$only" --out "$tmp/not-made" 2>"$tmp/dry.err")
rc=$?
check "dry-run: exit 0 (got $rc: $(cat "$tmp/dry.err"))" test "$rc" -eq 0
check "dry-run: the header names this machine" \
  bash -c "head -n 1 <<<\"\$1\" | grep -Eq '^plan for this machine: .* [0-9]+ PU\\(s\\)'" _ "$plan"
check "dry-run: a total line with the estimate" \
  bash -c "tail -n 1 <<<\"\$1\" | grep -Eq '^total: [0-9]+ cases, about [0-9.]+ s estimated'" _ "$plan"
check "dry-run: no folder made (--out)" test ! -e "$tmp/not-made"
check "dry-run: no results folder made" test ! -e "$tmp/results"
planned=$(sed '1d;$d' <<<"$plan" | awk '{print $1}')
check "dry-run: cases listed" test -n "$planned"
listed=$("$bin" list --cases --quick --only "$only" sched 2>/dev/null | sed '$d' | awk '{print $1}')
check "dry-run: the same cases as list --cases" test "$planned" == "$listed"

"$bin" run sched --quick --only "$only" --out "$tmp/run" >/dev/null 2>"$tmp/run.err"
rc=$?
check "the real run: exit 0 (got $rc)" test "$rc" -eq 0
ran=$(sed -En 's/^\[[0-9]+\/[0-9]+\] ([^ ]+): .*/\1/p' "$tmp/run/run.log")
check "dry-run: exactly the cases the run ran, in its order" test "$planned" == "$ran"
if [[ $planned != "$ran" ]]; then diff <(echo "$planned") <(echo "$ran") >&2; fi
# Off a terminal (here) every case's line carries the share done and the time left.
n_cases=$(grep -c . <<<"$ran")
n_left=$(grep -Ec '^\[[0-9]+/[0-9]+\] [^ ]+: ok \([0-9.]+ s\); [0-9]+% done, ~[0-9]+( min [0-9]+)? s left$' \
  "$tmp/run.err")
check "progress: every line has the share done and the time left ($n_left of $n_cases)" \
  test "$n_left" -eq "$n_cases"
check "progress: the last case is 100% done" \
  bash -c "grep '^\[' '$tmp/run.err' | tail -n 1 | grep -q '; 100% done, ~0 s left$'"
check "progress: a final line with the total time and the estimate" \
  grep -Eq '^total time [0-9.]+ s \(estimated [0-9.]+ s\); results in ' "$tmp/run.err"
# Where the time went: how the cases stopped sampling (they add up) and the slowest of them.
tally=$(sed -En 's/^sampling: of ([0-9]+) cases, ([0-9]+) met the CI target, ([0-9]+) stopped at their time cap \([0-9]+ s of [0-9]+ s\), ([0-9]+) at [0-9]+ samples, ([0-9]+) took a fixed count, ([0-9]+) did not finish$/\1 \2 \3 \4 \5 \6/p' \
  "$tmp/run/run.log")
check "run.log: the sampling tally counts every case ($tally)" \
  awk -v n="$n_cases" 'END { exit !(NR == 1 && $1 == n && $2 + $3 + $4 + $5 + $6 == n) }' <<<"$tally"
n_slow=$(grep -Ec '^slowest [0-9]+: [^ ]+ [0-9.]+ s \((target|cap|max-samples|fixed), [0-9]+ samples in [0-9.]+ s(, widest CI ±[0-9.]+%|, no 95% CI)?\)$' \
  "$tmp/run/run.log")
want_slow=$((n_cases < 10 ? n_cases : 10))
check "run.log: the $want_slow slowest cases with how they stopped (got $n_slow)" \
  test "$n_slow" -eq "$want_slow"

# The saved topology of this machine plans what this machine plans.
xml_plan=$("$bin" list --cases --quick --only "$only" --topology "$tmp/run/topology.xml" sched \
  2>/dev/null | sed '$d' | awk '{print $1}')
check "--topology FILE.xml: this machine's saved topology plans the same cases" \
  test "$xml_plan" == "$listed"
# In a file: the plan of 128 PUs is longer than one argument may be.
timeout 60 "$bin" run all --dry-run --topology 'synthetic:pack:2 numa:2 l3:2 l2:8 core:1 pu:2' \
  >"$tmp/syn.plan" 2>/dev/null
check "--topology synthetic: the header names it and its 128 PUs" \
  bash -c "head -n 1 '$tmp/syn.plan' | grep -q '^plan for --topology synthetic:pack:2 .* 128 PU(s)'"
check "--topology synthetic: a case at cross-numa (this machine has none)" \
  grep -q '/cross-numa' "$tmp/syn.plan"

expect_refusal "--topology missing file" "$bin" list --cases --topology "$tmp/no-such.xml"
expect_refusal "--topology bad synthetic" timeout 60 "$bin" run all --dry-run --topology 'synthetic:pack:2 bogus:3'
expect_refusal "--topology not XML" "$bin" list --cases --topology "$tmp/run/run.log"
expect_refusal "--topology on a real run" "$bin" run sched --quick --topology 'synthetic:pack:1 core:2 pu:1' \
  --out "$tmp/refused"
check "--topology on a real run: no folder made" test ! -e "$tmp/refused"
expect_refusal "run.sh --topology on a real run" "$runsh" sched --topology 'synthetic:pack:1 core:2 pu:1'
expect_refusal "run.sh --dry-run with --out" "$runsh" sched --dry-run --out "$tmp/refused"
check_done
