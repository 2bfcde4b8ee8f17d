#!/usr/bin/env bash
# connectors-apigee-ibm-kong.sh -- the Apigee, IBM DataPower and Kong connectors as generated: determinism, golden
# bundles, each platform's static checks, hostile values, and end to end against the real edgenode.
set -u
cd "$(dirname "$0")/../.."
export BUNDLEGEN=${BUNDLEGEN:-build/bundlegen}
lint=node_modules/.bin/apigeelint
. tests/lib/suite.sh
count() { tally "$2" "$1"; }   # count LOG NAME: a sub-runner's summary
for tool in "$BUNDLEGEN" build/edgenode $lint xmllint luac5.1 luajit luacheck lua5.1 nginx python3; do
  command -v "$tool" >/dev/null || { bad "$tool is missing (make installs the tools)"; suite_end; }
done
ids=(apigee ibm-datapower kong)
work=build/connectors-apigee-ibm-kong
rm -rf "$work"; mkdir -p "$work"
log=$work/log

# Determinism and golden bundles: generate twice with fixed parameters, compare bytes and files.
tests/golden/generate.sh "$work/a" --keep "${ids[@]}" >"$log" 2>&1 || { bad "golden parameters generate" "$log"; suite_end; }
tests/golden/generate.sh "$work/b" --keep "${ids[@]}" >"$log" 2>&1 || { bad "golden parameters generate again" "$log"; suite_end; }
for id in "${ids[@]}"; do
  check "$id: two generations are byte-identical" cmp "$work/a/$id.bundle" "$work/b/$id.bundle"
  check "$id: matches tests/golden/$id (else make golden and review the diff)" diff -r "tests/golden/$id" "$work/a/$id"
done

check "apigee, ibm, kong: report the backend's answer by default (report_response)" python3 -c '
import json, subprocess, sys
for id in sys.argv[1:]:
    d = json.loads(subprocess.run(["'"$BUNDLEGEN"'", "describe", id, "--json"], capture_output=True, check=True).stdout)
    assert [p["default"] for p in d["parameters"] if p["name"] == "report_response"] == [True], id
' apigee ibm-datapower kong
# Apigee: well-formed XML, apigeelint with no errors and no warnings on both profiles, the resource parses.
A=$work/a/apigee
while IFS= read -r f; do check "xmllint ${f#$A/}" xmllint --noout "$f"; done < <(find "$A" -name '*.xml' | sort)
# apigeelint takes seconds per run: the runs go three at a time, each into its own log.
lints=()
for d in "$A"/sharedflows/*/sharedflowbundle "$A"/proxies/*/apiproxy; do lints+=("apigeex $d"); done
lints+=("apigee $A/sharedflows/Edge-Connector-Sync-Request/sharedflowbundle" "apigee $A/proxies/edge-connector-sample/apiproxy")
# They run in the background while the other static checks go on; their results come before the e2e.
printf '%s\n' "${lints[@]}" | nl -nln | xargs -P 3 -L 1 bash -c \
  '"$0" -s "$4" -f unix.js --profile "$3" --maxWarnings 0 >"$1.$2" 2>&1; echo $? >>"$1.$2"' "$lint" "$work/lint" &
