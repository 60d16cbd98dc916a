#!/usr/bin/env bash
# Ctrl-C in the middle of a run: the binary stops the current case, kills and reaps its
# processes, writes what finished, marks the run incomplete and exits 130; nothing is left
# running and no temporary file remains.
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Long repetitions so the run is surely still going when the signal comes.
# In a session of its own, so "nothing left" can be checked among its own processes only.
setsid "$bin" run spawn --repetitions 50 --min-time 0.05 --no-counters --out "$tmp/run" 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do
  grep -q '^\[3/' "$tmp/run/run.log" 2>/dev/null && break
  sleep 0.1
done
kill -INT "$pid"
wait "$pid"
rc=$?
check "exit status 130 after SIGINT (got $rc)" test "$rc" -eq 130
check "meta.json marks the run incomplete" grep -q '"status": "incomplete"' "$tmp/run/meta.json"
check "the finished cases were written" test -s "$tmp/run/spawn.csv"
check "finished cases are ok rows" grep -q ',ok,' "$tmp/run/spawn.csv"
check "no temporary file left" test -z "$(find "$tmp/run" -name '*tmp*')"
check "the log says interrupted" grep -q 'interrupted' "$tmp/run/run.log"
sleep 0.2
check "no process of the run left" bash -c "! pgrep -s $pid"
check_done
