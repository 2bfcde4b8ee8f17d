#!/usr/bin/env bash
# fuzz-short.sh -- every libFuzzer target for a few seconds from its seed corpus (FUZZ_SECONDS, default 8).
# A crash, leak, timeout or sanitizer report fails the target; `make fuzz` runs them longer.
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-8}
make -s fuzz-build >/dev/null 2>build/fuzz-build.log || { cat build/fuzz-build.log; echo "0 passed, 1 failed"; exit 1; }
. tests/lib/suite.sh
for f in build/fuzz/*; do
  [ -x "$f" ] && [ -f "$f" ] || continue
  n=$(basename "$f")
  work=$(mktemp -d)
  seeds=tests/fuzz/corpus/$n; [ -d "$seeds" ] || seeds=
  if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" $work $seeds >"$work/log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$work/log" | tail -1)
    ok "$n ($runs in ${secs}s)"
  else
    bad "$n" "$(tail -n 36 "$work/log"; ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | sed 's/^/artifact: /')"
  fi
  rm -rf "$work"
done
suite_end
