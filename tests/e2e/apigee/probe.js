// probe.js -- runs a generated Apigee JavaScript resource once, in a request flow by default, with a node
// that answers 403, and prints as JSON what it sent and the flow variables it left.
// Usage: node probe.js RESOURCE.js [MODE [FLOW [VARIABLES_JSON]]]   (FLOW: context.flow, e.g. ERROR)
"use strict";
const fs = require("node:fs");

const [file, mode, flow, more] = process.argv.slice(2);
const vars = Object.assign({ "request.verb": "GET", "request.uri": "/probe?x=1", "client.ip": "192.0.2.1",
  "request.header.host": "api.test" }, JSON.parse(more || "{}"));
const sent = [];
function Request(url, method, headers, body) { Object.assign(this, { url: url, method: method, headers: headers, body: body }); }
const httpClient = { send: function (r) {
  sent.push(r);
  return { waitForComplete: function () {}, isComplete: function () { return true; }, isSuccess: function () { return true; },
    getResponse: function () { return { status: { code: 403, message: "Forbidden" } }; } };
} };
const context = { flow: flow || "PROXY_REQ_FLOW", proxyRequest: { headers: { Host: "api.test" } },
  getVariable: function (n) { return n in vars ? vars[n] : null; }, setVariable: function (n, v) { vars[n] = v; } };
new Function("context", "httpClient", "Request", "properties", fs.readFileSync(file, "utf8"))(
  context, httpClient, Request, { mode: mode || "inline" });
process.stdout.write(JSON.stringify({ vars: vars, sent: sent }) + "\n");
