#!/usr/bin/env bash
# run-suites.sh -- run every test suite given as an executable path, sum their cases.
# A suite ends with cmocka's "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" or a plain "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
logs=build/test-logs; mkdir -p "$logs"
total_pass=0; total_fail=0; bad_suites=()
for suite in "$@"; do
  name=$(echo "$suite" | tr '/' '_')
  log="$logs/$name.log"
  start=$(date +%s)
  timeout --foreground 1200 "$suite" >"$log" 2>&1; rc=$?
  secs=$(( $(date +%s) - start ))
  p=0; f=0
  # cmocka group summaries
  while read -r n; do p=$((p + n)); done < <(sed -n 's/^\[  PASSED  \] \([0-9]\+\) test.*/\1/p' "$log")
  while read -r n; do f=$((f + n)); done < <(sed -n 's/^\[  FAILED  \] \([0-9]\+\) test.*/\1/p' "$log")
  # plain summaries
  while read -r a b; do p=$((p + a)); f=$((f + b)); done < <(sed -n 's/^\([A-Za-z_-]*: \)\{0,1\}\([0-9]\+\) passed, \([0-9]\+\) failed.*/\2 \3/p' "$log")
  if [ $rc -ne 0 ] && [ $f -eq 0 ]; then f=1; fi          # a crash or bad exit counts as a failure
  if [ $((p + f)) -eq 0 ]; then f=1; echo "  (suite printed no summary)" >>"$log"; fi
  total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
  if [ $rc -ne 0 ] || [ $f -ne 0 ]; then
    bad_suites+=("$suite")
    printf 'FAIL %-40s %4d passed %3d failed (%ds, exit %d)\n' "$suite" $p $f $secs $rc
    echo "---- last lines of $log"; tail -n 60 "$log"; echo "----"
  else
    printf 'ok   %-40s %4d passed (%ds)\n' "$suite" $p $secs
  fi
done
echo
[ ${#bad_suites[@]} -eq 0 ] || echo "failed suites: ${bad_suites[*]}"
echo "tests: $total_pass passed, $total_fail failed"
[ $total_fail -eq 0 ]
