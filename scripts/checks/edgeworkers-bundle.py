#!/usr/bin/env python3
# edgeworkers-bundle.py FILE -- the rules of an Akamai EdgeWorkers code bundle, checked offline: FILE is a
# .tgz, or a bundle.json whose folder is packed as the generator packs it. Exit 0 when it passes.
import gzip, io, json, os, re, sys, tarfile
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The manifest's keys and their JSON types.
# https://techdocs.akamai.com/edgeworkers/docs/code-bundle-format
KEYS = {"edgeworker-version": str, "bundle-version": int, "api-version": str, "description": str,
        "misc": dict, "invoke-for-edgeworker-clients": bool}
# Ours: the connector is main.js and bundle.json, nothing else (the vendor also takes helper modules).
# https://techdocs.akamai.com/edgeworkers/docs/create-a-code-bundle
FILES = {"main.js", "bundle.json"}
# Ours: the docs name no character set or length for edgeworker-version; this keeps to the characters
# of a semantic version with a digest, which every tool passes through unquoted.
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def size(text):
    # The manifest's size syntax (docs/manifest.md): powers of 1024.
    m = re.fullmatch(r"(\d+)([kKmMgG]?)", str(text))
    if not m:
        raise ValueError(f"limits: size {text!r} is not a size")
    return int(m.group(1)) * 1024 ** " kmg".index(m.group(2).lower() or " ")


def limits():
    with open(os.path.join(ROOT, "platforms", "akamai.yaml"), encoding="utf-8") as f:
        lim = yaml.safe_load(f)["limits"]
    return size(lim["bundle"]["max"]), size(lim["unpacked"]["max"])


def pack(folder):
    # Every file of the folder at the archive's root, as `bundlegen generate akamai` packs it.
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in sorted(os.listdir(folder)):
            tar.add(os.path.join(folder, name), arcname=name)
    return buf.getvalue()


def check(data):
    errors = []
    max_packed, max_unpacked = limits()
    # Compressed and uncompressed size limits, from platforms/akamai.yaml limits: (bundle, unpacked).
    if len(data) > max_packed:
        errors.append(f"size: the archive is {len(data)} bytes, over the {max_packed} bytes limit")
    try:
        raw = gzip.decompress(data)
        tar = tarfile.open(fileobj=io.BytesIO(raw), mode="r:")
        members = tar.getmembers()
    except (OSError, EOFError, tarfile.TarError) as e:
        return errors + [f"archive: not a gzip-compressed tar ({e})"]
    files, unpacked = {}, 0
    for m in members:
        name = m.name[2:] if m.name.startswith("./") else m.name
        if name in ("", "."):
            continue
        if os.path.basename(name).startswith("._"):
            continue   # the vendor ignores AppleDouble files (create-a-code-bundle)
        if not m.isfile():
            errors.append(f"files: {name} is a {'directory' if m.isdir() else 'non-regular file'}; "
                          "the bundle holds main.js and bundle.json only, at its root")
            continue
        if "/" in name:
            errors.append(f"files: {name} is not at the archive's root")
            continue
        if name not in FILES:
            errors.append(f"files: {name} is not main.js or bundle.json")
            continue
        # No executable files: https://techdocs.akamai.com/edgeworkers/reference/validation-types
        if m.mode & 0o111:
            errors.append(f"files: {name} is executable (mode {m.mode:o})")
        files[name] = tar.extractfile(m).read()
        unpacked += m.size
    if unpacked > max_unpacked:
        errors.append(f"size: the files hold {unpacked} bytes, over the {max_unpacked} bytes unpacked limit")
    for name in sorted(FILES - files.keys()):
        errors.append(f"files: {name} is missing")
    if "bundle.json" in files:
        errors += manifest(files["bundle.json"])
    return errors


def manifest(text):
    try:
        doc = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return [f"bundle.json: not valid JSON ({e})"]
    if not isinstance(doc, dict):
        return ["bundle.json: not a JSON object"]
    errors = []
    for key in doc:
        if key not in KEYS:
            errors.append(f"bundle.json: unknown key {key!r}")
    for key, want in KEYS.items():
        if key in doc and (type(doc[key]) is not want):
            errors.append(f"bundle.json: {key} is not a {want.__name__.replace('str', 'string').replace('dict', 'object')}")
    v = doc.get("edgeworker-version")
    if v is None:
        errors.append("bundle.json: edgeworker-version is missing")
    elif isinstance(v, str) and not VERSION.fullmatch(v):
        errors.append(f"bundle.json: edgeworker-version {v!r} is not 1 to 64 of A-Z a-z 0-9 . _ - "
                      "starting with a letter or digit")
    return errors


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: edgeworkers-bundle.py BUNDLE.tgz|bundle.json")
    path = sys.argv[1]
    if os.path.basename(path) == "bundle.json":
        data = pack(os.path.dirname(os.path.abspath(path)))
    else:
        with open(path, "rb") as f:
            data = f.read()
    errors = check(data)
    for e in errors:
        print(f"{path}: {e}")
    if errors:
        sys.exit(1)
    print(f"{path}: EdgeWorkers bundle OK")


main()
