#!/usr/bin/env bash
# The python group leaves nothing behind: a Python case that hangs is killed by the watchdog with
# its worker and every process the worker started (the SharedMemory echo process, the Manager's
# server), its /dev/shm block is swept, and the run goes on; Ctrl-C during a Python case does the
# same and exits 130.
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
shm_before=$(ls -A /dev/shm 2>/dev/null | grep '^tvp-py-' | sort)
# A TMPDIR of the test's own, to see every temporary file the workers leave (multiprocessing
# puts its pymp-* folders and listener sockets there).
mkdir "$tmp/t"
export TMPDIR="$tmp/t"

# 1. The watchdog: every batch of SharedMemory round trips hangs (test hook); 2 s limit.
setsid env TVP_PY_FAULT=hang "$bin" run python --quick --no-counters --timeout 2 \
  --only python/pingpong/SharedMemory --out "$tmp/hang" 2>"$tmp/hang.err" &
sid=$!
wait "$sid"
rc=$?
check "the run goes on after the timeouts, and says cases failed (exit 3, got $rc)" test "$rc" -eq 3
check "each hung case is reported timeout" test "$(grep -c ',timeout,' "$tmp/hang/python.csv")" -ge 2
check "the note says the watchdog killed it" grep -q 'killed by the watchdog' "$tmp/hang/python.csv"
check "the SharedMemory block left by the killed worker was swept" \
  grep -q 'removed 1 shared-memory object' "$tmp/hang/python.csv"
check "the killed worker's temporary folder was swept" \
  grep -q 'removed 1 temporary folder' "$tmp/hang/python.csv"
sleep 0.2
check "no process of the timed-out run left" bash -c "! pgrep -s $sid"
check "nothing left in TMPDIR after the timeouts" test -z "$(ls -A "$tmp/t")"

# 2. Ctrl-C while a Manager (a server process) and its echo process are up.
setsid env TVP_PY_FAULT=hang "$bin" run python --quick --no-counters --timeout 60 \
  --only python/pingpong/Manager-dict --out "$tmp/int" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 1 100); do
  [[ -n $(pgrep -s "$pid" -f tvp_worker.py) ]] && break
  sleep 0.1
done
sleep 1.5 # set-up done: the worker hangs in its first batch with its children alive
check "the Manager case started its Python processes" test "$(pgrep -s "$pid" | wc -l)" -ge 4
kill -INT "$pid"
wait "$pid"
rc=$?
check "exit status 130 after SIGINT (got $rc)" test "$rc" -eq 130
check "meta.json marks the run incomplete" grep -q '"status": "incomplete"' "$tmp/int/meta.json"
sleep 0.2
check "no process of the interrupted run left" bash -c "! pgrep -s $pid"
check "nothing left in TMPDIR after Ctrl-C" test -z "$(ls -A "$tmp/t")"
shm_after=$(ls -A /dev/shm 2>/dev/null | grep '^tvp-py-' | sort)
check "no SharedMemory block left in /dev/shm" test "$shm_before" == "$shm_after"
check_done
