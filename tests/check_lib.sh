# Sourced by the shell tests: count checks, name each failure on stderr, and end with
# "N passed, M failed" and a status that ctest reads.
passed=0 failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok; else bad "$what"; fi
}
# A refusal as the suite makes them: exit status 2 and exactly one line on stderr.
expect_refusal() { # expect_refusal DESCRIPTION COMMAND...
  local what=$1
  shift
  local err rc lines
  err=$("$@" 2>&1 >/dev/null </dev/null)
  rc=$?
  lines=$(printf '%s\n' "$err" | grep -c .)
  if [[ $rc == 2 && $lines == 1 ]]; then ok; else bad "$what: exit $rc, $lines line(s): $err"; fi
}
check_done() {
  echo "$passed passed, $failed failed"
  ((failed == 0))
}
