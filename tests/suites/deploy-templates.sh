#!/usr/bin/env bash
# deploy-templates.sh -- the SAM templates in the CloudFront and API Gateway bundles: the function's
# timeout fits the bundle's own time budget, memory, handlers, the distribution's association and the
# authorizer's settings follow the parameters; the release check and cfn-lint (when installed) pass
# them and refuse a broken one.
set -u
cd "$(dirname "$0")/../.."
bg=${BUNDLEGEN:-build/san/bundlegen}
. tests/lib/suite.sh
[ -x "$bg" ] || suite_abort "$bg is missing (make test builds it)"
work=$(mktemp -d /tmp/deploy-templates.XXXXXX); trap 'rm -rf "$work"' EXIT

# gen NAME PLATFORM ARGS...: generates and unpacks into $work/NAME.
gen() {
  local name=$1 id=$2; shift 2
  if "$bg" generate "$id" --out "$work/$name.zip" "$@" >/dev/null 2>"$SUITE_ERR" &&
     mkdir "$work/$name" && (cd "$work/$name" && unzip -q ../"$name".zip); then ok "$name: generated"
  else bad "$name: generate $id $*" "$SUITE_ERR"; fi
}
# facts NAME EXPR: evaluates a Python expression over the template t (a dict) and the bundle's JS source js.
facts() {
  python3 - "$work/$1" "$2" <<'PY'
import os, sys, yaml
d = sys.argv[1]
t = yaml.safe_load(open(os.path.join(d, "template.yaml")))
js = "".join(open(os.path.join(d, f)).read() for f in os.listdir(d) if f.endswith(".js"))
r = t["Resources"]
print(eval(sys.argv[2]))
PY
}

# CloudFront: default request_timeout 2s, one endpoint: 2000 + 500 ms margin -> 3 s.
gen cf-default cloudfront --endpoint https://node.example.com
same "cloudfront: timeout 3 s for one endpoint at 2s (+ 500ms margin)" 3 "$(facts cf-default 'r["ConnectorFunction"]["Properties"]["Timeout"]')"
same "cloudfront: 128 MB, index.handler, nodejs22.x" "128 index.handler nodejs22.x" \
  "$(facts cf-default '" ".join(str(r["ConnectorFunction"]["Properties"][k]) for k in ("MemorySize", "Handler", "Runtime"))')"
same "cloudfront: the handler is exported" True "$(facts cf-default '"exports.handler =" in js')"
same "cloudfront: by default viewer-request with the body, and origin-response for the report" "[('viewer-request', True), ('origin-response', None)]" \
  "$(facts cf-default '[(a["EventType"], a.get("IncludeBody")) for a in r["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["LambdaFunctionAssociations"]]')"
gen cf-noreport cloudfront --endpoint https://node.example.com --set report_response=false
same "cloudfront: report_response=false leaves viewer-request alone, and no report function" "[('viewer-request', True)] False" \
  "$(facts cf-noreport 'str([(a["EventType"], a.get("IncludeBody")) for a in r["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["LambdaFunctionAssociations"]]) + " " + str("ReportFunction" in r)')"
same "cloudfront: the role may be assumed by Lambda@Edge" True \
  "$(facts cf-default '"edgelambda.amazonaws.com" in r["ConnectorRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]')"
# At the budget: 2 x 2250ms + 500ms = 5 s, Lambda@Edge's viewer limit.
gen cf-edge cloudfront --endpoint https://a.example --endpoint https://b.example --set request_timeout=2250ms \
  --set report_response=true --set send_request_body=false
same "cloudfront: at the budget the timeout is the viewer limit, 5 s" 5 "$(facts cf-edge 'r["ConnectorFunction"]["Properties"]["Timeout"]')"
same "cloudfront: report_response adds origin-response with responseHandler; no body when send_request_body is off" \
  "[('viewer-request', False), ('origin-response', None)] index.handler index.responseHandler" \
  "$(facts cf-edge '" ".join([str([(a["EventType"], a.get("IncludeBody")) for a in r["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["LambdaFunctionAssociations"]]), r["ConnectorFunction"]["Properties"]["Handler"], r["ReportFunction"]["Properties"]["Handler"]])')"
same "cloudfront: the response handler is exported" True "$(facts cf-edge '"exports.responseHandler =" in js')"

# API Gateway: default request_timeout 1s + 1s margin -> 2 s; 3 x 3s + 1s = 10 s at the budget.
gen ag-default apigateway --endpoint https://node.example.com
same "apigateway: timeout 2 s for one endpoint at 1s (+ 1s margin)" 2 "$(facts ag-default 'r["AuthorizerFunction"]["Properties"]["Timeout"]')"
same "apigateway: REQUEST authorizer, payload 2.0, simple responses, result TTL 0" "REQUEST 2.0 True 0" \
  "$(facts ag-default '" ".join(str(r["Authorizer"]["Properties"][k]) for k in ("AuthorizerType", "AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds"))')"
same "apigateway: every route goes through the authorizer" "\$default CUSTOM" \
  "$(facts ag-default '" ".join(str(r["DefaultRoute"]["Properties"][k]) for k in ("RouteKey", "AuthorizationType"))')"
same "apigateway: the handler is exported, and answers payload 2.0 simply" "authorizer.handler True" \
  "$(facts ag-default 'r["AuthorizerFunction"]["Properties"]["Handler"] + " " + str("exports.handler =" in js and "isAuthorized" in js)')"
gen ag-edge apigateway --endpoint https://a.example --endpoint https://b.example --endpoint https://c.example --set request_timeout=3s
same "apigateway: at the budget the timeout is 10 s" 10 "$(facts ag-edge 'r["AuthorizerFunction"]["Properties"]["Timeout"]')"

# The release check passes them (cfn-lint among it, where installed) and refuses a broken template.
for n in cf-default cf-noreport cf-edge ag-default ag-edge; do
  check "$n: scripts/checks/cloudformation.sh" scripts/checks/cloudformation.sh "$work/$n/template.yaml"
done
sed 's/^Resources:/Resource:/' "$work/ag-default/template.yaml" >"$work/broken.yaml"
refuse "the check refuses a template without Resources" scripts/checks/cloudformation.sh "$work/broken.yaml"
if command -v cfn-lint >/dev/null 2>&1; then
  sed 's/MemorySize: 128/MemorySize: 12/' "$work/cf-default/template.yaml" >"$work/lint.yaml"
  refuse "cfn-lint, in the check, refuses a memory size Lambda does not offer" scripts/checks/cloudformation.sh "$work/lint.yaml"
else
  skip "cfn-lint" "not installed (it is in neither Debian nor npm): the templates' structure alone was checked"
fi
suite_end
