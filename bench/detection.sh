#!/usr/bin/env bash
# detection.sh -- detection quality on the gotestwaf corpus: edgenode's rules against ModSecurity
# v3 + OWASP CRS at paranoia level 1, same requests, same run. Not a test: it prints figures.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${GOTESTWAF_CORPUS:-../shared/gotestwaf-testcases}
out=build/bench
mkdir -p "$out"
[ -d "$corpus" ] || { echo "detection: no corpus at $corpus (set GOTESTWAF_CORPUS)"; exit 0; }

pkgs="libcjson yaml-0.1 libpcre2-8 libsodium"
# shellcheck disable=SC2046
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g -Wall -Wextra -Werror -Icommon -Inode \
   $(pkg-config --cflags $pkgs) -o "$out/detect-replay" \
   bench/detection/replay.c node/detect.c node/decode.c node/pathnorm.c node/shellcmd.c node/phpcode.c node/exprlang.c node/sqltok.c common/yamldoc.c $(pkg-config --libs $pkgs) -lmodsecurity

crs=()
if [ -f /etc/modsecurity/crs/crs-setup.conf ]; then crs=(--crs bench/detection/crs-pl1.conf); fi
echo "== detection: gotestwaf corpus, edgenode node/rules.yaml vs ModSecurity $(pkg-config --modversion modsecurity 2>/dev/null || echo v3) + CRS PL1"
"$out/detect-replay" --corpus "$corpus" --rules node/rules.yaml "${crs[@]}" "$@"
