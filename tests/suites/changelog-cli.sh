#!/usr/bin/env bash
# changelog-cli.sh -- bundlegen changelog check|render|resolve|pack and generate --version/--node-version:
# the shipped tree passes the check; a demo platform with two versions shows every failure and policy.
set -u
cd "$(dirname "$0")/../.."
bg=${BUNDLEGEN:-build/san/bundlegen}
. tests/lib/suite.sh
[ -x "$bg" ] || { bad "$bg is missing (make test builds it)"; suite_end; }
work=$(mktemp -d /tmp/changelog-cli.XXXXXX); trap 'rm -rf "$work"' EXIT
out=$SUITE_OUT; errf=$SUITE_ERR

# The shipped tree: every platform has a changelog whose newest fingerprint is the tree's, with its packs.
exits "bundlegen changelog check passes on the shipped tree" 0 "$bg" changelog check
has "check lists every platform" "$out" "changelog check: $(ls platforms/*.yaml | grep -vc '/_') platforms, 0 failed"

# A demo platform: 1.0.0 and 1.1.0 within major 1, 2.0.0 needing node 2.0.0.
R=$work/root; mkdir -p "$R/platforms" "$R/templates/demo" "$R/changelog"
cp platforms/_common.yaml "$R/platforms/"
node_entry() { printf '  - version: %s\n    date: %s\n    changes:\n      - {kind: added, text: "%s"}\n' "$@"; }
{ echo "program: edgenode"; echo "versions:"; node_entry 2.0.0 2026-03-01 "Protocol 2."; node_entry 1.0.0 2026-01-01 "First."; } \
  >"$R/changelog/edgenode.yaml"
tree() {   # tree VERSION TEXT: the demo manifest and template at VERSION
  printf 'id: demo\nname: Demo\nruntime: test\nversion: %s\narchive: zip\nfiles:\n  - template: demo/index.js\ncommon:\n  include: all\n' "$1" >"$R/platforms/demo.yaml"
  printf 'const TEXT = "%s {{version}}";\nconst E = {{endpoint}};\n' "$2" >"$R/templates/demo/index.js"
  "$bg" changelog pack demo --root "$R" | cut -d' ' -f1
}
fp1=$(tree 1.0.0 one); fp11=$(tree 1.1.0 one-one); fp2=$(tree 2.0.0 two)
entry() { printf '  - version: %s\n    date: %s\n    node: %s\n    fingerprint: %s\n    changes:\n      - {kind: %s, text: "%s"}\n' "$@"; }
{ echo "platform: demo"; echo "versions:"
  entry 2.0.0 2026-03-01 2.0.0 "$fp2" changed "Protocol 2."
  entry 1.1.0 2026-02-01 1.0.0 "$fp11" added "A feature."
  entry 1.0.0 2026-01-01 1.0.0 "$fp1" added "First release." ; } >"$R/changelog/demo.yaml"
[ "$(ls "$R/packs" | wc -l)" -eq 3 ] && ok "changelog pack stores one pack per fingerprint" || bad "changelog pack stores one pack per fingerprint"
exits "changelog pack again: already stored" 0 "$bg" changelog pack demo --root "$R" && has "pack prints its fingerprint" "$out" "$fp2  $R/packs/$fp2.tar.gz (already stored)"
exits "check passes on the demo" 0 "$bg" changelog check --root "$R"
has "check says ok with the version count" "$out" "ok   demo           2.0.0 (3 versions)"
cp "$R/changelog/demo.yaml" "$R/changelog/gone.yaml"
exits "check fails for a changelog whose platform does not exist" 1 "$bg" changelog check --root "$R"
has "naming it" "$errf" "changelog/gone.yaml: no platform gone (platforms/gone.yaml)"
rm "$R/changelog/gone.yaml"

# Node minimums name released nodes: the node's changelog lists them.
sed -i 's/^    node: 1.0.0$/    node: 1.5.0/' "$R/changelog/demo.yaml"
exits "check fails when a version needs a node that was never released" 1 "$bg" changelog check --root "$R"
has "naming the version, the line and the nodes that exist" "$errf" "demo 1.1.0: changelog/demo.yaml:9: node: 1.5.0 is not an edgenode release (changelog/edgenode.yaml lists 2.0.0, 1.0.0)"
sed -i 's/^    node: 1.5.0$/    node: 1.0.0/' "$R/changelog/demo.yaml"
mv "$R/changelog/edgenode.yaml" "$work/edgenode.yaml"
exits "check fails without the node's changelog" 1 "$bg" changelog check --root "$R"
has "and says what it is for" "$errf" "changelog/edgenode.yaml: cannot read"
mv "$work/edgenode.yaml" "$R/changelog/edgenode.yaml"
exits "check passes again with the node's changelog back" 0 "$bg" changelog check --root "$R"
has "and names the newest node" "$out" "node minimums against edgenode 2.0.0"

