#!/usr/bin/env bash
# run.sh's package install as root writes apt-get's log into $TMPDIR. A fixed name there let
# anyone plant a symbolic link and have a root run overwrite the link's target. Here a link is
# planted under every name the old code used, apt-get and id are stand-ins (so nothing is
# installed and the root path runs for any user), and the test checks the victim is untouched,
# the failure is reported with apt-get's output, and nothing is left in TMPDIR.
#   run_sh_apt_log.sh RUN_SH
set -uo pipefail
runsh=$1
here=$(cd "$(dirname "$0")" && pwd)
source "$here/check_lib.sh"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tvp-aptlog-test.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/tmp" "$scratch/bin"
printf 'precious\n' >"$scratch/victim"
ln -s "$scratch/victim" "$scratch/tmp/tvpbench-apt.log"
cat >"$scratch/bin/apt-get" <<'STUB'
#!/bin/sh
echo "stand-in apt-get $*: E: Unable to locate package tvp-no-such-package"
exit 100
STUB
printf '#!/bin/sh\necho 0\n' >"$scratch/bin/id"
chmod +x "$scratch/bin/apt-get" "$scratch/bin/id"

out=$(TMPDIR="$scratch/tmp" PATH="$scratch/bin:$PATH" bash -c '
  source "$1" || exit 99
  need_packages "tvp-no-such-package:false"' _ "$runsh" 2>&1)
rc=$?
check "need_packages fails when apt-get fails (status $rc)" test "$rc" = 1
check "the failure names the package" grep -q "apt-get could not install: tvp-no-such-package" <<<"$out"
check "apt-get's own output is shown" grep -q "Unable to locate package" <<<"$out"
check "the planted link's target is untouched" test "$(cat "$scratch/victim")" = precious
check "the planted link is still a link to it" test -L "$scratch/tmp/tvpbench-apt.log"
check "no log left in TMPDIR" test "$(ls -A "$scratch/tmp")" = tvpbench-apt.log

# Negative control: the old fixed-name redirection, run the same way, does write through the
# link, so the check above can see the fault it guards against.
printf 'precious\n' >"$scratch/victim"
(echo overwritten >"$scratch/tmp/tvpbench-apt.log") 2>/dev/null
check "control: a fixed name writes through the planted link" test "$(cat "$scratch/victim")" = overwritten

check_done
