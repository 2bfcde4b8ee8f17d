#!/usr/bin/env bash
# release.sh -- bundlegen keygen, release and verify: two signed releases of the tree are byte-identical but
# for their artifacts (the Fastly Compute package, checked with Fastly's CLI), minisign verifies them, verify
# names each bundle and catches tampering, failing checks stop a release.
set -u
cd "$(dirname "$0")/../.."
repo=$PWD
bg=${BUNDLEGEN:-build/bundlegen}   # the checks run node, tsc and friends: the release build keeps it quick
. tests/lib/suite.sh
for tool in "$bg" build/san/bundlegen minisign sha256sum; do
  command -v "$tool" >/dev/null || [ -x "$tool" ] || { bad "$tool is missing (make test builds it, scripts/deps.sh installs it)"; suite_end; }
done
work=$(mktemp -d /tmp/release-suite.XXXXXX); trap 'rm -rf "$work"' EXIT
out=$SUITE_OUT; errf=$SUITE_ERR

# Keys.
exits "keygen writes a key pair" 0 build/san/bundlegen keygen --out "$work/key"
[ "$(stat -c %a "$work/key.key")" = 600 ] && ok "the secret key is mode 0600" || bad "the secret key is mode 0600"
has "the public key is in minisign's format" "$work/key.pub" "untrusted comment: minisign public key "
exits "keygen never overwrites a key" 1 build/san/bundlegen keygen --out "$work/key"
build/san/bundlegen keygen --out "$work/other" >/dev/null

