# suite.sh -- the one helper library of the shell suites: counted results in one format, ending in the
# runner's summary line "N passed, N failed, N skipped". Source it, call the checks, end with suite_end.
# shellcheck shell=bash
#
#   ok NAME                      a passed check
#   bad NAME [DETAIL]            a failed check; DETAIL is a file (its first 40 lines are shown) or text
#   skip NAME REASON             a check that cannot run here, with why (never counted as passed)
#   check NAME CMD...            passes when CMD exits 0; otherwise shows CMD's output
#   refuse NAME CMD...           passes when CMD exits non-zero (a refusal the test wants)
#   same NAME EXPECTED ACTUAL    passes when the two strings are equal
#   contains NAME NEEDLE TEXT    passes when TEXT holds NEEDLE
#   has NAME FILE TEXT           passes when FILE holds TEXT literally
#   exits NAME STATUS CMD...     passes when CMD exits with STATUS; its stdout is kept in the file
#                                $SUITE_OUT, its stderr in $SUITE_ERR, for the checks that follow
#   tally NAME LOG               adds the summary line of a sub-runner's LOG (its result lines shown);
#                                a LOG without one is a failure
#   free_port                    prints a TCP port that is free on 127.0.0.1 now
#   suite_end                    prints the summary line and exits 0 only when nothing failed
#
# Output: "ok - NAME", "not ok - NAME" with its detail indented by four spaces, "skip - NAME: REASON".
SUITE_PASS=0; SUITE_FAIL=0; SUITE_SKIP=0
SUITE_LOG=$(mktemp /tmp/suite-log.XXXXXX)
SUITE_OUT=$SUITE_LOG.out; SUITE_ERR=$SUITE_LOG.err
SUITE_CLEANUP=()                 # commands suite_end runs (and an EXIT trap runs) before it reports

ok()   { SUITE_PASS=$((SUITE_PASS + 1)); echo "ok - $1"; }
bad() {
  SUITE_FAIL=$((SUITE_FAIL + 1)); echo "not ok - $1"
  if [ -n "${2:-}" ]; then
    if [ -f "$2" ]; then head -n 40 -- "$2"; else printf '%s\n' "$2" | head -n 40; fi | sed 's/^/    /'
  fi
  return 0
}
skip() { SUITE_SKIP=$((SUITE_SKIP + 1)); echo "skip - $1: $2"; }
check() {
  local name=$1; shift
  if "$@" >"$SUITE_LOG" 2>&1; then ok "$name"; else bad "$name" "$SUITE_LOG"; fi
}
refuse() {
  local name=$1; shift
  if "$@" >"$SUITE_LOG" 2>&1; then bad "$name (accepted)" "$SUITE_LOG"; else ok "$name"; fi
}
same() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected [$2], got [${3:0:600}]"; fi; }
contains() { case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "no [$2] in [${3:0:600}]" ;; esac; }
has() {
  if grep -qF -- "$3" "$2" 2>/dev/null; then ok "$1"; else bad "$1" "no [$3] in $2: $(head -c 600 "$2" 2>/dev/null)"; fi
}

exits() {
  local name=$1 want=$2; shift 2
  "$@" >"$SUITE_OUT" 2>"$SUITE_ERR"; local rc=$?
  if [ "$rc" -eq "$want" ]; then ok "$name"; return 0; fi
  bad "$name" "$(echo "exit $rc, expected $want"; head -c 1500 "$SUITE_OUT"; head -c 1500 "$SUITE_ERR")"; return 1
}
tally() {
  local p f k
  grep -E '^(ok|not ok|skip) - ' "$2"
  read -r p f k < <(sed -n 's/^\([A-Za-z_-]*: \)\{0,1\}\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\{0,1\}$/\2 \3 \5/p' "$2" | tail -n 1)
  if [ -z "${p:-}" ]; then bad "$1 printed no summary" "$2"; return 0; fi
  SUITE_PASS=$((SUITE_PASS + p)); SUITE_FAIL=$((SUITE_FAIL + f)); SUITE_SKIP=$((SUITE_SKIP + ${k:-0}))
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

suite_end() {
  local c
  for c in "${SUITE_CLEANUP[@]}"; do eval "$c"; done
  SUITE_CLEANUP=()
  rm -f "$SUITE_LOG" "$SUITE_OUT" "$SUITE_ERR"
  echo "$SUITE_PASS passed, $SUITE_FAIL failed, $SUITE_SKIP skipped"
  [ "$SUITE_FAIL" -eq 0 ] && [ $((SUITE_PASS + SUITE_SKIP)) -gt 0 ]
  exit
}

# suite_abort REASON: the suite cannot run at all (a missing tool or build); one failure, then the summary.
suite_abort() { bad "$1" "${2:-}"; suite_end; }
