#!/usr/bin/env bash
# tvpbench: the one entry point. It checks for (and, as root, installs) what the suite needs,
# configures and builds with CMake into build/, runs the benchmark binary, draws the charts with
# gnuplot and writes the report. Everything that measures lives in C (bench/, primitives/);
# this script only orchestrates.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD="$ROOT/build"

usage() {
  cat <<'USAGE'
usage: ./run.sh COMMAND [options]

commands:
  all                 run every benchmark group, draw the charts, write the report
  GROUP...            run only these groups (see ./run.sh list), e.g. ./run.sh spawn
  list [GROUP...]     list the groups and their benchmarks
  list --cases [options] [GROUP...]
                      every case a run with these options would execute (default: all groups),
                      one per line by the name --only matches, with an estimated time each, its
                      floor of samples and its time cap, and the total; nothing is run (the
                      model: tvpbench help)
  test                build and run the tests (plus ASan+UBSan and TSan builds of them)
  plot RESULTS_DIR    redraw the charts and the report from a results folder alone
  compare [--out DIR] DIR_A DIR_B [DIR_C ...]
                      runs side by side (A the baseline): ratios with CIs, Mann-Whitney U
                      tests, the verdicts that differ; compare.md and compare.html in DIR
                      (default: results/compare-<UTC time>)
  placements          show the core pairs planned for this machine
  help [GROUP]        this text, or GROUP's benchmarks
  --version           the version

options (for all and GROUP...):
  --quick                  short run: a looser CI target, shorter batches and caps, smaller sweeps
  --out DIR                run folder (default: results/<host>-<UTC time>; results/latest points at it)
  --counters LIST          perf/libpfm4 event names, comma-separated
                           (default: cycles,instructions,cache-misses,branch-misses,
                            task-clock,context-switches,cpu-migrations,page-faults)
  --no-counters            do not open performance counters
  --ci-target PERCENT      sample each case until the 95% CI of every time figure's median is
                           within this share of the median (p99 tails and CPU times excepted),
                           0.1..100 (default 3; quick 10)
  --min-samples N          samples every figure takes whatever its CI, 2..1000 (default 9; quick 6)
  --max-time SECONDS       time cap on a case's sampling once it has its floor, 0.01..600
                           (default 1; quick 0.1); a case costly by design has a multiple of it
  --repetitions N          exactly N samples per figure instead, 2..1000 (turns the target off)
  --min-time SECONDS       minimum duration of one sample (a calibrated batch), 0.0005..10
                           (default 0.005; quick 0.001)
  --placement NAME[,NAME]  same-pu, smt-siblings, same-cache, cross-cache, cross-numa, spread
                           (default: every one the machine has)
  --timeout SECONDS        watchdog per benchmark case, 1..3600 (default 120; quick 40)
  --switch-interval SECONDS  the emulated GIL's switch interval, 0.0001..1 (default 0.005, as
                           CPython's sys.getswitchinterval()); the python group uses it too
  --only REGEX             run only the cases whose name matches REGEX, a POSIX extended
                           regular expression over group/benchmark/variant/model/placement
                           [/param=N], as the progress lines and list --cases print it; plain
                           text matches where it occurs (python/pingpong/Pipe), and
                           '^spawn/start/(fork|vfork)/' picks exactly
  --python PATH            the interpreter the python group measures (default: python3 on
                           PATH; when there is none, that group is reported not measured)
  --dry-run                print the plan: the machine planned for, every case by name with
                           its estimated time, and the total; nothing is run, no folder made
  --topology FILE.xml|synthetic:DESC
                           plan for another machine (with --dry-run or list --cases only): an
                           hwloc XML file as lstopo writes it, or an hwloc synthetic description,
                           e.g. synthetic:"pack:2 numa:2 l3:4 core:8 pu:2"

Missing system packages are installed with apt-get when run as root; otherwise the command to
install them is printed.
USAGE
}

die_usage() { echo "tvpbench: $*" >&2; exit 2; }
say() { echo "tvpbench: $*" >&2; }

known_groups() { sed -n 's/^TVP_GROUP(\([a-z0-9_]*\)).*/\1/p' "$ROOT/bench/groups.h"; }

# ---- argument checking: everything is refused before anything is installed, built or run ----
is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$|^[.][0-9]+$ ]]; }
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v + 0 >= lo && v + 0 <= hi) }'; }

