#!/usr/bin/env bash
# node-inventory.sh -- API discovery end to end on the ASan build: a replayed traffic mix exported as
# OpenAPI 3.1 and compared with tests/inventory/expected.json, validated by an OpenAPI 3.1 validator
# from npm; caps, a random-path flood, events; two nodes merging what they learn through a real redis-server.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
trap 'stop_redis; finish' EXIT
VALIDATE=node_modules/@seriousme/openapi-schema-validator/bin/validate-api-cli.js
for tool in redis-server node "$VALIDATE"; do
  command -v "$tool" >/dev/null || [ -f "$tool" ] || { bad "$tool is installed (scripts/deps.sh)"; exit 1; }
done

# replay URL FILE: sends every line of a traffic file (see tests/inventory/traffic.txt) to the node
replay() {
  local line method target body
  while IFS= read -r line; do
    case "$line" in '#'*|'') continue ;; attack\ *) line=${line#attack } ;; esac
    method=${line%% *}; line=${line#* }; target=${line%% *}; body=
    [ "$target" != "$line" ] && body=${line#* }
    if [ -n "$body" ]; then
      status "$1$target" --path-as-is -X "$method" -H 'X-Forwarded-Host: shop.example' -H 'Content-Type: application/json' --data-binary "$body" >/dev/null
    else
      status "$1$target" --path-as-is -X "$method" -H 'X-Forwarded-Host: shop.example' >/dev/null
    fi
  done <"$2"
}
inventory() { body "http://127.0.0.1:$1/api-inventory${2:-}"; }

# ---- one node, in-process store
node_cfg one 'mode: monitoring'
sed -i '/^mode: block$/d' "$TMP/one.yaml"
start_node "$TMP/one.yaml" "$TMP/one.log" || exit 1
U="http://127.0.0.1:$P"; SA=$A
replay "$U" tests/inventory/traffic.txt
inventory "$SA" >"$TMP/openapi.json"
out=$(python3 tests/inventory/compare.py "$TMP/openapi.json" tests/inventory/expected.json 2>&1)
check "replay: the OpenAPI document matches the expected paths, methods, parameters and types" 0 $?
[ "${out%%$'\n'*}" = "0 difference(s)" ] || echo "$out"
vout=$(node "$VALIDATE" "$TMP/openapi.json" 2>&1)
contains "replay: the document validates as OpenAPI 3.1 (@seriousme/openapi-schema-validator)" '"valid": true' "$vout"
contains "replay: openapi 3.1.0" '"openapi":	"3.1.0"' "$(cat "$TMP/openapi.json")"
contains "replay: request counts" '"x-edgenode-requests":	3' "$(cat "$TMP/openapi.json")"
check "metrics: endpoints" 11 "$(metric "$SA" edgenode_discovery_endpoints)"
check "metrics: all new in the last hour" 11 "$(metric "$SA" edgenode_discovery_new_endpoints)"
ev=$(grep '"type":"discovery"' "$TMP/one.events")
check "events: one per new endpoint" 11 "$(grep -c '"discovered":"endpoint"' <<<"$ev")"
contains "events: a new parameter of a known endpoint" '"discovered":"parameter","method":"GET","endpoint":"/api/products","parameter":"sort","in":"query"' "$ev"
case "$(cat "$TMP/openapi.json")" in *passwd*|*UNION*|*"<script"*|*'"1 OR'*) bad "attacks left nothing in the inventory" ;; *) ok "attacks left nothing in the inventory" ;; esac

# response reports: statuses and sensitive kinds of answers, by request id
status "$U/api/products/5" -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Request-Id: q1' >/dev/null
status "$U/api/products/5" -X POST -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Message: response' \
  -H 'X-Connector-Response-Status: 404' -H 'X-Connector-Request-Id: q1' --data-binary '{"owner":"eve@example.net"}' >/dev/null
doc=$(inventory "$SA" '?host=shop.example')
contains "reports: the status is listed under the request's endpoint" '"404":	{' "$doc"
contains "reports: sensitive kinds of the answer" '"x-edgenode-sensitive":	["email"]' "$doc"
contains "narrowed: the title is the host" '"title":	"shop.example"' "$doc"
contains "narrowed to another host: no paths" '"paths":	{' "$(inventory "$SA" '?host=other.example')"
check "narrowed to another host: empty" 0 "$(inventory "$SA" '?host=other.example' | grep -c '"/api')"
check "bad application: 400" 400 "$(status "http://127.0.0.1:$SA/api-inventory?application=x")"
contains "summary: JSON with hosts" '"host":	"shop.example"' "$(inventory "$SA" /summary)"

