#!/usr/bin/env bash
# Every malformed command line is refused with exit status 2 and exactly one line on stderr,
# by run.sh (before it installs, builds or runs anything) and by the binary itself.
set -u
bin=$1 runsh=$2
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

expect_refusal() { # expect_refusal DESCRIPTION COMMAND...
  local what=$1
  shift
  local err rc lines
  err=$("$@" 2>&1 >/dev/null </dev/null)
  rc=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [[ $rc == 2 && $lines == 1 ]]; then
    ok
  else
    bad "$what: exit $rc, $lines line(s): $err"
  fi
}

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
done
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
# The binary refuses a folder that already holds a run.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/used"
echo '{}' >"$tmp/used/meta.json"
expect_refusal "binary --out onto a folder that is not empty" "$bin" run spawn --out "$tmp/used"
# --only that matches nothing is refused after planning (exit 2), saying so.
err=$("$bin" run spawn --only no/such/case --out "$tmp/only" 2>&1 >/dev/null </dev/null)
rc=$?
if [[ $rc == 2 && $err == *"no planned case matches --only"* ]]; then ok
else bad "--only matching nothing: exit $rc: $err"; fi

# run.sh refuses before it installs or builds anything: a copy with no build folder stays so.
copy="$tmp/copy"
mkdir -p "$copy/bench"
cp "$runsh" "$copy/run.sh"
cp "$(dirname "$runsh")/bench/groups.h" "$copy/bench/"
expect_refusal "copy: unknown option" "$copy/run.sh" all --frobnicate
expect_refusal "copy: glob as placement" "$copy/run.sh" all --placement '*'
expect_refusal "copy: empty placement list" "$copy/run.sh" all --placement ,
expect_refusal "copy: quote in --out" "$copy/run.sh" all --out "a'b"
if [[ -e $copy/build ]]; then bad "run.sh built before refusing"; else ok; fi

check_done
