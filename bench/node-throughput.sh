#!/usr/bin/env bash
# node-throughput.sh -- edgenode's throughput and latency with wrk: block mode, full shipped rules,
# 1 KB JSON POSTs (benign, then 1 in 10 attacks, then a body of 40 short values) against nginx `return 200` and the ModSecurity
# harness, each at 1, 16 and 64 connections, with p50, p99 and p99.9; then each distribution (mean,
# p50, p90, p99, p99.9) both as wrk reports it and per request, checked against Little's law.
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

# run NAME URL CONNS [ATTACK_EVERY] [BODY_SHAPE]: prints a line and sets RES to "rps p50_ms p99_ms p999_ms" (wrk's
# figures), DIST to "mean_ms p50_ms p90_ms p99_ms p999_ms" of wrk's corrected distribution and RAW to
# the same of the per-request one (post.lua's done() hook says how they differ)
run() {
  local out rps p50 p99 p999 non2xx
  out=$(ATTACK_EVERY=${4:-0} BODY_SHAPE=${5:-prose} BENCH_CONNS=$3 bench_wrk "$3" "$2" bench/node/post.lua)
  RES=$(bench_wrk_summary "$out")
  DIST=$(echo "$out" | awk '$1 == "dist_us" {printf "%.3f %.3f %.3f %.3f %.3f", $2/1000, $3/1000, $4/1000, $5/1000, $6/1000}')
  RAW=$(echo "$out" | awk '$1 == "raw_us" {printf "%.3f %.3f %.3f %.3f %.3f", $2/1000, $3/1000, $4/1000, $5/1000, $6/1000}')
  # the undone correction must give back one sample per request, or the per-request figures are not shown
  if [ "$(echo "$out" | awk '$1 == "raw_us" {print $7}')" != "$(echo "$out" | awk '/ requests in / {print $1}')" ]; then
    RAW=""; echo "  ($1, $3 conns: wrk's histogram could not be turned back into per-request figures)"
  fi
  read -r rps p50 p99 p999 <<<"$RES"
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '  %-34s %3s conns %9.0f req/s   p50 %7s ms  p99 %7s ms  p99.9 %7s ms %s\n' "$1" "$3" "$rps" "$p50" "$p99" "$p999" \
    "${non2xx:+($non2xx non-2xx)}"
}

echo "== node throughput and latency: wrk, ${DUR}s per run, 1 KB JSON POSTs; $PLACEMENT"

# nginx `return 200`, our own instance on a free port
declare -A nginx_res benign_res ms_res nginx_dist benign_dist ms_dist nginx_raw benign_raw ms_raw
NP=$(bench_port)
if bench_nginx "$TMP/nginx" "$NP" "  client_max_body_size 1m;
  server { listen 127.0.0.1:$NP; location / { return 200; } }"; then
  for c in $CONN_LIST; do run "nginx return 200" "http://127.0.0.1:$NP" "$c"; nginx_res[$c]=$RES; nginx_dist[$c]=$DIST; nginx_raw[$c]=$RAW; done
else
  echo "  nginx: not installed or did not start, not measured"
fi

