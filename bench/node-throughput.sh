#!/usr/bin/env bash
# node-throughput.sh -- edgenode's throughput with wrk: block mode, full shipped rules, 1 KB JSON
# POSTs (benign, then 1 in 10 attacks) against nginx `return 200` and the ModSecurity harness.
# The harness, when present, is an executable bench/detection/modsec-server PORT THREADS that serves
# HTTP on 127.0.0.1:PORT and answers 200 or 403 after ModSecurity + CRS have seen the request.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${BENCH_DURATION:-10}; CONNS=${BENCH_CONNECTIONS:-64}; CORES=${BENCH_CORES:-2}
NODE=build/edgenode
TMP=$(mktemp -d /tmp/node-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$TMP"; }
trap cleanup EXIT
command -v wrk >/dev/null || { echo "node-throughput: wrk missing (scripts/deps.sh)"; exit 0; }
[ -x "$NODE" ] || { echo "node-throughput: $NODE missing (make)"; exit 0; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 "${2:-100}"); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
# Pin servers to the first CORES cores when there are more (wrk gets the rest); else share.
ncpu=$(nproc)
if [ "$ncpu" -gt "$CORES" ]; then
  SRV=(taskset -c "0-$((CORES - 1))"); CLI=(taskset -c "$CORES-$((ncpu - 1))")
  placement="servers on cores 0-$((CORES - 1)), wrk on the other $((ncpu - CORES))"
else
  SRV=(); CLI=(); placement="servers and wrk share all $ncpu cores"
fi

# run NAME URL [ATTACK_EVERY]: prints a line and sets RES to "rps p50_ms p99_ms"
run() {
  local out rps p50 p99
  "${CLI[@]}" wrk -t2 -c1 -d1s -s bench/node/post.lua "$2" >/dev/null 2>&1 || true   # warm-up
  out=$(ATTACK_EVERY=${3:-0} "${CLI[@]}" wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s bench/node/post.lua "$2")
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '  %-34s %10.0f req/s   p50 %-9s p99 %-9s %s\n' "$1" "$rps" "$p50" "$p99" "${non2xx:+($non2xx non-2xx)}"
  RES="$rps $(ms "$p50") $(ms "$p99")"
}
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

echo "== node throughput: wrk, $CONNS connections, ${DUR}s per run, 1 KB JSON POSTs; $placement"

# nginx `return 200`, our own instance on a free port
NP=$(port)
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<NGINX
worker_processes $CORES;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx;
  client_max_body_size 1m;
  server { listen 127.0.0.1:$NP; location / { return 200; } }
}
NGINX
nginx_res="0 0 0"
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then
  "${SRV[@]}" "$(command -v nginx || echo /usr/sbin/nginx)" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" &
  PIDS+=($!)
  wait_port "$NP" && run "nginx return 200" "http://127.0.0.1:$NP" && nginx_res=$RES
else
  echo "  nginx: not installed, not measured"
fi

# edgenode, block mode, the shipped rules
EP=$(port)
printf 'listen: 127.0.0.1:%s\nmode: block\nthreads: %s\nrules: %s/node/rules.yaml\n' "$EP" "$CORES" "$PWD" >"$TMP/node.yaml"
"${SRV[@]}" "$NODE" --config "$TMP/node.yaml" 2>"$TMP/node.log" &
PIDS+=($!)
wait_port "$EP" || { echo "edgenode did not start"; cat "$TMP/node.log"; exit 1; }
run "edgenode block, benign" "http://127.0.0.1:$EP"; benign_res=$RES
run "edgenode block, 1 in 10 attacks" "http://127.0.0.1:$EP" 10; mix_res=$RES

# ModSecurity harness, when the detection bench provides one
ms_res=""
if [ -x bench/detection/modsec-server ]; then
  MP=$(port)
  "${SRV[@]}" bench/detection/modsec-server "$MP" "$CORES" >"$TMP/modsec.log" 2>&1 &
  PIDS+=($!)
  if wait_port "$MP" 1200; then                      # it may compile itself on first use
    run "modsecurity + CRS PL1, benign" "http://127.0.0.1:$MP"; ms_res=$RES
  fi
fi

read -r n_rps _ _ <<<"$nginx_res"; read -r b_rps b50 b99 <<<"$benign_res"; read -r m_rps m50 m99 <<<"$mix_res"
echo "  edgenode benign / nginx:  $(ratio "$b_rps" "$n_rps") of nginx's req/s (goal >= 0.50); p50 ${b50} ms, p99 ${b99} ms (goal p99 < 2 ms)"
echo "  edgenode mix / nginx:     $(ratio "$m_rps" "$n_rps") of nginx's req/s; p50 ${m50} ms, p99 ${m99} ms"
if [ -n "$ms_res" ]; then
  read -r s_rps _ _ <<<"$ms_res"
  echo "  edgenode benign / modsecurity: $(ratio "$b_rps" "$s_rps") x (goal >= 20)"
else
  echo "  modsecurity: not measured"
fi