RUN_ARGS=()
GROUPS_WANTED=()
OUT_DIR=""
DRY_RUN=0
TOPOLOGY=""
check_run_args() {
  local placements="same-pu smt-siblings same-cache cross-cache cross-numa spread"
  while (($#)); do
    local arg=$1 name value
    shift
    case $arg in
      --quick | --no-counters) RUN_ARGS+=("$arg") ;;
      --dry-run) RUN_ARGS+=("$arg") DRY_RUN=1 ;;
      --out | --counters | --repetitions | --min-time | --placement | --timeout | --switch-interval | \
        --python | --only | --topology | --ci-target | --min-samples | --max-time | --out=* | \
        --counters=* | --repetitions=* | --min-time=* | --placement=* | --timeout=* | \
        --switch-interval=* | --python=* | --only=* | --topology=* | --ci-target=* | \
        --min-samples=* | --max-time=*)
        if [[ $arg == *=* ]]; then name=${arg%%=*} value=${arg#*=}
        else
          name=$arg
          (($#)) || die_usage "$name needs a value; see ./run.sh help"
          value=$1
          shift
        fi
        [[ -n $value ]] || die_usage "$name needs a value; see ./run.sh help"
        case $name in
          --repetitions)
            [[ $value =~ ^[0-9]+$ ]] && in_range "$value" 2 1000 ||
              die_usage "--repetitions: '$value' is not valid; accepted: a whole number 2..1000" ;;
          --min-samples)
            [[ $value =~ ^[0-9]+$ ]] && in_range "$value" 2 1000 ||
              die_usage "--min-samples: '$value' is not valid; accepted: a whole number 2..1000" ;;
          --ci-target)
            is_number "$value" && in_range "$value" 0.1 100 ||
              die_usage "--ci-target: '$value' is not valid; accepted: a percentage 0.1..100" ;;
          --max-time)
            is_number "$value" && in_range "$value" 0.01 600 ||
              die_usage "--max-time: '$value' is not valid; accepted: a number of seconds 0.01..600" ;;
          --min-time)
            is_number "$value" && in_range "$value" 0.0005 10 ||
              die_usage "--min-time: '$value' is not valid; accepted: a number of seconds 0.0005..10" ;;
          --timeout)
            is_number "$value" && in_range "$value" 1 3600 ||
              die_usage "--timeout: '$value' is not valid; accepted: a number of seconds 1..3600" ;;
          --switch-interval)
            is_number "$value" && in_range "$value" 0.0001 1 ||
              die_usage "--switch-interval: '$value' is not valid; accepted: a number of seconds 0.0001..1" ;;
          --placement)
            local p list
            IFS=, read -ra list <<<"$value"
            ((${#list[@]})) || die_usage "--placement: empty list; accepted: ${placements// /, }"
            for p in "${list[@]}"; do
              [[ " $placements " == *" $p "* ]] ||
                die_usage "--placement: unknown placement '$p'; accepted: ${placements// /, }"
            done ;;
          --counters)
            [[ $value != *,,* && $value != ,* && $value != *, ]] ||
              die_usage "--counters: empty event name in '$value'; accepted: comma-separated event names" ;;
          --only)
            # Bash's =~ compiles with regcomp(REG_EXTENDED), as the binary does; 2: invalid.
            local valid
            [[ "" =~ $value ]]
            valid=$?
            ((valid != 2)) ||
              die_usage "--only: '$value' is not a valid regular expression (POSIX extended)" ;;
          --topology) TOPOLOGY=$value ;;
          --out)
            # gnuplot receives paths inside single quotes.
            [[ $value != *"'"* ]] || die_usage "--out: a folder name with a single quote is not supported"
            OUT_DIR=$value ;;
        esac
        RUN_ARGS+=("$name" "$value") ;;
      -h | --help) usage; exit 0 ;;
      -*) die_usage "unknown option '$arg'; accepted: --quick --out --counters --no-counters --ci-target --min-samples --max-time --repetitions --min-time --placement --timeout --switch-interval --python --only --dry-run --topology" ;;
      *)
        if [[ $arg == all ]] || known_groups | grep -qx -- "$arg"; then GROUPS_WANTED+=("$arg")
        else die_usage "unknown group or command '$arg'; accepted: all, $(known_groups | paste -sd, - | sed 's/,/, /g'), list, test, plot, compare, placements, help"
        fi ;;
    esac
  done
}

