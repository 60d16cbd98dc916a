#!/usr/bin/env bash
# End to end: ./run.sh all --quick into a temporary folder, then every output is checked: it
# exists and parses (JSON valid, CSV columns right, PNG and SVG non-empty, report with one row per
# claim and a computed C3 verdict), `plot` redraws from the folder alone, and the run leaves
# nothing behind: no process of its session, nothing in its TMPDIR, and — where the run can have
# private IPC and mount namespaces, so that only its own objects are seen — nothing in its
# /dev/shm, POSIX message queues or System V IPC. Machine-wide state is never compared: another
# program's objects would come and go meanwhile.
set -u
root=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/run"
mkdir "$tmp/t" "$tmp/mq"
export TMPDIR="$tmp/t" # the run's own: whatever it leaves there is its own

# Inside private IPC and mount namespaces: a fresh /dev/shm and the namespace's message queues,
# listed after the run, before the namespaces go away with their last process.
inner='mount -t tmpfs -o mode=1777 tvp-e2e-shm /dev/shm && mount -t mqueue tvp-e2e-mq "$2/mq" || exit 90
"$0" all --quick --out "$1" >"$2/stdout" 2>"$2/stderr"
rc=$?
ls -A /dev/shm >"$2/left.shm"
ls -A "$2/mq" >"$2/left.mq"
ipcs -m -q -s | awk '"'"'$1 ~ /^0x/'"'"' >"$2/left.ipc"
exit $rc'
SECONDS=0
# In a session of its own, so "nothing left" can be checked among its own processes only.
if unshare --ipc --mount --propagation private true 2>/dev/null; then
  private=1
  setsid unshare --ipc --mount --propagation private bash -c "$inner" "$root/run.sh" "$out" "$tmp" &
else
  private=0
  echo "no private IPC and mount namespaces here: /dev/shm, message queues and System V IPC" \
    "are not checked (only the run's own objects could be told apart)"
  setsid "$root/run.sh" all --quick --out "$out" >"$tmp/stdout" 2>"$tmp/stderr" &
fi
sid=$!
if ! wait "$sid"; then
  bad "./run.sh all --quick exited non-zero"
  tail -n 30 "$tmp/stderr" >&2
fi
echo "run.sh all --quick took ${SECONDS}s"

