#!/usr/bin/env bash
# node-throughput.sh -- edgenode's throughput and latency with wrk: block mode, full shipped rules,
# 1 KB JSON POSTs (benign, then 1 in 10 attacks) against nginx `return 200` and the ModSecurity
# harness, each at 1, 16 and 64 connections, with p50, p99 and p99.9.
# The harness, when present, is an executable bench/detection/modsec-server PORT THREADS that serves
# HTTP on 127.0.0.1:PORT and answers 200 or 403 after ModSecurity + CRS have seen the request.
# Servers run on the first half of the cores (BENCH_CORES), wrk on the rest, so that the client
# does not steal the server's time; on one core they share it.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/bench.sh
DUR=${BENCH_DURATION:-10}; CONN_LIST=${BENCH_CONNECTIONS:-1 16 64}
NODE=build/edgenode
command -v wrk >/dev/null || { echo "node-throughput: wrk missing (scripts/deps.sh)"; exit 0; }
[ -x "$NODE" ] || { echo "node-throughput: $NODE missing (make)"; exit 0; }
bench_tmp node-bench
bench_pin

# run NAME URL CONNS [ATTACK_EVERY]: prints a line and sets RES to "rps p50_ms p99_ms p999_ms"
run() {
  local out rps p50 p99 p999 non2xx
  out=$(ATTACK_EVERY=${4:-0} bench_wrk "$3" "$2" bench/node/post.lua)
  RES=$(bench_wrk_summary "$out")
  read -r rps p50 p99 p999 <<<"$RES"
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '  %-34s %3s conns %9.0f req/s   p50 %7s ms  p99 %7s ms  p99.9 %7s ms %s\n' "$1" "$3" "$rps" "$p50" "$p99" "$p999" \
    "${non2xx:+($non2xx non-2xx)}"
}

echo "== node throughput and latency: wrk, ${DUR}s per run, 1 KB JSON POSTs; $PLACEMENT"

# nginx `return 200`, our own instance on a free port
declare -A nginx_res benign_res ms_res
NP=$(bench_port)
if bench_nginx "$TMP/nginx" "$NP" "  client_max_body_size 1m;
  server { listen 127.0.0.1:$NP; location / { return 200; } }"; then
  for c in $CONN_LIST; do run "nginx return 200" "http://127.0.0.1:$NP" "$c"; nginx_res[$c]=$RES; done
else
  echo "  nginx: not installed or did not start, not measured"
fi

# edgenode, block mode, the shipped rules
EP=$(bench_port)
printf 'listen: 127.0.0.1:%s\nmode: block\nthreads: %s\nrules: %s/node/rules.yaml\n' "$EP" "$CORES" "$PWD" >"$TMP/node.yaml"
"${SRV[@]}" "$NODE" --config "$TMP/node.yaml" 2>"$TMP/node.log" &
PIDS+=($!)
bench_wait_port "$EP" || { echo "edgenode did not start"; cat "$TMP/node.log"; exit 1; }
for c in $CONN_LIST; do run "edgenode block, benign" "http://127.0.0.1:$EP" "$c"; benign_res[$c]=$RES; done
last=${CONN_LIST##* }
run "edgenode block, 1 in 10 attacks" "http://127.0.0.1:$EP" "$last" 10; mix_res=$RES

# ModSecurity harness, when the detection bench provides one
if [ -x bench/detection/modsec-server ]; then
  MP=$(bench_port)
  "${SRV[@]}" bench/detection/modsec-server "$MP" "$CORES" >"$TMP/modsec.log" 2>&1 &
  PIDS+=($!)
  if bench_wait_port "$MP" 1200; then                      # it may compile itself on first use
    for c in $CONN_LIST; do run "modsecurity + CRS PL1, benign" "http://127.0.0.1:$MP" "$c"; ms_res[$c]=$RES; done
  fi
fi

echo "  ratios, edgenode block with the full rules against the peers under the same pinning:"
for c in $CONN_LIST; do
  read -r n_rps n50 n99 n999 <<<"${nginx_res[$c]:-0 0 0 0}"; read -r b_rps b50 b99 b999 <<<"${benign_res[$c]:-0 0 0 0}"
  printf '    %3s conns: req/s %s of nginx (goal >= 0.70); p50 %s x nginx (goal <= 2); p99 %s x nginx (goal <= 1); p99.9 %s x nginx' \
    "$c" "$(bench_ratio "$b_rps" "$n_rps")" "$(bench_ratio "$b50" "$n50")" "$(bench_ratio "$b99" "$n99")" "$(bench_ratio "$b999" "$n999")"
  if [ -n "${ms_res[$c]:-}" ]; then
    read -r s_rps _ _ _ <<<"${ms_res[$c]}"
    printf '; %s x ModSecurity + CRS (goal >= 20)' "$(bench_ratio "$b_rps" "$s_rps")"
  fi
  echo
done
read -r m_rps m50 m99 m999 <<<"$mix_res"; read -r n_rps _ _ _ <<<"${nginx_res[$last]:-0 0 0 0}"
echo "    1 in 10 attacks, $last conns: req/s $(bench_ratio "$m_rps" "$n_rps") of nginx; p50 $m50 ms, p99 $m99 ms, p99.9 $m999 ms"
[ -x bench/detection/modsec-server ] || echo "    modsecurity: not measured (no bench/detection/modsec-server)"
echo "    load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers the rates)"
