#!/usr/bin/env python3
# plan.py -- reads a generated Apigee bundle (sample proxy and shared flows) into the JSON plan host.js
# runs: which shared flow each FlowCallout calls, each flow's steps and conditions, its policies, resources,
# and the KVMs of kvm/.
import json, os, sys
import xml.etree.ElementTree as ET

def text(el, path, default=None):
    found = el.find(path)
    return found.text if found is not None and found.text is not None else default

def policy(path):
    root = ET.parse(path).getroot()
    p = {"type": root.tag, "name": root.get("name"), "continueOnError": root.get("continueOnError") == "true"}
    if root.tag == "Javascript":
        p["resource"] = text(root, "ResourceURL").replace("jsc://", "")
        p["properties"] = {pr.get("name"): pr.text or "" for pr in root.findall("Properties/Property")}
        p["timeLimit"] = int(root.get("timeLimit")) if root.get("timeLimit") else None
    elif root.tag == "KeyValueMapOperations":
        p.update(map=root.get("mapIdentifier"), scope=text(root, "Scope"),
                 gets=[{"assignTo": g.get("assignTo"), "key": text(g, "Key/Parameter")} for g in root.findall("Get")])
    elif root.tag == "RaiseFault":
        s = root.find("FaultResponse/Set")
        payload = s.find("Payload")
        p.update(status=int(text(s, "StatusCode")), reason=text(s, "ReasonPhrase", ""),
                 payload=payload.text or "", contentType=payload.get("contentType"))
    elif root.tag == "FlowCallout":
        p["bundle"] = text(root, "SharedFlowBundle")
    else:
        raise SystemExit("plan.py: policy type not supported: " + root.tag)
    return p

def flow(folder):
    sfb = os.path.join(folder, "sharedflowbundle")
    steps = [{"name": text(s, "Name"), "condition": text(s, "Condition")}
             for s in ET.parse(os.path.join(sfb, "sharedflows", "default.xml")).getroot().findall("Step")]
    pdir, rdir = os.path.join(sfb, "policies"), os.path.join(sfb, "resources", "jsc")
    policies = {f[:-4]: policy(os.path.join(pdir, f)) for f in sorted(os.listdir(pdir))}
    resources = {f: open(os.path.join(rdir, f), encoding="utf-8").read() for f in sorted(os.listdir(rdir))}
    return {"steps": steps, "policies": policies, "resources": resources}

def main(bundle):
    proxy = os.path.join(bundle, "proxies", "edge-connector-sample", "apiproxy")
    callouts = {f[:-4]: policy(os.path.join(proxy, "policies", f)) for f in os.listdir(os.path.join(proxy, "policies"))}
    endpoint = ET.parse(os.path.join(proxy, "proxies", "default.xml")).getroot()
    pre = [text(s, "Name") for s in endpoint.findall("PreFlow/Request/Step")]
    post = [text(s, "Name") for s in endpoint.findall("PostFlow/Response/Step")]
    flows = {d: flow(os.path.join(bundle, "sharedflows", d)) for d in sorted(os.listdir(os.path.join(bundle, "sharedflows")))}
    # The environment's KVMs as the bundle's kvm/ files would create them (the Edge management API's format).
    kdir = os.path.join(bundle, "kvm")
    kvms = {}
    for f in sorted(os.listdir(kdir)) if os.path.isdir(kdir) else []:
        m = json.load(open(os.path.join(kdir, f), encoding="utf-8"))
        kvms[m["name"]] = {"encrypted": m["encrypted"], "entries": {e["name"]: e["value"] for e in m["entry"]}}
    json.dump({"request": [callouts[n]["bundle"] for n in pre], "response": [callouts[n]["bundle"] for n in post],
               "flows": flows, "kvms": kvms}, sys.stdout)

main(sys.argv[1])
