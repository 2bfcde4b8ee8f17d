// tls.js -- a gateway connector against an edgenode listening on HTTPS: with the node's certificate trusted
// the node decides; without it the handshake fails, the request passes and the gateway's log says why.
// Kong trusts through lua_ssl_trusted_certificate; IBM DataPower through the TLS client profile the policy
// names (tls_client_profile, edge-connector-tls by default), here one that trusts another CA.
// Usage: node tests/e2e/tls.js kong|ibm-datapower   (env EDGENODE, BUNDLEGEN; KEEP=1 keeps the temporary
// folder); prints "N passed, N failed, N skipped" (tests/lib/suite.js).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const { serve } = require("./lib.js");
const { run, port } = require("./standalone.js");

/** Per platform: host(api, h) starts the gateway for bundle h.dir on h.port in front of h.origin, trusting
 *  h.trusted (a CA file) for the node, or h.other when h.trusted is null; logged(h, child) finds the
 *  handshake failure in the gateway's log. */
const GATEWAYS = {
  kong: {
    host: function (api, h) { return require("./kong/platform.js").host(api, h); },
    logged: function (h) { return /failing open: .*tls: .*certificate/.test(fs.readFileSync(h.dir + "-nginx/error.log", "utf8")); }
  },
  "ibm-datapower": {
    host: async function (api, h) {
      const profiles = JSON.stringify({ "edge-connector-tls": h.trusted || h.other });
      const c = api.start(process.execPath, [path.join(__dirname, "ibm", "host.js"), h.dir, String(h.port), h.origin, profiles]);
      if (!(await api.waitPort(h.port, 15000))) throw new Error("ibm/host.js did not start: " + c.log);
      return c;
    },
    logged: function (h, child) { return /edge connector: https:\S+: .*certificate/.test(child.log); }
  }
};
const ID = process.argv[2];
const GW = GATEWAYS[ID];
if (!GW) { console.error("usage: node tests/e2e/tls.js " + Object.keys(GATEWAYS).join("|")); process.exit(2); }

const ROOT = path.resolve(__dirname, "..", "..");
const EDGENODE = path.resolve(ROOT, process.env.EDGENODE || "build/edgenode");
const BUNDLEGEN = path.resolve(ROOT, process.env.BUNDLEGEN || "build/bundlegen");
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "tls-"));
const ATTACK = "/search?id=1%27%20OR%20%271%27%3D%271";
const T = run(), api = T.api, check = T.check;

async function get(p, pathQuery) {
  try { const r = await fetch("http://127.0.0.1:" + p + pathQuery, { signal: AbortSignal.timeout(10000) }); return r.status; }
  catch (e) { return String(e); }
}

function selfSigned(name) {
  const cert = path.join(TMP, name + ".pem"), key = path.join(TMP, name + "-key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  fs.chmodSync(cert, 0o644);
  return { cert: cert, key: key };
}

async function main() {
  fs.chmodSync(TMP, 0o755);        // nginx workers started by root run as nobody and read the CA file
  const { cert, key } = selfSigned("node"), other = selfSigned("other").cert;
  const nodePort = await port(), admin = await port(), originPort = await port();
  fs.writeFileSync(path.join(TMP, "node.yaml"), "listen: 127.0.0.1:" + nodePort + "\nadmin_listen: 127.0.0.1:" + admin +
    "\nmode: block\ntls: {cert: " + cert + ", key: " + key + "}\n");
  const node = api.start(EDGENODE, ["--config", path.join(TMP, "node.yaml")]);
  if (!(await api.waitPort(nodePort, 10000))) throw new Error("edgenode did not start: " + node.log);
  let reached = 0;
  const origin = await serve(originPort, function (req, res) { reached++; res.end("origin\n"); });
  const dir = path.join(TMP, "bundle");
  fs.mkdirSync(dir);
  execFileSync(BUNDLEGEN, ["generate", ID, "--endpoint", "https://127.0.0.1:" + nodePort, "--set", "block_status=403",
    "--out", dir + ".zip"], { cwd: ROOT, stdio: "ignore" });
  execFileSync("python3", ["tests/unpack.py", dir + ".zip", dir], { cwd: ROOT });
  for (const trusted of [cert, null]) {
    const p = await port();
    const h = { dir: dir, port: p, origin: "http://127.0.0.1:" + originPort, trusted: trusted, other: other };
    const gw = await GW.host(api, h);
    const r0 = reached, ok = await get(p, "/hello"), bad = await get(p, ATTACK);
    if (trusted) {
      check(ID + ": https node, certificate trusted: a benign request passes", ok === 200 && reached === r0 + 1, String(ok));
      check(ID + ": https node, certificate trusted: the attack is blocked", bad === 403 && reached === r0 + 1, String(bad));
    } else {
      check(ID + ": https node, certificate not trusted: the request passes (fail open)", bad === 200 && reached === r0 + 2, String(bad));
      check(ID + ": https node, certificate not trusted: the handshake failure is logged", GW.logged(h, gw), gw.log);
    }
    gw.kill("SIGTERM");
    await new Promise(function (r) { gw.once("exit", r); });
  }
  origin.close();
}

main().catch(function (e) { check(ID + " tls set-up", false, e && e.stack ? e.stack : String(e)); })
  .finally(function () { T.finish(TMP); });
