// host-cloudfront.js -- runs a generated Lambda@Edge bundle under lambda-local behind an HTTP port,
// as CloudFront would: viewer-request handler, then the origin, then the origin-response handler.
// Usage: node host-cloudfront.js BUNDLE_DIR PORT ORIGIN_URL
"use strict";
const path = require("node:path");
const lambdaLocal = require("lambda-local");
const { readBody, headerPairs, send, toOrigin, serve } = require("./lib.js");

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
function run(handler, event) {
  return lambdaLocal.execute({ event: event, lambdaPath: lambdaPath, lambdaHandler: handler, timeoutMs: 30000,
    verboseLevel: 0 });
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
  const h = {};
  for (const [k, v] of flatHeaders(after.headers)) h[k] = v;
  send(res, Number(after.status), h, got.body);
});