lint_pid=$!
res=("$A"/sharedflows/*/sharedflowbundle/resources/jsc/EdgeConnector.js)
check "apigee: node --check EdgeConnector.js" node --check "${res[0]}"
check "apigee: the four shared flows carry the same resource" \
  bash -c 'for f in "$@"; do cmp "$1" "$f" || exit 1; done' _ "${res[@]}"
check "apigee: the sample proxy calls the sync pair by default" \
  grep -q '<SharedFlowBundle>Edge-Connector-Sync-Request</SharedFlowBundle>' "$A/proxies/edge-connector-sample/apiproxy/policies/FC-Edge-Connector-Request.xml"
"$BUNDLEGEN" generate apigee --endpoint https://n.example.com --set mode=async --out "$work/async.zip" >"$log" 2>&1 &&
  tests/unpack.py "$work/async.zip" "$work/async" >>"$log" 2>&1
check "apigee: mode=async points the sample proxy at the async pair" \
  grep -q '<SharedFlowBundle>Edge-Connector-Async-Response</SharedFlowBundle>' "$work/async/proxies/edge-connector-sample/apiproxy/policies/FC-Edge-Connector-Response.xml"
check "apigee: the parsed flows hold the generated statuses, steps and mode" python3 - "$A" <<'PY'
import json, subprocess, sys
plan = json.loads(subprocess.run(["python3", "tests/e2e/apigee/plan.py", sys.argv[1]], capture_output=True, check=True).stdout)
assert plan["request"] == ["Edge-Connector-Sync-Request"] and plan["response"] == ["Edge-Connector-Sync-Response"], plan
sync = plan["flows"]["Edge-Connector-Sync-Request"]
assert (sync["policies"]["RF-Edge-Connector-Block"]["status"], sync["policies"]["RF-Edge-Connector-Fail"]["status"]) == (406, 502)
assert [s["name"] for s in sync["steps"]] == ["KVM-Edge-Connector", "JS-Edge-Connector", "RF-Edge-Connector-Block", "RF-Edge-Connector-Fail"]
for name, flow in plan["flows"].items():
    js = flow["policies"]["JS-Edge-Connector"]
    assert js["continueOnError"] and js["properties"] == {"mode": "inline" if "-Sync-" in name else "async"}, (name, js)
    # the time budget: 2 endpoints x (1 + retries 1) x request_timeout 750 ms + 200 ms for the script
    assert js["timeLimit"] == 3200, js
    kvm = flow["policies"]["KVM-Edge-Connector"]
    assert kvm["continueOnError"] and kvm["map"] == "edge-connector" and kvm["scope"] == "environment", kvm
    assert kvm["gets"] == [{"assignTo": "private.edge_connector.endpoints", "key": "endpoints"},
                           {"assignTo": "private.edge_connector.token", "key": "token"}], kvm
    assert list(flow["resources"]) == ["EdgeConnector.js"]
    if "-Sync-Request" not in name: assert [s["name"] for s in flow["steps"]] == ["KVM-Edge-Connector", "JS-Edge-Connector"], name
assert plan["kvms"] == {"edge-connector": {"encrypted": True, "entries": {
    "endpoints": "https://node-a.example.com https://node-b.example.com ", "token": "golden-token-0123456789"}}}, plan["kvms"]
PY
check "apigee: the endpoints and the token are in the KVM only, and no call waits with waitForComplete" python3 - "$A" <<'PY'
import glob, os, sys
for f in glob.glob(os.path.join(sys.argv[1], "sharedflows/*/sharedflowbundle/**/*"), recursive=True):
    if os.path.isfile(f):
        t = open(f, encoding="utf-8").read()
        assert "golden-token-0123456789" not in t and "node-a.example.com" not in t, f
        assert "waitForComplete" not in t, f
PY
# Without the KVM's entries (a map not created, or a KVM policy fault) nothing is sent: open passes, closed fails.
check "apigee: without the KVM the request passes when open and fails when closed, nothing sent" python3 - "${res[0]}" "$work" <<'PY'
import json, subprocess, sys
def probe(mode, closed):
    src = open(sys.argv[1], encoding="utf-8").read()
    assert 'failMode: "closed"' in src
    if not closed: src = src.replace('failMode: "closed"', 'failMode: "open"')
    t = sys.argv[2] + "/kvm-probe.js"
    open(t, "w").write(src)
    out = subprocess.run(["node", "tests/e2e/apigee/probe.js", t, mode, "PROXY_REQ_FLOW",
                          json.dumps({"private.edge_connector.endpoints": None, "private.edge_connector.token": None})],
                         capture_output=True, check=True).stdout
    return json.loads(out)
got = probe("inline", True)
assert got["sent"] == [] and got["vars"]["edge_connector.verdict"] == "fail", got
got = probe("inline", False)
assert got["sent"] == [] and got["vars"]["edge_connector.verdict"] == "pass", got
assert probe("async", True)["sent"] == []
PY
# The fault rule runs the response flow in the ERROR flow (a target 4xx/5xx): it reports, unless the
# connector itself refused the request.
check "apigee: a target error is reported from the fault rule's ERROR flow" python3 - "${res[0]}" <<'PY'
import json, subprocess, sys
def probe(v):
    out = subprocess.run(["node", "tests/e2e/apigee/probe.js", sys.argv[1], "inline", "ERROR", json.dumps(v)],
                         capture_output=True, check=True).stdout
    return json.loads(out)["sent"]
seen = {"edge_connector.request_id": "ab" * 16, "edge_connector.verdict": "pass", "edge_connector.path": "/p?q=1",
        "response.status.code": 502, "response.content": "bad gateway"}
sent = probe(seen)
assert len(sent) == 1 and sent[0]["url"] == "https://node-a.example.com/p?q=1", sent
h = sent[0]["headers"]
assert (h["X-Connector-Message"], h["X-Connector-Response-Status"], h["X-Connector-Request-Id"]) == ("response", "502", "ab" * 16), h
assert sent[0]["body"] == "bad gateway"
assert probe(dict(seen, **{"edge_connector.verdict": "block"})) == [], "a refused request must not be reported"
PY
cp -r "$A/sharedflows/Edge-Connector-Sync-Request" "$work/broken-flow"
rm "$work/broken-flow/sharedflowbundle/policies/RF-Edge-Connector-Fail.xml"
refuse "apigeelint refuses a shared flow whose step names a missing policy" "$lint" -s "$work/broken-flow/sharedflowbundle" -f unix.js

# IBM: valid YAML in IBM's policy format, both policies alike, the GatewayScript parses in strict mode.
I=$work/a/ibm-datapower
python3 tests/e2e/ibm/policies.py "$I" >"$work/ibm.json" 2>"$log" || bad "ibm: policies parse as YAML" "$log"
ibm_version=$(sed -n 's/^version: //p' platforms/ibm-datapower.yaml)
check "ibm: tls_client_profile names a DataPower object or is refused naming the parameter" bash -c '
  "$BUNDLEGEN" generate ibm-datapower --endpoint https://n.example.com --set tls_client_profile=my_profile.v2 --out "$1/p.zip" &&
  ! "$BUNDLEGEN" generate ibm-datapower --endpoint https://n.example.com --set "tls_client_profile=a b\"c" --out "$1/q.zip" 2>"$1/q.err" &&
  grep -q tls_client_profile "$1/q.err"' _ "$work"
check "ibm: policy format, names, version, settings and phases" python3 - "$work/ibm.json" "$ibm_version" <<'PY'
import json, sys
d, version = json.load(open(sys.argv[1])), sys.argv[2]
pre, post = d["pre"], d["post"]
for side, name, phase in ((pre, "edge-connector-pre", "request"), (post, "edge-connector-post", "response")):
    assert side["policy"] == "1.0.0" and side["info"]["name"] == name and side["info"]["version"] == version, side["info"]
    assert side["gateways"] == ["datapower-api-gateway"] and side["required"] == ["endpoint"]
    assert side["variables"] == {"edge_connector.phase": phase, "edge_connector.connector": "ibm-datapower/" + version}
assert pre["defaults"] == post["defaults"] and pre["source"] == post["source"] and pre["source"]
g = pre["defaults"]
assert g["endpoint"] == ["https://node-a.example.com", "https://node-b.example.com"], g["endpoint"]
assert (g["request_timeout"], g["retries"], g["retry_interval"], g["fail_mode"], g["fail_status"]) == (750, 1, 50, "closed", 502)
assert (g["block_status"], g["skip_extensions"], g["response_body_limit"]) == (406, ["css", "png", "woff2"], 8192)
assert g["block_page"] == '<html><body><h1>Blocked</h1><p>Ask "support" & quote it.</p></body></html>'
assert "connect_timeout" not in g and g["tls_client_profile"] == "edge-connector-tls", g
assert "options.sslClientProfile = C.tlsClientProfile" in pre["source"]
TYPES = {"array": list, "integer": int, "string": str, "boolean": bool}
for name, f in pre["schema"].items():   # every default has its property's type (and is an allowed value)
    v = g[name]
    assert isinstance(v, TYPES[f["type"]]) and not (f["type"] == "integer" and isinstance(v, bool)), name
    assert f["enum"] is None or v in f["enum"], name
    assert f["type"] != "array" or all(isinstance(x, str) for x in v) and f["items"] == {"type": "string"}, name
PY
python3 -c 'import json,sys; open(sys.argv[2], "w").write(json.load(open(sys.argv[1]))["pre"]["source"])' "$work/ibm.json" "$work/gatewayscript.js"
check "ibm: node --check the GatewayScript" node --check "$work/gatewayscript.js"
check "ibm: the GatewayScript parses in strict mode" bash -c '(echo "'"'use strict'"';"; cat "$1") | node --check -' _ "$work/gatewayscript.js"
printf 'var mode = 010;\n' >"$work/octal.js"
refuse "ibm: the strict-mode check refuses an octal literal" bash -c '(echo "'"'use strict'"';"; cat "$1") | node --check -' _ "$work/octal.js"

# Kong: luac, LuaJIT and luacheck clean; the rockspec names the plugin's files; the schema's defaults.
K=$work/a/kong
P=kong/plugins/edge-connector
for f in $P/handler.lua $P/schema.lua kong-plugin-edge-connector-scm-1.rockspec; do
  check "luac5.1 -p $f" luac5.1 -p "$K/$f"
  check "luajit -bl $f" bash -c 'luajit -bl "$1" >/dev/null' _ "$K/$f"
done
check "luacheck $P/handler.lua" luacheck --no-color --std ngx_lua --globals kong --no-self "$K/$P/handler.lua"
check "luacheck $P/schema.lua (generated values may make long lines)" \
  luacheck --no-color --std ngx_lua --globals kong --no-self --no-max-line-length "$K/$P/schema.lua"
sed 's/kong\.request\.get_path()/kongg.request.get_path()/' "$K/$P/handler.lua" >"$work/typo.lua"
refuse "luacheck flags a misspelt kong global" luacheck --no-color --std ngx_lua --globals kong --no-self "$work/typo.lua"
cat >"$work/rockspec.lua" <<'LUA'
local env = {}
local chunk = assert(loadfile(arg[1]))
setfenv(chunk, env)()
local dir = arg[1]:match("^(.*)/")
assert(env.package == "kong-plugin-edge-connector" and env.version == "scm-1", "package or version")
for _, m in ipairs({ "handler", "schema" }) do
  local path = assert(env.build.modules["kong.plugins.edge-connector." .. m], m)
  assert(io.open(dir .. "/" .. path), path)
end
LUA
check "kong: the rockspec loads and names both modules' files" lua5.1 "$work/rockspec.lua" "$K/kong-plugin-edge-connector-scm-1.rockspec"
check "kong: the schema loads and its defaults pass its own field rules" \
  bash -c 'luajit tests/e2e/kong/defaults.lua "$1" tests/e2e/kong/mock >"$2"' _ "$K" "$work/kong.json"
check "kong: the schema's defaults are the generated settings" python3 - "$work/kong.json" <<'PY'
import json, sys
g = json.load(open(sys.argv[1]))
assert g["endpoints"] == ["https://node-a.example.com", "https://node-b.example.com"], g["endpoints"]
assert (g["connect_timeout"], g["request_timeout"], g["retries"], g["retry_interval"]) == (250, 750, 1, 50)
assert (g["fail_mode"], g["fail_status"], g["block_status"], g["mode"]) == ("closed", 502, 406, "inline")
assert g["block_page"] == '<html><body><h1>Blocked</h1><p>Ask "support" & quote it.</p></body></html>'
assert (g["token"], g["real_ip_header"], g["skip_extensions"]) == ("golden-token-0123456789", "X-Client-IP", ["css", "png", "woff2"])
PY
cat >"$work/parse_url.lua" <<'LUA'
local src = assert(io.open(arg[1])):read("*a")
local parse_url = assert(loadstring(src:match("(local function parse_url.-\nend\n)") .. "return parse_url"))()
local want = {
  ["http://127.0.0.1:5050"] = { "http", "127.0.0.1", 5050, "" },
  ["https://node.example.com/a/b/"] = { "https", "node.example.com", 443, "/a/b" },
  ["http://[::1]:5050/x"] = { "http", "::1", 5050, "/x" },
  ["https://[2001:db8::1]"] = { "https", "2001:db8::1", 443, "" },
}
for url, w in pairs(want) do
  local got = { parse_url(url) }
  for i = 1, 4 do assert(got[i] == w[i], url .. ": part " .. i .. " is " .. tostring(got[i])) end
end
assert(parse_url("ftp://x") == nil)
LUA
check "kong: endpoint URLs split into scheme, host (IPv6 too), port and base path" \
  luajit "$work/parse_url.lua" "$K/$P/handler.lua"
mkdir -p "$work/badschema/$P"
sed 's/between = { 400, 599 } } },$/between = { 400, 401 } } },/' "$K/$P/schema.lua" >"$work/badschema/$P/schema.lua"
refuse "kong: the defaults check refuses a default outside its field's range" \
  luajit tests/e2e/kong/defaults.lua "$work/badschema" tests/e2e/kong/mock

# Hostile values: refused naming the parameter, or unchanged where each platform reads them.
mkdir -p "$work/hostile"
python3 - "$work/hostile" >"$work/hostile.log" 2>&1 <<'PY'
import json, os, subprocess, sys
work = sys.argv[1]
NASTY = "q\" a' b\\ n\n r\r ls\u2028 ps\u2029 </script><!-- ${x} `t` {{x}} ]] ]]> --[[ \x01\x1f\x7f é 日本 😀"
TEXT = NASTY.replace("\x01\x1f\x7f ", "\t").replace(" r\r", "")   # what a text parameter accepts
CASES = [  # parameter, value; accepted values must come out unchanged
    ("block_page", NASTY), ("block_page", TEXT), ("block_page", "{request.header.cookie} $(request.path) @x# {{=<% %>=}}"),
    ("block_page", "</RaiseFault><![CDATA[x]]><?xml?>&amp;\n- key: value\n# not a comment"),
    ("token", "abc+/=def~._-0123456789"), ("token", 'abcdefghijklmnop"+alert(1)+"'), ("token", "abcdefghijklmnop\nX-Evil: 1"),
    ("endpoint", "https://node.example.com/a\"b'c\\d"), ("endpoint", "https://node.example.com/]]x"),
    ("real_ip_header", 'X-IP"+x+"'), ("host_header", "Host\r\nX-Evil: 1"), ("skip_extensions", 'css",x,"'),
    ("mode", 'inline";x;"'), ("fail_status", "503 or 1"), ("block_status", "600"),
]
passed = failed = 0
def check(name, cond, detail=""):
    global passed, failed
    if cond: passed += 1; print("ok - " + name)
    else: failed += 1; print("not ok - " + name + (": " + detail if detail else ""))
def read(id, d):
    if id == "kong":
        out = subprocess.run(["luajit", "tests/e2e/kong/defaults.lua", d, "tests/e2e/kong/mock"], capture_output=True, check=True)
        return json.loads(out.stdout)
    if id == "ibm-datapower":
        out = json.loads(subprocess.run(["python3", "tests/e2e/ibm/policies.py", d], capture_output=True, check=True).stdout)
        assert out["pre"]["defaults"] == out["post"]["defaults"]
        return out["pre"]["defaults"]
    res = os.path.join(d, "sharedflows/Edge-Connector-Sync-Request/sharedflowbundle/resources/jsc/EdgeConnector.js")
    return json.loads(subprocess.run(["node", "tests/e2e/apigee/probe.js", res], capture_output=True, check=True).stdout)
def seen(id, got, param):   # the value as the platform reads it
    if id != "apigee": return got.get("endpoints" if param == "endpoint" and id == "kong" else param)
    if param == "block_page": return got["vars"].get("edge_connector.body")
    if param == "token": return got["sent"][0]["headers"].get("X-Connector-Token")
    raise KeyError(param)
for n, (param, value) in enumerate(CASES):
    for id in ("apigee", "ibm-datapower", "kong"):
        out, d = os.path.join(work, "%s-%d.zip" % (id, n)), os.path.join(work, "%s-%d" % (id, n))
        args = [os.environ.get("BUNDLEGEN", "build/bundlegen"), "generate", id, "--endpoint", "https://n.example.com", "--out", out]
        args += ["--endpoint", value] if param == "endpoint" else ["--set", param + "=" + value]
        r = subprocess.run(args, capture_output=True)
        label = "%s: %s=%r" % (id, param, value[:40])
        if r.returncode != 0:
            err = r.stderr.decode("utf-8", "replace")
            check(label + " is refused naming the parameter", param in err and not os.path.exists(out), err[:200])
            continue
        subprocess.run(["tests/unpack.py", out, d], check=True)
        try: got = seen(id, read(id, d), param)
        except Exception as e: got = "unreadable: %r" % e
        check(label + " comes out unchanged", got == value, repr(got)[:200])
print("%d passed, %d failed" % (passed, failed))
PY
count "$work/hostile.log" "hostile values"

wait "$lint_pid"
n=0
for l in "${lints[@]}"; do
  n=$((n + 1))
  if [ "$(tail -n 1 "$work/lint.$n")" = 0 ]; then ok "apigeelint --profile ${l%% *} ${l#* $A/}"
  else bad "apigeelint --profile ${l%% *} ${l#* $A/}" "$work/lint.$n"; fi
done

# End to end against the real edgenode: Apigee and IBM harnesses, Kong inside nginx; Kong and IBM also
# over HTTPS (IBM through its TLS client profile); Kong's connection reuse and spooled bodies.
node tests/e2e/run.js "${ids[@]}" >"$work/e2e.log" 2>&1
count "$work/e2e.log" "tests/e2e/run.js"
for id in kong ibm-datapower; do
  node tests/e2e/tls.js $id >"$work/tls-$id.log" 2>&1
  count "$work/tls-$id.log" "tests/e2e/tls.js $id"
done
# Kong's keepalive pool, counted where the node accepts connections, and a body nginx spooled to a file.
node tests/e2e/kong/pool.js >"$work/pool.log" 2>&1
count "$work/pool.log" "tests/e2e/kong/pool.js"
suite_end
