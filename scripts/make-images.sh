#!/usr/bin/env bash
# make-images.sh -- `make images`: the edgenode and bundlegen container images from containers/, tagged
# with VERSION, with the first daemonless builder found (buildah, then podman), else docker.
set -euo pipefail
cd "$(dirname "$0")/.."
v=$(cat VERSION)
for b in buildah podman docker; do command -v "$b" >/dev/null && break; b=; done
[ -n "$b" ] || { echo "make-images: no buildah, podman or docker here" >&2; exit 1; }
# HEALTHCHECK is kept only in the docker image format.
case $b in buildah) cmd=(buildah bud --format docker) ;; podman) cmd=(podman build --format docker) ;; *) cmd=(docker build) ;; esac
for p in edgenode bundlegen; do
  echo "make-images: $p:$v with $b"
  "${cmd[@]}" -f "containers/$p.Containerfile" --build-arg "VERSION=$v" -t "$p:$v" .
done
