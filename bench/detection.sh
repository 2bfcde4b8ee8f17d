#!/usr/bin/env bash
# detection.sh -- detection quality on the gotestwaf corpus: edgenode's rules against ModSecurity
# v3 + OWASP CRS at paranoia level 1, same requests, same run. Not a test: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${GOTESTWAF_CORPUS:-../shared/gotestwaf-testcases}
out=build/bench
mkdir -p "$out"
[ -d "$corpus" ] || { echo "detection: no corpus at $corpus (set GOTESTWAF_CORPUS)"; exit 0; }

. bench/lib/detect-replay.sh
detect_replay_build "$out/detect-replay"

crs=()
if [ -f /etc/modsecurity/crs/crs-setup.conf ]; then crs=(--crs bench/detection/crs-pl1.conf); fi
echo "== detection: gotestwaf corpus, edgenode node/rules.yaml vs ModSecurity $(pkg-config --modversion modsecurity 2>/dev/null || echo v3) + CRS PL1"
"$out/detect-replay" --corpus "$corpus" --rules node/rules.yaml "${crs[@]}" "$@"
