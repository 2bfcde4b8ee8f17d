// host.js -- runs a generated Apigee bundle as the gateway would for its sample proxy: the request shared
// flow (JavaScript policy, conditional RaiseFaults), the target, then the response shared flow.
// Usage: node host.js BUNDLE_DIR PORT ORIGIN_URL
"use strict";
const path = require("node:path");
const { Worker, MessageChannel } = require("node:worker_threads");
const { execFileSync } = require("node:child_process");
const { readBody, headerPairs, send, toOrigin, serve } = require("../lib.js");

const [dir, port, origin] = process.argv.slice(2);
const PLAN = JSON.parse(execFileSync("python3", [path.join(__dirname, "plan.py"), dir]));
const JS_LIMIT_MS = 30000;   // Apigee's default timeLimit when the policy gives none

/** One HTTP call for httpClient, over fetch; resolves to {status, message, headers, content} or {error}.
 *  Apigee's default I/O timeout (55 s) bounds it. */
async function call(m) {
  try {
    const body = m.body && m.method !== "GET" && m.method !== "HEAD" ? m.body : undefined;
    const r = await fetch(m.url, { method: m.method, headers: m.headers, body: body, redirect: "manual",
      signal: AbortSignal.timeout(55000) });
    const headers = {};
    r.headers.forEach(function (v, k) { headers[k] = v; });
    return { status: r.status, message: r.statusText, headers: headers, content: await r.text() };
  } catch (e) {
    return { error: e && e.cause ? String(e.cause.message || e.cause) : String(e) };
  }
}

/** Runs a Javascript policy; resolves to {vars, error}: the flow variables after it, and its error if it
 *  failed (a script error, or its timeLimit). */
function runJs(flowPlan, pol, env) {
  return new Promise(function (resolve, reject) {
    const signal = new SharedArrayBuffer(4), sig = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(path.join(__dirname, "worker.js"), { workerData: { source: flowPlan.resources[pol.resource],
      vars: env.vars, headers: env.headers, flow: env.flow, properties: pol.properties, signal: signal, port: port2,
      timeLimit: pol.timeLimit || JS_LIMIT_MS }, transferList: [port2] });
    const limit = (pol.timeLimit || JS_LIMIT_MS) + 5000;   // a worker that never reports back
    const timer = setTimeout(function () { worker.terminate(); reject(new Error("the worker did not finish")); }, limit);
    port1.on("message", function (m) {
      if (m.type === "send") {
        call(m).then(function (r) { r.id = m.id; port1.postMessage(r); Atomics.add(sig, 0, 1); Atomics.notify(sig, 0); });
        return;
      }
      clearTimeout(timer);
      worker.terminate();
      resolve({ vars: m.vars, error: m.error });
    });
    worker.on("error", function (e) { clearTimeout(timer); reject(e); });
  });
}

/** Apigee conditions of the shapes the bundle uses: var = "text", joined by and/or. */
function condition(text, vars) {
  if (!text) return true;
  return text.split(/\s+or\s+/).some(function (any) {
    return any.split(/\s+and\s+/).every(function (term) {
      const m = term.trim().match(/^([A-Za-z0-9_.]+)\s*=\s*"([^"]*)"$/);
      if (!m) throw new Error("condition not supported by the harness: " + term);
      return String(vars[m[1].toLowerCase()]) === m[2];
    });
  });
}

/** Runs one shared flow; returns a fault {status, reason, body, contentType} or null. */
async function runFlow(name, env) {
  const flowPlan = PLAN.flows[name];
  if (!flowPlan) throw new Error("no shared flow " + name);
  for (const step of flowPlan.steps) {
    if (!condition(step.condition, env.vars)) continue;
    const pol = flowPlan.policies[step.name];
    if (pol.type === "Javascript") {
      const r = await runJs(flowPlan, pol, env);
      env.vars = r.vars;
      if (r.error) {
        process.stderr.write(pol.name + ": " + r.error + "\n");
        if (!pol.continueOnError) return { status: 500, reason: "Internal Server Error", body: "JavaScript error", contentType: "text/plain" };
      }
    } else if (pol.type === "KeyValueMapOperations") {
      // The map as kvm/ creates it; a missing map is a fault, which continueOnError lets pass.
      const map = pol.scope === "environment" ? PLAN.kvms[pol.map] : undefined;
      if (!map) {
        process.stderr.write(pol.name + ": no KVM " + pol.map + "\n");
        if (!pol.continueOnError) return { status: 500, reason: "Internal Server Error", body: "KVM error", contentType: "text/plain" };
        continue;
      }
      // An encrypted map's values may only go to private. variables.
      if (map.encrypted && pol.gets.some(function (g) { return !/^private\./.test(g.assignTo); })) {
        process.stderr.write(pol.name + ": encrypted KVM values must be assigned to private. variables\n");
        if (!pol.continueOnError) return { status: 500, reason: "Internal Server Error", body: "KVM error", contentType: "text/plain" };
        continue;
      }
      for (const g of pol.gets) if (g.key in map.entries) env.vars[g.assignTo.toLowerCase()] = map.entries[g.key];
    } else if (pol.type === "RaiseFault") {
      const body = pol.payload.replace(/\{([A-Za-z0-9_.]+)\}/g, function (_, v) {
        const x = env.vars[v.toLowerCase()];
        return x === undefined || x === null ? "" : String(x);
      });
      return { status: pol.status, reason: pol.reason, body: body, contentType: pol.contentType };
    } else {
      throw new Error("policy type not supported in a shared flow: " + pol.type);
    }
  }
  return null;
}

function answerFault(res, f) { send(res, f.status, { "Content-Type": f.contentType }, f.body); }

serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const pairs = headerPairs(req);
  const url = new URL(req.url, "http://x");
  const vars = { "request.verb": req.method, "request.uri": req.url, "request.path": url.pathname,
    "request.querystring": url.search.slice(1), "client.ip": req.socket.remoteAddress, "request.content": body.toString() };
  const headers = {};
  for (const [k, v] of pairs) {
    headers[k] = k in headers ? headers[k] + ", " + v : v;
    const key = "request.header." + k.toLowerCase();   // the first value; .values.string has them all
    if (!(key in vars)) vars[key] = v;
    vars[key + ".values.string"] = key + ".values.string" in vars ? vars[key + ".values.string"] + ", " + v : v;
  }
  const env = { vars: vars, headers: headers, flow: "PROXY_REQ_FLOW" };
  for (const name of PLAN.request) {
    const fault = await runFlow(name, env);
    if (fault) return answerFault(res, fault);
  }
  const got = await toOrigin(origin, req.method, req.url, pairs, body);
  env.flow = "PROXY_RESP_FLOW";
  env.vars["response.status.code"] = got.status;
  env.vars["response.content"] = got.body.toString();
  for (const name of PLAN.response) {
    const fault = await runFlow(name, env);
    if (fault) return answerFault(res, fault);
  }
  send(res, got.status, got.headers, got.body);
});
