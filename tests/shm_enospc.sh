#!/usr/bin/env bash
# A full /dev/shm is a named failure at set-up, not SIGBUS in a timed loop: the shared-memory
# transports run with a 64 KiB /dev/shm (a tmpfs mounted in a private mount namespace, so the
# machine's /dev/shm is never touched) and every case must fail at once naming ENOSPC, none
# time out or crash, the run exits 3 (cases failed) and nothing is left running.
#   shm_enospc.sh TVPBENCH
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
if ! unshare --mount --propagation private true 2>/dev/null; then
  echo "skipped: no private mount namespace here (unshare --mount needs root or user namespaces)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
setsid unshare --mount --propagation private sh -c \
  'mount -t tmpfs -o size=64k,mode=1777 tvp-tiny-shm /dev/shm && exec "$0" "$@"' \
  "$bin" run ipc --quick --no-counters --timeout 20 \
  --only 'shm-ring|shm-line|shm-arena/.*/bytes=(65536|1048576)' --out "$tmp/r" \
  >"$tmp/out" 2>&1 &
pid=$!
wait "$pid"
rc=$?
check "the run completes and says cases failed (exit 3, got $rc)" test "$rc" -eq 3
rows=$(grep -c '^ipc,' "$tmp/r/ipc.csv" 2>/dev/null)
check "shared-memory ring cases were planned (got ${rows:-0})" test "${rows:-0}" -gt 0
check "every case failed, none ok" test "$(grep -c ',failed,' "$tmp/r/ipc.csv")" -eq "$rows"
check "none timed out or crashed" bash -c "! grep -Eq ',(timeout|crashed),' '$tmp/r/ipc.csv'"
check "ENOSPC is named" grep -q 'No space left on device' "$tmp/r/ipc.csv"
check "at /dev/shm" grep -q 'of /dev/shm' "$tmp/r/ipc.csv"
for _ in $(seq 1 100); do pgrep -s "$pid" >/dev/null || break; sleep 0.1; done
check "no process of the run left" bash -c "! pgrep -s $pid"
check_done
