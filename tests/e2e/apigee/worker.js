// worker.js -- runs one Apigee JavaScript policy resource in a worker thread with Apigee's object model:
// context (getVariable, setVariable, flow, proxyRequest), properties, Request, and httpClient whose calls the
// main thread performs: send(request, callback) runs the callback when the call completes, and the policy
// ends when no callback is pending, or fails at its timeLimit (the variables set so far stay, as in Apigee);
// an exchange's waitForComplete(ms) blocks.
"use strict";
const { workerData, receiveMessageOnPort } = require("node:worker_threads");

const { source, vars, headers, flow, properties, signal, port, timeLimit } = workerData;
const started = Date.now();
const pending = new Map();   // call id -> callback
const sig = new Int32Array(signal);
const results = new Map();
let nextId = 1;

function pump() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) results.set(m.message.id, m.message);
}

/** Apigee's Request(url, operation, headers, body). */
function Request(url, method, hdrs, body) {
  this.url = String(url);
  this.method = method ? String(method).toUpperCase() : "GET";
  this.headers = hdrs || {};
  this.body = body === undefined || body === null ? "" : String(body);
}

function Exchange(id) { this.id = id; }
Exchange.prototype.isComplete = function () { pump(); return results.has(this.id); };
Exchange.prototype.isSuccess = function () { return this.isComplete() && !results.get(this.id).error; };
Exchange.prototype.isError = function () { return this.isComplete() && !!results.get(this.id).error; };
Exchange.prototype.getError = function () { return this.isError() ? results.get(this.id).error : undefined; };
Exchange.prototype.getResponse = function () {
  if (!this.isSuccess()) return undefined;
  const r = results.get(this.id);
  return { status: { code: r.status, message: r.message }, headers: r.headers, content: r.content };
};
/** Blocks until the exchange completes or ms pass. */
Exchange.prototype.waitForComplete = function (ms) {
  const end = Date.now() + (ms === undefined ? 55000 : Number(ms));
  for (;;) {
    const seen = Atomics.load(sig, 0);
    pump();
    const left = end - Date.now();
    if (results.has(this.id) || left <= 0) return;
    Atomics.wait(sig, 0, seen, left);
  }
};

const httpClient = {
  send: function (request, callback) {
    const id = nextId++;
    port.postMessage({ type: "send", id: id, url: request.url, method: request.method, headers: request.headers,
      body: request.body });
    const exchange = new Exchange(id);
    if (typeof callback === "function") pending.set(id, function () {
      callback(exchange.isSuccess() ? exchange.getResponse() : undefined, exchange.getError());
    });
    return exchange;
  }
};

/** Runs the callbacks of completed calls (they may send more) until none is pending; false at the timeLimit. */
function runCallbacks() {
  const end = started + timeLimit;
  while (pending.size) {
    const seen = Atomics.load(sig, 0);
    pump();
    const ready = [...pending.keys()].filter(function (id) { return results.has(id); });
    for (const id of ready) { const cb = pending.get(id); pending.delete(id); cb(); }
    if (ready.length) continue;
    const left = end - Date.now();
    if (left <= 0) return false;
    Atomics.wait(sig, 0, seen, left);
  }
  return true;
}

const context = {
  flow: flow,
  proxyRequest: { headers: headers },
  getVariable: function (name) { return Object.prototype.hasOwnProperty.call(vars, name.toLowerCase()) ? vars[name.toLowerCase()] : null; },
  setVariable: function (name, value) { vars[name.toLowerCase()] = value; }
};

let error = null;
try {
  new Function("context", "httpClient", "Request", "properties", source)(context, httpClient, Request, properties);
  if (!runCallbacks()) error = "Javascript runtime exceeded limit of " + timeLimit + "ms";
} catch (e) {
  error = String(e && e.stack ? e.stack : e);
}
port.postMessage({ type: "done", vars: vars, error: error });