# A template changed without a new entry: the message names the platform, the new fingerprint and the command.
printf 'const TEXT = "two, edited {{version}}";\nconst E = {{endpoint}};\n' >"$R/templates/demo/index.js"
new=$("$bg" changelog pack demo --root "$R" --packs "$work/scratch" | cut -d' ' -f1)
exits "check fails when a template changed without a new entry" 1 "$bg" changelog check --root "$R"
has "the failure names the platform and version" "$errf" "demo: the manifest or templates changed since 2.0.0 was recorded"
has "the failure prints the exact new fingerprint" "$errf" "        fingerprint: $new"
has "the failure says how to store the pack" "$errf" "bundlegen changelog pack demo"
printf 'const TEXT = "two {{version}}";\r\nconst E = {{endpoint}};\r\n' >"$R/templates/demo/index.js"
exits "CRLF line endings do not change the fingerprint" 0 "$bg" changelog check --root "$R"
printf 'const TEXT = "two {{version}}";\nconst E = {{endpoint}};\n' >"$R/templates/demo/index.js"

# The manifest must agree with the changelog; a missing or altered pack is named.
sed -i 's/^version: 2.0.0/version: 2.0.1/' "$R/platforms/demo.yaml"
exits "check fails when the manifest's version disagrees" 1 "$bg" changelog check --root "$R"
has "it says which wins" "$errf" "platforms/demo.yaml says version 2.0.1 but the newest changelog entry is 2.0.0"
sed -i 's/^version: 2.0.1/version: 2.0.0/' "$R/platforms/demo.yaml"
mv "$R/packs/$fp1.tar.gz" "$work/saved.tar.gz"
exits "check fails when an old version's pack is missing" 1 "$bg" changelog check --root "$R"
has "it names the version and the pack" "$errf" "demo 1.0.0: $R/packs/$fp1.tar.gz: cannot read the template pack"
cp "$work/saved.tar.gz" "$R/packs/$fp1.tar.gz"; printf 'x' | dd of="$R/packs/$fp1.tar.gz" bs=1 seek=40 conv=notrunc 2>/dev/null
exits "check fails when a pack was altered" 1 "$bg" changelog check --root "$R"
exits "generate refuses the version of an altered pack" 1 "$bg" generate demo --root "$R" --version 1.0.0 \
  --endpoint https://n.example.com --out "$work/old.zip"
has "the refusal names the pack" "$errf" "$fp1.tar.gz"
[ ! -e "$work/old.zip" ] && ok "nothing written for a refused pack" || bad "nothing written for a refused pack"
mv "$work/saved.tar.gz" "$R/packs/$fp1.tar.gz"

# Every version stays downloadable: old versions render from their packs.
exits "generate --version 1.0.0 renders the old version" 0 "$bg" generate demo --root "$R" --version 1.0.0 \
  --endpoint https://n.example.com --out "$work/old.zip"
python3 -m zipfile -e "$work/old.zip" "$work/old"
has "the old bundle holds the old template with its version" "$work/old/index.js" 'const TEXT = "one 1.0.0";'
exits "generate without --version renders the current one" 0 "$bg" generate demo --root "$R" --endpoint https://n.example.com --out "$work/cur.zip"
python3 -m zipfile -e "$work/cur.zip" "$work/cur"
has "the current bundle holds the tree's template" "$work/cur/index.js" 'const TEXT = "two 2.0.0";'
[ "$(python3 -c 'import zipfile,sys; print(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time[:3])' "$work/old.zip")" = "(2026, 1, 1)" ] &&
  ok "archive times come from the version's changelog date" || bad "archive times come from the version's changelog date"
exits "generate --version of an unknown version fails" 1 "$bg" generate demo --root "$R" --version 1.5.0 --endpoint https://n.example.com --out "$work/x.zip"
has "and lists the versions that exist" "$errf" 'unknown version "1.5.0" of demo (known: 2.0.0, 1.1.0, 1.0.0)'
exits "generate --node-version refuses a bundle that needs a newer node" 1 "$bg" generate demo --root "$R" \
  --node-version 1.9.9 --endpoint https://n.example.com --out "$work/x.zip"
has "the refusal says which node it needs" "$errf" "demo 2.0.0 needs node 2.0.0 or newer, and --node-version is 1.9.9"
exits "generate --node-version accepts an old enough bundle" 0 "$bg" generate demo --root "$R" --version 1.1.0 \
  --node-version 1.9.9 --endpoint https://n.example.com --out "$work/ok.zip"
