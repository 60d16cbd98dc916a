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
check_done() {
  echo "$passed passed, $failed failed"
  ((failed == 0))
}
