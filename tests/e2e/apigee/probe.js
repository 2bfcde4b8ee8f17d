// probe.js -- runs a generated Apigee JavaScript resource once in a request flow whose node answers 403,
// and prints as JSON what it sent and the flow variables it left: the generated values as they act.
// Usage: node probe.js RESOURCE.js [MODE]
"use strict";
const fs = require("node:fs");

const [file, mode] = process.argv.slice(2);
const vars = { "request.verb": "GET", "request.uri": "/probe?x=1", "client.ip": "192.0.2.1", "request.header.host": "api.test" };
const sent = [];
function Request(url, method, headers, body) { Object.assign(this, { url: url, method: method, headers: headers, body: body }); }
const httpClient = { send: function (r) {
  sent.push(r);
  return { waitForComplete: function () {}, isComplete: function () { return true; }, isSuccess: function () { return true; },
    getResponse: function () { return { status: { code: 403, message: "Forbidden" } }; } };
} };
const context = { flow: "PROXY_REQ_FLOW", proxyRequest: { headers: { Host: "api.test" } },
  getVariable: function (n) { return n in vars ? vars[n] : null; }, setVariable: function (n, v) { vars[n] = v; } };
new Function("context", "httpClient", "Request", "properties", fs.readFileSync(file, "utf8"))(
  context, httpClient, Request, { mode: mode || "inline" });
process.stdout.write(JSON.stringify({ vars: vars, sent: sent }) + "\n");