# a random-path flood: folds into one template; the inventory stops growing
flood() {
  python3 - "$1" "$2" <<'PY'
import http.client, os, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
for i in range(int(sys.argv[2])):
    c.request("GET", "/x/" + os.urandom(6).hex() + "z/" + os.urandom(4).hex() + "q", headers={"X-Forwarded-Host": "flood.example"})
    c.getresponse().read()
print("done")
PY
}
check "flood: 20000 random paths sent" done "$(flood "$P" 20000)"
fl=$(inventory "$SA" '?host=flood.example' | grep -c '"/x/')
# each level keeps INVENTORY_FOLD (32) literals: 32 under /x/, 32 under /x/{name}/, and the folded template
if [ "$fl" -le 65 ]; then ok "flood: at most two levels of 32 literals and one folded template ($fl paths)"; else bad "flood: paths bounded" "$fl"; fi
contains "flood: the rest folds into one template" '"/x/{name}/{name2}"' "$(inventory "$SA" '?host=flood.example')"
contains "flood: the folded template counts the rest" '"x-edgenode-requests":	19936,' "$(inventory "$SA" '?host=flood.example')"
stop_node "$NODE_PID"; check "one: SIGTERM exit 0" 0 "$STOP_RC"

# memory under a flood, on the release build (ASan's quarantine would hide it): flat after warm-up
node_cfg rel ''
NODE_BIN=build/edgenode start_node "$TMP/rel.yaml" "$TMP/rel.log" || exit 1
flood "$P" 5000 >/dev/null
rss1=$(metric "$A" process_resident_memory_bytes)
flood "$P" 40000 >/dev/null
rss2=$(metric "$A" process_resident_memory_bytes)
grow=$(( (${rss2%.*} - ${rss1%.*}) / 1024 ))
if [ "$grow" -lt 2048 ]; then ok "flood: 40000 more random paths grow memory by under 2 MB (${grow} KB, release build)"; else bad "flood: memory bounded" "${grow} KB"; fi
check "flood: endpoints bounded on the release build too" 65 "$(metric "$A" edgenode_discovery_endpoints)"
stop_node "$NODE_PID"

# ---- caps and off
node_cfg caps 'discovery: {max_hosts: 1, max_endpoints: 3, max_parameters: 2}'
start_node "$TMP/caps.yaml" "$TMP/caps.log" || exit 1
U="http://127.0.0.1:$P"
for i in a b c d e; do status "$U/$i?p1=1&p2=2&p3=3" -H 'X-Forwarded-Host: a.example' >/dev/null; done
status "$U/z" -H 'X-Forwarded-Host: b.example' >/dev/null
check "caps: endpoints per host" 3 "$(metric "$A" edgenode_discovery_endpoints)"
check "caps: dropped endpoints counted" 2 "$(metric "$A" 'edgenode_discovery_dropped_total{what="endpoints"}')"
check "caps: dropped parameters counted" 3 "$(metric "$A" 'edgenode_discovery_dropped_total{what="parameters"}')"
check "caps: dropped hosts counted" 1 "$(metric "$A" 'edgenode_discovery_dropped_total{what="hosts"}')"
stop_node "$NODE_PID"
node_cfg off 'discovery: {enabled: false}'
start_node "$TMP/off.yaml" "$TMP/off.log" || exit 1
status "http://127.0.0.1:$P/a" >/dev/null
check "off: nothing learnt" 0 "$(metric "$A" edgenode_discovery_endpoints)"
stop_node "$NODE_PID"

# ---- two nodes sharing Redis
RP=$(free_port)
start_redis "$RP" || exit 1
SHARED="shared_store:
  redis: redis://127.0.0.1:$RP/0
