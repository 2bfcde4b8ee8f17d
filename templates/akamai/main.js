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

{{<_shared/config.js}}{{$token}}{{/token}}{{/_shared/config.js}}
Object.assign(CONFIG, {
  failStatus: {{fail_status}},
  sendRequestBody: {{send_request_body}},
  requestBodyLimit: {{request_body_limit}},
  reportResponse: {{report_response}},
  blockStatus: {{block_status}},
  blockPage: {{block_page}}
});

{{> _shared/client.js}}
{{> _shared/store.js}}

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
