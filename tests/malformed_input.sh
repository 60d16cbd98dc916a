#!/usr/bin/env bash
# The readers on damaged results folders: `tvpbench report`, `chart-data` and `compare` on each of
# a set of folders made here (binary, truncated or hand-broken meta.json, unknown schema version, missing
# meta.json or samples file, a truncated CSV, NaN/inf medians, n = 1e20 or -5, a bad sample).
# Each damage must give its exact one-line error naming the file (and line) and the problem, and a
# non-zero exit: 1 when the folder cannot be read at all, 4 when the rest was written without the
# damaged part. Nothing may crash (a sanitizer build reports to stderr, which is checked too).
set -u
bin=$1
. "$(dirname "${BASH_SOURCE[0]}")/check_lib.sh"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-malformed.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

cols="group,benchmark,variant,model,placement,cpus,param,param_value,metric,unit,n,median,ci_low,ci_high,mean,min,max,noisy,status,note"
meta() { # meta DIR [SCHEMA]
  cat >"$1/meta.json" <<JSON
{
  "tvpbench_schema": ${2:-1},
  "status": "complete",
  "date": "2026-01-01T00:00:00Z",
  "groups": "spawn",
  "machine": {"host_name": "fixture", "cpu_model": "test CPU", "kernel": "6.1"},
  "timer": {"cost_ns": 20.5, "resolution_ns": 1},
  "topology": {"cores": 2, "pus": 2}
}
JSON
}
# A valid folder: two figures of the spawn group, 3 samples each.
make_good() { # make_good DIR
  mkdir -p "$1"
  meta "$1"
  {
    echo "$cols"
    echo 'spawn,start,thread,thread,same-pu,0,,,start-to-joined,ns,3,1000,990,1010,1000,990,1010,0,ok,"a note, with a comma"'
    echo 'spawn,start,fork,process,same-pu,0,,,start-to-joined,ns,3,50000,49000,51000,50000,49000,51000,0,ok,plain'
  } >"$1/spawn.csv"
  {
    echo "figure_id,repetition,value"
    for v in 990 1000 1010; do echo "spawn/start/thread/thread/same-pu/start-to-joined,0,$v"; done
    for v in 49000 50000 51000; do echo "spawn/start/fork/process/same-pu/start-to-joined,0,$v"; done
  } >"$1/spawn.samples.csv"
}

