#!/usr/bin/env bash
# node-lifecycle.sh -- edgenode (ASan build) configuration checks, the listen-only default,
# SIGHUP reload over a live keep-alive connection (good and bad configs, event file rotation),
# SIGTERM draining an in-flight request, the reply time limit and per-connection limits.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
trap finish EXIT
CLIENT=tests/node/client.py

# --check-config
cat >"$TMP/bad.yaml" <<'YAML'
listen: 127.0.0.1:99999
mode: blocking
allowed_hosts: ["api[.example.com"]
allowed_networks: [10.0.0.0/33]
routes:
  - host: "*.example.com"
    path: "~ (unclosed"
    mode: monitoring
unknown_key: 1
limits: {max_body_size: -5}
YAML
out=$("$NODE_BIN" --check-config "$TMP/bad.yaml" 2>&1); rc=$?
check "check-config: bad config exits 1" 1 "$rc"
contains "check-config: bad port with position" "bad.yaml:1:9: listen: port must be 1..65535" "$out"
contains "check-config: bad mode" "bad.yaml:2:7: mode: unknown mode \"blocking\"" "$out"
contains "check-config: bad glob" "bad.yaml:3:16: allowed_hosts: bad glob" "$out"
contains "check-config: bad CIDR" "bad.yaml:4:20: allowed_networks: bad CIDR \"10.0.0.0/33\"" "$out"
contains "check-config: bad regex" "bad.yaml:7:11: routes.path: bad regex" "$out"
contains "check-config: unknown key" "bad.yaml:9:1: unknown_key: unknown key" "$out"
contains "check-config: bad size" "bad.yaml:10:25: limits.max_body_size: expected a size" "$out"
contains "check-config: error count" "7 errors" "$out"
printf 'listen: 127.0.0.1:5050\nrules: %s/nope.yaml\n' "$TMP" >"$TMP/norules.yaml"
out=$("$NODE_BIN" --check-config "$TMP/norules.yaml" 2>&1); rc=$?
check "check-config: missing rules exits 1" 1 "$rc"
contains "check-config: missing rules named" "nope.yaml" "$out"
printf 'rules:\n  - id: x\n    class: nope\n    pattern: "("\n' >"$TMP/badrules.yaml"
printf 'listen: 127.0.0.1:5050\nrules: badrules.yaml\n' >"$TMP/withbadrules.yaml"
out=$("$NODE_BIN" --check-config "$TMP/withbadrules.yaml" 2>&1); rc=$?
check "check-config: bad rules exit 1" 1 "$rc"
contains "check-config: rule errors with positions" "badrules.yaml:4:14: rules[0].pattern:" "$out"
contains "check-config: every rule error" "badrules.yaml:3:12: rules[0].class: unknown class" "$out"
out=$("$NODE_BIN" --check-config node/edgenode.example.yaml 2>&1); rc=$?
check "check-config: the shipped example is valid" 0 "$rc"
"$NODE_BIN" --config "$TMP/bad.yaml" >/dev/null 2>&1
check "--config with a bad file exits 1" 1 "$?"
out=$("$NODE_BIN" --check-config=node/edgenode.example.yaml 2>&1); rc=$?
check "--check-config=FILE means --check-config FILE" 0 "$rc"
out=$("$NODE_BIN" --frobnicate 2>&1); rc=$?
check "unknown option exits 2" 2 "$rc"
contains "unknown option: bundlegen's wording" "edgenode: unknown option '--frobnicate' (see edgenode --help)" "$out"
out=$("$NODE_BIN" --config "$TMP/bad.yaml" --check-config "$TMP/bad.yaml" 2>&1); rc=$?
check "--config and --check-config together exit 2" 2 "$rc"

