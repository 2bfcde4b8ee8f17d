#!/usr/bin/env bash
# node-vulns.sh -- passive vulnerability detection end to end: requests and response reports sent as
# connectors send them to the ASan build, one node with the in-process store, then two nodes sharing
# a real redis-server (the request on one replica, its report on the other).
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
redis_suite

SQLI=/items$SQLI_QUERY
TRACE=$'java.lang.IllegalStateException: boom\n\tat com.shop.Orders.load(Orders.java:42)\n'
vmetric() { metric "$1" "edgenode_vulnerabilities_total{class=\"$2\"}"; }
# vuln_events FILE: the vulnerability events, one per line
vuln_events() { grep '"type":"vulnerability"' "$1" 2>/dev/null; }

# ---- one node (monitoring, so attacks reach the origin), in-process store
node_cfg one 'mode: monitoring'
sed -i '/^mode: block$/d' "$TMP/one.yaml"
start_node "$TMP/one.yaml" "$TMP/one.log" || exit 1
U="http://127.0.0.1:$P"; SA=$A
check "one: the injection passes in monitoring" 200 "$(node_request "$U" "$SQLI" a1)"
check "one: its report is recorded" 200 "$(node_report "$U" /items a1 500 "$MYSQL_ERROR")"
check "one: an SQL error after an injection is a finding" 1 "$(vmetric "$SA" sql_error)"
ev=$(vuln_events "$TMP/one.events")
contains "one: event names the class" '"class":"sql_error"' "$ev"
contains "one: event names the evidence" '"evidence":"mysql_error"' "$ev"
contains "one: event names the attack" '"after_attack":"sqli"' "$ev"
contains "one: event names the endpoint" '"endpoint":"/items"' "$ev"
contains "one: event carries the request id" '"request_id":"a1"' "$ev"
case "$ev" in *"error in your SQL"*) bad "one: the event holds no body text" "$ev" ;; *) ok "one: the event holds no body text" ;; esac
check "one: a clean request" 200 "$(node_request "$U" /items?id=7 a2)"
node_report "$U" /items a2 500 "$MYSQL_ERROR" >/dev/null
check "one: the same text after a clean request is no finding" 1 "$(vmetric "$SA" sql_error)"
node_report "$U" /items zz 500 "$MYSQL_ERROR" >/dev/null
check "one: nor after an unknown request id" 1 "$(vmetric "$SA" sql_error)"
node_report "$U" /orders/9 b1 500 "$TRACE" >/dev/null
check "one: a stack trace needs no attack" 1 "$(vmetric "$SA" stack_trace)"
node_report "$U" /orders/9 b2 200 '{"id":9,"total":12.5}' >/dev/null
check "one: an ordinary answer is nothing (still 1 + 1 findings)" 2 "$(( $(vmetric "$SA" stack_trace) + $(vmetric "$SA" sql_error) ))"
check "one: two vulnerability events in all" 2 "$(vuln_events "$TMP/one.events" | wc -l | tr -d ' ')"
check "one: nothing put in the in-process store (the request table answers)" 0 "$(metric "$SA" edgenode_store_local_keys)"
stop_node "$NODE_PID"; check "one: SIGTERM exit 0" 0 "$STOP_RC"

# ---- vulnerability_rules: off
node_cfg off 'vulnerability_rules: off'
start_node "$TMP/off.yaml" "$TMP/off.log" || exit 1
U="http://127.0.0.1:$P"
node_report "$U" /orders/9 c1 500 "$TRACE" >/dev/null
check "off: no findings" 0 "$(vmetric "$A" stack_trace)"
stop_node "$NODE_PID"

# ---- a bad rule file is refused by --check-config, naming the place
printf 'version: 1\nrules:\n  - {id: a, class: nope, evidence: e, pattern: x}\n' >"$TMP/bad-vulns.yaml"
node_cfg bad "vulnerability_rules: $TMP/bad-vulns.yaml"
out=$("$NODE_BIN" --check-config "$TMP/bad.yaml" 2>&1); rc=$?
check "bad rules: --check-config exits 1" 1 "$rc"
contains "bad rules: names file, line and the bad class" "bad-vulns.yaml:3:" "$out"

# ---- two nodes sharing Redis: the request on node 1, its report on node 2
RP=$(free_port)
start_redis "$RP" || exit 1
SHARED="shared_store:
  redis: redis://127.0.0.1:$RP/0"
node_cfg n1 "$SHARED
mode: monitoring"; sed -i '/^mode: block$/d' "$TMP/n1.yaml"
start_node "$TMP/n1.yaml" "$TMP/n1.log" || exit 1; U1="http://127.0.0.1:$P"; A1=$A; PID1=$NODE_PID
node_cfg n2 "$SHARED
mode: monitoring"; sed -i '/^mode: block$/d' "$TMP/n2.yaml"
start_node "$TMP/n2.yaml" "$TMP/n2.log" || exit 1; U2="http://127.0.0.1:$P"; A2=$A; PID2=$NODE_PID
check "shared: traversal passes on node 1" 200 "$(node_request "$U1" '/download?file=../../../../etc/passwd' d1)"
check "shared: the attack is in Redis" 1 "$(redis-cli -p "$RP" EXISTS edgenode:attack:d1)"
node_report "$U2" /download d1 200 $'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n' >/dev/null
check "shared: node 2 finds the file disclosure" 1 "$(vmetric "$A2" file_disclosure)"
contains "shared: node 2's event" '"evidence":"etc_passwd"' "$(vuln_events "$TMP/n2.events")"
check "shared: node 1 saw no report" 0 "$(vmetric "$A1" file_disclosure)"
check "shared: a clean request passes on node 1" 200 "$(node_request "$U1" /items?id=5 f1)"
check "shared: it puts nothing in Redis" 0 "$(redis-cli -p "$RP" EXISTS edgenode:attack:f1)"
c0=$(metric "$A1" edgenode_store_calls_total)
check "shared: an injection passes on node 1" 200 "$(node_request "$U1" "$SQLI" f2)"
node_report "$U1" /items f2 500 "$MYSQL_ERROR" >/dev/null
node_report "$U1" /items f1 200 '{"id":5}' >/dev/null
check "shared: its report on the same node is a finding" 1 "$(vmetric "$A1" sql_error)"
check "shared: one store call for the attack, none for the two reports" $((c0 + 1)) "$(metric "$A1" edgenode_store_calls_total)"
stop_redis
check "outage: a request still gets its verdict" 200 "$(node_request "$U1" "$SQLI" e1)"
node_report "$U1" /items e1 500 "$MYSQL_ERROR" >/dev/null
check "outage: node 1 still ties its own request to its report" 2 "$(vmetric "$A1" sql_error)"
stop_node "$PID1"; check "node 1: SIGTERM exit 0" 0 "$STOP_RC"
stop_node "$PID2"; check "node 2: SIGTERM exit 0" 0 "$STOP_RC"
