#!/usr/bin/env bash
# Fault injection: one task of each kind of multi-task case is SIGKILLed from outside at a
# random moment of its timed loop, and the run must take it as a named failure, not a hang:
#   - the case is reported failed within 2 s of the kill (its progress line in run.log), with a
#     note naming the dead task (role, index, pid) and "signal 9";
#   - the run goes on: the next case of the run is ok, the run completes and exits 3 (some
#     cases failed);
#   - nothing is left behind: no process of the run's session, and — where the run can have
#     private IPC and mount namespaces (unshare), so that only its own objects are seen —
#     nothing in its /dev/shm, POSIX message queues or System V IPC;
#   - a killed Python worker's children end quietly: no "Traceback" on the run's stderr.
#
# What is killed, found among the processes of the run's own session by the names the suite
# gives its tasks (PR_SET_NAME):
#   lock holder between processes  tvp-lk-w1: a contended-lock worker process, robust pthread
#                                  mutex (EOWNERDEAD) and futex lock (no owner: task watching)
#   lock holder between threads    not killable alone: a fatal signal ends the whole process
#                                  (that is the supervisor's "crashed"), so the thread kind of
#                                  this fault is the process-shared variant above
#   queue producer / consumer      tvp-q-prod0 (FIFO, robust mutex + condvars),
#                                  tvp-q-cons0 (MPMC ring, futex)
#   IPC peers                      tvp-ipc-peer (side 1 of a pipe ping-pong),
#                                  tvp-mgr-server (the Manager-style server)
#   pool worker                    tvp-pool-worker
#   CPU-bound scaling worker       tvp-sc-w1 (a sched worker process, forked per batch)
#   Python worker, Manager server  the parent of tvp-py-echo (the python3 worker itself),
#                                  tvp-py-manager (needs python3; skipped without it)
#   Python echo (Queue ping-pong)  tvp-py-echo
#   Python Pool worker             tvp-py-poolw (pool-dispatch and the GIL scaling job)
#   Python worker with helpers     the oldest python3 of the run (the worker) while its
#                                  fork server and resource tracker run
# Each fault is one short run with --only picking a victim case and a case after it, and with
# repetitions long enough that a random kill lands in the timed loop.
#   fault_injection.sh TVPBENCH        (TVP_FAULTS=REGEX: only the faults whose label matches)
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
for tool in unshare setsid pgrep awk; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is needed"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"
export TMPDIR="$tmp/t" # the runs' own: what they leave there is theirs

if unshare --ipc --mount --propagation private true 2>/dev/null; then
  private=1
else
  private=0
  echo "no private IPC and mount namespaces here: /dev/shm, message queues and System V IPC" \
    "are not checked (only the run's own objects could be told apart)"
fi
# Inside private namespaces: a fresh /dev/shm and message-queue mount, listed after the run.
inner='mount -t tmpfs -o mode=1777 tvp-fault-shm /dev/shm && mount -t mqueue tvp-fault-mq "$1/mq" || exit 90
d=$1
shift
"$@" >"$d/stdout" 2>"$d/stderr"
rc=$?
ls -A /dev/shm >"$d/left.shm"
ls -A "$d/mq" >"$d/left.mq"
ipcs -m -q -s | awk '"'"'$1 ~ /^0x/'"'"' >"$d/left.ipc"
exit $rc'

alive() { # a process that exists and is not a zombie
  local s
  s=$(sed 's/.*) //' /proc/"$1"/stat 2>/dev/null) || return 1
  [[ -n $s && ${s%% *} != Z ]]
}
# The victim in the run's session $1 (setsid made the launched process its leader): the first
# live process by pid named $2 (kind comm), or the parent of one (kind parent). One pgrep, so that the
# lookup stays quick on a loaded machine, where a case's tasks may live for a fraction of a
# second.
victim() {
  local top=$1 name=$2 kind=$3 p
  for p in $(pgrep -s "$top" -x "$name" 2>/dev/null); do
    alive "$p" || continue
    if [[ $kind == parent ]]; then
      p=$(awk '{print $4}' /proc/"$p"/stat 2>/dev/null) || continue
      alive "$p" || continue
    fi
    echo "$p"
    return 0
  done
  return 1
}
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# fault LABEL NOTE_REGEX TASK_NAME KIND GROUP ONLY [run options...]
# On a loaded machine a case can end before the kill lands, so the kill may land in a later
# case; one that lands in the last case leaves no later case to show that the run goes on, and
# one that meets a task which has just done its work and exited shows nothing: both are tried
# again (at most three tries).
fault() {
  local try
  for try in 1 2 3; do
    fault_once "$try" "$@" && return
  done
}

