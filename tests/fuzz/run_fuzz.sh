#!/usr/bin/env bash
# A bounded libFuzzer run of the readers (fuzz_readers.c) from the seed corpus committed beside
# this script (valid and damaged CSV, meta.json and folders). Exit 0 when the run found nothing;
# a crash, leak or sanitizer report fails the test and leaves the input in the named file. Skipped
# (77) where CMake found no clang with libFuzzer (then the first argument is empty).
set -u
fuzzer=$1 seeds=$2 seconds=${3:-20}
if [[ -z $fuzzer || ! -x $fuzzer ]]; then
  echo "SKIP: no clang with libFuzzer (-fsanitize=fuzzer) was found when configuring; apt-get install clang, then re-run cmake"
  exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-fuzz-run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
# libFuzzer adds what it finds to the first corpus folder: a copy, not the committed seeds.
cp -r "$seeds" "$tmp/corpus"
keep=${TVP_FUZZ_ARTIFACTS:-$PWD}
# stderr of the target closed: the readers name every refused row there, by design.
TMPDIR=$tmp "$fuzzer" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -close_fd_mask=2 \
  -artifact_prefix="$keep/fuzz-" -print_final_stats=1 "$tmp/corpus" >"$tmp/log" 2>&1
rc=$?
grep -E '^(Done|stat::number_of_executed_units|stat::new_units_added|INFO: seed corpus)' "$tmp/log"
if ((rc != 0)); then
  tail -n 40 "$tmp/log"
  echo "FAIL: fuzz_readers exit $rc; the input is in $keep/fuzz-*"
  exit 1
fi
echo "fuzz_readers: nothing found in ${seconds} s"
