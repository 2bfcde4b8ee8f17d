#!/usr/bin/env bash
# node-store-trips.sh -- what one request and one response report cost in Redis round trips: two
# edgenode processes (ASan build) sharing a real redis-server, counted by the node's
# edgenode_store_round_trips_total and cross-checked with Redis's own INFO commandstats.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
redis_suite

SQLI=/login$SQLI_QUERY
trips() { metric "$1" edgenode_store_round_trips_total; }
# cmdstat NAME: calls of a Redis command so far (INFO commandstats), 0 when never called
cmdstat() { redis-cli -p "$RP" INFO commandstats | tr -d '\r' | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p" | grep . || echo 0; }
# reads: Redis's total_reads_processed (socket reads that brought commands; each redis-cli call adds
# its own, measured as INFO_READS below), so what the nodes sent in one write counts once
reads() { redis-cli -p "$RP" INFO stats | tr -d '\r' | sed -n 's/^total_reads_processed://p'; }
# exists KEY: 1 once Redis holds it (polled at most 1 s: the node does not wait for that write)
exists() { for _ in $(seq 1 10); do [ "$(redis-cli -p "$RP" EXISTS "$1")" = 1 ] && { echo 1; return; }; sleep 0.1; done; echo 0; }

# two counting entries match a 401 on /login, so a report makes two counts and one look-up
COUNTS='brute_force:
  - path: /login
    statuses: [401]
    limit: 3
    window: 60s
    block_for: 60s
  - path: /
    statuses: [401]
    limit: 50
    window: 60s
    block_for: 60s'

RP=$(free_port)
start_redis "$RP" || exit 1
# discovery stays on; its part goes to Redis at the first message, then not within the run
SHARED="shared_store:
  redis: redis://127.0.0.1:$RP/0
discovery:
  publish_every: 1h"
node_cfg n1 "$SHARED
$COUNTS
mode: monitoring"; sed -i '/^mode: block$/d' "$TMP/n1.yaml"
start_node "$TMP/n1.yaml" "$TMP/n1.log" || exit 1; U1="http://127.0.0.1:$P"; A1=$A; PID1=$NODE_PID
node_cfg n2 "$SHARED
$COUNTS
mode: monitoring"; sed -i '/^mode: block$/d' "$TMP/n2.yaml"
start_node "$TMP/n2.yaml" "$TMP/n2.log" || exit 1; U2="http://127.0.0.1:$P"; A2=$A; PID2=$NODE_PID

# ---- requests
t=$(trips "$A1")
check "request: a clean one passes" 200 "$(node_request "$U1" /items?id=5 c1)"
check "request: it costs one round trip (the block look-up; publishing waits for nothing)" $((t + 1)) "$(trips "$A1")"
check "request: node 1's inventory part reached Redis" 1 "$(redis-cli -p "$RP" --scan --pattern 'edgenode:inventory:*' | wc -l | tr -d ' ')"
t=$(trips "$A1"); s=$(cmdstat set)
check "request: an injection passes in monitoring" 200 "$(node_request "$U1" "$SQLI" m1)"
check "request: its attack reaches Redis for the other replicas" 1 "$(exists edgenode:attack:m1)"
check "request: the attack let through still costs one round trip" $((t + 1)) "$(trips "$A1")"
check "request: Redis ran the one SET" $((s + 1)) "$(cmdstat set)"
t=$(trips "$A1")
check "request: an async copy with an injection" 204 "$(node_request "$U1" "$SQLI" a1 -H 'X-Connector-Mode: async')"
check "request: its attack reaches Redis" 1 "$(exists edgenode:attack:a1)"
check "request: the async copy waits for no round trip" "$t" "$(trips "$A1")"

# ---- reports: two counts and the attack look-up of a request another replica saw, together
check "report: node 2 warmed up (its inventory part published)" 200 "$(node_request "$U2" /items?id=6 w2)"
r0=$(reads); r1=$(reads); INFO_READS=$((r1 - r0))
t=$(trips "$A2"); e=$(cmdstat eval); g=$(cmdstat get); p=$(cmdstat pttl); r0=$(reads)
check "report: on node 2, of node 1's request" 200 "$(node_report "$U2" /login m1 401 "$MYSQL_ERROR")"
check "report: Redis read its three commands in one go" 1 "$(( $(reads) - r0 - INFO_READS ))"
check "report: node 2 ties it to the injection (a finding)" 1 "$(metric "$A2" 'edgenode_vulnerabilities_total{class="sql_error"}')"
check "report: it costs node 2 one round trip" $((t + 1)) "$(trips "$A2")"
check "report: Redis ran both counts" $((e + 2)) "$(cmdstat eval)"
check "report: and the look-up (GET, PTTL)" "$((g + 1)) $((p + 1))" "$(cmdstat get) $(cmdstat pttl)"
check "report: the /login count is in Redis" 1 "$(redis-cli -p "$RP" GET edgenode:count:brute_force:/login:198.51.100.4)"
check "report: the / count too" 1 "$(redis-cli -p "$RP" GET edgenode:count:brute_force:/:198.51.100.4)"
t=$(trips "$A1")
node_report "$U1" /login m1 401 "$MYSQL_ERROR" >/dev/null
check "report: on node 1, which saw the request: one round trip (the counts)" $((t + 1)) "$(trips "$A1")"
check "report: node 1's finding" 1 "$(metric "$A1" 'edgenode_vulnerabilities_total{class="sql_error"}')"
check "report: counts shared (2 on /login)" 2 "$(redis-cli -p "$RP" GET edgenode:count:brute_force:/login:198.51.100.4)"
t=$(trips "$A2")
node_report "$U2" /login m1 200 '{"ok":true}' >/dev/null
check "report: one that counts nothing: one round trip (the look-up)" $((t + 1)) "$(trips "$A2")"
node_report "$U2" /login c1 401 'denied' >/dev/null
node_report "$U1" /login c1 401 'denied' >/dev/null
contains "report: the limit crossed across both replicas is an event" '"type":"brute_force"' "$(cat "$TMP/n1.events" "$TMP/n2.events" 2>/dev/null)"
check "report: the crossing blocked nobody in monitoring" 0 "$(redis-cli -p "$RP" EXISTS edgenode:block:198.51.100.4)"

# ---- a Redis user that may not use CLIENT REPLY: the node waits for its SETs instead
redis-cli -p "$RP" ACL SETUSER limited on '>secret' '~*' '+@all' '-client' >/dev/null
node_cfg n3 "shared_store:
  redis: redis://limited:secret@127.0.0.1:$RP/0
discovery:
  publish_every: 1h
$COUNTS
mode: monitoring"; sed -i '/^mode: block$/d' "$TMP/n3.yaml"
start_node "$TMP/n3.yaml" "$TMP/n3.log" || exit 1; U3="http://127.0.0.1:$P"; A3=$A; PID3=$NODE_PID
node_request "$U3" /items?id=8 l0 >/dev/null
t=$(trips "$A3")
check "limited user: an injection passes" 200 "$(node_request "$U3" "$SQLI" l1)"
check "limited user: its attack reaches Redis" 1 "$(exists edgenode:attack:l1)"
check "limited user: look-up and SET, both waited for" $((t + 2)) "$(trips "$A3")"
node_report "$U3" /login l9 401 'denied' >/dev/null
check "limited user: the next calls read their own answers (no error, no outage)" "0 0" \
  "$(metric "$A3" edgenode_store_errors_total) $(metric "$A3" edgenode_store_outages_total)"
check "limited user: the count went to Redis (4 before)" 5 "$(redis-cli -p "$RP" GET edgenode:count:brute_force:/login:198.51.100.4)"
stop_node "$PID3"

# ---- Redis down: verdicts and counting go on in-process, no round trips are waited for
stop_redis
t=$(trips "$A2")
check "down: a request keeps its verdict" 200 "$(node_request "$U2" "$SQLI" d1)"
check "down: its report on the same node is still a finding" 200 "$(node_report "$U2" /login d1 401 "$MYSQL_ERROR")"
check "down: node 2 has 2 findings" 2 "$(metric "$A2" 'edgenode_vulnerabilities_total{class="sql_error"}')"
check "down: the outage is counted" 1 "$(metric "$A2" edgenode_store_outages_total)"
check "down: no more than the failing call was waited for" 1 "$([ "$(trips "$A2")" -le $((t + 1)) ] && echo 1 || echo 0)"
stop_node "$PID1"; check "node 1: SIGTERM exit 0" 0 "$STOP_RC"
stop_node "$PID2"; check "node 2: SIGTERM exit 0" 0 "$STOP_RC"
