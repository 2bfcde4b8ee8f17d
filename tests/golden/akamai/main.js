// main.js -- Akamai EdgeWorkers connector: a responseProvider that asks the node (an Akamai-served
// HTTPS hostname) about each request, body included, answers the block page when the node blocks,
// else fetches the origin through the property and reports its status. Settings are in CONFIG,
// except the token, which is only the property variable PMUSER_EDGE_TOKEN; PMUSER_EDGE_ENDPOINTS
// (https:// property host names, no port, comma-separated, at most as many as generated) and
// PMUSER_EDGE_MODE (inline or async) override the generated endpoints and mode where not empty.
// Create them in the property (Property Variables; the token with the security setting Hidden) and
// activate it: a new value needs no new EdgeWorkers version (docs/connectors.md).
import { httpRequest } from "http-request";
import { createResponse } from "create-response";
import { ReadableStream } from "streams";
import { logger } from "log";

/** EdgeWorkers logs through its log module; the shared code's console.error goes there. */
const console = { error: function (text) { logger.log("%s", text); } };

// config.js -- the settings every JavaScript connector shares, baked in when the bundle is generated.
// Platform files add their own settings to CONFIG with Object.assign right after this. A platform
// that keeps the token in its secret store includes this as a parent with an empty "token" block.
const CONFIG = {
  platform: "akamai",
  version: "1.2.0",
  protocolVersion: 1,
  endpoints: ["https://node-a.example.com", "https://node-b.example.com"],
  mode: "inline",
  requestTimeoutMs: 400,
  retries: 1,
  retryIntervalMs: 50,
  failMode: "closed",
  realIpHeader: "X-Client-IP",
  hostHeader: "",
  skipExtensions: ["css", "png", "woff2"],
  token: ""
};

Object.assign(CONFIG, {
  failStatus: 502,
  sendRequestBody: true,
  requestBodyLimit: 32768,
  reportResponse: true,
  blockStatus: 406,
  blockPage: "\x3Chtml\x3E\x3Cbody\x3E\x3Ch1\x3EBlocked\x3C/h1\x3E\x3Cp\x3EAsk \"support\" \x26 quote it.\x3C/p\x3E\x3C/body\x3E\x3C/html\x3E"
});

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
// store.js -- settings the platform keeps in its own store (secrets and variables), read at run time
// over the values generated into CONFIG; include it after config.js.

const CN_STORE_URL = /^https?:\/\/[^\s\/?#@]+(\/[^\s?#]*)?$/;
const CN_STORE_TOKEN = /^[A-Za-z0-9._~+\/=-]{16,256}$/;

/** Applies the store's values, looked up by name in `values` (a Worker's env), to CONFIG:
 *  names.token (a secret), names.endpoints (an array, or a string of URLs separated by commas or
 *  spaces) and names.mode ("inline" or "async"). An unset or empty value keeps the generated one; an
 *  invalid value is logged with its name and reason and keeps the generated one too. */
function cnApplyStore(names, values) {
  const token = values[names.token];
  if (typeof token === "string" && token !== "") {
    if (CN_STORE_TOKEN.test(token)) CONFIG.token = token;
    else console.error(names.token + ": expected 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = -; the secret is ignored");
  }
  let endpoints = values[names.endpoints];
  if (typeof endpoints === "string") endpoints = endpoints.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(endpoints) && endpoints.length > 0) {
    const bad = endpoints.filter(function (e) { return typeof e !== "string" || !CN_STORE_URL.test(e); });
    if (bad.length === 0) CONFIG.endpoints = endpoints;
    else console.error(names.endpoints + ": " + JSON.stringify(bad[0]) + " is not an http(s) URL without user, query or fragment; the generated endpoints stay");
  }
  const mode = values[names.mode];
  if (typeof mode === "string" && mode !== "") {
    if (mode === "inline" || mode === "async") CONFIG.mode = mode;
    else console.error(names.mode + ": expected inline or async, not " + JSON.stringify(mode) + "; the generated mode stays");
  }
}

