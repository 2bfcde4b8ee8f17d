#!/usr/bin/env python3
"""gcl_config.py -- writes the Rust Config struct a PDK build generates from definition/gcl.yaml
(what `cargo anypoint config-gen` does): integer -> i64, number -> f64, boolean -> bool,
string -> String (format service -> pdk::hl::Service), array -> Vec<item>; a property that is
neither required nor defaulted is an Option. Usage: gcl_config.py GCL_YAML > config.rs"""
import sys

import yaml


def rust_type(name, p):
    t = p.get("type")
    if t == "array":
        return "Vec<%s>" % rust_type(name, p.get("items", {}))
    if t == "string":
        return "pdk::hl::Service" if p.get("format") == "service" else "String"
    if t in ("integer", "number", "boolean"):
        return {"integer": "i64", "number": "f64", "boolean": "bool"}[t]
    sys.exit("gcl_config: property %s: unsupported type %r" % (name, t))


def main():
    gcl = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    spec = gcl["spec"]
    required = set(spec.get("required", []))
    print("// config.rs -- generated from definition/gcl.yaml for the glue type check.")
    print("#[derive(Clone, Debug, serde::Deserialize)]")
    print("pub struct Config {")
    for name, p in spec["properties"].items():
        t = rust_type(name, p)
        if name not in required and "default" not in p:
            t = "Option<%s>" % t
        print("    pub %s: %s," % (name, t))
    print("}")


if __name__ == "__main__":
    main()
