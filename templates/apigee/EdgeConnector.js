// EdgeConnector.js -- the edge connector's Apigee JavaScript resource (protocol v1): in a request flow it
// asks the filtering node and leaves its verdict in edge_connector.verdict; in a response flow it reports.
// The policy's <Properties> give the mode (inline or async); the endpoints and the token come from the
// encrypted KVM edge-connector through KVM-Edge-Connector's private. variables; the rest is baked in here.
// Node calls use httpClient callbacks: the policy ends when the last callback has run, or at its timeLimit.
(function () {
  "use strict";

  var EC = {
    connector: {{platform.id}} + "/" + {{version}},
    retries: {{retries}},
    failMode: {{fail_mode}},
    sendRequestBody: {{send_request_body}},
    requestBodyLimit: {{request_body_limit}},
    reportResponse: {{report_response}},
    sendResponseBody: {{send_response_body}},
    responseBodyLimit: {{response_body_limit}},
    realIpHeader: {{real_ip_header}},
    hostHeader: {{host_header}},
    skipExtensions: {{skip_extensions}},
    blockPage: {{block_page}}
  };

  /** The KVM's settings: endpoints space-separated, the token (empty: none). */
  function ecKvm(name) {
    var v = context.getVariable("private.edge_connector." + name);
    return v === null || v === undefined ? "" : String(v).trim();
  }
  var EC_ENDPOINTS = ecKvm("endpoints").split(/\s+/).filter(function (e) { return e !== ""; });
  var EC_TOKEN = ecKvm("token");

  var EC_DROPPED = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host", "content-length", "expect",
    "x-forwarded-host", "x-real-ip"];

  function ecRequestId() {
    var hex = "";
    for (var i = 0; i < 32; i++) hex += Math.floor(Math.random() * 16).toString(16);
    return hex;
  }

  function ecSkipped(path) {
    var slash = path.lastIndexOf("/"), dot = path.lastIndexOf(".");
    return dot > slash && EC.skipExtensions.indexOf(path.slice(dot + 1).toLowerCase()) >= 0;
  }

  function ecHeader(name) {
    var v = context.getVariable("request.header." + name);
    return v === null || v === undefined ? "" : String(v);
  }

  /** The client's headers as the node gets them: dropped and connection-listed names left out, every
   *  value of a repeated header (request.header.NAME.values.string). */
  function ecForwardHeaders() {
    var all = context.proxyRequest.headers, out = {};
    var listed = ecHeader("connection").toLowerCase().split(",");
    for (var name in all) {
      var lower = String(name).toLowerCase();
      if (EC_DROPPED.indexOf(lower) >= 0 || listed.indexOf(lower) >= 0 || lower.indexOf("x-connector") === 0) continue;
      var joined = context.getVariable("request.header." + name + ".values.string");
      out[lower] = joined === null || joined === undefined ? String(all[name]) : String(joined);
    }
    return out;
  }

  function ecProtocolHeaders(out, info, mode) {
    out["X-Forwarded-Host"] = info.host;
    out["X-Real-IP"] = info.ip;
    out["X-Connector-Request-Id"] = info.id;
    out["X-Connector"] = EC.connector;
    out["X-Connector-Mode"] = mode;
    if (EC_TOKEN) out["X-Connector-Token"] = EC_TOKEN;
    return out;
  }

  function ecNodeUrl(i, pathQuery) {
    return EC_ENDPOINTS[i].replace(/\/+$/, "") + (pathQuery.charAt(0) === "/" ? pathQuery : "/" + pathQuery);
  }

  function ecLimited(text, limit) {
    if (text === null || text === undefined || limit <= 0) return "";
    text = String(text);
    return text.length > limit ? text.slice(0, limit) : text;
  }

  function ecStatus(response) {
    var s = response.status;
    return Number(s && s.code !== undefined ? s.code : s);
  }

  /** Endpoints in order, the next one after a connection error or a foreign status, then up to
   *  EC.retries more rounds, each call made from the previous one's callback (no waiting, no timer: the
   *  rounds follow each other at once). done(status) gets the first protocol answer, or 0. The timeLimit
   *  gives every attempt its request_timeout, so a node failing slowly still leaves the next one its turn;
   *  httpClient has no per-call timeout, so a node that never answers keeps the policy until the timeLimit,
   *  which leaves the starting verdict. */
  function ecExchange(method, pathQuery, headers, body, done) {
    var total = EC_ENDPOINTS.length * (EC.retries + 1);
    function attempt(k) {
      if (k >= total) return done(0);
      var req = new Request(ecNodeUrl(k % EC_ENDPOINTS.length, pathQuery), method, headers, body);
      httpClient.send(req, function (response, error) {
        var status = response && !error ? ecStatus(response) : 0;
        if (status === 200 || status === 204 || status === 403 || status === 415) return done(status);
        attempt(k + 1);
      });
    }
    attempt(0);
  }

  /** Sends to the first endpoint without a callback (async copies and reports): the gateway completes the
   *  call after the policy returns, so there is no failover for these. */
  function ecSendFirst(method, pathQuery, headers, body) {
    if (EC_ENDPOINTS.length) httpClient.send(new Request(ecNodeUrl(0, pathQuery), method, headers, body));
  }

  function ecOnRequest(mode) {
    var pathQuery = String(context.getVariable("request.uri") || "/");
    var path = pathQuery.split("?")[0];
    context.setVariable("edge_connector.verdict", EC.failMode === "closed" && mode === "inline" ? "fail" : "pass");
    if (ecSkipped(path)) return context.setVariable("edge_connector.verdict", "pass");
    var ip = EC.realIpHeader ? ecHeader(EC.realIpHeader) : "";
    var host = EC.hostHeader ? ecHeader(EC.hostHeader) : ecHeader("host");
    var info = { id: ecRequestId(), ip: ip || String(context.getVariable("client.ip") || ""), host: host };
    context.setVariable("edge_connector.request_id", info.id);
    context.setVariable("edge_connector.ip", info.ip);
    context.setVariable("edge_connector.host", info.host);
    context.setVariable("edge_connector.path", pathQuery);
    var method = String(context.getVariable("request.verb"));
    var body = EC.sendRequestBody ? ecLimited(context.getVariable("request.content"), EC.requestBodyLimit) : "";
    var headers = ecProtocolHeaders(ecForwardHeaders(), info, mode);
    if (mode === "async") return ecSendFirst(method, pathQuery, headers, body);
    if (EC.failMode === "closed") context.setVariable("edge_connector.body", "Service unavailable\n");
    ecExchange(method, pathQuery, headers, body, function (status) {
      if (status === 403) {
        context.setVariable("edge_connector.body", EC.blockPage);
        return context.setVariable("edge_connector.verdict", "block");
      }
      if (status === 0 && EC.failMode === "closed") return context.setVariable("edge_connector.verdict", "fail");
      context.setVariable("edge_connector.verdict", "pass");
    });
  }

  function ecOnResponse(mode) {
    var id = context.getVariable("edge_connector.request_id");
    var verdict = context.getVariable("edge_connector.verdict");
    if (!EC.reportResponse || !id || verdict === "block" || verdict === "fail") return;
    var info = { id: String(id), ip: String(context.getVariable("edge_connector.ip") || ""),
      host: String(context.getVariable("edge_connector.host") || "") };
    var headers = ecProtocolHeaders({}, info, mode);
    headers["X-Connector-Message"] = "response";
    headers["X-Connector-Response-Status"] = String(context.getVariable("response.status.code"));
    headers["Content-Type"] = "application/octet-stream";
    var body = EC.sendResponseBody ? ecLimited(context.getVariable("response.content"), EC.responseBodyLimit) : "";
    ecSendFirst("POST", String(context.getVariable("edge_connector.path") || "/"), headers, body);
  }

  // A request flow decides; any other (response flows, and the fault rule's ERROR flow) reports.
  if (/REQ_FLOW$/.test(String(context.flow))) ecOnRequest(String(properties.mode));
  else ecOnResponse(String(properties.mode));
})();
