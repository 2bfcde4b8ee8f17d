// host-cloudfront.js -- runs a generated Lambda@Edge bundle under lambda-local behind an HTTP port,
// as CloudFront would: viewer-request handler, then the origin, then the origin-response handler. Each
// handler is stopped at the timeout the bundle's template.yaml sets (at most Lambda@Edge's 5 s for
// viewer triggers, 30 s for origin ones), and a stopped handler gets CloudFront's 503, as a function
// error does there.
// Usage: node host-cloudfront.js BUNDLE_DIR PORT ORIGIN_URL
"use strict";
const path = require("node:path");
const lambdaLocal = require("lambda-local");
const { readBody, headerPairs, send, toOrigin, serve, functionTimeoutMs, invoke } = require("./lib.js");

const [dir, port, origin] = process.argv.slice(2);
const lambdaPath = path.resolve(dir, "index.js");
lambdaLocal.setLogger({ log: function () {}, info: function () {}, warn: function () {}, error: function () {} });

function cfHeaders(pairs) {
  const out = {};
  for (const [k, v] of pairs) (out[k.toLowerCase()] = out[k.toLowerCase()] || []).push({ key: k, value: v });
  return out;
}
function flatHeaders(cf) {
  const pairs = [];
  for (const name of Object.keys(cf || {})) for (const h of cf[name]) pairs.push([h.key || name, h.value]);
  return pairs;
}
const LIMITS = { handler: functionTimeoutMs(dir, "ConnectorFunction", 5000),
  responseHandler: functionTimeoutMs(dir, "ReportFunction", 30000) };
/** Runs a handler; null when CloudFront would have stopped it (the caller answers 503). */
async function run(handler, event) {
  const r = await invoke(lambdaLocal, { event: event, lambdaPath: lambdaPath, lambdaHandler: handler }, LIMITS[handler]);
  return r.timedOut ? null : r.out;
}
function stopped(res, handler) {
  send(res, 503, { "content-type": "text/plain", "x-harness-stopped": handler + " after " + LIMITS[handler] + " ms" },
    "503 ERROR: the Lambda function associated with the CloudFront distribution timed out\n");
}

serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const url = new URL(req.url, "http://x");
  const config = { distributionDomainName: "d111111abcdef8.cloudfront.net", distributionId: "EDFDVBD6EXAMPLE",
    eventType: "viewer-request", requestId: "harness" };
  const request = { clientIp: "203.0.113.178", headers: cfHeaders(headerPairs(req)), method: req.method,
    querystring: url.search.slice(1), uri: url.pathname };
  if (body.length) request.body = { inputTruncated: false, action: "read-only", encoding: "base64", data: body.toString("base64") };
  const out = await run("handler", { Records: [{ cf: { config: config, request: request } }] });
  if (out === null) return stopped(res, "handler");
  if (out && out.status !== undefined) {
    if (typeof out.status !== "string") throw new Error("Lambda@Edge needs status as a string");
    const h = {};
    for (const [k, v] of flatHeaders(out.headers)) h[k] = v;
    return send(res, Number(out.status), h, out.body);
  }
  const fwd = out;
  const pq = fwd.uri + (fwd.querystring ? "?" + fwd.querystring : "");
  const got = await toOrigin(origin, fwd.method, pq, flatHeaders(fwd.headers), body);
  const response = { status: String(got.status), statusDescription: "OK", headers: cfHeaders(Object.entries(got.headers)) };
  const after = await run("responseHandler", { Records: [{ cf: {
    config: Object.assign({}, config, { eventType: "origin-response" }), request: fwd, response: response } }] });
  if (after === null) return stopped(res, "responseHandler");
  const h = {};
  for (const [k, v] of flatHeaders(after.headers)) h[k] = v;
  send(res, Number(after.status), h, got.body);
});
