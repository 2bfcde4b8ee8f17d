// fetch.js -- the request flow of connectors that run on the Fetch API (Workers, Azion, Fastly):
// ask the node, block or fail closed, else forward to the origin and report its answer.

/** A transport over fetch(); extra(i) adds platform options for endpoint i (e.g. a named backend). */
function cnFetchTransport(extra) {
  return function (i, url, init) {
    const opts = { method: init.method, headers: init.headers };
    if (init.signal) opts.signal = init.signal;
    if (init.body && init.method !== "GET" && init.method !== "HEAD") opts.body = init.body;
    if (extra) Object.assign(opts, extra(i));
    return fetch(url, opts).then(function (res) {
      if (res.body && typeof res.body.cancel === "function") res.body.cancel().catch(function () {});
      return res.status;
    });
  };
}

/** The refusal as a Response. */
function cnDenialResponse(decision) {
  const d = cnDenial(decision);
  return new Response(d.body, { status: d.status, headers: { "content-type": d.contentType, "cache-control": "no-store" } });
}

/** Handles one client request. env: {transport, clientIp, waitUntil(promise), origin(request),
 *  buffered: read bodies whole instead of cloning (runtimes without clone)}. */
async function cnHandleFetch(request, env) {
  const url = new URL(request.url);
  if (cnSkipped(url.pathname)) return env.origin(request);
  const info = cnClientInfo(function (name) { return request.headers.get(name); }, env.clientIp, url.host);
  let forward = request;
  let body = null;
  const hasBody = request.method !== "GET" && request.method !== "HEAD" && request.body;
  if (hasBody && env.buffered) {
    const whole = new Uint8Array(await request.arrayBuffer());
    forward = new Request(request.url, { method: request.method, headers: request.headers, body: whole });
    body = CONFIG.sendRequestBody ? cnLimit(whole, CONFIG.requestBodyLimit) : null;
  } else if (hasBody && CONFIG.sendRequestBody) {
    body = await cnReadLimited(request.clone().body, CONFIG.requestBodyLimit);
  }
  const req = {
    method: request.method, path: url.pathname, pathQuery: url.pathname + url.search,
    headers: Array.from(request.headers), host: info.host, ip: info.ip, id: cnRequestId(), body: body
  };
  const decision = await cnCheck(env.transport, req);
  if (decision.pending) env.waitUntil(decision.pending);
  if (decision.action !== "pass") return cnDenialResponse(decision);
  let response = await env.origin(forward);
  if (CONFIG.reportResponse) {
    let sample = null;
    if (CONFIG.sendResponseBody && response.body) {
      if (env.buffered) {
        const whole = new Uint8Array(await response.arrayBuffer());
        response = new Response(whole, { status: response.status, statusText: response.statusText, headers: response.headers });
        sample = cnLimit(whole, CONFIG.responseBodyLimit);
      } else {
        sample = await cnReadLimited(response.clone().body, CONFIG.responseBodyLimit);
      }
    }
    env.waitUntil(cnReport(env.transport, req, response.status, sample));
  }
  return response;
}
