# bench.sh -- what the wrk benches share: free ports, pinning, nginx as a peer, cleanup, units.
# Sourced by bench/*.sh after `cd` to the repository; it is not a bench itself.

# Processes started with bench_bg (or added to PIDS) are stopped, and TMP removed, on exit.
PIDS=()
bench_tmp() { TMP=$(mktemp -d "/tmp/$1.XXXXXX"); trap bench_cleanup EXIT; }
bench_cleanup() { for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$TMP"; }

bench_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
# bench_wait_port PORT [TENTHS]: 0 once something listens on 127.0.0.1:PORT (10 s by default).
bench_wait_port() { for _ in $(seq 1 "${2:-100}"); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# Servers run on the first CORES cores (BENCH_CORES, by default half of them), wrk on the rest, so
# that the client does not steal the servers' time; on one core they share it. Sets CORES, SRV and
# CLI (command prefixes), WRK_THREADS and PLACEMENT (for the heading).
bench_pin() {
  local ncpu
  ncpu=$(nproc)
  CORES=${BENCH_CORES:-$(( ncpu >= 2 ? ncpu / 2 : 1 ))}
  if [ "$ncpu" -gt "$CORES" ]; then
    SRV=(taskset -c "0-$((CORES - 1))"); CLI=(taskset -c "$CORES-$((ncpu - 1))"); WRK_THREADS=$((ncpu - CORES))
    PLACEMENT="servers pinned to cores 0-$((CORES - 1)), wrk to the other $((ncpu - CORES))"
  else
    SRV=(); CLI=(); WRK_THREADS=$ncpu; PLACEMENT="servers and wrk share all $ncpu cores"
  fi
}

# bench_nginx DIR PORT LINES: starts nginx, pinned as the servers are, with its files in DIR and
# LINES inside http { }; sets NGINX_PID. 1 when nginx is not installed or does not start.
bench_nginx() {
  local bin
  bin=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$bin" ] || return 1
  mkdir -p "$1"
  cat >"$1/nginx.conf" <<NGINX
worker_processes $CORES;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1;
$3
}
NGINX
  "${SRV[@]}" "$bin" -p "$1" -c "$1/nginx.conf" -e "$1/error.log" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  bench_wait_port "$2"
}

# bench_ms VALUE: wrk's latency (850.00us, 1.20ms, 2.00s) in milliseconds.
bench_ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) ; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'; }
bench_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# bench_wrk CONNS URL SCRIPT [WRK-ARG...]: a 1 s warm-up, then DUR seconds of wrk --latency with the
# Lua SCRIPT, on the load generator's cores with at most CONNS threads; prints wrk's output.
bench_wrk() {
  local c=$1 url=$2 script=$3 t=$WRK_THREADS; shift 3
  [ "$t" -gt "$c" ] && t=$c
  "${CLI[@]}" wrk -t"$t" -c"$c" -d1s "$@" -s "$script" "$url" >/dev/null 2>&1 || true
  "${CLI[@]}" wrk -t"$t" -c"$c" -d"${DUR}s" --latency "$@" -s "$script" "$url"
}

# bench_wrk_summary OUT: "req/s p50_ms p99_ms p999_ms" from wrk --latency output; the p99.9 comes
# from a done() hook that prints "p99.9_us N" (wrk's own table stops at the 99th).
bench_wrk_summary() {
  echo "$(echo "$1" | awk '/^Requests\/sec/ {print $2}')" \
       "$(bench_ms "$(echo "$1" | awk '$1 == "50%" {print $2}')")" \
       "$(bench_ms "$(echo "$1" | awk '$1 == "99%" {print $2}')")" \
       "$(echo "$1" | awk '$1 == "p99.9_us" {printf "%.3f", $2 / 1000}')"
}