const AKAMAI_GENERATED = { endpoints: CONFIG.endpoints, mode: CONFIG.mode };
const AKAMAI_VARIABLES = { token: "PMUSER_EDGE_TOKEN", endpoints: "PMUSER_EDGE_ENDPOINTS", mode: "PMUSER_EDGE_MODE" };
/** What generate allows (limits.endpoint): HTTPS to a host name, no port. */
const AKAMAI_ENDPOINT = /^https:\/\/[^\s\/?#@:]+(\/[^\s?#]*)?$/;

/** Applies the property variables of this request over the generated settings. Variables come with
 *  the request (a rule may set them per path), so the generated values are restored first. An
 *  endpoint list is refused when an endpoint is not what generate allows, or when it is longer than
 *  the generated one, for which the time budget was checked. */
function akamaiApplyVariables(request) {
  CONFIG.token = "";
  CONFIG.endpoints = AKAMAI_GENERATED.endpoints;
  CONFIG.mode = AKAMAI_GENERATED.mode;
  const values = {};
  for (const key of Object.keys(AKAMAI_VARIABLES)) values[AKAMAI_VARIABLES[key]] = request.getVariable(AKAMAI_VARIABLES[key]);
  cnApplyStore(AKAMAI_VARIABLES, values);
  const list = CONFIG.endpoints;
  if (list === AKAMAI_GENERATED.endpoints) return;
  const bad = list.filter(function (e) { return !AKAMAI_ENDPOINT.test(e); });
  if (bad.length > 0 || list.length > AKAMAI_GENERATED.endpoints.length) {
    console.error(AKAMAI_VARIABLES.endpoints + ": " + (bad.length > 0 ? JSON.stringify(bad[0]) + " is not https:// to a host name without a port"
      : list.length + " endpoints, more than the " + AKAMAI_GENERATED.endpoints.length + " the time budget was checked for") +
      "; the generated endpoints stay");
    CONFIG.endpoints = AKAMAI_GENERATED.endpoints;
  }
}

/** Response headers EdgeWorkers sets itself or that describe a single hop. */
const AKAMAI_RESPONSE_DROPPED = ["connection", "keep-alive", "transfer-encoding", "content-length", "trailer", "upgrade"];

/** Bytes as the stream httpRequest takes for a body. */
function akamaiStream(bytes) {
  return new ReadableStream({
    start: function (ctl) { ctl.enqueue(bytes); ctl.close(); }
  });
}

/** A transport over httpRequest sub-requests, whose own timeout matches the request timeout. */
function akamaiTransport(i, url, init) {
  const body = init.body ? akamaiStream(init.body) : undefined;
  return httpRequest(url, { method: init.method, headers: init.headers, body: body, timeout: init.timeoutMs })
    .then(function (res) { return res.status; });
}

/** Header pairs from EdgeWorkers' {name: [values]} map. */
function akamaiPairs(obj) {
  const pairs = [];
  for (const name of Object.keys(obj || {})) {
    for (const v of obj[name]) pairs.push([name, String(v)]);
  }
  return pairs;
}

/** Fetches the origin through the property (a sub-request, which the property must not hand to
 *  this EdgeWorker again: match "Request Type is not EW_SUBREQUEST") and returns its response. */
async function akamaiOrigin(request, pairs, whole) {
  const headers = cnForwardHeaders(pairs);
  const res = await httpRequest(request.scheme + "://" + request.host + request.url, {
    method: request.method, headers: headers, body: whole ? akamaiStream(whole) : undefined
  });
  const out = {};
  const all = res.getHeaders();
  for (const name of Object.keys(all)) {
    if (AKAMAI_RESPONSE_DROPPED.indexOf(name.toLowerCase()) < 0) out[name] = all[name];
  }
  return { status: res.status, headers: out, body: res.body };
}

/** @param {EW.ResponseProviderRequest} request */
export async function responseProvider(request) {
  akamaiApplyVariables(request);
  const pairs = akamaiPairs(request.getHeaders());
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const whole = hasBody ? new Uint8Array(await request.arrayBuffer()) : null;
  if (cnSkipped(request.path)) {
    const passed = await akamaiOrigin(request, pairs, whole);
    return createResponse(passed.status, passed.headers, passed.body);
  }
  const info = cnClientInfo(function (name) {
    const v = request.getHeader(name);
    return v && v.length ? v[0] : null;
  }, request.clientIp, request.host);
  const req = {
    method: request.method, path: request.path,
    pathQuery: request.path + (request.query ? "?" + request.query : ""),
    headers: pairs, host: info.host, ip: info.ip, id: cnRequestId(),
    body: CONFIG.sendRequestBody ? cnLimit(whole, CONFIG.requestBodyLimit) : null
  };
  const decision = await cnCheck(akamaiTransport, req);
  if (decision.pending) await decision.pending;
  if (decision.error) logger.log("node failed: %s", decision.error);
  if (decision.action !== "pass") {
    const d = cnDenial(decision);
    return createResponse(d.status, { "Content-Type": [d.contentType], "Cache-Control": ["no-store"] }, d.body);
  }
  const origin = await akamaiOrigin(request, pairs, whole);
  if (CONFIG.reportResponse) await cnReport(akamaiTransport, req, origin.status, null);
  return createResponse(origin.status, origin.headers, origin.body);
}
