// index.js -- Amazon CloudFront Lambda@Edge connector (Node.js): `handler` for the viewer- or
// origin-request trigger asks the node, `responseHandler` for origin-response reports the answer.
// The same in every bundle of a version: Lambda@Edge has no environment variables, so every setting is
// generated into CONFIG in config.js, required below.
"use strict";

const { CONFIG } = require("./config.js");

// client.js -- protocol v1 client shared by the JavaScript connectors: request ids, header filtering,
// static-file skipping, body limits, failover across node endpoints with retries and timeouts, reports.

/** Globals some runtimes lack (EdgeWorkers has no timers), looked up at run time. */
const cnGlobal = /** @type {any} */ (globalThis);

/** What the connector does with a request.
 *  @typedef {Object} CnDecision
 *  @property {string} action "pass", "block" or "fail"
 *  @property {number} status the node's answer, 0 when it failed
 *  @property {string} [error] why the node failed
 *  @property {Promise<void>} [pending] the async copy still being sent */

const CN_DROPPED_HEADERS = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
  "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length",
  "expect", "x-forwarded-host", "x-real-ip"];

/** A 128-bit random id in lowercase hex. */
function cnRequestId() {
  const bytes = new Uint8Array(16);
  const webCrypto = cnGlobal.crypto;
  if (webCrypto && typeof webCrypto.getRandomValues === "function") {
    webCrypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  }
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return hex;
}

/** True when the path ends in one of the static extensions the bundle skips. */
function cnSkipped(path) {
  const slash = path.lastIndexOf("/");
  const dot = path.lastIndexOf(".");
  if (dot <= slash) return false;
  return CONFIG.skipExtensions.indexOf(path.slice(dot + 1).toLowerCase()) >= 0;
}

/** The first `limit` bytes of a body (Uint8Array or ArrayBuffer), or null when empty. */
function cnLimit(body, limit) {
  if (!body) return null;
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
  if (bytes.length === 0) return null;
  return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
}

/** Reads at most `limit` bytes of a ReadableStream, then cancels the rest. */
async function cnReadLimited(stream, limit) {
  if (!stream || limit <= 0) return null;
  const reader = stream.getReader();
  const parts = [];
  let size = 0;
  while (size < limit) {
    const step = await reader.read();
    if (step.done) break;
    const chunk = step.value instanceof Uint8Array ? step.value : new Uint8Array(step.value);
    parts.push(chunk);
    size += chunk.length;
  }
  if (size >= limit) await reader.cancel().catch(function () {});
  const out = new Uint8Array(Math.min(size, limit));
  let at = 0;
  for (const part of parts) {
    const take = Math.min(part.length, out.length - at);
    out.set(part.subarray(0, take), at);
    at += take;
  }
  return out.length ? out : null;
}

/** Header pairs of the client request as the node gets them: hop-by-hop, connection-listed and
 *  connector headers dropped, repeated names joined. */
function cnForwardHeaders(pairs) {
  const listed = [];
  for (const pair of pairs) {
    if (pair[0].toLowerCase() === "connection") {
      for (const name of String(pair[1]).split(",")) listed.push(name.trim().toLowerCase());
    }
  }
  const out = {};
  for (const pair of pairs) {
    const name = pair[0].toLowerCase();
    if (CN_DROPPED_HEADERS.indexOf(name) >= 0 || listed.indexOf(name) >= 0) continue;
    if (name.indexOf("x-connector") === 0) continue;
    out[name] = name in out ? out[name] + (name === "cookie" ? "; " : ", ") + pair[1] : String(pair[1]);
  }
  return out;
}

/** The protocol headers for one exchange about request `req`. */
function cnProtocolHeaders(req, mode) {
  const h = {
    "X-Forwarded-Host": req.host,
    "X-Real-IP": req.ip,
    "X-Connector-Request-Id": req.id,
    "X-Connector": CONFIG.platform + "/" + CONFIG.version,
    "X-Connector-Mode": mode
  };
  if (CONFIG.token) h["X-Connector-Token"] = CONFIG.token;
  return h;
}

/** Node URL for endpoint i and the request's path and query. */
function cnNodeUrl(i, pathQuery) {
  let base = CONFIG.endpoints[i];
  while (base.length > 0 && base.charAt(base.length - 1) === "/") base = base.slice(0, -1);
  return base + (pathQuery.charAt(0) === "/" ? pathQuery : "/" + pathQuery);
}

function cnSleep(ms) {
  if (ms <= 0 || typeof cnGlobal.setTimeout !== "function") return Promise.resolve();
  return new Promise(function (resolve) { cnGlobal.setTimeout(resolve, ms); });
}

/** Runs transport(i, url, init) under the request timeout; rejects on timeout. Without timers the
 *  transport's own timeout (init.timeoutMs) bounds the exchange. */
function cnTimed(transport, i, url, init) {
  const ms = CONFIG.requestTimeoutMs;
  const ctl = typeof cnGlobal.AbortController === "function" ? new cnGlobal.AbortController() : null;
  let timer = null;
  const deadline = new Promise(function (resolve, reject) {
    if (typeof cnGlobal.setTimeout !== "function") return;
    timer = cnGlobal.setTimeout(function () {
      if (ctl) ctl.abort();
      reject(new Error("node timeout after " + ms + " ms"));
    }, ms);
  });
  const call = transport(i, url, Object.assign({ signal: ctl ? ctl.signal : undefined, timeoutMs: ms }, init));
  return Promise.race([call, deadline]).finally(function () { if (timer !== null) cnGlobal.clearTimeout(timer); });
}