discovery: {publish_every: 200ms}"
node_cfg n1 "$SHARED"; start_node "$TMP/n1.yaml" "$TMP/n1.log" || exit 1; U1="http://127.0.0.1:$P"; A1=$A; PID1=$NODE_PID
node_cfg n2 "$SHARED"; start_node "$TMP/n2.yaml" "$TMP/n2.log" || exit 1; U2="http://127.0.0.1:$P"; A2=$A; PID2=$NODE_PID
status "$U1/v1/carts/12?coupon=x" -H 'X-Forwarded-Host: shop.example' >/dev/null
status "$U2/v1/invoices/7" -H 'X-Forwarded-Host: shop.example' >/dev/null
status "$U2/v1/carts/31?coupon=y&gift=true" -H 'X-Forwarded-Host: shop.example' >/dev/null
sleep 0.3
status "$U1/v1/ping" -H 'X-Forwarded-Host: shop.example' >/dev/null     # publishes (interval passed)
status "$U2/v1/ping" -H 'X-Forwarded-Host: shop.example' >/dev/null
status "$U1/v1/carts/12" -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Request-Id: x1' >/dev/null
status "$U2/v1/carts/12" -X POST -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Message: response' \
  -H 'X-Connector-Response-Status: 201' -H 'X-Connector-Request-Id: x1' --data-binary '{}' >/dev/null
check "shared: a report on the other replica is tied by its path (one method known there)" 0 \
  "$(metric "$A2" edgenode_discovery_unmatched_reports_total)"
status "$U2/v1/carts/13" -X DELETE -H 'X-Forwarded-Host: shop.example' >/dev/null   # node 2: GET and DELETE
status "$U1/v1/carts/12" -X DELETE -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Request-Id: x2' >/dev/null
t=$(metric "$A2" edgenode_store_round_trips_total)
status "$U2/v1/carts/12" -X POST -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Message: response' \
  -H 'X-Connector-Response-Status: 204' -H 'X-Connector-Request-Id: x2' --data-binary '' >/dev/null
check "shared: with two methods there, node 1 told it which (still no unmatched report)" 0 \
  "$(metric "$A2" edgenode_discovery_unmatched_reports_total)"
check "shared: that look-up was the report's one round trip" $((t + 1)) "$(metric "$A2" edgenode_store_round_trips_total)"
check "shared: the 204 is listed under DELETE, not GET (which has x1's 201)" "delete:204 get:201" \
  "$(inventory "$A2" '?host=shop.example' | jq -r '.paths["/v1/carts/{id}"] | [.get, .delete] | map(.responses | keys | map(select(test("^[0-9]+$"))) | join(",")) | "delete:\(.[1]) get:\(.[0])"')"
status "$U2/v1/carts/12" -X POST -H 'X-Forwarded-Host: shop.example' -H 'X-Connector-Message: response' \
  -H 'X-Connector-Response-Status: 204' -H 'X-Connector-Request-Id: x3' --data-binary '' >/dev/null
check "shared: a report of a request nobody told about stays unmatched" 1 \
  "$(metric "$A2" edgenode_discovery_unmatched_reports_total)"
sleep 0.3
status "$U2/v1/ping" -H 'X-Forwarded-Host: shop.example' >/dev/null
d1=$(inventory "$A1"); d2=$(inventory "$A2")
contains "shared: node 1 lists the status node 2 was told" '"201":	{' "$d1"
contains "shared: node 1 shows node 2's endpoint" '"/v1/invoices/{id}"' "$d1"
contains "shared: node 2 shows node 1's endpoint" '"/v1/carts/{id}"' "$d2"
contains "shared: parameters merged (gift from node 2 on node 1)" '"name":	"gift"' "$d1"
contains "shared: counts summed" '"x-edgenode-requests":	3' "$d1"
contains "shared: two replicas in the summary" '"replicas":	2' "$(inventory "$A1" /summary)"
check "shared: one key per replica" 2 "$(redis-cli -p "$RP" --scan --pattern 'edgenode:inventory:*' | wc -l | tr -d ' ')"
node "$VALIDATE" <(echo "$d1") >"$TMP/v1.out" 2>&1
contains "shared: the merged document validates" '"valid": true' "$(cat "$TMP/v1.out")"
stop_redis
check "outage: the export still answers with the local part" 200 "$(status "http://127.0.0.1:$A1/api-inventory")"
check "outage: requests keep their verdicts" 200 "$(status "$U1/v1/carts/13" -H 'X-Forwarded-Host: shop.example')"
stop_node "$PID1"; check "node 1: SIGTERM exit 0" 0 "$STOP_RC"
stop_node "$PID2"; check "node 2: SIGTERM exit 0" 0 "$STOP_RC"
