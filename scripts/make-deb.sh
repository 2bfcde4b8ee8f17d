#!/usr/bin/env bash
# make-deb.sh -- `make deb`: builds the bundlegen and edgenode Debian packages (debian/) with
# dpkg-buildpackage in a copy of the tree under build/deb/, so that the /usr objects stay apart from
# build/; the .deb files, the .changes and the build log end up in build/deb/.
set -euo pipefail
cd "$(dirname "$0")/.."
v=$(cat VERSION)
dv=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$dv" != "$v" ]; then
  echo "make-deb: debian/changelog is at $dv but VERSION is $v: add a debian/changelog entry for $v" >&2
  exit 1
fi
out=build/deb; src=$out/bundlegen-$v
rm -rf "$out"; mkdir -p "$src"
# The files git knows (tracked, and new ones not ignored); a tree without git is copied whole.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  tar --exclude=./build --exclude=./node_modules -cf - . | tar -xf - -C "$src"
fi
echo "make-deb: building bundlegen and edgenode $v (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$out/build.log" 2>&1; then
  tail -n 40 "$out/build.log" >&2; echo "make-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2; exit 1
fi
rm -rf "$src"
ls -1 "$out"/*.deb
