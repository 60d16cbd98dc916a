#!/usr/bin/env bash
# A signal in the middle of a run (Ctrl-C's SIGINT, or SIGTERM): the binary stops the current
# case, kills and reaps its processes, prints that case's progress line, writes what finished,
# marks the run incomplete and exits 128 + the signal; nothing is left running and no temporary
# file remains.
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for sig in INT TERM; do
  want=$((128 + $(kill -l "$sig")))
  # Long repetitions so the run is surely still going when the signal comes.
  # In a session of its own, so "nothing left" can be checked among its own processes only.
  setsid "$bin" run spawn --repetitions 50 --min-time 0.05 --no-counters --out "$tmp/$sig" \
    2>"$tmp/$sig.err" &
  pid=$!
  for _ in $(seq 1 300); do
    grep -q '^\[3/' "$tmp/$sig/run.log" 2>/dev/null && break
    sleep 0.1
  done
  kill -"$sig" "$pid"
  wait "$pid"
  rc=$?
  check "SIG$sig: exit status $want (got $rc)" test "$rc" -eq "$want"
  check "SIG$sig: meta.json marks the run incomplete" grep -q '"status": "incomplete"' "$tmp/$sig/meta.json"
  check "SIG$sig: the finished cases were written" test -s "$tmp/$sig/spawn.csv"
  check "SIG$sig: finished cases are ok rows" grep -q ',ok,' "$tmp/$sig/spawn.csv"
  check "SIG$sig: the stopped case is an interrupted row" grep -q ',interrupted,' "$tmp/$sig/spawn.csv"
  check "SIG$sig: no temporary file left" test -z "$(find "$tmp/$sig" -name '*tmp*')"
  check "SIG$sig: the stopped case got its progress line, naming the signal" \
    grep -Eq '^\[[0-9]+/[0-9]+\] .*: interrupted: interrupted by ' "$tmp/$sig/run.log"
  check "SIG$sig: the log says interrupted" grep -q 'interrupted' "$tmp/$sig/run.log"
  # The session's processes are gone once the leader is reaped; poll rather than sleep once.
  for _ in $(seq 1 100); do pgrep -s "$pid" >/dev/null || break; sleep 0.1; done
  check "SIG$sig: no process of the run left" bash -c "! pgrep -s $pid"
done
check_done
