#!/usr/bin/env bash
# connectors-mule-flex-azure.sh -- Mule Gateway, Flex Gateway and Azure API Management bundles: determinism,
# golden files, parsers and schemas, connector.rs under cargo test, lib.rs type-checked against a PDK
# stand-in, Azure C# expressions compiled (mcs) and run (mono), hostile values, refusals.
set -u
cd "$(dirname "$0")/../.."
REPO=$PWD
BG=${BUNDLEGEN_SAN:-$REPO/build/san/bundlegen}
[ -x "$BG" ] || BG=$REPO/build/bundlegen
E=$REPO/tests/e2e
W=$(mktemp -d /tmp/mule-flex-azure.XXXXXX)
trap 'rm -rf "$W"' EXIT
CARGO_WORK=${FLEX_CARGO_WORK:-$REPO/build/flex-cargo}   # kept between runs: cargo builds incrementally
. tests/lib/suite.sh

# gen NAME ID ARGS...: generates $W/NAME.zip and unpacks it into $W/NAME.
gen() {
  local name=$1 id=$2; shift 2
  rm -rf "${W:?}/$name"
  if "$BG" generate "$id" "$@" --out "$W/$name.zip" >"$W/out" 2>"$W/err" &&
     mkdir -p "$W/$name" && python3 -m zipfile -e "$W/$name.zip" "$W/$name" 2>>"$W/err"; then
    ok "$name: generates"
  else
    bad "$name: generate $id failed" "$(cat "$W/err")"
  fi
}
# refused NAME PARAM ID ARGS...: generation fails, names PARAM, and leaves no file behind.
refused() {
  local name=$1 param=$2 id=$3; shift 3
  rm -f "$W/refused.zip"
  if "$BG" generate "$id" "$@" --out "$W/refused.zip" >"$W/out" 2>"$W/err"; then
    bad "$name: accepted" "$(cat "$W/out")"
  elif ! grep -q -- "$param" "$W/err"; then
    bad "$name: error does not name $param" "$(cat "$W/err")"
  elif [ -e "$W/refused.zip" ]; then
    bad "$name: left a file behind"
  else
    ok "$name: refused, naming $param"
  fi
}
fails() { refuse "$@"; }   # fails NAME CMD...: a checker catches a planted defect
# expect NAME JSONFILE PYEXPR: PYEXPR is true with d = the file's JSON and env = the environment.
expect() {
  local name=$1 file=$2 expr=$3
  if python3 - "$file" "$expr" >"$W/expect.out" 2>&1 <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
env = os.environ
if not eval(sys.argv[2]):
    print("false:", sys.argv[2]); print(json.dumps(d, sort_keys=True)[:1500]); sys.exit(1)
PY
  then ok "$name"; else bad "$name" "$(cat "$W/expect.out")"; fi
}
facts() { python3 "$E/mule/facts.py" "$1" "$W/$2" >"$W/$2.json" 2>"$W/err" || { cat "$W/err"; return 1; }; }
apim() { python3 "$E/azure-apim/apim_check.py" "$W/$1" >"$W/$1.json" 2>"$W/err" || { cat "$W/err"; return 1; }; }
xml_ok() { local f; for f in "$@"; do xmllint --noout "$f" || return 1; done; }
xsd_ok() { local f; for f in "$@"; do xmllint --noout --schema "$E/azure-apim/apim-fragment.xsd" "$f" || return 1; done; }
rust_ok() { local f; for f in "$@"; do rustfmt --edition 2021 --emit stdout <"$f" >/dev/null || return 1; done; }
# cargo_test NAME BUNDLE: builds and tests the bundle's connector.rs on the host; dump in $W/BUNDLE.dump.json.
cargo_test() {
  local name=$1 b=$2 out
  out=$("$E/flex/flex-test.sh" "$W/$b/edge-connector/src/connector.rs" "$CARGO_WORK" "$W/$b.dump.json" 2>&1)
  local rc=$? line
  line=$(echo "$out" | grep -E '^test result: .* [1-9][0-9]* passed' | head -n 1)
  if [ $rc -eq 0 ] && [ -n "$line" ] && ! echo "$out" | grep -q '^warning'; then
    ok "$name: cargo test (${line#test result: })"
  else
    bad "$name: cargo test failed or warned" "$out"
  fi
}
# glue BUNDLE: src/lib.rs type-checks against the PDK stand-in with no warning.
glue() {
  local out rc
  out=$("$E/flex/flex-glue.sh" "$W/$1/edge-connector" "$CARGO_WORK" 2>&1); rc=$?
  echo "$out"
  [ $rc -eq 0 ] && ! echo "$out" | grep -qE '^(warning|error)'
}
EP1=https://node-a.example.com
EP2="https://node-b.example.com:5050/x'y&z\$(a)*+;=:@!~"
export EP1 EP2

