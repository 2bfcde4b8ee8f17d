// suite.js -- the one helper of the JavaScript suites, printing the same lines as tests/lib/suite.sh:
// "ok - NAME", "not ok - NAME" with its detail indented by four spaces, "skip - NAME: REASON", then the summary.
"use strict";

/** One suite's count. check(name, ok, detail) returns ok; end() prints "N passed, N failed, N skipped"
 *  and sets the exit code: 0 only when nothing failed and something ran. */
class Results {
  constructor() { this.passed = 0; this.failed = 0; this.skipped = 0; }

  check(name, ok, detail) {
    if (ok) { this.passed++; console.log("ok - " + name); return true; }
    this.failed++;
    console.log("not ok - " + name);
    if (detail) for (const l of String(detail).split("\n").slice(0, 40)) console.log("    " + l);
    return false;
  }

  skip(name, reason) { this.skipped++; console.log("skip - " + name + ": " + reason); }

  end() {
    console.log(this.passed + " passed, " + this.failed + " failed, " + this.skipped + " skipped");
    process.exitCode = this.failed === 0 && this.passed + this.skipped > 0 ? 0 : 1;
  }
}

module.exports = { Results };
