#!/usr/bin/env python3
"""facts.py -- reads an unzipped Mule or Flex bundle with real parsers (XML, YAML, TOML), checks that
its parts agree (for Mule also mule-maven-plugin's checks of a policy project), and prints what it
holds as JSON for the suite to compare with the parameters.
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


CORE = "{http://www.mulesoft.org/schema/mule/core}"
HTTP = "{http://www.mulesoft.org/schema/mule/http}"
POLICY = "{http://www.mulesoft.org/schema/mule/http-policy}"
SOCKETS = "{http://www.mulesoft.org/schema/mule/sockets}"
PROCESSORS = {CORE + n for n in ("set-variable", "choice", "try", "until-successful", "foreach", "raise-error",
                                 "logger", "async")} | {HTTP + "request", NS_TRANSFORM + "set-response",
                                                       POLICY + "execute-next"}
# element: (required attributes, optional attributes, allowed children); the elements and attributes
# of Mule 4's core, HTTP, sockets, http-policy and http-policy-transform schemas that the policy uses.
MULE_SCHEMA = {
    CORE + "mule": ((), ("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation",),
                    {HTTP + "request-config", POLICY + "proxy"}),
    HTTP + "request-config": (("name",), ("basePath", "responseTimeout"), {HTTP + "request-connection"}),
    HTTP + "request-connection": ((), ("host", "port", "protocol"), {HTTP + "client-socket-properties"}),
    HTTP + "client-socket-properties": ((), (), {SOCKETS + "tcp-client-socket-properties"}),
    SOCKETS + "tcp-client-socket-properties": ((), ("connectionTimeout", "keepAlive", "sendTcpNoDelay"), set()),
    POLICY + "proxy": (("name",), (), {POLICY + "source"}),
    POLICY + "source": ((), (), PROCESSORS),
    POLICY + "execute-next": ((), (), set()),
    CORE + "set-variable": (("variableName", "value"), ("mimeType", "encoding"), set()),
    CORE + "choice": ((), (), {CORE + "when", CORE + "otherwise"}),
    CORE + "when": (("expression",), (), PROCESSORS),
    CORE + "otherwise": ((), (), PROCESSORS),
    CORE + "try": ((), ("transactionalAction",), PROCESSORS | {CORE + "error-handler"}),
    CORE + "error-handler": ((), (), {CORE + "on-error-continue", CORE + "on-error-propagate"}),
    CORE + "on-error-continue": ((), ("type", "logException", "when", "enableNotifications"), PROCESSORS),
    CORE + "until-successful": ((), ("maxRetries", "millisBetweenRetries"), PROCESSORS),
    CORE + "foreach": (("collection",), ("counterVariableName", "batchSize"), PROCESSORS),
    CORE + "raise-error": (("type",), ("description",), set()),
    CORE + "logger": ((), ("level", "message", "category"), set()),
    CORE + "async": ((), ("name", "maxConcurrency"), PROCESSORS),
    HTTP + "request": (("method",), ("config-ref", "url", "path", "target", "targetValue", "responseTimeout",
                                     "followRedirects", "sendBodyMode"),
                       {HTTP + "body", HTTP + "headers", HTTP + "response-validator"}),
    HTTP + "body": ((), (), set()),
    HTTP + "headers": ((), (), set()),
    HTTP + "response-validator": ((), (), {HTTP + "success-status-code-validator"}),
    HTTP + "success-status-code-validator": (("values",), (), set()),
    NS_TRANSFORM + "set-response": (("statusCode",), ("reasonPhrase",), {NS_TRANSFORM + "body", NS_TRANSFORM + "headers"}),
    NS_TRANSFORM + "body": ((), (), set()),
    NS_TRANSFORM + "headers": ((), (), set()),
}
OPEN, CLOSE = "([{", ")]}"


def dataweave_balanced(code):
    """Brackets of a DataWeave expression balance outside its strings and regex literals."""
    stack, i, prev = [], 0, ""
    while i < len(code):
        c = code[i]
        if c in "'\"":
            j = code.find(c, i + 1)
            if j < 0:
                return "unterminated string"
            i = j + 1
            prev = "value"
            continue
        if c == "/" and prev in ("replace", "match", "matches", "scan"):
            j = code.find("/", i + 1)
            while j > 0 and code[j - 1] == "\\":
                j = code.find("/", j + 1)
            if j < 0:
                return "unterminated regex"
            i = j + 1
            prev = "value"
            continue
        if c in OPEN:
            stack.append(c)
        elif c in CLOSE:
            if not stack or OPEN.index(stack.pop()) != CLOSE.index(c):
                return "unbalanced %r at %d" % (c, i)
        if c.isalpha():
            j = i
            while j < len(code) and (code[j].isalnum() or code[j] == "_"):
                j += 1
            prev = code[i:j]
            i = j
            continue
        if not c.isspace():
            prev = c
        i += 1
    return "unclosed %r" % stack[-1] if stack else None


def mule_structure(tree):
    """Every element and attribute of template.xml is one the Mule schemas define for that place, and
    every DataWeave expression is bracket-balanced."""
    for el in tree.iter():
        if el.tag not in MULE_SCHEMA:
            fail("template.xml: unknown element %s" % el.tag)
        required, optional, children = MULE_SCHEMA[el.tag]
        for a in required:
            if a not in el.attrib:
                fail("template.xml: %s without %s" % (el.tag, a))
        for a in el.attrib:
            if a not in required and a not in optional:
                fail("template.xml: %s has no attribute %s" % (el.tag, a))
        for child in el:
            if child.tag not in children:
                fail("template.xml: %s inside %s" % (child.tag, el.tag))
        for value in list(el.attrib.values()) + [el.text or ""]:
            v = value.strip()
            if v.startswith("#["):
                if not v.endswith("]"):
                    fail("template.xml: expression not closed: %s" % v[:60])
                why = dataweave_balanced(v[2:-1])
                if why:
                    fail("template.xml: DataWeave %s: %s" % (why, v[:80]))


# What mule-maven-plugin (v4.5.0) checks when it validates and packages a `mule-policy` project, as
# data; mule_plugin_rules applies it. Sources, under MMP = https://github.com/mulesoft/mule-maven-plugin/blob/v4.5.0/
# - MMP mule-packager/src/main/java/org/mule/tools/api/verifier/policy/MulePolicyVerifier.java:
#   the files a policy project must have, the definition named after the artifactId.
POLICY_FILES = ("pom.xml", "mule-artifact.json", "src/main/mule/template.xml", "{artifactId}.yaml")
# - MMP mule-packager/src/main/java/org/mule/tools/api/packager/packaging/PackagingType.java and
#   validation/project/AbstractProjectValidator.java (isPackagingTypeValid): the packagings the plugin
#   knows; ProjectVerifyFactory runs the policy checks only for mule-policy.
PACKAGINGS = ("mule-application", "mule-domain", "mule-policy", "mule-domain-bundle")
# - MMP .../validation/project/AbstractProjectValidator.java (isProjectVersionValid) with
#   validation/VersionUtils.java: the project version is Semantic Versioning 2.0.0 and not 0.0.0.
SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
                    r"(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$")
# - MMP .../verifier/policy/PolicyYamlVerifier.java and PolicyYaml.java: the definition's required
#   keys (with the Java type SnakeYAML binds them to) and each configuration property's required keys.
POLICY_YAML = {"id": str, "name": str, "description": str, "category": str, "type": str,
               "resourceLevelSupported": bool, "standalone": bool, "requiredCharacteristics": list,
               "providedCharacteristics": list, "configuration": list}
POLICY_PROPERTY = {"propertyName": str, "type": str}
# - MMP .../verifier/policy/PolicyMuleArtifactJsonVerifier.java (with
#   packager/sources/DefaultValuesPolicyMuleArtifactJsonGenerator.java, which fills what is absent):
#   bundleDescriptorLoader attributes, where given, repeat the POM's coordinates, classifier
#   mule-policy and type jar; a policy exports no packages or resources; its configs are at most
#   template.xml.
BUNDLE_FROM_POM = ("groupId", "artifactId", "version")
BUNDLE_FIXED = {"classifier": "mule-policy", "type": "jar"}
NOT_EXPORTED = ("exportedPackages", "exportedResources")
POLICY_CONFIGS = ([], ["template.xml"])
# - MMP .../validation/MuleArtifactJsonValidator.java: minMuleVersion present and semantic, a known
#   requiredProduct. The 4.x validate goal no longer calls it for projects (MuleProjectValidator
#   comments the call out) but the runtime reads both fields when it deploys the policy.
PRODUCTS = ("MULE", "MULE_EE")
# - MMP .../validation/AllowedDependencyValidator.java: a dependency whose classifier starts with one
#   of these is allowed only with scope provided; mule-domain-bundle never.
PROVIDED_ONLY = ("mule-application", "mule-policy", "mule-domain", "mule-service", "mule-server-plugin")
# - MMP mule-maven-plugin/src/main/java/org/mule/tools/maven/mojo/ValidateMojo.java with
#   mule-packager/.../validation/TestScopeDependencyValidator.java: MUnit dependencies only in scope test.
TEST_ONLY_GROUPS = ("com.mulesoft.munit", "com.mulesoft.munit.utils")


def mule_plugin_rules(root, pom, ns):
    """The checks mule-maven-plugin makes of a mule-policy project (the tables above); returns the
    policy definition and mule-artifact.json."""
    text = lambda path: (pom.findtext(path, namespaces=ns) or "").strip()
    coords = {k: text("m:" + k) for k in BUNDLE_FROM_POM}
    for f in POLICY_FILES:
        if not os.path.isfile(os.path.join(root, f.format(**coords))):
            fail("the file %s should be present (mule-maven-plugin's policy verifier)" % f.format(**coords))
    packaging = text("m:packaging")
    if packaging not in PACKAGINGS:
        fail("pom.xml: unknown packaging type %r (mule-maven-plugin knows %s)" % (packaging, ", ".join(PACKAGINGS)))
    if packaging != "mule-policy":
        fail("pom.xml: packaging %s, not mule-policy: the policy checks and packaging would not run" % packaging)
    if not SEMVER.match(coords["version"]) or coords["version"] == "0.0.0":
        fail("pom.xml: version %r does not comply with semantic versioning" % coords["version"])
    for dep in pom.iterfind("m:dependencies/m:dependency", ns):
        classifier = (dep.findtext("m:classifier", namespaces=ns) or "").strip()
        scope = (dep.findtext("m:scope", namespaces=ns) or "compile").strip()
        name = "%s:%s" % (dep.findtext("m:groupId", namespaces=ns), dep.findtext("m:artifactId", namespaces=ns))
        if classifier == "mule-domain-bundle" or (classifier.startswith(PROVIDED_ONLY) and scope != "provided"):
            fail("pom.xml: dependency %s (classifier %s, scope %s) is not allowed" % (name, classifier, scope))
        if name.split(":")[0] in TEST_ONLY_GROUPS and scope != "test":
            fail("pom.xml: dependency %s should have scope test, found %s" % (name, scope))
    yaml_name = coords["artifactId"] + ".yaml"
    definition = yaml.safe_load(open(os.path.join(root, yaml_name), encoding="utf-8"))
    if not isinstance(definition, dict):
        fail("%s: not a mapping" % yaml_name)
    for rules, where, items in ((POLICY_YAML, yaml_name, [definition]),
                                (POLICY_PROPERTY, yaml_name + " configuration", definition.get("configuration") or [])):
        for item in items:
            for key, kind in rules.items():
                if not isinstance(item, dict) or not isinstance(item.get(key), kind):
                    fail("%s: missing required property %r (a %s)" % (where, key, kind.__name__))
    artifact = json.load(open(os.path.join(root, "mule-artifact.json"), encoding="utf-8"))
    attrs = (artifact.get("bundleDescriptorLoader") or {}).get("attributes") or {}
    for key in BUNDLE_FROM_POM:
        if key in attrs and attrs[key] != coords[key]:
            fail("mule-artifact.json: the %s %r does not match the pom.xml's %r" % (key, attrs[key], coords[key]))
    for key, want in BUNDLE_FIXED.items():
        if attrs.get(key, want) != want:
            fail("mule-artifact.json: bundleDescriptorLoader %s %r, expected %r" % (key, attrs[key], want))
    loader = (artifact.get("classLoaderModelLoaderDescriptor") or {}).get("attributes") or {}
    for key in NOT_EXPORTED:
        if loader.get(key):
            fail("mule-artifact.json: a policy must not define %s" % key)
    if artifact.get("configs") not in (None,) + POLICY_CONFIGS:
        fail("mule-artifact.json: configs %r; a policy has at most template.xml" % artifact["configs"])
    version = artifact.get("minMuleVersion")
    if not isinstance(version, str) or not SEMVER.match(version):
        fail("mule-artifact.json: minMuleVersion %r missing or not semantic" % version)
    if artifact.get("requiredProduct") not in PRODUCTS:
        fail("mule-artifact.json: requiredProduct %r, valid values are %s" % (artifact.get("requiredProduct"), ", ".join(PRODUCTS)))
    return definition, artifact


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
    definition, artifact = mule_plugin_rules(root, pom, ns)
    props = {p["propertyName"]: p.get("defaultValue") for p in definition["configuration"]}
    facts["properties"] = props
    facts["sensitive"] = sorted(p["propertyName"] for p in definition["configuration"] if p.get("sensitive"))
    text = open(os.path.join(root, "src/main/mule/template.xml"), encoding="utf-8").read()
    # Byte-preserving body handling goes through the functions MuleSoft documents for it
    # (dw::util::Coercions, DataWeave 2.4, so Mule 4.4 at least), not through `as ... {encoding}`.
    if re.search(r"as\s+(Binary|String)\s*\{\s*encoding", text):
        fail("template.xml: an `as Binary/String {encoding: ...}` coercion; use dw::util::Coercions")
    coercions = re.findall(r"dw::util::Coercions::(\w+)\(", text)
    if coercions and tuple(int(x) for x in artifact.get("minMuleVersion", "0.0.0").split(".")) < (4, 4, 0):
        fail("mule-artifact.json: minMuleVersion below 4.4.0, which dw::util::Coercions needs")
    facts["coercions"] = sorted(set(coercions))
    used = set(re.findall(r"\{\{\{?([A-Za-z]+)\}?\}\}", text)) - {"policyId"}
    if used != set(props):
        fail("template.xml uses %s but edge-connector.yaml defines %s" % (sorted(used), sorted(props)))
    for name in re.findall(r"(?<!\{)\{\{([A-Za-z]+)\}\}(?!\})", text):
        if definition["configuration"][list(props).index(name)]["type"] not in ("string",):
            fail("template.xml: {{%s}} (escaped) is not a string property" % name)
    tree = ET.fromstring(text)
    mule_structure(tree)
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
    # The PDK project layout: every dependency from crates.io (no registry named anywhere), the
    # anypoint-cli project file pointing at definition/, and a playground API that configures the policy
    # with the definition's properties.
    for name, dep in cargo.get("dependencies", {}).items():
        if isinstance(dep, dict) and ("registry" in dep or "registry-index" in dep):
            fail("Cargo.toml: dependency %s names a registry; the PDK crates are on crates.io" % name)
    config = tomllib.load(open(os.path.join(root, ".cargo/config.toml"), "rb"))
    if "registries" in config or "source" in config:
        fail(".cargo/config.toml: defines a registry or source")
    project = yaml.safe_load(open(os.path.join(root, ".project.yaml"), encoding="utf-8"))
    if project != {"implementation": {"ref": "."}, "definition": {"refMode": "filesystem", "ref": "definition"}}:
        fail(".project.yaml: %r" % project)
    api = yaml.safe_load(open(os.path.join(root, "playground/config/api.yaml"), encoding="utf-8"))
    policy = api["spec"]["policies"][0]
    if api.get("kind") != "ApiInstance" or not set(policy["config"]) <= set(props) or \
            not set(gcl["spec"].get("required", [])) <= set(policy["config"]):
        fail("playground/config/api.yaml: the policy's config does not fit gcl.yaml: %r" % policy)
    compose = yaml.safe_load(open(os.path.join(root, "playground/docker-compose.yaml"), encoding="utf-8"))
    mount = [v for v in compose["services"]["local-flex"]["volumes"] if v.startswith("./config:")]
    if not mount:
        fail("playground/docker-compose.yaml: the gateway does not read playground/config")
    return {
        "pdk": cargo["dependencies"]["pdk"],
        "playground_nodes": policy["config"]["nodes"],
        "package": cargo["package"]["name"],
        "version": cargo["package"]["version"],
        "anypoint": anypoint,
        "defaults": {k: v.get("default") for k, v in props.items()},
        "makefile_targets": sorted(set(re.findall(r"^([a-z-]+):", open(os.path.join(root, "Makefile")).read(), re.M))),
    }


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("mule", "flex"):
        fail("usage: facts.py mule|flex BUNDLE_DIR")
    facts = mule(sys.argv[2]) if sys.argv[1] == "mule" else flex(sys.argv[2])
    json.dump(facts, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
