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
# Waits (up to 30 s) until no process of session $1 is left: reaping takes a moment.
gone() { for _ in $(seq 1 300); do pgrep -s "$1" >/dev/null || return 0; sleep 0.1; done; }
# Records every pid of session $1 while it runs, into $2: the SharedMemory blocks a run makes are
# named tvp-py-<creator pid>-<n>, so afterwards only this run's are looked for in /dev/shm, never
# all of it (another program's may come and go meanwhile).
watch_pids() { while kill -0 "$1" 2>/dev/null; do pgrep -s "$1" >>"$2"; sleep 0.05; done; }
# A TMPDIR of the test's own, to see every temporary file the workers leave (multiprocessing
# puts its pymp-* folders and listener sockets there).
mkdir "$tmp/t"
export TMPDIR="$tmp/t"

# 1. The watchdog: every batch of SharedMemory round trips hangs (test hook); 2 s limit.
setsid env TVP_PY_FAULT=hang "$bin" run python --quick --no-counters --timeout 2 \
  --only python/pingpong/SharedMemory/ --out "$tmp/hang" 2>"$tmp/hang.err" &
sid=$!
watch_pids "$sid" "$tmp/hang.pids" &
watcher=$!
wait "$sid"
rc=$?
wait "$watcher"
check "the run goes on after the timeouts, and says cases failed (exit 3, got $rc)" test "$rc" -eq 3
check "each hung case is reported timeout" test "$(grep -c ',timeout,' "$tmp/hang/python.csv")" -ge 2
check "the note says the watchdog killed it" grep -q 'killed by the watchdog' "$tmp/hang/python.csv"
check "the SharedMemory block left by the killed worker was swept" \
  grep -q 'removed 1 shared-memory object' "$tmp/hang/python.csv"
check "the killed worker's temporary folder was swept" \
  grep -q 'removed 1 temporary folder' "$tmp/hang/python.csv"
gone "$sid"
check "no process of the timed-out run left" bash -c "! pgrep -s $sid"
check "nothing left in TMPDIR after the timeouts" test -z "$(ls -A "$tmp/t")"

# 2. Ctrl-C while a Manager (a server process) and its echo process are up.
setsid env TVP_PY_FAULT=hang "$bin" run python --quick --no-counters --timeout 60 \
  --only python/pingpong/Manager-dict --out "$tmp/int" 2>"$tmp/int.err" &
pid=$!
# Set-up is done once the worker, the Manager's server and the echo process are up (with the
# run itself and its case process: at least 4); a loaded machine only makes this take longer.
for _ in $(seq 1 600); do
  (($(pgrep -s "$pid" | wc -l) >= 5)) && break
  sleep 0.1
done
check "the Manager case started its Python processes" test "$(pgrep -s "$pid" | wc -l)" -ge 4
kill -INT "$pid"
wait "$pid"
rc=$?
check "exit status 130 after SIGINT (got $rc)" test "$rc" -eq 130
check "meta.json marks the run incomplete" grep -q '"status": "incomplete"' "$tmp/int/meta.json"
gone "$pid"
check "no process of the interrupted run left" bash -c "! pgrep -s $pid"
check "nothing left in TMPDIR after Ctrl-C" test -z "$(ls -A "$tmp/t")"
check "the watched run's pids were seen" test -s "$tmp/hang.pids"
left=""
for p in $(sort -u "$tmp/hang.pids"); do
  for f in /dev/shm/tvp-py-"$p"-*; do [[ -e $f ]] && left="$left $f"; done
done
check "no SharedMemory block of the killed workers left in /dev/shm:$left" test -z "$left"
check_done