exits "generate --node-version must be a version" 1 "$bg" generate demo --root "$R" --node-version 2 --endpoint https://n.example.com --out "$work/y.zip"

# Update and rollback policy.
exits "resolve --strategy patch stays on 1.0.x" 0 "$bg" changelog resolve demo --root "$R" --current 1.0.0 --strategy patch
has "patch from 1.0.0 is 1.0.0" "$out" "1.0.0"
exits "resolve --strategy minor moves to the newest 1.x" 0 "$bg" changelog resolve demo --root "$R" --current 1.0.0 --strategy minor
[ "$(cat "$out")" = 1.1.0 ] && ok "minor from 1.0.0 is 1.1.0, never the new major" || bad "minor from 1.0.0 is 1.1.0" "$out"
has "the new major is mentioned as manual" "$errf" "demo 2.0.0 is a new major: automatic updates never take it"
exits "resolve with an unknown current version fails" 1 "$bg" changelog resolve demo --root "$R" --current 9.9.9 --strategy minor
exits "rollback within a major is allowed" 0 "$bg" changelog resolve demo --root "$R" --current 1.1.0 --rollback-to 1.0.0
exits "rollback across a major is refused" 1 "$bg" changelog resolve demo --root "$R" --current 2.0.0 --rollback-to 1.1.0
has "and says why" "$errf" "rollback refused: 2.0.0 -> 1.1.0 crosses a major version (2 -> 1)"
exits "resolve needs one of --strategy and --rollback-to" 2 "$bg" changelog resolve demo --root "$R" --current 1.0.0
exits "resolve refuses an unknown strategy" 2 "$bg" changelog resolve demo --root "$R" --current 1.0.0 --strategy major

# Rendering: Markdown, a JSON feed and an Atom feed.
exits "render --format md" 0 "$bg" changelog render --root "$R" --format md
has "md: a compatibility table" "$out" "| 2.0.0 | 2026-03-01 | >= 2.0.0 |"
has "md: each version with its date and changes" "$out" "### 1.1.0 (2026-02-01)"
exits "render --format json --platform demo" 0 "$bg" changelog render --root "$R" --format json --platform demo --out "$work/feed.json"
if python3 - "$work/feed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert [e["version"] for e in d] == ["2.0.0", "1.1.0", "1.0.0"], d
assert d[0]["id"] == "tag:bundlegen,2026:connectors/demo/2.0.0" and d[0]["platform"] == "demo"
assert d[0]["date"] == "2026-03-01" and d[0]["body_markdown"] == "- **changed**: Protocol 2.\n"
assert d[2]["title"] == "Connector code bundle \u2014 Demo 1.0.0" and d[2]["min_node_version"] == "1.0.0"
PY
then ok "json: an array newest first with stable ids"; else bad "json: an array newest first with stable ids"; fi
exits "render --format atom" 0 "$bg" changelog render --root "$R" --format atom --out "$work/feed.atom"
exits "atom: well-formed XML" 0 xmllint --noout "$work/feed.atom"
has "atom: entries dated from the changelog" "$work/feed.atom" "<published>2026-03-01T00:00:00Z</published>"
exits "render refuses an unknown format" 2 "$bg" changelog render --root "$R" --format rss
exits "render of the shipped tree" 0 "$bg" changelog render --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) >= 6' "$out" 2>/dev/null && ok "shipped json feed parses" || bad "shipped json feed parses"

# A platform without a changelog, and a broken changelog.
mkdir -p "$R/templates/solo"; printf 'const S = {{endpoint}};\n' >"$R/templates/solo/index.js"
printf 'id: solo\nname: Solo\nruntime: test\nversion: 1.0.0\narchive: zip\nfiles:\n  - template: solo/index.js\ncommon:\n  include: all\n' >"$R/platforms/solo.yaml"
exits "check fails for a platform without a changelog" 1 "$bg" changelog check --root "$R"
has "and shows how to start one with its fingerprint" "$errf" "solo: changelog/solo.yaml is missing: every platform needs one"
has "the start names the pack command" "$errf" "bundlegen changelog pack solo"
cp tests/changelog/date-order.yaml "$R/changelog/solo.yaml"
exits "check reports a broken changelog with line and column" 1 "$bg" changelog check --root "$R" --platform solo
has "the message has file:line:column" "$errf" "changelog/solo.yaml:10:5: version 1.0.0: date 2026-03-01 is after the date of the newer 1.1.0"
exits "an unknown action is a usage error" 2 "$bg" changelog frobnicate
suite_end