# ---- determinism and golden files
for id in azure-apim flex mule; do
  "$BG" generate "$id" --endpoint "$EP1" --endpoint "$EP2" --set token=abcdefghijklmnop0123 --out "$W/$id-1.zip" >/dev/null 2>&1
  "$BG" generate "$id" --endpoint "$EP1" --endpoint "$EP2" --set token=abcdefghijklmnop0123 --out "$W/$id-2.zip" >/dev/null 2>&1
  if [ -s "$W/$id-1.zip" ] && cmp -s "$W/$id-1.zip" "$W/$id-2.zip"; then ok "$id: two generations, same bytes"
  else bad "$id: generations differ or failed"; fi
done
if BUNDLEGEN=$BG "$REPO/tests/golden-gateways.sh" "$W/golden" >"$W/err" 2>&1; then
  for id in azure-apim flex mule; do
    if diff -r "$REPO/tests/golden/$id" "$W/golden/$id" >"$W/diff" 2>&1; then ok "$id: matches tests/golden/$id"
    else bad "$id: differs from tests/golden/$id (make golden, then review the diff)" "$(cat "$W/diff")"; fi
  done
else
  bad "golden.sh failed" "$(cat "$W/err")"
fi

# ---- Azure API Management
check "mule, flex, azure: report the backend's answer by default (report_response)" python3 -c '
import json, subprocess, sys
for id in sys.argv[1:]:
    d = json.loads(subprocess.run(["'"$BG"'", "describe", id, "--json"], capture_output=True, check=True).stdout)
    assert [p["default"] for p in d["parameters"] if p["name"] == "report_response"] == [True], id
