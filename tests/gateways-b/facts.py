#!/usr/bin/env python3
"""facts.py -- reads an unzipped Mule or Flex bundle with real parsers (XML, YAML, TOML), checks that
its parts agree, and prints what it holds as JSON for the suite to compare with the parameters.
Usage: facts.py mule|flex BUNDLE_DIR"""
import json
import os
import re
import sys
import tomllib
import xml.etree.ElementTree as ET

import yaml

NS_TRANSFORM = "{http://www.mulesoft.org/schema/mule/http-policy-transform}"


def fail(msg):
    print("facts: " + msg, file=sys.stderr)
    sys.exit(1)


def mule(d):
    root = os.path.join(d, "edge-connector")
    pom = ET.parse(os.path.join(root, "pom.xml")).getroot()
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    facts = {
        "group_id": pom.findtext("m:groupId", namespaces=ns),
        "artifact_id": pom.findtext("m:artifactId", namespaces=ns),
        "version": pom.findtext("m:version", namespaces=ns),
        "packaging": pom.findtext("m:packaging", namespaces=ns),
        "exchange_url": pom.findtext("m:properties/m:exchange.url", namespaces=ns),
    }
    definition = yaml.safe_load(open(os.path.join(root, "edge-connector.yaml"), encoding="utf-8"))
    for key in ("id", "name", "category", "type", "configuration"):
        if key not in definition:
            fail("edge-connector.yaml: no %s" % key)
    props = {p["propertyName"]: p.get("defaultValue") for p in definition["configuration"]}
    facts["properties"] = props
    facts["sensitive"] = sorted(p["propertyName"] for p in definition["configuration"] if p.get("sensitive"))
    json.load(open(os.path.join(root, "mule-artifact.json"), encoding="utf-8"))
    text = open(os.path.join(root, "src/main/mule/template.xml"), encoding="utf-8").read()
    used = set(re.findall(r"\{\{\{?([A-Za-z]+)\}?\}\}", text)) - {"policyId"}
    if used != set(props):
        fail("template.xml uses %s but edge-connector.yaml defines %s" % (sorted(used), sorted(props)))
    for name in re.findall(r"(?<!\{)\{\{([A-Za-z]+)\}\}(?!\})", text):
        if definition["configuration"][list(props).index(name)]["type"] not in ("string",):
            fail("template.xml: {{%s}} (escaped) is not a string property" % name)
    tree = ET.fromstring(text)
    bodies = [el.text or "" for el in tree.iter(NS_TRANSFORM + "body")]
    facts["block_page"] = bodies[0] if bodies else None
    facts["x_connector"] = sorted(set(re.findall(r"'X-Connector': '([^']*)'", text)))
    facts["modes"] = sorted(set(re.findall(r"'X-Connector-Mode': '([^']*)'", text)))
    facts["async_scope"] = text.count("<async>")
    facts["fail_closed_branch"] = "failStatus" in text and "not {{{failOpen}}}" in text
    return facts


def flex(d):
    root = os.path.join(d, "edge-connector")
    cargo = tomllib.load(open(os.path.join(root, "Cargo.toml"), "rb"))
    anypoint = cargo["package"]["metadata"]["anypoint"]
    gcl = yaml.safe_load(open(os.path.join(root, "definition/gcl.yaml"), encoding="utf-8"))
    if gcl.get("kind") != "Extension" or "properties" not in gcl.get("spec", {}):
        fail("gcl.yaml: not a PDK extension definition")
    props = gcl["spec"]["properties"]
    lib = open(os.path.join(root, "src/lib.rs"), encoding="utf-8").read()
    fields = set(re.findall(r"config\.([a-z_]+)", lib))
    missing = fields - set(props)
    if missing:
        fail("lib.rs reads config fields that gcl.yaml does not define: %s" % sorted(missing))
    unused = set(props) - fields
    if unused:
        fail("gcl.yaml defines properties lib.rs never reads: %s" % sorted(unused))
    for req in gcl["spec"].get("required", []):
        if req not in props:
            fail("gcl.yaml: required %s is not a property" % req)
    return {
        "package": cargo["package"]["name"],
        "version": cargo["package"]["version"],
        "anypoint": anypoint,
        "defaults": {k: v.get("default") for k, v in props.items()},
        "makefile_targets": sorted(set(re.findall(r"^([a-z]+):", open(os.path.join(root, "Makefile")).read(), re.M))),
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("mule", "flex"):
        fail("usage: facts.py mule|flex BUNDLE_DIR")
    facts = mule(sys.argv[2]) if sys.argv[1] == "mule" else flex(sys.argv[2])
    json.dump(facts, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
