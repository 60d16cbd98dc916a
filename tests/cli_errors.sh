#!/usr/bin/env bash
# Every malformed command line is refused with exit status 2 and exactly one line on stderr,
# by run.sh (before it installs, builds or runs anything) and by the binary itself.
set -u
bin=$1 runsh=$2
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT


expect_ok() {
  local what=$1
  shift
  if "$@" >/dev/null 2>&1 </dev/null; then ok
  else bad "$what: exit $?"
  fi
}

for tool in "$runsh" "$bin run"; do
  # shellcheck disable=SC2086
  set -- $tool
  expect_refusal "$tool unknown option" "$@" spawn --frobnicate
  expect_refusal "$tool unknown group" "$@" nosuchgroup
  expect_refusal "$tool repetitions not a number" "$@" spawn --repetitions abc
  expect_refusal "$tool repetitions out of range" "$@" spawn --repetitions 1
  expect_refusal "$tool repetitions fraction" "$@" spawn --repetitions 2.5
  expect_refusal "$tool ci-target zero" "$@" spawn --ci-target 0
  expect_refusal "$tool ci-target not a number" "$@" spawn --ci-target 3%
  expect_refusal "$tool min-samples one" "$@" spawn --min-samples 1
  expect_refusal "$tool max-time zero" "$@" spawn --max-time 0
  expect_refusal "$tool min-time negative" "$@" spawn --min-time -1
  expect_refusal "$tool min-time too long" "$@" spawn --min-time 99
  expect_refusal "$tool timeout zero" "$@" spawn --timeout 0
  expect_refusal "$tool switch interval zero" "$@" spawn --switch-interval 0
  expect_refusal "$tool switch interval too long" "$@" spawn --switch-interval 5
  expect_refusal "$tool placement unknown" "$@" spawn --placement same-pu,elsewhere
  expect_refusal "$tool counters empty name" "$@" spawn --counters cycles,,task-clock
  expect_refusal "$tool missing value" "$@" spawn --out
  expect_refusal "$tool flag with value" "$@" spawn --quick=yes
  expect_refusal "$tool python without a value" "$@" python --python=
  expect_refusal "$tool only without a value" "$@" spawn --only=
  expect_refusal "$tool only: not a regular expression" "$@" spawn --only 'start/(fork'
  expect_refusal "$tool only: unmatched bracket" "$@" spawn --only 'fork[a-'
done
# The binary's refusal names the pattern and says why, in regerror's words.
err=$("$bin" run spawn --only 'start/(fork' 2>&1 >/dev/null </dev/null)
if [[ $err == *"'start/(fork'"*"not a valid regular expression: "?* ]]; then ok
else bad "bad --only regex: the line names neither the pattern nor the reason: $err"; fi
# Options with no command: refused, saying what would be accepted (run.sh before anything else).
expect_refusal "binary options without a command" "$bin" --quick
err=$("$bin" --quick 2>&1 >/dev/null </dev/null)
[[ $err == *"tvpbench run --quick GROUP...|all"* ]] && ok || bad "binary --quick alone: $err"
expect_refusal "binary help for an unknown group" "$bin" help nosuchgroup
err=$("$bin" help nosuchgroup 2>&1 >/dev/null </dev/null)
[[ $err == *"'nosuchgroup'"*spawn* ]] && ok || bad "help nosuchgroup names neither: $err"
expect_refusal "binary list with a run option but no --cases" "$bin" list --quick
expect_refusal "binary list --cases with an unknown group" "$bin" list --cases nosuchgroup
expect_refusal "binary list --cases with a bad regex" "$bin" list --cases --only 'x{'
expect_refusal "binary unknown command" "$bin" frobnicate
expect_refusal "binary report without folder" "$bin" report
expect_refusal "run.sh plot of a non-results folder" "$runsh" plot /nonexistent
expect_refusal "run.sh test with arguments" "$runsh" test extra
expect_refusal "binary run without groups" "$bin" run --quick
expect_refusal "binary unknown counter name" "$bin" run spawn --counters cycles,no-such-event-xyz
expect_ok "run.sh help" "$runsh" help
expect_ok "binary help" "$bin" help
expect_ok "binary list" "$bin" list
if "$bin" list | grep -q '^spawn'; then ok; else bad "list lacks spawn"; fi
# help GROUP: that group's part of the list, and nothing of another group.
out=$("$bin" help spawn 2>/dev/null)
[[ $? == 0 && $out == "$("$bin" list spawn)" && $out == spawn*start* && $out != *sched* ]] && ok ||
  bad "binary help spawn: $out"
out=$("$runsh" help spawn 2>/dev/null)
[[ $out == "$("$bin" list spawn)" ]] && ok || bad "run.sh help spawn: $out"
# --version: one line, the same from both.
version=$("$bin" --version 2>/dev/null)
[[ $version =~ ^tvpbench\ [0-9]+\.[0-9]+\.[0-9]+ && $version != *$'\n'* ]] && ok ||
  bad "binary --version: '$version'"
[[ $("$runsh" --version 2>/dev/null) == "$version" ]] && ok || bad "run.sh --version differs"

