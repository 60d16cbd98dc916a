#!/usr/bin/env bash
# compare on two small real runs that differ in one setting (the emulated GIL's switch interval):
# compare.md and compare.html are written, name both runs, and list every shared figure with a
# ratio and a significance word; the HTML loads nothing from anywhere; run.sh's compare works.
# Then the refusals, each one line with exit status 2: runs that share no figure (named), a folder
# that is not a results folder (named), fewer than two folders. And the committed reference run
# is read whole and compares with a run made here.
#
#   compare.sh ROOT TVPBENCH
set -u
root=$1 tvpbench=$2
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

run() { # run OUT ONLY [more options]: a quick spawn run of the cases matching ONLY
  local out=$1 only=$2
  shift 2
  "$tvpbench" run spawn --quick --placement same-pu --only "$only" --out "$out" "$@" \
    >"$out.log" 2>&1 || { cat "$out.log"; bad "the run into $out failed"; }
}
run "$tmp/a" spawn/start/pthread_create
run "$tmp/b" spawn/start/pthread_create --switch-interval 0.001
run "$tmp/c" spawn/start/fork/ # nothing that A has

"$tvpbench" compare --out "$tmp/out" "$tmp/a" "$tmp/b" >"$tmp/summary" 2>"$tmp/err"
check "compare of two runs exits 0" test $? = 0
md=$tmp/out/compare.md html=$tmp/out/compare.html
check "compare.md written" test -s "$md"
check "compare.html written" test -s "$html"
for d in "$tmp/a" "$tmp/b"; do
  check "compare.md names $d" grep -qF "$d" "$md"
  check "compare.html names $d" grep -qF "$d" "$html"
done
check "the summary counts the figures compared" grep -qE '^B vs A: [1-9][0-9]* figures compared' "$tmp/summary"
check "the summary says which verdicts differ" grep -qE '^verdicts' "$tmp/summary"

# Every figure of A (all of them are in B too): a row in both files, in the markdown with a ratio
# and a significance word. Names are group/benchmark/variant/model/placement[/param=N]/metric.
names=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $col["status"] == "ok" {
    n = $col["group"] "/" $col["benchmark"] "/" $col["variant"] "/" $col["model"] "/" $col["placement"]
    if ($col["param"] != "") n = n "/" $col["param"] "=" $col["param_value"]
    print n "/" $col["metric"]
  }' "$tmp/a/spawn.csv")
check "run A has figures" test -n "$names"
while read -r name; do
  [[ -n $name ]] || continue
  check "compare.md: $name with a ratio and a word" \
    grep -qE "^\| $name \|.*× \[.*\| \**(slower|faster|higher|lower|not significant|not tested)" "$md"
  check "compare.html lists $name in a table" grep -qF "<td>$name</td>" "$html"
done <<<"$names"
check "compare.html inlines its charts" grep -q '<svg' "$html"
check "compare.html loads nothing" bash -c "! grep -qiE 'src=|<link|<script|url\\(' '$html'"

# run.sh's compare, with this build's binary and without building again.
(source "$root/run.sh" && BUILD=$(dirname "$tvpbench") && build() { :; } &&
  cmd_compare --out "$tmp/out2" "$tmp/a" "$tmp/b") >"$tmp/run_sh.log" 2>&1
check "run.sh compare exits 0" test $? = 0
check "run.sh compare writes compare.html" test -s "$tmp/out2/compare.html"

# The committed reference run (results/reference) stays readable by this version, whole, and a
# user's run can be compared with it: run A shares figures with it.
ref=$root/results/reference
check "the reference run is committed" test -f "$ref/meta.json"
"$tvpbench" compare --out "$tmp/ref" "$ref" "$ref" >"$tmp/ref.log" 2>&1
check "compare reads the whole reference run (exit 0)" test $? = 0
"$tvpbench" compare --out "$tmp/ref2" "$ref" "$tmp/a" >"$tmp/ref2.log" 2>&1
check "a quick run compares with the reference run (exit 0)" test $? = 0
check "the comparison with the reference has figures" grep -qE '[1-9][0-9]* figures compared' "$tmp/ref2.log"

refused() { # refused WHAT TEXT... -- COMMAND...: exit 2, one line on stderr holding every TEXT
  local what=$1 texts=()
  shift
  while [[ $1 != -- ]]; do texts+=("$1"); shift; done
  shift
  "$@" >/dev/null 2>"$tmp/refusal"
  local rc=$? lines
  lines=$(wc -l <"$tmp/refusal")
  check "$what: exit 2 (was $rc)" test "$rc" = 2
  check "$what: one line (was $lines)" test "$lines" = 1
  local t
  for t in "${texts[@]}"; do check "$what: names '$t'" grep -qF -- "$t" "$tmp/refusal"; done
}
refused "runs sharing no figure" "$tmp/a" "$tmp/c" "share no figure" -- \
  "$tvpbench" compare --out "$tmp/out3" "$tmp/a" "$tmp/c"
check "nothing written for runs sharing no figure" test ! -e "$tmp/out3/compare.md"
refused "not a results folder" "$tmp/out" "not a results folder" -- \
  "$tvpbench" compare --out "$tmp/out3" "$tmp/a" "$tmp/out"
refused "one folder" "usage" -- "$tvpbench" compare "$tmp/a"
refused "run.sh: one folder" "two or more" -- "$root/run.sh" compare "$tmp/a"
refused "run.sh: not a results folder" "$tmp/out" -- "$root/run.sh" compare "$tmp/a" "$tmp/out"

check_done
