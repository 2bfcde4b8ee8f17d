# lib.sh -- helpers for edgenode's integration suites: starting the ASan build, bounded waits, HTTP
# and metrics reads; results and the summary line come from tests/lib/suite.sh.
# shellcheck shell=bash
NODE_BIN=${NODE_BIN:-build/san/edgenode}
RULES=${RULES:-$PWD/node/rules.yaml}
TMP=$(mktemp -d /tmp/edgenode-test.XXXXXX)
NODE_PIDS=()
. tests/lib/suite.sh
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}

# check NAME EXPECTED ACTUAL
check() { same "$@"; }

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
  suite_end
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
# redis_suite: for suites that need redis-server: stops it and the nodes at exit; fails when missing
redis_suite() {
  trap 'stop_redis; finish' EXIT
  command -v redis-server >/dev/null || { bad "redis-server is installed (scripts/debian-packages.txt)"; exit 1; }
}
stop_redis() { if [ -n "$REDIS_PID" ]; then kill -TERM "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=; fi; }

# For passive detection: an SQL injection (append to a path), a MySQL error page after it.
SQLI_QUERY='?id=1%27%20UNION%20SELECT%20a%2Cb%20FROM%20users--'
MYSQL_ERROR='<p>You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version</p>'
# node_request URL PATHQUERY ID [curl args]: an inline request from 198.51.100.4 (status only)
node_request() { local u=$1 p=$2 id=$3; shift 3; status "$u$p" -H "X-Connector-Request-Id: $id" -H 'X-Real-IP: 198.51.100.4' "$@"; }
# node_report URL PATH ID STATUS BODY: the origin's answer to it, as connectors report it
node_report() {
  status "$1$2" -X POST -H 'X-Connector-Message: response' -H "X-Connector-Response-Status: $4" \
    -H "X-Connector-Request-Id: $3" -H 'X-Real-IP: 198.51.100.4' -H 'Content-Type: application/octet-stream' --data-binary "$5"
}

# node_cfg NAME EXTRA-YAML: writes $TMP/NAME.yaml on fresh ports (mode block, events in
# $TMP/NAME.events); sets P (listener) and A (admin)
node_cfg() {
  P=$(free_port); A=$(free_port)
  printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nrules: %s\nmode: block\nevents: %s\n%s\n' \
    "$P" "$A" "$RULES" "$TMP/$1.events" "$2" >"$TMP/$1.yaml"
}

[ -f "$RULES" ] || suite_abort "missing rule set $RULES"
