#!/usr/bin/env bash
# node-bruteforce.sh -- brute-force and forced-browsing protection: one node with the in-process
# store, then two edgenode processes (ASan build) sharing a real redis-server on a loopback port,
# including Redis killed and restarted mid-run.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
redis_suite

# report URL IP STATUS [PATH]: a connector's response report
report() {
  status "$1${4:-/login}" -X POST -H 'X-Connector-Message: response' -H "X-Connector-Response-Status: $3" \
    -H "X-Real-IP: $2" -H 'X-Connector-Request-Id: feed' --data-binary 'denied'
}
login() { status "$1/login" -X POST -H "X-Real-IP: $2" -H 'Content-Type: application/json' --data-binary '{"user":"a","password":"b"}'; }

BF='brute_force:
  - path: /login
    statuses: [401, 403]
    limit: 5
    window: 60s
    block_for: 6s
forced_browsing:
  - path: /
    limit: 10
    window: 60s
    block_for: 6s'

# ---- one node, in-process store
node_cfg single "$BF"
start_node "$TMP/single.yaml" "$TMP/single.log" || exit 1
U="http://127.0.0.1:$P"; SA=$A
for i in 1 2 3 4 5; do report "$U" 198.51.100.7 401 >/dev/null; done
check "single: 5 failed logins: not blocked yet" 200 "$(login "$U" 198.51.100.7)"
check "single: the 6th report is recorded" 200 "$(report "$U" 198.51.100.7 401)"
check "single: 6 failed logins: blocked" 403 "$(login "$U" 198.51.100.7)"
contains "single: reason brute_force" '"reason":"brute_force"' "$(body "$U/users" -H 'X-Real-IP: 198.51.100.7')"
check "single: another address passes" 200 "$(login "$U" 198.51.100.8)"
check "single: a 200 report does not count" 200 "$(report "$U" 198.51.100.9 200)"
check "single: async copies are never blocked" 204 "$(status "$U/users" -H 'X-Real-IP: 198.51.100.7' -H 'X-Connector-Mode: async')"
check "single: block counted once" 1 "$(metric "$SA" 'edgenode_clients_limited_total{kind="brute_force",action="blocked"}')"
check "single: 403s counted by reason" 2 "$(metric "$SA" 'edgenode_blocked_total{reason="brute_force"}')"
check "single: no shared store" 0 "$(metric "$SA" 'edgenode_store_shared')"
contains "single: brute_force event" '"type":"brute_force"' "$(cat "$TMP/single.events")"
contains "single: event says blocked" '"verdict":"blocked"' "$(cat "$TMP/single.events")"
for i in $(seq 1 11); do report "$U" 198.51.100.20 404 "/admin/x$i" >/dev/null; done
check "single: forced browsing (11 404s) blocked" 403 "$(status "$U/anything" -H 'X-Real-IP: 198.51.100.20')"
contains "single: reason forced_browsing" '"reason":"forced_browsing"' "$(body "$U/a" -H 'X-Real-IP: 198.51.100.20')"
expired=
for _ in $(seq 1 150); do [ "$(login "$U" 198.51.100.7)" = 200 ] && { expired=1; break; }; sleep 0.1; done
check "single: the block expires after block_for" 1 "${expired:-0}"
stop_node "$NODE_PID"; check "single: SIGTERM exit 0" 0 "$STOP_RC"

# ---- monitoring: recorded, never blocked
node_cfg mon "$BF
mode: monitoring"
sed -i 's/^mode: block$//' "$TMP/mon.yaml"
start_node "$TMP/mon.yaml" "$TMP/mon.log" || exit 1
U="http://127.0.0.1:$P"
for i in 1 2 3 4 5 6 7; do report "$U" 198.51.100.7 401 >/dev/null; done
check "monitoring: not blocked past the limit" 200 "$(login "$U" 198.51.100.7)"
check "monitoring: recorded once" 1 "$(metric "$A" 'edgenode_clients_limited_total{kind="brute_force",action="recorded"}')"
contains "monitoring: event says recorded" '"verdict":"recorded"' "$(cat "$TMP/mon.events")"
stop_node "$NODE_PID"

# ---- two nodes sharing Redis
RP=$(free_port)
start_redis "$RP" || exit 1
SHARED="$BF
shared_store:
  redis: redis://127.0.0.1:$RP/0"
