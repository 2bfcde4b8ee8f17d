#!/usr/bin/env bash
# containers.sh -- containers/*.Containerfile checked without a builder (tests/containers/), then built
# with buildah where the base image is in local storage; where it is not (no registry is reachable from
# this machine) the build is reported as skipped, with that reason.
set -u
cd "$(dirname "$0")/../.." || exit 1
python3 tests/containers/containerfiles_test.py
rc=$?
. tests/lib/suite.sh
if ! command -v buildah >/dev/null; then
  skip "make images" "buildah is not installed"
elif ! buildah images -q debian:bookworm-slim >/dev/null 2>&1; then
  skip "make images" "debian:bookworm-slim is not in local container storage and no container registry is reachable to pull it"
else
  exits "make images builds edgenode and bundlegen" 0 nice make --no-print-directory images
  v=$(cat VERSION)
  for p in edgenode bundlegen; do
    same "$p:$v runs as its numeric user" "$( [ $p = edgenode ] && echo 990:990 || echo 991:991)" \
      "$(buildah inspect --format '{{.OCIv1.Config.User}}' "$p:$v" 2>&1)"
  done
fi
same "the static checks end with exit 0" 0 "$rc"
suite_end
