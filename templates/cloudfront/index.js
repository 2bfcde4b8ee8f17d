// index.js -- Amazon CloudFront Lambda@Edge connector (Node.js): `handler` for the viewer- or
// origin-request trigger asks the node, `responseHandler` for origin-response reports the answer.
// The same in every bundle of a version: Lambda@Edge has no environment variables, so every setting is
// generated into CONFIG in config.js, required below.
"use strict";

const { CONFIG } = require("./config.js");

{{> _shared/client.js}}
{{> _shared/nodehttp.js}}

const CF_ID_HEADER = "x-connector-request-id";
const CF_REASONS = { 400: "Bad Request", 403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error",
  502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** The protocol view of a CloudFront request event record. */
function cfRequest(cf) {
  const request = cf.request;
  const pairs = cnPairs(request.headers, function (h) { return h.value; });
  const info = cnClientInfo(function (name) {
    const h = request.headers[name.toLowerCase()];
    return h && h.length ? h[0].value : null;
  }, request.clientIp, cf.config && cf.config.distributionDomainName);
  let body = null;
  if (CONFIG.sendRequestBody && request.body && request.body.data) {
    const raw = Buffer.from(request.body.data, request.body.encoding === "text" ? "utf8" : "base64");
    body = cnLimit(new Uint8Array(raw.buffer, raw.byteOffset, raw.length), CONFIG.requestBodyLimit);
  }
  return {
    method: request.method, path: request.uri,
    pathQuery: request.uri + (request.querystring ? "?" + request.querystring : ""),
    headers: pairs, host: info.host, ip: info.ip, id: cnRequestId(), body: body
  };
}

/** @type {import("aws-lambda").CloudFrontRequestHandler} */
exports.handler = async function (event) {
  const cf = event.Records[0].cf;
  const request = cf.request;
  if (cnSkipped(request.uri)) return request;
  const req = cfRequest(cf);
  const decision = await cnCheck(cnNodeTransport, req);
  if (decision.pending) await decision.pending;
  if (decision.action !== "pass") {
    const d = cnDenial(decision);
    return {
      status: String(d.status),
      statusDescription: CF_REASONS[d.status] || "Blocked",
      headers: {
        "content-type": [{ key: "Content-Type", value: d.contentType }],
        "cache-control": [{ key: "Cache-Control", value: "no-store" }]
      },
      body: d.body
    };
  }
  request.headers[CF_ID_HEADER] = [{ key: "X-Connector-Request-Id", value: req.id }];
  return request;
};

/** @type {import("aws-lambda").CloudFrontResponseHandler} */
exports.responseHandler = async function (event) {
  const cf = event.Records[0].cf;
  const ids = cf.request.headers[CF_ID_HEADER];
  if (CONFIG.reportResponse && ids && ids.length) {
    const req = cfRequest(cf);
    req.id = ids[0].value;
    await cnReport(cnNodeTransport, req, Number(cf.response.status), null);
  }
  return cf.response;
};