# Two releases of the shipped tree: complete, signed, reproducible.
exits "release of every platform, signed" 0 "$bg" release --out "$work/a" --jobs 2 --sign "$work/key.key" || suite_end
has "progress: one plain line per platform when not on a terminal" "$errf" "release: [1/"
n=$(ls platforms/*.yaml | grep -vc '/_')
[ "$(ls "$work/a/bundles" | wc -l)" -eq "$n" ] && ok "one bundle per platform ($n)" || bad "one bundle per platform ($n)"
missing=0
for f in release.json SHA256SUMS SHA256SUMS.minisig release.json.minisig changelog.md changelog.json changelog.atom; do
  [ -s "$work/a/$f" ] || { missing=1; bad "the release has $f"; }
done
[ $missing = 1 ] || ok "the release has its manifest, sums, signatures and changelogs"
[ "$(ls "$work/a/packs" | wc -l)" -ge "$n" ] && ok "the release carries the template packs" || bad "the release carries the template packs"
(cd "$work/a" && sha256sum --quiet -c SHA256SUMS) >"$out" 2>&1 && ok "sha256sum -c SHA256SUMS" || bad "sha256sum -c SHA256SUMS" "$out"
exits "minisign verifies SHA256SUMS" 0 minisign -Vm "$work/a/SHA256SUMS" -p "$work/key.pub"
exits "minisign verifies release.json" 0 minisign -Vm "$work/a/release.json" -p "$work/key.pub"
if python3 - "$work/a/release.json" "$n" <<'PY'
import json, sys, hashlib, os
d = json.load(open(sys.argv[1])); base = os.path.dirname(sys.argv[1])
assert len(d["bundles"]) == int(sys.argv[2])
for b in d["bundles"]:
    data = open(os.path.join(base, b["file"]), "rb").read()
    assert hashlib.sha256(data).hexdigest() == b["sha256"] and len(data) == b["size"], b
    assert b["version"] and b["min_node_version"] and len(b["fingerprint"]) == 64 and b["date"]
PY
then ok "release.json: platform, version, file, size, SHA-256 and node version of every bundle"; else bad "release.json matches the bundles"; fi
xmllint --noout "$work/a/changelog.atom" && ok "the Atom changelog is well-formed" || bad "the Atom changelog is well-formed"

exits "a second release of the same tree" 0 "$bg" release --out "$work/b" --jobs 2 --sign "$work/key.key"
# Reproducible but for the artifacts (docs/release.md): the Fastly Compute package's wasm is not.
arts=(-x artifacts -x artifacts.json -x artifacts.json.minisig)
diff -r "${arts[@]}" "$work/a" "$work/b" >"$out" 2>&1 && ok "the two releases are byte-identical (but for artifacts/ and artifacts.json)" ||
  bad "the two releases are byte-identical (but for artifacts/ and artifacts.json)" "$out"
if diff -rq "$work/a" "$work/b" | grep -v -e '/artifacts/' -e 'artifacts\.json' >"$out"; then bad "only artifacts differ" "$out"
else ok "only artifacts differ ($(diff -rq "$work/a" "$work/b" | wc -l) files: $(diff -rq "$work/a" "$work/b" | grep -o 'artifacts[^ ]*' | sort -u | tr '\n' ' '))"; fi

# The Fastly Compute package built by the release check fastly-package: listed by name in release.json,
# with size and digest in the signed artifacts.json; Fastly's CLI accepts it; its wasm holds this bundle.
fv=$(sed -n 's/^  - version: //p' changelog/fastly.yaml | head -1)
pkg=artifacts/fastly-$fv-compute-package.tar.gz
[ -s "$work/a/$pkg" ] && ok "the release carries $pkg" || bad "the release carries $pkg" "$(ls -R "$work/a" | head -30)"
exits "minisign verifies artifacts.json" 0 minisign -Vm "$work/a/artifacts.json" -p "$work/key.pub"
if python3 - "$work/a" "$pkg" >"$out" 2>&1 <<'PY'
import json, sys, hashlib, os
base, pkg = sys.argv[1], sys.argv[2]
rel = {b["platform"]: b for b in json.load(open(os.path.join(base, "release.json")))["bundles"]}
arts = json.load(open(os.path.join(base, "artifacts.json")))
assert arts["reproducible"] is False, arts
assert [a["file"] for a in arts["artifacts"]] == [pkg], arts
a = arts["artifacts"][0]
data = open(os.path.join(base, pkg), "rb").read()
assert a["sha256"] == hashlib.sha256(data).hexdigest() and a["size"] == len(data), a
assert a["platform"] == "fastly" and a["check"] == "fastly-package", a
assert a["built_from"] == rel["fastly"]["file"] and a["built_from_sha256"] == rel["fastly"]["sha256"], a
assert rel["fastly"]["artifacts"] == [pkg], rel["fastly"]
assert all("artifacts" not in b for p, b in rel.items() if p != "fastly")
sums = open(os.path.join(base, "SHA256SUMS")).read()
assert "artifacts" not in sums, "SHA256SUMS lists an artifact"
PY
then ok "artifacts.json: size, SHA-256 and source bundle of the package; release.json names it; SHA256SUMS does not"
else bad "artifacts.json and release.json describe the package" "$out"; fi
mkdir -p "$work/pkg" && tar xzf "$work/a/$pkg" -C "$work/pkg"
exits "fastly compute validate accepts the released package" 0 env HOME="$work" FASTLY_DISABLE_UPDATE_CHECK=1 \
  node_modules/.bin/fastly compute validate --package "$work/a/$pkg" --non-interactive
has "and says so" "$SUITE_OUT" "SUCCESS: Validated package"
if python3 - "$work/pkg/edge-connector/bin/main.wasm" "$work/a/bundles/fastly-connector-$fv.tar.gz" >"$out" 2>&1 <<'PY'
import sys, tarfile
wasm = open(sys.argv[1], "rb").read()
assert wasm[:8] == b"\0asm\1\0\0\0", "no wasm module"
def leb(i):
    r = s = 0
    while True:
        x = wasm[i]; i += 1; r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, i
i, mods = 8, set()
while i < len(wasm):
    sid = wasm[i]; n, j = leb(i + 1)
    if sid == 2:   # imports: module, name, kind, type
        cnt, k = leb(j)
        for _ in range(cnt):
            ln, k = leb(k); mods.add(wasm[k:k + ln].decode()); k += ln
            ln, k = leb(k); k += ln
            kind = wasm[k]; k += 1
            assert kind == 0, f"import kind {kind}"
            _, k = leb(k)
    i = j + n
assert mods and all(m.startswith("fastly_") or m == "wasi_snapshot_preview1" for m in mods), sorted(mods)
src = tarfile.open(sys.argv[2]).extractfile("edge-connector/src/index.js").read()
line = next(l for l in src.splitlines() if b"node.example.com" in l).strip()
assert line in wasm, line   # the snapshot holds the source it was built from
print(sorted(mods))
PY
then ok "the package's wasm imports only Fastly's hostcalls and WASI, and holds the released src/index.js"
else bad "the package's wasm" "$out"; fi
exits "verify names the artifact, checking artifacts.json's signature" 0 build/san/bundlegen verify "$work/a/$pkg" --pubkey "$work/key.pub"
has "as built from the Fastly bundle" "$SUITE_OUT" "artifact of fastly $fv, built from bundles/fastly-connector-$fv.tar.gz by the release check fastly-package (not reproducible): matches artifacts.json and its signature"
cp "$work/a/$pkg" "$work/$(basename "$pkg")"; printf 'x' >>"$work/$(basename "$pkg")"
exits "verify reports a tampered artifact" 1 build/san/bundlegen verify "$work/$(basename "$pkg")" --release "$work/a"
has "as tampered" "$errf" "TAMPERED: does not match $pkg in artifacts.json"
cp -r "$work/a" "$work/e"; sed -i 's/false/true/' "$work/e/artifacts.json"
exits "verify refuses artifacts.json changed after signing" 1 build/san/bundlegen verify "$work/e/$pkg" --pubkey "$work/key.pub"
has "naming its signature" "$errf" "artifacts.json.minisig: signature: does not verify"
skip "the released package runs" "no local Compute runtime is available offline (fastly compute serve downloads Viceroy)"
ls -d "$work"/*.tmp-* >/dev/null 2>&1 && bad "no temporary folders are left" || ok "no temporary folders are left"
exits "release refuses an existing folder" 1 "$bg" release --out "$work/a"
has "and says so" "$errf" "already exists"

# verify: each bundle is named; tampering with the bundle, the sums or a signature is caught.
for f in "$work"/a/bundles/*; do
  if build/san/bundlegen verify "$f" --pubkey "$work/key.pub" >"$out" 2>&1; then ok "verify $(basename "$f") with the signatures"
  else bad "verify $(basename "$f") with the signatures" "$out"; fi
done
cf=$(ls "$work"/a/bundles/cloudflare-*)
exits "verify names the platform and version" 0 build/san/bundlegen verify "$cf" --pubkey "$work/key.pub"
has "verify output" "$out" "cloudflare $(sed -n 's/^  - version: //p' changelog/cloudflare.yaml | head -1) (Cloudflare Workers)"
cp "$cf" "$work/$(basename "$cf")"; printf 'x' >>"$work/$(basename "$cf")"
exits "verify reports a tampered bundle" 1 build/san/bundlegen verify "$work/$(basename "$cf")" --release "$work/a"
has "as tampered, naming what it should be" "$errf" "TAMPERED: does not match cloudflare"
exits "verify reports a file that is no bundle of the release" 1 build/san/bundlegen verify "$work/key.pub" --release "$work/a"
cp -r "$work/b" "$work/c"
sed -i '/  release.json$/s/^./x/' "$work/c/SHA256SUMS"
exits "verify reports SHA256SUMS changed after signing" 1 build/san/bundlegen verify "$work/c/bundles/$(basename "$cf")" --pubkey "$work/key.pub"
has "the signature does not verify" "$errf" "SHA256SUMS.minisig: signature: does not verify"
exits "verify without a key still sees release.json and SHA256SUMS disagree" 1 build/san/bundlegen verify "$work/c/bundles/$(basename "$cf")"
exits "verify with another key fails" 1 build/san/bundlegen verify "$cf" --pubkey "$work/other.pub"
has "naming the key mismatch" "$errf" "made with another key"
mkdir -p "$work/s/bundles"; cp "$work/b/SHA256SUMS" "$work/s/"; cp "$cf" "$work/s/bundles/"
exits "verify against SHA256SUMS alone" 0 build/san/bundlegen verify "$work/s/bundles/$(basename "$cf")"
has "names the listed path" "$out" "matches bundles/$(basename "$cf") in $work/s/SHA256SUMS"
printf 'x' >>"$work/s/bundles/$(basename "$cf")"
exits "verify against SHA256SUMS alone reports a tampered bundle" 1 build/san/bundlegen verify "$work/s/bundles/$(basename "$cf")"
has "as tampered" "$errf" "TAMPERED: does not match bundles/$(basename "$cf") in SHA256SUMS"
exits "minisign agrees the sums were changed" 1 minisign -Vm "$work/c/SHA256SUMS" -p "$work/key.pub"

# A demo tree whose release must fail: a failing check, an unknown check, a stale fingerprint.
R=$work/root; mkdir -p "$R/platforms" "$R/templates/demo" "$R/changelog"
cp platforms/_common.yaml "$R/platforms/"
demo() {   # demo CHECK TEMPLATE-TEXT
  printf 'id: demo\nname: Demo\nruntime: test\nversion: 1.0.0\narchive: zip\nfiles:\n  - template: demo/data.json\ncommon:\n  include: all\nchecks:\n  - {file: data.json, run: %s}\n' "$1" >"$R/platforms/demo.yaml"
  printf '%s\n' "$2" >"$R/templates/demo/data.json"
  local fp; fp=$(build/san/bundlegen changelog pack demo --root "$R" | cut -d' ' -f1)
  printf 'platform: demo\nversions:\n  - {version: 1.0.0, date: 2026-11-22, node: 1.0.0, fingerprint: %s, changes: [{kind: added, text: x}]}\n' "$fp" >"$R/changelog/demo.yaml"
}
demo json '{"endpoints": {{endpoint}}}'
exits "a demo release passes its json check" 0 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d1"
SOURCE_DATE_EPOCH=86400 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d2" >/dev/null 2>&1
cmp -s "$work/d1/bundles/demo-1.0.0.zip" "$work/d2/bundles/demo-1.0.0.zip" && bad "SOURCE_DATE_EPOCH sets the archive times" ||
  ok "SOURCE_DATE_EPOCH sets the archive times"
demo json '{"endpoints": {{endpoint}},}'
exits "a failing check stops the release" 1 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d3"
has "naming the platform and the check" "$errf" 'demo: check "json" on data.json failed'
[ ! -e "$work/d3" ] && ! ls -d "$work"/d3.tmp-* >/dev/null 2>&1 && ok "a failed release leaves nothing behind" || bad "a failed release leaves nothing behind"
demo no-such-check '{"endpoints": {{endpoint}}}'
exits "an unknown check stops the release" 1 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d4"
has "naming the check" "$errf" 'demo: check "no-such-check" on data.json: unknown check'
demo json '{"endpoints": {{endpoint}}}'
printf '{"endpoints": {{endpoint}}, "edited": true}\n' >"$R/templates/demo/data.json"
exits "a template changed without a changelog entry stops the release" 1 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d5"
has "saying what to do" "$errf" "demo: the manifest or templates changed since 1.0.0 was recorded"
# Artifacts: files a check leaves in $BUNDLEGEN_ARTIFACTS are shipped under artifacts/, listed in artifacts.json.
mkdir -p "$work/checks"
printf '#!/bin/sh\nhead -c 64 /dev/urandom >"$BUNDLEGEN_ARTIFACTS/random.bin"\n' >"$work/checks/mkart.sh"
printf '#!/bin/sh\necho x >"$BUNDLEGEN_ARTIFACTS/.hidden"\n' >"$work/checks/badart.sh"
chmod +x "$work/checks/"*.sh
demo mkart '{"endpoints": {{endpoint}}}'
exits "a check's artifact is shipped" 0 build/san/bundlegen release --root "$R" --checks "$work/checks" --out "$work/d7"
[ -s "$work/d7/artifacts/demo-1.0.0-random.bin" ] && ok "as artifacts/<platform>-<version>-<name>" || bad "as artifacts/<platform>-<version>-<name>" "$(ls -R "$work/d7")"
build/san/bundlegen release --root "$R" --checks "$work/checks" --out "$work/d8" >/dev/null 2>&1
diff -r "${arts[@]}" "$work/d7" "$work/d8" >"$out" 2>&1 && ok "a random artifact leaves the rest of the release identical" ||
  bad "a random artifact leaves the rest of the release identical" "$out"
python3 -c 'import json, sys, hashlib; a = json.load(open(sys.argv[1]))["artifacts"][0]; sys.exit(a["sha256"] != hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest())' \
  "$work/d8/artifacts.json" "$work/d8/artifacts/demo-1.0.0-random.bin" && ok "artifacts.json records its digest" || bad "artifacts.json records its digest"
demo badart '{"endpoints": {{endpoint}}}'
exits "an artifact with a bad name stops the release" 1 build/san/bundlegen release --root "$R" --checks "$work/checks" --out "$work/d9"
has "naming the check and the file" "$errf" 'demo: check "badart" left ".hidden"'
demo json '{"endpoints": {{endpoint}}}'
exits "a release without artifacts has no artifacts.json" 0 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d10"
[ ! -e "$work/d10/artifacts.json" ] && [ ! -e "$work/d10/artifacts" ] && ok "nor artifacts/" || bad "nor artifacts/" "$(ls "$work/d10")"
rm "$R/changelog/demo.yaml"
exits "a platform without a changelog stops the release" 1 build/san/bundlegen release --root "$R" --checks "$repo/scripts/checks" --out "$work/d6"
suite_end
