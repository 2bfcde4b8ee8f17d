#!/usr/bin/env bash
# containers.sh -- containers/*.Containerfile checked without a builder (tests/containers/); with IMAGES=1
# both images are built with buildah on a debian:bookworm-slim stand-in made from Debian's packages, and
# run from their root file systems (as their user, with their entry point and health check).
set -u
cd "$(dirname "$0")/../.." || exit 1
python3 tests/containers/containerfiles_test.py
rc=$?
. tests/lib/suite.sh
# The images themselves: only with IMAGES=1 (about 10 minutes and Debian's mirror: no container
# registry is reachable here, so the base is made from Debian packages first; see docs/kubernetes.md).
if [ "${IMAGES:-}" != 1 ]; then
  skip "make images" "set IMAGES=1 to build both images here (a base from Debian packages with mmdebstrap, then buildah)"
else
  W=$(mktemp -d /tmp/containers.XXXXXX)
  # Not under build/: the Makefile includes every *.d file found there (an image holds some).
  I=${IMAGES_DIR:-/var/tmp/bundlegen-images}
  export BUILDAH_ARGS="--storage-driver vfs --root $I/storage --runroot $I/run"
  export BUILDAH_ISOLATION=chroot IMAGE_BASE=localhost/debian:bookworm-slim
  read -r -a bargs <<<"$BUILDAH_ARGS"
  b() { buildah "${bargs[@]}" "$@"; }
  v=$(cat VERSION)
  exits "a debian:bookworm-slim stand-in from Debian's packages (mmdebstrap minbase)" 0 nice scripts/make-base-image.sh
  exits "make images builds edgenode:$v and bundlegen:$v with buildah" 0 nice make --no-print-directory images
  for p in edgenode bundlegen; do
    uid=$([ $p = edgenode ] && echo 990 || echo 991)
    same "$p:$v runs as $uid:$uid, entry point /usr/bin/$p" "$uid:$uid [/usr/bin/$p]" \
      "$(b inspect --format '{{.OCIv1.Config.User}} {{.OCIv1.Config.Entrypoint}}' "$p:$v" 2>&1)"
    probe=$(b inspect "$p:$v" | jq -r '.Docker.config.Healthcheck.Test[3] // ""')
    contains "$p:$v has its HEALTHCHECK on /live" "/live" "$probe"
    c=$(b from --pull-never "$p:$v") && mnt=$(b mount "$c") || { bad "$p:$v mounts"; continue; }
    P=$(free_port); A=$(free_port)
    # What Kubernetes does: a config of its own (loopback ports here), the image's user and entry point.
    if [ $p = edgenode ]; then
      printf 'listen: 127.0.0.1:%s\nadmin_listen: 127.0.0.1:%s\nmode: block\n' "$P" "$A" >"$mnt/etc/edgenode/edgenode.yaml"
      args=(--config /etc/edgenode/edgenode.yaml); port=$A; hport=9000
    else
      args=(serve --listen "127.0.0.1:$P" --access-log -); port=$P; hport=8080
    fi
    # In a mount namespace of its own with /proc, as a container runtime gives it (the node finds its
    # shipped rules beside /proc/self/exe).
    unshare --mount --propagation private sh -c 'm=$1; u=$2; shift 2; mount -t proc proc "$m/proc" && exec chroot --userspec="$u" "$m" "$@"' \
      sh "$mnt" "$uid:$uid" "/usr/bin/$p" "${args[@]}" >"$W/$p.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/live" && break; sleep 0.1; done
    # The image's own HEALTHCHECK command, inside the image, on the port used here.
    probe=$(sed "s|/$hport |/$port |" <<<"$probe")
    check "$p:$v: its HEALTHCHECK passes inside the image" chroot --userspec="$uid:$uid" "$mnt" bash -c "$probe"
    if [ $p = edgenode ]; then
      same "edgenode:$v blocks an attack" 403 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST \
        -H 'Host: api.example.com' "http://127.0.0.1:$P/search?q=1%27%20UNION%20SELECT%20password%20FROM%20users--")"
    else
      curl -s --max-time 30 -o "$W/served" "http://127.0.0.1:$P/v1/bundles/kong?endpoint=https://node.example.com"
      build/bundlegen generate kong --endpoint https://node.example.com --out "$W/tree" >/dev/null 2>&1
      same "bundlegen:$v serves the bundle the tree generates" "$(sha256sum <"$W/tree")" "$(sha256sum <"$W/served")"
    fi
    kill -TERM "$pid"; wait "$pid"; same "$p:$v stops with exit 0 on SIGTERM" 0 "$?"
    grep -q . "$W/$p.log" && sed 's/^/    log: /' "$W/$p.log" | head -5
    b umount "$c" >/dev/null; b rm "$c" >/dev/null
  done
  rm -rf "$W"
fi
same "the static checks end with exit 0" 0 "$rc"
suite_end
