#!/usr/bin/env bash
# serve.sh -- bundlegen serve's download rate with wrk over loopback: one cached bundle, uncached
# bundles (a distinct endpoint per request), and nginx serving the same zip as a static file.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib/bench.sh
DUR=${BENCH_DURATION:-10}; CONNS=${BENCH_CONNECTIONS:-64}
# nginx and the cached bundle are measured in ROUNDS alternating pairs of DUR/ROUNDS seconds each (at
# least 2), and the ratios are the medians of the pairs': a burst of other work on the machine then
# lands in one pair, not on one side of the only comparison.
ROUNDS=${BENCH_ROUNDS:-3}
RDUR=$(( (DUR + ROUNDS - 1) / ROUNDS )); [ "$RDUR" -lt 2 ] && RDUR=2
BG=build/bundlegen
command -v wrk >/dev/null || { echo "serve bench: wrk missing (scripts/deps.sh)"; exit 0; }
[ -x "$BG" ] || { echo "serve bench: $BG missing (make)"; exit 0; }
bench_tmp serve-bench
bench_pin

# CPU ticks (user + system) of a process and its children, e.g. nginx's master and workers.
ticks() {
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)
# Nanoseconds a process and its children spent runnable but waiting for a core (schedstat's second
# field, over every thread): the share of a run lost to other work on the machine, which is what a
# p99 measures when that share is large.
waited() {
  local total=0 p t
  for p in "$1" $(pgrep -P "$1" || true); do
    for t in /proc/"$p"/task/*/schedstat; do
      [ -r "$t" ] && total=$((total + $(awk '{print $2}' "$t")))
    done
  done
  echo "$total"
}
# wrk's threads: one per load-generator core (WRK_THREADS, bench_pin), never more than connections.
# Two threads sharing one core take turns of a scheduler slice each, and while one runs the other's
# answers wait unread: a p99 of the client's slices, not of the server.
WT=$WRK_THREADS; [ "$WT" -gt "$CONNS" ] && WT=$CONNS

# run NAME PID URL [SCRIPT]: RUN_DUR seconds of wrk; prints a line and sets RPS, P99 and CPU_US
# (server CPU time per request, which other load on the machine disturbs far less than the rate)
run() {
  local out non2xx t0 t1 w0 w1 n
  local script=()
  [ -n "${4:-}" ] && script=(-s "$4")
  "${CLI[@]}" wrk -t1 -c4 -d1s "${script[@]}" "$3" >/dev/null 2>&1 || true      # warm-up
  t0=$(ticks "$2"); w0=$(waited "$2")
  out=$("${CLI[@]}" wrk -t"$WT" -c"$CONNS" -d"${RUN_DUR}s" --latency "${script[@]}" "$3")
  t1=$(ticks "$2"); w1=$(waited "$2")
  RPS=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  CPU_US=$(awk -v d=$((t1 - t0)) -v hz="$HZ" -v n="$n" 'BEGIN { if (n > 0) printf "%.1f", d / hz * 1e6 / n; else print 0 }')
  local p50 p99 mbs
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  mbs=$(echo "$out" | awk '/^Transfer\/sec/ {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  P99=$(bench_ms "$p99")
  WAIT_PCT=$(awk -v w=$((w1 - w0)) -v d="$RUN_DUR" 'BEGIN { printf "%.0f", w / 1e9 / d * 100 }')
  printf '  %-46s %8.0f req/s  p50 %-8s p99 %-8s %9s/s  %7s us CPU/req  waited %3s%% %s\n' "$1" "$RPS" "$p50" "$p99" \
    "$mbs" "$CPU_US" "$WAIT_PCT" "${non2xx:+($non2xx non-2xx!)}"
}

EP="http://node.example.com:5050"
echo "== bundlegen serve downloads: wrk, $CONNS connections, $WT threads; nginx and cached in $ROUNDS alternating pairs of ${RDUR}s, uncached ${DUR}s; $PLACEMENT"
echo "   ('waited': the share of the run the server was ready to run but other work had its core)"

SP=$(bench_port)
"${SRV[@]}" "$BG" serve --listen "127.0.0.1:$SP" --threads "$CORES" --access-log off --max-inflight 4096 2>"$TMP/serve.log" &
SPID=$!
PIDS+=($SPID)
bench_wait_port "$SP" || { echo "bundlegen serve did not start"; cat "$TMP/serve.log"; exit 1; }
URL="http://127.0.0.1:$SP/v1/bundles/cloudflare?endpoint=$EP"
curl -sf -o "$TMP/bundle.zip" "$URL" || { echo "serve bench: the first download failed"; exit 1; }
echo "  bundle: cloudflare, $(stat -c %s "$TMP/bundle.zip") bytes"

# nginx serving the same zip as a static file, our own instance on a free port
NP=$(bench_port)
mkdir -p "$TMP/www"
cp "$TMP/bundle.zip" "$TMP/www/bundle.zip"
chmod 755 "$TMP" "$TMP/www"; chmod 644 "$TMP/www/bundle.zip"      # nginx workers may run as nobody
have_nginx=0
if bench_nginx "$TMP/nginx" "$NP" "  keepalive_requests 1000000;
  sendfile on; tcp_nopush on;
  open_file_cache max=100 inactive=60s;
  server { listen 127.0.0.1:$NP; location = /bundle.zip { root $TMP/www; default_type application/zip; } }"; then
  have_nginx=1
else
  echo "  nginx: not installed or did not start, not measured"
fi

# per pair: cached rate, and the ratios to nginx's rate, CPU per request and p99
cached_r=(); rate_r=(); cpu_r=(); p99_r=()
RUN_DUR=$RDUR
# the peer that runs first alternates, so load drifting one way during the run favours neither
run_nginx() {
  [ "$have_nginx" = 1 ] || return 0
  run "nginx static file (same zip), pair $r" "$NGINX_PID" "http://127.0.0.1:$NP/bundle.zip"
  nginx_rps=$RPS; nginx_cpu=$CPU_US; nginx_p99=$P99
}
run_cached() {
  run "bundlegen serve, cached bundle, pair $r" "$SPID" "$URL"
  ours_rps=$RPS; ours_cpu=$CPU_US; ours_p99=$P99
}
for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then run_nginx; run_cached; else run_cached; run_nginx; fi
  RPS=$ours_rps; CPU_US=$ours_cpu; P99=$ours_p99
  cached_r+=("$RPS")
  if [ "$have_nginx" = 1 ]; then
    rate_r+=("$(bench_ratio "$RPS" "$nginx_rps")"); cpu_r+=("$(bench_ratio "$nginx_cpu" "$CPU_US")")
    p99_r+=("$(bench_ratio "$P99" "$nginx_p99")")
  fi
done
RUN_DUR=$DUR
run "bundlegen serve, uncached (distinct endpoints)" "$SPID" "http://127.0.0.1:$SP/v1/bundles/cloudflare" bench/serve/uncached.lua
uncached=$RPS; uncached_cpu=$CPU_US
misses=$(curl -s "http://127.0.0.1:$SP/metrics" | awk '$1 == "bundlegen_serve_cache_misses_total" {print $2}')
rcount=$(curl -s "http://127.0.0.1:$SP/metrics" | awk '$1 == "bundlegen_serve_render_seconds_count" {print $2}')
rsum=$(curl -s "http://127.0.0.1:$SP/metrics" | awk '$1 == "bundlegen_serve_render_seconds_sum" {print $2}')

# median VALUE...: the middle value (the mean of the two middle ones for an even count), n/a for none
median() {
  [ $# -gt 0 ] || { echo n/a; return; }
  printf '%s\n' "$@" | sort -g |
    awk '$1 != "n/a" && $1 != "" { a[++n] = $1 }
         END { if (!n) print "n/a"; else if (n % 2) print a[(n + 1) / 2]; else printf "%.2f\n", (a[n / 2] + a[n / 2 + 1]) / 2 }'
}
cached=$(median "${cached_r[@]}")
per_core() { awk -v us="$1" 'BEGIN { if (us > 0) printf "%.0f", 1e6 / us; else print "n/a" }'; }
echo "  ratios (rates measured; 'by CPU' = nginx's CPU per request over ours, and one core's second / our CPU per bundle;"
echo "  cached against nginx: the median of the $ROUNDS pairs, each pair's in brackets):"
echo "    cached / nginx static            $(median "${rate_r[@]}")   by CPU $(median "${cpu_r[@]}")   (goal >= 1.00)   [${rate_r[*]}] by CPU [${cpu_r[*]}]"
echo "    cached p99 / nginx p99           $(median "${p99_r[@]}")   (goal <= 1.00)   [${p99_r[*]}]"
echo "    uncached bundles/s               $(printf '%.0f' "$uncached") on $CORES cores   by CPU $(per_core "$uncached_cpu") per core   (goal >= 10000 per core)"
echo "    uncached / cached                $(bench_ratio "$uncached" "$cached")"
echo "    load average while measuring     $(cut -d' ' -f1-3 /proc/loadavg)   (other work on the machine lowers the rates)"
echo "    renders: $misses cache misses, mean render+pack $(awk -v s="$rsum" -v n="$rcount" 'BEGIN { if (n > 0) printf "%.3f ms", s / n * 1000; else print "n/a" }')"