node_cfg n1 "$SHARED"; start_node "$TMP/n1.yaml" "$TMP/n1.log" || exit 1; U1="http://127.0.0.1:$P"; A1=$A; PID1=$NODE_PID
node_cfg n2 "$SHARED"; start_node "$TMP/n2.yaml" "$TMP/n2.log" || exit 1; U2="http://127.0.0.1:$P"; A2=$A; PID2=$NODE_PID

for i in 1 2 3; do report "$U1" 203.0.113.5 401 >/dev/null; report "$U2" 203.0.113.5 401 >/dev/null; done
check "shared: 3+3 failures across nodes: node 1 blocks" 403 "$(login "$U1" 203.0.113.5)"
check "shared: node 2 blocks too" 403 "$(login "$U2" 203.0.113.5)"
check "shared: the block is in Redis" brute_force "$(redis-cli -p "$RP" GET edgenode:block:203.0.113.5)"
check "shared: another address passes on node 2" 200 "$(login "$U2" 203.0.113.6)"
check "shared: store up" 1 "$(metric "$A1" 'edgenode_store_up')"
for i in 1 2 3 4 5; do report "$U1" 203.0.113.9 403 >/dev/null; done
check "shared: 5 failures are not past the limit" 200 "$(login "$U2" 203.0.113.9)"
report "$U2" 203.0.113.9 401 >/dev/null
check "shared: the 6th, on the other node, blocks" 403 "$(login "$U1" 203.0.113.9)"
expired=
for _ in $(seq 1 150); do
  [ "$(login "$U1" 203.0.113.5)" = 200 ] && [ "$(login "$U2" 203.0.113.5)" = 200 ] && { expired=1; break; }
  sleep 0.1
done
check "shared: the block expires on both nodes" 1 "${expired:-0}"

# a block made before the outage, seen by both nodes
for i in 1 2 3 4 5 6; do report "$U1" 203.0.113.30 401 >/dev/null; done
check "shared: pre-outage block on node 2" 403 "$(login "$U2" 203.0.113.30)"
stop_redis
check "outage: the pre-outage block holds on node 1" 403 "$(login "$U1" 203.0.113.30)"
check "outage: and on node 2" 403 "$(login "$U2" 203.0.113.30)"
fails=0
for i in $(seq 1 20); do
  s=$(status "$U1/users?id=$i" -H 'X-Real-IP: 192.0.2.1'); [ "$s" = 200 ] || fails=$((fails + 1))
  s=$(status "$U2/users?id=$i" -H 'X-Real-IP: 192.0.2.1'); [ "$s" = 200 ] || fails=$((fails + 1))
done
check "outage: 40 benign requests all get their verdict (200)" 0 "$fails"
check "outage: an attack is still blocked" 403 "$(status "$U1/search?q=1%27%20UNION%20SELECT%20a%2Cb%20FROM%20users--")"
for i in 1 2 3 4 5 6; do report "$U1" 203.0.113.40 401 >/dev/null; done
check "outage: node 1 blocks on its own count" 403 "$(login "$U1" 203.0.113.40)"
check "outage: store down" 0 "$(metric "$A1" 'edgenode_store_up')"
check "outage: counted once on node 1" 1 "$(metric "$A1" 'edgenode_store_outages_total')"
e=$(metric "$A2" 'edgenode_store_errors_total')
if [ "$e" -gt 0 ]; then ok "outage: node 2 counts failed store calls ($e)"; else bad "outage: node 2 counts failed store calls" "$e"; fi

start_redis "$RP" || exit 1
sleep 1.2                                   # the nodes retry Redis at most once a second
for i in 1 2 3; do report "$U1" 203.0.113.50 401 >/dev/null; report "$U2" 203.0.113.50 401 >/dev/null; done
check "after restart: sharing resumes (node 1)" 403 "$(login "$U1" 203.0.113.50)"
check "after restart: sharing resumes (node 2)" 403 "$(login "$U2" 203.0.113.50)"
check "after restart: node 1 reconnected" 1 "$(metric "$A1" 'edgenode_store_reconnects_total')"
check "after restart: store up again" 1 "$(metric "$A2" 'edgenode_store_up')"
stop_node "$PID1"; check "node 1: SIGTERM exit 0" 0 "$STOP_RC"
stop_node "$PID2"; check "node 2: SIGTERM exit 0" 0 "$STOP_RC"