# ---- system packages ----
# Each entry: the package, and a check that says whether what it provides is present.
# Prints the packages of the given entries whose check fails, space-separated.
missing_packages() {
  local missing=() entry pkg check
  for entry in "$@"; do
    pkg=${entry%%:*} check=${entry#*:}
    eval "$check" >/dev/null 2>&1 || missing+=("$pkg")
  done
  echo "${missing[*]}"
}
need_packages() {
  local missing
  read -ra missing <<<"$(missing_packages "$@")"
  ((${#missing[@]})) || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # A fresh name made with O_EXCL (mktemp): a fixed name in a shared folder would let anyone
    # plant a symbolic link there and have this root run overwrite its target.
    local log
    log=$(mktemp "${TMPDIR:-/tmp}/tvpbench-apt.XXXXXX") || { say "cannot create a log file for apt-get"; exit 1; }
    if ! { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      say "apt-get could not install: ${missing[*]} (log above)"
      rm -f "$log"
      exit 1
    fi
    rm -f "$log"
  else
    say "missing packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}"
    exit 1
  fi
}

# Like need_packages, for what a run can do without: installed as root, otherwise named and the
# run goes on (the group that needs it says `not measured` and why).
want_packages() {
  local missing
  read -ra missing <<<"$(missing_packages "$@")"
  ((${#missing[@]})) || return 0
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    need_packages "$@"
  else
    say "optional packages missing: ${missing[*]} (what needs them is reported not measured);" \
      "install them with: sudo apt-get install ${missing[*]}"
  fi
}

BUILD_PKGS=(
  "cmake:command -v cmake"
  "gcc:command -v gcc"
  "make:command -v make"
  "libc6-dev:test -e /usr/include/stdio.h"
  "pkg-config:command -v pkg-config"
  "libhwloc-dev:pkg-config --exists hwloc"
  "libjansson-dev:pkg-config --exists jansson"
  "libpfm4-dev:test -e /usr/include/perfmon/pfmlib_perf_event.h"
)
PLOT_PKGS=("gnuplot-nox:command -v gnuplot")
# The python group measures CPython's own threading/queue/multiprocessing (standard library only).
# Optional for a run: without it that group is reported not measured; required for the tests.
PYTHON_PKGS=("python3:command -v python3")
# jq validates the JSON in the end-to-end test, pgrep (procps) checks that no process is left;
# hwloc gives lstopo for looking at the machine.
TEST_PKGS=("jq:command -v jq" "procps:command -v pgrep" "hwloc:command -v lstopo-no-graphics"
  "${PYTHON_PKGS[@]}")
# Optional for the tests: the report test renders report.html in headless Chromium, and is
# skipped without it.
BROWSER_PKGS=("chromium:command -v chromium")
# Optional for the tests: compare.py (Google Benchmark's, with numpy and scipy) reads run.json in
# its test, and clang's libFuzzer fuzzes the results readers; each test is skipped without them.
ECOSYSTEM_PKGS=("libbenchmark-tools:test -e /usr/share/benchmark/compare.py"
  "python3-scipy:/usr/bin/python3 -c 'import numpy, scipy'" "clang:command -v clang"
  "libclang-rt-dev:compgen -G '/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a'")

# What build() builds: the benchmark binary and the helpers it runs, unless the tests need all.
BUILD_TARGET=tvpbench
build() { # build DIR [cmake args...]
  local dir=$1
  shift
  mkdir -p "$dir" || exit 1
  local log="$dir/build.log"
  if ! { cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" && cmake --build "$dir" -j "$(nproc)" --target "$BUILD_TARGET"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    say "build failed in $dir (full log: $log)"
    exit 1
  fi
  rm -f "$log"
}

# Returns 0; 4 when parts of the folder could not be read (tvpbench named each, and the charts and
# report were made without them); 1 when nothing could be made.
draw_charts() { # draw_charts RUN_DIR
  local dir=$1 dat name gp rc=0 seen failed=0 pids=()
  seen=$("$BUILD/tvpbench" chart-data "$dir" 2>&1 >/dev/null) || rc=$?
  [[ -z $seen ]] || printf '%s\n' "$seen" >&2
  ((rc == 0 || rc == 4)) || return 1
  for dat in "$dir"/charts/*.dat; do
    [[ -e $dat ]] || continue
    name=$(basename "$dat" .dat)
    gp="$ROOT/plots/$name.gp"
    # Every group's counters panel has one script.
    [[ $name == counters-* ]] && gp="$ROOT/plots/counters.gp"
    [[ -f $gp ]] || { say "no gnuplot script for $name (plots/$name.gp)"; continue; }
    # A partial run (--only, a group's missing counterpart) can leave a chart without one figure;
    # one that says what was not measured is drawn to say so.
    if ! grep -q '^# not measured: ' "$dat" && ! awk '!/^#/ { for (i = 2; i <= NF; i++) if ($i != "NaN" && $i ~ /^-?[0-9.]/) found = 1 }
              END { exit !found }' "$dat"; then
      say "no figure for chart $name in this run: not drawn"
      rm -f "$dat"
      continue
    fi
    # One gnuplot per chart and terminal, as many at once as there are PUs.
    local term
    for term in png svg; do
      if ((${#pids[@]} >= $(nproc))); then
        wait "${pids[0]}" || failed=1
        pids=("${pids[@]:1}")
      fi
      { gnuplot -e "datafile='$dat'; outfile='$dir/charts/$name.$term'; termtype='$term'" \
        "$ROOT/plots/style.gp" "$gp" || { say "gnuplot failed on $gp ($term)"; exit 1; }; } &
      pids+=($!)
    done
  done
  local pid
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || return 1
  # The report reads the same folder: what chart-data named already is not repeated.
  local err
  rc=0
  err=$({ "$BUILD/tvpbench" report "$dir" 2>&1 >&3 3>&-; } 3>&1) || rc=$?
  printf '%s\n' "$err" | grep -vxF -e "" -f <(printf '%s\n' "$seen") >&2
  ((rc == 0 || rc == 4)) || return 1
  return "$rc"
}

cmd_run() {
  check_run_args "$@"
  # Options alone (./run.sh --quick) would run everything: a full run is asked for by name.
  ((${#GROUPS_WANTED[@]})) ||
    die_usage "$* needs a command: ./run.sh all $*, or ./run.sh GROUP... $* (groups: $(known_groups | paste -sd, - | sed 's/,/, /g')), or ./run.sh list --cases $*"
  # The plan alone: built, printed by the binary, nothing run and no folder made.
  if ((DRY_RUN)); then
    [[ -z $OUT_DIR ]] || die_usage "--dry-run: --out does not apply (nothing is run)"
    need_packages "${BUILD_PKGS[@]}"
    build "$BUILD"
    exec "$BUILD/tvpbench" run "${RUN_ARGS[@]}" "${GROUPS_WANTED[@]}"
  fi
  # Refused before the build, as the binary would refuse it after.
  [[ -z $TOPOLOGY ]] ||
    die_usage "--topology $TOPOLOGY: a run measures this machine only; use --dry-run (or list --cases) to see the plan for another"
  need_packages "${BUILD_PKGS[@]}" "${PLOT_PKGS[@]}"
  want_packages "${PYTHON_PKGS[@]}"
  build "$BUILD"
  local default_out=0
  if [[ -z $OUT_DIR ]]; then
    default_out=1
    mkdir -p "$ROOT/results"
    OUT_DIR="$ROOT/results/$(uname -n)-$(date -u +%Y%m%dT%H%M%SZ)"
    RUN_ARGS+=(--out "$OUT_DIR")
  fi
  local rc=0
  "$BUILD/tvpbench" run "${RUN_ARGS[@]}" "${GROUPS_WANTED[@]}" || rc=$?
  if ((rc > 128)); then
    say "interrupted by signal $((rc - 128)): the finished cases are kept in $OUT_DIR (marked incomplete)"
    exit "$rc"
  fi
  # 3: the run completed and wrote everything, but some cases failed; draw and report them too.
  ((rc == 0 || rc == 3)) || exit "$rc"
  ((default_out)) && ln -sfn "$(basename "$OUT_DIR")" "$ROOT/results/latest"
  local drawn=0
  draw_charts "$OUT_DIR" || drawn=$?
  ((drawn == 0)) || exit "$drawn"
  say "report: $OUT_DIR/report.md and report.html"
  if ((rc == 3)); then
    say "some benchmark cases did not finish ok (status and note columns; exit status 3)"
    exit 3
  fi
}

cmd_test() {
  (($# == 0)) || die_usage "test takes no arguments"
  need_packages "${BUILD_PKGS[@]}" "${PLOT_PKGS[@]}" "${TEST_PKGS[@]}"
  want_packages "${BROWSER_PKGS[@]}" "${ECOSYSTEM_PKGS[@]}"
  local status=0
  say "building and testing (Release, -Werror) in build/"
  BUILD_TARGET=all
  build "$BUILD"
  (cd "$BUILD" && ctest --output-on-failure) || status=1
  say "ASan+UBSan build of the unit tests in build-asan/"
  build "$ROOT/build-asan" -DTVP_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo
  (cd "$ROOT/build-asan" && ctest --output-on-failure -L 'unit|cli') || status=1
  say "TSan build of the threaded tests in build-tsan/"
  build "$ROOT/build-tsan" -DTVP_SANITIZE=thread -DCMAKE_BUILD_TYPE=RelWithDebInfo
  (cd "$ROOT/build-tsan" && TSAN_OPTIONS="halt_on_error=1" ctest --output-on-failure -L threaded) || status=1
  return $status
}

cmd_plot() {
  (($# == 1)) || die_usage "plot takes one results folder, e.g. ./run.sh plot results/latest"
  [[ -f $1/meta.json ]] || die_usage "plot: '$1' is not a results folder (no meta.json)"
  [[ $1 != *"'"* ]] || die_usage "plot: a folder name with a single quote is not supported"
  need_packages "${BUILD_PKGS[@]}" "${PLOT_PKGS[@]}"
  build "$BUILD"
  draw_charts "$1"
}
# plot's exit status: 0, 4 when parts of the folder could not be read (named, and left out of the
# charts and report), 1 when the folder could not be read at all.

cmd_compare() {
  local args=() out=""
  while (($#)); do
    case $1 in
      --out)
        (($# >= 2)) && [[ -n $2 ]] || die_usage "compare: --out needs a folder"
        out=$2
        shift 2 ;;
      --out=*) out=${1#--out=}; [[ -n $out ]] || die_usage "compare: --out needs a folder"; shift ;;
      -h | --help) usage; exit 0 ;;
      -*) die_usage "compare: unknown option '$1'; accepted: --out DIR" ;;
      *)
        [[ -f $1/meta.json ]] || die_usage "compare: '$1' is not a results folder (no meta.json)"
        args+=("$1")
        shift ;;
    esac
  done
  ((${#args[@]} >= 2)) || die_usage "compare takes two or more results folders, e.g. ./run.sh compare results/A results/B"
  if [[ -z $out ]]; then
    mkdir -p "$ROOT/results" || exit 1
    out="$ROOT/results/compare-$(date -u +%Y%m%dT%H%M%SZ)"
  fi
  need_packages "${BUILD_PKGS[@]}"
  build "$BUILD"
  "$BUILD/tvpbench" compare --out "$out" "${args[@]}"
}

main() {
  (($#)) || { usage >&2; exit 2; }
  local cmd=$1
  case $cmd in
    help | -h | --help)
      (($# <= 2)) || die_usage "help takes at most one group, e.g. ./run.sh help spawn"
      if (($# == 1)); then usage; exit 0; fi
      known_groups | grep -qx -- "$2" ||
        die_usage "help: unknown group '$2'; groups: $(known_groups | paste -sd, - | sed 's/,/, /g')"
      need_packages "${BUILD_PKGS[@]}"
      build "$BUILD"
      "$BUILD/tvpbench" help "$2" ;;
    --version)
      (($# == 1)) || die_usage "--version takes no arguments"
      need_packages "${BUILD_PKGS[@]}"
      build "$BUILD"
      "$BUILD/tvpbench" --version ;;
    list)
      shift
      local cases=0 arg
      for arg in "$@"; do [[ $arg == --cases ]] && cases=1; done
      if ((cases)); then
        local rest=()
        for arg in "$@"; do [[ $arg == --cases ]] || rest+=("$arg"); done
        check_run_args "${rest[@]}"
        [[ -z $OUT_DIR ]] || die_usage "list --cases: --out does not apply (nothing is run)"
      else
        for arg in "$@"; do
          [[ $arg != -* ]] || die_usage "list: '$arg' is an option of a run; accepted here: GROUP names, or --cases [run options] [GROUP...]"
        done
        check_run_args "$@"
      fi
      need_packages "${BUILD_PKGS[@]}"
      build "$BUILD"
      if ((cases)); then "$BUILD/tvpbench" list --cases "${RUN_ARGS[@]}" "${GROUPS_WANTED[@]}"
      else "$BUILD/tvpbench" list "${GROUPS_WANTED[@]}"
      fi ;;
    placements)
      (($# == 1)) || die_usage "$cmd takes no arguments"
      need_packages "${BUILD_PKGS[@]}"
      build "$BUILD"
      "$BUILD/tvpbench" "$cmd" ;;
    test) shift; cmd_test "$@" ;;
    plot) shift; cmd_plot "$@" ;;
    compare) shift; cmd_compare "$@" ;;
    *) cmd_run "$@" ;;
  esac
}

# Sourced (by tests/run_sh_apt_log.sh), it only defines its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