# a config with only listen: shipped rules, monitoring, every host
P=$(free_port)
mkdir -p "$TMP/only"
printf 'listen: 127.0.0.1:%s\n' "$P" >"$TMP/only/edgenode.yaml"
out=$("$NODE_BIN" --check-config "$TMP/only/edgenode.yaml" 2>&1)
contains "listen-only: shipped rules found from the binary" "node/rules.yaml" "$out"
contains "listen-only: monitoring" "mode monitoring" "$out"
start_node "$TMP/only/edgenode.yaml" "$TMP/only.log" || exit 1
b=$(body "http://127.0.0.1:$P/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" -H 'X-Forwarded-Host: any.host.test')
check "listen-only: attack detected, not blocked" '{"verdict":"pass","reason":"attack"}' "$b"
stop_node "$NODE_PID"; check "listen-only: SIGTERM exit 0" 0 "$STOP_RC"

# reload over a keep-alive connection
P=$(free_port); A=$(free_port)
conf() {  # conf MODE EVENTS
  printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nmode: %s\nrules: %s\nevents: %s\n' "$P" "$A" "$1" "$RULES" "$2"
}
conf monitoring "$TMP/events.jsonl" >"$TMP/node.yaml"
start_node "$TMP/node.yaml" "$TMP/node.log" || exit 1
conf block "$TMP/events.jsonl" >"$TMP/next.yaml"
check "reload: same keep-alive connection, monitoring then block" "200 403" \
  "$(python3 $CLIENT keepalive "$P" "$A" "$NODE_PID" "$TMP/next.yaml" "$TMP/node.yaml")"
check "reload: counted ok" 1 "$(metric "$A" 'edgenode_config_reloads_total{result="ok"}')"
printf 'listen: 127.0.0.1:%s\nmode: sometimes\n' "$P" >"$TMP/broken.yaml"
cp "$TMP/node.yaml" "$TMP/good.yaml"
check "bad reload: old config keeps blocking on the same connection" "403 403" \
  "$(python3 $CLIENT keepalive "$P" "$A" "$NODE_PID" "$TMP/broken.yaml" "$TMP/node.yaml")"
check "bad reload: counted as error" 1 "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')"
contains "bad reload: refusal logged with the position" "node.yaml:2:7: mode: unknown mode" "$(cat "$TMP/node.log")"
check "bad reload: still ready" 200 "$(status "http://127.0.0.1:$A/ready")"
# event file rotation: move the file away, SIGHUP, the next attack goes to a new file
cp "$TMP/good.yaml" "$TMP/node.yaml"
n_before=$(wc -l <"$TMP/events.jsonl")
mv "$TMP/events.jsonl" "$TMP/events.jsonl.1"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="ok"}')" = 2 ] && break; sleep 0.1; done
status "http://127.0.0.1:$P/x?q=%3Cscript%3Ealert(1)%3C/script%3E" >/dev/null
check "rotation: new events file has the new attack" 1 "$(grep -c '"class":"xss"' "$TMP/events.jsonl" 2>/dev/null)"
check "rotation: old file kept its lines" "$n_before" "$(wc -l <"$TMP/events.jsonl.1")"
check "events: one line per attack, four before rotation" 4 "$n_before"
# a refused config still rotates the events file
mv "$TMP/events.jsonl" "$TMP/events.jsonl.2"
printf 'listen: 127.0.0.1:%s\nmode: sometimes\n' "$P" >"$TMP/node.yaml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')" = 2 ] && break; sleep 0.1; done
status "http://127.0.0.1:$P/x?q=%3Cscript%3Ealert(1)%3C/script%3E" >/dev/null
check "rotation with a refused config: new file written" 1 "$(grep -c '"class":"xss"' "$TMP/events.jsonl" 2>/dev/null)"
cp "$TMP/good.yaml" "$TMP/node.yaml"

# reloads under load: keep-alive clients see no error and no connection drop
wrk -t2 -c8 -d3s -s bench/node/post.lua "http://127.0.0.1:$P" >"$TMP/wrk.txt" 2>&1 &
WRK=$!
for _ in 1 2 3 4 5; do sleep 0.4; kill -HUP "$NODE_PID"; done
wait "$WRK"
check "reload under load: wrk ran" yes "$(grep -q 'requests in' "$TMP/wrk.txt" && echo yes || echo no)"
check "reload under load: no socket errors" "" "$(grep 'Socket errors' "$TMP/wrk.txt")"
check "reload under load: no non-2xx answers" "" "$(grep 'Non-2xx' "$TMP/wrk.txt")"
check "reload under load: all five reloads applied" 7 "$(metric "$A" 'edgenode_config_reloads_total{result="ok"}')"

