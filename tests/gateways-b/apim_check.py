#!/usr/bin/env python3
"""apim_check.py -- static checks of an Azure API Management bundle (the unzipped folder).
Every fragment: well-formed XML under a <fragment> root, at most 32 KB, no <inbound>/<base/>, every
{{named value}} declared in named-values.json, and every C# policy expression compiled by mcs against
a stub of the context API. Prints the settings it found as JSON for the caller to compare."""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

FRAGMENT_LIMIT = 32 * 1024
FRAGMENTS = ["edge-connector-sync-request.xml", "edge-connector-sync-response.xml",
             "edge-connector-async-request.xml", "edge-connector-async-response.xml"]

STUB = r"""
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ApimStub {
    public interface IUrl { string Path { get; } string QueryString { get; } string Host { get; } }
    public interface IMessageBody { T As<T>(bool preserveContent = false); }
    public interface IRequest {
        IUrl OriginalUrl { get; } string IpAddress { get; } string Method { get; }
        IReadOnlyDictionary<string, string[]> Headers { get; } IMessageBody Body { get; }
    }
    public interface IResponse {
        int StatusCode { get; } IMessageBody Body { get; }
        IReadOnlyDictionary<string, string[]> Headers { get; }
    }
    public interface IContext {
        IRequest Request { get; } IResponse Response { get; } Guid RequestId { get; }
        IReadOnlyDictionary<string, object> Variables { get; }
    }
    public static class HeaderExtensions {
        public static string GetValueOrDefault(this IReadOnlyDictionary<string, string[]> h, string name, string def) {
            string[] v; return h.TryGetValue(name, out v) ? string.Join(",", v) : def;
        }
    }
    public class Expressions {
        public IContext context;
    }
%s
}
"""


def fail(msg):
    print("apim_check: " + msg, file=sys.stderr)
    sys.exit(1)


def expressions(root):
    """Every policy expression of the tree: (where, kind, code) from attributes and element text."""
    out = []
    for el in root.iter():
        for name, value in el.attrib.items():
            out.append(("<%s %s>" % (el.tag, name), value))
        if el.text and el.text.strip():
            out.append(("<%s> text" % el.tag, el.text))
    found = []
    for where, value in out:
        v = value.strip()
        if v.startswith("@(") and v.endswith(")"):
            found.append((where, "expr", v[2:-1]))
        elif v.startswith("@{") and v.endswith("}"):
            found.append((where, "block", v[2:-1]))
        elif v.startswith("@"):
            fail("%s: a value starting with '@' that is neither @(...) nor @{...}: %r" % (where, v[:60]))
    return found


def compile_expressions(per_fragment, mcs):
    """Compiles every fragment's expressions in one mcs run: one method each, in one class per
    fragment, with #line naming the fragment and the expression's index for error messages."""
    classes = []
    for k, (name, exprs) in enumerate(per_fragment):
        methods = []
        for i, (where, kind, code) in enumerate(exprs):
            body = "return (%s);" % code if kind == "expr" else code
            methods.append("        // %s\n        public object E%d() {\n#line 1 \"%s#%d\"\n%s\n#line default\n        }"
                           % (where.replace("\n", " "), i, name, i, body))
        classes.append("    public class Fragment%d : Expressions {\n%s\n    }" % (k, "\n".join(methods)))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "expr.cs")
        with open(src, "w") as f:
            f.write(STUB % "\n".join(classes))
        r = subprocess.run([mcs, "-target:library", "-nowarn:219", "-out:" + os.path.join(tmp, "e.dll"), src],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("C# expressions do not compile:\n%s%s" % (r.stdout, r.stderr))


def main():
    if len(sys.argv) != 2:
        fail("usage: apim_check.py BUNDLE_DIR")
    d = sys.argv[1]
    mcs = os.environ.get("MCS", "mcs")
    with open(os.path.join(d, "named-values.json"), encoding="utf-8") as f:
        nv = json.load(f)
    names = {v["name"]: v for v in nv["namedValues"]}
    for v in nv["namedValues"]:
        if len(v["value"]) > 4096:
            fail("named value %s: longer than 4096 characters" % v["name"])
    report = {"named_values": {k: v["value"] for k, v in names.items()},
              "secret": sorted(k for k, v in names.items() if v["secret"]), "fragments": {}}
    total = 0
    compiled = []
    for frag in FRAGMENTS:
        path = os.path.join(d, frag)
        size = os.path.getsize(path)
        if size > FRAGMENT_LIMIT:
            fail("%s: %d bytes, over the 32 KB fragment limit" % (frag, size))
        text = open(path, encoding="utf-8").read()
        for ref in re.findall(r"\{\{([^{}]*)\}\}", text):
            if ref not in names:
                fail("%s: named value {{%s}} is not in named-values.json" % (frag, ref))
        try:
            root = ET.fromstring(text)
        except ET.ParseError as e:
            fail("%s: not well-formed: %s" % (frag, e))
        if root.tag != "fragment":
            fail("%s: root element is <%s>, not <fragment>" % (frag, root.tag))
        for bad in ("inbound", "outbound", "backend", "on-error", "base", "include-fragment", "policies"):
            if root.find(".//" + bad) is not None:
                fail("%s: a fragment may not hold <%s>" % (frag, bad))
        exprs = expressions(root)
        compiled.append((frag, exprs))
        total += len(exprs)
        variables = {el.get("name"): el.get("value") for el in root.iter("set-variable")
                     if not el.get("value", "").startswith("@")}
        statuses = sorted({el.get("code") for el in root.iter("set-status")})
        report["fragments"][frag] = {"bytes": size, "expressions": len(exprs), "variables": variables,
                                     "statuses": statuses,
                                     "header_names": sorted({el.get("name") for el in root.iter("set-header")})}
    compile_expressions(compiled, mcs)
    report["expressions"] = total
    report["expression_text"] = "\n".join(code for _, exprs in compiled for _, _, code in exprs)
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