# list --cases: one canonical name per line with its estimate and its sampling (floor of samples
# and time cap), then the total of them.
cases=$("$bin" list --cases --quick 2>/dev/null)
case_line='^[^ ]+ +[0-9]+\.[0-9]{2} s  [0-9]+\+ samples, cap [0-9.]+ s( \(its own\))?$'
names=$(grep -E "$case_line" <<<"$cases" | awk '{ print $1 }')
n=$(grep -c . <<<"$names")
total=$(tail -n 1 <<<"$cases")
if [[ $n -gt 100 && $total == "total: $n cases, about "* ]]; then ok
else bad "list --cases: $n names, last line '$total'"; fi
if [[ $(($(grep -c . <<<"$cases") - 1)) == "$n" ]]; then ok
else bad "list --cases: a line that is neither a case nor the total"; fi
# The total is the sum of the lines (each printed to 0.01 s).
if awk -v n="$n" '$3 == "s" { sum += $2 }
     /^total:/ { for (i = 1; i <= NF; i++) if ($i == "about") t = $(i + 1) }
     END { d = sum - t; exit !(t != "" && d <= n * 0.005 + 0.01 && -d <= n * 0.005 + 0.01) }' \
  <<<"$cases"; then ok
else bad "list --cases: the total is not the sum of the cases"; fi
form='^[a-z]+/[^/ ]+/[^/ ]+/(thread|process)/[a-z-]+(/[a-z_-]+=-?[0-9]+)?$'
if grep -Evq "$form" <<<"$names"; then
  bad "list --cases: a name not of the form group/benchmark/variant/model/placement[/param=N]:" \
    "$(grep -Ev "$form" <<<"$names" | head -n 1)"
else ok; fi
# Each name, as an anchored regular expression (its '+' and '.' escaped), selects that case:
# asked in batches of one group's names joined by '|' (planning the python group starts an
# interpreter, so one run per name would be slow), every batch must give back exactly its
# names; and no two cases share a name.
regex_of() { printf '^%s$' "$(sed 's/[][\.*^$+?(){}|]/\\&/g' <<<"$1")"; }
dups=$(sort <<<"$names" | uniq -d)
[[ -z $dups ]] && ok || bad "list --cases: names given to more than one case: $dups"
misses=0
for group in $(cut -d/ -f1 <<<"$names" | uniq); do
  grep "^$group/" <<<"$names" | split -l 30 - "$tmp/batch."
  for batch in "$tmp"/batch.*; do
    alt=$(while read -r name; do regex_of "$name"; echo; done <"$batch" | paste -sd'|' -)
    got=$("$bin" list --cases --quick "$group" --only "$alt" 2>/dev/null | awk '$3 == "s" { print $1 }')
    [[ $got == "$(cat "$batch")" ]] ||
      { misses=$((misses + 1)); echo "not selected by their names: $(head -n 1 "$batch") ..." >&2; }
    rm -f "$batch"
  done
done
((misses == 0)) && ok || bad "list --cases: $misses batch(es) of names not selected by --only '^NAME\$'"
# --only over the names as before: plain text still matches where it occurs.
got=$("$bin" list --cases --quick ipc --only pingpong/pipe/process/same-cache/bytes=6 2>/dev/null |
  awk '$3 == "s" { print $1 }')
want=$(grep -F pingpong/pipe/process/same-cache/bytes=6 <<<"$names")
[[ -n $want && $got == "$want" ]] && ok || bad "--only as plain text: '$got' vs '$want'"
# A regex that selects nothing: one line, exit 2, and nothing listed.
expect_refusal "binary list --cases selecting nothing" "$bin" list --cases spawn --only '^nomatch'
# The binary refuses a folder that already holds a run.
mkdir "$tmp/used"
echo '{}' >"$tmp/used/meta.json"
expect_refusal "binary --out onto a folder that is not empty" "$bin" run spawn --out "$tmp/used"
# --only that matches nothing is refused after planning (exit 2) in one line, before the run
# folder is made.
expect_refusal "binary run --only matching nothing" "$bin" run spawn --only no/such/case \
  --out "$tmp/only"
err=$("$bin" run spawn --only no/such/case --out "$tmp/only" 2>&1 >/dev/null </dev/null)
rc=$?
if [[ $rc == 2 && $err == *"no planned case matches --only 'no/such/case'"* ]]; then ok
else bad "--only matching nothing: exit $rc: $err"; fi
[[ ! -e $tmp/only ]] && ok || bad "--only matching nothing left a run folder"

# run.sh refuses before it installs or builds anything: a copy with no build folder stays so.
copy="$tmp/copy"
mkdir -p "$copy/bench"
cp "$runsh" "$copy/run.sh"
cp "$(dirname "$runsh")/bench/groups.h" "$copy/bench/"
expect_refusal "copy: unknown option" "$copy/run.sh" all --frobnicate
expect_refusal "copy: glob as placement" "$copy/run.sh" all --placement '*'
expect_refusal "copy: empty placement list" "$copy/run.sh" all --placement ,
expect_refusal "copy: quote in --out" "$copy/run.sh" all --out "a'b"
expect_refusal "copy: --only not a regular expression" "$copy/run.sh" spawn --only '(fork'
expect_refusal "copy: options without a command" "$copy/run.sh" --quick
err=$("$copy/run.sh" --quick 2>&1 >/dev/null </dev/null)
[[ $err == *"./run.sh all --quick"* ]] && ok || bad "run.sh --quick alone: $err"
expect_refusal "copy: options without a command (two)" "$copy/run.sh" --placement same-pu --quick
expect_refusal "copy: help for an unknown group" "$copy/run.sh" help nosuchgroup
expect_refusal "copy: list with a run option but no --cases" "$copy/run.sh" list --quick
expect_refusal "copy: list --cases with --out" "$copy/run.sh" list --cases --out x
if [[ -e $copy/build ]]; then bad "run.sh built before refusing"; else ok; fi

check_done