# edgenode, block mode, the shipped rules
EP=$(bench_port)
printf 'listen: 127.0.0.1:%s\nmode: block\nthreads: %s\nrules: %s/node/rules.yaml\n' "$EP" "$CORES" "$PWD" >"$TMP/node.yaml"
"${SRV[@]}" "$NODE" --config "$TMP/node.yaml" 2>"$TMP/node.log" &
PIDS+=($!)
bench_wait_port "$EP" || { echo "edgenode did not start"; cat "$TMP/node.log"; exit 1; }
NODE_PID=$!
# context switches of the node's threads over a run (the answer never leaves the event loop's thread)
ctxsw() { cat /proc/"$NODE_PID"/task/*/status 2>/dev/null | awk '/^voluntary_ctxt/ {v += $2} /^nonvoluntary_ctxt/ {n += $2} END {print v + 0, n + 0}'; }
declare -A benign_cs
for c in $CONN_LIST; do
  read -r v0 n0 <<<"$(ctxsw)"
  run "edgenode block, benign" "http://127.0.0.1:$EP" "$c"; benign_res[$c]=$RES; benign_dist[$c]=$DIST; benign_raw[$c]=$RAW
  read -r v1 n1 <<<"$(ctxsw)"
  benign_cs[$c]="$((v1 - v0)) $((n1 - n0))"
done
last=${CONN_LIST##* }
run "edgenode block, 1 in 10 attacks" "http://127.0.0.1:$EP" "$last" 10; mix_res=$RES
run "edgenode block, 40-value body" "http://127.0.0.1:$EP" "$last" 0 fields; fields_res=$RES

# ModSecurity harness, when the detection bench provides one
if [ -x bench/detection/modsec-server ]; then
  MP=$(bench_port)
  "${SRV[@]}" bench/detection/modsec-server "$MP" "$CORES" >"$TMP/modsec.log" 2>&1 &
  PIDS+=($!)
  if bench_wait_port "$MP" 1200; then                      # it may compile itself on first use
    for c in $CONN_LIST; do run "modsecurity + CRS PL1, benign" "http://127.0.0.1:$MP" "$c"; ms_res[$c]=$RES; ms_dist[$c]=$DIST; ms_raw[$c]=$RAW; done
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
  [ -z "${benign_cs[$c]:-}" ] || { read -r v n <<<"${benign_cs[$c]}"
    echo "               edgenode's context switches over the warm-up and run: $v voluntary, $n involuntary"; }
done
# wrk keeps CONNS requests outstanding (a closed loop), so by Little's law the mean time a request
# takes is at most CONNS / throughput (the rest is the client's own time between an answer and the
# next request). wrk's percentiles above are corrected for coordinated omission, each server against
# its own mean cycle (see bench/node/post.lua): a stall adds made-up samples in proportion to the
# stall over that cycle, so the faster peer's figures gain more of them. Both are printed; "per
# request" is what each request took.
echo "  latency distribution (ms): wrk's corrected one, then per request, with the Little's-law check:"
dist_line() {  # PEER CONNS KIND "rps ..." "mean p50 p90 p99 p999"
  local rps mean p50 p90 p99 p999
  read -r rps _ _ _ <<<"$4"; read -r mean p50 p90 p99 p999 <<<"$5"
  [ -n "$mean" ] || return 0
  printf '    %-22s %3s conns %-11s mean %8s  p50 %8s  p90 %8s  p99 %8s  p99.9 %8s  p50/mean %s' \
    "$1" "$2" "$3" "$mean" "$p50" "$p90" "$p99" "$p999" "$(bench_ratio "$p50" "$mean")"
  [ "$3" = "per request" ] && printf '  CONNS/(req/s) %s (mean %s of it)' \
    "$(awk -v c="$2" -v r="$rps" 'BEGIN { if (r > 0) printf "%.3f", c / r * 1000; else print "n/a" }')" \
    "$(awk -v c="$2" -v r="$rps" -v m="$mean" 'BEGIN { if (r > 0) printf "%.2f", m / (c / r * 1000); else print "n/a" }')"
  echo
}
ratio_line() {  # CONNS KIND "nginx dist" "edgenode dist"
  local nm n50 n90 n99 n999 bm b50 b90 b99 b999
  [ -n "$3" ] && [ -n "$4" ] || return 0
  read -r nm n50 n90 n99 n999 <<<"$3"; read -r bm b50 b90 b99 b999 <<<"$4"
  printf '    %-22s %3s conns %-11s mean %s, p50 %s (goal <= 2), p90 %s, p99 %s (goal <= 1), p99.9 %s\n' \
    "edgenode / nginx" "$1" "$2" "$(bench_ratio "$bm" "$nm")" "$(bench_ratio "$b50" "$n50")" \
    "$(bench_ratio "$b90" "$n90")" "$(bench_ratio "$b99" "$n99")" "$(bench_ratio "$b999" "$n999")"
}
for c in $CONN_LIST; do
  for kind in "wrk" "per request"; do
    if [ "$kind" = wrk ]; then n=${nginx_dist[$c]:-}; b=${benign_dist[$c]:-}; m=${ms_dist[$c]:-}
    else n=${nginx_raw[$c]:-}; b=${benign_raw[$c]:-}; m=${ms_raw[$c]:-}; fi
    dist_line "nginx return 200" "$c" "$kind" "${nginx_res[$c]:-}" "$n"
    dist_line "edgenode block, benign" "$c" "$kind" "${benign_res[$c]:-}" "$b"
    [ -z "${ms_res[$c]:-}" ] || dist_line "modsecurity + CRS PL1" "$c" "$kind" "${ms_res[$c]}" "$m"
    ratio_line "$c" "$kind" "$n" "$b"
  done
  if [ -n "${nginx_res[$c]:-}" ] && [ -n "${benign_res[$c]:-}" ]; then
    read -r n_rps _ _ _ <<<"${nginx_res[$c]}"; read -r b_rps _ _ _ <<<"${benign_res[$c]}"
    echo "    $c conns: Little's law alone puts edgenode's mean at $(bench_ratio "$n_rps" "$b_rps") x nginx's (1 / the req/s ratio)"
  fi
done

read -r m_rps m50 m99 m999 <<<"$mix_res"; read -r n_rps _ _ _ <<<"${nginx_res[$last]:-0 0 0 0}"
echo "    1 in 10 attacks, $last conns: req/s $(bench_ratio "$m_rps" "$n_rps") of nginx; p50 $m50 ms, p99 $m99 ms, p99.9 $m999 ms"
read -r f_rps f50 f99 f999 <<<"$fields_res"
echo "    40-value body (no attack), $last conns: req/s $(bench_ratio "$f_rps" "$n_rps") of nginx; p50 $f50 ms, p99 $f99 ms, p99.9 $f999 ms"
[ -x bench/detection/modsec-server ] || echo "    modsecurity: not measured (no bench/detection/modsec-server)"
echo "    load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lowers the rates)"
