#!/usr/bin/env bash
# node-shapes.sh -- the request-shape sweep: every shape of tests/node/shapes/ over a grid of sizes
# (parameters, headers, cookies, long headers and paths, JSON depth, multipart parts, body sizes,
# chunk sizes, pipelining; tests/node/shapes.py GRID), with and without its attack, against the
# release edgenode in block mode under each oversize policy. Prints how many were answered right.
set -euo pipefail
cd "$(dirname "$0")/.."
NODE=build/edgenode
SECONDS_PER_POLICY=${BENCH_SWEEP_SECONDS:-300}
TMP=$(mktemp -d /tmp/node-shapes.XXXXXX)
PID=
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
[ -x "$NODE" ] || { echo "node-shapes: $NODE missing (make)"; exit 0; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["sweep_seconds"] = float(sys.argv[2]); json.dump(d, open(sys.argv[3], "w"))' \
  tests/node/shapes-limits.json "$SECONDS_PER_POLICY" "$TMP/limits.json"

echo "== node request shapes: the sweep against the release node, default limits, block mode (at most ${SECONDS_PER_POLICY}s per policy)"
rc=0
for policy in analyse_partial block; do
  P=$(port)
  printf 'listen: 127.0.0.1:%s\nmode: block\noversize: %s\n' "$P" "$policy" >"$TMP/node.yaml"
  "$NODE" --config "$TMP/node.yaml" >"$TMP/node.log" 2>&1 & PID=$!
  wait_port "$P" || { echo "node-shapes: the node did not start"; cat "$TMP/node.log"; exit 1; }
  start=$(date +%s)
  python3 tests/node/shapes.py sweep "$P" "$TMP/limits.json" "$policy" tests/node/shapes/*.json | sed 's/^/  /' || rc=1
  echo "  ($(( $(date +%s) - start ))s)"
  kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=
done
exit $rc