' mule flex azure-apim
gen az-default azure-apim --endpoint "$EP1"
check "az-default: fragments are well-formed XML" xml_ok "$W"/az-default/*.xml
check "az-default: fragments follow the policy schema (xmllint --schema)" xsd_ok "$W"/az-default/*.xml
check "az-default: sizes, named values and C# expressions (mcs)" apim "az-default"
expect "az-default: block and fail statuses and the fail mode are named values (fail open)" "$W/az-default.json" \
  'd["fragments"]["edge-connector-sync-request.xml"]["statuses"] == ["403", "503"] and d["fragments"]["edge-connector-async-request.xml"]["statuses"] == [] and d["named_values"]["edge-connector-fail-mode"] == "open" and (d["named_values"]["edge-connector-block-status"], d["named_values"]["edge-connector-fail-status"]) == ("403", "503") and d["fragments"]["edge-connector-sync-request.xml"]["variables"]["cnFailMode"] == "fail: {{edge-connector-fail-mode}}"'
expect "az-default: modes and connector id" "$W/az-default.json" \
  'd["fragments"]["edge-connector-sync-request.xml"]["variables"]["cnMode"] == "inline" and d["fragments"]["edge-connector-async-request.xml"]["variables"]["cnMode"] == "async" and d["fragments"]["edge-connector-sync-request.xml"]["variables"]["cnConnector"] == "azure-apim/1.1.0"'
expect "az-default: no token; the response fragments report by default" "$W/az-default.json" \
  'd["secret"] == [] and "edge-connector-token" not in d["named_values"] and d["fragments"]["edge-connector-sync-response.xml"]["expressions"] > 0'
expect "az-default: endpoints named value" "$W/az-default.json" 'd["named_values"]["edge-connector-endpoints"].split() == [env["EP1"]]'

gen az-full azure-apim --endpoint "$EP1" --endpoint "$EP2" --set fail_mode=closed --set fail_status=599 \
  --set block_status=451 --set report_response=true --set send_response_body=true --set send_request_body=false \
  --set token=abc.DEF_ghi~jkl+mno/pq= --set skip_extensions=css,js --set real_ip_header=X-Client-IP --set host_header=X-Orig-Host
check "az-full: fragments are well-formed XML" xml_ok "$W"/az-full/*.xml
check "az-full: fragments follow the policy schema (xmllint --schema)" xsd_ok "$W"/az-full/*.xml
check "az-full: sizes, named values and C# expressions (mcs)" apim "az-full"
expect "az-full: block and fail statuses, fail mode closed" "$W/az-full.json" 'd["fragments"]["edge-connector-sync-request.xml"]["statuses"] == ["451", "599"] and d["named_values"]["edge-connector-fail-mode"] == "closed"'
expect "az-full: token is a secret named value, unchanged" "$W/az-full.json" \
  'd["secret"] == ["edge-connector-token"] and d["named_values"]["edge-connector-token"] == "abc.DEF_ghi~jkl+mno/pq="'
expect "az-full: hostile endpoint unchanged in its named value" "$W/az-full.json" \
  'd["named_values"]["edge-connector-endpoints"].split() == [env["EP1"], env["EP2"]]'
expect "az-full: header names and extensions as literal variables" "$W/az-full.json" \
  'all(d["fragments"][f]["variables"]["cnRealIpHeader"] == "header: X-Client-IP" and d["fragments"][f]["variables"]["cnHostHeader"] == "header: X-Orig-Host" and d["fragments"][f]["variables"]["cnSkipExtensions"].split() == ["exts:", "css", "js"] for f in ["edge-connector-sync-request.xml", "edge-connector-async-request.xml"])'
expect "az-full: no parameter value inside a C# expression" "$W/az-full.json" \
  'all(v not in d["expression_text"] for v in ["X-Client-IP", "X-Orig-Host", "css", "node-a", "abc.DEF", "azure-apim/"]) and "451" not in d["expression_text"]'
expect "az-full: both response fragments report" "$W/az-full.json" \
  'all(d["fragments"][f]["expressions"] > 0 and "X-Connector-Response-Status" in d["fragments"][f]["header_names"] for f in ["edge-connector-sync-response.xml", "edge-connector-async-response.xml"])'

export PAGE_AZ=$'<p class="a" id=\'b\'>Quote " \' back\\slash \\" \\u0041\n\r\ttab \u2028 \u2029 </script> ]]> ${x} #[y] %s `id` \u0085 \ufeff \xf0\x9f\x92\xa5</p>'
gen az-hostile azure-apim --endpoint "$EP1" --set "block_page=$PAGE_AZ"
check "az-hostile: checks pass" apim "az-hostile"
expect "az-hostile: block page unchanged in its named value" "$W/az-hostile.json" \
  'd["named_values"]["edge-connector-block-page"] == env["PAGE_AZ"]'
refused "az: block page starting with @(" block_page azure-apim --endpoint "$EP1" --set 'block_page=@(context.Deployment.Region)'
refused "az: block page starting with blanks and @{" block_page azure-apim --endpoint "$EP1" --set $'block_page= \n @{ return 1; }'
refused "az: block page with a named value reference" block_page azure-apim --endpoint "$EP1" --set 'block_page=<p>{{edge-connector-token}}</p>'
refused "az: block page over 4096 characters" block_page azure-apim --endpoint "$EP1" --set "block_page=$(head -c 4097 /dev/zero | tr '\0' x)"

# The largest fragments: every list and header at its maximum, every feature on.
exts=$(for i in $(seq 1 100); do printf 'e%09d,' "$i"; done); exts=${exts%,}
long=$(head -c 64 /dev/zero | tr '\0' H)
gen az-max azure-apim --endpoint "$EP1" --set fail_mode=closed --set report_response=true --set send_response_body=true \
  --set "skip_extensions=$exts" --set "real_ip_header=$long" --set "host_header=$long" \
  --set "token=$(head -c 256 /dev/zero | tr '\0' t)" --set "block_page=$(head -c 4096 /dev/zero | tr '\0' '>')"
check "az-max: every fragment under 32 KB, expressions compile" apim "az-max"
check "az-max: fragments follow the policy schema" xsd_ok "$W"/az-max/*.xml
largest=$(python3 -c 'import json,sys; print(max(f["bytes"] for f in json.load(open(sys.argv[1]))["fragments"].values()))' "$W/az-max.json" 2>/dev/null)
if [ -n "$largest" ] && [ "$largest" -le 32768 ]; then ok "az-max: largest fragment $largest of 32768 bytes"
else bad "az-max: largest fragment ${largest:-unknown} bytes"; fi

# The expressions run under mono against a fake context (tests/e2e/azure-apim/ApimRun.cs names the settings).
gen az-run azure-apim --endpoint https://node-a.example.com/ --endpoint "$EP2" --set retries=1 --set request_timeout=1500ms \
  --set request_body_limit=5 --set response_body_limit=3 --set skip_extensions=css,js --set real_ip_header=X-Client-IP \
  --set host_header=X-Orig-Host --set fail_mode=closed --set report_response=true --set send_response_body=true
python3 "$E/azure-apim/apim_check.py" --run "$E/azure-apim/ApimRun.cs" "$W/az-run" >/dev/null 2>"$W/run.out"; rc=$?
sed -n '/^[0-9]* passed, [0-9]* failed$/!s/^/    /p' "$W/run.out"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$W/run.out")
[ -n "$summary" ] && echo "apim-expressions: $summary"
if [ $rc -eq 0 ] && [ -n "$summary" ]; then ok "az-run: the policy expressions behave under mono ($summary)"
else bad "az-run: the policy expressions misbehave" "$(tail -n 5 "$W/run.out")"; fi
cp -r "$W/az-run" "$W/az-run-broken"
sed -i 's/\* (1 + 1))/* (1 + 2))/' "$W/az-run-broken/edge-connector-sync-request.xml"
fails "the expression tests catch a retry count off by a round" python3 "$E/azure-apim/apim_check.py" --run "$E/azure-apim/ApimRun.cs" "$W/az-run-broken"
cp -r "$W/az-default" "$W/az-broken"
sed -i 's/answer.StatusCode/answer.StatusCod/' "$W/az-broken/edge-connector-sync-request.xml"
fails "apim_check catches a C# expression that does not compile" apim az-broken
cp -r "$W/az-default" "$W/az-broken2"
sed -i 's/cnStatus/{{undeclared-value}}/' "$W/az-broken2/edge-connector-sync-request.xml"
fails "apim_check catches an undeclared named value" apim az-broken2
sed -i 's/<fragment>/<fragment><fragment>/' "$W/az-broken/edge-connector-async-request.xml"
cp -r "$W/az-default" "$W/az-broken3"
sed -i 's/exists-action="delete"/exists-action="remove"/' "$W/az-broken3/edge-connector-sync-request.xml"
fails "the policy schema catches an attribute value APIM does not know" xsd_ok "$W/az-broken3/edge-connector-sync-request.xml"
sed -i 's/<set-variable name="cnMode"/<set-varible name="cnMode"/' "$W/az-broken3/edge-connector-async-request.xml"
fails "the policy schema catches a misspelt policy" xsd_ok "$W/az-broken3/edge-connector-async-request.xml"
fails "xmllint catches a broken fragment" xml_ok "$W/az-broken/edge-connector-async-request.xml"

# ---- Mule Gateway
gen mule-default mule --endpoint "$EP1"
check "mule-default: pom.xml and template.xml are well-formed XML" \
  xml_ok "$W/mule-default/edge-connector/pom.xml" "$W/mule-default/edge-connector/src/main/mule/template.xml"
check "mule-default: YAML definition valid, properties agree with template.xml, schema-known elements, balanced DataWeave" facts mule mule-default
expect "mule-default: project coordinates" "$W/mule-default.json" \
  'd["group_id"] == "BUSINESS_GROUP_ID" and d["artifact_id"] == "edge-connector" and d["version"] == "1.1.0" and d["packaging"] == "mule-policy" and "maven.anypoint.mulesoft.com" in d["exchange_url"]'
expect "mule-default: settings of the real policy with its timeouts" "$W/mule-default.json" \
  'd["properties"]["connectTimeout"] == 1000 and d["properties"]["requestTimeout"] == 5000 and d["properties"]["maxRetries"] == 0 and d["properties"]["failOpen"] is True and d["properties"]["analyzeResponse"] is True and d["properties"]["hostExpression"].startswith("#[") and d["properties"]["ipExpression"].startswith("#[")'
expect "mule-default: bodies through dw::util::Coercions (toBinary, toString), no encoding coercions" "$W/mule-default.json" \
  'd["coercions"] == ["toBinary", "toString"]'
expect "mule-default: inline, connector id, fail-closed branch" "$W/mule-default.json" \
  'd["modes"] == ["inline"] and d["x_connector"] == ["mule/1.1.0"] and d["fail_closed_branch"] and d["sensitive"] == ["token"]'

gen mule-async mule --endpoint "$EP1" --endpoint "$EP2" --set mode=async --set fail_mode=closed --set report_response=true \
  --set send_response_body=true --set retries=3 --set retry_interval=250ms --set token=abc.DEF_ghi~jkl+mno/pq= \
  --set skip_extensions=css,js --set real_ip_header=X-Client-IP --set host_header=X-Orig-Host --set anypoint_region=eu \
  --set business_group=7f3a-Org.unit_1
check "mule-async: well-formed XML" \
  xml_ok "$W/mule-async/edge-connector/pom.xml" "$W/mule-async/edge-connector/src/main/mule/template.xml"
check "mule-async: YAML definition valid, properties agree with template.xml" facts mule mule-async
expect "mule-async: async copy, no fail-closed answer" "$W/mule-async.json" \
  'd["modes"] == ["async"] and d["async_scope"] == 2 and not d["fail_closed_branch"]'
expect "mule-async: EU exchange and business group" "$W/mule-async.json" \
  'd["group_id"] == "7f3a-Org.unit_1" and "maven.eu1.anypoint.mulesoft.com" in d["exchange_url"]'
expect "mule-async: property defaults from the parameters, no failure settings" "$W/mule-async.json" \
  '(lambda p: p["nodeUrls"].split() == [env["EP1"], env["EP2"]] and p["maxRetries"] == 3 and p["retryInterval"] == 250 and "failOpen" not in p and "failStatus" not in p and p["analyzeResponse"] is True and p["sendResponseBody"] is True and p["token"] == "abc.DEF_ghi~jkl+mno/pq=" and p["skipExtensions"].split() == ["css", "js"] and "X-Orig-Host" in p["hostExpression"] and "X-Client-IP" in p["ipExpression"])(d["properties"])'

export PAGE_MULE=$'<p class="a" id=\'b\'>Quote " \' back\\slash \\" \n\r\ttab \u2028 \u2029 </script> ]]> %s `id` $x #x {y} \u0085 \ufeff \xf0\x9f\x92\xa5</p>'
gen mule-hostile mule --endpoint "$EP1" --set "block_page=$PAGE_MULE"
check "mule-hostile: well-formed XML" xml_ok "$W/mule-hostile/edge-connector/src/main/mule/template.xml"
check "mule-hostile: facts" facts mule mule-hostile
expect "mule-hostile: block page unchanged when template.xml is parsed" "$W/mule-hostile.json" 'd["block_page"] == env["PAGE_MULE"]'
refused "mule: block page with a DataWeave expression" block_page mule --endpoint "$EP1" --set 'block_page=#[java!java::lang::System::exit(1)]'
refused "mule: block page with a property placeholder" block_page mule --endpoint "$EP1" --set 'block_page=<p>${secure::key}</p>'
refused "mule: block page with a policy template variable" block_page mule --endpoint "$EP1" --set 'block_page=<p>{{{token}}}</p>'
refused "mule: block page with a control character" block_page mule --endpoint "$EP1" --set $'block_page=a\x01b'
refused "mule: business group with markup" business_group mule --endpoint "$EP1" --set 'business_group=a</groupId><x>'
refused "mule: business group with a quote" business_group mule --endpoint "$EP1" --set 'business_group=a"b'
refused "mule: unknown Anypoint region" anypoint_region mule --endpoint "$EP1" --set anypoint_region=apac
refused "mule: host header that would leave its DataWeave string" host_header mule --endpoint "$EP1" --set "host_header=x']++(evil)++['"

# What mule-maven-plugin checks of a mule-policy project (the rules and their sources are in facts.py):
# each mutation of the default bundle must be refused, naming the reason.
# mule_mutate PYTHON: copies mule-default to mule-mutant and runs PYTHON in its edge-connector/ folder
# (with json, os and the helpers sub(FILE, OLD, NEW) and js(FILE, FUNC)).
# mule_mutant NAME REASON PYTHON: mule_mutate PYTHON, then facts must fail naming REASON.
mule_mutate() {
  rm -rf "$W/mule-mutant"; cp -r "$W/mule-default" "$W/mule-mutant"
  (cd "$W/mule-mutant/edge-connector" && python3 -c '
import json, os, re, sys
def sub(f, old, new):
    t = open(f, encoding="utf-8").read()
    assert old in t, (f, old)
    open(f, "w", encoding="utf-8").write(t.replace(old, new, 1))
def js(f, fn):
    d = json.load(open(f, encoding="utf-8")); fn(d); json.dump(d, open(f, "w", encoding="utf-8"))
exec(sys.argv[1])' "$1") >"$W/mutant.err" 2>&1
}
mule_mutant() {
  local name=$1 reason=$2 code=$3
  if ! mule_mutate "$code"; then
    bad "mule plugin rule, $name: the mutation did not apply" "$W/mutant.err"
  elif facts mule mule-mutant >"$W/mutant.out" 2>&1; then
    bad "mule plugin rule, $name: accepted"
  elif ! grep -q -- "$reason" "$W/mutant.out"; then
    bad "mule plugin rule, $name: refused without naming $reason" "$W/mutant.out"
  else
    ok "mule plugin rule, $name: refused"
  fi
}
mule_mutant "template.xml missing" "src/main/mule/template.xml should be present" 'os.remove("src/main/mule/template.xml")'
mule_mutant "mule-artifact.json missing" "mule-artifact.json should be present" 'os.remove("mule-artifact.json")'
mule_mutant "definition not named after the artifactId" "edge-policy.yaml should be present" \
  'sub("pom.xml", "<artifactId>edge-connector</artifactId>", "<artifactId>edge-policy</artifactId>")'
mule_mutant "unknown packaging" "unknown packaging type" 'sub("pom.xml", "<packaging>mule-policy<", "<packaging>mule-polcy<")'
mule_mutant "application packaging" "not mule-policy" 'sub("pom.xml", "<packaging>mule-policy<", "<packaging>mule-application<")'
mule_mutant "version not semantic" "semantic versioning" 'sub("pom.xml", "<version>1.1.0</version>", "<version>1.1</version>")'
mule_mutant "version 0.0.0" "semantic versioning" 'sub("pom.xml", "<version>1.1.0</version>", "<version>0.0.0</version>")'
mule_mutant "definition without standalone" "'standalone'" 'sub("edge-connector.yaml", "standalone: true\n", "")'
mule_mutant "definition without providedCharacteristics" "'providedCharacteristics'" 'sub("edge-connector.yaml", "providedCharacteristics: []\n", "")'
mule_mutant "definition with a non-boolean resourceLevelSupported" "'resourceLevelSupported'" \
  'sub("edge-connector.yaml", "resourceLevelSupported: true", "resourceLevelSupported: sometimes")'
mule_mutant "configuration property without type" "'type'" 'sub("edge-connector.yaml", "    type: int\n", "")'
mule_mutant "bundle descriptor with another groupId" "the groupId" \
  'js("mule-artifact.json", lambda d: d["bundleDescriptorLoader"]["attributes"].update(groupId="other.group"))'
mule_mutant "bundle descriptor with another version" "the version" \
  'js("mule-artifact.json", lambda d: d["bundleDescriptorLoader"]["attributes"].update(version="9.9.9"))'
mule_mutant "bundle descriptor with an application classifier" "bundleDescriptorLoader classifier" \
  'js("mule-artifact.json", lambda d: d["bundleDescriptorLoader"]["attributes"].update(classifier="mule-application"))'
mule_mutant "bundle descriptor with type zip" "bundleDescriptorLoader type" \
  'js("mule-artifact.json", lambda d: d["bundleDescriptorLoader"]["attributes"].update(type="zip"))'
mule_mutant "exported resources" "exportedResources" \
  'js("mule-artifact.json", lambda d: d["classLoaderModelLoaderDescriptor"]["attributes"].update(exportedResources=["a.txt"]))'
mule_mutant "exported packages" "exportedPackages" \
  'js("mule-artifact.json", lambda d: d["classLoaderModelLoaderDescriptor"]["attributes"].update(exportedPackages=["org.x"]))'
mule_mutant "configs beyond template.xml" "configs" 'js("mule-artifact.json", lambda d: d.update(configs=["template.xml", "other.xml"]))'
mule_mutant "no minMuleVersion" "minMuleVersion" 'js("mule-artifact.json", lambda d: d.pop("minMuleVersion"))'
mule_mutant "minMuleVersion not semantic" "minMuleVersion" 'js("mule-artifact.json", lambda d: d.update(minMuleVersion="4.4"))'
mule_mutant "unknown requiredProduct" "requiredProduct" 'js("mule-artifact.json", lambda d: d.update(requiredProduct="MULE_CE"))'
mule_mutant "a policy dependency not provided" "not allowed" \
  'sub("pom.xml", "<classifier>mule-plugin</classifier>", "<classifier>mule-policy</classifier>")'
mule_mutant "a domain bundle dependency" "not allowed" \
  'sub("pom.xml", "<classifier>mule-plugin</classifier>", "<classifier>mule-domain-bundle</classifier><scope>provided</scope>")'
mule_mutant "an MUnit dependency outside scope test" "should have scope test" \
  'sub("pom.xml", "<groupId>org.mule.connectors</groupId>", "<groupId>com.mulesoft.munit</groupId>")'
# The other side: what the plugin allows stays allowed (descriptor attributes that repeat the POM, configs
# naming template.xml, a provided mule-application dependency).
if mule_mutate 'js("mule-artifact.json", lambda d: (d["bundleDescriptorLoader"]["attributes"].update(groupId="BUSINESS_GROUP_ID", artifactId="edge-connector", version="1.1.0", classifier="mule-policy", type="jar"), d.update(configs=["template.xml"])))
sub("pom.xml", "<classifier>mule-plugin</classifier>", "<classifier>mule-application</classifier><scope>provided</scope>")'; then
  check "mule plugin rules: what mule-maven-plugin allows is accepted" facts mule mule-mutant
else bad "mule plugin rules: the allowed variant did not apply" "$W/mutant.err"; fi
cp -r "$W/mule-default" "$W/mule-broken"
sed -i 's/<\/http-policy:source>//' "$W/mule-broken/edge-connector/src/main/mule/template.xml"
fails "xmllint catches a broken template.xml" xml_ok "$W/mule-broken/edge-connector/src/main/mule/template.xml"
cp -r "$W/mule-default" "$W/mule-broken2"
sed -i 's/millisBetweenRetries=/millisBetweenRetry=/' "$W/mule-broken2/edge-connector/src/main/mule/template.xml"
fails "facts catches an attribute the Mule schema does not define" facts mule mule-broken2
cp -r "$W/mule-default" "$W/mule-broken4"
sed -i "s/dw::util::Coercions::toBinary(\(.*\), 'ISO-8859-1')$/(\1) as Binary {encoding: 'ISO-8859-1'}/" "$W/mule-broken4/edge-connector/src/main/mule/template.xml"
fails "facts refuses an as Binary {encoding} coercion" facts mule mule-broken4
cp -r "$W/mule-default" "$W/mule-broken3"
sed -i "s/splitBy ',') map lower/splitBy ',' map lower/" "$W/mule-broken3/edge-connector/src/main/mule/template.xml"
fails "facts catches an unbalanced DataWeave expression" facts mule mule-broken3
sed -i 's/{{{maxRetries}}}/{{{maxRetry}}}/' "$W/mule-default/edge-connector/src/main/mule/template.xml"
fails "facts catches a template property the definition lacks" facts mule mule-default

# ---- Flex Gateway
gen flex-default flex --endpoint "$EP1"
check "flex-default: every Rust file parses (rustfmt)" rust_ok $(find "$W/flex-default" -name '*.rs')
check "flex-default: gcl.yaml, Cargo.toml and lib.rs agree" facts flex flex-default
expect "flex-default: Cargo package and anypoint metadata" "$W/flex-default.json" \
  'd["version"] == "1.1.0" and d["anypoint"] == {"group_id": "BUSINESS_GROUP_ID", "definition_asset_id": "edge-connector", "implementation_asset_id": "edge-connector-flex"}'
expect "flex-default: gcl defaults, Flex's own response limit" "$W/flex-default.json" \
  'd["defaults"]["nodes"] == [env["EP1"]] and d["defaults"]["fallback_action"] == "pass" and d["defaults"]["response_body_limit"] == 4096 and d["defaults"]["token"] == ""'
expect "flex-default: the Makefile has the PDK project's targets" "$W/flex-default.json" \
  'd["makefile_targets"] == ["build", "build-asset-files", "help", "publish", "release", "run", "setup", "show-policy-ref-name", "test"]'
expect "flex-default: pdk from crates.io, the playground configures the generated node" "$W/flex-default.json" \
  'd["pdk"] == "1.9.0" and d["playground_nodes"] == [env["EP1"]]'
check "flex-default: make parses the Makefile and lists its targets" \
  bash -c 'make -s -C "$1" help | cut -f1 | sort | tr "\n" " " | grep -qx "build build-asset-files help publish release run setup show-policy-ref-name test "' _ "$W/flex-default/edge-connector"
cargo_test "flex-default" flex-default
check "flex-default: lib.rs type-checks against the PDK stand-in, Config from gcl.yaml" glue flex-default
expect "flex-default: compiled defaults" "$W/flex-default.dump.json" \
  'd["endpoint"] == [env["EP1"]] and d["mode"] == "inline" and d["fail_mode"] == "open" and d["connector"] == "flex/1.1.0" and d["response_body_limit"] == 4096'

export PAGE_FLEX=$'<p class="a" id=\'b\'>Quote " \' back\\slash \\" \\u{41} \\x41 "# "## r#"x"#\n\r\ttab \u2028 \u2029 </script> {} {0} {{x}} ${x} #[y] %s `id` \u0085 \ufeff \xf0\x9f\x92\xa5 */ /*</p>'
gen flex-hostile flex --endpoint "$EP1" --endpoint "$EP2" --set "block_page=$PAGE_FLEX" --set mode=async \
  --set fail_mode=closed --set token=abc.DEF_ghi~jkl+mno/pq= --set skip_extensions=css,js --set real_ip_header=X-Client-IP \
  --set host_header=X-Orig-Host --set business_group=7f3a-Org.unit_1 --set retries=5 --set request_body_limit=0
check "flex-hostile: every Rust file parses (rustfmt)" rust_ok $(find "$W/flex-hostile" -name '*.rs')
check "flex-hostile: facts" facts flex flex-hostile
expect "flex-hostile: gcl.yaml defaults unchanged" "$W/flex-hostile.json" \
  'd["defaults"]["block_page"] == env["PAGE_FLEX"] and d["defaults"]["nodes"] == [env["EP1"], env["EP2"]] and d["defaults"]["token"] == "abc.DEF_ghi~jkl+mno/pq=" and d["defaults"]["fallback_action"] == "block" and d["anypoint"]["group_id"] == "7f3a-Org.unit_1"'
cargo_test "flex-hostile" flex-hostile
check "flex-hostile: lib.rs type-checks against the PDK stand-in" glue flex-hostile
expect "flex-hostile: compiled Rust constants unchanged" "$W/flex-hostile.dump.json" \
  'd["block_page"] == env["PAGE_FLEX"] and d["endpoint"] == [env["EP1"], env["EP2"]] and d["token"] == "abc.DEF_ghi~jkl+mno/pq=" and d["skip_extensions"] == ["css", "js"] and d["real_ip_header"] == "X-Client-IP" and d["host_header"] == "X-Orig-Host" and d["mode"] == "async" and d["fail_mode"] == "closed" and d["retries"] == 5 and d["request_body_limit"] == 0'
refused "flex: business group with a TOML quote" business_group flex --endpoint "$EP1" --set 'business_group=a"b'
refused "flex: token with a quote" token flex --endpoint "$EP1" --set 'token=abcdefghijklmnop"q'
refused "flex: too short a token" token flex --endpoint "$EP1" --set token=short
refused "flex: real IP header with a newline" real_ip_header flex --endpoint "$EP1" --set $'real_ip_header=X-A\nB'
refused "flex: endpoint with a space" endpoint flex --endpoint 'https://a.example.com/a b'
refused "flex: endpoint with a query" endpoint flex --endpoint 'https://a.example.com/?x=1'

cp -r "$W/flex-default" "$W/flex-broken"
sed -i 's/^pub fn node_url(endpoint: &str, path_query: &str) -> String {/pub fn node_url(endpoint: \&str, path_query: \&str) -> String {{/' \
  "$W/flex-broken/edge-connector/src/connector.rs"
cp -r "$W/flex-default" "$W/flex-broken2"
sed -i 's/s.block_page = config.block_page.clone();/s.block_page = config.block_pages.clone();/' \
  "$W/flex-broken2/edge-connector/src/lib.rs"
if glue flex-broken2 | grep -q 'no field `block_pages`'; then ok "the glue check catches a configuration field gcl.yaml does not define"
else bad "the glue check misses a configuration field gcl.yaml does not define"; fi
fails "rustfmt catches an unclosed brace" rust_ok "$W/flex-broken/edge-connector/src/connector.rs"
cp "$W/flex-default/edge-connector/src/connector.rs" "$W/flex-broken/edge-connector/src/connector.rs"
sed -i 's/Ok((_, 403)) => Verdict::Deny {/Ok((_, 401)) => Verdict::Deny {/' "$W/flex-broken/edge-connector/src/connector.rs"
if "$E/flex/flex-test.sh" "$W/flex-broken/edge-connector/src/connector.rs" "$CARGO_WORK" "$W/broken.dump.json" >"$W/check.out" 2>&1; then
  bad "cargo test catches a verdict that no longer blocks on 403: not caught"
else
  ok "cargo test catches a verdict that no longer blocks on 403"
fi

suite_end
