#!/usr/bin/env bash
# versions.sh -- one VERSION for both programs: bundlegen, edgenode, the node's changelog and the API
# description agree with it, and every version of every bundle generates for the shipped node.
set -u
cd "$(dirname "$0")/../.."
bg=${BUNDLEGEN:-build/san/bundlegen}; en=${EDGENODE:-build/edgenode}
. tests/lib/suite.sh
for p in "$bg" "$en"; do [ -x "$p" ] || suite_abort "$p is missing (make test builds it)"; done
work=$(mktemp -d /tmp/versions.XXXXXX); trap 'rm -rf "$work"' EXIT
out=$SUITE_OUT; errf=$SUITE_ERR

v=$(cat VERSION)
[[ $v =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] && ok "VERSION is MAJOR.MINOR.PATCH ($v)" || bad "VERSION is MAJOR.MINOR.PATCH: '$v'"
[ "$("$bg" --version)" = "bundlegen $v" ] && ok "bundlegen --version prints VERSION" || bad "bundlegen --version: $("$bg" --version)"
node_v=$("$en" --version | sed -n 's/^edgenode \(.*\)$/\1/p')
[ "$node_v" = "$v" ] && ok "edgenode --version prints VERSION" || bad "edgenode --version: $("$en" --version)"
[ "$(jq -r .info.version openapi.json)" = "$v" ] && ok "openapi.json describes API version $v" || bad "openapi.json info.version: $(jq -r .info.version openapi.json)"
newest=$(sed -n 's/^  - version: \(.*\)$/\1/p' changelog/edgenode.yaml | head -1)
[ "$newest" = "$v" ] && ok "the node's changelog starts with VERSION" || bad "changelog/edgenode.yaml's newest is '$newest', VERSION is $v"
deb_v=$(sed -n '1s/^bundlegen (\([^)]*\)).*/\1/p' debian/changelog)
same "debian/changelog's newest package version is VERSION" "$v" "$deb_v"
exits "changelog check passes" 0 "$bg" changelog check
has "check compares the minimums with the shipped node" "$out" "node minimums against edgenode $v"

# Every version of every platform, old ones from their packs, generates with --node-version of the shipped node.
exits "the changelog feed lists every version" 0 "$bg" changelog render --format json
jq -r '.[] | "\(.platform) \(.version) \(.min_node_version)"' "$out" >"$work/versions"
n=$(wc -l <"$work/versions"); [ "$n" -ge 12 ] && ok "$n platform versions to generate" || bad "only $n platform versions"
while read -r id ver min; do
  exits "$id $ver (needs node $min) generates with --node-version $node_v" 0 \
    "$bg" generate "$id" --version "$ver" --node-version "$node_v" --endpoint https://node.example.com --out "$work/b"
done <"$work/versions"
# The same refusal a user sees with a node older than a bundle needs.
exits "a node older than 1.0.0 is refused" 1 "$bg" generate kong --node-version 0.9.0 --endpoint https://node.example.com --out "$work/b"
has "naming the node the bundle needs" "$errf" "needs node 1.0.0 or newer, and --node-version is 0.9.0"
suite_end
