#!/usr/bin/env python3
# unpack.py -- unpacks a generated bundle (zip or tar.gz) into DIR, and the archives inside it (one per
# Apigee shared flow, per API Connect policy) in place, X.zip into X/, as the platform's import reads them.
# Usage: tests/unpack.py BUNDLE DIR
import os, subprocess, sys, zipfile

def unpack_inner(top):
    for root, _, names in sorted(os.walk(top)):
        for name in sorted(names):
            if name.endswith(".zip"):
                p = os.path.join(root, name)
                with zipfile.ZipFile(p) as z: z.extractall(p[:-4])
                os.unlink(p)

def main(bundle, out):
    os.makedirs(out, exist_ok=True)
    with open(bundle, "rb") as f: head = f.read(2)
    if head == b"PK":
        with zipfile.ZipFile(bundle) as z: z.extractall(out)
    elif head == b"\x1f\x8b":
        subprocess.run(["tar", "-xzf", bundle, "-C", out], check=True)
    else:
        sys.exit("unpack.py: %s: unknown archive format" % bundle)
    unpack_inner(out)

main(*sys.argv[1:])
