// standalone.js -- what a stand-alone gateway test script (tls.js, kong/pool.js) needs besides lib.js:
// a pass/fail count, child processes stopped at the end, free ports, and the api host functions take.
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const { spawn } = require("node:child_process");

/** A test run: check(name, ok, detail) counts; finish(tmp) stops the children, removes tmp (unless
 *  KEEP is set) and prints "N passed, N failed". */
function run() {
  const children = [];
  const counts = { passed: 0, failed: 0 };
  const api = {
    start: function (cmd, args) {
      const c = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
      c.log = "";
      c.stdout.on("data", function (d) { c.log += d; });
      c.stderr.on("data", function (d) { c.log += d; });
      children.push(c);
      return c;
    },
    waitPort: async function (port, ms) {
      for (const end = Date.now() + ms; Date.now() < end;) {
        const up = await new Promise(function (resolve) {
          const s = net.connect(port, "127.0.0.1", function () { s.destroy(); resolve(true); });
          s.on("error", function () { resolve(false); });
        });
        if (up) return true;
        await new Promise(function (r) { setTimeout(r, 50); });
      }
      return false;
    }
  };
  return {
    api: api,
    check: function (name, ok, detail) {
      if (ok) counts.passed++; else counts.failed++;
      console.log((ok ? "ok - " : "not ok - ") + name + (ok || !detail ? "" : ": " + detail));
    },
    finish: function (tmp) {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true });
      console.log(counts.passed + " passed, " + counts.failed + " failed");
      process.exitCode = counts.failed ? 1 : 0;
    }
  };
}

/** A free loopback port. */
function port() {
  return new Promise(function (resolve) {
    const s = net.createServer().listen(0, "127.0.0.1", function () { const p = s.address().port; s.close(function () { resolve(p); }); });
  });
}

module.exports = { run, port };
