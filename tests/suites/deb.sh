#!/usr/bin/env bash
# deb.sh -- `make deb` builds the bundlegen and edgenode packages; lintian finds no errors; then
# tests/deb/throwaway-root.sh installs them with dpkg into a copy-on-write root and runs both
# services from there as their units say (see docs/packages.md).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/suite.sh
for t in dpkg-buildpackage dh lintian systemd-analyze; do
  command -v "$t" >/dev/null || suite_abort "$t is missing (scripts/debian-packages.txt)"
done
v=$(cat VERSION); arch=$(dpkg --print-architecture)
bdeb=build/deb/bundlegen_${v}_${arch}.deb; edeb=build/deb/edgenode_${v}_${arch}.deb

check "debian/changelog is at VERSION ($v)" test "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$v"
exits "make deb builds the packages" 0 nice make --no-print-directory deb || suite_end
for deb in "$bdeb" "$edeb"; do check "$deb is built" test -f "$deb"; done
exits "lintian: no errors in either package" 0 lintian --fail-on error "build/deb/bundlegen_${v}_${arch}.changes"
grep -v 'running with root privileges' "$SUITE_OUT" | sed 's/^/    lintian: /'
same "lintian: no warnings either" "" "$(grep -E '^[EW]: ' "$SUITE_OUT" || true)"
same "edgenode's conffile" "/etc/edgenode/edgenode.yaml" \
  "$(dpkg-deb --ctrl-tarfile "$edeb" | tar -xOf - ./conffiles)"
same "bundlegen's conffile" "/etc/default/bundlegen-serve" \
  "$(dpkg-deb --ctrl-tarfile "$bdeb" | tar -xOf - ./conffiles)"
for dep in adduser libpcre2-8-0 libmicrohttpd12; do
  contains "edgenode depends on $dep" "$dep" "$(dpkg-deb -f "$edeb" Depends)"
done

# The install itself needs an overlay mount and chroot: root, in a mount namespace of its own.
if [ "$(id -u)" -ne 0 ]; then
  if [ "${CI:-}" = true ]; then bad "installing into a throwaway root needs root (CI must run it)"
  else skip "install into a throwaway root" "needs root for the overlay mount and chroot"; fi
  suite_end
fi
# Its own checks and summary line go to this suite's output (the runner sums every summary).
unshare --mount --propagation private tests/deb/throwaway-root.sh "$v" "$arch"
same "the throwaway-root checks end with exit 0" 0 "$?"
suite_end