# a reload that moves the listener: the open connection stays (with the new rules), the new
# port serves, the old port is closed; the admin listener moves too
threads() { awk '/^Threads:/ {print $2}' "/proc/$NODE_PID/status"; }
T0=$(threads)
P2=$(free_port); A2=$(free_port)
sed -e "s/^listen: .*/listen: 127.0.0.1:$P2/" -e "s/^admin_listen: .*/admin_listen: 127.0.0.1:$A2/" \
    -e "s/^mode: .*/mode: block/" "$TMP/node.yaml" >"$TMP/moved.yaml"
sed -i "s/^mode: .*/mode: monitoring/" "$TMP/node.yaml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="ok"}')" = 8 ] && break; sleep 0.1; done
check "move: old connection kept across the move, new rules apply" "200 403" \
  "$(python3 $CLIENT keepalive "$P" "$A,$A2" "$NODE_PID" "$TMP/moved.yaml" "$TMP/node.yaml" 2>&1)"
check "move: the new port serves" 200 "$(status "http://127.0.0.1:$P2/users")"
check "move: the old port no longer accepts" 000 "$(status "http://127.0.0.1:$P/users")"
check "move: admin moved with it" 200 "$(status "http://127.0.0.1:$A2/ready")"
check "move: old admin port closed" 000 "$(status "http://127.0.0.1:$A/ready")"
for _ in $(seq 1 40); do [ "$(threads)" = "$T0" ] && break; sleep 0.1; done
check "move: the retired listener is stopped once its connection closed" "$T0" "$(threads)"
P=$P2; A=$A2
# same address, new head cap (connection_memory): the socket is handed over, new connections get the new cap
check "a head larger than connection_memory: the node's 431" 431 "$(python3 $CLIENT long_header "$P" 1200000)"
sed -i "s/^listen: .*/&\nlimits: {connection_memory: 2m}/" "$TMP/node.yaml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="ok"}')" = 10 ] && break; sleep 0.1; done
check "after reload on the same port: the same head gets a verdict" 200 "$(python3 $CLIENT long_header "$P" 1200000)"
sed "s/^listen: .*/listen: 127.0.0.1:$P\ntls: {cert: nope.pem, key: nope.pem}/" "$TMP/node.yaml" >"$TMP/tlsnope.yaml"
cp "$TMP/node.yaml" "$TMP/keep.yaml"; cp "$TMP/tlsnope.yaml" "$TMP/node.yaml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')" = 3 ] && break; sleep 0.1; done
check "reload with a missing TLS file: refused" 3 "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')"
check "reload with a missing TLS file: still serving plain HTTP" 200 "$(status "http://127.0.0.1:$P/users")"
cp "$TMP/keep.yaml" "$TMP/node.yaml"
# a refused listener change leaves the admin listener where it was too
A3=$(free_port)
sed -e "s/^listen: .*/listen: 127.0.0.1:$A/" -e "s/^admin_listen: .*/admin_listen: 127.0.0.1:$A3/" "$TMP/keep.yaml" >"$TMP/node.yaml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do [ "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')" = 4 ] && break; sleep 0.1; done
check "listen on a taken port: refused" 4 "$(metric "$A" 'edgenode_config_reloads_total{result="error"}')"
contains "listen on a taken port: logged" "listen 127.0.0.1:$A: cannot start the listener" "$(cat "$TMP/node.log")"
check "listen on a taken port: admin not moved" 000 "$(status "http://127.0.0.1:$A3/ready")"
check "listen on a taken port: connector port unchanged" 200 "$(status "http://127.0.0.1:$P/users")"
cp "$TMP/keep.yaml" "$TMP/node.yaml"

