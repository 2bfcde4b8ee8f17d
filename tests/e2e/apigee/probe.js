// probe.js -- runs a generated Apigee JavaScript resource once, in a request flow by default, with a node
// that answers 403 (callbacks run at once), and prints as JSON what it sent and the flow variables it left.
// The private.edge_connector.* variables come from the bundle's kvm/edge-connector.json, as KVM-Edge-Connector
// sets them, unless VARIABLES_JSON gives them.
// Usage: node probe.js RESOURCE.js [MODE [FLOW [VARIABLES_JSON]]]   (FLOW: context.flow, e.g. ERROR)
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [file, mode, flow, more] = process.argv.slice(2);
const kvm = {};
const kvmFile = path.resolve(file, "../../../../../../kvm/edge-connector.json");
if (fs.existsSync(kvmFile))
  for (const e of JSON.parse(fs.readFileSync(kvmFile, "utf8")).entry) kvm["private.edge_connector." + e.name] = e.value;
const vars = Object.assign({ "request.verb": "GET", "request.uri": "/probe?x=1", "client.ip": "192.0.2.1",
  "request.header.host": "api.test" }, kvm, JSON.parse(more || "{}"));
const sent = [];
function Request(url, method, headers, body) { Object.assign(this, { url: url, method: method, headers: headers, body: body }); }
const httpClient = { send: function (r, callback) {
  sent.push(r);
  if (callback) callback({ status: { code: 403, message: "Forbidden" } }, undefined);
  return { waitForComplete: function () {}, isComplete: function () { return true; }, isSuccess: function () { return true; },
    getResponse: function () { return { status: { code: 403, message: "Forbidden" } }; } };
} };
const context = { flow: flow || "PROXY_REQ_FLOW", proxyRequest: { headers: { Host: "api.test" } },
  getVariable: function (n) { return n in vars ? vars[n] : null; }, setVariable: function (n, v) { vars[n] = v; } };
new Function("context", "httpClient", "Request", "properties", fs.readFileSync(file, "utf8"))(
  context, httpClient, Request, { mode: mode || "inline" });
process.stdout.write(JSON.stringify({ vars: vars, sent: sent }) + "\n");
