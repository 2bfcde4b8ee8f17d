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


def label_of(el, parent, attr):
    """A readable name for where an expression sits: set-variable:NAME, header:NAME, set-url, ..."""
    if el.tag == "set-variable" and attr == "value":
        return "set-variable:" + el.get("name", "")
    if el.tag == "value" and parent is not None and parent.tag == "set-header":
        return "header:" + parent.get("name", "")
    if attr in ("condition", "timeout"):
        return "%s:%s" % (el.tag, attr)
    return el.tag if attr is None else "%s:%s" % (el.tag, attr)


def expressions(root):
    """Every policy expression of the tree: (label, kind, code) from attributes and element text,
    labels made unique with #2, #3, ... in document order."""
    parents = {child: el for el in root.iter() for child in el}
    out = []
    for el in root.iter():
        for name, value in el.attrib.items():
            out.append((label_of(el, parents.get(el), name), value))
        if el.text and el.text.strip():
            out.append((label_of(el, parents.get(el), None), el.text))
    found, seen = [], {}
    for where, value in out:
        v = value.strip()
        if v.startswith("@(") and v.endswith(")"):
            kind, code = "expr", v[2:-1]
        elif v.startswith("@{") and v.endswith("}"):
            kind, code = "block", v[2:-1]
        elif v.startswith("@"):
            fail("%s: a value starting with '@' that is neither @(...) nor @{...}: %r" % (where, v[:60]))
        else:
            continue
        seen[where] = seen.get(where, 0) + 1
        found.append((where if seen[where] == 1 else "%s#%d" % (where, seen[where]), kind, code))
    return found


def cs_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def compile_expressions(per_fragment, literals, mcs, harness=None):
    """Compiles every fragment's expressions in one mcs run: one method each, in one class per
    fragment, with #line naming the fragment and the expression for error messages. With a harness
    (a C# file with a Main), also builds a registry of the expressions by "fragment|label" and of
    the literal set-variable values, compiles an executable and runs it with mono."""
    classes, registry = [], []
    for k, (name, exprs) in enumerate(per_fragment):
        methods = []
        short = name.replace("edge-connector-", "").replace(".xml", "")
        for i, (where, kind, code) in enumerate(exprs):
            body = "return (%s);" % code if kind == "expr" else code
            methods.append("        // %s\n        public object E%d() {\n#line 1 \"%s:%s\"\n%s\n#line default\n        }"
                           % (where, i, name, where, body))
            registry.append("            r[%s] = c => new Fragment%d { context = c }.E%d();"
                            % (cs_string(short + "|" + where), k, i))
        classes.append("    public class Fragment%d : Expressions {\n%s\n    }" % (k, "\n".join(methods)))
    lits = ["            l[%s] = %s;" % (cs_string(key), cs_string(value)) for key, value in sorted(literals.items())]
    classes.append("""    public static class Registry {
        public static Dictionary<string, Func<IContext, object>> Expressions() {
            var r = new Dictionary<string, Func<IContext, object>>();
%s
            return r;
        }
        public static Dictionary<string, string> Literals() {
            var l = new Dictionary<string, string>();
%s
            return l;
        }
    }""" % ("\n".join(registry), "\n".join(lits)))
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "expr.cs")
        with open(src, "w") as f:
            f.write(STUB % "\n".join(classes))
        target = ["-target:exe", "-out:" + os.path.join(tmp, "run.exe"), src, harness] if harness else \
                 ["-target:library", "-out:" + os.path.join(tmp, "e.dll"), src]
        r = subprocess.run([mcs, "-nowarn:219"] + target, capture_output=True, text=True)
        if r.returncode != 0:
            fail("C# expressions do not compile:\n%s%s" % (r.stdout, r.stderr))
        if harness:
            r = subprocess.run([os.environ.get("MONO", "mono"), os.path.join(tmp, "run.exe")],
                               capture_output=True, text=True, timeout=120)
            sys.stderr.write(r.stdout + r.stderr)
            if r.returncode != 0:
                fail("the expression tests failed")


def main():
    args = sys.argv[1:]
    harness = None
    if len(args) == 3 and args[0] == "--run":
        harness, args = os.path.abspath(args[1]), args[2:]
    if len(args) != 1:
        fail("usage: apim_check.py [--run HARNESS.cs] BUNDLE_DIR")
    d = args[0]
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
    compiled, literals = [], {}
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
        short = frag.replace("edge-connector-", "").replace(".xml", "")
        def named(value):   # as APIM substitutes the named values
            return re.sub(r"\{\{([^{}]*)\}\}", lambda m: names[m.group(1)]["value"], value)
        for var, value in variables.items():
            literals[short + "|" + var] = named(value)
        statuses = sorted({named(el.get("code")) for el in root.iter("set-status")})
        for code in statuses:
            if not re.fullmatch(r"[1-5][0-9][0-9]", code):
                fail("%s: set-status code %r is not a status" % (frag, code))
        report["fragments"][frag] = {"bytes": size, "expressions": len(exprs), "variables": variables,
                                     "statuses": statuses,
                                     "header_names": sorted({el.get("name") for el in root.iter("set-header")})}
    compile_expressions(compiled, literals, mcs, harness)
    report["expressions"] = total
    report["expression_text"] = "\n".join(code for _, exprs in compiled for _, _, code in exprs)
    json.dump(report, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