# expect NAME EXIT LINE: run report and chart-data on $tmp/NAME; both must exit EXIT and print
# LINE as the first line on stderr (with DIR standing for the folder).
expect() {
  local name=$1 want_rc=$2 want=$3 dir="$tmp/$1" cmd err rc first
  want=${want//DIR/$dir}
  for cmd in report chart-data; do
    err=$("$bin" "$cmd" "$dir" 2>&1 >/dev/null </dev/null)
    rc=$?
    first=$(printf '%s\n' "$err" | head -n 1)
    if [[ $rc != "$want_rc" ]]; then
      bad "$name: $cmd exit $rc, want $want_rc: $err"
    elif [[ $first != "$want" ]]; then
      bad "$name: $cmd: first line on stderr:"$'\n'"  got  $first"$'\n'"  want $want"
    elif [[ $err == *Sanitizer* || $err == *"runtime error"* ]]; then
      bad "$name: $cmd: sanitizer report: $err"
    else
      ok
    fi
  done
  # compare reads the folder the same way, beside the valid one: the same first line ("compare: "
  # after the prefix where it refuses the folder), exit 2 when the folder cannot be read or
  # nothing readable is left to share with the valid one (said on the last line), else 4.
  err=$("$bin" compare --out "$tmp/compare-$name" "$tmp/good" "$dir" 2>&1 >/dev/null </dev/null)
  rc=$?
  first=$(printf '%s\n' "$err" | head -n 1)
  if [[ $want_rc == 1 && $rc != 2 ]] || [[ $want_rc == 4 && $rc != 4 &&
    ! ($rc == 2 && $(printf '%s\n' "$err" | tail -n 1) == *"share no figure"*) ]]; then
    bad "$name: compare exit $rc (for a folder report exits $want_rc on): $err"
  elif [[ $first != "$want" && $first != "${want/tvpbench: /tvpbench: compare: }" ]]; then
    bad "$name: compare: first line on stderr:"$'\n'"  got  $first"$'\n'"  want $want"
  elif [[ $err == *Sanitizer* || $err == *"runtime error"* ]]; then
    bad "$name: compare: sanitizer report: $err"
  else
    ok
  fi
}

make_good "$tmp/good"
err=$("$bin" report "$tmp/good" 2>&1 >/dev/null)
rc=$?
if [[ $rc == 0 && -z $err ]]; then ok; else bad "the valid folder: exit $rc: $err"; fi
check "the valid folder gets run.json" test -s "$tmp/good/run.json"

mkdir "$tmp/no-meta"
expect no-meta 1 "tvpbench: DIR: not a results folder (reading DIR/meta.json): No such file or directory"

make_good "$tmp/binary-meta"
printf '\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe' >"$tmp/binary-meta/meta.json"
expect binary-meta 1 "tvpbench: DIR/meta.json: not valid JSON: line 1, column 0: unable to decode byte 0x89"

make_good "$tmp/truncated-meta"
head -c 60 "$tmp/good/meta.json" >"$tmp/truncated-meta/meta.json"
expect truncated-meta 1 "tvpbench: DIR/meta.json: not valid JSON: line 4, column 10: unexpected token near end of file"

make_good "$tmp/schema-99"
meta "$tmp/schema-99" 99
expect schema-99 1 "tvpbench: DIR/meta.json: unknown tvpbench_schema version 99; this tvpbench reads version 1 (the folder is from a later tvpbench: read it with that one)"

make_good "$tmp/schema-string"
meta "$tmp/schema-string" '"1"'
expect schema-string 1 "tvpbench: DIR/meta.json: unknown tvpbench_schema version a string; this tvpbench reads version 1"

make_good "$tmp/no-host"
sed -i 's/"host_name": "fixture", //' "$tmp/no-host/meta.json"
expect no-host 1 "tvpbench: DIR/meta.json: no \"machine.host_name\" (every tvpbench run writes it)"

make_good "$tmp/timer-null"
sed -i 's/"cost_ns": 20.5/"cost_ns": null/' "$tmp/timer-null/meta.json"
expect timer-null 1 "tvpbench: DIR/meta.json: \"timer.cost_ns\" is null, not a cost in ns"

make_good "$tmp/array-meta"
echo '[1, 2]' >"$tmp/array-meta/meta.json"
expect array-meta 1 "tvpbench: DIR/meta.json: the document is an array, not an object"

make_good "$tmp/truncated-csv"
head -c $(($(wc -c <"$tmp/good/spawn.csv") - 30)) "$tmp/good/spawn.csv" >"$tmp/truncated-csv/spawn.csv"
expect truncated-csv 4 "tvpbench: DIR/spawn.csv: line 3: 14 fields, the header has 20; group spawn skipped"

make_good "$tmp/open-quote"
head -c $(($(head -n 2 "$tmp/good/spawn.csv" | wc -c) - 12)) "$tmp/good/spawn.csv" >"$tmp/open-quote/spawn.csv"
expect open-quote 4 "tvpbench: DIR/spawn.csv: line 2: a quoted field is not closed at the end of the file (truncated?); group spawn skipped"

for bad_median in nan inf -inf NaN 1e999 12abc; do
  make_good "$tmp/median-$bad_median"
  sed -i "3s/,50000,49000,/,$bad_median,49000,/" "$tmp/median-$bad_median/spawn.csv"
  expect "median-$bad_median" 4 "tvpbench: DIR/spawn.csv: line 3: median '$bad_median' is not a finite number; figure skipped"
done

for bad_n in 1e20 -5 3.5 99999999999999999999; do
  make_good "$tmp/n-$bad_n"
  sed -i "2s/,ns,3,/,ns,$bad_n,/" "$tmp/n-$bad_n/spawn.csv"
  expect "n-$bad_n" 4 "tvpbench: DIR/spawn.csv: line 2: n '$bad_n' is not a whole number 0..100000000; figure skipped"
done

make_good "$tmp/no-samples"
rm "$tmp/no-samples/spawn.samples.csv"
expect no-samples 4 "tvpbench: DIR/spawn.samples.csv: reading: No such file or directory; the figures of group spawn are read without their samples"

make_good "$tmp/no-csv"
rm "$tmp/no-csv/spawn.csv"
expect no-csv 4 "tvpbench: DIR/spawn.csv: No such file or directory, though meta.json lists group spawn as written; group spawn skipped"

make_good "$tmp/bad-sample"
sed -i '4s/,1010$/,inf/' "$tmp/bad-sample/spawn.samples.csv"
expect bad-sample 4 "tvpbench: DIR/spawn.samples.csv: line 4: value 'inf' is not a finite number; figure spawn/start/thread/thread/same-pu/start-to-joined skipped"

make_good "$tmp/few-samples"
sed -i '2d' "$tmp/few-samples/spawn.samples.csv"
expect few-samples 4 "tvpbench: DIR/spawn.samples.csv: 2 samples of figure spawn/start/thread/thread/same-pu/start-to-joined, its row in spawn.csv says n = 3, status ok; figure skipped"

make_good "$tmp/binary-csv"
head -c 300 /dev/zero >"$tmp/binary-csv/spawn.csv"
expect binary-csv 4 "tvpbench: DIR/spawn.csv: line 1: a NUL byte: not a CSV text file; group spawn skipped"

make_good "$tmp/unknown-status"
sed -i '2s/,ok,/,finished,/' "$tmp/unknown-status/spawn.csv"
expect unknown-status 4 "tvpbench: DIR/spawn.csv: line 2: unknown status 'finished' (accepted: ok, failed, timeout, crashed, interrupted); figure skipped"

# What was left out is said once more at the end, and the rest of the folder is still written.
err=$("$bin" report "$tmp/median-nan" 2>&1 >/dev/null)
if [[ $err == *"report.md, report.html and run.json written without 1 unreadable part of the folder (named above)"* ]]; then ok
else bad "median-nan: no closing summary: $err"; fi
check "median-nan: the report is written" test -s "$tmp/median-nan/report.md"
check "median-nan: the report says what it left out" grep -q "Unreadable parts" "$tmp/median-nan/report.md"
check "median-nan: the other figure is still in run.json" grep -q '"spawn/start/thread/thread/same-pu/start-to-joined"' "$tmp/median-nan/run.json"
if grep -q 'fork/process' "$tmp/median-nan/run.json"; then bad "median-nan: the refused figure is in run.json"; else ok; fi

check_done
