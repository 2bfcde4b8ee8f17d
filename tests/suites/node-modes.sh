#!/usr/bin/env bash
# node-modes.sh -- edgenode (ASan build) filtration modes, deny/allow/gray lists, connector
# tokens and allowed networks, each on its own node with the shipped rules.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
trap finish EXIT

SQLI='search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--'
# run_node NAME EXTRA-YAML: starts a node on fresh ports; sets U and A
run_node() {
  local p a; p=$(free_port); a=$(free_port)
  printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nrules: %s\n%s\n' "$p" "$a" "$RULES" "$2" >"$TMP/$1.yaml"
  start_node "$TMP/$1.yaml" "$TMP/$1.log" || exit 1
  U="http://127.0.0.1:$p"; A=$a
}
done_node() { stop_node "$NODE_PID"; check "$1: SIGTERM exit 0" 0 "$STOP_RC"; }

run_node block 'mode: block'
check "block: benign" 200 "$(status "$U/users?id=3")"
check "block: attack" 403 "$(status "$U/$SQLI")"
done_node block

run_node monitoring 'mode: monitoring'
check "monitoring: attack passes" 200 "$(status "$U/$SQLI")"
contains "monitoring: attack reported in body" '"reason":"attack"' "$(body "$U/$SQLI")"
check "monitoring: attacks counted" 2 "$(metric "$A" 'edgenode_attacks_total{class="sqli",application="-1"}')"
check "monitoring: nothing blocked" 0 "$(metric "$A" 'edgenode_blocked_total{reason="attack"}')"
done_node monitoring

run_node off 'mode: off'
check "off: attack passes" 200 "$(status "$U/$SQLI")"
check "off: counted as bypassed" 1 "$(metric "$A" 'edgenode_bypassed_total{reason="mode_off"}')"
check "off: not analysed" 0 "$(metric "$A" 'edgenode_analysis_seconds_count')"
done_node off

run_node safe 'mode: safe_blocking
graylist: [192.0.2.0/24]
denylist: [198.51.100.0/24]
allowlist: [203.0.113.0/24]'
check "safe_blocking: attack from a plain address passes" 200 "$(status "$U/$SQLI" -H 'X-Real-IP: 10.9.9.9')"
check "safe_blocking: attack from a graylisted address" 403 "$(status "$U/$SQLI" -H 'X-Real-IP: 192.0.2.44')"
check "safe_blocking: benign from a graylisted address" 200 "$(status "$U/users" -H 'X-Real-IP: 192.0.2.44')"
check "denylisted address blocked without an attack" 403 "$(status "$U/users" -H 'X-Real-IP: 198.51.100.2')"
contains "denylist reason in body" '"reason":"denylist"' "$(body "$U/users" -H 'X-Real-IP: 198.51.100.2')"
check "allowlisted address never blocked" 200 "$(status "$U/$SQLI" -H 'X-Real-IP: 203.0.113.8')"
check "safe_blocking: blocked by denylist counted" 2 "$(metric "$A" 'edgenode_blocked_total{reason="denylist"}')"
done_node safe

run_node mon_deny 'mode: monitoring
denylist: [127.0.0.0/8]'
check "monitoring: denylist still blocks" 403 "$(status "$U/users")"
done_node mon_deny

run_node filters 'mode: block
input_filters:
  bypass:
    - path: "^/static/"
    - headers: {User-Agent: "^healthcheck/"}'
check "input filter bypass by path" 200 "$(status "$U/static/$SQLI")"
check "input filter bypass by header" 200 "$(status "$U/$SQLI" -A 'healthcheck/2.1')"
check "input filter: others analysed" 403 "$(status "$U/$SQLI" -A 'Mozilla/5.0')"
check "bypass counted" 2 "$(metric "$A" 'edgenode_bypassed_total{reason="input_filters"}')"
done_node filters

run_node tokens 'mode: block
tokens: [first-secret-0123456789, second-secret-0123456789]'
check "token missing: 401" 401 "$(status "$U/users")"
check "token wrong: 401" 401 "$(status "$U/users" -H 'X-Connector-Token: first-secret-012345678X')"
check "token wrong attack not analysed" 401 "$(status "$U/$SQLI" -H 'X-Connector-Token: nope')"
check "first token accepted" 200 "$(status "$U/users" -H 'X-Connector-Token: first-secret-0123456789')"
check "second (rotated) token accepted" 403 "$(status "$U/$SQLI" -H 'X-Connector-Token: second-secret-0123456789')"
check "token rejections counted" 3 "$(metric "$A" 'edgenode_rejected_total{reason="token"}')"
check "only the two accepted messages analysed" 2 "$(metric "$A" 'edgenode_analysis_seconds_count')"
done_node tokens

run_node networks 'mode: block
allowed_networks: [10.0.0.0/8, "2001:db8::/32"]'
before=$(metric "$A" 'edgenode_rejected_total{reason="network"}')   # the start probe counts too
curl -s -o /dev/null --max-time 5 "$U/users"; rc=$?
check "outside allowed_networks: closed without an answer (curl 52/56)" yes "$([ $rc -eq 52 ] || [ $rc -eq 56 ] && echo yes || echo "no ($rc)")"
check "network rejections counted" $((before + 1)) "$(metric "$A" 'edgenode_rejected_total{reason="network"}')"
check "no message was seen" 0 "$(metric "$A" 'edgenode_requests_total{type="request",mode="block"}')"
done_node networks