/** Sends one message to the node: endpoints in order, moving on when one fails (connection error,
 *  timeout, or a status protocol v1 does not define); after a whole failed round, up to `retries`
 *  more rounds, `retryIntervalMs` apart. Resolves to {status, endpoint} of the first protocol answer,
 *  or {status: 0, error} when every attempt failed. */
async function cnExchange(transport, pathQuery, init) {
  let lastError = "no endpoint";
  for (let round = 0; round <= CONFIG.retries; round++) {
    if (round > 0) await cnSleep(CONFIG.retryIntervalMs);
    for (let i = 0; i < CONFIG.endpoints.length; i++) {
      let status;
      try {
        status = await cnTimed(transport, i, cnNodeUrl(i, pathQuery), init);
      } catch (e) {
        lastError = CONFIG.endpoints[i] + ": " + (e && e.message ? e.message : String(e));
        continue;
      }
      if (status === 200 || status === 204 || status === 403 || status === 415) return { status: status, endpoint: i };
      lastError = CONFIG.endpoints[i] + ": unexpected status " + status;
    }
  }
  return { status: 0, error: lastError };
}

/** Asks the node about a request (inline mode) or sends it a copy (async mode).
 *  req: {method, pathQuery, path, headers: [[name, value]...], host, ip, id, body: Uint8Array|null}.
 *  Resolves to {action: "pass"|"block"|"fail", status, error, pending}; in async mode action is always
 *  "pass" and `pending` is the promise of the copy, for the platform to keep alive.
 *  @returns {Promise<CnDecision>} */
function cnCheck(transport, req) {
  const headers = Object.assign(cnForwardHeaders(req.headers), cnProtocolHeaders(req, CONFIG.mode));
  const init = { method: req.method, headers: headers, body: req.body, wait: CONFIG.mode !== "async" };
  const sent = cnExchange(transport, req.pathQuery, init);
  if (CONFIG.mode === "async") {
    return Promise.resolve({ action: "pass", status: 0, pending: sent.then(function () {}, function () {}) });
  }
  return sent.then(function (r) {
    if (r.status === 403) return { action: "block", status: 403 };
    if (r.status === 0) return { action: CONFIG.failMode === "closed" ? "fail" : "pass", status: 0, error: r.error };
    return { action: "pass", status: r.status };
  });
}

/** The answer to a request the connector refuses: the block page, or the failure answer when the
 *  bundle was generated fail-closed and the node could not decide. */
/** @param {CnDecision} decision */
function cnDenial(decision) {
  if (decision.action === "block") {
    return { status: CONFIG.blockStatus, body: CONFIG.blockPage, contentType: "text/html; charset=utf-8" };
  }
  return { status: CONFIG.failStatus, body: "Service unavailable\n", contentType: "text/plain; charset=utf-8" };
}

/** The client address and original host of a request, as configured. */
function cnClientInfo(getHeader, platformIp, fallbackHost) {
  const ip = CONFIG.realIpHeader ? getHeader(CONFIG.realIpHeader) : platformIp;
  const host = CONFIG.hostHeader ? getHeader(CONFIG.hostHeader) : getHeader("host");
  return { ip: ip || platformIp || "", host: host || fallbackHost || "" };
}

/** Reports the origin's answer to request `req`; resolves when sent, never rejects. */
function cnReport(transport, req, status, body) {
  const headers = cnProtocolHeaders(req, CONFIG.mode);
  headers["X-Connector-Message"] = "response";
  headers["X-Connector-Response-Status"] = String(status);
  headers["Content-Type"] = "application/octet-stream";
  const init = { method: "POST", headers: headers, body: body, wait: false };
  return cnExchange(transport, req.pathQuery, init).then(function () {}, function () {});
}
// nodehttp.js -- node transport for connectors that run on Node.js (Lambda@Edge, API Gateway
// authorizers): node:http/https with a connect timeout; a copy that needs no answer resolves once sent.
const cnHttp = require("node:http");
const cnHttps = require("node:https");

/** Sends one message to node endpoint i; resolves to the node's status, or 204 for a copy
 *  (init.wait false) as soon as it is written, since the function may be frozen after it returns. */
function cnNodeTransport(i, url, init) {
  return new Promise(function (resolve, reject) {
    const target = new URL(url);
    const lib = target.protocol === "https:" ? cnHttps : cnHttp;
    const headers = Object.assign({}, init.headers);
    headers["content-length"] = String(init.body ? init.body.length : 0);
    const req = lib.request(target, { method: init.method, headers: headers, signal: init.signal });
    let connectTimer = null;
    const connected = function () {
      if (connectTimer !== null) clearTimeout(connectTimer);
      connectTimer = null;
    };
    if (CONFIG.connectTimeoutMs > 0) {
      connectTimer = setTimeout(function () {
        req.destroy(new Error("connect timeout after " + CONFIG.connectTimeoutMs + " ms"));
      }, CONFIG.connectTimeoutMs);
    }
    req.on("socket", function (sock) {
      if (sock.connecting) sock.once("connect", connected); else connected();
    });
    req.on("error", function (e) { connected(); reject(e); });
    req.on("response", function (res) {
      connected();
      res.resume();
      resolve(res.statusCode);
    });
    const body = init.body ? Buffer.from(init.body.buffer, init.body.byteOffset, init.body.length) : undefined;
    if (init.wait) {
      req.end(body);
    } else {
      req.end(body, function () { connected(); resolve(204); });
    }
  });
}

/** Header pairs from a header object whose values are strings or arrays of strings. */
function cnPairs(obj, valueOf) {
  const pairs = [];
  for (const name of Object.keys(obj || {})) {
    const v = obj[name];
    const list = Array.isArray(v) ? v : [v];
    for (const item of list) pairs.push([name, valueOf ? valueOf(item) : String(item)]);
  }
  return pairs;
}

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
