"""suite.py -- the one helper of the Python suites, printing the same lines as tests/lib/suite.sh:
"ok - NAME", "not ok - NAME" with indented detail, "skip - NAME: REASON", then "N passed, N failed, N skipped"."""
import os, socket, sys

# The tree, and the programs under test (the ASan builds unless EDGENODE / BUNDLEGEN name others).
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
NODE = os.environ.get("EDGENODE", os.path.join(REPO, "build/san/edgenode"))
BG = os.environ.get("BUNDLEGEN", os.path.join(REPO, "build/san/bundlegen"))


def free_port():
    """A TCP port free on 127.0.0.1 now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def check(self, cond, name, detail=""):
        """Counts one check; prints DETAIL (first 40 lines) under a failure. Returns COND."""
        if cond:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"not ok - {name}")
            for line in str(detail).splitlines()[:40]:
                print("    " + line)
        sys.stdout.flush()
        return bool(cond)

    def skip(self, name, reason):
        self.skipped += 1
        print(f"skip - {name}: {reason}")

    def end(self):
        """Prints the summary line and exits 0 only when nothing failed."""
        print(f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped")
        sys.stdout.flush()
        sys.exit(0 if self.failed == 0 and self.passed + self.skipped > 0 else 1)
