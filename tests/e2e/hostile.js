// hostile.js -- hostile parameter values for every JavaScript connector: each is either refused with
// an error naming the parameter, or comes out unchanged in the CONFIG the generated code evaluates to.
// Usage: node tests/e2e/hostile.js [PLATFORM...]; prints "N passed, N failed, N skipped" (tests/lib/suite.js).
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync, execFileSync } = require("node:child_process");
const { Results } = require("../lib/suite.js");

const ROOT = path.resolve(__dirname, "..", "..");
const BUNDLEGEN = path.resolve(ROOT, process.env.BUNDLEGEN || "build/bundlegen");
const NASTY = "q\" a' b\\ n\n r\r ls\u2028 ps\u2029 </script><!-- ${alert(1)} `tick` {{x}} \x01\x1f\x7f é 日本 😀";
const TEXT = "q\" a' b\\ tab\t nl\n ls\u2028 ps\u2029 </script><!-- ${alert(1)} `tick` {{x}} é 日本 😀\n";
const CASES = [
  // [parameter, value as given, CONFIG key, expected value in CONFIG]
  ["block_page", NASTY, "blockPage", NASTY],
  ["block_page", TEXT, "blockPage", TEXT],
  ["block_page", "</script><script>alert(1)</script>", "blockPage", "</script><script>alert(1)</script>"],
  ["endpoint", "https://node.example.com/a\"b'c\\d", "endpoints", ["https://node.example.com/a\"b'c\\d"]],
  ["endpoint", "https://node.example.com/${x}`y`", "endpoints", ["https://node.example.com/${x}`y`"]],
  ["endpoint", "https://node.example.com/\u2028x", "endpoints", ["https://node.example.com/\u2028x"]],
  ["token", "abcdefghijklmnop\"+alert(1)+\"", "token", "abcdefghijklmnop\"+alert(1)+\""],
  ["token", "abcdefghijklmnop\nX-Evil: 1", "token", "abcdefghijklmnop\nX-Evil: 1"],
  ["real_ip_header", "X-IP\"+alert(1)+\"", "realIpHeader", "X-IP\"+alert(1)+\""],
  ["host_header", "Host\r\nX-Evil: 1", "hostHeader", "Host\r\nX-Evil: 1"],
  ["skip_extensions", "css\",alert(1),\"", "skipExtensions", ["css\",alert(1),\""]],
  ["mode", "inline\";alert(1);\"", "mode", "inline\";alert(1);\""]
];

const R = new Results();
function check(name, ok, detail) { return R.check(name, ok, detail); }

function paramsOf(id) {
  const d = JSON.parse(execFileSync(BUNDLEGEN, ["describe", id, "--json"], { cwd: ROOT }));
  return { names: d.parameters.map(function (p) { return p.name; }), files: d.files.map(function (f) { return f.path; }) };
}

function unpack(bundle, dir) {
  const head = fs.readFileSync(bundle).subarray(0, 2).toString("hex");
  if (head === "504b") execFileSync("python3", ["-m", "zipfile", "-e", bundle, dir]);
  else execFileSync("tar", ["-xzf", bundle, "-C", dir]);
}

function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-"));
const ids = process.argv.slice(2).length ? process.argv.slice(2) : ["akamai", "apigateway", "azion", "cloudflare", "cloudfront", "fastly"];
try {
  for (const id of ids) {
    const info = paramsOf(id);
    const scripts = info.files.filter(function (f) { return f.endsWith(".js"); });
    CASES.forEach(function (c, n) {
      const [param, value, key, want] = c;
      if (info.names.indexOf(param) < 0) return;
      const bundle = path.join(tmp, id + "-" + n + ".bundle");
      const args = ["generate", id, "--out", bundle];
      if (param !== "endpoint") args.push("--endpoint", "https://node.example.com");
      args.push.apply(args, param === "endpoint" ? ["--endpoint", value] : ["--set", param + "=" + value]);
      const r = spawnSync(BUNDLEGEN, args, { cwd: ROOT, encoding: "utf8" });
      const label = id + " " + param + " " + JSON.stringify(value).slice(0, 40);
      if (r.status !== 0) {
        check(label + ": refused naming the parameter", r.stderr.indexOf(param) >= 0 && !fs.existsSync(bundle), r.stderr.trim());
        return;
      }
      const dir = path.join(tmp, id + "-" + n);
      fs.mkdirSync(dir);
      unpack(bundle, dir);
      for (const f of scripts) {
        const e = spawnSync(process.execPath, [path.join(__dirname, "eval-config.mjs"), path.join(dir, f)], { encoding: "utf8" });
        let got = null;
        try { got = JSON.parse(e.stdout)[key]; } catch (err) { got = "unparsable: " + e.stderr.trim().slice(0, 200); }
        check(label + ": unchanged in " + f, same(got, want), JSON.stringify(got));
      }
    });
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
R.end();
