#!/usr/bin/env bash
# make-images.sh -- `make images`: the edgenode and bundlegen container images from containers/, tagged
# with VERSION, with the first daemonless builder found (buildah, then podman), else docker.
# IMAGE_BASE replaces debian:bookworm-slim (e.g. the stand-in of scripts/make-base-image.sh);
# BUILDAH_ARGS passes global buildah options (storage); BUILDAH_ISOLATION=chroot builds without an
# OCI runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
v=$(cat VERSION)
for b in buildah podman docker; do command -v "$b" >/dev/null && break; b=; done
[ -n "$b" ] || { echo "make-images: no buildah, podman or docker here" >&2; exit 1; }
# HEALTHCHECK is kept only in the docker image format.
read -r -a bargs <<<"${BUILDAH_ARGS:-}"
case $b in buildah) cmd=(buildah "${bargs[@]}" bud --format docker) ;; podman) cmd=(podman build --format docker) ;; *) cmd=(docker build) ;; esac
for p in edgenode bundlegen; do
  echo "make-images: $p:$v with $b"
  "${cmd[@]}" -f "containers/$p.Containerfile" --build-arg "VERSION=$v" \
    ${IMAGE_BASE:+--pull=never --build-arg "BASE=$IMAGE_BASE"} -t "$p:$v" .
done
