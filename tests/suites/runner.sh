#!/usr/bin/env bash
# runner.sh -- the test runner itself: sums passes, failures and skips across suites run in parallel,
# counts a crash or a missing summary as a failure, and the spec suite skips without the spec (fails in CI).
set -u
cd "$(dirname "$0")/../.."
. tests/lib/suite.sh
W=$(mktemp -d /tmp/runner-suite.XXXXXX); SUITE_CLEANUP+=("rm -rf '$W'")

mk() { printf '#!/usr/bin/env bash\n%s\n' "$2" >"$W/$1"; chmod +x "$W/$1"; }
mk pass.sh   'echo "ok - a"; echo "3 passed, 0 failed"'
mk skip.sh   'echo "skip - b: no corpus"; echo "0 passed, 0 failed, 2 skipped"'
mk mixed.sh  'echo "words: 4 passed, 0 failed, 1 skipped"'
mk cmocka.sh 'echo "[  PASSED  ] 5 test(s)."'
mk fail.sh   'echo "1 passed, 2 failed"; exit 1'
mk crash.sh  'echo "2 passed, 0 failed"; kill -SEGV $$'
mk silent.sh 'exit 0'

run() { TEST_LOGS=$W/logs JOBS=$1 tests/run-suites.sh "${@:2}" >"$W/out" 2>&1; echo $?; }
same "passing and skipping suites: exit 0" 0 "$(run 2 "$W/pass.sh" "$W/skip.sh" "$W/mixed.sh" "$W/cmocka.sh")"
same "their sum, skips apart from passes" "tests: 12 passed, 0 failed, 3 skipped" "$(tail -n 1 "$W/out")"
has "a skipping suite shows its reason" "$W/out" "skip - b: no corpus"
same "a failing suite: exit 1" 1 "$(run 3 "$W/pass.sh" "$W/fail.sh")"
same "its failures are counted" "tests: 4 passed, 2 failed, 0 skipped" "$(tail -n 1 "$W/out")"
same "a crash after a clean summary fails" 1 "$(run 1 "$W/crash.sh")"
has "the crash is counted as a failure" "$W/out" "tests: 2 passed, 1 failed, 0 skipped"
same "a suite that prints no summary fails" 1 "$(run 1 "$W/silent.sh")"
has "and says so in its log" "$W/logs/$(echo "$W/silent.sh" | tr / _).log" "(suite printed no summary)"
# Parallel: four suites that each sleep 1 s finish in well under 4 s with JOBS=4; asserted as overlap, not time.
mk slow.sh 'date +%s%N >>"'"$W"'/starts"; sleep 1; date +%s%N >>"'"$W"'/ends"; echo "1 passed, 0 failed"'
run 4 "$W/slow.sh" "$W/slow.sh" "$W/slow.sh" "$W/slow.sh" >/dev/null
first_end=$(sort -n "$W/ends" | head -1); last_start=$(sort -n "$W/starts" | tail -1)
same "JOBS=4 runs four suites at once (all start before any ends)" yes "$([ "$last_start" -lt "$first_end" ] && echo yes || echo no)"

# The spec suite: absent spec is a skip on a clone, a failure under CI.
spec=build/tests/gen_spec
if [ -x "$spec" ]; then
  mkdir -p "$W/empty"
  MUSTACHE_SPEC_DIR=$W/empty CI= "$spec" >"$W/spec.out" 2>&1; rc=$?
  same "spec absent, not CI: exit 0" 0 "$rc"
  has "spec absent, not CI: reported as skipped with where to put it" "$W/spec.out" "skip - mustache spec: no $W/empty/comments.json"
  MUSTACHE_SPEC_DIR=$W/empty CI= TEST_LOGS=$W/l2 tests/run-suites.sh "$spec" >"$W/run.out" 2>&1
  same "spec absent, not CI: the runner counts it as skipped" "tests: 0 passed, 0 failed, 1 skipped" "$(tail -n 1 "$W/run.out")"
  MUSTACHE_SPEC_DIR=$W/empty CI=true "$spec" >"$W/spec.out" 2>&1; rc=$?
  same "spec absent under CI=true: exit 1" 1 "$rc"
  has "spec absent under CI=true: a failure" "$W/spec.out" "spec: 0 passed, 1 failed, 0 skipped"
  if [ -d ../shared/spec/mustache ] || [ -n "${MUSTACHE_SPEC_DIR:-}" ]; then
    "$spec" >"$W/spec.out" 2>&1
    has "spec present: all 194 cases run" "$W/spec.out" "spec total: 194 tests, 194 passed, 0 failed"
  else
    skip "spec present: all 194 cases run" "no ../shared/spec/mustache here"
  fi
else
  bad "$spec is missing (make test-build builds it)"
fi
suite_end
