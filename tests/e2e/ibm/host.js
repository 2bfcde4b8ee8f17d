// host.js -- runs a generated pair of API Connect user-defined policies as the DataPower API Gateway
// would: pre policy, invoke of the origin, post policy. GatewayScript runs with mocks of session,
// context, header-metadata, service-metadata and urlopen that follow IBM's documented behaviour.
// Usage: node host.js BUNDLE_DIR PORT ORIGIN_URL [PROFILES_JSON]
// PROFILES_JSON: the domain's TLS client profiles, {"name": "CA file it trusts"} (default: none).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const http = require("node:http");
const https = require("node:https");
const { execFileSync } = require("node:child_process");
const { readBody, headerPairs, send, toOrigin, serve } = require("../lib.js");

const [dir, port, origin, profilesJson] = process.argv.slice(2);
const PROFILES = JSON.parse(profilesJson || "{}");

function loadPolicy(name) {
  const file = path.join(dir, name, name + ".yaml");
  const json = execFileSync("python3", ["-c", "import sys, json, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file]);
  return JSON.parse(json);
}
const PRE = loadPolicy("edge-connector-pre"), POST = loadPolicy("edge-connector-post");

/** A header table as DataPower shows it: names as received, get() ignores case. */
function headerTable(pairs) {
  const headers = {};
  for (const [k, v] of pairs) headers[k] = k in headers ? headers[k] + ", " + v : v;
  return {
    headers: headers,
    statusCode: undefined,
    get: function (name) {
      const want = String(name).toLowerCase();
      for (const k of Object.keys(headers)) if (k.toLowerCase() === want) return headers[k];
      return undefined;
    },
    set: function (name, value) { headers[name] = String(value); }
  };
}

/** urlopen.open as documented: options {target, method, headers, data, timeout (seconds),
 *  sslClientProfile}, callback (error, response) with response.statusCode, headers and readAsBuffer.
 *  An https target needs a TLS client profile of the domain; the profile's CA file is all it trusts. */
function urlopenOpen(track, options, callback) {
  const url = new URL(options.target);
  const tls = url.protocol === "https:";
  const done = track();
  let called = false;
  function finish(error, response) { if (!called) { called = true; setImmediate(function () { callback(error, response); done(); }); } }
  const profile = options.sslClientProfile;
  if (tls && !profile) return finish({ errorMessage: "https target without a TLS client profile" }, null);
  if (tls && !(profile in PROFILES)) return finish({ errorMessage: "TLS client profile " + profile + " not found" }, null);
  const req = (tls ? https : http).request(url, { method: String(options.method || "POST").toUpperCase(),
    headers: options.headers || {}, ca: tls ? fs.readFileSync(PROFILES[profile]) : undefined },
    function (res) {
      const parts = [];
      res.on("data", function (c) { parts.push(c); });
      res.on("end", function () {
        const body = Buffer.concat(parts);
        finish(null, { statusCode: res.statusCode, reasonPhrase: res.statusMessage, headers: res.headers,
          readAsBuffer: function (cb) { cb(null, body); } });
      });
    });
  req.setTimeout((options.timeout || 60) * 1000, function () { req.destroy(new Error("urlopen timeout")); });
  req.on("error", function (e) { finish({ errorMessage: e.message }, null); });
  req.end(options.data === undefined ? undefined : options.data);
}

/** Runs one GatewayScript source; resolves when it and every callback it started have finished,
 *  as a GatewayScript action completes. */
function runScript(source, env) {
  return new Promise(function (resolve, reject) {
    let pending = 0;
    function check() { setImmediate(function () { if (pending === 0) resolve(); }); }
    function track() { pending++; let open = true; return function () { if (open) { open = false; pending--; check(); } }; }
    const timers = new Map();
    const modules = {
      "header-metadata": { current: env.current, response: env.response },
      "service-metadata": env.sm,
      urlopen: { open: function (o, cb) { urlopenOpen(track, o, cb); } }
    };
    const session = {
      input: { readAsBuffer: function (cb) { const d = track(); setImmediate(function () { cb(null, env.input); d(); }); } },
      reject: function (msg) { env.rejected = String(msg); }
    };
    const setT = function (fn, ms) {
      const d = track();
      const t = setTimeout(function () { timers.delete(t); try { fn(); } finally { d(); } }, ms);
      timers.set(t, d);
      return t;
    };
    const clearT = function (t) { const d = timers.get(t); if (d) { timers.delete(t); clearTimeout(t); d(); } };
    const req = function (name) {
      if (!(name in modules)) throw new Error("GatewayScript module not mocked: " + name);
      return modules[name];
    };
    try {
      new Function("require", "session", "context", "console", "setTimeout", "clearTimeout", source)(
        req, session, env.context, console, setT, clearT);
    } catch (e) { return reject(e); }
    check();
  });
}

/** Runs a policy's assembly with its properties' defaults as local.parameter.*. */
async function runPolicy(policy, env) {
  const props = policy.properties.properties;
  for (const name of Object.keys(props)) env.vars.set("local.parameter." + name, props[name].default);
  for (const step of policy.assembly.execute) {
    if (step["set-variable"]) {
      for (const a of step["set-variable"].actions) env.vars.set(a.set, a.value);
    } else if (step.gatewayscript) {
      await runScript(step.gatewayscript.source, env);
      if (env.rejected !== undefined) return;
    } else {
      throw new Error("assembly step not supported: " + Object.keys(step).join(","));
    }
  }
}

function answerRejected(res, env) {
  const status = parseInt(String(env.response.statusCode || "500"), 10);
  send(res, status, env.response.headers, env.rejected);
}

serve(Number(port), async function (req, res) {
  const body = await readBody(req);
  const vars = new Map();
  const context = { get: function (n) { return vars.get(n); }, set: function (n, v) { vars.set(n, v); } };
  const env = { vars: vars, context: context, current: headerTable(headerPairs(req)), response: headerTable([]),
    sm: { protocolMethod: req.method, URI: req.url, transactionClient: req.socket.remoteAddress }, input: body };
  await runPolicy(PRE, env);
  if (env.rejected !== undefined) return answerRejected(res, env);
  const got = await toOrigin(origin, req.method, req.url, headerPairs(req), body);
  const current = headerTable(Object.entries(got.headers));
  current.statusCode = got.status + " OK";
  Object.assign(env, { current: current, response: current, input: got.body });
  await runPolicy(POST, env);
  if (env.rejected !== undefined) return answerRejected(res, env);
  send(res, got.status, got.headers, got.body);
});