# SIGTERM drains a request whose body is still arriving
check "drain: in-flight request answered, connection closed" "200 close" "$(python3 $CLIENT drain "$P" "$NODE_PID")"
for _ in $(seq 1 100); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
wait "$NODE_PID"; check "drain: exit 0" 0 "$?"
contains "drain: logged" "edgenode: stopped" "$(cat "$TMP/node.log")"
if grep -q 'Sanitizer\|runtime error' "$TMP/node.log"; then bad "sanitizers clean" "$(cat "$TMP/node.log")"; else ok "sanitizers clean"; fi

# reply time limit (counted from the headers) and per-connection limits
P=$(free_port); A=$(free_port)
cat >"$TMP/limits.yaml" <<YAML
listen: 127.0.0.1:$P
admin_listen: 127.0.0.1:$A
rules: $RULES
reply_timeout: {limit: 100ms}
limits:
  per_connection: {max_requests: 3}
  idle_timeout: 1s
  request_timeout: 2s
  max_connections: 3
YAML
start_node "$TMP/limits.yaml" "$TMP/limits.log" || exit 1
check "reply limit: a body 0.5 s late still gets a verdict" 200 "$(python3 $CLIENT slow "$P" 0.5)"
check "reply limit: counted as a limit hit" 1 "$(metric "$A" 'edgenode_limits_total{reason="reply_time"}')"
check "reply limit: a prompt request passes" 200 "$(python3 $CLIENT slow "$P" 0)"
check "reply limit: counted" 1 "$(metric "$A" 'edgenode_reply_timeouts_total')"
check "per_connection.max_requests: third answer closes" "200 200 200/close 0" "$(python3 $CLIENT per_conn "$P" 4)"
check "idle_timeout: a silent connection is closed" "closed" "$(python3 $CLIENT idle "$P" 5 | cut -d' ' -f1)"
check "request_timeout: a body trickling in is cut off" "closed" "$(python3 $CLIENT trickle "$P" 0.5 20 | cut -d' ' -f1)"
check "request_timeout: a body done within it is answered (a verdict, though past the reply limit)" "answered 200" "$(python3 $CLIENT trickle "$P" 0.1 5)"
# slowloris: every piece comes within idle_timeout, so only request_timeout can end these
for k in head chunks trailers continue next blank; do
  check "request_timeout: a request that never ends ($k, a piece every 0.3 s) is cut off" "closed" "$(python3 $CLIENT slowloris "$P" $k)"
done
check "max_connections: a fourth connection waits until one closes" "200 200 200 queued 200" "$(python3 $CLIENT conns "$P" 4)"
check "after the burst: served again" 200 "$(status "http://127.0.0.1:$P/users")"
stop_node "$NODE_PID"; check "limits: SIGTERM exit 0" 0 "$STOP_RC"

# out of descriptors: accept fails while connections wait; the thread must sleep, not spin, on them
P=$(free_port)
printf 'listen: 127.0.0.1:%s\nrules: %s\nthreads: 1\n' "$P" "$RULES" >"$TMP/fds.yaml"
case $NODE_BIN in /*) real=$NODE_BIN ;; *) real=$PWD/$NODE_BIN ;; esac
printf '#!/bin/sh\nulimit -n 64\nexec "%s" "$@"\n' "$real" >"$TMP/lowfd.sh"; chmod +x "$TMP/lowfd.sh"
NODE_BIN="$TMP/lowfd.sh" start_node "$TMP/fds.yaml" "$TMP/fds.log" || exit 1
check "64 descriptors, 120 connections: no spin on the listening socket, the queued one served later" "quiet 200" \
  "$(python3 $CLIENT fd_exhaust "$P" "$NODE_PID")"
stop_node "$NODE_PID"; check "out of descriptors: SIGTERM exit 0" 0 "$STOP_RC"
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$TMP/fds.log"; then bad "out of descriptors: sanitizers clean" "$(cat "$TMP/fds.log")"; else ok "out of descriptors: sanitizers clean"; fi