# fault_once TRY LABEL ...: returns 1 when the kill landed in the run's last case and another
# try is left; then it has recorded no check.
fault_once() {
  local try=$1 label=$2 note=$3 name=$4 kind=$5 group=$6 only=$7
  shift 7
  [[ $label =~ ${TVP_FAULTS:-.} ]] || return 0
  local failed_before=$failed
  local d="$tmp/$label.$try" out="$tmp/$label.$try/r"
  mkdir -p "$d/mq"
  local cmd=("$bin" run "$group" --only "$only" --no-counters --timeout 60 --out "$out" "$@")
  if ((private)); then
    setsid unshare --ipc --mount --propagation private bash -c "$inner" bash "$d" "${cmd[@]}" &
  else
    setsid "${cmd[@]}" >"$d/stdout" 2>"$d/stderr" &
  fi
  local top=$! v="" t0 i
  for i in $(seq 1 600); do
    victim "$top" "$name" "$kind" >/dev/null && break
    sleep 0.05
  done
  # A random moment of the timed loop: the victim's case has started its batches by now.
  sleep "0.$((RANDOM % 4 + 1))"
  for i in $(seq 1 400); do
    v=$(victim "$top" "$name" "$kind") && kill -KILL "$v" 2>/dev/null && break
    v=""
    sleep 0.01
  done
  t0=$(now)
  local t0us=${t0/./}
  if [[ -z $v ]]; then
    wait "$top"
    ((try < 3)) && { echo "$label: no live $name to kill; again"; return 1; }
    bad "$label: no live $name to kill"
    return 0
  fi
  local took="" dumped=0
  for i in $(seq 1 1500); do
    if grep -q ': failed: ' "$out/run.log" 2>/dev/null; then
      took=$(since "$t0")
      break
    fi
    # Still no failure 2 s after the kill (the check's limit): the Python workers print their
    # threads' stacks to the run's stderr, shown below if the check fails.
    if ((!dumped && ${EPOCHREALTIME/./} - t0us > 2000000)); then
      pkill -USR1 -s "$top" -f tvp_worker.py 2>/dev/null
      dumped=1
    fi
    sleep 0.02
  done
  wait "$top"
  local rc=$?
  if ((try < 3)) && [[ -z $took && $rc == 0 ]] && ! grep -q ': failed: ' "$out/run.log"; then
    # Between the liveness check and the kill the victim finished its share and exited: the
    # signal met a zombie, and the run rightly saw nothing wrong.
    echo "$label: the kill landed after the task's work was done; again"
    return 1
  fi
  local at
  at=$(grep -o '^\[[0-9]*/[0-9]*\][^:]*: failed: ' "$out/run.log" | head -n 1 | grep -o '^\[[0-9/]*')
  if ((try < 3)) && [[ -n $at && ${at#[} == "${at#*/}/${at#*/}" ]]; then
    echo "$label: the kill landed in the last case ($at]); again"
    return 1
  fi
  echo "$label: killed pid $v ($([[ $kind == parent ]] && echo "parent of ")$name); case failed after ${took:-never} s"
  check "$label: the case is reported failed within 2 s of the kill (took ${took:-never} s)" \
    awk -v t="${took:-99}" 'BEGIN { exit !(t <= 2.0) }'
  local line
  line=$(grep ': failed: ' "$out/run.log" | head -n 1)
  check "$label: the note names the dead task and signal 9 ($line)" \
    bash -c '[[ $1 =~ $2 ]]' _ "$line" "$note.*signal 9"
  check "$label: the CSV row says failed with the same note" \
    grep -Eq ",failed,.*$note.*signal 9" "$out/$group.csv"
  check "$label: the run goes on: a later case is ok" \
    bash -c "grep -A100 ': failed: ' '$out/run.log' | grep -q ': ok ('"
  check "$label: the run completes with exit status 3 (got $rc)" test "$rc" -eq 3
  check "$label: meta.json says complete" grep -q '"status": "complete"' "$out/meta.json"
  for i in $(seq 1 100); do pgrep -s "$top" >/dev/null || break; sleep 0.1; done
  check "$label: no process of the run left" bash -c "! pgrep -s $top"
  if ((private)); then
    check "$label: nothing left in /dev/shm ($(tr '\n' ' ' <"$d/left.shm"))" test ! -s "$d/left.shm"
    check "$label: no POSIX message queue left" test ! -s "$d/left.mq"
    check "$label: no System V object left" test ! -s "$d/left.ipc"
  fi
  check "$label: no Traceback on the run's stderr" bash -c "! grep -q Traceback '$d/stderr'"
  if ((failed > failed_before)); then # what the run said, for whoever reads the log
    echo "$label: the run's progress lines (a long note cut in the middle), then its stderr:"
    grep '^\[' "$out/run.log" 2>/dev/null | sed -E 's/^(.{220}).{20,}(.{90})$/\1 … \2/; s/^/    /'
    tail -n 120 "$d/stderr" 2>/dev/null | sed 's/^/    stderr: /'
  fi
  return 0
}

SECONDS=0
# Contended locks, processes 1, 2, 4 workers: worker 1 exists from the second case on, and the
# third follows it.
fault lock-robust-mutex 'worker process 1 \(pid [0-9]+\)' tvp-lk-w1 comm locks \
  contended-1us/mutex/process --repetitions 150 --min-time 0.02
fault lock-futex 'worker process 1 \(pid [0-9]+\)' tvp-lk-w1 comm locks \
  contended-1us/futex/process --repetitions 150 --min-time 0.02
# Stream 1:1 (same PU, then cross-core) and 1:2: three cases with the victim's task in each, so
# a kill that a loaded machine delays past the first case still has a case after it (with two,
# three tries in a row once landed in the last).
fault queue-producer 'producer 0 \(pid [0-9]+\)' tvp-q-prod0 comm queues \
  'stream-1x[12]/fifo/process' --quick --repetitions 30 --min-time 0.05
fault queue-consumer 'consumer 0 \(pid [0-9]+\)' tvp-q-cons0 comm queues \
  'stream-1x[12]/mpmc-ring/process' --quick --repetitions 30 --min-time 0.05
# Ping-pong at 64 B then 64 KiB ("bytes=6" matches both in a quick run).
fault ipc-peer 'peer process \(side 1\) \(pid [0-9]+\)' tvp-ipc-peer comm ipc \
  pingpong/pipe/process/same-cache/bytes=6 --quick --repetitions 40 --min-time 0.05
fault ipc-manager-server 'the Manager server \(pid [0-9]+\)' tvp-mgr-server comm ipc \
  pingpong/manager-dict/process/same-cache/bytes=6 --quick --repetitions 40 --min-time 0.05
# Process pool, 1, cores and 2x PUs workers.
fault pool-worker 'pool worker [0-9]+ \(pid [0-9]+\)' tvp-pool-worker comm spawn \
  pool-empty/process-pool --quick --repetitions 20 --min-time 0.05
# CPU-bound scaling, processes at 1, 2 and 4 workers: worker 1 lives through each batch of the
# second case, and the third follows it.
fault sched-worker 'worker process 1 \(pid [0-9]+\)' tvp-sc-w1 comm sched \
  scaling/processes --quick --repetitions 40 --min-time 0.2
if command -v python3 >/dev/null; then
  fault python-worker 'the Python worker \(pid [0-9]+\)' tvp-py-echo parent python \
    pingpong/Pipe/process --quick --repetitions 40 --min-time 0.05
  fault python-manager-server 'the Manager server \(pid [0-9]+\)' tvp-py-manager comm python \
    pingpong/Manager-dict/process --quick --repetitions 60 --min-time 0.05
  # The echo of a Queue ping-pong: side 0 blocks in Queue.get().
  fault python-echo-queue 'the echo process \(pid [0-9]+\)' tvp-py-echo comm python \
    pingpong/Queue/process --quick --repetitions 60 --min-time 0.05
  # A Pool worker: its task is lost and the Pool replaces it without a word.
  fault python-pool-worker 'pool worker \(pid [0-9]+\)' tvp-py-poolw comm python \
    pool-dispatch/ --quick --repetitions 60 --min-time 0.05
  fault python-scaling-worker 'pool worker \(pid [0-9]+\)' tvp-py-poolw comm python \
    scaling/processes/ --quick --repetitions 30 --min-time 0.05
  # The worker itself while the fork server it started runs: the server and the resource
  # tracker must end with it.
  fault python-worker-forkserver 'the Python worker \(pid [0-9]+\)' python3 comm python \
    start/Process-forkserver/ --repetitions 20 --min-time 0.05
else
  echo "python3 not found: the Python worker and Manager server faults are skipped"
fi
echo "fault injection took ${SECONDS}s"
check_done
