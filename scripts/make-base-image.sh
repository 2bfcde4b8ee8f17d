#!/usr/bin/env bash
# make-base-image.sh -- where no container registry is reachable: builds a stand-in for
# debian:bookworm-slim from Debian's own packages (mmdebstrap --variant=minbase, documentation left
# out) and stores it in buildah's storage as localhost/debian:bookworm-slim, for
# `IMAGE_BASE=localhost/debian:bookworm-slim make images`. BUILDAH_ARGS passes storage options.
set -euo pipefail
command -v mmdebstrap >/dev/null || { echo "make-base-image: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
read -r -a bargs <<<"${BUILDAH_ARGS:-}"
b() { buildah "${bargs[@]}" "$@"; }
if b images -q localhost/debian:bookworm-slim >/dev/null 2>&1; then echo "make-base-image: already stored"; exit 0; fi
t=$(mktemp -d /tmp/base-image.XXXXXX); trap 'rm -rf "$t"' EXIT
mmdebstrap --quiet --variant=minbase --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' bookworm "$t/rootfs.tar"
c=$(b from scratch)
b add "$c" "$t/rootfs.tar" / >/dev/null
b config --cmd /bin/bash "$c"
b commit -q "$c" localhost/debian:bookworm-slim
b rm "$c" >/dev/null
echo "make-base-image: localhost/debian:bookworm-slim stored"
