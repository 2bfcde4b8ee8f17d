// host-apigateway.js -- runs a generated API Gateway REQUEST authorizer under lambda-local behind an
// HTTP port: payload 2.0 events (HTTP API, simple responses), or 1.0 (REST, IAM policy) when the
// client sends X-Harness-Payload: 1.0. Allowed requests go to the origin, denied ones get 403. The
// authorizer is stopped at the timeout the bundle's template.yaml sets (at most the 10 s API Gateway
// waits), and a stopped one gets API Gateway's 500, as there.
// The function's environment (EDGE_TOKEN, EDGE_ENDPOINTS, EDGE_MODE: what the template's parameters
// set) is ENV_JSON, set before the function is loaded, as Lambda does.
// Usage: node host-apigateway.js BUNDLE_DIR PORT ORIGIN_URL [ENV_JSON]
"use strict";
const path = require("node:path");
const lambdaLocal = require("lambda-local");
const { readBody, headerPairs, send, toOrigin, serve, functionTimeoutMs, invoke } = require("./lib.js");

const [dir, port, origin, envJson] = process.argv.slice(2);
Object.assign(process.env, JSON.parse(envJson || "{}"));
const lambdaPath = path.resolve(dir, "authorizer.js");
const LIMIT = functionTimeoutMs(dir, "AuthorizerFunction", 10000);
lambdaLocal.setLogger({ log: function () {}, info: function () {}, warn: function () {}, error: function () {} });

function eventFor(req, url, pairs, v1) {
  const headers = {};
  for (const [k, v] of pairs) headers[v1 ? k : k.toLowerCase()] = v;
  if (v1) {
    const q = {}, mq = {};
    for (const [k, v] of url.searchParams) { q[k] = v; (mq[k] = mq[k] || []).push(v); }
    return { type: "REQUEST", methodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/" + req.method + url.pathname,
      resource: url.pathname, path: url.pathname, httpMethod: req.method, headers: headers,
      queryStringParameters: url.search ? q : null, multiValueQueryStringParameters: url.search ? mq : null,
      requestContext: { domainName: "abcdef123.execute-api.us-east-1.amazonaws.com", identity: { sourceIp: "203.0.113.9" } } };
  }
  return { version: "2.0", type: "REQUEST", routeArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/" + req.method + url.pathname,
    routeKey: "$default", rawPath: url.pathname, rawQueryString: url.search.slice(1), headers: headers,
    requestContext: { domainName: "abcdef123.execute-api.us-east-1.amazonaws.com",
      http: { method: req.method, path: url.pathname, protocol: "HTTP/1.1", sourceIp: "203.0.113.9" } } };
}

function allowed(v1, out) {
  if (!v1) {
    if (typeof out.isAuthorized !== "boolean") throw new Error("simple response without isAuthorized");
    return out.isAuthorized;
  }
  const st = out.policyDocument.Statement[0];
  if (st.Action !== "execute-api:Invoke") throw new Error("policy without execute-api:Invoke");
  return st.Effect === "Allow";
}

serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, "http://x");
  const pairs = headerPairs(req).filter(function (p) { return p[0].toLowerCase() !== "x-harness-payload"; });
  const v1 = req.headers["x-harness-payload"] === "1.0";
  const r = await invoke(lambdaLocal, { event: eventFor(req, url, pairs, v1), lambdaPath: lambdaPath, lambdaHandler: "handler" },
    LIMIT);
  if (r.timedOut)   // API Gateway's answer when the authorizer does not answer in time
    return send(res, 500, { "content-type": "application/json", "x-harness-stopped": "handler after " + LIMIT + " ms" },
      "{\"message\":\"Internal Server Error\"}");
  const out = r.out;
  if (!allowed(v1, out)) return send(res, 403, { "content-type": "application/json" }, "{\"message\":\"Forbidden\"}");
  const got = await toOrigin(origin, req.method, url.pathname + url.search, pairs, body);
  send(res, got.status, got.headers, got.body);
});
