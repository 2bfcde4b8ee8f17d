// standalone.js -- what a stand-alone gateway test script (tls.js, kong/pool.js) needs besides lib.js:
// a pass/fail count, child processes stopped at the end, free ports, and the api host functions take.
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const { spawn } = require("node:child_process");
const { Results } = require("../lib/suite.js");

/** A test run: check(name, ok, detail) counts; finish(tmp) stops the children, removes tmp (unless
 *  KEEP is set) and prints "N passed, N failed, N skipped" (tests/lib/suite.js). */
function run() {
  const children = [];
  const R = new Results();
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
    check: function (name, ok, detail) { return R.check(name, ok, detail); },
    finish: function (tmp) {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      if (!process.env.KEEP) fs.rmSync(tmp, { recursive: true, force: true });
      R.end();
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
