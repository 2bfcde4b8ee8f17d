// nodehttp.js -- node transport for connectors that run on Node.js (Lambda@Edge, API Gateway
// authorizers): node:http/https with a connect timeout; a copy that needs no answer resolves once sent.
const cnHttp = require("node:http");
const cnHttps = require("node:https");

/** Sends one message to node endpoint i; resolves to the node's status, or 204 for a copy
 *  (init.wait false) as soon as it is written, since the function may be frozen after it returns. */
function cnNodeTransport(i, url, init) {
  return new Promise(function (resolve, reject) {
    const target = new URL(url);
    const lib = target.protocol === "https:" ? cnHttps : cnHttp;
    const headers = Object.assign({}, init.headers);
    headers["content-length"] = String(init.body ? init.body.length : 0);
    const req = lib.request(target, { method: init.method, headers: headers, signal: init.signal });
    let connectTimer = null;
    const connected = function () {
      if (connectTimer !== null) clearTimeout(connectTimer);
      connectTimer = null;
    };
    if (CONFIG.connectTimeoutMs > 0) {
      connectTimer = setTimeout(function () {
        req.destroy(new Error("connect timeout after " + CONFIG.connectTimeoutMs + " ms"));
      }, CONFIG.connectTimeoutMs);
    }
    req.on("socket", function (sock) {
      if (sock.connecting) sock.once("connect", connected); else connected();
    });
    req.on("error", function (e) { connected(); reject(e); });
    req.on("response", function (res) {
      connected();
      res.resume();
      resolve(res.statusCode);
    });
    const body = init.body ? Buffer.from(init.body.buffer, init.body.byteOffset, init.body.length) : undefined;
    if (init.wait) {
      req.end(body);
    } else {
      req.end(body, function () { connected(); resolve(204); });
    }
  });
}

/** Header pairs from a header object whose values are strings or arrays of strings. */
function cnPairs(obj, valueOf) {
  const pairs = [];
  for (const name of Object.keys(obj || {})) {
    const v = obj[name];
    const list = Array.isArray(v) ? v : [v];
    for (const item of list) pairs.push([name, valueOf ? valueOf(item) : String(item)]);
  }
  return pairs;
}