# Every gnuplot script draws its chart in a quick run of every group (counters.gp draws one
# counters-<group> chart per group: tests/chart_checks.sh checks those).
charts=$(cd "$root/plots" && ls ./*.gp | sed 's#^./##; s#[.]gp$##' | grep -vx -e style -e counters)
files="meta.json topology.xml run.log report.md report.html run.json"
for g in spawn memory locks queues ipc sched python; do files="$files $g.csv $g.samples.csv $g.json"; done
for c in $charts; do files="$files charts/$c.png charts/$c.svg"; done
for f in $files; do
  check "$f exists and is not empty" test -s "$out/$f"
done
for f in meta.json run.json spawn.json memory.json locks.json queues.json ipc.json sched.json python.json; do
  check "$f is valid JSON" jq empty "$out/$f"
done
check "meta.json says complete" jq -e '.status == "complete"' "$out/meta.json"
# Software counters may be refused too (perf_event_paranoid=3, a seccomp filter): then every
# counter must be listed unavailable with a reason, and the counter checks below are moot.
counting=$(jq '.counters.available | length' "$out/meta.json")
check "meta.json lists every counter as available or unavailable" \
  jq -e '(.counters.available | length) + (.counters.unavailable | length) > 0' "$out/meta.json"
check "meta.json names unavailable counters with a reason" \
  jq -e '(.counters.unavailable | map(select(.reason | length > 0)) | length) == (.counters.unavailable | length)' "$out/meta.json"
check "spawn.json has context and benchmarks" jq -e '.context.host_name and (.benchmarks | length > 0)' "$out/spawn.json"
check "spawn.json has iteration and aggregate entries" \
  jq -e '([.benchmarks[] | select(.run_type == "iteration")] | length > 0) and ([.benchmarks[] | select(.run_type == "aggregate" and .aggregate_name == "median")] | length > 0)' "$out/spawn.json"
# run.json for Google Benchmark's tools: every entry a time in ns with a number in real_time and
# cpu_time (compare.py does arithmetic on both), one schema version, names in the canonical form.
check "run.json: every entry has numeric real_time and cpu_time in ns" \
  jq -e '(.benchmarks | length > 0) and all(.benchmarks[]; (.real_time | type) == "number" and (.cpu_time | type) == "number" and .time_unit == "ns")' "$out/run.json"
check "run.json: context names the schema and the figures left out" \
  jq -e '.context.tvpbench_schema == 1 and (.context.not_in_benchmarks | type) == "array" and .context.num_cpus > 0' "$out/run.json"
check "topology.xml is hwloc XML" grep -q '<topology' "$out/topology.xml"

# CSV: the header has the schema's columns, and every row has as many fields as the header.
header=$(head -n 1 "$out/spawn.csv")
for col in group benchmark variant model placement cpus param param_value metric unit n median \
  ci_low ci_high mean min max p5 p95 p99 mad cv noisy status note ctr_task_clock ctr_page_faults; do
  if [[ ",$header," == *",$col,"* ]]; then ok; else bad "spawn.csv lacks column $col"; fi
done
check "spawn.csv has data rows" test "$(wc -l <"$out/spawn.csv")" -gt 10
for g in spawn memory locks queues ipc sched python; do
  check "every $g figure is ok" test "$(awk -F, 'NR > 1 && $0 !~ /,ok,/' "$out/$g.csv" | wc -l)" -eq 0
done
# A counter the machine cannot count is null in the JSON and empty in the CSV, never 0.
for name in $(jq -r '.counters.unavailable[].name' "$out/meta.json"); do
  col="${name//-/_}"
  check "$col is null wherever unavailable" \
    jq -e --arg c "$col" '[.benchmarks[] | select(.counters) | .counters[$c] | select(. != null)] | length == 0' "$out/spawn.json"
done
[[ $counting == 0 ]] || check "a software counter has values" \
  jq -e '[.benchmarks[] | select(.counters) | .counters.task_clock | select(. != null)] | length > 0' "$out/spawn.json"
# What the charts show (tests/chart_checks.sh): no NaN bar, empty row or panel, binary sizes, the cap.
"$root/tests/chart_checks.sh" "$out" >"$tmp/charts.out" 2>&1 || { bad "chart checks:"; cat "$tmp/charts.out" >&2; }
check "PNG signature" bash -c "head -c 8 '$out/charts/spawn-start.png' | od -An -tx1 | grep -q '89 50 4e 47'"
check "SVG root element" grep -q '<svg' "$out/charts/spawn-start.svg"

# Report: the verdict table opens it with one row per claim, each with a computed verdict; then
# a section per claim with its rule and figures (C, then Python); the context-switch section.
section() { # section Cn FILE: the claim's section of report.md
  awk -v h="## $1 — " 'index($0, h) == 1 { f = 1; next } /^## / { f = 0 } f' "$2"
}
in_section() { section "$1" "$3" | grep -q -- "$2"; } # in_section Cn PATTERN FILE
check "the verdict table comes first" bash -c "grep -m1 -n '^|' '$out/report.md' | grep -q '^3:| id | claim | verdict'"
for n in $(seq 1 13); do
  check "report.md has a row for C$n" grep -q "^| C$n |" "$out/report.md"
done
for n in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
  check "C$n has a computed verdict" grep -Eq "^\| C$n \|.*\*\*(confirmed|refuted|nuanced|too close to call)\*\*" "$out/report.md"
done
check "C3 states its rule" in_section C3 '^Rule: .*ratio of medians' "$out/report.md"
check "the report has the context-switch section" grep -q '^## Context switches' "$out/report.md"
check "C12 joins the pool and the ipc figures" in_section C12 '^- .*Manager' "$out/report.md"
# The python group: its figures next to C's in the claims' sections, its section, and its facts.
for n in 3 4 6 7 8 9 10 11 12 13; do
  check "C$n gives Python figures" in_section "C$n" '^Figures, Python (CPython' "$out/report.md"
done
check "C3 gives a Python/C ratio" in_section C3 '^- .*Python/C' "$out/report.md"
check "C6 reads the claim in Python itself" in_section C6 'Python itself' "$out/report.md"
# The verdicts agree with the run's figures, recomputed from its CSV files by code that shares
# nothing with the judges; and the recheck fails on a report whose C3 word was changed.
check "verdicts agree with the figures recomputed from the CSV" \
  python3 "$root/tests/verdict_recheck.py" "$out"
# The planted word differs from the real one, so the control cannot pass by coincidence.
python3 - "$out/report.md" >"$tmp/planted.md" <<'PLANT'
import re, sys
in_c3 = False
for line in open(sys.argv[1]):
    if line.startswith("## "):
        in_c3 = line.startswith("## C3 — ")
    m = re.match(r"^\*\*([a-z ]+)\*\* — ", line) if in_c3 else None
    if m:
        other = "refuted" if m.group(1) != "refuted" else "confirmed"
        line = "**" + other + "**" + line[m.end(1) + 2:]
        in_c3 = False
    sys.stdout.write(line)
PLANT
check "the recheck catches a planted verdict word" \
  bash -c "! python3 '$root/tests/verdict_recheck.py' '$out' '$tmp/planted.md' >/dev/null"
check "the report has the Python section" grep -q '^## Python next to C' "$out/report.md"
check "meta.json names the interpreter" jq -e '.environment.python_facts | test("CPython")' "$out/meta.json"
check "python.csv has thread and process rows" \
  bash -c "grep -q ',thread,' '$out/python.csv' && grep -q ',process,' '$out/python.csv'"
check "python rows record the PUs they ran on" \
  test "$(awk -F, 'NR > 1 && $6 == ""' "$out/python.csv" | wc -l)" -eq 0
check "python scaling pairs each N-worker job with a 1-worker one" \
  grep -q '^python,scaling,processes,process,spread,[^,]*,workers,2,per-job-1,' "$out/python.csv"
check "python scaling ran with its PUs kept awake" \
  grep -q '^python,scaling,.*kept out of idle by SCHED_IDLE spinners' "$out/python.csv"
check "report.html is HTML with the claims table" grep -q '<th>verdict</th>' "$out/report.html"
check "report links the charts" grep -q 'charts/spawn-start.png' "$out/report.md"
check "the charts sit under their claim" in_section C3 'charts/spawn-start.png' "$out/report.md"
check "the figures table is folded per group" grep -q '^<details><summary>spawn: ' "$out/report.md"
check "meta.json records the load during the run" jq -e '.load.samples > 0' "$out/meta.json"
# report.html in headless Chromium: first table, first screen, every chart inlined, nothing
# loaded from outside (skipped where Chromium cannot run).
"$root/tests/report_html.sh" "$root" "$root/build/tvpbench" "$out" >"$tmp/html.out" 2>&1
case $? in
  0) ok ;;
  77) echo "report.html not rendered: $(head -n 1 "$tmp/html.out")" ;;
  *) bad "report.html in Chromium:"; cat "$tmp/html.out" >&2 ;;
esac

# plot: remove the derived files and redraw them from the folder alone.
rm -f "$out"/charts/* "$out/report.md" "$out/report.html"
check "./run.sh plot redraws" bash -c '"$1" plot "$2" 2>"$3"' _ "$root/run.sh" "$out" "$tmp/plot.err"
# A gnuplot warning is a chart script drawing what it does not have (a series with no valid
# points: a full run once showed its user 44 of them; an axis over one x value; a two-point fit
# in stats): none may reach the user.
if grep -iE '^warning:|: warning:' "$tmp/plot.err" >"$tmp/plot.warn"; then
  bad "plot: gnuplot warned:"
  cat "$tmp/plot.warn" >&2
else
  ok
fi
check "plot restored report.md" test -s "$out/report.md"
check "plot restored the PNG" test -s "$out/charts/spawn-rss.png"

# Without python3 the rest still runs and the report says why Python was not measured.
nopy="$tmp/nopy"
check "a run with no Python interpreter succeeds" "$root/run.sh" spawn python --quick \
  --python /nonexistent/python3 --only spawn/start/pthread_create --out "$nopy"
check "the claim's section says Python was not measured, and why" \
  in_section C3 '^- not measured (/nonexistent/python3 not found' "$nopy/report.md"
check "the Python section says not measured" grep -q '^- Python: not measured' "$nopy/report.md"

# Nothing left behind.
check "no temporary files in the run folder" test -z "$(find "$out" -name '*tmp*')"
check "nothing left in the run's TMPDIR" test -z "$(ls -A "$tmp/t")"
if ((private)); then
  check "the namespaces' leftovers were listed" test -e "$tmp/left.shm" -a -e "$tmp/left.ipc"
  check "nothing left in the run's /dev/shm: $(cat "$tmp/left.shm" 2>/dev/null)" test ! -s "$tmp/left.shm"
  check "no POSIX message queue left: $(cat "$tmp/left.mq" 2>/dev/null)" test ! -s "$tmp/left.mq"
  check "no System V IPC object left: $(cat "$tmp/left.ipc" 2>/dev/null)" test ! -s "$tmp/left.ipc"
fi
for _ in $(seq 1 300); do pgrep -s "$sid" >/dev/null || break; sleep 0.1; done
check "no process of the run left" bash -c "! pgrep -s $sid"

check_done
