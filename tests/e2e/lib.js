// lib.js -- small HTTP helpers shared by the e2e platform hosts and the runner: read a request,
// send a response, forward to the origin stand-in, wait for a port; the function timeout a Lambda
// bundle's template sets, and running a handler stopped at it.
"use strict";
const fs = require("node:fs");
const http = require("node:http");
const path = require("node:path");

/** Reads a Node.js IncomingMessage body into a Buffer. */
function readBody(msg) {
  return new Promise(function (resolve, reject) {
    const parts = [];
    msg.on("data", function (c) { parts.push(c); });
    msg.on("end", function () { resolve(Buffer.concat(parts)); });
    msg.on("error", reject);
  });
}

/** Header pairs of an IncomingMessage. */
function headerPairs(msg) {
  const pairs = [];
  for (let i = 0; i < msg.rawHeaders.length; i += 2) pairs.push([msg.rawHeaders[i], msg.rawHeaders[i + 1]]);
  return pairs;
}

/** Sends status, a header object ({name: value|[values]}) and a body. */
function send(res, status, headers, body) {
  for (const name of Object.keys(headers || {})) {
    const lower = name.toLowerCase();
    if (lower === "content-length" || lower === "transfer-encoding" || lower === "connection") continue;
    res.setHeader(name, headers[name]);
  }
  res.statusCode = status;
  res.end(body === undefined || body === null ? "" : body);
}

/** Forwards a request to the origin stand-in; resolves to {status, headers, body (Buffer)}. */
async function toOrigin(origin, method, pathQuery, pairs, body) {
  const headers = new Headers();
  for (const [k, v] of pairs) {
    const lower = k.toLowerCase();
    if (lower === "host" || lower === "content-length" || lower === "connection" || lower === "transfer-encoding") continue;
    headers.append(k, v);
  }
  const init = { method: method, headers: headers, redirect: "manual" };
  if (body && body.length && method !== "GET" && method !== "HEAD") init.body = body;
  const r = await fetch(origin + pathQuery, init);
  const out = {};
  r.headers.forEach(function (v, k) { out[k] = v; });
  return { status: r.status, headers: out, body: Buffer.from(await r.arrayBuffer()) };
}

/** Starts an HTTP server on 127.0.0.1:port with an async handler; errors answer 500. */
function serve(port, handler) {
  const server = http.createServer(function (req, res) {
    Promise.resolve().then(function () { return handler(req, res); }).catch(function (e) {
      process.stderr.write("host error: " + (e && e.stack ? e.stack : e) + "\n");
      if (!res.headersSent) { res.statusCode = 500; res.end("host error\n"); }
    });
  });
  server.keepAliveTimeout = 1000;
  return new Promise(function (resolve) {
    server.listen(port, "127.0.0.1", function () { process.stdout.write("ready " + port + "\n"); resolve(server); });
  });
}

/**
 * The timeout, in ms, that the bundle's SAM template (DIR/template.yaml) gives function resource
 * NAME, capped at the platform's own limit capMs: what the platform stops the handler at. A bundle
 * without a template (or the function without a Timeout) gets Lambda's default of 3 s.
 */
function functionTimeoutMs(dir, name, capMs) {
  let text = "";
  try { text = fs.readFileSync(path.join(dir, "template.yaml"), "utf8"); } catch (e) { return Math.min(3000, capMs); }
  const lines = text.split("\n");
  const start = lines.indexOf("  " + name + ":");
  for (let i = start + 1; start >= 0 && i < lines.length && !/^  \S/.test(lines[i]); i++) {
    const m = /^ {6}Timeout: (\d+)$/.exec(lines[i]);
    if (m) return Math.min(Number(m[1]) * 1000, capMs);
  }
  return Math.min(3000, capMs);
}

/** Runs a handler with lambda-local, stopped at timeoutMs; {timedOut: true} when the platform would stop it. */
async function invoke(lambdaLocal, opts, timeoutMs) {
  try {
    return { out: await lambdaLocal.execute(Object.assign({ timeoutMs: timeoutMs, verboseLevel: 0 }, opts)) };
  } catch (e) {
    // lambda-local rejects with an Error or, for some handlers, a plain {errorMessage, errorType} object.
    const text = e && (e.message || e.errorMessage) ? String(e.message || e.errorMessage) : JSON.stringify(e);
    if (/timed out/.test(text)) return { timedOut: true };
    throw e;
  }
}

module.exports = { readBody, headerPairs, send, toOrigin, serve, functionTimeoutMs, invoke };
