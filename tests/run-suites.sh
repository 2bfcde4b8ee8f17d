#!/usr/bin/env bash
# run-suites.sh -- run test suites (executable paths) in parallel, up to JOBS at once, and sum their cases.
# A suite ends with cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" or a plain
# "N passed, N failed[, N skipped]" (tests/lib/suite.sh prints it). Prints "tests: N passed, N failed, N skipped".
#
# JOBS (default: the number of cores) suites run at once, the longest of the last run first, so that a
# long suite does not start last. Each suite's output goes to build/test-logs/NAME.log; a failed suite's
# last lines are shown. A suite that exits non-zero, or prints no summary, counts as failed. A suite may
# report only skips (a corpus that is not on this machine): that is not a failure, and is never a pass.
set -u
cd "$(dirname "$0")/.."
logs=${TEST_LOGS:-build/test-logs}; mkdir -p "$logs"
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1
limit=${SUITE_TIMEOUT:-1200}
# Under `make -j` the jobserver's descriptors are not passed to suites; cargo and make inside them would
# warn that it is gone (and a warning fails the Flex build), so suites start without make's settings.
unset MAKEFLAGS MFLAGS MAKELEVEL

logname() { echo "$1" | tr '/' '_'; }

# Longest first, by the durations the last run recorded; on a fresh checkout, script suites (the long
# ones) before unit-test programs.
order=()
while read -r _ s; do order+=("$s"); done < <(
  for s in "$@"; do
    case $s in *.sh) d=100000 ;; *) d=1 ;; esac
    t=$(cat "$logs/$(logname "$s").secs" 2>/dev/null || echo "$d")
    echo "$t $s"
  done | sort -s -k1,1nr)

# run_one SUITE: runs it with a time limit, writes NAME.log and NAME.rc ("rc seconds").
run_one() {
  local suite=$1 name start rc
  name=$(logname "$suite")
  start=$(date +%s)
  timeout --foreground "$limit" "$suite" >"$logs/$name.log" 2>&1; rc=$?
  echo "$rc $(( $(date +%s) - start ))" >"$logs/$name.rc"
}

# counts LOG: "passed failed skipped" read from every summary the suite printed.
counts() {
  local p=0 f=0 s=0 a b c
  while read -r a; do p=$((p + a)); done < <(sed -n 's/^\[  PASSED  \] \([0-9]\+\) test.*/\1/p' "$1")
  while read -r a; do f=$((f + a)); done < <(sed -n 's/^\[  FAILED  \] \([0-9]\+\) test.*/\1/p' "$1")
  while read -r a b c; do p=$((p + a)); f=$((f + b)); s=$((s + ${c:-0})); done < <(
    sed -n 's/^\([A-Za-z_-]*: \)\{0,1\}\([0-9]\+\) passed, \([0-9]\+\) failed\(, \([0-9]\+\) skipped\)\{0,1\}.*/\2 \3 \5/p' "$1")
  echo "$p $f $s"
}

total_pass=0; total_fail=0; total_skip=0; bad_suites=()
report() {
  local suite=$1 name rc secs p f s log
  name=$(logname "$suite"); log="$logs/$name.log"
  read -r rc secs <"$logs/$name.rc"
  read -r p f s < <(counts "$log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi             # a crash or bad exit counts as a failure
  if [ $((p + f + s)) -eq 0 ]; then f=1; echo "  (suite printed no summary)" >>"$log"; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f)); total_skip=$((total_skip + s))
  [ "$rc" -eq 0 ] && [ "$f" -eq 0 ] && echo "$secs" >"$logs/$name.secs"
  if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
    bad_suites+=("$suite")
    printf 'FAIL %-44s %5d passed %3d failed (%ds, exit %d)\n' "$suite" "$p" "$f" "$secs" "$rc"
    echo "---- last lines of $log"; tail -n 60 "$log"; echo "----"
  elif [ "$s" -gt 0 ]; then
    printf 'ok   %-44s %5d passed %3d skipped (%ds)\n' "$suite" "$p" "$s" "$secs"
    grep -m 3 '^skip - ' "$log" | sed 's/^/       /'
  else
    printf 'ok   %-44s %5d passed (%ds)\n' "$suite" "$p" "$secs"
  fi
}

declare -A running=()             # pid -> suite
for suite in "${order[@]}"; do
  while [ "${#running[@]}" -ge "$jobs" ]; do
    wait -n 2>/dev/null
    for pid in "${!running[@]}"; do
      kill -0 "$pid" 2>/dev/null && continue
      wait "$pid" 2>/dev/null; report "${running[$pid]}"; unset "running[$pid]"
    done
  done
  rm -f "$logs/$(logname "$suite").rc"
  run_one "$suite" &
  running[$!]=$suite
done
for pid in "${!running[@]}"; do wait "$pid" 2>/dev/null; report "${running[$pid]}"; done

echo
[ ${#bad_suites[@]} -eq 0 ] || echo "failed suites: ${bad_suites[*]}"
echo "tests: $total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail -eq 0 ]
