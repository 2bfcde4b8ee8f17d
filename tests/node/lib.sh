# lib.sh -- helpers for edgenode's integration suites: free ports, starting the ASan build,
# bounded waits and pass/fail bookkeeping ending in "N passed, N failed".
# shellcheck shell=bash
NODE_BIN=${NODE_BIN:-build/san/edgenode}
RULES=${RULES:-$PWD/node/rules.yaml}
TMP=$(mktemp -d /tmp/edgenode-test.XXXXXX)
PASS=0; FAIL=0; NODE_PIDS=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

ok()   { PASS=$((PASS + 1)); echo "ok   $1"; }
bad()  { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; }
# check NAME EXPECTED ACTUAL
check() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "expected [$2], got [$3]"; fi; }
# contains NAME NEEDLE HAYSTACK
contains() { case "$3" in *"$2"*) ok "$1" ;; *) bad "$1" "no [$2] in [${3:0:400}]" ;; esac; }

# start_node CONFIG LOG: starts the node, waits (at most 10 s) until its port answers; sets NODE_PID
start_node() {
  "$NODE_BIN" --config "$1" >"$2" 2>&1 &
  NODE_PID=$!
  NODE_PIDS+=("$NODE_PID")
  local port; port=$(sed -n 's/^listen: *[^:]*:\([0-9]*\).*/\1/p' "$1")
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    kill -0 "$NODE_PID" 2>/dev/null || { echo "node exited early:"; cat "$2"; return 1; }
    sleep 0.1
  done
  echo "node did not start:"; cat "$2"; return 1
}

# stop_node PID: SIGTERM, wait at most 15 s; sets STOP_RC to the exit status
stop_node() {
  kill -TERM "$1" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$1" 2>/dev/null; then kill -KILL "$1"; fi
  wait "$1" 2>/dev/null; STOP_RC=$?
}

# status URL [curl args...]: HTTP status only
status() { local u=$1; shift; curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$u"; }
# body URL [curl args...]
body() { local u=$1; shift; curl -s --max-time 5 "$@" "$u"; }
# metric ADMIN_PORT 'name{labels}': its value, or 0 when absent
metric() {
  curl -s --max-time 5 "http://127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k { print $2; f=1 } END { if (!f) print 0 }'
}

finish() {
  for p in "${NODE_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null; done
  local dirty; dirty=$(grep -l 'Sanitizer\|runtime error' "$TMP"/*.log 2>/dev/null)
  if [ -n "$dirty" ]; then bad "sanitizer reports in node logs" "$(cat $dirty)"; else ok "no sanitizer reports in any node log"; fi
  rm -rf "$TMP"
  echo "$PASS passed, $FAIL failed"
  [ "$FAIL" -eq 0 ]
}

# start_redis PORT: a throw-away redis-server without persistence (sets REDIS_PID); waits until it
# answers PING. stop_redis: stops it. Suites that use it trap 'stop_redis; finish' EXIT.
REDIS_PID=
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --protected-mode yes \
    --logfile "$TMP/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$1" PING 2>/dev/null)" = PONG ] && return 0
    sleep 0.1
  done
  bad "redis-server started on $1"; return 1
}
stop_redis() { if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=; fi; }

# node_cfg NAME EXTRA-YAML: writes $TMP/NAME.yaml on fresh ports (mode block, events in
# $TMP/NAME.events); sets P (listener) and A (admin)
node_cfg() {
  P=$(free_port); A=$(free_port)
  printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nrules: %s\nmode: block\nevents: %s\n%s\n' \
    "$P" "$A" "$RULES" "$TMP/$1.events" "$2" >"$TMP/$1.yaml"
}

if [ ! -f "$RULES" ]; then echo "missing rule set $RULES"; echo "0 passed, 1 failed"; exit 1; fi
