// lib.js -- small HTTP helpers shared by the e2e platform hosts and the runner: read a request,
// send a response, forward to the origin stand-in, wait for a port.
"use strict";
const http = require("node:http");

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

module.exports = { readBody, headerPairs, send, toOrigin, serve };
