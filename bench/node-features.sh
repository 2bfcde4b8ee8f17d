#!/usr/bin/env bash
# node-features.sh -- what the response-side features cost: edgenode's throughput with API discovery,
# brute-force counters and passive vulnerability rules on (in-process store, then a shared
# redis-server), against the same node with them off and against nginx `return 200`, in the same run
# (wrk, 1 KB JSON POSTs, bench/node/post.lua); and one Redis round trip as redis-benchmark sees it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/bench.sh
DUR=${BENCH_DURATION:-10}; CONNS=${BENCH_CONNECTIONS_FEATURES:-16}
NODE=build/edgenode
command -v wrk >/dev/null || { echo "node-features: wrk missing (scripts/deps.sh)"; exit 0; }
[ -x "$NODE" ] || { echo "node-features: $NODE missing (make)"; exit 0; }
bench_tmp node-features
bench_pin

# run NAME URL: prints a line and sets RES to "rps p50_ms p99_ms p999_ms"
run() {
  local out rps p50 p99 p999
  out=$(bench_wrk "$CONNS" "$2" bench/node/post.lua)
  RES=$(bench_wrk_summary "$out")
  read -r rps p50 p99 p999 <<<"$RES"
  printf '  %-44s %3s conns %9.0f req/s   p50 %7s ms  p99 %7s ms  p99.9 %7s ms\n' "$1" "$CONNS" "$rps" "$p50" "$p99" "$p999"
}

# node NAME EXTRA-YAML: starts the release node with the shipped rules in block mode, runs, stops it
node_run() {
  local p; p=$(bench_port)
  printf 'listen: 127.0.0.1:%s\nmode: block\nthreads: %s\nrules: %s/node/rules.yaml\n%s\n' "$p" "$CORES" "$PWD" "$2" >"$TMP/node.yaml"
  "${SRV[@]}" "$NODE" --config "$TMP/node.yaml" 2>"$TMP/node.log" &
  local pid=$!
  bench_wait_port "$p" || { echo "edgenode did not start"; cat "$TMP/node.log"; exit 1; }
  run "$1" "http://127.0.0.1:$p"
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
}

echo "== node features: wrk, ${DUR}s per run, 1 KB JSON POSTs, $CONNS connections; $PLACEMENT"
declare -A R
NP=$(bench_port)
if bench_nginx "$TMP/nginx" "$NP" "  client_max_body_size 1m;
  server { listen 127.0.0.1:$NP; location / { return 200; } }"; then
  run "nginx return 200" "http://127.0.0.1:$NP"; R[nginx]=$RES
else
  echo "  nginx: not installed or did not start, not measured"
fi

OFF='discovery: {enabled: false}
vulnerability_rules: off'
ON='brute_force: [{path: /login, limit: 5}]
forced_browsing: [{path: /, limit: 50}]'
node_run "edgenode, features off" "$OFF"; R[off]=$RES
node_run "edgenode, discovery + counters + vulns (local)" "$ON"; R[local]=$RES

RP=$(bench_port)
if command -v redis-server >/dev/null; then
  redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no >"$TMP/redis.log" 2>&1 &
  PIDS+=($!)
  bench_wait_port "$RP"
  node_run "edgenode, the same with Redis shared" "$ON
shared_store: {redis: redis://127.0.0.1:$RP/0}"; R[redis]=$RES
  rtt=$(redis-benchmark -p "$RP" -c 1 -n 20000 -t get -q 2>/dev/null | awk '/GET/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { printf "%.1f", 1e6 / $i; exit } }')
  echo "  redis-benchmark GET, 1 connection: ${rtt:-?} us per round trip"
else
  echo "  redis-server: not installed, shared store not measured"
fi

echo "  ratios (req/s), same run, same pinning:"
read -r off _ _ _ <<<"${R[off]}"; read -r loc _ _ _ <<<"${R[local]}"; read -r ngx _ _ _ <<<"${R[nginx]:-0 0 0 0}"
echo "    features on (local) / off: $(bench_ratio "$loc" "$off"); features off / nginx: $(bench_ratio "$off" "$ngx"); features on (local) / nginx: $(bench_ratio "$loc" "$ngx")"
if [ -n "${R[redis]:-}" ]; then
  read -r red _ _ _ <<<"${R[redis]}"
  echo "    features on (Redis) / off: $(bench_ratio "$red" "$off"); features on (Redis) / nginx: $(bench_ratio "$red" "$ngx")"
fi
echo "    load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers the rates)"
